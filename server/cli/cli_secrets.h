/*
 * cli_secrets.h — the ballot secrets ρ that `conclave vote` keeps per poll,
 * and the change code: one ρ written for a person to carry to another device.
 */
#ifndef CONCLAVE_CLI_SECRETS_H
#define CONCLAVE_CLI_SECRETS_H

#include <stddef.h>

/* At most this many secrets of unanswered ballots are kept per poll. */
#define SECRETS_UNCONFIRMED_MAX 64

/* A change code: 64 hex digits in 8 groups of 8 joined by '-'. */
#define CHANGE_CODE_LEN 71

/* The secrets kept for one poll: the ballot the server confirmed (PATH), and
 * those of ballots sent without a usable answer (PATH.unconfirmed), any of
 * which may be the one in the box. Held under PATH.lock until closed. */
struct cli_secrets {
    char path[1200], unconf_path[1300];
    unsigned char confirmed[1][32];
    size_t nconfirmed;
    unsigned char unconf[SECRETS_UNCONFIRMED_MAX][32];
    size_t nunconf;
    int lock_fd;
};

/*
 * Opens the secrets of the poll of fingerprint FP under STATE (NULL:
 * $XDG_DATA_HOME/conclave or ~/.local/share/conclave): STATE/ballots/<hex fp>,
 * creating the directories (0700), and locks them (waiting, with a word on
 * stderr, for another `conclave vote` of the same poll). 0, or -1 with a
 * reason in err. Close with cli_secrets_close whatever it returned.
 */
int cli_secrets_open(struct cli_secrets *s, const char *state, const unsigned char fp[32],
                     char *err, size_t errlen);

/* Adds RHO to the unconfirmed secrets, on disk (0600, fsync'd) before it
 * returns 0; -1 if it cannot be kept (or SECRETS_UNCONFIRMED_MAX are). */
int cli_secrets_push(struct cli_secrets *s, const unsigned char rho[32]);

/* Drops the last unconfirmed secret (its ballot was refused). */
void cli_secrets_pop(struct cli_secrets *s);

/* RHO's ballot is the one in the box: it becomes the confirmed secret and the
 * unconfirmed ones are dropped. 0, or -1 if that could not be written. */
int cli_secrets_confirm(struct cli_secrets *s, const unsigned char rho[32]);

/* Releases the lock and wipes S. */
void cli_secrets_close(struct cli_secrets *s);

/* RHO as a change code: "3f9a1c2b-0d4e5f60-...", NUL-terminated. */
void cli_change_code_format(const unsigned char rho[32], char out[CHANGE_CODE_LEN + 1]);

/* Reads a change code: upper or lower case, spaces, tabs, dashes and line
 * breaks ignored. 0 with RHO, or -1 (anything else, or not 64 digits). */
int cli_change_code_parse(const char *text, unsigned char rho[32]);

#endif
