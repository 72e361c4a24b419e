-- Analysts' writes: each connection adds an observation (POST /api/observations), then
-- corrects it (PUT with If-Match of the version it got), and so on, pausing WRITE_PAUSE_MS
-- (environment, default 250) between writes. The analyst token comes from FRONTLINE_TOKEN.
package.path = "scripts/load/?.lua;" .. package.path
require "report"

local token = os.getenv("FRONTLINE_TOKEN") or error("FRONTLINE_TOKEN is not set")
local pause = tonumber(os.getenv("WRITE_PAUSE_MS") or "250")
local actors = {"sdf", "syrian-government", "islamic-state", "syrian-opposition"}
local created = {}
local n = 0

local function body(label)
  return string.format(
    '{"label":"%s","geometry":{"type":"Point","coordinates":[%.4f,%.4f]},' ..
    '"feature":"base","actor":"%s","status":"held","observed":"2017-05-30",' ..
    '"source":"load test"}',
    label, 37 + math.random() * 4, 34.5 + math.random() * 2.5, actors[math.random(#actors)])
end

function init(args)
  init_counts()
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function delay()
  return pause
end

function request()
  n = n + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  local key = table.remove(created)
  if key then
    headers["If-Match"] = '"1"'
    return wrk.format("PUT", "/api/observations/" .. key, headers, body("corrected " .. n))
  end
  return wrk.format("POST", "/api/observations", headers, body("load " .. n))
end

function response(status, headers, body)
  count_answer(status)
  if status == 201 then
    local key = body:match('"id"%s*:%s*"([^"]+)"')
    if key then
      table.insert(created, key)
    end
  end
end

function done(summary, latency, requests)
  report("writes", summary, latency)
end
