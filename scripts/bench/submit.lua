-- wrk script: POSTs a valid rating with a fresh UUID each time (ids must not repeat, or
-- the collector answers replays instead of storing). Each thread's ids share a prefix
-- and end in a counter, so they grow like time-ordered UUIDv7 ids.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local counter = 0
local run = string.format("%08x", math.random(0, 0x7fffffff))
function request()
  counter = counter + 1
  local id = string.format("%s-%04x-4000-8000-%012x", run, tid, counter)
  local body = '{"id":"' .. id .. '","kind":"csat","rating":4,"stage":"after_sale",'
    .. '"message":"Arrived on time, well packed.","locale":"en"}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
