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
 *  POLLSECONDS (default POLL_SECONDS); resolves to { proc, base } once it answers. */
export async function startServer(dataDir, { pollSeconds = POLL_SECONDS } = {}) {
  const port = await freePort();
  const log = fs.openSync(path.join(dataDir, 'server.log'), 'w');
  const proc = spawn(BIN, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`,
    '--poll-duration', String(pollSeconds)], { cwd: ROOT, stdio: ['ignore', log, log] });
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

/** POSTs BODY (JSON) to the API's PATH in session S: { status, body }. */
export async function apiPost(base, s, where, body) {
  const r = await fetch(`${base}${where}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
    body: JSON.stringify(body),
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
