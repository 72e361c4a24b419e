-- Cached reads: what a newsroom's readers ask again and again. One map date (the Wikipedia
-- snapshot's), its GeoJSON, km² table, vector tiles at two zooms, the OGC items of the control
-- collection and a page of events. These are estimated once and then served from memory
-- (recomputed after each write, which the writes mix makes).
package.path = "scripts/load/?.lua;" .. package.path
require "report"

local date = "2017-07-20"
local paths = {
  "/api/control?date=" .. date,
  "/api/area?date=" .. date,
  "/tiles/6/38/25.mvt?date=" .. date,
  "/tiles/7/77/51.mvt?date=" .. date .. "&layers=control",
  "/tiles/5/19/12.mvt?date=" .. date .. "&layers=control",
  "/ogc/collections/control/items?datetime=" .. date .. "&limit=50",
  "/ogc/collections/control/items?datetime=" .. date .. "&bbox=38,35,40,37",
  "/api/events?from=2016-01-01&to=2016-03-31&limit=100",
  "/api/actors",
}
local i = 0

function init(args)
  init_counts()
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  count_answer(status)
end

function done(summary, latency, requests)
  report("cached", summary, latency)
end
