#!/usr/bin/env python3
"""Write extreme and malicious messages for the reliability suite.

    hostile.py OUTDIR [full]

Each file is one message a mail server could really hand over: a 30 MB
message, a 2 MB header, 100,000 MIME parts, 10,000-deep nesting, NUL
bytes, bare CR line ends, a 5 MB line, an encoded header injection, an
absurd Message-ID, a base64 part that decodes to 20 MB of the same byte,
binary junk, and an empty file.  "full" adds bigger variants.  Message-IDs,
where present, are <hostile-NAME@example.com>.
"""
import os
import random
import sys

out = sys.argv[1]
full = len(sys.argv) > 2 and sys.argv[2] == "full"
rng = random.Random(7)


def head(name, extra="", ctype="text/plain; charset=UTF-8"):
    return ("From: Hostile <hostile-%s@example.com>\nTo: complaints@council.example\n"
            "Subject: I want to complain (%s)\nMessage-ID: <hostile-%s@example.com>\n"
            "MIME-Version: 1.0\n%sContent-Type: %s\n\n" % (name, name, name, extra, ctype)).encode()


def write(name, data):
    with open(os.path.join(out, "h-%s.eml" % name), "wb") as f:
        f.write(data)


body = b"I want to make a complaint about this.\n"
write("30mb", head("30mb") + (b"x" * 75 + b"\n") * (30 * 1024 * 1024 // 76))
write("2mb-header", b"X-Filler: " + b"a" * 2 * 1024 * 1024 + b"\n" + head("2mb-header") + body)
write("many-headers", b"".join(b"X-H%d: v\n" % i for i in range(60000)) + head("many-headers") + body)
parts = 100000
write("100k-parts", head("100k-parts", ctype='multipart/mixed; boundary="p"')
      + b"".join(b"--p\nContent-Type: text/plain\n\npart %d\n" % i for i in range(parts)) + b"--p--\n")
write("deep-10000", head("deep-10000", ctype='multipart/mixed; boundary="d0"')
      + b"".join(b"--d%d\nContent-Type: multipart/mixed; boundary=\"d%d\"\n\n" % (i, i + 1) for i in range(10000))
      + b"--d10000\nContent-Type: text/plain\n\nboom\n")
write("nul-bytes", head("nul-bytes") + b"I want\0 to complain\0\0 about\0 NULs.\n" * 100)
write("nul-in-header", head("nul-in-header", extra="X-Bad: a\0b\n") + body)
write("bare-cr", head("bare-cr").replace(b"\n", b"\r") + b"I want\rto complain\rwith bare CR.\r")
write("mixed-eol", head("mixed-eol").replace(b"\n", b"\r\n", 3) + b"line\r\rline\n\rline\r\n" * 50)
write("5mb-line", head("5mb-line") + b"complaint " * (5 * 1024 * 1024 // 10) + b"\n")
write("subject-injection", ("From: Eve <eve-hostile@example.com>\nTo: complaints@council.example\n"
                            "Subject: =?UTF-8?B?SGVsbG8NCkJjYzogdmljdGltQGV4YW1wbGUub3JnDQoNCmJvZHk=?=\n"
                            "Message-ID: <hostile-subject-injection@example.com>\n\nI want to complain.\n").encode())
write("from-injection", ("From: \"Eve\r\nBcc: victim@example.org\" <eve2-hostile@example.com>\n"
                         "To: complaints@council.example\nSubject: complaint\n"
                         "Message-ID: <hostile-from-injection@example.com>\n\nI want to complain.\n").encode())
write("address-injection", ("From: <eve3-hostile@example.com>, victim@example.org\n"
                            "Reply-To: victim@example.org\r\nBcc: other@example.org\n"
                            "To: complaints@council.example\nSubject: complaint\n"
                            "Message-ID: <hostile-address-injection@example.com>\n\nI want to complain.\n").encode())
write("huge-message-id", b"Message-ID: <" + b"m" * 200000 + b"@example.com>\n"
      + head("huge-message-id").replace(b"Message-ID: <hostile-huge-message-id@example.com>\n", b"") + body)
write("bad-charsets", head("bad-charsets", ctype="text/plain; charset=x-no-such-charset-\xff".encode("latin-1").decode("latin-1"))
      + b"\xff\xfe\xc3\x28\xe2\x82\n" * 200)
write("utf7-utf32", head("utf7-utf32", ctype='multipart/mixed; boundary="c"')
      + b"--c\nContent-Type: text/plain; charset=UTF-7\n\n+AGEAYgBj-\n"
      + b"--c\nContent-Type: text/plain; charset=UTF-32\n\n\x00\x00\xd8\x00\xff\xff\xff\xff\n--c--\n")
write("b64-bomb", head("b64-bomb", extra="Content-Transfer-Encoding: base64\n")
      + (b"AAAA" * 19 + b"\n") * (20 * 1024 * 1024 // 57))
write("junk", bytes(rng.getrandbits(8) for _ in range(200000)))
write("empty", b"")
write("only-headers", b"From: x-hostile@example.com\nSubject: no body, no blank line")
write("rfc2047-bomb", ("From: =?UTF-8?B?%s?= <enc-hostile@example.com>\nTo: complaints@council.example\n"
                       "Subject: %s\nMessage-ID: <hostile-rfc2047-bomb@example.com>\n\nI complain.\n"
                       % ("QUFB" * 20000, "=?UTF-8?Q?a?= " * 100000)).encode())
write("boundary-abuse", head("boundary-abuse", ctype='multipart/mixed; boundary=""')
      + b"--\n--\n----\n" * 10000)
write("rfc2231-bomb", head("rfc2231-bomb", ctype="multipart/mixed; " + "; ".join(
    "boundary*%d*=UTF-8''x%d" % (i, i) for i in range(5000))) + body)
if full:
    write("100mb", head("100mb") + (b"y" * 75 + b"\n") * (100 * 1024 * 1024 // 76))
    write("deep-100000", head("deep-100000", ctype='multipart/mixed; boundary="d0"')
          + b"".join(b"--d%d\nContent-Type: multipart/mixed; boundary=\"d%d\"\n\n" % (i, i + 1) for i in range(100000))
          + b"--d100000\nContent-Type: text/plain\n\nboom\n")
    write("1m-parts", head("1m-parts", ctype='multipart/mixed; boundary="p"')
          + b"".join(b"--p\n\n%d\n" % i for i in range(1000000)) + b"--p--\n")
