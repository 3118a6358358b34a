/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the common module (src/common): the bounded cursor and its
 * str8 strings, the frame reader, base64 and hex (RFC 4648 vectors, every
 * malformed input, round trips), time formatting (and its reader), command-line
 * numbers, and file I/O in a scratch directory (links, FIFOs, modes,
 * atomic replacement, sync).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/cli.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/io.h"
#include "common/time.h"
#include "crypto/rng.h"
#include "tap.h"
#include "util.h"
#include "wire/frame.h"
#include "wire/rfc3339.h"

/* ---- cursor (common/cur.h) ---- */

static void
test_cursor(void)
{
	uint8_t buf[15], out[4];
	struct tes_cur c;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	tes_cur_init_wr(&c, buf, sizeof buf);
	OK(tes_cur_put_u8(&c, 0xab) == 0 && tes_cur_put_u16be(&c, 0x1234) == 0 &&
		   tes_cur_put_u32be(&c, 0xdeadbeef) == 0 &&
		   tes_cur_put_u64be(&c, 0x0102030405060708ull) == 0,
	   "cursor writes u8/u16/u32/u64");
	EQ_INT(tes_cur_put_u8(&c, 1), TES_ERR_SPACE, "cursor refuses to write past the end");
	EQ_MEM(buf, "\xab\x12\x34\xde\xad\xbe\xef\x01\x02\x03\x04\x05\x06\x07\x08", 15,
	       "big-endian layout (MUST-E1)");
	tes_cur_init_rd(&c, buf, sizeof buf);
	OK(tes_cur_get_u8(&c, &v8) == 0 && v8 == 0xab, "get u8");
	OK(tes_cur_get_u16be(&c, &v16) == 0 && v16 == 0x1234, "get u16be");
	OK(tes_cur_get_u32be(&c, &v32) == 0 && v32 == 0xdeadbeef, "get u32be");
	OK(tes_cur_get_u64be(&c, &v64) == 0 && v64 == 0x0102030405060708ull, "get u64be");
	EQ_INT(tes_cur_get_u8(&c, &v8), TES_ERR_TRUNCATED, "get past the end is TRUNCATED");
	tes_cur_init_rd(&c, buf, 3);
	EQ_INT(tes_cur_get_u32be(&c, &v32), TES_ERR_TRUNCATED, "u32 from 3 bytes is TRUNCATED");
	EQ_INT(c.off, 0, "a failed get leaves the cursor unchanged");
	EQ_INT(tes_cur_get_bytes(&c, out, 4), TES_ERR_TRUNCATED, "get_bytes beyond the end");
	tes_cur_init_rd(&c, NULL, 10);
	EQ_INT(tes_cur_left(&c), 0, "a NULL buffer has no bytes");
}

/* A str8 is a u8 length and that many bytes; the length is checked against its limit first. */
static void
test_str8(void)
{
	uint8_t buf[8];
	char s[8];
	struct tes_cur c;
	uint8_t n = 0;

	tes_cur_init_wr(&c, buf, sizeof buf);
	OK(tes_cur_put_str8(&c, "abc", 3) == 0 && c.off == 4 && memcmp(buf, "\003abc", 4) == 0,
	   "str8: length byte, then the bytes, no terminator (MUST-E1)");
	tes_cur_init_rd(&c, buf, 4);
	OK(tes_cur_get_str8(&c, 3, &n, s) == 0 && n == 3 && strcmp(s, "abc") == 0 && c.off == 4,
	   "control: a str8 at its limit is read");
	tes_cur_init_rd(&c, buf, 4);
	memset(s, 'x', sizeof s);
	EQ_INT(tes_cur_get_str8(&c, 2, &n, s), TES_ERR_TOOLONG,
	       "a str8 longer than its limit is refused, its bytes there or not (MUST-E3)");
	OK(s[0] == 'x', "and none of its bytes is copied");
	buf[0] = 200;
	tes_cur_init_rd(&c, buf, 4);
	EQ_INT(tes_cur_get_str8(&c, 32, &n, s), TES_ERR_TOOLONG,
	       "a length of 200 is refused before the bytes are looked for (MUST-E3)");
	buf[0] = 3;
	tes_cur_init_rd(&c, buf, 3);
	EQ_INT(tes_cur_get_str8(&c, 3, &n, s), TES_ERR_TRUNCATED, "a str8 missing its bytes: truncated");
}

/* ---- frame reader (common/io.h) ---- */

/* A receiver reads the 6-byte header and checks it before it reads any payload. */
static void
test_frame_read(void)
{
	/* RECORD headers announcing 4091 and 3 bytes, then 3 bytes */
	static const uint8_t over[] = { 0x54, 1, TES_FRAME_RECORD, 0, 0x0f, 0xfb, 'x', 'y', 'z' };
	static const uint8_t fine[] = { 0x54, 1, TES_FRAME_RECORD, 0, 0, 3, 'x', 'y', 'z' };
	struct timeval tv = { .tv_sec = 2 };
	uint8_t buf[TES_FRAME_MAX], rest[8];
	struct tes_frame_hdr h;
	const uint8_t *pl;
	size_t flen = 0;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
		OK(0, "a socket pair");
		return;
	}
	/* a receiver that read the payload first would wait for 4091 bytes and time out */
	r = write(sv[1], over, sizeof over) == (ssize_t)sizeof over ? 0 : -1;
	r = r == 0 ? tes_io_read_frame(sv[0], buf, &h, &pl, &flen) : r;
	EQ_INT(r, TES_ERR_TOOLONG, "an oversize length is refused from the header (MUST-F5)");
	OK(recv(sv[0], rest, sizeof rest, MSG_DONTWAIT) == 3 && memcmp(rest, "xyz", 3) == 0,
	   "and no byte after the header was read");
	r = write(sv[1], fine, sizeof fine) == (ssize_t)sizeof fine ? 0 : -1;
	r = r == 0 ? tes_io_read_frame(sv[0], buf, &h, &pl, &flen) : r;
	OK(r == 0 && flen == sizeof fine && h.length == 3 && memcmp(pl, "xyz", 3) == 0,
	   "control: a frame within the limit is read whole");
	close(sv[0]);
	close(sv[1]);
}

/* ---- base64 / hex (common/b64.h) ---- */

static void
test_b64_vectors(void)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *padded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *bare[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	char enc[16], hex[16];
	uint8_t dec[16];
	size_t i, n, len;
	int r1, r2, r3;

	for (i = 0; i < 7; i++) {
		n = strlen(plain[i]);
		r1 = tes_b64_encode((const uint8_t *)plain[i], n, enc, sizeof(enc), 1);
		OK(r1 == 0 && strcmp(enc, padded[i]) == 0, "b64 RFC 4648 \"%s\" padded", plain[i]);
		r1 = tes_b64_encode((const uint8_t *)plain[i], n, enc, sizeof(enc), 0);
		OK(r1 == 0 && strcmp(enc, bare[i]) == 0, "b64 RFC 4648 \"%s\" unpadded", plain[i]);
		len = 99;
		r1 = tes_b64_decode(padded[i], strlen(padded[i]), dec, sizeof(dec), &len);
		OK(r1 == 0 && len == n && memcmp(dec, plain[i], n) == 0, "b64 decode %s", padded[i]);
		len = 99;
		r2 = tes_b64_decode(bare[i], strlen(bare[i]), dec, sizeof(dec), &len);
		OK(r2 == 0 && len == n && memcmp(dec, plain[i], n) == 0, "b64 decode %s", bare[i]);
	}
	tes_hex_encode((const uint8_t *)"foobar", 6, hex);
	OK(strcmp(hex, "666f6f626172") == 0, "hex RFC 4648 base16 foobar");
	r1 = tes_hex_decode("666F6f626172", 12, dec, 6);
	OK(r1 == 0 && memcmp(dec, "foobar", 6) == 0, "hex decode mixed case");
	tes_hex_encode(dec, 0, hex);
	OK(hex[0] == '\0', "hex of nothing is empty");
	r1 = tes_b64_encode((const uint8_t *)"foobar", 6, enc, 8, 1);
	r2 = tes_b64_encode((const uint8_t *)"foobar", 6, enc, 9, 1);
	r3 = tes_b64_encode((const uint8_t *)"f", 1, enc, 3, 0);
	OK(r1 == TES_ERR_SPACE && r2 == 0 && r3 == 0, "b64 encode needs room for NUL");
	r1 = tes_b64_decode("Zm9vYmFy", 8, dec, 5, &len);
	OK(r1 == TES_ERR_SPACE, "b64 decode refuses a short buffer");
}

static void
test_b64_reject(void)
{
	static const char *bad[] = {
		"Z",    "Zg=",      "Zg===", "=",     "==",     "====", "Zm9vY",      "Zh==",  "Zh",   "Zm9=",
		"Zm=v", "Zg==Zg==", "Zm9v!", "Zm9 v", "Zm9v\n", "-_-_", "Zm9vYmE=\0", "Zm8==", "Z===",
	};
	static const size_t badlen[] = { 1, 3, 5, 1, 2, 4, 5, 4, 2, 4, 4, 8, 5, 5, 5, 4, 9, 5, 4 };
	uint8_t dec[16];
	size_t i, len;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(dec, 0xaa, sizeof(dec));
		r = tes_b64_decode(bad[i], badlen[i], dec, sizeof(dec), &len);
		OK(r == TES_ERR_FORMAT, "b64 rejects bad input #%zu", i);
	}
	memset(dec, 0xaa, sizeof(dec));
	r = tes_hex_decode("00112", 5, dec, 2);
	OK(r == TES_ERR_FORMAT, "hex rejects odd length");
	r = tes_hex_decode("001122", 6, dec, 2);
	OK(r == TES_ERR_FORMAT, "hex rejects length not 2*outlen");
	r = tes_hex_decode("00g1", 4, dec, 2);
	OK(r == TES_ERR_FORMAT && dec[0] == 0 && dec[1] == 0, "hex rejects 'g' and wipes out");
	r = tes_hex_decode("0 11", 4, dec, 2);
	OK(r == TES_ERR_FORMAT, "hex rejects space");
}

static void
test_b64_roundtrip(void)
{
	uint8_t in[64], dec[64];
	char enc[TES_B64_ENCLEN(64)], hex[129];
	size_t n, len;
	int pad, r, bad = 0;

	for (n = 0; n <= sizeof(in); n++) {
		tes_rng_bytes(in, n);
		for (pad = 0; pad <= 1; pad++) {
			r = tes_b64_encode(in, n, enc, sizeof(enc), pad);
			bad |= r != 0;
			r = tes_b64_decode(enc, strlen(enc), dec, sizeof(dec), &len);
			bad |= r != 0 || len != n || memcmp(in, dec, n) != 0;
		}
		tes_hex_encode(in, n, hex);
		r = tes_hex_decode(hex, strlen(hex), dec, n);
		bad |= r != 0 || strlen(hex) != 2 * n || memcmp(in, dec, n) != 0;
	}
	OK(!bad, "b64 (padded, unpadded) and hex round trips for 0..64 bytes");
}

/* ---- time and numbers on the command line (common/time.h, wire/rfc3339.h, common/cli.h) ---- */

/* Parse s; 0 and the time, or TES_ERR_TIME and a reason. */
static int
parse(const char *s, uint64_t *t, const char **why)
{
	*t = 0;
	*why = NULL;
	return tes_rfc3339_parse(s, strlen(s), t, why);
}

static void
test_time(void)
{
	const char *why;
	char buf[32];
	uint64_t t, u;

	OK(parse("2026-11-23T10:15:00Z", &t, &why) == 0 && t == 1795428900 && why == NULL,
	   "parse an RFC 3339 UTC time");
	tes_time_format(t, buf);
	OK(strcmp(buf, "2026-11-23T10:15:00Z") == 0, "format it back");
	OK(parse("2026-11-23T13:15:00+03:00", &u, &why) == 0 && u == t,
	   "a numeric offset is normalised to UTC (MUST-IT6)");
	OK(parse("2026-11-23 10:15:00", &t, &why) == TES_ERR_TIME && why != NULL &&
		   strstr(why, "with T") != NULL,
	   "refuse a space between date and time, saying to use T");
	OK(parse("2026-11-23T10:15:00Zjunk", &t, &why) == TES_ERR_TIME &&
		   strstr(why, "after the zone") != NULL,
	   "refuse trailing text");
	OK(parse("2026-13-01T00:00:00Z", &t, &why) == TES_ERR_TIME && strstr(why, "month") != NULL,
	   "refuse month 13");
	OK(parse("2026-11-23", &t, &why) == TES_ERR_TIME && strstr(why, "a date alone") != NULL,
	   "a date alone names what is missing (MUST-IT2)");
	OK(parse("2026-11-23T10:15:00", &t, &why) == TES_ERR_TIME && strstr(why, "give a zone") != NULL,
	   "a time without a zone asks for one (MUST-IT3)");
	tes_time_format(1577836800, buf);
	OK(strcmp(buf, "2020-01-01T00:00:00Z") == 0, "format the epoch of TES_TIME_MIN");
}

static void
test_uint(void)
{
	unsigned long v;

	OK(tes_cli_uint("120", 1, 400, &v) == 0 && v == 120, "parse 120");
	OK(tes_cli_uint("0", 1, 400, &v) != 0, "refuse below the minimum");
	OK(tes_cli_uint("401", 1, 400, &v) != 0, "refuse above the maximum");
	OK(tes_cli_uint("-5", 0, 400, &v) != 0 && tes_cli_uint("12a", 0, 400, &v) != 0 &&
		   tes_cli_uint("", 0, 400, &v) != 0 && tes_cli_uint(" 1", 0, 400, &v) != 0,
	   "refuse signs, junk, blanks");
	OK(tes_cli_uint("99999999999999999999999", 0, 400, &v) != 0, "refuse overflow");
}

/* ---- files (common/file.h), as the store uses them ---- */

static void
test_file(void)
{
	char *d = util_scratch_path("files"), p[512], q[512];
	uint8_t buf[64], *big = NULL;
	size_t len = 0, got = 0;
	int dfd, fd;

	mkdir(d, 0700);
	dfd = open(d, O_RDONLY | O_DIRECTORY);
	OK(dfd >= 0, "a directory for the file tests");
	EQ_INT(tes_file_create(dfd, "a", "hello", 5, 0600), 0, "create a new file");
	EQ_INT(util_mode(d, "a"), 0600, "with its mode");
	EQ_INT(tes_file_create(dfd, "a", "x", 1, 0600), TES_ERR_EXISTS, "create refuses an existing file");
	util_path(p, d, "a"), util_path(q, d, "link");
	OK(symlink(p, q) == 0, "a symbolic link to it");
	EQ_INT(tes_file_create(dfd, "link", "x", 1, 0600), TES_ERR_EXISTS,
	       "create does not write through a link");
	EQ_INT(tes_file_load(dfd, "a", TES_FILE_REGULAR, buf, 5, &len), 0,
	       "load a file of exactly max bytes");
	OK(len == 5 && memcmp(buf, "hello", 5) == 0, "its bytes");
	EQ_INT(tes_file_load(dfd, "a", TES_FILE_REGULAR, buf, 4, &len), TES_ERR_TOOLONG,
	       "one byte above max");
	EQ_INT(tes_file_load(dfd, "none", 0, buf, 4, &len), TES_ERR_NOTFOUND, "a missing file");
	EQ_INT(tes_file_load(dfd, "link", TES_FILE_SECRET, buf, 8, &len), 0, "a link is followed");
	EQ_INT(tes_file_load(dfd, "link", TES_FILE_NOFOLLOW | TES_FILE_SECRET, buf, 8, &len), TES_ERR_IO,
	       "... unless NOFOLLOW");
	chmod(p, 0640);
	EQ_INT(tes_file_load(dfd, "a", TES_FILE_SECRET, buf, 8, &len), TES_ERR_KEY,
	       "a secret readable by group");
	EQ_INT(tes_file_check(dfd, "a", TES_FILE_REGULAR | TES_FILE_SECRET), TES_ERR_KEY,
	       "check: the same rule");
	EQ_INT(tes_file_load(dfd, "a", TES_FILE_REGULAR, buf, 8, &len), 0,
	       "the rule applies to secrets only");
	chmod(p, 0600);
	EQ_INT(tes_file_check(dfd, "a", TES_FILE_REGULAR | TES_FILE_SECRET), 0, "check of a secret file");
	EQ_INT(tes_file_check(dfd, "none", TES_FILE_REGULAR), TES_ERR_NOTFOUND, "check of a missing file");
	EQ_INT(tes_file_check(dfd, ".", TES_FILE_REGULAR | TES_FILE_SECRET), TES_ERR_IO,
	       "check: a directory (REGULAR)");
	EQ_INT(tes_file_check(dfd, "link", TES_FILE_NOFOLLOW | TES_FILE_REGULAR), TES_ERR_IO,
	       "check: a link itself");
	EQ_INT(tes_file_load(dfd, ".", TES_FILE_REGULAR, buf, 8, &len), TES_ERR_IO,
	       "load of a directory (REGULAR)");
	EQ_INT(tes_file_load(dfd, ".", TES_FILE_SECRET, buf, 8, &len), TES_ERR_KEY, "... (SECRET alone)");
	util_path(q, d, "fifo");
	OK(mkfifo(q, 0600) == 0, "a FIFO with no writer");
	EQ_INT(tes_file_load(dfd, "fifo", TES_FILE_SECRET, buf, 8, &len), TES_ERR_KEY,
	       "a FIFO is refused, not waited on");
	EQ_INT(tes_file_slurp(dfd, "fifo", 0, 8, &big, &len), TES_ERR_IO, "slurp refuses a FIFO");

	EQ_INT(tes_file_slurp(dfd, "a", TES_FILE_NOFOLLOW, 5, &big, &len), 0, "slurp");
	OK(big != NULL && len == 5 && memcmp(big, "hello", 5) == 0, "slurp's bytes");
	free(big);
	EQ_INT(tes_file_slurp(dfd, "a", 0, 4, &big, &len), TES_ERR_TOOLONG, "slurp above max");
	OK(big == NULL, "no buffer on failure");
	EQ_INT(tes_file_slurp(dfd, "link", TES_FILE_NOFOLLOW, 8, &big, &len), TES_ERR_IO,
	       "slurp with NOFOLLOW");

	EQ_INT(tes_file_replace(dfd, "b.tmp", "b", "one", 3, 0600), 0, "replace a missing file");
	EQ_INT(tes_file_replace(dfd, "b.tmp", "b", "second", 6, 0600), 0, "replace it");
	EQ_INT(tes_file_load(dfd, "b", TES_FILE_REGULAR, buf, 8, &len), 0, "read it back");
	OK(len == 6 && memcmp(buf, "second", 6) == 0 && util_mode(d, "b") == 0600 &&
		   util_mode(d, "b.tmp") == -1,
	   "new content, mode 0600, no temporary left");
	util_path(q, d, "b.tmp");
	OK(symlink(p, q) == 0, "a link where the temporary goes");
	EQ_INT(tes_file_replace(dfd, "b.tmp", "b", "third", 5, 0600), TES_ERR_IO,
	       "replace does not write through it");
	OK(tes_file_load(dfd, "b", 0, buf, 8, &len) == 0 && len == 6 &&
		   tes_file_load(dfd, "a", 0, buf, 8, &len) == 0 && len == 5,
	   "and changes neither file");

	fd = openat(dfd, "b", O_RDONLY);
	OK(tes_file_pread_all(fd, buf, sizeof(buf), 2, &got) == 0 && got == 4 && memcmp(buf, "cond", 4) == 0,
	   "pread past the end is short");
	EQ_INT(tes_file_read_all(fd, buf, 7), TES_ERR_IO, "read_all of more than the file holds");
	EQ_INT(tes_file_sync(fd), 0, "fsync");
	close(fd);
	fd = openat(dfd, "b", O_RDWR);
	OK(tes_file_truncate(fd, 2) == 0 && tes_file_datasync(fd) == 0 && util_size(d, "b") == 2,
	   "truncate, fdatasync");
	close(fd);
	EQ_INT(tes_file_sync_parent(p), 0, "fsync of a file's directory");
	big = malloc(8192);
	if (big != NULL) {
		memset(big, 'x', 8191);
		big[8191] = '\0';
		EQ_INT(tes_file_sync_parent((const char *)big), TES_ERR_ARG, "a path above PATH_MAX");
		free(big);
	}
	close(dfd);
	util_rm_rf(d);
}

int
main(void)
{
	if (util_scratch_init("common") != 0)
		return 2;
	test_cursor();
	test_str8();
	test_frame_read();
	test_b64_vectors();
	test_b64_reject();
	test_b64_roundtrip();
	test_time();
	test_uint();
	test_file();
	util_scratch_remove();
	return tap_done();
}
