// kept.mjs — what this browser keeps of the ballots it sealed, per poll: the
// secret rho and the tracker of the confirmed ballot, and of those sent without
// a usable answer ("unconfirmed"), in localStorage under the poll's fingerprint.
// Written by the booth (booth.mjs), read by it and by the result page (result.mjs).

const storeKey = (fp) => `conclave:ballot:${fp}`;

/** The kept entry: { rho, tracker, receipt } of the confirmed ballot (if any) and
 *  unconfirmed: [{ rho, tracker }] of ballots sent without an answer; or null. */
export function loadSaved(fp) {
  try {
    const v = JSON.parse(localStorage.getItem(storeKey(fp)) || 'null');
    if (!v || typeof v !== 'object') return null;
    const confirmed = typeof v.rho === 'string' && typeof v.tracker === 'string';
    const ok = (u) => u && typeof u.rho === 'string' && typeof u.tracker === 'string';
    const unconfirmed = Array.isArray(v.unconfirmed) ? v.unconfirmed.filter(ok) : [];
    if (ok(v.pending) && !unconfirmed.some((u) => u.rho === v.pending.rho)) {
      unconfirmed.push({ rho: v.pending.rho, tracker: v.pending.tracker }); // kept by earlier booths
    }
    if (!confirmed && unconfirmed.length === 0) return null;
    return confirmed ? { rho: v.rho, tracker: v.tracker, receipt: v.receipt, unconfirmed } : { unconfirmed };
  } catch {
    return null;
  }
}

/** Replaces the kept entry of poll FP; false if the browser keeps nothing. */
export function save(fp, entry) {
  try {
    localStorage.setItem(storeKey(fp), JSON.stringify(entry));
    return true;
  } catch {
    return false;
  }
}
