-- wrk script: counts every answer that is not 2xx or 3xx (not 2xx when given "signed-in"
-- after --), and prints one parseable summary line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  -- A signed-in page sent elsewhere (to sign in) is an error: the session was lost.
  signed_in = args[1] == "signed-in"
end

function response(status, headers, body)
  -- A redirect (a passage permalink) is an answer too; errors are 4xx and 5xx.
  if status < 200 or status > 399 or (signed_in and status > 299) then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
