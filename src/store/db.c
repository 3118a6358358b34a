/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/hmac.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "store/db.h"
#include "store/drivers.h"
#include "store/seal.h"
#include "wire/penalty.h"
#include "wire/field.h"

#define NAME_LOCK "lock"
#define NAME_SKEY "storage.key"
#define NAME_SERVER "server.key"
#define NAME_JOURNAL "journal"
#define NAME_DRIVERS "drivers.enc"
#define NAME_DRIVERS_TMP "drivers.enc.tmp"

enum {
	TAB_MIN = 64,                    /* initial slots of a hash table (power of two) */
	TAB_MAX = 0x7fffffff,            /* entries of a hash table, so that its slots fit 32-bit tags */
	HKEY_LEN = 16,                   /* SipHash key */
	RBUF_LEN = TES_JOURNAL_MAC_LEN + TES_JOURNAL_REC_MAX,  /* previous mac + one record */
	SNAP_FILE_MAX = 1 << 30,         /* larger drivers.enc files are refused */
	CHAIN_THREADS_MAX = 8,           /* threads that check the journal's macs at open */
	CHAIN_PARTS = 64                 /* runs of records they share out */
};

/* Key bytes of entry i of an array (the table does not own the array). */
typedef const uint8_t *(*tab_keyfn)(const void *arr, size_t i, size_t *klen);

/*
 * Open-addressing hash table of array indexes, linear probing, load <= 1/2.
 * A slot is 0 when empty, else tag << 32 | (entry index + 1), where the tag
 * is the low 32 bits of the key's hash: probes skip other keys without
 * reading their entries, and growing needs no hashing (the home slot is
 * tag & (cap - 1), cap <= 2^32).
 */
struct tab {
	uint64_t *slot;
	size_t cap;                      /* power of two */
	size_t n;
	tab_keyfn key;
};

/*
 * A report in memory; its body and its decision's body stay in the journal
 * and are read back when the report is shown (spec/STORAGE.md#recovery).
 */
struct rep {
	uint8_t id[TES_REPORT_ID_LEN];
	uint64_t off;                    /* REPORT record */
	uint64_t doff;                   /* DECISION record, 0 while pending */
	uint32_t ptag;                   /* plate_tag() of its plate, 0 while unknown */
};

/* plate -> points */
struct dmap {
	struct tes_driver *v;
	size_t n, cap;
	struct tab t;
};

struct compact_job;
struct tag_job;

/* What drivers.enc says about the journal. */
struct snap {
	int present;
	uint64_t seq;
	uint8_t mac[TES_JOURNAL_MAC_LEN];
};

struct tes_db {
	char *dir;
	int dfd, lfd, jfd;
	int broken;                      /* a write or fsync failed: no more writes */
	struct tes_seal_keys jk, dk;
	struct tes_rsa_priv server;
	uint8_t hk[HKEY_LEN];
	uint8_t genesis[TES_JOURNAL_MAC_LEN];
	uint8_t head[TES_JOURNAL_MAC_LEN];  /* chain value of record seq */
	uint64_t seq;                    /* last record */
	uint64_t end;                    /* journal size */
	struct snap snap;
	size_t since;                    /* decisions after the snapshot */
	size_t pending;
	struct rep *reps;                /* index = number - 1 */
	size_t nrep, caprep;
	struct tab trep;
	struct tes_journal_unit *units;
	uint8_t (*unit_ids)[TES_KEYID_LEN];   /* key id of units[i], for handshake look-ups */
	uint8_t *unit_revoked;                /* units[i] was revoked (REVOKE record) */
	size_t nunit, capunit, capids, caprev;
	struct tab tunit;
	struct tes_journal_user *users;
	size_t nuser, capuser;
	struct tab tuser;
	struct dmap drv;
	struct compact_job *job;         /* drivers.enc being written in the background */
	struct tag_job *tags;            /* plate tags of the stored reports being read */
	uint64_t *evoff;                 /* DECISION and AUDIT records, in journal order */
	size_t nev, capev;
};

/* Memory */

static void *
xrealloc(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		n = SIZE_MAX;
	else
		n *= sz;
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL) {
		fprintf(stderr, "tes: out of memory\n");
		abort();
	}
	return p;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz);

	if (p == NULL) {
		fprintf(stderr, "tes: out of memory\n");
		abort();
	}
	return p;
}

/* Room for entry n of an array of *cap entries of sz bytes. */
static void *
grow(void *p, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return p;
	*cap = *cap == 0 ? 16 : *cap * 2;
	return xrealloc(p, *cap, sz);
}

/* SipHash-2-4: table hashes keyed per process, so crafted ids or plates cannot collide on purpose. */

static uint64_t
rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static void
sipround(uint64_t v[4])
{
	v[0] += v[1], v[1] = rotl(v[1], 13), v[1] ^= v[0], v[0] = rotl(v[0], 32);
	v[2] += v[3], v[3] = rotl(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = rotl(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = rotl(v[1], 17), v[1] ^= v[2], v[2] = rotl(v[2], 32);
}

static uint64_t
le64(const uint8_t *p, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = n; i > 0; i--)
		x = (x << 8) | p[i - 1];
	return x;
}

static uint64_t
siphash(const uint8_t k[HKEY_LEN], const uint8_t *m, size_t n)
{
	uint64_t k0 = le64(k, 8), k1 = le64(k + 8, 8), w, v[4];
	size_t i;

	v[0] = k0 ^ 0x736f6d6570736575ULL, v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL, v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= n; i += 8) {
		w = le64(m + i, 8);
		v[3] ^= w, sipround(v), sipround(v), v[0] ^= w;
	}
	w = ((uint64_t)n << 56) | le64(m + i, n - i);
	v[3] ^= w, sipround(v), sipround(v), v[0] ^= w;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Hash tables */

static void
tab_init(struct tab *t, tab_keyfn key)
{
	t->cap = TAB_MIN;
	t->n = 0;
	t->key = key;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
}

static uint32_t
tab_tag(const uint8_t hk[HKEY_LEN], const uint8_t *key, size_t klen)
{
	return (uint32_t)siphash(hk, key, klen);
}

/*
 * A report's plate in 32 bits (never 0): the plate history reads back only
 * the reports whose tag matches, instead of decrypting every report.
 */
static uint32_t
plate_tag(const uint8_t hk[HKEY_LEN], const char *plate, size_t len)
{
	return (uint32_t)siphash(hk, (const uint8_t *)plate, len) | 1U;
}

static size_t
slot_idx(uint64_t slot)
{
	return (size_t)(slot & 0xffffffffu);
}

/* Slot holding key (whose tag is tag), or the empty slot where it would go. */
static size_t
tab_pos(const struct tab *t, const void *arr, uint32_t tag, const uint8_t *key, size_t klen)
{
	size_t i = tag & (t->cap - 1), kl;
	const uint8_t *k;

	while (t->slot[i] != 0) {
		if ((uint32_t)(t->slot[i] >> 32) == tag) {
			k = t->key(arr, slot_idx(t->slot[i]) - 1, &kl);
			if (kl == klen && memcmp(k, key, klen) == 0)
				break;
		}
		i = (i + 1) & (t->cap - 1);
	}
	return i;
}

/* Index + 1 of the entry with key, 0 if none. */
static size_t
tab_get(const struct tab *t, const uint8_t hk[HKEY_LEN], const void *arr, const uint8_t *key, size_t klen)
{
	return slot_idx(t->slot[tab_pos(t, arr, tab_tag(hk, key, klen), key, klen)]);
}

/* Twice the slots; every entry goes to the first free slot from its home. */
static void
tab_grow(struct tab *t)
{
	uint64_t *old = t->slot;
	size_t ocap = t->cap, i, j;

	t->cap *= 2;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < ocap; i++) {
		if (old[i] == 0)
			continue;
		for (j = (size_t)(old[i] >> 32) & (t->cap - 1); t->slot[j] != 0; j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

/*
 * Index entry idx of arr under key, unless an entry has that key:
 * TES_ERR_EXISTS (nothing changes). Entry idx itself is not read.
 */
static int
tab_put_new(struct tab *t, const uint8_t hk[HKEY_LEN], const void *arr, const uint8_t *key, size_t klen,
	    size_t idx)
{
	uint32_t tag = tab_tag(hk, key, klen);
	size_t pos;

	if (t->n >= TAB_MAX || idx >= TAB_MAX) {
		fprintf(stderr, "tes: table full\n");
		abort();
	}
	if ((t->n + 1) * 2 > t->cap)
		tab_grow(t);
	if (t->slot[pos = tab_pos(t, arr, tag, key, klen)] != 0)
		return TES_ERR_EXISTS;
	t->slot[pos] = (uint64_t)tag << 32 | (idx + 1);
	t->n++;
	return 0;
}

/* Index entry idx of arr (its key must not be in the table yet). */
static void
tab_put(struct tab *t, const uint8_t hk[HKEY_LEN], const void *arr, size_t idx)
{
	const uint8_t *k;
	size_t kl;

	k = t->key(arr, idx, &kl);
	(void)tab_put_new(t, hk, arr, k, kl, idx);
}

/* Room for n entries in an empty table without growing it. */
static void
tab_reserve(struct tab *t, size_t n)
{
	size_t cap = t->cap;

	if (t->n != 0 || n > TAB_MAX)
		return;
	while (cap < 2 * n)
		cap *= 2;
	if (cap == t->cap)
		return;
	free(t->slot);
	t->cap = cap;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
}

static const uint8_t *
rep_key(const void *arr, size_t i, size_t *klen)
{
	*klen = TES_REPORT_ID_LEN;
	return ((const struct rep *)arr)[i].id;
}

static const uint8_t *
unit_key(const void *arr, size_t i, size_t *klen)
{
	const struct tes_journal_unit *u = (const struct tes_journal_unit *)arr + i;

	*klen = u->name_len;
	return (const uint8_t *)u->name;
}

static const uint8_t *
user_key(const void *arr, size_t i, size_t *klen)
{
	const struct tes_journal_user *u = (const struct tes_journal_user *)arr + i;

	*klen = u->name_len;
	return (const uint8_t *)u->name;
}

static const uint8_t *
drv_key(const void *arr, size_t i, size_t *klen)
{
	const struct tes_driver *d = (const struct tes_driver *)arr + i;

	*klen = d->plate_len;
	return (const uint8_t *)d->plate;
}

/* Driver totals */

static void
dmap_init(struct dmap *m)
{
	memset(m, 0, sizeof(*m));
	tab_init(&m->t, drv_key);
}

static void
dmap_free(struct dmap *m)
{
	if (m->v != NULL)
		tes_wipe(m->v, m->cap * sizeof(*m->v));
	free(m->v);
	free(m->t.slot);
	memset(m, 0, sizeof(*m));
}

/* Room for n plates in an empty map. */
static void
dmap_reserve(struct dmap *m, size_t n)
{
	if (m->n != 0 || n <= m->cap)
		return;
	m->v = xrealloc(m->v, n, sizeof(*m->v));
	m->cap = n;
	tab_reserve(&m->t, n);
}

static uint32_t
dmap_get(const struct dmap *m, const uint8_t hk[HKEY_LEN], const char *plate, size_t len)
{
	size_t i = tab_get(&m->t, hk, m->v, (const uint8_t *)plate, len);

	return i == 0 ? 0 : m->v[i - 1].points;
}

/* Add pts to a plate (saturating); plates only appear once they have points. */
static void
dmap_add(struct dmap *m, const uint8_t hk[HKEY_LEN], const char *plate, uint8_t len, uint32_t pts)
{
	struct tes_driver *d;
	size_t i;

	if (pts == 0 || len > TES_PLATE_MAX)
		return;
	if ((i = tab_get(&m->t, hk, m->v, (const uint8_t *)plate, len)) == 0) {
		m->v = grow(m->v, &m->cap, m->n, sizeof(*m->v));
		d = &m->v[m->n];
		memset(d, 0, sizeof(*d));
		memcpy(d->plate, plate, len);
		d->plate_len = len;
		tab_put(&m->t, hk, m->v, m->n);
		i = ++m->n;
	}
	d = &m->v[i - 1];
	d->points = pts > UINT32_MAX - d->points ? UINT32_MAX : d->points + pts;
}

/* A plate not in the map yet, with pts > 0 points (one table probe); TES_ERR_EXISTS. */
static int
dmap_put_new(struct dmap *m, const uint8_t hk[HKEY_LEN], const struct tes_driver *d)
{
	if (d->plate_len > TES_PLATE_MAX || d->points == 0)
		return TES_ERR_ARG;
	if (tab_put_new(&m->t, hk, m->v, (const uint8_t *)d->plate, d->plate_len, m->n) != 0)
		return TES_ERR_EXISTS;
	m->v = grow(m->v, &m->cap, m->n, sizeof(*m->v));
	m->v[m->n++] = *d;
	return 0;
}

/* Same plates with the same points (plates are unique in each map, so one direction and the counts suffice). */
static int
dmap_equal(const struct dmap *a, const struct dmap *b, const uint8_t hk[HKEY_LEN])
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (dmap_get(b, hk, a->v[i].plate, a->v[i].plate_len) != a->v[i].points)
			return 0;
	return 1;
}

static int
drv_cmp(const void *a, const void *b)
{
	const struct tes_driver *x = a, *y = b;

	return tes_drivers_plate_cmp(x->plate, x->plate_len, y->plate, y->plate_len);
}

/* A copy of the entries in plate order; the caller wipes and frees it. */
static struct tes_driver *
dmap_sorted(const struct dmap *m)
{
	struct tes_driver *v = xrealloc(NULL, m->n, sizeof(*v));

	if (m->n > 0) {
		memcpy(v, m->v, m->n * sizeof(*v));
		qsort(v, m->n, sizeof(*v), drv_cmp);
	}
	return v;
}

/* Files */

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return TES_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Exactly n bytes from the current position. */
static int
read_all(int fd, uint8_t *p, size_t n)
{
	ssize_t got;

	while (n > 0) {
		if ((got = read(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return TES_ERR_IO;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Up to n bytes at off; *got is short only at the end of the file. */
static int
pread_all(int fd, uint8_t *p, size_t n, uint64_t off, size_t *got)
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		r = pread(fd, p + *got, n - *got, (off_t)(off + *got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return TES_ERR_IO;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/* A new file (never an existing one) with mode 0600, written and fsynced. */
static int
file_create(int dfd, const char *name, const uint8_t *p, size_t n)
{
	int fd, r = TES_ERR_INTERNAL;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? TES_ERR_EXISTS : TES_ERR_IO;
	if ((r = write_all(fd, p, n)) != 0 || fsync(fd) != 0)
		r = TES_ERR_IO;
	if (close(fd) != 0)
		r = TES_ERR_IO;
	if (r != 0)
		(void)unlinkat(dfd, name, 0);
	return r;
}

/* Replace drivers.enc: temporary file, fsync, rename, fsync of the directory. */
static int
file_replace(int dfd, const uint8_t *p, size_t n)
{
	int fd, r = TES_ERR_INTERNAL;

	fd = openat(dfd, NAME_DRIVERS_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return TES_ERR_IO;
	if (fchmod(fd, 0600) != 0 || (r = write_all(fd, p, n)) != 0 || fsync(fd) != 0)
		r = TES_ERR_IO;
	if (close(fd) != 0)
		r = TES_ERR_IO;
	if (r == 0 && renameat(dfd, NAME_DRIVERS_TMP, dfd, NAME_DRIVERS) != 0)
		r = TES_ERR_IO;
	if (r != 0) {
		(void)unlinkat(dfd, NAME_DRIVERS_TMP, 0);
		return r;
	}
	return fsync(dfd) == 0 ? 0 : TES_ERR_IO;
}

/* A whole small file into a new buffer; TES_ERR_NOTFOUND if it does not exist. */
static int
file_slurp(int dfd, const char *name, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	int fd, r = TES_ERR_INTERNAL;

	*out = NULL;
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		r = TES_ERR_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		r = TES_ERR_TOOLONG;
		goto out;
	}
	*len = (size_t)st.st_size;
	*out = xrealloc(NULL, *len, 1);
	if ((r = read_all(fd, *out, *len)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0) {
		free(*out);
		*out = NULL;
	}
	close(fd);
	return r;
}

static int
path_join(char out[PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= PATH_MAX ? TES_ERR_ARG : 0;
}

/* Lock file */

static int
lock_take(int dfd, int *lfd)
{
	*lfd = openat(dfd, NAME_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*lfd < 0)
		return TES_ERR_IO;
	/*= spec/STORAGE.md#directory MUST-D3 */
	if (flock(*lfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? TES_ERR_LOCKED : TES_ERR_IO;
}

/* Create */

/* Open dir, making it (mode 0700) if needed. */
static int
dir_make(const char *dir, int *dfd)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return TES_ERR_IO;
	if ((*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return TES_ERR_IO;
	return 0;
}

/* TES_ERR_EXISTS if dir holds anything but the lock file. */
static int
dir_empty(int dfd)
{
	struct dirent *e;
	int fd, r = 0;
	DIR *d;

	if ((fd = dup(dfd)) < 0)
		return TES_ERR_IO;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return TES_ERR_IO;
	}
	while (r == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, NAME_LOCK) != 0)
			r = TES_ERR_EXISTS;
	closedir(d);
	return r;
}

/* fsync the directory that holds dir, so that a new dir's entry is durable. */
static int
dir_sync_parent(const char *dir)
{
	char parent[PATH_MAX], *slash;
	int fd, r;

	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent))
		return TES_ERR_ARG;
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' && slash != parent)
		*slash = '\0';
	if ((slash = strrchr(parent, '/')) == NULL)
		snprintf(parent, sizeof(parent), ".");
	else
		slash[slash == parent ? 1 : 0] = '\0';
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return TES_ERR_IO;
	r = fsync(fd) == 0 ? 0 : TES_ERR_IO;
	close(fd);
	return r;
}

static int
create_server_key(const char *dir)
{
	struct tes_rsa_priv k;
	char path[PATH_MAX];
	int r = TES_ERR_INTERNAL;

	memset(&k, 0, sizeof(k));
	if ((r = path_join(path, dir, NAME_SERVER)) != 0 ||
	    (r = tes_rsa_generate(&k)) != 0 ||
	    (r = tes_keyfile_save_private(&k, path)) != 0)
		goto out;
	r = 0;
out:
	TES_WIPE_CTX(&k);
	return r;
}

/* The store files, journal last: a store is initialised once its journal exists. */
static int
create_files(const char *dir, int dfd)
{
	uint8_t sk[TES_STORE_KEY_LEN], fhdr[TES_JOURNAL_FILE_HDR_LEN];
	int r = TES_ERR_INTERNAL;

	if ((r = tes_rng_init()) != 0)
		goto out;
	tes_rng_bytes(sk, sizeof(sk));
	if ((r = file_create(dfd, NAME_SKEY, sk, sizeof(sk))) != 0)
		goto out;
	if ((r = create_server_key(dir)) != 0)
		goto out;
	tes_journal_file_hdr_encode(fhdr, (uint64_t)time(NULL));
	if ((r = file_create(dfd, NAME_JOURNAL, fhdr, sizeof(fhdr))) != 0)
		goto out;
	r = fsync(dfd) == 0 ? 0 : TES_ERR_IO;
out:
	TES_WIPE_BUF(sk);
	return r;
}

/* see db.h */
int
tes_db_create(const char *dir)
{
	int dfd = -1, lfd = -1, r = TES_ERR_INTERNAL;

	if ((r = dir_make(dir, &dfd)) != 0 ||
	    (r = lock_take(dfd, &lfd)) != 0 ||
	    (r = dir_empty(dfd)) != 0)
		goto out;
	if (fchmod(dfd, 0700) != 0 || (r = dir_sync_parent(dir)) != 0) {
		r = r != 0 ? r : TES_ERR_IO;
		goto out;
	}
	if ((r = create_files(dir, dfd)) != 0) {
		(void)unlinkat(dfd, NAME_JOURNAL, 0);
		(void)unlinkat(dfd, NAME_SERVER, 0);
		(void)unlinkat(dfd, NAME_SKEY, 0);
		goto out;
	}
	r = 0;
out:
	if (lfd >= 0)
		close(lfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/* Open */

static struct tes_db *
db_new(const char *dir)
{
	struct tes_db *db = xcalloc(1, sizeof(*db));

	db->dir = strdup(dir);
	if (db->dir == NULL) {
		fprintf(stderr, "tes: out of memory\n");
		abort();
	}
	db->dfd = db->lfd = db->jfd = -1;
	tab_init(&db->trep, rep_key);
	tab_init(&db->tunit, unit_key);
	tab_init(&db->tuser, user_key);
	dmap_init(&db->drv);
	return db;
}

static void
db_free(struct tes_db *db)
{
	if (db == NULL)
		return;
	if (db->jfd >= 0)
		close(db->jfd);
	if (db->lfd >= 0)
		close(db->lfd);
	if (db->dfd >= 0)
		close(db->dfd);
	if (db->users != NULL)
		tes_wipe(db->users, db->capuser * sizeof(*db->users));
	free(db->users);
	free(db->units);
	free(db->unit_ids);
	free(db->unit_revoked);
	free(db->reps);
	free(db->evoff);
	free(db->trep.slot);
	free(db->tunit.slot);
	free(db->tuser.slot);
	dmap_free(&db->drv);
	free(db->dir);
	tes_wipe(db, sizeof(*db));
	free(db);
}

/* storage.key: a regular 32-byte file that only its owner can access. */
static int
keys_load(struct tes_db *db)
{
	uint8_t sk[TES_STORE_KEY_LEN];
	struct stat st;
	int fd, r = TES_ERR_INTERNAL;

	if ((fd = openat(db->dfd, NAME_SKEY, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	/*= spec/STORAGE.md#directory MUST-D2 */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
	    st.st_size != TES_STORE_KEY_LEN) {
		r = TES_ERR_KEY;
		goto out;
	}
	if ((r = read_all(fd, sk, sizeof(sk))) != 0)
		goto out;
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, &db->jk);
	tes_seal_keys_derive(sk, TES_SEAL_DRIVERS, &db->dk);
	r = 0;
out:
	TES_WIPE_BUF(sk);
	close(fd);
	return r;
}

static int
server_load(struct tes_db *db)
{
	char path[PATH_MAX];
	int r;

	if ((r = path_join(path, db->dir, NAME_SERVER)) != 0)
		return r;
	r = tes_keyfile_load_private(&db->server, path);
	return r == TES_ERR_ARG ? TES_ERR_KEY : r;
}

/* Load drivers.enc (if any) into m; any failure of the file is TES_ERR_CORRUPT. */
static int
snap_load(struct tes_db *db, struct dmap *m, struct snap *s)
{
	struct tes_drivers_hdr h;
	struct tes_driver *v = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, i;
	int r = TES_ERR_INTERNAL;

	memset(s, 0, sizeof(*s));
	if ((r = file_slurp(db->dfd, NAME_DRIVERS, SNAP_FILE_MAX, &buf, &len)) != 0) {
		r = r == TES_ERR_NOTFOUND ? 0 : r == TES_ERR_IO ? r : TES_ERR_CORRUPT;
		goto out;
	}
	if (tes_drivers_hdr_decode(&db->dk, buf, len, &h) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	v = xrealloc(NULL, h.count, sizeof(*v));
	if (tes_drivers_decode(&db->dk, buf, len, &h, v, h.count) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	dmap_reserve(m, h.count);
	/* plates are unique (MUST-S2); a plate without points adds nothing, as in dmap_add() */
	for (i = 0; i < h.count; i++)
		if (v[i].points != 0 && dmap_put_new(m, db->hk, &v[i]) != 0) {
			r = TES_ERR_CORRUPT;
			goto out;
		}
	s->present = 1;
	s->seq = h.journal_seq;
	memcpy(s->mac, h.mac_at_seq, sizeof(s->mac));
	r = 0;
out:
	if (v != NULL)
		tes_wipe(v, (size_t)h.count * sizeof(*v));
	if (buf != NULL)
		tes_wipe(buf, len);
	free(v);
	free(buf);
	return r;
}

static int
journal_open(struct tes_db *db)
{
	db->jfd = openat(db->dfd, NAME_JOURNAL, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (db->jfd < 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	return 0;
}

/* Records */

/* The chain value before the record at off, inside a map of the whole file. */
static const uint8_t *
prev_in(const struct tes_db *db, const uint8_t *map, uint64_t off)
{
	return off == TES_JOURNAL_FILE_HDR_LEN ? db->genesis : map + off - TES_JOURNAL_MAC_LEN;
}

/* Record len bytes long and with seq is now the last one. */
static void
chain_advance(struct tes_db *db, const uint8_t *rec, size_t len, uint64_t seq)
{
	memcpy(db->head, rec + len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
	db->seq = seq;
	db->end += len;
}

/* Check and decrypt a record that must have type and (unless NULL) key. */
static int
rec_open(const struct tes_db *db, const uint8_t *prev, const uint8_t *p, size_t n, uint8_t type,
	 const uint8_t *key, uint8_t plain[static TES_JOURNAL_CT_MAX], size_t *len)
{
	struct tes_journal_hdr h;

	if (tes_journal_open_rec(&db->jk, prev, p, n, &h, plain, TES_JOURNAL_CT_MAX, len) != 0 ||
	    h.type != type || (key != NULL && memcmp(h.key, key, TES_JOURNAL_KEY_LEN) != 0))
		return TES_ERR_CORRUPT;
	return 0;
}

/* Read the record at off and the chain value before it. */
static int
rec_pread(const struct tes_db *db, uint64_t off, uint8_t buf[static RBUF_LEN], const uint8_t **prev,
	  const uint8_t **p, size_t *n)
{
	int first = off == TES_JOURNAL_FILE_HDR_LEN;
	size_t got;

	if (off < TES_JOURNAL_FILE_HDR_LEN)
		return TES_ERR_INTERNAL;
	if (pread_all(db->jfd, buf, RBUF_LEN, first ? off : off - TES_JOURNAL_MAC_LEN, &got) != 0)
		return TES_ERR_IO;
	if (first) {
		*prev = db->genesis, *p = buf, *n = got;
		return 0;
	}
	if (got < TES_JOURNAL_MAC_LEN)
		return TES_ERR_CORRUPT;
	*prev = buf, *p = buf + TES_JOURNAL_MAC_LEN, *n = got - TES_JOURNAL_MAC_LEN;
	return 0;
}

/* The REPORT record of report number (entry rp) from its bytes. */
static int
report_decode_at(const struct tes_db *db, const uint8_t *prev, const uint8_t *p, size_t n,
		 const struct rep *rp, uint64_t number, struct tes_journal_report *m)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	size_t len;
	int r;

	if ((r = rec_open(db, prev, p, n, TES_JREC_REPORT, rp->id, plain, &len)) == 0 &&
	    (tes_journal_report_decode(plain, len, m) != 0 || m->number != number ||
	     memcmp(m->r.id, rp->id, TES_REPORT_ID_LEN) != 0))
		r = TES_ERR_CORRUPT;
	TES_WIPE_BUF(plain);
	return r;
}

/* Report number read back from the file. */
static int
report_read(const struct tes_db *db, uint64_t number, struct tes_journal_report *m)
{
	const struct rep *rp = &db->reps[number - 1];
	const uint8_t *prev, *p;
	uint8_t buf[RBUF_LEN];
	size_t n;
	int r;

	if ((r = rec_pread(db, rp->off, buf, &prev, &p, &n)) != 0)
		return r;
	return report_decode_at(db, prev, p, n, rp, number, m);
}

static uint8_t
verdict_status(uint8_t verdict)
{
	return verdict == TES_VERDICT_APPROVE ? TES_STATUS_APPROVED : TES_STATUS_REJECTED;
}

/*
 * The DECISION record of a decided report, read back from the file: mac
 * against the 32 bytes before it, type and key, then every rule of MUST-B4
 * that needs the body (its id, and an approval's points against the speed
 * of the report rep). The replay checks these only for decisions after the
 * snapshot, so this is where a decision the snapshot covers is checked.
 */
static int
decision_read(const struct tes_db *db, const struct rep *rp, const struct tes_report *rep,
	      struct tes_journal_decision *d)
{
	uint8_t buf[RBUF_LEN], plain[TES_JOURNAL_CT_MAX];
	const uint8_t *prev, *p;
	size_t n, len;
	int r;

	if ((r = rec_pread(db, rp->doff, buf, &prev, &p, &n)) != 0 ||
	    (r = rec_open(db, prev, p, n, TES_JREC_DECISION, rp->id, plain, &len)) != 0)
		goto out;
	/*= spec/STORAGE.md#bodies MUST-B4 */
	if (tes_journal_decision_decode(plain, len, d) != 0 || memcmp(d->id, rp->id, TES_REPORT_ID_LEN) != 0 ||
	    (d->verdict == TES_VERDICT_APPROVE && d->points != tes_penalty_points(rep->speed)))
		r = TES_ERR_CORRUPT;
out:
	TES_WIPE_BUF(plain);
	return r;
}

static size_t
rep_find(const struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN])
{
	return tab_get(&db->trep, db->hk, db->reps, id, TES_REPORT_ID_LEN);
}

static void
rep_insert(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], uint64_t off)
{
	struct rep *x;

	db->reps = grow(db->reps, &db->caprep, db->nrep, sizeof(*db->reps));
	x = &db->reps[db->nrep];
	memset(x, 0, sizeof(*x));
	memcpy(x->id, id, TES_REPORT_ID_LEN);
	x->off = off;
	tab_put(&db->trep, db->hk, db->reps, db->nrep);
	db->nrep++;
	db->pending++;
}

/* rep_insert() of an id not stored yet, with one table probe; TES_ERR_CORRUPT for a stored one. */
static int
rep_insert_new(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], uint64_t off)
{
	struct rep *x;

	if (tab_put_new(&db->trep, db->hk, db->reps, id, TES_REPORT_ID_LEN, db->nrep) != 0)
		return TES_ERR_CORRUPT;
	db->reps = grow(db->reps, &db->caprep, db->nrep, sizeof(*db->reps));
	x = &db->reps[db->nrep++];
	memset(x, 0, sizeof(*x));
	memcpy(x->id, id, TES_REPORT_ID_LEN);
	x->off = off;
	db->pending++;
	return 0;
}

static size_t
unit_find(const struct tes_db *db, const char *name, size_t len)
{
	return tab_get(&db->tunit, db->hk, db->units, (const uint8_t *)name, len);
}

static void
unit_insert(struct tes_db *db, const struct tes_journal_unit *u)
{
	db->units = grow(db->units, &db->capunit, db->nunit, sizeof(*db->units));
	db->unit_ids = grow(db->unit_ids, &db->capids, db->nunit, sizeof(*db->unit_ids));
	db->unit_revoked = grow(db->unit_revoked, &db->caprev, db->nunit, sizeof(*db->unit_revoked));
	db->unit_revoked[db->nunit] = 0;
	db->units[db->nunit] = *u;
	tes_rsa_keyid(&u->pub, db->unit_ids[db->nunit]);
	tab_put(&db->tunit, db->hk, db->units, db->nunit);
	db->nunit++;
}

static size_t
user_find(const struct tes_db *db, const char *name, size_t len)
{
	return tab_get(&db->tuser, db->hk, db->users, (const uint8_t *)name, len);
}

static void
user_insert(struct tes_db *db, const struct tes_journal_user *u)
{
	db->users = grow(db->users, &db->capuser, db->nuser, sizeof(*db->users));
	db->users[db->nuser] = *u;
	tab_put(&db->tuser, db->hk, db->users, db->nuser);
	db->nuser++;
}

/* A pending report gets its decision, the record at off. */
static void
decision_apply(struct tes_db *db, struct rep *x, uint64_t off)
{
	x->doff = off;
	db->pending--;
}

/* A DECISION or AUDIT record at off, for tes_db_event_at. */
static void
event_note(struct tes_db *db, uint64_t off)
{
	db->evoff = grow(db->evoff, &db->capev, db->nev, sizeof(*db->evoff));
	db->evoff[db->nev++] = off;
}

/* Replay */

/*
 * Decrypt the record at p whose header and mac replay_rec() has just
 * checked (MUST-J6 holds): the same result as rec_open() without a second
 * mac pass, which cost a tenth of the start-up time of a large journal.
 */
static int
rec_decrypt_checked(const struct tes_db *db, const uint8_t *p, const struct tes_journal_hdr *h,
		    uint8_t plain[static TES_JOURNAL_CT_MAX], size_t *len)
{
	size_t ct = h->total_len - TES_JOURNAL_OVERHEAD;

	if (h->total_len < TES_JOURNAL_REC_MIN || ct > TES_JOURNAL_CT_MAX || ct % TES_DES_BLOCK != 0)
		return TES_ERR_CORRUPT;
	memcpy(plain, p + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN, ct);
	tes_seal_decrypt(&db->jk, p + TES_JOURNAL_HDR_LEN, plain, ct);
	if (tes_seal_unpad(plain, ct, len) != 0) {
		tes_wipe(plain, ct);
		return TES_ERR_CORRUPT;
	}
	return 0;
}

static int
replay_unit(struct tes_db *db, const uint8_t *plain, size_t len)
{
	struct tes_journal_unit u;

	if (tes_journal_unit_decode(plain, len, &u) != 0 || unit_find(db, u.name, u.name_len) != 0)
		return TES_ERR_CORRUPT;
	unit_insert(db, &u);
	return 0;
}

/* A REVOKE names a registered, not yet revoked unit; anything else is damage. */
static int
replay_revoke(struct tes_db *db, const uint8_t *plain, size_t len)
{
	char name[TES_NAME_MAX + 1];
	uint8_t n;
	size_t i;

	if (tes_journal_revoke_decode(plain, len, name, &n) != 0 || (i = unit_find(db, name, n)) == 0 ||
	    db->unit_revoked[i - 1])
		return TES_ERR_CORRUPT;
	db->unit_revoked[i - 1] = 1;
	return 0;
}

static int
replay_user(struct tes_db *db, const uint8_t *plain, size_t len)
{
	struct tes_journal_user u;
	int r = TES_ERR_CORRUPT;

	if (tes_journal_user_decode(plain, len, &u) != 0 || user_find(db, u.name, u.name_len) != 0)
		goto out;
	user_insert(db, &u);
	r = 0;
out:
	TES_WIPE_CTX(&u);
	return r;
}

/*
 * A decision after the snapshot (or with no snapshot): decrypted, checked
 * against its report (decrypted for its speed and plate), and its points
 * added to the plate.
 */
static int
replay_decision_body(struct tes_db *db, const uint8_t *map, size_t size, const struct tes_journal_hdr *h,
		     uint64_t off, struct rep *x, size_t num)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	struct tes_journal_decision d;
	struct tes_journal_report m;
	size_t len;
	int r = TES_ERR_CORRUPT;

	if (rec_decrypt_checked(db, map + off, h, plain, &len) != 0 ||
	    tes_journal_decision_decode(plain, len, &d) != 0 || memcmp(d.id, h->key, TES_REPORT_ID_LEN) != 0 ||
	    report_decode_at(db, prev_in(db, map, x->off), map + x->off, size - x->off, x, num, &m) != 0)
		goto out;
	/*= spec/STORAGE.md#bodies MUST-B4: points from the speed */
	if (d.verdict == TES_VERDICT_APPROVE && d.points != tes_penalty_points(m.r.speed))
		goto out;
	if (d.verdict == TES_VERDICT_APPROVE)
		dmap_add(&db->drv, db->hk, m.r.plate, m.r.plate_len, d.points);
	x->ptag = plate_tag(db->hk, m.r.plate, m.r.plate_len);
	db->since++;
	r = 0;
out:
	TES_WIPE_BUF(plain);
	return r;
}

/*
 * A decision: the report its clear key names must be stored earlier and
 * pending (exactly one decision per report). A decision the snapshot covers
 * is not decrypted: its points are in the snapshot's totals, and its body is
 * checked when its report is read back (decision_read) and by verify.
 */
static int
replay_decision(struct tes_db *db, const uint8_t *map, size_t size, const struct tes_journal_hdr *h,
		uint64_t off)
{
	struct rep *x;
	size_t num;

	/*= spec/STORAGE.md#recovery: exactly one DECISION per earlier REPORT, from the clear key */
	if ((num = rep_find(db, h->key)) == 0)
		return TES_ERR_CORRUPT;
	x = &db->reps[num - 1];
	if (x->doff != 0)
		return TES_ERR_CORRUPT;
	if (h->seq > db->snap.seq && replay_decision_body(db, map, size, h, off, x, num) != 0)
		return TES_ERR_CORRUPT;
	decision_apply(db, x, off);
	return 0;
}

/* Index one authentic record; any inconsistency is TES_ERR_CORRUPT. */
static int
replay_apply(struct tes_db *db, const uint8_t *map, size_t size, uint64_t off, const struct tes_journal_hdr *h)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	size_t len;
	int r = TES_ERR_CORRUPT;

	if (h->type == TES_JREC_REPORT)
		return rep_insert_new(db, h->key, off);
	if (h->type == TES_JREC_AUDIT || h->type == TES_JREC_DECISION)
		event_note(db, off);
	if (h->type == TES_JREC_AUDIT)
		return 0;
	if (h->type == TES_JREC_DECISION)
		return replay_decision(db, map, size, h, off);
	if (rec_decrypt_checked(db, map + off, h, plain, &len) != 0)
		goto out;
	if (h->type == TES_JREC_UNIT)
		r = replay_unit(db, plain, len);
	else if (h->type == TES_JREC_REVOKE)
		r = replay_revoke(db, plain, len);
	else if (h->type == TES_JREC_USER)
		r = replay_user(db, plain, len);
out:
	TES_WIPE_BUF(plain);
	return r;
}

/*
 * Apply the record at db->end, whose header and mac the chain check has
 * verified (MUST-J2..J6 hold): a sequence gap, an authentic record that
 * makes no sense or a snapshot mismatch is TES_ERR_CORRUPT.
 */
static int
replay_rec(struct tes_db *db, const uint8_t *map, size_t size)
{
	uint64_t off = db->end;
	struct tes_journal_hdr h;

	if (tes_journal_hdr_decode(map + off, size - off, &h) != 0 || h.total_len > size - off)
		return TES_ERR_CORRUPT;
	/*= spec/STORAGE.md#journal MUST-J4: contiguous seq */
	if (h.seq != db->seq + 1 || replay_apply(db, map, size, off, &h) != 0)
		return TES_ERR_CORRUPT;
	chain_advance(db, map + off, h.total_len, h.seq);
	if (db->snap.present && db->snap.seq == db->seq &&
	    tes_ct_eq(db->head, db->snap.mac, TES_JOURNAL_MAC_LEN) != 0)
		return TES_ERR_CORRUPT;
	return 0;
}

/*
 * Whether the n bytes left at a failed record look like a torn append:
 * fewer than a header, a record that claims to reach the end of the file
 * (incomplete, or complete and last), or zeros the file system left after a
 * crash.
 */
static int
torn_shape(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < TES_JOURNAL_HDR_LEN || tes_cur_dec32be(p) >= n)
		return 1;
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*
 * Whether an authentic record starts anywhere after the failed one at off
 * (records are 8-byte aligned): then the failure is damage, not a torn
 * append, whatever its length field says.
 */
static int
authentic_after(const struct tes_db *db, const uint8_t *map, size_t size, uint64_t off)
{
	struct tes_journal_hdr h;
	uint64_t q;

	for (q = off + TES_DES_BLOCK; q + TES_JOURNAL_REC_MIN <= size; q += TES_DES_BLOCK)
		if (q >= TES_JOURNAL_MAC_LEN &&
		    tes_journal_check(&db->jk, map + q - TES_JOURNAL_MAC_LEN, map + q, size - q, &h) == 0)
			return 1;
	return 0;
}

static int
cut_tail(struct tes_db *db, size_t size, int why)
{
	fprintf(stderr, "tes: warning: journal: dropping %llu bytes of a torn record after seq %llu (%s)\n",
		(unsigned long long)(size - db->end), (unsigned long long)db->seq, tes_err_str(why));
	if (ftruncate(db->jfd, (off_t)db->end) != 0 || fsync(db->jfd) != 0)
		return TES_ERR_IO;
	return 0;
}

/* File header and genesis. */
static int
replay_start(struct tes_db *db, const uint8_t *map, size_t size)
{
	uint64_t created;

	if (tes_journal_file_hdr_decode(map, size, &created) != 0)
		return TES_ERR_CORRUPT;
	tes_journal_genesis(&db->jk, map, db->genesis);
	memcpy(db->head, db->genesis, sizeof(db->head));
	db->seq = 0;
	db->end = TES_JOURNAL_FILE_HDR_LEN;
	return 0;
}

/*
 * The chain check (spec/STORAGE.md#recovery): each record's header and mac
 * against the 32 bytes stored before it (the genesis value for the first).
 * Record n's mac covers the stored mac of record n - 1, so records that
 * pass one by one form the same chain as a sequential walk, and runs of
 * records can be checked on several cores at once. A first walk over the
 * clear headers cuts the journal into CHAIN_PARTS runs; threads take the
 * next unchecked run until none is left, so a thread that gets less CPU
 * (the cores are shared) checks fewer runs.
 */
struct chain_part {
	uint64_t from, to;               /* record boundaries found by chain_walk() */
	uint64_t bad;                    /* the first record that fails, or to */
	int r;                           /* its tes_journal_check() error, 0 if none */
};

struct chain {
	const struct tes_db *db;
	const uint8_t *map;
	size_t size;
	struct tes_hmac_key mk;          /* the journal mac key, made ready once */
	struct chain_part part[CHAIN_PARTS];
	size_t nparts;
	uint64_t limit;                  /* where the header walk stopped */
	size_t nreports;                 /* REPORT headers before limit */
	atomic_size_t next;              /* the next run to check */
};

/*
 * tes_journal_check() of the record at p under the ready mac key: the same
 * checks in the same order (the header by tes_journal_hdr_decode, all
 * total_len bytes present, the mac compared in constant time), with two
 * SHA-256 blocks fewer per record than keying the HMAC each time.
 */
static int
chain_rec_check(const struct tes_hmac_key *mk, const uint8_t prev[static TES_JOURNAL_MAC_LEN], const uint8_t *p,
		size_t n, struct tes_journal_hdr *h)
{
	uint8_t mac[TES_JOURNAL_MAC_LEN];
	struct tes_hmac c;
	int r;

	if ((r = tes_journal_hdr_decode(p, n, h)) != 0)
		return r;
	if (n < h->total_len)
		return TES_ERR_TRUNCATED;
	tes_hmac_init_ready(&c, mk);
	tes_hmac_update(&c, prev, TES_JOURNAL_MAC_LEN);
	tes_hmac_update(&c, p, h->total_len - TES_JOURNAL_MAC_LEN);
	tes_hmac_out(&c, mac);
	return tes_ct_eq(mac, p + h->total_len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN) == 0 ? 0 : TES_ERR_MAC;
}

static void
chain_check_part(const struct chain *c, struct chain_part *p)
{
	struct tes_journal_hdr h;
	uint64_t off = p->from;
	int r = 0;

	/*= spec/STORAGE.md#journal MUST-J6: every mac checked before any record is decrypted */
	while (off < p->to) {
		if ((r = chain_rec_check(&c->mk, prev_in(c->db, c->map, off), c->map + off, c->size - off, &h)) != 0)
			break;
		off += h.total_len;
	}
	/* the walk found these boundaries in the same bytes; anything else is damage */
	if (r == 0 && off != p->to)
		r = TES_ERR_CORRUPT;
	p->bad = off;
	p->r = r;
}

static void *
chain_worker(void *arg)
{
	struct chain *c = arg;
	size_t i;

	while ((i = atomic_fetch_add(&c->next, 1)) < c->nparts)
		chain_check_part(c, &c->part[i]);
	return NULL;
}

/*
 * Cut the records from the start to the first one whose header does not
 * decode or whose total_len passes the end of the file (c->limit) into
 * runs of about equal size, and count the REPORT headers on the way.
 */
static void
chain_walk(struct chain *c)
{
	uint64_t off = TES_JOURNAL_FILE_HDR_LEN, step = (c->size - off) / CHAIN_PARTS + 1;
	struct tes_journal_hdr h;
	size_t i = 0;

	c->nreports = 0;
	c->part[0].from = off;
	while (off < c->size && tes_journal_hdr_decode(c->map + off, c->size - off, &h) == 0 &&
	       h.total_len <= c->size - off) {
		if (i + 1 < CHAIN_PARTS && off - TES_JOURNAL_FILE_HDR_LEN >= (i + 1) * step) {
			c->part[i].to = off;
			c->part[++i].from = off;
		}
		c->nreports += h.type == TES_JREC_REPORT;
		off += h.total_len;
	}
	c->part[i].to = off;
	c->nparts = i + 1;
	c->limit = off;
}

static size_t
chain_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CHAIN_THREADS_MAX ? CHAIN_THREADS_MAX : (size_t)n;
}

/*
 * Check the whole chain on every core: *bad gets the offset of the first
 * record that fails its check (the file size if none) and the return
 * value its error (0 if none). c->nreports counts the REPORT headers.
 */
static int
chain_scan(struct chain *c, uint64_t *bad)
{
	pthread_t t[CHAIN_THREADS_MAX];
	int started[CHAIN_THREADS_MAX] = { 0 };
	struct tes_journal_hdr h;
	size_t n = chain_threads(), i;
	int r;

	chain_walk(c);
	tes_hmac_key_init(&c->mk, c->db->jk.mac, sizeof(c->db->jk.mac));
	atomic_init(&c->next, 0);
	for (i = 1; i < n && i < c->nparts; i++)
		started[i] = pthread_create(&t[i], NULL, chain_worker, c) == 0;
	chain_worker(c);   /* this thread checks runs too, and any a failed thread left */
	for (i = 1; i < n; i++)
		if (started[i])
			pthread_join(t[i], NULL);
	for (i = 0; i < c->nparts; i++)
		if (c->part[i].r != 0) {
			*bad = c->part[i].bad;
			return c->part[i].r;
		}
	*bad = c->limit;
	if (c->limit == c->size)
		return 0;
	/* the record the walk stopped at: its own error */
	r = tes_journal_check(&c->db->jk, prev_in(c->db, c->map, c->limit), c->map + c->limit,
			      c->size - c->limit, &h);
	return r != 0 ? r : TES_ERR_CORRUPT;
}

/* drivers.enc is read and checked while the journal's chain is. */
struct snap_job {
	struct tes_db *db;
	int r;
};

static void *
snap_worker(void *arg)
{
	struct snap_job *j = arg;

	j->r = snap_load(j->db, &j->db->drv, &j->db->snap);
	return NULL;
}

/*
 * Load drivers.enc and check the mapped journal's chain (at the same time),
 * then apply the journal's records in order up to the first that fails;
 * nothing is truncated unless the rest is sound.
 */
static int
replay_map(struct tes_db *db, const uint8_t *map, size_t size)
{
	struct snap_job sj = { .db = db, .r = 0 };
	struct chain *c = xcalloc(1, sizeof(*c));
	pthread_t st;
	uint64_t bad = 0;
	int sthread, r;

	/* the loader touches db->drv and db->snap only, the chain check neither */
	if (!(sthread = pthread_create(&st, NULL, snap_worker, &sj) == 0))
		snap_worker(&sj);
	c->db = db, c->map = map, c->size = size;
	if ((r = replay_start(db, map, size)) == 0)
		r = chain_scan(c, &bad);
	if (sthread)
		pthread_join(st, NULL);
	if (sj.r != 0) {
		r = sj.r;
		goto out;
	}
	if (r == TES_ERR_CORRUPT)
		goto out;
	/*= spec/STORAGE.md#drivers MUST-S3: a snapshot taken on an empty journal */
	if (db->snap.present && db->snap.seq == 0 && tes_ct_eq(db->head, db->snap.mac, TES_JOURNAL_MAC_LEN) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	tab_reserve(&db->trep, c->nreports);
	if (db->caprep < c->nreports) {
		db->reps = xrealloc(db->reps, c->nreports, sizeof(*db->reps));
		db->caprep = c->nreports;
	}
	while (db->end < bad)
		if (replay_rec(db, map, size) != 0) {
			r = TES_ERR_CORRUPT;
			goto out;
		}
	/*= spec/STORAGE.md#recovery MUST-R1..R3: cut a torn tail only once everything else is sound */
	if (r != 0 && (!torn_shape(map + db->end, size - db->end) || authentic_after(db, map, size, db->end)))
		r = TES_ERR_CORRUPT;
	else if (db->snap.present && db->snap.seq > db->seq)
		r = TES_ERR_CORRUPT;
	else if (r != 0)
		r = cut_tail(db, size, r);
out:
	TES_WIPE_CTX(&c->mk);
	free(c);
	return r;
}

static int
replay(struct tes_db *db)
{
	struct stat st;
	void *map;
	int r;

	if (fstat(db->jfd, &st) != 0)
		return TES_ERR_IO;
	if (st.st_size < TES_JOURNAL_FILE_HDR_LEN)
		return TES_ERR_CORRUPT;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, db->jfd, 0);
	if (map == MAP_FAILED)
		return TES_ERR_IO;
	r = replay_map(db, map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	return r;
}

/*
 * Plate tags of the reports found at open. Open does not decrypt REPORT
 * records (spec/STORAGE.md#recovery), so a thread reads them afterwards:
 * for each, the two cipher blocks that hold the plate (body bytes 64..79:
 * u8 plate length and up to 12 plate bytes after number, received, id and
 * unit key), decrypted with the block before them as the CBC chaining
 * value. The tags only say which reports to read back; a report is shown
 * only after its record is read again with its MAC checked, so a tag that
 * is wrong (a file changed after open) can hide a report from the history,
 * never show a wrong one.
 */
enum {
	TAG_BODY_OFF = 64,               /* u8 plate_len, then the plate */
	TAG_BLOCKS = 2,
	TAG_READ_OFF = TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN + TAG_BODY_OFF - TES_DES_BLOCK,
	TAG_READ_LEN = (TAG_BLOCKS + 1) * TES_DES_BLOCK,
};

_Static_assert(TAG_BODY_OFF == 8 + 8 + TES_REPORT_ID_LEN + TES_KEYID_LEN, "REPORT body: plate after these");
_Static_assert(1 + TES_PLATE_MAX <= TAG_BLOCKS * TES_DES_BLOCK && TAG_BODY_OFF % TES_DES_BLOCK == 0,
	       "the plate fits the blocks read");

struct tag_job {
	pthread_t t;
	atomic_int done, stop;
	int jfd;
	const struct tes_seal_keys *jk; /* the store's: it outlives the job (close joins first) */
	const uint8_t *hk;
	uint64_t *off;                   /* REPORT records 1..n */
	uint32_t *tag;                   /* out: their tags, 0 where unread */
	size_t n;
};

static uint32_t
tag_read(const struct tag_job *j, uint64_t off)
{
	uint8_t b[TAG_READ_LEN];
	uint32_t t = 0;
	size_t got;

	if (pread_all(j->jfd, b, sizeof(b), off + TAG_READ_OFF, &got) != 0 || got != sizeof(b))
		return 0;
	tes_seal_decrypt(j->jk, b, b + TES_DES_BLOCK, TAG_BLOCKS * TES_DES_BLOCK);
	if (b[TES_DES_BLOCK] >= 1 && b[TES_DES_BLOCK] <= TES_PLATE_MAX)
		t = plate_tag(j->hk, (const char *)b + TES_DES_BLOCK + 1, b[TES_DES_BLOCK]);
	TES_WIPE_BUF(b);
	return t;
}

static void *
tag_thread(void *arg)
{
	struct tag_job *j = arg;
	size_t i;

	for (i = 0; i < j->n && !atomic_load(&j->stop); i++)
		if (j->off[i] != 0)
			j->tag[i] = tag_read(j, j->off[i]);
	atomic_store(&j->done, 1);
	return NULL;
}

static void
tag_free(struct tag_job *j)
{
	free(j->off);
	free(j->tag);
	free(j);
}

/* After open: tag the reports whose tag the replay did not learn. */
static void
tag_start(struct tes_db *db)
{
	struct tag_job *j;
	size_t i;

	if (db->nrep == 0)
		return;
	j = xcalloc(1, sizeof(*j));
	j->jfd = db->jfd;
	j->jk = &db->jk;
	j->hk = db->hk;
	j->n = db->nrep;
	j->off = xrealloc(NULL, j->n, sizeof(*j->off));
	j->tag = xcalloc(j->n, sizeof(*j->tag));
	for (i = 0; i < j->n; i++)
		j->off[i] = db->reps[i].ptag != 0 ? 0 : db->reps[i].off;
	if (pthread_create(&j->t, NULL, tag_thread, j) != 0) {
		tag_free(j);                 /* no tags: the history reads every report */
		return;
	}
	db->tags = j;
}

/* Collect the tags: when ready (wait 0), after waiting (1), or stop the thread (-1). */
static void
tag_reap(struct tes_db *db, int wait)
{
	struct tag_job *j = db->tags;
	size_t i;

	if (j == NULL || (wait == 0 && !atomic_load(&j->done)))
		return;
	if (wait < 0)
		atomic_store(&j->stop, 1);
	pthread_join(j->t, NULL);
	db->tags = NULL;
	for (i = 0; i < j->n; i++)
		if (db->reps[i].ptag == 0)
			db->reps[i].ptag = j->tag[i];
	tag_free(j);
}

/* see db.h */
int
tes_db_open(const char *dir, struct tes_db **out)
{
	struct tes_db *db;
	int r = TES_ERR_INTERNAL;

	*out = NULL;
	db = db_new(dir);
	if ((db->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
		goto out;
	}
	tes_rng_bytes(db->hk, sizeof(db->hk));
	if ((r = lock_take(db->dfd, &db->lfd)) != 0 ||
	    (r = keys_load(db)) != 0 ||
	    (r = server_load(db)) != 0 ||
	    (r = journal_open(db)) != 0 ||
	    (r = replay(db)) != 0)
		goto out;
	tag_start(db);
	*out = db;
	db = NULL;
	r = 0;
out:
	db_free(db);
	return r;
}

/* Appends */

/* Seal and write one record at the end of the journal (one write()). */
static int
append(struct tes_db *db, uint8_t type, const uint8_t *key, const uint8_t *body, size_t n, uint64_t *off)
{
	uint8_t rec[TES_JOURNAL_REC_MAX], iv[TES_JOURNAL_IV_LEN];
	struct tes_journal_hdr h;
	size_t used;
	int r = TES_ERR_INTERNAL;

	if (db->broken)
		return TES_ERR_IO;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.seq = db->seq + 1;
	if (key != NULL)
		memcpy(h.key, key, TES_JOURNAL_KEY_LEN);
	tes_rng_bytes(iv, sizeof(iv));
	if ((r = tes_journal_seal(&db->jk, db->head, &h, iv, body, n, rec, sizeof(rec), &used)) != 0)
		return r;
	/*= spec/STORAGE.md#journal MUST-J7, #durability MUST-W2 */
	if (write_all(db->jfd, rec, used) != 0) {
		/* take back a partial record; if that fails too, stop writing */
		if (ftruncate(db->jfd, (off_t)db->end) != 0)
			db->broken = 1;
		return TES_ERR_IO;
	}
	if (off != NULL)
		*off = db->end;
	if (type == TES_JREC_DECISION || type == TES_JREC_AUDIT)
		event_note(db, db->end);
	chain_advance(db, rec, used, h.seq);
	return 0;
}

static int compact_reap(struct tes_db *db, int wait);

/* see db.h */
int
tes_db_sync(struct tes_db *db)
{
	(void)compact_reap(db, 0);       /* collect a finished background compaction */
	tag_reap(db, 0);                 /* and the plate tags once they are read */
	if (db->broken)
		return TES_ERR_IO;
	if (fdatasync(db->jfd) != 0) {
		/* the page cache state is unknown after a failed fsync */
		db->broken = 1;
		return TES_ERR_IO;
	}
	return 0;
}

/* Append and make durable. */
static int
append_sync(struct tes_db *db, uint8_t type, const uint8_t *key, const uint8_t *body, size_t n, uint64_t *off)
{
	int r;

	if ((r = append(db, type, key, body, n, off)) != 0)
		return r;
	return tes_db_sync(db);
}

/* A caller's C string of at most max bytes (NULL = empty) into out[max + 1]. */
static int
str_take(const char *s, size_t max, char *out, uint8_t *len, int err)
{
	size_t n = s == NULL ? 0 : strnlen(s, max + 1);

	if (n > max)
		return err;
	memcpy(out, s == NULL ? "" : s, n);
	out[n] = '\0';
	*len = (uint8_t)n;
	return 0;
}

/* see db.h */
const struct tes_rsa_priv *
tes_db_server_key(const struct tes_db *db)
{
	return &db->server;
}

/* see db.h */
int
tes_db_unit_add(struct tes_db *db, const char *name, const struct tes_rsa_pub *pub)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_unit u;
	size_t n;
	int r;

	memset(&u, 0, sizeof(u));
	if ((r = str_take(name, TES_NAME_MAX, u.name, &u.name_len, TES_ERR_NAME)) != 0)
		return r;
	u.pub = *pub;
	if ((r = tes_journal_unit_encode(&u, body, sizeof(body), &n)) != 0)
		return r;
	if (unit_find(db, u.name, u.name_len) != 0)
		return TES_ERR_EXISTS;
	if ((r = append_sync(db, TES_JREC_UNIT, NULL, body, n, NULL)) != 0)
		return r;
	unit_insert(db, &u);
	return 0;
}

/* see db.h */
int
tes_db_unit_revoke(struct tes_db *db, const char *name)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	size_t n, len = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;
	int r;

	if (len == 0 || len > TES_NAME_MAX || (i = unit_find(db, name, len)) == 0)
		return TES_ERR_NOTFOUND;
	if (db->unit_revoked[i - 1])
		return TES_ERR_EXISTS;
	if ((r = tes_journal_revoke_encode(name, (uint8_t)len, body, sizeof(body), &n)) != 0 ||
	    (r = append_sync(db, TES_JREC_REVOKE, NULL, body, n, NULL)) != 0)
		return r;
	db->unit_revoked[i - 1] = 1;
	return 0;
}

/* see db.h */
int
tes_db_unit_active(const struct tes_db *db, const uint8_t keyid[static TES_KEYID_LEN])
{
	size_t i;

	for (i = 0; i < db->nunit; i++)
		if (memcmp(db->unit_ids[i], keyid, TES_KEYID_LEN) == 0)
			return db->unit_revoked[i] ? TES_ERR_AUTH : 0;
	return TES_ERR_NOTFOUND;
}

/* see db.h */
int
tes_db_unit_find(const struct tes_db *db, const uint8_t keyid[static TES_KEYID_LEN],
		 char name[static TES_NAME_MAX + 1], struct tes_rsa_pub *out)
{
	size_t i;

	/* linear: units are few, and a key id is public */
	for (i = 0; i < db->nunit; i++)
		if (memcmp(db->unit_ids[i], keyid, TES_KEYID_LEN) == 0) {
			memcpy(name, db->units[i].name, db->units[i].name_len);
			name[db->units[i].name_len] = '\0';
			*out = db->units[i].pub;
			return 0;
		}
	return TES_ERR_NOTFOUND;
}

/* see db.h */
int
tes_db_unit_get(const struct tes_db *db, const char *name, struct tes_rsa_pub *out)
{
	size_t n = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;

	if (n == 0 || n > TES_NAME_MAX || (i = unit_find(db, name, n)) == 0)
		return TES_ERR_NOTFOUND;
	*out = db->units[i - 1].pub;
	return 0;
}

/* see db.h */
int
tes_db_user_add(struct tes_db *db, const char *name, uint8_t role, const char *encoded_hash)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_user u;
	size_t n;
	int r = TES_ERR_INTERNAL;

	memset(&u, 0, sizeof(u));
	u.role = role;
	if ((r = str_take(name, TES_NAME_MAX, u.name, &u.name_len, TES_ERR_NAME)) != 0 ||
	    (r = str_take(encoded_hash, TES_JOURNAL_HASH_MAX, u.hash, &u.hash_len, TES_ERR_TOOLONG)) != 0 ||
	    (r = tes_journal_user_encode(&u, body, sizeof(body), &n)) != 0)
		goto out;
	if (user_find(db, u.name, u.name_len) != 0) {
		r = TES_ERR_EXISTS;
		goto out;
	}
	if ((r = append_sync(db, TES_JREC_USER, NULL, body, n, NULL)) != 0)
		goto out;
	user_insert(db, &u);
	r = 0;
out:
	TES_WIPE_BUF(body);
	TES_WIPE_CTX(&u);
	return r;
}

/* see db.h */
int
tes_db_user_get(const struct tes_db *db, const char *name, uint8_t *role, char hash[TES_JOURNAL_HASH_MAX + 1])
{
	size_t n = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;

	if (n == 0 || n > TES_NAME_MAX || (i = user_find(db, name, n)) == 0)
		return TES_ERR_NOTFOUND;
	*role = db->users[i - 1].role;
	memcpy(hash, db->users[i - 1].hash, sizeof(db->users[i - 1].hash));
	return 0;
}

/* see db.h */
int
tes_db_report_add(struct tes_db *db, const struct tes_report *r, const uint8_t sig[static TES_RSA_LEN],
		  uint64_t received, uint64_t *number)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_report m;
	uint64_t off;
	size_t n;
	int ret;

	if ((n = rep_find(db, r->id)) != 0) {
		*number = n;
		return TES_ERR_EXISTS;
	}
	m.number = db->nrep + 1;
	m.received = received;
	m.r = *r;
	memcpy(m.sig, sig, TES_RSA_LEN);
	if ((ret = tes_journal_report_encode(&m, body, sizeof(body), &n)) != 0 ||
	    (ret = append(db, TES_JREC_REPORT, r->id, body, n, &off)) != 0)
		return ret;
	rep_insert(db, r->id, off);
	db->reps[db->nrep - 1].ptag = plate_tag(db->hk, r->plate, r->plate_len);
	*number = m.number;
	return 0;
}

/* Fill out from report entry idx and the records it points to. */
static int
report_fill(const struct tes_db *db, size_t idx, struct tes_db_report *out)
{
	const struct rep *x = &db->reps[idx];
	struct tes_journal_decision d;
	struct tes_journal_report m;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = report_read(db, idx + 1, &m)) != 0)
		return r;
	out->r = m.r;
	memcpy(out->sig, m.sig, sizeof(out->sig));
	out->number = m.number;
	out->received = m.received;
	if (x->doff == 0) {
		out->status = TES_STATUS_PENDING;
		out->points = tes_penalty_points(m.r.speed);
		return 0;
	}
	if ((r = decision_read(db, x, &m.r, &d)) != 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->status = verdict_status(d.verdict);
	out->points = d.points;
	memcpy(out->reason, d.reason, sizeof(out->reason));
	memcpy(out->officer, d.officer, sizeof(out->officer));
	out->decided_at = d.time;
	return 0;
}

/* see db.h */
int
tes_db_report_get(const struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], struct tes_db_report *out)
{
	size_t num = rep_find(db, id);

	return num == 0 ? TES_ERR_NOTFOUND : report_fill(db, num - 1, out);
}

/* see db.h */
size_t
tes_db_report_count(const struct tes_db *db)
{
	return db->nrep;
}

/* see db.h */
int
tes_db_report_at(const struct tes_db *db, size_t index, struct tes_db_report *out)
{
	return index >= db->nrep ? TES_ERR_NOTFOUND : report_fill(db, index, out);
}

/* see db.h */
size_t
tes_db_pending_count(const struct tes_db *db)
{
	return db->pending;
}

/* see db.h */
int
tes_db_report_is_pending(const struct tes_db *db, size_t index)
{
	return index < db->nrep && db->reps[index].doff == 0;
}

/* see db.h */
size_t
tes_db_tags_wait(struct tes_db *db)
{
	size_t i, n = 0;

	tag_reap(db, 1);
	for (i = 0; i < db->nrep; i++)
		n += db->reps[i].ptag != 0;
	return n;
}

/* see db.h */
int
tes_db_plate_foreach(struct tes_db *db, const char *plate,
		     int (*cb)(void *ctx, const struct tes_db_report *d), void *ctx)
{
	struct tes_db_report d;
	size_t i, len = strlen(plate);
	uint32_t t;
	int r;

	if (len < 1 || len > TES_PLATE_MAX)
		return 0;
	tag_reap(db, 1);                 /* a few seconds at most, once; reading every report takes far longer */
	t = plate_tag(db->hk, plate, len);
	for (i = 0; i < db->nrep; i++) {
		if (db->reps[i].ptag != 0 && db->reps[i].ptag != t)
			continue;
		if ((r = report_fill(db, i, &d)) != 0)
			return r;
		if (strcmp(d.r.plate, plate) == 0 && cb(ctx, &d) != 0)
			break;
	}
	return 0;
}

/* The DECISION body for a report. */
static int
decision_make(struct tes_journal_decision *d, const struct tes_report *rep, int approve, const char *reason,
	      const char *officer, uint64_t now)
{
	int r;

	memset(d, 0, sizeof(*d));
	memcpy(d->id, rep->id, TES_REPORT_ID_LEN);
	d->verdict = approve ? TES_VERDICT_APPROVE : TES_VERDICT_REJECT;
	d->points = approve ? tes_penalty_points(rep->speed) : 0;
	d->time = now;
	if ((r = str_take(reason, TES_JOURNAL_TEXT_MAX, d->reason, &d->reason_len, TES_ERR_TOOLONG)) != 0)
		return r;
	return str_take(officer, TES_NAME_MAX, d->officer, &d->officer_len, TES_ERR_NAME);
}

/*
 * A drivers.enc rewrite (spec/STORAGE.md#drivers). The master takes a copy of
 * the totals, the header and an IV; sorting, encryption and the atomic file
 * replacement need nothing else of the store, so they run on a thread of
 * their own while the master goes on taking reports and decisions.
 */
struct compact_job {
	pthread_t t;
	atomic_int done;
	int r;
	int dfd;
	size_t since;                    /* decisions the snapshot takes in */
	const struct tes_seal_keys *dk; /* the store's: it outlives the job (close joins first) */
	struct tes_drivers_hdr h;
	uint8_t iv[TES_DES_BLOCK];
	struct tes_driver *v;            /* copy of the table, sorted by compact_run */
	size_t n;
};

static void
compact_free(struct compact_job *j)
{
	tes_wipe(j->v, j->n * sizeof(*j->v));
	free(j->v);
	free(j);
}

/* Everything the snapshot needs, taken from the master's state. */
static int
compact_prepare(struct tes_db *db, struct compact_job **out)
{
	struct compact_job *j;
	int r;

	*out = NULL;
	/*= spec/STORAGE.md#drivers MUST-S4: the journal is durable before the snapshot names it */
	if ((r = tes_db_sync(db)) != 0)
		return r;
	if (db->drv.n > UINT32_MAX)
		return TES_ERR_TOOLONG;
	j = xcalloc(1, sizeof(*j));
	j->dfd = db->dfd;
	j->since = db->since;
	j->dk = &db->dk;
	j->h.journal_seq = db->seq;
	memcpy(j->h.mac_at_seq, db->head, sizeof(j->h.mac_at_seq));
	j->h.count = (uint32_t)db->drv.n;
	tes_rng_bytes(j->iv, sizeof(j->iv));
	j->n = db->drv.n;
	j->v = xrealloc(NULL, j->n, sizeof(*j->v));
	if (j->n > 0)
		memcpy(j->v, db->drv.v, j->n * sizeof(*j->v));
	*out = j;
	return 0;
}

/* Sort, encrypt, replace drivers.enc; touches only the job and the directory. */
static int
compact_run(struct compact_job *j)
{
	uint8_t *buf;
	size_t len, used;
	int r;

	if (j->n > 0)
		qsort(j->v, j->n, sizeof(*j->v), drv_cmp);
	len = tes_drivers_encoded_len(j->v, j->n);
	buf = xrealloc(NULL, len, 1);
	if ((r = tes_drivers_encode(j->dk, &j->h, j->iv, j->v, j->n, buf, len, &used)) == 0)
		r = file_replace(j->dfd, buf, used);
	tes_wipe(buf, len);
	free(buf);
	return r;
}

static void *
compact_thread(void *arg)
{
	struct compact_job *j = arg;

	j->r = compact_run(j);
	atomic_store(&j->done, 1);
	return NULL;
}

/* The snapshot is on disk, or the decisions it would have taken in still count. */
static int
compact_finish(struct tes_db *db, struct compact_job *j)
{
	int r = j->r;

	if (r == 0) {
		db->snap.present = 1;
		db->snap.seq = j->h.journal_seq;
		memcpy(db->snap.mac, j->h.mac_at_seq, sizeof(db->snap.mac));
	} else {
		db->since += j->since;
	}
	compact_free(j);
	return r;
}

/* A failed snapshot is reported and retried at the next decision (spec/STORAGE.md#drivers). */
static int
snapshot_warn(int r)
{
	if (r != 0)
		fprintf(stderr, "tes: warning: drivers.enc not written: %s\n", tes_err_str(r));
	return r;
}

/* Collect a background compaction: wait for it, or only if it has ended. */
static int
compact_reap(struct tes_db *db, int wait)
{
	struct compact_job *j = db->job;

	if (j == NULL || (!wait && !atomic_load(&j->done)))
		return 0;
	pthread_join(j->t, NULL);
	db->job = NULL;
	return snapshot_warn(compact_finish(db, j));
}

/* Start a background compaction (inline if no thread can be made). */
static void
compact_start(struct tes_db *db)
{
	struct compact_job *j;

	if (snapshot_warn(compact_prepare(db, &j)) != 0)
		return;
	db->since = 0;
	db->job = j;
	if (pthread_create(&j->t, NULL, compact_thread, j) != 0) {
		db->job = NULL;
		j->r = compact_run(j);
		(void)snapshot_warn(compact_finish(db, j));
	}
}

/* see db.h */
int
tes_db_compact_wait(struct tes_db *db)
{
	return compact_reap(db, 1);
}

/* see db.h */
int
tes_db_compact(struct tes_db *db)
{
	struct compact_job *j;
	int r;

	(void)compact_reap(db, 1);
	if ((r = compact_prepare(db, &j)) != 0)
		return r;
	db->since = 0;
	j->r = compact_run(j);
	return compact_finish(db, j);
}

/* see db.h */
int
tes_db_decide(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], int approve, const char *reason,
	      const char *officer, uint64_t now, uint16_t *points)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_decision d;
	struct tes_journal_report m;
	uint64_t off;
	size_t num, n;
	int r;

	if ((num = rep_find(db, id)) == 0)
		return TES_ERR_NOTFOUND;
	if (db->reps[num - 1].doff != 0)
		return TES_ERR_DECIDED;
	if ((r = report_read(db, num, &m)) != 0 ||
	    (r = decision_make(&d, &m.r, approve, reason, officer, now)) != 0 ||
	    (r = tes_journal_decision_encode(&d, body, sizeof(body), &n)) != 0 ||
	    (r = append_sync(db, TES_JREC_DECISION, id, body, n, &off)) != 0)
		return r;
	decision_apply(db, &db->reps[num - 1], off);
	dmap_add(&db->drv, db->hk, m.r.plate, m.r.plate_len, d.points);
	if (points != NULL)
		*points = d.points;
	(void)compact_reap(db, 0);
	if (++db->since >= TES_DB_COMPACT_EVERY && db->job == NULL)
		compact_start(db);
	return 0;
}

/* see db.h */
int
tes_db_audit_append(struct tes_db *db, uint8_t kind, const char *who, const char *text, uint64_t now)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_audit a;
	size_t n;
	int r;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.time = now;
	if ((r = str_take(who, TES_NAME_MAX, a.who, &a.who_len, TES_ERR_NAME)) != 0 ||
	    (r = str_take(text, TES_JOURNAL_TEXT_MAX, a.text, &a.text_len, TES_ERR_TOOLONG)) != 0 ||
	    (r = tes_journal_audit_encode(&a, body, sizeof(body), &n)) != 0)
		return r;
	return append(db, TES_JREC_AUDIT, NULL, body, n, NULL);
}

/* see db.h */
int
tes_db_audit(struct tes_db *db, uint8_t kind, const char *who, const char *text, uint64_t now)
{
	int r;

	if ((r = tes_db_audit_append(db, kind, who, text, now)) != 0)
		return r;
	return tes_db_sync(db);
}

/* Events */

static int
event_from(const struct tes_journal_hdr *h, const uint8_t *plain, size_t len, struct tes_db_event *e)
{
	struct tes_journal_decision d;
	struct tes_journal_audit a;

	memset(e, 0, sizeof(*e));
	e->seq = h->seq;
	e->type = h->type;
	if (h->type == TES_JREC_AUDIT) {
		if (tes_journal_audit_decode(plain, len, &a) != 0)
			return TES_ERR_CORRUPT;
		e->kind = a.kind, e->time = a.time;
		memcpy(e->who, a.who, sizeof(e->who));
		memcpy(e->text, a.text, sizeof(e->text));
		return 0;
	}
	/* open leaves the bodies of the decisions drivers.enc covers unchecked (spec/STORAGE.md#recovery) */
	if (tes_journal_decision_decode(plain, len, &d) != 0 || memcmp(d.id, h->key, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_CORRUPT;
	e->kind = d.verdict, e->time = d.time, e->points = d.points;
	memcpy(e->id, d.id, sizeof(e->id));
	memcpy(e->who, d.officer, sizeof(e->who));
	memcpy(e->text, d.reason, sizeof(e->text));
	return 0;
}

/* see db.h */
size_t
tes_db_event_count(const struct tes_db *db)
{
	return db->nev;
}

/* see db.h */
int
tes_db_event_at(const struct tes_db *db, size_t k, struct tes_db_event *out)
{
	uint8_t buf[RBUF_LEN], plain[TES_JOURNAL_CT_MAX];
	const uint8_t *prev, *p;
	struct tes_journal_hdr h;
	size_t n, len;
	int r;

	memset(out, 0, sizeof(*out));
	if (k >= db->nev)
		return TES_ERR_NOTFOUND;
	if ((r = rec_pread(db, db->evoff[k], buf, &prev, &p, &n)) != 0)
		return r;
	if (tes_journal_open_rec(&db->jk, prev, p, n, &h, plain, TES_JOURNAL_CT_MAX, &len) != 0 ||
	    (h.type != TES_JREC_AUDIT && h.type != TES_JREC_DECISION) || event_from(&h, plain, len, out) != 0) {
		memset(out, 0, sizeof(*out));
		r = TES_ERR_CORRUPT;
	}
	TES_WIPE_BUF(plain);
	return r;
}

/* Drivers */

/* see db.h */
uint32_t
tes_db_driver_points(const struct tes_db *db, const char *plate)
{
	size_t n = plate == NULL ? 0 : strnlen(plate, TES_PLATE_MAX + 1);

	return n > TES_PLATE_MAX ? 0 : dmap_get(&db->drv, db->hk, plate, n);
}

/* see db.h */
int
tes_db_drivers_foreach(const struct tes_db *db, int (*cb)(void *ctx, const char *plate, uint32_t points),
		       void *ctx)
{
	struct tes_driver *v = dmap_sorted(&db->drv);
	size_t i;

	for (i = 0; i < db->drv.n; i++)
		if (cb(ctx, v[i].plate, v[i].points) != 0)
			break;
	tes_wipe(v, db->drv.n * sizeof(*v));
	free(v);
	return 0;
}

/* Verify */

struct verify {
	struct tes_db *db;
	const uint8_t *map;
	size_t size;
	uint64_t off;                    /* next record */
	uint64_t seq;                    /* last good record */
	uint8_t head[TES_JOURNAL_MAC_LEN];
	size_t nrep;                     /* REPORT records seen */
	uint8_t *decided;                /* per report number - 1 */
	struct dmap totals;              /* points from the decisions seen */
	struct dmap snapd;               /* drivers.enc as on disk */
	struct snap snap;
	char *msg;
	size_t cap;
};

static int vfail(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
vfail(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
vfail(struct verify *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (v->msg == NULL || v->cap == 0)
		return TES_ERR_CORRUPT;
	n = snprintf(v->msg, v->cap, "journal record seq %llu (offset %llu): ",
		     (unsigned long long)(v->seq + 1), (unsigned long long)v->off);
	if (n < 0 || (size_t)n >= v->cap)
		return TES_ERR_CORRUPT;
	va_start(ap, fmt);
	vsnprintf(v->msg + n, v->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return TES_ERR_CORRUPT;
}

static int
vmsg(struct verify *v, const char *text)
{
	if (v->msg != NULL && v->cap > 0)
		snprintf(v->msg, v->cap, "%s", text);
	return TES_ERR_CORRUPT;
}

/* REPORT: numbered in order and the one the open store indexed. */
static int
verify_report(struct verify *v, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_report m;
	const struct rep *x;

	if (tes_journal_report_decode(plain, len, &m) != 0)
		return vfail(v, "bad REPORT body");
	if (m.number != v->nrep + 1 || memcmp(m.r.id, h->key, TES_REPORT_ID_LEN) != 0)
		return vfail(v, "REPORT number or id out of place");
	if (v->nrep >= v->db->nrep)
		return vfail(v, "REPORT unknown to the open store");
	x = &v->db->reps[v->nrep];
	if (x->off != v->off || memcmp(x->id, m.r.id, TES_REPORT_ID_LEN) != 0)
		return vfail(v, "REPORT differs from the open store");
	v->nrep++;
	return 0;
}

/* DECISION: once per earlier report, with the points its speed gives. */
static int
verify_decision(struct verify *v, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_decision d;
	struct tes_journal_report m;
	const struct rep *x;
	size_t num;

	if (tes_journal_decision_decode(plain, len, &d) != 0 || memcmp(d.id, h->key, TES_REPORT_ID_LEN) != 0)
		return vfail(v, "bad DECISION body");
	if ((num = rep_find(v->db, d.id)) == 0 || num > v->nrep || v->decided[num - 1])
		return vfail(v, "DECISION for an unknown or decided report");
	x = &v->db->reps[num - 1];
	if (report_decode_at(v->db, prev_in(v->db, v->map, x->off), v->map + x->off, v->size - x->off, x, num,
			     &m) != 0)
		return vfail(v, "the report of this DECISION does not read back");
	if (d.verdict == TES_VERDICT_APPROVE && d.points != tes_penalty_points(m.r.speed))
		return vfail(v, "DECISION points do not match the speed");
	if (x->doff != v->off)
		return vfail(v, "DECISION differs from the open store");
	v->decided[num - 1] = 1;
	dmap_add(&v->totals, v->db->hk, m.r.plate, m.r.plate_len, d.points);
	return 0;
}

static int
verify_body(struct verify *v, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_unit un;
	struct tes_journal_user us;
	struct tes_journal_audit a;
	int r = 0;

	char name[TES_NAME_MAX + 1];
	uint8_t nl;

	if (h->type == TES_JREC_UNIT && tes_journal_unit_decode(plain, len, &un) != 0)
		r = vfail(v, "bad UNIT body");
	else if (h->type == TES_JREC_REVOKE && tes_journal_revoke_decode(plain, len, name, &nl) != 0)
		r = vfail(v, "bad REVOKE body");
	else if (h->type == TES_JREC_USER && tes_journal_user_decode(plain, len, &us) != 0)
		r = vfail(v, "bad USER body");
	else if (h->type == TES_JREC_AUDIT && tes_journal_audit_decode(plain, len, &a) != 0)
		r = vfail(v, "bad AUDIT body");
	else if (h->type == TES_JREC_REPORT)
		r = verify_report(v, h, plain, len);
	else if (h->type == TES_JREC_DECISION)
		r = verify_decision(v, h, plain, len);
	TES_WIPE_CTX(&us);
	return r;
}

/* drivers.enc against the chain value and the totals at its seq. */
static int
verify_snap(struct verify *v)
{
	if (tes_ct_eq(v->head, v->snap.mac, TES_JOURNAL_MAC_LEN) != 0)
		return vmsg(v, "drivers.enc was made from another journal (chain value differs)");
	if (!dmap_equal(&v->snapd, &v->totals, v->db->hk))
		return vmsg(v, "drivers.enc totals differ from the journal's decisions");
	return 0;
}

static int
verify_rec(struct verify *v)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	struct tes_journal_hdr h;
	size_t len;
	int r;

	if ((r = tes_journal_open_rec(&v->db->jk, v->head, v->map + v->off, v->size - v->off, &h, plain,
				      sizeof(plain), &len)) != 0) {
		r = vfail(v, "record check failed: %s", tes_err_str(r));
		goto out;
	}
	if (h.seq != v->seq + 1) {
		r = vfail(v, "sequence number %llu out of order", (unsigned long long)h.seq);
		goto out;
	}
	if ((r = verify_body(v, &h, plain, len)) != 0)
		goto out;
	memcpy(v->head, v->map + v->off + h.total_len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
	v->seq = h.seq;
	v->off += h.total_len;
	if (v->snap.present && v->snap.seq == v->seq)
		r = verify_snap(v);
out:
	TES_WIPE_BUF(plain);
	return r;
}

/* The mapped journal from its header to its end, then the open store's state. */
static int
verify_walk(struct verify *v)
{
	uint64_t created;
	int r;

	if (tes_journal_file_hdr_decode(v->map, v->size, &created) != 0)
		return vmsg(v, "journal: bad file header");
	tes_journal_genesis(&v->db->jk, v->map, v->head);
	if (tes_ct_eq(v->head, v->db->genesis, TES_JOURNAL_MAC_LEN) != 0)
		return vmsg(v, "journal: file header changed since the store was opened");
	v->off = TES_JOURNAL_FILE_HDR_LEN;
	if (v->snap.present && v->snap.seq == 0 && (r = verify_snap(v)) != 0)
		return r;
	while (v->off < v->size)
		if ((r = verify_rec(v)) != 0)
			return r;
	if (v->snap.present && v->snap.seq > v->seq)
		return vmsg(v, "drivers.enc covers records the journal does not have");
	if (v->seq != v->db->seq || v->nrep != v->db->nrep ||
	    tes_ct_eq(v->head, v->db->head, TES_JOURNAL_MAC_LEN) != 0)
		return vmsg(v, "journal: the file ends elsewhere than the open store");
	if (!dmap_equal(&v->totals, &v->db->drv, v->db->hk))
		return vmsg(v, "driver totals in memory differ from the journal");
	return 0;
}

/* On success: the last seq and chain value, to be noted outside the store. */
static void
verify_summary(const struct verify *v)
{
	char hex[2 * TES_JOURNAL_MAC_LEN + 1];

	if (v->msg == NULL || v->cap == 0)
		return;
	tes_hex_encode(v->head, TES_JOURNAL_MAC_LEN, hex);
	if (v->snap.present)
		snprintf(v->msg, v->cap, "ok: %llu records, chain %s, drivers.enc at seq %llu",
			 (unsigned long long)v->seq, hex, (unsigned long long)v->snap.seq);
	else
		snprintf(v->msg, v->cap, "ok: %llu records, chain %s, no drivers.enc", (unsigned long long)v->seq,
			 hex);
}

/* see db.h */
void
tes_db_forked(struct tes_db *db, int fds[3])
{
	db->job = NULL;
	db->tags = NULL;
	fds[0] = db->dfd, fds[1] = db->lfd, fds[2] = db->jfd;
}

/* see db.h */
int
tes_db_verify(struct tes_db *db, char *msg, size_t cap, uint64_t *records)
{
	struct verify v;
	struct stat st;
	void *map = MAP_FAILED;
	int r = TES_ERR_INTERNAL;

	(void)compact_reap(db, 1);       /* drivers.enc settled before it is read */
	memset(&v, 0, sizeof(v));
	v.db = db, v.msg = msg, v.cap = cap;
	if (msg != NULL && cap > 0)
		msg[0] = '\0';
	dmap_init(&v.totals);
	dmap_init(&v.snapd);
	v.decided = xcalloc(db->nrep, 1);
	if ((r = snap_load(db, &v.snapd, &v.snap)) != 0) {
		r = r == TES_ERR_CORRUPT ? vmsg(&v, "drivers.enc: MAC or structure check failed") : r;
		goto out;
	}
	if (fstat(db->jfd, &st) != 0 || st.st_size < TES_JOURNAL_FILE_HDR_LEN) {
		r = vmsg(&v, "journal: shorter than its header");
		goto out;
	}
	v.size = (size_t)st.st_size;
	if ((map = mmap(NULL, v.size, PROT_READ, MAP_SHARED, db->jfd, 0)) == MAP_FAILED) {
		r = TES_ERR_IO;
		goto out;
	}
	v.map = map;
	if ((r = verify_walk(&v)) == 0)
		verify_summary(&v);
out:
	if (records != NULL)
		*records = v.seq;
	if (map != MAP_FAILED)
		munmap(map, v.size);
	free(v.decided);
	dmap_free(&v.totals);
	dmap_free(&v.snapd);
	return r;
}

/* see db.h */
void
tes_db_close(struct tes_db *db)
{
	if (db == NULL)
		return;
	tag_reap(db, -1);
	(void)compact_reap(db, 1);
	if (db->since > 0 && !db->broken)
		(void)snapshot_warn(tes_db_compact(db));
	db_free(db);
}
