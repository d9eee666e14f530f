#!/usr/bin/env bash
# The SMTP adapter and message composition against real OpenSMTPD (through
# tests/smtp_probe): a composed message with a non-ASCII subject arrives with
# its headers intact; a batch reuses one connection; a required STARTTLS the
# server does not offer holds the mail (config); recipient and message
# rejections are permanent with the server's 5xx code; a stopped, silent or
# busy server is a temporary failure within the timeout.
#
# The harness's OpenSMTPD speaks plain SMTP only (see mailstack.sh), so the
# deliveries here use --plain; TLS verification is covered by what the
# server cannot do: STARTTLS required and not offered must not send in clear.
. "$(dirname "$0")/lib.sh"

PROBE="$top_builddir/tests/smtp_probe"
JANE=jane@example.net
it_setup
URL="smtp://127.0.0.1:$SMTP_PORT/complaintsd.council.example"

# probe RCPT FILE [options...]: run the probe, output in $dir/probe.out, rc in $rc.
probe() {
	local rcpt=$1 file=$2
	shift 2
	"$PROBE" "$URL" "$COMPLAINTS" "$rcpt" "$file" "$@" >"$dir/probe.out" 2>&1 && rc=0 || rc=$?
}

connections() {
	grep -c "smtp connected" "$dir/log/smtpd.log" || true
}

# --- a composed message arrives intact ------------------------------------
printf '%s\n' "Subject: Réclamation reçue — déchets non collectés [CMP-2026-000777]" "" \
	"Dear Ms Résident," "" "Café on the corner." "." "From here on, a line." \
	"A long line that goes on and on, well past the seventy-six characters quoted-printable allows per line." \
	>"$dir/mail.txt"
probe "$JANE" "$dir/mail.txt" --plain
check_eq "send succeeds" 0 "$rc"
check "the server's code is reported" grep -q "^ok 250 " "$dir/probe.out"
check "it arrives in Jane's INBOX" mailstack_wait_count "$JANE" INBOX 1 10
msg=$(mailstack_messages "$JANE" INBOX | head -n 1)
out=$(python3 - "$msg" <<'PY'
import sys, email, email.policy
raw = open(sys.argv[1], 'rb').read()
head = raw.split(b'\n\n', 1)[0]
m = email.message_from_bytes(raw, policy=email.policy.default)
print('subject=' + str(m['Subject']))
print('subjects=%d' % len(m.get_all('Subject')))
print('bcc=%d' % len(m.get_all('Bcc') or []))
print('to=' + str(m['To']))
print('from=' + str(m['From']))
print('auto=' + str(m['Auto-Submitted']))
print('msgid=' + str(m['Message-ID']))
print('maxline=%d' % max(len(l) for l in head.split(b'\n')))
body = m.get_content()
print('body_ok=%d' % ('Café on the corner.\n.\nFrom here on, a line.\n' in body))
print('long_ok=%d' % ('per line.\n' in body and 'seventy-six characters quoted' in body))
PY
)
field() { printf '%s\n' "$out" | sed -n "s/^$1=//p"; }
check_eq "the subject decodes back" "Réclamation reçue — déchets non collectés [CMP-2026-000777]" "$(field subject)"
check_eq "one Subject header" 1 "$(field subjects)"
check_eq "no Bcc header" 0 "$(field bcc)"
check_eq "To is Jane" "$JANE" "$(field to)"
check_eq "From is the complaints address" "Example Borough Council <$COMPLAINTS>" "$(field from)"
check_eq "Auto-Submitted present" auto-replied "$(field auto)"
check_eq "stable Message-ID" "<cmp-2026-000777.probe.0@council.example>" "$(field msgid)"
check "header lines fold under 79 characters" test "$(field maxline)" -le 78
check_eq "the body survives (., From, non-ASCII)" 1 "$(field body_ok)"
check_eq "a long body line is whole again" 1 "$(field long_ok)"

# --- a batch reuses one connection ----------------------------------------
before=$(connections)
probe "$JANE" "$dir/mail.txt" --plain --repeat 3
check_eq "three sends succeed" "0 3" "$rc $(grep -c '^ok 250 ' "$dir/probe.out")"
check_eq "over one connection" $((before + 1)) "$(connections)"
check "all arrive" mailstack_wait_count "$JANE" INBOX 4 10

# --- STARTTLS required but not offered: held, nothing sent in clear --------
probe "$JANE" "$dir/mail.txt" --ca "$MAILSTACK_CA"
check_eq "STARTTLS not offered is a configuration error" 5 "$rc"
check "the error says so" grep -q "^config .*STARTTLS" "$dir/probe.out"
echo secret >"$dir/pw"
probe "$JANE" "$dir/mail.txt" --plain --user complaints --password-file "$dir/pw"
check_eq "a password over plain SMTP is refused" 5 "$rc"
check "the refusal explains why" grep -q "refusing to send the SMTP password" "$dir/probe.out"
check "the password is not shown" sh -c "! grep -q secret '$dir/probe.out'"
sleep 0.5
check_eq "nothing more was delivered" 4 "$(mailstack_count "$JANE" INBOX)"

# --- permanent failures: a rejected recipient, a message too big ----------
bad_rcpt="x@$(printf 'b%.0s' $(seq 1 70)).example.net"
probe "$bad_rcpt" "$dir/mail.txt" --plain
check_eq "a rejected recipient is a permanent failure" 4 "$rc"
check "with the 5xx code and the server's words" grep -q "^permfail 501 .*501 5.1.3" "$dir/probe.out"
{
	printf 'From: <%s>\r\nTo: <%s>\r\nSubject: big [CMP-2026-000777]\r\n\r\n' "$COMPLAINTS" "$JANE"
	head -c 27600000 /dev/zero | base64 -w 76 | sed 's/$/\r/'
} >"$dir/big.eml"
probe "$JANE" "$dir/big.eml" --plain --raw
check_eq "a message over the server's size limit is a permanent failure" 4 "$rc"
check "with the 5xx code" grep -q "^permfail 5[0-9][0-9] " "$dir/probe.out"
rm -f "$dir/big.eml"

# --- temporary failures: server stopped, silent, busy ---------------------
mailstack_stop_smtp "$dir"
start=$(date +%s%N)
probe "$JANE" "$dir/mail.txt" --plain --timeout 5
elapsed=$((($(date +%s%N) - start) / 1000000))
check_eq "SMTP stopped is a temporary failure" 3 "$rc"
check "with no reply code" grep -q "^tempfail 0 " "$dir/probe.out"
check "and within the timeout (${elapsed} ms)" test "$elapsed" -lt 5000
mailstack_start_smtp "$dir"
URL="smtp://127.0.0.1:$SMTP_PORT/complaintsd.council.example"
probe "$JANE" "$dir/mail.txt" --plain
check_eq "sending works again once SMTP is back" 0 "$rc"

# fake_peer MODE FILE: silent (accept, never answer) or busy (421 greeting).
fake_peer() {
	python3 -c '
import socket, sys
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    if mode == "busy":
        c.sendall(b"421 4.3.2 Service not available, try again later\r\n")
        c.close()
    else:
        held.append(c)
' "$1" >"$2" &
	fake_pid=$!
	for _ in $(seq 50); do [ -s "$2" ] && break; sleep 0.1; done
	fake_port=$(cat "$2")
}

fake_peer silent "$dir/silent.port"
URL="smtp://127.0.0.1:$fake_port/complaintsd.council.example"
start=$(date +%s%N)
probe "$JANE" "$dir/mail.txt" --plain --timeout 2
elapsed=$((($(date +%s%N) - start) / 1000000))
check_eq "a silent server is a temporary failure" 3 "$rc"
check "ended by the timeout (${elapsed} ms)" test "$elapsed" -ge 1500 -a "$elapsed" -lt 5000
kill "$fake_pid" 2>/dev/null || true
wait "$fake_pid" 2>/dev/null || true

fake_peer busy "$dir/busy.port"
URL="smtp://127.0.0.1:$fake_port/complaintsd.council.example"
probe "$JANE" "$dir/mail.txt" --plain --timeout 5
check_eq "a 421 greeting is a temporary failure" 3 "$rc"
check "with its code" grep -q "^tempfail 421 " "$dir/probe.out"
kill "$fake_pid" 2>/dev/null || true
wait "$fake_pid" 2>/dev/null || true

it_finish
