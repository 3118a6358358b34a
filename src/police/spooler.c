/* SPDX-License-Identifier: ISC */
/*
 * The spool directory (spooler.h, spec/SPOOL.md): its lock, the keys, reading
 * and repairing the file, compaction, the index of its records with two
 * look-up tables (report id, timeless digest), and the appends.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cur.h"
#include "common/err.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/time.h"
#include "common/wipe.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "police/spool.h"
#include "police/spooler.h"
#include "wire/field.h"

static const char name_lock[] = "lock", name_spool[] = "spool", name_new[] = "spool.new";

/* What a record is to the index. */
enum rec_state {
	ST_PENDING = 1, /* ADD that decodes, not retired */
	ST_RETIRED = 2, /* ADD that a later DONE retired */
	ST_APPLIED = 3, /* DONE or SEEN whose tag verifies and whose body decodes */
	ST_UNUSABLE = 4 /* a bad tag or body: kept, reported, never used */
};

/* How the records of the file end. */
enum tail_kind {
	TAIL_NONE = 0,
	TAIL_TORN = 1, /* an incomplete last record, or zeros: cut */
	TAIL_BAD = 2   /* malformed from there on: moved to a quarantine file */
};

enum {
	SLOT_BITS = 19,
	SLOT_MASK = TES_SPOOLER_SLOTS - 1,
	PROBE_START = 0xffffffffu,
	USER_INFO_LEN = 10 /* "spool user" */
};

static const uint64_t time_printable = 253402300799u; /* 9999-12-31T23:59:59Z */

_Static_assert(TES_SPOOLER_SLOTS == 1 << SLOT_BITS, "table size");
_Static_assert(TES_SPOOLER_FILE_MAX < 0xffffffffu, "offsets fit 32 bits");

/* A message naming the file into err, and r. */
static int __attribute__((format(printf, 4, 5))) fail(char *err, size_t cap, int r, const char *fmt, ...)
{
	va_list ap;

	if (cap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Keys */

/* S from the unit's secret primes, then the device and id keys (spec/SPOOL.md#keys). */
static int
derive_device(struct tes_spooler *s, const struct tes_rsa_priv *unit)
{
	static const uint8_t salt[] = "TES1 spool", info[] = "spool secret", dev[] = "spool device",
			     idk[] = "report id";
	uint8_t ikm[2 + TES_RSA_HALF + 2 + TES_RSA_HALF];
	size_t n = 0;

	if (unit->plen == 0 || unit->plen > TES_RSA_HALF || unit->qlen == 0 || unit->qlen > TES_RSA_HALF)
		return TES_ERR_KEY;
	/*= spec/SPOOL.md#keys MUST-SP8: S from the private primes only, never from anything public */
	tes_cur_enc16be(ikm, (uint16_t)unit->plen);
	memcpy(ikm + 2, unit->p, unit->plen);
	n = 2 + unit->plen;
	tes_cur_enc16be(ikm + n, (uint16_t)unit->qlen);
	memcpy(ikm + n + 2, unit->q, unit->qlen);
	n += 2 + unit->qlen;
	tes_hkdf_sha256(salt, sizeof(salt) - 1, ikm, n, info, sizeof(info) - 1, s->secret, sizeof(s->secret));
	tes_hkdf_sha256(NULL, 0, s->secret, sizeof(s->secret), dev, sizeof(dev) - 1, s->device_key,
			sizeof(s->device_key));
	tes_hkdf_sha256(NULL, 0, s->secret, sizeof(s->secret), idk, sizeof(idk) - 1, s->id_key,
			sizeof(s->id_key));
	tes_rsa_keyid(&unit->pub, s->unit_key);
	TES_WIPE_BUF(ikm);
	return 0;
}

/* Where the fields of an indexed record lie in buf (only for records that decoded). */

static const uint8_t *
rec_bytes(const struct tes_spooler *s, size_t ri)
{
	return s->buf + s->rec[ri].off;
}

/* ADD: u16 L | type | u8 ulen | user | u64 spooled_at | u8 timeless | digest | u16 rlen | report | sig */
static const uint8_t *
add_digest(const struct tes_spooler *s, size_t ri)
{
	const uint8_t *p = rec_bytes(s, ri);

	return p + 4 + p[3] + 8 + 1;
}

static const uint8_t *
add_report(const struct tes_spooler *s, size_t ri)
{
	return add_digest(s, ri) + TES_SPOOL_DIGEST_LEN + 2;
}

static int
add_timeless(const struct tes_spooler *s, size_t ri)
{
	return add_digest(s, ri)[-1] == 1;
}

/* The report id of an ADD. */
static const uint8_t *
rec_id(const struct tes_spooler *s, size_t ri)
{
	return add_report(s, ri);
}

/* The memory key of a timeless ADD or a SEEN. */
static const uint8_t *
rec_digest(const struct tes_spooler *s, size_t ri)
{
	return s->rec[ri].type == TES_SPOOL_SEEN ? rec_bytes(s, ri) + 3 : add_digest(s, ri);
}

/* The time a record got: an ADD's report time, a SEEN's observed time. */
static uint64_t
rec_time(const struct tes_spooler *s, size_t ri)
{
	const uint8_t *p;

	if (s->rec[ri].type == TES_SPOOL_SEEN)
		return tes_cur_dec64be(rec_bytes(s, ri) + 3 + TES_SPOOL_DIGEST_LEN + TES_REPORT_ID_LEN);
	p = add_report(s, ri);
	return tes_cur_dec64be(p + TES_REPORT_ID_LEN + TES_KEYID_LEN + 1 + p[48] + 4);
}

/* A SEEN's id. */
static const uint8_t *
seen_id(const struct tes_spooler *s, size_t ri)
{
	return rec_bytes(s, ri) + 3 + TES_SPOOL_DIGEST_LEN;
}

/* t lies in the 24 hours before now (and not in the future beyond the protocol's skew). */
static int
window_open(uint64_t t, uint64_t now)
{
	return t <= now + TES_TIME_SKEW && now < t + TES_SPOOLER_WINDOW;
}

/* Look-up tables: open addressing, keyed multiply-shift hash of the key's first 16 bytes. */

static uint32_t
slot_of(const struct tes_spooler *s, const uint8_t *k)
{
	uint64_t h = tes_cur_dec64be(k) * s->hk[0] + tes_cur_dec64be(k + 8) * s->hk[1] + s->hk[2];

	return (uint32_t)(h >> (64 - SLOT_BITS));
}

static void
tbl_put(struct tes_spooler *s, uint32_t *t, const uint8_t *k, size_t ri)
{
	uint32_t i = slot_of(s, k);

	while (t[i] != 0)
		i = (i + 1) & SLOT_MASK;
	t[i] = (uint32_t)ri + 1;
}

/*
 * The next record of t whose key equals k (klen bytes; dg: t is by_digest):
 * *slot starts at PROBE_START; the record's index, or -1 when none is left.
 */
static long
tbl_next(const struct tes_spooler *s, const uint32_t *t, const uint8_t *k, size_t klen, int dg,
	 uint32_t *slot)
{
	uint32_t i = *slot == PROBE_START ? slot_of(s, k) : (*slot + 1) & SLOT_MASK;
	size_t ri;

	for (; t[i] != 0; i = (i + 1) & SLOT_MASK) {
		ri = t[i] - 1;
		if (memcmp(dg ? rec_digest(s, ri) : rec_id(s, ri), k, klen) == 0) {
			*slot = i;
			return (long)ri;
		}
	}
	*slot = i;
	return -1;
}

/* Index */

/* Retire the pending ADDs with report id id: every one indexed so far, i.e. written before. */
static size_t
retire_id(struct tes_spooler *s, const uint8_t *id)
{
	uint32_t slot = PROBE_START;
	size_t n = 0;
	long ri;

	while ((ri = tbl_next(s, s->by_id, id, TES_REPORT_ID_LEN, 0, &slot)) >= 0) {
		if (s->rec[ri].state != ST_PENDING)
			continue;
		s->rec[ri].state = ST_RETIRED;
		s->npending--;
		n++;
	}
	return n;
}

static void
index_add(struct tes_spooler *s, size_t ri, const uint8_t *q, size_t len)
{
	/*= spec/SPOOL.md#format MUST-SP5: an ADD that does not decode is kept, never sent */
	if (tes_spool_add_decode(q, len, &s->scratch) != 0) {
		s->rec[ri].verdict = TES_SPOOLER_BAD;
		return;
	}
	s->rec[ri].state = ST_PENDING;
	s->npending++;
	tbl_put(s, s->by_id, s->scratch.report.id, ri);
	if (s->scratch.timeless)
		tbl_put(s, s->by_digest, s->scratch.digest, ri);
}

/*
 * Whether the tag of the DONE or SEEN q verifies under the device key; a
 * spool read without the unit key (tes_spooler_peek) cannot tell, and takes
 * it at face value for its listing.
 */
static int
device_tag_ok(const struct tes_spooler *s, const uint8_t *q, size_t len)
{
	/*= spec/SPOOL.md#listing MUST-SP19: without the unit key, retirements are taken unverified, for the listing only */
	if (s->readonly)
		return 1;
	/*= spec/SPOOL.md#keys MUST-SP7: a DONE or SEEN counts only when its tag verifies under the device key */
	return tes_spool_verify(s->device_key, q, len) == 0;
}

static void
index_done(struct tes_spooler *s, size_t ri, const uint8_t *q, size_t len)
{
	struct tes_spool_done d;

	if (!device_tag_ok(s, q, len) || tes_spool_done_decode(q, len, &d) != 0)
		return;
	s->rec[ri].state = ST_APPLIED;
	retire_id(s, d.id);
}

static void
index_seen(struct tes_spooler *s, size_t ri, const uint8_t *q, size_t len)
{
	struct tes_spool_seen sn;

	if (!device_tag_ok(s, q, len) || tes_spool_seen_decode(q, len, &sn) != 0)
		return;
	s->rec[ri].state = ST_APPLIED;
	tbl_put(s, s->by_digest, sn.digest, ri);
}

/* Add the record rec (inside buf) to the index. */
static void
index_rec(struct tes_spooler *s, const struct tes_spool_rec *rec)
{
	size_t ri = s->nrec++;
	const uint8_t *q = s->buf + rec->off;

	s->rec[ri] = (struct tes_spooler_rec){ .off = (uint32_t)rec->off,
					       .len = (uint16_t)rec->len,
					       .type = rec->type,
					       .state = ST_UNUSABLE,
					       .verdict = TES_SPOOLER_UNCHECKED };
	if (rec->type == TES_SPOOL_ADD)
		index_add(s, ri, q, rec->len);
	else if (rec->type == TES_SPOOL_DONE)
		index_done(s, ri, q, rec->len);
	else
		index_seen(s, ri, q, rec->len);
}

/* The verdict of ADD ri for the current user. */
static uint8_t
verdict_of(const struct tes_spooler *s, size_t ri)
{
	const uint8_t *p = rec_bytes(s, ri);

	if (s->rec[ri].state == ST_UNUSABLE)
		return TES_SPOOLER_BAD;
	if (p[3] != s->user_len || memcmp(p + 4, s->user, s->user_len) != 0)
		return TES_SPOOLER_OTHER;
	/*= spec/SPOOL.md#keys MUST-SP7: an ADD is this user's only when it verifies under the user key */
	return tes_spool_verify(s->user_key, p, s->rec[ri].len) == 0 ? TES_SPOOLER_MINE : TES_SPOOLER_BAD;
}

/* Index every record from the header on; *tail: where the records end, *kind: how. */
static int
scan(struct tes_spooler *s, size_t *tail, int *kind)
{
	struct tes_spool_rec rec;
	size_t off = TES_SPOOL_HDR_LEN, i;
	int r;

	memset(s->by_id, 0, sizeof(s->by_id));
	memset(s->by_digest, 0, sizeof(s->by_digest));
	s->nrec = s->npending = 0;
	*kind = TAIL_NONE;
	while (off < s->len) {
		if ((r = tes_spool_next(s->buf, s->len, off, &rec)) != 0) {
			*kind = r == TES_ERR_TRUNCATED ? TAIL_TORN : TAIL_BAD;
			break;
		}
		if (s->nrec == TES_SPOOLER_RECS_MAX)
			return TES_ERR_TOOLONG;
		index_rec(s, &rec);
		off += rec.len;
	}
	*tail = off;
	s->info.pending = s->npending;
	s->info.unusable = 0;
	for (i = 0; i < s->nrec; i++) {
		s->info.unusable += s->rec[i].state == ST_UNUSABLE;
		if (s->has_user && s->rec[i].type == TES_SPOOL_ADD)
			s->rec[i].verdict = verdict_of(s, i);
	}
	return 0;
}

/* Opening */

/* The spool directory's descriptor: made 0700 when missing, unless the spool is only read. */
static int
dir_fd(struct tes_spooler *s, const char *dir, char *err, size_t cap)
{
	int made = 0, r;

	if (s->readonly)
		r = tes_file_dir_open_existing(dir, &s->dfd);
	else
		r = tes_file_dir_open(dir, &made, &s->dfd);
	if (r == TES_ERR_NOTFOUND)
		return fail(err, cap, r, "no spool directory %s", dir);
	if (r != 0)
		return fail(err, cap, TES_ERR_IO, "cannot %s the spool directory %s: %s",
			    s->readonly ? "open" : "make or open", dir, strerror(errno));
	s->info.created = made;
	return 0;
}

static int
dir_open(struct tes_spooler *s, const char *dir, char *err, size_t cap)
{
	struct stat st;
	int r;

	/*= spec/SPOOL.md#directory MUST-SP1: made 0700, refused with group or other access */
	if ((r = dir_fd(s, dir, err, cap)) != 0)
		return r;
	if (fstat(s->dfd, &st) != 0)
		return fail(err, cap, TES_ERR_IO, "cannot open the spool directory %s: %s", dir,
			    strerror(errno));
	if (st.st_uid != geteuid())
		return fail(err, cap, TES_ERR_KEY, "spool directory %s belongs to another user", dir);
	if ((st.st_mode & 077) != 0)
		return fail(err, cap, TES_ERR_KEY,
			    "spool directory %s: group or others may access it (chmod 700 %s)", dir, dir);
	return 0;
}

static int
lock_take(struct tes_spooler *s, const char *dir, char *err, size_t cap)
{
	unsigned how = s->readonly ? TES_FILE_LOCK_EXISTING : 0;
	int r;

	/*= spec/SPOOL.md#locking MUST-SP2: one process at a time; a second one waits, and says so once */
	if ((r = tes_file_lock(s->dfd, name_lock, how, &s->lfd)) == TES_ERR_LOCKED) {
		fprintf(stderr, "tes-police: waiting for another tes-police using the spool %s\n", dir);
		s->info.waited = 1;
		r = tes_file_lock(s->dfd, name_lock, how | TES_FILE_LOCK_WAIT, &s->lfd);
	}
	/*= spec/SPOOL.md#listing MUST-SP19: no lock file: no tes-police ever used the spool here */
	if (r == TES_ERR_NOTFOUND)
		return 0;
	if (r != 0)
		return fail(err, cap, TES_ERR_IO, "cannot lock %s/%s: %s", dir, name_lock, strerror(errno));
	return 0;
}

/* A new spool: a fresh salt, the header alone. */
static int
create(struct tes_spooler *s, const char *dir, char *err, size_t cap)
{
	/*= spec/SPOOL.md#format MUST-SP3: the salt is random, drawn when the spool is made */
	tes_rng_bytes(s->salt, sizeof(s->salt));
	tes_spool_hdr_encode(s->salt, s->buf);
	s->len = TES_SPOOL_HDR_LEN;
	if (tes_file_create(s->dfd, name_spool, s->buf, s->len, 0600) != 0 || tes_file_sync(s->dfd) != 0)
		return fail(err, cap, TES_ERR_IO, "cannot make %s/%s", dir, name_spool);
	s->info.created = 1;
	return 0;
}

/* Read D/spool whole; *hdr_bad when its header is not one (the whole file is then malformed). */
static int
load(struct tes_spooler *s, const char *dir, int *hdr_bad, char *err, size_t cap)
{
	int r;

	*hdr_bad = 0;
	/*= spec/SPOOL.md#directory MUST-SP1: the spool is a regular file only its owner may access */
	r = tes_file_load(s->dfd, name_spool, TES_FILE_NOFOLLOW | TES_FILE_SECRET, s->buf,
			  TES_SPOOLER_FILE_MAX, &s->len);
	if (r == TES_ERR_NOTFOUND && s->readonly)
		return fail(err, cap, r, "no spool in %s (%s/%s does not exist)", dir, dir, name_spool);
	if (r == TES_ERR_NOTFOUND)
		return create(s, dir, err, cap);
	if (r == TES_ERR_KEY)
		return fail(err, cap, r,
			    "%s/%s: not a regular file, or group or others may access it (chmod 600)", dir,
			    name_spool);
	if (r == TES_ERR_TOOLONG)
		return fail(err, cap, r, "%s/%s is larger than %d bytes", dir, name_spool,
			    TES_SPOOLER_FILE_MAX);
	if (r != 0)
		return fail(err, cap, r, "cannot read %s/%s", dir, name_spool);
	r = tes_spool_hdr_decode(s->buf, s->len, s->salt);
	if (r == TES_ERR_VERSION)
		return fail(err, cap, r, "%s/%s was made by another version of tes-police; left as it is",
			    dir, name_spool);
	*hdr_bad = r != 0;
	return 0;
}

/* Move buf[from .. len-1] to a new quarantine file (made durable by the rename that follows). */
static int
quarantine(struct tes_spooler *s, size_t from, uint64_t now, const char *dir, char *err, size_t cap)
{
	snprintf(s->info.quarantine, sizeof(s->info.quarantine), "spool.bad.%llu.%zu",
		 (unsigned long long)now, from);
	/*= spec/SPOOL.md#torn MUST-SP11: a malformed tail is kept in a quarantine file */
	if (tes_file_create(s->dfd, s->info.quarantine, s->buf + from, s->len - from, 0600) != 0)
		return fail(err, cap, TES_ERR_IO, "cannot keep the damaged end of %s/%s in %s", dir,
			    name_spool, s->info.quarantine);
	s->info.quarantined = s->len - from;
	return 0;
}

/* Whether compaction leaves record ri out (or turns it into a SEEN). */
static int
retired(const struct tes_spooler *s, size_t ri, uint64_t now)
{
	const struct tes_spooler_rec *x = &s->rec[ri];

	if (x->type == TES_SPOOL_ADD)
		return x->state == ST_RETIRED;
	if (x->type == TES_SPOOL_DONE)
		return x->state == ST_APPLIED;
	return x->state == ST_APPLIED && !window_open(rec_time(s, ri), now);
}

/* The SEEN that keeps the memory of the retired timeless ADD ri, at buf[out]; its size, 0 if none. */
static size_t
seen_of(struct tes_spooler *s, size_t ri, size_t out, uint64_t now)
{
	struct tes_spool_seen sn;
	uint8_t rec[2 + TES_SPOOL_SEEN_LEN];
	size_t used;

	if (!add_timeless(s, ri) || !window_open(rec_time(s, ri), now))
		return 0;
	memcpy(sn.digest, add_digest(s, ri), TES_SPOOL_DIGEST_LEN);
	memcpy(sn.id, rec_id(s, ri), TES_REPORT_ID_LEN);
	sn.observed = rec_time(s, ri);
	sn.first = tes_cur_dec64be(rec_bytes(s, ri) + 4 + rec_bytes(s, ri)[3]);
	if (tes_spool_seen_encode(s->device_key, &sn, rec, sizeof(rec), &used) != 0)
		return 0;
	/* a SEEN is smaller than the ADD it replaces: out + used stays below that ADD's end */
	memcpy(s->buf + out, rec, used);
	return used;
}

/*
 * Rewrite buf in place without the retired records (records only shrink or
 * go, so the write position never passes the read position).
 */
static void
compact(struct tes_spooler *s, uint64_t now)
{
	size_t i, out = TES_SPOOL_HDR_LEN, n;

	/*= spec/SPOOL.md#compaction MUST-SP12: pending and unusable records verbatim, SEEN for 24 hours */
	for (i = 0; i < s->nrec; i++) {
		if (!retired(s, i, now)) {
			memmove(s->buf + out, rec_bytes(s, i), s->rec[i].len);
			out += s->rec[i].len;
			continue;
		}
		s->info.dropped++;
		if (s->rec[i].type == TES_SPOOL_ADD && (n = seen_of(s, i, out, now)) > 0)
			out += n;
	}
	s->len = out;
}

/* Torn tail, malformed tail, retired records: write the file again if any, then index it again. */
static int
repair(struct tes_spooler *s, const char *dir, int hdr_bad, uint64_t now, char *err, size_t cap)
{
	size_t tail = 0, i;
	int kind = TAIL_BAD, need = hdr_bad, r;

	if (!hdr_bad && (r = scan(s, &tail, &kind)) != 0)
		return fail(err, cap, r, "%s/%s holds more than %d records", dir, name_spool,
			    TES_SPOOLER_RECS_MAX);
	if (kind == TAIL_BAD && s->len > tail && (r = quarantine(s, tail, now, dir, err, cap)) != 0)
		return r;
	if (kind == TAIL_TORN)
		s->info.torn = s->len - tail;
	need |= kind != TAIL_NONE;
	for (i = 0; i < s->nrec && !need; i++)
		need = retired(s, i, now);
	if (!need)
		return 0;
	if (hdr_bad) {
		tes_rng_bytes(s->salt, sizeof(s->salt));
		tes_spool_hdr_encode(s->salt, s->buf);
		s->len = TES_SPOOL_HDR_LEN;
		s->nrec = 0;
	} else {
		s->len = tail;
		compact(s, now);
	}
	if (tes_file_replace(s->dfd, name_new, name_spool, s->buf, s->len, 0600) != 0)
		return fail(err, cap, TES_ERR_IO, "cannot rewrite %s/%s", dir, name_spool);
	if ((r = scan(s, &tail, &kind)) != 0 || kind != TAIL_NONE)
		return fail(err, cap, TES_ERR_INTERNAL, "%s/%s: compaction left a bad record", dir,
			    name_spool);
	return 0;
}

/* The append descriptor, on the file just read (its size must be what was read). */
static int
open_append(struct tes_spooler *s, const char *dir, char *err, size_t cap)
{
	struct stat st;

	s->fd = openat(s->dfd, name_spool, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) != 0)
		return fail(err, cap, TES_ERR_IO, "cannot open %s/%s: %s", dir, name_spool, strerror(errno));
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != s->len)
		return fail(err, cap, TES_ERR_IO, "%s/%s changed while it was read", dir, name_spool);
	return 0;
}

/* The state every open starts from: nothing read, no descriptor, fresh table keys. */
static void
start(struct tes_spooler *s, int readonly, char *err, size_t cap)
{
	s->opened = 1;
	s->readonly = readonly;
	s->dfd = s->lfd = s->fd = -1;
	s->failed = 0;
	s->has_user = 0;
	s->user_len = 0;
	s->len = s->nrec = s->npending = s->first_added = 0;
	memset(&s->info, 0, sizeof(s->info));
	if (cap > 0)
		err[0] = '\0';
	tes_rng_bytes(s->hk, sizeof(s->hk));
	s->hk[0] |= 1;
	s->hk[1] |= 1;
}

/* see spooler.h */
int
tes_spooler_open(struct tes_spooler *s, const char *dir, const struct tes_rsa_priv *unit, uint64_t now,
		 char *err, size_t cap)
{
	int r, hdr_bad = 0;

	start(s, 0, err, cap);
	if ((r = derive_device(s, unit)) != 0) {
		fail(err, cap, r, "the unit key cannot key the spool");
		goto out;
	}
	if ((r = dir_open(s, dir, err, cap)) != 0 || (r = lock_take(s, dir, err, cap)) != 0 ||
	    (r = load(s, dir, &hdr_bad, err, cap)) != 0 ||
	    (r = repair(s, dir, hdr_bad, now, err, cap)) != 0 || (r = open_append(s, dir, err, cap)) != 0)
		goto out;
	s->first_added = s->nrec;
	r = 0;
out:
	if (r != 0)
		tes_spooler_close(s);
	return r;
}

/* see spooler.h */
int
tes_spooler_peek(struct tes_spooler *s, const char *dir, char *err, size_t cap)
{
	size_t tail = 0;
	int r, hdr_bad = 0, kind = TAIL_NONE;

	/*= spec/SPOOL.md#listing MUST-SP19: read-only: nothing is made, repaired, compacted or written */
	start(s, 1, err, cap);
	if ((r = dir_open(s, dir, err, cap)) != 0 || (r = lock_take(s, dir, err, cap)) != 0 ||
	    (r = load(s, dir, &hdr_bad, err, cap)) != 0)
		goto out;
	r = TES_ERR_FORMAT;
	if (hdr_bad) {
		fail(err, cap, r, "%s/%s does not start with a spool header; left as it is", dir, name_spool);
		goto out;
	}
	if ((r = scan(s, &tail, &kind)) != 0) {
		fail(err, cap, r, "%s/%s holds more than %d records", dir, name_spool, TES_SPOOLER_RECS_MAX);
		goto out;
	}
	s->info.unread = s->len - tail;
out:
	if (r != 0)
		tes_spooler_close(s);
	return r;
}

/* User */

/* see spooler.h */
int
tes_spooler_password(struct tes_spooler *s, const char *user, size_t user_len, const char *pw, size_t pwlen)
{
	static const uint8_t info_ctx[] = "spool user";
	uint8_t salt[TES_SPOOL_SALT_LEN + TES_SPOOL_USER_MAX], ikm[32 + sizeof(s->secret)];
	uint8_t info[USER_INFO_LEN + TES_SPOOL_USER_MAX];
	size_t i;
	int r;

	if (s->has_user || s->readonly)
		return TES_ERR_STATE;
	if (tes_field_name_valid(user, user_len) != 0)
		return TES_ERR_NAME;
	/*= spec/SPOOL.md#keys MUST-SP8: Argon2id of the password, salted with the spool and the user, and S */
	memcpy(salt, s->salt, TES_SPOOL_SALT_LEN);
	memcpy(salt + TES_SPOOL_SALT_LEN, user, user_len);
	if ((r = tes_passwd_derive(pw, pwlen, salt, TES_SPOOL_SALT_LEN + user_len, ikm)) != 0)
		goto out;
	memcpy(ikm + 32, s->secret, sizeof(s->secret));
	memcpy(info, info_ctx, USER_INFO_LEN);
	memcpy(info + USER_INFO_LEN, user, user_len);
	tes_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), info, USER_INFO_LEN + user_len, s->user_key,
			sizeof(s->user_key));
	s->has_user = 1;
	s->user_len = (uint8_t)user_len;
	memcpy(s->user, user, user_len);
	s->user[user_len] = '\0';
	for (i = 0; i < s->nrec; i++)
		if (s->rec[i].type == TES_SPOOL_ADD)
			s->rec[i].verdict = verdict_of(s, i);
out:
	TES_WIPE_BUF(ikm);
	/* S has given all its keys: the device's and id keys at open, this user's now */
	TES_WIPE_BUF(s->secret);
	return r;
}

/* Ids and time */

/* The latest record that remembers a timeless input with this digest (spec/SPOOL.md#ids), or -1. */
static long
memory_find(const struct tes_spooler *s, const uint8_t *digest, uint64_t now)
{
	uint32_t slot = PROBE_START;
	long ri, best = -1;
	const struct tes_spooler_rec *x;
	int ok;

	/*= spec/SPOOL.md#ids MUST-SP10: a pending ADD, or a SEEN or retired ADD less than 24 hours old */
	while ((ri = tbl_next(s, s->by_digest, digest, TES_SPOOL_DIGEST_LEN, 1, &slot)) >= 0) {
		x = &s->rec[ri];
		if (x->type == TES_SPOOL_SEEN)
			ok = x->state == ST_APPLIED && window_open(rec_time(s, ri), now);
		else
			ok = x->verdict != TES_SPOOLER_BAD &&
			     (x->state == ST_PENDING ||
			      (x->state == ST_RETIRED && window_open(rec_time(s, ri), now)));
		if (ok && ri > best)
			best = ri;
	}
	return best;
}

/* id = the first 16 bytes of HMAC(id key, the fields as written, the time included). */
static int
make_id(const struct tes_spooler *s, struct tes_report *r)
{
	uint8_t in[TES_SPOOL_ID_INPUT_MAX], mac[32];
	size_t n;
	int e;

	/*= spec/SPOOL.md#ids MUST-SP9: an id is keyed by the unit's secret, over the fields and the time */
	if ((e = tes_spool_id_input(r, 1, in, sizeof(in), &n)) != 0)
		return e;
	tes_hmac_sha256(s->id_key, sizeof(s->id_key), in, n, mac);
	memcpy(r->id, mac, TES_REPORT_ID_LEN);
	return 0;
}

/* Whether the same report already waits (it->pending), or another with its id (TES_ERR_EXISTS). */
static int
pending_check(const struct tes_spooler *s, struct tes_spooler_item *it)
{
	uint8_t mine[TES_REPORT_MAX];
	const uint8_t *rep;
	uint32_t slot = PROBE_START;
	size_t n;
	long ri;
	int r;

	if ((r = tes_msg_report_encode(&it->r, mine, sizeof(mine), &n)) != 0)
		return r;
	while ((ri = tbl_next(s, s->by_id, it->r.id, TES_REPORT_ID_LEN, 0, &slot)) >= 0) {
		/* an entry that does not verify takes no report's place */
		if (s->rec[ri].state != ST_PENDING || s->rec[ri].verdict == TES_SPOOLER_BAD)
			continue;
		rep = add_report(s, ri);
		if (tes_cur_dec16be(rep - 2) != n || memcmp(rep, mine, n) != 0)
			return TES_ERR_EXISTS;
		it->pending = s->rec[ri].verdict == TES_SPOOLER_MINE ? TES_SPOOLER_MINE : TES_SPOOLER_OTHER;
		return 0;
	}
	return 0;
}

/* see spooler.h */
int
tes_spooler_assign(struct tes_spooler *s, struct tes_spooler_item *it, uint64_t now)
{
	uint8_t in[TES_SPOOL_ID_INPUT_MAX];
	size_t n;
	long m;
	int r;

	if (!s->has_user)
		return TES_ERR_STATE;
	memcpy(it->r.unit_key, s->unit_key, TES_KEYID_LEN);
	it->timeless = !it->has_time;
	it->remembered = 0;
	it->pending = 0;
	memset(it->digest, 0, sizeof(it->digest));
	if (it->timeless) {
		if ((r = tes_spool_id_input(&it->r, 0, in, sizeof(in), &n)) != 0)
			return r;
		tes_hmac_sha256(s->id_key, sizeof(s->id_key), in, n, it->digest);
		if ((m = memory_find(s, it->digest, now)) >= 0) {
			it->r.time = rec_time(s, (size_t)m);
			if (!it->has_id)
				memcpy(it->r.id,
				       s->rec[m].type == TES_SPOOL_SEEN ? seen_id(s, (size_t)m)
									: rec_id(s, (size_t)m),
				       TES_REPORT_ID_LEN);
			it->remembered = 1;
		} else {
			it->r.time = now;
		}
	}
	if (!it->has_id && !it->remembered && (r = make_id(s, &it->r)) != 0)
		return r;
	return pending_check(s, it);
}

/* Appends */

/* Write the record at buf[len], n bytes, and index it. */
static int
append(struct tes_spooler *s, size_t n)
{
	struct tes_spool_rec rec = { .off = s->len, .len = n, .type = s->buf[s->len + 2] };

	if (s->readonly)
		return TES_ERR_STATE;
	if (s->failed)
		return TES_ERR_IO;
	/*= spec/SPOOL.md#durability MUST-SP13: one write on the O_APPEND descriptor; a failure stops every later one */
	if (tes_file_write_all(s->fd, s->buf + s->len, n) != 0) {
		s->failed = 1;
		return TES_ERR_IO;
	}
	index_rec(s, &rec);
	s->len += n;
	return 0;
}

/* Room for n more bytes and one more record, keeping enough for a DONE for every pending entry. */
static int
room(const struct tes_spooler *s, size_t n, size_t pending)
{
	return s->len + n + pending * (2 + TES_SPOOL_DONE_LEN) <= TES_SPOOLER_FILE_MAX &&
	       s->nrec + 1 + pending <= TES_SPOOLER_RECS_MAX;
}

/* see spooler.h */
int
tes_spooler_add(struct tes_spooler *s, const struct tes_spooler_item *it,
		const uint8_t sig[static TES_RSA_LEN], uint64_t now)
{
	struct tes_spool_add *a = &s->scratch;
	size_t used;
	int r;

	if (!s->has_user)
		return TES_ERR_STATE;
	if (it->pending != 0)
		return TES_ERR_EXISTS;
	if (memcmp(it->r.unit_key, s->unit_key, TES_KEYID_LEN) != 0)
		return TES_ERR_ARG;
	/*= spec/SPOOL.md#bounds MUST-SP15: a full spool refuses new entries, never a DONE */
	if (s->npending >= TES_SPOOLER_PENDING_MAX || !room(s, TES_SPOOL_REC_MAX, s->npending + 1))
		return TES_ERR_SPACE;
	memset(a, 0, sizeof(*a));
	a->user_len = s->user_len;
	memcpy(a->user, s->user, sizeof(a->user));
	a->spooled_at = now;
	a->timeless = it->timeless;
	memcpy(a->digest, it->digest, sizeof(a->digest));
	a->report = it->r;
	memcpy(a->sig, sig, TES_RSA_LEN);
	if ((r = tes_spool_add_encode(s->user_key, a, s->buf + s->len, TES_SPOOLER_FILE_MAX - s->len,
				      &used)) != 0)
		return r;
	if ((r = append(s, used)) != 0)
		return r;
	/* tagged under this user's key just now */
	s->rec[s->nrec - 1].verdict = TES_SPOOLER_MINE;
	return 0;
}

/* see spooler.h */
int
tes_spooler_sync(struct tes_spooler *s)
{
	if (s->readonly)
		return TES_ERR_STATE;
	if (s->failed)
		return TES_ERR_IO;
	/*= spec/SPOOL.md#durability MUST-SP13: durable before anything says spooled or is sent */
	if (tes_file_datasync(s->fd) != 0) {
		s->failed = 1;
		return TES_ERR_IO;
	}
	return 0;
}

/* Whether an entry with this id waits. */
static int
waits(const struct tes_spooler *s, const uint8_t *id)
{
	uint32_t slot = PROBE_START;
	long ri;

	while ((ri = tbl_next(s, s->by_id, id, TES_REPORT_ID_LEN, 0, &slot)) >= 0)
		if (s->rec[ri].state == ST_PENDING)
			return 1;
	return 0;
}

/* see spooler.h */
int
tes_spooler_retire(struct tes_spooler *s, const uint8_t id[static TES_REPORT_ID_LEN], uint8_t status,
		   uint64_t now)
{
	struct tes_spool_done d;
	size_t used;
	int r;

	if (!waits(s, id))
		return TES_ERR_NOTFOUND;
	if (s->nrec >= TES_SPOOLER_RECS_MAX)
		return TES_ERR_SPACE;
	memcpy(d.id, id, TES_REPORT_ID_LEN);
	d.status = status;
	d.at = now;
	if ((r = tes_spool_done_encode(s->device_key, &d, s->buf + s->len, TES_SPOOLER_FILE_MAX - s->len,
				       &used)) != 0)
		return r;
	return append(s, used);
}

/* see spooler.h */
int
tes_spooler_drop_added(struct tes_spooler *s, uint64_t now, size_t *n)
{
	uint8_t id[TES_REPORT_ID_LEN];
	size_t i, end = s->nrec;
	int r;

	*n = 0;
	for (i = s->first_added; i < end; i++) {
		if (s->rec[i].type != TES_SPOOL_ADD || s->rec[i].state != ST_PENDING)
			continue;
		memcpy(id, rec_id(s, i), sizeof(id));
		/*= spec/SPOOL.md#crash MUST-SP14: a report whose login was refused is not left spooled */
		if ((r = tes_spooler_retire(s, id, TES_SPOOL_DROPPED, now)) != 0)
			return r;
		(*n)++;
	}
	return tes_spooler_sync(s);
}

/* Listing */

/* see spooler.h */
int
tes_spooler_next(struct tes_spooler *s, size_t *pos, struct tes_spooler_entry *e)
{
	const struct tes_spooler_rec *x;
	size_t i;

	for (i = *pos; i < s->nrec; i++) {
		x = &s->rec[i];
		if (x->type != TES_SPOOL_ADD || (x->state != ST_PENDING && x->state != ST_UNUSABLE))
			continue;
		memset(e, 0, sizeof(*e));
		e->offset = x->off;
		e->verdict = x->state == ST_UNUSABLE ? TES_SPOOLER_BAD : x->verdict;
		e->decoded =
			x->state == ST_PENDING && tes_spool_add_decode(rec_bytes(s, i), x->len, &e->add) == 0;
		*pos = i + 1;
		return 0;
	}
	*pos = s->nrec;
	return TES_ERR_NOTFOUND;
}

/* see spooler.h */
size_t
tes_spooler_pending(const struct tes_spooler *s)
{
	return s->npending;
}

/* see spooler.h */
void
tes_spooler_line(const struct tes_spooler_entry *e, char *out, size_t cap)
{
	char hex[2 * TES_REPORT_ID_LEN + 1], when[32];
	const char *note = e->verdict == TES_SPOOLER_OTHER ? " (another user's)"
			   : e->verdict == TES_SPOOLER_BAD ? " (does not verify)"
							   : "";

	if (cap == 0)
		return;
	if (!e->decoded) {
		snprintf(out, cap, "? offset %zu: does not decode", e->offset);
		return;
	}
	tes_hex_encode(e->add.report.id, TES_REPORT_ID_LEN, hex);
	if (e->add.spooled_at <= time_printable)
		tes_time_format(e->add.spooled_at, when);
	else
		snprintf(when, sizeof(when), "%llu", (unsigned long long)e->add.spooled_at);
	snprintf(out, cap, "%s %s %s %s%s", hex, e->add.report.plate, e->add.user, when, note);
}

/* see spooler.h */
void
tes_spooler_close(struct tes_spooler *s)
{
	if (!s->opened)
		return;
	s->opened = 0;
	if (s->fd >= 0)
		close(s->fd);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->dfd >= 0)
		close(s->dfd);
	s->fd = s->lfd = s->dfd = -1;
	TES_WIPE_BUF(s->secret);
	TES_WIPE_BUF(s->device_key);
	TES_WIPE_BUF(s->id_key);
	TES_WIPE_BUF(s->user_key);
	TES_WIPE_BUF(s->hk);
	TES_WIPE_CTX(&s->scratch);
	tes_wipe(s->buf, s->len);
	s->len = s->nrec = s->npending = 0;
	s->has_user = 0;
}
