-- wrk script: plain GET (the reference); only adds the JSON report.
dofile("Ops/bench/report.lua")
