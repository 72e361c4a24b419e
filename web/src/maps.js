// The two MapLibre maps (the main one, and the compare one made when first needed), how a map is
// made and first framed, keeping the two moving together, and the single popup open on either.

import maplibregl from 'maplibre-gl';
import { $ } from './ui.js';
import { extent } from './reference.js';
import { baseStyle } from './style.js';

export let map = null;
export let map2 = null;

export function setMap(m) {
  map = m;
}

export function setMap2(m) {
  map2 = m;
}

export function createMap(container, view) {
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

export function defaultView() {
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
export function sync(a, b) {
  a.on('move', () => {
    if (syncing || !b) return;
    syncing = true;
    b.jumpTo({ center: a.getCenter(), zoom: a.getZoom() });
    syncing = false;
  });
}

let popup = null;

/** The popup opened last (it may have been closed since). */
export function currentPopup() {
  return popup;
}

export function closePopup() {
  if (popup) popup.remove();
}

/** Opens the (single) popup on a map, at most `width` px wide and at most 60 % of the map's width,
 * so that MapLibre can place it inside the map whichever point was clicked (a popup cannot leave
 * its map: a compare map side by side is half as wide, a phone's map narrower still). */
export function openPopup(m, lngLat, html, width) {
  if (popup) popup.remove();
  const w = Math.max(200, Math.min(width, Math.floor(m.getContainer().clientWidth * 0.6)));
  popup = new maplibregl.Popup({ maxWidth: `${w}px`, focusAfterOpen: true }).setLngLat(lngLat).setHTML(html).addTo(m);
}
