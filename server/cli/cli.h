/*
 * cli.h — entry points of the `conclave` subcommands, called from main.c's
 * command table with argv[0] set to the command's name ("user", "token", ...).
 *
 * Every command takes --help and --data DIR (default ./var) and returns the
 * process's exit status: 0 success, 1 failure (one line on stderr), 2 usage.
 */
#ifndef CONCLAVE_CLI_H
#define CONCLAVE_CLI_H

/* conclave user add|list|deactivate|activate|passwd|import ... (cli_user.c) */
int cli_user_main(int argc, char **argv);

/* conclave token create|list|revoke ... (cli_token.c) */
int cli_token_main(int argc, char **argv);

/* conclave backup BACKUP_DIR [--data DIR]: a consistent backup, server running (cli_backup.c) */
int cli_backup_main(int argc, char **argv);

/* conclave verify BOARD.json [--server-key server.pem]: check a board (cli_verify.c);
 * its own exit codes: 3 partial board, 4 signature not checked */
int cli_verify_main(int argc, char **argv);

/* conclave vote --server URL POLL_ID yes|no [--replace] [--change-code-file F],
 * or POLL_ID --print-change-code (cli_vote.c) */
int cli_vote_main(int argc, char **argv);

/* conclave result --server URL POLL_ID, a token optional (cli_result.c) */
int cli_result_main(int argc, char **argv);

/* conclave council create|list|show|use ... (cli_council.c): councils of trustees */
int cli_council_main(int argc, char **argv);

/* conclave trustee keygen|show|deal|verdict ... (cli_trustee.c): a trustee's
 * side of a council's key ceremony, on its own machine */
int cli_trustee_main(int argc, char **argv);

/* conclave trustee decrypt --server URL POLL --roster FILE, and
 * conclave trustee watch --server URL --roster FILE (cli_decrypt.c); exit
 * codes 3-8: the refusals of PROTOCOL-threshold T10 */
int cli_trustee_decrypt_main(int argc, char **argv);
int cli_trustee_watch_main(int argc, char **argv);

#ifdef CONCLAVE_TEST
/* TEST ONLY: conclave-test test-seed-council --data DIR CEREMONY.json (cli_testseed.c) */
int cli_testseed_main(int argc, char **argv);
#endif

#endif
