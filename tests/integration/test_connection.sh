#!/usr/bin/env bash
# complaintsctl check-connection on the real stack: everything working (IMAP,
# and SMTP without and with AUTH through Dovecot's submission service), a
# missing Sent folder named with the folders that exist, a refused IMAP and
# SMTP login, an SMTP server that is down, a certificate that is not trusted;
# each failure says what to do, and the check sends no mail and creates no
# folder.  Two answers only Exchange Online gives are injected with a fake
# server (tests/integration/fake_exchange.py): "User is authenticated but not
# connected" and "550 5.7.30 Basic authentication is not supported".
. "$(dirname "$0")/lib.sh"
it_setup connection

cc() { # CONFIG: run check-connection, output in $dir/cc.out, exit code printed
	local rc=0
	"$COMPLAINTSCTL" -c "$1" check-connection >"$dir/cc.out" 2>&1 || rc=$?
	echo $rc
}
has() { grep -qF -- "$1" "$dir/cc.out" || { echo "--- $dir/cc.out lacks: $1" >&2; cat "$dir/cc.out" >&2; return 1; }; }
# with_conf FILE SED-SCRIPT: a copy of the configuration, edited
with_conf() { sed "$2" "$dir/complaintsd.conf" >"$1"; }
all_mail() { find "$dir/mail" -path '*/new/*' -type f -o -path '*/cur/*' -type f | wc -l; }

# --- 1. the daemon's folders not made yet: a failure, and the check makes none
check_eq "processed and quarantine missing: exit 1" 1 "$(cc "$dir/complaintsd.conf")"
check "the missing folder named, and who makes it" \
	has '"Processed": MISSING: complaintsd creates it when it starts'
check "INBOX exists" has '"INBOX": exists'
check "the server's separator is named" has 'folders nest with "/" there'
check "SMTP greeted, nothing sent" has "connected and greeted (EHLO); nothing was sent"
check "IMAP is what failed" has "Problems found: IMAP."
check "no folder was created" test ! -e "$(mailstack_maildir "$COMPLAINTS" Processed)"

# --- all good: once the folders are there
imap_create() { MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE \
	python3 "$top_srcdir/tests/integration/imap_append.py" "$COMPLAINTS" "$1"; }
imap_create Processed
imap_create Quarantine
check_eq "all good: exit 0" 0 "$(cc "$dir/complaintsd.conf")"
check "says all connections work" has "All connections work."
check "Processed exists" has '"Processed": exists'
check_eq "no mail anywhere" 0 "$(all_mail)"

# --- 2. a Sent folder that does not exist: exit 1, the folders there listed
with_conf "$dir/sent.conf" '/^\[imap\]/a sent_folder = Sent Items'
check_eq "missing sent folder: exit 1" 1 "$(cc "$dir/sent.conf")"
check "the missing folder is named with those that exist" \
	grep -qE '"Sent Items": MISSING: name one of the folders there \(("(INBOX|Processed|Quarantine)"(, )?){3}\)' "$dir/cc.out"
check "IMAP is what failed" has "Problems found: IMAP."
imap_create "Sent Items"
check_eq "once it exists: exit 0" 0 "$(cc "$dir/sent.conf")"
check "and it is said to exist" has '"Sent Items": exists'

# --- 3. a refused IMAP login
(umask 077 && echo not-the-password >"$dir/wrong-password")
with_conf "$dir/badpw.conf" "/^\[imap\]/,/^\[/s|^password_file = .*|password_file = $dir/wrong-password|"
check_eq "wrong IMAP password: exit 1" 1 "$(cc "$dir/badpw.conf")"
check "the server's refusal is shown" has "login as $COMPLAINTS refused"
check "and what to do" has "what to do: the user name or password was refused: check [imap] username"
check "the password is not shown" bash -c "! grep -qF not-the-password '$dir/cc.out'"

# --- 4. a certificate that is not trusted (no ca_file for the private CA)
with_conf "$dir/noca.conf" '/^\[imap\]/,/^\[/{/^ca_file/d}'
check_eq "untrusted certificate: exit 1" 1 "$(cc "$dir/noca.conf")"
check "the certificate problem is named" has "certificate of localhost not trusted"
check "and what to do" has "set ca_file to the private CA"

# --- 5. SMTP with AUTH: Dovecot's submission service (relaying to OpenSMTPD)
# beside the stack's IMAP, configured by this test only
SUB_PORT=$(_ms_pick_ports 1)
cat >>"$dir/dovecot/dovecot.conf" <<CONF
protocols = imap submission
hostname = localhost
submission_relay_host = $MAILSTACK_HOST
submission_relay_port = $SMTP_PORT
submission_relay_trusted = yes
service submission-login {
  chroot =
  inet_listener submission {
    address = $MAILSTACK_HOST
    port = $SUB_PORT
  }
}
CONF
mailstack_restart_imap
check "submission listens" it_wait_for 10 bash -c "ss -Htln 'sport = :$SUB_PORT' | grep -q ."
submission_conf() { # FILE PASSWORD-FILE
	with_conf "$1" "/^\[smtp\]/,/^\[/{s|^url = .*|url = smtp://localhost:$SUB_PORT|;s|^starttls = no|starttls = yes\nca_file = $MAILSTACK_CA\npassword_file = $2|;s|^username =.*|username = $COMPLAINTS|}"
}
submission_conf "$dir/auth.conf" "$MAILSTACK_PASSWORD_FILE"
check_eq "SMTP AUTH accepted: exit 0" 0 "$(cc "$dir/auth.conf")"
check "EHLO and AUTH accepted, nothing sent" has "connected, EHLO and AUTH accepted; nothing was sent"
check "Dovecot saw the login" grep -q "submission-login: Info: Login: user=<$COMPLAINTS>, method=PLAIN" "$dir/log/dovecot.log"
check "and a QUIT, not a dropped connection" grep -q "submission($COMPLAINTS).*Disconnected: Logged out" "$dir/log/dovecot.log"
check_eq "still no mail anywhere" 0 "$(all_mail)"

submission_conf "$dir/smtpbad.conf" "$dir/wrong-password"
# IMAP keeps its right password: only SMTP fails
check_eq "wrong SMTP password: exit 1" 1 "$(cc "$dir/smtpbad.conf")"
check "the server's reply is shown" has "535 5.7.8 Authentication failed"
check "and what to do" has "check [smtp] username and the password"
check "only SMTP failed" has "Problems found: SMTP."

# --- 6. SMTP down
mailstack_stop_smtp
check_eq "SMTP down: exit 1" 1 "$(cc "$dir/complaintsd.conf")"
check "unreachable, and what to do" has "nothing answered: check the host and port in [smtp] url"
check "IMAP still checked and fine" has '"INBOX": exists'
mailstack_start_smtp

# --- 7. Exchange Online's own refusals (fault injection: no Dovecot says these)
stop_fakes() { local p; for p in "$dir"/fake-*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; rm -f "$p"; done; }
trap 'stop_fakes; it_teardown' EXIT
fake() { # MODE [ARGS]: start a fake (its pid in $dir/fake-MODE.pid), print its port
	local out=$dir/fake-$1.port
	python3 "$top_srcdir/tests/integration/fake_exchange.py" "$@" >"$out" 2>/dev/null &
	echo $! >"$dir/fake-$1.pid"
	it_wait_for 10 test -s "$out" && cat "$out"
}
imap_fake=$(fake imap)
with_conf "$dir/notconn.conf" "/^\[imap\]/,/^\[/{s|^url = .*|url = imap://127.0.0.1:$imap_fake/INBOX\nstarttls = no\ntls_verify = no|}"
check_eq "no permission on the mailbox: exit 1" 1 "$(cc "$dir/notconn.conf")"
check "Exchange's words are shown" has "User is authenticated but not connected"
check "and explained as the missing mailbox permission" has "give no access to this mailbox"
check "with what to do" has "Add-MailboxPermission"
smtp_fake=$(fake smtp "$dir/tls/server.crt" "$dir/tls/server.key")
submission_conf "$dir/basic.conf" "$MAILSTACK_PASSWORD_FILE"
sed -i "s|^url = smtp://localhost:$SUB_PORT|url = smtp://localhost:$smtp_fake|" "$dir/basic.conf"
check_eq "Basic auth refused by Exchange: exit 1" 1 "$(cc "$dir/basic.conf")"
check "the 5.7.30 reply is shown" has "550 5.7.30 Basic authentication is not supported"
check "and the way out named" has "use auth = oauth2"
stop_fakes

it_finish
