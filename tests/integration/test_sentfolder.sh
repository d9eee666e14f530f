#!/usr/bin/env bash
# Responses sent outside the daemon, on the real stack: a final response an
# officer sends from the shared mailbox (appended to its "Sent Items" folder over
# IMAP, as Outlook does) and one sent to complaints@ with the resident in
# Cc both stop the clock, apply their commands, and bring the resident the
# missing stage footer (the Ombudsman's details) as a follow-up; a response
# that has the footer gets none; the daemon's own mail in Sent is not
# recorded twice; a missing Sent folder is reported with the folders there.
. "$(dirname "$0")/lib.sh"
it_setup sentfolder
# As on Microsoft 365, where the server keeps the copy of what the daemon
# submits itself (save_sent = auto says no there): the test puts such copies
# in Sent Items by hand.
printf 'sent_folder = Sent Items\nsave_sent = no\n' >"$dir/sent.ini"
sed -i "/^\[imap\]/r $dir/sent.ini" "$dir/complaintsd.conf"

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net
BOB=bob.resident@example.org
CAROL=carol.resident@example.net

msg() { it_mail "$@"; } # file from to subject [headers...]; body on stdin
deliver() { it_deliver "$1"; }
append_sent() { MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE python3 "$top_srcdir/tests/integration/imap_append.py" "$COMPLAINTS" "Sent Items" "$@"; }
inbox_of() { it_inbox_of "$@"; }
last_mail() { ls -t $(mailstack_messages "$1" INBOX) | head -1; }
field() { it_field "$@"; }
unqp() { sed -e ':a' -e '/=$/{N;s/=\n//;ba}' "$1"; }
# open_case FILE FROM SUBJECT: a complaint delivered and processed; prints its reference
open_case() {
	msg "$1" "$2" "$COMPLAINTS" "$3" <<'EOF2'
I want to complain: my bin has been missed three weeks running and nobody
has called me back. This is not good enough.
EOF2
	deliver "$1" >&2
	it_once
	ctl list --json | jq -r --arg s "$3" '.[] | select(.subject == $s) | .ref'
}
# to_stage2 REF: an officer escalates the case (commands only, nothing relayed)
to_stage2() {
	msg "$dir/s2-$1.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Re: [$1] bins" "$VOUCHED" <<'EOF2'
#stage2
EOF2
	deliver "$dir/s2-$1.eml" >&2
	it_once
}

# --- 1. a Sent folder that does not exist is reported, with the folders there
check "run with no Sent folder" it_once
check "the missing folder is named" grep -q 'sent_folder "Sent Items" does not exist' "$dir/daemon.log"
check "the folders that exist are listed" grep -q 'folders there: .*"INBOX"' "$dir/daemon.log"
check "Sent created over IMAP" append_sent
check "run with the Sent folder" it_once
check "watching it from now on" grep -q 'Watching the Sent folder "Sent Items"' "$dir/daemon.log"

# --- 2. a final response sent from the shared mailbox, without the footer
ref=$(open_case "$dir/j1.eml" "Jane Resident <$JANE>" "Missed bins on Orchard Close")
check "Jane's case opened" test -n "$ref"
to_stage2 "$ref"
check_eq "Jane's case at stage 2" 2 "$(field "$ref" .stage)"
check_eq "Jane has two acknowledgements" 2 "$(inbox_of "$JANE" 2)"
msg "$dir/sent1.eml" "Example Borough Council <$COMPLAINTS>" "Jane Resident <$JANE>" \
	"RE: [$ref] Missed bins on Orchard Close" <<'EOF2'
Dear Jane,

Having reviewed your complaint, we find that the collections were missed
because of a vehicle breakdown, which has been repaired.

#outcome not-upheld

Olivia Officer
Waste Services
EOF2
sent1_id=$(sed -n 's/^Message-ID: <\(.*\)>/\1/p' "$dir/sent1.eml")
check "response appended to Sent" append_sent "$dir/sent1.eml"
sent_at=$(date +%s)
# the daemon reads it two hours later (it was stopped, say)
check "run two hours after the append" faketime -f '+2h' "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once
check_eq "case responded" responded "$(field "$ref" .status)"
check_eq "outcome from the sent mail applied" not-upheld "$(field "$ref" .outcome)"
got=$(date -d "$(field "$ref" .responded_at)" +%s)
check "responded when it was sent, not when it was read" test $((got - sent_at)) -le 60 -a $((sent_at - got)) -le 60
check_eq "recorded as a direct response" 1 \
	"$(ctl show "$ref" --json | jq '[.events[] | select(.type == "responded" and (.detail | test("directly")))] | length')"
check_eq "Jane received the footer follow-up" 3 "$(inbox_of "$JANE" 3)"
fu=$(last_mail "$JANE")
check "follow-up gives the Ombudsman's web site" grep -q 'www.lgo.org.uk' <(unqp "$fu")
check "follow-up gives the Ombudsman's phone" grep -q '0300 061 0614' <(unqp "$fu")
check "follow-up threads on the officer's mail" grep -q "^In-Reply-To: <$sent1_id>" "$fu"
check "follow-up carries the reference" grep -q "^Subject: .*\[$ref\]" "$fu"
check_eq "the officer's text is not sent again" 0 "$(grep -c 'vehicle breakdown' "$fu" || true)"
check_eq "the Sent copy is recorded as outgoing" out \
	"$(sql "SELECT direction FROM messages WHERE message_id = '$sent1_id'")"
check_eq "the Sent copy stays in Sent" 1 "$(mailstack_count "$COMPLAINTS" "Sent Items")"
check_eq "and stays unread (the folder is only examined)" 0 \
	"$(mailstack_messages "$COMPLAINTS" "Sent Items" | grep -c ':2,[A-Z]*S' || true)"

# --- 3. the same again (a rerun) and the daemon's own mail in Sent: nothing doubled
check "rerun" it_once
ack=$(ls -t $(mailstack_messages "$JANE" INBOX) | tail -1)
check "our own acknowledgement appended to Sent" append_sent "$ack"
check "run after our own mail appears" it_once
check_eq "one follow-up only" 1 "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'footer-followup'")"
check_eq "our own mail not recorded as a message" 0 \
	"$(sql "SELECT count(*) FROM messages WHERE message_id IN (SELECT message_id FROM outbox)")"
check_eq "one direct response event" 1 \
	"$(ctl show "$ref" --json | jq '[.events[] | select(.type == "responded")] | length')"
check "own mail noted in the log" grep -q 'is our own mail' "$dir/daemon.log"

# --- 4. an officer writes to complaints@ with the resident in Cc
bref=$(open_case "$dir/b1.eml" "Bob Resident <$BOB>" "Missed recycling collection")
to_stage2 "$bref"
msg "$dir/contractor.eml" "$COMPLAINTS" "Ace Waste <ops@example.org>" "FW: [$bref] Missed recycling collection" <<'EOF2'
Please collect from the address below and confirm.
EOF2
check "mail to a contractor appended to Sent" append_sent "$dir/contractor.eml"
check "run after it" it_once
check_eq "mail to someone else is no response" open "$(field "$bref" .status)"
check_eq "it is recorded on the case" 1 \
	"$(ctl show "$bref" --json | jq '[.events[] | select(.type == "sent_mail")] | length')"
msg "$dir/cc.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Re: [$bref] Missed recycling collection" \
	"Cc: Bob Resident <$BOB>" "$VOUCHED" <<'EOF2'
Dear Bob,

The waste was cleared on Tuesday and the land owner has been written to.

#outcome upheld
EOF2
mailstack_send "$OFFICER" "$COMPLAINTS" "$BOB" "$dir/cc.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 1 20
check_eq "Bob has the officer's mail and two acknowledgements" 3 "$(inbox_of "$BOB" 3)"
check "run after the copied-in response" it_once
check_eq "Bob's case responded" responded "$(field "$bref" .status)"
check_eq "Bob's outcome applied" upheld "$(field "$bref" .outcome)"
check_eq "Bob received the footer follow-up" 4 "$(inbox_of "$BOB" 4)"
check "Bob's follow-up gives the Ombudsman's details" grep -q 'www.lgo.org.uk' <(unqp "$(last_mail "$BOB")")
check_eq "nothing relayed to Bob" 0 "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'relay'")"

# --- 5. a stage 1 response from the shared mailbox that tells how to escalate: no follow-up
cref=$(open_case "$dir/c1.eml" "Carol Resident <$CAROL>" "Bin left in the road")
msg "$dir/sent2.eml" "$COMPLAINTS" "$CAROL" "Re: [$cref] Bin left in the road" <<'EOF2'
Dear Carol,

The graffiti was removed this morning. If you are not satisfied, reply and
ask for a stage 2 review.
EOF2
check "Carol's response appended to Sent" append_sent "$dir/sent2.eml"
check "run" it_once
check_eq "Carol's case responded" responded "$(field "$cref" .status)"
check_eq "no follow-up for Carol (the footer was there)" 1 "$(inbox_of "$CAROL" 1)"
check_eq "the footer was noticed" 1 \
	"$(ctl show "$cref" --json | jq '[.events[] | select(.type == "footer_present")] | length')"

# --- 6. "Send As" the complaints address with the mailbox copied in: the copy in INBOX
# and the one in Sent are the same response, recorded once; a stage 1 follow-up
DAN=dan.resident@example.org
EVE=eve.resident@example.net
dref=$(open_case "$dir/d1.eml" "Dan Resident <$DAN>" "Bin not returned to the kerb")
msg "$dir/sendas.eml" "Example Borough Council <$COMPLAINTS>" "Dan Resident <$DAN>" \
	"RE: [$dref] Bin not returned to the kerb" "Cc: $COMPLAINTS" "$VOUCHED" <<'EOF2'
Dear Dan,

The crew has been reminded to return bins to where they found them.

#outcome upheld
EOF2
mailstack_send "$COMPLAINTS" "$DAN" "$COMPLAINTS" "$dir/sendas.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 1 20
check "the Send As mail is in Sent too" append_sent "$dir/sendas.eml"
check "run with both copies" it_once
check_eq "Dan's case responded" responded "$(field "$dref" .status)"
check_eq "recorded once" 1 \
	"$(ctl show "$dref" --json | jq '[.events[] | select(.type == "responded")] | length')"
check_eq "Dan has the ack, the officer's mail and one follow-up" 3 "$(inbox_of "$DAN" 3)"
sleep 1
check "the stage 1 follow-up tells him how to ask for stage 2" \
	grep -qi 'stage 2' <(unqp "$(last_mail "$DAN")")
check_eq "the follow-up is the footer-followup" 1 \
	"$(sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$dref' AND o.purpose = 'footer-followup'")"

check_eq "the INBOX copy (vouched for) was taken as the response, not as our own mail" 0 \
	"$(ctl show "$dref" --json | jq '[.events[] | select(.type == "own_mail")] | length')"

# the other order: Sent read first, the INBOX copy (not vouched for) arrives later
eref=$(open_case "$dir/e1.eml" "Eve Resident <$EVE>" "Bin lid broken by the crew")
msg "$dir/sendas2.eml" "$COMPLAINTS" "$EVE" "RE: [$eref] Bin lid broken by the crew" \
	"Cc: $COMPLAINTS" <<'EOF2'
Dear Eve,

A new lid will be fitted this week. If you are unhappy with this answer you
can ask for a stage 2 review.
EOF2
check "Send As mail in Sent" append_sent "$dir/sendas2.eml"
check "run with the Sent copy" it_once
check_eq "Eve's case responded" responded "$(field "$eref" .status)"
mailstack_send "$COMPLAINTS" "$COMPLAINTS" "$dir/sendas2.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 1 20
check "run with the INBOX copy" it_once
check_eq "Eve's response recorded once" 1 \
	"$(ctl show "$eref" --json | jq '[.events[] | select(.type == "responded")] | length')"
check_eq "the INBOX copy is known as ours" 1 \
	"$(ctl show "$eref" --json | jq '[.events[] | select(.type == "own_mail")] | length')"

it_finish
