#!/usr/bin/env python3
"""Read a folder of the test mail stack over IMAP as a mail client does and
compare each message with the database's record of what was sent.

    sentcopies.py USER FOLDER DB

For every message in FOLDER (EXAMINEd: nothing changes), Python's email
package parses it (policy.default, as a mail client would) and the outbox
row with the same Message-ID is looked up. Prints one line per message:

    MESSAGE-ID <TAB> same|differs|unknown <TAB> defects <TAB> flags <TAB> subject

then a summary line "copies N same S differs D unknown U defects F". The
stack's host, plain IMAP port and password come from the environment
(MAILSTACK_HOST, IMAP_PORT, MAILSTACK_PASSWORD_FILE)."""
import email
import email.policy
import imaplib
import os
import re
import sqlite3
import sys

user, folder, db = sys.argv[1], sys.argv[2], sys.argv[3]
with open(os.environ["MAILSTACK_PASSWORD_FILE"]) as f:
    password = f.read().strip()
imap = imaplib.IMAP4(os.environ["MAILSTACK_HOST"], int(os.environ["IMAP_PORT"]))
imap.login(user, password)
typ, _ = imap.select('"%s"' % folder, readonly=True)
if typ != "OK":
    print("copies 0 same 0 differs 0 unknown 0 defects 0")
    sys.exit(0)
typ, data = imap.uid("SEARCH", None, "ALL")
uids = data[0].split()
con = sqlite3.connect(db)
counts = {"same": 0, "differs": 0, "unknown": 0}
defects = 0
for uid in uids:
    typ, resp = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
    raw, flags = None, ""
    for part in resp:
        if isinstance(part, tuple):
            raw = part[1]
            m = re.search(rb"FLAGS \(([^)]*)\)", part[0])
            flags = m.group(1).decode() if m else ""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    mid = str(msg["Message-ID"] or "").strip().strip("<>")
    subject = str(msg["Subject"] or "")
    text = msg.get_body(preferencelist=("plain",))
    found = list(msg.defects) + (list(text.defects) if text is not None else [])
    if text is None or not text.get_content().strip():
        found.append("no readable text part")
    if not msg["Date"] or not msg["From"]:
        found.append("no Date or From")
    defects += len(found)
    row = con.execute("SELECT data FROM outbox_mail WHERE message_id = ?", (mid,)).fetchone()
    if row is None:
        state = "unknown"
    else:
        stored = row[0] if isinstance(row[0], bytes) else row[0].encode()
        state = "same" if stored == raw else "differs"
    counts[state] += 1
    print("%s\t%s\t%d\t%s\t%s" % (mid, state, len(found), flags, subject))
imap.logout()
print("copies %d same %d differs %d unknown %d defects %d"
      % (len(uids), counts["same"], counts["differs"], counts["unknown"], defects))
