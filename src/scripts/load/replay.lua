-- Replays a load plan with wrk: one request per line of LOAD_PLAN, "METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY" with "-"
-- for no token / no body (written by nl.omzien.bench.load.LoadPlan; format in LoadRequest.java).
-- Settings come from the environment, because done() runs in wrk's setup state, which never sees script args:
--   LOAD_PLAN      the plan file
--   LOAD_THREADS   wrk's -t (thread i takes lines i, i+T, i+2T, ...)
--   LOAD_MODE      cycle: go round the thread's lines until wrk's -d ends, statuses not parsed (cheapest for
--                  wrk: reads and the ceiling); count: the same, counting every status; once: each line once,
--                  counting statuses and 409 codes, and the thread stops when its lines are used up (accepts:
--                  a repeat would be a second answer for the same offer)
--   LOAD_SCENARIO  the name in the results line
--   LOAD_RESULTS   file the results line is appended to (key=value, tab separated; see RunResult.java)
--   LOAD_LABEL     the mode in the results line: max (default) or warmup (left out of the table)
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("LOAD_THREADS") or "1")
  mode = os.getenv("LOAD_MODE") or "cycle"
  reqs = {}
  local i = 0
  for line in io.lines(os.getenv("LOAD_PLAN")) do
    if line ~= "" then
      if i % nthreads == id then
        local method, path, token, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.+)$")
        local headers = {}
        if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
        if body == "-" then body = nil else headers["Content-Type"] = "application/json" end
        reqs[#reqs + 1] = wrk.format(method, path, headers, body)
      end
      i = i + 1
    end
  end
  sentinel = wrk.format("GET", "/health/live", {}, nil)
  n = 0
  sent = 0
  answered = 0
  statuses = {}
  codes = {}
  if mode == "cycle" then
    response = nil -- wrk then skips handing headers and bodies to Lua
  end
end

function request()
  if n >= #reqs then
    if mode == "once" then
      wrk.thread:stop()
      return sentinel
    end
    n = 0
  end
  n = n + 1
  sent = sent + 1
  return reqs[n]
end

function response(status, headers, body)
  if mode == "once" and status == 200 and body == '{"status":"UP"}' then
    return -- the sentinel sent while stopping
  end
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status == 409 then
    local code = body:match('"code"%s*:%s*"([a-z%-]+)"') or "unknown"
    codes[code] = (codes[code] or 0) + 1
  end
end

local function join(counts)
  local parts = {}
  for k, v in pairs(counts) do parts[#parts + 1] = k .. ":" .. v end
  table.sort(parts)
  return table.concat(parts, ",")
end

function done(summary, latency, requests)
  local mode = os.getenv("LOAD_MODE") or "cycle"
  local sent, answered, statuses, codes = 0, 0, {}, {}
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("sent")
    answered = answered + thread:get("answered")
    for k, v in pairs(thread:get("statuses")) do statuses[k] = (statuses[k] or 0) + v end
    for k, v in pairs(thread:get("codes")) do codes[k] = (codes[k] or 0) + v end
  end
  if mode == "cycle" then
    -- Statuses were not parsed: wrk counts answers with a status > 399 in errors.status.
    answered = summary.requests
    local failed = summary.errors.status
    statuses = {}
    if answered - failed > 0 then statuses[200] = answered - failed end
    if failed > 0 then statuses[599] = failed end -- "some status >= 400", not told apart in this mode
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local line = table.concat({
    "scenario=" .. os.getenv("LOAD_SCENARIO"),
    "mode=" .. (os.getenv("LOAD_LABEL") or "max"),
    "target_rate=0",
    string.format("seconds=%.3f", seconds),
    "sent=" .. sent,
    "answered=" .. answered,
    string.format("rps=%.3f", answered / seconds),
    string.format("p50_ms=%.3f", latency:percentile(50) / 1000),
    string.format("p99_ms=%.3f", latency:percentile(99) / 1000),
    "statuses=" .. join(statuses),
    "codes=" .. join(codes),
    "socket_errors=" .. (e.connect + e.read + e.write + e.timeout),
  }, "\t")
  local out = assert(io.open(os.getenv("LOAD_RESULTS"), "a"))
  out:write(line .. "\n")
  out:close()
  io.write(line .. "\n")
end
