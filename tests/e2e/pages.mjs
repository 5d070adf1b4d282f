// pages.mjs — issue 15 item 26 on every page a person meets: each page, in each
// state worth seeing, is checked by axe-core at desktop and phone (390 px) widths
// (and its colours' contrast in dark mode), and at 390 px nothing may stick out of
// the screen or be cut off (a11y.mjs, checkPage; screenshots desktop-NAME.png and
// phone-NAME.png in tests/screenshots/).
//
//   node tests/e2e/pages.mjs     (alone; tests/e2e/booth.mjs also runs it at its end)
//
// Its own server and data directory, polls of E2E_PAGES_POLL_SECONDS (default 40):
// poll A opened over the API with two votes, poll W withdrawn; while A runs, the
// pages that need no poll (login, with a wrong password; the nomination form, with
// an error; the members page with a new one-time password, the deactivation
// confirmation and after it; the audit log; the councils page, with an error, and a
// new council's ceremony page; the mail page and "Forgot your password?" (mail off);
// /account, with an error, and "choose your
// password" after a one-time password; /account/tokens with a new token;
// /set-password; error and not-found pages). Poll B opens once A has closed, so
// that the home page shows open, closed and withdrawn polls; then B's withdrawal
// confirmation, its booth before and after casting and with a change code shown,
// its result page before the close; A's result page logged in and public, A's
// closed and W's withdrawn poll pages. Poll C, opened after B's pages once the
// 1-of-1 council of the councils' pages is in use (sealed by alice as its trustee,
// two ballots): past its deadline, its poll page and its result page (409) while it
// waits for its trustee, and /admin/decryptions; then alice's `conclave trustee
// decrypt`, its result page naming her, and /admin/decryptions again. The booth's
// other states (asking for a change code, closed at the deadline) are in booth.mjs's walk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DESKTOP, PHONE, checkPage } from './a11y.mjs';
import { spawnSync } from 'node:child_process';
import {
  BIN, CHROMIUM, SHOTS, apiPost, apiSession, castInBooth, check, cli, consoleLines, counts,
  fillNomination, login,
  pageErrors, startServer, voteFromNode, watch,
} from './harness.mjs';

const POLL_SECONDS = Number(process.env.E2E_PAGES_POLL_SECONDS || 40);
const PW = { alice: 'alice-password-123', bob: 'bob-password-123', carol: 'carol-password-123' };
const STATEMENT = 'Grace has **reviewed 300 pull requests** and mentored many contributors.\n\n' +
  '## Work\n\n- maintains the compiler\n- wrote the [release tooling](https://example.org/tools)\n\n' +
  '```\nmake release VERSION=1.2.3 SIGN=yes CHANNEL=stable-and-a-long-name-for-the-channel\n```\n\n' +
  'A long address: https://example.org/a/very/long/path/that/does/not/break/anywhere/at/all/x.html';

/** A context of its own (a fresh browser profile) with one page, watched as NAME. */
async function freshPage(browser, name) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, timezoneId: 'Europe/Paris' });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  watch(page, name);
  return { ctx, page };
}

/** Waits until poll ID's result is published (its deadline passed and the close ran). */
async function waitForResult(base, id, closesIso) {
  const until = Math.max(Date.parse(closesIso) + 30000, Date.now() + 5000);
  for (;;) {
    if ((await fetch(`${base}/api/v1/polls/${id}/result`)).status === 200) return;
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`poll ${id} did not close`);
}

/** Login (also after a wrong password) and the home page with an open and a withdrawn poll. */
async function loginPages(page, base) {
  await page.goto(`${base}/login`);
  await checkPage(page, 'login', 'the login page');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Wrong username or password.').waitFor();
  await checkPage(page, 'login-error', 'the login page after a wrong password');
  await login(page, base, 'alice', PW.alice);
}

/** The nomination form, empty and refused (the nominee has an open poll, linked). */
async function nominationPages(page, base) {
  await page.goto(`${base}/polls/new`);
  await checkPage(page, 'nominate', 'the nomination form');
  await fillNomination(page, 'Grace Hopper', 'Again.');
  await page.getByRole('button', { name: 'Open the poll' }).click();
  await page.locator('#nominee-error').waitFor();
  check(await page.locator('#nominee-error a').count() === 1, 'the duplicate nominee\'s error links the open poll');
  await checkPage(page, 'nominate-error', 'the nomination form with an error');
}

/** The members page with a new one-time password and with a set-password link, the
 *  deactivation confirmation of a member on an open poll's roll, the page after it,
 *  and the audit log. Returns the password and the link. */
async function adminPages(page, base, dataDir) {
  await page.goto(`${base}/admin/members`);
  await page.getByLabel('Username').fill('dave');
  await page.getByLabel('Display name (optional)').fill('Dave Developer-With-A-Long-Name');
  await page.getByLabel('Email (optional)').fill('dave.developer.with.a.long.address@example.org');
  await page.getByRole('button', { name: 'Add member' }).click();
  const password = (await page.locator('#new-password').textContent()).trim();
  await checkPage(page, 'admin-members-added', 'the members page with a new one-time password');
  await page.getByRole('button', { name: 'Make a set-password link for Erin Example (erin)' }).click();
  const link = (await page.locator('#new-link').textContent()).trim();
  await checkPage(page, 'admin-members-link', 'the members page with a set-password link');
  await page.getByRole('button', { name: 'Deactivate Carol (carol)' }).click();
  await page.waitForURL(/\/admin\/members\/deactivate\?username=carol$/);
  await checkPage(page, 'admin-deactivate-confirm', 'the deactivation confirmation');
  await page.getByRole('button', { name: 'Deactivate Carol (carol)' }).click();
  await page.getByText('is now deactivated').waitFor();
  await checkPage(page, 'admin-members', 'the members page after a deactivation');
  await page.goto(`${base}/admin/audit`);
  await checkPage(page, 'admin-audit', 'the audit log');
  await page.goto(`${base}/admin/mail`);
  await checkPage(page, 'admin-mail', 'the mail page (mail off: how to turn it on)');
  await page.goto(`${base}/admin/webhooks`);
  await checkPage(page, 'admin-webhooks', 'the webhooks page (off: how to turn it on)');
  const council = await councilPages(page, base, dataDir);
  return { password, link, council };
}

/** `conclave trustee ARGS` as alice on her own machine (HOME), with TOKEN. */
function trustee(base, home, token, args) {
  const r = spawnSync(BIN, ['trustee', ...args.map((a) => a.replace('{server}', base))],
    { encoding: 'utf8', env: { ...process.env, HOME: home, CONCLAVE_TOKEN: token, XDG_CONFIG_HOME: '' } });
  if (r.status !== 0) throw new Error(`conclave trustee ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The councils page, its form refused, a new council's ceremony page, and a complete
 *  council's (a 1-of-1 ceremony run by alice's `conclave trustee`). */
async function councilPages(page, base, dataDir) {
  await page.goto(`${base}/admin/councils`);
  await checkPage(page, 'admin-councils', 'the councils page');
  await page.getByLabel('Name').fill('Council 2027');
  await page.getByLabel('Trustees').fill('alice bob');
  await page.getByLabel('Threshold').fill('3');
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await page.locator('#council-error').waitFor();
  await checkPage(page, 'admin-councils-error', 'the councils page with an error');
  await page.getByLabel('Threshold').fill('2');
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await page.waitForURL(/\/admin\/councils\/[0-9a-f]{16}$/);
  await checkPage(page, 'admin-council', 'a council\'s ceremony page');
  const id = cli(dataDir, ['council', 'create', 'Council 2026', '--threshold', '1', '--trustee', 'alice']).trim();
  const token = cli(dataDir, ['token', 'create', 'alice']).match(/cnv_[A-Za-z0-9_-]+/)[0];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-e2e-trustee-'));
  trustee(base, home, token, ['keygen', '--server', '{server}', id]);
  trustee(base, home, token, ['deal', '--server', '{server}', id]);
  const digest = trustee(base, home, token, ['verdict', '--server', '{server}', id]).trim();
  await page.goto(`${base}/admin/councils/${id}`);
  check((await page.locator('#ceremony-digest').textContent()).trim() === digest,
    'the complete council\'s page shows the digest its trustee printed');
  await checkPage(page, 'admin-council-complete', 'a complete council\'s page');
  return { id, token, home };
}

/** Poll C, sealed by alice's 1-of-1 council (opened with poll B, two ballots): once
 *  closed and waiting for its trustee, its poll page, its result page (409) and
 *  /admin/decryptions; then alice's `conclave trustee decrypt`, and the result page
 *  naming the trustee who decrypted, and /admin/decryptions with it published. */
async function decryptingPages(page, base, s, council, c) {
  const until = Date.parse(c.closes_at) + 30000;
  let view;
  for (;;) {
    view = await (await fetch(`${base}/api/v1/polls/${c.id}`, { headers: { Cookie: s.cookie } })).json();
    if (view.state === 'decrypting' || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  check(view.state === 'decrypting', `poll C waits for its trustee after its deadline (${view.state})`);
  await page.goto(`${base}/polls/${c.id}`);
  await page.locator('#poll-decrypting').waitFor();
  await checkPage(page, 'poll-decrypting', 'a poll\'s page while its trustees decrypt');
  const r = await page.goto(`${base}/polls/${c.id}/result`);
  check(r.status() === 409, `the result page of a poll being decrypted answers 409 (${r.status()})`);
  await checkPage(page, 'result-decrypting', 'the result page while the trustees decrypt');
  await page.goto(`${base}/admin/decryptions`);
  check(await page.locator(`.poll.decrypting[data-poll="${c.id}"]`).count() === 1,
    '/admin/decryptions lists poll C as waiting for its trustees');
  await checkPage(page, 'admin-decryptions', 'the decryptions page with a poll waiting');
  const roster = path.join(council.home, 'roster.txt');
  fs.writeFileSync(roster, view.record.roll.join('\n') + '\n');
  trustee(base, council.home, council.token,
    ['decrypt', '--server', '{server}', c.id, '--roster', roster, '--min-ballots', '2']);
  const done = await page.goto(`${base}/polls/${c.id}/result`);
  check(done.status() === 200 && /Alice Admin|alice/.test(await page.locator('main').textContent()),
    'the result page of poll C, decrypted, names its trustee');
  await checkPage(page, 'result-council', 'the result page of a poll decrypted by its trustees');
  await page.goto(`${base}/admin/decryptions`);
  await checkPage(page, 'admin-decryptions-published', 'the decryptions page with a poll published');
}

/** /account (also with an error) and /account/tokens with a new token. */
async function accountPages(page, base) {
  await page.goto(`${base}/account`);
  await checkPage(page, 'account', 'the account page');
  await page.getByLabel('Current password').fill('not-the-password');
  await page.getByLabel('New password', { exact: true }).fill('a-new-password-123');
  await page.getByLabel('New password, again').fill('a-new-password-123');
  await page.getByRole('button', { name: 'Change my password' }).click();
  await page.locator('#account-error').waitFor();
  await checkPage(page, 'account-error', 'the account page with an error');
  await page.goto(`${base}/account/tokens`);
  await page.getByLabel('Label (optional)').fill('laptop');
  await page.getByRole('button', { name: 'Make a token' }).click();
  await page.locator('#new-token').waitFor();
  await checkPage(page, 'account-tokens-new', 'the tokens page with a new token');
  await page.goto(`${base}/account/tokens`);
  await checkPage(page, 'account-tokens', 'the tokens page');
}

/** A page that is not there, and error pages. */
async function errorPages(page, base) {
  const missing = await page.goto(`${base}/no/such/page`);
  check(missing.status() === 404, `an unknown address answers 404 (${missing.status()})`);
  await checkPage(page, 'not-found', 'the not-found page');
  await page.goto(`${base}/polls/${'0'.repeat(32)}`);
  await checkPage(page, 'error-no-poll', 'the error page of an unknown poll');
  await page.goto(`${base}/forgot-password`);
  await checkPage(page, 'forgot-password', '"Forgot your password?" without mail');
}

/** Dave's first login with his one-time password: "Choose your password". */
async function choosePassword(browser, base, password) {
  const { ctx, page } = await freshPage(browser, 'dave');
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill('dave');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/account$/);
  check(await page.getByRole('heading', { name: 'Choose your password' }).isVisible(), 'a one-time password leads to "Choose your password"');
  await checkPage(page, 'account-choose', 'the account page asking to choose a password');
  await ctx.close();
}

/** Erin (imported, no password) opens the set-password link LINK that an admin made;
 *  a wrong link is a 410 page. */
async function setPasswordPages(browser, base, link) {
  const { ctx, page } = await freshPage(browser, 'erin');
  await page.goto(link);
  check(await page.getByRole('heading', { name: 'Choose your password' }).isVisible(), 'the set-password link opens its page');
  await checkPage(page, 'set-password', 'the set-password page');
  const gone = await page.goto(`${base}/set-password?link=${'a'.repeat(43)}`);
  check(gone.status() === 410, `an unknown set-password link is a 410 page (${gone.status()})`);
  await checkPage(page, 'set-password-gone', 'the error page of an unknown set-password link');
  await ctx.close();
}

/** Poll B, opened after A closed: the home page with open, closed and withdrawn polls,
 *  B's withdrawal confirmation, its result page before the close, and its booth
 *  before and after casting and with a change code shown. */
async function pollBPages(page, base, b) {
  await page.goto(`${base}/`);
  check(await page.locator('.poll.card:not(.closed):not(.withdrawn)').count() === 1 &&
    await page.locator('.poll.closed').count() === 1 && await page.locator('.poll.withdrawn').count() === 1,
  'the home page shows an open, a closed and a withdrawn poll');
  await checkPage(page, 'home', 'the home page with open, closed and withdrawn polls');
  await page.goto(`${base}/polls/${b}`);
  await page.getByRole('button', { name: 'Withdraw this poll…' }).click();
  await page.getByRole('heading', { name: 'Withdraw this poll? This cannot be undone.' }).waitFor();
  await checkPage(page, 'withdraw-confirm', 'the withdrawal confirmation');
  await page.getByRole('link', { name: 'Keep it open' }).click();
  await page.goto(`${base}/polls/${b}/result`);
  await checkPage(page, 'result-wait', 'the result page before the close');
  await page.goto(`${base}/polls/${b}`);
  await page.locator('#booth-cast:not([disabled])').waitFor();
  await checkPage(page, 'booth', 'the booth before casting');
  check(await page.locator('#withdraw').isVisible(), 'before any ballot the poll\'s opener may withdraw it');
  await castInBooth(page, 'Do not promote');
  check(!(await page.locator('#withdraw').isVisible()), 'once a ballot is cast the page no longer offers the withdrawal');
  await checkPage(page, 'booth-voted', 'the booth after casting');
  await page.getByRole('button', { name: 'Save a change code' }).click();
  await page.locator('#booth-code-out').waitFor();
  await checkPage(page, 'booth-change-code', 'the booth showing a change code');
}

/** Item 24 on the result page at width SIZE: a whole tracker is in view in its field,
 *  the chart's labels are no larger than the text, the signed message breaks between
 *  words (a word broken across lines starts a line of its own). */
async function resultLayout(page, size, where) {
  await page.setViewportSize(size);
  await page.locator('#tracker').fill('0123456789abcdef'.repeat(4));
  const seen = await page.evaluate(() => {
    const field = document.getElementById('tracker');
    const svg = document.querySelector('svg.chart');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const labels = [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    const code = document.getElementById('signed-message');
    const left = code.getClientRects()[0].left;
    const broken = [];
    let at = 0;
    for (const word of code.textContent.split(' ')) {
      const range = document.createRange();
      range.setStart(code.firstChild, at);
      range.setEnd(code.firstChild, at + word.length);
      const rects = [...range.getClientRects()];
      const lines = new Set(rects.map((r) => Math.round(r.top)));
      if (lines.size > 1 && Math.abs(rects[0].left - left) > 1) broken.push(word.slice(0, 12));
      at += word.length + 1;
    }
    return {
      fits: field.scrollHeight <= field.clientHeight + 1 && field.scrollWidth <= field.clientWidth + 1,
      labels, text: parseFloat(getComputedStyle(document.body).fontSize), broken,
    };
  });
  check(seen.fits, `${where}: the tracker field shows a whole tracker`);
  check(seen.labels.length > 0 && seen.labels.every((px) => px <= seen.text),
    `${where}: the chart's labels are no larger than the text (${seen.labels.map((x) => x.toFixed(1))} <= ${seen.text})`);
  check(seen.broken.length === 0, `${where}: the signed message breaks between words (${seen.broken})`);
  await page.locator('#tracker').fill('');
  await page.setViewportSize(DESKTOP);
}

/** Item 24: a Markdown heading in a statement does not look like the card's label. */
async function statementHeading(page) {
  const [label, heading] = await page.evaluate(() => [
    document.querySelector('.statement .card-label'),
    document.querySelector('.statement :is(h3, h4, h5, h6)'),
  ].map((el) => el && { size: parseFloat(getComputedStyle(el).fontSize), caps: getComputedStyle(el).textTransform }));
  check(label && heading && heading.caps !== 'uppercase' && heading.size > label.size,
    `a statement's heading is larger than the card's label and not in capitals (${JSON.stringify([label, heading])})`);
}

/** Poll A's result page (logged in, and public), its closed poll page, W's withdrawn one. */
async function closedPages(browser, page, base, a, w) {
  await page.goto(`${base}/polls/${a}/result`);
  await checkPage(page, 'result', 'the result page, logged in');
  await resultLayout(page, PHONE, 'the result page at 390 px');
  await resultLayout(page, DESKTOP, 'the result page at 1200 px');
  await page.goto(`${base}/polls/${a}`);
  await checkPage(page, 'poll-closed', 'a closed poll\'s page');
  await statementHeading(page);
  await page.goto(`${base}/polls/${w}`);
  await checkPage(page, 'poll-withdrawn', 'a withdrawn poll\'s page');
  const { ctx, page: outsider } = await freshPage(browser, 'public');
  const r = await outsider.goto(`${base}/polls/${a}/result`);
  check(r.status() === 200 && await outsider.getByRole('link', { name: 'Log in' }).isVisible(),
    'the result page is public, with "Log in" in the header');
  await checkPage(outsider, 'result-public', 'the result page, public');
  await ctx.close();
}

/** The whole walk in BROWSER, with its own server; adds to the harness's counts. */
export async function pagesWalk(browser) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-pages-'));
  cli(dataDir, ['user', 'add', 'alice', '--admin', '--display-name', 'Alice Admin', '--password-stdin'], `${PW.alice}\n`);
  cli(dataDir, ['user', 'add', 'bob', '--display-name', 'Bob', '--password-stdin'], `${PW.bob}\n`);
  cli(dataDir, ['user', 'add', 'carol', '--display-name', 'Carol', '--password-stdin'], `${PW.carol}\n`);
  cli(dataDir, ['user', 'import', '-'], 'erin,Erin Example,erin@example.org\n');
  const { proc, base } = await startServer(dataDir, { pollSeconds: POLL_SECONDS });
  const started = Date.now();
  let ctx, password, link, council;
  try {
    const s = await apiSession(base, 'alice', PW.alice);
    const a = await apiPost(base, s, '/api/v1/polls', { nominee: 'Grace Hopper', statement: STATEMENT });
    const w = await apiPost(base, s, '/api/v1/polls', { nominee: 'Opened By Mistake', statement: 'Oops.' });
    if (a.status !== 201 || w.status !== 201) throw new Error(`opening the polls: ${a.status} ${w.status}`);
    const withdrawn = await apiPost(base, s, `/api/v1/polls/${w.body.id}/withdraw`, {});
    check(withdrawn.status === 200, `poll W is withdrawn (${withdrawn.status})`);
    for (const who of ['bob', 'carol']) {
      const v = await voteFromNode(base, who, PW[who], a.body.id, 0);
      check(v.status === 201, `${who} votes on poll A (${v.status})`);
    }
    ({ ctx } = await freshPage(browser, 'pages'));
    const page = ctx.pages()[0];
    await loginPages(page, base);
    await nominationPages(page, base);
    ({ password, link, council } = await adminPages(page, base, dataDir));
    await accountPages(page, base);
    await errorPages(page, base);
    await choosePassword(browser, base, password);
    await setPasswordPages(browser, base, link);
    console.log(`pages: the pages without a poll took ${((Date.now() - started) / 1000).toFixed(1)} s of poll A's ${POLL_SECONDS} s`);
    await waitForResult(base, a.body.id, a.body.closes_at);
    const b = await apiPost(base, s, '/api/v1/polls', { nominee: 'Ada Lovelace', statement: 'Ada wrote the first program.' });
    const bOpened = Date.now();
    await pollBPages(page, base, b.body.id);
    cli(dataDir, ['council', 'use', council.id]);
    const c = await apiPost(base, s, '/api/v1/polls', { nominee: 'Barbara Liskov', statement: 'Sealed by a council.' });
    check(c.status === 201, `poll C is opened (${c.status})`);
    for (const who of ['alice', 'bob']) {
      const v = await voteFromNode(base, who, PW[who], c.body.id, 0);
      check(v.status === 201, `${who} votes on poll C (${v.status})`);
    }
    console.log(`pages: poll B's pages took ${((Date.now() - bOpened) / 1000).toFixed(1)} s of its ${POLL_SECONDS} s`);
    await closedPages(browser, page, base, a.body.id, w.body.id);
    await decryptingPages(page, base, s, council, c.body);
  } catch (e) {
    check(false, `the walk through the pages stopped: ${e.message}`);
  } finally {
    if (ctx) await ctx.close().catch(() => {});
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    if (counts().failed) {
      console.error('--- pages: server log (tail) ---');
      console.error(fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8').split('\n').slice(-30).join('\n'));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (council) fs.rmSync(council.home, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    await pagesWalk(browser);
  } finally {
    await browser.close().catch(() => {});
  }
  const errs = consoleLines.filter((l) => / error: /.test(l) && !/status of 4(0[01349]|10)/.test(l));
  check(errs.length === 0 && pageErrors.length === 0, `no console errors on any page (${[...errs, ...pageErrors].join('; ')})`);
  const { passed, failed } = counts();
  console.log(`pages: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
