#!/usr/bin/env bash
# The weekly digest on the real stack, across days under faketime: nothing
# before working hours on its weekday, then one mail per team with open cases
# (the overdue case first, with its working days late; a team with nothing
# open gets none) and the whole council's to the alerts address with the held
# and unattached counts; multipart/alternative with an HTML table Python's
# email module reads; never held by the automatic-reply limit; a second run,
# a restart and the next day send nothing again; the next week sends again.
# Then the order of a case's mail: a resident's escalation and a forged
# officer's mail received in the same second are shown and exported in the
# order they came, not by Message-ID.
. "$(dirname "$0")/lib.sh"
it_setup digest-it

CONF=$dir/complaintsd.conf
JANE=jane.resident@example.net
BOB=bob.resident@example.net
RAJ=raj.resident@example.org
OFFICER=olivia.officer@council.example
# a contractor's team outside the officer domains: mail to it would be held
# like a resident's by the automatic-reply limit if a digest were counted
WASTE=waste-team@contractor.example.org
HIGHWAYS=highways-team@council.example
ALERTS=complaints-team@council.example

# the waste team outside the council's domain, a team that will have nothing,
# one automatic reply a day per unauthenticated address
sed -i -e "s/^waste = .*/waste = $WASTE\nhighways = $HIGHWAYS/" \
	-e 's/^\[replies\]$/[replies]\nmax_auto_replies_per_day = 1/' "$CONF"
set_weekday() { sed -i "s/^weekday =.*/weekday = $1/" "$CONF"; }
at() { faketime "$1" "$COMPLAINTSD" -c "$CONF" --once >>"$dir/daemon.log" 2>&1; }
ctl_at() { local t=$1; shift; faketime "$t" "$COMPLAINTSCTL" -c "$CONF" "$@"; }
# digests in ADDRESS's INBOX (other mail, reminders and breach notices, is not counted),
# after waiting up to 10 s for EXPECTED of them; newest: the latest of them
digest_files() { grep -l '^Subject: Open cases for' $(mailstack_messages "$1" INBOX 2>/dev/null) /dev/null 2>/dev/null || true; }
count() {
	local i n
	for ((i = 0; i < 100; i++)); do
		n=$(digest_files "$1" | grep -c . || true)
		[ "$n" -ge "${2:-0}" ] && break
		sleep 0.1
	done
	echo "$n"
}
newest() { ls -t $(digest_files "$1") | head -1; }
ref_of() { ctl list --json | jq -r --arg s "$1" '.[] | select(.subject | startswith($s)) | .ref'; }
msg() { it_mail "$dir/$1.eml" "$2" "$COMPLAINTS" "${@:3}"; it_deliver "$dir/$1.eml"; }

# --- cases, made today with no digest (the real day may be its weekday)
msg a "Jane Resident <$JANE>" "Missed bin collections on Orchard Close" <<'EOF'
I want to complain: my bin has been missed three weeks running and nobody
has called me back. This is not good enough.
EOF
msg b "Bob Resident <$BOB>" "Recycling box not returned" <<'EOF'
I wish to make a formal complaint. The recycling crew took my box and never
brought it back, and I have asked twice.
EOF
msg c "Raj Resident <$RAJ>" "Library opening hours" <<'EOF'
I want to complain about the library. It was shut on Saturday although the
sign says it is open, and nobody apologised.
EOF
msg d "Raj Resident <$RAJ>" "Rude staff at the library desk" <<'EOF'
I want to make a complaint about how I was spoken to at the library desk.
It was rude and unprofessional and I am very unhappy about it.
EOF
msg u "Someone Away <away@example.net>" "Out of office" "Auto-Submitted: auto-replied" <<'EOF'
I am away until Monday.
EOF
check "cases made (no digest)" it_once
A=$(ref_of "Missed bin"); B=$(ref_of "Recycling box"); C=$(ref_of "Library opening")
D=$(ref_of "Rude staff")
check "four cases" test -n "$A" -a -n "$B" -a -n "$C" -a -n "$D"
check "B extended by 10 working days" ctl extend "$B" 10 "waiting for the crew's report"
check "a run after the extension" it_once
check "Raj's second acknowledgement is held by the limit" \
	test "$(sql "SELECT count(*) FROM outbox WHERE state = 'held'")" -ge 1
check_eq "the out-of-office is recorded without a case" 1 \
	"$(sql "SELECT count(*) FROM messages WHERE case_id IS NULL")"
check_eq "no digest yet" 0 "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'digest'")"
check_eq "the waste team had its two new-case notifications" 2 "$(it_inbox_of "$WASTE" 2)"
w0=0
a0=0

# Monday 4 January 2027: A's response (due 21 December) is late; B's is due soon
set_weekday monday
MON='2027-01-04'
due_a=$(it_field "$A" .response_due)
due_b=$(it_field "$B" .response_due)
late=""
for n in $(seq 1 40); do
	if [ "$(ctl calendar add "$due_a" "$n")" = "$MON" ]; then late=$n; break; fi
done
check "A is overdue on $MON by a whole number of working days ($late)" test -n "$late"
left=""
for n in $(seq 0 5); do
	if [ "$(ctl calendar add "$MON" "$n")" = "$due_b" ]; then left=$n; break; fi
done
check "B is due within 5 working days of $MON (in $left)" test -n "$left"

# --- before working hours: nothing
check "run at 08:30" at "$MON 08:30:00"
check_eq "no digest before 09:00" 0 "$(sql "SELECT count(*) FROM digest_runs")"
check_eq "waste team: nothing new" "$w0" "$(count "$WASTE")"

# what complaintsctl digest prints, before anything is sent
printed=$(ctl_at "$MON 08:40:00" digest --to "$WASTE")
check "digest --to prints the waste team's" grep -q "^To: $WASTE" <<<"$printed"
check_eq "printing sends nothing" 0 "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'digest'")"
check "a team with nothing open: nothing to send" \
	grep -q 'Nothing open' <<<"$(ctl_at "$MON 08:40:00" digest --to "$HIGHWAYS")"
rc=0
ctl digest --to nobody@example.net >/dev/null 2>&1 || rc=$?
check_eq "an address that is no team is a usage error" 2 "$rc"

# --- the start of working hours
check "run at 09:05" at "$MON 09:05:00"
check_eq "one run recorded" "1|$MON" "$(sql "SELECT count(*), max(day) FROM digest_runs")"
check_eq "the waste team got one digest" $((w0 + 1)) "$(count "$WASTE" $((w0 + 1)))"
check_eq "the alerts address got the council's" $((a0 + 1)) "$(count "$ALERTS" $((a0 + 1)))"
check_eq "the highways team, with nothing open, got nothing" 0 "$(count "$HIGHWAYS")"
check_eq "digests sent, none held" "sent:2" \
	"$(sql "SELECT group_concat(DISTINCT state) || ':' || count(*) FROM outbox WHERE purpose = 'digest'")"

held=$(sql "SELECT count(*) FROM outbox WHERE state = 'held'")
unattached=$(sql "SELECT count(*) FROM messages WHERE case_id IS NULL")
waste_mail=$(newest "$WASTE")
alerts_mail=$(newest "$ALERTS")
cp "$waste_mail" "$dir/digest-waste.eml"
cp "$alerts_mail" "$dir/digest-alerts.eml"
# Python's email module reads each: the parts, the order, the table
py_check() { # mail-file python-expression-on(text, html, msg)
	python3 - "$@" <<'PY'
import email, email.policy, sys, re
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m.get_content_type() == "multipart/alternative", m.get_content_type()
parts = [p for p in m.iter_parts()]
assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], parts
text, html = parts[0].get_content(), parts[1].get_content()
env = dict(m=m, text=text, html=html, re=re)
for expr in sys.argv[2:]:
    if not eval(expr, env):
        sys.exit("failed: " + expr)
PY
}
check "waste digest: multipart/alternative, text then HTML" py_check "$dir/digest-waste.eml"
check "waste digest: from the complaints address, auto-generated" py_check "$dir/digest-waste.eml" \
	"m['From'].addresses[0].addr_spec == '$COMPLAINTS'" "m['Auto-Submitted'] == 'auto-generated'" \
	"m['To'].addresses[0].addr_spec == '$WASTE'"
check "waste digest: A (overdue) before B (due soon), in text and table" py_check "$dir/digest-waste.eml" \
	"0 <= text.find('$A') < text.find('$B')" "0 <= html.find('$A') < html.find('$B')" \
	"text.find('Overdue: 1') < text.find('$A') < text.find('Due within 5 working days: 1') < text.find('$B')"
check "waste digest: A's working days late, B's date due" py_check "$dir/digest-waste.eml" \
	"'($late working day' in text" "'($late working day' not in text.split('$B')[1]" \
	"'$(date -d "$due_b" '+%A %-d %B %Y')' in text.split('$B')[1]"
check "waste digest: reference, subject, complainant, stage, officer" py_check "$dir/digest-waste.eml" \
	"'$A: Missed bin collections on Orchard Close' in text" "'Jane Resident ($JANE)' in text" \
	"'Stage 1, response due' in text" "'Officer: not assigned' in text"
check "waste digest: no other team's case" py_check "$dir/digest-waste.eml" \
	"'$C' not in text and '$C' not in html and '$D' not in text"
check "waste digest: an HTML table, no script, nothing remote" py_check "$dir/digest-waste.eml" \
	"'<table' in html and '<th' in html" "'<script' not in html.lower()" \
	"not re.search(r'(src|href)\\s*=|https?://|url\\(|@import', html, re.I)"
check "alerts digest: every case, with its team" py_check "$dir/digest-alerts.eml" \
	"all(r in text and r in html for r in ['$A', '$B', '$C', '$D'])" \
	"'Team: waste ($WASTE)' in text" "'>Team<' in html"
check "alerts digest: the held and unattached counts" py_check "$dir/digest-alerts.eml" \
	"'$held repl' in text and '$unattached message recorded without a case' in text" \
	"'$held repl' in html"
check "alerts digest: the summary in the subject" py_check "$dir/digest-alerts.eml" \
	"m['Subject'] == 'Open cases for the whole council: 4 open cases, 3 overdue'"

# --- a second run, a restart of the long-running daemon, the next day: nothing again
check "second run at 11:00" at "$MON 11:00:00"
rounds=$(grep -c 'Connected to the IMAP server' "$dir/daemon.log" || true)
faketime "$MON 12:00:00" "$COMPLAINTSD" -c "$CONF" >>"$dir/daemon.log" 2>&1 &
pid=$!
connected() { [ "$(grep -c 'Connected to the IMAP server' "$dir/daemon.log")" -gt "$rounds" ]; }
check "the restarted daemon connects" it_wait_for 20 connected
sleep 3 # its first round: deadlines, the digest check, the outbox
kill -TERM "$pid"
wait "$pid" || true
check "Tuesday's run" at "2027-01-05 10:00:00"
check_eq "still one digest each" "$((w0 + 1)) $((a0 + 1))" "$(count "$WASTE") $(count "$ALERTS")"
check_eq "still one run" 1 "$(sql "SELECT count(*) FROM digest_runs")"

# --- sent by hand: queued at once, not counted as the week's
check "digest --send --to the waste team" ctl_at "2027-01-05 10:05:00" digest --send --to "$WASTE"
check "a run delivers it" at "2027-01-05 10:06:00"
check_eq "the waste team got it" $((w0 + 2)) "$(count "$WASTE" $((w0 + 2)))"
check_eq "the alerts address did not" $((a0 + 1)) "$(count "$ALERTS")"

# --- the next Monday: the new week's digest
check "run on Monday 11 January" at "2027-01-11 09:30:00"
check_eq "the waste team got the new week's" $((w0 + 3)) "$(count "$WASTE" $((w0 + 3)))"
check_eq "two runs" 2 "$(sql "SELECT count(*) FROM digest_runs")"

# --- the order of a case's mail
set_weekday ""
msg o "Olivia Officer <$OFFICER>" "Re: [$C] Library opening hours" "$VOUCHED" <<'EOF'
Dear Raj,

The library was shut because of a burst pipe; the sign should have said so.
I am sorry.

#outcome partly-upheld

Olivia Officer
EOF
check "the officer's response" it_once
check_eq "C responded" responded "$(it_field "$C" .status)"
# the escalation and a forged officer's mail, received by the server in the
# same second; the forged one's Message-ID sorts first
t=$(($(date +%s) - 30))
cat >"$dir/esc.eml" <<EOF
From: Raj Resident <$RAJ>
To: $COMPLAINTS
Subject: Re: [$C] Library opening hours
Message-ID: <z-escalation@example.org>
Date: $(date -R)
Content-Type: text/plain; charset=UTF-8

I am still not happy with this. Please take my complaint to stage 2.
EOF
cat >"$dir/forged.eml" <<EOF
From: Olivia Officer <$OFFICER>
To: $COMPLAINTS
Subject: Re: [$C] Library opening hours
Message-ID: <0-forged@example.net>
Date: $(date -R)
Content-Type: text/plain; charset=UTF-8

Raj, we consider this matter closed.

#close
EOF
python3 - "$MAILSTACK_HOST" "$IMAP_PORT" "$COMPLAINTS" "$MAILSTACK_PASSWORD_FILE" "$t" \
	"$dir/esc.eml" "$dir/forged.eml" <<'PY'
import imaplib, sys
host, port, user, pwfile, t = sys.argv[1:6]
imap = imaplib.IMAP4(host, int(port))
imap.login(user, open(pwfile).read().strip())
for f in sys.argv[6:]:
    data = open(f, "rb").read().replace(b"\n", b"\r\n")
    typ, resp = imap.append("INBOX", None, imaplib.Time2Internaldate(int(t)), data)
    assert typ == "OK", resp
imap.logout()
PY
check "the escalation and the forged mail" it_once
check_eq "C escalated, not closed by the forged mail" "2 open" \
	"$(it_field "$C" '"\(.stage) \(.status)"')"
order=$(ctl show "$C" --json | jq -r '[.messages[] | .message_id] | join(" ")')
pos() { local i=0; for id in $order; do [ "$id" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
esc=$(pos z-escalation@example.org)
forged=$(pos 0-forged@example.net)
check "show: both on the case" test "$esc" -ge 0 -a "$forged" -ge 0
check "show: the escalation before the forged mail received after it" test "$esc" -lt "$forged"
ack2=$(sql "SELECT message_id FROM outbox WHERE case_id = (SELECT id FROM cases WHERE ref = '$C') AND purpose = 'ack-stage2'")
check "show: the stage 2 acknowledgement after the escalation that caused it" \
	test "$(pos "$ack2")" -gt "$esc"
check "export" ctl export "$C" --output "$dir/c.mbox"
first_line() { grep -n -m1 -F "$1" "$dir/c.mbox" | cut -d: -f1; }
check "export: the escalation before the forged mail" \
	test "$(first_line '<z-escalation@example.org>')" -lt "$(first_line '<0-forged@example.net>')"
check "message N is the same mail as show's N" \
	grep -q 'Message-ID: <0-forged@example.net>' <(ctl message "$C" $((forged + 1)) --raw)

it_finish
