#!/usr/bin/env bash
# Backup and recovery (SPEC section 8) on the real stack.  Monday: three
# complaints processed, `complaintsctl backup` that night.  Tuesday: three
# more, one of them quarantined-worthy, an escalation to stage 2 of a
# Monday case, an officer's relayed response, a reply held by the daily
# limit.  Then the server is lost and Monday's backup restored: the next
# start takes Tuesday back from the mailbox (the processed and quarantine
# folders and the daemon's own mail in Sent): the same references, the same
# dates, nobody acknowledged twice, the relayed response and the stage 2
# acknowledgement recorded as sent and not sent again, the held reply held
# again.  `recover --dry-run` says what it would do and changes nothing; the
# copies in Sent are what was sent, byte for byte, and read by Python's
# email package as a mail client reads them.
. "$(dirname "$0")/lib.sh"
it_setup recover

OFFICER=olivia.officer@council.example
not() { ! "$@"; }
sentcopies() {
	MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE \
		python3 "$top_srcdir/tests/integration/sentcopies.py" "$COMPLAINTS" Sent "$dir/complaints.db"
}
complain() { # N FROM SUBJECT: complaint N delivered
	it_mail "$dir/c$1.eml" "$2" "$COMPLAINTS" "$3" <<'EOF'
I want to make a complaint. My bin has been missed three weeks running and
nobody has called me back. This is not good enough.
EOF
	it_deliver "$dir/c$1.eml" >/dev/null
}
ref_of() { ctl list --json | jq -r --arg s "$1" '.[] | select(.subject == $s) | .ref'; }
mails_to() { mailstack_count "$1" INBOX; }
snapshot() { # what a restore must bring back, one line per case
	sql "SELECT ref || ' ' || kind || ' ' || stage || ' ' || status || ' ' || received_at || ' ' ||
		received_date || ' ' || ack_due || ' ' || response_due || ' ' || complainant_email || ' ' ||
		outcome FROM cases ORDER BY ref"
}
db_digest() { sqlite3 "$dir/complaints.db" .dump | sha256sum | cut -d' ' -f1; }

# --- Monday
complain 1 "Ann Able <ann@example.net>" "Bins missed on Elm Road"
complain 2 "Ben Baker <ben@example.net>" "Bins missed on Oak Road"
complain 3 "Cat Cole <cat@example.net>" "Bins missed on Ash Road"
check "Monday's run" it_once
ann=$(ref_of "Bins missed on Elm Road")
ben=$(ref_of "Bins missed on Oak Road")
# Ann's stage 1 response, through the daemon, on Monday
it_mail "$dir/annresp.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Re: [$ann] Bins missed on Elm Road" "$VOUCHED" <<'EOF'
Dear Ann,

The crew missed your road because of road works; that has been put right.

#outcome not-upheld

Olivia Officer
EOF
it_deliver "$dir/annresp.eml" >/dev/null
check "Monday's second run" it_once
check_eq "Ann's case responded on Monday" responded "$(it_field "$ann" .status)"
check_eq "three cases on Monday" 3 "$(sql "SELECT count(*) FROM cases")"
it_inbox_of ann@example.net 1 >/dev/null
copies=$(sentcopies)
check "every mail sent has its copy in Sent" \
	test "$(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")" = \
	"$(echo "$copies" | tail -1 | cut -d' ' -f2)"
check "the copies are what was sent, byte for byte" \
	grep -Eq '^copies ([0-9]+) same \1 differs 0 unknown 0 defects 0$' <<<"$(echo "$copies" | tail -1)"
check "the copies are marked read" test -z "$(echo "$copies" | head -n -1 | awk -F'\t' '$4 !~ /Seen/')"
check_eq "no copy waits" 0 "$(sql "SELECT count(*) FROM sent_copy")"

# the backup, as the nightly timer takes it
check "backup" ctl backup "$dir/monday.db"
check_eq "the backup is readable by its owner only" 600 "$(stat -c %a "$dir/monday.db")"
check_eq "the backup holds Monday" 3 "$(sqlite3 "$dir/monday.db" "SELECT count(*) FROM cases")"
monday_messages=$(sqlite3 "$dir/monday.db" "SELECT count(*) FROM messages")
check "an existing backup is not overwritten" not ctl backup "$dir/monday.db"
check "nor the database itself, even with --force" not ctl backup --force "$dir/complaints.db"
check_eq "the database is untouched" 3 "$(sql "SELECT count(*) FROM cases")"

# --- Tuesday
complain 4 "Dan Dale <dan@example.net>" "Bins missed on Elm Road again"
complain 5 "Eve Earl <eve@example.net>" "Bins missed on Yew Road"
# a message that cannot be parsed safely: quarantined
{
	printf 'From: Bomb <bomb@example.org>\nTo: %s\nSubject: nested\nMessage-ID: <bomb-1@example.org>\nMIME-Version: 1.0\n' "$COMPLAINTS"
	for i in $(seq 1 100); do printf 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' "$i" "$i"; done
	printf 'Content-Type: text/plain\n\nboom\n'
} >"$dir/bomb.eml"
it_deliver "$dir/bomb.eml" >/dev/null
# Ann escalates her Monday case to stage 2
it_mail "$dir/esc.eml" "Ann Able <ann@example.net>" "$COMPLAINTS" "Re: [$ann] Bins missed on Elm Road" <<'EOF'
I am not satisfied with your response and want my complaint escalated to
stage 2, please.
EOF
it_deliver "$dir/esc.eml" >/dev/null
check "Tuesday's first run" it_once
dan=$(ref_of "Bins missed on Elm Road again")
eve=$(ref_of "Bins missed on Yew Road")
check_eq "Ann at stage 2" 2 "$(it_field "$ann" .stage)"
# an officer answers Ben through the daemon (relayed), and Ben writes often
it_mail "$dir/resp.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Re: [$ben] Bins missed on Oak Road" "$VOUCHED" <<'EOF'
Dear Ben,

We have spoken to the crew; your bins will be collected on Thursday.

Olivia Officer
EOF
it_deliver "$dir/resp.eml" >/dev/null
check "Tuesday's second run" it_once
bens_relay() { sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$ben' AND o.purpose = 'relay' AND o.state = 'sent'"; }
check_eq "Ben's response relayed" 1 "$(bens_relay)"
# the daily limit holds automatic mail to an unauthenticated address
for i in 1 2 3 4; do
	it_mail "$dir/eve$i.eml" "Eve Earl <eve@example.net>" "$COMPLAINTS" "Another complaint number $i about Yew Road" <<'EOF'
I want to make a complaint about the state of the pavement outside my house.
EOF
	it_deliver "$dir/eve$i.eml" >/dev/null
done
check "Tuesday's third run" it_once
# the last complaint before the loss: processed, its replies not yet sent (SMTP down)
complain 6 "Fay Ford <fay@example.net>" "Bins missed on Fir Road"
mailstack_stop_smtp
check "Tuesday's last run, SMTP down" it_once
mailstack_start_smtp
fay=$(ref_of "Bins missed on Fir Road")
unsent=$(sql "SELECT count(*) FROM outbox WHERE state = 'queued'")
check "Fay's replies wait in the outbox" test "$unsent" -ge 2
held_before=$(sql "SELECT count(*) FROM outbox WHERE state = 'held'")
check "a reply is held on Tuesday" test "$held_before" -ge 1
check_eq "one message quarantined" 1 "$(sql "SELECT count(*) FROM messages WHERE state = 'quarantined'")"
tuesday=$(snapshot)
tuesday_events=$(sql "SELECT count(*) FROM events")
sent_tuesday=$(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")
sleep 1
for a in ann ben cat dan eve; do eval "mails_$a=$(it_inbox_of $a@example.net 1)"; done
copies=$(sentcopies)
check "Tuesday's copies are in Sent, byte for byte" \
	grep -Eq "^copies $sent_tuesday same $sent_tuesday differs 0 unknown 0 defects 0\$" <<<"$(echo "$copies" | tail -1)"

# --- the server is lost; Monday night's backup is restored
cp "$dir/complaints.db" "$dir/tuesday.db"
cp "$dir/monday.db" "$dir/complaints.db"
rm -f "$dir/complaints.db-wal" "$dir/complaints.db-shm"
check_eq "the restored store has Monday only" 3 "$(sql "SELECT count(*) FROM cases")"

before=$(db_digest)
check "recover --dry-run" sh -c "'$COMPLAINTSCTL' -c '$dir/complaintsd.conf' recover --dry-run >'$dir/dry.out' 2>'$dir/dry.err'"
check_eq "the dry run changes nothing" "$before" "$(db_digest)"
check "the dry run says it would take up Dan's case" grep -q "^would: $dan: message" "$dir/dry.out"
check "the dry run says it would record Dan's acknowledgement as sent" \
	grep -q "^would: $dan: mail <.*> to dan@example.net found in the Sent folder" "$dir/dry.out"
taken=$(($(sqlite3 "$dir/tuesday.db" "SELECT count(*) FROM messages") - monday_messages))
# Fay's case has no mail in Sent to name its reference: it gets the next one,
# which is hers again as she was the last
reopened=$(($(sqlite3 "$dir/tuesday.db" "SELECT count(*) FROM cases") - 3 - 1))
check "the dry run sums it up" grep -q "^Dry run, nothing changed: .* $taken message(s) taken up again (1 quarantined), $reopened case(s) opened again" "$dir/dry.out"

check "the first start after the restore" it_once
check_eq "Tuesday is back: the same cases, references, kinds, stages, dates and outcomes" "$tuesday" "$(snapshot)"
check "each recovered step is an event" test "$(sql "SELECT count(*) FROM events WHERE type = 'recovered'")" -ge "$((taken - 1))"
check "and a journal line" grep -q "Recovery: $dan: message" "$dir/daemon.log"
check_eq "the quarantined message is quarantined again" 1 \
	"$(sql "SELECT count(*) FROM messages WHERE state = 'quarantined' AND message_id = ''")"
check_eq "no reply was sent twice, the unsent ones were sent" $((sent_tuesday + unsent)) \
	"$(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")"
check "the replies not found were logged as sent now" grep -q "Recovery: $fay: ack-stage1 to fay@example.net <.*> is not in the Sent folder; it is sent now" "$dir/daemon.log"
check_eq "Fay got her acknowledgement once" 1 "$(it_inbox_of fay@example.net 1)"
check_eq "the held reply is held again" "$held_before" "$(sql "SELECT count(*) FROM outbox WHERE state = 'held'")"
check_eq "Ben's relayed response recorded as sent" 1 "$(bens_relay)"
check_eq "Ann's stage 2 acknowledgement recorded as sent" 1 \
	"$(sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$ann' AND o.purpose = 'ack-stage2' AND o.state = 'sent'")"
sleep 2
for a in ann ben cat dan eve; do
	eval "want=\$mails_$a"
	check_eq "$a got no mail twice" "$want" "$(mails_to $a@example.net)"
done
check_eq "the officers got no notification twice" 0 \
	"$(sql "SELECT count(*) FROM outbox WHERE state = 'queued'")"
copies=$(sentcopies)
n=$((sent_tuesday + unsent))
check "and the Sent folder has no copy twice" \
	grep -Eq "^copies $n same $n differs 0 unknown 0 defects 0\$" <<<"$(echo "$copies" | tail -1)"

# a second start: nothing to do, and only STATUS asked
check "a second start" it_once
check_eq "nothing changes on a second start" "$tuesday" "$(snapshot)"
check "recover finds nothing more" sh -c "'$COMPLAINTSCTL' -c '$dir/complaintsd.conf' recover >'$dir/again.out' 2>&1"
check "it reads no folder" grep -q ' 0 read, 0 message(s) compared; 0 message(s) taken up' "$dir/again.out"

# Dan writes again on Wednesday: his mail goes to the case he knows
it_mail "$dir/dan2.eml" "Dan Dale <dan@example.net>" "$COMPLAINTS" "Re: [$dan] Bins missed on Elm Road again" <<'EOF'
Any news about my bins?
EOF
it_deliver "$dir/dan2.eml" >/dev/null
check "Wednesday's run" it_once
check_eq "Dan's new mail is on his case" 2 "$(ctl show "$dan" --json | jq '[.messages[] | select(.direction == "in")] | length')"
check_eq "no new case for it" "$(echo "$tuesday" | wc -l)" "$(sql "SELECT count(*) FROM cases")"

# --- a copy that cannot be appended waits, and never holds up sending
sentdir=$(mailstack_maildir "$COMPLAINTS" Sent)
chmod -R a-w "$sentdir"
complain 7 "Gus Gray <gus@example.net>" "Bins missed on Elm Lane"
check "a run while Sent refuses copies" it_once
check_eq "Gus was acknowledged all the same" 1 "$(it_inbox_of gus@example.net 1)"
check "his copies wait in the store, with the reason" \
	test "$(sql "SELECT count(*) FROM sent_copy WHERE attempts = 1 AND last_error != ''")" -ge 1
check "the failure is logged, saying the mail itself was sent" \
	grep -q 'could not be appended to Sent: .*(the mail itself was sent)' "$dir/daemon.log"
chmod -R u+w "$sentdir"
faketime_clean
check "a run after their backoff" sh -c "faketime -f +5m '$COMPLAINTSD' -c '$dir/complaintsd.conf' --once >>'$dir/daemon.log' 2>&1"
check_eq "the copies are appended" 0 "$(sql "SELECT count(*) FROM sent_copy")"
n=$(sql "SELECT count(*) FROM outbox WHERE state = 'sent'")
check "every sent mail has one copy in Sent, byte for byte" \
	grep -Eq "^copies $n same $n differs 0 unknown 0 defects 0\$" <<<"$(sentcopies | tail -1)"

# --- the Sent folder watched as well: the watcher knows our copies as our own
printf 'sent_folder = Sent\n' >"$dir/sent.ini"
sed -i "/^\[imap\]/r $dir/sent.ini" "$dir/complaintsd.conf"
check "a run watching Sent" it_once
complain 8 "Hal Hunt <hal@example.net>" "Bins missed on Elm Close"
check "a run with Hal's complaint" it_once
check "a run that reads Hal's copies in Sent" it_once
check_eq "our copies are not recorded as received or sent messages" 0 \
	"$(sql "SELECT count(*) FROM messages WHERE message_id IN (SELECT message_id FROM outbox)")"
check "the watcher knew them as our own" grep -q 'is our own mail; already recorded' "$dir/daemon.log"
check_eq "Hal was acknowledged once" 1 "$(it_inbox_of hal@example.net 1)"
it_finish
