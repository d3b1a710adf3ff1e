-- wrk helper: identifiers unique across threads and runs (a random run prefix, the thread's
-- id, a counter), for scripts that need a new address or key on every request.
math.randomseed(os.time())
local counter = 0
local prefix = string.format("%08x", math.random(0, 0x7fffffff))

function setup(thread)
  thread:set("thread_id", tostring(math.random(0, 0x7fffffff)))
end

function unique_id()
  counter = counter + 1
  return string.format("%s-%s-%d", prefix, thread_id or "0", counter)
end
