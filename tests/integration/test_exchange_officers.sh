#!/usr/bin/env bash
# Officers inside a Microsoft 365 tenant, on the real stack: with [people]
# exchange_tenant_id set, an officer's Outlook reply that never left Exchange
# Online (no DKIM, dmarc=none; Exchange's organization headers say Internal
# and name the tenant) is relayed to the resident with its commands applied,
# while the same headers forged are refused as before: delivered through an
# outside server (OpenSMTPD, as mail from the internet), naming another
# tenant, with AuthAs Internal against Exchange's Anonymous, or with two
# tenant ids.  Each refusal says why, on the case, in the journal and to the
# alerts address.
#
# The officer's mail is tests/fixtures/exchange-internal.eml, shaped on the
# headers of real internal Exchange Online mail (see the sources cited in
# tests/test_exorg.c).  Exchange delivers into the mailbox itself, so the
# genuine reply is put into INBOX over IMAP APPEND, with no hop of another
# server; the forged ones come the way a forger's mail would.
. "$(dirname "$0")/lib.sh"
it_setup exchange

TENANT=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
OTHER_TENANT=8d4e2f10-3b5a-4c6d-9e7f-a1b2c3d4e5f6
JANE=jane.resident@example.net
OFFICER=olivia.officer@council.example
TEAM=complaints-team@council.example
# a Microsoft 365 council: Exchange Online Protection's Authentication-Results and the tenant
sed -i "s|^trusted_authserv_id = .*|trusted_authserv_id = exchange-online\nexchange_tenant_id = $TENANT|" \
	"$dir/complaintsd.conf"

append_inbox() { MAILSTACK_HOST=$MAILSTACK_HOST IMAP_PORT=$IMAP_PORT MAILSTACK_PASSWORD_FILE=$MAILSTACK_PASSWORD_FILE \
	python3 "$top_srcdir/tests/integration/imap_append.py" "$COMPLAINTS" INBOX "$1"; }
# officer_mail FILE N [SED]: the fixture for case $ref, Message-ID number N, edited by SED
officer_mail() {
	sed -e "s/CMP-2026-000001/$ref/g" -e "s/LO6P265MB600158C2D1E0A4B7F3C9A2E1D5B8A/LO6P265MB6001$2/" \
		-e "s/reply-marker/reply $2/" ${3:+-e "$3"} "$top_srcdir/tests/fixtures/exchange-internal.eml" >"$1"
}
events() { ctl show "$ref" --json | jq --arg t "$1" '[.events[] | select(.type == $t)] | length'; }
# the refusals' verdicts, one a line (in the order the server listed the mail)
details() { ctl show "$ref" --json | jq -r '.events[] | select(.type == "officer_unverified") | .detail'; }

config_ok() { ctl check-config >"$dir/check-config.out" 2>&1; }
check "check-config accepts the tenant" config_ok
check "and says whose word counts" grep -q "Exchange Online for tenant $TENANT vouches" "$dir/check-config.out"

# --- a resident's complaint opens the case
it_mail "$dir/c1.eml" "Jane Resident <$JANE>" "$COMPLAINTS" "Missed bins on Orchard Close" <<'EOM'
I want to complain: my bin on Orchard Close has been missed three weeks running.
EOM
it_deliver "$dir/c1.eml"
check "run 1" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check "a case" test -n "$ref"
check_eq "Jane is acknowledged" 1 "$(it_inbox_of "$JANE" 1)"
alerts_before=$(it_inbox_of "$TEAM" 0)

# --- forged 1: the internal headers, sent from outside (the hop is OpenSMTPD's)
officer_mail "$dir/f1.eml" 101
mailstack_send "$OFFICER" "$COMPLAINTS" "$dir/f1.eml"
mailstack_wait_count "$COMPLAINTS" INBOX 1 20
# --- forged 2..4: put straight into the mailbox, but the headers do not hold
officer_mail "$dir/f2.eml" 102 "s/^X-MS-Exchange-CrossTenant-Id: .*/X-MS-Exchange-CrossTenant-Id: $OTHER_TENANT/"
officer_mail "$dir/f3.eml" 103 "s/^X-MS-Exchange-Organization-MessageDirectionality: Originating/X-MS-Exchange-Organization-AuthAs: Anonymous/"
officer_mail "$dir/f4.eml" 104 "s/^X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted/X-MS-Exchange-CrossTenant-Id: $OTHER_TENANT/"
for f in f2 f3 f4; do check "$f appended" append_inbox "$dir/$f.eml"; done
check "run 2: four forged officer replies" it_once
check_eq "the case is not responded" open "$(it_field "$ref" .status)"
check_eq "no outcome applied" null "$(it_field "$ref" .outcome)"
check_eq "nothing relayed to Jane" 1 "$(it_inbox_of "$JANE" 1)"
check_eq "nothing in the relay queue" 0 "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'relay'")"
check_eq "each refusal is an event on the case" 4 "$(events officer_unverified)"
check "the outside hop is named" grep -q "a hop outside Exchange Online (Received: by localhost)" <(details)
check "another tenant is named" grep -q "another tenant (X-MS-Exchange-CrossTenant-Id: $OTHER_TENANT)" <(details)
check "Internal against Anonymous" grep -q "copies of X-MS-Exchange-Organization-AuthAs that contradict each other" <(details)
check "two tenant ids" grep -q "copies of X-MS-Exchange-CrossTenant-Id that contradict each other" <(details)
check "the journal has the security event" \
	grep -q "claiming to be from officer $OFFICER failed authentication (.*exchange: not internal: .*) on case $ref" "$dir/daemon.log"
check_eq "the alerts address is told (once for the case today)" $((alerts_before + 1)) "$(it_inbox_of "$TEAM" $((alerts_before + 1)))"

# --- the genuine reply: delivered by Exchange into the mailbox, never outside it
officer_mail "$dir/real.eml" 200
check "the officer's reply appended" append_inbox "$dir/real.eml"
check "run 3: the officer's reply" it_once
check_eq "relayed to Jane" 2 "$(it_inbox_of "$JANE" 2)"
last=$(mailstack_messages "$JANE" INBOX | tail -1)
check "with the officer's words" grep -q "your bin was emptied this morning" "$last"
check "from the complaints address" grep -qi "^From:.*$COMPLAINTS" "$last"
check "none of Exchange's headers go out" bash -c "! grep -qi '^X-MS-Exchange' '$last'"
check_eq "the outcome applied" upheld "$(it_field "$ref" .outcome)"
check_eq "the case responded" responded "$(it_field "$ref" .status)"
check_eq "recorded as the officer's" officer \
	"$(ctl show "$ref" --json | jq -r '[.messages[] | select(.from == "'$OFFICER'")] | last | .role')"
check_eq "no new refusal" 4 "$(events officer_unverified)"

# --- without the key, the same reply proves nothing (dmarc=none): refused as before
sed -i "/^exchange_tenant_id = /d" "$dir/complaintsd.conf"
officer_mail "$dir/real2.eml" 201
check "a second reply appended" append_inbox "$dir/real2.eml"
check "run 4: without exchange_tenant_id" it_once
check_eq "refused" 5 "$(events officer_unverified)"
check "for want of proof" grep -q "(exchange-online: dmarc=none dkim=none): recorded" <(details | tail -1)
check_eq "not relayed" 2 "$(it_inbox_of "$JANE" 2)"

it_finish
