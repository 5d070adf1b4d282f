// second-poll.mjs — the end-to-end test's second poll, run while the first one
// closes: votes with the keyboard alone in a browser set to another time zone and
// language (issue 15 items 26 and 24), in two tabs of one browser (item 18), and
// with a change code carried to a fresh browser (item 20); then its counts and board.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as C from '../../static/js/conclave-crypto.mjs';
import { axeCheck } from './a11y.mjs';
import {
  ENGLISH_TIME, POLL_SECONDS, castInBooth, check, clockAt, fillNomination, login, posted, readTime,
  shot, watch,
} from './harness.mjs';

/** Nominates NOMINEE from PAGE (a member's page) and returns the new poll's id. */
export async function openPoll(page, base, nominee, statement) {
  await page.goto(`${base}/polls/new`);
  await fillNomination(page, nominee, statement);
  await page.getByRole('button', { name: 'Open the poll' }).click();
  await page.waitForURL(/\/polls\/[0-9a-f]+$/);
  return page.url().split('/').pop();
}

/** Item 26 (keyboard) and item 24 (times): carol, in a browser set to Kolkata's time
 *  and German, reads the poll page and votes with Tab, Space and Enter alone. */
export async function keyboardFlow(browser, base, id2) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, timezoneId: 'Asia/Kolkata', locale: 'de-DE' });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  watch(page, 'keyboard');
  await login(page, base, 'carol', 'carol-password-123');
  const homeTime = await readTime(page.locator('.poll time').first());
  await page.goto(`${base}/polls/${id2}`);
  await page.locator('#booth-cast:not([disabled])').waitFor();
  const closes = await readTime(page.locator('.status time'));
  for (const [where, t] of [['home page', homeTime], ['poll page', closes]]) {
    check(ENGLISH_TIME.test(t.text) && t.text.endsWith(`${clockAt(t.iso, 330)} GMT+5:30`),
      `the ${where} shows the time in English, in Kolkata's time, for a German browser (${t.text})`);
    check(t.times === 1 && !/UTC|your time/.test(t.text), `the ${where} shows the time once (${t.times} times of day)`);
    check(ENGLISH_TIME.test(t.title) && t.title.endsWith(`${t.utc} UTC`), `the ${where} has the UTC time on hover (${t.title})`);
  }
  await shot(page, 'desktop-booth-kolkata');
  await axeCheck(page, 'the booth before casting, desktop width');
  // Tab from the top of the page to the booth: every stop visible, in reading order
  const stops = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      const all = [...document.querySelectorAll('*')];
      return { what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ${(el.textContent || el.value || '').trim().slice(0, 24)}`,
        visible: r.width > 0 && r.height > 0, index: all.indexOf(el), radio: el.name === 'choice' };
    });
    stops.push(stop);
    if (stop.radio) break;
  }
  const names = stops.map((x) => x.what).join(' | ');
  check(stops.at(-1).radio && stops.length <= 8, `Tab reaches the ballot's options after the header (${names})`);
  check(stops[0].what.startsWith('a Skip to content'), `the first Tab stop is "Skip to content" (${stops[0].what})`);
  check(stops.every((x) => x.visible) && stops.every((x, i) => i === 0 || x.index > stops[i - 1].index),
    `every Tab stop is visible and in reading order (${names})`);
  check(await page.locator('#booth-status').getAttribute('aria-live') === 'polite' &&
    await page.locator('#booth-status').getAttribute('role') === 'status', 'the booth\'s status is announced (aria-live)');
  await page.keyboard.press('Space');
  check(await page.getByLabel('Promote Ada Lovelace', { exact: true }).isChecked(), 'Space chooses the option');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'booth-cast', 'the next Tab stop is the cast button');
  await page.keyboard.press('Enter');
  await page.locator('#booth-done').waitFor({ state: 'visible' });
  await page.waitForFunction(() => /accepted/.test(document.getElementById('booth-status').textContent));
  check(await page.evaluate(() => document.activeElement.id) === 'booth-status',
    'after casting, the focus is on the status that says the ballot was accepted');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'booth-change', 'the next Tab stop is "Change my vote"');
  await axeCheck(page, 'the booth after casting, desktop width');
  await ctx.close();
}

/** Item 18: two tabs of one browser. Tab A votes; tab B, open all along, says so
 *  by itself and changes the vote with the secret this browser keeps; tab A then
 *  shows the change. Returns the tabs (on poll ID2). */
export async function twoTabsFlow(ctx, base, id2) {
  const a = await ctx.newPage();
  const b = await ctx.newPage();
  watch(a, 'tab-a');
  watch(b, 'tab-b');
  for (const p of [a, b]) {
    await p.goto(`${base}/polls/${id2}`);
    await p.locator('#booth-cast:not([disabled])').waitFor();
  }
  const first = await castInBooth(a, 'Do not promote');
  await b.getByText('You voted in another tab of this browser').waitFor({ timeout: 5000 }).catch(() => {});
  check(/You voted in another tab of this browser/.test(await b.locator('#booth-status').textContent()),
    `the other tab says the vote was cast in another tab of this browser (${await b.locator('#booth-status').textContent()})`);
  check(await b.getByRole('button', { name: 'Change my vote' }).isVisible() &&
    (await b.locator('#booth-tracker').textContent()).trim() === first.tracker,
  'and shows that ballot\'s tracker, with "Change my vote"');
  check(!(await b.getByText('from another browser').isVisible()), 'it does not blame another browser');
  await b.getByRole('button', { name: 'Change my vote' }).click();
  const second = await castInBooth(b, 'Promote Ada Lovelace');
  check(/Your vote was changed\./.test(await b.locator('#booth-status').textContent()) && second.tracker !== first.tracker,
    'the other tab changes the vote with the secret this browser keeps');
  await a.getByText('Your vote was changed in another tab of this browser').waitFor({ timeout: 5000 }).catch(() => {});
  check(/Your vote was changed in another tab/.test(await a.locator('#booth-status').textContent()) &&
    (await a.locator('#booth-tracker').textContent()).trim() === second.tracker,
  'the first tab then shows the change and the new tracker');
  check(posted.filter((p) => p.page === 'tab-b').length === 1, 'the other tab sent one ballot: the change');
  await b.close();
  return a;
}

/** Item 20: a change code taken from tab A (context of alice) to a fresh browser
 *  (no kept secret), which changes the vote with it; then tab A's kept secret and
 *  the old code are stale, and the new code works there. */
export async function changeCodeFlow(browser, a, base, id2) {
  await a.getByRole('button', { name: 'Save a change code' }).click();
  const code = (await a.locator('#booth-code-text').textContent()).trim();
  check(/^([0-9a-f]{8}-){7}[0-9a-f]{8}$/.test(code), `the change code is 8 groups of 8 hex digits (${code.length} characters)`);
  check(/Keep it as safe as your ballot: whoever has it can change your vote until the close and can recognise your ballot/
    .test((await a.locator('#booth-code-out').textContent()).replace(/\s+/g, ' ')), 'the page says the code is as sensitive as the ballot');
  const keptOf = (p) => p.evaluate(() => JSON.parse(localStorage.getItem(
    `conclave:ballot:${document.getElementById('booth').dataset.fingerprint}`)));
  const kept = await keptOf(a);
  const [download] = await Promise.all([a.waitForEvent('download'), a.getByRole('link', { name: 'Download it as a file' }).click()]);
  const file = path.join(os.tmpdir(), `conclave-e2e-${process.pid}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  check(download.suggestedFilename() === `conclave-poll-${id2}-change-code.txt`, `the file's name (${download.suggestedFilename()})`);
  check(text.split('\n')[0] === code && text.split('\n')[1] === '' && text.includes(id2) &&
    /as safe as your ballot/.test(text), 'the file holds the code on its first line, then what it is');
  check(code.replaceAll('-', '') === kept.rho, 'the code is the secret the browser keeps of the counted ballot');

  // another device: alice logs in from a fresh browser that keeps nothing
  const other = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  other.setDefaultTimeout(15000);
  const b = await other.newPage();
  watch(b, 'other-device');
  await login(b, base, 'alice', 'alice-password-123');
  await b.goto(`${base}/polls/${id2}`);
  await b.locator('#booth-done').waitFor({ state: 'visible' });
  check(/change code saved there/.test(await b.locator('#booth-receipt').textContent()) &&
    !(await b.getByRole('button', { name: 'Save a change code' }).isVisible()),
  'a browser that keeps nothing says the vote was cast elsewhere and that a change code changes it');
  await b.getByRole('button', { name: 'Change my vote' }).click();
  check(await b.locator('#booth-code-input').isVisible() &&
    await b.evaluate(() => document.activeElement.id) === 'booth-code-input', '"Change my vote" asks for the change code');
  const sent = () => posted.filter((p) => p.page === 'other-device').length;
  const before = sent();
  await b.locator('#booth-code-input').fill('not a change code');
  await b.getByLabel('Do not promote', { exact: true }).check();
  await b.locator('#booth-cast').click();
  await b.getByText('A change code is 64 hexadecimal digits, in 8 groups of 8.').waitFor();
  check(sent() === before && await b.locator('#booth-code-input').getAttribute('aria-invalid') === 'true',
    'a malformed change code is explained and nothing is sent');
  await b.locator('#booth-code-file').setInputFiles(file);
  await b.waitForFunction(() => document.getElementById('booth-code-input').value.length === 71);
  check(await b.locator('#booth-code-input').inputValue() === code, 'the code is read from the saved file');
  fs.rmSync(file, { force: true });
  await shot(b, 'phone-booth-change-code');
  await axeCheck(b, 'the booth asking for a change code, phone width');
  const viaCode = await castInBooth(b, 'Do not promote');
  const status = await b.locator('#booth-status').textContent();
  check(/Your vote was changed\./.test(status) && /A new change code replaces the old one/.test(status) &&
    viaCode.receipt.includes('checks out'), `the other device changes the vote with the code (${status})`);
  await b.getByRole('button', { name: 'Save a change code' }).click();
  const newCode = (await b.locator('#booth-code-text').textContent()).trim();
  check(/^([0-9a-f]{8}-){7}[0-9a-f]{8}$/.test(newCode) && newCode !== code, 'it keeps the new secret: a new change code');
  await shot(b, 'phone-booth-new-code');
  await axeCheck(b, 'the booth showing a change code, phone width');

  // tab A's secret is stale now; so is the old code; the new one works there
  await a.getByRole('button', { name: 'Change my vote' }).click();
  await a.getByLabel('Promote Ada Lovelace', { exact: true }).check();
  await a.locator('#booth-cast').click();
  await a.getByText('None of the ballots this browser kept is the one counted now').waitFor();
  check(await a.locator('#booth-code-input').isVisible(), 'a browser whose secret is stale asks for a change code');
  await a.locator('#booth-code-input').fill(code.toUpperCase().replaceAll('-', ' '));
  await a.getByLabel('Promote Ada Lovelace', { exact: true }).check();
  await a.locator('#booth-cast').click();
  await a.getByText('This change code is not that of the ballot counted now').waitFor();
  check(/the vote was changed since the code was saved/.test(await a.locator('#booth-status').textContent()),
    'an old code is told as replaced by a newer change');
  await a.locator('#booth-code-input').fill(newCode);
  const last = await castInBooth(a, 'Promote Ada Lovelace');
  check(/Your vote was changed\./.test(await a.locator('#booth-status').textContent()), 'the new code changes the vote');
  // a poll withdrawn meanwhile (a 409 poll_withdrawn, as the server answers then): the
  // booth closes, without a link to a result there will never be
  await b.route('**/ballots', (route) => route.fulfill({ status: 409, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'poll_withdrawn', message: 'this poll was withdrawn: it takes no ballots' } }) }));
  await b.getByRole('button', { name: 'Change my vote' }).click();
  await b.getByLabel('Do not promote', { exact: true }).check();
  await b.locator('#booth-cast').click();
  await b.getByText('This poll was withdrawn').waitFor();
  check(await b.locator('#booth-cast').isDisabled() && !(await b.locator('#booth-form').isVisible()) &&
    !(await b.locator('#booth-closed').isVisible()), 'a cast refused as poll_withdrawn closes the booth, with no result link');
  await other.close();
  const final = await keptOf(a);
  check(final.tracker === last.tracker && final.unconfirmed.length === 0, 'that browser keeps the secret of the new ballot');
  return { tracker: last.tracker, rho: final.rho, staleRhos: [kept.rho, newCode.replaceAll('-', '')] };
}

/** Item 20, after the close of poll ID2: the counts are those of the last ballots,
 *  the change made with a code among them, and only the last kept secret's ballot
 *  is on the board. */
export async function poll2Result(page, base, id2, last) {
  await page.goto(`${base}/polls/${id2}/result`);
  await page.getByRole('heading', { name: 'Promote Ada Lovelace: result' }).waitFor({ timeout: (POLL_SECONDS + 30) * 1000 });
  check(await page.getByText('2 promote (100.0%), 0 do not promote (0.0%)').isVisible() &&
    await page.getByText('Turnout: 2 of 4 voted (50.0%).').isVisible(),
  'the second poll counts the last ballots: 2 promote, 0 do not promote, 2 of 4 voted');
  check(await page.locator('#tracker').inputValue() === last.tracker, 'the result page fills in the last tracker');
  const board = await (await fetch(`${base}/api/v1/polls/${id2}/board`)).json();
  const tags = new Set(board.ballots.map((b) => b.tag));
  check(tags.has(C.tagFromRho(board.fingerprint, last.rho)) && board.ballots.some((b) => b.tracker === last.tracker),
    'the ballot of the last kept secret is on the board');
  check(last.staleRhos.every((r) => !tags.has(C.tagFromRho(board.fingerprint, r))), 'the ballots it replaced are not');
}

