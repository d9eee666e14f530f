#!/usr/bin/env python3
"""imapfetch - how fast Dovecot serves a whole mailbox: the physical limit.

    imapfetch.py HOST PORT CAFILE USER PASSWORD_FILE [MAILBOX]

Logs in over implicit TLS (IMAPS, verified against CAFILE), EXAMINEs the
mailbox (read-only, so the mailbox is left as it was) and sends one
pipelined `UID FETCH 1:* BODY.PEEK[]`, reading the literals as they stream.
The first EXAMINE of a fresh Maildir makes Dovecot index it, so that is timed
apart.  Prints "key value" lines: messages, bytes, select_s, fetch_s,
rate_per_s, mb_per_s.
"""
import re
import socket
import ssl
import sys
import time


def main():
    host, port, cafile, user, pwfile = sys.argv[1:6]
    mailbox = sys.argv[6] if len(sys.argv) > 6 else "INBOX"
    password = open(pwfile).read().strip()
    ctx = ssl.create_default_context(cafile=cafile)
    raw = socket.create_connection((host, int(port)))
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    f = s.makefile("rb", buffering=1 << 20)

    def command(tag, line):
        s.sendall(f"{tag} {line}\r\n".encode())
        while True:
            resp = f.readline()
            if not resp:
                raise SystemExit("imapfetch: connection closed")
            if resp.startswith(tag.encode() + b" "):
                if not resp.startswith(tag.encode() + b" OK"):
                    raise SystemExit(f"imapfetch: {line.split()[0]}: {resp!r}")
                return

    f.readline()  # greeting
    command("a1", f'LOGIN "{user}" "{password}"')
    t0 = time.monotonic()
    command("a2", f'EXAMINE "{mailbox}"')
    t1 = time.monotonic()

    s.sendall(b"a3 UID FETCH 1:* BODY.PEEK[]\r\n")
    literal = re.compile(rb"\{(\d+)\}\r\n$")
    messages = 0
    nbytes = 0
    while True:
        line = f.readline()
        if not line:
            raise SystemExit("imapfetch: connection closed during FETCH")
        if line.startswith(b"a3 "):
            if not line.startswith(b"a3 OK"):
                raise SystemExit(f"imapfetch: FETCH: {line!r}")
            break
        m = literal.search(line)
        if m:
            n = int(m.group(1))
            left = n
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    raise SystemExit("imapfetch: short literal")
                left -= len(chunk)
            messages += 1
            nbytes += n
    t2 = time.monotonic()
    command("a4", "LOGOUT")
    s.close()
    fetch = t2 - t1
    print(f"messages {messages}")
    print(f"bytes {nbytes}")
    print(f"select_s {t1 - t0:.3f}")
    print(f"fetch_s {fetch:.3f}")
    print(f"rate_per_s {messages / fetch:.0f}")
    print(f"mb_per_s {nbytes / fetch / 1e6:.1f}")


if __name__ == "__main__":
    main()
