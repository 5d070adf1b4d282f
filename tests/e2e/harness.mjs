// harness.mjs — what the end-to-end test's parts share (tests/e2e/booth.mjs runs
// them): the counts of checks, the real `conclave` binary started on a free
// loopback port, the pages' console and requests as watched, screenshots, and
// steps several parts take (logging in, casting in the booth, reading a time).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as C from '../../static/js/conclave-crypto.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.CONCLAVE_BIN || './conclave');
export const POLL_SECONDS = Number(process.env.E2E_POLL_SECONDS || 40);
export const SHOTS = path.join(ROOT, 'tests', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let passed = 0;
let failed = 0;
export const consoleLines = [];
export const pageErrors = [];
export const posted = []; // every POST of a watched page: { page, url, body }
export const requested = []; // every URL a watched page asked for

/** The counts so far: { passed, failed }. */
export function counts() {
  return { passed, failed };
}

export function check(cond, what) {
  if (cond) passed++;
  else {
    failed++;
    console.error(`FAIL ${what}`);
  }
  return cond;
}

export function freePort() {
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

export function cli(dataDir, args, input) {
  const r = spawnSync(BIN, [...args, '--data', dataDir], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`conclave ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Starts `conclave serve` on DATADIR (its log in DATADIR/server.log), polls lasting
 *  POLLSECONDS (default POLL_SECONDS), on PORT (default a free one) with more options
 *  ARGS; resolves to { proc, base } once it answers. */
export async function startServer(dataDir, { pollSeconds = POLL_SECONDS, port = 0, args = [] } = {}) {
  port = port || await freePort();
  const log = fs.openSync(path.join(dataDir, 'server.log'), 'w');
  const proc = spawn(BIN, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`,
    '--poll-duration', String(pollSeconds), ...args], { cwd: ROOT, stdio: ['ignore', log, log] });
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

/** A real SMTP server on loopback (tests/smtp_sink.py, on Debian's python3-aiosmtpd),
 *  keeping each mail in DIR: resolves to { port, args (the `conclave serve` options
 *  that mail through it), mails(to) (the texts received for address TO), waitMail(to,
 *  n), stop() }. */
export async function startSmtpSink(dir) {
  const port = await freePort();
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawn('python3', [path.join(ROOT, 'tests', 'smtp_sink.py'), String(port), dir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => { if (String(d).includes('ready')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`smtp_sink.py exited ${code}`)));
  });
  const mails = (to) => fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .filter((m) => m.split('\r\n', 1)[0].split(/[ ,]+/).includes(to));
  return {
    port,
    args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--mail-from', 'conclave@example.org',
      '--public-url', 'https://vote.example.org'],     // a mail's link: its path on the test's server
    mails,
    async waitMail(to, n = 1, timeoutMs = 20000) {
      for (let t = 0; t < timeoutMs; t += 100) {
        if (mails(to).length >= n) return mails(to);
        await new Promise((r) => setTimeout(r, 100));
      }
      return mails(to);
    },
    stop() { proc.kill('SIGTERM'); },
  };
}

export function watch(page, name) {
  page.on('request', (r) => {
    requested.push(r.url());
    if (r.method() === 'POST') posted.push({ page: name, url: r.url(), body: r.postData() || '' });
  });
  page.on('console', (m) => consoleLines.push(`[${name}] ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(`[${name}] ${e.message}`));
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export async function login(page, base, user, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
}

export async function castInBooth(page, option, { keyboard = false } = {}) {
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

/** A <time> as the page shows it: its text and title, the UTC "HH:MM" of its
 *  datetime, and how many times of day the paragraph around it shows. */
export async function readTime(locator) {
  return locator.evaluate((el) => ({
    text: el.textContent.trim(),
    title: el.title,
    iso: el.getAttribute('datetime'),
    utc: el.getAttribute('datetime').slice(11, 16),
    times: (el.parentElement.textContent.match(/\d\d:\d\d/g) || []).length,
  }));
}

/** "HH:MM" of ISO shifted by MINUTES. */
export function clockAt(iso, minutes) {
  return new Date(Date.parse(iso) + minutes * 60000).toISOString().slice(11, 16);
}

export const ENGLISH_TIME = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d\d:\d\d [A-Z]{3}[+-]?[0-9:]*$/;

/** Records PAGE's requests from now on; stop() returns them with all their headers. */
export function recordRequests(page) {
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
export function carries(requests, trackers) {
  const texts = requests.map((r) => `${r.url}\n${r.body}\n${JSON.stringify(r.headers)}`.toLowerCase());
  return trackers.some((t) => texts.some((x) => x.includes(t.toLowerCase())));
}


/** A session of USER over the API: { cookie, csrf }. */
export async function apiSession(base, user, password) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`login of ${user} over the API: ${r.status}`);
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
  const { csrf_token: csrf } = await r.json();
  return { cookie, csrf };
}

/** The nominee's consent (issue 18), in the one place the browser tests open polls
 *  through, as tests/integration/harness.py does: a nomination without
 *  "nominee_consent" or "nominee_email" gets "nominee_consent": "attested" (the
 *  servers here run without mail, so in attest mode). */
export const CONSENT = { nominee_consent: 'attested' };

export function withConsent(body) {
  if (body === null || typeof body !== 'object' || 'nominee_consent' in body || 'nominee_email' in body) return body;
  return { ...body, ...CONSENT };
}

/** Fills the nomination form on PAGE (/polls/new): nominee, statement, and the ticked
 *  "The nominee has agreed to be nominated" (attest mode). */
export async function fillNomination(page, nominee, statement) {
  await page.getByLabel('Nominee', { exact: true }).fill(nominee);
  await page.getByLabel('Statement').fill(statement);
  await page.getByLabel('The nominee has agreed to be nominated').check();
}

/** POSTs BODY (JSON) to the API's PATH in session S: { status, body }. */
export async function apiPost(base, s, where, body) {
  const r = await fetch(`${base}${where}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
    body: JSON.stringify(where === '/api/v1/polls' ? withConsent(body) : body),
  });
  return { status: r.status, body: await r.json() };
}

/** Casts a ballot from Node with the browser's own crypto module, over the API. */
export async function voteFromNode(base, user, password, pollId, choice) {
  const s = await apiSession(base, user, password);
  const view = await (await fetch(`${base}/api/v1/polls/${pollId}`, { headers: { Cookie: s.cookie } })).json();
  const made = C.createBallot(C.checkPoll(view.record, { threshold: true }), choice);
  const cast = await apiPost(base, s, `/api/v1/polls/${pollId}/ballots`, made.ballot);
  return { ...cast, made };
}
