#!/usr/bin/env bash
# A complaint's life on the real stack, as a resident and an officer see it:
# acknowledgement, an officer's response relayed with the stage 1 footer and
# commands applied, a bad command answered, escalation by an ordinary reply,
# the stage 2 acknowledgement, a missed deadline (the daemon run under
# faketime) noticed once, a bounce, an SMTP outage, and a mail loop cut short.
. "$(dirname "$0")/lib.sh"
it_setup

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net

msg() { it_mail "$1" "$2" "$COMPLAINTS" "${@:3}"; } # file from subject [headers...]; body on stdin
deliver() { it_deliver "$1"; }
inbox_of() { it_inbox_of "$@"; }
last_mail() { ls -t $(mailstack_messages "$1" INBOX) | head -1; }
field() { it_field "$@"; }

# --- 1. a complaint is acknowledged
msg "$dir/c1.eml" "Jane Resident <$JANE>" "Missed bin collections on Orchard Close" <<'EOF2'
I want to complain: my bin has been missed three weeks running and nobody
has called me back. This is not good enough.
EOF2
deliver "$dir/c1.eml"
check "run 1" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check_eq "one ack in Jane's mailbox" 1 "$(inbox_of "$JANE" 1)"
ack=$(last_mail "$JANE")
check "ack subject carries the reference" grep -q "^Subject: .*\[$ref\]" "$ack"
check "ack is marked automatic" grep -q '^Auto-Submitted: auto-replied' "$ack"
check "ack threads to Jane's mail" grep -q '^In-Reply-To: <c1-' "$ack"
due=$(field "$ref" .response_due)
check "ack states the response date in British long form" \
	grep -q "$(date -d "$due" '+%A %-d %B %Y')" <(grep -v '^[A-Za-z-]*:' "$ack" | sed -e ':a' -e '/=$/{N;s/=\n//;ba}')
check_eq "acknowledged now, response due 10 working days on" \
	"$(ctl calendar received "$(field "$ref" .acknowledged_at)" | xargs -I{} "$COMPLAINTSCTL" -c "$dir/complaintsd.conf" calendar add {} 10)" "$due"

# --- 2. an officer's bad command is explained, nothing changes, nothing relayed
msg "$dir/o-bad.eml" "Olivia Officer <$OFFICER>" "Re: [$ref] Missed bin collections" "$VOUCHED" <<'EOF2'
#extnd 5 waiting for the crew's report
Jane, we are looking into it.
EOF2
deliver "$dir/o-bad.eml"
check "run 2" it_once
check_eq "officer got an explanation" 1 "$(inbox_of "$OFFICER" 1)"
check "it names the line and suggests the command" grep -q 'extend' "$(last_mail "$OFFICER")"
check_eq "nothing relayed to Jane" 1 "$(inbox_of "$JANE" 1)"
check_eq "case still open" open "$(field "$ref" .status)"

# --- 3. the officer's response, with commands, reaches Jane with the stage 1 footer
msg "$dir/o-resp.eml" "Olivia Officer <$OFFICER>" "Re: [$ref] Missed bin collections" "$VOUCHED" <<'EOF2'
Dear Jane,

I am sorry: your street was left off the new round. It is back on from Monday
and the crew will collect your bin tomorrow.

#outcome upheld
#improvement waste Rounds are now checked against the street list weekly.

Olivia Officer
EOF2
deliver "$dir/o-resp.eml"
check "run 3" it_once
check_eq "Jane got the response" 2 "$(inbox_of "$JANE" 2)"
resp=$(last_mail "$JANE")
check "response carries the officer's words" grep -q 'left off the new round' "$resp"
check "command lines are not relayed" sh -c "! grep -q '#outcome' '$resp'"
check "stage 1 footer tells her how to escalate" grep -qi 'stage 2' "$resp"
check "a relayed response is not marked automatic" sh -c "! grep -q '^Auto-Submitted' '$resp'"
check_eq "status responded" responded "$(field "$ref" .status)"
check_eq "outcome recorded" upheld "$(field "$ref" .outcome)"
check_eq "improvement recorded" 1 "$(ctl show "$ref" --json | jq '[.events[] | select(.type == "improvement")] | length')"

# --- 4. a thankful reply does not escalate; an ordinary unhappy one does
msg "$dir/j-thanks.eml" "Jane Resident <$JANE>" "Re: [$ref] Our response to your complaint" <<'EOF2'
Thank you, I am happy with that and I do not want to escalate.
EOF2
deliver "$dir/j-thanks.eml"
check "run 4" it_once
check_eq "still stage 1 after thanks" 1 "$(field "$ref" .stage)"
msg "$dir/j-esc.eml" "Jane Resident <$JANE>" "Re: [$ref] Our response to your complaint" <<'EOF2'
Sorry, the bin was missed again today. I'm still not happy and want someone
more senior to look at this.

On Mon, 23 Nov 2026, Example Borough Council wrote:
> If you are not satisfied, you can ask us to escalate your complaint to stage 2.
EOF2
deliver "$dir/j-esc.eml"
check "run 5" it_once
check_eq "escalated to stage 2" 2 "$(field "$ref" .stage)"
check_eq "open again at stage 2" open "$(field "$ref" .status)"
check_eq "stage 2 acknowledgement sent" 3 "$(inbox_of "$JANE" 3)"
check "it is the stage 2 acknowledgement" grep -qi 'stage 2' "$(last_mail "$JANE")"
s2due=$(field "$ref" .response_due)
# The stage 2 clock runs from the escalation's date received (after working
# hours it counts from the next working day), not from when the
# acknowledgement went out, which may be seconds later and past 17:00.
esc_at=$(ctl show "$ref" --json | jq -r '[.messages[] | select(.direction == "in")] | last | .date')
check_eq "stage 2 response due 20 working days after the escalation was received" \
	"$(ctl calendar add "$(ctl calendar received "$esc_at")" 20)" "$s2due"

# --- 5. the stage 2 deadline passes: one notice with the Ombudsman's details, not two
late=$(( ( $(date -d "$s2due" +%s) - $(date +%s) ) / 86400 + 3 ))
check "not overdue today" test -z "$(ctl list --overdue --json | jq -r ".[] | select(.ref == \"$ref\") | .ref")"
check_eq "overdue once the date has passed" "$ref" \
	"$(faketime -f "+${late}d" "$COMPLAINTSCTL" -c "$dir/complaintsd.conf" list --overdue --json | jq -r ".[] | select(.ref == \"$ref\") | .ref")"
check_eq "--overdue with --stage 1 leaves it out" "" \
	"$(faketime -f "+${late}d" "$COMPLAINTSCTL" -c "$dir/complaintsd.conf" list --overdue --stage 1 --json | jq -r ".[] | select(.ref == \"$ref\") | .ref")"
check "run under faketime +${late}d" faketime -f "+${late}d" "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once
check "second run under faketime" faketime -f "+${late}d" "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once
check_eq "one deadline-missed notice to Jane" 4 "$(inbox_of "$JANE" 4)"
check "it gives the Ombudsman's details" grep -q 'Local Government and Social Care Ombudsman' "$(last_mail "$JANE")"
breach_alerts() { grep -l '^Subject: Deadline missed' $(mailstack_messages waste-team@council.example INBOX) 2>/dev/null | wc -l; }
check "the waste team (the case's area) got a breach alert" it_wait_for 10 test "$(breach_alerts)" -ge 1
check_eq "only one" 1 "$(breach_alerts)"
check_eq "one breach event" 1 "$(ctl show "$ref" --json | jq '[.events[] | select(.type == "deadline_breached")] | length')"

# --- 6. a bounce of our mail is recorded on the case as a failed delivery
ackid=$(sql "SELECT message_id FROM outbox WHERE purpose = 'ack-stage2'")
cat >"$dir/dsn.eml" <<EOF2
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: $COMPLAINTS
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Your message could not be delivered.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; $JANE
Action: failed
Status: 5.1.1

--b
Content-Type: text/rfc822-headers

From: $COMPLAINTS
To: $JANE
Message-ID: <$ackid>
Subject: [$ref] acknowledgement

--b--
EOF2
deliver "$dir/dsn.eml"
check "run 6" it_once
check_eq "bounce recorded as a failed delivery" 1 "$(ctl show "$ref" --json | jq '[.events[] | select(.type == "delivery_failed")] | length')"
check_eq "the bounced mail shows as failed in the outbox" failed "$(sql "SELECT state FROM outbox WHERE message_id = '$ackid'")"
check "the bounce was not answered" test "$(sql "SELECT count(*) FROM outbox WHERE rcpt LIKE 'MAILER-DAEMON%'")" = 0

# --- 7. SMTP down: replies wait and go out once when it is back
mailstack_stop_smtp
msg "$dir/c2.eml" "Sam Two <sam.two@example.org>" "Pothole outside the school" <<'EOF2'
I am complaining about how long the council is taking to fix the pothole.
EOF2
cp "$dir/c2.eml" "$(mailstack_maildir "$COMPLAINTS" INBOX)/new/c2.eml" 2>/dev/null ||
	{ mkdir -p "$dir/mail/$COMPLAINTS/Maildir/new"; cp "$dir/c2.eml" "$dir/mail/$COMPLAINTS/Maildir/new/"; }
chown -R nobody "$dir/mail/$COMPLAINTS/Maildir/new" 2>/dev/null || true
check "run with SMTP down still exits 0" it_once
check_eq "the ack waits in the outbox" queued "$(sql "SELECT state FROM outbox WHERE rcpt = 'sam.two@example.org'")"
mailstack_start_smtp "$dir" >/dev/null
check "run after SMTP is back (clock +2 minutes)" faketime -f '+2m' "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once
mailstack_wait_count sam.two@example.org INBOX 1 10 || true
check_eq "delivered once after the outage" 1 "$(inbox_of sam.two@example.org 1)"
check_eq "recorded as sent" sent "$(sql "SELECT state FROM outbox WHERE rcpt = 'sam.two@example.org'")"

# --- 8. officers at the terminal: the same commands as complaintsctl verbs
ref2=$(ctl list --json | jq -r '.[] | select(.complainant.email == "sam.two@example.org") | .ref')
due2=$(field "$ref2" .response_due)
check "extend by 5 working days" ctl extend "$ref2" 5 waiting for the contractor survey
check_eq "response date moved 5 working days" "$(ctl calendar add "$due2" 5)" "$(field "$ref2" .response_due)"
check_eq "extension notice queued for Sam" 1 "$(sql "SELECT count(*) FROM outbox WHERE rcpt = 'sam.two@example.org' AND purpose = 'extension'")"
rc=0
out=$(ctl extend "$ref2" 6 more delays 2>&1) || rc=$?
check_eq "an extension past the stage limit is refused" 2 "$rc"
check "and says why" grep -q 'at most 10 working days' <<<"$out"
check "a note" ctl note "$ref2" phoned Sam to explain
check_eq "the note is an event by the user" 1 "$(ctl show "$ref2" --json | jq '[.events[] | select(.type == "note" and (.actor | startswith("complaintsctl:")))] | length')"
check "close" ctl close "$ref2"
check_eq "closed" closed "$(field "$ref2" .status)"

tomorrow=$(date -d tomorrow +%F)
check "purge without --apply only lists" grep -q "^$ref2 " <(ctl purge --before "$tomorrow")
check_eq "nothing removed by the dry run" sam.two@example.org "$(field "$ref2" .complainant.email)"
check "purge --apply" ctl purge --before "$tomorrow" --apply 2>"$dir/purge.err"
check_eq "no progress line when stderr is not a terminal" "" "$(cat "$dir/purge.err")"
check_eq "the complainant's address is gone" "" "$(field "$ref2" .complainant.email)"
check_eq "raw messages are gone" 0 "$(sql "SELECT sum(length(raw)) FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.ref = '$ref2'")"
check_eq "the facts stay for the annual report" "complaint closed" "$(field "$ref2" '"\(.kind) \(.status)"')"
check_eq "open cases are never purged" jane.resident@example.net "$(field "$ref" .complainant.email)"
sql "INSERT INTO cases (ref, kind, stage, status, subject, subject_key, complainant_name,
	complainant_email, received_at, received_date, created_at, updated_at) VALUES ('CMP-2019-000001',
	'complaint', 1, 'closed', 'Old', 'old', 'Old Resident', 'old@example.net', 0, '2019-01-07', 0, 0)"
check "on a terminal, purge shows its progress" grep -q 'anonymising: [0-9]* of [0-9]* cases (100%)' \
	<(script -q -e -c "'$COMPLAINTSCTL' -c '$dir/complaintsd.conf' purge --before '$tomorrow' --apply" /dev/null)

# --- 9. a loop: an auto-responder and a chatty bot get at most the daily limit
for i in 1 2 3 4 5; do
	msg "$dir/bot$i.eml" "Bot <bot@example.org>" "Ticket $i received" <<'EOF2'
We have received your message and will get back to you. I want to complain.
EOF2
	deliver "$dir/bot$i.eml"
done
msg "$dir/auto.eml" "Responder <auto@example.org>" "Re: [$ref] Out of office" "Auto-Submitted: auto-replied" <<'EOF2'
I am away.
EOF2
deliver "$dir/auto.eml"
check "run 8" it_once
check_eq "the bot got at most 3 automatic replies" 3 "$(inbox_of bot@example.org 3)"
check_eq "the rest are held back, not lost" 2 "$(sql "SELECT count(*) FROM outbox WHERE rcpt = 'bot@example.org' AND state = 'held'")"
check_eq "the auto-responder got nothing" 0 "$(inbox_of auto@example.org 0)"
it_finish
