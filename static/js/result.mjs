// result.mjs — on a result page: "find my tracker" looks the tracker up in this
// browser, filled in with the tracker this browser kept when it voted (booth.mjs);
// and offers to verify the whole board in the browser (every ballot proof, the
// sums, the decryption proofs, the counts and the server's signature) with the same
// module that sealed the ballots; the board must be this page's poll's (its
// fingerprint), and the counts and verdict it proves are shown beside the page's.
//
// The form without JavaScript is a GET of this page with ?tracker=HEX and the
// session cookie: it would tell the server (and a proxy's log, and the history)
// which ballot is this member's. So the submit is caught here: the public board is
// fetched once, without credentials, and searched in the page; the tracker is
// never put in a URL nor sent anywhere.
import { parseJSON, verifyBoard } from './conclave-crypto.mjs';
import { loadSaved } from './kept.mjs';

const page = document.getElementById('result');
const input = document.getElementById('tracker');
const findForm = document.getElementById('find-form');
const findOut = document.getElementById('find-result');
const findLocal = document.getElementById('find-local');
const verifyBtn = document.getElementById('verify-board');
const verifyOut = document.getElementById('verify-result');

// The server-rendered answers of the form (templates/result.html), word for word.
const FOUND = 'Found: this ballot is on the board and was counted.';
const MISSING = 'Not on the board: no counted ballot has this tracker.';
const BAD = 'A tracker is 64 hexadecimal digits.';

/** A tracker as a person may type it (spaces around, any case) in the board's
 *  spelling, lowercase hex; or null if it is not 64 hex digits. */
function normTracker(s) {
  const t = String(s).trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(t) ? t : null;
}

/** The trackers the booth kept for poll FP (kept.mjs): that of the confirmed
 *  ballot (null if none), and those of ballots sent without an answer it could
 *  trust, oldest first. */
function keptTrackers(fp) {
  const saved = loadSaved(fp); // null without storage: the form still works by hand
  const of = (u) => (u && typeof u.tracker === 'string' ? normTracker(u.tracker) : null);
  const unconfirmed = (saved?.unconfirmed || []).map(of).filter((t) => t !== null);
  return { confirmed: of(saved), unconfirmed: [...new Set(unconfirmed)] };
}

/** The trackers on this poll's board. No credentials: the board is public, and
 *  the request is then not tied to this member's session; no referrer (as the
 *  server's Referrer-Policy says): this page's URL may hold a ?tracker= looked up
 *  without JavaScript. */
async function readBoardTrackers() {
  const r = await fetch(`/api/v1/polls/${encodeURIComponent(page.dataset.poll)}/board`,
    { credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const board = parseJSON(await r.text()); // strict, as every party reads a board (PROTOCOL §1)
  if (board?.fingerprint !== page.dataset.fingerprint || !Array.isArray(board.ballots)) {
    throw new Error('it is not this poll\'s board');
  }
  return new Set(board.ballots.map((b) => b?.tracker));
}

let boardTrackers = null; // the promise of readBoardTrackers: the board is fetched once

function fetchBoardTrackers() {
  if (!boardTrackers) {
    boardTrackers = readBoardTrackers();
    boardTrackers.catch(() => { boardTrackers = null; }); // a failed fetch may be tried again
  }
  return boardTrackers;
}

/** Shows the lookup's answer: one span of class KIND per [KIND, TEXT, TRACKER?]
 *  (a tracker is set apart as code, which wraps on a phone). */
function showFind(...parts) {
  findOut.replaceChildren(...parts.map(([kind, text, tracker]) => {
    const span = document.createElement('span');
    span.className = kind;
    span.textContent = text;
    if (tracker) {
      const code = document.createElement('code');
      code.className = 'tracker';
      code.textContent = tracker;
      span.append(code, '.');
    }
    return span;
  }));
}

/** Looks the typed tracker up on the board. When it is one this browser kept and is
 *  not there, another kept ballot (one whose answer was lost) may be the counted one:
 *  the booth replaces whichever it is, so the confirmed one is not always counted. */
async function find() {
  const want = normTracker(input.value);
  if (!want) {
    showFind(['bad', BAD]);
    return;
  }
  showFind(['', 'Looking it up in this browser…']);
  let onBoard;
  try {
    onBoard = await fetchBoardTrackers();
  } catch (e) {
    console.error(e);
    showFind(['bad', `The board could not be read (${e.message || e}); your tracker was not sent. Try again.`]);
    return;
  }
  if (onBoard.has(want)) {
    showFind(['ok', FOUND]);
    return;
  }
  const kept = keptTrackers(page.dataset.fingerprint);
  const mine = [kept.confirmed, ...kept.unconfirmed].filter((t) => t !== null);
  const counted = mine.includes(want) ? mine.find((t) => onBoard.has(t)) : undefined;
  if (counted) {
    const why = counted === kept.confirmed ? '' : ' (one that got no usable answer)';
    showFind(['bad', MISSING], ['ok', ` But another ballot sent from this browser${why} is on the ` +
      'board and was counted; its tracker is ', counted]);
  } else {
    showFind(['bad', MISSING]);
  }
}

if (page && findForm && input && findOut) {
  // Caught before anything is filled in: a tracker this script put in the field
  // is never sent by the form.
  findForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    find();
  });
  if (findLocal) findLocal.hidden = false;
  if (!input.value) {
    // the confirmed ballot's tracker, else the last one sent (as the booth shows it)
    const kept = keptTrackers(page.dataset.fingerprint);
    const last = kept.unconfirmed.length ? kept.unconfirmed[kept.unconfirmed.length - 1] : null;
    if (kept.confirmed || last) {
      input.value = kept.confirmed || last;
      const hint = document.createElement('small');
      hint.textContent = kept.confirmed
        ? 'This is the tracker of the last ballot you cast from this browser.'
        : 'This is the tracker of the last ballot sent from this browser (it got no usable answer).';
      input.insertAdjacentElement('afterend', hint);
    }
  }
}

if (page && verifyBtn) {
  verifyBtn.hidden = false;
  verifyBtn.addEventListener('click', async () => {
    verifyBtn.disabled = true;
    verifyOut.textContent = 'Verifying…';
    verifyOut.className = '';
    try {
      const id = encodeURIComponent(page.dataset.poll);
      const [board, pem] = await Promise.all([
        fetch(`/api/v1/polls/${id}/board`).then((r) => r.text()),
        fetch('/api/v1/server-key').then((r) => r.text()),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 0));
      const t0 = performance.now();
      const v = verifyBoard(board, { serverKey: pem });
      const ms = performance.now() - t0;
      if (v.fingerprint !== page.dataset.fingerprint) throw new Error('it is another poll\'s board (its fingerprint is not this poll\'s)');
      if (v.partial) throw new Error('its result is not published yet');
      const outcome = v.rule === 'two-thirds'
        ? `${v.counts[0]} promote, ${v.counts[1]} do not promote: ${v.passed ? 'passed' : 'not passed'}`
        : `counts ${v.counts.join(', ')}`;
      verifyOut.textContent = `The board verifies: every ballot proof, the sums, the decryption proofs, the counts and the signature (${ms.toFixed(0)} ms). Its result: ${outcome}.`;
      verifyOut.className = 'ok';
    } catch (e) {
      console.error(e);
      verifyOut.textContent = `The board does NOT verify: ${e.message || e}`;
      verifyOut.className = 'bad';
    } finally {
      verifyBtn.disabled = false;
    }
  });
}
