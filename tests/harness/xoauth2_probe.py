#!/usr/bin/env python3
"""Log in with SASL XOAUTH2 (the mechanism Exchange Online and Gmail take),
which curl 7.88 cannot be made to choose when the server also offers
OAUTHBEARER.  The access token comes from the environment (XOAUTH2_TOKEN),
never from the command line.

  xoauth2_probe.py imap HOST PORT USER [FOLDER]
      STARTTLS (when CAFILE is set), AUTHENTICATE XOAUTH2, print the
      folder's message count (default INBOX).
  xoauth2_probe.py smtp HOST PORT USER FROM TO FILE
      STARTTLS (CAFILE), AUTH XOAUTH2, send FILE from FROM to TO.

Exit 0 on success, 1 when the server refuses the login (its answer on
stderr), 2 on any other failure.
"""
import imaplib
import os
import smtplib
import ssl
import sys


def tls_context():
    cafile = os.environ.get("CAFILE")
    return ssl.create_default_context(cafile=cafile) if cafile else None


def initial_response(user, token):
    return "user=%s\x01auth=Bearer %s\x01\x01" % (user, token)


class Responder:
    """The initial response first; then an empty line, which is how a
    client acknowledges the JSON error challenge of a refused XOAUTH2."""

    def __init__(self, user, token):
        self.first = initial_response(user, token)

    def __call__(self, challenge=None):
        out, self.first = self.first, ""
        return out


def imap(host, port, user, folder="INBOX"):
    token = os.environ["XOAUTH2_TOKEN"]
    conn = imaplib.IMAP4(host, int(port), timeout=20)
    ctx = tls_context()
    if ctx:
        conn.starttls(ssl_context=ctx)
    try:
        responder = Responder(user, token)
        conn.authenticate("XOAUTH2", lambda _: responder().encode())
    except imaplib.IMAP4.error as e:
        print("imap login refused: %s" % e, file=sys.stderr)
        return 1
    typ, data = conn.status('"%s"' % folder, "(MESSAGES)")
    if typ != "OK":
        print("STATUS %s: %s" % (folder, data), file=sys.stderr)
        return 2
    print(data[0].decode().split("MESSAGES ")[1].rstrip(")"))
    conn.logout()
    return 0


def smtp(host, port, user, sender, rcpt, path):
    token = os.environ["XOAUTH2_TOKEN"]
    with open(path, "rb") as f:
        msg = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    conn = smtplib.SMTP(host, int(port), timeout=20)
    ctx = tls_context()
    if ctx:
        conn.starttls(context=ctx)
    conn.ehlo()
    try:
        conn.auth("XOAUTH2", Responder(user, token), initial_response_ok=True)
    except smtplib.SMTPAuthenticationError as e:
        print("smtp login refused: %d %s" % (e.smtp_code, e.smtp_error.decode()),
              file=sys.stderr)
        return 1
    conn.sendmail(sender, [rcpt], msg)
    conn.quit()
    return 0


def main(argv):
    try:
        if len(argv) in (5, 6) and argv[1] == "imap":
            return imap(*argv[2:])
        if len(argv) == 8 and argv[1] == "smtp":
            return smtp(*argv[2:])
    except (OSError, imaplib.IMAP4.error, smtplib.SMTPException, KeyError) as e:
        print("xoauth2_probe: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
