-- wrk helper: reads the file named by the script's first argument (`wrk … -- FILE`), one
-- prepared request per line, and hands them out in turn (from a random start per thread).
local lines = {}
local next_line = 1

function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  if #lines == 0 then error("no lines in " .. args[1]) end
  next_line = math.random(1, #lines)
end

function next_prepared()
  local line = lines[next_line]
  next_line = next_line % #lines + 1
  return line
end
