#!/usr/bin/env python3
"""Generate realistic complaint mail for the reliability suite.

    genmail.py COUNT OUTDIR [SEED] [PREFIX]

Writes OUTDIR/NNNNN.eml, one complaint each from a distinct resident
(PREFIXNNNN@example.net), in a mix of shapes real mail clients produce:
plain text, quoted-printable, HTML alternative, base64 Latin-1, and an
attachment.  Prints one Message-ID (without <>) per line on stdout, so a
test can account for every message it delivered.  Deterministic for a seed.
"""
import base64
import random
import sys

TOPICS = [
    ("Bins not collected", "my household waste bin has not been collected for {n} weeks"),
    ("Pothole on {street}", "there is a deep pothole outside number {h} that damaged my tyre"),
    ("Streetlight out", "the streetlight outside {h} {street} has been out for {n} weeks"),
    ("Noise from building site", "the site on {street} starts work at 6am every day"),
    ("Council tax bill wrong", "my council tax bill charges me for {n} months twice"),
    ("Fly-tipping not cleared", "a pile of rubbish on {street} was reported {n} times"),
    ("Rude reply from the housing office", "the officer hung up on me when I called about repairs"),
    ("Damp in my council flat", "black mould has come back in the bedroom for the {n}th time"),
]
STREETS = ["Orchard Close", "Mill Lane", "Station Road", "Church Street", "Park View",
           "Hill Rise", "Queen's Walk", "Brook Lane"]
NAMES = ["Jane", "Sam", "Priya", "Tomasz", "Aoife", "Kwame", "Li", "Zoë", "René", "Olu"]
SURNAMES = ["Resident", "Taylor", "Patel", "Nowak", "Byrne", "Mensah", "Wei", "Brontë", "Dupont"]


def qp(text):
    out = []
    for ch in text.encode("utf-8"):
        if ch == 10:
            out.append("\n")
        elif 32 <= ch < 127 and ch != 61:
            out.append(chr(ch))
        else:
            out.append("=%02X" % ch)
    return "".join(out)


def main():
    count = int(sys.argv[1])
    outdir = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    prefix = sys.argv[4] if len(sys.argv) > 4 else "resident"
    for i in range(1, count + 1):
        addr = "%s%04d@example.net" % (prefix, i)
        name = "%s %s" % (rng.choice(NAMES), rng.choice(SURNAMES))
        subj, what = rng.choice(TOPICS)
        street = rng.choice(STREETS)
        fill = {"n": rng.randint(2, 9), "h": rng.randint(1, 120), "street": street}
        subj = subj.format(**fill)
        msgid = "%s-%05d.%d@mail.example.net" % (prefix, i, rng.randint(0, 10**9))
        body = ("Dear Sir or Madam,\n\nI want to make a complaint: %s.\n"
                "I have reported this before and nobody has come back to me. "
                "This is not acceptable.\n\nPlease reply by email.\n\n%s\n%d %s\n"
                % (what.format(**fill), name, fill["h"], street))
        shape = rng.choice(["plain", "qp", "html", "latin1", "attach"])
        from_hdr = name if name.isascii() else "=?UTF-8?B?%s?=" % base64.b64encode(
            name.encode()).decode()
        head = ("From: %s <%s>\nTo: Complaints <complaints@council.example>\n"
                "Subject: %s\nDate: Mon, 16 Nov 2026 %02d:%02d:%02d +0000\n"
                "Message-ID: <%s>\nMIME-Version: 1.0\n"
                % (from_hdr, addr, subj, i % 24, i % 60, (i * 7) % 60, msgid))
        if shape == "plain":
            mail = head + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n" + body
        elif shape == "qp":
            mail = (head + "Content-Type: text/plain; charset=UTF-8\n"
                    "Content-Transfer-Encoding: quoted-printable\n\n" + qp(body))
        elif shape == "latin1":
            enc = base64.encodebytes(body.encode("latin-1", "replace")).decode()
            mail = (head + "Content-Type: text/plain; charset=ISO-8859-1\n"
                    "Content-Transfer-Encoding: base64\n\n" + enc)
        elif shape == "html":
            html = "<html><body>%s</body></html>" % "".join(
                "<p>%s</p>" % p.replace("&", "&amp;").replace("<", "&lt;") for p in body.split("\n\n"))
            mail = (head + 'Content-Type: multipart/alternative; boundary="alt%d"\n\n'
                    "--alt%d\nContent-Type: text/plain; charset=UTF-8\n\n%s\n"
                    "--alt%d\nContent-Type: text/html; charset=UTF-8\n\n%s\n--alt%d--\n"
                    % (i, i, body, i, html, i))
        else:
            blob = base64.encodebytes(bytes(rng.getrandbits(8) for _ in range(rng.randint(2000, 40000)))).decode()
            mail = (head + 'Content-Type: multipart/mixed; boundary="mix%d"\n\n'
                    "--mix%d\nContent-Type: text/plain; charset=UTF-8\n\n%s\n"
                    "--mix%d\nContent-Type: image/jpeg; name=\"photo%d.jpg\"\n"
                    "Content-Disposition: attachment; filename=\"photo%d.jpg\"\n"
                    "Content-Transfer-Encoding: base64\n\n%s--mix%d--\n"
                    % (i, i, body, i, i, i, blob, i))
        with open("%s/%05d.eml" % (outdir, i), "w", encoding="utf-8", newline="\n") as f:
            f.write(mail)
        print(msgid)


if __name__ == "__main__":
    main()
