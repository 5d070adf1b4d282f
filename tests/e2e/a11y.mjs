// a11y.mjs — issue 15 item 26 in the end-to-end test: axe-core (npm) run in the
// page, and the page's layout on a phone. checkPage looks at a page as it is now
// at desktop (1200 px) and phone (390 px) widths: axe's serious and critical
// findings fail the test (lesser ones are printed), and at 390 px nothing may stick
// out of the screen or be cut off. tests/e2e/pages.mjs walks every page a person
// meets with it; the booth's own walk uses it for the booth's states. axe is
// evaluated through the DevTools protocol, which the pages' CSP (script-src
// 'self') does not govern; the pages themselves load nothing new.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, check, shot } from './harness.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
export const DESKTOP = { width: 1200, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Runs axe (RULES: only these) on PAGE (named WHERE in the output); the findings,
 *  most severe first.
 *  Text that axe finds in a colour of too little contrast but leaves "to review"
 *  (1:1, which it takes for text hidden on purpose) counts as a violation: on these
 *  pages no text is hidden that way, so it is text a person cannot read. */
export async function axeCheck(page, where, { rules } = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async (only) => {
    const r = await window.axe.run(document, {
      resultTypes: ['violations', 'incomplete'], ...(only ? { runOnly: only } : {}),
    });
    const unreadable = r.incomplete.filter((v) => v.id === 'color-contrast').map((v) => ({
      ...v, impact: 'serious', help: `${v.help} (left for review by axe)`,
      nodes: v.nodes.filter((n) => n.any.some((a) => /contrast ratio/.test(a.message))),
    })).filter((v) => v.nodes.length);
    return [...r.violations, ...unreadable].map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')),
    }));
  }, rules || null);
  const rank = { critical: 0, serious: 1, moderate: 2, minor: 3 };
  found.sort((a, b) => rank[a.impact] - rank[b.impact]);
  const say = (v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.join(', ')}`;
  const bad = found.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  for (const v of found.filter((x) => !bad.includes(x))) console.log(`axe: ${where}: ${say(v)}`);
  check(bad.length === 0, `axe finds nothing serious or critical on ${where}${bad.length ? ': ' + bad.map(say).join('; ') : ''}`);
  return found;
}

/** What on PAGE (at its present width) sticks out of the screen or is cut off: the
 *  page wider than the screen; a visible element beyond its left or right edge
 *  (unless inside a box that scrolls sideways, like a <pre>); a box that hides
 *  part of its content (overflow hidden or clip). Boxes that scroll sideways are
 *  listed apart: a person can scroll them, but they are printed to be looked at. */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
      `${el.classList.length ? '.' + [...el.classList].join('.') : ''}` +
      ` "${(el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 30)}"`;
    const scrolls = (st) => /auto|scroll/.test(st.overflowX);
    const inScroller = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (scrolls(getComputedStyle(p))) return true;
      }
      return false;
    };
    const hiddenOnPurpose = (el, st, r) => st.position === 'absolute' &&
      (r.right < 0 || (r.width <= 1 && r.height <= 1) || st.clip !== 'auto');
    const out = [];
    const scrollers = [];
    for (const el of document.body.querySelectorAll('*')) {
      const st = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (st.visibility === 'hidden' || r.width === 0 || r.height === 0) continue;
      if (hiddenOnPurpose(el, st, r) || el.closest('.sr-only, .skip')) continue;
      if ((r.right > vw + 0.5 || r.left < -0.5) && !inScroller(el)) {
        out.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px of ${vw}`);
      }
      const wider = el.scrollWidth > el.clientWidth + 1;
      if (wider && /hidden|clip/.test(st.overflowX) && !['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) {
        out.push(`${name(el)} cuts its content (${el.scrollWidth} px in ${el.clientWidth})`);
      }
      if (wider && scrolls(st) && el !== document.documentElement) {
        scrollers.push(`${name(el)} scrolls sideways (${el.scrollWidth} px in ${el.clientWidth})`);
      }
    }
    const width = document.documentElement.scrollWidth;
    if (width > vw) out.unshift(`the page is ${width} px wide on a ${vw} px screen`);
    return { problems: out, scrollers };
  });
}

/** PAGE as it shows now (named WHERE; screenshots desktop-NAME and phone-NAME):
 *  axe at desktop and phone widths, the contrast of its colours in dark mode too (the
 *  pages follow the system's), and at phone width nothing cut off. The viewport is
 *  left as it was. */
export async function checkPage(page, name, where) {
  const was = page.viewportSize();
  const t0 = Date.now();
  await page.setViewportSize(DESKTOP);
  await axeCheck(page, `${where}, desktop width`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await axeCheck(page, `${where}, dark mode`, { rules: ['color-contrast'] });
  await page.emulateMedia({ colorScheme: 'light' });
  const spaced = await page.evaluate(() => document.body.innerText.match(/\S+ [,;.:)](?!\S)/g) || []);
  check(spaced.length === 0, `no space before a comma or a full stop on ${where} (${spaced.join(' | ')})`);
  await shot(page, `desktop-${name}`);
  await page.setViewportSize(PHONE);
  await axeCheck(page, `${where}, phone width`);
  const { problems, scrollers } = await layoutProblems(page);
  for (const s of scrollers) console.log(`layout: ${where}, phone width: ${s}`);
  check(problems.length === 0, `at 390 px nothing on ${where} is cut off or off screen${problems.length ? ': ' + problems.slice(0, 6).join('; ') : ''}`);
  await shot(page, `phone-${name}`);
  if (was) await page.setViewportSize(was);
  if (process.env.E2E_TIMES) console.log(`checkPage ${name}: ${Date.now() - t0} ms`);
}
