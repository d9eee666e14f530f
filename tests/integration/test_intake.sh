#!/usr/bin/env bash
# Intake end to end: mail sent through OpenSMTPD to the complaints mailbox on
# Dovecot, then `complaintsd --once`: cases in SQLite, threading of replies,
# quarantine of over-limit mail, every message moved out of INBOX, and a
# second run that changes nothing.
. "$(dirname "$0")/lib.sh"
it_setup

for f in "$MAILDIR_SRC"/0*.eml; do
	mailstack_send jane.resident@example.net "$COMPLAINTS" "$f"
done
# A MIME bomb: 200 nested multiparts (the limit is 32).
{
	printf 'From: Bomb <bomb@example.com>\nTo: %s\nSubject: nested\nMessage-ID: <bomb-1@example.com>\nMIME-Version: 1.0\n' "$COMPLAINTS"
	for i in $(seq 1 200); do
		printf 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' "$i" "$i"
	done
	printf 'Content-Type: text/plain\n\nboom\n'
} >"$dir/bomb.eml"
mailstack_send bomb@example.com "$COMPLAINTS" "$dir/bomb.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 8 20

check "first run exits 0" it_once
check_eq "INBOX is empty" 0 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"
check_eq "seven messages in Processed" 7 "$(mailstack_imap_count "$COMPLAINTS" Processed)"
check_eq "the bomb is in Quarantine" 1 "$(mailstack_imap_count "$COMPLAINTS" Quarantine)"
check_eq "quarantine reason recorded" "too_deep" \
	"$(sql "SELECT substr(reason, 1, 8) FROM messages WHERE state = 'quarantined'")"
check_eq "every message recorded with its raw source" 8 \
	"$(sql "SELECT count(*) FROM messages WHERE length(raw) > 0")"
check_eq "the out-of-office reply opened no case" "out_of_office" \
	"$(sql "SELECT automatic FROM messages WHERE message_id = 'ooo-20261116-120001@example.org' AND case_id IS NULL")"
check_eq "six cases opened" 6 "$(ctl list --json | jq length)"
check "a problem dated March 2024 is flagged late" grep -qw late <<<"$(ctl list --json | jq -r '.[] | select(.complainant.email == "tom.baker@example.com") | .flags[]')"
check_eq "Jane's recent problem is not late; she asked for large print" adjustments \
	"$(ctl list --json | jq -r '.[] | select(.complainant.email == "jane.resident@example.net") | .flags | join(" ")')"

jane_ref=$(ctl list --json | jq -r '.[] | select(.complainant.email == "jane.resident@example.net") | .ref')
check "Jane's case has a reference" test -n "$jane_ref"
check_eq "Jane's complaint is a complaint" complaint "$(ctl show "$jane_ref" --json | jq -r .kind)"
check_eq "received date from the server's clock" "2026" "$(ctl show "$jane_ref" --json | jq -r '.received_date[0:4]')"
check "acknowledgement due date set" test "$(ctl show "$jane_ref" --json | jq -r .ack_due)" != null
cllr=$(ctl list --json | jq -r '.[] | select(.representative != null) | "\(.complainant.email) \(.representative.email) \(.representative.role) \(.representative.consent)"')
check_eq "councillor's forward: constituent is the complainant" \
	"sam.taylor@example.com cllr.m.lowe@council.example councillor unknown" "$cllr"

# Threading: a reply by subject tag (Outlook style, no References), a reply
# by In-Reply-To only, and someone else quoting Jane's reference.
cat >"$dir/reply-tag.eml" <<MAIL
From: Jane Resident <jane.resident@example.net>
To: complaints@council.example
Subject: RE : AW: [${jane_ref}] Bins not collected for three weeks
Message-ID: <jane-reply-tag@mail.example.net>
Content-Type: text/plain; charset=UTF-8

Photos of the bins attached tomorrow.
MAIL
cat >"$dir/reply-irt.eml" <<MAIL
From: Jane Resident <jane.resident@example.net>
To: complaints@council.example
Subject: something else entirely
Message-ID: <jane-reply-irt@mail.example.net>
In-Reply-To: <CAF1jane0001@mail.example.net>
Content-Type: text/plain; charset=UTF-8

One more thing: the recycling box was not emptied either.
MAIL
cat >"$dir/other-quotes-ref.eml" <<MAIL
From: Bob Neighbour <bob@example.org>
To: complaints@council.example
Subject: Re: [${jane_ref}] Bins not collected for three weeks
Message-ID: <bob-1@example.org>
Content-Type: text/plain; charset=UTF-8

My neighbour showed me your email. Our bins were missed too and I am fed up.
MAIL
ack_id=$(sql "SELECT message_id FROM outbox WHERE rcpt = 'jane.resident@example.net' AND purpose = 'ack-stage1'")
cat >"$dir/reply-refs.eml" <<MAIL
From: Jane Resident <jane.resident@example.net>
To: complaints@council.example
Subject: new photos
Message-ID: <jane-reply-refs@mail.example.net>
References: <unrelated-1@mail.example.net> <${ack_id}>
Content-Type: text/plain; charset=UTF-8

Here are the photos you asked for.
MAIL
for f in reply-tag reply-irt reply-refs other-quotes-ref; do
	mailstack_send x@example.net "$COMPLAINTS" "$dir/$f.eml"
done
# and the very same first message delivered a second time
mailstack_send jane.resident@example.net "$COMPLAINTS" "$MAILDIR_SRC/01-resident-complaint.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 5 20

check "second run exits 0" it_once
check_eq "INBOX is empty again" 0 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"
check_eq "replies by tag, In-Reply-To and References joined Jane's case" 4 \
	"$(ctl show "$jane_ref" --json | jq '[.messages[] | select(.direction == "in")] | length')"
check_eq "the duplicate copy was not processed twice" 1 \
	"$(sql "SELECT count(*) FROM messages WHERE message_id = 'CAF1jane0001@mail.example.net'")"
bob_ref=$(ctl list --json | jq -r '.[] | select(.complainant.email == "bob@example.org") | .ref')
check "a non-party quoting the reference gets a new case" test -n "$bob_ref" -a "$bob_ref" != "$jane_ref"
check_eq "the new case is linked to the quoted one" "linked" \
	"$(ctl show "$bob_ref" --json | jq -r '[.events[] | select(.type == "linked")][0].type')"
check_eq "the quoted case records the link too" 1 \
	"$(ctl show "$jane_ref" --json | jq '[.events[] | select(.type == "linked")] | length')"

# A third run with nothing new changes nothing.
snapshot() { sql "SELECT count(*) FROM cases; SELECT count(*) FROM messages; SELECT count(*) FROM events; SELECT group_concat(ref) FROM cases;"; }
before=$(snapshot)
check "third run exits 0" it_once
check_eq "nothing changes on a run with no new mail" "$before" "$(snapshot)"

check "list prints a table" grep -q "^$jane_ref " <(ctl list)
check "show prints the timeline" grep -q "^Events:" <(ctl show "$jane_ref")
rc=0
out=$(ctl show CMP-2026-999999 2>&1) || rc=$?
check_eq "show of an unknown case fails with exit 1" 1 "$rc"
check_eq "and says so" "complaintsctl show: no case CMP-2026-999999" "$out"
it_finish
