/*
 * jwks.h — an OpenID provider's public signing keys, from its JWKS document
 * (RFC 7517), for checking ID tokens (jwt.h).
 *
 * Only keys an ID token may be signed with are kept: kty RSA of at least
 * 2048 bits (n, e) and kty EC on P-256 (crv, x, y; the point must be on the
 * curve), whose use is "sig" or absent. Other keys are skipped, not errors:
 * a provider lists encryption keys and other curves beside its signing keys.
 * No OpenSSL or jansson type crosses this header.
 */
#ifndef CONCLAVE_JWKS_H
#define CONCLAVE_JWKS_H

#include <stddef.h>

#define JWKS_MAX_BYTES (64 * 1024)  /* the longest JWKS document read */
#define JWKS_MAX_KEYS 32            /* the most keys in a document */

struct jwks;                        /* opaque: the provider's public keys */

/* Parses LEN bytes of JSON (no NUL needed) as a JWKS document: an object
 * with a "keys" array of at most JWKS_MAX_KEYS objects. Malformed: a
 * document over JWKS_MAX_BYTES, not JSON, a duplicate key, a key without a
 * string kty, a use, alg or kid that is not a string, a kid over 255 bytes.
 * Skipped: keys of another kty, use or alg, and key material that makes no
 * usable key (bad base64url, RSA under 2048 bits, a point off the curve).
 * 0 and *out (caller frees with jwks_free); -1 and *out NULL if malformed or
 * if no usable key is left. */
int jwks_parse(const char *json, size_t len, struct jwks **out);

/* Frees K (NULL is fine). */
void jwks_free(struct jwks *k);

/* The number of usable keys kept. */
size_t jwks_count(const struct jwks *k);

#endif
