"""Parses an .eml file with Python's standard MIME parser and prints what the tests check, as JSON.

Usage: python3 parse_eml.py FILE.eml
"""
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as handle:
    raw = handle.read()
message = email.message_from_bytes(raw, policy=email.policy.default)
parts = {}
for part in message.walk():
    if part.get_content_maintype() == "multipart":
        continue
    # Lines end in CRLF on the wire; compare content with plain newlines.
    parts[part.get_content_type()] = part.get_content().replace("\r\n", "\n")
print(json.dumps({
    "headers": {name: [str(value) for value in message.get_all(name)] for name in set(message.keys())},
    "content_type": message.get_content_type(),
    "defects": [str(defect) for defect in message.defects],
    "parts": parts,
    "crlf_only": b"\n" not in raw.replace(b"\r\n", b""),
    "longest_line": max(len(line) for line in raw.split(b"\r\n")),
}))
