# Shared setup for integration tests: a private mail stack (real Dovecot and
# OpenSMTPD on loopback), a complaintsd configuration pointing at it, and
# small assertion helpers.  Source it from a test script.  IT_KEEP=1 keeps
# the test directory (mail, database, logs) even when every check passed.
set -euo pipefail

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/build-check}"
export top_srcdir top_builddir
# Tests run the daemon under faketime too: in a sanitizer build libfaketime is
# preloaded ahead of the ASan runtime, which ASan accepts when told so.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# shellcheck source=../harness/mailstack.sh
. "$top_srcdir/tests/harness/mailstack.sh"

# faketime(1) keeps a semaphore and a shared-memory file named after its own
# pid in /dev/shm and removes them when its command exits; one killed (a test
# that kills its daemon, a test cut short) leaves them, and a later faketime
# that gets the same pid then fails at once with "sem_open: File exists".
# faketime_clean removes those whose process is gone; the faketime function
# below runs it before every faketime(1) of a test.
faketime_clean() {
	local f pid
	for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
		[ -e "$f" ] || continue
		pid=${f##*_}
		kill -0 "$pid" 2>/dev/null || rm -f "$f"
	done
}
faketime() {
	faketime_clean
	command faketime "$@"
}

COMPLAINTSD="$top_builddir/complaintsd"
COMPLAINTSCTL="$top_builddir/complaintsctl"
MAILDIR_SRC="$top_srcdir/tests/integration/mail"
COMPLAINTS=complaints@council.example
# what the council's MX writes on an officer's mail it authenticated
VOUCHED="Authentication-Results: mx.council.example; dkim=pass header.d=council.example; dmarc=pass header.from=council.example"
passed=0
failed=0
failed_checks=() # their descriptions, repeated at the end of the log by it_finish

# Start a stack in a fresh directory; sets $dir and the stack's variables.
# it_setup [NAME]: the stack and configuration in a new /tmp/NAME.XXXXXX
# (default complaintsd-it).
it_setup() {
	dir=$(mktemp -d "/tmp/${1:-complaintsd-it}.XXXXXX")
	trap 'it_teardown' EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	mailstack_start "$dir" >/dev/null
	# shellcheck disable=SC1091
	. "$dir/env"
	it_write_config "$dir/complaintsd.conf"
}

it_teardown() {
	local rc=$?
	mailstack_stop "$dir" >/dev/null 2>&1 || true
	if [ $rc -eq 0 ] && [ $failed -eq 0 ] && [ -z "${IT_KEEP:-}" ]; then
		rm -rf "$dir"
	else
		echo "(test files kept in $dir)" >&2
	fi
}

it_write_config() {
	cat >"$1" <<CONF
[council]
name = Example Borough Council
complaints_address = $COMPLAINTS
complaints_url = https://www.council.example/complaints
reference_prefix = CMP
holidays_file = $top_srcdir/data/holidays-england-and-wales.txt

[people]
officer_domains = council.example
councillor_addresses = cllr.m.lowe@council.example
alerts_address = complaints-team@council.example
; the stack's OpenSMTPD adds no Authentication-Results: test mail carries the
; header the council's MX would have put on top (\$VOUCHED)
trusted_authserv_id = mx.council.example

[imap]
url = imaps://localhost:$IMAPS_PORT/INBOX
username = $COMPLAINTS
password_file = $MAILSTACK_PASSWORD_FILE
ca_file = $MAILSTACK_CA
poll_seconds = 5
timeout_seconds = 10

[smtp]
url = smtp://localhost:$SMTP_PORT
starttls = no
username =

[store]
database = $dir/complaints.db

[routing]
waste = waste-team@council.example
default = complaints-team@council.example

[digest]
; off, so a test that runs on the digest's weekday gets only the mail it expects
; (test_digest.sh turns it on)
weekday =

[replies]
rules_file = $top_srcdir/data/rules.conf
templates_dir = $top_srcdir/templates
CONF
}

# Run complaintsd --once; output goes to $dir/daemon.log.
it_once() {
	"$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1
}

ctl() {
	"$COMPLAINTSCTL" -c "$dir/complaintsd.conf" "$@"
}

sql() {
	sqlite3 "$dir/complaints.db" "$1"
}

# it_mail FILE FROM TO SUBJECT [HEADER...]: a plain-text message, body on stdin.
it_mail() {
	local f=$1 from=$2 to=$3 subject=$4
	shift 4
	{
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@test.example>\nDate: %s\n' \
			"$from" "$to" "$subject" "$(basename "$f" .eml)-$RANDOM" "$(date -R)"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf 'Content-Type: text/plain; charset=UTF-8\n\n'
		cat
	} >"$f"
}

# it_deliver FILE: sent to the complaints address through OpenSMTPD; waits until it is in INBOX.
it_deliver() {
	local before
	before=$(mailstack_count "$COMPLAINTS" INBOX)
	mailstack_send sender@example.net "$COMPLAINTS" "$1"
	mailstack_wait_count "$COMPLAINTS" INBOX $((before + 1)) 20
}

# it_inbox_of ADDRESS [EXPECTED]: messages in ADDRESS's INBOX, after waiting up to
# 60 s for EXPECTED of them (OpenSMTPD delivers a moment after accepting; a loaded
# machine can take a while).
it_inbox_of() {
	local i n
	for ((i = 0; i < 600; i++)); do
		n=$(mailstack_count "$1" INBOX 2>/dev/null || echo 0)
		[ "$n" -ge "${2:-0}" ] && break
		sleep 0.1
	done
	echo "$n"
}

# it_field REF JQ: one field of the case as `complaintsctl show --json` gives it.
it_field() { ctl show "$1" --json | jq -r "$2"; }

check() { # description command...
	local what=$1
	shift
	local out rc=0
	# The command's output goes to the log as before; a failed check also
	# repeats its exit status and the output's last lines at the log's end,
	# where a log shown by its tail still has them.
	out=$(mktemp "${TMPDIR:-/tmp}/check.XXXXXX")
	"$@" >"$out" 2>&1 || rc=$?
	cat "$out"
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $what"
	else
		failed=$((failed + 1))
		failed_checks+=("$what (exit status $rc; its last output:
$(tail -n 15 "$out" | sed 's/^/    /'))")
		echo "not ok - $what"
	fi
	rm -f "$out"
}

# it_wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds
# (mail handed to OpenSMTPD reaches its Maildir a moment later).
it_wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}

check_eq() { # description expected actual
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		failed_checks+=("$1: expected '$2', got '$3'")
		echo "not ok - $1: expected '$2', got '$3'"
	fi
}

# The summary, and every failed check again as the log's last lines (a log
# shown by its tail still says which check failed).
it_finish() {
	local c
	echo "$passed passed, $failed failed"
	for c in "${failed_checks[@]}"; do echo "FAILED CHECK: $c"; done
	[ $failed -eq 0 ]
}
