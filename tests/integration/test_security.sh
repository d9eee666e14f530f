#!/usr/bin/env bash
# Attacks on the complaints address, on the real stack.  Only a real officer
# speaks for the council: forged officer mail (no Authentication-Results, a
# forged one below the trusted one, a trusted dmarc=fail) is recorded, not
# relayed, changes nothing, and the alerts address is told once; an officer's
# mail with each accepted proof is relayed.  The address is nobody's mail
# cannon: 50 complaints forged in one victim's name bring the victim at most
# the daily limit, the rest held (visible, releasable), while an authenticated
# resident gets every mail the Code requires (acknowledgements, extension,
# exclusion, deadline-missed), an MP every member-enquiry reply and officers
# every alert; lists, digests and no-reply senders get nothing.
#
# The stack's OpenSMTPD adds no Authentication-Results: each test mail carries
# the header the council's MX (mx.council.example) would have put on top.
. "$(dirname "$0")/lib.sh"
it_setup

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net
VICTIM=victim@example.org
ANN=ann.tenant@example.net
MP=jane.mp@parliament.uk
TEAM=complaints-team@council.example
MX="Authentication-Results: mx.council.example"

n=0
msg() { # file from subject [header lines placed on top...] ; body on stdin
	local f=$1 from=$2 subject=$3
	shift 3
	n=$((n + 1))
	{
		for h in "$@"; do printf '%s\n' "$h"; done
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s-%d@test.example>\nDate: %s\n' \
			"$from" "$COMPLAINTS" "$subject" "$(basename "$f" .eml)" "$n" "$(date -R)"
		printf 'Content-Type: text/plain; charset=UTF-8\n\n'
		cat
	} >"$f"
}
deliver() { # files...: sent over SMTP, then wait until all are in the inbox
	local before
	before=$(mailstack_count "$COMPLAINTS" INBOX)
	for f in "$@"; do mailstack_send sender@example.net "$COMPLAINTS" "$f"; done
	mailstack_wait_count "$COMPLAINTS" INBOX $((before + $#)) 30
}
inbox_of() { # ADDRESS [EXPECTED]: wait up to 10 s for EXPECTED, print the count
	local i c
	for ((i = 0; i < 100; i++)); do
		c=$(mailstack_count "$1" INBOX 2>/dev/null || echo 0)
		[ "$c" -ge "${2:-0}" ] && break
		sleep 0.1
	done
	echo "$c"
}
field() { ctl show "$1" --json | jq -r "$2"; }
events() { ctl show "$1" --json | jq "[.events[] | select(.type == \"$2\")] | length"; }

check "check-config passes with authentication on" ctl check-config
check "and says who vouches for officers" grep -q 'only when mx.council.example vouches' <(ctl check-config)

# --- a resident's complaint: the case the attacker aims at
msg "$dir/c1.eml" "Jane Resident <$JANE>" "Missed bin collections on Orchard Close" <<'EOF'
I want to complain: my bin has been missed three weeks running.
EOF
deliver "$dir/c1.eml"
check "run 1" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check_eq "Jane is acknowledged" 1 "$(inbox_of "$JANE" 1)"
before=$(ctl show "$ref" --json | jq -c '{status, stage, outcome, kind, response_due}')

# --- attack 1..3: forged officer mail with a phishing link
phish() { # file [header lines...]
	local f=$1
	shift
	msg "$f" "Olivia Officer <$OFFICER>" "Re: [$ref] Missed bin collections on Orchard Close" "$@" <<'EOF'
Dear Jane,

Your complaint is upheld. To receive your refund please pay the 50 pound
administration fee at https://pay.example.org/council-refund today.

#outcome upheld
#close
EOF
}
phish "$dir/forged-none.eml"
phish "$dir/forged-below.eml" "$MX; dkim=none; spf=none smtp.mailfrom=evil.example.org; dmarc=none" \
	"Received: from evil.example.org by mx.council.example" \
	"$MX; dmarc=pass header.from=council.example; dkim=pass header.d=council.example; auth=pass"
phish "$dir/forged-fail.eml" "$MX; dkim=fail header.d=council.example; dmarc=fail (p=none) header.from=council.example"
deliver "$dir/forged-none.eml" "$dir/forged-below.eml" "$dir/forged-fail.eml"
check "run 2: three forged officer mails" it_once
check_eq "the case is unchanged" "$before" "$(ctl show "$ref" --json | jq -c '{status, stage, outcome, kind, response_due}')"
check_eq "Jane got nothing more" 1 "$(inbox_of "$JANE" 1)"
check_eq "nothing was relayed" 0 "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'relay'")"
check "the phishing link went to nobody" sh -c "! grep -rq 'pay.example.org' '$dir/mail' --exclude-dir='$COMPLAINTS'"
check_eq "nothing went to the claimed officer" 0 "$(inbox_of "$OFFICER" 0)"
check_eq "each is recorded on the case as a resident's mail" 3 \
	"$(ctl show "$ref" --json | jq '[.messages[] | select(.from == "'$OFFICER'" and .role == "resident")] | length')"
check_eq "each is an event on the case" 3 "$(events "$ref" officer_unverified)"
check "the event gives the verdict of the trusted header" grep -q 'dmarc=fail' \
	<(ctl show "$ref" --json | jq -r '.events[] | select(.type == "officer_unverified") | .detail')
check "the forged header below the trusted one did not count" grep -q 'mx.council.example: dmarc=none dkim=none spf=none' \
	<(ctl show "$ref" --json | jq -r '.events[] | select(.type == "officer_unverified") | .detail')
check_eq "the alerts address is told once for the case today" 1 "$(inbox_of "$TEAM" 1)"
body() { python3 -c 'import email, sys; print(email.message_from_binary_file(open(sys.argv[1], "rb")).get_payload(decode=True).decode())' "$1"; }
check "in those words" grep -q "claiming to be from $OFFICER failed authentication: not relayed" <(body "$(mailstack_messages "$TEAM" INBOX | tail -1)")
check "the journal has the security event with sender and case" \
	grep -q "claiming to be from officer $OFFICER failed authentication (no Authentication-Results from mx.council.example) on case $ref" "$dir/daemon.log"

msg "$dir/forged-nocase.eml" "Olivia Officer <$OFFICER>" "Urgent: refunds" <<'EOF'
#complaint
Pay your refund fee at https://pay.example.org/
EOF
deliver "$dir/forged-nocase.eml"
check "run 3: forged officer mail naming no case" it_once
check_eq "it opens no case" 1 "$(ctl list --json | jq length)"
check_eq "it is recorded without a case" 1 "$(sql "SELECT count(*) FROM messages WHERE case_id IS NULL AND from_email = '$OFFICER'")"
check_eq "the alerts address is told about it" 2 "$(inbox_of "$TEAM" 2)"

# --- a real officer, with each accepted proof, is relayed
i=0
for proof in "dmarc=pass header.from=council.example" "dkim=pass header.d=council.example" "auth=pass smtp.auth=olivia"; do
	i=$((i + 1))
	msg "$dir/real$i.eml" "Olivia Officer <$OFFICER>" "Re: [$ref] Missed bin collections on Orchard Close" \
		"$MX; $proof" <<EOF
Dear Jane, reply $i: the crew will collect your bin tomorrow.
EOF
	deliver "$dir/real$i.eml"
	check "run: officer mail with $proof" it_once
	check_eq "relayed to Jane ($proof)" $((1 + i)) "$(inbox_of "$JANE" $((1 + i)))"
	check "it carries the officer's words" grep -q "reply $i: the crew" "$(mailstack_messages "$JANE" INBOX | tail -1)"
done
check_eq "recorded as the stage 1 response" responded "$(field "$ref" .status)"

# --- 50 complaints forged in one victim's name
files=()
for k in $(seq 50); do
	msg "$dir/v$k.eml" "Victim <$VICTIM>" "Complaint number $k about potholes" <<'EOF'
I want to complain about the potholes on my road; nobody has repaired them.
EOF
	files+=("$dir/v$k.eml")
done
deliver "${files[@]}"
check "run: 50 forged complaints" it_once
check_eq "50 cases opened" 50 "$(ctl list --json | jq '[.[] | select(.complainant.email == "'$VICTIM'")] | length')"
check_eq "the victim gets at most the limit (3)" 3 "$(inbox_of "$VICTIM" 3)"
sleep 1
check_eq "and no more" 3 "$(inbox_of "$VICTIM" 0)"
check_eq "the other 47 are held, not lost" 47 "$(ctl outbox --state held --json | jq '[.[] | select(.rcpt == "'$VICTIM'")] | length')"
held=$(ctl outbox --state held --json | jq -r '[.[] | select(.rcpt == "'$VICTIM'")][0].id')
hcase=$(sql "SELECT c.ref FROM outbox o JOIN cases c ON c.id = o.case_id WHERE o.id = $held")
check "complaintsctl outbox lists them as held" grep -q "^ *$held  held " <(ctl outbox)
check "complaintsctl show says it was held back and how to release it" \
	grep -q "held back.*complaintsctl outbox release $held" <(ctl show "$hcase")
check_eq "a held acknowledgement does not acknowledge the case" null "$(field "$hcase" .acknowledged_at)"
check_eq "nor set a response date" null "$(field "$hcase" .response_due)"
check "the journal warns" grep -q "reply_held\|held back: 3 automatic mails" "$dir/daemon.log"
check "an officer releases one" ctl outbox release "$held"
check_eq "releasing it acknowledges the case" true "$(field "$hcase" '.acknowledged_at != null and .response_due != null')"
check "run: the released mail goes" it_once
check_eq "the victim got the released mail" 4 "$(inbox_of "$VICTIM" 4)"
rc=0
ctl outbox release "$held" 2>/dev/null || rc=$?
check_eq "a mail is released once" 1 "$rc"

# --- an authenticated resident: five complaints in a day, five acknowledgements
ANNAUTH="$MX; spf=pass smtp.mailfrom=$ANN; dkim=pass header.d=example.net; dmarc=pass header.from=example.net"
files=()
for k in 1 2 3 4 5; do
	msg "$dir/a$k.eml" "Ann Tenant <$ANN>" "Complaint $k: the library opening hours" "$ANNAUTH" <<EOF
I want to complain, separately from my other complaints (number $k), about
how the council has handled this matter.
EOF
	files+=("$dir/a$k.eml")
done
deliver "${files[@]}"
check "run: five authenticated complaints" it_once
check_eq "Ann gets five acknowledgements" 5 "$(inbox_of "$ANN" 5)"
check_eq "all five cases are acknowledged" 5 \
	"$(ctl list --json | jq '[.[] | select(.complainant.email == "'$ANN'" and .acknowledged_at != null)] | length')"
aref=($(ctl list --json | jq -r '.[] | select(.complainant.email == "'$ANN'") | .ref' | sort))
check_eq "her authentication is on each case" 1 "$(events "${aref[0]}" sender_authenticated)"

check "an extension on her first case" ctl extend "${aref[0]}" 5 waiting for the contractor
msg "$dir/excl.eml" "Olivia Officer <$OFFICER>" "Re: [${aref[1]}] Complaint 2" "$VOUCHED" <<'EOF'
#exclude legal proceedings have started on this matter
EOF
deliver "$dir/excl.eml"
check "run: extension and exclusion" it_once
check_eq "Ann gets the extension notice and the exclusion (7 mails today)" 7 "$(inbox_of "$ANN" 7)"
check_eq "nothing to her was held" 0 "$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$ANN' AND state IN ('held', 'suppressed')")"

# --- an authenticated MP: five enquiries, five replies
files=()
for k in 1 2 3 4 5; do
	msg "$dir/mp$k.eml" "Jane MP <$MP>" "Enquiry $k from a constituent" "$MX; dmarc=pass header.from=parliament.uk" <<EOF
My constituent (enquiry $k) asks when the library on the High Street will
reopen after the works. Could you let me know?
EOF
	files+=("$dir/mp$k.eml")
done
deliver "${files[@]}"
check "run: five enquiries from an MP" it_once
check_eq "five cases for the MP" 5 "$(ctl list --json | jq '[.[] | select(.representative.email == "'$MP'")] | length')"
check_eq "the MP gets five replies" 5 "$(inbox_of "$MP" 5)"

# --- lists, digests, newsletters and no-reply senders: recorded, never answered
msg "$dir/digest.eml" "forum-request@lists.example.org" "Forum Digest, Vol 12, Issue 3" \
	"List-Id: Residents forum <forum.lists.example.org>" "Precedence: list" \
	"List-Unsubscribe: <mailto:forum-request@lists.example.org?subject=unsubscribe>" <<'EOF'
Today's Topics: 1. I want to complain about the council's bin service
EOF
msg "$dir/news.eml" "News <news@example.org>" "Our spring newsletter" \
	"List-Unsubscribe: <https://example.org/unsubscribe>" <<'EOF'
I want to complain that nobody reads our newsletter.
EOF
msg "$dir/noreply.eml" "Parking portal <noreply@example.net>" "Complaint submitted" <<'EOF'
I want to complain: the parking warden was rude to me.
EOF
# the robot word after another (SpamAssassin's test mail), asking for a service
msg "$dir/sa.eml" "newsalerts-noreply@dnsbltest.spamassassin.org" "Test alert" <<'EOF'
Please can you check the listing for this address and remove it.
EOF
deliver "$dir/digest.eml" "$dir/news.eml" "$dir/noreply.eml" "$dir/sa.eml"
check "run: a digest, a newsletter and two no-reply senders" it_once
sleep 1
check_eq "the digest's list got nothing" 0 "$(inbox_of forum-request@lists.example.org 0)"
check_eq "the newsletter got nothing" 0 "$(inbox_of news@example.org 0)"
check_eq "noreply@ got nothing" 0 "$(inbox_of noreply@example.net 0)"
check_eq "newsalerts-noreply@ got nothing" 0 "$(inbox_of newsalerts-noreply@dnsbltest.spamassassin.org 0)"
check_eq "no mail to them is queued or sent" 0 \
	"$(sql "SELECT count(*) FROM outbox WHERE rcpt IN ('forum-request@lists.example.org', 'news@example.org', 'noreply@example.net', 'newsalerts-noreply@dnsbltest.spamassassin.org') AND state NOT IN ('suppressed')")"
check "the reply to newsalerts-noreply@ is recorded as never answered" \
	test "$(sql "SELECT count(*) FROM outbox WHERE rcpt = 'newsalerts-noreply@dnsbltest.spamassassin.org' AND state = 'suppressed'")" -ge 1
check_eq "all four are recorded" 4 \
	"$(sql "SELECT count(*) FROM messages WHERE from_email IN ('forum-request@lists.example.org', 'news@example.org', 'noreply@example.net', 'newsalerts-noreply@dnsbltest.spamassassin.org')")"
nref=$(ctl list --json | jq -r '.[] | select(.complainant.email == "noreply@example.net") | .ref')
check "the no-reply complaint is a case for an officer, its acknowledgement recorded as not sent" \
	grep -q 'never answered' <(ctl show "$nref")

# --- the deadlines pass: every required notice for Ann, every alert for officers
late=40
check "run under faketime +${late}d" faketime -f "+${late}d" "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once
missed=$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$ANN' AND purpose = 'deadline-missed'")
check_eq "Ann's four open complaints each get the deadline-missed notice" 4 "$missed"
check_eq "none of them held" 0 "$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$ANN' AND state IN ('held', 'suppressed')")"
breaches=$(sql "SELECT count(*) FROM events WHERE type = 'deadline_breached'")
check "many deadlines breached" test "$breaches" -gt 40
check_eq "every breach alert goes to the officers" "$breaches" \
	"$(sql "SELECT count(*) FROM outbox WHERE purpose = 'officer-breach' AND state NOT IN ('held', 'suppressed')")"
check_eq "the victim gets at most the limit in this day too" 3 \
	"$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$VICTIM' AND purpose = 'deadline-missed' AND state != 'held'")"

# --- officer authentication off: possible, never silent
sed -i 's/^trusted_authserv_id = .*/officer_auth_required = no/' "$dir/complaintsd.conf"
check "check-config with authentication off passes" ctl check-config
check "but warns" grep -q 'warning: people.officer_auth_required = no' <(ctl check-config)
check "the daemon warns at start" sh -c "'$COMPLAINTSD' -c '$dir/complaintsd.conf' --once 2>&1 | grep -q 'officer_auth_required = no'"
sed -i 's/^officer_auth_required = no$/officer_auth_required = yes/' "$dir/complaintsd.conf"
rc=0
ctl check-config >/dev/null 2>"$dir/cc.err" || rc=$?
check_eq "required without a trusted host is a configuration error" 2 "$rc"
check "it explains both ways out" grep -q 'set trusted_authserv_id.*or set officer_auth_required = no' "$dir/cc.err"
it_finish
