#!/usr/bin/env bash
# Folder names are written with "/" for nesting whatever the server's
# hierarchy separator: on the stack's usual Dovecot (separator "/", as
# Exchange and Gmail) and on one with Dovecot's Maildir++ default "." (which
# refuses "/" in a name: "CREATE: Name must not have '/' characters"), the
# daemon creates Complaints/Processed and Complaints/Quarantine and files
# mail there, the sent-folder watcher reads Complaints/Sent, and
# check-connection reports them; a name holding the server's separator is a
# configuration error that stops the daemon with what to fix, and nothing
# leaves the inbox.
. "$(dirname "$0")/lib.sh"

dirs=()
teardown_all() {
	local rc=$? d
	for d in "${dirs[@]}"; do
		mailstack_stop "$d" >/dev/null 2>&1 || true
		if [ $rc -eq 0 ] && [ $failed -eq 0 ] && [ -z "${IT_KEEP:-}" ]; then
			rm -rf "$d"
		else
			echo "(test files kept in $d)" >&2
		fi
	done
}
trap teardown_all EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

OFFICER=olivia.officer@council.example

# scenario SEP: a stack with hierarchy separator SEP, and everything above on it
scenario() {
	local sep=$1 rc ref
	dir=$(mktemp -d "/tmp/complaintsd-folders.XXXXXX")
	dirs+=("$dir")
	MAILSTACK_SEPARATOR=$sep mailstack_start "$dir" >/dev/null
	# shellcheck disable=SC1091
	. "$dir/env"
	it_write_config "$dir/complaintsd.conf"
	printf '%s\n' "processed_folder = Complaints/Processed" \
		"quarantine_folder = Complaints/Quarantine" "sent_folder = Complaints/Sent" >"$dir/f.ini"
	sed -i "/^\[imap\]/r $dir/f.ini" "$dir/complaintsd.conf"
	local wire_sent="Complaints${sep}Sent" wire_processed="Complaints${sep}Processed"

	rc=0
	ctl check-connection >"$dir/cc.out" 2>&1 || rc=$?
	check_eq "sep $sep: check-connection names the separator" 1 \
		"$(grep -c "folders nest with \"$sep\" there" "$dir/cc.out")"
	check "sep $sep: the missing Sent folder reported as configured" \
		grep -qF '"Complaints/Sent": MISSING' "$dir/cc.out"
	check_eq "sep $sep: check-connection fails on it" 1 "$rc"

	MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE \
		python3 "$top_srcdir/tests/integration/imap_append.py" "$COMPLAINTS" "$wire_sent"
	it_mail "$dir/c1.eml" "Jane Resident <jane@example.net>" "$COMPLAINTS" "Missed bins on Orchard Close" <<'EOM'
I want to complain: my bin has been missed three weeks running.
EOM
	it_deliver "$dir/c1.eml"
	check "sep $sep: the first run works" it_once
	check "sep $sep: no CREATE refused" bash -c "! grep -q \"CREATE\" '$dir/daemon.log'"
	check_eq "sep $sep: the complaint filed in Complaints/Processed" 1 \
		"$(mailstack_imap_count "$COMPLAINTS" "$wire_processed")"
	check_eq "sep $sep: on disk as Maildir++ .Complaints.Processed" 1 \
		"$(find "$dir/mail/$COMPLAINTS/Maildir/.Complaints.Processed" -path '*/cur/*' -o -path '*/new/*' -type f | grep -c .)"
	check "sep $sep: Complaints/Quarantine made beside it" \
		test -d "$dir/mail/$COMPLAINTS/Maildir/.Complaints.Quarantine"
	check_eq "sep $sep: the inbox is empty" 0 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"
	check "sep $sep: the watcher found Complaints/Sent" \
		grep -q 'Watching the Sent folder "Complaints/Sent"' "$dir/daemon.log"

	ref=$(ctl list --json | jq -r '.[0].ref')
	it_mail "$dir/sent1.eml" "Example Borough Council <$COMPLAINTS>" "Jane Resident <jane@example.net>" \
		"RE: [$ref] Missed bins on Orchard Close" <<'EOM'
Dear Jane, the collections were missed because of a vehicle breakdown.

#outcome upheld
EOM
	MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE \
		python3 "$top_srcdir/tests/integration/imap_append.py" "$COMPLAINTS" "$wire_sent" "$dir/sent1.eml"
	check "sep $sep: the second run works" it_once
	check_eq "sep $sep: the response in Complaints/Sent recorded" responded "$(it_field "$ref" .status)"

	rc=0
	ctl check-connection >"$dir/cc.out" 2>&1 || rc=$?
	check_eq "sep $sep: check-connection passes now" 0 "$rc"
	check "sep $sep: Complaints/Processed exists" grep -qF '"Complaints/Processed": exists' "$dir/cc.out"
}

scenario /
scenario .

# On the "." server a "." in a name cannot be told from nesting.
sed -i 's|^processed_folder = .*|processed_folder = Complaints.Done|' "$dir/complaintsd.conf"
rc=0
ctl check-connection >"$dir/cc.out" 2>&1 || rc=$?
check_eq "a name with the server's separator: check-connection fails" 1 "$rc"
check "and says why and what to write" grep -qF \
	'"Complaints.Done" contains ".", this server'"'"'s hierarchy separator' "$dir/cc.out"
it_mail "$dir/c2.eml" "Bob Resident <bob@example.org>" "$COMPLAINTS" "Pothole on Mill Lane" <<'EOM'
I want to complain about the pothole on Mill Lane, reported twice.
EOM
it_deliver "$dir/c2.eml"
rc=0
it_once || rc=$?
check_eq "the daemon stops (--once exits 1)" 1 "$rc"
check "saying what to fix" grep -q 'IMAP folder name: .*Complaints.Done.*fix the folder names in \[imap\]' "$dir/daemon.log"
check "and not in a reconnect loop" bash -c "[ \$(grep -c 'IMAP folder name' '$dir/daemon.log') -eq 1 ]"
check_eq "the mail stays in the inbox" 1 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"
check "no such folder made" test ! -e "$dir/mail/$COMPLAINTS/Maildir/.Complaints.Done"

it_finish
