// site.mjs — small enhancements on every page; each page works without them.
//   [data-local="ISO"]      gets the time in the viewer's own time zone
//   [data-countdown="ISO"]  counts down to that time every second; with
//                           data-reload="1" the page reloads once it has passed
const localFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});

for (const el of document.querySelectorAll('[data-local]')) {
  const d = new Date(el.dataset.local);
  if (!Number.isNaN(d.getTime())) el.textContent = `(${localFmt.format(d)}, your time)`;
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

const countdowns = [...document.querySelectorAll('[data-countdown]')];
let reloading = false;
function tick() {
  const now = Date.now();
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
if (countdowns.length) {
  tick();
  setInterval(tick, 1000);
}
