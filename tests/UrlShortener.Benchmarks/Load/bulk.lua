-- POST /api/links/bulk with 1,000 new destinations every time: first argument a run-unique prefix.
-- Content-Type and X-Api-Key come from -H.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local prefix = ""
local counter = 0

function init(args)
  prefix = "https://example.com/bulk/" .. args[1] .. "-" .. (id or 0) .. "-"
end

function request()
  counter = counter + 1
  local items = {}
  for i = 1, 1000 do
    items[i] = '{"url":"' .. prefix .. counter .. "-" .. i .. '?utm_source=newsletter"}'
  end
  return wrk.format("POST", "/api/links/bulk", nil, '{"links":[' .. table.concat(items, ",") .. ']}')
end
