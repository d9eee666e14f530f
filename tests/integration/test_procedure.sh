#!/usr/bin/env bash
# The Code's procedure on the real stack, as residents, councillors and
# officers see it: a reply asking for a complaint upgrades a service request
# or a member enquiry (clocks from that reply's date received, even when it
# is processed days later); escalation from a backlog; the stage 1 footer
# without an escalation window; the stage 2 acknowledgement's wording; a
# first-and-final response that ends the procedure; greetings by name;
# consent asked of someone writing for another person; the scheme corrected
# by command; and a housing acknowledgement reminded, then missed.
. "$(dirname "$0")/lib.sh"
it_setup

OFFICER=olivia.officer@council.example
CLLR=cllr.m.lowe@council.example
TEAM=complaints-team@council.example

msg() { it_mail "$1" "$2" "$COMPLAINTS" "${@:3}"; } # file from subject [headers...]; body on stdin
deliver() { it_deliver "$1"; }
field() { it_field "$@"; }
ref_of() { ctl list --json | jq -r ".[] | select(.complainant.email == \"$1\" or .representative.email == \"$1\") | .ref" | tail -1; }
# The subject and decoded text of the newest mail of a purpose on a case.
outmail() { # ref purpose
	sql "SELECT data FROM outbox_mail o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$1'
		AND o.purpose = '$2' ORDER BY o.id DESC LIMIT 1" >"$dir/out.eml"
	python3 -c 'import sys, email
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
print("To:", m["to"])
print("Subject:", m["subject"])
print(m.get_body(("plain",)).get_content())' "$dir/out.eml" 2>/dev/null
}
n_out() { # ref purpose
	sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$1' AND o.purpose = '$2'"
}
# The effective date received of the mail whose Message-ID starts with $1, and N working days on.
received_of() { ctl calendar received "$(date -u -d @"$(sql "SELECT received_at FROM messages WHERE message_id LIKE '$1-%'")" +%Y-%m-%dT%H:%M:%SZ)"; }
later() { faketime -f "+${1}d" "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1; }
at() { faketime "$1" "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1; }

# --- 1 and 8. "complaint" in reply to a service request, processed a week late
RITA=rita.hedges@example.net
msg "$dir/s1.eml" "Rita Hedges <$RITA>" "Overgrown hedge on Mill Lane" <<'EOF'
Please could you cut back the hedge by number 4 Mill Lane, it is growing over
the footpath.
EOF
deliver "$dir/s1.eml"
check "run: the service request" it_once
sref=$(ref_of $RITA)
check_eq "a service request" service_request "$(field "$sref" .kind)"
check "its reply offers the word complaint" grep -q 'the word "complaint"' <(outmail "$sref" service-request)
msg "$dir/s1-reply.eml" "Rita Hedges <$RITA>" "Re: [$sref] Overgrown hedge on Mill Lane" <<EOF
Complaint

On Mon, Example Borough Council wrote:
> reply to this email with the word "complaint", keeping $sref in the subject line
EOF
deliver "$dir/s1-reply.eml"
check "run a week later (a backlog)" later 7
rd=$(received_of s1-reply)
check_eq "the reply upgraded the case" complaint "$(field "$sref" .kind)"
check_eq "the complaint counts as received with the reply" "$rd" "$(field "$sref" .received_date)"
check_eq "acknowledgement due 5 working days from the reply's date received" \
	"$(ctl calendar add "$rd" 5)" "$(field "$sref" .ack_due)"
check_eq "response due 10 working days from the reply's date received" \
	"$(ctl calendar add "$rd" 10)" "$(field "$sref" .response_due)"
check_eq "the acknowledgement was sent" 1 "$(n_out "$sref" ack-stage1)"
check "it is addressed to Rita by name" grep -q '^Dear Rita Hedges,' <(outmail "$sref" ack-stage1)
note=$(outmail "$sref" notify-new-case)
check "the team is told of the new complaint" grep -q "^Subject: \[$sref\] New complaint: " <<<"$note"
check "and why it is one now" grep -q 'until now a service request; their reply made it a complaint (the person asked for a complaint)' <<<"$note"
check_eq "two new-case notices: the service request, then the complaint" 2 "$(n_out "$sref" notify-new-case)"
check_eq "and no 'new message' notice for the same mail" 0 "$(n_out "$sref" notify-message)"

# --- 1 and 7. a councillor's enquiry, then "a formal complaint on my constituent's behalf"
msg "$dir/m1.eml" "Cllr Morgan Lowe <$CLLR>" "Streetlight out on Elm Road" <<'EOF'
Dear officers,

A constituent tells me the streetlight outside 3 Elm Road has been out for a
fortnight. Could you let me know when it will be repaired?

Cllr Morgan Lowe
EOF
deliver "$dir/m1.eml"
check "run: the member enquiry" it_once
mref=$(ref_of $CLLR)
check_eq "a member enquiry" member_enquiry "$(field "$mref" .kind)"
reply=$(outmail "$mref" member-enquiry)
check "the reply greets the councillor by name" grep -q '^Dear Cllr Morgan Lowe,' <<<"$reply"
check "never by address" bash -c "! grep -q 'Dear .*@' <<<\"\$1\"" _ "$reply"
msg "$dir/m1-reply.eml" "Cllr Morgan Lowe <$CLLR>" "Re: [$mref] Streetlight out on Elm Road" <<'EOF'
Thank you. My constituent is not satisfied. Please treat this as a formal
complaint on my constituent's behalf.
EOF
deliver "$dir/m1-reply.eml"
check "run: the councillor's reply" it_once
check_eq "upgraded to a complaint" complaint "$(field "$mref" .kind)"
check_eq "consent is needed" true "$(field "$mref" '.flags | index("consent_needed") != null')"
ack=$(outmail "$mref" ack-stage1)
check "the acknowledgement goes to the councillor" grep -q "^To: .*$CLLR" <<<"$ack"
check "and greets the councillor, not the constituent" grep -q '^Dear Cllr Morgan Lowe,' <<<"$ack"
check "about the constituent" grep -q 'your complaint on behalf of your constituent' <<<"$ack"

# --- 7. someone complaining for another person is asked for that person's consent
DAN=dan.son@example.org
msg "$dir/r1.eml" "Dan Son <$DAN>" "My mother's missed assisted collections" <<'EOF'
I am writing on behalf of my mother, who is 89. Her assisted bin collection
has been missed four times this month and nobody has called her back. This
is not good enough and I want to make a complaint.
EOF
deliver "$dir/r1.eml"
check "run: a complaint for someone else" it_once
rref=$(ref_of $DAN)
check_eq "consent_needed" true "$(field "$rref" '.flags | index("consent_needed") != null')"
check_eq "a consent request was sent" 1 "$(n_out "$rref" consent-request)"
check "it asks for the person's consent" grep -q 'we need to know that they agree' <(outmail "$rref" consent-request)

# --- 6, 8 and 9. a stage 1 response without a window; escalation from a backlog
JANE=jane.resident@example.net
msg "$dir/c1.eml" "Jane Resident <$JANE>" "Missed bin collections on Orchard Close" <<'EOF'
I want to complain: my bin has been missed three weeks running and nobody
has called me back. This is not good enough.
EOF
deliver "$dir/c1.eml"
check "run: Jane's complaint" it_once
jref=$(ref_of $JANE)
msg "$dir/o1.eml" "Olivia Officer <$OFFICER>" "Re: [$jref] Missed bin collections" "$VOUCHED" <<'EOF'
Dear Jane,

Your street was left off the new round; it is back on from Monday.

#outcome upheld
EOF
deliver "$dir/o1.eml"
check "run: the stage 1 response" it_once
resp=$(outmail "$jref" relay)
check "the stage 1 footer says how to ask for stage 2" grep -q 'stage 2' <<<"$resp"
check "without an escalation window it names no date" bash -c "! grep -qi 'ask by' <<<\"\$1\"" _ "$resp"
msg "$dir/j-esc.eml" "Jane Resident <$JANE>" "Re: [$jref] Missed bin collections" <<'EOF'
I'm still not happy and I want to take this further.
EOF
deliver "$dir/j-esc.eml"
check "run five days later (a backlog)" later 5
rd=$(received_of j-esc)
check_eq "escalated" 2 "$(field "$jref" .stage)"
check_eq "stage 2 acknowledgement due 5 working days from the request's date received" \
	"$(ctl calendar add "$rd" 5)" "$(field "$jref" .ack_due)"
check_eq "stage 2 response due 20 working days from it" \
	"$(ctl calendar add "$rd" 20)" "$(field "$jref" .response_due)"
ack2=$(outmail "$jref" ack-stage2)
check "the stage 2 acknowledgement went out" grep -q 'stage 2' <<<"$ack2"
check "it does not promise a review" bash -c "! grep -qi 'review' <<<\"\$1\"" _ "$ack2"

# --- 5. a first-and-final response ends the procedure
SAM=sam.senior@example.org
msg "$dir/f1.eml" "Sam Senior <$SAM>" "The director's decision about my garden waste" <<'EOF'
I want to make a complaint about the director of environment, who refused to
meet me and dismissed my concerns about the garden waste service.
EOF
deliver "$dir/f1.eml"
check "run: Sam's complaint" it_once
fref=$(ref_of $SAM)
acked=$(ctl calendar received "$(field "$fref" .acknowledged_at)")
msg "$dir/f1-o.eml" "Olivia Officer <$OFFICER>" "Re: [$fref] The director's decision" "$VOUCHED" <<'EOF'
#final
#outcome not-upheld
Dear Mr Senior,

The chief executive has looked at your complaint about the director.
EOF
deliver "$dir/f1-o.eml"
check "run: the first-and-final response" it_once
check_eq "the case is at stage 2" 2 "$(field "$fref" .stage)"
check_eq "answered" responded "$(field "$fref" .status)"
check_eq "stage 2 response time from the acknowledgement" "$(ctl calendar add "$acked" 20)" \
	"$(field "$fref" .response_due)"
final=$(outmail "$fref" relay)
check "the response carries the stage 2 footer" grep -q 'Our complaints procedure is now complete' <<<"$final"
check "with the Ombudsman's details" grep -q 'Local Government and Social Care Ombudsman' <<<"$final"
msg "$dir/f1-esc.eml" "Sam Senior <$SAM>" "Re: [$fref] The director's decision" <<'EOF'
I am still not happy with your response and want to take this further.
EOF
deliver "$dir/f1-esc.eml"
check "run: Sam is still unhappy" it_once
check_eq "no stage 2 acknowledgement after a final response" 0 "$(n_out "$fref" ack-stage2)"
check_eq "still answered at stage 2" "2 responded" "$(field "$fref" '"\(.stage) \(.status)"')"
check_eq "one reply pointing to the Ombudsman" 1 "$(n_out "$fref" procedure-complete)"
check "it gives the Ombudsman's details" grep -q '0300 061 0614' <(outmail "$fref" procedure-complete)
check "report as JSON" ctl report --from "$(date +%Y-01-01)" --to "$(date -d '+1 year' +%Y-12-31)" \
	--format json --output "$dir/r.json"
fig() { jq -r ".figures.$1" "$dir/r.json"; }
check_eq "the report counts two stage 2 (final) outcomes: Jane's open one and Sam's" \
	"1 1" "$(fig stage2.outcome_not_upheld) $(fig stage2.outcome_none)"
check_eq "one stage 2 response (Sam's first and final)" 1 "$(fig stage2.responded)"
check_eq "one escalation (Jane's), not two" 1 "$(fig stage2.escalated)"

# --- 2 and 3. a housing case: the receipt, the scheme corrected, the acknowledgement reminded then missed
TOM=tom.tenant@example.net
msg "$dir/h1.eml" "Tom Tenant <$TOM>" "Damp and mould in my council flat" <<'EOF'
I am a council tenant. The housing repairs team have ignored the damp and
mould in my council flat for months. I want to make a complaint.
EOF
deliver "$dir/h1.eml"
check "run: Tom's housing complaint" it_once
href=$(ref_of $TOM)
check_eq "housing scheme" housing "$(field "$href" .scheme)"
receipt=$(outmail "$href" receipt-stage1)
check "the receipt: contact the Housing Ombudsman for advice at any time" \
	grep -q 'contact the Housing Ombudsman Service for advice at any time' <<<"$receipt"
sent_before=$(sql "SELECT count(*) FROM outbox")
check "complaintsctl scheme REF lgsco" ctl scheme "$href" lgsco
check_eq "now lgsco" lgsco "$(field "$href" .scheme)"
check_eq "the change is an event" 1 "$(ctl show "$href" --json | jq '[.events[] | select(.type == "scheme")] | length')"
check_eq "nothing sent by the change" "$sent_before" "$(sql "SELECT count(*) FROM outbox")"
rc=0
ctl scheme "$href" ombudsman >/dev/null 2>&1 || rc=$?
check_eq "an unknown scheme is refused" 2 "$rc"
msg "$dir/h1-o.eml" "Olivia Officer <$OFFICER>" "Re: [$href] Damp and mould" "$VOUCHED" <<'EOF'
#scheme housing
EOF
deliver "$dir/h1-o.eml"
check "run: the officer's #scheme housing" it_once
check_eq "housing again" housing "$(field "$href" .scheme)"
check_eq "still nothing sent to Tom" 1 "$(sql "SELECT count(*) FROM outbox WHERE rcpt = '$TOM'")"

ackdue=$(field "$href" .ack_due)
team_mail() { # purpose: mails of that purpose to the team about Tom's case
	sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$href'
		AND o.purpose = '$1' AND o.rcpt = '$TEAM'"
}
check "run on the acknowledgement's due date" at "$ackdue 10:00:00"
check "run again" at "$ackdue 11:00:00"
check_eq "one reminder before the acknowledgement is due" 1 "$(team_mail officer-reminder)"
check "it is about the acknowledgement" grep -q 'acknowledgement due' <(outmail "$href" officer-reminder)
after=$(ctl calendar add "$ackdue" 2)
check "run after the acknowledgement date" at "$after 10:00:00"
check "run again" at "$after 11:00:00"
check_eq "one breach alert" 1 "$(team_mail officer-breach)"
breach=$(outmail "$href" officer-breach)
check "it says the acknowledgement was missed" grep -q 'Acknowledgement missed' <<<"$breach"
check "it does not ask for a response" bash -c "! grep -q 'without a response' <<<\"\$1\"" _ "$breach"
check_eq "Tom is told once" 1 "$(n_out "$href" ack-missed)"
check "with the Housing Ombudsman's details" grep -q '0300 111 3000' <(outmail "$href" ack-missed)
it_finish
