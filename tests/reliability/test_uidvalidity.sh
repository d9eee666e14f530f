#!/usr/bin/env bash
# UIDVALIDITY change: the mailbox is recreated with the same messages (Dovecot
# stopped, its index and uidlist removed, everything from Processed and
# Quarantine put back into INBOX).  The next run must recognise every copy:
# no new case, no new message row, no new reply, and INBOX empty again.
. "$(dirname "$0")/lib.sh"
count=$([ "$RELIABILITY_FULL" = 1 ] && echo 300 || echo 20)
rl_setup
rl_generate "$count"
# Two messages that end in quarantine: a MIME bomb and a message over the
# size limit.
{
	printf 'From: Bomb <bomb@example.com>\nTo: %s\nSubject: nested\nMessage-ID: <bomb-1@example.com>\nMIME-Version: 1.0\n' "$COMPLAINTS"
	for i in $(seq 1 100); do
		printf 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' "$i" "$i"
	done
	printf 'Content-Type: text/plain\n\nboom\n'
} >"$dir/bomb.eml"
{
	printf 'From: Big <big@example.com>\nTo: %s\nSubject: big\nMessage-ID: <big-1@example.com>\n\n' "$COMPLAINTS"
	head -c 3000000 /dev/zero | tr '\0' 'x' | fold -w 76
} >"$dir/big.eml"
rl_set limits max_message_bytes 2000000
rl_deliver "$dir"/gen/resident/*.eml "$dir/bomb.eml" "$dir/big.eml"

uidvalidity() {
	curl -sS --max-time 10 --url "imap://$MAILSTACK_HOST:$IMAP_PORT/" \
		--user "$COMPLAINTS:$(cat "$MAILSTACK_PASSWORD_FILE")" -X 'EXAMINE INBOX' |
		sed -n 's/.*UIDVALIDITY \([0-9]*\).*/\1/p'
}
snapshot() {
	sql "SELECT (SELECT count(*) FROM cases) || ' cases, ' || (SELECT count(*) FROM outbox) ||
		' replies, ' || (SELECT count(*) FROM events) || ' events'"
}
rows() { # STATE: message rows in that state
	sql "SELECT count(*) FROM messages WHERE state = '$1'"
}

check "first run succeeds" it_once
check "the outbox drains" rl_drain resident
check_eq "INBOX is empty" 0 "$(rl_inbox)"
check_eq "two messages quarantined" 2 "$(mailstack_imap_count "$COMPLAINTS" Quarantine)"
before=$(snapshot)
v1=$(uidvalidity)
sent_before=$(rl_delivered_total resident)

mailstack_stop_imap
md=$(mailstack_maildir "$COMPLAINTS" INBOX)
for f in Processed Quarantine; do
	find "$(mailstack_maildir "$COMPLAINTS" "$f")"/cur "$(mailstack_maildir "$COMPLAINTS" "$f")"/new -type f \
		-exec sh -c 'for p; do b=${p##*/}; mv "$p" "$0/new/${b%%:*}"; done' "$md" {} +
	rm -f "$(mailstack_maildir "$COMPLAINTS" "$f")"/dovecot*
done
rm -f "$md"/dovecot-uidlist "$md"/dovecot.index* "$md"/dovecot.list.index* "$md"/dovecot-uidvalidity*
# Dovecot gives a mailbox without a uidvalidity file the current second as
# its UIDVALIDITY: let the second of the first one pass (a fast run is done
# within it).
while [ "$(date +%s)" -le "$v1" ]; do sleep 0.1; done
mailstack_start_imap
v2=$(uidvalidity)
check "UIDVALIDITY changed ($v1 -> $v2)" test -n "$v2" -a "$v1" != "$v2"
check_eq "every message is back in INBOX" "$((count + 2))" "$(rl_inbox)"

check "the run after the change succeeds" it_once
check_eq "INBOX is empty again" 0 "$(rl_inbox)"
check_eq "no new case, reply or event" "$before" "$(snapshot)"
check_eq "processed copies recognised: no new message row" "$count" "$(rows processed)"
check_eq "quarantined copies recognised: no new message row" 2 "$(rows quarantined)"
check "the change is logged" grep -q 'UIDVALIDITY of INBOX changed' "$dir/daemon.log"
check_eq "Processed and Quarantine hold everything once" "$((count + 2))" \
	"$(($(mailstack_imap_count "$COMPLAINTS" Processed) + $(mailstack_imap_count "$COMPLAINTS" Quarantine)))"
sleep 2
check_eq "no resident got a second reply" "$sent_before" "$(rl_delivered_total resident)"
rl_check_acks resident "$count"
it_finish
