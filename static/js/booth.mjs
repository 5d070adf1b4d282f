// booth.mjs — the voting booth of /polls/{id}: seals the ballot in this browser.
//
// At page load it fetches the poll's record from the API, checks it (PROTOCOL §3)
// and that its fingerprint is the one the page shows, fetches the server's key
// (so that no ballot is sent that the booth could not check a receipt for), and
// warms the arithmetic up so that sealing a ballot on the click takes some 10 ms.
// On "Seal and cast" it builds the ballot with its proofs (createBallot), shows the
// tracker, POSTs the ballot — never the choice — with the session's CSRF token,
// checks the server's receipt signature against /api/v1/server-key, and keeps the
// ballot's secret rho in localStorage under the poll's fingerprint (kept.mjs), so
// that "Change my vote" can send a replacement (§5) later. The choice itself is not
// stored anywhere.
//
// A ballot's rho is stored (as "unconfirmed") before the ballot is sent. If no
// answer comes back, that ballot may be in the box, so its rho stays: a later
// replacement tries the confirmed rho, then each unconfirmed one, while the
// server answers that the replaced ballot is not the counted one. An answer whose
// receipt does not verify counts as no answer (as in `conclave vote`): the rho
// stays unconfirmed and the voter is told not to trust the server.
//
// Other tabs of this browser share the kept secrets: the page re-reads them on a
// `storage` event, when it gets the focus back and before it casts, and says so
// when another tab voted or changed the vote. Another device has nothing kept: there
// "Change my vote" takes the change code (change-code.mjs) that "Save a change code"
// showed and offered as a file where the vote was cast; the code goes nowhere but
// into the replacement ballot. At the deadline (by the server's clock, clock.mjs),
// or when the server answers poll_closed, the booth closes and links the result.
import {
  checkPoll, warmUp, createBallot, parseJSON, parsePublicKeyPem, verifyReceipt,
} from './conclave-crypto.mjs';
import { loadSaved, save } from './kept.mjs';
import {
  CHANGE_CODE_FILE_MAX, CHANGE_CODE_FORMAT, changeCodeFileName, changeCodeFileText,
  changeCodeOfFile, formatChangeCode, parseChangeCode,
} from './change-code.mjs';
import { learnClock, serverNow } from './clock.mjs';

/** An error told to the voter on the status line, as it is: not logged. */
class Told extends Error {}

const $ = (id) => document.getElementById(id);
const booth = $('booth');
const form = $('booth-form');
const statusEl = $('booth-status');
const closedEl = $('booth-closed');
const castBtn = $('booth-cast');
const cancelBtn = $('booth-cancel');
const codeBox = $('booth-code');
const codeInput = $('booth-code-input');
const codeFile = $('booth-code-file');
const done = $('booth-done');
const trackerEl = $('booth-tracker');
const receiptEl = $('booth-receipt');
const timingEl = $('booth-timing');
const changeBtn = $('booth-change');
const saveCodeBtn = $('booth-save-code');
const codeOut = $('booth-code-out');
const codeText = $('booth-code-text');
const codeLink = $('booth-code-download');
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

// At most this many secrets of unanswered ballots are kept per poll (as `conclave vote` does).
const MAX_UNCONFIRMED = 64;

/** The rhos that may belong to the counted ballot, the confirmed one first. */
function candidates(saved) {
  if (!saved) return [];
  return [...(saved.rho ? [saved.rho] : []), ...saved.unconfirmed.map((u) => u.rho)];
}

/** The kept entry as this page compares it with what it showed: its trackers only. */
function keptView(saved) {
  return saved ? [saved.tracker || '', ...saved.unconfirmed.map((u) => u.tracker)].join(' ') : '';
}

function say(text, kind = '') {
  statusEl.textContent = text;
  statusEl.className = kind;
}

let poll = null;
let serverKey = null; // the 32 bytes of /api/v1/server-key, fetched before any ballot is sent
let closesAt = Infinity; // the poll's closes_at, in ms
let voted = booth?.dataset.voted === '1';
let replacing = false; // the form is shown to replace the counted ballot
let busy = false;
let closed = false;
let closeTimer = 0;
let shown = ''; // keptView of the kept entry this page last showed or wrote
let shownTracker = ''; // the confirmed tracker of that entry
let codeUrl = null; // the Blob URL of the change-code file on offer

/** Notes SAVED (the kept entry, or null) as what this page shows. */
function noteKept(saved) {
  shown = keptView(saved);
  shownTracker = saved?.tracker || '';
}

/** Keeps ENTRY for this poll; false if the browser keeps nothing. */
function keep(entry) {
  const ok = save(poll.fingerprint, entry);
  noteKept(loadSaved(poll.fingerprint));
  return ok;
}

/** Shows or hides the change-code field of the form (hidden, it is emptied). */
function setCodeField(on) {
  codeBox.hidden = !on;
  if (!on) {
    codeInput.value = '';
    codeFile.value = '';
    codeInput.removeAttribute('aria-invalid');
  }
}

function hideCode() {
  codeOut.hidden = true;
  codeText.textContent = '';
  saveCodeBtn.setAttribute('aria-expanded', 'false');
  codeLink.href = '#';
  if (codeUrl) URL.revokeObjectURL(codeUrl);
  codeUrl = null;
}

function showForm(isReplacing, { focus = true } = {}) {
  replacing = isReplacing;
  done.hidden = true;
  hideCode();
  form.hidden = false;
  cancelBtn.hidden = !isReplacing;
  const needCode = isReplacing && candidates(loadSaved(poll.fingerprint)).length === 0;
  setCodeField(needCode);
  castBtn.textContent = isReplacing ? 'Seal and cast my new ballot' : 'Seal and cast my ballot';
  if (focus) (needCode ? codeInput : form.querySelector('input[name="choice"]')).focus();
}

function showDone(saved) {
  replacing = false;
  form.hidden = true;
  setCodeField(false);
  hideCode();
  done.hidden = false;
  const last = saved?.unconfirmed?.length ? saved.unconfirmed[saved.unconfirmed.length - 1] : null;
  trackerEl.textContent = saved?.tracker || last?.tracker || '(not kept in this browser)';
  changeBtn.hidden = closed;
  saveCodeBtn.hidden = closed || !saved?.rho || last !== null;
  receiptEl.className = 'fine';
  if (!saved) {
    receiptEl.textContent = 'You voted from another browser or device, or from the command line. ' +
      'To change that vote here, "Change my vote" asks for the change code saved there ' +
      '("Save a change code" in the browser, `conclave vote --print-change-code` in a terminal).';
  } else if (last) {
    receiptEl.textContent = 'A ballot sent from this browser got no answer and may be the one counted; ' +
      '"Change my vote" works either way.';
  } else {
    receiptEl.textContent = '';
  }
}

/** Another tab of this browser voted or changed the vote (SAVED is what is kept
 *  now): the page shows that ballot, as a reload would, and says so. */
function showOtherTab(saved) {
  const first = !voted;
  const focusIn = form.contains(document.activeElement);
  voted = true;
  noteKept(saved);
  showDone(saved);
  say(first
    ? 'You voted in another tab of this browser. Only your last ballot counts; "Change my vote" works here too.'
    : 'Your vote was changed in another tab of this browser. Only the last ballot counts.');
  if (focusIn) statusEl.focus();
}

/** Offers the change code of the confirmed ballot: shown, and as a file. */
function showCode() {
  const saved = loadSaved(poll.fingerprint);
  if (!saved?.rho || saved.unconfirmed.length) {
    showDone(saved);
    return;
  }
  const file = changeCodeFileText({
    rho: saved.rho, id: poll.id, question: poll.record.question, fingerprint: poll.fingerprint,
  });
  hideCode();
  codeText.textContent = formatChangeCode(saved.rho);
  codeUrl = URL.createObjectURL(new Blob([file], { type: 'text/plain' }));
  codeLink.href = codeUrl;
  codeLink.download = changeCodeFileName(poll.id);
  codeOut.hidden = false;
  saveCodeBtn.setAttribute('aria-expanded', 'true');
}

/** Closes the booth: nothing can be cast any more (MESSAGE says why). With
 *  KEEPSTATUS the status line (a cast's answer) stays, and the close is added;
 *  RESULT false: no link to a result (a withdrawn poll has none). */
function showClosed(message = 'Voting has closed.', { keepStatus = false, result = true } = {}) {
  if (closed) return;
  closed = true;
  clearTimeout(closeTimer);
  const focusIn = booth.contains(document.activeElement);
  castBtn.disabled = true;
  form.hidden = true;
  setCodeField(false);
  changeBtn.hidden = true;
  saveCodeBtn.hidden = true;
  hideCode();
  closedEl.hidden = !result;
  if (keepStatus) say(`${statusEl.textContent} Voting has now closed.`, statusEl.className);
  else say(message);
  if (focusIn) statusEl.focus();
}

/** Closes the booth at the deadline: a timer, re-armed at least every minute (a
 *  sleeping computer or a background tab may hold timers back). */
function watchClose() {
  clearTimeout(closeTimer);
  if (closed) return;
  const left = closesAt - serverNow();
  if (left > 0) closeTimer = setTimeout(watchClose, Math.min(left + 50, 60000));
  else if (busy) closeTimer = setTimeout(watchClose, 250); // the cast's answer comes first
  else showClosed();
}

/** Re-reads the kept secrets, which another tab may have changed, and the time. */
function refresh() {
  if (!poll || closed) return;
  watchClose();
  if (closed || busy) return; // a cast re-reads what it needs
  const saved = loadSaved(poll.fingerprint);
  if (keptView(saved) === shown) return;
  if (saved?.tracker && saved.tracker !== shownTracker) {
    if (!form.hidden && replacing) { // the voter is changing the vote here: that stays
      noteKept(saved);
      setCodeField(false);
      say('Your vote was changed in another tab of this browser; a ballot cast here replaces that one.');
    } else {
      showOtherTab(saved);
    }
    return;
  }
  noteKept(saved);
  if (!done.hidden) showDone(saved);
}

async function fetchJson(url, opts = {}) {
  const sent = Date.now();
  const r = await fetch(url, { credentials: 'same-origin', ...opts });
  learnClock(r, sent);
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
    if (!r.ok) throw new Told(`HTTP ${r.status}`);
    return parsePublicKeyPem(await r.text());
  } catch (e) {
    throw new Told(`the server's key could not be fetched (${e.message || e}), so its receipt could not be checked; reload the page`);
  }
}

async function start() {
  const id = booth.dataset.poll;
  const [{ status, body }, key] = await Promise.all([
    fetchJson(`/api/v1/polls/${encodeURIComponent(id)}`), fetchServerKey()]);
  if (status !== 200 || !body?.record) throw new Told(`the poll could not be fetched (HTTP ${status})`);
  poll = checkPoll(body.record, { threshold: true });     // sealed by trustees or the server
  if (poll.fingerprint !== booth.dataset.fingerprint || poll.fingerprint !== body.fingerprint) {
    throw new Told('the poll record does not match the fingerprint on this page; do not vote');
  }
  serverKey = key;
  voted = body.voted;
  closesAt = Date.parse(poll.record.closes_at);
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint first
  const ms = warmUp(poll);
  booth.dataset.warmup = ms.toFixed(1);
  const saved = loadSaved(poll.fingerprint);
  noteKept(saved);
  if (voted) {
    say('You have voted. Only your last ballot counts.');
    showDone(saved);
  }
  if (body.state === 'withdrawn') {
    showClosed(withdrawnText, { result: false });
    return;
  }
  if (body.state !== 'open' || serverNow() >= closesAt) {
    showClosed();
    return;
  }
  castBtn.disabled = false;
  if (!voted) {
    say('Ready. Choose, then seal and cast your ballot.');
    showForm(false, { focus: false }); // the voter reads the page first
  }
  watchClose();
  window.addEventListener('storage', refresh);
  window.addEventListener('focus', refresh);
  document.addEventListener('visibilitychange', refresh);
}

const errorText = {
  not_on_roll: 'You are not on this poll\'s roll.',
  csrf_failed: 'Your session has changed; reload the page and try again.',
  unauthenticated: 'Your session has ended; log in again.',
  too_many_requests: 'Too many ballots were sent from your account in the last minute; wait a minute and try again.',
};

// A poll withdrawn (by who opened it, or an admin) before any ballot: no result.
const withdrawnText = 'This poll was withdrawn: it takes no ballots and will have no result. Reload the page to see who withdrew it.';

// A replacement refused with reason "replaces" for every ballot this browser kept.
const notMineText = 'None of the ballots this browser kept is the one counted now: your vote was ' +
  'changed from another browser or device, or from the command line. To change it here, enter the ' +
  'change code saved there.';

// ... and for the change code typed in.
const staleCodeText = 'This change code is not that of the ballot counted now: the vote was changed ' +
  'since the code was saved (each change makes a new code, and the old one stops working), or it is ' +
  'another poll\'s code. Use the code saved after your last change.';

/** After a first ballot, the page's "N of M have voted" counts this one too, and
 *  the poll can no longer be withdrawn (the server refuses it once a ballot is in). */
function bumpTurnout() {
  const withdraw = document.getElementById('withdraw');
  if (withdraw) withdraw.hidden = true;
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
    throw new Told('Too many ballots sent from this browser got no answer; check your connection and reload the page.');
  }
  if (!keep({ ...before, unconfirmed: [...before.unconfirmed, { rho: made.rho, tracker: made.tracker }] })) {
    throw new Told('This browser cannot keep the ballot\'s secret (storage is full or blocked); nothing was sent.');
  }
  let answer;
  try {
    answer = await fetchJson(`/api/v1/polls/${encodeURIComponent(poll.id)}/ballots`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(made.ballot),
    });
  } catch {
    throw new Told(lostText);
  }
  if (answer.status >= 400 && answer.status < 500) { // refused: this rho counts for nothing
    const now = loadSaved(fp) || { unconfirmed: [] };
    keep({ ...now, unconfirmed: now.unconfirmed.filter((u) => u.rho !== made.rho) });
  }
  return { made, ...answer };
}

/** The rho of the change code typed in, if the field is shown; throws if it is not a code. */
function typedCode() {
  if (codeBox.hidden) return null;
  try {
    return parseChangeCode(codeInput.value);
  } catch (e) {
    codeInput.setAttribute('aria-invalid', 'true');
    codeInput.focus();
    throw new Told(e.message);
  }
}

/** A first vote refused as already_voted: who voted, as far as this browser knows. */
function alreadyVoted(choice) {
  const saved = loadSaved(poll.fingerprint);
  if (saved?.tracker) { // another tab confirmed a ballot since this page looked
    showOtherTab(saved);
    statusEl.focus();
    return null;
  }
  if (saved?.unconfirmed.length) { // a ballot whose answer was lost was counted: replace it
    voted = true;
    replacing = true;
    return cast(choice);
  }
  voted = true;
  showDone(null);
  say('You have already voted, from another browser or device or from the command line. ' +
    'To change that vote here, "Change my vote" asks for the change code saved there.', 'bad');
  statusEl.focus();
  return null;
}

async function cast(choice) {
  if (serverNow() >= closesAt) {
    showClosed('Voting has closed; nothing was sent.');
    return;
  }
  const saved = loadSaved(poll.fingerprint);
  if (!replacing && saved?.tracker && saved.tracker !== shownTracker) {
    showOtherTab(saved); // nothing is sent: the voter sees the vote of the other tab first
    statusEl.focus();
    return;
  }
  const code = typedCode();
  const olds = replacing ? [...new Set([...(code ? [code] : []), ...candidates(saved)])] : [null];
  if (olds.length === 0) {
    setCodeField(true);
    codeInput.focus();
    throw new Told('This browser keeps no secret of your ballot: enter its change code to change it here.');
  }
  let made;
  let status;
  let body;
  for (const old of olds) {
    ({ made, status, body } = await castOne(choice, old));
    if (status !== 400 || body?.error?.reason !== 'replaces') break;
  }
  const code409 = status === 409 ? body?.error?.code : null;
  if (code409 === 'already_voted' && !replacing) return alreadyVoted(choice);
  if (code409 === 'poll_closed') {
    showClosed('Voting has closed; your ballot was not counted.');
    return;
  }
  if (code409 === 'poll_withdrawn') {
    showClosed(withdrawnText, { result: false });
    return;
  }
  const unreadable = status === 201 &&
    (typeof body?.tracker !== 'string' || typeof body?.receipt !== 'string');
  if (status >= 500 || (status !== 201 && status < 400) || unreadable) {
    throw new Told(lostText.replace('No answer', `No usable answer (HTTP ${status})`));
  }
  if (status !== 201) {
    const err = body?.error?.code;
    const reason = body?.error?.reason ? ` (${body.error.reason})` : '';
    if (err === 'invalid_ballot' && body.error.reason === 'replaces') {
      const usedCode = code !== null;
      setCodeField(true);
      if (usedCode) codeInput.setAttribute('aria-invalid', 'true');
      codeInput.focus();
      throw new Told(usedCode ? staleCodeText : notMineText);
    }
    throw new Told(errorText[err] || `The ballot was refused: ${err || 'HTTP ' + status}${reason}.`);
  }
  if (body.tracker !== made.tracker) throw new Told('The server answered with another tracker; do not trust this server.');
  const wasReplacing = replacing;
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
    statusEl.focus();
    return;
  }
  const entry = { rho: made.rho, tracker: made.tracker, receipt: body.receipt, unconfirmed: [] };
  const kept = keep(entry);
  voted = true;
  showDone(kept ? entry : null);
  receiptEl.textContent = 'The server signed a receipt for this ballot, and the signature checks out against the server key.';
  receiptEl.className = 'fine ok';
  say(wasReplacing
    ? 'Your vote was changed. Only this last ballot counts. A new change code replaces the old one: ' +
      'a code saved before this change no longer works ("Save a change code" shows the new one).'
    : 'Your sealed ballot was accepted.', 'ok');
  if (!wasReplacing) bumpTurnout();
  statusEl.focus();
}

async function readCodeFile() {
  const file = codeFile.files?.[0];
  if (!file) return;
  try {
    if (file.size > CHANGE_CODE_FILE_MAX) throw new Told('too large');
    codeInput.value = formatChangeCode(changeCodeOfFile(await file.text()));
    codeInput.removeAttribute('aria-invalid');
    say('The change code was read from the file. Choose, then seal and cast your new ballot.');
  } catch {
    codeInput.setAttribute('aria-invalid', 'true');
    say(`That file does not start with a change code. ${CHANGE_CODE_FORMAT}`, 'bad');
  }
}

if (booth && form) {
  statusEl.tabIndex = -1; // focus goes to the answer after a cast
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy || !poll || closed) return;
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
      if (!(e instanceof Told)) console.error(e); // a bug; no message holds a secret
      say(e.message || String(e), 'bad');
    } finally {
      busy = false;
      castBtn.disabled = closed;
      picked.checked = false;
      if (!closed && serverNow() >= closesAt) showClosed('', { keepStatus: true });
    }
  });
  changeBtn.addEventListener('click', () => {
    showForm(true);
    say(codeBox.hidden
      ? 'Choose again; your new ballot replaces the previous one.'
      : 'Enter your change code, then choose again; your new ballot replaces the previous one.');
  });
  cancelBtn.addEventListener('click', () => {
    say('Your vote is unchanged.');
    showDone(loadSaved(poll.fingerprint));
    changeBtn.focus();
  });
  saveCodeBtn.addEventListener('click', () => {
    if (codeOut.hidden) showCode();
    else hideCode();
  });
  codeFile.addEventListener('change', readCodeFile);
  codeInput.addEventListener('input', () => codeInput.removeAttribute('aria-invalid'));
  say('Preparing the booth…');
  start().catch((e) => {
    if (!(e instanceof Told)) console.error(e);
    say(`The booth cannot be used: ${e.message || e}`, 'bad');
  });
}
