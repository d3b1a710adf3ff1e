#!/usr/bin/env python3
"""Whether an OpenAPI document documents an answer: spec_documents.py SPEC METHOD PATH STATUS CONTENT_TYPE.
Exits 0 when the operation lists the status (or `default`) with that content type (or no content
for an empty answer), 1 otherwise, saying what it found. Refs within the document are followed."""
import sys
import yaml

spec_file, method, path, status, content_type = sys.argv[1:6]
spec = yaml.safe_load(open(spec_file))


def follow(node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


operation = spec["paths"].get(path, {}).get(method.lower())
if operation is None:
    sys.exit(f"{method} {path} is not documented")
responses = operation.get("responses", {})
answer = responses.get(status) or responses.get("default")
if answer is None:
    sys.exit(f"{method} {path} does not document {status}; it documents {sorted(responses)}")
content = follow(answer).get("content", {})
if content_type and content_type not in content:
    sys.exit(f"{method} {path} {status} does not document {content_type}; it documents {sorted(content)}")
