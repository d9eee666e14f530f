#!/usr/bin/env bash
# The officers' side on the real stack: a resident's complaint with two photos
# reaches the team of its service area as a notification with the original
# attached whole; the officer's plain Reply to that notification (Outlook
# style, with a PDF and #outcome) reaches the resident with the PDF and the
# stage 1 footer, and none of the quoted notification; an escalation notifies
# the team again and a Thunderbird-style reply answers it; a response with a
# program attached is refused and not recorded; #assign sends every message;
# our own notification coming back is not answered; a service request and an
# other-process matter say truthfully who they were passed to; a stage 2
# response sent from the shared mailbox (its copy in Sent Items) stops the
# clock and brings the resident the Ombudsman's details as a follow-up; the
# case exports as an mbox Python reads whole.
. "$(dirname "$0")/lib.sh"
it_setup officers

MT="python3 $top_srcdir/tests/integration/mimetool.py"
JANE=jane.resident@example.net
TEAM=waste-team@council.example
WENDY=wendy.waste@council.example
OLIVIA=olivia.officer@council.example
# a route with its own team and public contact, for the other-process reply
sed -i '/^\[routing\]$/a noise = noise-team@council.example\nnoise.url = https://www.council.example/noise\nnoise.phone = 01234 567890' \
	"$dir/complaintsd.conf"

# the shared mailbox's "Sent Items", watched from the first run on
printf 'sent_folder = Sent Items\n' >"$dir/sent.ini"
sed -i "/^\[imap\]/r $dir/sent.ini" "$dir/complaintsd.conf"
append_sent() { MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE \
	python3 "$top_srcdir/tests/integration/imap_append.py" "$COMPLAINTS" "Sent Items" "$@"; }
check "the Sent Items folder exists" append_sent

count() { mailstack_count "$1" INBOX 2>/dev/null || echo 0; }
# Nothing here waits a fixed time: OpenSMTPD delivers a moment after it accepts,
# so after each daemon run the test waits until every mail the daemon records as
# sent is in its recipient's Maildir (the counts read after it are final), with a
# timeout long enough for a loaded machine.
delivered() {
	local rcpt n
	while IFS='|' read -r rcpt n; do
		[ "$(count "$rcpt")" -ge "$n" ] || return 1
	done < <(sql "SELECT lower(rcpt), count(*) FROM outbox WHERE state = 'sent' AND lower(rcpt) <> lower('$COMPLAINTS') GROUP BY 1")
}
run_once() { # one daemon run, then every mail it sent delivered
	it_once || return 1
	it_wait_for 60 delivered || { echo "mail the daemon sent was not delivered in 60 s" >&2; return 1; }
}
deliver() { # FROM FILE: into the complaints INBOX, then one daemon run
	local before
	before=$(mailstack_count "$COMPLAINTS" INBOX)
	mailstack_send "$1" "$COMPLAINTS" "$2"
	mailstack_wait_count "$COMPLAINTS" INBOX $((before + 1)) 60
	run_once
}
# an officer's Reply, as the council's MX hands it on (vouched for: $VOUCHED)
officer_reply() {
	printf '%s\r\n' "$VOUCHED"
	$MT reply "$@"
}
count_ge() { [ "$(count "$1")" -ge "$2" ]; }
wait_count() { it_wait_for 60 count_ge "$1" "$2"; } # ADDRESS N: polls the count itself
last_mail() { mailstack_messages "$1" INBOX | tail -1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
field() { ctl show "$1" --json | jq -r "$2"; }

# --- 1. a complaint with two photos reaches the waste team, photos intact
head -c 3000 /dev/urandom >"$dir/tmp.bin"
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00' | cat - "$dir/tmp.bin" >"$dir/bin-left-out.jpg"
head -c 5000 /dev/urandom >"$dir/tmp.bin"
printf '\xff\xd8\xff\xe1\x00\x10Exif\x00' | cat - "$dir/tmp.bin" >"$dir/overflowing-bins.jpg"
cat >"$dir/c1.txt" <<'TXT'
I want to make a complaint. Our wheelie bin on Orchard Close has been missed
three weeks running and nobody has called me back. Photos attached.

Jane Resident
TXT
$MT compose "Jane Resident <$JANE>" "$COMPLAINTS" "Missed bins on Orchard Close" "$dir/c1.txt" \
	"$dir/bin-left-out.jpg:image/jpeg" "$dir/overflowing-bins.jpg:image/jpeg" >"$dir/c1.eml"
check "run 1" deliver "$JANE" "$dir/c1.eml"
ref=$(ctl list --json | jq -r '.[0].ref')
check_eq "the case is a complaint" complaint "$(field "$ref" .kind)"
check_eq "its area is waste" waste "$(sql "SELECT area FROM cases WHERE ref = '$ref'")"
check "the waste team got the notification" wait_count "$TEAM" 1
notice=$(last_mail "$TEAM")
check "subject: [REF] New complaint: <subject>" \
	grep -q "^Subject: \[$ref\] New complaint: Missed bins on Orchard Close" "$notice"
check_eq "From is the complaints address" "$COMPLAINTS" "$($MT header "$notice" From | grep -o '[^<]*@[^>]*')"
check_eq "Reply-To is the complaints address" "$COMPLAINTS" "$($MT header "$notice" Reply-To | grep -o '[^<]*@[^>]*')"
check_eq "Auto-Submitted: auto-generated" auto-generated "$($MT header "$notice" Auto-Submitted)"
check "threaded on Jane's mail" grep -q "^In-Reply-To: $($MT header "$dir/c1.eml" Message-ID)" "$notice"
$MT text "$notice" >"$dir/notice.txt"
check "the summary names the kind, area and due dates" \
	sh -c "grep -q '^Kind: *complaint' '$dir/notice.txt' && grep -q '^Service area: *waste' '$dir/notice.txt' && grep -q '^Response due: ' '$dir/notice.txt'"
check "it gives the reason for the classification" grep -q '^Why this kind: *.*score' "$dir/notice.txt"
check "it carries Jane's own words" grep -q 'missed' "$dir/notice.txt"
$MT parts "$notice" >"$dir/notice.parts"
check "the original is attached as message/rfc822" grep -q '^0 message/rfc822' "$dir/notice.parts"
check "photo 1 arrives byte-identical" grep -q "^1 image/jpeg bin-left-out.jpg $(sha "$dir/bin-left-out.jpg")" "$dir/notice.parts"
check "photo 2 arrives byte-identical" grep -q "^1 image/jpeg overflowing-bins.jpg $(sha "$dir/overflowing-bins.jpg")" "$dir/notice.parts"
check_eq "Jane got her acknowledgement only" 1 "$(count "$JANE")"

# --- 2. our own notification, come back to the complaints address, is not answered
outbox_before=$(sql "SELECT count(*) FROM outbox")
check "run 2 (the notification comes back)" deliver "$COMPLAINTS" "$notice"
check_eq "nothing queued for it" "$outbox_before" "$(sql "SELECT count(*) FROM outbox")"

# --- 3. a reply with a program attached is refused whole and not recorded
printf 'MZ\x90\x00 not really a program' >"$dir/letter.exe"
printf 'Dear Jane, please see the attached.\n\n#outcome upheld\n' >"$dir/r-bad.txt"
officer_reply "$notice" outlook "Wendy Waste <$WENDY>" "$dir/r-bad.txt" \
	"$dir/letter.exe:application/octet-stream" >"$dir/r-bad.eml"
check "run 3" deliver "$WENDY" "$dir/r-bad.eml"
check "Wendy is told why" wait_count "$WENDY" 1
check "the refusal names the program" grep -q 'letter.exe' "$(last_mail "$WENDY")"
check_eq "nothing reached Jane" 1 "$(count "$JANE")"
check_eq "not recorded as the response" open "$(field "$ref" .status)"
check_eq "the outcome was not applied" "" "$(field "$ref" '.outcome // ""')"

# --- 4. the officer's plain Reply (Outlook) with a PDF reaches Jane with the footer
{ printf '%%PDF-1.4\n'; head -c 20000 /dev/urandom; printf '\n%%%%EOF\n'; } >"$dir/Response letter.pdf"
cat >"$dir/r1.txt" <<'TXT'
Dear Jane,

I am sorry: Orchard Close was left off the new round. It is back on from
Monday. Our letter is attached.

#outcome partly-upheld

Wendy Waste
Waste Services
TXT
officer_reply "$notice" outlook "Wendy Waste <$WENDY>" "$dir/r1.txt" \
	"$dir/Response letter.pdf:application/pdf" >"$dir/r1.eml"
check "run 4" deliver "$WENDY" "$dir/r1.eml"
check "Jane got the response" wait_count "$JANE" 2
resp=$(last_mail "$JANE")
$MT text "$resp" >"$dir/resp.txt"
$MT parts "$resp" >"$dir/resp.parts"
check "it is multipart/mixed" grep -qi '^Content-Type: multipart/mixed' "$resp"
check "the officer's words are relayed" grep -q 'left off the new round' "$dir/resp.txt"
check "the stage 1 footer is there" grep -qi 'stage 2' "$dir/resp.txt"
check "no command line is relayed" sh -c "! grep -q '#outcome' '$dir/resp.txt'"
check "none of the quoted notification is relayed" \
	sh -c "! grep -qE 'New complaint|What they wrote|Why this kind|wheelie bin' '$dir/resp.txt'"
check "the PDF arrives byte-identical" \
	grep -q "^0 application/pdf Response letter.pdf $(sha "$dir/Response letter.pdf")" "$dir/resp.parts"
check "the text comes before the PDF" sh -c "head -1 '$dir/resp.parts' | grep -q text/plain"
check "a relayed response is not marked automatic" sh -c "! grep -q '^Auto-Submitted' '$resp'"
check_eq "status responded" responded "$(field "$ref" .status)"
check_eq "outcome partly-upheld" partly-upheld "$(field "$ref" .outcome)"

# --- 5. Jane is still not happy: the team hears of the escalation
printf "I'm still not happy. The bin was missed again today.\n" >"$dir/j2.txt"
$MT compose "Jane Resident <$JANE>" "$COMPLAINTS" "Re: [$ref] Missed bins on Orchard Close" "$dir/j2.txt" >"$dir/j2.eml"
team_before=$(count "$TEAM")
check "run 5" deliver "$JANE" "$dir/j2.eml"
check_eq "escalated to stage 2" 2 "$(field "$ref" .stage)"
check "the team is notified" wait_count "$TEAM" $((team_before + 1))
esc=$(last_mail "$TEAM")
check "subject: [REF] Escalated to stage 2" grep -q "^Subject: \[$ref\] Escalated to stage 2: " "$esc"
$MT text "$esc" >"$dir/esc.txt"
check "Jane's words are in it" grep -q 'missed again today' "$dir/esc.txt"
check "her mail is attached" sh -c "$MT parts '$esc' | grep '^0 message/rfc822' >/dev/null"

# --- 6. the officer answers stage 2 from the shared mailbox ("Send As" in Outlook):
# the copy lands in Sent Items, with Jane in To and no footer
jane_before=$(count "$JANE")
printf 'Dear Jane,\n\nWe have looked at your complaint again. Orchard Close is now on the\ndaily check list and the crew supervisor has apologised.\n\nWendy Waste\n' >"$dir/s2.txt"
$MT compose "Example Borough Council <$COMPLAINTS>" "Jane Resident <$JANE>" \
	"RE: [$ref] Missed bins on Orchard Close" "$dir/s2.txt" >"$dir/s2.eml"
check "the response is saved in Sent Items" append_sent "$dir/s2.eml"
check "run 6" run_once
check_eq "stage 2 responded" responded "$(field "$ref" .status)"
check_eq "at stage 2" 2 "$(field "$ref" .stage)"
check "the response is on the case as sent" \
	test "$(ctl show "$ref" --json | jq '[.messages[] | select(.subject | test("^RE: "))] | length')" -ge 1
check "Jane gets the footer it lacked" wait_count "$JANE" $((jane_before + 1))
$MT text "$(last_mail "$JANE")" >"$dir/followup.txt"
check "as a follow-up to the response" grep -q 'in a separate email' "$dir/followup.txt"
check "with the Ombudsman's details" grep -q 'www.lgo.org.uk' "$dir/followup.txt"
check "threaded on the officer's mail" grep -qi "^In-Reply-To: <$($MT header "$dir/s2.eml" Message-ID | tr -d '<> ')>" "$(last_mail "$JANE")"

# --- 6b. a later Thunderbird-style reply to the escalation notification is relayed
printf 'Dear Jane,\n\nTo add to my earlier email: the crew will also return your bin to the kerb.\n\n#outcome upheld\n' >"$dir/r2.txt"
officer_reply "$esc" thunderbird "Wendy Waste <$WENDY>" "$dir/r2.txt" >"$dir/r2.eml"
check "run 6b" deliver "$WENDY" "$dir/r2.eml"
check "Jane got it" wait_count "$JANE" $((jane_before + 2))
$MT text "$(last_mail "$JANE")" >"$dir/resp2.txt"
check "with the Ombudsman's details" grep -q 'www.lgo.org.uk' "$dir/resp2.txt"
check "and none of the quoted notification" sh -c "! grep -qE '^>|Escalated to stage 2|missed again today' '$dir/resp2.txt'"
check_eq "outcome upheld" upheld "$(field "$ref" .outcome)"

# --- 7. Jane's later mail reaches the team too
printf 'Thank you, the crew came this morning.\n' >"$dir/j3.txt"
$MT compose "Jane Resident <$JANE>" "$COMPLAINTS" "Re: [$ref] Missed bins on Orchard Close" "$dir/j3.txt" >"$dir/j3.eml"
team_before=$(count "$TEAM")
check "run 7" deliver "$JANE" "$dir/j3.eml"
check "the team is notified" wait_count "$TEAM" $((team_before + 1))
check "subject: [REF] New message" grep -q "^Subject: \[$ref\] New message: " "$(last_mail "$TEAM")"

# --- 8. #assign sends the officer every message so far
printf '#assign %s\n' "$OLIVIA" >"$dir/a.txt"
officer_reply "$esc" outlook "Wendy Waste <$WENDY>" "$dir/a.txt" >"$dir/a.eml"
check "run 8" deliver "$WENDY" "$dir/a.eml"
check "Olivia is told" wait_count "$OLIVIA" 1
assigned=$(last_mail "$OLIVIA")
check "subject: [REF] Assigned to you" grep -q "^Subject: \[$ref\] Assigned to you: " "$assigned"
n_in=$(sql "SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.ref = '$ref' AND m.state = 'processed'")
n_out=$(sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$ref' AND o.state IN ('queued', 'sent') AND o.purpose NOT LIKE 'notify-%'")
$MT parts "$assigned" >"$dir/assigned.parts"
check_eq "every message so far is attached" $((n_in + n_out)) "$(grep -c '^0 message/rfc822' "$dir/assigned.parts")"
check "Jane's photos are among them, intact" \
	grep -q "^1 image/jpeg bin-left-out.jpg $(sha "$dir/bin-left-out.jpg")" "$dir/assigned.parts"

# --- 9. the whole case exported for a subject access request
check "export" ctl export "$ref" --output "$dir/case.mbox"
check "Python's mailbox reads every message of the case, in order" python3 - "$dir/case.mbox" <<'PY'
import json, mailbox, sys
box = list(mailbox.mbox(sys.argv[1], create=False))
ids = [m["message_id"] for m in json.load(open(sys.argv[1] + ".json"))["messages"]]
assert len(box) == len(ids) > 10, (len(box), len(ids))
assert [m["Message-ID"].strip("<> \r\n") for m in box] == ids
PY

# --- 10. a service request says whom it was passed to, and was
printf 'Please can you collect a bulky waste sofa from 4 Elm Road.\n' >"$dir/s1.txt"
$MT compose "Sam Resident <sam@example.net>" "$COMPLAINTS" "Sofa collection" "$dir/s1.txt" >"$dir/s1.eml"
team_before=$(count "$TEAM")
check "run 10" deliver sam@example.net "$dir/s1.eml"
check "the waste team is notified of the service request" wait_count "$TEAM" $((team_before + 1))
check "subject: [REF] New service request" grep -q '^Subject: \[.*\] New service request: Sofa collection' "$(last_mail "$TEAM")"
$MT text "$(last_mail sam@example.net)" >"$dir/s1-reply.txt"
check "Sam is told it went to the waste team" grep -q 'passed it to our waste team' "$dir/s1-reply.txt"

# --- complaintsctl assign tells the officer too
sref=$(ctl list --json | jq -r '.[] | select(.complainant.email == "sam@example.net") | .ref')
check "complaintsctl assign" ctl assign "$sref" "$OLIVIA"
check "run 10b delivers it" run_once
check "Olivia gets the service request with its message" wait_count "$OLIVIA" 2
check "subject: [REF] Assigned to you" grep -q "^Subject: \[$sref\] Assigned to you: Sofa collection" "$(last_mail "$OLIVIA")"

# --- a redirect of our notification by the team's server (its Message-ID kept, From the
# team, vouched for) is not answered
{
	printf '%s\r\n' "$VOUCHED"
	sed -e "s/^From: .*/From: $TEAM/" -e "s/^Subject: /Subject: FW: /" -e "/^Auto-Submitted:/d" "$notice"
} >"$dir/redirect.eml"
outbox_before=$(sql "SELECT count(*) FROM outbox")
check "run 10c (a redirected notification)" deliver "$TEAM" "$dir/redirect.eml"
check_eq "nothing queued for it" "$outbox_before" "$(sql "SELECT count(*) FROM outbox")"

# --- notifications are never counted against or held by the auto-reply limit
check "the team has had more notifications than the daily limit" \
	test "$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$TEAM'")" -gt 3
check_eq "none was held back" 0 "$(sql "SELECT count(*) FROM outbox WHERE purpose LIKE 'notify-%' AND state = 'suppressed'")"

# --- 11. an other-process matter gives the route's contact
printf 'The dog next door barks all night and I cannot sleep.\n' >"$dir/n1.txt"
$MT compose "Nia Resident <nia@example.net>" "$COMPLAINTS" "Dog barking" "$dir/n1.txt" >"$dir/n1.eml"
check "run 11" deliver nia@example.net "$dir/n1.eml"
check "the noise team is notified" wait_count noise-team@council.example 1
$MT text "$(last_mail nia@example.net)" >"$dir/n1-reply.txt"
check "Nia gets the route's email" grep -q 'Email: noise-team@council.example' "$dir/n1-reply.txt"
check "and its web page and phone" sh -c "grep -q 'https://www.council.example/noise' '$dir/n1-reply.txt' && grep -q '01234 567890' '$dir/n1-reply.txt'"

it_finish
