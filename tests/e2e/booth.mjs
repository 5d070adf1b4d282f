// End-to-end test of the web booth in a real headless Chromium (Debian's
// `chromium`, driven by playwright-core): the real `conclave` binary on a free
// loopback port with a temporary data directory and short polls.
//
//   node tests/e2e/booth.mjs        (CONCLAVE_BIN, default ./conclave;
//                                    E2E_POLL_SECONDS, default 40)
//
// Logs in, manages members, nominates, votes in the booth (the ballot sealed in
// the browser and accepted by the C verifier), changes the vote (once with the
// answer lost, then again from the kept secrets), votes from a
// phone-sized second browser and from Node with the same crypto module, leaves
// booths open past the deadline (one on a computer whose clock is an hour slow),
// and, on a second poll meanwhile: votes with the keyboard alone in a browser set
// to Kolkata's time and German (times in English, local, UTC on hover), votes in
// one tab and changes the vote in another of the same browser, and carries a change
// code to a fresh browser that changes the vote with it. Then it waits for the
// close, reads the result page with its chart, finds the tracker on the board in
// the browser (no request carries it, the URL stays), also the counted one of a
// ballot whose answer did not verify, verifies the board in the browser, and checks
// the second poll's counts and board. axe-core checks the booth (before and after
// casting, asking for and showing a change code, closed) and the result page at
// desktop and phone widths (a11y.mjs); then every other page a person meets is
// checked the same way at both widths, on a server of its own (pages.mjs).
// Screenshots go to tests/screenshots/; a
// failure prints the pages' console and the server log. Timings printed: sealing a
// ballot, how long each poll's steps took of its duration, how soon after the
// deadline an open booth closed.
// Last line: "e2e: N passed, N failed"; exit status 1 on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import * as C from '../../static/js/conclave-crypto.mjs';
import {
  CHROMIUM, POLL_SECONDS, ROOT, SHOTS, carries, castInBooth, check, cli, consoleLines, counts,
  fillNomination, login, pageErrors, posted, readTime, recordRequests, requested, shot, startServer, voteFromNode, watch,
} from './harness.mjs';
import { axeCheck } from './a11y.mjs';
import { checkClosed, leaveOpen } from './closing.mjs';
import { pagesWalk } from './pages.mjs';
import { changeCodeFlow, keyboardFlow, openPoll, poll2Result, twoTabsFlow } from './second-poll.mjs';

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
  await fillNomination(page, 'bob', 'Already here.');
  await page.getByRole('button', { name: 'Open the poll' }).click();
  check(await page.getByText('The nominee is already an active member').isVisible(),
    'a validation error names the problem');
  await shot(page, 'desktop-nominate-error');
  await fillNomination(page, 'Grace Hopper',
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
  const homeTime = await readTime(page.locator('.poll time').first());
  check(/ \d\d:\d\d GMT-[45]$/.test(homeTime.text) && homeTime.title.endsWith(`${homeTime.utc} UTC`) &&
    homeTime.times === 1, `the deadline once, in New York time, UTC on hover (${JSON.stringify(homeTime)})`);
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
  await axeCheck(page, 'the booth before casting, phone width');
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
  await axeCheck(page, 'the booth after casting, phone width');
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

const FOUND = 'Found: this ballot is on the board and was counted.';
const MISSING = 'Not on the board: no counted ballot has this tracker.';

/** Before the close of poll ID: its result page says the result is not out yet. */
async function resultWait(page, base, id) {
  await page.goto(`${base}/polls/${id}/result`);
  check(await page.getByText('The result is not out yet').isVisible(), 'no result before the close');
}

/** After the close (the result page of poll ID, open since resultWait). */
async function resultFlow(page, base, id, trackers) {
  // the page reloads itself once the deadline has passed
  await page.getByRole('heading', { name: 'Promote Grace Hopper: result' }).waitFor({ timeout: (POLL_SECONDS + 30) * 1000 });
  check(await page.getByText('Passed: Grace Hopper is promoted.').isVisible(), 'two votes of three pass');
  check(await page.getByText('2 promote (66.7%), 1 do not promote (33.3%)').isVisible(), 'the counts');
  check(await page.getByText('Turnout: 3 of 4 voted (75.0%).').isVisible(), 'the turnout');
  check(await page.locator('svg.chart rect.bar-yes').count() === 1, 'the chart is drawn');
  check(await page.locator('svg.chart line.line').count() === 1, 'with the two-thirds line');
  await axeCheck(page, 'the result page, desktop width');
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
  await boardTiming(page);
}

// Issue 20: how long the browser's verifyBoard takes on a 1,000-ballot board, signed, of a
// fresh poll (made by build/board_gen with the server's own code), in this page.
async function boardTiming(page) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-board-'));
  const gen = path.resolve(ROOT, process.env.CONCLAVE_BUILD || 'build', 'board_gen');
  const made = spawnSync(gen, ['1000', path.join(dir, 'board.json'), path.join(dir, 'server.pem')], { stdio: 'inherit' });
  check(made.status === 0, `board_gen made a 1,000-ballot board (${gen}: exit ${made.status})`);
  if (made.status !== 0) return;
  const board = fs.readFileSync(path.join(dir, 'board.json'), 'utf8');
  const pem = fs.readFileSync(path.join(dir, 'server.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  const got = await page.evaluate(async ([text, key]) => {
    const Cr = await import('/static/js/conclave-crypto.mjs');
    const t0 = performance.now();
    const r = Cr.verifyBoard(text, { serverKey: key });
    return { ms: performance.now() - t0, N: r.N, counts: r.counts };
  }, [board, pem]);
  console.log(`booth: verifyBoard of a 1,000-ballot board in the browser ${(got.ms / 1000).toFixed(1)} s ` +
    `(${(got.ms / got.N).toFixed(1)} ms a ballot)`);
  check(got.N === 1000 && got.counts[0] + got.counts[1] === 1000,
    `the 1,000-ballot board verifies in the browser (N ${got.N}, counts ${got.counts})`);
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
    const opened = Date.now();
    const closesIso = await page.locator('.status time').getAttribute('datetime');
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
    const leftOpen = await leaveOpen(browser, ctx, base, id);
    await resultWait(page, base, id);
    console.log(`e2e: the first poll's steps before its close took ${((Date.now() - opened) / 1000).toFixed(1)} s of its ${POLL_SECONDS} s`);
    // a second poll while the first one closes: the keyboard, two tabs, a change code
    const tabs = await ctx.newPage();
    watch(tabs, 'nominate');
    const id2 = await openPoll(tabs, base, 'Ada Lovelace', 'Ada wrote the first program.');
    const opened2 = Date.now();
    await tabs.close();
    // carol's keyboard and alice's tabs in parallel: separate browsers (contexts)
    const [tabA, last] = await Promise.all([
      (async () => {
        const a = await twoTabsFlow(ctx, base, id2);
        return [a, await changeCodeFlow(browser, a, base, id2)];
      })(),
      keyboardFlow(browser, base, id2),
    ]).then(([alice]) => alice);
    console.log(`e2e: the second poll's steps before its close took ${((Date.now() - opened2) / 1000).toFixed(1)} s of its ${POLL_SECONDS} s`);
    await checkClosed(leftOpen, base, id, closesIso);
    check(posted.every((p) => !/Promote|choice=|"rho"|change.?code/i.test(p.body)), 'no request carries the choice, a secret or a change code in clear');
    const secrets = [...last.staleRhos, last.rho];
    check(posted.every((p) => !secrets.some((r) => p.body.includes(r)) || /"replaces":"[0-9a-f]{64}"}$/.test(p.body)) &&
      requested.every((u) => !secrets.some((r) => u.includes(r) || u.includes(r.slice(0, 8)))),
    'a change code is sent only as the "replaces" of a ballot, never in a URL');
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
    await axeCheck(phone.page, 'the result page, phone width');
    await phone.page.locator('.outcome').screenshot({ path: path.join(SHOTS, 'phone-result-outcome.png') });
    await poll2Result(tabA, base, id2, last);
    await page.goto(`${base}/`);
    check(await page.locator('.poll.closed', { hasText: 'Grace Hopper' }).locator('.badge.passed').isVisible(),
      'the list shows the closed poll as passed');
    check(await page.getByText('2 promote, 1 do not promote').isVisible(), 'with its counts');
    await shot(page, 'desktop-home-closed');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    check(await page.getByRole('heading', { name: 'Log in' }).isVisible(), 'log out leads to the login page');
    // pages answered 4xx on purpose (a wrong password, the result before the close, a
    // stale change code, a cast after the close) are logged by Chromium as failed loads,
    // and so are the answers cut or replaced on purpose (the booth tells the voter and
    // logs nothing); count missing files, server errors, script errors
    const errs = consoleLines.filter((l) => / error: /.test(l) && !/status of 4(0[0139]|29)/.test(l) &&
      !/ERR_CONNECTION_RESET|status of 502|another poll's board/.test(l));
    check(errs.length === 0 && pageErrors.length === 0, 'no console errors on any page');
    // every other page a person meets, at both widths (its own server)
    const seen = consoleLines.length;
    const seenErrors = pageErrors.length;
    await pagesWalk(browser);
    const pagesErrs = consoleLines.slice(seen).filter((l) => / error: /.test(l) && !/status of 4(0[01349]|10)/.test(l));
    check(pagesErrs.length === 0 && pageErrors.length === seenErrors, 'no console errors on the other pages');
  } catch (e) {
    check(false, `the walk-through stopped: ${e.message}`);
  } finally {
    if (counts().failed) {
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
  const { passed, failed } = counts();
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
