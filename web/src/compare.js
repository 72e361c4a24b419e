// Comparing two dates: the compare map (made on first use, side by side or swiped over the main
// one) and the swipe handle that reveals it.

import { toDay, isDate, addDays } from './dates.js';
import { $ } from './ui.js';
import { extent } from './reference.js';
import { state } from './url-state.js';
import { addControlLayers, addCities, applyVisibility } from './style.js';
import { map, map2, setMap2, createMap, sync } from './maps.js';
import { refresh, regionGeojson } from './data.js';
import { explainAt } from './popups.js';

export async function setCompare(on) {
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
    setMap2(await createMap('map2', { z: map.getZoom(), c: map.getCenter().toArray() }));
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

export function applySwipe() {
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

