// The chart panel: km² per actor over time, drawn as SVG from /api/area at regular steps, with
// the map's date marked. Clicking the chart picks a date.

import { toDay, fromDay } from './dates.js';

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Draws the chart into `container`.
 * series: [{date, rows: [{actor, area_km2}]}]; actors: Map id -> {name, colour}.
 * Returns a function marking a date.
 */
export function drawChart(container, series, actors, onPick) {
  container.replaceChildren();
  const W = 360;
  const H = 200;
  const m = { l: 44, r: 8, t: 8, b: 22 };
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true' });
  const ids = [...new Set(series.flatMap((s) => s.rows.map((r) => r.actor)))].filter((a) => a !== 'unassessed');
  const value = (s, id) => s.rows.find((r) => r.actor === id)?.area_km2 ?? 0;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => ids.map((id) => value(s, id)))));
  const d0 = toDay(series[0].date);
  const d1 = Math.max(d0 + 1, toDay(series[series.length - 1].date));
  const x = (d) => m.l + ((toDay(d) - d0) / (d1 - d0)) * (W - m.l - m.r);
  const y = (v) => H - m.b - (v / max) * (H - m.t - m.b);
  for (const f of [0, 0.5, 1]) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: y(max * f), y2: y(max * f), stroke: '#e3e6e9' }));
    svg.append(el('text', { x: m.l - 4, y: y(max * f) + 3, 'text-anchor': 'end', class: 'axis' }, (max * f).toLocaleString('en')));
  }
  const years = [];
  for (let yr = Number(series[0].date.slice(0, 4)) + 1; yr <= Number(series[series.length - 1].date.slice(0, 4)); yr++) years.push(`${yr}-01-01`);
  for (const yd of years) {
    svg.append(el('line', { x1: x(yd), x2: x(yd), y1: m.t, y2: H - m.b, stroke: '#eef0f2' }));
    svg.append(el('text', { x: x(yd), y: H - 6, 'text-anchor': 'middle', class: 'axis' }, yd.slice(0, 4)));
  }
  for (const id of ids) {
    const pts = series.map((s) => `${x(s.date).toFixed(1)},${y(value(s, id)).toFixed(1)}`).join(' ');
    const colour = actors.get(id)?.colour || '#888';
    const line = el('polyline', { points: pts, fill: 'none', stroke: colour, 'stroke-width': 1.8, 'data-actor': id });
    line.append(el('title', {}, actors.get(id)?.name || id));
    svg.append(line);
  }
  const marker = el('line', { y1: m.t, y2: H - m.b, stroke: '#d7301f', 'stroke-width': 1.5, 'stroke-dasharray': '3 2', id: 'chart-marker' });
  svg.append(marker);
  svg.addEventListener('click', (ev) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * W;
    const t = Math.round(d0 + ((px - m.l) / (W - m.l - m.r)) * (d1 - d0));
    onPick(fromDay(Math.min(d1, Math.max(d0, t))));
  });
  container.append(svg);
  return (date) => {
    const d = Math.min(d1, Math.max(d0, toDay(date)));
    const px = x(fromDay(d));
    marker.setAttribute('x1', px);
    marker.setAttribute('x2', px);
    marker.setAttribute('data-date', date);
  };
}
