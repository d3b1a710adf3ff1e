# Sourced by the HTTP benchmarks: builds release binaries, starts mastheadd on a random port in a
# temporary directory (stopped by process id on exit), and runs wrk against it.
# Sets: bin, work, port, daemon.  Provides: masthead ARGS..., run SCRIPT PATH (one JSON line).
command -v wrk >/dev/null || { echo "$0: needs wrk (apt-get install wrk)" >&2; exit 2; }
# BENCH_BIN names a directory of built binaries (Ops/bench/run passes its own); else a release build.
bin=${BENCH_BIN:-}
if [ -z "$bin" ]; then
    swift build -c release --product mastheadd >/dev/null
    swift build -c release --product masthead >/dev/null
    bin=$(swift build -c release --show-bin-path)
fi
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
# The keys file the daemon and the admin commands share (masthead makes none on its own).
"$bin/masthead" keys generate --keys "$work/masthead.keys" >/dev/null
# BENCH_DATABASE names another database for the daemon and the admin commands (a postgres:// URL).
database=${BENCH_DATABASE:-sqlite:$work/masthead.sqlite}
masthead() { MASTHEAD_KEYS="$work/masthead.keys" "$bin/masthead" "$@" --database "$database" --create; }

# Processes a script starts beside the daemon (a mail sink): stopped with it, also when it fails to start.
helpers=()

start_daemon() {
    # Per-IP limits would stop a load that all comes from 127.0.0.1, and a load test is a flood by
    # design: no proof of work, no confirmation budget (the spike detector still counts, so its
    # cost is measured; MASTHEAD_ALERTS=false from the environment turns it off). Everything
    # else is the default.
    # pledge.lua names its client in X-Forwarded-For, as nginx would, so the daemon trusts 127.0.0.1 as a proxy.
    (cd "$work" && MASTHEAD_RATE_LIMIT=0 MASTHEAD_CHALLENGE=off MASTHEAD_CONFIRMATION_BUDGET=off MASTHEAD_TRUSTED_PROXIES=127.0.0.1 \
        MASTHEAD_DATABASE="$database" exec "$bin/mastheadd" --port "$port" 2>"$work/daemon.log") &
    daemon=$!
    trap 'kill "$daemon" "${helpers[@]}" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$work"' EXIT
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
    echo "$0: the daemon did not become ready; its log:" >&2
    cat "$work/daemon.log" >&2
    exit 1
}

run() { wrk -t1 -c"$connections" -d"$duration" --latency -s "$1" "http://127.0.0.1:$port$2" | tail -n 1; }

# compare NAME JSON REFERENCE-JSON: prints the row beside its reference and the ratio.
compare() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
name, figure, reference = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"{'row':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>9}")
for label, row in (("GET /healthz", reference), (name, figure)):
    print(f"{label:<22}{row['requests_per_second']:>10.0f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['http_errors']:>9}")
print(f"{name} / reference = {figure['requests_per_second'] / reference['requests_per_second']:.2f}")
PY
}
