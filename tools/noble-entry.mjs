// Build-time entry: `make static/vendor/.stamp` bundles this file with esbuild
// into static/vendor/noble.mjs, the one file through which
// static/js/conclave-crypto.mjs reaches @noble/curves and @noble/hashes (pinned in
// package.json / package-lock.json), in Node and in the browser alike.
export { ristretto255, ed25519 } from '@noble/curves/ed25519.js';
export { sha256, sha512 } from '@noble/hashes/sha2.js';
