-- wrk script: POST /v1/pledges, a new Idempotency-Key, address and client on every request.
-- The client is named by X-Forwarded-For (the daemon trusts 127.0.0.1 as a proxy in the
-- bench), so the card-testing limits are checked on every pledge as for a crowd of readers,
-- and none is reached.
dofile("Ops/bench/unique.lua")

local clients = 0

function request()
  local id = unique_id()
  clients = clients + 1
  local client = string.format("10.%d.%d.%d", math.random(0, 255), math.floor(clients / 256) % 256, clients % 256)
  local body = string.format('{"email":"donor-%s@bench.example.org","tier":"supporter","interval":"monthly","currency":"USD","source":"bench"}', id)
  return wrk.format("POST", "/v1/pledges",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = id, ["X-Forwarded-For"] = client}, body)
end
dofile("Ops/bench/report.lua")
