// Analyst editing: drawing a point or a polygon on the map, the observation form (add, or correct
// with If-Match of the version read) and the retire form, and redrawing after every write.

import { api } from './api.js';
import { $, showMessage, report, tracked, fillSelect, logEdit } from './ui.js';
import { actors, actorName } from './reference.js';
import { state } from './url-state.js';
import { EMPTY } from './style.js';
import { map, closePopup } from './maps.js';
import { refresh, loadChart } from './data.js';
import { openFiles, showFiles } from './uploads.js';

export let drawing = null; // 'point' | 'polygon'
let vertices = [];
let editing = null; // {key, version} when correcting

export function setDrawing(mode) {
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

export function drawClick(e) {
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

export function finishPolygon() {
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

export function closeForm() {
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
  closePopup();
  await refresh();
  loadChart().catch((e) => report('Could not draw the chart', e));
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

export async function openCorrection(key) {
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
    closePopup();
    openForm(json.geometry, { ...p, actor2: p.actor2 || '', feature: p.feature || '', grading: p.grading || '', evidence });
    showFiles(key, json.evidence_files || []);
  } catch (e) {
    report(`Could not open ${key}`, e);
  }
}

let retiring = null;

export async function openRetire(key) {
  try {
    const { res } = await tracked(api(`/api/observations/${encodeURIComponent(key)}`));
    retiring = { key, version: (res.headers.get('ETag') || '').replace(/"/g, '') };
    $('obs-form').hidden = true;
    $('retire-key').textContent = `${key} (version ${retiring.version})`;
    $('retire-error').hidden = true;
    $('retire-form').hidden = false;
    $('retire-form').elements.reason.focus();
    closePopup();
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

/** The form's choices (actors, gradings) and the buttons, forms and keys of analyst mode. */
export function wireEditing() {
  const f = $('obs-form');
  fillSelect(f.elements.actor, [...actors].map(([id, a]) => [id, a.name]), false);
  fillSelect(f.elements.actor2, [...actors].map(([id, a]) => [id, a.name]));
  const grades = [];
  for (const r of 'ABCDEF') for (const c of '123456') grades.push([`${r}${c}`, `${r}${c}`]);
  fillSelect(f.elements.grading, grades);
  f.addEventListener('submit', submitForm);
  $('obs-cancel').addEventListener('click', closeForm);
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
