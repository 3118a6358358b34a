/* SPDX-License-Identifier: ISC */
/*
 * Every protocol constant and limit, in one place (WireGuard messages.h
 * style). Zero is never a valid type. spec/PROTOCOL.md is the prose form of
 * this file; change both together.
 */
#ifndef TES_WIRE_LIMITS_H
#define TES_WIRE_LIMITS_H

enum tes_limits {
	TES_FRAME_MAGIC = 0x54, /* 'T' */
	TES_PROTO_VERSION = 1,
	TES_FRAME_HDR_LEN = 6, /* magic, version, type, reserved, u16 length */
	TES_FRAME_MAX = 4096,  /* whole frame, header included */
	TES_FRAME_MAX_PAYLOAD = TES_FRAME_MAX - TES_FRAME_HDR_LEN,

	TES_RANDOM_LEN = 32,
	TES_X25519_LEN = 32,
	TES_PMS_LEN = 32, /* pre-master secret sent under RSA-OAEP */
	TES_RSA_BITS = 2048,
	TES_RSA_LEN = 256, /* modulus, OAEP ciphertext and signature size */
	TES_RSA_E_MAX = 4, /* public exponent bytes */
	TES_HASH_LEN = 32, /* SHA-256 */
	TES_MAC_LEN = 32,  /* HMAC-SHA256 tag */
	TES_FINISHED_LEN = 32,
	TES_DES_BLOCK = 8,
	TES_ENC_KEY_LEN = 24, /* 3DES-EDE3; single DES uses the first 8 */
	TES_MAC_KEY_LEN = 32,
	TES_RECORD_MIN = TES_DES_BLOCK + TES_DES_BLOCK + TES_MAC_LEN, /* iv, one block, tag */
	TES_RECORD_MAX_PLAIN = 1024,                                  /* inner plaintext (type + body) */

	TES_NAME_MAX = 32, /* unit id and user name */
	TES_PASSWORD_MAX = 128,
	TES_PLATE_MAX = 12,
	TES_LOCATION_MAX = 64,
	TES_REPORT_ID_LEN = 16,
	TES_KEYID_LEN = 32, /* SHA-256 of an RSA public key blob */
	TES_SPEED_MIN = 1,
	TES_SPEED_MAX = 400,
	TES_LIMIT_MIN = 5,
	TES_LIMIT_MAX = 200,
	TES_TIME_MIN = 1577836800, /* 2020-01-01T00:00:00Z */
	TES_TIME_SKEW = 300,       /* seconds a report may lie in the future */

	/* Resumption tickets and key bounds (spec/PROTOCOL.md#resumption, #rekey) */
	TES_TICKET_MAX = 256,        /* sealed ticket bytes on the wire */
	TES_TICKET_LIFETIME = 43200, /* seconds: a ticket lives at most 12 h from the login that earned it */
	TES_REKEY_RECORDS = 65536,   /* records per session key and direction */
	TES_REKEY_BYTES = 8388608,   /* record payload bytes per session key and direction: 2^20 blocks */
	TES_REKEY_RECORDS_MIN = 4,   /* a session then still carries a login, its SESSION and a report */
	TES_REKEY_BYTES_MIN = 4096,

	/* canonical report: id, unit key id, plate, speed, limit, time, location */
	TES_REPORT_MAX =
		TES_REPORT_ID_LEN + TES_KEYID_LEN + 1 + TES_PLATE_MAX + 2 + 2 + 8 + 1 + TES_LOCATION_MAX,
};

/* Frame types (spec/PROTOCOL.md#frames). */
enum tes_frame_type {
	TES_FRAME_INVALID = 0,
	TES_FRAME_CLIENT_HELLO = 1,
	TES_FRAME_SERVER_HELLO = 2,
	TES_FRAME_KEY_EXCHANGE = 3,
	TES_FRAME_FINISHED = 4,
	TES_FRAME_RECORD = 5,
	TES_FRAME_ALERT = 6,
	TES_FRAME_RESUME_HELLO = 7, /* CLIENT_HELLO fields and a ticket */
	TES_FRAME_UNIT_AUTH = 8,    /* the unit's signature over a resumed handshake */
	TES_FRAME_TYPE_MAX = 8
};

/* Cipher suites: block cipher in CBC mode + HMAC-SHA256, encrypt-then-MAC. */
enum tes_suite {
	TES_SUITE_INVALID = 0,
	TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 = 1,
	TES_SUITE_DES_CBC_HMAC_SHA256 = 2 /* only when both sides opt in */
};

/* Inner record types, carried encrypted inside RECORD frames. */
enum tes_inner_type {
	TES_INNER_INVALID = 0,
	TES_INNER_LOGIN = 1,
	TES_INNER_LOGIN_RESULT = 2,
	TES_INNER_REPORT = 3,
	TES_INNER_RECEIPT = 4,
	TES_INNER_BYE = 5,
	TES_INNER_HEARTBEAT = 6, /* both ways, empty: the session is alive */
	TES_INNER_SESSION = 7,   /* S->C: timeouts, key bounds, resumption ticket */
	TES_INNER_TYPE_MAX = 7
};

/* LOGIN_RESULT values (spec/PROTOCOL.md#login): 0 is a real answer here, as on the wire. */
enum tes_login_result {
	TES_LOGIN_REFUSED = 0,
	TES_LOGIN_ACCEPTED = 1,
	TES_LOGIN_RETRY = 2, /* not recorded (disk full) or not checked (busy): try again later */
	TES_LOGIN_RESULT_MAX = 2
};

/* LOGIN feature bits (the optional last byte of LOGIN). */
enum tes_login_feature {
	TES_LOGIN_FEAT_SESSION = 1, /* answer an accepted login with a SESSION record */
	TES_LOGIN_FEAT_MAX = 1
};

/* Alert codes: deliberately few, the peer learns nothing more. */
enum tes_alert {
	TES_ALERT_INVALID = 0,
	TES_ALERT_PROTOCOL = 1, /* any framing, crypto or state error */
	TES_ALERT_AUTH = 2,     /* unit or user authentication failed */
	TES_ALERT_BUSY = 3,     /* server at capacity or shutting down */
	TES_ALERT_REKEY = 4,    /* the session keys reached their bound: resume and go on */
	TES_ALERT_MAX = 4
};

/* Receipt status (spec/PROTOCOL.md#report). */
enum tes_receipt_status {
	TES_RECEIPT_INVALID = 0,
	TES_RECEIPT_QUEUED = 1,
	TES_RECEIPT_DUPLICATE = 2, /* the id is stored with the same content */
	TES_RECEIPT_REJECTED = 3,
	TES_RECEIPT_CONFLICT = 4, /* the id is stored with other content; nothing stored */
	TES_RECEIPT_MAX = 4
};

/* Why a report was rejected (receipt reason; 0 when not rejected). */
enum tes_reject_reason {
	TES_REJECT_NONE = 0,
	TES_REJECT_PLATE = 1,
	TES_REJECT_SPEED = 2,
	TES_REJECT_LIMIT = 3,
	TES_REJECT_TIME = 4,
	TES_REJECT_LOCATION = 5,
	TES_REJECT_SIGNATURE = 6,
	TES_REJECT_UNIT = 7,
	TES_REJECT_STORAGE = 8,
	TES_REJECT_MAX = 8
};

#endif
