-- wrk reporter: one JSON line with the figures bench/run.py needs (wrk prints no p95 itself), and the
-- count of every status code answered. wrk's own "status" error counts only codes above 399; a redirect
-- (to the login page, say) is not the page either, so each thread counts every status and done() adds
-- them up. wrk follows no redirect: a 302 is counted as a 302.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local e = summary.errors
  local parts = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if counts then
      for status, n in pairs(counts) do
        parts[status] = (parts[status] or 0) + n
      end
    end
  end
  local items = {}
  for status, n in pairs(parts) do
    table.insert(items, string.format('"%d": %d', status, n))
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, "p50_us": %d, '
    .. '"p95_us": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), table.concat(items, ", ")))
end
