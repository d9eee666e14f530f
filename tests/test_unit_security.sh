#!/usr/bin/env bash
# The shipped units: systemd 252's exposure score (`systemd-analyze security`)
# stays at 1.1 or lower, and the restrictions that the score does not count
# are there.  What is left in 1.1 is what a daemon needs to reach IMAP and
# SMTP servers at any address: Internet and local sockets, the host's
# network, no IP address allow list (administrators narrow it in a drop-in),
# plus the host's root directory and the real-time clock (from ProtectClock=).
set -euo pipefail
: "${top_builddir:=.}"
passed=0
failed=0
for unit in complaintsd.service complaintsd@.service complaintsd-backup.service; do
	path="$top_builddir/systemd/$unit"
	score=$(systemd-analyze security --offline=yes "$path" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.1) }'; then
		echo "ok - $unit exposure $score"
		passed=$((passed + 1))
	else
		echo "not ok - $unit exposure '${score:-unknown}' (must be at most 1.1)"
		failed=$((failed + 1))
	fi
	needs=('Type=notify' 'WatchdogSec=' 'StateDirectory=' \
		'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'SocketBindDeny=any' 'PrivateIPC=yes')
	# the nightly backup touches only the database: no network at all, no secrets
	[ "$unit" = complaintsd-backup.service ] &&
		needs=('Type=oneshot' 'StateDirectory=' 'PrivateNetwork=yes' 'RestrictAddressFamilies=AF_UNIX' \
			'UMask=0077' 'PrivateIPC=yes')
	for need in "${needs[@]}"; do
		if grep -q "^$need" "$path"; then
			passed=$((passed + 1))
		else
			echo "not ok - $unit lacks $need"
			failed=$((failed + 1))
		fi
	done
	# Credentials: the one directory beside the configuration, every file in it
	# (complaintsd_NAME, as the daemon looks them up); no single file, which
	# would have to exist even where it is not used.
	case $unit in
	*@.service) creddir='/etc/complaintsd/%i/credentials' ;;
	*) creddir='/etc/complaintsd/credentials' ;;
	esac
	if [ "$unit" = complaintsd-backup.service ]; then
		: # checked below: no credentials at all
	elif [ "$(grep '^LoadCredential' "$path")" = "LoadCredential=complaintsd:$creddir" ]; then
		passed=$((passed + 1))
	else
		echo "not ok - $unit credentials: $(grep '^LoadCredential' "$path" | tr '\n' ' ') (want LoadCredential=complaintsd:$creddir only)"
		failed=$((failed + 1))
	fi
	# An allow list of everything allows everything: only a drop-in narrows it.
	if [ "$unit" = complaintsd-backup.service ]; then
		grep -q '^LoadCredential' "$path" && { echo "not ok - $unit is given the passwords"; failed=$((failed + 1)); } ||
			passed=$((passed + 1))
	elif grep -q '^IPAddress' "$path"; then
		echo "not ok - $unit sets $(grep '^IPAddress' "$path" | tr '\n' ' ')"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
