#!/usr/bin/env python3
"""Fault injection for check-connection: two answers of Exchange Online that
no Dovecot gives, on a free loopback port (printed first), until killed.

    fake_exchange.py imap      IMAP (plain): LOGIN is accepted, then every
                               command that needs the mailbox gets
                               "BAD User is authenticated but not connected."
                               (what Exchange says when the credentials have
                               no permission on the mailbox)
    fake_exchange.py smtp CERT KEY
                               SMTP with STARTTLS (CERT/KEY: the stack's
                               server certificate); AUTH gets "550 5.7.30
                               Basic authentication is not supported for
                               Client Submission."

The transcripts follow those published in mail clients' issue trackers for
outlook.office365.com and smtp.office365.com."""
import socket
import ssl
import sys
import threading

mode = sys.argv[1]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
print(srv.getsockname()[1], flush=True)


def lines(f):
    while True:
        line = f.readline()
        if not line:
            return
        yield line.rstrip(b"\r\n")


def imap(conn):
    f = conn.makefile("rwb", buffering=0)
    f.write(b"* OK The Microsoft Exchange IMAP4 service is ready.\r\n")
    caps = b"IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+"
    for line in lines(f):
        tag, _, rest = line.partition(b" ")
        cmd = rest.split(b" ", 1)[0].upper()
        if cmd == b"CAPABILITY":
            f.write(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK CAPABILITY completed.\r\n")
        elif cmd == b"LOGIN" or cmd == b"AUTHENTICATE":
            f.write(tag + b" OK " + cmd + b" completed.\r\n")
        elif cmd == b"LOGOUT":
            f.write(b"* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n" + tag + b" OK LOGOUT completed.\r\n")
            return
        else:
            f.write(tag + b" BAD User is authenticated but not connected.\r\n")


def smtp(conn, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    f = conn.makefile("rwb", buffering=0)
    f.write(b"220 fake.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n")
    tls = False
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.strip().split(b" ", 1)[0].upper()
        if cmd == b"EHLO":
            f.write(b"250-fake.outlook.office365.com Hello\r\n250-SIZE 157286400\r\n")
            f.write(b"250-AUTH LOGIN XOAUTH2\r\n" if tls else b"250-STARTTLS\r\n")
            f.write(b"250 SMTPUTF8\r\n")
        elif cmd == b"STARTTLS" and not tls:
            f.write(b"220 2.0.0 SMTP server ready\r\n")
            conn = ctx.wrap_socket(conn, server_side=True)
            f = conn.makefile("rwb", buffering=0)
            tls = True
        elif cmd == b"AUTH":
            # LOGIN sends the user name and password in two more steps
            f.write(b"334 VXNlcm5hbWU6\r\n")
            f.readline()
            f.write(b"334 UGFzc3dvcmQ6\r\n")
            f.readline()
            f.write(b"550 5.7.30 Basic authentication is not supported for Client Submission.\r\n")
        elif cmd == b"QUIT":
            f.write(b"221 2.0.0 Service closing transmission channel\r\n")
            return
        else:
            f.write(b"500 5.3.3 Unrecognized command\r\n")


def serve(conn):
    try:
        if mode == "imap":
            imap(conn)
        else:
            smtp(conn, sys.argv[2], sys.argv[3])
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
