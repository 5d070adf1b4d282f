// mail-pages.mjs — the pages a mail leads to, in a real headless Chromium, with a real
// SMTP server on loopback (tests/smtp_sink.py, started here through harness.mjs): the
// invitation (a member added by the CLI gets a link, sets a password there and is
// logged in), the password reset ("Forgot your password?" -> the mail -> the new
// password works, the old one no longer does) and the nominee's consent page (accept
// opens the poll, decline withdraws it). Each page is checked by axe at both widths,
// as tests/e2e/pages.mjs checks the others.
//
//     CONCLAVE_BIN=./conclave node tests/e2e/mail-pages.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { checkPage } from './a11y.mjs';
import {
  CHROMIUM, SHOTS, check, cli, counts, login, startServer, startSmtpSink, watch,
} from './harness.mjs';

const ADMIN_PW = 'admin-password-123';

/** The path of the first link to /PAGE?link= in the last mail to TO. */
async function linkIn(sink, to, page) {
  const mails = await sink.waitMail(to);
  check(mails.length >= 1, `a mail reached ${to}`);
  const m = (mails[mails.length - 1] || '').match(new RegExp(`https://vote\\.example\\.org(/${page}\\?link=[A-Za-z0-9_-]+)`));
  check(m !== null, `the mail to ${to} holds a /${page} link`);
  return m ? m[1] : `/${page}?link=none`;
}

/** Sets PASSWORD on the set-password page PAGE is on; waits for /account. */
async function choosePassword(page, base, password) {
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('New password, again').fill(password);
  await page.getByRole('button', { name: 'Set my password' }).click();
  await page.waitForURL(`${base}/account`);
}

async function invitation(browser, base, dataDir, sink) {
  cli(dataDir, ['user', 'add', 'ivy', '--display-name', 'Ivy Invited', '--email', 'ivy@example.org']);
  const where = await linkIn(sink, 'ivy@example.org', 'set-password');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  watch(page, 'invitation');
  await page.goto(`${base}${where}`);
  check(await page.getByRole('heading', { name: 'Choose your password' }).count() === 1,
    'the invitation link opens the set-password page');
  await checkPage(page, 'mail-invitation', 'the invitation\'s set-password page');
  await choosePassword(page, base, 'ivy-chosen-password-1');
  check((await page.content()).includes('<code>ivy</code>'), 'after the invitation, ivy is logged in (her account page)');
  await page.goto(`${base}${where}`);
  check((await page.content()).includes('expired or was already used'), 'the invitation link works once');
  await ctx.close();
}

async function reset(browser, base, dataDir, sink) {
  cli(dataDir, ['user', 'add', 'rita', '--email', 'rita@example.org', '--password-stdin'], 'rita-old-password-1\n');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  watch(page, 'reset');
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL(`${base}/forgot-password`);
  await checkPage(page, 'mail-forgot', 'the forgot-password form');
  await page.getByLabel('Username or email address').fill('rita@example.org');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.locator('#forgot-sent').waitFor();
  await checkPage(page, 'mail-forgot-sent', 'the page after asking for a link');
  const where = await linkIn(sink, 'rita@example.org', 'set-password');
  await page.goto(`${base}${where}`);
  await checkPage(page, 'mail-reset', 'the reset link\'s set-password page');
  await choosePassword(page, base, 'rita-new-password-2');
  await ctx.close();
  const again = await browser.newContext();
  const p2 = await again.newPage();
  await p2.goto(`${base}/login`);
  await p2.getByLabel('Username').fill('rita');
  await p2.getByLabel('Password').fill('rita-old-password-1');
  await p2.getByRole('button', { name: 'Log in' }).click();
  await p2.locator('#login-error').waitFor();
  check(p2.url().startsWith(`${base}/login`), 'the old password no longer logs in');
  await login(p2, base, 'rita', 'rita-new-password-2');
  check(p2.url() === `${base}/`, 'the new password logs in');
  await again.close();
}

/** Nominates NOMINEE (asked at EMAIL) from the admin's PAGE; returns the poll's id. */
async function nominate(page, base, nominee, email) {
  await page.goto(`${base}/polls/new`);
  await page.getByLabel('Nominee', { exact: true }).fill(nominee);
  await page.getByLabel('Statement').fill(`${nominee} reviewed **300** pull requests.`);
  await page.getByLabel('The nominee\'s email address').fill(email);
  await page.getByRole('button', { name: 'Ask the nominee' }).click();
  await page.waitForURL(/\/polls\/[0-9a-f]+$/);
  return page.url().split('/').pop();
}

async function consent(browser, base, sink) {
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  watch(admin, 'nominator');
  await login(admin, base, 'admin', ADMIN_PW);
  await admin.goto(`${base}/polls/new`);
  await checkPage(admin, 'mail-nominate', 'the nomination form in mail mode');
  const id = await nominate(admin, base, 'Grace Hopper', 'grace@example.org');
  check((await admin.locator('#poll-awaiting').textContent()).includes('waiting for the nominee\'s consent'),
    'the poll page says it waits for the nominee');
  await checkPage(admin, 'mail-awaiting', 'a poll awaiting consent');
  const where = await linkIn(sink, 'grace@example.org', 'consent');
  const nominee = await (await browser.newContext()).newPage();
  watch(nominee, 'nominee');
  await nominee.goto(`${base}${where}`);
  check((await nominee.locator('.statement strong').textContent()) === '300', 'the consent page shows the statement');
  await checkPage(nominee, 'mail-consent', 'the consent page');
  await nominee.getByRole('button', { name: 'Accept the nomination' }).click();
  await nominee.locator('#consent-done').waitFor();
  check((await nominee.locator('#consent-done').textContent()).includes('open until'), 'accept: the poll is open');
  await checkPage(nominee, 'mail-consent-accepted', 'the page after accepting');
  await admin.goto(`${base}/polls/${id}`);
  check((await admin.locator('#poll-consent').textContent()).includes('accepted by the nominee'),
    'the poll page says the nominee accepted');
  check(await admin.locator('#booth').count() === 1, 'the accepted poll has its booth');

  const id2 = await nominate(admin, base, 'Linus Declines', 'linus@example.org');
  const where2 = await linkIn(sink, 'linus@example.org', 'consent');
  await nominee.goto(`${base}${where2}`);
  await nominee.getByRole('button', { name: 'Decline' }).click();
  await nominee.locator('#consent-done').waitFor();
  check((await nominee.locator('h1').textContent()).includes('declined'), 'decline answers');
  await checkPage(nominee, 'mail-consent-declined', 'the page after declining');
  await admin.goto(`${base}/polls/${id2}`);
  check((await admin.locator('#poll-withdrawn').textContent()).includes('declined by the nominee'),
    'the declined poll is withdrawn, and says why');
  await nominee.goto(`${base}${where2}`);
  check((await nominee.content()).includes('expired or was already used'), 'the consent link works once');
  await ctx.close();
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-e2e-mail-'));
  fs.chmodSync(dataDir, 0o700);
  fs.mkdirSync(SHOTS, { recursive: true });
  const sink = await startSmtpSink(path.join(dataDir, 'mail'));
  cli(dataDir, ['user', 'add', 'admin', '--admin', '--display-name', 'Ada Admin', '--password-stdin'], `${ADMIN_PW}\n`);
  const server = await startServer(dataDir, { pollSeconds: 3600, args: sink.args });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    await invitation(browser, server.base, dataDir, sink);
    await reset(browser, server.base, dataDir, sink);
    await consent(browser, server.base, sink);
  } catch (e) {
    check(false, `mail pages: ${e.stack || e}`);
  } finally {
    await browser.close();
    server.proc.kill('SIGTERM');
    sink.stop();
  }
  const { passed, failed } = counts();
  console.log(`mail-pages: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
