-- wrk script: redeems pre-generated authorization codes, one per request, never one twice.
--   wrk ... -s grant-codes.lua URL -- BODIES_FILE 'Basic ...'
-- BODIES_FILE holds one form body per line (grant_type=authorization_code&code=...&code_verifier=...), from
-- grant_client.py codes. Only 200 answers count as tokens; done() prints "tokens N", "seconds S", "rate R",
-- "errors E" (other answers) and "exhausted X" (requests sent after the file ran out: the run is then invalid).
local bodies, next_index = {}, 1
ok, errors, exhausted = 0, 0, 0   -- globals: done() reads them with thread:get()
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = args[2]
end

function request()
  local body = bodies[next_index]
  if body == nil then
    exhausted = exhausted + 1
    body = "grant_type=authorization_code&code=exhausted&redirect_uri=x&code_verifier=x"
  else
    bodies[next_index] = nil
    next_index = next_index + 1
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else errors = errors + 1 end
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
