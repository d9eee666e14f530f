#!/usr/bin/env bash
# The shipped units pass `systemd-analyze verify` (unknown keys, bad values,
# a timer without its service, commands that do not exist): each .in file
# with the programs of this build in place of the installed paths, the timer
# beside its service.
set -euo pipefail
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
builddir=$(cd "$top_builddir" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for in in "$top_srcdir"/systemd/*.service.in; do
	sed -e "s|@bindir@|$builddir|g" -e "s|@sbindir@|$builddir|g" "$in" >"$tmp/$(basename "$in" .in)"
done
cp "$top_srcdir"/systemd/*.timer "$tmp/"
for unit in "$tmp"/*.service "$tmp"/*.timer; do
	name=$(basename "$unit")
	# an instance of a template is what gets verified
	[[ $name == *@.service ]] && { cp "$unit" "$tmp/${name%@.service}@northshire.service"; unit=$tmp/${name%@.service}@northshire.service; }
	if out=$(cd "$tmp" && systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
		echo "ok - $name verifies"
		passed=$((passed + 1))
	else
		echo "not ok - $name: $out"
		failed=$((failed + 1))
	fi
done
if grep -q '^\[Timer\]' "$tmp/complaintsd-backup.timer" &&
	grep -q 'backup --dir' "$tmp/complaintsd-backup.service"; then
	echo "ok - the backup timer runs complaintsctl backup --dir"
	passed=$((passed + 1))
else
	echo "not ok - the backup timer does not run complaintsctl backup --dir"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
