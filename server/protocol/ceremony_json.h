/*
 * ceremony_json.h — the ceremony's messages on a parsed JSON tree and on the
 * project's writer (sjson.h), for the board (board_threshold.c) and the
 * record writer, which hold a whole board's tree. Everyone else uses the
 * text functions of ceremony.h.
 */
#ifndef CONCLAVE_CEREMONY_JSON_H
#define CONCLAVE_CEREMONY_JSON_H

#include <jansson.h>

#include "ceremony.h"
#include "sjson.h"

/* ceremony_transcript_parse on a parsed transcript object. */
enum proto_reason ceremony_from_json(const json_t *obj, struct ceremony **out, char *where,
                                     size_t wcap);

/* The message readers on parsed objects: shape, hex, point and scalar only
 * (the caller runs the _check). */
enum proto_reason ceremony_setup_from_json(const json_t *obj, struct ceremony **out);
enum proto_reason ceremony_dealing_from_json(const struct ceremony *c, const json_t *obj,
                                             struct ceremony_dealing *out);
enum proto_reason ceremony_verdict_from_json(const json_t *obj, struct ceremony_verdict *out);

/* Writers: the exact JSON objects of T2–T5 (the vectors' member order). */
void ceremony_setup_write(const struct ceremony *c, struct sjson_out *o);
void ceremony_dealing_write(const struct ceremony_dealing *d, struct sjson_out *o);
void ceremony_verdict_write(const struct ceremony_verdict *v, struct sjson_out *o);
void ceremony_transcript_write(const struct ceremony *c, struct sjson_out *o);

#endif
