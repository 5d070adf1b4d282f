/*
 * config_internal.h — what config.c and config_oidc.c share and nobody else
 * needs: the checks of an option's value.
 */
#ifndef CONCLAVE_CONFIG_INTERNAL_H
#define CONCLAVE_CONFIG_INTERNAL_H

#include <stddef.h>

/* 1 if S starts with PREFIX (ASCII, any case) and has more after it. */
int config_has_scheme(const char *s, const char *prefix);

/* Copies a printable ASCII value without spaces into DST (LEN bytes). 0 / -1. */
int config_copy_word(char *dst, size_t len, const char *src);

#endif
