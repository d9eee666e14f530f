#!/usr/bin/env bash
# Hostile mail (SPEC.md section 4, "Bad input"): the whole test corpus of
# broken and malicious messages plus generated extremes (30 MB message, 2 MB
# header, 100,000 parts, 10,000-deep nesting, NUL bytes, bare CR, header
# injection, ...) in one run.  Meant for a sanitizer build: no crash, no
# sanitizer report, every message in Processed or Quarantine and recorded,
# a log line for each quarantined one, INBOX empty, and no reply carrying an
# injected header or going to an injected address.
. "$(dirname "$0")/lib.sh"
rl_setup
rl_set replies max_auto_replies_per_day 1000
mkdir -p "$dir/hostile"
python3 "$top_srcdir/tests/reliability/hostile.py" "$dir/hostile" \
	"$([ "$RELIABILITY_FULL" = 1 ] && echo full || echo ci)"
files=("$top_srcdir"/tests/corpus/mail/*.eml "$top_srcdir"/tests/integration/mail/*.eml "$dir"/hostile/*.eml)
total=${#files[@]}
rl_deliver "${files[@]}"
echo "# $total messages, $(du -sh "$dir/hostile" | cut -f1) generated"
check_eq "Dovecot sees all $total" "$total" "$(rl_inbox)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
start=$(date +%s)
rc=0
it_once || rc=$?
echo "# run took $(($(date +%s) - start)) s"
check_eq "the run exits 0" 0 "$rc"
check_eq "no sanitizer report or crash" "" \
	"$(grep -E 'Sanitizer|runtime error|SEGV|Aborted|stack-overflow' "$dir/daemon.log" | head -n 3)"
check_eq "INBOX is empty" 0 "$(rl_inbox)"
processed=$(mailstack_imap_count "$COMPLAINTS" Processed)
quarantined=$(mailstack_imap_count "$COMPLAINTS" Quarantine)
echo "# $processed processed, $quarantined quarantined"
check_eq "every message is in Processed or Quarantine" "$total" "$((processed + quarantined))"
# A byte-identical copy (same Message-ID and body) is recognised, not recorded twice.
copies=$(grep -c 'is a copy of one already recorded' "$dir/daemon.log" || true)
echo "# $copies exact copies recognised"
check_eq "every message has a row, copies aside" "$((total - copies))" \
	"$(sql "SELECT count(*) FROM messages WHERE direction = 'in'")"
check "at most two copies in the corpus" test "$copies" -le 2
check_eq "the rows agree with the folders" "$quarantined" \
	"$(sql "SELECT count(*) FROM messages WHERE direction = 'in' AND state = 'quarantined'")"
check_eq "each quarantined message has a reason" 0 \
	"$(sql "SELECT count(*) FROM messages WHERE state = 'quarantined' AND reason = ''")"
check_eq "each quarantine is logged" "$quarantined" "$(grep -c 'quarantined: ' "$dir/daemon.log" || true)"
# Dovecot hands out LF as CRLF, so the stored source is that much longer
# (files without CR of their own: the count is exact).
check_eq "the raw source of each is kept whole" "" \
	"$(for f in "$dir"/hostile/h-{nul-bytes,bare-cr,5mb-line,100k-parts}.eml; do
		want=$(($(stat -c %s "$f") + $(tr -cd '\n' <"$f" | wc -c)))
		[ "$(sql "SELECT count(*) FROM messages WHERE length(raw) = $want")" -ge 1 ] || echo "${f##*/}"
	done)"
check_eq "the extremes are quarantined for a reason a person can read" "" \
	"$(sql "SELECT reason FROM messages WHERE state = 'quarantined' AND reason NOT GLOB '[a-z_]*: *'")"
check_eq "no reply goes to an injected address" "" \
	"$(sql "SELECT rcpt FROM outbox WHERE rcpt LIKE '%victim%' OR rcpt LIKE '%other@%' OR rcpt GLOB '*[,;<> ]*'")"
check_eq "no reply carries an injected header" "" \
	"$(sql "SELECT o.id FROM outbox_mail o WHERE substr(o.data, 1, instr(o.data, char(13,10,13,10))) GLOB '*[^-]Bcc:*'
		OR substr(o.data, 1, instr(o.data, char(13,10,13,10))) GLOB '*victim@*'
		OR substr(o.data, 1, instr(o.data, char(10,10))) GLOB '*[^-]Bcc:*'")"
check "the outbox drains" rl_drain nobody-such
check_eq "no reply failed" "" "$(sql "SELECT rcpt || ': ' || last_error FROM outbox WHERE state NOT IN ('sent', 'suppressed') LIMIT 3")"
check_eq "only no-reply senders were not answered" "" \
	"$(sql "SELECT rcpt FROM outbox WHERE state = 'suppressed' AND rcpt NOT LIKE 'noreply@%' LIMIT 3")"
check_eq "nobody was mailed at an injected address" "" \
	"$(ls -d "$dir"/mail/victim* "$dir"/mail/other@* 2>/dev/null)"
snap=$(sql "SELECT count(*) FROM messages; SELECT count(*) FROM cases; SELECT count(*) FROM outbox")
check "a second run succeeds" it_once
check_eq "and changes nothing" "$snap" "$(sql "SELECT count(*) FROM messages; SELECT count(*) FROM cases; SELECT count(*) FROM outbox")"
it_finish
