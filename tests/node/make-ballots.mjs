// Writes N random valid ballots for a poll record to stdout, one JSON document per line,
// made by static/js/conclave-crypto.mjs (for cross-checking the C verifier).
//
//   node tests/node/make-ballots.mjs RECORD.json N [--seed S] [--board] [--meta]
//
// RECORD.json is a poll record (section 3), or a document with the record under "record"
// (poll.json entries) or "poll" (a board). Everything is deterministic for a given seed
// (default "0"): ballot i draws from the SHA-512 counter stream named
// "make-ballots/<S>/<i>" (tests/node/vector-rng.mjs, prefix "conclave make-ballots/"); its
// first draw chooses the selection, uniformly among those allowed by min and max.
//   --board  print the board form (with "tracker") instead of the POST form
//   --meta   print {"ballot", "votes", "rho", "tag", "tracker"} per line instead
import fs from 'node:fs';
import * as C from '../../static/js/conclave-crypto.mjs';
import { streamRng } from './vector-rng.mjs';

function usage(msg) {
  if (msg) process.stderr.write(`make-ballots: ${msg}\n`);
  process.stderr.write('usage: node tests/node/make-ballots.mjs RECORD.json N [--seed S] [--board] [--meta]\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const pos = [];
let seed = '0';
let board = false;
let meta = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--seed') {
    if (i + 1 >= args.length) usage('--seed needs a value');
    seed = args[++i];
  } else if (a.startsWith('--seed=')) seed = a.slice(7);
  else if (a === '--board') board = true;
  else if (a === '--meta') meta = true;
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else pos.push(a);
}
if (pos.length !== 2) usage();
const n = Number(pos[1]);
if (!Number.isInteger(n) || n < 0) usage('N must be a non-negative integer');

let doc;
try {
  doc = JSON.parse(fs.readFileSync(pos[0], 'utf8'));
} catch (e) {
  usage(`cannot read ${pos[0]}: ${e.message}`);
}
const record = doc.record || (doc.poll && typeof doc.poll === 'object' ? doc.poll : doc);
let poll;
try {
  poll = C.checkPoll(record);
} catch (e) {
  process.stderr.write(`make-ballots: invalid poll record: ${e.message}\n`);
  process.exit(1);
}

// every selection allowed by min..max, in a fixed order
const selections = [];
if (poll.m > 20) usage('too many options to enumerate');
for (let mask = 0; mask < 1 << poll.m; mask++) {
  const v = Array.from({ length: poll.m }, (_, j) => (mask >> j) & 1);
  const s = v.reduce((a, b) => a + b, 0);
  if (s >= poll.min && s <= poll.max) selections.push(v);
}

const out = [];
for (let i = 0; i < n; i++) {
  const rng = streamRng(`make-ballots/${seed}/${i}`, 'conclave ');
  const pick = rng(8);
  let x = 0;
  for (const byte of pick.subarray(0, 6)) x = x * 256 + byte;
  const votes = selections[x % selections.length];
  const made = C.createBallot(poll, votes, { rng });
  const ballot = board ? { ...made.ballot, tracker: made.tracker } : made.ballot;
  out.push(JSON.stringify(meta ? { ballot, votes, rho: made.rho, tag: made.tag, tracker: made.tracker } : ballot));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
