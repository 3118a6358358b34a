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

#include "common/err.h"

/* A reader or writer over a caller buffer; no interior ownership. */
struct tes_cur {
	uint8_t *buf;
	size_t len;
	size_t off;
};

/*@ logic integer be16(uint8_t *p) = p[0]*256 + p[1];
    logic integer be32(uint8_t *p) = ((p[0]*256 + p[1])*256 + p[2])*256 + p[3];
    logic integer be64(uint8_t *p) = be32(p)*4294967296 + be32(p + 4);
    predicate cur_rd(struct tes_cur *c) =
        \valid(c) && c->off <= c->len && \valid_read(c->buf + (0 .. c->len - 1));
    predicate cur_wr(struct tes_cur *c) =
        \valid(c) && c->off <= c->len && \valid(c->buf + (0 .. c->len - 1)) &&
        \separated(c, c->buf + (0 .. c->len - 1));
 */

/*@ requires \valid(c);
    requires \valid_read(buf + (0 .. len-1));
    terminates \true;
    assigns *c;
    ensures cur_rd(c) && c->off == 0 && c->buf == buf;
    ensures buf == \null ==> c->len == 0;
    ensures buf != \null ==> c->len == len;
 */
/* Reader over const bytes: the cursor API never writes through a reader. */
void
tes_cur_init_rd(struct tes_cur *c, const uint8_t *buf, size_t len);

/*@ requires \valid(c);
    requires \valid(buf + (0 .. len-1));
    requires \separated(c, buf + (0 .. len-1));
    terminates \true;
    assigns *c;
    ensures cur_wr(c) && c->off == 0 && c->buf == buf;
    ensures buf == \null ==> c->len == 0;
    ensures buf != \null ==> c->len == len;
 */
void
tes_cur_init_wr(struct tes_cur *c, uint8_t *buf, size_t len);

/*@ requires \valid_read(c) && c->off <= c->len;
    terminates \true;
    assigns \nothing;
    ensures \result == c->len - c->off;
 */
/* Bytes left between off and len. */
size_t
tes_cur_left(const struct tes_cur *c);

/*
 * Getters: on success the value is the big-endian integer at buf[off] and
 * off advances by its size; on failure (TES_ERR_TRUNCATED) nothing changes.
 */
/*@ requires cur_rd(c) && \valid(v) && \separated(v, c);
    terminates \true;
    assigns c->off, *v;
    behavior ok:
      assumes c->len - c->off >= 1;
      ensures \result == 0 && c->off == \old(c->off) + 1;
      ensures *v == c->buf[\old(c->off)];
    behavior short:
      assumes c->len - c->off < 1;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_get_u8(struct tes_cur *c, uint8_t *v);

/*@ requires cur_rd(c) && \valid(v) && \separated(v, c);
    terminates \true;
    assigns c->off, *v;
    behavior ok:
      assumes c->len - c->off >= 2;
      ensures \result == 0 && c->off == \old(c->off) + 2;
      ensures *v == be16(c->buf + \old(c->off));
    behavior short:
      assumes c->len - c->off < 2;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_get_u16be(struct tes_cur *c, uint16_t *v);

/*@ requires cur_rd(c) && \valid(v) && \separated(v, c);
    terminates \true;
    assigns c->off, *v;
    behavior ok:
      assumes c->len - c->off >= 4;
      ensures \result == 0 && c->off == \old(c->off) + 4;
      ensures *v == be32(c->buf + \old(c->off));
    behavior short:
      assumes c->len - c->off < 4;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_get_u32be(struct tes_cur *c, uint32_t *v);

/*@ requires cur_rd(c) && \valid(v) && \separated(v, c);
    terminates \true;
    assigns c->off, *v;
    behavior ok:
      assumes c->len - c->off >= 8;
      ensures \result == 0 && c->off == \old(c->off) + 8;
      ensures *v == be64(c->buf + \old(c->off));
    behavior short:
      assumes c->len - c->off < 8;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_get_u64be(struct tes_cur *c, uint64_t *v);

/*@ requires cur_rd(c) && \valid(out + (0 .. n-1));
    requires \separated(out + (0 .. n-1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, out[0 .. n-1];
    behavior ok:
      assumes n <= c->len - c->off;
      ensures \result == 0 && c->off == \old(c->off) + n;
      ensures \forall integer k; 0 <= k < n ==> out[k] == c->buf[\old(c->off) + k];
    behavior short:
      assumes n > c->len - c->off;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
/* Copy n bytes out. */
int
tes_cur_get_bytes(struct tes_cur *c, uint8_t *out, size_t n);

/*@ requires cur_rd(c) && \valid(view) && \separated(view, c);
    terminates \true;
    assigns c->off;
    assigns *view \from c->buf, c->off;
    behavior ok:
      assumes n <= c->len - c->off;
      ensures \result == 0 && c->off == \old(c->off) + n;
      ensures *view == c->buf + \old(c->off);
      ensures \valid_read(*view + (0 .. n-1));
    behavior short:
      assumes n > c->len - c->off;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
/* Point into the buffer without copying (view valid while buf lives). */
int
tes_cur_get_view(struct tes_cur *c, const uint8_t **view, size_t n);

/*
 * Putters: on success the encoding is at buf[off] and off advances; on
 * failure (TES_ERR_SPACE) nothing changes.
 */
/*@ requires cur_wr(c);
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    behavior ok:
      assumes c->len - c->off >= 1;
      assigns c->off, c->buf[c->off];
      ensures \result == 0 && c->off == \old(c->off) + 1;
      ensures c->buf[\old(c->off)] == v;
    behavior full:
      assumes c->len - c->off < 1;
      assigns \nothing;
      ensures \result == TES_ERR_SPACE && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_put_u8(struct tes_cur *c, uint8_t v);

/*@ requires cur_wr(c);
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    behavior ok:
      assumes c->len - c->off >= 2;
      assigns c->off, c->buf[c->off .. c->off + 1];
      ensures \result == 0 && c->off == \old(c->off) + 2;
      ensures be16(c->buf + \old(c->off)) == v;
    behavior full:
      assumes c->len - c->off < 2;
      assigns \nothing;
      ensures \result == TES_ERR_SPACE && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_put_u16be(struct tes_cur *c, uint16_t v);

/*@ requires cur_wr(c);
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    behavior ok:
      assumes c->len - c->off >= 4;
      assigns c->off, c->buf[c->off .. c->off + 3];
      ensures \result == 0 && c->off == \old(c->off) + 4;
      ensures be32(c->buf + \old(c->off)) == v;
    behavior full:
      assumes c->len - c->off < 4;
      assigns \nothing;
      ensures \result == TES_ERR_SPACE && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_put_u32be(struct tes_cur *c, uint32_t v);

/*@ requires cur_wr(c);
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    behavior ok:
      assumes c->len - c->off >= 8;
      assigns c->off, c->buf[c->off .. c->off + 7];
      ensures \result == 0 && c->off == \old(c->off) + 8;
      ensures be64(c->buf + \old(c->off)) == v;
    behavior full:
      assumes c->len - c->off < 8;
      assigns \nothing;
      ensures \result == TES_ERR_SPACE && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_put_u64be(struct tes_cur *c, uint64_t v);

/*@ requires cur_wr(c) && \valid_read(in + (0 .. n-1));
    requires \separated(in + (0 .. n-1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    behavior ok:
      assumes n <= c->len - c->off;
      assigns c->off, c->buf[c->off .. c->off + n - 1];
      ensures \result == 0 && c->off == \old(c->off) + n;
      ensures \forall integer k; 0 <= k < n ==> c->buf[\old(c->off) + k] == in[k];
    behavior full:
      assumes n > c->len - c->off;
      assigns \nothing;
      ensures \result == TES_ERR_SPACE && c->off == \old(c->off);
    complete behaviors; disjoint behaviors;
 */
int
tes_cur_put_bytes(struct tes_cur *c, const uint8_t *in, size_t n);

/*
 * Strings with a u8 length prefix (spec/PROTOCOL.md#encoding), the one
 * implementation every codec uses. The reader copies at most max bytes into
 * out and NUL-terminates it; the bytes themselves are the caller's to
 * validate. Both convert between char and uint8_t by value, never by
 * casting the pointer.
 */
/*@ requires cur_rd(c) && \valid(len) && \valid(out + (0 .. max)) && max <= 255;
    requires \separated(len, c, out + (0 .. max), c->buf + (0 .. c->len - 1));
    requires \separated(out + (0 .. max), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *len, out[0 .. max];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> *len <= max && out[*len] == 0 &&
            c->off == \old(c->off) + 1 + *len;
 */
int
tes_cur_get_str8(struct tes_cur *c, size_t max, uint8_t *len, char *out);

/*@ requires cur_wr(c) && \valid_read(s + (0 .. len-1));
    requires \separated(s + (0 .. len-1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + 1 + len;
 */
int
tes_cur_put_str8(struct tes_cur *c, const char *s, uint8_t len);

/*
 * Zero n bytes of an output buffer, typed for the proofs (tes_wipe() takes
 * void *). Not a wipe: a buffer that dies right after may have the stores
 * dropped by the compiler, so secrets go through tes_wipe().
 */
/*@ requires \valid(p + (0 .. n-1));
    terminates \true;
    assigns p[0 .. n-1];
    ensures \forall integer k; 0 <= k < n ==> p[k] == 0;
 */
void
tes_cur_zero(uint8_t *p, size_t n);

/* Decode helpers without a cursor (callers with fixed offsets). */
/*@ requires \valid_read(p + (0 .. 1));
    terminates \true;
    assigns \nothing;
    ensures \result == be16(p);
 */
uint16_t
tes_cur_dec16be(const uint8_t p[static 2]);

/*@ requires \valid_read(p + (0 .. 3));
    terminates \true;
    assigns \nothing;
    ensures \result == be32(p);
 */
uint32_t
tes_cur_dec32be(const uint8_t p[static 4]);

/*@ requires \valid_read(p + (0 .. 7));
    terminates \true;
    assigns \nothing;
    ensures \result == be64(p);
 */
uint64_t
tes_cur_dec64be(const uint8_t p[static 8]);

/*@ requires \valid(p + (0 .. 1));
    terminates \true;
    assigns p[0 .. 1];
    ensures be16(p) == v;
 */
void
tes_cur_enc16be(uint8_t p[static 2], uint16_t v);

/*@ requires \valid(p + (0 .. 3));
    terminates \true;
    assigns p[0 .. 3];
    ensures be32(p) == v;
 */
void
tes_cur_enc32be(uint8_t p[static 4], uint32_t v);

/*@ requires \valid(p + (0 .. 7));
    terminates \true;
    assigns p[0 .. 7];
    ensures be64(p) == v;
 */
void
tes_cur_enc64be(uint8_t p[static 8], uint64_t v);

#endif
