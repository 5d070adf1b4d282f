// site.mjs — small enhancements on every page; each page works without them.
//   <time datetime="ISO">   the server writes the time once, in UTC; here it is
//                           written once, in the reader's own time zone, in
//                           English whatever the browser's language (the pages
//                           are English), with the UTC time on hover (title)
//   [data-local]            the older "(…, your time)" companion of a <time>:
//                           emptied, the <time> itself now says it
//   [data-countdown="ISO"]  counts down to that time every second (by the
//                           server's clock as the booth learns it, clock.mjs);
//                           with data-reload="1" the page reloads once it has passed
import { serverNow } from './clock.mjs';

// en-GB: day before month, a 24-hour clock, and a zone name that is never
// ambiguous (CET, GMT, UTC, or else an offset such as GMT+5:30), e.g.
// "Wed 25 Nov 2026, 13:30 CET".
const timeOptions = {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
};

/** TIME (a Date) written in English in TIMEZONE (undefined: this browser's zone),
 *  put together from its parts so that every browser writes it alike. */
export function formatTime(time, timeZone) {
  const part = {};
  for (const p of new Intl.DateTimeFormat('en-GB', { ...timeOptions, timeZone }).formatToParts(time)) {
    part[p.type] = p.value;
  }
  return `${part.weekday} ${part.day} ${part.month} ${part.year}, ${part.hour}:${part.minute} ${part.timeZoneName}`;
}

// A date with a time and a zone ("2026-11-25T08:00:00Z"); a bare date is left alone.
const instant = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

function localizeTimes() {
  for (const el of document.querySelectorAll('time[datetime]')) {
    const iso = el.getAttribute('datetime');
    const d = new Date(iso);
    if (!instant.test(iso) || Number.isNaN(d.getTime())) continue;
    try {
      el.textContent = formatTime(d);
      el.title = formatTime(d, 'UTC');
    } catch {
      // an unknown zone: the server's UTC text stays
    }
  }
  for (const el of document.querySelectorAll('[data-local]')) el.textContent = '';
}

/** "3 days 4 hours", "2 h 5 min", "4 min 10 s" for a positive duration in ms. */
export function formatLeft(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (d > 0) return `${plural(d, 'day')} ${plural(h, 'hour')}`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

let reloading = false;

function tick(countdowns) {
  const now = serverNow();
  for (const el of countdowns) {
    const end = Date.parse(el.dataset.countdown);
    if (Number.isNaN(end)) continue;
    if (end > now) {
      el.textContent = `${formatLeft(end - now)} left`;
    } else {
      el.textContent = 'The poll has closed; the result is being published.';
      if (el.dataset.reload === '1' && !reloading && now - end > 1500) {
        reloading = true;
        window.location.reload();
      }
    }
  }
}

if (typeof document !== 'undefined') {
  localizeTimes();
  const countdowns = [...document.querySelectorAll('[data-countdown]')];
  if (countdowns.length) {
    tick(countdowns);
    setInterval(() => tick(countdowns), 1000);
  }
}
