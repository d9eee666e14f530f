#!/usr/bin/env bash
# SMTP outage (SPEC.md section 4, "Outbox"): with OpenSMTPD down, complaints
# are still taken in and their acknowledgements queued in the same commit;
# delivery failures are deferred with backoff, not dropped.  Once OpenSMTPD
# is back and the retry time has come (the daemon's clock moved on with
# faketime), every reply is delivered exactly once.  Then OpenSMTPD is
# stopped in the middle of a run that is sending replies: the ones not yet
# accepted are deferred, and go out once after it returns (at most the one
# transaction cut off by the stop may arrive twice).
. "$(dirname "$0")/lib.sh"
count=$([ "$RELIABILITY_FULL" = 1 ] && echo 200 || echo 40)
rl_setup
rl_generate "$count"
mailstack_stop_smtp
rl_deliver "$dir"/gen/resident/*.eml

check "a run with SMTP down still succeeds" it_once
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "one case per complaint" "$count" "$(sql "SELECT count(*) FROM cases")"
# per case: the acknowledgement and the team's notification
check_eq "every reply is queued, none sent or failed" "queued:$((2 * count))" \
	"$(sql "SELECT group_concat(state || ':' || n) FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")"
check_eq "each has one failed attempt and a retry in about a minute" "1:1" \
	"$(sql "SELECT min(attempts) || ':' || max(attempts) FROM outbox")"
check "the retry is 60 s or more away" test "$(sql "SELECT min(next_attempt - created_at) FROM outbox")" -ge 60
check "the outage is logged" grep -q -i 'smtp\|deliver' "$dir/daemon.log"

check "a second run before the retry time sends nothing" it_once
check_eq "nothing sent yet" 0 "$(rl_sent_total)"

mailstack_start_smtp
# Still inside the backoff: nothing must go out yet.
check "a run with SMTP back, inside the backoff, succeeds" it_once
check_eq "still nothing sent inside the backoff" 0 "$(rl_sent_total)"

check "after the backoff every reply goes out" rl_drain resident
check_eq "every reply and notification sent" "$((2 * count))" "$(rl_sent_total)"
check_eq "no reply failed" 0 "$(sql "SELECT count(*) FROM outbox WHERE state != 'sent'")"
rl_check_acks resident "$count"

# A later run sends nothing again.
snap=$(rl_delivered_total resident)
check "one more run succeeds" it_once
sleep 1
check_eq "and delivers nothing more" "$snap" "$(rl_delivered_total resident)"

# OpenSMTPD goes away while a run is sending.
count2=$((count * 3))
rl_generate "$count2" second
rl_deliver "$dir"/gen/second/*.eml
it_once &
run=$!
sending() { [ "$(sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND rcpt LIKE 'second%'" 2>/dev/null || echo 0)" -ge 3 ]; }
it_wait_for 60 sending || true
mailstack_stop_smtp
rc=0
wait "$run" || rc=$?
check_eq "the run cut off from SMTP still exits 0" 0 "$rc"
sent=$(sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND rcpt LIKE 'second%'")
echo "# $sent of $count2 sent before the stop"
check "some replies were sent before the stop and some were not" test "$sent" -gt 0 -a "$sent" -lt "$count2"
check_eq "every complaint is recorded" "$count2" "$(sql "SELECT count(*) FROM cases WHERE complainant_email LIKE 'second%'")"
check_eq "INBOX is empty" 0 "$(rl_inbox)"
mailstack_start_smtp
check "after the outage every reply goes out" rl_drain second
rl_check_acks second "$count2" 1
it_finish
