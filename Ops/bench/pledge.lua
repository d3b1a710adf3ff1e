-- wrk script: POST /v1/pledges, a new Idempotency-Key (and address) on every request.
dofile("Ops/bench/unique.lua")

function request()
  local id = unique_id()
  local body = string.format('{"email":"donor-%s@bench.example.org","tier":"supporter","interval":"monthly","currency":"USD","source":"bench"}', id)
  return wrk.format("POST", "/v1/pledges", {["Content-Type"] = "application/json", ["Idempotency-Key"] = id}, body)
end
dofile("Ops/bench/report.lua")
