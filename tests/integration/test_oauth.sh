#!/usr/bin/env bash
# OAuth 2.0 (SPEC section 6) against real parts: glewlwyd issues the tokens,
# Dovecot takes them over XOAUTH2 for IMAP and for SMTP submission (offering
# XOAUTH2 only, as Exchange Online does), OpenSMTPD delivers.
#  1. A whole case with OAuth only and no password anywhere: the complaint is
#     read, acknowledged and notified through submission, the officer's reply
#     relayed; one token serves IMAP and SMTP; no secret or token is logged.
#  2. complaintsctl oauth status (check-connection: test_oauth_check.sh).
#  3. A wrong secret: a clear error, --once exits 1, the mail stays in INBOX.
#  4. The provider down, then back (--once, and the running daemon).
#  5. A token expiring while the daemon idles, the session dropped (doveadm
#     kick) and taken up again with a fresh token, without a tight loop.
#  6. The refresh token grant: complaintsctl oauth login (device
#     authorization), rotation written back, surviving a restart.
#  7. An Entra-style certificate credential: the signed client assertion,
#     verified by the provider.  A Google service account (the RFC 7523
#     jwt-bearer grant): glewlwyd has no such grant, so what is checked is
#     that the daemon sends it there and handles the refusal (see below).
#  8. A server offering OAUTHBEARER too, as Gmail does; 9. one without XOAUTH2.
. "$(dirname "$0")/lib.sh"
# shellcheck source=oauth_lib.sh
. "$(dirname "$0")/oauth_lib.sh"
oauth_setup complaintsd-oauth

# ---------------------------------------------------------------- 1. a whole case, OAuth only
check "the configuration names no password" sh -c "! grep -q -i password '$conf'"
check "check-config accepts it" quiet ctl check-config
complaint "$dir/c1.eml" 3
it_deliver "$dir/c1.eml"
tok0=$(tokens "$OAUTH_CLIENT_ID")
check_eq "run 1 (complaint in)" 0 "$(once_rc)"
check_eq "the case is opened" 1 "$(cases)"
ref=$(ctl list --json | jq -r '.[0].ref')
check_eq "INBOX is empty" 0 "$(inbox)"
check "Jane gets her acknowledgement (submission, relayed)" wait_count "$JANE" 1
check "it is the acknowledgement of her case" grep -q "$ref" "$(last_mail "$JANE")"
check "the waste team gets the notification" wait_count "$TEAM" 1
check_eq "one token served IMAP and SMTP" 1 "$(($(tokens "$OAUTH_CLIENT_ID") - tok0))"
check "the daemon logged in to IMAP with XOAUTH2" test "$(logins imap)" -ge 1
check "and to submission with XOAUTH2" test "$(logins submission)" -ge 1
check "no login anywhere used a password" sh -c "! grep -E -q 'method=(PLAIN|LOGIN)' '$DLOG'"

notice=$(last_mail "$TEAM")
printf 'Dear Jane,\n\nOrchard Close is back on the round from Monday.\n\n#outcome upheld\n\nWendy Waste\n' >"$dir/r1.txt"
{ printf '%s\r\n' "$VOUCHED"; $MT reply "$notice" outlook "Wendy Waste <$WENDY>" "$dir/r1.txt"; } >"$dir/r1.eml"
mailstack_send "$WENDY" "$COMPLAINTS" "$dir/r1.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 1 20
check_eq "run 2 (the officer's reply)" 0 "$(once_rc)"
check "the officer's reply reaches Jane" wait_count "$JANE" 2
check "it is Wendy's answer" grep -q 'Orchard Close is back on the round' "$(last_mail "$JANE")"
check_eq "the case is responded" responded "$(it_field "$ref" .status)"
check "no secret or token in the daemon's log" no_secret_in "$dir/daemon.log"


# ---------------------------------------------------------------- 2. oauth status
ctl oauth status >"$dir/status.out" 2>&1 && rc=0 || rc=$?
check_eq "oauth status: exit 0 with a token to be had" 0 "$rc"
check "it names the grant" grep -q 'client_credentials' "$dir/status.out"
check "and says until when the token is good" grep -E -q '[0-9]{2}:[0-9]{2}' "$dir/status.out"
check "and shows no token or secret" no_secret_in "$dir/status.out"

# ---------------------------------------------------------------- 3. a wrong secret
echo "not-the-secret" >"$dir/wrong-secret"
chmod 0600 "$dir/wrong-secret"
oauth_config "oauth2.client_secret_file=$dir/wrong-secret"
complaint "$dir/c2.eml" 4
it_deliver "$dir/c2.eml"
at=$(log_size)
check_eq "--once with a wrong secret exits 1" 1 "$(once_rc)"
check_eq "the mail stays in INBOX" 1 "$(inbox)"
check_eq "no case is opened for it" 1 "$(cases)"
log_since "$at" >"$dir/wrong.log"
check "the error names the token endpoint" grep -q -F "$OAUTH_TOKEN_URL" "$dir/wrong.log"
check "and the provider's refusal (HTTP 403)" grep -q '403' "$dir/wrong.log"
check "and does not log the secret" sh -c "! grep -q not-the-secret '$dir/wrong.log'"
check_eq "no IMAP login was tried without a token" 0 "$(refused imap)"
oauth_config
check_eq "with the right secret the mail is taken in" 0 "$(once_rc)"
check_eq "INBOX is empty again" 0 "$(inbox)"
check_eq "the second case is opened" 2 "$(cases)"
check "resident 4 is acknowledged" wait_count "$(resident 4)" 1

# ---------------------------------------------------------------- 4. the provider down, then back
mailstack_stop_idp
complaint "$dir/c3.eml" 5
it_deliver "$dir/c3.eml"
at=$(log_size)
check_eq "--once with the provider down exits 1" 1 "$(once_rc)"
check_eq "the mail stays in INBOX" 1 "$(inbox)"
check "the log names the endpoint it cannot reach" sh -c "tail -c +$((at + 1)) '$dir/daemon.log' | grep -q -F '$OAUTH_TOKEN_URL'"
ctl oauth status >"$dir/status-down.out" 2>&1 && rc=0 || rc=$?
check_eq "oauth status with the provider down: exit 1" 1 "$rc"
check "it names the endpoint it cannot reach" grep -q -F "$OAUTH_TOKEN_URL" "$dir/status-down.out"
mailstack_start_idp
check_eq "--once with the provider back exits 0" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
check_eq "the third case is opened" 3 "$(cases)"

# the running daemon: the provider down at its start, then back
sed -i 's/^poll_seconds = .*/poll_seconds = 3600/' "$conf"
export NOTIFY_SOCKET="$dir/notify.sock"
python3 - "$NOTIFY_SOCKET" "$dir/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode(errors="replace").replace("\n", " | ") + "\n")
PY
notify_pid=$!
it_wait_for 10 test -S "$NOTIFY_SOCKET"
mailstack_stop_idp
complaint "$dir/c4.eml" 6
it_deliver "$dir/c4.eml"
"$COMPLAINTSD" -c "$conf" >>"$dir/daemon.log" 2>&1 &
daemon_pid=$!
status_says_why() { grep 'STATUS=' "$dir/notify.log" | grep -q -F "$OAUTH_TOKEN_URL"; }
check "STATUS= says the provider cannot be reached, naming it" it_wait_for 60 status_says_why
check "the daemon keeps running" kill -0 "$daemon_pid"
check_eq "the mail waits in INBOX" 1 "$(inbox)"
mailstack_start_idp
check "once the provider is back the mail is taken in" it_wait_for 60 inbox_empty
check_eq "the fourth case is opened" 4 "$(cases)"
check "resident 6 is acknowledged" wait_count "$(resident 6)" 1

# ---------------------------------------------------------------- 5. expiry while idle, session dropped
# Tokens of 20 s from now on; the daemon's next one is issued after ours, so
# when ours has expired, so has the daemon's.
kill -TERM "$daemon_pid"
it_wait_for 30 sh -c "! kill -0 $daemon_pid 2>/dev/null"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=
mailstack_oauth_set_token_duration 20
imap_before=$(logins imap)
"$COMPLAINTSD" -c "$conf" >>"$dir/daemon.log" 2>&1 &
daemon_pid=$!
check "the daemon logs in with a 20 s token" it_wait_for 60 more_logins imap "$imap_before"
probe=$(mailstack_oauth_token)
tok_start=$(tokens "$OAUTH_CLIENT_ID")
check "its token expires while it idles" mailstack_oauth_wait_expired "$probe" 60
imap_before=$(logins imap)
refused_before=$(refused imap)
kicked() { mailstack_kick "$COMPLAINTS" | grep -q -F "$COMPLAINTS"; }
check "doveadm kick drops its IDLE session" kicked
check "it logs in again" it_wait_for 60 more_logins imap "$imap_before"
check "with a fresh token" test "$(tokens "$OAUTH_CLIENT_ID")" -gt "$tok_start"
check "after at most one refused login" test "$(($(refused imap) - refused_before))" -le 1
complaint "$dir/c5.eml" 7
it_deliver "$dir/c5.eml"
check "new mail is taken in on the new session (IDLE)" it_wait_for 30 inbox_empty
check "and acknowledged through submission" wait_count "$(resident 7)" 1
check "the daemon is still running" kill -0 "$daemon_pid"
# 20 s tokens for well under two minutes: a handful, not a loop
check "no tight loop of token requests" test "$(($(tokens "$OAUTH_CLIENT_ID") - tok_start))" -le 10
kill -TERM "$daemon_pid"
it_wait_for 30 sh -c "! kill -0 $daemon_pid 2>/dev/null"
wait "$daemon_pid" 2>/dev/null && rc=0 || rc=$?
daemon_pid=
check_eq "SIGTERM stops it cleanly" 0 "$rc"
mailstack_oauth_set_token_duration 3600
sed -i 's/^poll_seconds = .*/poll_seconds = 5/' "$conf"
unset NOTIFY_SOCKET
check "no secret or token in the daemon's log" no_secret_in "$dir/daemon.log"

# ---------------------------------------------------------------- 6. refresh token: login, rotation, restart
RT=$dir/oauth-refresh-token
oauth_config "oauth2.grant=refresh_token" "oauth2.refresh_token_file=$RT" \
	"oauth2.device_authorization_url=$OAUTH_DEVICE_AUTHORIZATION_URL"
ctl oauth login >"$dir/login.out" 2>&1 &
login_pid=$!
user_code() { grep -E -o '\b[A-Z0-9]{4}-[A-Z0-9]{4}\b' "$dir/login.out" | head -n 1; }
has_user_code() { [ -n "$(user_code)" ]; }
check "oauth login prints a user code" it_wait_for 30 has_user_code
check "and the address to enter it at" grep -q -F "$OAUTH_API_URL/oidc/device" "$dir/login.out"
check "the administrator approves it" mailstack_oauth_approve "$(user_code)"
it_wait_for 60 sh -c "! kill -0 $login_pid 2>/dev/null"
wait "$login_pid" && rc=0 || rc=$?
check_eq "oauth login exits 0" 0 "$rc"
check "it wrote the refresh token file" test -s "$RT"
check_eq "mode 0600" 600 "$(stat -c %a "$RT" 2>/dev/null)"
check "and printed no token" no_secret_in "$dir/login.out"
rt_login=$(cat "$RT")
echo "$rt_login" >>"$dir/refresh-tokens"
ctl oauth status >"$dir/status-rt.out" 2>&1 && rc=0 || rc=$?
check_eq "oauth status with the refresh token: exit 0" 0 "$rc"
check "it names the refresh token grant" grep -q 'refresh_token' "$dir/status-rt.out"
# glewlwyd rotates on every use: a status that dropped the new token would
# leave the daemon the retired one (and its reuse would revoke the line)
check "it saved the refresh token its check rotated" test "$(cat "$RT")" != "$rt_login"
check "and shows no token" no_secret_in "$dir/status-rt.out"
rt0=$(cat "$RT")
echo "$rt0" >>"$dir/refresh-tokens"
complaint "$dir/c6.eml" 8
it_deliver "$dir/c6.eml"
check_eq "run with the refresh token" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
rt1=$(cat "$RT")
echo "$rt1" >>"$dir/refresh-tokens"
check "the rotated refresh token was written back" test -n "$rt1" -a "$rt1" != "$rt0"
check_eq "still mode 0600" 600 "$(stat -c %a "$RT")"
check_eq "and nothing left beside it" "$RT" "$(ls -d "$RT"*)"
# A restart: had the daemon used the retired token, glewlwyd would refuse it
# and revoke the whole line, and this run would fail.
complaint "$dir/c7.eml" 9
it_deliver "$dir/c7.eml"
check_eq "a restarted daemon runs on the rotated token" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
check "and rotates it again" test "$(cat "$RT")" != "$rt1"
check "the refresh tokens were issued to the device login's user" \
	grep -q "Refresh token generated for client '$OAUTH_CLIENT_ID' granted by user '$OAUTH_USER'" "$GLOG"
check "no refresh token in the daemon's log" no_secret_in "$dir/daemon.log"

# ---------------------------------------------------------------- 7. signed assertions
# Entra's certificate credential: provider microsoft with the test provider's
# endpoint; the client has no secret, so a token proves glewlwyd checked the
# assertion's signature, issuer, subject, audience, expiry and jti.
cert_config() {
	oauth_config "oauth2.provider=microsoft" "oauth2.client_id=$OAUTH_CERT_CLIENT_ID" \
		"oauth2.client_secret_file=" "oauth2.client_certificate_file=$1"
}
cert_config "$OAUTH_CLIENT_CERT_FILE"
check "check-config accepts the certificate credential" quiet ctl check-config
complaint "$dir/c8.eml" 10
it_deliver "$dir/c8.eml"
cert_tokens=$(tokens "$OAUTH_CERT_CLIENT_ID")
check_eq "run with the certificate credential" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
check_eq "the provider issued one token for the assertion" 1 "$(($(tokens "$OAUTH_CERT_CLIENT_ID") - cert_tokens))"
check "no assertion in the daemon's log" sh -c "! grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' '$dir/daemon.log'"
# a certificate whose key the provider does not know
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 -subj "/CN=not registered" \
	-keyout "$dir/other.key" -out "$dir/other.crt" 2>/dev/null
cat "$dir/other.crt" "$dir/other.key" >"$dir/other.pem"
chmod 0600 "$dir/other.pem"
cert_config "$dir/other.pem"
complaint "$dir/c9.eml" 11
it_deliver "$dir/c9.eml"
check_eq "an assertion signed with an unknown key: --once exits 1" 1 "$(once_rc)"
check_eq "the mail stays in INBOX" 1 "$(inbox)"
cert_config "$OAUTH_CLIENT_CERT_FILE"
check_eq "with the registered certificate again" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
# the same client authentication (RFC 7523 private_key_jwt) with provider = generic
oauth_config "oauth2.client_id=$OAUTH_CERT_CLIENT_ID" "oauth2.client_secret_file=" \
	"oauth2.client_certificate_file=$OAUTH_CLIENT_CERT_FILE"
complaint "$dir/c9b.eml" 14
it_deliver "$dir/c9b.eml"
cert_tokens=$(tokens "$OAUTH_CERT_CLIENT_ID")
check_eq "a certificate credential with provider = generic" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
check_eq "with a token for the assertion" 1 "$(($(tokens "$OAUTH_CERT_CLIENT_ID") - cert_tokens))"

# A Google service account: the RFC 7523 jwt-bearer grant.  glewlwyd 2.7.5
# has no such grant (its token endpoint answers 400 to any grant_type it does
# not know), so no test here can have the assertion verified by a provider;
# the unit tests check its claims and signature.  What is checked: the
# daemon sends that grant to the configured endpoint, and handles the
# refusal like any other (exit 1, the mail kept, the endpoint named).
key_pem=$(cat "$OAUTH_CLIENT_KEY_FILE")
jq -n --arg key "$key_pem" '{type: "service_account",
	project_id: "council-mail", private_key_id: "0123456789abcdef", private_key: $key,
	client_email: "complaintsd@council-mail.iam.gserviceaccount.com", client_id: "104000000000000000001",
	token_uri: "https://oauth2.googleapis.com/token"}' >"$dir/service-account.json"
chmod 0600 "$dir/service-account.json"
oauth_config "oauth2.provider=google" "oauth2.client_id=" "oauth2.client_secret_file=" \
	"oauth2.service_account_file=$dir/service-account.json"
check "check-config accepts the service account key" quiet ctl check-config
complaint "$dir/c10.eml" 12
it_deliver "$dir/c10.eml"
at=$(log_size)
check_eq "the jwt-bearer grant refused: --once exits 1" 1 "$(once_rc)"
check "the provider received the jwt-bearer grant" \
	grep -q "Unknown grant_type 'urn:ietf:params:oauth:grant-type:jwt-bearer'" "$GLOG"
check_eq "the mail stays in INBOX" 1 "$(inbox)"
check "the error names the endpoint" sh -c "tail -c +$((at + 1)) '$dir/daemon.log' | grep -q -F '$OAUTH_TOKEN_URL'"
check "no assertion or key in the daemon's log" \
	sh -c "! grep -q -e 'eyJ[A-Za-z0-9_-]*\.eyJ' -e 'PRIVATE KEY' '$dir/daemon.log'"

# ---------------------------------------------------------------- 8. a server like Gmail
# Offering OAUTHBEARER too: libcurl then prefers it for SMTP, libetpan keeps
# to XOAUTH2 for IMAP; both take the same token.
check "Dovecot offers OAUTHBEARER too" mailstack_oauth_mechanisms "xoauth2 oauthbearer"
oauth_config
complaint "$dir/c11.eml" 13
it_deliver "$dir/c11.eml"
check_eq "run against it" 0 "$(once_rc)"
check_eq "the mail is taken in" 0 "$(inbox)"
check "resident 13 is acknowledged" wait_count "$(resident 13)" 1
check "submission took the token over OAUTHBEARER" \
	grep -q "submission-login: Info: Login: user=<$COMPLAINTS>, method=OAUTHBEARER" "$DLOG"
check "IMAP over XOAUTH2" test "$(grep "imap-login: Info: Login: user=<$COMPLAINTS>" "$DLOG" | tail -n 1 | grep -c 'method=XOAUTH2')" = 1

# ---------------------------------------------------------------- 9. a server without XOAUTH2
# (libetpan logs in to IMAP with XOAUTH2 only): said so, and no token asked for.
check "Dovecot offers OAUTHBEARER only" mailstack_oauth_mechanisms oauthbearer
complaint "$dir/c12.eml" 15
it_deliver "$dir/c12.eml"
tok0=$(tokens "$OAUTH_CLIENT_ID")
at=$(log_size)
check_eq "--once against it exits 1" 1 "$(once_rc)"
check_eq "the mail stays in INBOX" 1 "$(inbox)"
check "the log says XOAUTH2 is not offered" sh -c "tail -c +$((at + 1)) '$dir/daemon.log' | grep -q 'not offer.*XOAUTH2'"
check_eq "no token was asked for" "$tok0" "$(tokens "$OAUTH_CLIENT_ID")"
check "Dovecot offers XOAUTH2 again" mailstack_oauth_mechanisms xoauth2
check_eq "and the mail is taken in" 0 "$(once_rc)"
check_eq "INBOX is empty" 0 "$(inbox)"

it_finish
