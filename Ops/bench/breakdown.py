#!/usr/bin/env python3
"""Where a request's CPU goes: the daemon's samples in a `perf record -g` file, sorted into areas.

Usage: Ops/bench/breakdown.py PERF_DATA MICROSECONDS_PER_REQUEST

Each sample goes to the first area (in the order below) one of whose names appears in its stack;
an area's share of the samples times the request's CPU is its microseconds a request. Swift's
async frames end at the job that runs them, so a sample is placed by what its own stack shows:
code that awaits (a handler waiting for a read) is counted where it runs, not where it was called.
"""
import subprocess
import sys

# (area, names any of which places a sample there), first match wins. Delivery comes first: its
# SMTP replies are read on the same event loops as HTTP requests.
AREAS = [
    ("delivery: compose and render the message", ["MessageComposer", "MIMERenderer", "QuotedPrintable", "TokenSigner", "DKIMSigner"]),
    ("delivery: SMTP conversation", ["SMTPClient", "SMTPReply", "SMTPConnection", "SMTPCommand", "SMTPMailer", "DeliveryWorker"]),
    ("delivery: outbox claims and marks", ["claimDue", "markSent", "recordDelivery", "Outbox"]),
    ("commit: WAL writes, fsync, checkpoints", ["fdatasync", "pwrite", "sqlite3Wal"]),
    ("reads (the reader pool)", ["DatabasePool.read", "isolated(readOnly", "SQLiteStore.lookup"]),
    ("the write's statements and effects", ["WriteBatcher", "DatabaseWriter", "inSavepoint", "SQLiteStore.record", "PostgresStore"]),
    # libc's and SQLite's own frames keep no frame pointers, so these stacks stop short of a caller.
    ("SQLite, caller not unwound: pages, locks", ["sqlite3", "pread", "newfstatat", "sys_fcntl", "DispatchQueue.sync"]),
    ("logging", ["LogHandler", "Logger", "Logging."]),
    ("handler: validation, JSON, answer", ["Controller", "Service", "JSON", "EmailAddress", "Problem", "Pledge", "Signup"]),
    ("HTTP: parse, route, middleware, encode", ["Hummingbird", "HTTP", "Middleware", "Router", "Responder", "RequestContext", "RequestDeadline"]),
    ("event loops: sockets and wake-ups", ["SelectableEventLoop", "BaseSocketChannel", "BaseStreamSocketChannel", "epoll"]),
    ("threads: hand-offs between executors", ["finish_task_switch", "futex", "swift_job_run", "_dispatch", "schedule", "swift_task"]),
]
OTHER = "other (runtime, allocator, kernel entry)"


def samples(path):
    """Each sample's stack as one string of demangled frame names."""
    script = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True, check=True).stdout
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input=script, capture_output=True, check=True).stdout
    stack = []
    for line in demangled.decode(errors="replace").splitlines():
        if line.strip():
            stack.append(line.strip())
        elif stack:
            yield "\n".join(stack)
            stack = []
    if stack:
        yield "\n".join(stack)


def main():
    path, per_request = sys.argv[1], float(sys.argv[2])
    counts = {area: 0 for area, _ in AREAS} | {OTHER: 0}
    total = 0
    for stack in samples(path):
        total += 1
        area = next((area for area, names in AREAS if any(name in stack for name in names)), OTHER)
        counts[area] += 1
    if total == 0:
        sys.exit(f"{path}: no samples")
    print(f"{'area':<46}{'share':>8}{'µs/req':>9}")
    for area, count in counts.items():
        print(f"{area:<46}{100 * count / total:>7.1f}%{per_request * count / total:>9.0f}")
    print(f"{'all (' + str(total) + ' samples)':<46}{100.0:>7.1f}%{per_request:>9.0f}")


if __name__ == "__main__":
    main()
