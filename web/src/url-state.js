// The view's state (date, compare date and mode, layers, events filter, zoom and centre) and its
// place in the URL's fragment, so that a copied link reopens the same view.

import { isDate } from './dates.js';
import { EVENT_TYPES } from './reference.js';

/** Toggleable layers, in panel order, with the one line that explains each. */
export const LAYERS = [
  ['control', 'Control', 'Who holds each part of the region on the date (the estimate from dated observations); lighter where confidence is low.'],
  ['uncertainty', 'Uncertainty', 'Hatched: contested or besieged ground; dotted: low confidence (stale or far from observations); grey hatch: unassessed, nothing reaches it.'],
  ['events', 'Events', 'Battles, strikes and other events in the window ending on the date, clustered (filter below).'],
  ['hotspots', 'Hotspots', 'Zones whose events in the 14 days to the date exceed their own baseline (Poisson test); circle size = events.'],
  ['sieges', 'Sieges', 'Encircled enclaves: connected areas of one actor mostly surrounded by hostile ground; circle size = km².'],
  ['diff', 'Gained / lost', 'Compare mode: ground that changed hands from the compare date to the map date, filled in the colour of who gained it (green edge); red dashed edge: where an actor lost ground.'],
  ['cities', 'City names', 'Populated places of the bundled Natural Earth data.'],
];

export const state = {
  date: null,
  compare: null, // a date when comparing
  mode: 'side',
  layers: new Set(['control', 'cities']),
  evType: '',
  evActor: '',
  evWindow: 30,
  view: null, // {z, c: [lon, lat]}
};

export function readUrl() {
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

/** Writes the state into the fragment, with the zoom and centre of the main map `map` once it
 * exists (passed in rather than imported: the maps module depends on this one). */
export function writeUrl(map) {
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
