-- wrk prints its own summary without the 95th percentile; this prints one JSON line
-- (latencies in microseconds) that bench/load_test.py reads.
done = function(summary, latency, requests)
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
