#!/usr/bin/env bash
# IMAP outage: Dovecot is restarted while the long-running daemon waits in
# IDLE (polling set to an hour, so only IDLE or a reconnect can explain a
# pickup).  The daemon must reconnect and process new mail within 10 s of
# Dovecot being back, every time: two quick restarts (ten in the full
# run), then one outage of RELIABILITY_OUTAGE seconds (default 20; its
# reconnect backoff must not outgrow the 10 s either).
. "$(dirname "$0")/lib.sh"
rounds=$([ "$RELIABILITY_FULL" = 1 ] && echo 10 || echo 2)
rl_setup
rl_set imap poll_seconds 3600
rl_set imap idle yes
outage=${RELIABILITY_OUTAGE:-20}
rl_generate "$((rounds + 2))"
mapfile -t files < <(ls "$dir"/gen/resident/*.eml)

"$COMPLAINTSD" -c "$dir/complaintsd.conf" >>"$dir/daemon.log" 2>&1 &
pid=$!
stop_daemon() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; it_teardown; }
trap stop_daemon EXIT

processed() { # N: N messages in Processed, by Dovecot's count
	[ "$(mailstack_imap_count "$COMPLAINTS" Processed 2>/dev/null || echo -1)" = "$1" ]
}

# pickup_ms N: wait (up to 60 s) until N messages are in Processed; print
# the milliseconds since $t0, or "never".
pickup_ms() {
	if it_wait_for 60 processed "$1"; then
		echo $((($(date +%s%N) - t0) / 1000000))
	else
		echo never
	fi
}
within_10s() { [ "$1" != never ] && [ "$1" -le 10000 ]; }

rl_deliver "${files[0]}"
check "the first mail is processed" it_wait_for 20 processed 1
for ((i = 1; i <= rounds; i++)); do
	sleep 1 # let the daemon settle into IDLE
	mailstack_restart_imap
	t0=$(date +%s%N)
	rl_deliver "${files[i]}"
	ms=$(pickup_ms "$((i + 1))")
	check "restart $i: new mail processed within 10 s of Dovecot being back ($ms ms)" within_10s "$ms"
	check "restart $i: the daemon is still running" kill -0 "$pid"
done
mailstack_stop_imap
sleep "$outage"
mailstack_start_imap
t0=$(date +%s%N)
rl_deliver "${files[rounds + 1]}"
ms=$(pickup_ms "$((rounds + 2))")
check "after a ${outage} s outage: new mail processed within 10 s of Dovecot being back ($ms ms)" within_10s "$ms"
within_10s "$ms" || grep -E 'Cannot reach|reconnect|Connected' "$dir/daemon.log" | tail -n 6 | sed 's/^/#   /'
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "one case per mail" "$((rounds + 2))" "$(sql "SELECT count(*) FROM cases")"
check "the loss of the connection is logged" grep -q -i 'reconnect\|cannot reach\|IDLE ended' "$dir/daemon.log"
kill -TERM "$pid"
check "SIGTERM stops it cleanly" wait "$pid"
check "a clean stop is logged" grep -q '^<6>complaintsd: Stopped' "$dir/daemon.log"
it_finish
