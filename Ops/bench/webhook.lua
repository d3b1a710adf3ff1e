-- wrk script: POST /v1/webhooks/payments with pre-signed provider events (one per line of the
-- file given after `--`: the Stripe-Signature header, a tab, the JSON body), each a new event id.
dofile("Ops/bench/lines.lua")

function request()
  local line = next_prepared()
  local tab = string.find(line, "\t", 1, true)
  return wrk.format("POST", "/v1/webhooks/payments",
    {["Content-Type"] = "application/json", ["Stripe-Signature"] = string.sub(line, 1, tab - 1)}, string.sub(line, tab + 1))
end
dofile("Ops/bench/report.lua")
