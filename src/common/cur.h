/* SPDX-License-Identifier: ISC */
/*
 * The bounded cursor (s2n stuffer / BearSSL codec style). Every byte of every
 * codec goes through these functions; none reads or writes outside
 * buf[0 .. len-1], and a failed call leaves the cursor unchanged. Integers are
 * big-endian and built with arithmetic, not shifts, so that the contracts
 * prove (spec/PROTOCOL.md#encoding).
 */
#ifndef TES_COMMON_CUR_H
#define TES_COMMON_CUR_H

#include <stddef.h>
#include <stdint.h>

/* A reader or writer over a caller buffer; no interior ownership. */
struct tes_cur {
	uint8_t *buf;
	size_t len;
	size_t off;
};

/* Reader over const bytes: the cursor API never writes through a reader. */
void
tes_cur_init_rd(struct tes_cur *c, const uint8_t *buf, size_t len);
void
tes_cur_init_wr(struct tes_cur *c, uint8_t *buf, size_t len);

/* Bytes left between off and len. */
size_t
tes_cur_left(const struct tes_cur *c);

int tes_cur_get_u8(struct tes_cur *c, uint8_t *v);
int tes_cur_get_u16be(struct tes_cur *c, uint16_t *v);
int tes_cur_get_u32be(struct tes_cur *c, uint32_t *v);
int tes_cur_get_u64be(struct tes_cur *c, uint64_t *v);
/* Copy n bytes out. */
int tes_cur_get_bytes(struct tes_cur *c, uint8_t *out, size_t n);
/* Point into the buffer without copying (view valid while buf lives). */
int tes_cur_get_view(struct tes_cur *c, const uint8_t **view, size_t n);

int tes_cur_put_u8(struct tes_cur *c, uint8_t v);
int tes_cur_put_u16be(struct tes_cur *c, uint16_t v);
int tes_cur_put_u32be(struct tes_cur *c, uint32_t v);
int tes_cur_put_u64be(struct tes_cur *c, uint64_t v);
int tes_cur_put_bytes(struct tes_cur *c, const uint8_t *in, size_t n);

/* Decode helpers without a cursor (callers with fixed offsets). */
uint16_t tes_dec16be(const uint8_t p[static 2]);
uint32_t tes_dec32be(const uint8_t p[static 4]);
uint64_t tes_dec64be(const uint8_t p[static 8]);
void tes_enc16be(uint8_t p[static 2], uint16_t v);
void tes_enc32be(uint8_t p[static 4], uint32_t v);
void tes_enc64be(uint8_t p[static 8], uint64_t v);

#endif
