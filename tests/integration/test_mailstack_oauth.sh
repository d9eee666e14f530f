#!/usr/bin/env bash
# The integration harness with OAuth 2.0 (mailstack_start_oauth): a real
# identity provider (glewlwyd) issues tokens with a client secret and with a
# signed JWT (private_key_jwt), Dovecot takes them over XOAUTH2 and
# OAUTHBEARER for IMAP and for SMTP submission (relayed to OpenSMTPD and
# delivered), refuses a token for another mailbox, an expired one, and any
# while the provider is down; a wrong secret or a forged, replayed or
# misaddressed assertion gets no token; the device authorization grant
# gives a refresh token that rotates; `doveadm kick` drops an IDLE session;
# passwords keep working beside the tokens, and stopping leaves nothing.
set -euo pipefail

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=../harness/mailstack.sh
. "$top_srcdir/tests/harness/mailstack.sh"
probe=$top_srcdir/tests/harness/xoauth2_probe.py

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the mail stack needs root"
	exit 77
fi

COMPLAINTS=complaints@council.example
RESIDENT=jane.resident@example.net
passed=0
failed=0
top=$(mktemp -d /tmp/complaintsd-oauthstack.XXXXXX)
chmod 0711 "$top"
dir=$top/stack
idle_pid=

cleanup() {
	local rc=$?
	[ -z "$idle_pid" ] || kill "$idle_pid" 2>/dev/null || true
	mailstack_stop "$dir" >/dev/null 2>&1 || true
	if [ $rc -eq 0 ] && [ $failed -eq 0 ]; then
		rm -rf "$top"
	else
		echo "(test files kept in $top)" >&2
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	echo "ok - $1"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok - $1"
	failed=$((failed + 1))
}

check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# check_fails_with NAME CODE COMMAND...: the command exits with CODE.
check_fails_with() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >/dev/null 2>&1 || rc=$?
	check_eq "$name" "$want" "$rc"
}

# xoauth2 imap|smtp TOKEN ARGS...: the XOAUTH2 probe, over STARTTLS.
xoauth2() {
	local kind=$1 token=$2 port
	shift 2
	if [ "$kind" = imap ]; then port=$IMAP_PORT; else port=$SUBMISSION_PORT; fi
	XOAUTH2_TOKEN=$token CAFILE=$MAILSTACK_CA python3 "$probe" "$kind" localhost "$port" "$@"
}

# The last login line of Dovecot's log for SERVICE (imap or submission).
last_login() {
	grep "$1-login: Info: Login: " "$MAILSTACK_DIR/log/dovecot.log" | tail -n 1
}

# HTTP status of a token request with the given curl arguments.
token_status() {
	curl -sS --max-time 20 -o /dev/null -w '%{http_code}' "$@" \
		--data-urlencode grant_type=client_credentials \
		--data-urlencode "scope=$OAUTH_SCOPE" "$OAUTH_TOKEN_URL"
}

assertion_status() { # ASSERTION
	token_status --data-urlencode "client_id=$OAUTH_CERT_CLIENT_ID" \
		--data-urlencode "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer" \
		--data-urlencode "client_assertion=$1"
}

if ! mailstack_start_oauth "$dir" >"$top/start.out" 2>&1; then
	cat "$top/start.out" >&2
	not_ok "the OAuth stack starts"
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "the OAuth stack starts"
mailstack_use "$dir"
ports="$IMAP_PORT $IMAPS_PORT $SMTP_PORT $SUBMISSION_PORT $IDP_PORT"
check_eq "five different ports" 5 "$(echo "$ports" | tr ' ' '\n' | sort -u | wc -l)"
check_eq "the client secret file is private" 600 "$(stat -c %a "$OAUTH_CLIENT_SECRET_FILE")"
check "the certificate file holds certificate and key" \
	grep -q 'BEGIN PRIVATE KEY' "$OAUTH_CLIENT_CERT_FILE"
check "the provider publishes its endpoints" \
	curl -sS --max-time 10 -f -o /dev/null "$OAUTH_API_URL/oidc/.well-known/openid-configuration"

cat >"$top/reply.eml" <<EOF
From: Complaints <$COMPLAINTS>
To: <$RESIDENT>
Subject: Your complaint, sent with a token
Message-ID: <oauth-reply-1@council.example>

We have received your complaint.
EOF
cat >"$top/reply2.eml" <<EOF
From: Complaints <$COMPLAINTS>
To: <$RESIDENT>
Subject: Your complaint, sent over XOAUTH2
Message-ID: <oauth-reply-2@council.example>

We have received your complaint.
EOF

# Passwords keep working beside the tokens.
check_eq "a password login still works" 0 "$(mailstack_imap_count "$COMPLAINTS" INBOX)"

# Client credentials with the secret.
token=$(mailstack_oauth_token) || token=
check "a token for the client secret" test -n "$token"
check "the provider calls it active" mailstack_oauth_active "$token"
check_eq "IMAP login with XOAUTH2 (STARTTLS)" 0 "$(xoauth2 imap "$token" "$COMPLAINTS")"
check "Dovecot logged an XOAUTH2 login for the mailbox" \
	grep -q "user=<$COMPLAINTS>, method=XOAUTH2" <<<"$(last_login imap)"
check_eq "IMAP login with curl --oauth2-bearer" 0 \
	"$(mailstack_imap_oauth_count "$COMPLAINTS" INBOX "$token")"
check "curl chose OAUTHBEARER" grep -q "method=OAUTHBEARER" <<<"$(last_login imap)"
check "SMTP submission with curl --oauth2-bearer" \
	mailstack_submit_oauth "$token" "$COMPLAINTS" "$RESIDENT" "$top/reply.eml"
check "relayed through OpenSMTPD and delivered" mailstack_wait_count "$RESIDENT" INBOX 1
check "the delivered file is the message submitted" \
	grep -q '^Subject: Your complaint, sent with a token' "$(mailstack_messages "$RESIDENT" INBOX)"
check "SMTP submission with AUTH XOAUTH2" \
	xoauth2 smtp "$token" "$COMPLAINTS" "$COMPLAINTS" "$RESIDENT" "$top/reply2.eml"
check "Dovecot logged an XOAUTH2 submission login" \
	grep -q "user=<$COMPLAINTS>, method=XOAUTH2" <<<"$(last_login submission)"
check "delivered too" mailstack_wait_count "$RESIDENT" INBOX 2

# The token is for the mailbox its scope names, and only for it.
check_fails_with "the token does not open another mailbox (IMAP)" 1 \
	xoauth2 imap "$token" "$RESIDENT"
submit_as() { # MAILBOX TOKEN FROM TO FILE: submission logged in as MAILBOX
	local OAUTH_MAILBOX=$1
	shift
	mailstack_submit_oauth "$@"
}
check_fails_with "nor submit as another mailbox" 67 \
	submit_as "$RESIDENT" "$token" "$RESIDENT" "$COMPLAINTS" "$top/reply.eml"
check_fails_with "a made-up token is refused" 1 xoauth2 imap "not-a-token" "$COMPLAINTS"
check_fails_with "a password is no token" 1 xoauth2 imap "$(cat "$MAILSTACK_PASSWORD_FILE")" "$COMPLAINTS"

# A wrong secret gets no token (glewlwyd answers 403 with an empty body).
echo "not-the-secret" >"$top/wrong-secret"
check_fails_with "a wrong secret gets no token" 1 \
	mailstack_oauth_token "$OAUTH_CLIENT_ID" "$top/wrong-secret"
check_eq "the provider answers it 403" 403 \
	"$(token_status -u "$OAUTH_CLIENT_ID:not-the-secret")"
check_eq "an unknown client is refused too" 403 \
	"$(token_status -u "nobody-knows:$(cat "$OAUTH_CLIENT_SECRET_FILE")")"

# The certificate client: a JWT signed with its key (private_key_jwt).
jwt_token=$(mailstack_oauth_token --assertion) || jwt_token=
check "a token for a signed client assertion" test -n "$jwt_token"
check_eq "it opens the mailbox over XOAUTH2" 0 "$(xoauth2 imap "$jwt_token" "$COMPLAINTS")"
assertion=$(mailstack_oauth_assertion)
check_eq "an assertion is taken once" 200 "$(assertion_status "$assertion")"
check_eq "and refused when replayed" 403 "$(assertion_status "$assertion")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$top/other.key" 2>/dev/null
check_eq "an assertion signed with another key is refused" 403 \
	"$(assertion_status "$(mailstack_oauth_assertion "$OAUTH_CERT_CLIENT_ID" "$top/other.key")")"
check_eq "an assertion for another audience is refused" 403 \
	"$(assertion_status "$(mailstack_oauth_assertion "$OAUTH_CERT_CLIENT_ID" "$OAUTH_CLIENT_KEY_FILE" \
		"https://login.example.org/token")")"
check_eq "the certificate client has no secret to use" 403 \
	"$(token_status -u "$OAUTH_CERT_CLIENT_ID:$(cat "$OAUTH_CLIENT_SECRET_FILE")")"

# Device authorization, refresh, rotation.
device=$(mailstack_oauth_device_login) || device='{}'
refresh=$(jq -r '.refresh_token // empty' <<<"$device")
check "the device authorization grant gives a refresh token" test -n "$refresh"
check_eq "and an access token for the mailbox" 0 \
	"$(xoauth2 imap "$(jq -r '.access_token // empty' <<<"$device")" "$COMPLAINTS")"
refresh_once() { # REFRESH_TOKEN: prints the token response, fails unless 200
	curl -sS --max-time 20 -f -u "$OAUTH_CLIENT_ID:$(cat "$OAUTH_CLIENT_SECRET_FILE")" \
		--data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$1" \
		"$OAUTH_TOKEN_URL"
}
renewed=$(refresh_once "$refresh") || renewed='{}'
refresh2=$(jq -r '.refresh_token // empty' <<<"$renewed")
check "the refresh token grant gives a new refresh token" \
	test -n "$refresh2" -a "$refresh2" != "$refresh"
check_eq "and an access token for the mailbox" 0 \
	"$(xoauth2 imap "$(jq -r '.access_token // empty' <<<"$renewed")" "$COMPLAINTS")"
renewed=$(refresh_once "$refresh2") || renewed='{}'
refresh3=$(jq -r '.refresh_token // empty' <<<"$renewed")
check "the new one works, and rotates too" test -n "$refresh3" -a "$refresh3" != "$refresh2"
check_fails_with "a rotated-out refresh token is refused" 22 refresh_once "$refresh"
# glewlwyd's reuse detection: presenting a used refresh token revokes its
# whole line, so a client that loses the rotated token must log in again.
check_fails_with "and its reuse revokes the newest one too" 22 refresh_once "$refresh3"
device=$(mailstack_oauth_device_login) || device='{}'
refresh=$(jq -r '.refresh_token // empty' <<<"$device")
check "a new device authorization gives a new line" test -n "$refresh"

# A session dropped by the server (what Exchange Online does when a token
# expires): an IDLE session ends when its user is kicked.
XOAUTH2_TOKEN=$token python3 -c '
import imaplib, os, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=60)
c.authenticate("XOAUTH2", lambda _: ("user=%s\x01auth=Bearer %s\x01\x01"
    % (sys.argv[2], os.environ["XOAUTH2_TOKEN"])).encode())
c.select("INBOX")
c.send(b"I1 IDLE\r\n")
while True:
    line = c.readline()
    print(line.decode().strip() if line else "closed", flush=True)
    if not line:
        break
' "$IMAP_PORT" "$COMPLAINTS" >"$top/idle.out" 2>&1 &
idle_pid=$!
idling() { grep -q '^+ idling' "$top/idle.out"; }
wait_for() { # SECONDS COMMAND...: poll until the command succeeds
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do "$@" && return 0; sleep 0.1; done
	return 1
}
check "an XOAUTH2 session idles" wait_for 20 idling
check "doveadm kick names the mailbox" grep -q "$COMPLAINTS" <<<"$(mailstack_kick "$COMPLAINTS")"
closed() { grep -q '^closed' "$top/idle.out"; }
check "the idling session is dropped" wait_for 20 closed
check "with a BYE" grep -q '^\* BYE' "$top/idle.out"
wait "$idle_pid" 2>/dev/null || true
idle_pid=

# The provider down, then back.
check "the provider stops" mailstack_stop_idp
check_fails_with "no token while it is down (curl: cannot connect)" 7 \
	curl -sS --max-time 10 -u "$OAUTH_CLIENT_ID:x" -d grant_type=client_credentials "$OAUTH_TOKEN_URL"
check_fails_with "Dovecot refuses even a good token it cannot check" 1 \
	xoauth2 imap "$token" "$COMPLAINTS"
check "the provider starts again on its port" mailstack_start_idp
check_eq "the token issued before works again" 0 "$(xoauth2 imap "$token" "$COMPLAINTS")"
refresh_ok() { refresh_once "$1" >/dev/null; }
check "a refresh token survives the restart" refresh_ok "$refresh"

# Expiry: tokens of two seconds, refused once the provider says expired.
check "tokens can be made short-lived" mailstack_oauth_set_token_duration 2
short=$(mailstack_oauth_token) || short=
check "a short-lived token" test -n "$short"
check "the provider calls it expired within 30 s" mailstack_oauth_wait_expired "$short" 30
check_fails_with "Dovecot refuses the expired token (IMAP)" 1 xoauth2 imap "$short" "$COMPLAINTS"
check_fails_with "and for submission" 1 \
	xoauth2 smtp "$short" "$COMPLAINTS" "$COMPLAINTS" "$RESIDENT" "$top/reply.eml"
check_eq "no mail was relayed with it" 2 "$(mailstack_count "$RESIDENT" INBOX)"
check "tokens live an hour again" mailstack_oauth_set_token_duration 3600
check_eq "a new token works" 0 "$(xoauth2 imap "$(mailstack_oauth_token)" "$COMPLAINTS")"

# Dovecot restarts with its submission service.
check "Dovecot restarts" mailstack_restart_imap
check "submission works after the restart" \
	mailstack_submit_oauth "$token" "$COMPLAINTS" "$RESIDENT" "$top/reply.eml"
check "and is delivered" mailstack_wait_count "$RESIDENT" INBOX 3

pids=$(cat "$MAILSTACK_DOVECOT_PIDFILE" "$MAILSTACK_SMTPD_PIDFILE" "$MAILSTACK_IDP_PIDFILE")
check "the stack stops" mailstack_stop "$dir"
left=""
for p in $pids; do left="$left$(_ms_session_pids "$p")"; done
check_eq "no server process is left" "" "$left"
listening=""
for port in $ports; do _ms_port_free "$port" || listening="$listening $port"; done
check_eq "no port is still listening" "" "$listening"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
