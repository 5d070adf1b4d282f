// An attacker's try at a count of a poll sealed by trustees (PROTOCOL-threshold T9), for
// tests/integration/test_unseal.py: given a board (partial or final) and the server's
// share x_0 (as a copy of the database holds it while the poll is decrypting), it tries
// every way to turn what it has into counts: x_0 alone, and the server's shares combined
// with every non-empty subset of the trustees' shares present (Lagrange over that subset,
// as if it were enough), with and without x_0. A way works if every option's
// B_o - D_o is c_o·G with 0 <= c_o <= N and the c_o add up to N.
//
//   node tests/node/try-unseal.mjs BOARD.json X0_HEX
//
// Prints {"found": true, "counts": [...], "how": "..."} or {"found": false, "tried": K}.
// With t trustees' shares present it must find the counts (the test's control).
import fs from 'node:fs';
import { ristretto255 } from '../../static/vendor/noble.mjs';

const Point = ristretto255.Point;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const le = (hex) => BigInt('0x' + (hex.match(/../g) || []).reverse().join(''));
const mod = (a) => ((a % L) + L) % L;
const pow = (b, e) => { let r = 1n; b = mod(b); for (; e > 0n; e >>= 1n, b = b * b % L) if (e & 1n) r = r * b % L; return r; };
const inv = (a) => pow(a, L - 2n);
const mul = (P, k) => (mod(k) === 0n ? Point.ZERO : P.multiply(mod(k)));

const [boardPath, x0hex] = process.argv.slice(2);
if (!boardPath || !x0hex) {
  process.stderr.write('usage: node tests/node/try-unseal.mjs BOARD.json X0_HEX\n');
  process.exit(2);
}
const board = JSON.parse(fs.readFileSync(boardPath, 'utf8'));
const A = board.tally.map((e) => Point.fromHex(e.A));
const B = board.tally.map((e) => Point.fromHex(e.B));
const N = board.ballots.length;
const x0 = le(x0hex);
const server = board.decryptions.find((d) => d.holder === 0);
const trustees = board.decryptions.filter((d) => d.holder !== 0);

// the counts D gives, or null
function counts(D) {
  const out = [];
  for (let o = 0; o < A.length; o++) {
    const T = B[o].subtract(D[o]);
    let c = 0, P = Point.ZERO;
    while (c <= N && !P.equals(T)) { P = P.add(Point.BASE); c++; }
    if (c > N) return null;
    out.push(c);
  }
  return out.reduce((a, b) => a + b, 0) === N ? out : null;
}

const ways = [];
ways.push(['x_0 alone', A.map((Ao) => mul(Ao, x0))]);
if (server) ways.push(["the server's published shares alone", server.shares.map((s) => Point.fromHex(s.D))]);
for (let mask = 1; mask < (1 << trustees.length); mask++) {
  const S = trustees.filter((_, i) => mask & (1 << i));
  const idx = S.map((e) => BigInt(e.holder));
  const lam = idx.map((j) => idx.reduce((acc, k) => (k === j ? acc : acc * k % L * inv(k - j) % L), 1n));
  const part = A.map((_, o) => S.reduce((acc, e, i) => acc.add(mul(Point.fromHex(e.shares[o].D), lam[i])), Point.ZERO));
  const who = 'trustees ' + S.map((e) => e.holder).join(',');
  ways.push([who + ' with x_0', part.map((P, o) => P.add(mul(A[o], x0)))]);
  if (server) ways.push([who + " with the server's shares", part.map((P, o) => P.add(Point.fromHex(server.shares[o].D)))]);
  ways.push([who + ' alone', part]);
}
for (const [how, D] of ways) {
  const c = counts(D);
  if (c) {
    process.stdout.write(JSON.stringify({ found: true, counts: c, how }) + '\n');
    process.exit(0);
  }
}
process.stdout.write(JSON.stringify({ found: false, tried: ways.length }) + '\n');
