/* SPDX-License-Identifier: ISC */
/*
 * Message codecs: handshake frames, inner records and the canonical report
 * (spec/PROTOCOL.md#handshake, #records, #report). Decoders take a payload
 * (the bytes after the frame header), check every length against the limits
 * in wire/limits.h and the validators in wire/validate.h, require the payload
 * to be consumed exactly (no trailing bytes), and fill a fixed-size struct.
 * Strings are copied into NUL-terminated char arrays with an explicit length.
 * Encoders write into a caller buffer and report the bytes used.
 */
#ifndef TES_WIRE_MSG_H
#define TES_WIRE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

struct tes_client_hello {
	uint8_t suite;
	uint8_t random[TES_RANDOM_LEN];
	uint8_t x25519[TES_X25519_LEN];
	uint8_t unit_key[TES_KEYID_LEN]; /* SHA-256 of the unit's public key blob */
};

struct tes_server_hello {
	uint8_t suite;
	uint8_t random[TES_RANDOM_LEN];
	uint8_t x25519[TES_X25519_LEN];
	uint8_t n[TES_RSA_LEN];          /* server RSA-2048 modulus */
	uint8_t e_len;
	uint8_t e[TES_RSA_E_MAX];
};

struct tes_key_exchange {
	uint8_t oaep[TES_RSA_LEN];       /* RSA-OAEP-SHA256(server key, pms) */
	uint8_t sig[TES_RSA_LEN];        /* unit signature over the transcript */
};

struct tes_finished {
	uint8_t mac[TES_FINISHED_LEN];
};

struct tes_login {
	uint8_t user_len;
	char user[TES_NAME_MAX + 1];
	uint8_t pw_len;
	char pw[TES_PASSWORD_MAX + 1];
};

struct tes_report {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t unit_key[TES_KEYID_LEN]; /* key id of the signing unit */
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1];
	uint16_t speed;                  /* km/h */
	uint16_t limit;                  /* km/h, 0 = not given */
	uint64_t time;                   /* observation, seconds since the epoch (UTC) */
	uint8_t loc_len;                 /* 0 = not given */
	char loc[TES_LOCATION_MAX + 1];
};

struct tes_receipt {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t status;                  /* enum tes_receipt_status */
	uint8_t reason;                  /* enum tes_reject_reason */
	uint64_t number;                 /* violation number, 0 unless QUEUED/DUPLICATE */
};

int tes_client_hello_encode(const struct tes_client_hello *m, uint8_t *out, size_t cap, size_t *used);
int tes_client_hello_decode(const uint8_t *p, size_t n, struct tes_client_hello *m);
int tes_server_hello_encode(const struct tes_server_hello *m, uint8_t *out, size_t cap, size_t *used);
int tes_server_hello_decode(const uint8_t *p, size_t n, struct tes_server_hello *m);
int tes_key_exchange_encode(const struct tes_key_exchange *m, uint8_t *out, size_t cap, size_t *used);
int tes_key_exchange_decode(const uint8_t *p, size_t n, struct tes_key_exchange *m);
int tes_finished_decode(const uint8_t *p, size_t n, struct tes_finished *m);
int tes_alert_decode(const uint8_t *p, size_t n, uint8_t *code);

/* Inner records: first byte is the inner type, then the body. */
int tes_login_encode(const struct tes_login *m, uint8_t *out, size_t cap, size_t *used);
int tes_login_decode(const uint8_t *p, size_t n, struct tes_login *m);
int tes_login_result_decode(const uint8_t *p, size_t n, uint8_t *ok);

/*
 * Canonical report encoding: the exact bytes the unit signs (after the
 * context string, see tes_report_digest). Field order and widths:
 * id[16] | unit_key[32] | u8 plate_len | plate | u16 speed | u16 limit |
 * u64 time | u8 loc_len | loc. The decoder validates every field except the
 * time window (that needs a clock: tes_time_valid), and rejects trailing bytes
 * when exact != 0.
 */
int tes_report_encode(const struct tes_report *m, uint8_t *out, size_t cap, size_t *used);
int tes_report_decode_cur(const uint8_t *p, size_t n, struct tes_report *m, size_t *used);
int tes_report_decode(const uint8_t *p, size_t n, struct tes_report *m);

/* REPORT inner record: type | canonical report | sig[256]. */
int tes_report_msg_encode(const struct tes_report *m, const uint8_t sig[static TES_RSA_LEN], uint8_t *out,
			  size_t cap, size_t *used);
int tes_report_msg_decode(const uint8_t *p, size_t n, struct tes_report *m, uint8_t sig[static TES_RSA_LEN]);

int tes_receipt_encode(const struct tes_receipt *m, uint8_t *out, size_t cap, size_t *used);
int tes_receipt_decode(const uint8_t *p, size_t n, struct tes_receipt *m);

#endif
