// End-to-end test of the login through the team's OpenID provider (issue 19) in a
// real headless Chromium (Debian's chromium, playwright-core): the test provider
// (tests/oidc/provider.mjs, npm oidc-provider) and the real `conclave` binary, each
// on a free loopback port. A member clicks "Log in with Test SSO", signs in at the
// provider (at http://localhost:PORT, another site than Conclave's 127.0.0.1, as a
// real provider is), comes back logged in (the SameSite=Strict session cookie works
// after the cross-site return: a plain redirect would lose it), votes in an open poll in the booth, and logs out; with
// the login declined at the provider, the page says so. axe-core checks the login page
// with its button and the refusal page.
//
//   node tests/e2e/oidc.mjs        (CONCLAVE_BIN, default ./conclave)
//
// Last line: "e2e-oidc: N passed, N failed"; exit status 1 on any failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';
import {
  CHROMIUM, ROOT, apiPost, apiSession, castInBooth, check, cli, counts, freePort, pageErrors,
  shot, startServer, watch,
} from './harness.mjs';
import { axeCheck } from './a11y.mjs';

const SECRET = 'e2e-client-secret-0123456789abcdef';

/** Starts the test provider for Conclave at PORT: { proc, issuer }. */
async function startProvider(dir, port) {
  const secretFile = path.join(dir, 'provider-secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const proc = spawn('node', ['tests/oidc/provider.mjs', '--port', String(await freePort()),
    '--redirect', `http://127.0.0.1:${port}/login/oidc/callback`, '--secret-file', secretFile,
    // another site than Conclave's 127.0.0.1, as a real provider is
    '--host', 'localhost'],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', () => reject(new Error('the test provider did not start')));
  });
  return { proc, issuer: JSON.parse(line).issuer };
}

async function signIn(page, base, login, { decline = false } = {}) {
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: 'Log in with Test SSO' }).click();
  await page.waitForURL(/\/interaction\//);
  await page.locator('#login').fill(login);
  await page.locator(decline ? '#decline' : '#signin').click();
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-e2e-oidc-'));
  fs.chmodSync(dataDir, 0o700);
  const port = await freePort();
  const provider = await startProvider(dataDir, port);
  const secretFile = path.join(dataDir, 'oidc-secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  cli(dataDir, ['user', 'add', 'nina', '--password-stdin'], 'nina-password-123\n');
  cli(dataDir, ['user', 'add', 'carol', '--email', 'carol@example.org', '--display-name', 'Carol Member', '--password-stdin'],
    'carol-password-123\n');
  const { proc, base } = await startServer(dataDir, { port, pollSeconds: 600, args: [
    '--public-url', `http://127.0.0.1:${port}`, '--oidc-issuer', provider.issuer,
    '--oidc-client-id', 'conclave', '--oidc-client-secret-file', secretFile, '--oidc-name', 'Test SSO'] });
  let browser;
  try {
    const s = await apiSession(base, 'nina', 'nina-password-123');
    const made = await apiPost(base, s, '/api/v1/polls', { nominee: 'Ada Lovelace', statement: 'Good work.' });
    check(made.status === 201 || made.status === 200, `a poll is opened (${made.status})`);
    const pollId = made.body.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    ctx.setDefaultTimeout(15000);
    const page = await ctx.newPage();
    watch(page, 'oidc');
    await page.goto(`${base}/login`);
    await shot(page, 'desktop-login-oidc');
    await axeCheck(page, 'the login page with the provider\'s button');
    await signIn(page, base, 'carol');
    await page.waitForURL(`${base}/`);
    check(await page.locator('.who').textContent() === 'Carol Member',
      'back from the provider, logged in as Carol Member');
    await shot(page, 'desktop-home-after-oidc');
    await page.goto(`${base}/polls/${pollId}`);
    const cast = await castInBooth(page, 'Promote Ada Lovelace');
    check(/checks out/.test(cast.receipt) && /^[0-9a-f]{64}$/.test(cast.tracker),
      `carol votes in the booth (${cast.receipt.trim()})`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    check(await page.getByRole('link', { name: 'Log in with Test SSO' }).isVisible(),
      'logged out of Conclave, the button is there again');
    const ctx2 = await browser.newContext();
    ctx2.setDefaultTimeout(15000);
    const page2 = await ctx2.newPage();
    watch(page2, 'oidc-declined');
    await signIn(page2, base, 'carol', { decline: true });
    await page2.waitForURL(/\/login\/oidc\/callback/);
    check(await page2.getByRole('heading', { name: 'Login declined' }).isVisible(),
      'a login declined at the provider is a page that says so');
    await shot(page2, 'desktop-oidc-declined');
    await axeCheck(page2, 'the page of a declined login');
    check(pageErrors.length === 0, `no script errors (${pageErrors.join('; ')})`);
  } catch (e) {
    check(false, `the walk-through stopped: ${e.message}`);
  } finally {
    if (counts().failed) {
      console.error('--- server log (tail) ---');
      console.error(fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8').split('\n').slice(-30).join('\n'));
    }
    if (browser) await browser.close().catch(() => {});
    proc.kill('SIGTERM');
    provider.proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const { passed, failed } = counts();
  console.log(`e2e-oidc: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
