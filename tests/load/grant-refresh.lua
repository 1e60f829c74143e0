-- wrk script: the refresh_token grant over a pool of independent grants. request() takes a refresh token out of
-- the pool; response() puts back the new one from a 200 answer (the old one is rotated: it is never sent again).
--   wrk ... -s grant-refresh.lua URL -- TOKENS_FILE 'Basic ...'
-- TOKENS_FILE holds one refresh token per line, from grant_client.py refresh; keep it larger than the connection
-- count. done() prints "tokens N", "seconds S", "rate R", "errors E" and "exhausted X" (requests sent while the
-- pool was empty: the run is then invalid).
local pool = {}
ok, errors, exhausted = 0, 0, 0   -- globals: done() reads them with thread:get()
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then pool[#pool + 1] = line end
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = args[2]
end

local function form_encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  local token = table.remove(pool)
  if token == nil then
    exhausted = exhausted + 1
    token = "exhausted"
  end
  return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. form_encode(token))
end

function response(status, headers, body)
  if status == 200 then
    local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if token then
      ok = ok + 1
      table.insert(pool, 1, token)
      return
    end
  end
  errors = errors + 1
end

function done(summary, latency, requests)
  local tokens, errs, dry = 0, 0, 0
  for _, t in ipairs(threads) do
    tokens = tokens + t:get("ok")
    errs = errs + t:get("errors")
    dry = dry + t:get("exhausted")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("tokens %d\nseconds %.3f\nrate %.1f\nerrors %d\nexhausted %d\n", tokens, secs, tokens / secs, errs, dry))
end
