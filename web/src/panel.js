// The panel's map controls: the date field, slider, step buttons and Play, the compare controls,
// the events filter and the layer list.

import { toDay, fromDay, isDate, addDays } from './dates.js';
import { $, report, isBusy, fillSelect } from './ui.js';
import { extent, actors, EVENT_TYPES } from './reference.js';
import { LAYERS, state, writeUrl } from './url-state.js';
import { applyVisibility } from './style.js';
import { map, map2 } from './maps.js';
import { refresh, setDate, loadEvents } from './data.js';
import { setCompare, applySwipe } from './compare.js';

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
    if (isBusy()) return; // wait for the last frame
    const step = Number($('step').value);
    if (toDay(state.date) + step > toDay(extent.last)) {
      togglePlay();
      return;
    }
    setDate(addDays(state.date, step), { now: true });
  }, 900);
}

export function wirePanel() {
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
      writeUrl(map);
      loadEvents(state.date).catch((e) => report('Events', e));
    });
  }
  buildLayerList();
}
