-- GET a list of paths in turn (one per line in the file given as the first argument).
-- Each thread starts at a different place, so that the connections do not ask for the same path at once.
-- Requests are formatted once, in init, with the -H headers: the per-request cost is a table lookup.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local requests = {}
local next_index = 1

function init(args)
  for path in io.lines(args[1]) do
    if #path > 0 then
      requests[#requests + 1] = wrk.format("GET", path)
    end
  end
  if #requests == 0 then
    error("no paths in " .. args[1])
  end
  next_index = ((id or 0) * 7919) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index + 1
  if next_index > #requests then
    next_index = 1
  end
  return r
end
