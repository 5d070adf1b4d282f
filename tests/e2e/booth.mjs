// End-to-end test of the web booth in a real headless Chromium (Debian's
// `chromium`, driven by playwright-core): the real `conclave` binary on a free
// loopback port with a temporary data directory and short polls.
//
//   node tests/e2e/booth.mjs        (CONCLAVE_BIN, default ./conclave;
//                                    E2E_POLL_SECONDS, default 25)
//
// Logs in, manages members, nominates, votes in the booth (the ballot sealed in
// the browser and accepted by the C verifier), changes the vote (once with the
// answer lost, then again from the kept secrets), votes from a
// phone-sized second browser and from Node with the same crypto module, waits
// for the close, reads the result page with its chart, finds the tracker on the
// board in the browser (no request carries it, the URL stays), also the counted
// one of a ballot whose answer did not verify, and verifies the board in the browser. Screenshots go to
// tests/screenshots/; a failure prints the pages' console and the server log.
// Last line: "e2e: N passed, N failed"; exit status 1 on any failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as C from '../../static/js/conclave-crypto.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.CONCLAVE_BIN || './conclave');
const POLL_SECONDS = Number(process.env.E2E_POLL_SECONDS || 25);
const SHOTS = path.join(ROOT, 'tests', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let passed = 0;
let failed = 0;
const consoleLines = [];
const pageErrors = [];

function check(cond, what) {
  if (cond) passed++;
  else {
    failed++;
    console.error(`FAIL ${what}`);
  }
  return cond;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cli(dataDir, args, input) {
  const r = spawnSync(BIN, [...args, '--data', dataDir], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`conclave ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function startServer(dataDir) {
  const port = await freePort();
  const log = fs.openSync(path.join(dataDir, 'server.log'), 'w');
  const proc = spawn(BIN, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`,
    '--poll-duration', String(POLL_SECONDS)], { cwd: ROOT, stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { proc, base };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not start');
}

const posted = [];

function watch(page, name) {
  page.on('request', (r) => {
    if (r.method() === 'POST') posted.push({ url: r.url(), body: r.postData() || '' });
  });
  page.on('console', (m) => consoleLines.push(`[${name}] ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(`[${name}] ${e.message}`));
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function login(page, base, user, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
}

/** Casts a ballot from Node with the browser's own crypto module, over the API. */
async function voteFromNode(base, user, password, pollId, choice) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
  const { csrf_token: csrf } = await r.json();
  const view = await (await fetch(`${base}/api/v1/polls/${pollId}`, { headers: { Cookie: cookie } })).json();
  const made = C.createBallot(C.checkPoll(view.record), choice);
  const cast = await fetch(`${base}/api/v1/polls/${pollId}/ballots`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
    body: JSON.stringify(made.ballot),
  });
  return { status: cast.status, body: await cast.json(), made };
}

async function adminFlow(page, base) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wrong-password-123');
  await page.getByRole('button', { name: 'Log in' }).click();
  check(await page.getByText('Wrong username or password.').isVisible(), 'a wrong password is told');
  check(await page.evaluate(() => document.activeElement.id) === 'password' &&
    await page.getByLabel('Username').inputValue() === 'alice',
  'after a wrong password the focus is on the password field, the username kept');
  await shot(page, 'desktop-login-error');
  await login(page, base, 'alice', 'alice-password-123');
  check(await page.getByText('No poll is open.').isVisible(), 'the empty poll list says so');
  await shot(page, 'desktop-home-empty');

  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByLabel('Username').fill('dave');
  await page.getByLabel('Display name (optional)').fill('Dave <b>Test</b>');
  await page.getByRole('button', { name: 'Add member' }).click();
  const pw = (await page.locator('#new-password').textContent()).trim();
  check(/^[1-9A-HJ-NP-Za-km-z]{20}$/.test(pw), 'a one-time password is shown for the new member');
  check(await page.getByRole('cell', { name: 'Dave <b>Test</b> dave' }).isVisible(), 'the display name is shown escaped');
  await shot(page, 'desktop-admin-added');
  await page.getByRole('button', { name: 'Deactivate Dave <b>Test</b> (dave)' }).click();
  check(await page.getByText('Dave <b>Test</b> (dave) is now deactivated.').isVisible(), 'deactivate');
  await page.getByRole('button', { name: 'Reactivate Dave <b>Test</b> (dave)' }).click();
  check(await page.getByText('Dave <b>Test</b> (dave) is now active.').isVisible(), 'reactivate');
  await page.reload();
  check((await page.locator('#new-password').count()) === 0, 'the password is not shown again');
  // on a phone every action of the roster stays on screen
  await page.setViewportSize({ width: 390, height: 844 });
  const edges = await page.locator('.roster .actions button').evaluateAll((els) =>
    els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right]));
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(edges.length >= 6 && edges.every(([l, r]) => l >= 0 && r <= 390) && wide <= 390,
    `at 390 px the roster's buttons are all on screen (${JSON.stringify(edges)}, page ${wide}px)`);
  await shot(page, 'phone-admin-members');
  await page.setViewportSize({ width: 1200, height: 900 });
  return pw;
}

async function nominate(page, base) {
  await page.getByRole('link', { name: 'Nominate', exact: true }).click();
  await page.getByLabel('Nominee').fill('bob');
  await page.getByLabel('Statement').fill('Already here.');
  await page.getByRole('button', { name: 'Open the poll' }).click();
  check(await page.getByText('The nominee is already an active member').isVisible(),
    'a validation error names the problem');
  await shot(page, 'desktop-nominate-error');
  await page.getByLabel('Nominee').fill('Grace Hopper');
  await page.getByLabel('Statement').fill(
    'Grace has **reviewed 300 pull requests** and mentored many contributors.\n\n' +
    '- maintains the compiler\n- wrote the release tooling\n\n<script>alert(1)</script>');
  await page.getByRole('button', { name: 'Open the poll' }).click();
  await page.waitForURL(/\/polls\/[0-9a-f]+$/);
  const id = page.url().split('/').pop();
  check(await page.getByRole('heading', { name: 'Promote Grace Hopper to core developer?' }).isVisible(),
    'the poll page names the nominee');
  check(await page.locator('.statement strong').textContent() === 'reviewed 300 pull requests',
    'the statement is rendered Markdown');
  check(!(await page.content()).includes('<script>alert(1)</script>'), 'raw HTML in the statement is not rendered');
  return id;
}

async function castInBooth(page, option, { keyboard = false } = {}) {
  await page.locator('#booth-cast:not([disabled])').waitFor();
  if (keyboard) {
    // the booth focuses the first option; arrows choose, Tab reaches the button
    await page.keyboard.press(option === 'Do not promote' ? 'ArrowDown' : 'Space');
    check(await page.getByLabel(option, { exact: true }).isChecked(), 'the keyboard chooses an option');
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.id) === 'booth-cast', 'Tab reaches the cast button');
    await page.keyboard.press('Enter');
  } else {
    await page.getByLabel(option, { exact: true }).check();
    await page.locator('#booth-cast').click();
  }
  await page.locator('#booth-done').waitFor({ state: 'visible' });
  await page.waitForFunction(() => /checks out|NOT verify/.test(document.getElementById('booth-receipt').textContent));
  const tracker = (await page.locator('#booth-tracker').textContent()).trim();
  const ms = Number(await page.locator('#booth').getAttribute('data-seal-ms'));
  const receipt = await page.locator('#booth-receipt').textContent();
  return { tracker, ms, receipt };
}

async function boothFlow(page, base, id) {
  const first = await castInBooth(page, 'Promote Grace Hopper');
  check(await page.getByText('You voted', { exact: true }).isVisible(), '"You voted" is shown');
  check(/^[0-9a-f]{64}$/.test(first.tracker), 'the tracker is shown');
  check(first.receipt.includes('checks out'), 'the receipt verifies against the server key');
  const warm = Number(await page.locator('#booth').getAttribute('data-warmup'));
  await shot(page, 'desktop-booth-voted');

  // A change whose answer is lost: the server counts it, the browser hears nothing.
  await page.route('**/ballots', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByRole('button', { name: 'Change my vote' }).click();
  await page.getByLabel('Promote Grace Hopper', { exact: true }).check();
  await page.locator('#booth-cast').click();
  await page.getByText('No answer from the server').waitFor();
  check(/may or may not have been counted/.test(await page.locator('#booth-status').textContent()),
    'a lost answer is told: the ballot may or may not have been counted');
  await page.unroute('**/ballots');
  await page.reload();
  await page.locator('#booth-done').waitFor({ state: 'visible' });
  check(/got no answer/.test(await page.locator('#booth-receipt').textContent()),
    'after a reload the booth says a ballot got no answer and may be the one counted');
  await page.getByRole('button', { name: 'Change my vote' }).click();
  // the confirmed rho is stale now (the lost ballot replaced it): refused, then the kept one works
  const second = await castInBooth(page, 'Do not promote', { keyboard: true });
  check(second.tracker !== first.tracker && /^[0-9a-f]{64}$/.test(second.tracker), 'a new tracker after the change');
  check(await page.getByText('Your vote was changed.').isVisible(), 'the change is confirmed');
  // The clicks' own times, and a steadier figure: the median of 15 more ballots sealed
  // in the page by the same module (a busy 2-core machine can stretch one click).
  const bench = await page.evaluate(async (pollId) => {
    const C = await import('/static/js/conclave-crypto.mjs');
    const view = await (await fetch(`/api/v1/polls/${pollId}`)).json();
    const poll = C.checkPoll(view.record);
    const times = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      C.createBallot(poll, i % 2);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[7], max: times[14] };
  }, id);
  console.log(`booth: encryption + proofs in the browser ${first.ms.toFixed(1)} ms (vote click), ` +
    `${second.ms.toFixed(1)} ms (replacement click), median ${bench.median.toFixed(1)} ms / max ` +
    `${bench.max.toFixed(1)} ms over 15 more; warm-up at page load ${warm.toFixed(0)} ms`);
  check(Math.min(first.ms, second.ms) < 50, `a booth click sealed its ballot in under 50 ms (${first.ms}, ${second.ms} ms)`);
  check(bench.median < 50, `sealing a ballot in the browser takes under 50 ms (median ${bench.median.toFixed(1)} ms)`);

  await page.reload();
  await page.locator('#booth-done').waitFor({ state: 'visible' });
  check((await page.locator('#booth-tracker').textContent()).trim() === second.tracker,
    'after a reload the booth shows the last tracker from localStorage');
  await page.goto(`${base}/`);
  check(await page.locator('.poll .badge.voted').first().isVisible(), 'the list shows a "You voted" badge');
  check(await page.getByText('1 of 4 has voted').isVisible(), 'the list shows the turnout');
  check(/UTC/.test(await page.locator('.poll time').first().textContent()), 'the deadline in UTC');
  check(/your time/.test(await page.locator('.poll .local').first().textContent()), 'and in local time');
  await shot(page, 'desktop-home-open');
  return { first, second, id };
}

async function phoneFlow(browser, base, id) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'Asia/Tokyo' });
  const page = await ctx.newPage();
  watch(page, 'phone');
  await login(page, base, 'bob', 'bob-password-123');
  await shot(page, 'phone-home');
  // without the server's key no receipt could be checked: the booth sends nothing
  await page.route('**/server-key', (route) => route.abort('connectionreset'));
  await page.goto(`${base}/polls/${id}`);
  await page.getByText('The booth cannot be used').waitFor();
  check(/server's key could not be fetched/.test(await page.locator('#booth-status').textContent()) &&
    await page.locator('#booth-cast').isDisabled(), 'without the server key the booth says so and cannot cast');
  await page.unroute('**/server-key');
  await page.goto(`${base}/polls/${id}`);
  await page.locator('#booth-cast:not([disabled])').waitFor();
  await shot(page, 'phone-booth');
  // a gateway error after the server counted the first vote; casting again finds it
  // counted and replaces it
  await page.route('**/ballots', async (route) => {
    await route.fetch();
    await route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad Gateway</h1>' });
  });
  await page.getByLabel('Promote Grace Hopper', { exact: true }).check();
  await page.locator('#booth-cast').click();
  await page.getByText('No usable answer (HTTP 502)').waitFor();
  await page.unroute('**/ballots');
  const { tracker } = await castInBooth(page, 'Promote Grace Hopper');
  check(await page.getByText('Your vote was changed.').isVisible(),
    'casting again after a lost first answer replaces the ballot that was counted');
  check(/^[0-9a-f]{64}$/.test(tracker), 'the phone-sized booth votes too');
  // a change answered 201 with a receipt that does not verify: not "accepted", and its
  // secret stays unconfirmed (as `conclave vote` keeps it), so a later change still works
  await page.route('**/ballots', async (route) => {
    const answer = await route.fetch();
    const body = await answer.json();
    body.receipt = (body.receipt[0] === '0' ? '1' : '0') + body.receipt.slice(1);
    await route.fulfill({ response: answer, body: JSON.stringify(body) });
  });
  await page.getByRole('button', { name: 'Change my vote' }).click();
  const bad = await castInBooth(page, 'Promote Grace Hopper');
  await page.unroute('**/ballots');
  check(bad.receipt.includes('NOT verify') && /does not verify/.test(await page.locator('#booth-status').textContent()) &&
    await page.locator('#booth-status').getAttribute('class') === 'bad',
  'a receipt that does not verify is told as such, not as an accepted ballot');
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem(Object.keys(localStorage)
    .find((k) => k.startsWith('conclave:ballot:')))));
  check(kept.tracker === tracker && kept.unconfirmed.length === 1 && kept.unconfirmed[0].tracker === bad.tracker,
    'its secret is kept as unconfirmed, beside the last confirmed one');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `no horizontal scrolling at phone width (${width}px)`);
  await shot(page, 'phone-booth-voted');
  return { ctx, page, confirmed: tracker, unconfirmed: bad.tracker };
}

/** Submits "find my tracker" (with TEXT typed in, unless undefined) and returns the
 *  answer the page shows once it has looked it up. */
async function findTracker(page, text) {
  if (text !== undefined) await page.locator('#tracker').fill(text);
  await page.getByRole('button', { name: 'Find' }).click();
  await page.locator('#find-result .ok, #find-result .bad').first().waitFor();
  return (await page.locator('#find-result').textContent()).trim();
}

/** Records PAGE's requests from now on; stop() returns them with all their headers. */
function recordRequests(page) {
  const seen = [];
  const onRequest = (r) => seen.push(r);
  page.on('request', onRequest);
  return {
    async stop() {
      page.off('request', onRequest);
      return Promise.all(seen.map(async (r) => ({
        url: r.url(), body: r.postData() || '', headers: await r.allHeaders(),
      })));
    },
  };
}

/** Whether any of REQUESTS carries one of TRACKERS, in any case, anywhere. */
function carries(requests, trackers) {
  const texts = requests.map((r) => `${r.url}\n${r.body}\n${JSON.stringify(r.headers)}`.toLowerCase());
  return trackers.some((t) => texts.some((x) => x.includes(t.toLowerCase())));
}

const FOUND = 'Found: this ballot is on the board and was counted.';
const MISSING = 'Not on the board: no counted ballot has this tracker.';

async function resultFlow(page, base, id, trackers) {
  await page.goto(`${base}/polls/${id}/result`);
  check(await page.getByText('The result is not out yet').isVisible(), 'no result before the close');
  // the page reloads itself once the deadline has passed
  await page.getByRole('heading', { name: 'Promote Grace Hopper: result' }).waitFor({ timeout: (POLL_SECONDS + 30) * 1000 });
  check(await page.getByText('Passed: Grace Hopper is promoted.').isVisible(), 'two votes of three pass');
  check(await page.getByText('2 promote (66.7%), 1 do not promote (33.3%)').isVisible(), 'the counts');
  check(await page.getByText('Turnout: 3 of 4 voted (75.0%).').isVisible(), 'the turnout');
  check(await page.locator('svg.chart rect.bar-yes').count() === 1, 'the chart is drawn');
  check(await page.locator('svg.chart line.line').count() === 1, 'with the two-thirds line');
  check(await page.locator('#tracker').inputValue() === trackers.second.tracker, 'the tracker is filled in from this browser');
  check(await page.locator('#find-local').isVisible() &&
    /not sent to the server/.test(await page.locator('#find-local').textContent()),
  'the page says the lookup happens in this browser');
  // the lookup is made in the page: no request carries the tracker, the URL stays
  const url = page.url();
  const historyLength = await page.evaluate(() => history.length);
  const recorder = recordRequests(page);
  check(await findTracker(page) === FOUND, 'the tracker is on the board');
  await shot(page, 'desktop-result');
  check(await findTracker(page, `  ${trackers.second.tracker.toUpperCase()} `) === FOUND,
    'a tracker in capitals, with spaces around, is found too');
  check(await findTracker(page, trackers.first.tracker) === MISSING, 'the replaced ballot is not on the board');
  check(await findTracker(page, 'xyz') === 'A tracker is 64 hexadecimal digits.', 'a malformed tracker is explained');
  const requests = await recorder.stop();
  const boards = requests.filter((r) => r.url.endsWith(`/api/v1/polls/${id}/board`));
  check(requests.length === 1 && boards.length === 1 && !('cookie' in boards[0].headers),
    `the lookups fetch the board once, without the session cookie (${requests.map((r) => r.url).join(' ')})`);
  check(!carries(requests, [trackers.first.tracker, trackers.second.tracker]), 'no request of the lookup carries a tracker');
  check(page.url() === url && url === `${base}/polls/${id}/result` &&
    await page.evaluate(() => history.length) === historyLength, 'the lookup does not change the URL or the history');
  // another poll's board, valid and signed (the vectors' board.json and key): not this poll's
  const vectors = path.join(ROOT, 'tests', 'vectors');
  await page.route('**/board', (route) => route.fulfill({ contentType: 'application/json', body: fs.readFileSync(path.join(vectors, 'board.json')) }));
  await page.route('**/server-key', (route) => route.fulfill({ contentType: 'application/x-pem-file', body: fs.readFileSync(path.join(vectors, 'server.pem')) }));
  await page.getByRole('button', { name: 'Verify the board in this browser' }).click();
  await page.locator('#verify-result.ok, #verify-result.bad').waitFor({ timeout: 30000 });
  check(/does NOT verify: it is another poll's board/.test(await page.locator('#verify-result').textContent()),
    'another poll\'s board does not verify for this poll');
  await page.unroute('**/board');
  await page.unroute('**/server-key');
  await page.getByRole('button', { name: 'Verify the board in this browser' }).click();
  await page.locator('#verify-result.ok').waitFor({ timeout: 30000 });
  check(/Its result: 2 promote, 1 do not promote: passed\./.test(await page.locator('#verify-result').textContent()),
    'the board verifies in the browser, with the result it proves');
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-e2e-'));
  cli(dataDir, ['user', 'add', 'alice', '--admin', '--display-name', 'Alice Admin', '--password-stdin'], 'alice-password-123\n');
  cli(dataDir, ['user', 'add', 'bob', '--password-stdin'], 'bob-password-123\n');
  cli(dataDir, ['user', 'add', 'carol', '--password-stdin'], 'carol-password-123\n');
  const { proc, base } = await startServer(dataDir);
  let browser;
  let phone;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // a fresh --user-data-dir: playwright gives each launch its own temporary profile
    });
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, timezoneId: 'America/New_York' });
    ctx.setDefaultTimeout(15000);
    const page = await ctx.newPage();
    watch(page, 'desktop');
    await adminFlow(page, base);
    const id = await nominate(page, base);
    const trackers = await boothFlow(page, base, id);
    phone = await phoneFlow(browser, base, id);
    const carol = await voteFromNode(base, 'carol', 'carol-password-123', id, 0);
    check(carol.status === 201 && carol.body.tracker === carol.made.tracker, 'a ballot made by the module in Node passes the C verifier');
    const casts = posted.filter((p) => p.url.endsWith(`/api/v1/polls/${id}/ballots`));
    const ballotKeys = new Set(['poll', 'fingerprint', 'tag', 'choices', 'sum_proof', 'replaces']);
    // alice: first, the lost change, the stale replacement refused, the change;
    // bob: the first vote answered 502, a first vote again (409), its replacement,
    // the change whose receipt does not verify
    check(casts.length === 8 && casts.every((p) => Object.keys(JSON.parse(p.body)).every((k) => ballotKeys.has(k))),
      'the browser posts only sealed ballots');
    check(posted.every((p) => !/Promote|choice=/.test(p.body)), 'no request carries the choice in clear');
    await resultFlow(page, base, id, trackers);
    await phone.page.goto(`${base}/polls/${id}/result`);
    // bob's confirmed ballot was replaced by the one whose receipt did not verify
    check(await phone.page.locator('#tracker').inputValue() === phone.confirmed, 'the phone fills in its confirmed tracker');
    const phoneRecorder = recordRequests(phone.page);
    const answer = await findTracker(phone.page);
    check(answer.startsWith(MISSING) && answer.includes(`was counted; its tracker is ${phone.unconfirmed}.`),
      `when the confirmed tracker is not on the board, the kept ballot that is is named as counted (${answer})`);
    check(!carries(await phoneRecorder.stop(), [phone.confirmed, phone.unconfirmed]), 'the phone\'s lookup sends no tracker');
    check(phone.page.url() === `${base}/polls/${id}/result`, 'the phone\'s URL does not change');
    await shot(phone.page, 'phone-result');
    await phone.page.locator('.outcome').screenshot({ path: path.join(SHOTS, 'phone-result-outcome.png') });
    await page.goto(`${base}/`);
    check(await page.locator('.poll.closed .badge.passed').isVisible(), 'the list shows the closed poll as passed');
    check(await page.getByText('2 promote, 1 do not promote').isVisible(), 'with its counts');
    await shot(page, 'desktop-home-closed');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    check(await page.getByRole('heading', { name: 'Log in' }).isVisible(), 'log out leads to the login page');
    // pages answered 4xx on purpose (a wrong password, the result before the close) are
    // logged by Chromium as failed loads, and so is the answer cut on purpose with the
    // booth's report of it; count missing files, server errors, script errors
    const errs = consoleLines.filter((l) => / error: /.test(l) && !/status of 4(0[0139]|29)/.test(l) &&
      !/ERR_CONNECTION_RESET|status of 502|Error: No (usable )?answer|Error: the server's key could not|another poll's board/.test(l));
    check(errs.length === 0 && pageErrors.length === 0, 'no console errors on any page');
  } catch (e) {
    check(false, `the walk-through stopped: ${e.message}`);
  } finally {
    if (failed) {
      console.error('--- browser console ---');
      for (const l of [...consoleLines, ...pageErrors]) console.error(l);
      console.error('--- server log (tail) ---');
      console.error(fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8').split('\n').slice(-40).join('\n'));
    }
    if (browser) await browser.close().catch(() => {});
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
