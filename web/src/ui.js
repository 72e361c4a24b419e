// The page's shared chrome: element lookup, HTML escaping, the message bar, the busy indicator
// (how many requests are under way), filling a select, and the list of this session's edits.

export const $ = (id) => document.getElementById(id);

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

export function showMessage(text, kind = 'error') {
  const m = $('message');
  m.textContent = text;
  m.className = kind === 'info' ? 'info' : '';
  m.hidden = !text;
}

export function report(what, err) {
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

/** Whether any request counted by `tracked` is still under way. */
export function isBusy() {
  return busy > 0;
}

export async function tracked(promise) {
  setBusy(1);
  try {
    return await promise;
  } finally {
    setBusy(-1);
  }
}

export function fillSelect(sel, options, keepFirst = true) {
  const first = keepFirst ? sel.options[0] : null;
  sel.replaceChildren(...(first ? [first] : []));
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    sel.append(o);
  }
}

/** Lists a write under *Your edits this session*, newest first. */
export function logEdit(text, key, kind = 'observation') {
  const li = document.createElement('li');
  li.dataset.key = key;
  li.dataset.kind = kind;
  li.textContent = text;
  $('edits').prepend(li);
}
