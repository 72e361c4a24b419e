-- Cold reads: a date nobody asked for yet, every time. Km² tables and maps on random days of
-- 2014-2017, tiles with random event windows, OGC control items of random days and points
-- explained on random days: each costs an estimate (the server runs two at a time, others
-- wait their turn). wrk's connections are closed-loop, so this mix offers at most one cold
-- request per connection at a time.
package.path = "scripts/load/?.lua;" .. package.path
require "report"

local base = os.time({year = 2014, month = 1, day = 1, hour = 12})
local days = 4 * 365

local function day()
  return os.date("!%Y-%m-%d", base + math.random(0, days - 1) * 86400)
end

local makers = {
  function() return "/api/area?date=" .. day() end,
  function() return "/api/control?date=" .. day() end,
  function() return "/tiles/6/38/25.mvt?date=" .. day() .. "&window_days=" .. math.random(1, 366) end,
  function() return "/ogc/collections/control/items?datetime=" .. day() .. "&limit=20" end,
  function()
    return string.format("/api/whois?date=%s&lat=%.3f&lon=%.3f", day(),
      34 + math.random() * 3, 37 + math.random() * 5)
  end,
}

function init(args)
  init_counts()
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  return wrk.format("GET", makers[math.random(#makers)]())
end

function response(status, headers, body)
  count_answer(status)
end

function done(summary, latency, requests)
  report("cold", summary, latency)
end
