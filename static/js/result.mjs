// result.mjs — on a result page: fills "find my tracker" with the tracker this
// browser kept when it voted (booth.mjs), and offers to verify the whole board
// in the browser (every ballot proof, the sums, the decryption proofs, the counts
// and the server's signature) with the same module that sealed the ballots; the
// board must be this page's poll's (its fingerprint), and the counts and verdict it
// proves are shown beside the page's.
import { verifyBoard } from './conclave-crypto.mjs';

const page = document.getElementById('result');
const input = document.getElementById('tracker');
const verifyBtn = document.getElementById('verify-board');
const verifyOut = document.getElementById('verify-result');

if (page && input && !input.value) {
  try {
    const saved = JSON.parse(localStorage.getItem(`conclave:ballot:${page.dataset.fingerprint}`) || 'null');
    if (saved && typeof saved.tracker === 'string') {
      input.value = saved.tracker;
      const hint = document.createElement('small');
      hint.textContent = 'This is the tracker of the last ballot you cast from this browser.';
      input.insertAdjacentElement('afterend', hint);
    }
  } catch {
    // no storage: the form still works by hand
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
