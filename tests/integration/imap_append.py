#!/usr/bin/env python3
"""Append a message to a folder of the test mail stack over IMAP, as a mail
client saving its sent mail does (Outlook "Send As" stores the copy in the
shared mailbox's Sent folder).

    imap_append.py USER FOLDER FILE   append FILE (created if missing)
    imap_append.py USER FOLDER        create FOLDER only

The stack's host, plain IMAP port and password come from the environment
(MAILSTACK_HOST, IMAP_PORT, MAILSTACK_PASSWORD_FILE)."""
import imaplib
import os
import sys
import time

user, folder = sys.argv[1], sys.argv[2]
with open(os.environ["MAILSTACK_PASSWORD_FILE"]) as f:
    password = f.read().strip()
imap = imaplib.IMAP4(os.environ["MAILSTACK_HOST"], int(os.environ["IMAP_PORT"]))
imap.login(user, password)
typ, _ = imap.create('"%s"' % folder)  # NO when it exists already: fine
if len(sys.argv) > 3:
    with open(sys.argv[3], "rb") as f:
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    typ, resp = imap.append('"%s"' % folder, None, imaplib.Time2Internaldate(time.time()), data)
    if typ != "OK":
        sys.exit("APPEND failed: %r" % resp)
imap.logout()
