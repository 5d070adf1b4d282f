// a11y.mjs — issue 15 item 26 in the end-to-end test: axe-core (npm) run in the
// page on the booth (before and after casting) and the result page, at desktop and
// phone widths. Serious and critical findings fail the test; lesser ones are
// printed. axe is evaluated through the DevTools protocol, which the pages' CSP
// (script-src 'self') does not govern; the pages themselves load nothing new.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, check } from './harness.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Runs axe on PAGE (named WHERE in the output); the findings, most severe first. */
export async function axeCheck(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')),
    }));
  });
  const rank = { critical: 0, serious: 1, moderate: 2, minor: 3 };
  found.sort((a, b) => rank[a.impact] - rank[b.impact]);
  const say = (v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.join(', ')}`;
  const bad = found.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  for (const v of found.filter((x) => !bad.includes(x))) console.log(`axe: ${where}: ${say(v)}`);
  check(bad.length === 0, `axe finds nothing serious or critical on ${where}${bad.length ? ': ' + bad.map(say).join('; ') : ''}`);
  return found;
}
