#!/usr/bin/env bash
# mailstack - a private mail stack for integration tests and the demo.
#
# Starts a real Dovecot (IMAP) and a real OpenSMTPD (SMTP) on free loopback
# ports, everything kept under one directory DIR:
#   - OpenSMTPD accepts mail from 127.0.0.1 for any recipient and delivers it
#     to DIR/mail/<address>/Maildir (address lower-cased), as user nobody;
#   - Dovecot serves those Maildirs: any user name logs in with the password
#     in DIR/password (IMAP with STARTTLS, and IMAPS);
#   - Dovecot uses a server certificate for localhost/127.0.0.1 signed by
#     a private CA made at start (DIR/tls/ca.pem).  OpenSMTPD speaks plain
#     SMTP only (see _ms_write_smtpd_conf for why).
# Guarantees: nothing is written outside DIR (OpenSMTPD runs in a private
# mount namespace with DIR/spool over /var/spool and DIR/run over /run), two
# stacks can run at once, and mailstack_stop leaves no server process behind
# (each server runs in its own session, which is killed as a whole).
#
# Source it from bash (safe under `set -euo pipefail`), or run it:
#   mailstack.sh start DIR | stop DIR | env DIR
# Must run as root.  See tests/harness/README.md for the functions.

MAILSTACK_HOST=127.0.0.1
MAILSTACK_NOBODY=nobody
MAILSTACK_NOGROUP=nogroup
# Dovecot's hierarchy separator (set before mailstack_start): "/" as Exchange
# and Gmail have it, or "." as Dovecot's Maildir++ default, for tests of the
# folder-name mapping.  On disk the folders are Maildir++ either way.
MAILSTACK_SEPARATOR=${MAILSTACK_SEPARATOR:-/}
# Seconds to wait for a server to accept connections.
MAILSTACK_START_TIMEOUT=${MAILSTACK_START_TIMEOUT:-10}

_ms_err() {
	echo "mailstack: $*" >&2
}

# Print the last lines of the stack's logs (to stderr), for failures.
mailstack_logs() {
	local dir=${1:-${MAILSTACK_DIR:-}} f
	[ -n "$dir" ] || return 0
	for f in "$dir"/log/*.log; do
		[ -f "$f" ] || continue
		echo "---- tail of $f" >&2
		tail -n 20 "$f" >&2
	done
}

# The commands the stack needs, with the Debian packages that have them
# (scripts/deps installs them all).
_ms_have_tools() {
	local t missing=
	for t in ss:iproute2 ps:procps setpriv:util-linux unshare:util-linux \
		openssl:openssl curl:curl dovecot:dovecot-imapd smtpd:opensmtpd; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t%%:*} (${t#*:})"
	done
	[ -z "$missing" ] && return 0
	_ms_err "missing commands:$missing; scripts/deps installs them"
	return 1
}

# True when nothing listens on TCP port $1 on any address.
_ms_port_free() {
	[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
}

# Pick $1 distinct free ports below the ephemeral range; prints them.
_ms_pick_ports() {
	local want=$1 got=() p tries=0 q dup
	while [ ${#got[@]} -lt "$want" ]; do
		tries=$((tries + 1))
		[ $tries -lt 1000 ] || { _ms_err "no free port found"; return 1; }
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		dup=0
		for q in "${got[@]}"; do [ "$q" = "$p" ] && dup=1; done
		[ $dup -eq 0 ] && _ms_port_free "$p" && got+=("$p")
	done
	echo "${got[@]}"
}

# Session id of process $1, or nothing when it is gone.
_ms_sid() {
	ps -o sid= -p "$1" 2>/dev/null | tr -d ' '
}

# Pids of all live (not zombie) processes in session $1.
_ms_session_pids() {
	ps -e -o pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'
}

# True when a process of session $2 listens on port $1.
_ms_port_owned() {
	local pid
	for pid in $(ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2); do
		[ "$(_ms_sid "$pid")" = "$2" ] && return 0
	done
	return 1
}

# Wait until the server whose session leader pid is in file $1 listens on
# all the ports that follow.  Fails when the server dies or time runs out.
_ms_wait_listening() {
	local pidfile=$1 name=$2 pid port ok i
	shift 2
	for ((i = 0; i < MAILSTACK_START_TIMEOUT * 20; i++)); do
		pid=$(cat "$pidfile" 2>/dev/null || true)
		if [ -n "$pid" ]; then
			if ! kill -0 "$pid" 2>/dev/null; then
				_ms_err "$name exited during start"
				return 1
			fi
			ok=1
			for port in "$@"; do
				_ms_port_owned "$port" "$pid" || { ok=0; break; }
			done
			[ $ok -eq 1 ] && return 0
		fi
		sleep 0.05
	done
	_ms_err "$name does not listen on port(s) $* after ${MAILSTACK_START_TIMEOUT}s"
	return 1
}

# Kill every process of the session led by the pid in file $1 and wait
# (up to 5 s, then SIGKILL) until none is left.
_ms_kill_session() {
	local pidfile=$1 sid pids i
	[ -f "$pidfile" ] || return 0
	sid=$(cat "$pidfile")
	rm -f "$pidfile"
	[ -n "$sid" ] || return 0
	pids=$(_ms_session_pids "$sid")
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		pids=$(_ms_session_pids "$sid")
		[ -n "$pids" ] || return 0
		sleep 0.05
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		[ -n "$(_ms_session_pids "$sid")" ] || return 0
		sleep 0.05
	done
	_ms_err "processes of session $sid survive SIGKILL"
	return 1
}

# Stop a server whose start failed: its pid file may still be on the way.
_ms_abort_start() {
	local pidfile=$1 i
	for ((i = 0; i < 100; i++)); do
		[ -s "$pidfile" ] && break
		sleep 0.05
	done
	_ms_kill_session "$pidfile"
}

# Private CA and a server certificate for localhost and 127.0.0.1 (P-256).
_ms_make_tls() {
	local t=$1/tls
	mkdir -p "$t" && chmod 0755 "$t" || return 1
	(
		cd "$t" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -sha256 \
			-subj "/CN=complaintsd test CA" -keyout ca.key -out ca.pem \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -subj "/CN=localhost" \
			-keyout server.key -out server.csr &&
		printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
			"basicConstraints=CA:FALSE" \
			"keyUsage=critical,digitalSignature" \
			"extendedKeyUsage=serverAuth" >server.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 3650 -sha256 -extfile server.ext \
			-out server.crt
	) >"$1/log/openssl.out" 2>&1 || { _ms_err "openssl failed"; return 1; }
	chmod 0600 "$t"/*.key
	chmod 0644 "$t/ca.pem" "$t/server.crt"
}

_ms_write_dovecot_conf() {
	local dir=$1 pw
	pw=$(cat "$dir/password")
	mkdir -p "$dir/dovecot/run" "$dir/dovecot/state"
	cat >"$dir/dovecot/dovecot.conf" <<EOF
# Private Dovecot for one mail stack; generated by mailstack.sh.
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
log_path = $dir/log/dovecot.log
instance_name = mailstack-$(basename "$dir")
protocols = imap
listen = $MAILSTACK_HOST
ssl = yes
ssl_cert = <$dir/tls/server.crt
ssl_key = <$dir/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests log in with wrong passwords on purpose: answer at once.
auth_failure_delay = 0
mail_location = maildir:$dir/mail/%u/Maildir
mail_uid = $MAILSTACK_NOBODY
mail_gid = $MAILSTACK_NOGROUP
first_valid_uid = 1
first_valid_gid = 1
passdb {
  driver = static
  args = password=$pw
}
userdb {
  driver = static
  args = uid=$MAILSTACK_NOBODY gid=$MAILSTACK_NOGROUP home=$dir/mail/%u
}
namespace inbox {
  inbox = yes
  separator = $MAILSTACK_SEPARATOR
}
service imap-login {
  chroot =
  inet_listener imap {
    address = $MAILSTACK_HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $MAILSTACK_HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}
# Every client comes from 127.0.0.1, so anvil's per-IP auth penalty would
# slow all logins after one wrong password; without access to this socket
# the auth process runs with the penalty disabled.
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  inet_listener http {
    port = 0
  }
}
EOF
}

# Plain SMTP only: OpenSMTPD 6.8.0p2 as built on Debian 12 against OpenSSL 3
# cannot do the server side of TLS (every handshake ends in "SSL routines::
# EVP lib", with RSA and ECDSA keys alike; upstream issues #1171 and #1239,
# fixed in 7.x).  Advertising STARTTLS would break clients that try it, so
# the listener offers none, and authenticated submission (which needs TLS)
# is left out.
_ms_write_smtpd_conf() {
	local dir=$1
	mkdir -p "$dir/smtpd"
	printf '@ %s\n' "$MAILSTACK_NOBODY" >"$dir/smtpd/recipients"
	cat >"$dir/smtpd/smtpd.conf" <<EOF
# Private OpenSMTPD for one mail stack; generated by mailstack.sh.
table recipients file:$dir/smtpd/recipients
listen on $MAILSTACK_HOST port $SMTP_PORT hostname localhost
action "deliver" maildir "$dir/mail/%{rcpt:lowercase}/Maildir" virtual <recipients> user $MAILSTACK_NOBODY
match from any for any action "deliver"
EOF
}

_ms_write_env() {
	local dir=$1
	cat >"$dir/env" <<EOF
MAILSTACK_DIR=$dir
MAILSTACK_HOST=$MAILSTACK_HOST
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
SMTP_PORT=$SMTP_PORT
MAILSTACK_CA=$dir/tls/ca.pem
MAILSTACK_PASSWORD_FILE=$dir/password
MAILSTACK_DOVECOT_PIDFILE=$dir/dovecot.pid
MAILSTACK_SMTPD_PIDFILE=$dir/smtpd.pid
MAILSTACK_SEPARATOR=$MAILSTACK_SEPARATOR
EOF
}

# Make DIR's stack the current one: load DIR/env into this shell.
mailstack_use() {
	local dir=${1:?mailstack_use DIR}
	[ -f "$dir/env" ] || { _ms_err "$dir/env: no mail stack there"; return 1; }
	# shellcheck disable=SC1091
	. "$dir/env"
}

# What a stopped Dovecot or OpenSMTPD leaves behind (pid files, sockets),
# so that the next start does not take it for a running server.
_ms_clean_imap() {
	rm -rf "$1/dovecot/run" "$1/dovecot.pid"
}
_ms_clean_smtp() {
	rm -rf "$1/run" "$1/smtpd.pid"
}

# Start Dovecot on the stack's ports; quiet on failure, and then nothing of
# the attempt is left running.
_ms_start_imap() {
	local dir=$1
	mailstack_use "$dir" || return 1
	if [ -f "$dir/dovecot.pid" ] && kill -0 "$(cat "$dir/dovecot.pid")" 2>/dev/null; then
		_ms_err "dovecot already running"
		return 1
	fi
	_ms_clean_imap "$dir"
	mkdir -p "$dir/dovecot/run"
	# The inner script records its own pid, which exec hands to the server;
	# the subshell makes init its parent, so no zombie is left to this shell.
	# shellcheck disable=SC2016
	(setsid bash -c 'echo $$ >"$0"; exec dovecot -F -c "$1"' \
		"$dir/dovecot.pid" "$dir/dovecot/dovecot.conf" \
		</dev/null >>"$dir/log/dovecot.out" 2>&1 &)
	local ports=("$IMAP_PORT" "$IMAPS_PORT")
	# With OAuth (mailstack_oauth.sh), Dovecot also runs the submission service.
	grep -q '^SUBMISSION_PORT=' "$dir/env" && ports+=("$SUBMISSION_PORT")
	_ms_wait_listening "$dir/dovecot.pid" dovecot "${ports[@]}" && return 0
	_ms_abort_start "$dir/dovecot.pid"
	_ms_clean_imap "$dir"
	return 1
}

# Start Dovecot again after mailstack_stop_imap.
mailstack_start_imap() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	_ms_start_imap "$dir" || { mailstack_logs "$dir"; return 1; }
}

mailstack_stop_imap() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	_ms_kill_session "$dir/dovecot.pid" && _ms_clean_imap "$dir"
}

mailstack_restart_imap() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	mailstack_stop_imap "$dir" && mailstack_start_imap "$dir"
}

# Drop USER's IMAP (and submission) sessions, as Exchange Online does when
# their token expires: `doveadm kick`.  Prints what doveadm says.
mailstack_kick() {
	local user=${1:?mailstack_kick USER}
	doveadm -c "$MAILSTACK_DIR/dovecot/dovecot.conf" kick "$user"
}

# Start OpenSMTPD in a private mount namespace; quiet on failure, and then
# nothing of the attempt is left running.
_ms_start_smtp() {
	local dir=$1
	mailstack_use "$dir" || return 1
	if [ -f "$dir/smtpd.pid" ] && kill -0 "$(cat "$dir/smtpd.pid")" 2>/dev/null; then
		_ms_err "smtpd already running"
		return 1
	fi
	_ms_clean_smtp "$dir"
	mkdir -p "$dir/spool" "$dir/run"
	# unshare without --fork execs in place, so the pid written is smtpd's.
	# shellcheck disable=SC2016
	(setsid bash -c 'echo $$ >"$0"; exec unshare --mount --propagation private -- bash -c '\''
		mount --bind "$0/spool" /var/spool &&
		mount --bind "$0/run" /run &&
		exec smtpd -d -f "$0/smtpd/smtpd.conf"'\'' "$1"' \
		"$dir/smtpd.pid" "$dir" \
		</dev/null >>"$dir/log/smtpd.log" 2>&1 &)
	_ms_wait_listening "$dir/smtpd.pid" smtpd "$SMTP_PORT" && return 0
	_ms_abort_start "$dir/smtpd.pid"
	_ms_clean_smtp "$dir"
	return 1
}

# Start OpenSMTPD again after mailstack_stop_smtp.  The queue in DIR/spool
# survives a stop, so mail accepted before the stop is delivered now.
mailstack_start_smtp() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	_ms_start_smtp "$dir" || { mailstack_logs "$dir"; return 1; }
}

mailstack_stop_smtp() {
	local dir=${1:-${MAILSTACK_DIR:?no mail stack, pass DIR}}
	_ms_kill_session "$dir/smtpd.pid" && _ms_clean_smtp "$dir"
}

# Create the stack in DIR (an empty or new directory owned by root), start
# both servers, write DIR/env and load it into this shell.  Prints the env.
# With MAILSTACK_OAUTH=1 (what mailstack_start_oauth sets), also the
# identity provider, Dovecot's oauth2 passdb and its submission service.
mailstack_start() {
	local dir=${1:?mailstack_start DIR} ports attempt oauth=${MAILSTACK_OAUTH:-0}
	if [ "$(id -u)" != 0 ]; then
		_ms_err "must run as root"
		return 1
	fi
	_ms_have_tools || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	# The delivery agent and Dovecot's mail processes run as nobody.
	chmod 0711 "$dir"
	mkdir -p "$dir/log" "$dir/mail"
	chown "$MAILSTACK_NOBODY:$MAILSTACK_NOGROUP" "$dir/mail"
	chmod 0755 "$dir/mail"
	if ! setpriv --reuid="$MAILSTACK_NOBODY" --regid="$MAILSTACK_NOGROUP" \
		--clear-groups test -w "$dir/mail"; then
		_ms_err "user $MAILSTACK_NOBODY cannot reach $dir/mail; make the parent directories of $dir searchable (chmod o+x)"
		return 1
	fi
	if [ ! -s "$dir/password" ]; then
		(umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$dir/password")
	fi
	[ -f "$dir/tls/ca.pem" ] || _ms_make_tls "$dir" || return 1
	# A port can be taken between the pick and the bind: try again.
	for attempt in 1 2 3; do
		if [ "$oauth" = 1 ]; then
			ports=$(_ms_pick_ports 5) || return 1
			read -r IMAP_PORT IMAPS_PORT SMTP_PORT SUBMISSION_PORT IDP_PORT <<<"$ports"
		else
			ports=$(_ms_pick_ports 3) || return 1
			read -r IMAP_PORT IMAPS_PORT SMTP_PORT <<<"$ports"
		fi
		MAILSTACK_DIR=$dir
		_ms_write_env "$dir"
		_ms_write_dovecot_conf "$dir"
		_ms_write_smtpd_conf "$dir"
		if [ "$oauth" = 1 ]; then
			# A new provider for each start: its issuer names the port.
			rm -f "$dir/glewlwyd/glewlwyd.db"
			_ms_oauth_prepare "$dir" && _ms_oauth_idp_up "$dir" || {
				mailstack_stop "$dir" >/dev/null 2>&1
				_ms_err "start attempt $attempt failed"
				continue
			}
		fi
		if _ms_start_imap "$dir" && _ms_start_smtp "$dir"; then
			cat "$dir/env"
			return 0
		fi
		mailstack_stop "$dir" >/dev/null 2>&1
		_ms_err "start attempt $attempt failed"
	done
	mailstack_logs "$dir"
	return 1
}

# Stop both servers of DIR and wait until all their processes are gone.
mailstack_stop() {
	local dir=${1:-${MAILSTACK_DIR:-}} rc=0
	[ -n "$dir" ] || return 0
	mailstack_stop_smtp "$dir" || rc=1
	mailstack_stop_imap "$dir" || rc=1
	mailstack_stop_idp "$dir" || rc=1
	return $rc
}

# The Maildir directory of ADDRESS's FOLDER (INBOX = the Maildir root).
mailstack_maildir() {
	local addr=${1,,} folder=$2 base
	base="$MAILSTACK_DIR/mail/$addr/Maildir"
	if [ "${folder^^}" = INBOX ]; then
		echo "$base"
	else
		echo "$base/.${folder//\//.}"
	fi
}

# Print the file paths of the messages in ADDRESS's FOLDER, oldest first.
mailstack_messages() {
	local md
	md=$(mailstack_maildir "$1" "$2")
	[ -d "$md" ] || return 0
	# new/ or cur/ may not exist yet (or be mid-creation): that is no messages
	{ find "$md/new" "$md/cur" -maxdepth 1 -type f -printf '%T@ %p\n' 2>/dev/null || true; } |
		sort -n | cut -d' ' -f2-
}

# Print the number of messages (new + cur) in ADDRESS's FOLDER.
mailstack_count() {
	mailstack_messages "$1" "$2" | wc -l
}

# Wait until ADDRESS's FOLDER holds N messages (default timeout 10 s).
mailstack_wait_count() {
	local addr=$1 folder=$2 want=$3 timeout=${4:-10} n=0 i
	for ((i = 0; i < timeout * 10; i++)); do
		n=$(mailstack_count "$addr" "$folder")
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	[ "$n" -eq "$want" ] && return 0
	_ms_err "$addr $folder holds $n message(s), expected $want"
	[ "$n" -gt "$want" ] || mailstack_logs "$MAILSTACK_DIR"
	return 1
}

# Send FILE from FROM to one or more recipients through OpenSMTPD (plain
# SMTP on SMTP_PORT).  Bare LF line ends are sent as CRLF.
mailstack_send() {
	local from=$1 file=${*: -1} args=() rcpt
	for rcpt in "${@:2:$#-2}"; do args+=(--mail-rcpt "$rcpt"); done
	grep -q $'\r' "$file" || args+=(--crlf)
	curl -sS --max-time 20 --url "smtp://$MAILSTACK_HOST:$SMTP_PORT" \
		--mail-from "$from" "${args[@]}" --upload-file "$file" ||
		{ _ms_err "sending $file to ${*:2:$#-2} failed"; return 1; }
}

# Ask Dovecot (plain IMAP, LOGIN as ADDRESS) for the message count of
# FOLDER; prints the number, fails when the folder does not exist.  Extra
# arguments go to curl, and "imaps" as third argument uses the IMAPS port
# with verification against the stack's CA.
mailstack_imap_count() {
	local addr=$1 folder=$2 url out n
	shift 2
	url="imap://$MAILSTACK_HOST:$IMAP_PORT/"
	if [ "${1:-}" = imaps ]; then
		url="imaps://localhost:$IMAPS_PORT/"
		shift
		set -- --cacert "$MAILSTACK_CA" "$@"
	fi
	out=$(curl -sS --max-time 10 --url "$url" \
		--user "$addr:$(cat "$MAILSTACK_PASSWORD_FILE")" \
		-X "STATUS \"$folder\" (MESSAGES)" "$@") || return 1
	n=$(printf '%s\n' "$out" | sed -n 's/.*(MESSAGES \([0-9]*\)).*/\1/p' | head -n 1)
	[ -n "$n" ] || { _ms_err "no STATUS answer for $folder: $out"; return 1; }
	echo "$n"
}

# The OAuth part: the identity provider, Dovecot's oauth2 passdb and
# submission service (mailstack_start_oauth).
# shellcheck source=mailstack_oauth.sh
. "$(dirname "${BASH_SOURCE[0]}")/mailstack_oauth.sh"

# The CLI, when run rather than sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case "${1:-} ${2:+x}" in
	"start x") mailstack_start "$2" ;;
	"start-oauth x") mailstack_start_oauth "$2" ;;
	"stop x") mailstack_stop "$2" ;;
	"env x") cat "$2/env" ;;
	*)
		echo "usage: $0 start|start-oauth|stop|env DIR" >&2
		exit 2
		;;
	esac
fi
