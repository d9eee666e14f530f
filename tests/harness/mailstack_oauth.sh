# shellcheck shell=bash
# mailstack_oauth - the OAuth 2.0 part of the mail stack (sourced by
# mailstack.sh; see tests/harness/README.md, "OAuth").
#
# mailstack_start_oauth DIR starts the usual stack plus:
#   - Debian's glewlwyd (a real OAuth 2.0 / OpenID Connect server) on a free
#     loopback port, with its own SQLite database in DIR/glewlwyd, set up
#     through its admin API: the OIDC plugin, a scope named after the mailbox,
#     a client with a secret (client credentials, refresh token, device
#     authorization), a client that authenticates with a signed JWT
#     (private_key_jwt, as an Entra certificate credential does), a user who
#     approves device codes, and the client Dovecot introspects with;
#   - Dovecot with an oauth2 passdb (XOAUTH2 and OAUTHBEARER, each token
#     checked at glewlwyd's RFC 7662 introspection endpoint; the token's aud,
#     which glewlwyd sets to the scope, must be the user logging in) beside
#     the static password passdb, and Dovecot's submission service (SMTP AUTH
#     with the same tokens, STARTTLS) relaying to the stack's OpenSMTPD.
# What glewlwyd 2.7.5 cannot do: the RFC 7523 jwt-bearer authorization grant
# (Google's service accounts): its token endpoint knows the grant types
# authorization_code, password, client_credentials, refresh_token,
# delete_token, device_code and CIBA only, and answers any other with 400.

MAILSTACK_OAUTH_MAILBOX=${MAILSTACK_OAUTH_MAILBOX:-complaints@council.example}
# The SASL mechanisms Dovecot offers for tokens: both, as Gmail does, or
# "xoauth2" alone, as Exchange Online does (libcurl prefers OAUTHBEARER).
MAILSTACK_OAUTH_MECHANISMS=${MAILSTACK_OAUTH_MECHANISMS:-xoauth2 oauthbearer}
# The access tokens' lifetime (seconds) at start; mailstack_oauth_set_token_duration changes it.
MAILSTACK_OAUTH_TOKEN_SECONDS=${MAILSTACK_OAUTH_TOKEN_SECONDS:-3600}
# glewlwyd's built-in administrator (from its database init script); the
# provider listens on 127.0.0.1 only.
_MS_IDP_ADMIN='{"username":"admin","password":"password"}'

_ms_oauth_have_tools() {
	local t missing=
	for t in glewlwyd:glewlwyd sqlite3:sqlite3 jq:jq zcat:gzip od:coreutils \
		base64:coreutils; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t%%:*} (${t#*:})"
	done
	[ -f /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz ] ||
		missing="$missing init.sqlite3.sql.gz (glewlwyd)"
	[ -x /usr/lib/dovecot/submission ] || missing="$missing submission (dovecot-submissiond)"
	[ -z "$missing" ] && return 0
	_ms_err "missing for OAuth:$missing; scripts/deps installs them"
	return 1
}

# A random secret of 24 hex digits.
_ms_secret() {
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n'
}

# base64url without padding, of stdin.
_ms_b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}

# The glewlwyd configuration: Debian's, with its own port, address, log and
# database in place of the system one.
_ms_write_glewlwyd_conf() {
	local dir=$1 g=$1/glewlwyd
	mkdir -p "$g"
	sed -e "s|^port=.*|port=$IDP_PORT\nbind_address=\"$MAILSTACK_HOST\"|" \
		-e "s|^external_url=.*|external_url=\"http://$MAILSTACK_HOST:$IDP_PORT\"|" \
		-e "s|^log_mode=.*|log_mode=\"file\"|" \
		-e "s|^log_level=.*|log_level=\"DEBUG\"|" \
		-e "s|^log_file=.*|log_file=\"$dir/log/glewlwyd.log\"|" \
		-e "s|^@include .*glewlwyd-db.conf.*|database =\n{\n  type = \"sqlite3\"\n  path = \"$g/glewlwyd.db\"\n};|" \
		/etc/glewlwyd/glewlwyd.conf >"$g/glewlwyd.conf" || return 1
	grep -q "^port=$IDP_PORT\$" "$g/glewlwyd.conf" &&
		grep -q "path = \"$g/glewlwyd.db\"" "$g/glewlwyd.conf" ||
		{ _ms_err "cannot adapt /etc/glewlwyd/glewlwyd.conf"; return 1; }
}

_ms_clean_idp() {
	rm -f "$1/glewlwyd.pid"
}

_ms_start_idp() {
	local dir=$1
	mailstack_use "$dir" || return 1
	if [ -f "$dir/glewlwyd.pid" ] && kill -0 "$(cat "$dir/glewlwyd.pid")" 2>/dev/null; then
		_ms_err "glewlwyd already running"
		return 1
	fi
	_ms_clean_idp "$dir"
	# shellcheck disable=SC2016
	(setsid bash -c 'echo $$ >"$0"; exec glewlwyd --config-file="$1"' \
		"$dir/glewlwyd.pid" "$dir/glewlwyd/glewlwyd.conf" \
		</dev/null >>"$dir/log/glewlwyd.out" 2>&1 &)
	_ms_wait_listening "$dir/glewlwyd.pid" glewlwyd "$IDP_PORT" && return 0
	_ms_abort_start "$dir/glewlwyd.pid"
	_ms_clean_idp "$dir"
	return 1
}

# Take the identity provider down, and up again (same port, same database:
# its clients, keys and the tokens it issued survive).
mailstack_stop_idp() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	_ms_kill_session "$dir/glewlwyd.pid" && _ms_clean_idp "$dir"
}
mailstack_start_idp() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	_ms_start_idp "$dir" || { mailstack_logs "$dir"; return 1; }
}

# _ms_idp_api METHOD PATH [JSON]: one admin API call; fails on an HTTP
# status other than 200.
_ms_idp_api() {
	local method=$1 path=$2 body=${3:-} jar=$MAILSTACK_DIR/glewlwyd/admin.cookies code
	if [ ! -s "$jar" ]; then
		code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -c "$jar" \
			-H 'Content-Type: application/json' -d "$_MS_IDP_ADMIN" \
			"$OAUTH_API_URL/auth/") || return 1
		[ "$code" = 200 ] || { _ms_err "glewlwyd admin login: HTTP $code"; rm -f "$jar"; return 1; }
	fi
	code=$(curl -sS --max-time 20 -o "$MAILSTACK_DIR/glewlwyd/api.out" -w '%{http_code}' \
		-b "$jar" -X "$method" -H 'Content-Type: application/json' \
		${body:+-d "$body"} "$OAUTH_API_URL$path") || return 1
	[ "$code" = 200 ] && return 0
	_ms_err "glewlwyd $method $path: HTTP $code $(head -c 500 "$MAILSTACK_DIR/glewlwyd/api.out")"
	return 1
}

# The OIDC plugin's parameters, with access tokens of $1 seconds.
_ms_oidc_params() {
	jq -cn --arg iss "$OAUTH_ISSUER" --arg key "$(cat "$MAILSTACK_DIR/glewlwyd/jwt-key")" \
		--argjson at "$1" '{
		"iss": $iss, "jwt-type": "sha", "jwt-key-size": "256", "key": $key,
		"access-token-duration": $at, "refresh-token-duration": 1209600,
		"refresh-token-rolling": false, "refresh-token-one-use": "always",
		"code-duration": 600, "allow-non-oidc": true,
		"auth-type-client-enabled": true, "auth-type-refresh-enabled": true,
		"auth-type-device-enabled": true, "auth-type-code-enabled": true,
		"auth-type-token-enabled": true, "auth-type-implicit-enabled": false,
		"auth-type-password-enabled": false,
		"device-authorization-expiration": 600, "device-authorization-interval": 1,
		"introspection-revocation-allowed": true, "introspection-revocation-auth-scope": [],
		"introspection-revocation-allow-target-client": true,
		"request-parameter-allow": true, "request-maximum-exp": 600,
		"client-pubkey-parameter": "pubkey"
	}'
}

# Set the provider up through its admin API (once, on a new database).
_ms_configure_idp() {
	local dir=$1 o=$1/oauth m=$MAILSTACK_OAUTH_MAILBOX pub
	_ms_idp_api POST /mod/plugin/ "$(jq -cn --argjson p "$(_ms_oidc_params "$MAILSTACK_OAUTH_TOKEN_SECONDS")" \
		'{module: "oidc", name: "oidc", display_name: "OpenID Connect", enabled: true, parameters: $p}')" &&
	# The scope plays the part of Exchange's mailbox permission.
	_ms_idp_api POST /scope/ "$(jq -cn --arg m "$m" \
		'{name: $m, display_name: "The mailbox \($m)", password_required: false, scheme: {}}')" &&
	_ms_idp_api POST /client/ "$(jq -cn --arg m "$m" --arg s "$(cat "$o/client-secret")" \
		--arg id "$OAUTH_CLIENT_ID" '{client_id: $id, name: "complaintsd (secret)",
		password: $s, confidential: true, enabled: true, scope: [$m],
		authorization_type: ["client_credentials", "refresh_token", "device_authorization"],
		token_endpoint_auth_method: ["client_secret_basic", "client_secret_post"]}')" &&
	pub=$(openssl x509 -in "$o/client-cert.crt" -pubkey -noout) &&
	_ms_idp_api POST /client/ "$(jq -cn --arg m "$m" --arg pub "$pub" \
		--arg id "$OAUTH_CERT_CLIENT_ID" '{client_id: $id, name: "complaintsd (certificate)",
		confidential: true, enabled: true, scope: [$m], pubkey: $pub,
		authorization_type: ["client_credentials"],
		token_endpoint_auth_method: ["private_key_jwt"]}')" &&
	# Dovecot's own client: it posts client_id and client_secret with each
	# token it introspects (glewlwyd then answers for any client's token).
	_ms_idp_api POST /client/ "$(jq -cn --arg s "$(cat "$dir/glewlwyd/dovecot-secret")" \
		'{client_id: "dovecot", name: "Dovecot (introspection)", password: $s,
		confidential: true, enabled: true, scope: [],
		authorization_type: ["client_credentials"],
		token_endpoint_auth_method: ["client_secret_post"]}')" &&
	# The person who approves device codes (complaintsctl oauth login).
	_ms_idp_api POST /user/ "$(jq -cn --arg m "$m" --arg p "$(cat "$o/user-password")" \
		--arg u "$OAUTH_USER" '{username: $u, name: "Mailbox administrator",
		password: $p, scope: [$m], enabled: true}')"
}

# Keys and secrets of DIR/oauth (kept across restarts).
_ms_make_oauth_secrets() {
	local dir=$1 o=$1/oauth
	mkdir -p "$o" "$dir/glewlwyd" && chmod 0700 "$o" "$dir/glewlwyd" || return 1
	(
		umask 077
		[ -s "$o/client-secret" ] || _ms_secret >"$o/client-secret"
		[ -s "$o/user-password" ] || _ms_secret >"$o/user-password"
		[ -s "$dir/glewlwyd/dovecot-secret" ] || _ms_secret >"$dir/glewlwyd/dovecot-secret"
		[ -s "$dir/glewlwyd/jwt-key" ] || { _ms_secret; _ms_secret; } >"$dir/glewlwyd/jwt-key"
		if [ ! -s "$o/client-cert.pem" ]; then
			openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
				-subj "/CN=complaintsd oauth client" \
				-keyout "$o/client-cert.key" -out "$o/client-cert.crt" \
				>>"$dir/log/openssl.out" 2>&1 &&
				cat "$o/client-cert.crt" "$o/client-cert.key" >"$o/client-cert.pem"
		fi
	) || { _ms_err "making the OAuth secrets failed"; return 1; }
}

# Create and start glewlwyd for DIR (IDP_PORT and the env are set).
_ms_oauth_idp_up() {
	local dir=$1
	_ms_write_glewlwyd_conf "$dir" || return 1
	if [ ! -s "$dir/glewlwyd/glewlwyd.db" ]; then
		rm -f "$dir/glewlwyd/glewlwyd.db" "$dir/glewlwyd/admin.cookies"
		zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz |
			sqlite3 "$dir/glewlwyd/glewlwyd.db" ||
			{ _ms_err "glewlwyd database init failed"; return 1; }
		_ms_start_idp "$dir" && _ms_configure_idp "$dir" && return 0
		rm -f "$dir/glewlwyd/glewlwyd.db"
		return 1
	fi
	_ms_start_idp "$dir"
}

# Dovecot's part: the oauth2 passdb and the submission service (appended to
# the password stack's dovecot.conf).
_ms_write_dovecot_oauth() {
	local dir=$1
	cat >"$dir/dovecot/oauth2.conf.ext" <<EOF
# Token checks against glewlwyd (RFC 7662); generated by mailstack_oauth.sh.
introspection_mode = post
introspection_url = $OAUTH_INTROSPECT_URL
client_id = dovecot
client_secret = $(cat "$dir/glewlwyd/dovecot-secret")
force_introspection = yes
active_attribute = active
active_value = true
# A client-credentials token names no user; its aud is the scope, named
# after the mailbox, and must be the user logging in.
username_attribute = aud
EOF
	chmod 0600 "$dir/dovecot/oauth2.conf.ext"
	# The password stack's mechanisms and passdb go to the passwords only.
	sed -i -e "s/^auth_mechanisms = plain login\$/auth_mechanisms = plain login $MAILSTACK_OAUTH_MECHANISMS/" \
		-e 's/^protocols = imap$/protocols = imap submission/' \
		-e 's/^passdb {$/passdb {\n  mechanisms = plain login/' "$dir/dovecot/dovecot.conf"
	cat >>"$dir/dovecot/dovecot.conf" <<EOF
passdb {
  driver = oauth2
  mechanisms = $MAILSTACK_OAUTH_MECHANISMS
  args = $dir/dovecot/oauth2.conf.ext
}
# SMTP submission with the same logins, relayed to the stack's OpenSMTPD.
hostname = localhost
submission_relay_host = $MAILSTACK_HOST
submission_relay_port = $SMTP_PORT
submission_relay_trusted = yes
service submission-login {
  chroot =
  inet_listener submission {
    address = $MAILSTACK_HOST
    port = $SUBMISSION_PORT
  }
}
EOF
}

_ms_write_oauth_env() {
	local dir=$1
	cat >>"$dir/env" <<EOF
SUBMISSION_PORT=$SUBMISSION_PORT
IDP_PORT=$IDP_PORT
OAUTH_ISSUER=$OAUTH_ISSUER
OAUTH_API_URL=$OAUTH_API_URL
OAUTH_TOKEN_URL=$OAUTH_TOKEN_URL
OAUTH_DEVICE_AUTHORIZATION_URL=$OAUTH_DEVICE_AUTHORIZATION_URL
OAUTH_INTROSPECT_URL=$OAUTH_INTROSPECT_URL
OAUTH_SCOPE=$MAILSTACK_OAUTH_MAILBOX
OAUTH_MAILBOX=$MAILSTACK_OAUTH_MAILBOX
OAUTH_CLIENT_ID=$OAUTH_CLIENT_ID
OAUTH_CLIENT_SECRET_FILE=$dir/oauth/client-secret
OAUTH_CERT_CLIENT_ID=$OAUTH_CERT_CLIENT_ID
OAUTH_CLIENT_CERT_FILE=$dir/oauth/client-cert.pem
OAUTH_CLIENT_KEY_FILE=$dir/oauth/client-cert.key
OAUTH_USER=$OAUTH_USER
OAUTH_USER_PASSWORD_FILE=$dir/oauth/user-password
MAILSTACK_IDP_PIDFILE=$dir/glewlwyd.pid
EOF
}

# Set the OAuth variables for IDP_PORT.
_ms_oauth_vars() {
	OAUTH_ISSUER=http://$MAILSTACK_HOST:$IDP_PORT
	OAUTH_API_URL=$OAUTH_ISSUER/api
	OAUTH_TOKEN_URL=$OAUTH_API_URL/oidc/token
	OAUTH_DEVICE_AUTHORIZATION_URL=$OAUTH_API_URL/oidc/device_authorization
	OAUTH_INTROSPECT_URL=$OAUTH_API_URL/oidc/introspect
	OAUTH_CLIENT_ID=complaintsd
	OAUTH_CERT_CLIENT_ID=complaintsd-cert
	OAUTH_USER=mailadmin
}

# Create the stack in DIR with OAuth (see the top of this file), start it,
# write DIR/env and load it.  Prints the env.
mailstack_start_oauth() {
	local dir=${1:?mailstack_start_oauth DIR}
	[ "$(id -u)" = 0 ] || { _ms_err "must run as root"; return 1; }
	_ms_have_tools && _ms_oauth_have_tools || return 1
	MAILSTACK_OAUTH=1 mailstack_start "$dir"
}

# The hooks mailstack_start calls when MAILSTACK_OAUTH=1: before the
# servers are configured (ports picked), and to start the provider.
_ms_oauth_prepare() {
	local dir=$1
	_ms_oauth_vars
	_ms_make_oauth_secrets "$dir" && _ms_write_oauth_env "$dir" &&
		_ms_write_dovecot_oauth "$dir"
}

# Offer other SASL mechanisms for tokens ("xoauth2", "xoauth2 oauthbearer"):
# rewrites Dovecot's configuration and restarts it.
mailstack_oauth_mechanisms() {
	local mechs=${1:?mailstack_oauth_mechanisms MECHANISMS} c=$MAILSTACK_DIR/dovecot/dovecot.conf
	sed -i -e "s/^auth_mechanisms = plain login .*/auth_mechanisms = plain login $mechs/" \
		-e "/^  driver = oauth2\$/{n;s/^  mechanisms = .*/  mechanisms = $mechs/}" "$c" &&
		grep -q "^auth_mechanisms = plain login $mechs\$" "$c" &&
		grep -q "^  mechanisms = $mechs\$" "$c" &&
		mailstack_restart_imap
}

# Print an access token from the client credentials grant: with the
# client's secret (default OAUTH_CLIENT_ID and its secret file), or, as
# `mailstack_oauth_token --assertion [CLIENT_ID KEYFILE]`, with a signed JWT
# (default the certificate client).  Fails, with the answer, when refused.
mailstack_oauth_token() {
	local out code args=()
	if [ "${1:-}" = --assertion ]; then
		args=(--data-urlencode "client_id=${2:-$OAUTH_CERT_CLIENT_ID}"
			--data-urlencode "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
			--data-urlencode "client_assertion=$(mailstack_oauth_assertion "${2:-$OAUTH_CERT_CLIENT_ID}" \
				"${3:-$OAUTH_CLIENT_KEY_FILE}")")
	else
		args=(-u "${1:-$OAUTH_CLIENT_ID}:$(cat "${2:-$OAUTH_CLIENT_SECRET_FILE}")")
	fi
	out=$(curl -sS --max-time 20 -w '\n%{http_code}' "${args[@]}" \
		--data-urlencode grant_type=client_credentials \
		--data-urlencode "scope=$OAUTH_SCOPE" "$OAUTH_TOKEN_URL") || return 1
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	if [ "$code" != 200 ]; then
		_ms_err "token request refused: HTTP $code $out"
		return 1
	fi
	jq -er .access_token <<<"$out"
}

# Print a client assertion (RFC 7523 section 2.2, RS256) for CLIENT_ID
# signed with KEYFILE, for the provider's token endpoint (or AUD), with a
# header naming the certificate (x5t#S256) as Entra ID wants it.
mailstack_oauth_assertion() {
	local id=${1:-$OAUTH_CERT_CLIENT_ID} key=${2:-$OAUTH_CLIENT_KEY_FILE} aud=${3:-$OAUTH_TOKEN_URL}
	local now hdr body x5t
	now=$(date +%s)
	x5t=$(openssl x509 -in "$MAILSTACK_DIR/oauth/client-cert.crt" -outform DER |
		openssl dgst -sha256 -binary | _ms_b64url)
	hdr=$(jq -cn --arg x "$x5t" '{alg: "RS256", typ: "JWT", "x5t#S256": $x}' | _ms_b64url)
	body=$(jq -cn --arg id "$id" --arg aud "$aud" --arg jti "$(_ms_secret)" --argjson now "$now" \
		'{iss: $id, sub: $id, aud: $aud, jti: $jti, iat: $now, nbf: $now, exp: ($now + 300)}' |
		_ms_b64url)
	printf '%s.%s.%s\n' "$hdr" "$body" \
		"$(printf '%s.%s' "$hdr" "$body" | openssl dgst -sha256 -sign "$key" -binary | _ms_b64url)"
}

# True when the provider's introspection calls TOKEN active.
mailstack_oauth_active() {
	local out
	out=$(curl -sS --max-time 20 --data-urlencode "token=$1" \
		--data-urlencode client_id=dovecot \
		--data-urlencode "client_secret=$(cat "$MAILSTACK_DIR/glewlwyd/dovecot-secret")" \
		"$OAUTH_INTROSPECT_URL") || return 2
	[ "$(jq -r .active <<<"$out")" = true ]
}

# Wait (default 30 s) until the provider calls TOKEN expired.
mailstack_oauth_wait_expired() {
	local token=$1 timeout=${2:-30} i
	for ((i = 0; i < timeout * 10; i++)); do
		mailstack_oauth_active "$token" || return 0
		sleep 0.1
	done
	_ms_err "the token is still active after ${timeout}s"
	return 1
}

# Give the access tokens issued from now on SECONDS of life.
mailstack_oauth_set_token_duration() {
	local secs=${1:?mailstack_oauth_set_token_duration SECONDS}
	_ms_idp_api PUT /mod/plugin/oidc "$(jq -cn --argjson p "$(_ms_oidc_params "$secs")" \
		'{module: "oidc", name: "oidc", display_name: "OpenID Connect", enabled: true, parameters: $p}')" &&
		_ms_idp_api PUT /mod/plugin/oidc/reset
}

# Approve a device authorization (RFC 8628) USER_CODE as the stack's
# mailbox administrator, as they would in a browser: log in, consent to the
# mailbox scope for the client, confirm the code.
mailstack_oauth_approve() {
	local code=${1:?mailstack_oauth_approve USER_CODE} jar loc rc=1
	jar=$(mktemp "$MAILSTACK_DIR/glewlwyd/user.XXXXXX")
	if curl -sS --max-time 20 -o /dev/null -c "$jar" -H 'Content-Type: application/json' \
		-d "$(jq -cn --arg u "$OAUTH_USER" --arg p "$(cat "$OAUTH_USER_PASSWORD_FILE")" \
			'{username: $u, password: $p}')" "$OAUTH_API_URL/auth/" &&
		curl -sS --max-time 20 -o /dev/null -b "$jar" -X PUT -H 'Content-Type: application/json' \
			-d "$(jq -cn --arg s "$OAUTH_SCOPE" '{scope: $s}')" \
			"$OAUTH_API_URL/auth/grant/$OAUTH_CLIENT_ID"; then
		loc=$(curl -sS --max-time 20 -o /dev/null -b "$jar" -w '%{redirect_url}' \
			--get --data-urlencode "code=$code" --data g_continue= "$OAUTH_API_URL/oidc/device/")
		case "$loc" in
		*prompt=deviceComplete*) rc=0 ;;
		*) _ms_err "device code $code not approved: $loc" ;;
		esac
	fi
	rm -f "$jar"
	return $rc
}

# Run a whole device authorization as the client with a secret (start,
# approve, poll) and print the token response (JSON, with the refresh token).
mailstack_oauth_device_login() {
	local auth=(-u "$OAUTH_CLIENT_ID:$(cat "$OAUTH_CLIENT_SECRET_FILE")") r dc i out
	r=$(curl -sS --max-time 20 "${auth[@]}" --data-urlencode "scope=$OAUTH_SCOPE" \
		"$OAUTH_DEVICE_AUTHORIZATION_URL") || return 1
	dc=$(jq -er .device_code <<<"$r") && mailstack_oauth_approve "$(jq -er .user_code <<<"$r")" ||
		{ _ms_err "device authorization failed: $r"; return 1; }
	for ((i = 0; i < 50; i++)); do
		out=$(curl -sS --max-time 20 "${auth[@]}" \
			--data-urlencode grant_type=urn:ietf:params:oauth:grant-type:device_code \
			--data-urlencode "device_code=$dc" "$OAUTH_TOKEN_URL") || return 1
		jq -e .refresh_token <<<"$out" >/dev/null 2>&1 && { echo "$out"; return 0; }
		sleep 0.1
	done
	_ms_err "no token for the approved device code: $out"
	return 1
}

# Print SASL XOAUTH2's initial response for USER and TOKEN (base64).
mailstack_xoauth2() {
	printf 'user=%s\001auth=Bearer %s\001\001' "$1" "$2" | base64 -w0
}

# Like mailstack_imap_count, logged in with XOAUTH2 and TOKEN:
# mailstack_imap_oauth_count ADDRESS FOLDER TOKEN [curl options].
mailstack_imap_oauth_count() {
	local addr=$1 folder=$2 token=$3 out n
	shift 3
	out=$(curl -sS --max-time 10 --url "imap://$MAILSTACK_HOST:$IMAP_PORT/" \
		--user "$addr:" --oauth2-bearer "$token" --login-options AUTH=XOAUTH2 \
		-X "STATUS \"$folder\" (MESSAGES)" "$@") || return 1
	n=$(printf '%s\n' "$out" | sed -n 's/.*(MESSAGES \([0-9]*\)).*/\1/p' | head -n 1)
	[ -n "$n" ] || { _ms_err "no STATUS answer for $folder: $out"; return 1; }
	echo "$n"
}

# Submit FILE from FROM to recipients through Dovecot's submission service
# (STARTTLS, AUTH XOAUTH2 as the OAuth mailbox with TOKEN):
# mailstack_submit_oauth TOKEN FROM TO... FILE.
mailstack_submit_oauth() {
	local token=$1 from=$2 file=${*: -1} args=() rcpt
	shift 2
	for rcpt in "${@:1:$#-1}"; do args+=(--mail-rcpt "$rcpt"); done
	grep -q $'\r' "$file" || args+=(--crlf)
	curl -sS --max-time 20 --url "smtp://localhost:$SUBMISSION_PORT" --ssl-reqd \
		--cacert "$MAILSTACK_CA" --user "$OAUTH_MAILBOX:" --oauth2-bearer "$token" \
		--login-options AUTH=XOAUTH2 --mail-from "$from" "${args[@]}" --upload-file "$file"
}
