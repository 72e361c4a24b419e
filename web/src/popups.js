// Popups on a click: the provenance of a point (who holds it, since when, the observations and
// contributions behind it, with the analyst's Correct, Retire and Files buttons), and the
// description of an event, hotspot or siege circle.

import { getJson, qs, token } from './api.js';
import { toDay, fromDay } from './dates.js';
import { esc, report, tracked } from './ui.js';
import { extent, actorName } from './reference.js';
import { state } from './url-state.js';
import { map, openPopup, closePopup, currentPopup } from './maps.js';
import { session } from './login.js';
import { drawing, drawClick, openCorrection, openRetire } from './editing.js';
import { evidenceLink, openFiles } from './uploads.js';

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

export async function explainAt(m, lngLat, date) {
  const q = qs({ date, lat: lngLat.lat.toFixed(5), lon: lngLat.lng.toFixed(5) });
  openPopup(m, lngLat, '<p>Loading…</p>', 420);
  const mine = currentPopup();
  let ex;
  try {
    ex = await tracked(getJson(`/api/explain?${q}`));
  } catch (e) {
    mine.setHTML(`<p class="form-error">${esc(e.message)}</p>`);
    return;
  }
  if (mine !== currentPopup()) return;
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
    closePopup();
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

/** Clicks on an overlay feature describe it; elsewhere, the provenance of the point. */
export function onMapClick(e) {
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

