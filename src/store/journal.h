/* SPDX-License-Identifier: ISC */
/*
 * Journal record codec (spec/STORAGE.md#journal). Pure functions over caller
 * buffers: no allocation, no I/O, no clock, no randomness (the caller passes
 * the IV). Every byte goes through the bounded cursor.
 *
 * A record is
 *
 *   +---------+--------+--------------------------------+---------+
 *   | hdr(32) | iv(8)  | ciphertext (3DES-EDE3-CBC, 8k) | mac(32) |
 *   +---------+--------+--------------------------------+---------+
 *
 *   hdr = u32 total_len | u8 type | u8 0 | u16 0 | u64 seq | key[16]
 *   mac = HMAC-SHA256(mac key, prev || hdr || iv || ciphertext)
 *
 * where prev is the mac of the previous record, or the genesis value for the
 * first one; the chain of macs is the hash chain of the journal.
 */
#ifndef TES_STORE_JOURNAL_H
#define TES_STORE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/cur.h"
#include "crypto/rsa.h"
#include "wire/limits.h"
#include "wire/msg.h"

enum tes_journal_limits {
	TES_JOURNAL_VERSION = 1,
	TES_JOURNAL_FILE_HDR_LEN = 16,   /* "TESJ" | u16 version | u16 0 | u64 created */
	TES_JOURNAL_HDR_LEN = 32,
	TES_JOURNAL_IV_LEN = 8,
	TES_JOURNAL_KEY_LEN = 16,        /* report id for REPORT and DECISION, else zeros */
	TES_JOURNAL_MAC_LEN = 32,
	TES_JOURNAL_OVERHEAD = TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN + TES_JOURNAL_MAC_LEN,
	TES_JOURNAL_REC_MIN = TES_JOURNAL_OVERHEAD + TES_DES_BLOCK,
	TES_JOURNAL_REC_MAX = 4096,
	TES_JOURNAL_CT_MAX = TES_JOURNAL_REC_MAX - TES_JOURNAL_OVERHEAD,    /* 4024 = 503 blocks */
	TES_JOURNAL_PLAIN_MAX = TES_JOURNAL_CT_MAX - 1,                      /* at least one pad byte */
	TES_JOURNAL_TEXT_MAX = 128,      /* decision reason, audit text */
	TES_JOURNAL_HASH_MAX = 128,      /* Argon2id encoded string */
	TES_JOURNAL_BODY_MAX = 512,      /* room for the largest body of any type */
	TES_STORE_KEY_LEN = 32           /* raw storage.key */
};

/* Record types; zero is never valid. */
enum tes_journal_type {
	TES_JREC_INVALID = 0,
	TES_JREC_UNIT = 1,
	TES_JREC_USER = 2,
	TES_JREC_REPORT = 3,
	TES_JREC_DECISION = 4,
	TES_JREC_AUDIT = 5,
	TES_JREC_REVOKE = 6,             /* a unit's key is no longer accepted */
	TES_JREC_MAX = 6
};

/* User roles (USER records). */
enum tes_role {
	TES_ROLE_POLICE = 1,
	TES_ROLE_OFFICER = 2
};

/* Decision verdicts (DECISION records). */
enum tes_verdict {
	TES_VERDICT_APPROVE = 1,
	TES_VERDICT_REJECT = 2
};

/* Audit event kinds (AUDIT records). */
enum tes_audit_kind {
	TES_AUDIT_INVALID = 0,
	TES_AUDIT_LOGIN_OK = 1,
	TES_AUDIT_LOGIN_FAILED = 2,
	TES_AUDIT_UNIT_ADDED = 3,
	TES_AUDIT_USER_ADDED = 4,
	TES_AUDIT_APPROVED = 5,
	TES_AUDIT_REJECTED = 6,
	TES_AUDIT_UNIT_REFUSED = 7,      /* handshake from an unknown or failing unit */
	TES_AUDIT_SERVER_START = 8,
	TES_AUDIT_SERVER_STOP = 9,
	TES_AUDIT_VERIFY = 10,
	TES_AUDIT_MAX = 10
};

/* Encryption and MAC keys of one stored object (journal or drivers.enc). */
struct tes_store_keys {
	uint8_t enc[TES_ENC_KEY_LEN];    /* 3DES-EDE3 */
	uint8_t mac[TES_MAC_KEY_LEN];    /* HMAC-SHA256 */
};

/* The clear record header. */
struct tes_journal_hdr {
	uint32_t total_len;              /* whole record, hdr..mac */
	uint8_t type;                    /* enum tes_journal_type */
	uint64_t seq;                    /* 1, 2, 3, ... */
	uint8_t key[TES_JOURNAL_KEY_LEN];
};

/* UNIT body: u8 name_len | name | n[256] | u8 e_len | e */
struct tes_journal_unit {
	uint8_t name_len;
	char name[TES_NAME_MAX + 1];
	struct tes_rsa_pub pub;          /* e in pub.e[0 .. pub.elen-1] */
};

/* USER body: u8 name_len | name | u8 role | u8 hash_len | hash */
struct tes_journal_user {
	uint8_t name_len;
	char name[TES_NAME_MAX + 1];
	uint8_t role;                    /* enum tes_role */
	uint8_t hash_len;
	char hash[TES_JOURNAL_HASH_MAX + 1];
};

/* REPORT body: u64 number | u64 received | canonical report | sig[256] */
struct tes_journal_report {
	uint64_t number;                 /* violation number, >= 1 */
	uint64_t received;               /* server clock */
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];
};

/* DECISION body: id[16] | u8 verdict | u16 points | u8 reason_len | reason |
 * u8 officer_len | officer | u64 time */
struct tes_journal_decision {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t verdict;                 /* enum tes_verdict */
	uint16_t points;                 /* 0 when rejected */
	uint8_t reason_len;
	char reason[TES_JOURNAL_TEXT_MAX + 1];
	uint8_t officer_len;
	char officer[TES_NAME_MAX + 1];
	uint64_t time;
};

/* AUDIT body: u8 kind | u8 who_len | who | u8 text_len | text | u64 time */
struct tes_journal_audit {
	uint8_t kind;                    /* enum tes_audit_kind */
	uint8_t who_len;                 /* 0 = the server itself */
	char who[TES_NAME_MAX + 1];
	uint8_t text_len;
	char text[TES_JOURNAL_TEXT_MAX + 1];
	uint64_t time;
};

/* The two stored objects that have keys of their own. */
enum tes_store_obj {
	TES_STORE_JOURNAL = 1,           /* info "journal enc" / "journal mac" */
	TES_STORE_DRIVERS = 2            /* info "drivers enc" / "drivers mac" */
};

/*
 * Derive the keys of one object from the raw storage key: HKDF-SHA256 with
 * salt "TES1 storage", info "<object> enc" (24 bytes) and "<object> mac"
 * (32 bytes). Wipe k when done with it.
 */
void
tes_store_keys_derive(const uint8_t sk[static TES_STORE_KEY_LEN], enum tes_store_obj obj,
		      struct tes_store_keys *k);

/* In-place 3DES-EDE3-CBC encryption of n bytes (a multiple of 8). */
void
tes_store_encrypt(const struct tes_store_keys *k, const uint8_t iv[static TES_DES_BLOCK], uint8_t *buf,
		  size_t n);

/* In-place 3DES-EDE3-CBC decryption of n bytes (a multiple of 8). */
void
tes_store_decrypt(const struct tes_store_keys *k, const uint8_t iv[static TES_DES_BLOCK], uint8_t *buf,
		  size_t n);

/* Ciphertext length for n plaintext bytes: the next multiple of 8 above n. */
size_t
tes_store_ct_len(size_t n);

/* Append the PKCS#7 padding (1..8 bytes) that follows n plaintext bytes. */
int
tes_store_put_pad(struct tes_cur *c, size_t n);

/*
 * Check the PKCS#7 padding at the end of n decrypted bytes (n a non-zero
 * multiple of 8); *plain_len gets the length without it. TES_ERR_DECRYPT.
 */
int
tes_store_unpad(const uint8_t *p, size_t n, size_t *plain_len);

/* Write the 16-byte file header: "TESJ" | u16 1 | u16 0 | u64 created. */
void
tes_journal_file_hdr_encode(uint8_t out[static TES_JOURNAL_FILE_HDR_LEN], uint64_t created);

/*
 * Check the file header in the first n bytes of p: TES_ERR_TRUNCATED under 16
 * bytes, TES_ERR_FORMAT for a bad magic or reserved field, TES_ERR_VERSION.
 */
int
tes_journal_file_hdr_decode(const uint8_t *p, size_t n, uint64_t *created);

/*
 * The chain value that precedes record 1:
 * HMAC-SHA256(mac key, "TES1 journal genesis" || file header).
 */
void
tes_journal_genesis(const struct tes_store_keys *k, const uint8_t fhdr[static TES_JOURNAL_FILE_HDR_LEN],
		    uint8_t out[static TES_JOURNAL_MAC_LEN]);

/*
 * Write a record header. Refuses (TES_ERR_TYPE / TES_ERR_FORMAT /
 * TES_ERR_TOOLONG) a type outside 1..5, seq 0, a total_len that is not
 * 72 + 8k with 80 <= total_len <= 4096, or a non-zero key on a record type
 * that has none.
 */
int
tes_journal_hdr_encode(const struct tes_journal_hdr *h, uint8_t out[static TES_JOURNAL_HDR_LEN]);

/*
 * Decode and check the header at the start of p (the rest of the record need
 * not be present): TES_ERR_TRUNCATED under 32 bytes, otherwise the checks of
 * tes_journal_hdr_encode plus zero reserved fields.
 */
int
tes_journal_hdr_decode(const uint8_t *p, size_t n, struct tes_journal_hdr *h);

/*
 * Seal n plaintext bytes (n <= TES_JOURNAL_PLAIN_MAX) into one record in out
 * (cap bytes). h->type, h->seq and h->key are inputs; h->total_len is set.
 * prev is the previous chain value; the new one is the last 32 bytes of the
 * record. *used gets the record size (== h->total_len).
 */
int
tes_journal_seal(const struct tes_store_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		 struct tes_journal_hdr *h, const uint8_t iv[static TES_JOURNAL_IV_LEN], const uint8_t *plain,
		 size_t n, uint8_t *out, size_t cap, size_t *used);

/*
 * Check the record at the start of p (n bytes available, may be more than
 * the record): header, presence of all total_len bytes (TES_ERR_TRUNCATED)
 * and the MAC against prev (TES_ERR_MAC). Nothing is decrypted.
 */
int
tes_journal_check(const struct tes_store_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		  const uint8_t *p, size_t n, struct tes_journal_hdr *h);

/*
 * tes_journal_check, then decrypt into plain (cap >= total_len - 72, at most
 * TES_JOURNAL_CT_MAX) and strip the padding (TES_ERR_DECRYPT). *plain_len
 * gets the body length. plain is wiped on failure.
 */
int
tes_journal_open_rec(const struct tes_store_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		     const uint8_t *p, size_t n, struct tes_journal_hdr *h, uint8_t *plain, size_t cap,
		     size_t *plain_len);

/*
 * Body codecs. Encoders check the same rules as decoders, so nothing a
 * decoder refuses is ever written; decoders check every field and refuse
 * trailing bytes (TES_ERR_FORMAT). Names follow tes_name_valid, texts are
 * printable ASCII 0x20..0x7e.
 */

/* UNIT: valid name, e_len 1..4, key accepted by tes_rsa_pub_check. */
int
tes_journal_unit_encode(const struct tes_journal_unit *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a UNIT body into m (same rules). */
int
tes_journal_unit_decode(const uint8_t *p, size_t n, struct tes_journal_unit *m);

/* REVOKE body: u8 name_len | name (a valid unit name). */
int
tes_journal_revoke_encode(const char *name, uint8_t name_len, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a REVOKE body; name has TES_NAME_MAX + 1 bytes. */
int
tes_journal_revoke_decode(const uint8_t *p, size_t n, char *name, uint8_t *name_len);

/* USER: valid name, role 1 or 2, hash of 1..128 bytes 0x21..0x7e starting "$argon2id$". */
int
tes_journal_user_encode(const struct tes_journal_user *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a USER body into m (same rules). */
int
tes_journal_user_decode(const uint8_t *p, size_t n, struct tes_journal_user *m);

/* REPORT: number >= 1, canonical report as checked by tes_report_decode. */
int
tes_journal_report_encode(const struct tes_journal_report *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a REPORT body into m (same rules). */
int
tes_journal_report_decode(const uint8_t *p, size_t n, struct tes_journal_report *m);

/*
 * DECISION: verdict 1 or 2; approve with points in {0, 10, 20, 50}, reject
 * with 0; reason 0..128 printable; officer a valid name.
 */
int
tes_journal_decision_encode(const struct tes_journal_decision *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a DECISION body into m (same rules). */
int
tes_journal_decision_decode(const uint8_t *p, size_t n, struct tes_journal_decision *m);

/* AUDIT: kind 1..TES_AUDIT_MAX; who empty or a valid name; text 0..128 printable. */
int
tes_journal_audit_encode(const struct tes_journal_audit *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of an AUDIT body into m (same rules). */
int
tes_journal_audit_decode(const uint8_t *p, size_t n, struct tes_journal_audit *m);

#endif
