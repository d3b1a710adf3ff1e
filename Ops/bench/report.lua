-- wrk done() hook shared by the benchmark scripts: one JSON line with the figures.
function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "requests_per_second": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, "http_errors": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
