#!/usr/bin/env python3
"""Build and inspect MIME mail for the integration tests (Python's email package).

  mimetool.py compose FROM TO SUBJECT BODYFILE [FILE:TYPE ...]   > message
  mimetool.py reply NOTICE STYLE FROM BODYFILE [FILE:TYPE ...]   > message
      a plain Reply to NOTICE as Outlook ("outlook": header block, no '>')
      or Thunderbird ("thunderbird": "On ... wrote:" and '> ' lines) sends it
  mimetool.py parts FILE      one line per leaf part: DEPTH TYPE NAME SHA256 SIZE
  mimetool.py text FILE       the first text/plain part of the top message, decoded
  mimetool.py header FILE NAME
"""
import email
import email.policy
import hashlib
import mimetypes
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def attach_files(msg, specs):
    for spec in specs:
        path, ctype = spec.rsplit(":", 1)
        maintype, subtype = ctype.split("/", 1)
        with open(path, "rb") as f:
            data = f.read()
        name = path.rsplit("/", 1)[-1]
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def compose(frm, to, subject, bodyfile, specs, extra=None):
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="test.example")
    for k, v in (extra or {}).items():
        msg[k] = v
    with open(bodyfile, encoding="utf-8") as f:
        msg.set_content(f.read())
    attach_files(msg, specs)
    return msg


def load(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def first_text(msg):
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            break
        if part.get_content_type() == "text/plain" and not part.is_attachment():
            return part.get_content()
    return ""


def reply(notice_path, style, frm, bodyfile, specs):
    notice = load(notice_path)
    with open(bodyfile, encoding="utf-8") as f:
        own = f.read()
    quoted = first_text(notice)
    if style == "outlook":
        body = (own + "\n\n________________________________\n"
                "From: " + str(notice["From"]) + "\n"
                "Sent: " + str(notice["Date"]) + "\n"
                "To: " + str(notice["To"]) + "\n"
                "Subject: " + str(notice["Subject"]) + "\n\n" + quoted)
    else:
        body = (own + "\n\nOn " + str(notice["Date"]) + ", " + str(notice["From"]) + " wrote:\n"
                + "".join("> " + line + "\n" for line in quoted.splitlines()))
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = str(notice["Reply-To"] or notice["From"])
    msg["Subject"] = ("RE: " if style == "outlook" else "Re: ") + str(notice["Subject"])
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="test.example")
    msg["In-Reply-To"] = str(notice["Message-ID"])
    refs = (str(notice["References"]) + " " if notice["References"] else "") + str(notice["Message-ID"])
    msg["References"] = refs
    msg.set_content(body)
    attach_files(msg, specs)
    return msg


def parts(msg, depth=0):
    for part in msg.iter_parts() if msg.is_multipart() else [msg]:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            print(depth, ctype, "-", "-", "-")
            inner = part.get_payload(0)
            parts(inner, depth + 1)
        elif part.is_multipart():
            parts(part, depth)
        else:
            data = part.get_payload(decode=True) or b""
            print(depth, ctype, part.get_filename() or "-", hashlib.sha256(data).hexdigest(), len(data))


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    out = sys.stdout.buffer
    if cmd == "compose":
        out.write(compose(a[0], a[1], a[2], a[3], a[4:]).as_bytes(policy=email.policy.SMTP))
    elif cmd == "reply":
        out.write(reply(a[0], a[1], a[2], a[3], a[4:]).as_bytes(policy=email.policy.SMTP))
    elif cmd == "parts":
        parts(load(a[0]))
    elif cmd == "text":
        print(first_text(load(a[0])))
    elif cmd == "header":
        v = load(a[0])[a[1]]
        print("" if v is None else str(v))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
