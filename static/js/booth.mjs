// booth.mjs — the voting booth of /polls/{id}: seals the ballot in this browser.
//
// At page load it fetches the poll's record from the API, checks it (PROTOCOL §3)
// and that its fingerprint is the one the page shows, fetches the server's key
// (so that no ballot is sent that the booth could not check a receipt for), and
// warms the arithmetic up
// so that sealing a ballot on the click takes some 10 ms. On "Seal and cast" it
// builds the ballot with its proofs (createBallot), shows the tracker, POSTs the
// ballot — never the choice — with the session's CSRF token, checks the server's
// receipt signature against /api/v1/server-key, and keeps the ballot's secret rho
// in localStorage under the poll's fingerprint, so that "Change my vote" can send
// a replacement (§5) later. The choice itself is not stored anywhere.
//
// A ballot's rho is stored (as "unconfirmed") before the ballot is sent. If no
// answer comes back, that ballot may be in the box, so its rho stays: a later
// replacement tries the confirmed rho, then each unconfirmed one, while the
// server answers that the replaced ballot is not the counted one. An answer whose
// receipt does not verify counts as no answer (as in `conclave vote`): the rho
// stays unconfirmed and the voter is told not to trust the server.
import {
  checkPoll, warmUp, createBallot, parseJSON, parsePublicKeyPem, verifyReceipt,
} from './conclave-crypto.mjs';
import { loadSaved, save } from './kept.mjs';

const booth = document.getElementById('booth');
const form = document.getElementById('booth-form');
const statusEl = document.getElementById('booth-status');
const castBtn = document.getElementById('booth-cast');
const cancelBtn = document.getElementById('booth-cancel');
const done = document.getElementById('booth-done');
const trackerEl = document.getElementById('booth-tracker');
const receiptEl = document.getElementById('booth-receipt');
const timingEl = document.getElementById('booth-timing');
const changeBtn = document.getElementById('booth-change');
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

// At most this many secrets of unanswered ballots are kept per poll (as `conclave vote` does).
const MAX_UNCONFIRMED = 64;

/** The rhos that may belong to the counted ballot, the confirmed one first. */
function candidates(saved) {
  if (!saved) return [];
  return [...(saved.rho ? [saved.rho] : []), ...saved.unconfirmed.map((u) => u.rho)];
}

function say(text, kind = '') {
  statusEl.textContent = text;
  statusEl.className = kind;
}

let poll = null;
let serverKey = null; // the 32 bytes of /api/v1/server-key, fetched before any ballot is sent
let voted = booth?.dataset.voted === '1';
let busy = false;

function showForm(replacing) {
  done.hidden = true;
  form.hidden = false;
  cancelBtn.hidden = !replacing;
  castBtn.textContent = replacing ? 'Seal and cast my new ballot' : 'Seal and cast my ballot';
  form.querySelector('input[name="choice"]')?.focus();
}

function showDone(saved) {
  form.hidden = true;
  done.hidden = false;
  const last = saved?.unconfirmed?.length ? saved.unconfirmed[saved.unconfirmed.length - 1] : null;
  trackerEl.textContent = saved?.tracker || last?.tracker || '(not kept in this browser)';
  changeBtn.hidden = !saved;
  if (!saved) {
    receiptEl.textContent =
      'You voted from another browser or the command line, so this browser cannot change that vote.';
  } else if (last) {
    receiptEl.textContent = 'A ballot sent from this browser got no answer and may be the one counted; ' +
      '"Change my vote" works either way.';
  }
}

async function fetchJson(url, opts = {}) {
  const r = await fetch(url, { credentials: 'same-origin', ...opts });
  let body = null;
  try {
    body = parseJSON(await r.text()); // strict (PROTOCOL §1): no duplicate keys, plain integers
  } catch {
    body = null;
  }
  return { status: r.status, body };
}

/** The server's receipt key, or throws: a receipt must be checkable before a ballot is sent. */
async function fetchServerKey() {
  try {
    const r = await fetch('/api/v1/server-key', { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return parsePublicKeyPem(await r.text());
  } catch (e) {
    throw new Error(`the server's key could not be fetched (${e.message || e}), so its receipt could not be checked; reload the page`);
  }
}

async function start() {
  const id = booth.dataset.poll;
  const [{ status, body }, key] = await Promise.all([
    fetchJson(`/api/v1/polls/${encodeURIComponent(id)}`), fetchServerKey()]);
  if (status !== 200 || !body?.record) throw new Error(`the poll could not be fetched (HTTP ${status})`);
  poll = checkPoll(body.record);
  if (poll.fingerprint !== booth.dataset.fingerprint || poll.fingerprint !== body.fingerprint) {
    throw new Error('the poll record does not match the fingerprint on this page; do not vote');
  }
  serverKey = key;
  voted = body.voted;
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint first
  const ms = warmUp(poll);
  booth.dataset.warmup = ms.toFixed(1);
  castBtn.disabled = false;
  if (body.state !== 'open') {
    say('This poll has closed.');
    form.hidden = true;
    return;
  }
  if (voted) {
    say('You have voted. Only your last ballot counts.');
    showDone(loadSaved(poll.fingerprint));
  } else {
    say('Ready. Choose, then seal and cast your ballot.');
    showForm(false);
  }
}

const errorText = {
  already_voted: 'You have already voted (from another browser or the command line).',
  poll_closed: 'The poll has closed; your ballot was not counted.',
  not_on_roll: 'You are not on this poll\'s roll.',
  csrf_failed: 'Your session has changed; reload the page and try again.',
  unauthenticated: 'Your session has ended; log in again.',
  too_many_requests: 'Too many ballots were sent from your account in the last minute; wait a minute and try again.',
};

// A replacement refused with reason "replaces" for every ballot this browser kept.
const notMineText = 'None of the ballots this browser kept is the one counted now: your vote was ' +
  'changed from another browser or the command line, and only there can it be changed again.';

/** After a first ballot, the page's "N of M have voted" counts this one too. */
function bumpTurnout() {
  const el = document.querySelector('.status .turnout');
  const m = el && /^(\d+) of (\d+)/.exec(el.textContent);
  if (m) {
    const n = Number(m[1]) + 1;
    el.textContent = `${n} of ${m[2]} ${n === 1 ? 'has' : 'have'} voted`;
  }
}

const lostText = 'No answer from the server: your ballot may or may not have been counted. ' +
  'Its secret is kept in this browser; reload the page, and if it says you have voted, ' +
  '"Change my vote" works from here.';

/** Seals a ballot replacing the one of secret OLD (null: a first vote) and sends it;
 *  its rho is kept as unconfirmed first, and dropped again if the server refuses it. */
async function castOne(choice, old) {
  const fp = poll.fingerprint;
  const t0 = performance.now();
  const made = createBallot(poll, choice, old ? { replaces: old } : {});
  const ms = performance.now() - t0;
  booth.dataset.sealMs = ms.toFixed(1);
  timingEl.textContent = `Encrypted and proved in this browser in ${ms.toFixed(1)} ms.`;
  trackerEl.textContent = made.tracker;
  say(`Ballot sealed (tracker ${made.tracker.slice(0, 16)}…); casting it…`);
  const before = loadSaved(fp) || { unconfirmed: [] };
  if (before.unconfirmed.length >= MAX_UNCONFIRMED) {
    throw new Error('Too many ballots sent from this browser got no answer; check your connection and reload the page.');
  }
  if (!save(fp, { ...before, unconfirmed: [...before.unconfirmed, { rho: made.rho, tracker: made.tracker }] })) {
    throw new Error('This browser cannot keep the ballot\'s secret (storage is full or blocked); nothing was sent.');
  }
  let answer;
  try {
    answer = await fetchJson(`/api/v1/polls/${encodeURIComponent(poll.id)}/ballots`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(made.ballot),
    });
  } catch {
    throw new Error(lostText);
  }
  if (answer.status >= 400 && answer.status < 500) { // refused: this rho counts for nothing
    const now = loadSaved(fp) || { unconfirmed: [] };
    save(fp, { ...now, unconfirmed: now.unconfirmed.filter((u) => u.rho !== made.rho) });
  }
  return { made, ...answer };
}

async function cast(choice) {
  const replacing = voted;
  const olds = replacing ? candidates(loadSaved(poll.fingerprint)) : [null];
  if (olds.length === 0) throw new Error('This browser keeps no earlier ballot of yours, so it cannot change your vote.');
  let made;
  let status;
  let body;
  for (const old of olds) {
    ({ made, status, body } = await castOne(choice, old));
    if (status !== 400 || body?.error?.reason !== 'replaces') break;
  }
  if (status === 409 && body?.error?.code === 'already_voted' && !replacing &&
      loadSaved(poll.fingerprint)?.unconfirmed.length) {
    voted = true; // a ballot whose answer was lost was counted: replace it
    return cast(choice);
  }
  const unreadable = status === 201 &&
    (typeof body?.tracker !== 'string' || typeof body?.receipt !== 'string');
  if (status >= 500 || (status !== 201 && status < 400) || unreadable) {
    throw new Error(lostText.replace('No answer', `No usable answer (HTTP ${status})`));
  }
  if (status !== 201) {
    const code = body?.error?.code;
    const reason = body?.error?.reason ? ` (${body.error.reason})` : '';
    if (code === 'invalid_ballot' && body.error.reason === 'replaces') throw new Error(notMineText);
    throw new Error(errorText[code] || `The ballot was refused: ${code || 'HTTP ' + status}${reason}.`);
  }
  if (body.tracker !== made.tracker) throw new Error('The server answered with another tracker; do not trust this server.');
  if (!verifyReceipt(serverKey, poll.fingerprint, made.tracker, body.receipt)) {
    // no usable answer: this rho stays unconfirmed, so "Change my vote" works either way
    voted = true;
    showDone(loadSaved(poll.fingerprint));
    receiptEl.textContent = 'Warning: the server\'s receipt does NOT verify against its published key; ' +
      'do not trust this server. The ballot may or may not have been counted; its secret is kept in ' +
      'this browser, so "Change my vote" works either way.';
    receiptEl.className = 'bad';
    trackerEl.textContent = made.tracker;
    say('The server\'s receipt for this ballot does not verify: it may or may not have been counted.', 'bad');
    changeBtn.focus();
    return;
  }
  const entry = { rho: made.rho, tracker: made.tracker, receipt: body.receipt, unconfirmed: [] };
  const kept = save(poll.fingerprint, entry);
  voted = true;
  showDone(kept ? entry : null);
  receiptEl.textContent = 'The server signed a receipt for this ballot, and the signature checks out against the server key.';
  receiptEl.className = 'fine ok';
  say(replacing ? 'Your vote was changed. Only this last ballot counts.' : 'Your sealed ballot was accepted.', 'ok');
  if (!replacing) bumpTurnout();
  changeBtn.focus();
}

if (booth && form) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy || !poll) return;
    const picked = form.querySelector('input[name="choice"]:checked');
    if (!picked) {
      say('Choose an option first.', 'bad');
      return;
    }
    busy = true;
    castBtn.disabled = true;
    try {
      await cast(Number(picked.value));
    } catch (e) {
      console.error(e);
      say(e.message || String(e), 'bad');
    } finally {
      busy = false;
      castBtn.disabled = false;
      picked.checked = false;
    }
  });
  changeBtn.addEventListener('click', () => {
    say('Choose again; your new ballot replaces the previous one.');
    showForm(true);
  });
  cancelBtn.addEventListener('click', () => {
    say('Your vote is unchanged.');
    showDone(loadSaved(poll.fingerprint));
  });
  say('Preparing the booth…');
  start().catch((e) => {
    console.error(e);
    say(`The booth cannot be used: ${e.message || e}`, 'bad');
  });
}
