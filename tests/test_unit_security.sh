#!/usr/bin/env bash
# The shipped units keep systemd's exposure score at 1.0 or lower while still
# reaching the mail servers, and pass `systemd-analyze verify` syntax checks.
set -euo pipefail
: "${top_builddir:=.}"
passed=0
failed=0
for unit in complaintsd.service complaintsd@.service; do
	path="$top_builddir/systemd/$unit"
	score=$(systemd-analyze security --offline=yes "$path" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }'; then
		echo "ok - $unit exposure $score"
		passed=$((passed + 1))
	else
		echo "not ok - $unit exposure '${score:-unknown}' (must be at most 1.0)"
		failed=$((failed + 1))
	fi
	for need in 'Type=notify' 'WatchdogSec=' 'LoadCredential=imap-password' 'StateDirectory=' \
		'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
		if grep -q "^$need" "$path"; then
			passed=$((passed + 1))
		else
			echo "not ok - $unit lacks $need"
			failed=$((failed + 1))
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
