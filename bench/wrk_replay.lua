-- wrk script of the webhook benchmark: replays pre-built raw HTTP/1.1 requests from a file
-- (records separated by a line "\n@@@@\n"), each wrk thread its own share, so every request is
-- distinct (distinct message ids: the gateway stores each once). Prints one "WRK ..." line that
-- bench/gateway_load.py parses.
--   wrk -t2 -c64 -d10s -s bench/wrk_replay.lua http://127.0.0.1:PORT -- FILE THREADS

local threads = {}
local counter = 0
local SEPARATOR = "\n@@@@\n"

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  pool, position, wrapped = {}, 0, 0
  local index, start = 0, 1
  while true do
    local first, last = string.find(data, SEPARATOR, start, true)
    if first == nil then break end
    if index % nthreads == id then table.insert(pool, string.sub(data, start, first - 1)) end
    index, start = index + 1, last + 1
  end
end

function request()
  position = position + 1
  if position > #pool then
    position, wrapped = 1, wrapped + 1
  end
  return pool[position]
end

function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do wraps = wraps + thread:get("wrapped") end
  local errors = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d non2xx=%d timeouts=%d wrapped=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write, errors.status, errors.timeout, wraps))
end
