-- wrk script: POST /v1/subscriptions for one address, over and over (the abuse path: the
-- per-address cooldown and daily cap must make repeats cheap).
local body = '{"email":"same-reader@bench.example.org","newsletters":["ukraine-daily"],"source":"bench"}'

function request()
  return wrk.format("POST", "/v1/subscriptions", {["Content-Type"] = "application/json"}, body)
end
dofile("Ops/bench/report.lua")
