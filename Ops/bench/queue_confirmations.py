"""Queues N confirmation emails straight into a Masthead SQLite outbox, for the delivery benchmark.

Usage: queue_confirmations.py DATABASE COUNT
The rows carry the payload the sign-up composer reads (see SignupEmail); no subscriber rows are
needed to compose them. Rows are inserted in one transaction.
"""
import json
import sqlite3
import sys
import time

database, count = sys.argv[1], int(sys.argv[2])
now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
connection = sqlite3.connect(database)
with connection:
    connection.executemany(
        "INSERT INTO outbox (kind, recipient, payload, state, attempts, next_attempt_at, created_at)"
        " VALUES ('confirmation', ?, ?, 'queued', 0, ?, ?)",
        (
            (
                "reader-%d@bench.example.org" % number,
                json.dumps({
                    "kind": "confirmation", "consentID": number, "address": "reader-%d@bench.example.org" % number,
                    "locale": "en", "issuedAt": time.time(),
                    "newsletters": [{"slug": "ukraine-daily", "name": "Ukraine Daily",
                                     "description": "News from Ukraine in your inbox"}],
                }),
                now, now,
            )
            for number in range(1, count + 1)
        ),
    )
print(count)
