// The map's style: the base map from the server's Natural Earth data, the layers of a control map
// and of the overlays (diff, events, hotspots, sieges, the analyst's draft), their fill patterns,
// the city names as HTML markers, and which layers show.

import maplibregl from 'maplibre-gl';
import { getJson } from './api.js';
import { actors, EVENT_TYPES, EVENT_COLOURS } from './reference.js';
import { state } from './url-state.js';

const abs = (path) => new URL(path, window.location.href).href;

export const EMPTY = { type: 'FeatureCollection', features: [] };

export function colourExpr(prop = 'actor') {
  const e = ['match', ['get', prop]];
  for (const [id, a] of actors) e.push(id, a.colour);
  e.push('#888888');
  return actors.size ? e : '#888888';
}

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

export function baseStyle() {
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

/** The layers of a control map (both maps have them). */
export function addControlLayers(m) {
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

export function addOverlayLayers(m) {
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

export function applyVisibility(m) {
  for (const [layer, ids] of Object.entries(LAYER_IDS)) {
    const on = state.layers.has(layer) && (layer !== 'diff' || state.compare);
    for (const id of ids) if (m.getLayer(id)) m.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }
  for (const mk of cityMarkers.get(m) || []) mk.getElement().hidden = !state.layers.has('cities') || !mk.frontlineVisible;
}

// City names are HTML markers rather than map symbols, so no glyph (font) server is needed.

const cityMarkers = new Map(); // map -> markers
let places = null;

export async function addCities(m) {
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
