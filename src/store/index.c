/* SPDX-License-Identifier: ISC */
/*
 * The store's in-memory indexes (index.h): SipHash-2-4, the open-addressing
 * tables over the store's arrays, and the plate -> points map that the
 * store, drivers.enc and the verifier keep.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/wipe.h"
#include "store/alloc.h"
#include "store/index.h"

/* SipHash-2-4 */

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

/* see index.h */
uint64_t
tes_index_siphash(const uint8_t k[static TES_INDEX_KEY_LEN], const uint8_t *m, size_t n)
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

/* see index.h */
uint32_t
tes_index_plate_tag(const uint8_t hk[static TES_INDEX_KEY_LEN], const char *plate, size_t len)
{
	return (uint32_t)tes_index_siphash(hk, (const uint8_t *)plate, len) | 1U;
}

/* Hash tables */

static uint32_t
tag_of(const uint8_t hk[static TES_INDEX_KEY_LEN], const uint8_t *key, size_t klen)
{
	return (uint32_t)tes_index_siphash(hk, key, klen);
}

static size_t
slot_idx(uint64_t slot)
{
	return (size_t)(slot & 0xffffffffu);
}

/* see index.h */
void
tes_index_init(struct tes_index *t, tes_index_keyfn key)
{
	t->cap = TES_INDEX_MIN;
	t->n = 0;
	t->key = key;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
}

/* see index.h */
void
tes_index_free(struct tes_index *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}

/* Slot holding key (whose tag is tag), or the empty slot where it would go. */
static size_t
pos_of(const struct tes_index *t, const void *arr, uint32_t tag, const uint8_t *key, size_t klen)
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

/* see index.h */
size_t
tes_index_get(const struct tes_index *t, const uint8_t hk[static TES_INDEX_KEY_LEN], const void *arr,
	      const uint8_t *key, size_t klen)
{
	return slot_idx(t->slot[pos_of(t, arr, tag_of(hk, key, klen), key, klen)]);
}

/* Twice the slots; every entry goes to the first free slot from its home. */
static void
double_slots(struct tes_index *t)
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

/* see index.h */
int
tes_index_put_new(struct tes_index *t, const uint8_t hk[static TES_INDEX_KEY_LEN], const void *arr,
		  const uint8_t *key, size_t klen, size_t idx)
{
	uint32_t tag = tag_of(hk, key, klen);
	size_t pos;

	if (t->n >= TES_INDEX_MAX || idx >= TES_INDEX_MAX)
		tes_log_fatal("index: table full");
	if ((t->n + 1) * 2 > t->cap)
		double_slots(t);
	if (t->slot[pos = pos_of(t, arr, tag, key, klen)] != 0)
		return TES_ERR_EXISTS;
	t->slot[pos] = (uint64_t)tag << 32 | (idx + 1);
	t->n++;
	return 0;
}

/* see index.h */
void
tes_index_put(struct tes_index *t, const uint8_t hk[static TES_INDEX_KEY_LEN], const void *arr, size_t idx)
{
	const uint8_t *k;
	size_t kl;

	k = t->key(arr, idx, &kl);
	(void)tes_index_put_new(t, hk, arr, k, kl, idx);
}

/* see index.h */
void
tes_index_reserve(struct tes_index *t, size_t n)
{
	size_t cap = t->cap;

	if (t->n != 0 || n > TES_INDEX_MAX)
		return;
	while (cap < 2 * n)
		cap *= 2;
	if (cap == t->cap)
		return;
	free(t->slot);
	t->cap = cap;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
}

/* Plate -> points */

static const uint8_t *
plate_key(const void *arr, size_t i, size_t *klen)
{
	const struct tes_driver *d = (const struct tes_driver *)arr + i;

	*klen = d->plate_len;
	return (const uint8_t *)d->plate;
}

/* see index.h */
void
tes_index_map_init(struct tes_index_map *m)
{
	memset(m, 0, sizeof(*m));
	tes_index_init(&m->t, plate_key);
}

/* see index.h */
void
tes_index_map_free(struct tes_index_map *m)
{
	if (m->v != NULL)
		tes_wipe(m->v, m->cap * sizeof(*m->v));
	free(m->v);
	free(m->t.slot);
	memset(m, 0, sizeof(*m));
}

/* see index.h */
void
tes_index_map_reserve(struct tes_index_map *m, size_t n)
{
	if (m->n != 0 || n <= m->cap)
		return;
	m->v = xrealloc(m->v, n, sizeof(*m->v));
	m->cap = n;
	tes_index_reserve(&m->t, n);
}

/* see index.h */
uint32_t
tes_index_map_get(const struct tes_index_map *m, const uint8_t hk[static TES_INDEX_KEY_LEN],
		  const char *plate, size_t len)
{
	size_t i = tes_index_get(&m->t, hk, m->v, (const uint8_t *)plate, len);

	return i == 0 ? 0 : m->v[i - 1].points;
}

/* see index.h */
size_t
tes_index_map_add(struct tes_index_map *m, const uint8_t hk[static TES_INDEX_KEY_LEN], const char *plate,
		  uint8_t len, uint32_t pts)
{
	struct tes_driver *d;
	size_t i;

	if (pts == 0 || len > TES_PLATE_MAX)
		return 0;
	if ((i = tes_index_get(&m->t, hk, m->v, (const uint8_t *)plate, len)) == 0) {
		m->v = grow(m->v, &m->cap, m->n, sizeof(*m->v));
		d = &m->v[m->n];
		memset(d, 0, sizeof(*d));
		memcpy(d->plate, plate, len);
		d->plate_len = len;
		tes_index_put(&m->t, hk, m->v, m->n);
		i = ++m->n;
	}
	d = &m->v[i - 1];
	d->points = pts > UINT32_MAX - d->points ? UINT32_MAX : d->points + pts;
	return i;
}

/* see index.h */
int
tes_index_map_put_new(struct tes_index_map *m, const uint8_t hk[static TES_INDEX_KEY_LEN],
		      const struct tes_driver *d)
{
	if (d->plate_len > TES_PLATE_MAX || d->points == 0)
		return TES_ERR_ARG;
	if (tes_index_put_new(&m->t, hk, m->v, (const uint8_t *)d->plate, d->plate_len, m->n) != 0)
		return TES_ERR_EXISTS;
	m->v = grow(m->v, &m->cap, m->n, sizeof(*m->v));
	m->v[m->n++] = *d;
	return 0;
}

/* see index.h */
int
tes_index_map_equal(const struct tes_index_map *a, const struct tes_index_map *b,
		    const uint8_t hk[static TES_INDEX_KEY_LEN])
{
	size_t i;

	/* plates are unique in each map, so one direction and the counts suffice */
	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (tes_index_map_get(b, hk, a->v[i].plate, a->v[i].plate_len) != a->v[i].points)
			return 0;
	return 1;
}

static int
plate_order(const void *a, const void *b)
{
	const struct tes_driver *x = a, *y = b;
	int c = tes_drivers_plate_cmp(x->plate, x->plate_len, y->plate, y->plate_len);

	if (c != 0)
		return c;
	return x->time < y->time ? -1 : x->time > y->time;
}

/* see index.h */
void
tes_index_map_sort(struct tes_driver *v, size_t n)
{
	if (n > 0)
		qsort(v, n, sizeof(*v), plate_order);
}
