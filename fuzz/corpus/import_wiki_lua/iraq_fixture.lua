-- Pasted from Module:Iraqi insurgency detailed map (sample)
local m = require("Module:Iraqi insurgency detailed map/marks")
local p = {}
p.containerArgs = {
  { lat = 36.35, long = 43.155, mark = m.gov, marksize = 8, label = "[[Mosul]]", label_size = 110, position = "right" },
  { lat = 36.4315, long = 43.1945, mark = m.gov, marksize = 6, label = "Abbasiyah" },
  { lat = 36.455, long = 43.338, mark = m.SDF, marksize = 6, label = "[[Bashiqa]]" },
  { lat = 36.416, long = 43.318, mark = m.gov, label = "[[Abu Jarbuah]]/Jarwan" },
  { lat = 35.934, long = 43.269, mark = m.gov_IS, label = "[[Shuwayrat|Qaryat ash Shuwayrat]]" },
  { lat = 36.01, long = 43.3, mark = m.gov_base, label = 'Test base' },
  { lat = 33.434, long = 43.265, mark = "BSicon STRrf red.svg", marksize = 12, label = "Ramadi Barrage" },
  { lat = 36.8, long = 42.1, mark = m.pass_SDF },
  { lat = 36.350, long = 43.155, mark = m.gov, marksize = 8, label = "[[Mosul]]" },
}
return p
