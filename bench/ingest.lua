-- wrk script for single-reading ingest: every request posts a reading with a unique
-- (device_id, ts): each wrk thread owns its devices, and ts advances 1 ms per request.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid or 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local key = os.getenv("BENCH_KEY")
  if key and key ~= "" then wrk.headers["x-api-key"] = key end
end

local base = tonumber(os.getenv("BENCH_TS_BASE") or "1700000000")

function request()
  counter = counter + 1
  local device = string.format("wrk-%d-%d", thread_id, counter % 10)
  local ts = string.format("%.3f", base + counter / 1000)
  local body = string.format('{"device_id":"%s","ts":%s,"temperature":%.1f,"pressure":%d,"status":"ok"}', device, ts, 20 + (counter % 100) / 10, 1000 + counter % 50)
  return wrk.format(nil, "/api/telemetry", nil, body)
end
