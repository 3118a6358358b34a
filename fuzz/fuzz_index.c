/* SPDX-License-Identifier: ISC */
/*
 * Target "index": the store's in-memory indexes (src/store/index.c). Report
 * ids, unit and user names reach these tables from the journal, and plates
 * from drivers.enc and from decisions; the tables are keyed by a secret per
 * process, but their logic must hold for any key bytes. The input is a
 * sequence of operations on one table and two plate maps, each checked
 * against a plain model (arrays searched one by one):
 *
 *   input = op*
 *   op    = u8 code | operands          (code & 7 picks the operation,
 *                                        bit 3 a variant, bit 4 a map)
 *     0 insert   u8 len | key           tes_index_put_new, or tes_index_put (bit 3)
 *     1 lookup   u8 len | key           tes_index_get
 *     2 stored   u16 k                  tes_index_get of entry k % n, and of its key one byte longer
 *     3 reserve  u16 n (% 2048)         tes_index_reserve (table; bit 5: n above TES_INDEX_MAX),
 *                                       tes_index_map_reserve (bit 3)
 *     4 add      u8 len | plate | u8 w | w bytes of points    tes_index_map_add
 *     5 put_new  u8 len | plate | u8 w | w bytes of points    tes_index_map_put_new
 *     6 get      u8 len | plate         tes_index_map_get
 *     7 check    u8 len | bytes         tes_index_map_equal, tes_index_map_sort, SipHash
 *
 * Keys are 0..16 bytes, plates 0..TES_PLATE_MAX + 2 (the maps refuse the
 * longer ones), points 0..4 bytes (big-endian). The hash key is fixed (00 01
 * .. 0f) so that the corpus keeps keys whose 32-bit tags collide.
 * Properties: every result matches the model (found index, duplicate
 * refused, points with saturation, refusals that change nothing, equality),
 * the tables stay sound (capacity a power of two, load at most 1/2, every
 * slot's tag the SipHash of its entry's key), a map's entries are the
 * model's in insertion order, a sort gives drivers.enc order, and SipHash
 * agrees with a reference written here from the paper. The tables allocate
 * (they grow); everything is freed before the input ends.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "store/index.h"

enum {
	KEY_MAX = 16,
	ENT_MAX = 512,     /* table entries the model keeps */
	PLATES_MAX = 512,  /* plates per map */
	RESERVE_MAX = 2048 /* reserves stay below (it costs a table of twice as many slots) */
};

struct ent {
	uint8_t len;
	uint8_t k[KEY_MAX];
};

static const uint8_t hk[TES_INDEX_KEY_LEN] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

/* SipHash-2-4 from the paper, a byte at a time (independent of index.c). */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3)                                          \
	do {                                                              \
		v0 += v1, v1 = ROTL(v1, 13), v1 ^= v0, v0 = ROTL(v0, 32); \
		v2 += v3, v3 = ROTL(v3, 16), v3 ^= v2;                    \
		v0 += v3, v3 = ROTL(v3, 21), v3 ^= v0;                    \
		v2 += v1, v1 = ROTL(v1, 17), v1 ^= v2, v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t
ref_siphash(const uint8_t *k, const uint8_t *m, size_t n)
{
	uint64_t k0 = 0, k1 = 0, v0, v1, v2, v3, w = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		k0 |= (uint64_t)k[i] << (8 * i), k1 |= (uint64_t)k[8 + i] << (8 * i);
	v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	for (i = 0; i <= n; i++) {
		if (i == n)
			w |= (uint64_t)(n & 0xff) << 56; /* the last word: length byte on top */
		else
			w |= (uint64_t)m[i] << (8 * (i % 8));
		if (i % 8 == 7 || i == n) {
			v3 ^= w;
			SIPROUND(v0, v1, v2, v3);
			SIPROUND(v0, v1, v2, v3);
			v0 ^= w;
			w = 0;
			if (i == n)
				break;
		}
	}
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The state of one input: the table's entries (they are also its model) and the maps' models. */
struct run {
	struct tes_index t;
	struct ent e[ENT_MAX];
	size_t n;
	struct tes_index_map m[2];
	struct tes_driver want[2][PLATES_MAX];
	size_t nwant[2];
};

static const uint8_t *
ent_key(const void *arr, size_t i, size_t *klen)
{
	const struct ent *e = (const struct ent *)arr + i;

	*klen = e->len;
	return e->k;
}

/* Model: index + 1 of key in the table's entries, 0 if none. */
static size_t
model_find(const struct run *r, const uint8_t *k, size_t len)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].len == len && memcmp(r->e[i].k, k, len) == 0)
			return i + 1;
	return 0;
}

/* u8 length (mod lmax + 1), then that many bytes, zero-padded past the end of the input. */
static size_t
take_key(struct fuzz_in *in, size_t lmax, uint8_t *out)
{
	size_t len = fuzz_u8(in) % (lmax + 1), got;
	const uint8_t *p = fuzz_bytes(in, len, &got);

	memset(out, 0, lmax);
	memcpy(out, p, got);
	return len;
}

static void
check_hash(const uint8_t *k, size_t len)
{
	uint64_t h = tes_index_siphash(hk, k, len);

	fuzz_check(h == ref_siphash(hk, k, len), "SipHash-2-4 agrees with the reference");
	fuzz_check(tes_index_plate_tag(hk, (const char *)k, len) == ((uint32_t)h | 1U),
		   "plate tag is the hash | 1");
}

static void
op_insert(struct run *r, struct fuzz_in *in, int put)
{
	struct ent x;
	size_t had;
	int rc;

	x.len = (uint8_t)take_key(in, KEY_MAX, x.k);
	check_hash(x.k, x.len);
	had = model_find(r, x.k, x.len);
	if (had == 0 && r->n == ENT_MAX)
		return;
	if (put && had == 0) { /* tes_index_put: the key must be new */
		r->e[r->n] = x;
		tes_index_put(&r->t, hk, r->e, r->n);
		r->n++;
	} else {
		rc = tes_index_put_new(&r->t, hk, r->e, x.k, x.len, r->n);
		fuzz_check(rc == (had != 0 ? TES_ERR_EXISTS : 0), "put_new refuses exactly the keys present");
		if (rc == 0)
			r->e[r->n++] = x; /* the entry is filled after it is indexed, as the store does */
	}
	fuzz_check(r->t.n == r->n, "entry count");
}

static void
op_lookup(struct run *r, struct fuzz_in *in)
{
	uint8_t k[KEY_MAX];
	size_t len = take_key(in, KEY_MAX, k);

	check_hash(k, len);
	fuzz_check(tes_index_get(&r->t, hk, r->e, k, len) == model_find(r, k, len),
		   "lookup matches the model");
}

static void
op_stored(struct run *r, struct fuzz_in *in)
{
	size_t i = fuzz_u16(in), len;
	uint8_t k[KEY_MAX + 1];

	if (r->n == 0)
		return;
	i %= r->n;
	fuzz_check(tes_index_get(&r->t, hk, r->e, r->e[i].k, r->e[i].len) == i + 1, "a stored key is found");
	/* the same bytes and one more: another key */
	len = r->e[i].len;
	memcpy(k, r->e[i].k, len);
	k[len] = 0;
	if (len < KEY_MAX)
		fuzz_check(tes_index_get(&r->t, hk, r->e, k, len + 1) == model_find(r, k, len + 1),
			   "a longer key is another key");
}

static int
pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static void
op_reserve(struct run *r, struct fuzz_in *in, int map, int which, int huge)
{
	size_t n = fuzz_u16(in) % RESERVE_MAX, cap;
	struct tes_index_map *m = &r->m[which];

	if (map) {
		cap = m->cap;
		tes_index_map_reserve(m, n);
		fuzz_check(m->cap == (m->n == 0 && n > cap ? n : cap), "map reserve only grows an empty map");
		fuzz_check(m->t.cap >= 2 * m->cap || m->n != 0 || n <= cap,
			   "map reserve reserves its table too");
		return;
	}
	cap = r->t.cap;
	if (huge)
		n += (size_t)TES_INDEX_MAX + 1;
	tes_index_reserve(&r->t, n);
	if (r->t.n != 0 || huge)
		fuzz_check(r->t.cap == cap,
			   "reserve leaves a table with entries, or n above the limit, alone");
	else
		fuzz_check(pow2(r->t.cap) && r->t.cap >= cap && r->t.cap >= 2 * n &&
				   (r->t.cap == cap || r->t.cap / 2 < 2 * n),
			   "reserve gives the smallest doubling that holds n at load 1/2");
}

/* Plate, then points of 0..4 bytes. */
static void
take_plate(struct fuzz_in *in, struct tes_driver *d)
{
	uint8_t p[TES_PLATE_MAX + 2];
	size_t w, i;

	memset(d, 0, sizeof(*d));
	d->plate_len = (uint8_t)take_key(in, TES_PLATE_MAX + 2, p);
	memcpy(d->plate, p, d->plate_len <= TES_PLATE_MAX ? d->plate_len : TES_PLATE_MAX);
	w = fuzz_u8(in) % 5;
	for (i = 0; i < w; i++)
		d->points = d->points << 8 | fuzz_u8(in);
}

static struct tes_driver *
model_plate(struct run *r, int which, const char *plate, size_t len)
{
	size_t i;

	for (i = 0; i < r->nwant[which]; i++)
		if (r->want[which][i].plate_len == len && memcmp(r->want[which][i].plate, plate, len) == 0)
			return &r->want[which][i];
	return NULL;
}

static void
op_map(struct run *r, struct fuzz_in *in, int which, int put_new)
{
	struct tes_index_map *m = &r->m[which];
	struct tes_driver d, *w;
	int rc, ok;

	take_plate(in, &d);
	ok = d.points != 0 && d.plate_len <= TES_PLATE_MAX;
	w = ok ? model_plate(r, which, d.plate, d.plate_len) : NULL;
	if (ok && w == NULL && r->nwant[which] == PLATES_MAX)
		return;
	if (put_new) {
		rc = tes_index_map_put_new(m, hk, &d);
		fuzz_check(rc == (!ok ? TES_ERR_ARG : w != NULL ? TES_ERR_EXISTS : 0), "map put_new result");
		if (rc == 0)
			r->want[which][r->nwant[which]++] = d;
	} else {
		tes_index_map_add(m, hk, d.plate, d.plate_len, d.points);
		if (ok && w == NULL)
			r->want[which][r->nwant[which]++] = d;
		else if (ok)
			w->points = d.points > UINT32_MAX - w->points ? UINT32_MAX : w->points + d.points;
	}
	fuzz_check(m->n == r->nwant[which], "map size");
}

static void
op_get(struct run *r, struct fuzz_in *in, int which)
{
	uint8_t p[TES_PLATE_MAX + 2];
	struct tes_driver *w;
	size_t len = take_key(in, TES_PLATE_MAX + 2, p);

	if (len > TES_PLATE_MAX)
		return; /* the store never asks for those */
	w = model_plate(r, which, (const char *)p, len);
	fuzz_check(tes_index_map_get(&r->m[which], hk, (const char *)p, len) == (w != NULL ? w->points : 0),
		   "map get matches the model");
}

/* Plate order, written here: bytes as unsigned, a proper prefix first. */
static int
model_order(const void *a, const void *b)
{
	const struct tes_driver *x = a, *y = b;
	size_t n = x->plate_len < y->plate_len ? x->plate_len : y->plate_len;
	int c = memcmp(x->plate, y->plate, n);

	return c != 0 ? c : (x->plate_len > y->plate_len) - (x->plate_len < y->plate_len);
}

static int
same_entry(const struct tes_driver *a, const struct tes_driver *b)
{
	return a->plate_len == b->plate_len && memcmp(a->plate, b->plate, a->plate_len) == 0 &&
	       a->points == b->points;
}

static void
op_check(struct run *r, struct fuzz_in *in, int which)
{
	static struct tes_driver v[PLATES_MAX], s[2][PLATES_MAX];
	const struct tes_index_map *m = &r->m[which];
	uint8_t b[64];
	size_t i, len;
	int w, eq;

	for (w = 0; w < 2; w++) {
		if (r->nwant[w] > 0)
			memcpy(s[w], r->want[w], r->nwant[w] * sizeof(*s[w]));
		qsort(s[w], r->nwant[w], sizeof(*s[w]), model_order);
	}
	eq = r->nwant[0] == r->nwant[1];
	for (i = 0; eq && i < r->nwant[0]; i++)
		eq = same_entry(&s[0][i], &s[1][i]);
	fuzz_check(tes_index_map_equal(&r->m[0], &r->m[1], hk) == eq &&
			   tes_index_map_equal(&r->m[1], &r->m[0], hk) == eq,
		   "map equality matches the model, both ways");
	if (m->n > 0)
		memcpy(v, m->v, m->n * sizeof(*v));
	tes_index_map_sort(v, m->n);
	for (i = 0; i < m->n; i++) {
		fuzz_check(i == 0 || tes_drivers_plate_cmp(v[i - 1].plate, v[i - 1].plate_len, v[i].plate,
							   v[i].plate_len) < 0,
			   "sorted strictly in plate order");
		fuzz_check(same_entry(&v[i], &s[which][i]),
			   "the sort gives the model's entries in its order");
	}
	len = take_key(in, sizeof(b) - 1, b);
	check_hash(b, len);
}

/* The table and the maps against the model, slot by slot. */
static void
check_all(struct run *r)
{
	size_t i, used = 0, k, len;
	const uint8_t *key;
	int w;

	fuzz_check(r->t.n == r->n && pow2(r->t.cap) && r->t.cap >= TES_INDEX_MIN && r->t.n * 2 <= r->t.cap,
		   "table shape");
	for (i = 0; i < r->t.cap; i++) {
		if (r->t.slot[i] == 0)
			continue;
		used++;
		k = (size_t)(r->t.slot[i] & 0xffffffffu);
		fuzz_check(k >= 1 && k <= r->n, "slot index");
		key = ent_key(r->e, k - 1, &len);
		fuzz_check((uint32_t)(r->t.slot[i] >> 32) == (uint32_t)ref_siphash(hk, key, len), "slot tag");
	}
	fuzz_check(used == r->n, "one slot per entry");
	for (i = 0; i < r->n; i++)
		fuzz_check(tes_index_get(&r->t, hk, r->e, r->e[i].k, r->e[i].len) == i + 1,
			   "every entry found");
	for (w = 0; w < 2; w++) {
		fuzz_check(r->m[w].n == r->nwant[w] && r->m[w].t.n == r->nwant[w], "map size");
		for (i = 0; i < r->nwant[w]; i++) {
			fuzz_check(r->m[w].v[i].plate_len == r->want[w][i].plate_len &&
					   memcmp(r->m[w].v[i].plate, r->want[w][i].plate,
						  r->want[w][i].plate_len) == 0 &&
					   r->m[w].v[i].points == r->want[w][i].points,
				   "map entries in insertion order");
			fuzz_check(tes_index_map_get(&r->m[w], hk, r->want[w][i].plate,
						     r->want[w][i].plate_len) == r->want[w][i].points,
				   "every plate found");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct fuzz_in in = { data, size, 0 };
	uint8_t c;

	memset(&r, 0, sizeof(r));
	tes_index_init(&r.t, ent_key);
	tes_index_map_init(&r.m[0]);
	tes_index_map_init(&r.m[1]);
	while (in.off < in.n) {
		c = fuzz_u8(&in);
		switch (c & 7) {
		case 0:
			op_insert(&r, &in, (c & 8) != 0);
			break;
		case 1:
			op_lookup(&r, &in);
			break;
		case 2:
			op_stored(&r, &in);
			break;
		case 3:
			op_reserve(&r, &in, (c & 8) != 0, (c >> 4) & 1, (c & 0x28) == 0x20);
			break;
		case 4:
			op_map(&r, &in, (c >> 4) & 1, 0);
			break;
		case 5:
			op_map(&r, &in, (c >> 4) & 1, 1);
			break;
		case 6:
			op_get(&r, &in, (c >> 4) & 1);
			break;
		default:
			op_check(&r, &in, (c >> 4) & 1);
			break;
		}
	}
	check_all(&r);
	tes_index_free(&r.t);
	tes_index_map_free(&r.m[0]);
	tes_index_map_free(&r.m[1]);
	return 0;
}
