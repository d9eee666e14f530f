#!/usr/bin/env bash
# A restored backup loses nothing (SPEC section 8).  Monday's complaints are
# processed; Tuesday's arrive in waves while the long-running daemon ingests
# them, and `complaintsctl backup` is taken in the middle of it.  Then the
# server is "lost": the mid-ingest backup is restored.  The daemon is
# started and killed with SIGKILL in the middle of its recovery (twice), then
# started cleanly.  At the end the store is what it was before the loss: every
# message in exactly one case or in quarantine, the same cases under the
# same references with the same dates, every complainant acknowledged
# exactly once (the acknowledgements sent after the backup are found in the
# Sent folder and not sent again), nothing submitted twice.
# Prints the figures: cases recovered, replies found, replies re-sent, duplicates.
# CI: 40 + 60 messages; RELIABILITY_FULL=1: 300 + 600.
. "$(dirname "$0")/lib.sh"
if [ "$RELIABILITY_FULL" = 1 ]; then
	monday=300 tuesday=600
else
	monday=40 tuesday=60
fi
rl_setup
rl_set imap batch_size 10
rl_set replies max_auto_replies_per_day 10
echo "# seed $RELIABILITY_SEED, $monday + $tuesday messages"
rl_generate "$monday" monday
rl_generate "$tuesday" tuesday
mapfile -t tfiles < <(ls "$dir"/gen/tuesday/*.eml)

daemon_pid=
stop_daemon() {
	[ -z "$daemon_pid" ] || kill -KILL "$daemon_pid" 2>/dev/null
	it_teardown
}
trap stop_daemon EXIT
snapshot() { # the cases as a restore must bring them back
	sqlite3 "${1:-$dir/complaints.db}" "SELECT ref || ' ' || complainant_email || ' ' || kind || ' ' ||
		stage || ' ' || received_at || ' ' || received_date || ' ' || ack_due || ' ' || response_due
		FROM cases ORDER BY ref"
}

# --- Monday
rl_deliver "$dir"/gen/monday/*.eml
check "Monday's run" it_once
check "Monday's replies go out" rl_drain monday

# --- Tuesday, in waves, with the backup taken while the daemon ingests
"$COMPLAINTSD" -c "$dir/complaintsd.conf" >>"$dir/daemon.log" 2>&1 &
daemon_pid=$!
wave=$(((tuesday + 2) / 3))
rl_deliver "${tfiles[@]:0:wave}"
recorded() { [ "$(sql 'SELECT count(*) FROM messages')" -gt "$1" ]; }
it_wait_for 60 recorded "$monday" || true
# the second wave's replies wait in the outbox at the time of the backup
mailstack_stop_smtp
rl_deliver "${tfiles[@]:wave:wave}"
it_wait_for 60 recorded $((monday + wave)) || true
check "a backup while the daemon ingests" ctl backup "$dir/mid.db"
mid_cases=$(sqlite3 "$dir/mid.db" "SELECT count(*) FROM cases")
echo "# the backup holds $mid_cases cases ($(sqlite3 "$dir/mid.db" "SELECT count(*) FROM outbox WHERE state = 'queued'") replies queued)"
check_eq "the backup passes an integrity check of its own" ok "$(sqlite3 "$dir/mid.db" "PRAGMA integrity_check")"
check_eq "and a foreign-key check" "" "$(sqlite3 "$dir/mid.db" "PRAGMA foreign_key_check")"
check_eq "every case in the backup has its message (no half transaction)" "" \
	"$(sqlite3 "$dir/mid.db" "SELECT ref FROM cases c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id) LIMIT 3")"
check "the backup is from the middle of Tuesday" test "$mid_cases" -gt "$monday" -a "$mid_cases" -lt $((monday + tuesday))
check "replies were queued at the time of the backup" \
	test "$(sqlite3 "$dir/mid.db" "SELECT count(*) FROM outbox WHERE state = 'queued'")" -gt 0
mailstack_start_smtp
rl_deliver "${tfiles[@]:$((2 * wave))}"
all_in() { [ "$(rl_inbox)" = 0 ] && [ "$(sql "SELECT count(*) FROM messages")" -ge $((monday + tuesday)) ]; }
check "the daemon takes in all of Tuesday" it_wait_for 120 all_in
kill -TERM "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=
check "Tuesday's replies go out" rl_drain tuesday
before=$(snapshot)
sent_before=$(rl_sent_total)
delivered_before=$(($(rl_delivered_total monday) + $(rl_delivered_total tuesday)))
check_eq "every message has its case before the loss" $((monday + tuesday)) "$(echo "$before" | grep -c .)"

# --- the server is lost: the mid-ingest backup restored
cp "$dir/mid.db" "$dir/complaints.db"
rm -f "$dir/complaints.db-wal" "$dir/complaints.db-shm"
restored=$(sql "SELECT count(*) FROM cases")

# Killed during recovery itself, deterministically: the daemon's log goes to
# a pipe of one page that is no longer read once the first recovered step
# has been logged, so the daemon blocks on its next page of log lines, well
# before the last step and the commit; then SIGKILL.
kill_in_recovery() { # LOG
	python3 - "$COMPLAINTSD" "$dir/complaintsd.conf" "$1" <<'PY'
import fcntl, os, signal, subprocess, sys, time
daemon, conf, log = sys.argv[1:4]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: one page
p = subprocess.Popen([daemon, "-c", conf], stdout=w, stderr=w)
os.close(w)
seen, buf, deadline = False, b"", time.time() + 120
with open(log, "ab") as out:
    while not seen and time.time() < deadline:
        chunk = os.read(r, 512)
        if not chunk:
            break
        out.write(chunk)
        buf += chunk
        seen = b"Recovery: CMP-" in buf
time.sleep(1)  # the daemon fills the pipe and blocks
alive = p.poll() is None
p.send_signal(signal.SIGKILL)
p.wait()
os.close(r)
print("killed" if seen and alive else "missed")
PY
}
kills=0
for k in 1 2; do
	how=$(kill_in_recovery "$dir/daemon.log")
	[ "$how" = killed ] && kills=$((kills + 1))
	echo "#   kill $k during recovery ($how): $(sql 'SELECT count(*) FROM cases') cases"
	check_eq "killed during recovery ($k): nothing of it kept" "$restored" "$(sql "SELECT count(*) FROM cases")"
done
check_eq "killed during recovery twice" 2 "$kills"

# the clean start
: >"$dir/start.log"
check "the clean start after the kills" sh -c "'$COMPLAINTSD' -c '$dir/complaintsd.conf' --once >>'$dir/start.log' 2>&1"
cat "$dir/start.log" >>"$dir/daemon.log"
summary=$(grep -o 'Recovery: [0-9]* messages\? taken up.*' "$dir/start.log" | head -1)
echo "# $summary"
check_eq "the same cases, references, kinds, stages and dates as before the loss" "$before" "$(snapshot)"
check "the outbox drains" rl_drain tuesday
check_eq "every Monday Message-ID is recorded once, in a case or quarantined" "" \
	"$(rl_unaccounted "$dir/gen/monday.ids" | head -n 5)"
check_eq "every Tuesday Message-ID is recorded once, in a case or quarantined" "" \
	"$(rl_unaccounted "$dir/gen/tuesday.ids" | head -n 5)"
rl_check_no_dup_cases monday
rl_check_no_dup_cases tuesday
rl_check_acks monday "$monday"
rl_check_acks tuesday "$tuesday"
resent=$(grep -c 'is not in the Sent folder; it is sent now' "$dir/start.log" || true)
found=$(grep -c 'found in the Sent folder' "$dir/start.log" || true)
delivered_after=$(($(rl_delivered_total monday) + $(rl_delivered_total tuesday)))
dups=$((delivered_after - delivered_before))
check_eq "no resident got a mail twice" 0 "$dups"
check_eq "the store records as many sent mails as before the loss" "$sent_before" "$(rl_sent_total)"
check_eq "nothing logged as a crash or sanitizer report" "" \
	"$(grep -E 'AddressSanitizer|runtime error|LeakSanitizer' "$dir/daemon.log" | head -n 3)"
echo "# figures: $((monday + tuesday - restored)) cases recovered, $found sent mails found in Sent, $resent replies re-sent, duplicates: $dups"
it_finish
