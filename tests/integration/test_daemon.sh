#!/usr/bin/env bash
# The long-running daemon: new mail is picked up through IMAP IDLE (polling is
# set to an hour, so only IDLE can explain it), sd_notify READY/STATUS reach
# the notify socket, SIGHUP reloads (a broken file is refused and the running
# configuration kept), and SIGTERM stops it cleanly.
. "$(dirname "$0")/lib.sh"
it_setup
sed -i 's/^poll_seconds = .*/poll_seconds = 3600/' "$dir/complaintsd.conf"

# A notify socket, as systemd would give it.
export NOTIFY_SOCKET="$dir/notify.sock"
python3 - "$NOTIFY_SOCKET" "$dir/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode(errors="replace").replace("\n", " | ") + "\n")
PY
notify_pid=$!
for _ in $(seq 50); do [ -S "$NOTIFY_SOCKET" ] && break; sleep 0.1; done

"$COMPLAINTSD" -c "$dir/complaintsd.conf" >"$dir/daemon.log" 2>&1 &
pid=$!
cleanup_daemon() { kill "$pid" "$notify_pid" 2>/dev/null || true; it_teardown; }
trap cleanup_daemon EXIT

has_mail() { [ -n "$(mailstack_messages "$1" INBOX 2>/dev/null)" ]; }
check "READY=1 after the first mailbox pass" it_wait_for 60 grep -q 'READY=1' "$dir/notify.log"
check "STATUS= says how many cases are open" it_wait_for 30 grep -q 'STATUS=.*open cases' "$dir/notify.log"
check "and how many replies are held back" grep -q 'STATUS=.*, 0 held;' "$dir/notify.log"
check "officer authentication is on: STATUS= has no warning" sh -c "! grep -q 'OFFICER AUTHENTICATION OFF' '$dir/notify.log'"

cat >"$dir/c.eml" <<MAIL
From: Nia Resident <nia@example.net>
To: $COMPLAINTS
Subject: Broken swing in the park
Message-ID: <nia-1@example.net>

I want to complain that the swing has been broken for a month.
MAIL
mailstack_send nia@example.net "$COMPLAINTS" "$dir/c.eml"
# Within 20 s: the daemon also wakes once a minute for deadlines, so only a
# short wait proves IDLE (the bench measures the latency itself, ~0.6 s p99).
check "a new mail is acknowledged without polling (IDLE)" it_wait_for 20 has_mail nia@example.net
check_eq "the case exists" 1 "$(sql 'SELECT count(*) FROM cases')"

# SIGHUP with a broken file: refused, the daemon keeps running on the old one.
cp "$dir/complaintsd.conf" "$dir/good.conf"
echo "bogus_key = 1" >>"$dir/complaintsd.conf"
kill -HUP "$pid"
check "a broken reload is refused" it_wait_for 60 grep -q 'keeping the running one' "$dir/daemon.log"
check "the error names file and line" grep -q "complaintsd.conf:[0-9]*: .*bogus_key" "$dir/daemon.log"
check "still running" kill -0 "$pid"
# a good one, which turns officer authentication off: never silently
sed -e 's/^trusted_authserv_id = .*/officer_auth_required = no/' "$dir/good.conf" >"$dir/complaintsd.conf"
kill -HUP "$pid"
check "a good reload is applied" it_wait_for 60 grep -q 'Reloaded configuration' "$dir/daemon.log"
check "authentication off is warned about" grep -q 'officer_auth_required = no: mail from an officer address is believed' "$dir/daemon.log"
check "RELOADING=1 was announced" grep -q 'RELOADING=1' "$dir/notify.log"

# Mail after the reload is still picked up.
sed -e 's/nia@/owen@/; s/nia-1@/owen-1@/; s/Nia/Owen/' "$dir/c.eml" >"$dir/c2.eml"
mailstack_send owen@example.net "$COMPLAINTS" "$dir/c2.eml"
check "mail after the reload is acknowledged" it_wait_for 20 has_mail owen@example.net
check "STATUS= then says officer authentication is off" it_wait_for 20 grep -q 'STATUS=OFFICER AUTHENTICATION OFF; ' "$dir/notify.log"

kill -TERM "$pid"
rc=0
it_wait_for 60 sh -c "! kill -0 $pid 2>/dev/null" || rc=1
check_eq "SIGTERM stops it" 0 "$rc"
wait "$pid" 2>/dev/null && status=0 || status=$?
check_eq "exit status 0" 0 "$status"
check "STOPPING=1 was announced" grep -q 'STOPPING=1' "$dir/notify.log"
check "it said so in the log" grep -q 'Stopped:' "$dir/daemon.log"
check_eq "INBOX empty" 0 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"
it_finish
