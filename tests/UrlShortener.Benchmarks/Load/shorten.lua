-- POST /api/links with a different destination every time: first argument a run-unique prefix.
-- Content-Type and X-Api-Key come from -H.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local prefix = ""
local counter = 0

function init(args)
  prefix = "https://example.com/articles/" .. args[1] .. "-" .. (id or 0) .. "-"
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/links", nil, '{"url":"' .. prefix .. counter .. '?utm_source=newsletter"}')
end
