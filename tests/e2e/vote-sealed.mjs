// vote-sealed.mjs — one ballot cast in the browser's booth, for
// tests/integration/test_unseal.py (a poll sealed by a council of trustees):
// logs in as USER, opens /polls/POLL, checks that the page says who seals it,
// votes with the booth (the record checked against its fingerprint, the ballot
// sealed under Y = X_0 + Y_T in the browser, the receipt verified), and prints
// {"tracker", "sealed"} on stdout. Exit 0 on success, 1 on a failed check.
//
//   node tests/e2e/vote-sealed.mjs BASE_URL USER PASSWORD POLL "Promote NAME"|"Do not promote"
import { chromium } from 'playwright-core';
import { CHROMIUM, castInBooth, check, counts, login } from './harness.mjs';

const [base, user, password, poll, option] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  await login(page, base, user, password);
  await page.goto(`${base}/polls/${poll}`);
  const sealed = (await page.locator('#poll-seal').textContent()).replace(/\s+/g, ' ').trim();
  const { tracker, receipt } = await castInBooth(page, option);
  check(/checks out/.test(receipt), `the booth verified the server's receipt (${receipt})`);
  process.stdout.write(JSON.stringify({ tracker, sealed }) + '\n');
} finally {
  await browser.close();
}
process.exit(counts().failed ? 1 : 0);
