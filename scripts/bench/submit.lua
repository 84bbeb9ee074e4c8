-- wrk script: POSTs a valid rating with a fresh UUID each time (ids must not repeat, or
-- the collector answers replays instead of storing). Two shapes of traffic, from the
-- environment:
--   HARK_BENCH_IDS=v7 (default): each thread's ids share a prefix and end in a counter,
--     so they grow like the widget's time-ordered UUIDv7 ids;
--   HARK_BENCH_IDS=v4: random ids, as a merchant's server may send;
--   HARK_BENCH_ORIGIN=https://…: sent as `Origin`, as a shopper's browser does (and then
--     answered through CORS); unset: no `Origin`, as a merchant's server.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local shape = os.getenv("HARK_BENCH_IDS") or "v7"
local origin = os.getenv("HARK_BENCH_ORIGIN")
local headers = { ["Content-Type"] = "application/json" }
if origin and origin ~= "" then headers["Origin"] = origin end

local counter = 0
local run = string.format("%08x", math.random(0, 0x7fffffff))
function init()
  math.randomseed(os.time() + tid * 7919)
end

local function hex(n)
  local digits = {}
  for i = 1, n do digits[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(digits)
end

function request()
  counter = counter + 1
  local id
  if shape == "v4" then
    id = string.format("%s-%s-4%s-%x%s-%s", hex(8), hex(4), hex(3), math.random(8, 11), hex(3), hex(12))
  else
    id = string.format("%s-%04x-7000-8000-%012x", run, tid, counter)
  end
  local body = '{"id":"' .. id .. '","kind":"csat","rating":4,"stage":"after_sale",'
    .. '"message":"Arrived on time, well packed.","locale":"en"}'
  return wrk.format("POST", nil, headers, body)
end
