#!/usr/bin/env bash
# The annual report from a register built by the daemon itself: a complaint
# acknowledged, extended, answered with an outcome and a service improvement
# by the officer's mail, then `complaintsctl report` in every format.
. "$(dirname "$0")/lib.sh"
it_setup

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net

msg() { # file from subject ; body on stdin (officers' mail as the council's MX vouched for it)
	{
		case $2 in *@council.example*) printf '%s\n' "$VOUCHED" ;; esac
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@test.example>\nDate: %s\n' \
			"$2" "$COMPLAINTS" "$3" "$(basename "$1" .eml)-$RANDOM" "$(date -R)"
		printf 'Content-Type: text/plain; charset=UTF-8\n\n'
		cat
	} >"$1"
}
deliver() {
	local before
	before=$(mailstack_count "$COMPLAINTS" INBOX)
	mailstack_send sender@example.net "$COMPLAINTS" "$1"
	mailstack_wait_count "$COMPLAINTS" INBOX $((before + 1)) 20
}

msg "$dir/c1.eml" "Jane Resident <$JANE>" "Missed bin collections on Orchard Close" <<'EOF'
I want to complain: my bin has been missed three weeks running and nobody
has called me back. This is not good enough.
EOF
deliver "$dir/c1.eml"
check "run 1: the complaint is acknowledged" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check "the officer extends stage 1" ctl extend "$ref" 5 "waiting for the crew's report"
check "run 2: the extension notice goes out" it_once

msg "$dir/o1.eml" "Olivia Officer <$OFFICER>" "Re: [$ref] Missed bin collections" <<'EOF'
Dear Jane,

Your street was left off the new round; it is back on from Monday.

#outcome upheld
#improvement waste Rounds are checked against the <b>street list</b> weekly.

Olivia Officer
EOF
deliver "$dir/o1.eml"
check "run 3: the response is relayed" it_once

from=$(date +%Y-01-01)
to=$(date +%Y-12-31)
check "report as JSON" ctl report --from "$from" --to "$to" --format json --output "$dir/r.json"
fig() { jq -r ".figures.$1" "$dir/r.json"; }
check_eq "one complaint received at stage 1" 1 "$(fig stage1.received)"
check_eq "its outcome is upheld" 1 "$(fig stage1.outcome_upheld)"
check_eq "no outcome missing" 0 "$(fig stage1.outcome_none)"
check_eq "acknowledged within timescale" true "$(fig "stage1.acknowledged_in_time_pct == 100")"
check_eq "one stage 1 response" 1 "$(fig stage1.responded)"
check_eq "answered within timescale" true "$(fig "stage1.responded_in_time_pct == 100")"
check_eq "one case extended" 1 "$(fig stage1.extended)"
check_eq "nothing escalated" 0 "$(fig stage2.escalated)"
check_eq "one improvement for waste" 1 "$(fig improvements.waste)"
check_eq "the extension notice counts as signposting" 1 "$(fig signposting.extension)"
check_eq "a stage 1 response is not signposting" 0 "$(fig signposting.final_response)"
check_eq "the improvement text is listed" \
	"Rounds are checked against the <b>street list</b> weekly." \
	"$(jq -r '.improvements[0].text' "$dir/r.json")"

check_eq "no deadline missed, none listed" "0 []" \
	"$(jq -c '"\(.figures.stage1.responded_late) \(.references.stage1.responded_late)"' "$dir/r.json" | tr -d '"')"
check_eq "each share says how it is computed" true \
	"$(jq '.methods.stage1.responded_in_time_pct | test("due in the period")' "$dir/r.json")"

check "the LGSCO scheme's report" ctl report --from "$from" --to "$to" --scheme lgsco \
	--format json --output "$dir/lgsco.json"
check_eq "the complaint is an LGSCO case" 1 "$(jq -r .figures.stage1.received "$dir/lgsco.json")"
check "the housing scheme's report" ctl report --from "$from" --to "$to" --scheme housing \
	--format json --output "$dir/housing.json"
check_eq "no housing case" 0 "$(jq -r .figures.stage1.received "$dir/housing.json")"
check_eq "and it says which scheme" housing "$(jq -r .scheme "$dir/housing.json")"
set +e
ctl report --from "$from" --to "$to" --scheme ombudsman >/dev/null 2>"$dir/err"
rc=$?
set -e
check_eq "an unknown scheme is a usage error" 2 "$rc"
check "and names the schemes" grep -q "lgsco or housing" "$dir/err"

check "report as HTML" ctl report --from "$from" --to "$to" --format html --output "$dir/r.html"
check "the page has charts" grep -q '<svg' "$dir/r.html"
check "the improvement text is escaped" grep -q '&lt;b&gt;street list&lt;/b&gt;' "$dir/r.html"
check "no markup from the officer's text" bash -c "! grep -q '<b>street' '$dir/r.html'"
check "report as CSV on stdout" bash -c \
	"'$COMPLAINTSCTL' -c '$dir/complaintsd.conf' report --from $from --to $to --format csv |
	 tr -d '\\r' | grep -qx 'stage1,received,1'"
check "report as text" bash -c \
	"'$COMPLAINTSCTL' -c '$dir/complaintsd.conf' report --from $from --to $to |
	 grep -q 'Complaints received at stage 1 *1'"

set +e
ctl report --from "$to" --to "$from" >/dev/null 2>"$dir/err"
rc=$?
set -e
check_eq "from after to is a usage error" 2 "$rc"
check "and says why" grep -q "is after --to" "$dir/err"
set +e
ctl report --from 2026-02-30 --to "$to" >/dev/null 2>&1
rc=$?
set -e
check_eq "an impossible date is a usage error" 2 "$rc"

it_finish
