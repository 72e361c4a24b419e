// Talking to `frontline serve`: every request goes to the page's own origin (no request ever
// leaves it), with the analyst's bearer token when one is set, and every API error becomes an
// ApiError whose message says in words what went wrong.

const TOKEN_KEY = 'frontline-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** What each status means for someone using the map. */
const MEANING = {
  400: 'The request was malformed',
  401: 'Not logged in, or the token is unknown or revoked',
  403: "Your token's role does not allow this",
  404: 'Not found',
  409: 'Conflict: this was changed or retired meanwhile',
  412: 'Someone corrected this observation since you opened it: reopen it and try again',
  413: 'Too large',
  415: 'Unsupported content type',
  422: 'The server refused the data',
  428: 'The edit named no version',
  500: 'The server failed (its log has the details)',
};

export class ApiError extends Error {
  constructor(status, message) {
    const meaning = MEANING[status] || `HTTP ${status}`;
    super(message ? `${meaning} (${status}): ${message}` : `${meaning} (${status})`);
    this.status = status;
    this.detail = message;
  }
}

/** Fetches a path of this server; returns the parsed JSON (and the response for headers). */
export async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, json?.error?.message || text.slice(0, 200));
  }
  return { json, res };
}

export async function getJson(path, opts) {
  return (await api(path, opts)).json;
}

/** A query string from an object, leaving out empty values. */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  return p.toString();
}
