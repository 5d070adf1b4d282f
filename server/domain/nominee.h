/*
 * nominee.h — a nominee's name: the rules it must follow before a poll opens
 * for it, and the key by which two names are the same nominee.
 *
 * A name is put in Unicode NFC first (name.h), and checked, stored, written
 * into the record and compared in that form, whatever form the client sent.
 * The rules (README, POST /api/v1/polls): 1 to NOMINEE_CHARS_MAX characters of
 * valid UTF-8; no control characters (C0, DEL, C1); plain spaces (U+0020) one
 * at a time and not at either end; no character that shows nothing or passes
 * for a space (format and default-ignorable characters, other separators, the
 * blank Braille pattern), but the joiners and presentation selectors that
 * some scripts and emoji need (U+200C, U+200D, U+FE0E, U+FE0F).
 *
 * Nothing here knows the store or HTTP; the messages are for the user.
 */
#ifndef CONCLAVE_NOMINEE_H
#define CONCLAVE_NOMINEE_H

#define NOMINEE_CHARS_MAX  100      /* characters (code points), after NFC */

/*
 * Puts NAME (NUL-terminated) in NFC and checks it against the rules. 0: the
 * name follows them, and *nfc is a new NUL-terminated copy in NFC (the caller
 * frees it). 1: it does not; *why says why (a static message) and *nfc is
 * NULL. -1: out of memory (*nfc NULL).
 */
int nominee_normalize(const char *name, char **nfc, const char **why);

/*
 * The rules alone, for NAME already in NFC and valid UTF-8: NULL if it
 * follows them, else a static message for the user saying which it breaks.
 */
const char *nominee_check(const char *name);

/*
 * Writes to *key a new NUL-terminated string (the caller frees it) that is
 * equal for two names of one nominee: the folded key of name.h (Unicode case
 * folding, composed or not, joiners, selectors and the Turkish dots ignored).
 * Compare a member's name to it with name_match_key. -1 (*key NULL) if NAME
 * is not valid UTF-8 or memory runs out.
 */
int nominee_key(const char *name, char **key);

#endif
