-- wrk script: POST /v1/subscriptions with a new address on every request.
math.randomseed(os.time())
-- Addresses are unique across threads and runs: a random run prefix, the thread id, a counter.
local counter = 0
local prefix = string.format("%08x", math.random(0, 0x7fffffff))

function setup(thread)
  thread:set("thread_id", tostring(math.random(0, 0x7fffffff)))
end

function request()
  counter = counter + 1
  local body = string.format('{"email":"reader-%s-%s-%d@bench.example.org","newsletters":["ukraine-daily"],"source":"bench"}',
    prefix, thread_id or "0", counter)
  return wrk.format("POST", "/v1/subscriptions", {["Content-Type"] = "application/json"}, body)
end
dofile("Ops/bench/report.lua")
