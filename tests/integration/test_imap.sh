#!/usr/bin/env bash
# The IMAP adapter against real Dovecot (through tests/imap_probe): STARTTLS
# and implicit TLS with certificate checks, login failure, FETCH sizes and
# INTERNALDATE, MOVE to a folder it creates, IDLE noticing new mail; and a
# server that accepts the connection but never speaks, which must fail within
# the configured timeout instead of hanging.
. "$(dirname "$0")/lib.sh"

PROBE="$top_builddir/tests/imap_probe"
it_setup

probe() { # URL-SCHEME PORT [options...] COMMAND...
	local scheme=$1 port=$2
	shift 2
	"$PROBE" "$scheme://localhost:$port/INBOX" "$COMPLAINTS" "$MAILSTACK_PASSWORD_FILE" "$@"
}

# Wait until $1 messages are in the complaints INBOX (at most $2 seconds).
wait_inbox() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(mailstack_count "$COMPLAINTS" INBOX)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- fault injection: a silent peer, and one that drops the connection ----
# fake_peer MODE FILE: listen on a free port (written to FILE) until killed.
# silent: accept and never answer; drop: greet, read one command, close.
fake_peer() {
	python3 -c '
import socket, sys
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    if mode == "drop":
        c.sendall(b"* OK fake server ready\r\n")
        c.recv(4096)
        c.close()
    else:
        held.append(c)
' "$1" >"$2" &
	fake_pid=$!
	for _ in $(seq 50); do [ -s "$2" ] && break; sleep 0.1; done
	fake_port=$(cat "$2")
}

# run_timed DESCRIPTION-PREFIX EXPECTED-RC MIN-MS MAX-MS probe arguments...
run_timed() {
	local what=$1 want=$2 min=$3 max=$4 start rc elapsed
	shift 4
	start=$(date +%s%N)
	"$PROBE" "$@" >/dev/null 2>"$dir/fault.err" && rc=0 || rc=$?
	elapsed=$((($(date +%s%N) - start) / 1000000))
	check_eq "$what gives server-bad" "$want" "$rc"
	check "$what ends in time (${elapsed} ms)" test "$elapsed" -ge "$min" -a "$elapsed" -lt "$max"
}

fake_peer silent "$dir/silent.port"
for scheme in imap imaps; do
	run_timed "$scheme: a silent server" 13 1500 5000 \
		"$scheme://127.0.0.1:$fake_port/INBOX" "$COMPLAINTS" "$MAILSTACK_PASSWORD_FILE" \
		--timeout 2 login
done
kill "$fake_pid" 2>/dev/null || true
wait "$fake_pid" 2>/dev/null || true

fake_peer drop "$dir/drop.port"
run_timed "a server that drops the connection at LOGIN" 13 0 2000 \
	"imap://127.0.0.1:$fake_port/INBOX" "$COMPLAINTS" "$MAILSTACK_PASSWORD_FILE" \
	--plain --timeout 10 login
check "the error names the command that failed" grep -q "server-bad: LOGIN: connection closed" "$dir/fault.err"
kill "$fake_pid" 2>/dev/null || true
wait "$fake_pid" 2>/dev/null || true

# --- deliver three messages through the real MTA ---------------------------
for f in 01-resident-complaint 02-outlook-html-complaint 03-councillor-forward; do
	mailstack_send jane.resident@example.net "$COMPLAINTS" "$MAILDIR_SRC/$f.eml"
done
check "three messages delivered" wait_inbox 3 20

# --- TLS and login -----------------------------------------------------------
out=$(probe imap "$IMAP_PORT" --ca "$MAILSTACK_CA" login 2>&1) && rc=0 || rc=$?
check_eq "STARTTLS login verified against the private CA" "0 ok" "$rc ${out%% *}"

out=$(probe imaps "$IMAPS_PORT" --ca "$MAILSTACK_CA" login 2>&1) && rc=0 || rc=$?
check_eq "IMAPS login verified against the private CA" "0 ok" "$rc ${out%% *}"
check "the server offers IDLE and MOVE after login" grep -q "idle=1 move=1" <<<"$out"

out=$(probe imaps "$IMAPS_PORT" login 2>&1) && rc=0 || rc=$?
check_eq "IMAPS without the CA is refused as tls-bad" 15 "$rc"
check "the refusal says why" grep -q "tls-bad: TLS: certificate of localhost not trusted" <<<"$out"

out=$(probe imap "$IMAP_PORT" login 2>&1) && rc=0 || rc=$?
check_eq "STARTTLS without the CA is refused as tls-bad" 15 "$rc"

out=$(probe imaps "$IMAPS_PORT" --no-verify login 2>&1) && rc=0 || rc=$?
check_eq "--no-verify connects anyway" "0 ok" "$rc ${out%% *}"

echo "not-the-password" >"$dir/wrong-password"
out=$("$PROBE" "imaps://localhost:$IMAPS_PORT/INBOX" "$COMPLAINTS" "$dir/wrong-password" \
	--ca "$MAILSTACK_CA" login 2>&1) && rc=0 || rc=$?
check_eq "a wrong password gives auth-bad" 14 "$rc"
check "the password is not echoed in the error" bash -c '! grep -q "not-the-password" <<<"$1"' _ "$out"
check "the server's refusal text is passed on" grep -qi "auth" <<<"$out"

# --- FETCH -------------------------------------------------------------------
probe imaps "$IMAPS_PORT" --ca "$MAILSTACK_CA" fetch-all >"$dir/fetch.out"
check_eq "fetch-all returns three messages" 3 "$(grep -c '^msg ' "$dir/fetch.out")"
now=$(date +%s)
bad=$(awk -v now="$now" '$1 == "msg" && ($3 != $4 || $3 < 200 || $5 < now - 60 || $5 > now + 60)' \
	"$dir/fetch.out")
check_eq "every body has its RFC822.SIZE and an INTERNALDATE within a minute" "" "$bad"
src_min=$(wc -c <"$MAILDIR_SRC/01-resident-complaint.eml")
check "a delivered message is at least as large as its source" \
	awk -v m="$src_min" '$1 == "msg" && $3 >= m { f = 1 } END { exit !f }' "$dir/fetch.out"
probe imaps "$IMAPS_PORT" --ca "$MAILSTACK_CA" fetch-all 100 >"$dir/fetch-small.out"
check_eq "messages over the size limit come without a body" 3 \
	"$(awk '$1 == "msg" && $4 == -1' "$dir/fetch-small.out" | wc -l)"
check_eq "fetching did not mark anything read or move it" 3 "$(mailstack_count "$COMPLAINTS" INBOX)"

# --- MOVE --------------------------------------------------------------------
out=$(probe imap "$IMAP_PORT" --ca "$MAILSTACK_CA" move-all Processed 2>&1) && rc=0 || rc=$?
check_eq "move-all moves three" "0 moved 3" "$rc $out"
check_eq "INBOX is empty after the move" 0 "$(mailstack_count "$COMPLAINTS" INBOX)"
check_eq "Processed holds the three" 3 "$(mailstack_count "$COMPLAINTS" Processed)"
out=$(probe imap "$IMAP_PORT" --ca "$MAILSTACK_CA" ensure Processed 2>&1) && rc=0 || rc=$?
check_eq "ensuring an existing folder succeeds" "0 ok" "$rc $out"
out=$(probe imap "$IMAP_PORT" --ca "$MAILSTACK_CA" ensure "R&D" 2>&1) && rc=0 || rc=$?
check_eq "a folder name with & is created" "0 ok" "$rc $out"
out=$("$PROBE" "imap://localhost:$IMAP_PORT/R%26D" "$COMPLAINTS" "$MAILSTACK_PASSWORD_FILE" \
	--ca "$MAILSTACK_CA" list 2>&1) && rc=0 || rc=$?
check_eq "and can be selected by its URL-escaped name" "0 uidvalidity" "$rc ${out%% *}"
out=$(probe imap "$IMAP_PORT" --ca "$MAILSTACK_CA" ensure "Caf$(printf '\303\251')" 2>&1) && rc=0 || rc=$?
check_eq "a non-ASCII folder name is refused as a name the server cannot take (name-bad)" 16 "$rc"
check "the refusal says ASCII" grep -q "ASCII" <<<"$out"

# --- IDLE --------------------------------------------------------------------
probe imaps "$IMAPS_PORT" --ca "$MAILSTACK_CA" idle 10 >"$dir/idle.out" 2>&1 &
idle_pid=$!
for _ in $(seq 100); do grep -q '^idling' "$dir/idle.out" && break; sleep 0.1; done
check "IDLE started" grep -q '^idling idle=1' "$dir/idle.out"
sleep 0.5
sent=$(date +%s%N)
mailstack_send jane.resident@example.net "$COMPLAINTS" "$MAILDIR_SRC/01-resident-complaint.eml"
for _ in $(seq 40); do grep -q '^new-mail' "$dir/idle.out" && break; sleep 0.05; done
seen_ms=$((($(date +%s%N) - sent) / 1000000))
check "IDLE reports the new mail within 2 s of sending (${seen_ms} ms)" \
	grep -q '^new-mail' "$dir/idle.out"
wait "$idle_pid" && rc=0 || rc=$?
check_eq "the idle probe exits 0 on new mail" 0 "$rc"

it_finish
