#!/usr/bin/env bash
# Database trouble (SPEC.md section 4, "No loss"): the database lives on a
# small tmpfs, mounted in a private mount namespace held open
# by a helper process, so nothing is mounted on the host and it all vanishes
# with the helper.  When the file system is full, and when it is read-only, a run
# must fail with a clear message, leave every message in INBOX (nothing
# moved without its commit), keep the database intact, and succeed once
# space or write access returns.
. "$(dirname "$0")/lib.sh"
rl_setup
mkdir -p "$dir/dbfs"
unshare --mount --propagation private sleep 100000 &
ns_pid=$!
stop_ns() { kill "$ns_pid" 2>/dev/null || true; wait "$ns_pid" 2>/dev/null || true; it_teardown; }
trap stop_ns EXIT
sleep 0.2
ns() { nsenter -t "$ns_pid" -m -- "$@"; }
# (6 MB: room for the rules cache, and each case also keeps the team's
# notification with the message attached whole)
ns mount -t tmpfs -o size=6m,mode=0755 tmpfs "$dir/dbfs"
rl_set store database "$dir/dbfs/complaints.db"
# Queries go to a copy, so they need no space and no write access on the tmpfs.
sql() {
	rm -rf "$dir/snap" && mkdir "$dir/snap"
	ns sh -c "cp '$dir'/dbfs/complaints.db* '$dir/snap/'"
	sqlite3 "$dir/snap/complaints.db" "$1"
}
once() { ns "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1; }
fails_clearly() { # PATTERN: the run exits non-zero and its error lines match PATTERN
	local from rc=0
	from=$(($(wc -l <"$dir/daemon.log") + 1))
	once || rc=$?
	echo "#   exit $rc; $(tail -n +"$from" "$dir/daemon.log" | grep '^<[0-3]>' | head -n 3 | tr '\n' ' ')"
	[ "$rc" -ne 0 ] && tail -n +"$from" "$dir/daemon.log" | grep '^<[0-3]>' | grep -q -i -E "$1"
}
fill() { # KIB: fill the tmpfs, leaving about KIB KiB free
	ns sh -c "dd if=/dev/zero of='$dir/dbfs/filler' bs=4k 2>/dev/null; dd if=/dev/zero of='$dir/dbfs/filler2' bs=512 2>/dev/null
		[ $1 -eq 0 ] || truncate -s -$1K '$dir/dbfs/filler'" || true
}
unfill() { ns rm -f "$dir/dbfs/filler" "$dir/dbfs/filler2"; }
NOSPACE='no space|disk full|database or disk is full|space'

rl_generate 60
mapfile -t files < <(ls "$dir"/gen/resident/*.eml)
rl_deliver "${files[@]:0:10}"
check "a first run with space succeeds" once
check_eq "ten cases" 10 "$(sql "SELECT count(*) FROM cases")"

# Nearly full: the database opens, but the batch (mail with attachments)
# cannot be committed.
fill 64
rl_deliver "${files[@]:10:10}"
check "a run with the disk nearly full fails and says the disk is full" fails_clearly "$NOSPACE"
check_eq "nothing left INBOX" 10 "$(rl_inbox)"
check_eq "Processed holds only the first ten" 10 "$(mailstack_imap_count "$COMPLAINTS" Processed)"
check_eq "the database still holds ten cases" 10 "$(sql "SELECT count(*) FROM cases")"
check_eq "and is intact" ok "$(sql "PRAGMA integrity_check")"
unfill
check "after freeing space the run succeeds" once
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "20 cases" 20 "$(sql "SELECT count(*) FROM cases")"

# Completely full: not even SQLite's shared-memory file can be created.
fill 0
rl_deliver "${files[@]:20:15}"
check "a run with the disk full fails and says the disk is full" fails_clearly "$NOSPACE"
check_eq "nothing left INBOX" 15 "$(rl_inbox)"
check_eq "the database still holds 20 cases" 20 "$(sql "SELECT count(*) FROM cases")"
unfill
check "after freeing space the run succeeds" once
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "35 cases" 35 "$(sql "SELECT count(*) FROM cases")"

# Read-only: the file system is remounted read-only under the daemon.
ns mount -o remount,ro "$dir/dbfs"
rl_deliver "${files[@]:35:25}"
check "a run on a read-only database fails and says so" fails_clearly 'read-only|readonly|read only'
check_eq "nothing left INBOX" 25 "$(rl_inbox)"
check_eq "the database still holds 35 cases" 35 "$(sql "SELECT count(*) FROM cases")"
ns mount -o remount,rw "$dir/dbfs"
check "with write access back the run succeeds" once
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "60 cases, one per message" 60 "$(sql "SELECT count(DISTINCT complainant_email) FROM cases")"
sql "SELECT 1" >/dev/null
check_eq "every Message-ID recorded once" "" \
	"$(sqlite3 -batch "$dir/snap/complaints.db" "CREATE TEMP TABLE want(id TEXT);" ".import '$dir/gen/resident.ids' want" \
		"SELECT w.id FROM want w LEFT JOIN messages m ON m.message_id = w.id GROUP BY w.id HAVING count(m.id) != 1 LIMIT 5")"
check_eq "Processed holds all 60" 60 "$(mailstack_imap_count "$COMPLAINTS" Processed)"
# Every reply went out once, whatever the failures above interrupted.
check "one more run succeeds" once
check "every recorded reply reaches its mailbox" it_wait_for 60 rl_delivered_all resident
rl_check_acks resident 60

# Full while deliveries are recorded: replies were queued while SMTP was
# down; with SMTP back and about 40 KiB free, the database opens but the
# commit that marks a sent reply fails.  The run must say so and not claim
# success; it stops delivering at that reply, so once space returns at most
# that one reply goes out a second time (same Message-ID), and every other
# reply exactly once.
rl_generate 5 late
mailstack_stop_smtp
rl_deliver "$dir"/gen/late/*.eml
check "intake with SMTP down succeeds" once
mailstack_start_smtp
fill 40
from=$(($(wc -l <"$dir/daemon.log") + 1))
rc=0
faketime_clean
ASAN_OPTIONS=verify_asan_link_order=0 ns faketime -f +2m "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1 || rc=$?
echo "#   exit $rc; $(tail -n +"$from" "$dir/daemon.log" | grep '^<[0-3]>' | head -n 2 | tr '\n' ' ')"
check "a run that cannot record its deliveries says the disk is full" \
	grep -q -i -E "$NOSPACE" <(tail -n +"$from" "$dir/daemon.log" | grep '^<[0-3]>')
check "and does not exit 0" test "$rc" -ne 0
unfill
faketime_clean
ASAN_OPTIONS=verify_asan_link_order=0 ns faketime -f +1h "$COMPLAINTSD" -c "$dir/complaintsd.conf" --once >>"$dir/daemon.log" 2>&1 || true
check "every recorded reply reaches its mailbox" it_wait_for 60 rl_delivered_all late
check "the reply accepted but not recorded is named in the log" \
	grep -q 'accepted by the SMTP server but cannot be recorded as sent' "$dir/daemon.log"
rl_check_acks late 5 1
it_finish
