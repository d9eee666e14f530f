# shellcheck shell=bash
# Shared setup of the OAuth integration tests (source after lib.sh): a mail
# stack with the identity provider (mailstack_start_oauth), Dovecot offering
# XOAUTH2 only as Exchange Online does, a complaintsd configuration that
# logs in with OAuth and names no password, and helpers that read what the
# provider and Dovecot logged.

MT="python3 $top_srcdir/tests/integration/mimetool.py"
JANE=jane.resident@example.net
TEAM=waste-team@council.example
WENDY=wendy.waste@council.example
daemon_pid=
notify_pid=

oauth_cleanup() {
	local rc=$?
	set +e # a failing test exits non-zero: the stack must still be stopped
	[ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null
	[ -n "$notify_pid" ] && kill "$notify_pid" 2>/dev/null
	(exit $rc)
	it_teardown # reads $? for the test's result
}

# oauth_setup NAME: the stack in a new /tmp/NAME.XXXXXX; sets dir, conf,
# GLOG (glewlwyd's log), DLOG (Dovecot's) and writes the configuration.
oauth_setup() {
	dir=$(mktemp -d "/tmp/${1:-complaintsd-oauth}.XXXXXX")
	trap oauth_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	# Exchange Online offers XOAUTH2 only (libcurl would pick OAUTHBEARER otherwise).
	MAILSTACK_OAUTH_MECHANISMS=xoauth2 mailstack_start_oauth "$dir" >/dev/null
	mailstack_use "$dir"
	conf=$dir/complaintsd.conf
	GLOG=$dir/log/glewlwyd.log
	DLOG=$dir/log/dovecot.log
	: >"$dir/refresh-tokens"
		oauth_config
}

# oauth_config [KEY=VALUE...]: the test configuration with [imap] and [smtp]
# logging in with OAuth and an [oauth2] section for the client with the
# secret; each KEY=VALUE (KEY as section.key) replaces or adds a line.
oauth_config() {
	local kv sec key val
	it_write_config "$conf.base"
	awk '/^\[/ { skip = ($0 == "[imap]" || $0 == "[smtp]") } !skip' "$conf.base" >"$conf"
	rm -f "$conf.base"
	cat >>"$conf" <<CONF

[imap]
url = imaps://localhost:$IMAPS_PORT/INBOX
auth = oauth2
username = $COMPLAINTS
ca_file = $MAILSTACK_CA
poll_seconds = 5
timeout_seconds = 10

[smtp]
url = smtp://localhost:$SUBMISSION_PORT
starttls = yes
auth = oauth2
username = $COMPLAINTS
ca_file = $MAILSTACK_CA

[oauth2]
provider = generic
token_url = $OAUTH_TOKEN_URL
client_id = $OAUTH_CLIENT_ID
client_secret_file = $OAUTH_CLIENT_SECRET_FILE
scope = $OAUTH_SCOPE
CONF
	for kv in "$@"; do
		sec=${kv%%.*}
		key=${kv#*.}
		val=${key#*=}
		key=${key%%=*}
		python3 - "$conf" "$sec" "$key" "$val" <<'PY'
import sys
path, sec, key, val = sys.argv[1:]
lines = open(path).read().split("\n")
out, cur, done = [], None, False
for i, line in enumerate(lines):
    if line.startswith("["):
        if cur == sec and not done:
            if val:
                out.append("%s = %s" % (key, val))
            done = True
        cur = line.strip("[]")
    elif cur == sec and line.split("=")[0].strip() == key:
        if val:
            out.append("%s = %s" % (key, val))
        done = True
        continue
    out.append(line)
if not done:
    if cur != sec:
        out.append("[%s]" % sec)
    if val:
        out.append("%s = %s" % (key, val))
open(path, "w").write("\n".join(out) + "\n")
PY
	done
}

inbox() { mailstack_count "$COMPLAINTS" INBOX; }
count() { mailstack_count "$1" INBOX 2>/dev/null || echo 0; }
# holds ADDRESS N: ADDRESS's INBOX holds at least N messages (now)
holds() { [ "$(count "$1")" -ge "$2" ]; }
wait_count() { it_wait_for 20 holds "$1" "$2"; }
inbox_empty() { [ "$(inbox)" -eq 0 ]; }
# more_logins SERVICE N: more than N XOAUTH2 logins of the mailbox so far
more_logins() { [ "$(logins "$1")" -gt "$2" ]; }
last_mail() { mailstack_messages "$1" INBOX | tail -1; }
cases() { sqlite3 "$dir/complaints.db" 'SELECT count(*) FROM cases' 2>/dev/null || echo 0; }
# tokens CLIENT: access tokens glewlwyd has issued to CLIENT so far
tokens() { grep -c "Access token generated for client '$1'" "$GLOG" || true; }
# logins SERVICE: successful XOAUTH2 logins of the mailbox to imap or submission
logins() { grep -c "$1-login: Info: Login: user=<$COMPLAINTS>, method=XOAUTH2" "$DLOG" || true; }
refused() { grep -c "$1-login: .*auth failed.*user=<$COMPLAINTS>" "$DLOG" || true; }
# quiet COMMAND...: its output to $dir/ctl.out
quiet() { "$@" >>"$dir/ctl.out" 2>&1; }
# once_rc: exit status of complaintsd --once (output appended to daemon.log)
once_rc() { local rc=0; it_once || rc=$?; echo "$rc"; }
log_since() { tail -c +"$(($1 + 1))" "$dir/daemon.log"; }
log_size() { stat -c %s "$dir/daemon.log" 2>/dev/null || echo 0; }
# complaint FILE N: a complaint about the bins (waste) from resident N
# (Jane for N = 3), each resident their own, as automatic replies to one
# address are limited per day
resident() { if [ "$1" = 3 ]; then echo "$JANE"; else echo "resident$1@example.net"; fi; }
complaint() {
	it_mail "$1" "Resident $2 <$(resident "$2")>" "$COMPLAINTS" "Missed bins, week $2" <<TXT
I want to make a complaint. Our bin on Orchard Close has been missed $2 weeks
running and nobody has called me back.

A resident
TXT
}
# no_secret_in FILE: no client secret, password, access token (a JWT) or
# refresh token (the current one and those in $dir/refresh-tokens) in FILE
no_secret_in() {
	! grep -q -F -e "$(cat "$OAUTH_CLIENT_SECRET_FILE")" -e "$(cat "$MAILSTACK_PASSWORD_FILE")" "$1" &&
		! grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$1" &&
		{ [ ! -s "$dir/refresh-tokens" ] || ! grep -q -F -f "$dir/refresh-tokens" "$1"; } &&
		{ [ ! -s "$dir/oauth-refresh-token" ] || ! grep -q -F -f "$dir/oauth-refresh-token" "$1"; }
}
