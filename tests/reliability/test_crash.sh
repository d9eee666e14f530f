#!/usr/bin/env bash
# Crash safety (SPEC.md section 4, "No loss"): complaints are delivered to the
# mailbox in four waves while complaintsd, long-running or --once, is killed
# with SIGKILL in the middle of its intake and restarted, with OpenSMTPD
# stopped so the acknowledgements pile up in the outbox; then, with
# OpenSMTPD back, killed a few more times while it is sending them; then
# clean runs.  The kill points are drawn from what is happening, not from
# a clock: each run is killed once the recorded count has moved twice (two
# batches committed), after a random part (seeded) of the time between the
# two, so kills land in the next batch's intake, its commit, or the
# MOVE of the batch just committed; the test fails unless most kills caught
# an intake half done (INBOX not empty after the kill, something recorded).
# At the end every message is in exactly one case or in quarantine, no case
# is duplicated, every complainant got exactly one acknowledgement, and
# INBOX is empty.  A reply whose SMTP transaction a kill interrupted may be
# delivered twice with the same Message-ID (at most one per kill).
# CI: 200 messages, 8 kills; RELIABILITY_FULL=1: 2000 messages, 60 kills.
. "$(dirname "$0")/lib.sh"
if [ "$RELIABILITY_FULL" = 1 ]; then
	count=${RELIABILITY_MESSAGES:-2000} kills=${RELIABILITY_KILLS:-60}
else
	count=${RELIABILITY_MESSAGES:-200} kills=${RELIABILITY_KILLS:-8}
fi
rl_setup
# batches small enough that the mail outlasts the kills (a kill lets a run
# commit two batches or a few; six batches of mail a kill), whatever the sizes
batch=$((count / (kills * 6) > 3 ? count / (kills * 6) : 3))
rl_set imap batch_size "$batch"
echo "# seed $RELIABILITY_SEED, $count messages, $kills kills, batches of $batch"
rl_generate "$count"
mapfile -t files < <(ls "$dir"/gen/resident/*.eml)

daemon_pid=
stop_daemon() {
	[ -z "$daemon_pid" ] || { kill -KILL "$daemon_pid" 2>/dev/null; rl_faketime_forget "$daemon_pid"; }
	[ -z "${REC_PID:-}" ] || kill "$REC_PID" 2>/dev/null || true
	it_teardown
}
trap stop_daemon EXIT

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# rec VAR: the rows recorded, read beside the running daemon by one sqlite3
# kept open (WAL: a reader waits out a checkpoint).  A sqlite3 started for
# every look took longer than a batch of a few messages, so a run could
# finish its mail between two looks.  pause: 2 ms without starting a process.
rec() {
	local v=-1
	echo 'SELECT count(*) FROM messages;' >&"${REC[1]}"
	read -r v <&"${REC[0]}" || true
	printf -v "$1" '%s' "$v"
}
pause() { read -rt 0.002 -u "${REC[0]}" _ || true; }

# A first run on the empty mailbox creates the database (and compiles the rules).
check "a first run on an empty mailbox" it_once
coproc REC { exec sqlite3 -batch -cmd '.timeout 5000' "$dir/complaints.db"; }
mailstack_stop_smtp
wave=$(((count + 3) / 4)) delivered=0 killed_busy=0 half_done=0 kills_done=0
# how long a batch and its MOVE take here, from one commit to the next (ms):
# measured by each run that commits twice
batch_ms=50
for ((i = 0; i < kills; i++)); do
	# four waves: one every quarter of the kills, or sooner once less than
	# the four batches a kill needs is still to be recorded (INBOX also holds
	# mail recorded and not yet moved: batches committed during a MOVE are
	# moved together after it)
	inbox=$(rl_inbox)
	rec n
	if ((delivered < count && (delivered - n < 4 * batch ||
		i % (kills / 4 > 0 ? kills / 4 : 1) == 0))); then
		rl_deliver "${files[@]:delivered:wave}"
		delivered=$((delivered + wave < count ? delivered + wave : count))
		inbox=$(rl_inbox)
	fi
	((inbox > 0)) || break # everything is in: no intake left to interrupt
	rec before
	if ((i % 2)); then
		"$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1 &
	else
		"$COMPLAINTSD" -c "$dir/complaintsd.conf" >>"$dir/daemon.log" 2>&1 &
	fi
	daemon_pid=$!
	t0=$(now_ms)
	# Wait (at most 120 s) for two commits: their interval is this run's
	# batch time (mail is fetched ahead, so a batch can take a few ms).
	# Then kill it a random part of that time after the second commit, in
	# the middle of the next batch.  A run whose mail ends after one commit
	# (the last batch of a wave) is killed once three of the last measured
	# batch times have passed without another.
	moves=0 moved_at=0 last=$before delay=0 n=$before kill_at=0
	while kill -0 "$daemon_pid" 2>/dev/null; do
		t=$(now_ms)
		((t - t0 < 120000)) || break
		rec n
		((n >= 0)) || n=$last
		if ((n != last)); then
			moves=$((moves + 1))
			if ((moves == 1)); then
				kill_at=$((t + 3 * batch_ms + 20))
			elif ((moves == 2)); then
				batch_ms=$((t - moved_at))
				delay=$((RANDOM % (batch_ms + 1)))
				kill_at=$((t + delay))
			fi
			moved_at=$t last=$n
		fi
		((moves > 0 && t >= kill_at)) && break
		pause
	done
	if kill -KILL "$daemon_pid" 2>/dev/null; then
		killed_busy=$((killed_busy + 1))
	fi
	wait "$daemon_pid" 2>/dev/null || true
	daemon_pid=
	kills_done=$((kills_done + 1))
	inbox=$(rl_inbox)
	rec n
	state="finished or idle"
	if ((moved_at > 0 && inbox > 0 && n > before)); then
		half_done=$((half_done + 1)) state="intake half done"
	fi
	echo "#   kill $((i + 1)) $delay ms after a commit (batch ${batch_ms} ms): INBOX $inbox, $n recorded ($((n - before)) this run), $(rl_sent_total) sent: $state"
done
((delivered < count)) && rl_deliver "${files[@]:delivered}"
echo "# $half_done of $kills_done kills caught an intake half done"
check "the daemon was killed while running at least $((kills / 2)) times" test "$killed_busy" -ge $((kills / 2))
check "most kills caught an intake half done ($half_done of $kills_done, $kills planned)" \
	test $((half_done * 2)) -gt "$kills"

check_eq "nothing was sent while OpenSMTPD was down" 0 "$(rl_sent_total)"

# Then kills while replies are going out: the clock moved past the retry
# backoff so they are all due, wait until the daemon has sent one more,
# give it a few more milliseconds, kill it.  Should the kills above all
# have come before anything was recorded (a very slow machine), a run with
# OpenSMTPD still down queues the replies first.
queued() { sql "SELECT count(*) FROM outbox WHERE state = 'queued'"; }
[ "$(queued)" -gt 0 ] || it_once || true
mailstack_start_smtp
sending_kills=$((kills / 4 > 3 ? kills / 4 : 3)) killed_sending=0
sent_more() { [ "$(rl_sent_total)" -gt "$1" ]; }
for ((i = 0; i < sending_kills; i++)); do
	before=$(rl_sent_total)
	[ "$(queued)" -gt 0 ] || break
	rl_faketime_preload +2h "$COMPLAINTSD" -c "$dir/complaintsd.conf" >>"$dir/daemon.log" 2>&1 &
	daemon_pid=$!
	if it_wait_for 60 sent_more "$before"; then
		ms=$((RANDOM % 300))
		sleep "0.$(printf '%03d' "$ms")"
		kill -KILL "$daemon_pid" 2>/dev/null && killed_sending=$((killed_sending + 1))
	else
		kill -KILL "$daemon_pid" 2>/dev/null || true
	fi
	wait "$daemon_pid" 2>/dev/null || true
	rl_faketime_forget "$daemon_pid"
	daemon_pid=
	echo "#   kill while sending $((i + 1)): $(rl_sent_total) sent"
done
check "the daemon was killed while sending at least once" test "$killed_sending" -ge 1

check "a clean run after the crashes succeeds" it_once
check "the outbox drains and every reply reaches its mailbox" rl_drain resident
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "every message is in Processed or Quarantine" "$count" \
	"$(($(mailstack_imap_count "$COMPLAINTS" Processed) + $(mailstack_imap_count "$COMPLAINTS" Quarantine)))"
check_eq "every Message-ID is recorded once, in a case or quarantined" "" \
	"$(rl_unaccounted "$dir/gen/resident.ids" | head -n 5)"
check_eq "one case per complainant" "$count" "$(sql "SELECT count(DISTINCT complainant_email) FROM cases WHERE complainant_email LIKE 'resident%'")"
rl_check_no_dup_cases resident
# A kill between OpenSMTPD's "250 accepted" and the commit that marks the
# reply sent makes the next run send the same mail (same Message-ID) again;
# each kill can interrupt at most one SMTP transaction.
rl_check_acks resident "$count" "$((kills_done + killed_sending))"
check_eq "nothing logged as a crash or sanitizer report" "" \
	"$(grep -E 'AddressSanitizer|runtime error|LeakSanitizer' "$dir/daemon.log" | head -n 3)"
it_finish
