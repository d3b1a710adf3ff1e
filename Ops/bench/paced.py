"""What the latency benchmarks share (Ops/bench/webhook-latency, Ops/bench/confirmation-latency):
starting a release daemon in a temporary directory, and sign-ups sent one at a time at rest or
paced from several client threads under load, each thread on its own keep-alive connection.
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    sys.exit(f"{os.path.basename(sys.argv[0])}: {what} did not happen within {seconds} s")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def healthy(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def daemon_environment(directory, mailer, **settings):
    """The bench daemon's settings: SQLite in `directory`, no rate limit or challenge."""
    return dict(
        os.environ, MASTHEAD_DATABASE=f"sqlite:{directory}/masthead.sqlite", MASTHEAD_KEYS=f"{directory}/masthead.keys",
        MASTHEAD_MAILER=mailer, MASTHEAD_RATE_LIMIT="0", MASTHEAD_CHALLENGE="off", MASTHEAD_CONFIRMATION_BUDGET="off",
        MASTHEAD_LOG_LEVEL="warning", **settings)


def start_daemon(bin_dir, directory, environment, processes):
    """Generates the keys, starts mastheadd on a free port (appended to `processes`), waits until it answers."""
    subprocess.run([f"{bin_dir}/masthead", "keys", "generate"], env=environment, check=True, capture_output=True)
    port = free_port()
    log = open(f"{directory}/mastheadd.log", "w")
    processes.append(subprocess.Popen(
        [f"{bin_dir}/mastheadd", "--port", str(port)], env=environment, cwd=directory, stdout=log, stderr=log))
    wait_for(lambda: healthy(port), 30, "mastheadd's start")
    return port


def coarse_time():
    """The clock a file's modification time is read from (Linux's coarse real-time clock,
    4 ms ticks here), so a time taken here and an mtime compare without a tick's skew."""
    return time.clock_gettime(getattr(time, "CLOCK_REALTIME_COARSE", 5))  # 5: its number on Linux


def sign_up(connection, address):
    """Posts one sign-up; returns its status and the (coarse) time its answer arrived."""
    connection.request("POST", "/v1/subscriptions", json.dumps({"email": address}), {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status, coarse_time()


def at_rest(port, count, prefix, answered):
    """`count` sign-ups one at a time, 25 ms apart; `answered[address]` is when each 202 came."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for index in range(count):
        address = f"{prefix}{index}@example.org"
        status, at = sign_up(connection, address)
        assert status == 202, status
        answered[address] = at
        time.sleep(0.025)


def under_load(port, rate, seconds, prefix, answered, threads=8):
    """`rate` sign-ups a second for `seconds`, paced over `threads` threads; returns the rate reached."""
    per_thread = rate / threads
    started = time.time()

    def run(number):
        client = http.client.HTTPConnection("127.0.0.1", port)
        interval, due, sent = 1 / per_thread, time.time(), 0
        while time.time() - started < seconds:
            address = f"{prefix}{number}-{sent}@example.org"
            status, at = sign_up(client, address)
            if status == 202:
                answered[address] = at
            sent += 1
            due += interval
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)

    workers = [threading.Thread(target=run, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return round(len([a for a in answered if a.startswith(prefix)]) / (time.time() - started))


def summary(latencies_ms):
    values = sorted(latencies_ms)
    if not values:
        return {"count": 0}
    return {
        "count": len(values), "p50_ms": round(statistics.median(values), 1),
        "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1), "max_ms": round(values[-1], 1),
    }


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()
