"""Queues N confirmation emails straight into a Masthead outbox, for the delivery benchmark.

Usage: queue_confirmations.py DATABASE COUNT
DATABASE is a SQLite file, or a postgres://… URL (the rows go in through psql's COPY, so psql
must be on PATH). The rows carry the payload the sign-up composer reads (see SignupEmail); no
subscriber rows are needed to compose them. Rows are inserted in one transaction.
"""
import csv
import io
import json
import sqlite3
import subprocess
import sys
import time

database, count = sys.argv[1], int(sys.argv[2])
now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
rows = (
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
)
if database.startswith(("postgres://", "postgresql://")):
    data = io.StringIO()
    writer = csv.writer(data)
    for recipient, payload, next_attempt_at, created_at in rows:
        writer.writerow(("confirmation", recipient, payload, "queued", 0, next_attempt_at, created_at))
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database, "-c",
         "\\copy outbox (kind, recipient, payload, state, attempts, next_attempt_at, created_at) FROM pstdin WITH (FORMAT csv)"],
        input=data.getvalue(), text=True, check=True)
else:
    connection = sqlite3.connect(database)
    with connection:
        connection.executemany(
            "INSERT INTO outbox (kind, recipient, payload, state, attempts, next_attempt_at, created_at)"
            " VALUES ('confirmation', ?, ?, 'queued', 0, ?, ?)",
            rows,
        )
print(count)
