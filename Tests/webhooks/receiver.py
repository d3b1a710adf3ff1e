#!/usr/bin/env python3
"""A webhook receiver for the tests: verifies each request's Standard Webhooks signature with
the `standardwebhooks` package (PyPI, the specification's own library), independently of
Masthead's signing code, and appends what it got to a JSON-lines log.

    receiver.py --secret whsec_... --log got.jsonl --port-file port [--fail-file fail]

Each log line: {"id", "timestamp", "verified", "received_at" (Unix seconds, float), "body"}.
While --fail-file exists the receiver answers 500 (a receiver that is broken, not down).
"""
import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True, help="whsec_…; several comma-separated while rotating")
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-file")
    options = parser.parse_args()
    verifiers = [Webhook(secret) for secret in options.secret.split(",")]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a receiver behind any real server would

        def do_POST(self):
            received = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            verified = False
            for verifier in verifiers:
                try:
                    verifier.verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    pass
            failing = options.fail_file and os.path.exists(options.fail_file)
            with open(options.log, "a") as log:
                log.write(json.dumps({
                    "id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"),
                    "signature": headers.get("webhook-signature"), "verified": verified, "received_at": received,
                    "answered": 500 if failing else (204 if verified else 401), "body": json.loads(body or b"null"),
                }) + "\n")
            self.send_response(500 if failing else (204 if verified else 401))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    with open(options.port_file + ".tmp", "w") as port_file:
        port_file.write(str(server.server_address[1]))
    os.replace(options.port_file + ".tmp", options.port_file)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
