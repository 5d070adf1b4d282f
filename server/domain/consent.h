/*
 * consent.h — the nominee's consent to a nomination (issue 18).
 *
 * `--nominee-consent attest`: the nominator attests that the nominee agreed
 * (a ticked box, or "nominee_consent": "attested"), and the poll opens at
 * once, recording who attested. `--nominee-consent mail`: the poll is
 * created awaiting consent, and the nominee is mailed a link (single use,
 * POLL_CONSENT_TTL; only its SHA-256 stored) to a page that shows the
 * nomination with Accept and Decline. Accepting opens the poll then (the
 * roll frozen then, one --poll-duration from then: poll_open_accepted);
 * declining, or the link's expiry (consent_expire_due, on the server's
 * tick), withdraws it. The nominator is mailed each outcome, in the
 * transaction that makes it.
 */
#ifndef CONCLAVE_CONSENT_H
#define CONCLAVE_CONSENT_H

#include <stdint.h>

#include "err.h"
#include "poll.h"

struct mail;

#define CONSENT_LINK_LEN 43         /* base64url of 32 random bytes */

/* What consent_request's THEN needs: the store and the mail (not owned). */
struct consent_ctx {
    struct store *st;
    struct mail *m;
};

/* Fills *REQ for a new poll: with MAIL_MODE (M and CTX non-NULL), the
 * nominee is asked at EMAIL (checked: CV_BAD_POLL and *why if it is not an
 * address); else ATTESTED says whether the nominator attested consent
 * (poll_open refuses the poll without it). CTX must outlive REQ's use. */
enum cv_err consent_request(struct poll_consent_req *req, struct consent_ctx *ctx,
                            int mail_mode, int attested, const char *email,
                            const char **why);

/* The poll awaiting consent whose link is LINK (its secret, as in the
 * mailed address), into *out (store_poll_clear it). CV_NOT_FOUND for a
 * malformed, unknown, used or expired link. */
enum cv_err consent_find(struct store *st, const char *link, struct store_poll *out);

/* The nominee's answer through LINK: ACCEPT opens the poll now for DURATION
 * seconds, else it is withdrawn ("declined by the nominee"); either way the
 * nominator is mailed (M may be NULL: no mail). The poll's id into ID_OUT.
 * CV_NOT_FOUND as consent_find; CV_ALREADY_MEMBER (with *why) if the
 * nominee has become a member. */
enum cv_err consent_answer(struct store *st, struct mail *m, const char *link, int accept,
                           unsigned duration, char id_out[STORE_POLL_ID_MAX + 1],
                           const char **why);

/* Withdraws ("consent expired") every poll awaiting consent whose link has
 * expired by NOW, mailing each nominator. How many, or -1 if one failed
 * (logged; retried on the next call). */
int consent_expire_due(struct store *st, struct mail *m, int64_t now);

/* "consent attested by NAME", "accepted by the nominee on DATE", ... for a
 * page: how P's nominee agreed, into OUT ("" for a poll from before consent
 * was recorded). NAME is BY_NAME (the attester's display name). */
void consent_text(const struct store_poll *p, const char *by_name, char *out, size_t cap);

#endif
