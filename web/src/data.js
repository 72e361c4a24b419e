// Loading what depends on the date: the control maps, the legend, the events, hotspots, sieges
// and gained/lost layers, the region's outline and the area chart; `refresh` redraws them all and
// `setDate` moves the map's date.

import { getJson, qs } from './api.js';
import { toDay, fromDay, addDays, steps } from './dates.js';
import { drawChart } from './chart.js';
import { $, showMessage, report, tracked } from './ui.js';
import { extent, actors, actorName } from './reference.js';
import { state, writeUrl } from './url-state.js';
import { EMPTY } from './style.js';
import { map, map2 } from './maps.js';

const seq = { map: 0, map2: 0, events: 0, hotspots: 0, sieges: 0, diff: 0, legend: 0 };

/** Sets a source's data and records, once the map has drawn it, which date it shows. */
function setSourceData(m, source, data, date) {
  m.getSource(source).setData(data);
  if (source === 'control') {
    m.once('idle', () => {
      m.getContainer().dataset.renderedDate = date;
    });
  }
}

async function loadControl(m, date, which) {
  const n = ++seq[which];
  const fc = await tracked(getJson(`/api/control?${qs({ date })}`));
  if (n !== seq[which]) return;
  setSourceData(m, 'control', fc, date);
}

async function loadLegend(date) {
  const n = ++seq.legend;
  const [area, diff] = await tracked(Promise.all([
    getJson(`/api/area?${qs({ date })}`),
    state.compare ? getJson(`/api/diff?${qs({ from: state.compare, to: date })}`) : null,
  ]));
  if (n !== seq.legend) return;
  const body = $('legend').querySelector('tbody');
  body.replaceChildren();
  const net = new Map((diff?.rows || []).map((r) => [r.actor, r.net_km2]));
  document.querySelectorAll('.cmp-col').forEach((c) => { c.hidden = !state.compare; });
  for (const r of area.rows) {
    const tr = document.createElement('tr');
    tr.dataset.actor = r.actor;
    tr.dataset.km2 = String(r.area_km2);
    const colour = actors.get(r.actor)?.colour;
    const name = document.createElement('td');
    if (colour) {
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = colour;
      name.append(sw);
    }
    name.append(actorName(r.actor));
    const km = document.createElement('td');
    km.className = 'num km2';
    km.textContent = Math.round(r.area_km2).toLocaleString('en');
    const pct = document.createElement('td');
    pct.className = 'num';
    pct.textContent = r.share_pct.toFixed(1);
    tr.append(name, km, pct);
    if (state.compare) {
      const c = document.createElement('td');
      c.className = 'num cmp-col';
      const v = net.get(r.actor);
      c.textContent = v === undefined ? '' : `${v >= 0 ? '+' : '−'}${Math.round(Math.abs(v)).toLocaleString('en')}`;
      c.title = `km² net change since ${state.compare}`;
      tr.append(c);
    }
    body.append(tr);
  }
  $('legend-date').textContent = date;
  $('legend').dataset.date = date;
}

export async function loadEvents(date) {
  const n = ++seq.events;
  if (!state.layers.has('events')) {
    map.getSource('events').setData(EMPTY);
    $('ev-count').textContent = '';
    return;
  }
  const from = addDays(date, -(state.evWindow - 1));
  const fc = await tracked(getJson(`/api/events?${qs({ from, to: date, type: state.evType, actor: state.evActor, limit: 10000 })}`));
  if (n !== seq.events) return;
  map.getSource('events').setData({ type: 'FeatureCollection', features: fc.features });
  const matched = fc.numberMatched ?? fc.features.length;
  $('ev-count').textContent = `${fc.features.length.toLocaleString('en')} events from ${from} to ${date}${matched > fc.features.length ? ` (first ${fc.features.length} of ${matched})` : ''}.`;
}

async function loadHotspots(date) {
  const n = ++seq.hotspots;
  if (!state.layers.has('hotspots')) return map.getSource('hotspots').setData(EMPTY);
  const h = await tracked(getJson(`/api/hotspots?${qs({ date })}`));
  if (n !== seq.hotspots) return;
  const features = (h.zones || []).filter((z) => z.hotspot).map((z) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [z.lon, z.lat] },
    properties: { count: z.count, baseline_rate: z.baseline_rate, p_value: z.p_value, z: z.z, zone: z.zone, window: h.window.join(' to ') },
  }));
  map.getSource('hotspots').setData({ type: 'FeatureCollection', features });
}

async function loadSieges(date) {
  const n = ++seq.sieges;
  if (!state.layers.has('sieges')) return map.getSource('sieges').setData(EMPTY);
  const s = await tracked(getJson(`/api/sieges?${qs({ date, encircled: true })}`));
  if (n !== seq.sieges) return;
  const features = (s.enclaves || []).map((e) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [e.centre.lon, e.centre.lat] },
    properties: {
      actor: e.actor, km2: e.km2, hostile_pct: e.hostile_pct, reason: e.reason || '',
      by: (e.perimeter || []).filter((p) => p.hostile).map((p) => `${actorName(p.neighbour)} ${p.pct.toFixed(0)} %`).join(', '),
    },
  }));
  map.getSource('sieges').setData({ type: 'FeatureCollection', features });
}

async function loadDiff(date) {
  const n = ++seq.diff;
  if (!state.compare || !state.layers.has('diff')) return map.getSource('diff').setData(EMPTY);
  const fc = await tracked(getJson(`/api/diff?${qs({ from: state.compare, to: date, format: 'geojson' })}`));
  if (n !== seq.diff) return;
  map.getSource('diff').setData(fc);
}

let markChart = null;

/** Redraws everything that depends on the date. */
export async function refresh() {
  const date = state.date;
  $('map-date').textContent = date;
  $('slider').value = String(toDay(date));
  $('date').value = date;
  if (markChart) markChart(date);
  writeUrl(map);
  const jobs = [
    loadControl(map, date, 'map'),
    loadLegend(date),
    loadEvents(date),
    loadHotspots(date),
    loadSieges(date),
    loadDiff(date),
  ];
  if (state.compare && map2) {
    $('map2-date').textContent = state.compare;
    jobs.push(loadControl(map2, state.compare, 'map2'));
  }
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r) => r.status === 'rejected' && r.reason?.name !== 'AbortError');
  if (failed) report('Could not load the map', failed.reason);
  else if ($('message').className !== 'info') showMessage('');
}

let refreshTimer = null;
export function setDate(date, { now = false } = {}) {
  const d = Math.min(toDay(extent.last), Math.max(toDay(extent.first), toDay(date)));
  state.date = fromDay(d);
  $('slider').value = String(d);
  $('date').value = state.date;
  $('map-date').textContent = state.date;
  clearTimeout(refreshTimer);
  // The slider fires for every day it crosses: redraw once it rests.
  refreshTimer = setTimeout(() => refresh(), now ? 0 : 120);
}

export let regionGeojson = EMPTY;

export async function loadRegion() {
  const parts = await Promise.all(extent.region.split(',').map((code) => getJson(`/api/areas/${encodeURIComponent(code)}`).catch(() => null)));
  regionGeojson = { type: 'FeatureCollection', features: parts.filter(Boolean) };
}

export async function loadChart() {
  const dates = steps(extent.first, extent.last, 24);
  const series = [];
  // One at a time: each date is a full estimate on the server, and the map's own requests
  // should not wait behind all of them.
  for (const date of dates) {
    const a = await getJson(`/api/area?${qs({ date })}`);
    series.push({ date, rows: a.rows });
  }
  markChart = drawChart($('chart'), series, actors, (d) => setDate(d, { now: true }));
  markChart(state.date);
  $('chart').dataset.points = String(series.length);
}
