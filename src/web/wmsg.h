/* SPDX-License-Identifier: ISC */
/*
 * http child <-> master messages (spec/HTTP.md#messages). Every message is
 * exactly TES_WMSG_LEN bytes on a SOCK_SEQPACKET socketpair: a type byte,
 * fields through the cursor, zero padding (the monitor.h discipline). The
 * child sends one REQUEST; the master answers with RESPONSE chunks, the
 * last one flagged. The master decodes with tes_wmsg_decode, which re-runs
 * every field check and requires zero padding, and admits the message
 * through tes_wmsg_permit; anything else kills the child.
 */
#ifndef TES_WEB_WMSG_H
#define TES_WEB_WMSG_H

#include <stddef.h>
#include <stdint.h>

#include "web/http.h"

enum {
	TES_WMSG_LEN = 4096,
	TES_WMSG_CHUNK_MAX = TES_WMSG_LEN - 4 /* type, last, u16 length */
};

enum tes_wmsg_type {
	TES_WMSG_INVALID = 0,
	TES_WMSG_REQUEST = 1,  /* child -> master, once */
	TES_WMSG_RESPONSE = 2, /* master -> child: response bytes */
	TES_WMSG_TYPE_MAX = 2
};

/* Master-side states of an http child (bit values so the table can hold masks). */
enum tes_wmsg_state {
	TES_WS_NONE = 0,
	TES_WS_WAIT = 1, /* waiting for the request */
	TES_WS_DONE = 2  /* answered: nothing more may come */
};

/*
 * The one dispatch table of the http children: a row per child->master
 * message, X(type, states it is permitted in, once per child, the master's
 * handler). msg.c expands it into the permission table tes_wmsg_permit
 * checks, without the handler column (tes-parser links msg.c and no master
 * code); the master's dashboard into the handler table of its http children.
 * spec/HTTP.md#messages MUST-W2.
 */
#define TES_WMSG_DISPATCH(X) X(TES_WMSG_REQUEST, TES_WS_WAIT, 1, on_request)

struct tes_wmsg_chunk {
	uint8_t last; /* 1 on the final chunk */
	uint16_t len;
	uint8_t data[TES_WMSG_CHUNK_MAX];
};

struct tes_wmsg {
	uint8_t type;
	union {
		struct tes_web_req req;
		struct tes_wmsg_chunk chunk;
	} u;
};

/* Encode m into exactly TES_WMSG_LEN bytes (zero padded); refuses what decode refuses. */
int
tes_wmsg_encode(const struct tes_wmsg *m, uint8_t out[static TES_WMSG_LEN]);

/*
 * Decode n bytes: n must be TES_WMSG_LEN, the type known, every field
 * valid (route, flags 0/1, absent tokens zero, page, verdict, reason,
 * user name, printable texts within their limits), every byte after the
 * fields zero. TES_ERR_FORMAT / TES_ERR_TYPE / TES_ERR_TOOLONG.
 */
int
tes_wmsg_decode(const uint8_t *buf, size_t n, struct tes_wmsg *m);

/*@ assigns \nothing;
    ensures \result == 0 || \result == TES_ERR_STATE;
 */
/*
 * 0 when a child in state may send type, given the once-only messages it
 * already sent (bit (1 << type) set in used): only REQUEST, only while
 * waiting, only once. TES_ERR_STATE otherwise.
 */
int
tes_wmsg_permit(uint8_t state, uint8_t type, uint32_t used);

#endif
