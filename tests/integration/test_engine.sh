#!/usr/bin/env bash
# The Code's engine where it meets the outside world: the bank-holiday list
# refreshed over HTTPS, officers recognised only when the council's own mail
# server vouches for them, the Housing Ombudsman's acknowledgement step, and a
# permanent SMTP failure recorded on the case.
. "$(dirname "$0")/lib.sh"
it_setup

# --- holidays update: the gov.uk format served over HTTPS by a local server
www="$dir/www"
mkdir -p "$www"
cp "$top_srcdir/tests/fixtures/bank-holidays.json" "$www/bank-holidays.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$www" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$port" \
	-cert "$dir/tls/server.crt" -key "$dir/tls/server.key") >"$dir/https.log" 2>&1 &
https_pid=$!
trap 'kill $https_pid 2>/dev/null || true; it_teardown' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
cp "$top_srcdir/data/holidays-england-and-wales.txt" "$dir/holidays.txt"
sed -i "s#^holidays_file = .*#holidays_file = $dir/holidays.txt#" "$dir/complaintsd.conf"
rc=0
ctl holidays update --url "https://localhost:$port/bank-holidays.json" >"$dir/hol.out" 2>&1 || rc=$?
check_eq "an untrusted certificate is refused" 1 "$rc"
check "and the file is left alone" cmp -s "$dir/holidays.txt" "$top_srcdir/data/holidays-england-and-wales.txt"
check "holidays update with the CA" ctl holidays update --url "https://localhost:$port/bank-holidays.json" --ca-file "$MAILSTACK_CA"
check "the file lists the Christmas 2026 substitute day" grep -q '^2026-12-28' "$dir/holidays.txt"
check "and only England and Wales (no St Andrew's Day)" sh -c "! grep -q -- '-11-30' '$dir/holidays.txt'"
check_eq "the calendar uses it" 2026-12-29 "$(ctl calendar add 2026-12-24 1)"
rc=0
ctl holidays update --url "http://localhost:$port/bank-holidays.json" >/dev/null 2>&1 || rc=$?
check_eq "plain http is refused" 1 "$rc"
kill $https_pid 2>/dev/null || true

# --- officers: only with the council's own DMARC/DKIM verdict
sed -i 's/^officer_domains = council.example$/officer_domains = council.example\nofficer_auth_required = yes\ntrusted_authserv_id = mx.council.example/' "$dir/complaintsd.conf"
send() { # name, then the message on stdin
	cat >"$dir/$1.eml"
	local before
	before=$(mailstack_count "$COMPLAINTS" INBOX)
	mailstack_send x@example.net "$COMPLAINTS" "$dir/$1.eml"
	mailstack_wait_count "$COMPLAINTS" INBOX $((before + 1)) 20
}
send c1 <<MAIL
From: Ann Tenant <ann.tenant@example.net>
To: $COMPLAINTS
Subject: Damp and mould in my council flat
Message-ID: <ann-1@example.net>

I am a council tenant. I want to complain that the damp and mould in my
bedroom has been reported four times and no repair has been done.
MAIL
check "run 1" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check_eq "a tenant's repairs complaint is a housing case" housing "$(ctl show "$ref" --json | jq -r .scheme)"
check_eq "she gets a receipt, not the Code's acknowledgement" receipt-stage1 "$(sql "SELECT group_concat(purpose) FROM outbox")"
check_eq "so no response date yet" null "$(ctl show "$ref" --json | jq -r .response_due)"

send spoof <<MAIL
From: Olivia Officer <olivia.officer@council.example>
To: $COMPLAINTS
Subject: Re: [$ref] Damp and mould in my council flat
Message-ID: <spoof-1@example.org>
Authentication-Results: evil.example.org; dmarc=pass header.from=council.example

#close
MAIL
check "run 2" it_once
check_eq "a spoofed officer cannot close the case" open "$(ctl show "$ref" --json | jq -r .status)"
check "the spoof is logged" grep -q 'failed authentication' "$dir/daemon.log"

send ack <<MAIL
From: Olivia Officer <olivia.officer@council.example>
To: $COMPLAINTS
Subject: Re: [$ref] Damp and mould in my council flat
Message-ID: <olivia-ack-1@council.example>
Authentication-Results: mx.council.example; dkim=pass header.d=council.example; dmarc=pass header.from=council.example

#acknowledge Dear Ms Tenant, we understand that damp and mould in your bedroom
has been reported four times without a repair, and that you want the cause
fixed and the room made good. A surveyor will visit this week.
MAIL
check "run 3" it_once
check "the officer's acknowledgement reached the tenant" it_wait_for 10 grep -rq 'surveyor will visit' "$dir/mail/ann.tenant@example.net/Maildir/new"
check_eq "acknowledged now" 1 "$(ctl show "$ref" --json | jq '[.acknowledged_at] | map(select(. != null)) | length')"
check_eq "the response clock runs from the acknowledgement" \
	"$(ctl calendar add "$(ctl calendar received "$(ctl show "$ref" --json | jq -r .acknowledged_at)")" 10)" \
	"$(ctl show "$ref" --json | jq -r .response_due)"

# --- escalation after the configured window: flagged for an officer, not refused
sed -i 's/^\[replies\]$/[timescales]\nescalation_window_days = 5\n\n[replies]/' "$dir/complaintsd.conf"
send c3 <<MAIL
From: Eve Late <eve@example.net>
To: $COMPLAINTS
Subject: Rude call handler
Message-ID: <eve-1@example.net>

I want to make a complaint about how I was spoken to on the phone.
MAIL
check "run w1" it_once
ref3=$(ctl list --json | jq -r '.[] | select(.complainant.email == "eve@example.net") | .ref')
send r3 <<MAIL
From: Olivia Officer <olivia.officer@council.example>
To: $COMPLAINTS
Subject: Re: [$ref3] Rude call handler
Message-ID: <olivia-r3@council.example>
Authentication-Results: mx.council.example; dmarc=pass header.from=council.example

Dear Eve, I am sorry for how the call went; we have spoken to the team.
#outcome partly-upheld
MAIL
check "run w2" it_once
check_eq "responded" responded "$(ctl show "$ref3" --json | jq -r .status)"
send e3 <<MAIL
From: Eve Late <eve@example.net>
To: $COMPLAINTS
Subject: Re: [$ref3] Rude call handler
Message-ID: <eve-2@example.net>

I am still not happy with your response and want it escalated.
MAIL
check "run w3, a month later" faketime -f '+30d' "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once
check_eq "not escalated automatically" 1 "$(ctl show "$ref3" --json | jq -r .stage)"
check "flagged for an officer" grep -qw escalation_late <<<"$(ctl show "$ref3" --json | jq -r '.flags[]')"

# --- a permanent SMTP failure is recorded on the case and the team alerted
bad="x@$(printf 'a%.0s' $(seq 70)).example"
send c2 <<MAIL
From: Nobody Reachable <$bad>
To: $COMPLAINTS
Subject: Overgrown hedge complaint
Message-ID: <bad-1@example.net>

I am complaining that the council has not cut back the hedge on the footpath.
MAIL
check "run 4" it_once
check_eq "the acknowledgement failed for good" failed "$(sql "SELECT state FROM outbox WHERE rcpt = '$bad'")"
check "the server's reason is kept" grep -q '5[0-9][0-9]' <<<"$(sql "SELECT last_error FROM outbox WHERE rcpt = '$bad'")"
ref2=$(ctl list --json | jq -r ".[] | select(.complainant.email == \"$bad\") | .ref")
check_eq "recorded on the case" 1 "$(ctl show "$ref2" --json | jq '[.events[] | select(.type == "delivery_failed")] | length')"
check "outbox --state failed lists it" grep -q "$bad" <(ctl outbox --state failed)
check "run 5 retries nothing" it_once
check "the team was alerted" it_wait_for 10 grep -rq "^Subject: .*$ref2" "$dir/mail/complaints-team@council.example/Maildir/new"
check_eq "still one attempt" 1 "$(sql "SELECT attempts FROM outbox WHERE rcpt = '$bad'")"
it_finish
