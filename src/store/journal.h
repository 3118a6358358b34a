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
#include "store/seal.h"
#include "wire/limits.h"
#include "wire/msg.h"

enum tes_journal_limits {
	TES_JOURNAL_MAGIC = 0x5445534a, /* "TESJ" */
	TES_JOURNAL_VERSION = 1,
	TES_JOURNAL_FILE_HDR_LEN = 16, /* "TESJ" | u16 version | u16 0 | u64 created */
	TES_JOURNAL_HDR_LEN = 32,
	TES_JOURNAL_IV_LEN = 8,
	TES_JOURNAL_KEY_LEN = 16, /* report id for REPORT and DECISION, else zeros */
	TES_JOURNAL_MAC_LEN = 32,
	TES_JOURNAL_OVERHEAD = TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN + TES_JOURNAL_MAC_LEN,
	TES_JOURNAL_REC_MIN = TES_JOURNAL_OVERHEAD + TES_DES_BLOCK,
	TES_JOURNAL_REC_MAX = 4096,
	TES_JOURNAL_CT_MAX = TES_JOURNAL_REC_MAX - TES_JOURNAL_OVERHEAD, /* 4024 = 503 blocks */
	TES_JOURNAL_PLAIN_MAX = TES_JOURNAL_CT_MAX - 1,                  /* at least one pad byte */
	TES_JOURNAL_TEXT_MAX = 128,                                      /* decision reason, audit text */
	TES_JOURNAL_HASH_MAX = 128,                                      /* Argon2id encoded string */
	TES_JOURNAL_POINTS_MAX = 1000,           /* points of one approval (TES_POLICY_POINTS_MAX) */
	TES_JOURNAL_POLICY_TEXT_MAX = 2048,      /* bytes of a policy file (TES_POLICY_TEXT_MAX) */
	TES_JOURNAL_IMPORT_POINTS_MAX = 1000000, /* points of one IMPORT record */
	TES_JOURNAL_POLICY_HASH_LEN = 32,        /* SHA-256 of a policy's text */
	TES_JOURNAL_BATCH_LEN = 32,              /* SHA-256 of an imported plaintext */
	TES_JOURNAL_DECISION_TAIL = 4 + TES_JOURNAL_POLICY_HASH_LEN, /* u32 policy_version | hash */
	/* room for the largest body of any type: a POLICY record with the longest text */
	TES_JOURNAL_BODY_MAX = 4 + 2 + TES_JOURNAL_POLICY_TEXT_MAX
};

/* Record types; zero is never valid. */
enum tes_journal_type {
	TES_JREC_INVALID = 0,
	TES_JREC_UNIT = 1,
	TES_JREC_USER = 2,
	TES_JREC_REPORT = 3,
	TES_JREC_DECISION = 4,
	TES_JREC_AUDIT = 5,
	TES_JREC_REVOKE = 6,  /* a unit's key is no longer accepted */
	TES_JREC_POLICY = 7,  /* the penalty policy from here on */
	TES_JREC_DISABLE = 8, /* a user may not log in until a later USER record of the name */
	TES_JREC_IMPORT = 9,  /* points carried over from the original system */
	TES_JREC_MAX = 9
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
	TES_AUDIT_UNIT_REFUSED = 7, /* handshake from an unknown or failing unit */
	TES_AUDIT_SERVER_START = 8,
	TES_AUDIT_SERVER_STOP = 9,
	TES_AUDIT_VERIFY = 10,
	TES_AUDIT_RECOVER = 11, /* tes-officer recover moved damage to quarantine/ */
	TES_AUDIT_POLICY_SET = 12,
	TES_AUDIT_USER_DISABLED = 13,
	TES_AUDIT_IMPORT = 14,
	TES_AUDIT_PASSWORD_CHANGED = 15, /* an officer changed their own password on the dashboard */
	TES_AUDIT_MAX = 15
};

/* The clear record header. */
struct tes_journal_hdr {
	uint32_t total_len; /* whole record, hdr..mac */
	uint8_t type;       /* enum tes_journal_type */
	uint64_t seq;       /* 1, 2, 3, ... */
	uint8_t key[TES_JOURNAL_KEY_LEN];
};

/* UNIT body: u8 name_len | name | n[256] | u8 e_len | e */
struct tes_journal_unit {
	uint8_t name_len;
	char name[TES_NAME_MAX + 1];
	struct tes_rsa_pub pub; /* e in pub.e[0 .. pub.elen-1] */
};

/* USER body: u8 name_len | name | u8 role | u8 hash_len | hash */
struct tes_journal_user {
	uint8_t name_len;
	char name[TES_NAME_MAX + 1];
	uint8_t role; /* enum tes_role */
	uint8_t hash_len;
	char hash[TES_JOURNAL_HASH_MAX + 1];
};

/* REPORT body: u64 number | u64 received | canonical report | sig[256] */
struct tes_journal_report {
	uint64_t number;   /* violation number, >= 1 */
	uint64_t received; /* server clock */
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];
};

/* DECISION body: id[16] | u8 verdict | u16 points | u8 reason_len | reason |
 * u8 officer_len | officer | u64 time [ | u32 policy_version | policy_hash[32] ]
 * The tail is present when has_policy is 1 (storage version 2); a version 1
 * body has none. */
struct tes_journal_decision {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t verdict; /* enum tes_verdict */
	uint16_t points; /* 0 when rejected, 0..TES_JOURNAL_POINTS_MAX when approved */
	uint8_t reason_len;
	char reason[TES_JOURNAL_TEXT_MAX + 1];
	uint8_t officer_len;
	char officer[TES_NAME_MAX + 1];
	uint64_t time;
	uint8_t has_policy;      /* 0: no tail (version 0, hash zero); 1: tail present */
	uint32_t policy_version; /* 0 = the built-in policy, k = the k-th POLICY record */
	uint8_t policy_hash[TES_JOURNAL_POLICY_HASH_LEN]; /* SHA-256 of that policy's text */
};

/* POLICY body: u32 version | u16 text_len | text (a policy file, checked by the store) */
struct tes_journal_policy {
	uint32_t version; /* >= 1: the k-th POLICY record has version k */
	uint16_t text_len;
	uint8_t text[TES_JOURNAL_POLICY_TEXT_MAX]; /* not NUL-terminated */
};

/* DISABLE body: u8 name_len | name */
struct tes_journal_disable {
	uint8_t name_len;
	char name[TES_NAME_MAX + 1];
};

/* IMPORT body: u8 plate_len | plate | u32 points | u64 time | batch[32] | u32 index | u32 count */
struct tes_journal_import {
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1];
	uint32_t points;                      /* 1..TES_JOURNAL_IMPORT_POINTS_MAX */
	uint64_t time;                        /* the import's time */
	uint8_t batch[TES_JOURNAL_BATCH_LEN]; /* SHA-256 of the legacy plaintext */
	uint32_t index, count;                /* this record is entry index (0-based) of count */
};

/* AUDIT body: u8 kind | u8 who_len | who | u8 text_len | text | u64 time */
struct tes_journal_audit {
	uint8_t kind;    /* enum tes_audit_kind */
	uint8_t who_len; /* 0 = the server itself */
	char who[TES_NAME_MAX + 1];
	uint8_t text_len;
	char text[TES_JOURNAL_TEXT_MAX + 1];
	uint64_t time;
};

/*
 * The rules of spec/STORAGE.md as ACSL predicates, for the contracts below
 * (proofs/README.md): what a decoder accepts satisfies them.
 */
/*@ predicate jrec_len_ok(integer len) =
        TES_JOURNAL_REC_MIN <= len <= TES_JOURNAL_REC_MAX &&
        (len - TES_JOURNAL_OVERHEAD) % TES_DES_BLOCK == 0;
    predicate jrec_keyed(integer type) = type == TES_JREC_REPORT || type == TES_JREC_DECISION;
    predicate jhdr_ok(struct tes_journal_hdr *h) =
        1 <= h->type <= TES_JREC_MAX && jrec_len_ok(h->total_len) && h->seq != 0 &&
        (jrec_keyed(h->type) || \forall integer k; 0 <= k < TES_JOURNAL_KEY_LEN ==> h->key[k] == 0);
    predicate jfile_hdr_ok(uint8_t *p) =
        be32(p) == TES_JOURNAL_MAGIC && be16(p + 4) == TES_JOURNAL_VERSION && be16(p + 6) == 0;

    predicate text_ok(char *s, integer n, integer lo) =
        \forall integer k; 0 <= k < n ==> lo <= s[k] <= 0x7e;
    predicate name_ok(char *s, integer n) =
        1 <= n <= TES_NAME_MAX && \forall integer k; 0 <= k < n ==> name_char(s[k]);
    predicate rsa_pub_ok(struct tes_rsa_pub *k) =
        k->n[0] >= 0x80 && k->n[TES_RSA_LEN - 1] % 2 == 1 &&
        1 <= k->elen <= TES_RSA_E_MAX && k->e[0] != 0 && k->e[k->elen - 1] % 2 == 1 &&
        (k->elen == 1 ==> k->e[0] >= 3);
    predicate argon2id_ok(char *s, integer n) =
        10 <= n <= TES_JOURNAL_HASH_MAX && text_ok(s, n, 0x21) &&
        s[0] == '$' && s[1] == 'a' && s[2] == 'r' && s[3] == 'g' && s[4] == 'o' &&
        s[5] == 'n' && s[6] == '2' && s[7] == 'i' && s[8] == 'd' && s[9] == '$';
    predicate points_ok(integer verdict, integer points) =
        (verdict == TES_VERDICT_REJECT && points == 0) ||
        (verdict == TES_VERDICT_APPROVE && 0 <= points <= TES_JOURNAL_POINTS_MAX);
    predicate jpolicy_char(integer c) = (0x20 <= c <= 0x7e) || c == 0x09 || c == 0x0a || c == 0x0d;
    predicate jpolicy_text_ok(uint8_t *s, integer n) =
        1 <= n <= TES_JOURNAL_POLICY_TEXT_MAX && \forall integer k; 0 <= k < n ==> jpolicy_char(s[k]);
    predicate jplate_ok(char *s, integer n) =
        1 <= n <= TES_PLATE_MAX && \forall integer k; 0 <= k < n ==> plate_char(s[k]);
    predicate jimport_ok(struct tes_journal_import *m) =
        jplate_ok(&m->plate[0], m->plate_len) && 1 <= m->points <= TES_JOURNAL_IMPORT_POINTS_MAX &&
        m->count >= 1 && m->index < m->count;
    predicate jtail_ok(struct tes_journal_decision *m) =
        m->has_policy == 1 ||
        (m->has_policy == 0 && m->policy_version == 0 &&
         \forall integer k; 0 <= k < TES_JOURNAL_POLICY_HASH_LEN ==> m->policy_hash[k] == 0);
 */

/* Write the 16-byte file header: "TESJ" | u16 1 | u16 0 | u64 created. */
/*@ requires \valid(out + (0 .. TES_JOURNAL_FILE_HDR_LEN - 1));
    terminates \true;
    assigns out[0 .. TES_JOURNAL_FILE_HDR_LEN - 1];
 */
void
tes_journal_file_hdr_encode(uint8_t out[static TES_JOURNAL_FILE_HDR_LEN], uint64_t created);

/*
 * Check the file header in the first n bytes of p: TES_ERR_TRUNCATED under 16
 * bytes, TES_ERR_FORMAT for a bad magic or reserved field, TES_ERR_VERSION.
 */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(created);
    requires \separated(created, p + (0 .. n-1));
    terminates \true;
    assigns *created;
    ensures \result == 0 ==> n >= TES_JOURNAL_FILE_HDR_LEN && \at(jfile_hdr_ok(p), Pre);
    ensures n >= TES_JOURNAL_FILE_HDR_LEN && \at(jfile_hdr_ok(p), Pre) ==> \result == 0;
    ensures \result == 0 ==> *created == \old(be64(p + 8));
    ensures n < TES_JOURNAL_FILE_HDR_LEN ==> \result == TES_ERR_TRUNCATED;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT ||
            \result == TES_ERR_VERSION;
 */
int
tes_journal_file_hdr_decode(const uint8_t *p, size_t n, uint64_t *created);

/*
 * The chain value that precedes record 1:
 * HMAC-SHA256(mac key, "TES1 journal genesis" || file header).
 */
void
tes_journal_genesis(const struct tes_seal_keys *k, const uint8_t fhdr[static TES_JOURNAL_FILE_HDR_LEN],
		    uint8_t out[static TES_JOURNAL_MAC_LEN]);

/*
 * Write a record header. Refuses (TES_ERR_TYPE / TES_ERR_FORMAT /
 * TES_ERR_TOOLONG) a type outside 1..TES_JREC_MAX, seq 0, a total_len that is not
 * 72 + 8k with 80 <= total_len <= 4096, or a non-zero key on a record type
 * that has none.
 */
/*@ requires \valid_read(h) && \valid(out + (0 .. TES_JOURNAL_HDR_LEN - 1));
    requires \separated(h, out + (0 .. TES_JOURNAL_HDR_LEN - 1));
    terminates \true;
    assigns out[0 .. TES_JOURNAL_HDR_LEN - 1];
    ensures \result == 0 ==> \at(jhdr_ok(h), Pre);
    ensures \at(jhdr_ok(h), Pre) ==> \result == 0;
    ensures \result == 0 || \result == TES_ERR_TYPE || \result == TES_ERR_TOOLONG ||
            \result == TES_ERR_FORMAT;
 */
int
tes_journal_hdr_encode(const struct tes_journal_hdr *h, uint8_t out[static TES_JOURNAL_HDR_LEN]);

/*
 * Decode and check the header at the start of p (the rest of the record need
 * not be present): TES_ERR_TRUNCATED under 32 bytes, otherwise the checks of
 * tes_journal_hdr_encode plus zero reserved fields.
 */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(h);
    requires \separated(h, p + (0 .. n-1));
    terminates \true;
    assigns *h;
    ensures \result == 0 ==> n >= TES_JOURNAL_HDR_LEN && jhdr_ok(h);
    ensures \result == 0 ==> h->total_len == \old(be32(p));
    ensures \result == 0 ==> h->type == \old(p[4]);
    ensures \result == 0 ==> \old(p[5]) == 0 && \old(be16(p + 6)) == 0;
    ensures \result == 0 ==> h->seq == \old(be64(p + 8));
    ensures \result == 0 ==> \forall integer k; 0 <= k < TES_JOURNAL_KEY_LEN ==> h->key[k] == p[16 + k];
    ensures n < TES_JOURNAL_HDR_LEN ==> \result == TES_ERR_TRUNCATED;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_TYPE ||
            \result == TES_ERR_TOOLONG || \result == TES_ERR_FORMAT;
 */
int
tes_journal_hdr_decode(const uint8_t *p, size_t n, struct tes_journal_hdr *h);

/*
 * Seal n plaintext bytes (n <= TES_JOURNAL_PLAIN_MAX) into one record in out
 * (cap bytes). h->type, h->seq and h->key are inputs; h->total_len is set.
 * prev is the previous chain value; the new one is the last 32 bytes of the
 * record. *used gets the record size (== h->total_len).
 */
/*@ requires \valid_read(k) && \valid_read(prev + (0 .. TES_JOURNAL_MAC_LEN - 1)) && \valid(h);
    requires \valid_read(iv + (0 .. TES_JOURNAL_IV_LEN - 1)) && \valid_read(plain + (0 .. n-1));
    requires \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(out + (0 .. cap-1), used, h, k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1),
                        iv + (0 .. TES_JOURNAL_IV_LEN - 1), plain + (0 .. n-1));
    requires \separated(h, used, k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1),
                        iv + (0 .. TES_JOURNAL_IV_LEN - 1), plain + (0 .. n-1));
    requires \separated(used, k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1),
                        iv + (0 .. TES_JOURNAL_IV_LEN - 1), plain + (0 .. n-1));
    terminates \true;
    assigns h->total_len, out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> jrec_len_ok(h->total_len);
    ensures \result == 0 ==> *used == h->total_len && *used <= cap;
    ensures \result == 0 ==> h->total_len == TES_JOURNAL_OVERHEAD + (n / TES_DES_BLOCK + 1) * TES_DES_BLOCK;
 */
int
tes_journal_seal(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		 struct tes_journal_hdr *h, const uint8_t iv[static TES_JOURNAL_IV_LEN], const uint8_t *plain,
		 size_t n, uint8_t *out, size_t cap, size_t *used);

/*
 * Check the record at the start of p (n bytes available, may be more than
 * the record): header, presence of all total_len bytes (TES_ERR_TRUNCATED)
 * and the MAC against prev (TES_ERR_MAC). Nothing is decrypted.
 */
/*@ requires \valid_read(k) && \valid_read(prev + (0 .. TES_JOURNAL_MAC_LEN - 1));
    requires \valid_read(p + (0 .. n-1)) && \valid(h);
    requires \separated(h, k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1), p + (0 .. n-1));
    terminates \true;
    assigns *h;
    ensures \result == 0 ==> jhdr_ok(h) && h->total_len == \old(be32(p)) && h->total_len <= n;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_TYPE ||
            \result == TES_ERR_TOOLONG || \result == TES_ERR_FORMAT || \result == TES_ERR_MAC;
 */
int
tes_journal_check(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		  const uint8_t *p, size_t n, struct tes_journal_hdr *h);

/*
 * tes_journal_check, then decrypt into plain (cap >= total_len - 72, at most
 * TES_JOURNAL_CT_MAX) and strip the padding (TES_ERR_DECRYPT). *plain_len
 * gets the body length. plain is wiped on failure.
 */
/*@ requires \valid_read(k) && \valid_read(prev + (0 .. TES_JOURNAL_MAC_LEN - 1));
    requires \valid_read(p + (0 .. n-1)) && \valid(h) && \valid(plain + (0 .. cap-1)) &&
             \valid(plain_len);
    requires \separated(h, plain_len, plain + (0 .. cap-1), k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1),
                        p + (0 .. n-1));
    requires \separated(plain + (0 .. cap-1), plain_len, k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1),
                        p + (0 .. n-1));
    requires \separated(plain_len, k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1), p + (0 .. n-1));
    terminates \true;
    assigns *h, plain[0 .. cap-1], *plain_len;
    ensures \result == 0 ==> jhdr_ok(h) && h->total_len == \old(be32(p)) && h->total_len <= n;
    ensures \result == 0 ==> h->total_len - TES_JOURNAL_OVERHEAD <= cap &&
            pad_ok(plain, h->total_len - TES_JOURNAL_OVERHEAD);
    ensures \result == 0 ==>
            *plain_len == h->total_len - TES_JOURNAL_OVERHEAD - plain[h->total_len - TES_JOURNAL_OVERHEAD - 1] &&
            *plain_len <= TES_JOURNAL_PLAIN_MAX;
    ensures \result == TES_ERR_DECRYPT ==> h->total_len - TES_JOURNAL_OVERHEAD <= cap &&
            \forall integer i; 0 <= i < h->total_len - TES_JOURNAL_OVERHEAD ==> plain[i] == 0;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_open_rec(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		     const uint8_t *p, size_t n, struct tes_journal_hdr *h, uint8_t *plain, size_t cap,
		     size_t *plain_len);

/*
 * Body codecs. Encoders check the same rules as decoders, so nothing a
 * decoder refuses is ever written; decoders check every field and refuse
 * trailing bytes (TES_ERR_FORMAT). Names follow tes_field_name_valid, texts are
 * printable ASCII 0x20..0x7e.
 */

/* UNIT: valid name, e_len 1..4, key accepted by tes_rsa_pub_check. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> *used <= cap && *used == \old(1 + m->name_len + TES_RSA_LEN + 1 + m->pub.elen);
 */
int
tes_journal_unit_encode(const struct tes_journal_unit *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a UNIT body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> name_ok(&m->name[0], m->name_len) && str_ok(&m->name[0], m->name_len);
    ensures \result == 0 ==> rsa_pub_ok(&m->pub);
    ensures \result == 0 ==> \forall integer k; m->pub.elen <= k < TES_RSA_E_MAX ==> m->pub.e[k] == 0;
    ensures \result == 0 ==> n == 1 + m->name_len + TES_RSA_LEN + 1 + m->pub.elen;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_unit_decode(const uint8_t *p, size_t n, struct tes_journal_unit *m);

/* REVOKE body: u8 name_len | name (a valid unit name). */
/*@ requires \valid_read(name + (0 .. name_len-1)) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(used, name + (0 .. name_len-1), out + (0 .. cap-1));
    requires \separated(out + (0 .. cap-1), name + (0 .. name_len-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> name_ok(name, name_len) && *used <= cap && *used == 1 + name_len;
 */
int
tes_journal_revoke_encode(const char *name, uint8_t name_len, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a REVOKE body; name has TES_NAME_MAX + 1 bytes. */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(name + (0 .. TES_NAME_MAX)) && \valid(name_len);
    requires \separated(name + (0 .. TES_NAME_MAX), name_len, p + (0 .. n-1));
    requires \separated(name_len, p + (0 .. n-1));
    terminates \true;
    assigns name[0 .. TES_NAME_MAX], *name_len;
    ensures \result == 0 ==> name_ok(name, *name_len) && str_ok(name, *name_len) && n == 1 + *name_len;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_revoke_decode(const uint8_t *p, size_t n, char *name, uint8_t *name_len);

/* USER: valid name, role 1 or 2, hash of 1..128 bytes 0x21..0x7e starting "$argon2id$". */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> *used <= cap && *used == \old(1 + m->name_len + 1 + 1 + m->hash_len);
 */
int
tes_journal_user_encode(const struct tes_journal_user *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a USER body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> name_ok(&m->name[0], m->name_len) && str_ok(&m->name[0], m->name_len);
    ensures \result == 0 ==> m->role == TES_ROLE_POLICE || m->role == TES_ROLE_OFFICER;
    ensures \result == 0 ==> argon2id_ok(&m->hash[0], m->hash_len) && str_ok(&m->hash[0], m->hash_len);
    ensures \result == 0 ==> n == 1 + m->name_len + 1 + 1 + m->hash_len;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_user_decode(const uint8_t *p, size_t n, struct tes_journal_user *m);

/* REPORT: number >= 1, canonical report as checked by tes_msg_report_decode. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> *used <= cap && *used == \old(8 + 8 + 62 + m->r.plate_len + m->r.loc_len + TES_RSA_LEN);
 */
int
tes_journal_report_encode(const struct tes_journal_report *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a REPORT body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> m->number >= 1 && report_ok(&m->r);
    ensures \result == 0 ==> m->number == \old(be64(p)) && m->received == \old(be64(p + 8));
    ensures \result == 0 ==> n == 8 + 8 + 62 + m->r.plate_len + m->r.loc_len + TES_RSA_LEN;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_report_decode(const uint8_t *p, size_t n, struct tes_journal_report *m);

/*
 * DECISION: verdict 1 or 2; approve with points 0..TES_JOURNAL_POINTS_MAX,
 * reject with 0; reason 0..128 printable; officer a valid name; has_policy 0
 * or 1, and the policy tail is written when it is 1.
 */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> *used <= cap && *used == \old(TES_REPORT_ID_LEN + 1 + 2 + 1 + m->reason_len + 1 +
                                                      m->officer_len + 8 + m->has_policy * TES_JOURNAL_DECISION_TAIL);
    ensures \result == 0 ==> \old(m->has_policy) <= 1;
 */
int
tes_journal_decision_encode(const struct tes_journal_decision *m, uint8_t *out, size_t cap, size_t *used);
/*
 * Decode exactly n bytes of a DECISION body into m (same rules). Both the
 * version 1 length and that length + TES_JOURNAL_DECISION_TAIL decode; without
 * a tail has_policy, policy_version and policy_hash are zero.
 */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> points_ok(m->verdict, m->points);
    ensures \result == 0 ==> m->reason_len <= TES_JOURNAL_TEXT_MAX &&
            text_ok(&m->reason[0], m->reason_len, 0x20) && str_ok(&m->reason[0], m->reason_len);
    ensures \result == 0 ==> name_ok(&m->officer[0], m->officer_len) &&
            str_ok(&m->officer[0], m->officer_len);
    ensures \result == 0 ==> jtail_ok(m);
    ensures \result == 0 ==> n == TES_REPORT_ID_LEN + 1 + 2 + 1 + m->reason_len + 1 + m->officer_len + 8 +
                                 m->has_policy * TES_JOURNAL_DECISION_TAIL;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_decision_decode(const uint8_t *p, size_t n, struct tes_journal_decision *m);

/* AUDIT: kind 1..TES_AUDIT_MAX; who empty or a valid name; text 0..128 printable. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> *used <= cap && *used == \old(1 + 1 + m->who_len + 1 + m->text_len + 8);
 */
int
tes_journal_audit_encode(const struct tes_journal_audit *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of an AUDIT body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> 1 <= m->kind <= TES_AUDIT_MAX;
    ensures \result == 0 ==> (m->who_len == 0 || name_ok(&m->who[0], m->who_len)) &&
            m->who_len <= TES_NAME_MAX && str_ok(&m->who[0], m->who_len);
    ensures \result == 0 ==> m->text_len <= TES_JOURNAL_TEXT_MAX &&
            text_ok(&m->text[0], m->text_len, 0x20) && str_ok(&m->text[0], m->text_len);
    ensures \result == 0 ==> n == 1 + 1 + m->who_len + 1 + m->text_len + 8;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_audit_decode(const uint8_t *p, size_t n, struct tes_journal_audit *m);

/* POLICY: version >= 1; text 1..TES_JOURNAL_POLICY_TEXT_MAX bytes, each 0x20..0x7e, tab, LF or CR. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> \old(m->version) >= 1 && \old(jpolicy_text_ok(&m->text[0], m->text_len));
    ensures \result == 0 ==> *used <= cap && *used == \old(4 + 2 + m->text_len);
 */
int
tes_journal_policy_encode(const struct tes_journal_policy *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a POLICY body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> m->version >= 1 && jpolicy_text_ok(&m->text[0], m->text_len);
    ensures \result == 0 ==> m->version == \old(be32(p)) && m->text_len == \old(be16(p + 4));
    ensures \result == 0 ==> \forall integer k; 0 <= k < m->text_len ==> m->text[k] == p[6 + k];
    ensures \result == 0 ==> n == 4 + 2 + m->text_len;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_policy_decode(const uint8_t *p, size_t n, struct tes_journal_policy *m);

/* DISABLE: a valid user name. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> \old(name_ok(&m->name[0], m->name_len));
    ensures \result == 0 ==> *used <= cap && *used == \old(1 + m->name_len);
 */
int
tes_journal_disable_encode(const struct tes_journal_disable *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of a DISABLE body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> name_ok(&m->name[0], m->name_len) && str_ok(&m->name[0], m->name_len);
    ensures \result == 0 ==> n == 1 + m->name_len;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_disable_decode(const uint8_t *p, size_t n, struct tes_journal_disable *m);

/*
 * IMPORT: a valid plate; points 1..TES_JOURNAL_IMPORT_POINTS_MAX; count >= 1
 * and index < count. time and batch are not checked here.
 */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> \old(jimport_ok(m));
    ensures \result == 0 ==> *used <= cap &&
            *used == \old(1 + m->plate_len + 4 + 8 + TES_JOURNAL_BATCH_LEN + 4 + 4);
 */
int
tes_journal_import_encode(const struct tes_journal_import *m, uint8_t *out, size_t cap, size_t *used);
/* Decode exactly n bytes of an IMPORT body into m (same rules). */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 ==> jimport_ok(m) && str_ok(&m->plate[0], m->plate_len);
    ensures \result == 0 ==> n == 1 + m->plate_len + 4 + 8 + TES_JOURNAL_BATCH_LEN + 4 + 4;
    ensures \result == 0 || \result < 0;
 */
int
tes_journal_import_decode(const uint8_t *p, size_t n, struct tes_journal_import *m);

#endif
