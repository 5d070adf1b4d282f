/*
 * name.h — people's names as Unicode text: the NFC form a nominee's name is
 * stored in, and the folded key by which two names are "the same person".
 *
 * Two names are the same when their keys are equal: the canonical caseless
 * match of Unicode (§3.13, D145), so "José" in NFC or NFD, "Élodie" and
 * "élodie", "Straße" and "STRASSE" all agree. Compatibility forms (full-width
 * letters, ligatures) are not folded. Built on GNU libunistring.
 */
#ifndef CONCLAVE_NAME_H
#define CONCLAVE_NAME_H

/*
 * Writes to *out a new NUL-terminated copy of NAME (NUL-terminated UTF-8) in
 * Normalization Form C; the caller frees it. -1 (and *out = NULL) if NAME is
 * not well-formed UTF-8 or memory runs out.
 */
int name_to_nfc(const char *name, char **out);

/*
 * Writes to *out NAME's folded key, a new NUL-terminated UTF-8 string (the
 * caller frees it): NAME decomposed (NFD), case-folded with the default,
 * language-independent rules, then composed (NFC). Two names are the same
 * person's when their keys are equal bytes. -1 (and *out = NULL) if NAME is
 * not well-formed UTF-8 or memory runs out.
 */
int name_fold_key(const char *name, char **out);

/* 1 if NAME is ASCII only (then name_match_key needs no Unicode work). */
int name_is_ascii(const char *name);

/*
 * Sets *same to 1 if NAME's folded key equals KEY (from name_fold_key), else
 * 0. -1 if NAME cannot be folded (then *same is 0).
 */
int name_match_key(const char *name, const char *key, int *same);

#endif
