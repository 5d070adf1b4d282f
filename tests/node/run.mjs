// Node tests of static/js/conclave-crypto.mjs against tests/vectors/*.json, byte for byte,
// plus random ballots, the strict parser, and the timing of ballot creation; and the
// browser's modules that need no page: change-code.mjs, clock.mjs, site.mjs's times.
// Plain Node (no framework). Last line: "node: N passed, N failed"; exit 1 on any failure.
//   node tests/node/run.mjs [-v]
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as C from '../../static/js/conclave-crypto.mjs';
import { ristretto255, ed25519, sha512 } from '../../static/vendor/noble.mjs';
import { streamRng } from './vector-rng.mjs';
import * as CC from '../../static/js/change-code.mjs';
import { learnClock, serverNow } from '../../static/js/clock.mjs';
import { formatTime } from '../../static/js/site.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VEC = path.join(HERE, '..', 'vectors');
const verbose = process.argv.includes('-v');
const V = (f) => JSON.parse(fs.readFileSync(path.join(VEC, f), 'utf8'));
const G = ristretto255.Point.BASE;

let passed = 0;
let failed = 0;
let section = '';

function ok(name, cond, detail = '') {
  if (cond) {
    passed++;
    if (verbose) console.log(`  ok   ${section}: ${name}`);
  } else {
    failed++;
    console.log(`  FAIL ${section}: ${name}${detail ? ' -- ' + detail : ''}`);
  }
}

function eq(name, got, want) {
  const g = typeof got === 'string' ? got : JSON.stringify(got);
  const w = typeof want === 'string' ? want : JSON.stringify(want);
  ok(name, g === w, `got ${g && g.length > 300 ? g.slice(0, 300) + '...' : g}, want ${w && w.length > 300 ? w.slice(0, 300) + '...' : w}`);
}

function rejects(name, fn, code, where) {
  try {
    fn();
    ok(name, false, `accepted, want ${code}${where ? ' at ' + where : ''}`);
  } catch (e) {
    if (!(e instanceof C.ConclaveError)) {
      ok(name, false, `threw ${e && e.stack}`);
      return;
    }
    ok(`${name} code`, e.code === code, `got ${e.code} (${e.message}), want ${code}`);
    if (where !== undefined) ok(`${name} where`, e.where === where, `got ${e.where}, want ${where}`);
  }
}

function run(name, fn) {
  section = name;
  try {
    fn();
  } catch (e) {
    ok('no exception', false, e && e.stack);
  }
}

const hex = C.toHex;
const h32 = (k) => hex(C.scalarToBytes(k));

// ---------------------------------------------------------------------------
const polls = V('poll.json').polls;
const pollById = {};
for (const p of polls) pollById[p.record.id] = p;

run('hashes.json', () => {
  for (const ex of V('hashes.json').examples) {
    const fields = ex.fields.map((f) => {
      let b;
      if (f.kind === 'u32') b = C.u32(f.value);
      else if (f.kind === 'str') b = C.str(f.value);
      else if (f.kind === 'point (G)') b = G.toBytes();
      else if (f.kind === 'point (2G)') b = G.add(G).toBytes();
      else if (f.kind === 'point (identity)') b = ristretto255.Point.ZERO.toBytes();
      else if (f.kind === 'scalar (l - 1)') b = C.scalarToBytes(C.L - 1n);
      else b = C.fromHex(f.hex, 32);
      eq(`${ex.name}: field ${f.kind}`, hex(b), f.hex);
      return b;
    });
    eq(`${ex.name}: tag`, hex(C.str(`${C.PROTOCOL}/${ex.label}`)), ex.tag_hex);
    eq(`${ex.name}: input`, hex(C.hashInput(ex.label, ...fields)), ex.input_hex);
    if (ex.sha512) eq(`${ex.name}: sha512`, hex(sha512(C.hashInput(ex.label, ...fields))), ex.sha512);
    const out = ex.function === 'Hs' ? h32(C.Hs(ex.label, ...fields)) : hex(C.Hd(ex.label, ...fields));
    eq(`${ex.name}: ${ex.function} output`, out, ex.output);
  }
});

run('pok.json', () => {
  for (const p of V('pok.json').polls) {
    for (const h of p.holders) {
      const rng = streamRng(h.rng_seed);
      const key = C.makeHolderKey(rng);
      eq(`${p.poll_id}/${h.k} x`, key.x, h.x);
      eq(`${p.poll_id}/${h.k} X`, key.X, h.X);
      const pok = C.provePok(p.poll_id, h.k, h.name, key.x, rng, { trace: true });
      eq(`${p.poll_id}/${h.k} w`, pok.trace.w, h.w);
      eq(`${p.poll_id}/${h.k} a`, pok.trace.a, h.a);
      eq(`${p.poll_id}/${h.k} hash input`, pok.trace.hash_input, h.hash_input);
      eq(`${p.poll_id}/${h.k} c`, pok.c, h.c);
      eq(`${p.poll_id}/${h.k} s`, pok.s, h.s);
      ok(`${p.poll_id}/${h.k} verifies`, C.verifyPok(p.poll_id, h.k, h.name, h.X, { c: h.c, s: h.s }));
      ok(`${p.poll_id}/${h.k} bound to k`, !C.verifyPok(p.poll_id, h.k + 1, h.name, h.X, { c: h.c, s: h.s }));
      ok(`${p.poll_id}/${h.k} bound to name`, !C.verifyPok(p.poll_id, h.k, h.name + 'x', h.X, { c: h.c, s: h.s }));
      ok(`${p.poll_id}/${h.k} bound to id`, !C.verifyPok(p.poll_id + 'x', h.k, h.name, h.X, { c: h.c, s: h.s }));
    }
  }
});

run('poll.json', () => {
  for (const p of polls) {
    const id = p.record.id;
    const poll = C.checkPoll(p.record);
    eq(`${id} fingerprint`, poll.fingerprint, p.fingerprint);
    eq(`${id} fingerprint input`, hex(C.fingerprintInput(p.record)), p.fingerprint_input);
    eq(`${id} fingerprint fields`, p.fingerprint_fields.map((f) => f.hex).join(''), p.fingerprint_input);
    eq(`${id} roll digest input`, hex(C.rollDigestInput(p.record.roll)), p.roll_digest_input);
    eq(`${id} roll digest fields`, p.roll_digest_fields.map((f) => f.hex).join(''), p.roll_digest_input);
    eq(`${id} roll digest`, poll.rollDigest, p.roll_digest);
    eq(`${id} Y`, hex(poll.Y.toBytes()), p.Y);
    for (const s of p.holder_secrets) eq(`${id} X_${s.k} = x_${s.k}·G`, hex(G.multiply(C.decodeScalar(s.x)).toBytes()), p.record.holders[s.k].public_key);
    const fromText = C.checkPoll(JSON.stringify(p.record));
    eq(`${id} from JSON text`, fromText.fingerprint, p.fingerprint);
    const fromBytes = C.checkPoll(new TextEncoder().encode(JSON.stringify(p.record, null, 2)));
    eq(`${id} from UTF-8 bytes`, fromBytes.fingerprint, p.fingerprint);
  }
});

run('invalid-polls.json', () => {
  for (const c of V('invalid-polls.json').cases) {
    const input = c.record_text !== undefined ? c.record_text : c.record;
    rejects(c.name, () => C.checkPoll(input), c.reason, c.where);
  }
});

function checkTraceProof(name, got, want) {
  eq(`${name} real index`, got.real_index, want.real_index);
  eq(`${name} branch count`, got.branches.length, want.branches.length);
  want.branches.forEach((wb, i) => {
    const gb = got.branches[i];
    eq(`${name} branch ${i} M`, gb.M, wb.M);
    eq(`${name} branch ${i} c`, gb.c, wb.c);
    eq(`${name} branch ${i} s`, gb.s, wb.s);
    eq(`${name} branch ${i} a`, gb.a, wb.a);
    eq(`${name} branch ${i} b`, gb.b, wb.b);
    if (wb.kind === 'real') eq(`${name} branch ${i} w`, got.w, wb.w);
    eq(`${name} branch ${i} kind`, i === got.real_index ? 'real' : 'simulated', wb.kind);
  });
  eq(`${name} hash input`, got.hash_input, want.hash_input);
  eq(`${name} challenge`, got.challenge, want.challenge);
}

// verifier side: recompute a_i, b_i and the challenge from the published proof
function checkVerifierTrace(name, poll, vb, label, context, alphaHex, betaHex, lo, hi, proofPairs, wantProof) {
  const tr = C.verifyIntervalTrace({
    label,
    context,
    Y: poll.Y,
    alpha: C.decodePoint(alphaHex),
    beta: C.decodePoint(betaHex),
    lo,
    hi,
    proof: proofPairs.map((p) => ({ c: C.decodeScalar(p.c), s: C.decodeScalar(p.s) })),
  });
  ok(`${name} verifies`, tr.ok);
  wantProof.branches.forEach((wb, i) => {
    eq(`${name} verifier a_${i}`, hex(tr.a[i]), wb.a);
    eq(`${name} verifier b_${i}`, hex(tr.b[i]), wb.b);
  });
  eq(`${name} verifier hash input`, hex(tr.hashInput), wantProof.hash_input);
  eq(`${name} verifier challenge`, h32(tr.challenge), wantProof.challenge);
}

const ballotVectors = V('ballots.json');

function checkBallotVector(vb, opts = {}) {
  const poll = C.checkPoll(pollById[vb.poll].record);
  const rng = streamRng(vb.rng_seed);
  const out = C.createBallot(poll, vb.votes, { rng, trace: true, ...opts });
  const n = vb.name;
  eq(`${n} rho`, out.rho, vb.rho);
  eq(`${n} tag hash input`, out.trace.tag_hash_input, vb.tag_hash_input);
  eq(`${n} tag`, out.tag, vb.tag);
  eq(`${n} tagFromRho`, C.tagFromRho(poll.fingerprint, vb.rho), vb.tag);
  vb.choices.forEach((wc, j) => {
    const gc = out.trace.choices[j];
    eq(`${n} choice ${j} v`, gc.v, wc.v);
    eq(`${n} choice ${j} r`, gc.r, wc.r);
    eq(`${n} choice ${j} alpha`, out.ballot.choices[j].alpha, wc.alpha);
    eq(`${n} choice ${j} beta`, out.ballot.choices[j].beta, wc.beta);
    eq(`${n} choice ${j} proof alpha/beta`, [wc.proof.alpha, wc.proof.beta], [wc.alpha, wc.beta]);
    checkTraceProof(`${n} choice ${j}`, gc.proof, wc.proof);
    checkVerifierTrace(`${n} choice ${j}`, poll, vb, 'choice', [poll.fingerprintBytes, C.fromHex(vb.tag, 32), C.u32(j)], wc.alpha, wc.beta, 0, 1, vb.ballot.choices[j].proof, wc.proof);
  });
  eq(`${n} sum v`, out.trace.sum.v, vb.sum.v);
  eq(`${n} sum r`, out.trace.sum.r, vb.sum.r);
  eq(`${n} sum alpha`, out.trace.sum.alpha, vb.sum.proof.alpha);
  eq(`${n} sum beta`, out.trace.sum.beta, vb.sum.proof.beta);
  checkTraceProof(`${n} sum`, out.trace.sum.proof, vb.sum.proof);
  const sumCtx = [poll.fingerprintBytes, C.fromHex(vb.tag, 32)];
  for (const ch of vb.ballot.choices) sumCtx.push(C.fromHex(ch.alpha, 32), C.fromHex(ch.beta, 32));
  checkVerifierTrace(`${n} sum`, poll, vb, 'sum', sumCtx, vb.sum.proof.alpha, vb.sum.proof.beta, poll.min, poll.max, vb.ballot.sum_proof, vb.sum.proof);
  eq(`${n} tracker hash input`, out.trace.tracker_hash_input, vb.tracker_hash_input);
  eq(`${n} tracker`, out.tracker, vb.tracker);
  eq(`${n} ballot object (fields and order)`, JSON.stringify(out.ballot), JSON.stringify(vb.ballot));
  const v = C.verifyBallot(poll, vb.ballot);
  eq(`${n} verifyBallot tracker`, v.tracker, vb.tracker);
  eq(`${n} verifyBallot tag`, v.tag, vb.tag);
  const board = { ...vb.ballot, tracker: vb.tracker };
  delete board.replaces;
  eq(`${n} board form verifies`, C.verifyBallot(poll, board, { form: 'board' }).tracker, vb.tracker);
  rejects(`${n} board form wrong tracker`, () => C.verifyBallot(poll, { ...board, tracker: vb.tag }, { form: 'board' }), 'tracker', 'ballot.tracker');
  rejects(`${n} board form without tracker`, () => C.verifyBallot(poll, vb.ballot, { form: 'board' }), 'shape');
  rejects(`${n} post form with tracker`, () => C.verifyBallot(poll, board), 'shape', 'ballot.tracker');
  ok(`${n} verifies as JSON text`, C.verifyBallot(poll, JSON.stringify(vb.ballot)).tracker === vb.tracker);
  return out;
}

run('ballots.json', () => {
  for (const vb of ballotVectors.ballots) checkBallotVector(vb);
});

run('ballots.json replacement', () => {
  const rep = ballotVectors.replacement;
  const yes = ballotVectors.ballots.find((b) => b.name === 'yes');
  eq('replaces is the rho of the yes ballot', rep.ballot.replaces, yes.rho);
  eq('replaces_tag = Hd(tag, fp, rho_old)', C.tagFromRho(rep.ballot.fingerprint, rep.ballot.replaces), rep.replaces_tag);
  eq('replaces_tag is the yes tag', rep.replaces_tag, yes.tag);
  checkBallotVector(rep, { replaces: yes.rho });
  const withBytes = C.createBallot(pollById[rep.poll].record, rep.votes, { rng: streamRng(rep.rng_seed), replaces: C.fromHex(yes.rho, 32) });
  eq('replaces given as bytes', JSON.stringify(withBytes.ballot), JSON.stringify(rep.ballot));
});

const serverPem = fs.readFileSync(path.join(VEC, 'server.pem'), 'utf8');

run('ballots.json receipt', () => {
  const rc = ballotVectors.receipt;
  const yes = ballotVectors.ballots.find((b) => b.name === 'yes');
  eq('public key from the seed', hex(ed25519.getPublicKey(C.fromHex(rc.signing_seed, 32))), rc.public_key);
  eq('public key from PEM', hex(C.parsePublicKeyPem(rc.public_key_pem)), rc.public_key);
  eq('public key from server.pem', hex(C.parsePublicKeyPem(serverPem)), rc.public_key);
  const msg = C.receiptMessage(yes.ballot.fingerprint, yes.tracker);
  eq('message', msg, rc.message);
  eq('message length', new TextEncoder().encode(msg).length, 149);
  ok('receipt verifies (PEM)', C.verifyReceipt(serverPem, yes.ballot.fingerprint, yes.tracker, rc.signature));
  ok('receipt verifies (raw key)', C.verifyReceipt(rc.public_key, yes.ballot.fingerprint, yes.tracker, rc.signature));
  const no = ballotVectors.ballots.find((b) => b.name === 'no');
  ok('receipt for another tracker fails', !C.verifyReceipt(serverPem, yes.ballot.fingerprint, no.tracker, rc.signature));
  const sig = C.fromHex(rc.signature, 64);
  sig[10] ^= 1;
  ok('tampered signature fails', !C.verifyReceipt(serverPem, yes.ballot.fingerprint, yes.tracker, hex(sig)));
  ok('uppercase signature fails', !C.verifyReceipt(serverPem, yes.ballot.fingerprint, yes.tracker, rc.signature.toUpperCase()));
  ok('short signature fails', !C.verifyReceipt(serverPem, yes.ballot.fingerprint, yes.tracker, rc.signature.slice(2)));
  const other = hex(ed25519.getPublicKey(new Uint8Array(32).fill(7)));
  ok('other key fails', !C.verifyReceipt(other, yes.ballot.fingerprint, yes.tracker, rc.signature));
  // S + l (non-canonical S) must be rejected
  const s = C.fromHex(rc.signature, 64);
  let S = 0n;
  for (let i = 63; i >= 32; i--) S = (S << 8n) | BigInt(s[i]);
  S += C.L;
  for (let i = 32; i < 64; i++) {
    s[i] = Number(S & 255n);
    S >>= 8n;
  }
  ok('signature with S + l fails', !C.verifyReceipt(serverPem, yes.ballot.fingerprint, yes.tracker, hex(s)));
  let threw = false;
  try {
    C.parsePublicKeyPem('-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEA4oqZ/jAiTpIHYnXRVFdIV0OkBDDcv2za4PCGki3lihs=\n-----END PUBLIC KEY-----\n');
  } catch (e) {
    threw = e instanceof C.ConclaveError && e.code === 'key';
  }
  ok('X25519 SPKI rejected as a server key', threw);
});

run('invalid-ballots.json', () => {
  for (const c of V('invalid-ballots.json').cases) {
    const poll = C.checkPoll(pollById[c.poll].record);
    const input = c.ballot_text !== undefined ? c.ballot_text : c.ballot;
    rejects(c.name, () => C.verifyBallot(poll, input), c.reason, c.where);
  }
});

run('tally.json signed results', () => {
  const tv = V('tally.json');
  eq('server key PEM', tv.server_key.public_key_pem, serverPem);
  for (const e of tv.elections) {
    const sr = e.signed_result;
    const board = e.board_file ? V(e.board_file) : null;
    const fingerprint = C.checkPoll(e.poll).fingerprint;
    const trackers = e.board_order.map((x) => (typeof x === 'string' ? x : x.tracker));
    eq(`${e.name} ballots_digest input`, hex(C.ballotsDigestInput(fingerprint, trackers)), sr.ballots_digest_input);
    eq(`${e.name} ballots_digest`, C.ballotsDigest(fingerprint, trackers), sr.ballots_digest);
    const msg = C.resultMessage({ fingerprint, ballots_digest: sr.ballots_digest, ballots: e.N, counts: e.counts, rule: e.rule, passed: e.passed });
    eq(`${e.name} message`, msg, sr.message);
    ok(`${e.name} signature`, C.verifyServerSignature(serverPem, msg, sr.signature));
    if (e.rule === 'two-thirds') eq(`${e.name} two-thirds rule`, C.twoThirdsPassed(e.counts[0], e.counts[1]), e.passed);
    if (board) {
      ok(`${e.name} ${e.board_file} result signature`, C.verifyResultSignature(serverPem, board));
      eq(`${e.name} ${e.board_file} fingerprint`, board.fingerprint, fingerprint);
      const bad = structuredClone(board);
      bad.result.counts = [...bad.result.counts];
      bad.result.counts[0] += 1;
      ok(`${e.name} tampered count fails`, !C.verifyResultSignature(serverPem, bad));
      if (board.ballots.length > 0) {
        const bad2 = structuredClone(board);
        bad2.ballots.pop();
        ok(`${e.name} dropped ballot fails`, !C.verifyResultSignature(serverPem, bad2));
      }
    }
    for (const b of e.ballots_in_cast_order || []) {
      const poll = C.checkPoll(e.poll);
      const v = C.verifyBallot(poll, b.ballot);
      if (v.tracker !== b.tracker) ok(`${e.name} ballot ${b.i} tracker`, false, `${v.tracker} != ${b.tracker}`);
    }
    ok(`${e.name} cast ballots verify with their trackers`, true);
  }
  const partial = V('board-partial.json');
  ok('partial board (result null) has no valid result signature', !C.verifyResultSignature(serverPem, partial));
  eq('two-thirds: exactly 2/3 passes', C.twoThirdsPassed(2, 1), true);
  eq('two-thirds: below fails', C.twoThirdsPassed(1, 1), false);
  eq('two-thirds: no votes fails', C.twoThirdsPassed(0, 0), false);
});

run('tally.json shares and boards', () => {
  const tv = V('tally.json');
  for (const e of tv.elections) {
    const poll = C.checkPoll(e.poll);
    const fp = poll.fingerprint;
    const board = V(e.board_file);
    // aggregates from the ballots
    e.aggregates.forEach((ag) => {
      let A = ristretto255.Point.ZERO;
      let B = ristretto255.Point.ZERO;
      for (const b of e.ballots_in_cast_order) {
        A = A.add(C.decodePoint(b.ballot.choices[ag.j].alpha));
        B = B.add(C.decodePoint(b.ballot.choices[ag.j].beta));
      }
      eq(`${e.name} A_${ag.j}`, hex(A.toBytes()), ag.A);
      eq(`${e.name} B_${ag.j}`, hex(B.toBytes()), ag.B);
    });
    // every share: reproduce D, w, a, b, hash input, c, s from the rng stream; verify
    const rng = streamRng(e.shares_rng_seed);
    for (const sh of e.shares) {
      const x = e.holder_secrets.find((h) => h.k === sh.k).x;
      const got = C.proveShare(fp, sh.k, sh.X, sh.j, sh.A, x, rng, { trace: true });
      const n = `${e.name} share k=${sh.k} j=${sh.j}`;
      eq(`${n} D`, got.D, sh.D);
      eq(`${n} w`, got.trace.w, sh.w);
      eq(`${n} a`, got.trace.a, sh.a);
      eq(`${n} b`, got.trace.b, sh.b);
      eq(`${n} hash input`, got.trace.hash_input, sh.hash_input);
      eq(`${n} c`, got.c, sh.c);
      eq(`${n} s`, got.s, sh.s);
      ok(`${n} verifies`, C.verifyShare(fp, sh.k, sh.X, sh.j, sh.A, { D: sh.D, c: sh.c, s: sh.s }));
      ok(`${n} bound to j`, !C.verifyShare(fp, sh.k, sh.X, sh.j + 1, sh.A, { D: sh.D, c: sh.c, s: sh.s }));
    }
    // D_j, T_j, t_j
    e.combined.forEach((cb) => {
      let D = ristretto255.Point.ZERO;
      for (const sh of e.shares.filter((x) => x.j === cb.j)) D = D.add(C.decodePoint(sh.D));
      const T = C.decodePoint(e.aggregates[cb.j].B).subtract(D);
      eq(`${e.name} D_${cb.j}`, hex(D.toBytes()), cb.D);
      eq(`${e.name} T_${cb.j}`, hex(T.toBytes()), cb.T);
      eq(`${e.name} t_${cb.j}`, C.discreteLogSmall(T, e.N), cb.t);
    });
    // the whole board
    const r = C.verifyBoard(board, { serverKey: serverPem });
    eq(`${e.board_file} counts`, r.counts, e.counts);
    eq(`${e.board_file} rule/passed`, [r.rule, r.passed], [e.rule, e.passed]);
    eq(`${e.board_file} trackers`, r.trackers, e.board_order);
    eq(`${e.board_file} board result`, board.result, e.result);
    eq(`${e.board_file} as text`, C.verifyBoard(JSON.stringify(board)).counts, e.counts);
  }
  const partial = C.verifyBoard(V('board-partial.json'), { serverKey: serverPem });
  eq('board-partial.json: partial, holder 0 present', [partial.partial, partial.holdersPresent, partial.counts], [true, [0], null]);

  // mutations of board.json / board-3holders.json each break one rule
  const base = V('board.json');
  const three = V('board-3holders.json');
  const bad = (name, src, f, code, where) => {
    const b = structuredClone(src);
    f(b);
    rejects(`board: ${name}`, () => C.verifyBoard(b, { serverKey: serverPem }), code, where);
  };
  bad('ballots out of order', base, (b) => ([b.ballots[0], b.ballots[1]] = [b.ballots[1], b.ballots[0]]), 'order', 'board.ballots[1].tracker');
  bad('ballot repeated', base, (b) => b.ballots.splice(1, 0, b.ballots[1]), 'order', 'board.ballots[2].tracker');
  bad('ballot tracker wrong', base, (b) => (b.ballots[3].tracker = b.ballots[2].tracker), 'tracker', 'board.ballots[3].tracker');
  bad('ballot proof broken', base, (b) => (b.ballots[2].sum_proof[0].s = b.ballots[1].sum_proof[0].s), 'proof', 'board.ballots[2].sum_proof');
  bad('fingerprint', base, (b) => (b.fingerprint = b.ballots[0].tag), 'fingerprint', 'board.fingerprint');
  bad('poll question', base, (b) => (b.poll.question = 'x'), 'fingerprint', 'board.fingerprint');
  bad('poll id (proof of knowledge binds it)', base, (b) => (b.poll.id = 'poll-3b'), 'proof', 'board.poll.holders[0].pok');
  bad('tally A', base, (b) => (b.tally[0].A = b.tally[1].A), 'tally', 'board.tally[0].A');
  bad('tally B', base, (b) => (b.tally[1].B = b.tally[0].B), 'tally', 'board.tally[1].B');
  bad('share proof', base, (b) => (b.decryptions[0].shares[1].c = b.decryptions[0].shares[0].c), 'proof', 'board.decryptions[0].shares[1]');
  bad('share D', base, (b) => (b.decryptions[0].shares[0].D = b.decryptions[0].shares[1].D), 'proof', 'board.decryptions[0].shares[0]');
  bad('count', base, (b) => ((b.result.counts[0] = 4), (b.result.counts[1] = 3)), 'result', 'board.result.counts[0]');
  bad('passed', base, (b) => (b.result.passed = false), 'result', 'board.result.passed');
  bad('rule', base, (b) => (b.result.rule = 'none'), 'result', 'board.result.rule');
  bad('ballots', base, (b) => (b.result.ballots = 6), 'result', 'board.result.ballots');
  bad('eligible', base, (b) => (b.result.eligible = 7), 'result', 'board.result.eligible');
  bad('ballots_digest', base, (b) => (b.result.ballots_digest = b.fingerprint), 'result', 'board.result.ballots_digest');
  bad('signature', base, (b) => (b.result.signature = three.result.signature), 'signature', 'board.result.signature');
  bad('missing decryptions', base, (b) => (b.decryptions = []), 'result', 'board.decryptions');
  bad('extra field', base, (b) => (b.created = 1), 'shape', 'board.created');
  bad('protocol', base, (b) => (b.protocol = 'conclave/v0'), 'value', 'board.protocol');
  bad('ballot in POST form', base, (b) => delete b.ballots[0].tracker, 'shape', 'board.ballots[0].tracker');
  bad('holders out of order', three, (b) => b.decryptions.reverse(), 'order', 'board.decryptions[1].holder');
  bad('holder missing', three, (b) => b.decryptions.pop(), 'result', 'board.decryptions');
  bad('3 holders: passed must be null', three, (b) => (b.result.passed = true), 'result', 'board.result.passed');
  bad('shares of another holder', three, (b) => (b.decryptions[1].shares = b.decryptions[2].shares), 'proof', 'board.decryptions[1].shares[0]');
  const partial2 = structuredClone(three);
  partial2.result = null;
  partial2.decryptions = [partial2.decryptions[2]];
  eq('partial board with holder 2 only', C.verifyBoard(partial2).holdersPresent, [2]);
  ok('signature not checked without a key', C.verifyBoard(structuredClone(base)).counts[0] === 5);
});

run('make-ballots.mjs', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mb-'));
  try {
    const rec = path.join(tmp, 'record.json');
    fs.writeFileSync(rec, JSON.stringify(polls[1].record));
    const script = path.join(HERE, 'make-ballots.mjs');
    const run1 = execFileSync(process.execPath, [script, rec, '6', '--seed', 'x'], { encoding: 'utf8' });
    const run2 = execFileSync(process.execPath, [script, rec, '6', '--seed', 'x'], { encoding: 'utf8' });
    const run3 = execFileSync(process.execPath, [script, rec, '6', '--seed', 'y'], { encoding: 'utf8' });
    const lines = run1.trim().split('\n');
    eq('N lines', lines.length, 6);
    ok('deterministic for a seed', run1 === run2);
    ok('another seed, other ballots', run1 !== run3);
    const poll = C.checkPoll(polls[1].record);
    lines.forEach((l, i) => {
      let r;
      try {
        r = C.verifyBallot(poll, l);
      } catch (e) {
        r = e;
      }
      ok(`ballot ${i} verifies`, r && typeof r.tracker === 'string', String(r));
    });
    const boardForm = execFileSync(process.execPath, [script, path.join(VEC, 'board.json'), '3', '--board'], { encoding: 'utf8' }).trim().split('\n');
    const poll3 = C.checkPoll(V('board.json').poll);
    boardForm.forEach((l, i) => ok(`board-form ballot ${i} verifies`, C.verifyBallot(poll3, l, { form: 'board' }).tracker === JSON.parse(l).tracker));
    const metaLine = JSON.parse(execFileSync(process.execPath, [script, rec, '1', '--meta'], { encoding: 'utf8' }));
    eq('meta tag from rho', C.tagFromRho(metaLine.ballot.fingerprint, metaLine.rho), metaLine.tag);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------
run('strict JSON', () => {
  const shape = (name, text, where) => rejects(name, () => C.parseJSON(text, 'doc'), 'shape', where);
  shape('duplicate key', '{"a":1,"a":1}', 'doc.a');
  shape('nested duplicate key', '{"a":{"b":[{"c":1,"c":2}]}}', 'doc.a.b[0].c');
  shape('fraction', '{"min":1.0}', 'doc.min');
  shape('exponent', '{"min":1e0}', 'doc.min');
  shape('negative', '{"min":-1}', 'doc.min');
  shape('minus zero', '[-0]', 'doc[0]');
  shape('leading zero', '[01]');
  shape('above 2^32-1', '[4294967296]', 'doc[0]');
  shape('huge', '[123456789012345678901234567890]', 'doc[0]');
  eq('2^32-1 accepted', C.parseJSON('[4294967295]'), [4294967295]);
  eq('zero accepted', C.parseJSON(' [0] '), [0]);
  shape('lone high surrogate escape', '["\\ud83d"]');
  shape('lone low surrogate escape', '["\\ude00x"]');
  shape('reversed surrogates', '["\\ude00\\ud83d"]');
  eq('surrogate pair escape', C.parseJSON('["\\ud83d\\ude00"]'), ['\u{1F600}']);
  shape('raw lone surrogate in a JS string', '["\ud83d"]');
  shape('malformed UTF-8 bytes', new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]));
  shape('overlong UTF-8', new Uint8Array([0x5b, 0x22, 0xc0, 0xaf, 0x22, 0x5d]));
  eq('UTF-8 bytes decode', C.parseJSON(new Uint8Array([0x5b, 0x22, 0xc3, 0xa9, 0x22, 0x5d])), ['\u00e9']);
  shape('BOM', '\ufeff{}');
  shape('trailing data', '{} {}');
  shape('trailing comma', '[1,]');
  shape('single quotes', "['a']");
  shape('control character in string', '["a\u0001"]');
  shape('bad escape', '["\\x41"]');
  shape('unterminated', '{"a":');
  shape('empty', '');
  shape('NaN', '[NaN]');
  shape('deep nesting', '['.repeat(100) + ']'.repeat(100));
  const p = C.parseJSON('{"__proto__":{"x":1},"a":"\\u00e9\\n\\/"}');
  ok('__proto__ is an own data property', Object.getPrototypeOf(p) === Object.prototype && Object.keys(p).includes('__proto__') && p.x === undefined);
  eq('escapes', p.a, '\u00e9\n/');
  eq('literals', C.parseJSON('[true,false,null,{}]'), [true, false, null, {}]);
});

run('encodings', () => {
  rejects('uppercase hex', () => C.fromHex('AB', 1), 'hex');
  rejects('odd hex', () => C.fromHex('abc'), 'hex');
  rejects('wrong length hex', () => C.fromHex('abcd', 1), 'hex');
  eq('hex round trip', hex(C.fromHex('00ff7a', 3)), '00ff7a');
  rejects('scalar l', () => C.decodeScalar(C.scalarToBytes(0n).map((_, i) => Number((C.L >> BigInt(8 * i)) & 255n))), 'scalar');
  eq('scalar l-1', String(C.decodeScalar(C.scalarToBytes(C.L - 1n))), String(C.L - 1n));
  const Gb = G.toBytes();
  const bit = Gb.slice();
  bit[31] |= 0x80;
  rejects('point with bit 255 set', () => C.decodePoint(bit), 'point');
  rejects('identity where not allowed', () => C.decodePoint(new Uint8Array(32), 'x', { allowIdentity: false }), 'identity', 'x');
  ok('identity where allowed', C.decodePoint(new Uint8Array(32)).equals(ristretto255.Point.ZERO));
  const nonCanon = new Uint8Array(32).fill(0xff);
  nonCanon[31] = 0x7f;
  rejects('non-canonical field element', () => C.decodePoint(nonCanon), 'point');
  eq('u32 big-endian', hex(C.u32(0x01020304)), '01020304');
  eq('str of UTF-8', hex(C.str('é')), '00000002c3a9');
  ok('time valid', C.isValidTime('2024-02-29T23:59:59Z'));
  ok('time 1900-02-29 invalid', !C.isValidTime('1900-02-29T00:00:00Z'));
  ok('time 2000-02-29 valid', C.isValidTime('2000-02-29T00:00:00Z'));
  ok('time 04-31 invalid', !C.isValidTime('2025-04-31T00:00:00Z'));
  ok('time leap second invalid', !C.isValidTime('2025-06-30T23:59:60Z'));
});

// ---------------------------------------------------------------------------
// Random ballots made by the module verify with its own verifier.

/** A valid record with fresh holder keys (for option counts the vectors do not cover). */
function makeRecord({ id, options, min, max, holders = 1, rng = C.defaultRng }) {
  const keys = Array.from({ length: holders }, () => C.makeHolderKey(rng));
  const names = keys.map((_, k) => (k === 0 ? 'server' : `trustee-${k}`));
  let Y = ristretto255.Point.ZERO;
  for (const k of keys) Y = Y.add(C.decodePoint(k.X));
  return {
    id,
    question: `Question of ${id}?`,
    options,
    min,
    max,
    opens_at: '2025-01-01T00:00:00Z',
    closes_at: '2025-01-08T00:00:00Z',
    roll: ['alice', 'bob', 'carol'],
    holders: keys.map((k, i) => ({ name: names[i], public_key: k.X, pok: C.provePok(id, i, names[i], k.x, rng) })),
    public_key: hex(Y.toBytes()),
  };
}

function allSelections(m, min, max) {
  const out = [];
  for (let mask = 0; mask < 1 << m; mask++) {
    const v = Array.from({ length: m }, (_, j) => (mask >> j) & 1);
    const s = v.reduce((a, b) => a + b, 0);
    if (s >= min && s <= max) out.push(v);
  }
  return out;
}

run('random ballots', () => {
  const recs = [
    ...polls.map((p) => p.record),
    makeRecord({ id: 'rand-4', options: ['a', 'b', 'c', 'd'], min: 1, max: 3, holders: 2 }),
    makeRecord({ id: 'rand-approval', options: ['a', 'b', 'c'], min: 0, max: 3, holders: 3 }),
  ];
  for (const rec of recs) {
    const poll = C.checkPoll(rec);
    const sels = allSelections(poll.m, poll.min, poll.max);
    for (const v of sels) {
      const out = C.createBallot(poll, v);
      let res;
      try {
        res = C.verifyBallot(poll, out.ballot);
      } catch (e) {
        res = e;
      }
      ok(`${rec.id} selection ${v.join('')} verifies`, res && res.tracker === out.tracker, String(res));
      ok(`${rec.id} selection ${v.join('')} tag`, C.tagFromRho(poll.fingerprint, out.rho) === out.tag);
    }
    // index form for single-choice polls
    if (poll.min <= 1 && poll.max >= 1) {
      const out = C.createBallot(poll, poll.m - 1);
      ok(`${rec.id} option index form verifies`, C.verifyBallot(poll, out.ballot).tracker === out.tracker);
    }
    // invalid choices are refused by the client
    let refused = 0;
    for (const bad of [-1, poll.m, 1.5, 'a', Array(poll.m + 1).fill(0), Array(poll.m).fill(2)]) {
      try {
        C.createBallot(poll, bad);
      } catch (e) {
        if (e instanceof RangeError || e instanceof TypeError) refused++;
      }
    }
    ok(`${rec.id} invalid choices refused`, refused === 6, `${refused} of 6`);
    if (poll.min > 0) {
      let t = false;
      try {
        C.createBallot(poll, Array(poll.m).fill(0));
      } catch (e) {
        t = e instanceof RangeError;
      }
      ok(`${rec.id} too few selections refused`, t);
    }
    if (poll.max < poll.m) {
      let t = false;
      try {
        C.createBallot(poll, Array(poll.m).fill(1));
      } catch (e) {
        t = e instanceof RangeError;
      }
      ok(`${rec.id} too many selections refused`, t);
    }
  }
  // tampering: each published scalar, flipped, breaks a proof
  const poll = C.checkPoll(polls[1].record);
  const out = C.createBallot(poll, [0, 1, 0]);
  const mutate = (f) => {
    const b = structuredClone(out.ballot);
    f(b);
    return b;
  };
  const flipScalar = (h) => {
    const b = C.fromHex(h, 32);
    b[0] ^= 1;
    return hex(b);
  };
  poll.record.options.forEach((_, j) => {
    for (const i of [0, 1])
      for (const f of ['c', 's'])
        rejects(`choice ${j} branch ${i} ${f} flipped`, () => C.verifyBallot(poll, mutate((b) => (b.choices[j].proof[i][f] = flipScalar(b.choices[j].proof[i][f])))), 'proof', `ballot.choices[${j}].proof`);
  });
  out.ballot.sum_proof.forEach((_, i) => {
    for (const f of ['c', 's'])
      rejects(`sum branch ${i} ${f} flipped`, () => C.verifyBallot(poll, mutate((b) => (b.sum_proof[i][f] = flipScalar(b.sum_proof[i][f])))), 'proof', 'ballot.sum_proof');
  });
  rejects('tag changed', () => C.verifyBallot(poll, mutate((b) => (b.tag = flipScalar(b.tag)))), 'proof');
  rejects('beta changed to another point', () => C.verifyBallot(poll, mutate((b) => (b.choices[0].beta = hex(G.toBytes())))), 'proof', 'ballot.choices[0].proof');
  const two = mutate((b) => {
    [b.choices[0], b.choices[1]] = [b.choices[1], b.choices[0]];
  });
  rejects('choices reordered', () => C.verifyBallot(poll, two), 'proof');
  rejects('replaces uppercase', () => C.verifyBallot(poll, { ...out.ballot, replaces: out.rho.toUpperCase() }), 'hex', 'ballot.replaces');
  ok('replaces accepted in post form', C.verifyBallot(poll, { ...out.ballot, replaces: out.rho }).tracker === out.tracker);
  // a ballot does not verify against another poll
  rejects('other poll', () => C.verifyBallot(C.checkPoll(polls[0].record), out.ballot), 'shape');
  // the RNG is injected: two runs of one stream give one ballot
  const a = C.createBallot(poll, 0, { rng: streamRng('test/same') });
  const b = C.createBallot(poll, 0, { rng: streamRng('test/same') });
  eq('deterministic with an injected rng', JSON.stringify(a), JSON.stringify(b));
  ok('default rng gives fresh ballots', C.createBallot(poll, 0).tag !== C.createBallot(poll, 0).tag);
});

// ---------------------------------------------------------------------------
run('timing', () => {
  for (const p of polls) ok(`warmUp ${p.record.id}`, C.warmUp(p.record) >= 0);
  const poll = C.checkPoll(polls[0].record);
  for (let i = 0; i < 10; i++) C.createBallot(poll, i % 2); // warm up (JIT, Y table)
  const N = 100;
  const times = [];
  const made = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    made.push(C.createBallot(poll, i % 2));
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const mean = times.reduce((x, y) => x + y, 0) / N;
  const t0 = performance.now();
  for (const o of made) C.verifyBallot(poll, o.ballot);
  const ver = (performance.now() - t0) / N;
  const tc0 = performance.now();
  const cold = C.createBallot(C.checkPoll(structuredClone(polls[0].record)), 0);
  const coldMs = performance.now() - tc0;
  console.log(
    `  timing: yes/no ballot (encrypt + prove): mean ${mean.toFixed(2)} ms, median ${times[N >> 1].toFixed(2)} ms, ` +
      `max ${times[N - 1].toFixed(2)} ms over ${N}; verify ${ver.toFixed(2)} ms; checkPoll + first ballot ${coldMs.toFixed(2)} ms`,
  );
  // the median resists load spikes from other processes on the machine
  ok('yes/no ballot creation under 50 ms (median)', times[N >> 1] < 50, `${times[N >> 1].toFixed(2)} ms`);
  ok('cold ballot verifies', C.verifyBallot(polls[0].record, cold.ballot).tracker === cold.tracker);
});

// ---------------------------------------------------------------------------
// The browser's other modules that run without a page.
run('change-code.mjs', () => {
  const rho = hex(Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 5) & 255));
  const code = CC.formatChangeCode(rho);
  ok('8 groups of 8 lowercase hex digits', /^([0-9a-f]{8}-){7}[0-9a-f]{8}$/.test(code), code);
  eq('the code is rho', code.replaceAll('-', ''), rho);
  for (const [what, text] of [['as shown', code], ['upper case', code.toUpperCase()],
    ['bare hex', rho], ['spaces and tabs', code.replaceAll('-', ' \t')], ['line breaks', code.replaceAll('-', '\r\n')],
    ['around', `  ${code}\n`], ['mixed', rho.slice(0, 10).toUpperCase() + '--' + rho.slice(10)]]) {
    eq(`read ${what}`, CC.parseChangeCode(text), rho);
  }
  for (const [what, text] of [['63 digits', rho.slice(1)], ['65 digits', rho + 'a'], ['not hex', 'g' + rho.slice(1)],
    ['an underscore', code.replaceAll('-', '_')], ['a dot', code.replace('-', '.')], ['empty', ''], ['a tracker in words', 'tracker ' + rho]]) {
    let message = null;
    try {
      CC.parseChangeCode(text);
    } catch (e) {
      message = e.message;
    }
    eq(`refuses ${what}`, message, CC.CHANGE_CODE_FORMAT);
  }
  const file = CC.changeCodeFileText({ rho, id: 'abc123', question: 'Promote Ada to core developer?', fingerprint: 'f'.repeat(64) });
  const lines = file.split('\n');
  eq('file: the code alone on line 1', lines[0], code);
  eq('file: then a blank line', lines[1], '');
  ok('file: says what it is', file.includes('abc123') && file.includes('Promote Ada to core developer?') &&
    file.includes('f'.repeat(64)) && /as safe as your ballot/.test(file) && /recognise your ballot/.test(file), file);
  eq('file: read back', CC.parseChangeCode(CC.changeCodeOfFile(file)), rho);
  eq('file: read back with CRLF and a BOM', CC.parseChangeCode(CC.changeCodeOfFile('\uFEFF' + file.replaceAll('\n', '\r\n'))), rho);
  eq('file name', CC.changeCodeFileName('abc123'), 'conclave-poll-abc123-change-code.txt');
  eq('file name of an odd id', CC.changeCodeFileName('../x y'), 'conclave-poll-___x_y-change-code.txt');
});

run('clock.mjs', () => {
  const answer = (date) => ({ headers: new Headers(date ? { Date: date } : {}) });
  const near = (ms, want) => Math.abs(ms - want) < 1000;
  learnClock(answer(new Date(Date.now() + 3600e3).toUTCString()), Date.now());
  ok('a server an hour ahead', near(serverNow() - Date.now(), 3600e3), `${serverNow() - Date.now()} ms`);
  learnClock(answer(null), Date.now());
  ok('an answer without Date changes nothing', near(serverNow() - Date.now(), 3600e3));
  learnClock(answer(new Date(Date.now() - 120e3).toUTCString()), Date.now() - 400);
  ok('a server two minutes behind', near(serverNow() - Date.now(), -120e3), `${serverNow() - Date.now()} ms`);
  learnClock(answer(new Date().toUTCString()), Date.now());
  eq('a server on time: no offset (a Date has whole seconds)', serverNow() - Date.now(), 0);
});

run('site.mjs times', () => {
  const t = new Date('2026-11-25T08:00:00Z');
  const english = /^Wed 25 Nov 2026, (\d\d:\d\d) (\S+)$/;
  for (const [zone, clock, name] of [['Asia/Kolkata', '13:30', 'GMT+5:30'], ['Europe/Paris', '09:00', 'CET'],
    ['America/New_York', '03:00', 'GMT-5'], ['UTC', '08:00', 'UTC'], ['Pacific/Chatham', '21:45', 'GMT+13:45']]) {
    const m = english.exec(formatTime(t, zone));
    ok(`${zone}: one time, in English, with its zone`, m && m[1] === clock && m[2] === name, formatTime(t, zone));
  }
});

// PROTOCOL-threshold T6: the booth checks a threshold record against its fingerprint
// before it seals a ballot; the ballots are v1 ballots under that fingerprint and Y.
run('threshold/poll.json', () => {
  const T = V('threshold/poll.json');
  const B = V('threshold/board.json');
  const poll = C.checkPoll(T.record, { threshold: true });
  eq('fingerprint', poll.fingerprint, T.fingerprint);
  eq('fingerprint input, field by field', hex(C.fingerprintInput(T.record)), T.fingerprint_input);
  eq('pollFingerprint', hex(C.pollFingerprint(T.record)), T.fingerprint);
  eq('Y = X_0 + Y_T', hex(poll.Y.toBytes()), T.Y);
  eq('who seals it', [poll.threshold.t, poll.threshold.trustees.map((m) => m.index)], [3, [1, 2, 3, 5]]);
  eq('checkPoll of JSON text', C.checkPoll(JSON.stringify(T.record), { threshold: true }).fingerprint, T.fingerprint);
  ok('a v1 record has no threshold', C.checkPoll(polls[0].record, { threshold: true }).threshold === null);
  rejects('a v1 reader refuses the field', () => C.checkPoll(T.record), 'shape', 'poll.threshold');
  for (const b of B.ballots) eq(`board ballot ${b.tracker.slice(0, 8)} verifies`, C.verifyBallot(poll, b, { form: 'board' }).tracker, b.tracker);
  T.votes.forEach((votes, b) => {
    const out = C.createBallot(poll, votes, { rng: streamRng(`ballots/poll-t1/${b}`, 'conclave/ristretto255/v1/threshold test vectors/') });
    const want = B.ballots.find((x) => x.tracker === out.tracker);
    ok(`ballot ${b} made again byte for byte`, want !== undefined && JSON.stringify({ ...out.ballot, tracker: out.tracker }) === JSON.stringify(want));
  });
  const edit = (f) => {
    const r = JSON.parse(JSON.stringify(T.record));
    f(r);
    return r;
  };
  const chk = (r) => C.checkPoll(r, { threshold: true });
  rejects('Y = Y_T', () => chk(edit((r) => { r.public_key = r.threshold.public_key; })), 'value', 'poll.public_key');
  rejects('two holders', () => chk(edit((r) => { r.holders.push({ ...r.holders[0], name: 'x' }); })), 'value', 'poll.holders');
  rejects('t = 0', () => chk(edit((r) => { r.threshold.t = 0; })), 'value', 'poll.threshold.t');
  rejects('t > |QUAL|', () => chk(edit((r) => { r.threshold.t = 5; })), 'value', 'poll.threshold.t');
  rejects('indices out of order', () => chk(edit((r) => { r.threshold.trustees[1].index = 4; })), 'value', 'poll.threshold.trustees[2].index');
  rejects('a name twice', () => chk(edit((r) => { r.threshold.trustees[1].name = r.threshold.trustees[0].name; })), 'value', 'poll.threshold.trustees[1].name');
  rejects('Y_T the identity', () => chk(edit((r) => { r.threshold.public_key = '00'.repeat(32); })), 'identity', 'poll.threshold.public_key');
  rejects('X_j the identity', () => chk(edit((r) => { r.threshold.trustees[2].verification_key = '00'.repeat(32); })), 'identity', 'poll.threshold.trustees[2].verification_key');
  rejects('digest not hex', () => chk(edit((r) => { r.threshold.digest = 'AB'.repeat(32); })), 'hex', 'poll.threshold.digest');
  rejects('an extra member', () => chk(edit((r) => { r.threshold.n = 5; })), 'shape', 'poll.threshold.n');
  rejects('holder 0 proof', () => chk(edit((r) => { r.holders[0].pok.c = r.holders[0].pok.s; })), 'proof', 'poll.holders[0].pok');
  const other = chk(edit((r) => { r.threshold.digest = r.threshold.digest.replace(/.$/, (c) => (c === '0' ? '1' : '0')); }));
  ok('another ceremony digest: another fingerprint', other.fingerprint !== T.fingerprint);
});

console.log(`node: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
