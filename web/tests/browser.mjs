// The web map in headless Chromium (Debian's, driven by playwright-core), against a running
// `frontline serve` whose database holds the bundled Syria/Iraq data:
//
//   node web/tests/browser.mjs <server URL> <analyst token> <artefact dir>
//
// It logs in, waits for the control layer to be drawn, moves the slider with the keyboard and
// checks that the legend's km² change, clicks Raqqa and checks the popup names the holder the API
// gives and lists the observations behind it and that the popup is on top of the city names
// (elementFromPoint over its box), adds an observation by clicking the map with a PNG attached
// through the form's file input and sees the file listed and fetchable and the map and the legend
// change, retires it, checks that API refusals (a future date, a text file as evidence) are shown
// in words, opens compare mode (with a compare-map popup across the swipe handle) and the events
// layer, reopens the shared URL in a phone-sized window, and saves
// screenshots. It fails on any console error, uncaught exception or request that leaves the
// server. Run by crates/frontline/tests/web_browser.rs (`cargo test --workspace`).

import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, token, artefacts] = process.argv.slice(2);
if (!base || !token || !artefacts) {
  console.error('usage: node web/tests/browser.mjs <server URL> <analyst token> <artefact dir>');
  process.exit(2);
}
mkdirSync(artefacts, { recursive: true });
const origin = new URL(base).origin;

const problems = [];
let step = 'start';
function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
  console.log(`ok - ${step}: ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // WebGL without a GPU: MapLibre draws through SwiftShader.
    '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  ],
});

/** A page that records console errors, page errors and every request leaving the server. */
async function openPage(viewport) {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (new URL(u).origin !== origin) problems.push(`request leaving the server: ${u}`);
  });
  page.setDefaultTimeout(90_000);
  return page;
}

/** Waits until the given map has drawn its control layer for `date`, and checks features show. */
async function renderedOn(page, date, which = 'map') {
  await page.waitForSelector(`#${which}[data-rendered-date="${date}"]`);
  const n = await page.evaluate((w) => {
    const m = w === 'map' ? window.frontline.map() : window.frontline.map2();
    return m.queryRenderedFeatures({ layers: ['control-fill'] }).length;
  }, which);
  check(n > 0, `${which} draws ${n} control polygons for ${date}`);
}

/** Waits until both maps have drawn everything they have. */
async function idle(page) {
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  await page.evaluate(() => Promise.all([window.frontline.map(), window.frontline.map2()].filter(Boolean).map((m) =>
    new Promise((resolve) => {
      if (m.loaded() && !m.isMoving()) resolve();
      else m.once('idle', resolve);
    }))));
}

async function legend(page) {
  return page.$$eval('#legend tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.actor, Number(r.dataset.km2)])));
}

async function legendFor(page, date) {
  await page.waitForSelector(`#legend[data-date="${date}"]`);
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  return legend(page);
}

/** Pixel position of a lon/lat on the main map, in page coordinates. */
async function pixel(page, lon, lat) {
  return page.evaluate(([lo, la]) => {
    const m = window.frontline.map();
    const p = m.project([lo, la]);
    const r = m.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lon, lat]);
}

/** What is on top inside the open popup's box: asks elementFromPoint at points on a 10 px grid
 * (city names made hit-testable for the question, as they are pointer-events: none), and lists
 * the city names lying under the box. Every point should hit the popup. */
async function popupCover(page) {
  return page.evaluate(() => {
    const pop = document.querySelector('.maplibregl-popup');
    const r = pop.querySelector('.maplibregl-popup-content').getBoundingClientRect();
    const under = [...document.querySelectorAll('.city')].filter((c) => {
      if (c.hidden || c.closest('.map').hidden) return false;
      const b = c.getBoundingClientRect();
      return b.right > r.left && b.left < r.right && b.bottom > r.top && b.top < r.bottom;
    }).map((c) => c.textContent);
    const style = document.createElement('style');
    style.textContent = '.city { pointer-events: auto !important; }';
    document.head.append(style);
    const bad = [];
    let total = 0;
    for (let x = r.left + 2; x < Math.min(r.right, innerWidth) - 2; x += 10) {
      for (let y = r.top + 2; y < Math.min(r.bottom, innerHeight) - 2; y += 10) {
        total += 1;
        const e = document.elementFromPoint(x, y);
        if (!pop.contains(e)) bad.push(`(${Math.round(x)}, ${Math.round(y)}): ${e ? `${e.tagName.toLowerCase()}.${e.className}` : 'nothing'} ${e?.textContent.slice(0, 20) || ''}`);
      }
    }
    style.remove();
    return { under, bad, total, map: pop.closest('.map').id, left: r.left, right: r.right };
  });
}

/** A 1 × 1 PNG, the smallest image evidence. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PNG_SHA = createHash('sha256').update(PNG).digest('hex');

/** Drops one expected failed-request console error (the browser logs each refused fetch). */
function expectConsoleError(status) {
  const i = problems.findIndex((x) => x.includes(`${status}`));
  if (i >= 0) problems.splice(i, 1);
}

async function apiJson(path) {
  const res = await fetch(new URL(path, base), { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

let failed = false;
try {
  // ---------------------------------------------------------------- laptop
  const page = await openPage({ width: 1280, height: 800 });
  step = 'login';
  await page.goto(base);
  await page.waitForSelector('#login:not([hidden])');
  check((await page.textContent('#message')).includes('needs a token'), 'the server asks for a token before reading');
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#tools:not([hidden])');
  check(await page.isHidden('#login'), 'the login form gives way to the analyst tools');
  check((await page.textContent('#who')).includes('(analyst)'), 'logged in with the analyst role');

  step = 'load';
  const extent = await apiJson('/api/extent');
  await renderedOn(page, extent.last);
  const last = await legendFor(page, extent.last);
  check(Object.keys(last).length >= 5, `the legend lists ${Object.keys(last).length} rows for ${extent.last}`);
  await idle(page);
  await page.screenshot({ path: join(artefacts, 'laptop.png') });

  step = 'slider';
  await page.focus('#slider');
  await page.keyboard.press('Home');
  await renderedOn(page, extent.first);
  const first = await legendFor(page, extent.first);
  const changed = Object.keys({ ...first, ...last }).filter((a) => a !== 'unassessed' && Math.abs((first[a] || 0) - (last[a] || 0)) > 1);
  check(changed.length > 0, `km² differ between ${extent.first} and ${extent.last} for ${changed.join(', ')}`);
  const area = await apiJson(`/api/area?date=${extent.first}`);
  const is = area.rows.find((r) => r.actor === 'islamic-state');
  check(is && Math.abs(first['islamic-state'] - is.area_km2) < 0.01, `the legend shows the API's km² (IS ${first['islamic-state']})`);
  await page.keyboard.press('ArrowRight');
  const next = new Date(Date.parse(extent.first) + 86400000).toISOString().slice(0, 10);
  await page.waitForSelector(`#legend[data-date="${next}"]`);
  check((await page.inputValue('#date')) === next, `the right arrow steps one day, to ${next}`);
  check(page.url().includes(`date=${next}`), 'the URL keeps the date');

  step = 'play';
  const before_play = await page.inputValue('#date');
  await page.click('#play');
  check((await page.getAttribute('#play', 'aria-pressed')) === 'true', 'Play starts');
  await page.waitForFunction((d) => document.querySelector('#date').value !== d, before_play);
  await page.click('#play');
  check((await page.getAttribute('#play', 'aria-pressed')) === 'false', `Pause stops, at ${await page.inputValue('#date')}`);

  step = 'popup';
  const date = '2017-11-01';
  await page.fill('#date', date);
  await page.dispatchEvent('#date', 'change');
  await renderedOn(page, date);
  const raqqa = { lon: 39.0119, lat: 35.9528 };
  const whois = await apiJson(`/api/whois?date=${date}&lat=${raqqa.lat}&lon=${raqqa.lon}`);
  check(whois.actor === 'sdf', `the API says the SDF holds Raqqa on ${date} (it took the city on 17 Oct 2017)`);
  const at = await pixel(page, raqqa.lon, raqqa.lat);
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.maplibregl-popup .explain');
  const title = await page.textContent('.maplibregl-popup .explain h3');
  check(title.includes('Syrian Democratic Forces'), `the popup names the holder: "${title.trim()}"`);
  const obsCount = await page.$$eval('.maplibregl-popup ol.observations li[data-key]', (l) => l.length);
  check(obsCount > 0, `the popup lists ${obsCount} observations`);
  const popupText = await page.textContent('.maplibregl-popup .explain');
  check(/Source: /.test(popupText) && /(grading [A-F][1-6]|ungraded)/.test(popupText) && /Evidence:/.test(popupText), 'each observation shows its source, grading and evidence');
  await page.waitForFunction(() => !document.querySelector('.maplibregl-popup .since span')?.textContent.includes('finding'));
  check(/Since: (about|at least) \d{4}-\d{2}-\d{2}/.test(await page.textContent('.maplibregl-popup .since')), `the popup says since when: ${(await page.textContent('.maplibregl-popup .since')).trim()}`);
  const cover = await popupCover(page);
  check(cover.under.length > 0, `city names lie under the popup: ${cover.under.join(', ')}`);
  check(cover.bad.length === 0, `the popup is on top at all ${cover.total} points of its box${cover.bad.length ? `; not at ${cover.bad.length}: ${cover.bad.slice(0, 5).join('; ')}` : ''}`);
  await page.screenshot({ path: join(artefacts, 'popup.png') });
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.querySelector('.maplibregl-popup-close-button')?.click());

  step = 'add';
  // Desert east of Palmyra, far from every observation: nobody holds Turkish ground there.
  const post = { lon: 39.2, lat: 34.4 };
  const before = await legend(page);
  await page.click('#add-point');
  const p = await pixel(page, post.lon, post.lat);
  await page.mouse.click(p.x, p.y);
  await page.waitForSelector('#obs-form:not([hidden])');
  await page.fill('#obs-form [name=label]', 'Browser test post');
  await page.selectOption('#obs-form [name=actor]', 'turkey');
  await page.selectOption('#obs-form [name=status]', 'held');
  check((await page.inputValue('#obs-form [name=observed]')) === date, 'the form proposes the map date');
  await page.fill('#obs-form [name=source]', 'browser test');
  await page.fill('#obs-form [name=source_url]', 'https://example.org/report');
  await page.fill('#obs-form [name=evidence]', 'seen on a test');
  await page.selectOption('#obs-form [name=grading]', 'B2');
  // A refusal first: a future date is a 422, shown in words.
  await page.fill('#obs-form [name=observed]', '2999-01-01');
  await page.click('#obs-submit');
  await page.waitForSelector('#obs-error:not([hidden])');
  const refusal = await page.textContent('#obs-error');
  check(refusal.includes('(422)') && refusal.includes('future'), `an API refusal is shown in words: "${refusal}"`);
  // The browser logs every failed fetch as a console error; this one was expected.
  expectConsoleError(422);
  await page.fill('#obs-form [name=observed]', date);
  // A file chosen in the form goes up once the observation is saved (its key is known then).
  await page.setInputFiles('#obs-form [name=files]', { name: 'chip.png', mimeType: 'image/png', buffer: PNG });
  await page.click('#obs-submit');
  await page.waitForSelector('#edits li[data-kind=observation]');
  const edit = await page.textContent('#edits li[data-kind=observation]');
  check(edit.startsWith('Added api:'), `the new observation is listed: "${edit}"`);
  const key = await page.getAttribute('#edits li[data-kind=observation]', 'data-key');

  step = 'evidence';
  await page.waitForSelector('#files:not([hidden]) #files-list li[data-sha]');
  check((await page.textContent('#files-key')) === key, `the evidence panel opens for ${key}`);
  check((await page.textContent('#files-progress li[data-name="chip.png"]')).includes(`attached (image/png, ${PNG.length} B)`), `the upload says it is done: "${await page.textContent('#files-progress li[data-name="chip.png"]')}"`);
  check((await page.getAttribute('#files-list li[data-sha]', 'data-sha')) === PNG_SHA && (await page.getAttribute('#files-list li[data-sha]', 'data-name')) === 'chip.png', `chip.png is listed under its SHA-256 ${PNG_SHA.slice(0, 12)}…`);
  await page.waitForFunction(() => document.querySelector('#files-list li[data-sha] img.thumb')?.naturalWidth === 1);
  check(true, 'its thumbnail, fetched with the token, shows the 1 × 1 image');
  const listed = (await apiJson(`/api/observations/${encodeURIComponent(key)}/evidence`)).evidence;
  check(listed.length === 1 && listed[0].name === 'chip.png' && listed[0].sha256 === PNG_SHA, 'the API lists the attached file');
  const href = await page.getAttribute('#files-list li[data-sha] a', 'href');
  const got = await page.evaluate(async (h) => {
    const r = await fetch(h, { headers: { Authorization: `Bearer ${sessionStorage.getItem('frontline-token')}` } });
    return { status: r.status, type: r.headers.get('content-type'), bytes: [...new Uint8Array(await r.arrayBuffer())] };
  }, href);
  check(got.status === 200 && got.type === 'image/png' && Buffer.from(got.bytes).equals(PNG), `the link ${href} gives back the same bytes as image/png`);
  const [tab] = await Promise.all([page.context().waitForEvent('page'), page.click('#files-list li[data-sha] a')]);
  await tab.waitForLoadState();
  check(tab.url().startsWith('blob:'), `clicking the link opens the image fetched with the token (${tab.url().slice(0, 40)}…)`);
  await tab.close();
  // The server refuses what is not an image or a report, and says why.
  await page.setInputFiles('#files-input', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image\n') });
  await page.waitForSelector('#files-progress li[data-name="notes.txt"][data-state=failed]');
  const unsupported = await page.textContent('#files-progress li[data-name="notes.txt"]');
  check(unsupported.includes('(415)') && unsupported.includes('only PNG, JPEG, PDF, TIFF and WebP'), `a refused file is shown with the server's words: "${unsupported}"`);
  expectConsoleError(415);
  check((await page.$$('#files-list li[data-sha]')).length === 1, 'and is not listed');
  step = 'add';
  check(await page.isHidden('#obs-form'), 'the form closes after saving');
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  const after = await legend(page);
  check((after.turkey || 0) > (before.turkey || 0) + 10, `Turkey's km² grew from ${before.turkey || 0} to ${after.turkey}`);
  const p2 = await pixel(page, post.lon, post.lat);
  await page.mouse.click(p2.x, p2.y);
  await page.waitForSelector(`.maplibregl-popup li[data-key="${key}"]`);
  const held = await page.textContent('.maplibregl-popup .explain h3');
  check(held.includes('Turkey'), `the map now says Turkey holds the new post: "${held.trim()}"`);
  check((await page.textContent(`.maplibregl-popup li[data-key="${key}"]`)).includes('browser test'), 'the popup lists the new observation with its source');
  check(await page.isVisible(`.maplibregl-popup li[data-key="${key}"] a[data-evidence="${PNG_SHA}"]`), 'and its attached file, linked');
  await idle(page);
  await page.screenshot({ path: join(artefacts, 'added.png') });

  step = 'correct';
  await page.click(`.maplibregl-popup li[data-key="${key}"] [data-correct]`);
  await page.waitForSelector('#obs-form:not([hidden])');
  check((await page.textContent('#obs-form-h')).includes('version 1'), 'Correct opens the form on version 1');
  check((await page.inputValue('#obs-form [name=source]')) === 'browser test', 'filled with the current version');
  await page.selectOption('#obs-form [name=grading]', 'A1');
  await page.click('#obs-submit');
  await page.waitForFunction(() => document.querySelector('#edits li')?.textContent.startsWith('Corrected'));
  check((await page.textContent('#edits li')).includes('(version 2)'), `the correction is version 2: "${await page.textContent('#edits li')}"`);
  await page.waitForFunction(() => document.body.dataset.busy === 'false');

  step = 'conflict';
  const p3 = await pixel(page, post.lon, post.lat);
  await page.mouse.click(p3.x, p3.y);
  await page.waitForSelector(`.maplibregl-popup li[data-key="${key}"] [data-correct]`);
  check((await page.textContent(`.maplibregl-popup li[data-key="${key}"]`)).includes('grading A1'), 'the popup shows the corrected grading');
  await page.click(`.maplibregl-popup li[data-key="${key}"] [data-correct]`);
  await page.waitForSelector('#obs-form:not([hidden])');
  // Someone else corrects it meanwhile (version 2 -> 3).
  const current = await apiJson(`/api/observations/${encodeURIComponent(key)}`);
  const cp = current.properties;
  const res = await fetch(new URL(`/api/observations/${encodeURIComponent(key)}`, base), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': '"2"' },
    body: JSON.stringify({ geometry: current.geometry, actor: cp.actor, status: cp.status, observed: cp.observed, source: cp.source, grading: 'B1', label: cp.label }),
  });
  check(res.status === 200, `another analyst's correction went in (${res.status})`);
  await page.fill('#obs-form [name=note]', 'stale edit');
  await page.click('#obs-submit');
  await page.waitForSelector('#obs-error:not([hidden])');
  const stale = await page.textContent('#obs-error');
  check(stale.includes('(412)') && stale.includes('Someone corrected'), `a stale correction is refused in words: "${stale}"`);
  const e412 = problems.findIndex((x) => x.includes('412'));
  if (e412 >= 0) problems.splice(e412, 1);
  await page.click('#obs-cancel');

  step = 'retire';
  const p4 = await pixel(page, post.lon, post.lat);
  await page.mouse.click(p4.x, p4.y);
  await page.waitForSelector(`.maplibregl-popup li[data-key="${key}"] [data-retire]`);
  await page.click(`.maplibregl-popup li[data-key="${key}"] [data-retire]`);
  await page.waitForSelector('#retire-form:not([hidden])');
  check((await page.textContent('#retire-key')).includes('version 3'), 'Retire reads the latest version (3)');
  await page.fill('#retire-form [name=reason]', 'made by the browser test');
  await page.click('#retire-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#edits li')?.textContent.startsWith('Retired'));
  check((await page.textContent('#edits li')).includes('(version 4)'), `the retirement is version 4: "${await page.textContent('#edits li')}"`);
  check(await page.isHidden('#retire-form'), 'the retire form closes');
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  const retired = await legend(page);
  check(Math.abs((retired.turkey || 0) - (before.turkey || 0)) < 1, `after retiring it, Turkey's km² is back to ${retired.turkey || 0}`);

  step = 'polygon';
  await page.click('#add-polygon');
  check((await page.getAttribute('#add-polygon', 'aria-pressed')) === 'true', 'polygon drawing is on');
  const corners = [[38.9, 33.9], [39.5, 33.9], [39.2, 34.35]];
  for (const [i, [lo, la]] of corners.entries()) {
    const c = await pixel(page, lo, la);
    if (i < corners.length - 1) await page.mouse.click(c.x, c.y);
    else await page.mouse.dblclick(c.x, c.y);
  }
  await page.waitForSelector('#obs-form:not([hidden])');
  check((await page.textContent('#obs-geom')) === 'Polygon with 3 corners', `the double-click closes the polygon: ${await page.textContent('#obs-geom')}`);
  await page.fill('#obs-form [name=label]', 'Browser test area');
  await page.selectOption('#obs-form [name=actor]', 'turkey');
  await page.fill('#obs-form [name=source]', 'browser test polygon');
  await page.click('#obs-submit');
  await page.waitForFunction(() => document.querySelector('#edits li')?.textContent.startsWith('Added'));
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  const withArea = await legend(page);
  check((withArea.turkey || 0) > (before.turkey || 0) + 500, `the drawn area adds Turkish ground: ${before.turkey || 0} -> ${withArea.turkey} km²`);
  await idle(page);
  await page.screenshot({ path: join(artefacts, 'polygon.png') });

  step = 'compare';
  await page.check('#compare');
  await page.check('#layer-diff');
  const cmp = await page.inputValue('#date2');
  await renderedOn(page, cmp, 'map2');
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  const diffs = await page.evaluate(() => window.frontline.map().querySourceFeatures('diff').length);
  check(diffs > 0, `the gained/lost layer has ${diffs} pieces between ${cmp} and ${date}`);
  check(page.url().includes(`compare=${cmp}`), 'the URL keeps the compare date');
  await idle(page);
  await page.screenshot({ path: join(artefacts, 'compare.png') });
  const mosul = await pixel(page, 43.13, 36.34);
  await page.mouse.click(mosul.x, mosul.y);
  await page.waitForFunction(() => /compare date\): [A-Z]/.test(document.querySelector('.maplibregl-popup .then')?.textContent || ''));
  const then = await page.textContent('.maplibregl-popup .then');
  const now = await page.textContent('.maplibregl-popup .explain h3');
  check(true, `clicking Mosul in compare mode: "${now.trim()}"; "${then.trim()}"`);
  await page.evaluate(() => document.querySelector('.maplibregl-popup-close-button')?.click());
  await page.selectOption('#mode', 'swipe');
  await page.waitForSelector('#swipe:not([hidden])');
  await idle(page);
  // A popup of the compare map straddling the swipe handle: nothing of the main map (its city
  // names) may show through where the compare map is cut off.
  const box = await page.evaluate(() => {
    const r = document.querySelector('#map2').getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height, pct: Number(document.querySelector('#swipe').value) };
  });
  const line = box.x + (box.w * box.pct) / 100;
  await page.mouse.click(line - 60, box.y + box.h * 0.45);
  await page.waitForSelector('.maplibregl-popup .explain h3');
  await page.waitForTimeout(300);
  const swiped = await popupCover(page);
  check(swiped.map === 'map2' && swiped.left < line && swiped.right > line, `the compare map's popup spans the swipe line (${Math.round(swiped.left)}–${Math.round(swiped.right)} px across ${Math.round(line)} px)`);
  check(swiped.under.length > 0, `city names lie under it: ${swiped.under.join(', ')}`);
  check(swiped.bad.length === 0, `it is on top at all ${swiped.total} points of its box${swiped.bad.length ? `; not at ${swiped.bad.length}: ${swiped.bad.slice(0, 5).join('; ')}` : ''}`);
  await page.screenshot({ path: join(artefacts, 'swipe.png') });
  await page.evaluate(() => document.querySelector('.maplibregl-popup-close-button')?.click());
  await page.uncheck('#compare');

  step = 'events';
  const evDate = '2015-06-01';
  await page.fill('#date', evDate);
  await page.dispatchEvent('#date', 'change');
  await page.check('#layer-events');
  await page.check('#layer-hotspots');
  await page.check('#layer-uncertainty');
  await page.check('#layer-sieges');
  await page.waitForFunction(() => /\d+ events from/.test(document.querySelector('#ev-count').textContent));
  const evText = await page.textContent('#ev-count');
  check(Number(evText.replace(/,/g, '').match(/(\d+) events/)[1]) > 0, `the events layer: ${evText}`);
  const sieges = (await apiJson(`/api/sieges?date=${evDate}&encircled=true`)).enclaves.length;
  const hotspots = (await apiJson(`/api/hotspots?date=${evDate}`)).zones.filter((z) => z.hotspot).length;
  const counts = async () => page.evaluate(async () => {
    const m = window.frontline.map();
    return [(await m.getSource('sieges').getData()).features.length, (await m.getSource('hotspots').getData()).features.length];
  });
  for (let i = 0; i < 300 && (await counts()).join() !== [sieges, hotspots].join(); i++) await page.waitForTimeout(200);
  check((await counts()).join() === [sieges, hotspots].join(), `the sieges and hotspots layers hold the API's ${sieges} encircled enclaves and ${hotspots} hotspots`);
  await page.selectOption('#ev-type', 'battle');
  await page.waitForFunction(() => /^0 events/.test(document.querySelector('#ev-count').textContent));
  check(true, 'filtering to battles leaves none in the air-strike data');
  await page.selectOption('#ev-type', 'air_strike');
  await page.waitForFunction(() => /^[1-9][\d,]* events/.test(document.querySelector('#ev-count').textContent));
  await renderedOn(page, evDate);
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  await page.waitForSelector('#chart svg');
  await idle(page);
  await page.screenshot({ path: join(artefacts, 'layers.png') });
  const shared = page.url();

  // ---------------------------------------------------------------- phone
  step = 'keyboard';
  await page.evaluate(() => document.querySelector('.maplibregl-popup-close-button')?.click());
  await page.focus('.maplibregl-canvas');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.maplibregl-popup .explain h3');
  check(true, `Enter on the focused map explains its centre: "${(await page.textContent('.maplibregl-popup .explain h3')).trim()}"`);
  await page.evaluate(() => document.querySelector('.maplibregl-popup-close-button')?.click());

  step = 'phone';
  const phone = await openPage({ width: 390, height: 844 });
  // The token lives in the tab's sessionStorage: a new tab logs in again.
  await phone.goto(shared);
  await phone.fill('#token', token);
  await phone.click('#login button[type=submit]');
  await renderedOn(phone, evDate);
  check((await phone.inputValue('#date')) === evDate, 'the shared link reopens the same date');
  check(await phone.isChecked('#layer-events'), 'and the same layers');
  await idle(phone);
  await phone.screenshot({ path: join(artefacts, 'phone.png') });
  await phone.click('#panel-toggle');
  await phone.waitForTimeout(300);
  await phone.screenshot({ path: join(artefacts, 'phone-map.png') });
  const focusable = await phone.$eval('#play', (b) => b.tabIndex >= 0 && b.getAttribute('aria-label') === 'Play');
  check(focusable, 'buttons are keyboard reachable with labels');

  step = 'clean';
  check(problems.length === 0, `no console errors and no request leaving the server${problems.length ? `:\n  ${problems.join('\n  ')}` : ''}`);
} catch (e) {
  failed = true;
  console.error(`FAILED ${e.message}`);
  if (problems.length) console.error(`also seen:\n  ${problems.join('\n  ')}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
