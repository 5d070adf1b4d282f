// clock.mjs — the server's time as this page best knows it. A poll closes by the
// server's clock; a computer whose clock is some minutes fast would close the
// booth (booth.mjs) and end the countdown (site.mjs) before the server stops
// taking ballots, and one that is slow would keep them open after. So the booth
// learns the offset from the Date header of an API answer, and both read the time
// here. One module instance per page: booth.mjs and site.mjs share it.

let offset = 0; // server time minus this computer's time, in ms

// Below this the offset is taken as zero: Date has whole seconds, so a smaller
// measured offset is as likely to be the header's rounding as a wrong clock.
const NOISE_MS = 1500;

/** The server's time now, in ms since the epoch. */
export function serverNow() {
  return Date.now() + offset;
}

/** Learns the offset from RESPONSE, a fetch Response with a Date header, which
 *  was requested at local time SENT (Date.now()) and has just arrived. */
export function learnClock(response, sent) {
  const date = Date.parse(response.headers.get('Date') || '');
  if (Number.isNaN(date)) return;
  const received = Date.now();
  // the header truncates to the second: its middle is the best guess, at the
  // middle of the round trip
  const measured = date + 500 - (sent + received) / 2;
  offset = Math.abs(measured) < NOISE_MS ? 0 : measured;
}
