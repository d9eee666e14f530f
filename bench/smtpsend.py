#!/usr/bin/env python3
"""smtpsend - how fast the SMTP server accepts mail over one connection.

    smtpsend.py HOST PORT COUNT FILE

Sends FILE COUNT times to distinct recipients (sink<N>@example.org) over a
single SMTP connection, one transaction after another, and prints
"key value" lines: messages, elapsed_s, rate_per_s.  This is the limit the
outbox's delivery with connection reuse is compared with.
"""
import smtplib
import sys
import time


def main():
    host, port, count, path = sys.argv[1:5]
    with open(path, "rb") as fh:
        data = fh.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    smtp = smtplib.SMTP(host, int(port), local_hostname="bench.council.example")
    t0 = time.monotonic()
    for i in range(int(count)):
        smtp.sendmail("complaints@council.example", [f"sink{i:06d}@example.org"], data)
    t1 = time.monotonic()
    smtp.quit()
    print(f"messages {count}")
    print(f"elapsed_s {t1 - t0:.3f}")
    print(f"rate_per_s {int(count) / (t1 - t0):.0f}")


if __name__ == "__main__":
    main()
