/*
 * err.h — the one vocabulary of outcomes: what the store, the accounts, the
 * polls and the ballot box return, and what the handlers answer from.
 *
 * As SQLite has one code space (SQLITE_*), Conclave has one: every domain
 * function and every store function that can fail in more than one way
 * returns an enum cv_err (the store's plain 0 / -1 are CV_OK / CV_ERROR).
 * What a value becomes for a client (HTTP status, API error code, message) is
 * said once, in http_error.c's table; a page takes its status from there too.
 * The protocol's rejection reasons (enum proto_reason, proto.h) are no
 * outcome of their own: they travel beside CV_BAD_BALLOT and say why.
 * Where a value needs a message for the user (CV_INVALID, CV_BAD_POLL, ...),
 * the function that returns it says so (*why).
 */
#ifndef CONCLAVE_ERR_H
#define CONCLAVE_ERR_H

enum cv_err {
    CV_ERROR = -1,          /* not the request's fault: store, I/O, memory, a library */
    CV_OK = 0,
    /* lookups and changes */
    CV_NOT_FOUND,           /* no such poll, member, session, token, link or resource */
    CV_CONFLICT,            /* a value that must be unique is taken (a key, a unique index) */
    CV_INVALID,             /* input refused; *why says what */
    CV_BAD_JSON,            /* a body that is not one JSON object (or nested too deep) */
    CV_TOO_LARGE,           /* a request body over the cap */
    CV_MEDIA_TYPE,          /* a body of a type the route does not take */
    CV_BAD_METHOD,          /* a known path, another method */
    CV_TIMEOUT,             /* a request not received within its deadline (http_guard) */
    /* who is asking */
    CV_BAD_CREDENTIALS,     /* wrong username or password */
    CV_UNAUTHENTICATED,     /* no valid session or API token */
    CV_EXPIRED,             /* a right one-time password past AUTH_ONE_TIME_TTL */
    CV_PASSWORD_CHANGE,     /* logged in with a one-time password: choose one first */
    CV_CSRF,                /* a cookie-authenticated change without the right CSRF token */
    CV_CROSS_SITE,          /* a post the browser marks as coming from another site */
    CV_FORBIDDEN,           /* not this member's to do */
    CV_THROTTLED,           /* too many failed attempts: retry after a while */
    CV_RATE_LIMITED,        /* too many requests of a kind (ballots a minute) */
    /* polls */
    CV_BAD_POLL,            /* a nomination refused; *why says what */
    CV_ALREADY_MEMBER,      /* the nominee is an active member */
    CV_POLL_EXISTS,         /* an open poll for the nominee exists */
    CV_TOO_MANY_POLLS,      /* the member has POLL_OPEN_PER_MEMBER open polls */
    CV_POLL_OPEN,           /* a result or board asked for before the close */
    CV_POLL_CLOSED,         /* the deadline has passed, or the poll is closed */
    CV_POLL_WITHDRAWN,      /* the poll was withdrawn */
    CV_BALLOTS_CAST,        /* a withdrawal after a ballot */
    /* ballots */
    CV_NOT_ON_ROLL,         /* the member is not on the poll's roll */
    CV_ALREADY_VOTED,       /* a second ballot without "replaces" */
    CV_BAD_BALLOT,          /* a ballot rejected: its enum proto_reason says why */
    /* councils of trustees and their key ceremony */
    CV_NOT_TRUSTEE,         /* the member is not one of the council's trustees */
    CV_WRONG_ROUND,         /* the council is not in the round that takes this message */
    CV_DUPLICATE,           /* the trustee already posted another message of this kind */
    CV_BAD_MESSAGE,         /* a ceremony message rejected: its enum proto_reason says why */
    CV_NOT_COMPLETE,        /* the council's ceremony is not complete */
    /* a poll sealed by trustees (poll_decrypt.h; CV_NOT_TRUSTEE above too) */
    CV_DECRYPTING,          /* closed: the result waits for the trustees' shares */
    CV_NOT_SEALED,          /* sealed by the server only: no trustee decrypts it */
    CV_RESULT_PUBLISHED,    /* the result is out: no more shares are taken */
    CV_WRONG_HOLDER,        /* a decryption entry under another trustee's index */
    CV_NOT_QUALIFIED,       /* a trustee outside QUAL: it holds no key share */
    CV_BAD_SHARES,          /* decryption shares rejected: their enum proto_reason says why */
    CV_ALREADY_DECRYPTED,   /* this trustee's shares are in already */
    /* login through the OpenID provider (oidc.h, auth_oidc.c) */
    CV_PROVIDER_DOWN,       /* the provider cannot be reached, or answered nonsense */
    CV_PROVIDER_ERROR,      /* the provider refused the login or the code's exchange */
    CV_LOGIN_DECLINED,      /* the user declined at the provider (access_denied) */
    CV_BAD_STATE,           /* a callback without its login: state wrong, used or expired */
    CV_BAD_ID_TOKEN,        /* the ID token failed a check (signature, iss, aud, exp, nonce) */
    CV_NOT_IN_GROUP,        /* not in the group the server admits */
    CV_NOT_MEMBER,          /* nobody on the roster matches the provider's account */
    CV_DEACTIVATED          /* the member is deactivated */
};

/* One past the last value, for tables and their tests. */
#define CV_ERR_END (CV_DEACTIVATED + 1)

/* ERR's name ("CV_NOT_FOUND"), or "CV_(unknown)" for no value of the enum. */
const char *cv_err_name(enum cv_err err);

#endif
