-- wrk script: POST /v1/confirm with pre-generated valid confirmation tokens (one per line of
-- the file given after `--`), taken in turn; a token confirmed before is confirmed harmlessly.
dofile("Ops/bench/lines.lua")

function request()
  return wrk.format("POST", "/v1/confirm", {["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json"},
    "token=" .. next_prepared())
end
dofile("Ops/bench/report.lua")
