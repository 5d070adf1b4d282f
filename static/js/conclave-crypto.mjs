// Conclave voting client cryptography, protocol conclave/ristretto255/v1
// (docs/PROTOCOL.md). One ES module for the browser booth and Node alike.
//
// It reaches @noble/curves and @noble/hashes (versions pinned in package.json and
// package-lock.json) through ../vendor/noble.mjs, a bundle that `make` builds from
// node_modules with esbuild (tools/noble-entry.mjs). Nothing here touches the DOM,
// the network or storage: the page feeds it the poll record and the choice and sends
// what it returns.
//
// Errors in data (a poll record, a ballot, a board) are thrown as ConclaveError with
// the protocol's rejection code (§10) in `code` and the offending field in `where`.
// Randomness comes from an injectable `rng(n) -> Uint8Array(n)`; each call is one
// draw (64 bytes for a scalar, reduced mod l; 32 bytes for rho). The default is
// crypto.getRandomValues.
//
// The booth's path:
//   const poll = checkPoll(recordJsonText, { threshold: true });   // §3 checks (a poll
//                                             // sealed by trustees: PROTOCOL-threshold T6);
//                                             // poll.fingerprint, .promotion, .threshold
//   warmUp(poll);                             // once, at page load: compiles the arithmetic
//   const { ballot, rho, tag, tracker } = createBallot(poll, optionIndex);   // or a 0/1 array
//   // show tracker; keep rho (by fingerprint); POST JSON.stringify(ballot); then
//   verifyReceipt(serverPemText, poll.fingerprint, tracker, response.receipt);
//   // change of mind: createBallot(poll, other, { replaces: rho_old })
// Checks for everyone else: verifyBallot (§5, §10), verifyBoard (§8; v1 boards only: a
// board sealed by trustees is checked by `conclave verify`), verifyResultSignature (§9).

import { ristretto255, ed25519, sha256, sha512 } from '../vendor/noble.mjs';

export const PROTOCOL = 'conclave/ristretto255/v1';
/** The group order l = 2^252 + 27742317777372353535851937790883648493. */
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const Point = ristretto255.Point;
const G = Point.BASE;
const ZERO = Point.ZERO;
const U32_MAX = 0xffffffff;
const enc = new TextEncoder();

// ---------------------------------------------------------------------------
// Errors

export class ConclaveError extends Error {
  constructor(code, where = '', detail = '') {
    super(`${code}${where ? ' at ' + where : ''}${detail ? ': ' + detail : ''}`);
    this.name = 'ConclaveError';
    this.code = code;
    this.where = where;
  }
}

function fail(code, where, detail) {
  throw new ConclaveError(code, where, detail);
}

// ---------------------------------------------------------------------------
// Bytes and hex

const HEX = '0123456789abcdef';

/** Lowercase hex of a Uint8Array. */
export function toHex(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('toHex: Uint8Array expected');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

/** True iff `s` is a string of lowercase hex of exactly `len` bytes (any length if len is undefined). */
export function isHex(s, len) {
  if (typeof s !== 'string') return false;
  if (len !== undefined && s.length !== 2 * len) return false;
  return s.length % 2 === 0 && /^[0-9a-f]*$/.test(s);
}

/** Strict decoding of lowercase hex of exactly `len` bytes; throws ConclaveError('hex'). */
export function fromHex(s, len, where = '') {
  if (!isHex(s, len)) fail('hex', where, 'lowercase hex' + (len !== undefined ? ` of ${len} bytes` : '') + ' expected');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

export function concatBytes(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Lexicographic comparison of byte arrays (a proper prefix sorts first): -1, 0 or 1. */
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function asBytes(x, len, where) {
  if (typeof x === 'string') return fromHex(x, len, where);
  if (x instanceof Uint8Array && (len === undefined || x.length === len)) return x;
  throw new TypeError(`${where || 'value'}: ${len ?? ''}-byte Uint8Array or hex expected`);
}

// ---------------------------------------------------------------------------
// Encodings (§1)

/** u32(n): 4 bytes big-endian. */
export function u32(n) {
  if (!Number.isInteger(n) || n < 0 || n > U32_MAX) throw new RangeError('u32 out of range');
  return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** UTF-8 bytes of a well-formed string. */
export function utf8(s) {
  if (!isWellFormed(s)) throw new TypeError('string with a lone surrogate');
  return enc.encode(s);
}

/** str(x): u32(UTF-8 byte length) || UTF-8 bytes. */
export function str(s) {
  const b = utf8(s);
  return concatBytes(u32(b.length), b);
}

function isWellFormed(s) {
  return typeof s === 'string' && !/\p{Surrogate}/u.test(s);
}

function bytesToBigLE(b) {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

/** 32-byte little-endian encoding of a scalar 0 <= k < l. */
export function scalarToBytes(k) {
  if (typeof k !== 'bigint' || k < 0n || k >= L) throw new RangeError('scalar out of range');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(k & 255n);
    k >>= 8n;
  }
  return out;
}

/** Strict scalar decoding (32 bytes LE, < l): throws ConclaveError('scalar'). Accepts hex or bytes. */
export function decodeScalar(x, where = '') {
  const b = asBytes(x, 32, where);
  const k = bytesToBigLE(b);
  if (k >= L) fail('scalar', where, 'scalar >= l');
  return k;
}

/** crypto_core_ristretto255_scalar_reduce: 64 bytes LE mod l. */
export function scalarReduce(b64) {
  if (!(b64 instanceof Uint8Array) || b64.length !== 64) throw new TypeError('64 bytes expected');
  return bytesToBigLE(b64) % L;
}

const mod = (x) => {
  const r = x % L;
  return r < 0n ? r + L : r;
};

/**
 * Strict point decoding (§1): canonical ristretto255 encoding, bit 255 clear.
 * Throws ConclaveError('point'), or ConclaveError('identity') for the identity
 * unless opts.allowIdentity. Accepts hex or bytes; returns a noble RistrettoPoint.
 */
export function decodePoint(x, where = '', { allowIdentity = true } = {}) {
  const b = asBytes(x, 32, where);
  if (b[31] & 0x80) fail('point', where, 'bit 255 set');
  let P;
  try {
    P = Point.fromBytes(b);
  } catch {
    fail('point', where, 'not a canonical ristretto255 encoding');
  }
  // fromBytes is canonical, but double-check that re-encoding gives the same bytes.
  const back = P.toBytes();
  if (!equalBytes(back, b)) fail('point', where, 'non-canonical encoding');
  if (!allowIdentity && P.equals(ZERO)) fail('identity', where, 'identity not allowed');
  return P;
}

export function encodePoint(P) {
  return P.toBytes();
}

/** k·P for a secret scalar (constant-time multiply; 0 gives the identity). */
function mulSecret(P, k) {
  return k === 0n ? ZERO : P.multiply(k);
}

/** k·P for a public scalar (variable time). */
function mulPublic(P, k) {
  return P.multiplyUnsafe(k);
}

// ---------------------------------------------------------------------------
// Hashes (§2)

/** The complete framed hash input: str(PROTOCOL + "/" + label) || fields. */
export function hashInput(label, ...fields) {
  return concatBytes(str(PROTOCOL + '/' + label), ...fields);
}

/** Hs(label, ...fields): SHA-512 reduced mod l, as a bigint scalar. */
export function Hs(label, ...fields) {
  return scalarReduce(sha512(hashInput(label, ...fields)));
}

/** Hd(label, ...fields): SHA-256, 32 bytes. */
export function Hd(label, ...fields) {
  return sha256(hashInput(label, ...fields));
}

// ---------------------------------------------------------------------------
// Randomness

/** Default randomness: the platform CSPRNG (browser and Node >= 19 expose globalThis.crypto). */
export function defaultRng(n) {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

function draw(rng, n) {
  const b = rng(n);
  if (!(b instanceof Uint8Array) || b.length !== n) throw new TypeError(`rng(${n}) must return ${n} bytes`);
  return b;
}

/** One scalar draw: 64 random bytes reduced mod l. */
export function randomScalar(rng = defaultRng, { nonZero = false } = {}) {
  for (;;) {
    const k = scalarReduce(draw(rng, 64));
    if (!nonZero || k !== 0n) return k;
  }
}

// ---------------------------------------------------------------------------
// Strict JSON (RFC 8259 plus §1): duplicate keys, non-plain numbers, lone
// surrogates and malformed UTF-8 are ConclaveError('shape').

/**
 * Parses JSON text (a string or UTF-8 bytes) strictly. Numbers must be plain
 * integers 0 .. 2^32-1 (returned as numbers). `root` names the document in `where`.
 */
export function parseJSON(text, root = '') {
  if (text instanceof Uint8Array || text instanceof ArrayBuffer) {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      fail('shape', root, 'malformed UTF-8');
    }
  }
  if (typeof text !== 'string') throw new TypeError('parseJSON: string or bytes expected');
  if (!isWellFormed(text)) fail('shape', root, 'lone surrogate');
  let i = 0;
  const n = text.length;
  const err = (where, detail) => fail('shape', where, detail || `invalid JSON at offset ${i}`);
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const sub = (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  const parseString = (where) => {
    // at opening quote
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) err(where, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        break;
      }
      if (c < 0x20) err(where, 'control character in string');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      i++;
      const e = text[i++];
      if (e === '"') out += '"';
      else if (e === '\\') out += '\\';
      else if (e === '/') out += '/';
      else if (e === 'b') out += '\b';
      else if (e === 'f') out += '\f';
      else if (e === 'n') out += '\n';
      else if (e === 'r') out += '\r';
      else if (e === 't') out += '\t';
      else if (e === 'u') {
        const hex4 = () => {
          const h = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) err(where, 'bad \\u escape');
          i += 4;
          return parseInt(h, 16);
        };
        const u = hex4();
        if (u >= 0xd800 && u <= 0xdbff) {
          if (text[i] !== '\\' || text[i + 1] !== 'u') err(where, 'lone surrogate escape');
          i += 2;
          const lo = hex4();
          if (lo < 0xdc00 || lo > 0xdfff) err(where, 'lone surrogate escape');
          out += String.fromCharCode(u, lo);
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          err(where, 'lone surrogate escape');
        } else out += String.fromCharCode(u);
      } else err(where, 'bad escape');
      start = i;
    }
    return out;
  };
  const parseValue = (path, depth) => {
    if (depth > 64) err(path, 'nesting too deep');
    ws();
    if (i >= n) err(path, 'unexpected end');
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') err(path, 'object key expected');
        const key = parseString(path);
        const kp = sub(path, key);
        if (Object.prototype.hasOwnProperty.call(obj, key)) err(kp, 'duplicate key');
        ws();
        if (text[i] !== ':') err(kp, "':' expected");
        i++;
        const v = parseValue(kp, depth + 1);
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        err(path, "',' or '}' expected");
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(sub(path, arr.length), depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        err(path, "',' or ']' expected");
      }
    }
    if (c === '"') return parseString(path);
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) err(path, 'unexpected character');
    i += m[0].length;
    if (!/^(0|[1-9][0-9]*)$/.test(m[0])) err(path, 'not a plain integer');
    const v = Number(m[0]);
    if (m[0].length > 10 || v > U32_MAX) err(path, 'integer above 2^32-1');
    return v;
  };
  const v = parseValue(root, 0);
  ws();
  if (i !== n) err(root, 'trailing data');
  return v;
}

// ---------------------------------------------------------------------------
// Shape helpers for already-parsed JSON values

const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const sub = (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function checkFields(o, where, required, optional = []) {
  if (!isObj(o)) fail('shape', where, 'object expected');
  for (const k of Object.keys(o))
    if (!required.includes(k) && !optional.includes(k)) fail('shape', sub(where, k), 'unexpected field');
  for (const k of required) if (!own(o, k)) fail('shape', sub(where, k), 'missing field');
}

function checkString(s, where) {
  if (typeof s !== 'string') fail('shape', where, 'string expected');
  if (!isWellFormed(s)) fail('shape', where, 'malformed UTF-8');
}

function checkInt(x, where) {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > U32_MAX) fail('shape', where, 'plain integer expected');
}

function checkArray(a, where, len) {
  if (!Array.isArray(a)) fail('shape', where, 'array expected');
  if (len !== undefined && a.length !== len) fail('shape', where, `${len} entries expected`);
}

function toDoc(x, root) {
  if (typeof x === 'string' || x instanceof Uint8Array || x instanceof ArrayBuffer) return parseJSON(x, root);
  return x;
}

// ---------------------------------------------------------------------------
// Times (§1)

const TIME_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;

/** True iff `s` is exactly YYYY-MM-DDTHH:MM:SSZ with a valid Gregorian date and time (no leap second). */
export function isValidTime(s) {
  if (typeof s !== 'string') return false;
  const m = TIME_RE.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= dim;
}

// ---------------------------------------------------------------------------
// Holder keys and proofs of knowledge (§3)

function pokChallenge(id, k, name, Xb, ab) {
  return Hs('pok', str(id), u32(k), str(name), Xb, ab);
}

/** A holder key pair: x random non-zero, X = x·G. Returns { x (hex), X (hex) }. */
export function makeHolderKey(rng = defaultRng) {
  const x = randomScalar(rng, { nonZero: true });
  return { x: toHex(scalarToBytes(x)), X: toHex(G.multiply(x).toBytes()) };
}

/**
 * Proof of knowledge of x for holder k of poll `id`: { c, s } as hex.
 * With `trace`, also returns w, a and the hash input.
 */
export function provePok(id, k, name, x, rng = defaultRng, { trace = false } = {}) {
  const xs = typeof x === 'bigint' ? x : decodeScalar(x, 'x');
  const Xb = mulSecret(G, xs).toBytes();
  const w = randomScalar(rng);
  const ab = mulSecret(G, w).toBytes();
  const c = pokChallenge(id, k, name, Xb, ab);
  const s = mod(w + c * xs);
  const out = { c: toHex(scalarToBytes(c)), s: toHex(scalarToBytes(s)) };
  if (trace)
    out.trace = {
      X: toHex(Xb),
      w: toHex(scalarToBytes(w)),
      a: toHex(ab),
      hash_input: toHex(hashInput('pok', str(id), u32(k), str(name), Xb, ab)),
    };
  return out;
}

/** Verifies a proof of knowledge { c, s } (hex) of holder k's key X (hex or point). */
export function verifyPok(id, k, name, X, pok) {
  try {
    const XP = X instanceof Point ? X : decodePoint(X);
    const c = decodeScalar(pok.c);
    const s = decodeScalar(pok.s);
    const a = mulPublic(G, s).subtract(mulPublic(XP, c));
    return pokChallenge(id, k, name, XP.toBytes(), a.toBytes()) === c;
  } catch (e) {
    if (e instanceof ConclaveError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Poll record, roll digest, fingerprint (§3)

const POLL_FIELDS = ['id', 'question', 'options', 'min', 'max', 'opens_at', 'closes_at', 'roll', 'holders', 'public_key'];

/** roll_digest input: the framed Hd("roll", u32(n), str(v_1), ..., str(v_n)) input. */
export function rollDigestInput(roll) {
  return hashInput('roll', u32(roll.length), ...roll.map(str));
}

/** roll_digest = Hd("roll", u32(n), str(v_1), ..., str(v_n)), 32 bytes. */
export function rollDigest(roll) {
  return sha256(rollDigestInput(roll));
}

/**
 * The framed fingerprint input of a (structurally valid) record: §3's, or for a
 * threshold record (one with a "threshold" field) PROTOCOL-threshold T6's.
 */
export function fingerprintInput(record) {
  const r = record;
  if (r.threshold !== undefined) return thresholdFingerprintInput(r);
  return hashInput(
    'poll',
    str(r.id),
    str(r.question),
    u32(r.options.length),
    ...r.options.map(str),
    u32(r.min),
    u32(r.max),
    str(r.opens_at),
    str(r.closes_at),
    u32(r.roll.length),
    rollDigest(r.roll),
    u32(r.holders.length),
    ...r.holders.flatMap((h) => [str(h.name), fromHex(h.public_key, 32, 'public_key')]),
    fromHex(r.public_key, 32, 'public_key'),
  );
}

/**
 * PROTOCOL-threshold T6: Hd("t-poll", ..., u32(|roll|), roll_digest, str(name_0), X_0,
 * str(ceremony), ceremony_digest, u32(t), u32(|QUAL|), (u32(j), str(name_j), X_j)..., Y_T, Y).
 */
function thresholdFingerprintInput(r) {
  const th = r.threshold;
  return hashInput(
    't-poll',
    str(r.id),
    str(r.question),
    u32(r.options.length),
    ...r.options.map(str),
    u32(r.min),
    u32(r.max),
    str(r.opens_at),
    str(r.closes_at),
    u32(r.roll.length),
    rollDigest(r.roll),
    str(r.holders[0].name),
    fromHex(r.holders[0].public_key, 32, 'public_key'),
    str(th.ceremony),
    fromHex(th.digest, 32, 'digest'),
    u32(th.t),
    u32(th.trustees.length),
    ...th.trustees.flatMap((m) => [u32(m.index), str(m.name), fromHex(m.verification_key, 32, 'verification_key')]),
    fromHex(th.public_key, 32, 'public_key'),
    fromHex(r.public_key, 32, 'public_key'),
  );
}

/** The poll fingerprint of a record (no validation: use checkPoll for that), 32 bytes. */
export function pollFingerprint(record) {
  return sha256(fingerprintInput(record));
}

/**
 * A validated poll record: the result of checkPoll. Holds the decoded keys and
 * the fingerprint; pass it to createBallot / verifyBallot.
 */
class Poll {
  constructor(record, Y, X, fingerprint, rollDigestBytes) {
    this.record = record;
    // PROTOCOL-threshold T6: who seals the poll ({ ceremony, digest, t, trustees: [{ index,
    // name }] }), or null when the server alone holds the key.
    this.threshold = record.threshold === undefined ? null : Object.freeze({
      ceremony: record.threshold.ceremony,
      digest: record.threshold.digest,
      t: record.threshold.t,
      trustees: record.threshold.trustees.map((m) => ({ index: m.index, name: m.name })),
    });
    this.id = record.id;
    this.m = record.options.length;
    this.min = record.min;
    this.max = record.max;
    this.n = record.roll.length;
    this.K = record.holders.length;
    this.Y = Y;
    this.X = X;
    this.fingerprintBytes = fingerprint;
    this.fingerprint = toHex(fingerprint);
    this.rollDigest = toHex(rollDigestBytes);
    this.promotion = this.m === 2 && this.min === 1 && this.max === 1;
    this._mg = [];
    // Y is the key of every ballot multiplication: a small lazy table (built on first use,
    // about 3 ms) makes each later k·Y some 4 times faster.
    Y.precompute(4);
    Object.freeze(this);
  }
  /** M·G for a small non-negative integer M (cached). */
  mG(M) {
    if (this._mg[M] === undefined) this._mg[M] = M === 0 ? ZERO : G.multiplyUnsafe(BigInt(M));
    return this._mg[M];
  }
}

const THRESHOLD_FIELDS = ['ceremony', 'digest', 't', 'trustees', 'public_key'];

/** PROTOCOL-threshold T6, the "threshold" field: shape, encodings, its values; returns Y_T. */
function checkThresholdField(th, where) {
  const at = (k) => sub(where, k);
  checkFields(th, where, THRESHOLD_FIELDS);
  checkString(th.ceremony, at('ceremony'));
  checkString(th.digest, at('digest'));
  checkInt(th.t, at('t'));
  checkArray(th.trustees, at('trustees'));
  th.trustees.forEach((m, k) => {
    const mw = sub(at('trustees'), k);
    checkFields(m, mw, ['index', 'name', 'verification_key']);
    checkInt(m.index, sub(mw, 'index'));
    checkString(m.name, sub(mw, 'name'));
    checkString(m.verification_key, sub(mw, 'verification_key'));
  });
  checkString(th.public_key, at('public_key'));
  fromHex(th.digest, 32, at('digest'));
  th.trustees.forEach((m, k) => {
    const w = sub(sub(at('trustees'), k), 'verification_key');
    decodePoint(fromHex(m.verification_key, 32, w), w, { allowIdentity: false });
  });
  const YT = decodePoint(fromHex(th.public_key, 32, at('public_key')), at('public_key'), { allowIdentity: false });
  const n = th.trustees.length;
  if (th.t < 1 || th.t > n || n > 64) fail('value', at('t'), '1 <= t <= |QUAL| <= 64');
  const names = new Set();
  th.trustees.forEach((m, k) => {
    const mw = sub(at('trustees'), k);
    if (m.index < 1 || m.index > 64 || (k > 0 && m.index <= th.trustees[k - 1].index))
      fail('value', sub(mw, 'index'), 'indices 1..64, strictly ascending');
    if (m.name === '' || names.has(m.name)) fail('value', sub(mw, 'name'), 'empty or duplicate name');
    names.add(m.name);
  });
  return YT;
}

/**
 * Checks a poll record (§3; object or JSON text) and returns a Poll. Throws
 * ConclaveError with the §10 code (shape, hex, point, scalar, identity, proof,
 * value) and the offending field under `root` (default "poll"). A threshold
 * record (PROTOCOL-threshold T6: a "threshold" field, holder 0 alone, Y = X_0 + Y_T,
 * its own fingerprint) is accepted only with { threshold: true }; otherwise its
 * "threshold" field is refused as shape, as a v1 verifier must. Whether Y_T and the
 * X_j are the council's needs the ceremony's transcript: not checked here.
 */
export function checkPoll(record, { root = 'poll', threshold = false } = {}) {
  if (record instanceof Poll) return record;
  const r = toDoc(record, root);
  const at = (k) => sub(root, k);
  // shape
  checkFields(r, root, POLL_FIELDS, threshold ? ['threshold'] : []);
  checkString(r.id, at('id'));
  checkString(r.question, at('question'));
  checkArray(r.options, at('options'));
  r.options.forEach((o, j) => checkString(o, sub(at('options'), j)));
  checkInt(r.min, at('min'));
  checkInt(r.max, at('max'));
  checkString(r.opens_at, at('opens_at'));
  checkString(r.closes_at, at('closes_at'));
  checkArray(r.roll, at('roll'));
  r.roll.forEach((v, i) => checkString(v, sub(at('roll'), i)));
  checkArray(r.holders, at('holders'));
  r.holders.forEach((h, k) => {
    const hw = sub(at('holders'), k);
    checkFields(h, hw, ['name', 'public_key', 'pok']);
    checkString(h.name, sub(hw, 'name'));
    checkString(h.public_key, sub(hw, 'public_key'));
    checkFields(h.pok, sub(hw, 'pok'), ['c', 's']);
    checkString(h.pok.c, sub(hw, 'pok.c'));
    checkString(h.pok.s, sub(hw, 'pok.s'));
  });
  checkString(r.public_key, at('public_key'));
  // hex, points, scalars, identity
  const X = r.holders.map((h, k) => {
    const hw = sub(at('holders'), k);
    const P = decodePoint(fromHex(h.public_key, 32, sub(hw, 'public_key')), sub(hw, 'public_key'), { allowIdentity: false });
    decodeScalar(fromHex(h.pok.c, 32, sub(hw, 'pok.c')), sub(hw, 'pok.c'));
    decodeScalar(fromHex(h.pok.s, 32, sub(hw, 'pok.s')), sub(hw, 'pok.s'));
    return P;
  });
  const Y = decodePoint(fromHex(r.public_key, 32, at('public_key')), at('public_key'), { allowIdentity: false });
  const YT = r.threshold !== undefined ? checkThresholdField(r.threshold, at('threshold')) : null;
  if (YT !== null && r.holders.length !== 1) fail('value', at('holders'), 'a threshold record has holder 0 only');
  // values
  if (r.question === '') fail('value', at('question'), 'empty question');
  const m = r.options.length;
  if (m < 2) fail('value', at('options'), 'at least 2 options');
  const seen = new Set();
  r.options.forEach((o, j) => {
    if (o === '') fail('value', sub(at('options'), j), 'empty option');
    if (seen.has(o)) fail('value', sub(at('options'), j), 'duplicate option');
    seen.add(o);
  });
  if (r.min > r.max) fail('value', at('max'), 'min > max');
  if (r.max > m) fail('value', at('max'), 'max > number of options');
  if (r.max < 1) fail('value', at('max'), 'max < 1');
  if (!isValidTime(r.opens_at)) fail('value', at('opens_at'), 'invalid time');
  if (!isValidTime(r.closes_at)) fail('value', at('closes_at'), 'invalid time');
  if (!(r.opens_at < r.closes_at)) fail('value', at('closes_at'), 'closes_at not after opens_at');
  if (r.roll.length < 1) fail('value', at('roll'), 'empty roll');
  let prev = null;
  r.roll.forEach((v, i) => {
    const b = utf8(v);
    if (prev !== null && compareBytes(prev, b) >= 0) fail('value', sub(at('roll'), i), 'roll not strictly ascending');
    prev = b;
  });
  if (r.holders.length < 1) fail('value', at('holders'), 'no holders');
  const names = new Set();
  r.holders.forEach((h, k) => {
    if (names.has(h.name)) fail('value', sub(sub(at('holders'), k), 'name'), 'duplicate holder name');
    names.add(h.name);
  });
  // proofs of knowledge
  r.holders.forEach((h, k) => {
    if (!verifyPok(r.id, k, h.name, X[k], h.pok)) fail('proof', sub(sub(at('holders'), k), 'pok'), 'proof of knowledge fails');
  });
  // Y = sum X_k (threshold: Y = X_0 + Y_T)
  let sum = YT ?? ZERO;
  for (const P of X) sum = sum.add(P);
  if (!sum.equals(Y)) fail('value', at('public_key'), 'public_key is not the sum of the holder keys');
  const rd = rollDigest(r.roll);
  return new Poll(r, Y, X, pollFingerprint(r), rd);
}

// ---------------------------------------------------------------------------
// Interval proof (§4)

function intervalHashFields(context, Yb, alphaB, betaB, abs) {
  return [...context, Yb, alphaB, betaB, ...abs];
}

/**
 * Proves that (alpha, beta) = (r·G, v·G + r·Y) with lo <= v <= hi.
 *   label: "choice" | "sum"; context: array of Uint8Array (already encoded fields)
 *   Y, alpha, beta: points; r: bigint; v: integer; rng: randomness
 * Returns { proof: [{c, s}] (bigints), trace } where trace has per-branch a, b, w
 * and the hash input and challenge (all bytes / bigints).
 * `mG(M)` optionally supplies M·G.
 */
export function proveInterval({ label, context, Y, alpha, beta, lo, hi, v, r, rng = defaultRng, mG }) {
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi >= lo)) throw new RangeError('bad interval');
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new RangeError('value outside the interval');
  const MG = mG || ((M) => (M === 0 ? ZERO : G.multiplyUnsafe(BigInt(M))));
  const t = hi - lo;
  const iStar = v - lo;
  const cs = new Array(t + 1);
  const ss = new Array(t + 1);
  const as = new Array(t + 1);
  const bs = new Array(t + 1);
  let w = 0n;
  for (let i = 0; i <= t; i++) {
    if (i === iStar) {
      w = randomScalar(rng);
      as[i] = mulSecret(G, w);
      bs[i] = mulSecret(Y, w);
    } else {
      // simulated branch: c_i, s_i are published, so variable-time arithmetic is fine
      cs[i] = randomScalar(rng);
      ss[i] = randomScalar(rng);
      as[i] = mulPublic(G, ss[i]).subtract(mulPublic(alpha, cs[i]));
      bs[i] = mulPublic(Y, ss[i]).subtract(mulPublic(beta.subtract(MG(lo + i)), cs[i]));
    }
  }
  const abBytes = [];
  for (let i = 0; i <= t; i++) abBytes.push(as[i].toBytes(), bs[i].toBytes());
  const input = hashInput(label, ...intervalHashFields(context, Y.toBytes(), alpha.toBytes(), beta.toBytes(), abBytes));
  const c = scalarReduce(sha512(input));
  let rest = 0n;
  for (let i = 0; i <= t; i++) if (i !== iStar) rest += cs[i];
  cs[iStar] = mod(c - rest);
  ss[iStar] = mod(w + cs[iStar] * r);
  return {
    proof: cs.map((ci, i) => ({ c: ci, s: ss[i] })),
    trace: { iStar, w, a: abBytes.filter((_, k) => k % 2 === 0), b: abBytes.filter((_, k) => k % 2 === 1), hashInput: input, challenge: c },
  };
}

/**
 * Verifies an interval proof (proof: [{c, s}] bigints, t+1 entries). Returns
 * { ok, a, b, hashInput, challenge } (a_i, b_i recomputed, as bytes).
 */
export function verifyIntervalTrace({ label, context, Y, alpha, beta, lo, hi, proof, mG }) {
  const MG = mG || ((M) => (M === 0 ? ZERO : G.multiplyUnsafe(BigInt(M))));
  const t = hi - lo;
  if (!Array.isArray(proof) || proof.length !== t + 1) return { ok: false };
  const abBytes = [];
  let sum = 0n;
  for (let i = 0; i <= t; i++) {
    const { c, s } = proof[i];
    const a = mulPublic(G, s).subtract(mulPublic(alpha, c));
    const b = mulPublic(Y, s).subtract(mulPublic(beta.subtract(MG(lo + i)), c));
    abBytes.push(a.toBytes(), b.toBytes());
    sum += c;
  }
  const input = hashInput(label, ...intervalHashFields(context, Y.toBytes(), alpha.toBytes(), beta.toBytes(), abBytes));
  const challenge = scalarReduce(sha512(input));
  return {
    ok: mod(sum) === challenge,
    a: abBytes.filter((_, k) => k % 2 === 0),
    b: abBytes.filter((_, k) => k % 2 === 1),
    hashInput: input,
    challenge,
  };
}

/** Boolean form of verifyIntervalTrace. */
export function verifyInterval(args) {
  return verifyIntervalTrace(args).ok;
}

// ---------------------------------------------------------------------------
// Ballots (§5)

/** tag = Hd("tag", fingerprint, rho), hex. fingerprint and rho: hex or bytes. */
export function tagFromRho(fingerprint, rho) {
  return toHex(Hd('tag', asBytes(fingerprint, 32, 'fingerprint'), asBytes(rho, 32, 'rho')));
}

function choiceContext(fp, tagB, j) {
  return [fp, tagB, u32(j)];
}

function sumContext(fp, tagB, alphaBs, betaBs) {
  const ctx = [fp, tagB];
  for (let j = 0; j < alphaBs.length; j++) ctx.push(alphaBs[j], betaBs[j]);
  return ctx;
}

/** The framed tracker input of a ballot object (hex fields assumed well formed). */
export function trackerInput(ballot) {
  const f = [fromHex(ballot.fingerprint, 32, 'fingerprint'), fromHex(ballot.tag, 32, 'tag')];
  for (const ch of ballot.choices) {
    f.push(fromHex(ch.alpha, 32), fromHex(ch.beta, 32));
    for (const p of ch.proof) f.push(fromHex(p.c, 32), fromHex(p.s, 32));
  }
  for (const p of ballot.sum_proof) f.push(fromHex(p.c, 32), fromHex(p.s, 32));
  return hashInput('ballot', ...f);
}

/** tracker = Hd("ballot", fingerprint, tag, each alpha_j, beta_j, c_0, s_0, c_1, s_1, then sum c_i, s_i), hex. */
export function ballotTracker(ballot) {
  return toHex(sha256(trackerInput(ballot)));
}

function votesFromChoice(poll, choice) {
  let votes;
  if (Number.isInteger(choice)) {
    if (choice < 0 || choice >= poll.m) throw new RangeError('choice: option index out of range');
    votes = Array.from({ length: poll.m }, (_, j) => (j === choice ? 1 : 0));
  } else if (Array.isArray(choice)) {
    if (choice.length !== poll.m) throw new RangeError(`choice: ${poll.m} selections expected`);
    votes = choice.map((x) => {
      if (x === true || x === 1) return 1;
      if (x === false || x === 0) return 0;
      throw new RangeError('choice: selections must be 0/1 or booleans');
    });
  } else throw new TypeError('choice: option index or selection array expected');
  const total = votes.reduce((a, b) => a + b, 0);
  if (total < poll.min || total > poll.max) throw new RangeError(`choice: select between ${poll.min} and ${poll.max} options`);
  return votes;
}

const hex32 = (k) => toHex(scalarToBytes(k));

/**
 * Creates a ballot (§5).
 *   poll: a Poll from checkPoll, or a record (object or JSON text), which is checked first
 *   choice: option index, or an array of m selections (0/1 or booleans)
 *   opts.rng: randomness (default crypto.getRandomValues)
 *   opts.replaces: rho of the ballot this one replaces (hex or bytes)
 *   opts.trace: also return every random value and intermediate
 * Returns { ballot, rho, tag, tracker } (hex strings; ballot is the object to POST).
 * Draw order: rho; r_0..r_{m-1}; choice proofs j = 0..m-1; the sum proof.
 */
export function createBallot(poll, choice, { rng = defaultRng, replaces, trace = false } = {}) {
  poll = checkPoll(poll);
  const votes = votesFromChoice(poll, choice);
  const m = poll.m;
  const fp = poll.fingerprintBytes;
  const Y = poll.Y;
  let replacesHex;
  if (replaces !== undefined) replacesHex = toHex(asBytes(replaces, 32, 'replaces'));
  const rho = draw(rng, 32).slice();
  const tagB = Hd('tag', fp, rho);
  const rs = [];
  while (rs.length < m) {
    const r = randomScalar(rng, { nonZero: true });
    if (rs.includes(r)) continue; // keeps the alpha_j pairwise distinct
    rs.push(r);
  }
  const alphas = rs.map((r) => mulSecret(G, r));
  const betas = rs.map((r, j) => {
    const rY = mulSecret(Y, r);
    return votes[j] ? rY.add(G) : rY;
  });
  const alphaBs = alphas.map((P) => P.toBytes());
  const betaBs = betas.map((P) => P.toBytes());
  const mG = (M) => poll.mG(M);
  const choiceProofs = [];
  for (let j = 0; j < m; j++) {
    choiceProofs.push(
      proveInterval({ label: 'choice', context: choiceContext(fp, tagB, j), Y, alpha: alphas[j], beta: betas[j], lo: 0, hi: 1, v: votes[j], r: rs[j], rng, mG }),
    );
  }
  let alpha = ZERO;
  let beta = ZERO;
  let r = 0n;
  for (let j = 0; j < m; j++) {
    alpha = alpha.add(alphas[j]);
    beta = beta.add(betas[j]);
    r += rs[j];
  }
  r = mod(r);
  const total = votes.reduce((a, b) => a + b, 0);
  const sumProof = proveInterval({
    label: 'sum',
    context: sumContext(fp, tagB, alphaBs, betaBs),
    Y,
    alpha,
    beta,
    lo: poll.min,
    hi: poll.max,
    v: total,
    r,
    rng,
    mG,
  });
  const pair = (p) => ({ c: hex32(p.c), s: hex32(p.s) });
  const ballot = {
    poll: poll.id,
    fingerprint: poll.fingerprint,
    tag: toHex(tagB),
    choices: alphaBs.map((ab, j) => ({ alpha: toHex(ab), beta: toHex(betaBs[j]), proof: choiceProofs[j].proof.map(pair) })),
    sum_proof: sumProof.proof.map(pair),
  };
  if (replacesHex !== undefined) ballot.replaces = replacesHex;
  const out = { ballot, rho: toHex(rho), tag: ballot.tag, tracker: ballotTracker(ballot) };
  if (trace) {
    const tr = (p, lo) => ({
      real_index: p.trace.iStar,
      w: hex32(p.trace.w),
      branches: p.proof.map((x, i) => ({ i, M: lo + i, c: hex32(x.c), s: hex32(x.s), a: toHex(p.trace.a[i]), b: toHex(p.trace.b[i]) })),
      hash_input: toHex(p.trace.hashInput),
      challenge: hex32(p.trace.challenge),
    });
    out.trace = {
      votes,
      tag_hash_input: toHex(hashInput('tag', fp, rho)),
      choices: rs.map((rj, j) => ({ j, v: votes[j], r: hex32(rj), proof: tr(choiceProofs[j], 0) })),
      sum: { v: total, r: hex32(r), alpha: toHex(alpha.toBytes()), beta: toHex(beta.toBytes()), proof: tr(sumProof, poll.min) },
      tracker_hash_input: toHex(trackerInput(ballot)),
    };
  }
  return out;
}

/**
 * Makes and checks one throw-away ballot so that the JavaScript engine has compiled the
 * arithmetic and the Y table exists before the voter's ballot: a page calls this once
 * after checkPoll (e.g. from requestIdleCallback), and createBallot then takes its warm
 * time (about 10 ms for a yes/no poll) instead of a first-call time of some 100-300 ms.
 * Uses its own fixed randomness; returns the milliseconds it took.
 */
export function warmUp(poll) {
  const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  poll = checkPoll(poll);
  let i = 0;
  const seed = enc.encode('conclave warm-up');
  const rng = (n) => sha512(concatBytes(seed, u32(i++))).slice(0, n);
  const made = createBallot(poll, Array.from({ length: poll.m }, (_, j) => (j < poll.min ? 1 : 0)), { rng });
  verifyBallot(poll, made.ballot);
  return (typeof performance !== 'undefined' ? performance.now() : Date.now()) - t0;
}

/**
 * Verifies a ballot against a poll: every stateless rule of §10 (shape, hex,
 * point, scalar, identity, poll, fingerprint, duplicate_alpha within the ballot,
 * proof; and tracker for the board form). Throws ConclaveError; on success
 * returns { tag, tracker, alphas } (hex).
 *   ballot: object or JSON text
 *   opts.form: "post" (default; "replaces" optional) or "board" ("tracker" required)
 *   opts.root: name of the document in `where` (default "ballot")
 */
export function verifyBallot(poll, ballot, { form = 'post', root = 'ballot' } = {}) {
  poll = checkPoll(poll);
  const b = toDoc(ballot, root);
  const at = (k) => sub(root, k);
  const m = poll.m;
  const t = poll.max - poll.min;
  // shape
  const base = ['poll', 'fingerprint', 'tag', 'choices', 'sum_proof'];
  if (form === 'board') checkFields(b, root, [...base, 'tracker']);
  else checkFields(b, root, base, ['replaces']);
  checkString(b.poll, at('poll'));
  checkString(b.fingerprint, at('fingerprint'));
  checkString(b.tag, at('tag'));
  checkArray(b.choices, at('choices'), m);
  const pairShape = (p, w) => {
    checkFields(p, w, ['c', 's']);
    checkString(p.c, sub(w, 'c'));
    checkString(p.s, sub(w, 's'));
  };
  b.choices.forEach((ch, j) => {
    const cw = sub(at('choices'), j);
    checkFields(ch, cw, ['alpha', 'beta', 'proof']);
    checkString(ch.alpha, sub(cw, 'alpha'));
    checkString(ch.beta, sub(cw, 'beta'));
    checkArray(ch.proof, sub(cw, 'proof'), 2);
    ch.proof.forEach((p, i) => pairShape(p, sub(sub(cw, 'proof'), i)));
  });
  checkArray(b.sum_proof, at('sum_proof'), t + 1);
  b.sum_proof.forEach((p, i) => pairShape(p, sub(at('sum_proof'), i)));
  if (own(b, 'replaces')) checkString(b.replaces, at('replaces'));
  if (own(b, 'tracker')) checkString(b.tracker, at('tracker'));
  // hex
  const fpB = fromHex(b.fingerprint, 32, at('fingerprint'));
  const tagB = fromHex(b.tag, 32, at('tag'));
  const raw = b.choices.map((ch, j) => {
    const cw = sub(at('choices'), j);
    return {
      alpha: fromHex(ch.alpha, 32, sub(cw, 'alpha')),
      beta: fromHex(ch.beta, 32, sub(cw, 'beta')),
      proof: ch.proof.map((p, i) => {
        const pw = sub(sub(cw, 'proof'), i);
        return { c: fromHex(p.c, 32, sub(pw, 'c')), s: fromHex(p.s, 32, sub(pw, 's')) };
      }),
    };
  });
  const rawSum = b.sum_proof.map((p, i) => {
    const pw = sub(at('sum_proof'), i);
    return { c: fromHex(p.c, 32, sub(pw, 'c')), s: fromHex(p.s, 32, sub(pw, 's')) };
  });
  if (own(b, 'replaces')) fromHex(b.replaces, 32, at('replaces'));
  if (own(b, 'tracker')) fromHex(b.tracker, 32, at('tracker'));
  // points, scalars, identity
  const dec = raw.map((ch, j) => {
    const cw = sub(at('choices'), j);
    return {
      alpha: decodePoint(ch.alpha, sub(cw, 'alpha'), { allowIdentity: false }),
      beta: decodePoint(ch.beta, sub(cw, 'beta')),
      proof: ch.proof.map((p, i) => {
        const pw = sub(sub(cw, 'proof'), i);
        return { c: decodeScalar(p.c, sub(pw, 'c')), s: decodeScalar(p.s, sub(pw, 's')) };
      }),
    };
  });
  const decSum = rawSum.map((p, i) => {
    const pw = sub(at('sum_proof'), i);
    return { c: decodeScalar(p.c, sub(pw, 'c')), s: decodeScalar(p.s, sub(pw, 's')) };
  });
  // poll, fingerprint
  if (b.poll !== poll.id) fail('poll', at('poll'), 'not this poll');
  if (!equalBytes(fpB, poll.fingerprintBytes)) fail('fingerprint', at('fingerprint'), 'not this poll\'s fingerprint');
  // duplicate alpha within the ballot
  const seenAlpha = new Set();
  b.choices.forEach((ch, j) => {
    if (seenAlpha.has(ch.alpha)) fail('duplicate_alpha', sub(sub(at('choices'), j), 'alpha'), 'alpha repeated');
    seenAlpha.add(ch.alpha);
  });
  // proofs
  const fp = poll.fingerprintBytes;
  const mG = (M) => poll.mG(M);
  dec.forEach((ch, j) => {
    const ok = verifyInterval({ label: 'choice', context: choiceContext(fp, tagB, j), Y: poll.Y, alpha: ch.alpha, beta: ch.beta, lo: 0, hi: 1, proof: ch.proof, mG });
    if (!ok) fail('proof', sub(sub(at('choices'), j), 'proof'), 'choice proof fails');
  });
  let alpha = ZERO;
  let beta = ZERO;
  for (const ch of dec) {
    alpha = alpha.add(ch.alpha);
    beta = beta.add(ch.beta);
  }
  const sumOk = verifyInterval({
    label: 'sum',
    context: sumContext(fp, tagB, raw.map((x) => x.alpha), raw.map((x) => x.beta)),
    Y: poll.Y,
    alpha,
    beta,
    lo: poll.min,
    hi: poll.max,
    proof: decSum,
    mG,
  });
  if (!sumOk) fail('proof', at('sum_proof'), 'sum proof fails');
  const tracker = ballotTracker(b);
  if (form === 'board' && b.tracker !== tracker) fail('tracker', at('tracker'), 'tracker does not match the ballot');
  return { tag: b.tag, tracker, alphas: b.choices.map((ch) => ch.alpha) };
}

// ---------------------------------------------------------------------------
// Ed25519 server key, receipts (§5) and the signed result (§9)

const ED25519_SPKI_PREFIX = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

function base64Decode(s) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new ConclaveError('key', '', 'bad base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The 32-byte Ed25519 public key from PEM SubjectPublicKeyInfo text
 * ("-----BEGIN PUBLIC KEY-----"). Throws ConclaveError('key').
 */
export function parsePublicKeyPem(pem) {
  if (typeof pem !== 'string') throw new ConclaveError('key', '', 'PEM text expected');
  const m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]*)-----END PUBLIC KEY-----/.exec(pem);
  if (!m) throw new ConclaveError('key', '', 'no PUBLIC KEY block');
  const der = base64Decode(m[1].replace(/\s+/g, ''));
  if (der.length !== 44 || !equalBytes(der.subarray(0, 12), ED25519_SPKI_PREFIX))
    throw new ConclaveError('key', '', 'not an Ed25519 SubjectPublicKeyInfo');
  return der.slice(12);
}

function serverKeyBytes(key) {
  if (typeof key === 'string' && key.includes('-----BEGIN')) return parsePublicKeyPem(key);
  return asBytes(key, 32, 'server key');
}

/** Verifies an Ed25519 signature (hex, 128 chars) of an ASCII message with the server key (PEM, hex or bytes). */
export function verifyServerSignature(serverKey, message, signature) {
  const pk = serverKeyBytes(serverKey);
  if (!isHex(signature, 64)) return false;
  try {
    return ed25519.verify(fromHex(signature, 64), enc.encode(message), pk, { zip215: false });
  } catch {
    return false;
  }
}

/** The receipt message: "conclave-receipt-v1 <fingerprint> <tracker>". */
export function receiptMessage(fingerprint, tracker) {
  if (!isHex(fingerprint, 32) || !isHex(tracker, 32)) throw new ConclaveError('hex', '', 'fingerprint and tracker must be lowercase hex32');
  return `conclave-receipt-v1 ${fingerprint} ${tracker}`;
}

/** Verifies the server's receipt signature (hex) for a ballot's fingerprint and tracker. */
export function verifyReceipt(serverKey, fingerprint, tracker, signature) {
  return verifyServerSignature(serverKey, receiptMessage(fingerprint, tracker), signature);
}

/** The framed ballots_digest input: Hd("ballots", fingerprint, u32(N), tracker_1, ..., tracker_N). */
export function ballotsDigestInput(fingerprint, trackers) {
  return hashInput('ballots', asBytes(fingerprint, 32, 'fingerprint'), u32(trackers.length), ...trackers.map((t) => asBytes(t, 32, 'tracker')));
}

/** ballots_digest over the trackers in the given (ascending) order, hex. */
export function ballotsDigest(fingerprint, trackers) {
  return toHex(sha256(ballotsDigestInput(fingerprint, trackers)));
}

/** verdict of §9: "passed" / "failed" for rule "two-thirds", "none" for rule "none". */
export function verdict(rule, passed) {
  if (rule === 'two-thirds') return passed === true ? 'passed' : 'failed';
  if (rule === 'none') return 'none';
  throw new RangeError('unknown rule');
}

/** The signed result message of §9. */
export function resultMessage({ fingerprint, ballots_digest, ballots, counts, rule, passed }) {
  for (const n of [ballots, ...counts]) if (!Number.isInteger(n) || n < 0) throw new RangeError('counts must be non-negative integers');
  return `conclave-result-v1 ${fingerprint} ${ballots_digest} ${ballots} ${counts.join(',')} ${verdict(rule, passed)}`;
}

/** two-thirds rule of §6. */
export function twoThirdsPassed(yes, no) {
  return yes + no > 0 && 3 * yes >= 2 * (yes + no);
}

/**
 * Checks a board's signed result (§9): recomputes ballots_digest from the
 * board's trackers (in board order, which must be ascending) and verifies the
 * signature over the result message. Returns true or false; a partial board
 * (result null) gives false.
 */
export function verifyResultSignature(serverKey, board) {
  const res = board && board.result;
  if (!res || !Array.isArray(board.ballots)) return false;
  const trackers = board.ballots.map((b) => b.tracker);
  if (!trackers.every((t) => isHex(t, 32))) return false;
  for (let i = 1; i < trackers.length; i++) if (!(trackers[i - 1] < trackers[i])) return false;
  if (!isHex(board.fingerprint, 32)) return false;
  if (res.ballots !== trackers.length) return false;
  if (ballotsDigest(board.fingerprint, trackers) !== res.ballots_digest) return false;
  let msg;
  try {
    msg = resultMessage({ ...res, fingerprint: board.fingerprint });
  } catch {
    return false;
  }
  return verifyServerSignature(serverKey, msg, res.signature);
}

// ---------------------------------------------------------------------------
// Decryption shares (§6) and the board (§8)

function shareChallenge(fp, k, Xb, j, Ab, Db, ab, bb) {
  return hashInput('decrypt', fp, u32(k), Xb, u32(j), Ab, Db, ab, bb);
}

/**
 * Holder k's share of option j: D = x·A with its proof (§6). fingerprint, X, A
 * and x as hex or bytes (x may be a bigint). Returns { D, c, s } as hex; with
 * `trace` also w, a, b and the hash input.
 */
export function proveShare(fingerprint, k, X, j, A, x, rng = defaultRng, { trace = false } = {}) {
  const fp = asBytes(fingerprint, 32, 'fingerprint');
  const xs = typeof x === 'bigint' ? x : decodeScalar(x, 'x');
  const AP = A instanceof Point ? A : decodePoint(A, 'A');
  const Xb = X instanceof Point ? X.toBytes() : asBytes(X, 32, 'X');
  const Db = mulSecret(AP, xs).toBytes();
  const w = randomScalar(rng);
  const ab = mulSecret(G, w).toBytes();
  const bb = mulSecret(AP, w).toBytes();
  const input = shareChallenge(fp, k, Xb, j, AP.toBytes(), Db, ab, bb);
  const c = scalarReduce(sha512(input));
  const s = mod(w + c * xs);
  const out = { D: toHex(Db), c: hex32(c), s: hex32(s) };
  if (trace) out.trace = { w: hex32(w), a: toHex(ab), b: toHex(bb), hash_input: toHex(input) };
  return out;
}

/** Verifies holder k's share { D, c, s } (hex) of option j for aggregate A (§6). */
export function verifyShare(fingerprint, k, X, j, A, share) {
  try {
    const fp = asBytes(fingerprint, 32, 'fingerprint');
    const XP = X instanceof Point ? X : decodePoint(X);
    const AP = A instanceof Point ? A : decodePoint(A);
    const DP = decodePoint(share.D);
    const c = decodeScalar(share.c);
    const s = decodeScalar(share.s);
    const a = mulPublic(G, s).subtract(mulPublic(XP, c));
    const b = mulPublic(AP, s).subtract(mulPublic(DP, c));
    const input = shareChallenge(fp, k, XP.toBytes(), j, AP.toBytes(), DP.toBytes(), a.toBytes(), b.toBytes());
    return scalarReduce(sha512(input)) === c;
  } catch (e) {
    if (e instanceof ConclaveError) return false;
    throw e;
  }
}

/** The unique t in 0..max with t·G = T, or -1. */
export function discreteLogSmall(T, max) {
  let P = ZERO;
  for (let t = 0; t <= max; t++) {
    if (P.equals(T)) return t;
    P = P.add(G);
  }
  return -1;
}

/**
 * Verifies a board (§8), complete or partial (§7: "result": null, the shares present
 * so far). Throws ConclaveError; on success returns { partial, fingerprint, trackers,
 * N, eligible, tally: [{A, B}], holdersPresent: [k], counts, rule, passed }
 * (counts, rule, passed null on a partial board).
 * Codes: those of checkPoll and verifyBallot, plus board rules: "fingerprint",
 * "order" (ballots not strictly ascending by tracker, decryptions out of order),
 * "duplicate_tag", "duplicate_alpha" (across the board), "tally" (an A_j or B_j is not
 * the sum), "proof" (a share), "result" (counts, sum check, N, eligible, rule, passed,
 * ballots_digest), "signature" (only checked when opts.serverKey is given).
 */
export function verifyBoard(board, { serverKey, root = 'board' } = {}) {
  const bd = toDoc(board, root);
  const at = (k) => sub(root, k);
  checkFields(bd, root, ['protocol', 'poll', 'fingerprint', 'ballots', 'tally', 'decryptions', 'result']);
  checkString(bd.protocol, at('protocol'));
  if (bd.protocol !== PROTOCOL) fail('value', at('protocol'), 'unknown protocol');
  const poll = checkPoll(bd.poll, { root: at('poll') });
  checkString(bd.fingerprint, at('fingerprint'));
  fromHex(bd.fingerprint, 32, at('fingerprint'));
  if (bd.fingerprint !== poll.fingerprint) fail('fingerprint', at('fingerprint'), 'not the poll\'s fingerprint');
  const m = poll.m;
  // ballots
  checkArray(bd.ballots, at('ballots'));
  const trackers = [];
  const tags = new Set();
  const alphas = new Set();
  const A = Array.from({ length: m }, () => ZERO);
  const B = Array.from({ length: m }, () => ZERO);
  bd.ballots.forEach((b, i) => {
    const bw = sub(at('ballots'), i);
    const v = verifyBallot(poll, b, { form: 'board', root: bw });
    if (i > 0 && !(trackers[i - 1] < v.tracker)) fail('order', sub(bw, 'tracker'), 'ballots not strictly ascending by tracker');
    trackers.push(v.tracker);
    if (tags.has(v.tag)) fail('duplicate_tag', sub(bw, 'tag'), 'tag repeated on the board');
    tags.add(v.tag);
    b.choices.forEach((ch, j) => {
      if (alphas.has(ch.alpha)) fail('duplicate_alpha', sub(sub(sub(bw, 'choices'), j), 'alpha'), 'alpha repeated on the board');
      alphas.add(ch.alpha);
      A[j] = A[j].add(decodePoint(ch.alpha));
      B[j] = B[j].add(decodePoint(ch.beta));
    });
  });
  const N = trackers.length;
  if (N > poll.n) fail('result', at('ballots'), 'more ballots than eligible voters');
  // tally
  checkArray(bd.tally, at('tally'), m);
  bd.tally.forEach((e, j) => {
    const tw = sub(at('tally'), j);
    checkFields(e, tw, ['A', 'B']);
    checkString(e.A, sub(tw, 'A'));
    checkString(e.B, sub(tw, 'B'));
    const Ap = decodePoint(fromHex(e.A, 32, sub(tw, 'A')), sub(tw, 'A'));
    const Bp = decodePoint(fromHex(e.B, 32, sub(tw, 'B')), sub(tw, 'B'));
    if (!Ap.equals(A[j])) fail('tally', sub(tw, 'A'), 'A_j is not the sum of the alpha_j');
    if (!Bp.equals(B[j])) fail('tally', sub(tw, 'B'), 'B_j is not the sum of the beta_j');
  });
  // decryptions
  checkArray(bd.decryptions, at('decryptions'));
  const D = Array.from({ length: m }, () => ZERO);
  const present = [];
  bd.decryptions.forEach((e, i) => {
    const dw = sub(at('decryptions'), i);
    checkFields(e, dw, ['holder', 'shares']);
    checkInt(e.holder, sub(dw, 'holder'));
    checkArray(e.shares, sub(dw, 'shares'), m);
    if (e.holder >= poll.K || (present.length && e.holder <= present[present.length - 1]))
      fail('order', sub(dw, 'holder'), 'decryptions not in ascending holder order');
    const k = e.holder;
    e.shares.forEach((sh, j) => {
      const sw = sub(sub(dw, 'shares'), j);
      checkFields(sh, sw, ['D', 'c', 's']);
      for (const f of ['D', 'c', 's']) checkString(sh[f], sub(sw, f));
      const Dp = decodePoint(fromHex(sh.D, 32, sub(sw, 'D')), sub(sw, 'D'));
      decodeScalar(fromHex(sh.c, 32, sub(sw, 'c')), sub(sw, 'c'));
      decodeScalar(fromHex(sh.s, 32, sub(sw, 's')), sub(sw, 's'));
      if (!verifyShare(poll.fingerprintBytes, k, poll.X[k], j, A[j], sh)) fail('proof', sw, 'share proof fails');
      D[j] = D[j].add(Dp);
    });
    present.push(k);
  });
  if (N === 0 && present.length) fail('result', at('decryptions'), 'decryptions on a board without ballots');
  const out = { partial: bd.result === null, fingerprint: poll.fingerprint, trackers, N, eligible: poll.n, tally: bd.tally, holdersPresent: present, counts: null, rule: null, passed: null };
  if (bd.result === null) return out;
  // result
  const rw = at('result');
  const res = bd.result;
  checkFields(res, rw, ['counts', 'ballots', 'eligible', 'rule', 'passed', 'ballots_digest', 'signature']);
  checkArray(res.counts, sub(rw, 'counts'), m);
  res.counts.forEach((t, j) => checkInt(t, sub(sub(rw, 'counts'), j)));
  checkInt(res.ballots, sub(rw, 'ballots'));
  checkInt(res.eligible, sub(rw, 'eligible'));
  checkString(res.rule, sub(rw, 'rule'));
  if (!(res.passed === true || res.passed === false || res.passed === null)) fail('shape', sub(rw, 'passed'), 'true, false or null expected');
  checkString(res.ballots_digest, sub(rw, 'ballots_digest'));
  checkString(res.signature, sub(rw, 'signature'));
  fromHex(res.ballots_digest, 32, sub(rw, 'ballots_digest'));
  fromHex(res.signature, 64, sub(rw, 'signature'));
  if (N > 0 && present.length !== poll.K) fail('result', at('decryptions'), 'a result needs every holder\'s shares');
  if (res.ballots !== N) fail('result', sub(rw, 'ballots'), 'not the number of ballots');
  if (res.eligible !== poll.n) fail('result', sub(rw, 'eligible'), 'not the length of the roll');
  const counts = [];
  for (let j = 0; j < m; j++) {
    const t = N === 0 ? 0 : discreteLogSmall(B[j].subtract(D[j]), N);
    if (t < 0) fail('result', sub(sub(rw, 'counts'), j), 'T_j is not t·G for any 0 <= t <= N');
    if (res.counts[j] !== t) fail('result', sub(sub(rw, 'counts'), j), `count is ${t}`);
    counts.push(t);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total < poll.min * N || total > poll.max * N) fail('result', sub(rw, 'counts'), 'sum check fails');
  const rule = poll.promotion ? 'two-thirds' : 'none';
  if (res.rule !== rule) fail('result', sub(rw, 'rule'), `rule must be ${rule}`);
  const passed = rule === 'two-thirds' ? twoThirdsPassed(counts[0], counts[1]) : null;
  if (res.passed !== passed) fail('result', sub(rw, 'passed'), `passed must be ${passed}`);
  if (ballotsDigest(poll.fingerprintBytes, trackers) !== res.ballots_digest) fail('result', sub(rw, 'ballots_digest'), 'ballots_digest does not match the trackers');
  if (serverKey !== undefined) {
    const msg = resultMessage({ fingerprint: poll.fingerprint, ballots_digest: res.ballots_digest, ballots: N, counts, rule, passed });
    if (!verifyServerSignature(serverKey, msg, res.signature)) fail('signature', sub(rw, 'signature'), 'result signature fails');
  }
  return { ...out, counts, rule, passed };
}
