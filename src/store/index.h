/* SPDX-License-Identifier: ISC */
/*
 * The store's in-memory indexes: SipHash-2-4, the hash tables that find a
 * report by id and a unit or user by name, and the map from plate to
 * penalty points. Pure: no I/O, no clock, no thread. Memory comes from the
 * heap and out of memory ends the process (tes_log_fatal), as it does for the
 * store (db.h). Hashes are keyed by the caller (a per-process random key),
 * so that crafted ids or plates cannot collide on purpose.
 */
#ifndef TES_STORE_INDEX_H
#define TES_STORE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "store/drivers.h"

enum {
	TES_INDEX_KEY_LEN = 16,    /* SipHash key */
	TES_INDEX_MIN = 64,        /* initial slots of a table (a power of two) */
	TES_INDEX_MAX = 0x7fffffff /* entries of a table, so that a slot fits a 32-bit tag */
};

/* SipHash-2-4 of m[0 .. n-1] under key k (the 64-bit output of the reference paper). */
uint64_t
tes_index_siphash(const uint8_t k[static TES_INDEX_KEY_LEN], const uint8_t *m, size_t n);

/*
 * A plate in 32 bits, never 0 (0 means "unknown" to the store): the plate
 * history reads back only the reports whose tag matches.
 */
uint32_t
tes_index_plate_tag(const uint8_t hk[static TES_INDEX_KEY_LEN], const char *plate, size_t len);

/* Key bytes of entry i of an array (the table does not own the array). */
typedef const uint8_t *(*tes_index_keyfn)(const void *arr, size_t i, size_t *klen);

/*
 * Open-addressing hash table of array indexes, linear probing, load <= 1/2.
 * A slot is 0 when empty, else tag << 32 | (entry index + 1), where the tag
 * is the low 32 bits of the key's SipHash: probes skip other keys without
 * reading their entries, and growing needs no hashing (the home slot is
 * tag & (cap - 1), cap <= 2^32). Every function that takes hk must be given
 * the same key over the table's life.
 */
struct tes_index {
	uint64_t *slot;
	size_t cap; /* a power of two */
	size_t n;   /* entries */
	tes_index_keyfn key;
};

/* An empty table of TES_INDEX_MIN slots whose entries' keys key() gives. */
void
tes_index_init(struct tes_index *t, tes_index_keyfn key);

/* Free the slots (the entries' array is the caller's); t must be initialised again before use. */
void
tes_index_free(struct tes_index *t);

/* Index + 1 of the entry of arr whose key is key[0 .. klen-1], 0 if none. */
size_t
tes_index_get(const struct tes_index *t, const uint8_t hk[static TES_INDEX_KEY_LEN], const void *arr,
	      const uint8_t *key, size_t klen);

/*
 * Index entry idx of arr under key, unless an entry has that key:
 * TES_ERR_EXISTS, and nothing changes. Entry idx itself is not read (the
 * caller may fill it afterwards). More than TES_INDEX_MAX entries, or an idx
 * at or above it, end the process.
 */
int
tes_index_put_new(struct tes_index *t, const uint8_t hk[static TES_INDEX_KEY_LEN], const void *arr,
		  const uint8_t *key, size_t klen, size_t idx);

/* Index entry idx of arr under its own key, which must not be in the table yet. */
void
tes_index_put(struct tes_index *t, const uint8_t hk[static TES_INDEX_KEY_LEN], const void *arr, size_t idx);

/*
 * Room for n entries without growing, in a table that is still empty (a
 * table with entries, or n above TES_INDEX_MAX, is left as it is).
 */
void
tes_index_reserve(struct tes_index *t, size_t n);

/*
 * Plate -> penalty points. Entries v[0 .. n-1] in insertion order, each plate
 * once, at most TES_PLATE_MAX bytes (the entry drivers.enc
 * holds); a plate appears once it has points. v is wiped when freed.
 */
struct tes_index_map {
	struct tes_driver *v;
	size_t n, cap;
	struct tes_index t;
};

/* An empty map. */
void
tes_index_map_init(struct tes_index_map *m);

/* Wipe and free the entries and the table; the map is left zeroed (tes_index_map_init it before reuse). */
void
tes_index_map_free(struct tes_index_map *m);

/* Room for n plates in a map that is still empty (no change otherwise). */
void
tes_index_map_reserve(struct tes_index_map *m, size_t n);

/* Points of a plate, 0 when it has none. */
uint32_t
tes_index_map_get(const struct tes_index_map *m, const uint8_t hk[static TES_INDEX_KEY_LEN],
		  const char *plate, size_t len);

/*
 * Add pts to a plate's points, saturating at UINT32_MAX; pts == 0 or a plate
 * longer than TES_PLATE_MAX changes nothing (returns 0). Returns the index + 1
 * of the plate's entry (entries keep their index for the map's life).
 */
size_t
tes_index_map_add(struct tes_index_map *m, const uint8_t hk[static TES_INDEX_KEY_LEN], const char *plate,
		  uint8_t len, uint32_t pts);

/*
 * Add entry d, whose plate must not be in the map yet (one table probe):
 * TES_ERR_EXISTS if it is, TES_ERR_ARG if it has no points or a plate
 * longer than TES_PLATE_MAX; nothing changes on failure.
 */
int
tes_index_map_put_new(struct tes_index_map *m, const uint8_t hk[static TES_INDEX_KEY_LEN],
		      const struct tes_driver *d);

/* 1 when both maps hold the same plates with the same points, else 0 (both keyed by hk). */
int
tes_index_map_equal(const struct tes_index_map *a, const struct tes_index_map *b,
		    const uint8_t hk[static TES_INDEX_KEY_LEN]);

/* Sort n entries in (plate, time) order (tes_drivers_plate_cmp, then time), as drivers.enc stores them. */
void
tes_index_map_sort(struct tes_driver *v, size_t n);

#endif
