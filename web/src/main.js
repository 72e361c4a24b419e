// Frontline's web map: control areas for any day over a base map the server draws from its own
// Natural Earth data, a time slider, two-date comparison with gained/lost areas, provenance on
// click, event, hotspot, siege and uncertainty layers, an area chart, and analyst editing.
// Every request goes to the server that served this page (see api.js).

import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { api, getJson, qs, token, setToken, ApiError } from './api.js';
import { toDay, fromDay, isDate, addDays, steps } from './dates.js';
import { drawChart } from './chart.js';

const $ = (id) => document.getElementById(id);
const abs = (path) => new URL(path, window.location.href).href;

// ------------------------------------------------------------------ state and URL

/** Toggleable layers, in panel order, with the one line that explains each. */
const LAYERS = [
  ['control', 'Control', 'Who holds each part of the region on the date (the estimate from dated observations); lighter where confidence is low.'],
  ['uncertainty', 'Uncertainty', 'Hatched: contested or besieged ground; dotted: low confidence (stale or far from observations); grey hatch: unassessed, nothing reaches it.'],
  ['events', 'Events', 'Battles, strikes and other events in the window ending on the date, clustered (filter below).'],
  ['hotspots', 'Hotspots', 'Zones whose events in the 14 days to the date exceed their own baseline (Poisson test); circle size = events.'],
  ['sieges', 'Sieges', 'Encircled enclaves: connected areas of one actor mostly surrounded by hostile ground; circle size = km².'],
  ['diff', 'Gained / lost', 'Compare mode: ground that changed hands from the compare date to the map date, filled in the colour of who gained it (green edge); red dashed edge: where an actor lost ground.'],
  ['cities', 'City names', 'Populated places of the bundled Natural Earth data.'],
];

const state = {
  date: null,
  compare: null, // a date when comparing
  mode: 'side',
  layers: new Set(['control', 'cities']),
  evType: '',
  evActor: '',
  evWindow: 30,
  view: null, // {z, c: [lon, lat]}
};

function readUrl() {
  const p = new URLSearchParams(window.location.hash.slice(1) || window.location.search.slice(1));
  if (isDate(p.get('date'))) state.date = p.get('date');
  if (isDate(p.get('compare'))) state.compare = p.get('compare');
  if (['side', 'swipe'].includes(p.get('mode'))) state.mode = p.get('mode');
  if (p.has('layers')) {
    const known = new Set(LAYERS.map((l) => l[0]));
    state.layers = new Set(p.get('layers').split(',').filter((l) => known.has(l)));
  }
  state.evType = EVENT_TYPES.includes(p.get('ev_type')) ? p.get('ev_type') : '';
  state.evActor = p.get('ev_actor') || '';
  if (['7', '30', '90', '365'].includes(p.get('ev_window'))) state.evWindow = Number(p.get('ev_window'));
  const z = Number(p.get('z'));
  const c = (p.get('c') || '').split(',').map(Number);
  if (p.has('z') && Number.isFinite(z) && c.length === 2 && c.every(Number.isFinite)) {
    state.view = { z, c };
  }
}

function writeUrl() {
  const p = new URLSearchParams();
  if (state.date) p.set('date', state.date);
  if (state.compare) {
    p.set('compare', state.compare);
    p.set('mode', state.mode);
  }
  p.set('layers', [...state.layers].join(','));
  if (state.evType) p.set('ev_type', state.evType);
  if (state.evActor) p.set('ev_actor', state.evActor);
  if (state.evWindow !== 30) p.set('ev_window', String(state.evWindow));
  if (map) {
    const c = map.getCenter();
    p.set('z', map.getZoom().toFixed(2));
    p.set('c', `${c.lng.toFixed(4)},${c.lat.toFixed(4)}`);
  }
  const hash = `#${p.toString().replace(/%2C/g, ',')}`;
  if (hash !== window.location.hash) history.replaceState(null, '', hash);
}

// ------------------------------------------------------------------ messages

function showMessage(text, kind = 'error') {
  const m = $('message');
  m.textContent = text;
  m.className = kind === 'info' ? 'info' : '';
  m.hidden = !text;
}

function report(what, err) {
  if (err?.name === 'AbortError') return;
  console.warn(`${what}: ${err?.message || err}`);
  showMessage(`${what}: ${err?.message || err}`);
}

let busy = 0;
function setBusy(delta) {
  busy += delta;
  $('status').textContent = busy > 0 ? 'Loading…' : '';
  document.body.dataset.busy = String(busy > 0);
}

async function tracked(promise) {
  setBusy(1);
  try {
    return await promise;
  } finally {
    setBusy(-1);
  }
}

// ------------------------------------------------------------------ reference data

let extent = null;
const actors = new Map(); // id -> {name, colour}

function actorName(id) {
  if (!id) return '';
  if (id === 'unassessed') return 'unassessed';
  return actors.get(id)?.name || id;
}

function colourExpr(prop = 'actor') {
  const e = ['match', ['get', prop]];
  for (const [id, a] of actors) e.push(id, a.colour);
  e.push('#888888');
  return actors.size ? e : '#888888';
}

const EVENT_TYPES = [
  'battle', 'air_strike', 'drone_strike', 'explosion_remote_violence',
  'violence_against_civilians', 'protest', 'riot', 'strategic_development', 'other',
];
const EVENT_COLOURS = {
  battle: '#e6550d', air_strike: '#3182bd', drone_strike: '#6baed6', explosion_remote_violence: '#756bb1',
  violence_against_civilians: '#a50f15', protest: '#31a354', riot: '#74c476', strategic_development: '#636363', other: '#969696',
};

// ------------------------------------------------------------------ map style

/** Stripes or dots drawn on a canvas, for fill-pattern (no image is fetched). */
function patternImage(kind, colour) {
  const size = 12;
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  const g = c.getContext('2d');
  g.strokeStyle = colour;
  g.fillStyle = colour;
  g.lineWidth = 2;
  if (kind === 'hatch') {
    g.beginPath();
    g.moveTo(0, size);
    g.lineTo(size, 0);
    g.moveTo(-size / 2, size / 2);
    g.lineTo(size / 2, -size / 2);
    g.moveTo(size / 2, size * 1.5);
    g.lineTo(size * 1.5, size / 2);
    g.stroke();
  } else {
    g.beginPath();
    g.arc(size / 2, size / 2, 1.6, 0, 2 * Math.PI);
    g.fill();
  }
  const d = g.getImageData(0, 0, size, size);
  return { width: size, height: size, data: new Uint8Array(d.data.buffer) };
}

function baseStyle() {
  const src = (layer) => ({ type: 'geojson', data: abs(`/api/basemap/${layer}.geojson`), attribution: 'Natural Earth' });
  return {
    version: 8,
    sources: {
      countries: src('countries'),
      lakes: src('lakes'),
      rivers: src('rivers'),
      borders: src('borders'),
    },
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': '#c9dce8' } },
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': '#f3f0e8', 'fill-outline-color': '#b9b4a8' } },
      { id: 'lakes', type: 'fill', source: 'lakes', paint: { 'fill-color': '#c9dce8' } },
      { id: 'rivers', type: 'line', source: 'rivers', paint: { 'line-color': '#8fb3cc', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 9, 2.5] } },
    ],
  };
}

const EMPTY = { type: 'FeatureCollection', features: [] };

/** The layers of a control map (both maps have them). */
function addControlLayers(m) {
  m.addImage('hatch', patternImage('hatch', 'rgba(40,40,40,0.75)'));
  m.addImage('hatch-grey', patternImage('hatch', 'rgba(120,120,120,0.55)'));
  m.addImage('dots', patternImage('dots', 'rgba(30,30,30,0.6)'));
  m.addSource('region', { type: 'geojson', data: EMPTY });
  m.addSource('control', { type: 'geojson', data: EMPTY });
  m.addLayer({ id: 'unassessed', type: 'fill', source: 'region', paint: { 'fill-pattern': 'hatch-grey' } });
  // Covers the hatch where the map has an estimate, so only unassessed ground shows it.
  m.addLayer({ id: 'assessed-mask', type: 'fill', source: 'control', paint: { 'fill-color': '#f3f0e8' } });
  m.addLayer({
    id: 'control-fill', type: 'fill', source: 'control',
    paint: { 'fill-color': colourExpr(), 'fill-opacity': ['case', ['get', 'low_confidence'], 0.3, 0.62] },
  });
  m.addLayer({
    id: 'control-line', type: 'line', source: 'control',
    paint: { 'line-color': colourExpr(), 'line-width': 0.8, 'line-opacity': 0.9 },
  });
  m.addLayer({
    id: 'contested', type: 'fill', source: 'control',
    filter: ['in', ['get', 'status'], ['literal', ['contested', 'besieged']]],
    paint: { 'fill-pattern': 'hatch' },
  });
  m.addLayer({
    id: 'shared-line', type: 'line', source: 'control',
    filter: ['in', ['get', 'status'], ['literal', ['contested', 'shared']]],
    paint: { 'line-color': colourExpr('actor2'), 'line-width': 2, 'line-dasharray': [2, 2] },
  });
  m.addLayer({
    id: 'low-confidence', type: 'fill', source: 'control',
    filter: ['==', ['get', 'low_confidence'], true],
    paint: { 'fill-pattern': 'dots' },
  });
  m.addLayer({ id: 'borders', type: 'line', source: 'borders', paint: { 'line-color': '#6b6358', 'line-width': 1.2, 'line-dasharray': [3, 1.5] } });
  m.addLayer({ id: 'region-outline', type: 'line', source: 'region', paint: { 'line-color': '#444', 'line-width': 1.5 } });
}

function addOverlayLayers(m) {
  m.addSource('diff', { type: 'geojson', data: EMPTY });
  // Every piece one actor gained another lost: gains are filled in the gaining actor's colour
  // with a green edge, losses drawn as a red dashed edge, so the two do not blend.
  m.addLayer({
    id: 'diff-fill', type: 'fill', source: 'diff', filter: ['==', ['get', 'change'], 'gained'],
    paint: { 'fill-color': colourExpr(), 'fill-opacity': 0.9 },
  });
  m.addLayer({
    id: 'diff-line', type: 'line', source: 'diff', filter: ['==', ['get', 'change'], 'gained'],
    paint: { 'line-color': '#00a651', 'line-width': 2.5 },
  });
  m.addLayer({
    id: 'diff-lost', type: 'line', source: 'diff', filter: ['==', ['get', 'change'], 'lost'],
    paint: { 'line-color': '#e31a1c', 'line-width': 1.5, 'line-dasharray': [2, 1.5] },
  });
  m.addSource('events', { type: 'geojson', data: EMPTY, cluster: true, clusterRadius: 40, clusterMaxZoom: 11 });
  m.addLayer({
    id: 'event-clusters', type: 'circle', source: 'events', filter: ['has', 'point_count'],
    paint: {
      'circle-color': '#3b6ea8',
      'circle-opacity': 0.75,
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'point_count']], 1, 8, 30, 30],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1.5,
    },
  });
  const typeColour = ['match', ['get', 'type']];
  for (const t of EVENT_TYPES) typeColour.push(t, EVENT_COLOURS[t]);
  typeColour.push('#969696');
  m.addLayer({
    id: 'event-points', type: 'circle', source: 'events', filter: ['!', ['has', 'point_count']],
    paint: { 'circle-color': typeColour, 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
  });
  m.addSource('hotspots', { type: 'geojson', data: EMPTY });
  m.addLayer({
    id: 'hotspots', type: 'circle', source: 'hotspots',
    paint: {
      'circle-color': '#ff7f00', 'circle-opacity': 0.35,
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 10, 20, 40],
      'circle-stroke-color': '#c15a00', 'circle-stroke-width': 2,
    },
  });
  m.addSource('sieges', { type: 'geojson', data: EMPTY });
  m.addLayer({
    id: 'sieges', type: 'circle', source: 'sieges',
    paint: {
      'circle-color': colourExpr(), 'circle-opacity': 0.25,
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'km2']], 1, 6, 100, 40],
      'circle-stroke-color': '#b30000', 'circle-stroke-width': 3,
    },
  });
  m.addSource('draft', { type: 'geojson', data: EMPTY });
  m.addLayer({ id: 'draft-fill', type: 'fill', source: 'draft', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#f0a500', 'fill-opacity': 0.3 } });
  m.addLayer({ id: 'draft-line', type: 'line', source: 'draft', paint: { 'line-color': '#b37a00', 'line-width': 2 } });
  m.addLayer({ id: 'draft-points', type: 'circle', source: 'draft', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#f0a500', 'circle-radius': 5, 'circle-stroke-color': '#000', 'circle-stroke-width': 1 } });
}

/** Map layer ids of each toggleable layer. */
const LAYER_IDS = {
  control: ['control-fill', 'control-line'],
  uncertainty: ['unassessed', 'assessed-mask', 'contested', 'shared-line', 'low-confidence'],
  events: ['event-clusters', 'event-points'],
  hotspots: ['hotspots'],
  sieges: ['sieges'],
  diff: ['diff-fill', 'diff-line', 'diff-lost'],
};

function applyVisibility(m) {
  for (const [layer, ids] of Object.entries(LAYER_IDS)) {
    const on = state.layers.has(layer) && (layer !== 'diff' || state.compare);
    for (const id of ids) if (m.getLayer(id)) m.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }
  for (const mk of cityMarkers.get(m) || []) mk.getElement().hidden = !state.layers.has('cities') || !mk.frontlineVisible;
}

// ------------------------------------------------------------------ city labels (HTML markers)

const cityMarkers = new Map(); // map -> markers
let places = null;

async function addCities(m) {
  if (!places) places = await getJson('/api/basemap/places.geojson');
  const markers = places.features.map((f) => {
    const e = document.createElement('div');
    e.className = f.properties.capital ? 'city capital' : 'city';
    e.textContent = f.properties.name;
    if (f.properties.name_ar) e.title = f.properties.name_ar;
    const mk = new maplibregl.Marker({ element: e, anchor: 'left' }).setLngLat(f.geometry.coordinates).addTo(m);
    mk.population = f.properties.population;
    mk.capital = f.properties.capital;
    return mk;
  });
  cityMarkers.set(m, markers);
  const update = () => {
    const z = m.getZoom();
    // Fewer, larger places when zoomed out, so names do not pile up.
    const min = z < 5 ? 1_000_000 : z < 6 ? 300_000 : z < 7 ? 100_000 : 0;
    for (const mk of markers) {
      mk.frontlineVisible = mk.capital || mk.population >= min;
      mk.getElement().hidden = !state.layers.has('cities') || !mk.frontlineVisible;
    }
  };
  m.on('zoomend', update);
  update();
}

// ------------------------------------------------------------------ maps

let map = null;
let map2 = null;

function createMap(container, view) {
  const m = new maplibregl.Map({
    container,
    style: baseStyle(),
    center: view.c,
    zoom: view.z,
    attributionControl: { compact: true },
    maxZoom: 12,
    minZoom: 2,
    dragRotate: false,
    pitchWithRotate: false,
  });
  m.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  m.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  return new Promise((resolve) => m.on('load', () => resolve(m)));
}

function defaultView() {
  const b = extent?.bbox;
  if (!b) return { z: 5, c: [40, 35] };
  const w = $('map').clientWidth || 800;
  const h = $('map').clientHeight || 600;
  // The zoom that fits the bbox (Web Mercator, 512 px tiles).
  const merc = (lat) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  const zx = Math.log2((w * 360) / (512 * (b[2] - b[0])));
  const zy = Math.log2((h * 2 * Math.PI) / (512 * (merc(b[3]) - merc(b[1]))));
  return { z: Math.max(2, Math.min(zx, zy) - 0.15), c: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] };
}

let syncing = false;
function sync(a, b) {
  a.on('move', () => {
    if (syncing || !b) return;
    syncing = true;
    b.jumpTo({ center: a.getCenter(), zoom: a.getZoom() });
    syncing = false;
  });
}

// ------------------------------------------------------------------ loading data for a date

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

async function loadEvents(date) {
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
async function refresh() {
  const date = state.date;
  $('map-date').textContent = date;
  $('slider').value = String(toDay(date));
  $('date').value = date;
  if (markChart) markChart(date);
  writeUrl();
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
function setDate(date, { now = false } = {}) {
  const d = Math.min(toDay(extent.last), Math.max(toDay(extent.first), toDay(date)));
  state.date = fromDay(d);
  $('slider').value = String(d);
  $('date').value = state.date;
  $('map-date').textContent = state.date;
  clearTimeout(refreshTimer);
  // The slider fires for every day it crosses: redraw once it rests.
  refreshTimer = setTimeout(() => refresh(), now ? 0 : 120);
}

// ------------------------------------------------------------------ compare

async function setCompare(on) {
  state.compare = on ? ($('date2').value && isDate($('date2').value) ? $('date2').value : addDays(state.date, -365)) : null;
  if (state.compare && toDay(state.compare) < toDay(extent.first)) state.compare = extent.first;
  $('compare').checked = !!state.compare;
  $('date2').value = state.compare || '';
  $('compare-row').hidden = !state.compare;
  const maps = $('maps');
  maps.className = state.compare ? state.mode : 'single';
  $('map2').hidden = !state.compare;
  $('swipe').hidden = !(state.compare && state.mode === 'swipe');
  if (state.compare && !map2) {
    map2 = await createMap('map2', { z: map.getZoom(), c: map.getCenter().toArray() });
    addControlLayers(map2);
    map2.getSource('region').setData(regionGeojson);
    await addCities(map2);
    sync(map, map2);
    sync(map2, map);
    map2.on('click', (e) => explainAt(map2, e.lngLat, state.compare));
  }
  applySwipe();
  map.resize();
  if (map2) {
    map2.resize();
    map2.jumpTo({ center: map.getCenter(), zoom: map.getZoom() });
    applyVisibility(map2);
  }
  applyVisibility(map);
  await refresh();
}

function applySwipe() {
  const el = $('map2');
  // Only the canvas container (the drawing and the city names) is clipped: clipping the whole
  // map element would cut its popup off at the handle too, showing the main map's city names
  // where the popup should be (a z-index cannot lift anything out of a clipped element).
  const canvas = map2?.getCanvasContainer();
  if (state.compare && state.mode === 'swipe') {
    const pct = Number($('swipe').value);
    // The compare map lies over the main one; the left part of it is shown.
    if (canvas) canvas.style.clipPath = `inset(0 ${100 - pct}% 0 0)`;
    el.style.zIndex = '1';
  } else {
    if (canvas) canvas.style.clipPath = '';
    el.style.zIndex = '';
  }
}

// ------------------------------------------------------------------ provenance popup

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function safeUrl(u) {
  try {
    const url = new URL(u);
    return ['http:', 'https:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function describeEvidence(list) {
  if (!Array.isArray(list) || !list.length) return 'none recorded';
  return list.map((e) => {
    if (e.kind === 'report') return `report: “${esc(e.text)}”`;
    if (e.kind === 'satellite_scene') return `satellite scene ${esc(e.scene_id)} (${esc(e.acquired)})`;
    if (e.kind === 'file') return `file ${evidenceLink(e)}`;
    if (e.kind === 'events') return `inferred from ${esc(e.dataset)} ${esc((e.ids || []).join(', '))}: ${esc(e.summary)}`;
    return esc(JSON.stringify(e));
  }).join('; ');
}

/** The first day of the holder's current run at the point, from /api/whois: stepping back a
 * month at a time until the holder differs, then halving to the day (a change and its reversal
 * within one month can be missed, hence "about"). */
async function since(lngLat, date, actor) {
  const who = async (d) => (await getJson(`/api/whois?${qs({ date: fromDay(d), lat: lngLat.lat.toFixed(5), lon: lngLat.lng.toFixed(5) })}`)).actor;
  const first = toDay(extent.first);
  const STEP = 30;
  const BATCH = 4;
  let hi = toDay(date); // the actor holds the point on hi
  let lo = null; // someone else (or no one) holds it on lo
  while (lo === null) {
    const probes = [];
    for (let k = 1; k <= BATCH; k++) probes.push(Math.max(first, hi - k * STEP));
    const holders = await Promise.all(probes.map(who));
    const i = holders.findIndex((h) => h !== actor);
    if (i >= 0) {
      lo = probes[i];
      if (i > 0) hi = probes[i - 1];
    } else if (probes[BATCH - 1] === first) {
      return `at least ${extent.first} (the start of the record)`;
    } else {
      hi = probes[BATCH - 1];
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await who(mid)) === actor) hi = mid;
    else lo = mid;
  }
  return `about ${fromDay(hi)}`;
}

let popup = null;

async function explainAt(m, lngLat, date) {
  const q = qs({ date, lat: lngLat.lat.toFixed(5), lon: lngLat.lng.toFixed(5) });
  openPopup(m, lngLat, '<p>Loading…</p>', 420);
  const mine = popup;
  let ex;
  try {
    ex = await tracked(getJson(`/api/explain?${q}`));
  } catch (e) {
    mine.setHTML(`<p class="form-error">${esc(e.message)}</p>`);
    return;
  }
  if (mine !== popup) return;
  const who = ex.actor === 'unassessed'
    ? 'Unassessed: no observation reaches this point on this date'
    : `${esc(actorName(ex.actor))}${ex.status === 'held' ? ' holds this' : ` — ${esc(ex.status)}${ex.actor2 ? ` with ${esc(actorName(ex.actor2))}` : ''}`}`;
  const obs = (ex.observations || []).slice().sort((a, b) => (a.observed < b.observed ? 1 : -1));
  const canEdit = !!token() && (session.role === 'analyst' || session.role === 'admin');
  const items = obs.map((o) => {
    const url = safeUrl(o.source?.url);
    const src = url ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(o.source?.citation)}</a>` : esc(o.source?.citation ?? o.source);
    const edit = canEdit
      ? ` <button type="button" data-correct="${esc(o.key)}">Correct</button> <button type="button" data-retire="${esc(o.key)}">Retire</button> <button type="button" data-files="${esc(o.key)}">Files</button>`
      : '';
    const files = (o.evidence_files || []).map(evidenceLink).join(', ');
    return `<li data-key="${esc(o.key)}"><b>${esc(o.observed)}</b> ${esc(o.label || '(no label)')}: ${esc(actorName(o.actor))} ${esc(o.status)}${o.actor2 ? ` / ${esc(actorName(o.actor2))}` : ''}
      <div class="meta">Source: ${src} · ${o.grading ? `grading ${esc(o.grading)}` : 'ungraded'}${o.analyst ? ` · analyst ${esc(o.analyst)}` : ''}</div>
      <div class="meta">Evidence: ${describeEvidence(o.evidence)}${files ? ` · files: ${files}` : ''}</div>${edit}</li>`;
  }).join('');
  const contrib = (ex.contributions || []).slice(0, 5).map((c) =>
    `<li>${esc(c.label || 'observation')} — ${esc(actorName(c.actor))} ${esc(c.status)}, ${c.distance_km.toFixed(1)} km away, ${(c.share * 100).toFixed(0)} % of the weight (${esc(c.basis)})</li>`).join('');
  const area = ex.decided_by_area ? `<p class="meta">Decided by the area “${esc(ex.decided_by_area.label || '')}” (${esc(actorName(ex.decided_by_area.actor))}).</p>` : '';
  mine.setHTML(`<div class="explain" data-actor="${esc(ex.actor)}">
    <h3>${who}</h3>
    <p class="meta">${esc(date)} · ${lngLat.lat.toFixed(4)}, ${lngLat.lng.toFixed(4)} · confidence ${(ex.confidence * 100).toFixed(0)} %</p>
    ${ex.actor !== 'unassessed' ? '<p class="since meta">Since: <span>finding…</span></p>' : ''}
    ${state.compare && m === map ? `<p class="then meta">On ${esc(state.compare)} (compare date): <span>…</span></p>` : ''}
    ${area}
    <h4>Observations behind it (${obs.length})</h4>
    <ol class="observations">${items || '<li>none</li>'}</ol>
    ${contrib ? `<h4>Nearest contributions</h4><ul class="contrib">${contrib}</ul>` : ''}
  </div>`);
  const root = mine.getElement();
  root.querySelectorAll('[data-correct]').forEach((b) => b.addEventListener('click', () => openCorrection(b.dataset.correct)));
  root.querySelectorAll('[data-retire]').forEach((b) => b.addEventListener('click', () => openRetire(b.dataset.retire)));
  root.querySelectorAll('[data-files]').forEach((b) => b.addEventListener('click', () => {
    if (popup) popup.remove();
    openFiles(b.dataset.files).catch((e) => report('Evidence files', e));
  }));
  if (state.compare && m === map) {
    getJson(`/api/whois?${qs({ date: state.compare, lat: lngLat.lat.toFixed(5), lon: lngLat.lng.toFixed(5) })}`)
      .then((w) => {
        const span = root.querySelector('.then span');
        if (span) span.textContent = w.actor === 'unassessed' ? 'unassessed' : `${actorName(w.actor)} (${w.status}${w.actor2 ? ` with ${actorName(w.actor2)}` : ''})`;
      })
      .catch((err) => {
        const span = root.querySelector('.then span');
        if (span) span.textContent = err.message;
      });
  }
  if (ex.actor !== 'unassessed') {
    try {
      const s = await since(lngLat, date, ex.actor);
      const span = root.querySelector('.since span');
      if (span) span.textContent = s;
    } catch (e) {
      const span = root.querySelector('.since span');
      if (span) span.textContent = `unknown (${e.message})`;
    }
  }
}

function popupFor(m, e, html) {
  openPopup(m, e.lngLat, html, 360);
}

/** Opens the (single) popup on a map, at most `width` px wide and at most 60 % of the map's width,
 * so that MapLibre can place it inside the map whichever point was clicked (a popup cannot leave
 * its map: a compare map side by side is half as wide, a phone's map narrower still). */
function openPopup(m, lngLat, html, width) {
  if (popup) popup.remove();
  const w = Math.max(200, Math.min(width, Math.floor(m.getContainer().clientWidth * 0.6)));
  popup = new maplibregl.Popup({ maxWidth: `${w}px`, focusAfterOpen: true }).setLngLat(lngLat).setHTML(html).addTo(m);
}

/** Clicks on an overlay feature describe it; elsewhere, the provenance of the point. */
function onMapClick(e) {
  if (drawing) return drawClick(e);
  const hit = (layers) => map.queryRenderedFeatures(e.point, { layers: layers.filter((l) => map.getLayer(l)) });
  const cluster = hit(['event-clusters'])[0];
  if (cluster) {
    map.getSource('events').getClusterExpansionZoom(cluster.properties.cluster_id)
      .then((z) => map.easeTo({ center: cluster.geometry.coordinates, zoom: z }))
      .catch((err) => report('Events', err));
    return;
  }
  const ev = hit(['event-points'])[0];
  if (ev) {
    const p = ev.properties;
    return popupFor(map, e, `<div class="explain"><h3>${esc(p.type.replace(/_/g, ' '))}, ${esc(p.date)}</h3>
      <p>${esc(p.place || '')} · ${esc(p.side_a)}${p.side_b ? ` vs ${esc(p.side_b)}` : ''}</p>
      <p class="meta">${p.count > 1 ? `${p.count} events · ` : ''}fatalities ${esc(p.fatalities_best ?? 'unknown')} · ${esc(p.source)} · dataset ${esc(p.dataset)}</p></div>`);
  }
  const hs = hit(['hotspots'])[0];
  if (hs) {
    const p = hs.properties;
    return popupFor(map, e, `<div class="explain"><h3>Hotspot</h3><p>${p.count} events in ${esc(p.window)}; baseline ${Number(p.baseline_rate).toFixed(1)} per window; p = ${Number(p.p_value).toExponential(1)}, z = ${Number(p.z).toFixed(1)}</p></div>`);
  }
  const sg = hit(['sieges'])[0];
  if (sg) {
    const p = sg.properties;
    return popupFor(map, e, `<div class="explain"><h3>Enclave of ${esc(actorName(p.actor))}</h3><p>${Math.round(p.km2).toLocaleString('en')} km², ${Number(p.hostile_pct).toFixed(0)} % of its perimeter hostile: ${esc(p.by)}</p><p class="meta">${esc(p.reason)}</p></div>`);
  }
  explainAt(map, e.lngLat, state.date);
}

// ------------------------------------------------------------------ analyst: drawing and forms

let drawing = null; // 'point' | 'polygon'
let vertices = [];
let editing = null; // {key, version} when correcting

function setDrawing(mode) {
  drawing = mode;
  vertices = [];
  map.getSource('draft').setData(EMPTY);
  $('add-point').setAttribute('aria-pressed', String(mode === 'point'));
  $('add-polygon').setAttribute('aria-pressed', String(mode === 'polygon'));
  $('cancel-draw').hidden = !mode;
  map.getCanvas().style.cursor = mode ? 'crosshair' : '';
  if (mode === 'polygon') map.doubleClickZoom.disable();
  else map.doubleClickZoom.enable();
  if (mode) showMessage(mode === 'point' ? 'Click the map where the observation is.' : 'Click each corner; double-click or press Enter to finish; Escape cancels.', 'info');
}

function draftGeometry() {
  if (vertices.length === 0) return EMPTY;
  const features = vertices.map((v) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: v }, properties: {} }));
  if (vertices.length >= 3) features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[...vertices, vertices[0]]] }, properties: {} });
  else if (vertices.length === 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: vertices }, properties: {} });
  return { type: 'FeatureCollection', features };
}

function drawClick(e) {
  const v = [Number(e.lngLat.lng.toFixed(5)), Number(e.lngLat.lat.toFixed(5))];
  if (drawing === 'point') {
    setDrawing(null);
    map.getSource('draft').setData({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: v }, properties: {} }] });
    openForm({ type: 'Point', coordinates: v });
    return;
  }
  // A double-click also fires two clicks at (almost) the same place: keep one vertex.
  const last = vertices[vertices.length - 1];
  if (!last || Math.abs(last[0] - v[0]) > 1e-4 || Math.abs(last[1] - v[1]) > 1e-4) vertices.push(v);
  map.getSource('draft').setData(draftGeometry());
}

function finishPolygon() {
  if (drawing !== 'polygon') return;
  if (vertices.length < 3) {
    showMessage('A polygon needs at least three corners.');
    return;
  }
  const ring = [...vertices, vertices[0]];
  // GeoJSON outer rings run counter-clockwise.
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += (ring[i + 1][0] - ring[i][0]) * (ring[i + 1][1] + ring[i][1]);
  if (s > 0) ring.reverse();
  const draft = draftGeometry();
  setDrawing(null);
  map.getSource('draft').setData(draft);
  openForm({ type: 'Polygon', coordinates: [ring] });
}

let formGeometry = null;

function fillSelect(sel, options, keepFirst = true) {
  const first = keepFirst ? sel.options[0] : null;
  sel.replaceChildren(...(first ? [first] : []));
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    sel.append(o);
  }
}

function openForm(geometry, values = {}) {
  formGeometry = geometry;
  const f = $('obs-form');
  f.reset();
  $('obs-error').hidden = true;
  $('retire-form').hidden = true;
  const g = geometry.type === 'Point'
    ? `Point at ${geometry.coordinates[1].toFixed(4)}, ${geometry.coordinates[0].toFixed(4)}`
    : `${geometry.type} with ${geometry.type === 'Polygon' ? geometry.coordinates[0].length - 1 : geometry.coordinates.length} ${geometry.type === 'Polygon' ? 'corners' : 'parts'}`;
  $('obs-geom').textContent = g;
  $('obs-form-h').textContent = editing ? `Correct ${editing.key} (version ${editing.version})` : 'New observation';
  f.elements.observed.value = values.observed || state.date;
  for (const k of ['label', 'actor', 'status', 'actor2', 'feature', 'source', 'source_url', 'grading', 'note', 'evidence']) {
    if (values[k] !== undefined && values[k] !== null) f.elements[k].value = values[k];
  }
  f.hidden = false;
  f.elements.label.focus();
}

function closeForm() {
  $('obs-form').hidden = true;
  editing = null;
  formGeometry = null;
  map.getSource('draft').setData(EMPTY);
}

function formBody() {
  const f = $('obs-form').elements;
  const body = {
    geometry: formGeometry,
    actor: f.actor.value,
    status: f.status.value,
    observed: f.observed.value.trim(),
    source: f.source.value.trim(),
  };
  const opt = (k, v) => { if (v) body[k] = v; };
  opt('label', f.label.value.trim());
  opt('actor2', f.actor2.value);
  opt('feature', f.feature.value);
  opt('source_url', f.source_url.value.trim());
  opt('grading', f.grading.value);
  opt('note', f.note.value.trim());
  const ev = f.evidence.value.trim();
  body.evidence = ev ? [{ kind: 'report', text: ev }] : [];
  return body;
}

async function afterWrite(text) {
  showMessage(text, 'info');
  if (popup) popup.remove();
  await refresh();
  loadChart().catch((e) => report('Could not draw the chart', e));
}

function logEdit(text, key, kind = 'observation') {
  const li = document.createElement('li');
  li.dataset.key = key;
  li.dataset.kind = kind;
  li.textContent = text;
  $('edits').prepend(li);
}

async function submitForm(ev) {
  ev.preventDefault();
  const body = formBody();
  const files = [...$('obs-form').elements.files.files];
  const errorBox = $('obs-error');
  errorBox.hidden = true;
  try {
    let res;
    let json;
    if (editing) {
      ({ json, res } = await tracked(api(`/api/observations/${encodeURIComponent(editing.key)}`, {
        method: 'PUT', body, headers: { 'If-Match': `"${editing.version}"` },
      })));
    } else {
      ({ json, res } = await tracked(api('/api/observations', { method: 'POST', body })));
    }
    const key = json.properties?.key || json.id;
    const version = (res.headers.get('ETag') || '').replace(/"/g, '');
    const what = editing ? 'Corrected' : 'Added';
    logEdit(`${what} ${key} (version ${version}): ${actorName(body.actor)} ${body.status}, ${body.observed}`, key);
    closeForm();
    await afterWrite(`${what} observation ${key} (version ${version}); the map is redrawn.`);
    // The files go up once the observation exists: its key is their address.
    if (files.length) await openFiles(key, files);
  } catch (e) {
    errorBox.textContent = e.message;
    errorBox.hidden = false;
    showMessage(`Could not save the observation: ${e.message}`);
  }
}

async function openCorrection(key) {
  try {
    const { json, res } = await tracked(api(`/api/observations/${encodeURIComponent(key)}`));
    const p = json.properties;
    let evidence = '';
    try {
      evidence = (JSON.parse(p.evidence || '[]').find((e) => e.kind === 'report') || {}).text || '';
    } catch {
      evidence = '';
    }
    editing = { key, version: (res.headers.get('ETag') || String(p.version)).replace(/"/g, '') };
    if (popup) popup.remove();
    openForm(json.geometry, { ...p, actor2: p.actor2 || '', feature: p.feature || '', grading: p.grading || '', evidence });
    showFiles(key, json.evidence_files || []);
  } catch (e) {
    report(`Could not open ${key}`, e);
  }
}

let retiring = null;

async function openRetire(key) {
  try {
    const { res } = await tracked(api(`/api/observations/${encodeURIComponent(key)}`));
    retiring = { key, version: (res.headers.get('ETag') || '').replace(/"/g, '') };
    $('obs-form').hidden = true;
    $('retire-key').textContent = `${key} (version ${retiring.version})`;
    $('retire-error').hidden = true;
    $('retire-form').hidden = false;
    $('retire-form').elements.reason.focus();
    if (popup) popup.remove();
  } catch (e) {
    report(`Could not open ${key}`, e);
  }
}

async function submitRetire(ev) {
  ev.preventDefault();
  const reason = $('retire-form').elements.reason.value.trim();
  try {
    const { json, res } = await tracked(api(`/api/observations/${encodeURIComponent(retiring.key)}/retire`, {
      method: 'POST', body: { reason }, headers: { 'If-Match': `"${retiring.version}"` },
    }));
    const version = json?.version ?? (res.headers.get('ETag') || '').replace(/"/g, '');
    logEdit(`Retired ${retiring.key} (version ${version}): ${reason}`, retiring.key);
    const key = retiring.key;
    retiring = null;
    $('retire-form').hidden = true;
    $('retire-form').reset();
    await afterWrite(`Retired observation ${key}; the map is redrawn.`);
  } catch (e) {
    $('retire-error').textContent = e.message;
    $('retire-error').hidden = false;
    showMessage(`Could not retire the observation: ${e.message}`);
  }
}

// ------------------------------------------------------------------ analyst: evidence files

/** The server's limit (MAX_EVIDENCE_BYTES in crates/frontline-store/src/evidence.rs), checked here
 * too so that a file far too large is not sent only to be refused: the server may cut such an
 * upload off before it can answer. Types are left to the server, which reads the magic bytes. */
const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
const INLINE_IMAGES = ['image/png', 'image/jpeg', 'image/webp'];
let filesKey = null; // the observation whose files the panel shows
const blobs = new Map(); // sha256 -> {url, type} (content-addressed: the bytes never change)

function humanSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A link to an evidence file. Reads may need the token, which a plain link cannot send, so a
 * click on it fetches the file with the token (see openEvidence); without one the link works
 * as it is. */
function evidenceLink(a) {
  return `<a href="/api/evidence/${esc(a.sha256)}" data-evidence="${esc(a.sha256)}" data-name="${esc(a.name)}" target="_blank" rel="noopener">${esc(a.name)}</a>`;
}

/** The file's bytes from GET /api/evidence/{sha256}, with the token: an object URL for them and
 * the type the server found in them. */
async function evidenceBlob(sha) {
  if (blobs.has(sha)) return blobs.get(sha);
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const res = await fetch(`/api/evidence/${encodeURIComponent(sha)}`, { headers });
  if (!res.ok) {
    const text = await res.text();
    let message = text.slice(0, 200);
    try {
      message = JSON.parse(text).error.message;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(res.status, message);
  }
  const blob = await res.blob();
  const found = { url: URL.createObjectURL(blob), type: blob.type };
  blobs.set(sha, found);
  return found;
}

/** Opens an evidence file fetched with the token: images in a new tab, PDF and TIFF (which the
 * server sends as downloads) saved under their name. */
async function openEvidence(a) {
  const { url, type } = await evidenceBlob(a.dataset.evidence);
  const link = document.createElement('a');
  link.href = url;
  if (INLINE_IMAGES.includes(type)) {
    link.target = '_blank';
    link.rel = 'noopener';
  } else {
    link.download = a.dataset.name || a.dataset.evidence;
  }
  link.click();
}

function fileItem(a) {
  const li = document.createElement('li');
  li.dataset.sha = a.sha256;
  li.dataset.name = a.name;
  li.innerHTML = `${evidenceLink(a)} <span class="meta">${esc(a.media_type)}, ${humanSize(a.size)}, added ${esc(String(a.added_at).slice(0, 10))} by ${esc(a.added_by)}</span>`;
  if (INLINE_IMAGES.includes(a.media_type)) {
    const img = document.createElement('img');
    img.className = 'thumb';
    img.alt = a.name;
    li.prepend(img);
    evidenceBlob(a.sha256)
      .then(({ url }) => { img.src = url; })
      .catch((e) => { img.replaceWith(document.createTextNode(`(${e.message}) `)); });
  }
  return li;
}

/** Shows the panel with a list of attached files already read. */
function showFiles(key, files) {
  if (filesKey !== key) $('files-progress').replaceChildren();
  filesKey = key;
  $('files-key').textContent = key;
  $('files-error').hidden = true;
  const list = $('files-list');
  if (files.length) list.replaceChildren(...files.map(fileItem));
  else {
    const li = document.createElement('li');
    li.className = 'note';
    li.textContent = 'No files attached yet.';
    list.replaceChildren(li);
  }
  list.dataset.count = String(files.length);
  $('files').hidden = false;
}

/** The evidence panel for an observation: its files (GET …/evidence), then uploads `files`. */
async function openFiles(key, files = []) {
  let list = [];
  try {
    list = (await tracked(getJson(`/api/observations/${encodeURIComponent(key)}/evidence`))).evidence;
  } catch (e) {
    showFiles(key, []);
    $('files-error').textContent = `Could not list the files: ${e.message}`;
    $('files-error').hidden = false;
    return;
  }
  showFiles(key, list);
  if (files.length) await uploadFiles(key, files);
}

/** POST /api/observations/{key}/evidence?name=… with the file as the raw body. XMLHttpRequest
 * because fetch cannot report upload progress. Resolves with the server's answer (the stored
 * attachment), rejects with an ApiError saying in words why the server refused it. */
function uploadEvidence(key, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/observations/${encodeURIComponent(key)}/evidence?${qs({ name: file.name })}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (token()) xhr.setRequestHeader('Authorization', `Bearer ${token()}`);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let json = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json);
      else reject(new ApiError(xhr.status, json?.error?.message || xhr.responseText.slice(0, 200)));
    };
    xhr.onerror = () => reject(new ApiError(0, 'the server cannot be reached, or it cut the upload off'));
    xhr.send(file);
  });
}

/** Uploads files one after the other, each with a line saying how far it got or why it failed. */
async function uploadFiles(key, files) {
  const progress = $('files-progress');
  const rows = files.map((file) => {
    const li = document.createElement('li');
    li.dataset.name = file.name;
    li.dataset.state = 'waiting';
    li.textContent = `${file.name}: waiting`;
    progress.append(li);
    return li;
  });
  let failed = 0;
  for (const [i, file] of files.entries()) {
    const li = rows[i];
    const fail = (text) => {
      failed += 1;
      li.dataset.state = 'failed';
      li.className = 'form-error';
      li.textContent = `${file.name}: ${text}`;
    };
    if (file.size > MAX_EVIDENCE_BYTES) {
      fail(`not sent: it is ${humanSize(file.size)} and the server takes at most ${humanSize(MAX_EVIDENCE_BYTES)}`);
      continue;
    }
    li.dataset.state = 'uploading';
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    const label = document.createElement('span');
    label.textContent = `${file.name}: uploading `;
    li.replaceChildren(label, bar);
    try {
      const res = await tracked(uploadEvidence(key, file, (f) => { bar.value = f; }));
      const a = res.attachment;
      li.dataset.state = 'done';
      li.textContent = `${file.name}: attached (${a.media_type}, ${humanSize(a.size)})`;
      logEdit(`Attached ${file.name} to ${key}`, key, 'attach');
    } catch (e) {
      fail(e.message);
    }
  }
  if (filesKey === key) {
    const list = await tracked(getJson(`/api/observations/${encodeURIComponent(key)}/evidence`)).catch(() => null);
    if (list && filesKey === key) showFiles(key, list.evidence);
  }
  if (failed) showMessage(`${failed} of ${files.length} file(s) could not be attached to ${key}; the evidence panel says why.`);
  else showMessage(`Attached ${files.length} file(s) to ${key}.`, 'info');
}

// ------------------------------------------------------------------ login

let session = { public: false, who: null, role: null };

function showLoggedIn() {
  const t = token();
  $('login').hidden = !!t;
  $('tools').hidden = !t;
  const editor = session.role === 'analyst' || session.role === 'admin';
  $('who').textContent = t ? `Logged in as ${session.who || '…'} (${session.role || 'checking'})${t && session.role && !editor ? ': this role can read but not edit' : ''}.` : '';
  for (const id of ['add-point', 'add-polygon']) $(id).disabled = !!session.role && !editor;
}

async function login(ev) {
  ev.preventDefault();
  const t = $('token').value.trim();
  setToken(t);
  try {
    session = await getJson('/api/session');
    $('token').value = '';
    showLoggedIn();
    showMessage('Logged in. Add an observation with the buttons below, or correct and retire one from a map popup.', 'info');
    if (!map) {
      await start();
      // The first login (on a server without public reads) opens the map: show its date first.
      $('panel').scrollTop = 0;
    }
  } catch (e) {
    setToken('');
    session = { ...session, who: null, role: null };
    showLoggedIn();
    showMessage(`Login failed: ${e.message}`);
  }
}

// ------------------------------------------------------------------ chart

async function loadChart() {
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

// ------------------------------------------------------------------ panel wiring

function buildLayerList() {
  const ul = $('layers');
  ul.replaceChildren();
  for (const [id, label, help] of LAYERS) {
    const li = document.createElement('li');
    const lab = document.createElement('label');
    lab.className = 'check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `layer-${id}`;
    box.checked = state.layers.has(id);
    box.setAttribute('aria-describedby', `layer-${id}-help`);
    box.addEventListener('change', () => {
      if (box.checked) state.layers.add(id);
      else state.layers.delete(id);
      applyVisibility(map);
      if (map2) applyVisibility(map2);
      $('event-filters').hidden = !state.layers.has('events');
      refresh();
    });
    lab.append(box, label);
    const p = document.createElement('p');
    p.className = 'note';
    p.id = `layer-${id}-help`;
    p.textContent = help;
    li.append(lab, p);
    ul.append(li);
  }
  $('event-filters').hidden = !state.layers.has('events');
}

let playTimer = null;
function togglePlay() {
  const b = $('play');
  if (playTimer) {
    clearInterval(playTimer);
    playTimer = null;
    b.textContent = 'Play';
    b.setAttribute('aria-pressed', 'false');
    b.setAttribute('aria-label', 'Play');
    return;
  }
  b.textContent = 'Pause';
  b.setAttribute('aria-pressed', 'true');
  b.setAttribute('aria-label', 'Pause');
  playTimer = setInterval(() => {
    if (busy > 0) return; // wait for the last frame
    const step = Number($('step').value);
    if (toDay(state.date) + step > toDay(extent.last)) {
      togglePlay();
      return;
    }
    setDate(addDays(state.date, step), { now: true });
  }, 900);
}

function wirePanel() {
  const slider = $('slider');
  slider.min = String(toDay(extent.first));
  slider.max = String(toDay(extent.last));
  $('first').textContent = extent.first;
  $('last').textContent = extent.last;
  $('date').min = extent.first;
  $('date').max = extent.last;
  $('date2').min = extent.first;
  $('date2').max = extent.last;
  $('region').textContent = extent.region;
  slider.addEventListener('input', () => setDate(fromDay(Number(slider.value))));
  $('date').addEventListener('change', () => isDate($('date').value) && setDate($('date').value, { now: true }));
  $('prev').addEventListener('click', () => setDate(addDays(state.date, -Number($('step').value)), { now: true }));
  $('next').addEventListener('click', () => setDate(addDays(state.date, Number($('step').value)), { now: true }));
  $('play').addEventListener('click', togglePlay);
  $('compare').addEventListener('change', () => setCompare($('compare').checked).catch((e) => report('Compare', e)));
  $('date2').addEventListener('change', () => {
    if (!isDate($('date2').value)) return;
    state.compare = $('date2').value;
    refresh();
  });
  $('compare-row').hidden = !state.compare;
  $('mode').value = state.mode;
  $('mode').addEventListener('change', () => {
    state.mode = $('mode').value;
    setCompare(true).catch((e) => report('Compare', e));
  });
  $('swipe').addEventListener('input', applySwipe);
  fillSelect($('ev-type'), EVENT_TYPES.map((t) => [t, t.replace(/_/g, ' ')]));
  fillSelect($('ev-actor'), [...actors].map(([id, a]) => [id, a.name]));
  $('ev-type').value = state.evType;
  $('ev-actor').value = state.evActor;
  $('ev-window').value = String(state.evWindow);
  for (const [id, key, num] of [['ev-type', 'evType'], ['ev-actor', 'evActor'], ['ev-window', 'evWindow', true]]) {
    $(id).addEventListener('change', () => {
      state[key] = num ? Number($(id).value) : $(id).value;
      writeUrl();
      loadEvents(state.date).catch((e) => report('Events', e));
    });
  }
  buildLayerList();
  const f = $('obs-form');
  fillSelect(f.elements.actor, [...actors].map(([id, a]) => [id, a.name]), false);
  fillSelect(f.elements.actor2, [...actors].map(([id, a]) => [id, a.name]));
  const grades = [];
  for (const r of 'ABCDEF') for (const c of '123456') grades.push([`${r}${c}`, `${r}${c}`]);
  fillSelect(f.elements.grading, grades);
  f.addEventListener('submit', submitForm);
  $('obs-cancel').addEventListener('click', closeForm);
  $('files-input').addEventListener('change', () => {
    const input = $('files-input');
    const files = [...input.files];
    input.value = '';
    if (filesKey && files.length) uploadFiles(filesKey, files).catch((e) => report('Evidence files', e));
  });
  $('files-close').addEventListener('click', () => { $('files').hidden = true; filesKey = null; });
  // Evidence links anywhere (panel or popup): fetched with the token when there is one.
  document.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[data-evidence]');
    if (!a || !token()) return;
    e.preventDefault();
    openEvidence(a).catch((err) => report(`Could not open ${a.dataset.name}`, err));
  });
  $('retire-form').addEventListener('submit', submitRetire);
  $('retire-cancel').addEventListener('click', () => { $('retire-form').hidden = true; retiring = null; });
  $('add-point').addEventListener('click', () => setDrawing(drawing === 'point' ? null : 'point'));
  $('add-polygon').addEventListener('click', () => setDrawing(drawing === 'polygon' ? null : 'polygon'));
  $('cancel-draw').addEventListener('click', () => { setDrawing(null); showMessage(''); });
  document.addEventListener('keydown', (e) => {
    if (!drawing) return;
    if (e.key === 'Escape') { setDrawing(null); showMessage(''); }
    if (e.key === 'Enter') { e.preventDefault(); finishPolygon(); }
  });
}

// ------------------------------------------------------------------ start

let regionGeojson = EMPTY;

async function loadRegion() {
  const parts = await Promise.all(extent.region.split(',').map((code) => getJson(`/api/areas/${encodeURIComponent(code)}`).catch(() => null)));
  regionGeojson = { type: 'FeatureCollection', features: parts.filter(Boolean) };
}

async function start() {
  try {
    session = await getJson('/api/session');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    // A token kept from an earlier visit that has since been revoked.
    setToken('');
    session = await getJson('/api/session');
  }
  showLoggedIn();
  if (!session.public && !session.role) {
    showMessage('This server needs a token to read its maps: log in below (Analyst).', 'info');
    $('token').focus({ preventScroll: true });
    return;
  }
  extent = await getJson('/api/extent');
  if (!extent.first) {
    showMessage('The database holds no observations yet: import some (frontline import …) or add one in analyst mode.', 'info');
    extent.first = extent.today;
    extent.last = extent.today;
  }
  const a = await getJson('/api/actors');
  for (const x of a.actors) actors.set(x.id, { name: x.name, colour: x.colour });
  if (!state.date || toDay(state.date) > toDay(extent.last) || toDay(state.date) < toDay(extent.first)) state.date = extent.last;
  wirePanel();
  await loadRegion();
  map = await createMap('map', state.view || defaultView());
  addControlLayers(map);
  addOverlayLayers(map);
  map.getSource('region').setData(regionGeojson);
  map.on('click', onMapClick);
  map.on('dblclick', (e) => {
    if (drawing === 'polygon') {
      e.preventDefault();
      finishPolygon();
    }
  });
  map.on('moveend', writeUrl);
  // Keyboard: focus the map, pan with the arrow keys; Enter explains the centre; in a drawing
  // mode Space puts the point or the next corner at the centre (Enter closes a polygon).
  map.getCanvas().addEventListener('keydown', (e) => {
    const centre = { lngLat: map.getCenter() };
    if (e.key === ' ' && drawing) {
      e.preventDefault();
      drawClick(centre);
    } else if (e.key === 'Enter' && !drawing) {
      e.preventDefault();
      explainAt(map, centre.lngLat, state.date);
    }
  });
  for (const l of ['event-clusters', 'event-points', 'hotspots', 'sieges']) {
    map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', l, () => { map.getCanvas().style.cursor = drawing ? 'crosshair' : ''; });
  }
  await addCities(map);
  applyVisibility(map);
  window.frontline = { map: () => map, map2: () => map2, state };
  if (state.compare) {
    const c = state.compare;
    $('date2').value = c;
    await setCompare(true);
  } else {
    await refresh();
  }
  loadChart().catch((e) => report('Could not draw the chart', e));
}

function wireChrome() {
  const toggle = $('panel-toggle');
  toggle.addEventListener('click', () => {
    const collapsed = $('panel').classList.toggle('collapsed');
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.textContent = collapsed ? 'Show panel' : 'Hide panel';
    if (map) map.resize();
    if (map2) map2.resize();
  });
  $('login').addEventListener('submit', login);
  $('logout').addEventListener('click', () => {
    setToken('');
    session = { ...session, who: null, role: null };
    setDrawing(null);
    closeForm();
    showLoggedIn();
    showMessage('Logged out.', 'info');
  });
  window.addEventListener('resize', () => {
    if (map) map.resize();
    if (map2) map2.resize();
  });
}

readUrl();
wireChrome();
showLoggedIn();
start().catch((e) => report('Could not start the map', e));
