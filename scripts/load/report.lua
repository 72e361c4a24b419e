-- Shared by the load mixes: counts answers by class in each wrk thread and prints one
-- machine-readable line at the end, which scripts/load.sh collects:
--   RESULT name requests rps p50_ms p99_ms max_ms non2xx n5xx socket_errors
-- (wrk's own "Non-2xx or 3xx" count lumps 4xx and 5xx together; the load test fails on 5xx.)
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function count_answer(status)
  if status >= 500 then
    n5xx = n5xx + 1
  end
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function init_counts()
  n5xx = 0
  non2xx = 0
end

function report(name, summary, latency)
  local n5, bad = 0, 0
  for _, t in ipairs(threads) do
    n5 = n5 + t:get("n5xx")
    bad = bad + t:get("non2xx")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT %s %d %.1f %.2f %.2f %.2f %d %d %d\n",
    name, summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad, n5, socket))
end
