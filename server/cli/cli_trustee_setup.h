/*
 * cli_trustee_setup.h — a trustee's check of a ceremony's setup against the
 * list the trustees published out of band (PROTOCOL-threshold T3: "else the
 * server could add trustees it controls"), before it deals.
 *
 * The list is a text file of lines "NAME IDENTITY_KEY" (what `conclave
 * trustee keygen` and `show` print), with blank lines, '#' comments and an
 * optional line "threshold T".
 */
#ifndef CONCLAVE_CLI_TRUSTEE_SETUP_H
#define CONCLAVE_CLI_TRUSTEE_SETUP_H

#include <stddef.h>
#include <stdio.h>

#include "ceremony.h"

/* 0 if setup C lists exactly FILE's trustees with their identity keys (in
 * any order; no more, no fewer) and, when FILE gives one, its threshold;
 * else -1 with a sentence in ERR saying what differs. */
int cli_trustee_setup_check(const struct ceremony *c, const char *file, char *err, size_t errlen);

/* Prints C's trustees (index, name, identity key) to F, with a warning that
 * they were not compared with a published list. */
void cli_trustee_setup_print(const struct ceremony *c, FILE *f);

#endif
