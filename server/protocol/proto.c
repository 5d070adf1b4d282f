/*
 * proto.c — the code strings of the rejection reasons (PROTOCOL §10 and
 * PROTOCOL-threshold T8).
 *
 * The strings are part of the HTTP API (the "reason" of an invalid_ballot
 * error) and of `conclave verify`'s output, so they never change.
 */
#include "proto.h"

const char *proto_reason_code(enum proto_reason reason)
{
    switch (reason) {
    case PROTO_OK:              return "ok";
    case PROTO_POLL_CLOSED:     return "poll_closed";
    case PROTO_NOT_ON_ROLL:     return "not_on_roll";
    case PROTO_ALREADY_VOTED:   return "already_voted";
    case PROTO_REPLACES:        return "replaces";
    case PROTO_SHAPE:           return "shape";
    case PROTO_HEX:             return "hex";
    case PROTO_POINT:           return "point";
    case PROTO_SCALAR:          return "scalar";
    case PROTO_IDENTITY:        return "identity";
    case PROTO_POLL:            return "poll";
    case PROTO_FINGERPRINT:     return "fingerprint";
    case PROTO_DUPLICATE_ALPHA: return "duplicate_alpha";
    case PROTO_PROOF:           return "proof";
    case PROTO_DUPLICATE_TAG:   return "duplicate_tag";
    case PROTO_TRACKER:         return "tracker";
    case PROTO_VALUE:           return "value";
    case PROTO_ORDER:           return "order";
    case PROTO_TALLY:           return "tally";
    case PROTO_COUNT:           return "count";
    case PROTO_RESULT:          return "result";
    case PROTO_DIGEST:          return "ballots_digest";
    case PROTO_SIGNATURE:       return "signature";
    case PROTO_DEALINGS:        return "dealings";
    case PROTO_QUORUM:          return "quorum";
    case PROTO_CEREMONY:        return "ceremony";
    case PROTO_INTERNAL:        return "internal";
    }
    return "internal";
}
