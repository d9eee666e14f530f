#!/usr/bin/env python3
"""smtpsend - how fast the SMTP server accepts mail over one connection.

    smtpsend.py HOST PORT COUNT FILE

Sends FILE COUNT times to distinct recipients (sink<N>@example.org), one
transaction after another over one SMTP connection (a new one every 100
messages: OpenSMTPD takes no more in one session, as complaintsd's outbox
also finds), and prints "key value" lines: messages, elapsed_s, rate_per_s.
This is the limit the outbox's delivery with connection reuse is compared
with.
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
        if i > 0 and i % 100 == 0:
            smtp.quit()
            smtp = smtplib.SMTP(host, int(port), local_hostname="bench.council.example")
        smtp.sendmail("complaints@council.example", [f"sink{i:06d}@example.org"], data)
    t1 = time.monotonic()
    smtp.quit()
    print(f"messages {count}")
    print(f"elapsed_s {t1 - t0:.3f}")
    print(f"rate_per_s {int(count) / (t1 - t0):.0f}")


if __name__ == "__main__":
    main()
