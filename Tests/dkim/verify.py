#!/usr/bin/env python3
"""Verifies every DKIM-Signature of a message with dkimpy, an implementation independent of
Masthead's. The public keys are given on the command line instead of looked up in DNS:

    verify.py MESSAGE.eml s2026._domainkey.news.example.org='v=DKIM1; k=rsa; p=…' …

Prints one line per signature, `pass ALGORITHM` or `fail ALGORITHM`, in order; exits 0 when
there is at least one signature and every one passes, else 1."""
import re
import sys

import dkim

message = open(sys.argv[1], "rb").read()
records = dict(argument.split("=", 1) for argument in sys.argv[2:])


def lookup(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    return records.get(name.rstrip("."), "").encode()


header = message.split(b"\r\n\r\n", 1)[0]
count = len(re.findall(rb"^DKIM-Signature:", header, flags=re.MULTILINE | re.IGNORECASE))
results = []
for index in range(count):
    algorithm = re.findall(rb"a=([a-z0-9-]+)", header.split(b"DKIM-Signature:")[index + 1])[0].decode()
    verified = dkim.DKIM(message).verify(idx=index, dnsfunc=lookup)
    results.append(verified)
    print(("pass " if verified else "fail ") + algorithm)
sys.exit(0 if results and all(results) else 1)
