// Dates as whole UTC days (the API's dates are plain YYYY-MM-DD calendar days).

const DAY = 86400000;

export function toDay(s) {
  const [y, m, d] = s.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY);
}

export function fromDay(n) {
  return new Date(n * DAY).toISOString().slice(0, 10);
}

export function isDate(s) {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toDay(s));
}

export function addDays(s, n) {
  return fromDay(toDay(s) + n);
}

/** Evenly spaced days from first to last (both included), at most `max` of them. */
export function steps(first, last, max) {
  const a = toDay(first);
  const b = toDay(last);
  if (b <= a) return [first];
  const n = Math.min(max, b - a + 1);
  const out = [];
  for (let i = 0; i < n; i++) out.push(fromDay(Math.round(a + ((b - a) * i) / (n - 1))));
  return [...new Set(out)];
}
