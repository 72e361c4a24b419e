// Logging in and out with an analyst's token (kept in this tab's sessionStorage by api.js), and
// the session it opens (/api/session: whether reads are public, who the token is, its role).

import { getJson, token, setToken, ApiError } from './api.js';
import { $, showMessage } from './ui.js';
import { map } from './maps.js';
import { setDrawing, closeForm } from './editing.js';

export let session = { public: false, who: null, role: null };

export function showLoggedIn() {
  const t = token();
  $('login').hidden = !!t;
  $('tools').hidden = !t;
  const editor = session.role === 'analyst' || session.role === 'admin';
  $('who').textContent = t ? `Logged in as ${session.who || '…'} (${session.role || 'checking'})${t && session.role && !editor ? ': this role can read but not edit' : ''}.` : '';
  for (const id of ['add-point', 'add-polygon']) $(id).disabled = !!session.role && !editor;
}

/** Reads the session, forgetting a kept token the server no longer knows. */
export async function loadSession() {
  try {
    session = await getJson('/api/session');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    // A token kept from an earlier visit that has since been revoked.
    setToken('');
    session = await getJson('/api/session');
  }
}

async function login(ev, start) {
  ev.preventDefault();
  const t = $('token').value.trim();
  setToken(t);
  try {
    session = await getJson('/api/session');
    $('token').value = '';
    showLoggedIn();
    showMessage('Logged in. Add an observation with the buttons below, or correct and retire one from a map popup.', 'info');
    if (!map) {
      await start();
      // The first login (on a server without public reads) opens the map: show its date first.
      $('panel').scrollTop = 0;
    }
  } catch (e) {
    setToken('');
    session = { ...session, who: null, role: null };
    showLoggedIn();
    showMessage(`Login failed: ${e.message}`);
  }
}

/** The login form and the logout button; `start` opens the map on the first login. */
export function wireLogin(start) {
  $('login').addEventListener('submit', (ev) => login(ev, start));
  $('logout').addEventListener('click', () => {
    setToken('');
    session = { ...session, who: null, role: null };
    setDrawing(null);
    closeForm();
    showLoggedIn();
    showMessage('Logged out.', 'info');
  });
}
