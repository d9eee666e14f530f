#!/usr/bin/env python3
"""acklat - acknowledgement latency, from SMTP acceptance to the resident's Maildir.

    acklat.py SMTP_HOST SMTP_PORT MAILROOT RATE TIMEOUT FILE...

Sends each FILE (a generated complaint, one distinct resident each) to
complaints@council.example through the SMTP server at RATE messages per
second.  The send time is when the server answered 250 to the end of DATA
(smtplib returns then).  Meanwhile the resident's Maildir
(MAILROOT/<from address>/Maildir/new and cur) is polled every 10 ms; the
arrival time is the delivered file's modification time (the delivery agent
writes it, then renames it into new/).  Prints one "latency_ms" line per
message, then p50/p99/max, and how many never arrived within TIMEOUT
seconds after the last send.
"""
import email.parser
import email.utils
import os
import smtplib
import sys
import threading
import time

# OpenSMTPD takes at most 100 messages in one session (then 452): a new one before that.
SESSION_MAX = 100


def main():
    host, port, mailroot, rate, timeout = sys.argv[1:6]
    files = sys.argv[6:]
    rate = float(rate)
    timeout = float(timeout)
    jobs = []
    for path in files:
        with open(path, "rb") as fh:
            data = fh.read()
        hdr = email.parser.BytesHeaderParser().parsebytes(data)
        addr = email.utils.parseaddr(hdr["From"])[1].lower()
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        jobs.append({"addr": addr, "data": data, "sent": None, "arrived": None})

    lock = threading.Lock()
    done = threading.Event()

    def watch():
        while True:
            with lock:
                pending = [j for j in jobs if j["sent"] is not None and j["arrived"] is None]
            for j in pending:
                base = os.path.join(mailroot, j["addr"], "Maildir")
                for sub in ("new", "cur"):
                    try:
                        with os.scandir(os.path.join(base, sub)) as it:
                            for e in it:
                                j["arrived"] = e.stat().st_mtime_ns / 1e9
                                break
                    except FileNotFoundError:
                        pass
                    if j["arrived"] is not None:
                        break
            if done.is_set() and not pending:
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    smtp = smtplib.SMTP(host, int(port), local_hostname="client.example.net")
    start = time.monotonic()
    for i, j in enumerate(jobs):
        due = start + i / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        if i > 0 and i % SESSION_MAX == 0:
            smtp.quit()
            smtp = smtplib.SMTP(host, int(port), local_hostname="client.example.net")
        smtp.sendmail(j["addr"], ["complaints@council.example"], j["data"])
        with lock:
            j["sent"] = time.time()
    smtp.quit()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lock:
            if all(j["arrived"] is not None for j in jobs):
                break
        time.sleep(0.05)
    done.set()

    lat = []
    for j in jobs:
        if j["arrived"] is not None:
            ms = (j["arrived"] - j["sent"]) * 1000.0
            lat.append(ms)
            print(f"latency_ms {ms:.1f} {j['addr']}")
    lat.sort()

    def q(p):
        if not lat:
            return float("nan")
        k = max(1, min(len(lat), int(p * len(lat) + 0.999999)))
        return lat[k - 1]

    print(f"sent {len(jobs)}")
    print(f"arrived {len(lat)}")
    print(f"missing {len(jobs) - len(lat)}")
    print(f"p50_ms {q(0.50):.0f}")
    print(f"p99_ms {q(0.99):.0f}")
    print(f"max_ms {lat[-1] if lat else float('nan'):.0f}")
    print(f"send_seconds {time.monotonic() - start:.1f}")


if __name__ == "__main__":
    main()
