// Evidence files: uploading them to an observation with progress and the server's refusals in
// words, the evidence panel listing an observation's files, and links that fetch a file with the
// analyst's token.

import { getJson, qs, token, ApiError } from './api.js';
import { $, esc, showMessage, report, tracked, logEdit } from './ui.js';

/** The server's limit (MAX_EVIDENCE_BYTES in crates/frontline-store/src/evidence.rs), checked here
 * too so that a file far too large is not sent only to be refused: the server may cut such an
 * upload off before it can answer. Types are left to the server, which reads the magic bytes. */
const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
const INLINE_IMAGES = ['image/png', 'image/jpeg', 'image/webp'];
let filesKey = null; // the observation whose files the panel shows
const blobs = new Map(); // sha256 -> {url, type} (content-addressed: the bytes never change)

function humanSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A link to an evidence file. Reads may need the token, which a plain link cannot send, so a
 * click on it fetches the file with the token (see openEvidence); without one the link works
 * as it is. */
export function evidenceLink(a) {
  return `<a href="/api/evidence/${esc(a.sha256)}" data-evidence="${esc(a.sha256)}" data-name="${esc(a.name)}" target="_blank" rel="noopener">${esc(a.name)}</a>`;
}

/** The file's bytes from GET /api/evidence/{sha256}, with the token: an object URL for them and
 * the type the server found in them. */
async function evidenceBlob(sha) {
  if (blobs.has(sha)) return blobs.get(sha);
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const res = await fetch(`/api/evidence/${encodeURIComponent(sha)}`, { headers });
  if (!res.ok) {
    const text = await res.text();
    let message = text.slice(0, 200);
    try {
      message = JSON.parse(text).error.message;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(res.status, message);
  }
  const blob = await res.blob();
  const found = { url: URL.createObjectURL(blob), type: blob.type };
  blobs.set(sha, found);
  return found;
}

/** Opens an evidence file fetched with the token: images in a new tab, PDF and TIFF (which the
 * server sends as downloads) saved under their name. */
async function openEvidence(a) {
  const { url, type } = await evidenceBlob(a.dataset.evidence);
  const link = document.createElement('a');
  link.href = url;
  if (INLINE_IMAGES.includes(type)) {
    link.target = '_blank';
    link.rel = 'noopener';
  } else {
    link.download = a.dataset.name || a.dataset.evidence;
  }
  link.click();
}

function fileItem(a) {
  const li = document.createElement('li');
  li.dataset.sha = a.sha256;
  li.dataset.name = a.name;
  li.innerHTML = `${evidenceLink(a)} <span class="meta">${esc(a.media_type)}, ${humanSize(a.size)}, added ${esc(String(a.added_at).slice(0, 10))} by ${esc(a.added_by)}</span>`;
  if (INLINE_IMAGES.includes(a.media_type)) {
    const img = document.createElement('img');
    img.className = 'thumb';
    img.alt = a.name;
    li.prepend(img);
    evidenceBlob(a.sha256)
      .then(({ url }) => { img.src = url; })
      .catch((e) => { img.replaceWith(document.createTextNode(`(${e.message}) `)); });
  }
  return li;
}

/** Shows the panel with a list of attached files already read. */
export function showFiles(key, files) {
  if (filesKey !== key) $('files-progress').replaceChildren();
  filesKey = key;
  $('files-key').textContent = key;
  $('files-error').hidden = true;
  const list = $('files-list');
  if (files.length) list.replaceChildren(...files.map(fileItem));
  else {
    const li = document.createElement('li');
    li.className = 'note';
    li.textContent = 'No files attached yet.';
    list.replaceChildren(li);
  }
  list.dataset.count = String(files.length);
  $('files').hidden = false;
}

/** The evidence panel for an observation: its files (GET …/evidence), then uploads `files`. */
export async function openFiles(key, files = []) {
  let list = [];
  try {
    list = (await tracked(getJson(`/api/observations/${encodeURIComponent(key)}/evidence`))).evidence;
  } catch (e) {
    showFiles(key, []);
    $('files-error').textContent = `Could not list the files: ${e.message}`;
    $('files-error').hidden = false;
    return;
  }
  showFiles(key, list);
  if (files.length) await uploadFiles(key, files);
}

/** POST /api/observations/{key}/evidence?name=… with the file as the raw body. XMLHttpRequest
 * because fetch cannot report upload progress. Resolves with the server's answer (the stored
 * attachment), rejects with an ApiError saying in words why the server refused it. */
function uploadEvidence(key, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/observations/${encodeURIComponent(key)}/evidence?${qs({ name: file.name })}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (token()) xhr.setRequestHeader('Authorization', `Bearer ${token()}`);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let json = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json);
      else reject(new ApiError(xhr.status, json?.error?.message || xhr.responseText.slice(0, 200)));
    };
    xhr.onerror = () => reject(new ApiError(0, 'the server cannot be reached, or it cut the upload off'));
    xhr.send(file);
  });
}

/** Uploads files one after the other, each with a line saying how far it got or why it failed. */
async function uploadFiles(key, files) {
  const progress = $('files-progress');
  const rows = files.map((file) => {
    const li = document.createElement('li');
    li.dataset.name = file.name;
    li.dataset.state = 'waiting';
    li.textContent = `${file.name}: waiting`;
    progress.append(li);
    return li;
  });
  let failed = 0;
  for (const [i, file] of files.entries()) {
    const li = rows[i];
    const fail = (text) => {
      failed += 1;
      li.dataset.state = 'failed';
      li.className = 'form-error';
      li.textContent = `${file.name}: ${text}`;
    };
    if (file.size > MAX_EVIDENCE_BYTES) {
      fail(`not sent: it is ${humanSize(file.size)} and the server takes at most ${humanSize(MAX_EVIDENCE_BYTES)}`);
      continue;
    }
    li.dataset.state = 'uploading';
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    const label = document.createElement('span');
    label.textContent = `${file.name}: uploading `;
    li.replaceChildren(label, bar);
    try {
      const res = await tracked(uploadEvidence(key, file, (f) => { bar.value = f; }));
      const a = res.attachment;
      li.dataset.state = 'done';
      li.textContent = `${file.name}: attached (${a.media_type}, ${humanSize(a.size)})`;
      logEdit(`Attached ${file.name} to ${key}`, key, 'attach');
    } catch (e) {
      fail(e.message);
    }
  }
  if (filesKey === key) {
    const list = await tracked(getJson(`/api/observations/${encodeURIComponent(key)}/evidence`)).catch(() => null);
    if (list && filesKey === key) showFiles(key, list.evidence);
  }
  if (failed) showMessage(`${failed} of ${files.length} file(s) could not be attached to ${key}; the evidence panel says why.`);
  else showMessage(`Attached ${files.length} file(s) to ${key}.`, 'info');
}

/** The evidence panel's own file input and close button, and evidence links anywhere. */
export function wireUploads() {
  $('files-input').addEventListener('change', () => {
    const input = $('files-input');
    const files = [...input.files];
    input.value = '';
    if (filesKey && files.length) uploadFiles(filesKey, files).catch((e) => report('Evidence files', e));
  });
  $('files-close').addEventListener('click', () => { $('files').hidden = true; filesKey = null; });
  // Evidence links anywhere (panel or popup): fetched with the token when there is one.
  document.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[data-evidence]');
    if (!a || !token()) return;
    e.preventDefault();
    openEvidence(a).catch((err) => report(`Could not open ${a.dataset.name}`, err));
  });
}
