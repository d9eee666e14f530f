# Shared helpers of the reliability suite (SPEC.md section 4 against the real
# servers): everything of tests/integration/lib.sh, plus configuration edits,
# bulk delivery straight into the complaints Maildir, and the accounting
# checks every scenario ends with (each message in exactly one case or in
# quarantine, one acknowledgement per complainant, INBOX empty).
#
# Sizes come from the environment so one script serves CI and --full runs:
#   RELIABILITY_SEED      seed of every random choice (default 1)
#   RELIABILITY_FULL=1    the long variant (set by scripts/reliability --full)
# shellcheck source=../integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

RELIABILITY_SEED=${RELIABILITY_SEED:-1}
RELIABILITY_FULL=${RELIABILITY_FULL:-0}
RANDOM=$RELIABILITY_SEED
GENMAIL="$top_srcdir/tests/reliability/genmail.py"

# rl_set SECTION KEY VALUE: set a key of the test configuration.
rl_set() {
	local conf="$dir/complaintsd.conf"
	awk -v s="[$1]" -v k="$2" -v v="$3" '
		function flush() { if (insec && !done) { print k " = " v; done = 1 } }
		/^\[/ { flush(); insec = ($0 == s) }
		insec && $1 == k && $2 == "=" { print k " = " v; done = 1; next }
		{ print }
		END { flush(); if (!done) { print s; print k " = " v } }' "$conf" >"$conf.new"
	mv "$conf.new" "$conf"
}

# rl_setup: a stack and a configuration fit for bulk runs.
rl_setup() {
	it_setup complaintsd-rel
	rl_set imap poll_seconds 5
	rl_set replies max_auto_replies_per_day 3
}

# rl_generate COUNT [PREFIX]: write COUNT complaints to $dir/gen/PREFIX and
# their Message-IDs to $dir/gen/PREFIX.ids.
rl_generate() {
	local n=$1 prefix=${2:-resident}
	mkdir -p "$dir/gen/$prefix"
	python3 "$GENMAIL" "$n" "$dir/gen/$prefix" "$RELIABILITY_SEED" "$prefix" >"$dir/gen/$prefix.ids"
}

# rl_deliver FILE...: put files into the complaints INBOX as a local delivery
# agent would (tmp/, then rename into new/, owned by nobody).
rl_deliver() {
	local md f n=0 name now
	md=$(mailstack_maildir "$COMPLAINTS" INBOX)
	now=$(date +%s)
	mkdir -p "$md/tmp" "$md/new" "$md/cur"
	chown nobody:nogroup "$dir/mail/$COMPLAINTS" "$md" "$md/tmp" "$md/new" "$md/cur"
	for f in "$@"; do
		n=$((n + 1))
		name="$now.M${n}P$$R${RANDOM}.reliability"
		cp "$f" "$md/tmp/$name"
		chown nobody:nogroup "$md/tmp/$name"
		mv "$md/tmp/$name" "$md/new/$name"
	done
}

# rl_inbox: messages in INBOX as Dovecot sees them.
rl_inbox() {
	mailstack_imap_count "$COMPLAINTS" INBOX
}

# rl_unaccounted IDS_FILE: print the Message-IDs of IDS_FILE that are not
# recorded exactly once as processed-with-a-case or quarantined.
rl_unaccounted() {
	sqlite3 -batch "$dir/complaints.db" \
		"CREATE TEMP TABLE want(id TEXT);" \
		".import '$1' want" \
		"SELECT w.id || ' (' || count(m.id) || ' rows)' FROM want w LEFT JOIN messages m
		   ON m.message_id = w.id AND m.direction = 'in'
		   AND ((m.state = 'processed' AND m.case_id IS NOT NULL) OR m.state = 'quarantined')
		 GROUP BY w.id HAVING count(m.id) != 1;"
}

# rl_reply_counts PREFIX: "copies distinct address" for every PREFIX*
# resident: the mails the council sent them (files in their Maildir) and
# how many distinct Message-IDs those carry.  In these scenarios a resident
# writes once, so the only reply is the first one (ack-stage1,
# receipt-stage1 for housing, or other-process).
rl_reply_counts() {
	find "$dir/mail" -mindepth 4 -maxdepth 4 -path "*/$1[0-9]*@example.net/Maildir/[nc][eu][wr]/*" \
		-type f -exec grep -H -i -m1 '^Message-ID:' {} + 2>/dev/null |
		awk '{ split($1, p, "/"); for (i = 1; i in p; i++) if (p[i] == "Maildir") a = p[i - 1]
		       n[a]++; if (!seen[a, $2]++) d[a]++ }
		     END { for (a in n) print n[a], d[a], a }'
}

# rl_sent_total: outbox rows marked sent.
rl_sent_total() {
	sql "SELECT count(*) FROM outbox WHERE state = 'sent'"
}

# rl_delivered_total PREFIX: files in all PREFIX* residents' Maildirs.
rl_delivered_total() {
	find "$dir/mail" -mindepth 4 -maxdepth 4 -path "*/$1[0-9]*@example.net/Maildir/[nc][eu][wr]/*" -type f 2>/dev/null | wc -l
}

# rl_faketime OFFSET ARGS...: run complaintsd with its clock moved by OFFSET
# (faketime syntax, e.g. +2h).  libfaketime is preloaded ahead of the ASan
# runtime in a sanitizer build, which ASan accepts when told so.
rl_faketime() {
	local off=$1
	shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		faketime -f "$off" "$COMPLAINTSD" -c "$dir/complaintsd.conf" "$@" >>"$dir/daemon.log" 2>&1
}

# rl_faketime_preload OFFSET COMMAND... &: exec COMMAND with libfaketime
# preloaded directly, in a background subshell (faketime(1) forks, so its
# pid would not be the daemon's and a SIGKILL would miss the daemon).
rl_faketime_preload() {
	local off=$1
	shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		LD_PRELOAD=$(rl_libfaketime) FAKETIME="$off" exec "$@"
}
# rl_faketime_forget PID: remove what libfaketime left in /dev/shm for a
# process that could not exit normally (SIGKILL); otherwise a later
# faketime(1) that gets the same pid fails with "sem_open: File exists".
rl_faketime_forget() {
	rm -f "/dev/shm/faketime_shm_$1" "/dev/shm/sem.faketime_sem_$1"
}
rl_libfaketime() {
	local f
	for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		[ -e "$f" ] && { echo "$f"; return; }
	done
	echo "libfaketime.so.1"
}

# rl_drain PREFIX: run --once until the outbox holds nothing queued (when a
# run makes no progress, replies are waiting out their retry backoff: the
# clock is moved on with faketime, further each time), then wait
# for OpenSMTPD to hand over everything it accepted.  Fails when the queue
# does not empty.
rl_drain() {
	local h=0 i queued last=-1
	for ((i = 0; i < 60; i++)); do
		if [ "$h" = 0 ]; then
			it_once || true
		else
			rl_faketime "+${h}h" --once || true
		fi
		queued=$(sql "SELECT count(*) FROM outbox WHERE state = 'queued'")
		[ "$queued" = 0 ] && break
		if [ "$queued" = "$last" ]; then
			h=$((h ? h * 2 : 1))
			[ "$h" -le 64 ] || break
		fi
		last=$queued
	done
	[ "$queued" = 0 ] || { echo "# $queued replies still queued" >&2; return 1; }
	it_wait_for 120 rl_delivered_all "$1"
}

rl_delivered_all() { # PREFIX
	[ "$(rl_delivered_total "$1")" -ge "$(sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND rcpt LIKE '$1%'")" ]
}

# rl_resubmitted PREFIX: recipients PREFIX* that complaintsd handed to
# OpenSMTPD more than once (one "smtp envelope" line per accepted message).
rl_resubmitted() {
	sed -n "s/.* smtp envelope .* to=<\($1[0-9]*@example.net\)>.*/\1/p" "$dir/log/smtpd.log" |
		sort | uniq -d
}

# rl_check_acks PREFIX COUNT [MAX_RESENT]: every one of COUNT residents got
# exactly one acknowledgement (one distinct Message-ID in their mailbox), each
# case has exactly one first-reply outbox row, and complaintsd submitted at
# most MAX_RESENT (default 0) replies a second time.  A second copy that
# OpenSMTPD itself delivered (queue replayed after a stop) is only noted.
rl_check_acks() {
	local prefix=$1 count=$2 max_resent=${3:-0} counts resent copies
	counts=$(rl_reply_counts "$prefix")
	check_eq "$count residents ($prefix*) got mail" "$count" "$(printf '%s\n' "$counts" | grep -c . || true)"
	check_eq "every $prefix* resident got exactly one acknowledgement" "" \
		"$(printf '%s\n' "$counts" | awk 'NF && $2 != 1' | head -n 5)"
	resent=$(rl_resubmitted "$prefix" | grep -c . || true)
	[ "$resent" -eq 0 ] || echo "# complaintsd submitted $resent reply(s) twice: $(rl_resubmitted "$prefix" | head -n 5 | tr '\n' ' ')"
	check "complaintsd submitted at most $max_resent reply(s) twice (got $resent)" test "$resent" -le "$max_resent"
	copies=$(printf '%s\n' "$counts" | awk 'NF && $1 > $2' | wc -l)
	[ "$copies" -eq 0 ] || echo "# $copies mailbox(es) hold a second copy of the same reply:" \
		"$(printf '%s\n' "$counts" | awk 'NF && $1 > $2 { print $3 }' | head -n 5 | tr '\n' ' ')"
	check_eq "one acknowledgement row in the outbox per $prefix* case" "" \
		"$(sql "SELECT c.ref || ':' || count(o.id) FROM cases c LEFT JOIN outbox o
			  ON o.case_id = c.id AND o.purpose IN ('ack-stage1', 'receipt-stage1', 'other-process')
			WHERE c.complainant_email LIKE '$prefix%'
			GROUP BY c.id HAVING count(o.id) != 1 LIMIT 5")"
	check_eq "every $prefix* reply is marked sent" "" \
		"$(sql "SELECT o.purpose || ':' || o.state || ':' || o.last_error FROM outbox o
			WHERE o.rcpt LIKE '$prefix%' AND o.state != 'sent' LIMIT 5")"
}

# rl_check_no_dup_cases: no complainant has two cases, no message two rows.
rl_check_no_dup_cases() { # PREFIX
	check_eq "no complainant has two cases" "" \
		"$(sql "SELECT complainant_email FROM cases WHERE complainant_email LIKE '$1%' GROUP BY complainant_email HAVING count(*) > 1 LIMIT 5")"
	check_eq "no message recorded twice" "" \
		"$(sql "SELECT message_id FROM messages WHERE direction = 'in' GROUP BY message_id HAVING count(*) > 1 LIMIT 5")"
}

