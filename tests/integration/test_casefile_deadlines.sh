#!/usr/bin/env bash
# The case file's deadlines and `complaintsctl report` judge a response the
# same way, on the real stack and across days under faketime.  Two
# complaints arrive the same day and have the same stage 1 response date:
#   Jane's passes; the next working day stage 1 is extended (complaintsctl
#   extend) and the officer answers that day, within the new date.  The
#   extension came too late to move the date: late in the report, "missed"
#   in the case file.
#   Sam's is extended on the first day, long before its date, and answered
#   on the same later day: in time in the report, "met" in the case file.
. "$(dirname "$0")/lib.sh"
it_setup casefile-deadlines

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net
SAM=sam.resident@example.org
CONF=$dir/complaintsd.conf
at() { faketime "$1" "$COMPLAINTSD" -c "$CONF" --once >>"$dir/daemon.log" 2>&1; }
ctl_at() { local t=$1; shift; faketime "$t" "$COMPLAINTSCTL" -c "$CONF" "$@"; }
ref_of() { ctl list --json | jq -r ".[] | select(.complainant.email == \"$1\") | .ref"; }
# the Met? cell of the stage 1 response row of a case file's index.html
met_of() { sed -n 's|^<tr><td>Stage 1 response</td>.*<td class="\([a-z]*\)">.*$|\1|p' "$1/index.html"; }

# --- 1. two complaints, acknowledged today
it_mail "$dir/jane.eml" "Jane Resident <$JANE>" "$COMPLAINTS" "Missed bin collections on Orchard Close" <<'EOF'
I want to complain: my bin has been missed three weeks running and nobody
has called me back.
EOF
it_deliver "$dir/jane.eml"
it_mail "$dir/sam.eml" "Sam Resident <$SAM>" "$COMPLAINTS" "Broken paving outside the library" <<'EOF'
I want to complain about the broken paving outside the library. My mother
tripped on it last week and nobody has repaired it.
EOF
it_deliver "$dir/sam.eml"
check "run 1: both acknowledged" it_once
jref=$(ref_of "$JANE")
sref=$(ref_of "$SAM")
check "Jane's case" test -n "$jref"
check "Sam's case" test -n "$sref"
due=$(it_field "$jref" .response_due)
check_eq "both have the same stage 1 response date" "$due" "$(it_field "$sref" .response_due)"
day1=$(ctl calendar add "$due" 1)
check "the next working day is after it" test "$day1" \> "$due"

# --- 2. Sam's stage 1 is extended at once, before its date
check "Sam's extension, before the date" ctl extend "$sref" 5 "waiting for the highways survey"
check "run 2: the extension notice goes out" it_once

# --- 3. Jane's date passes; stage 1 is extended the next working day
check "Jane's extension, after the date had passed" \
	ctl_at "$day1 09:00:00" extend "$jref" 5 "waiting for the crew's report"
check "run on that day: the extension notice" at "$day1 09:05:00"
newdue=$(it_field "$jref" .response_due)
check "Jane's date as the case now has it is later still" test "$newdue" \> "$day1"

# --- 4. the officer answers both that day, within both extended dates
for who in "$jref:Jane" "$sref:Sam"; do
	r=${who%%:*}
	it_mail "$dir/resp-$r.eml" "Olivia Officer <$OFFICER>" "$COMPLAINTS" "Re: [$r] Your complaint" "$VOUCHED" <<EOF
Dear ${who#*:},

We have looked into this and put it right.

#outcome upheld

Olivia Officer
EOF
	it_deliver "$dir/resp-$r.eml"
done
check "run on that day: both responses relayed" at "$day1 12:00:00"
check_eq "Jane's case is answered" responded "$(it_field "$jref" .status)"
check_eq "Sam's case is answered" responded "$(it_field "$sref" .status)"

# --- 5. the report and the case files, later that day
from=$(date +%F)
to=$(date -d "$day1 + 60 days" +%F)
check "report" ctl_at "$day1 15:00:00" report --from "$from" --to "$to" --format json --output "$dir/r.json"
check_eq "the report: two stage 1 responses due, one in time, one late" "2 1 1" \
	"$(jq -r '.figures.stage1 | "\(.responded_in_time + .responded_late) \(.responded_in_time) \(.responded_late)"' "$dir/r.json")"
check_eq "the late one is Jane's" "[\"$jref\"]" "$(jq -c '.references.stage1.responded_late' "$dir/r.json")"
check_eq "her extension came too late to count" "[\"$jref\"]" \
	"$(jq -c '.references.stage1.extended_too_late' "$dir/r.json")"

check "Jane's case file" ctl_at "$day1 15:00:00" casefile "$jref" --output "$dir/cf-jane"
check "Sam's case file" ctl_at "$day1 15:00:00" casefile "$sref" --output "$dir/cf-sam"
grep '^<tr><td>Stage 1' "$dir/cf-jane/index.html" "$dir/cf-sam/index.html"
check_eq "Jane's case file agrees with the report: the response was late" missed "$(met_of "$dir/cf-jane")"
check "it is measured against the date before the extension" \
	grep -q "^<tr><td>Stage 1 response</td><td>$due</td>.*missed by 1 working day (an extension granted after the date had passed does not move it)</td></tr>" \
	"$dir/cf-jane/index.html"
check_eq "Sam's case file agrees with the report: met" met "$(met_of "$dir/cf-sam")"
check "against the extended date" \
	grep -q "^<tr><td>Stage 1 response</td><td>$(it_field "$sref" .response_due) (extended from $due)</td>" \
	"$dir/cf-sam/index.html"
check_eq "both acknowledgements met in both" "met met" \
	"$(for d in cf-jane cf-sam; do sed -n 's|^<tr><td>Stage 1 acknowledgement</td>.*<td class="\([a-z]*\)">.*$|\1|p' "$dir/$d/index.html"; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "as the report says" 2 "$(jq -r '.figures.stage1.acknowledged_in_time' "$dir/r.json")"

it_finish
