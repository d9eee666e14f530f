#!/usr/bin/env bash
# A backlog of many batches, fetched ahead on a second connection while each
# batch is committed and moved on the first: everything is processed once and
# moved; on a server that allows one connection per user the pass goes on
# with one connection; and SIGTERM in the middle of a backlog stops the
# daemon after the batch in hand, with every recorded message moved and the
# rest still in INBOX, all picked up by the next run.  The same mail in one
# batch (nothing fetched ahead, everything parsed and classified on the main
# thread) gives the same cases and the same replies.
. "$(dirname "$0")/lib.sh"
count=$([ "$RELIABILITY_FULL" = 1 ] && echo 600 || echo 90)
rl_setup
rl_set imap batch_size 7
rl_set replies max_auto_replies_per_day 1000
rl_generate "$count"
third=$((count / 3))
files=("$dir"/gen/resident/*.eml)

# All messages are accounted for: recorded ones moved, the rest in INBOX.
moved() {
	echo $(($(mailstack_imap_count "$COMPLAINTS" Processed) + $(mailstack_imap_count "$COMPLAINTS" Quarantine)))
}
recorded() { sql "SELECT count(*) FROM messages WHERE direction = 'in'"; }

# 1. Two connections.
rl_deliver "${files[@]:0:third}"
check "a backlog of $third messages in batches of 7 is processed" it_once
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "every message was moved" "$third" "$(moved)"
check_eq "every message was recorded once" "$third" "$(recorded)"
check "the batches were fetched ahead (no fallback to one connection)" \
	test -z "$(grep 'Fetching ahead' "$dir/daemon.log" || true)"
# Dovecot logs each session's end with the number of bodies it sent.
two=0
it_wait_for 10 sh -c "[ \$(grep -c 'Logged out.* body_count=[1-9]' '$dir/log/dovecot.log') -ge 2 ]" && two=1
check_eq "two IMAP sessions fetched message bodies" 1 "$two"

# 2. A server that allows one connection per user and address: the second
# login is refused, and the pass goes on with the first connection.
cat >>"$dir/dovecot/dovecot.conf" <<EOF
protocol imap {
  mail_max_userip_connections = 1
}
EOF
mailstack_restart_imap "$dir" >/dev/null
rl_deliver "${files[@]:third:third}"
check "with one connection allowed, the backlog is still processed" it_once
check_eq "INBOX is empty again" 0 "$(rl_inbox)"
check_eq "every message was moved" "$((2 * third))" "$(moved)"
check_eq "every message was recorded once" "$((2 * third))" "$(recorded)"
check "the daemon said it went on with one connection" \
	grep -q 'Fetching ahead on a second connection stopped.*going on with one connection' "$dir/daemon.log"
sed -i '/^protocol imap {$/,/^}$/d' "$dir/dovecot/dovecot.conf"
mailstack_restart_imap "$dir" >/dev/null

# 3. SIGTERM in the middle of a backlog.
rest=$((count - 2 * third))
rl_deliver "${files[@]:2*third}"
"$COMPLAINTSD" -c "$dir/complaintsd.conf" >>"$dir/daemon.log" 2>&1 &
pid=$!
it_wait_for 30 sh -c "[ \"\$(sqlite3 '$dir/complaints.db' \"SELECT count(*) FROM messages WHERE direction = 'in'\")\" -gt $((2 * third)) ]" || true
kill -TERM "$pid"
stopped=0
it_wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" && stopped=1
check_eq "SIGTERM during a backlog stops the daemon within 15 seconds" 1 "$stopped"
wait "$pid" 2>/dev/null && rc=0 || rc=$?
check_eq "and it exits 0" 0 "$rc"
echo "# stopped with $(rl_inbox) of $rest messages still in INBOX"
check_eq "every recorded message was moved" "$(recorded)" "$(moved)"
check_eq "nothing was lost: recorded plus INBOX is everything" "$count" "$(($(recorded) + $(rl_inbox)))"
check "the next run picks up the rest" it_once
check_eq "INBOX is empty at the end" 0 "$(rl_inbox)"
check_eq "every message was recorded once in the end" "$count" "$(recorded)"
rl_check_no_dup_cases resident

# 4. What was worked out on the fetch thread (parse, digest, own text,
# classification) is what the main thread works out: the same mail again,
# into a fresh store, in one batch with nothing fetched ahead.
what_cases="SELECT complainant_email, subject, kind, route, area, flags, scheme, stage, ack_due FROM cases ORDER BY 1, 2"
what_mail="SELECT o.purpose, o.rcpt, length(o.data) FROM outbox_mail o ORDER BY 2, 1, 3"
sql "$what_cases" >"$dir/cases.ahead"
sql "$what_mail" >"$dir/mail.ahead"
mv "$dir/complaints.db" "$dir/complaints.ahead.db"
rm -f "$dir"/complaints.db-*
rl_set imap batch_size 1000
rl_deliver "${files[@]}"
: >"$dir/daemon.log"
check "the same mail in one batch is processed" it_once
check "... without fetching ahead" test -z "$(grep 'Backlog of' "$dir/daemon.log" || true)"
sql "$what_cases" >"$dir/cases.one"
sql "$what_mail" >"$dir/mail.one"
check_eq "the same $count messages recorded" "$count" "$(recorded)"
check "the same cases, kinds, routes, areas and flags as when fetched ahead" \
	cmp "$dir/cases.ahead" "$dir/cases.one"
check "the same replies, to the same people, of the same sizes" cmp "$dir/mail.ahead" "$dir/mail.one"
it_finish
