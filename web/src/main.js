// Frontline's web map: control areas for any day over a base map the server draws from its own
// Natural Earth data, a time slider, two-date comparison with gained/lost areas, provenance on
// click, event, hotspot, siege and uncertainty layers, an area chart, and analyst editing.
// Every request goes to the server that served this page (see api.js). Each concern has its own
// module (docs/webmap.md lists them); this one only wires them together and starts the map.

import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { getJson } from './api.js';
import { toDay } from './dates.js';
import { $, showMessage, report } from './ui.js';
import { extent, setExtent, actors } from './reference.js';
import { state, readUrl, writeUrl } from './url-state.js';
import { addControlLayers, addOverlayLayers, addCities, applyVisibility } from './style.js';
import { map, map2, setMap, createMap, defaultView } from './maps.js';
import { refresh, loadRegion, regionGeojson, loadChart } from './data.js';
import { setCompare } from './compare.js';
import { onMapClick, explainAt } from './popups.js';
import { drawing, drawClick, finishPolygon, wireEditing } from './editing.js';
import { wireUploads } from './uploads.js';
import { session, loadSession, showLoggedIn, wireLogin } from './login.js';
import { wirePanel } from './panel.js';

async function start() {
  await loadSession();
  showLoggedIn();
  if (!session.public && !session.role) {
    showMessage('This server needs a token to read its maps: log in below (Analyst).', 'info');
    $('token').focus({ preventScroll: true });
    return;
  }
  setExtent(await getJson('/api/extent'));
  if (!extent.first) {
    showMessage('The database holds no observations yet: import some (frontline import …) or add one in analyst mode.', 'info');
    extent.first = extent.today;
    extent.last = extent.today;
  }
  const a = await getJson('/api/actors');
  for (const x of a.actors) actors.set(x.id, { name: x.name, colour: x.colour });
  if (!state.date || toDay(state.date) > toDay(extent.last) || toDay(state.date) < toDay(extent.first)) state.date = extent.last;
  wirePanel();
  wireEditing();
  wireUploads();
  await loadRegion();
  setMap(await createMap('map', state.view || defaultView()));
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
  map.on('moveend', () => writeUrl(map));
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
  wireLogin(start);
  window.addEventListener('resize', () => {
    if (map) map.resize();
    if (map2) map2.resize();
  });
}

readUrl();
wireChrome();
showLoggedIn();
start().catch((e) => report('Could not start the map', e));
