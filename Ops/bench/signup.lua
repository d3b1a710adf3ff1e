-- wrk script: POST /v1/subscriptions with a new address on every request.
dofile("Ops/bench/unique.lua")

function request()
  local body = string.format('{"email":"reader-%s@bench.example.org","newsletters":["ukraine-daily"],"source":"bench"}', unique_id())
  return wrk.format("POST", "/v1/subscriptions", {["Content-Type"] = "application/json"}, body)
end
dofile("Ops/bench/report.lua")
