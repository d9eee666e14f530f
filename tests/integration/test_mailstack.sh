#!/usr/bin/env bash
# The integration harness itself: two private mail stacks (real OpenSMTPD and
# Dovecot) run side by side; mail sent through each OpenSMTPD lands in that
# stack's Maildirs only, Dovecot serves it over IMAP, STARTTLS and IMAPS with
# the stack's own CA (and not without it), folders created over IMAP work,
# OpenSMTPD and Dovecot survive a stop/start, a start that fails leaves
# nothing running, and stopping leaves no process and no mount behind.
set -euo pipefail

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=../harness/mailstack.sh
. "$top_srcdir/tests/harness/mailstack.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the mail stack needs root"
	exit 77
fi

COMPLAINTS=complaints@council.example
RESIDENT=jane.resident@example.net
passed=0
failed=0
top=$(mktemp -d /tmp/complaintsd-mailstack.XXXXXX)
# The stacks' mail is written by user nobody, who must get through $top.
chmod 0711 "$top"
a=$top/a
b=$top/b

cleanup() {
	local rc=$?
	mailstack_stop "$a" >/dev/null 2>&1 || true
	mailstack_stop "$b" >/dev/null 2>&1 || true
	if [ $rc -eq 0 ] && [ $failed -eq 0 ]; then
		rm -rf "$top"
	else
		echo "(test files kept in $top)" >&2
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	echo "ok - $1"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok - $1"
	failed=$((failed + 1))
}

# check NAME COMMAND...: the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# check_fails_with NAME CODE COMMAND...: the command exits with CODE.
check_fails_with() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >/dev/null 2>&1 || rc=$?
	check_eq "$name" "$want" "$rc"
}

password() {
	cat "$MAILSTACK_PASSWORD_FILE"
}

# curl_imap URL USER CMD [curl options]: one IMAP command as USER.
curl_imap() {
	local url=$1 user=$2 cmd=$3
	shift 3
	curl -sS --max-time 10 --url "$url" --user "$user:$(password)" -X "$cmd" "$@"
}

# Start both stacks at the same time.
start_ok=1
mailstack_start "$a" >"$top/a.out" 2>&1 &
pid_a=$!
mailstack_start "$b" >"$top/b.out" 2>&1 &
pid_b=$!
wait $pid_a || start_ok=0
wait $pid_b || start_ok=0
if [ $start_ok -eq 0 ]; then
	cat "$top/a.out" "$top/b.out" >&2
	not_ok "two stacks start at once"
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "two stacks start at once"

mailstack_use "$a"
ports_a="$IMAP_PORT $IMAPS_PORT $SMTP_PORT"
pids_a=$(cat "$MAILSTACK_DOVECOT_PIDFILE" "$MAILSTACK_SMTPD_PIDFILE")
ns_a=$(readlink "/proc/$(cat "$MAILSTACK_SMTPD_PIDFILE")/ns/mnt")
mailstack_use "$b"
ports_b="$IMAP_PORT $IMAPS_PORT $SMTP_PORT"
pids_b=$(cat "$MAILSTACK_DOVECOT_PIDFILE" "$MAILSTACK_SMTPD_PIDFILE")
check "the stacks use different ports" \
	test -z "$(echo "$ports_a $ports_b" | tr ' ' '\n' | sort | uniq -d)"
check "OpenSMTPD runs in a private mount namespace" \
	test "$ns_a" != "$(readlink /proc/self/ns/mnt)"
check "no mount of a stack is visible outside it" \
	test -z "$(grep -F "$top" /proc/self/mounts || true)"

for dir in "$a" "$b"; do
	mailstack_use "$dir"
	n=$(basename "$dir")
	cat >"$dir/complaint.eml" <<EOF
From: Jane Resident <$RESIDENT>
To: Complaints <$COMPLAINTS>
Subject: Missed bin collection ($n)
Message-ID: <mailstack-$n@example.net>

The bins on Elm Road were missed again.
EOF
	cat >"$dir/reply.eml" <<EOF
From: Complaints <$COMPLAINTS>
To: <$RESIDENT>
Subject: Re: Missed bin collection ($n)
Message-ID: <reply-$n@council.example>

We have received your complaint.
EOF
	check "$n: OpenSMTPD accepts mail for the council" \
		mailstack_send "$RESIDENT" "$COMPLAINTS" "$dir/complaint.eml"
	check "$n: OpenSMTPD accepts mail for a resident" \
		mailstack_send "$COMPLAINTS" "$RESIDENT" "$dir/reply.eml"
	check "$n: delivered to the council's Maildir" \
		mailstack_wait_count "$COMPLAINTS" INBOX 1
	check "$n: delivered to the resident's Maildir" \
		mailstack_wait_count "$RESIDENT" INBOX 1
	msg=$(mailstack_messages "$COMPLAINTS" INBOX)
	check "$n: the delivered file is the message sent" \
		grep -q "^Subject: Missed bin collection ($n)" "$msg"
	check "$n: the Maildir file has plain LF line ends" \
		test -z "$(tr -cd '\r' <"$msg")"
	check_eq "$n: Dovecot counts it over plain IMAP" 1 \
		"$(mailstack_imap_count "$COMPLAINTS" INBOX)"
	check_eq "$n: Dovecot counts it over IMAPS with the CA" 1 \
		"$(mailstack_imap_count "$COMPLAINTS" INBOX imaps)"
	check_eq "$n: Dovecot counts it over STARTTLS with the CA" 1 \
		"$(mailstack_imap_count "$RESIDENT" INBOX --ssl-reqd --cacert "$MAILSTACK_CA")"
	check_fails_with "$n: IMAPS verification fails without the CA" 60 \
		curl_imap "imaps://localhost:$IMAPS_PORT/" "$COMPLAINTS" NOOP
	check_fails_with "$n: STARTTLS verification fails without the CA" 60 \
		curl_imap "imap://localhost:$IMAP_PORT/" "$COMPLAINTS" NOOP --ssl-reqd
	check_fails_with "$n: a wrong password is refused" 67 \
		curl -sS --max-time 10 --url "imap://127.0.0.1:$IMAP_PORT/" \
		--user "$COMPLAINTS:not-$(password)" -X NOOP
done

# Each stack has its own CA: A's does not verify B's server.
mailstack_use "$b"
check_fails_with "one stack's CA does not verify the other stack" 60 \
	curl_imap "imaps://localhost:$IMAPS_PORT/" "$COMPLAINTS" NOOP --cacert "$a/tls/ca.pem"

# Folders made by an IMAP client are Maildir++ folders that hold mail.
mailstack_use "$a"
check "CREATE Processed over IMAP" \
	curl_imap "imap://127.0.0.1:$IMAP_PORT/" "$COMPLAINTS" 'CREATE "Processed"'
check "CREATE Quarantine over IMAP" \
	curl_imap "imap://127.0.0.1:$IMAP_PORT/" "$COMPLAINTS" 'CREATE "Quarantine"'
check "COPY into Processed over IMAP" \
	curl_imap "imap://127.0.0.1:$IMAP_PORT/INBOX" "$COMPLAINTS" 'COPY 1 "Processed"'
check_eq "Processed is a Maildir folder holding the copy" 1 \
	"$(mailstack_count "$COMPLAINTS" Processed)"
check_eq "Quarantine is empty" 0 "$(mailstack_imap_count "$COMPLAINTS" Quarantine)"
check "a folder that does not exist is an error" \
	test -z "$(mailstack_imap_count "$COMPLAINTS" Nowhere 2>/dev/null || true)"

# Mail goes only to the stack it was sent through.
mailstack_use "$b"
check_eq "B has no Processed folder" 0 "$(mailstack_count "$COMPLAINTS" Processed)"
mailstack_send "$RESIDENT" "$COMPLAINTS" "$b/complaint.eml"
check "B gets a second message" mailstack_wait_count "$COMPLAINTS" INBOX 2
mailstack_use "$a"
check_eq "A still holds one" 1 "$(mailstack_count "$COMPLAINTS" INBOX)"

# Faults: SMTP down for a while, Dovecot restarted.
check "OpenSMTPD stops" mailstack_stop_smtp
check_fails_with "sending fails while OpenSMTPD is down" 1 \
	mailstack_send "$RESIDENT" "$COMPLAINTS" "$a/complaint.eml"
check "OpenSMTPD starts again on its port" mailstack_start_smtp
ns_a=$(readlink "/proc/$(cat "$MAILSTACK_SMTPD_PIDFILE")/ns/mnt")
check "sending works again" mailstack_send "$RESIDENT" "$COMPLAINTS" "$a/complaint.eml"
check "and is delivered" mailstack_wait_count "$COMPLAINTS" INBOX 2
check "Dovecot restarts" mailstack_restart_imap
check_eq "Dovecot serves the same mail after a restart" 2 \
	"$(mailstack_imap_count "$COMPLAINTS" INBOX imaps)"
check_eq "and keeps the folders" 1 "$(mailstack_imap_count "$COMPLAINTS" Processed)"

# A start that gives up leaves nothing behind, so the next one works (and
# is not refused because a Dovecot of the failed attempt is still running).
dovecot_of() { # DIR: pids of the processes running DIR's Dovecot configuration
	ps -C dovecot -o pid=,args= | awk -v c="$1/dovecot/dovecot.conf" 'index($0, c) { print $1 }'
}
start_imap_giving_up() {
	MAILSTACK_START_TIMEOUT=0 mailstack_start_imap
}
check "Dovecot stops" mailstack_stop_imap
check_fails_with "a start that gives up fails" 1 start_imap_giving_up
check_eq "it leaves no Dovecot running" "" "$(dovecot_of "$a")"
check "and no pid file" test ! -e "$MAILSTACK_DOVECOT_PIDFILE" -a ! -e "$a/dovecot/run/master.pid"
check "the next start works" mailstack_start_imap
check_eq "and serves the same mail" 2 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"
pids_a=$(cat "$MAILSTACK_DOVECOT_PIDFILE" "$MAILSTACK_SMTPD_PIDFILE")

# The processes in A's mount namespace, to check after the stop.  (Their pids,
# not the namespace's number: a freed namespace number is soon given to the
# namespace of another stack, and tests run side by side.)
in_ns_a() { # PIDS...: those still alive in A's namespace
	local p
	for p in "$@"; do
		[ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$ns_a" ] && echo "$p"
	done
	return 0
}
holders_a=$(in_ns_a $(ls /proc | grep -E '^[0-9]+$'))

# Stopping leaves nothing behind.
check "stack A stops" mailstack_stop "$a"
check "stack B stops" mailstack_stop "$b"
left=""
for p in $pids_a $pids_b; do
	left="$left$(_ms_session_pids "$p")"
done
check_eq "no server process is left" "" "$left"
check "A's namespace had its servers in it" test -n "$holders_a"
# shellcheck disable=SC2086
check_eq "no process holds A's mount namespace" "" "$(in_ns_a $holders_a)"
listening=""
for port in $ports_a $ports_b; do
	_ms_port_free "$port" || listening="$listening $port"
done
check_eq "no port is still listening" "" "$listening"
check "the pid files are gone" \
	test ! -e "$a/dovecot.pid" -a ! -e "$a/smtpd.pid" -a ! -e "$b/dovecot.pid" -a ! -e "$b/smtpd.pid"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
