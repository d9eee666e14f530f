#!/usr/bin/env bash
# complaintsctl check-connection with OAuth (SPEC section 6) against real
# parts (glewlwyd, Dovecot offering XOAUTH2 only, submission): it gets a
# token, logs in to IMAP and SMTP as the daemon would, says which configured
# folders exist and which are missing (and creates none), sends nothing, and
# exits 0 when all works, 1 otherwise; a refused token request is named with
# the endpoint and the provider's answer, and no secret or token is shown.
. "$(dirname "$0")/lib.sh"
# shellcheck source=oauth_lib.sh
. "$(dirname "$0")/oauth_lib.sh"
oauth_setup complaintsd-oauth-check

check "the configuration names no password" sh -c "! grep -q -i password '$conf'"
# The folders the daemon would use, made with a token (curl: XOAUTH2 here).
token=$(mailstack_oauth_token)
for f in Processed Quarantine; do
	curl -sS --max-time 10 --url "imap://$MAILSTACK_HOST:$IMAP_PORT/" --user "$COMPLAINTS:" \
		--oauth2-bearer "$token" -X "CREATE \"$f\"" >/dev/null
done
relayed() { grep -c 'Successfully relayed' "$DLOG" || true; }
sent_before=$(relayed)
imap_before=$(logins imap)
sub_before=$(logins submission)
ctl check-connection >"$dir/cc.out" 2>&1 && rc=0 || rc=$?
check_eq "exit 0 when all works" 0 "$rc"
check "it names the folders that exist" sh -c "grep -q Processed '$dir/cc.out' && grep -q Quarantine '$dir/cc.out'"
check "it logged in to IMAP with XOAUTH2" test "$(logins imap)" -gt "$imap_before"
check "and to SMTP (submission) with XOAUTH2" test "$(logins submission)" -gt "$sub_before"
check_eq "and sent nothing" "$sent_before" "$(relayed)"
check "and shows no token or secret" no_secret_in "$dir/cc.out"

oauth_config "imap.processed_folder=Complaints/Done"
ctl check-connection >"$dir/cc.out" 2>&1 && rc=0 || rc=$?
check_eq "a missing folder: exit 1" 1 "$rc"
check "it names the missing folder" grep -q 'Complaints/Done' "$dir/cc.out"
check "and says it is missing" grep -i -q 'missing\|does not exist\|not found' "$dir/cc.out"
check "the check did not create it" test ! -d "$(mailstack_maildir "$COMPLAINTS" Complaints/Done)"

echo "not-the-secret" >"$dir/wrong-secret"
chmod 0600 "$dir/wrong-secret"
oauth_config "oauth2.client_secret_file=$dir/wrong-secret"
ctl check-connection >"$dir/cc.out" 2>&1 && rc=0 || rc=$?
check_eq "a refused token request: exit 1" 1 "$rc"
check "it names the token endpoint that refused" grep -q -F "$OAUTH_TOKEN_URL" "$dir/cc.out"
check "with the provider's answer (HTTP 403)" grep -q '403' "$dir/cc.out"
check "and does not show the wrong secret" sh -c "! grep -q not-the-secret '$dir/cc.out'"

# A token the mailbox's server refuses (the provider issues it, but for
# another mailbox: Exchange's missing mailbox permission).
oauth_config "imap.username=$JANE" "smtp.username=$JANE"
ctl check-connection >"$dir/cc.out" 2>&1 && rc=0 || rc=$?
check_eq "a refused IMAP login: exit 1" 1 "$rc"
check "it names the mailbox refused" grep -q -F "$JANE" "$dir/cc.out"
check "and says the login was refused" grep -i -q 'refused\|denied\|failed\|not accept' "$dir/cc.out"
check_eq "nothing was sent by any check" "$sent_before" "$(relayed)"
it_finish
