#!/usr/bin/env bash
# Reading and exporting a case file on the real stack, as an officer would:
# show --text (own words and quoted part marked, attachments listed),
# show --json (to, text, attachments; our own mail with its real subject
# and recipient), message N and message N --raw (the stored source byte for
# byte), export (an mbox that Python's mailbox module and Dovecot's own mbox
# import read with every message, and FILE.json, the show --json record), mail
# without a case (unattached, file, open), and an officer's forward with #complaint.
. "$(dirname "$0")/lib.sh"
it_setup casefile

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net
SAM=sam.resident@example.org
TOM=tom.resident@example.net

msg() { it_mail "$@"; } # file from to subject [headers...]; body on stdin
deliver() { it_deliver "$1"; }
inbox_of() { it_inbox_of "$@"; }
field() { it_field "$@"; }
# dovecot_read MBOX USER: Dovecot imports MBOX (its own mbox reader, from a copy
# the mail user may read) into USER's INBOX, one message per mbox entry, in the
# file's order; doveadm_ids USER prints the Message-IDs it holds, by UID.
dovecot_read() {
	local imp=$dir/import-$2
	rm -rf "$imp"
	mkdir -p "$imp"
	cp "$1" "$imp/case.mbox"
	chown -R "$MAILSTACK_NOBODY:$MAILSTACK_NOGROUP" "$imp"
	timeout 60 doveadm -c "$dir/dovecot/dovecot.conf" import -u "$2" \
		"mbox:$imp:INBOX=$imp/case.mbox" "" all
}
doveadm_ids() {
	timeout 60 doveadm -c "$dir/dovecot/dovecot.conf" fetch -u "$1" hdr.message-id mailbox INBOX all |
		sed -n 's/^hdr\.message-id: <\(.*\)>.*$/\1/p'
}

# --- 1. a complaint with two photos; a "From " line in the text (mbox quoting)
head -c 3000 /dev/urandom >"$dir/photo1.jpg"
head -c 5000 /dev/urandom >"$dir/photo2.jpg"
python3 - "$dir" "$JANE" "$COMPLAINTS" <<'PY'
import sys
from email.message import EmailMessage
from email.utils import formatdate
d, jane, complaints = sys.argv[1:4]
m = EmailMessage()
m["From"] = "Jane Resident <%s>" % jane
m["To"] = complaints
m["Subject"] = "Fly-tipped mattress still not collected"
m["Message-ID"] = "<jane-photos@test.example>"
m["Date"] = formatdate(localtime=True)
m.set_content("I want to complain: the mattress is still on the verge.\n"
              "From the start of this month I have reported it three times.\n")
for name in ("photo1.jpg", "photo2.jpg"):
    with open("%s/%s" % (d, name), "rb") as f:
        m.add_attachment(f.read(), maintype="image", subtype="jpeg", filename=name)
with open("%s/jane.eml" % d, "wb") as f:
    f.write(bytes(m))
PY
deliver "$dir/jane.eml"
check "run 1" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check "Jane's case opened" test -n "$ref"
check_eq "acknowledged" 1 "$(inbox_of "$JANE" 1)"

# --- 2. the officer answers (relayed); Jane replies quoting it
msg "$dir/resp.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Re: [$ref] Fly-tipped mattress" "$VOUCHED" <<'EOF2'
Dear Jane,

The mattress was collected this morning and the verge cleared.

#outcome upheld

Olivia Officer
EOF2
deliver "$dir/resp.eml"
check "run 2" it_once
check_eq "Jane has the response" 2 "$(inbox_of "$JANE" 2)"
msg "$dir/reply.eml" "Jane Resident <$JANE>" "$COMPLAINTS" "Re: [$ref] Our response to your complaint" <<'EOF2'
Thank you, it has gone.

On Tue, 1 Dec 2026, Example Borough Council wrote:
> The mattress was collected this morning and the verge cleared.
EOF2
deliver "$dir/reply.eml"
check "run 3" it_once

# --- 3. show --text and show --json
ctl show "$ref" --text >"$dir/show.txt"
check "show --text lists the first photo with type and size" \
	grep -q 'Attachment: photo1.jpg (image/jpeg, 3000 bytes)' "$dir/show.txt"
check "and the second" grep -q 'Attachment: photo2.jpg (image/jpeg, 5000 bytes)' "$dir/show.txt"
check "the sender's own words are marked" grep -q '^    | Thank you, it has gone.' "$dir/show.txt"
check "the quoted part is marked apart" grep -q '^    > > The mattress was collected' "$dir/show.txt"
check "messages are numbered" grep -qE '^  1 .* in ' "$dir/show.txt"
ctl show "$ref" --json >"$dir/show.json"
n=$(jq '.messages | length' "$dir/show.json")
check_eq "three messages in, two out to Jane, two to the team: seven" 7 "$n"
check_eq "attachments in JSON" '[{"name":"photo1.jpg","type":"image/jpeg","size":3000},{"name":"photo2.jpg","type":"image/jpeg","size":5000}]' \
	"$(jq -c '.messages[0].attachments' "$dir/show.json")"
check_eq "first message's text" "I want to complain: the mattress is still on the verge." \
	"$(jq -r '.messages[0].text' "$dir/show.json" | head -1)"
check_eq "inbound to is the complaints address" "$COMPLAINTS" "$(jq -r '.messages[0].to' "$dir/show.json")"
ack=$(jq -c '[.messages[] | select(.purpose == "ack-stage1")][0]' "$dir/show.json")
check_eq "the acknowledgement went to Jane" "$JANE" "$(jq -r .to <<<"$ack")"
check_eq "from the complaints address" "$COMPLAINTS" "$(jq -r .from <<<"$ack")"
check "its subject is the one sent, not the template's name" \
	grep -q "^\[$ref\] Fly-tipped mattress" <(jq -r .subject <<<"$ack")
check "its text is what Jane read" grep -q "$ref" <(jq -r .text <<<"$ack")
check_eq "the relayed response is an outbound message with its text" 1 \
	"$(jq '[.messages[] | select(.purpose == "relay" and (.text | test("collected this morning")))] | length' "$dir/show.json")"

# --- 4. message N and message N --raw
check "message 1 prints the text" grep -q 'three times' <(ctl message "$ref" 1)
check "message 1 names its attachments" grep -q 'photo2.jpg' <(ctl message "$ref" 1)
ctl message "$ref" 1 --raw >"$dir/raw1"
sql "SELECT writefile('$dir/stored1', raw) FROM messages WHERE message_id = 'jane-photos@test.example'" >/dev/null
check "message 1 --raw is the stored source byte for byte" cmp -s "$dir/raw1" "$dir/stored1"
processed=$(grep -l 'jane-photos@test.example' $(mailstack_messages "$COMPLAINTS" Processed))
check "and the server's copy (line ends aside)" cmp -s <(tr -d '\r' <"$dir/raw1") "$processed"
out=$(ctl message "$ref" 99 2>&1) && rc=0 || rc=$?
check_eq "a message that is not there: exit 1" 1 "$rc"
check "and says how many there are" grep -q "has 7 messages" <<<"$out"

# --- 5. export: mbox + JSON, read back by Python and Dovecot
check "export" ctl export "$ref" --output "$dir/case.mbox"
check_eq "the export is readable by its owner only" 600 "$(stat -c %a "$dir/case.mbox")"
check_eq "so is its JSON" 600 "$(stat -c %a "$dir/case.mbox.json")"
check "FILE.json is the show --json record, events included" \
	cmp -s <(jq -S 'del(.events)' "$dir/case.mbox.json") <(jq -S 'del(.events)' "$dir/show.json")
check_eq "events in FILE.json" "$(jq '.events | length' "$dir/show.json")" "$(jq '.events | length' "$dir/case.mbox.json")"
check "Python's mailbox reads every message, in order, with the photos intact" python3 - "$dir" <<'PY'
import json, mailbox, sys
d = sys.argv[1]
box = mailbox.mbox(d + "/case.mbox", create=False)
msgs = list(box)
record = json.load(open(d + "/case.mbox.json"))
ids = [m["message_id"] for m in record["messages"]]
got = [m["Message-ID"].strip("<> \r\n") for m in msgs]
assert got == ids, (got, ids)
first = msgs[0]
parts = [p for p in first.walk() if p.get_filename()]
for p, name in zip(parts, ("photo1.jpg", "photo2.jpg")):
    assert p.get_filename() == name
    assert p.get_payload(decode=True) == open(d + "/" + name, "rb").read(), name
body = first.get_payload()[0].get_payload(decode=True).decode()
assert "From the start of this month" in body, body
PY
check "the From line in Jane's text is quoted in the file (mboxrd)" grep -q '^>From the start' "$dir/case.mbox"
EXPORTUSER=export@council.example
check "Dovecot imports the export" dovecot_read "$dir/case.mbox" "$EXPORTUSER"
# attached messages are not entries: the team's notifications carry Jane's mail
# whole, with its own Message-ID, inside one entry
check_eq "Dovecot sees every message" 7 \
	"$(timeout 60 doveadm -c "$dir/dovecot/dovecot.conf" mailbox status -u "$EXPORTUSER" messages INBOX |
		sed -n 's/.*messages=//p')"
check_eq "with every Message-ID in order" "$(jq -r '.messages[].message_id' "$dir/show.json" | tr '\n' ' ')" \
	"$(doveadm_ids "$EXPORTUSER" | tr '\n' ' ')"


# --- 6. mail without a case: listed, filed on a case, or made a case
msg "$dir/loose.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Notes from the site visit" "$VOUCHED" <<'EOF2'
Photos from the verge are on the shared drive.
EOF2
deliver "$dir/loose.eml"
msg "$dir/fwd-plain.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Fwd: Broken paving on the High Street" "$VOUCHED" <<EOF2
Could this be looked at?

---------- Forwarded message ---------
From: Sam Resident <$SAM>
Date: $(date -R -d '3 days ago')
Subject: Broken paving on the High Street
To: <$OFFICER>

I want to complain about the broken paving outside the library. My mother
tripped on it last week.
EOF2
deliver "$dir/fwd-plain.eml"
check "run 4" it_once
ctl unattached --json >"$dir/loose.json"
check_eq "two mails without a case" 2 "$(jq length "$dir/loose.json")"
check "the text list shows them" grep -q 'Notes from the site visit' <(ctl unattached)
notes=$(jq -r '.[] | select(.subject == "Notes from the site visit") | .id' "$dir/loose.json")
fwd=$(jq -r '.[] | select(.subject | test("Broken paving")) | .id' "$dir/loose.json")
check "file the notes on Jane's case" ctl file "$notes" "$ref"
check_eq "now on the case" 8 "$(ctl show "$ref" --json | jq '.messages | length')"
check_eq "filing is an event" 1 "$(ctl show "$ref" --json | jq '[.events[] | select(.type == "message_filed")] | length')"
out=$(ctl file "$notes" "$ref" 2>&1) && rc=0 || rc=$?
check_eq "a message cannot be filed twice" 1 "$rc"
check "and says where it is" grep -q "already on case $ref" <<<"$out"
check "open a case from the forward" ctl open "$fwd"
sref=$(ctl list --json | jq -r --arg e "$SAM" '.[] | select(.complainant.email == $e) | .ref')
check "the case is Sam's (the forwarded sender)" test -n "$sref"
check_eq "it is a complaint" complaint "$(field "$sref" .kind)"
check_eq "the forward is on it" 1 "$(ctl show "$sref" --json | jq '.messages | map(select(.direction == "in")) | length')"
check "run 5" it_once
check_eq "Sam is acknowledged" 1 "$(inbox_of "$SAM" 1)"
check_eq "nothing left without a case" 0 "$(ctl unattached --json | jq length)"

# --- 7. an officer forwards a resident's mail with #complaint: a case for the resident
msg "$dir/fwd-cmd.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Fwd: Noise from the depot" "$VOUCHED" <<EOF2
#complaint

---------- Forwarded message ---------
From: Tom Resident <$TOM>
Date: $(date -R -d '40 days ago')
Subject: Noise from the depot
To: <$OFFICER>

Your lorries start at 5am every day and wake the whole street. Nobody has
answered my letters.
EOF2
deliver "$dir/fwd-cmd.eml"
check "run 6" it_once
tref=$(ctl list --json | jq -r --arg e "$TOM" '.[] | select(.complainant.email == $e) | .ref')
check "a case for Tom, the forwarded sender" test -n "$tref"
check_eq "a complaint, as the officer said" complaint "$(field "$tref" .kind)"
got=$(date -d "$(field "$tref" .received_at)" +%s)
want=$(($(date +%s) - 30 * 86400))
check "received 30 days ago (the forward's date, clipped), not today" test $((got - want)) -le 300 -a $((want - got)) -le 300
check_eq "Tom is acknowledged" 1 "$(inbox_of "$TOM" 1)"
check_eq "the officer's forward is on Tom's case" 1 "$(ctl show "$tref" --json | jq '.messages | map(select(.direction == "in")) | length')"

it_finish
