// The deterministic randomness of the test vectors (tests/vectors/*.json "derivation"):
// rng(NAME) yields block_i = SHA-512(UTF-8("conclave/ristretto255/v1 test vectors/" + NAME)
// || u32be(i)), i = 0, 1, 2, ...; every draw consumes one block and returns its first n bytes
// (64 for a scalar, which the module reduces mod l; 32 for rho).
import { sha512 } from '../../static/vendor/noble.mjs';

export const VECTOR_PREFIX = 'conclave/ristretto255/v1 test vectors/';

export function streamRng(name, prefix = VECTOR_PREFIX) {
  const seed = new TextEncoder().encode(prefix + name);
  let i = 0;
  const rng = (n) => {
    if (n > 64) throw new RangeError('stream rng draws at most 64 bytes');
    const buf = new Uint8Array(seed.length + 4);
    buf.set(seed);
    new DataView(buf.buffer).setUint32(seed.length, i, false);
    i++;
    return sha512(buf).slice(0, n);
  };
  rng.draws = () => i;
  return rng;
}
