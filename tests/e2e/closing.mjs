// closing.mjs — issue 15 item 19 in the end-to-end test: booths left open past
// the poll's deadline close by themselves (by the server's clock), and a cast the
// server refuses as poll_closed closes the booth too.
import { checkPage } from './a11y.mjs';
import { check, watch } from './harness.mjs';

/** Item 19: pages of poll ID left open until its deadline — a booth that shows a
 *  vote, one with the form filled in, and two in a copy of the context (the same
 *  session and kept secrets) whose clock is an hour slow: one learns the server's
 *  time from the Date header, the other cannot (the header is removed), so it only
 *  learns of the close from the server's 409. */
export async function leaveOpen(browser, ctx, base, id) {
  const open = async (c, name, { noDate = false } = {}) => {
    const p = await c.newPage();
    watch(p, name);
    if (noDate) {
      await p.route(`**/api/v1/polls/${id}`, async (route) => {
        const answer = await route.fetch();
        const headers = { ...answer.headers() };
        delete headers.date;
        await route.fulfill({ response: answer, headers });
      });
    }
    await p.goto(`${base}/polls/${id}`);
    await p.locator('#booth-done').waitFor({ state: 'visible' });
    return p;
  };
  const slowCtx = await browser.newContext({ storageState: await ctx.storageState(), viewport: { width: 1000, height: 800 } });
  slowCtx.setDefaultTimeout(15000);
  await slowCtx.clock.install({ time: new Date(Date.now() - 3600 * 1000) });
  const [shown, form, slow, blind] = await Promise.all([
    open(ctx, 'open-voted'), open(ctx, 'open-form'),
    open(slowCtx, 'slow-clock'), open(slowCtx, 'slow-clock-no-date', { noDate: true })]);
  await form.getByRole('button', { name: 'Change my vote' }).click();
  await form.getByLabel('Do not promote', { exact: true }).check();
  check(await form.locator('#booth-cast').isEnabled(), 'a booth left open before the deadline can cast');
  // the moment the booth says the poll closed, by the test's clock
  await form.evaluate(() => {
    const status = document.getElementById('booth-status');
    new MutationObserver(() => {
      if (/Voting has closed/.test(status.textContent) && !window.closedSeen) window.closedSeen = Date.now();
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  return { shown, form, slow, blind, slowCtx };
}

/** Item 19, after the deadline of poll ID (closing ISO): every page left open says so. */
export async function checkClosed(pages, base, id, closesIso) {
  const closedAt = Date.parse(closesIso);
  const closedText = (p) => p.locator('#booth-status').textContent();
  const isClosed = async (p) => /^Voting has closed\./.test(await closedText(p)) &&
    await p.locator('#booth-closed').isVisible() &&
    await p.locator('#booth-closed a').getAttribute('href') === `/polls/${id}/result` &&
    !(await p.locator('#booth-form').isVisible()) && await p.locator('#booth-cast').isDisabled() &&
    !(await p.getByRole('button', { name: 'Change my vote' }).isVisible());
  await pages.form.waitForFunction(() => /Voting has closed/.test(document.getElementById('booth-status').textContent),
    null, { timeout: Math.max(0, closedAt - Date.now()) + 15000 });
  const seen = await pages.form.evaluate(() => window.closedSeen);
  const lag = seen - closedAt;
  console.log(`booth: a page left open closed its booth ${(lag / 1000).toFixed(2)} s after the deadline`);
  check(lag > -1500 && lag < 3000, `the booth closes at the deadline (${lag} ms after it)`);
  check(await isClosed(pages.form), `a booth with its form filled in closes at the deadline: disabled, says so, links the result (${await closedText(pages.form)})`);
  check(await isClosed(pages.shown), 'a booth that shows the vote closes too, without "Change my vote"');
  await checkPage(pages.form, 'booth-closed', 'the closed booth');
  check(await pages.shown.locator('#booth-tracker').textContent() !== '', 'and still shows the tracker');
  check(await isClosed(pages.slow), 'a computer whose clock is an hour slow closes at the server\'s deadline (Date header)');
  // without the Date header the slow page still thinks it open; the server's 409 closes it
  await pages.blind.getByRole('button', { name: 'Change my vote' }).click();
  check(await pages.blind.locator('#booth-cast').isEnabled(), 'a booth without the server\'s time is still open by its slow clock');
  await pages.blind.getByLabel('Promote Grace Hopper', { exact: true }).check();
  await pages.blind.locator('#booth-cast').click();
  await pages.blind.locator('#booth-closed').waitFor({ state: 'visible' });
  check(/^Voting has closed; your ballot was not counted\./.test(await closedText(pages.blind)) &&
    await pages.blind.locator('#booth-cast').isDisabled() && !(await pages.blind.locator('#booth-form').isVisible()),
  `a cast refused as poll_closed closes the booth (${await closedText(pages.blind)})`);
  await pages.slowCtx.close();
  await pages.form.locator('#booth-closed a').click();
  await pages.form.getByRole('heading', { name: 'Promote Grace Hopper: result' }).waitFor({ timeout: 15000 });
  check(true, 'the link leads to the result');
  await pages.form.close();
  await pages.shown.close();
}

