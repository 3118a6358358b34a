/* SPDX-License-Identifier: ISC */
/*
 * Resumption tickets: the plaintext and key-file codecs (wire/ticket.h), sealing and
 * opening (crypto/ticketkey.h) and the ticket key file DATA/ticket.key
 * (spec/STORAGE.md#ticket-key MUST-TK1..TK4).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cur.h"
#include "common/err.h"
#include "crypto/ticketkey.h"
#include "tap.h"
#include "util.h"
#include "wire/ticket.h"

#define NOW UINT64_C(1800000000)

static void
sample(struct tes_ticket *t)
{
	memset(t, 0, sizeof *t);
	t->version = TES_TICKET_VERSION;
	memset(t->unit_key, 0x11, sizeof t->unit_key);
	memset(t->server_key, 0x22, sizeof t->server_key);
	t->user_len = 5;
	memcpy(t->user, "alice", 5);
	memset(t->pw_bind, 0x33, sizeof t->pw_bind);
	memset(t->res_secret, 0x44, sizeof t->res_secret);
	t->issued = NOW;
	t->expiry = NOW + TES_TICKET_LIFETIME;
}

static void
sample_keys(struct tes_ticket_keys *k, uint8_t fill)
{
	memset(k, 0, sizeof *k);
	k->cur_kid = 7;
	k->cur_created = NOW - 3600;
	memset(k->cur, fill, sizeof k->cur);
}

static int
same_ticket(const struct tes_ticket *a, const struct tes_ticket *b)
{
	return a->version == b->version && memcmp(a->unit_key, b->unit_key, sizeof a->unit_key) == 0 &&
	       memcmp(a->server_key, b->server_key, sizeof a->server_key) == 0 &&
	       a->user_len == b->user_len && memcmp(a->user, b->user, a->user_len) == 0 &&
	       b->user[b->user_len] == 0 && memcmp(a->pw_bind, b->pw_bind, sizeof a->pw_bind) == 0 &&
	       memcmp(a->res_secret, b->res_secret, sizeof a->res_secret) == 0 && a->issued == b->issued &&
	       a->expiry == b->expiry;
}

static int
same_keys(const struct tes_ticket_keys *a, const struct tes_ticket_keys *b)
{
	return a->cur_kid == b->cur_kid && a->cur_created == b->cur_created &&
	       memcmp(a->cur, b->cur, sizeof a->cur) == 0 && a->prev_kid == b->prev_kid &&
	       a->prev_created == b->prev_created && memcmp(a->prev, b->prev, sizeof a->prev) == 0;
}

static void
test_plain_codec(void)
{
	struct tes_ticket t, u;
	uint8_t b[TES_TICKET_PLAIN_MAX + 8];
	size_t n = 0, m;

	sample(&t);
	EQ_INT(tes_ticket_plain_encode(&t, b, sizeof b, &n), 0, "plaintext encodes");
	EQ_INT(n, 146 + 5, "plaintext length 146 + user");
	EQ_INT(b[0], 1, "version byte first");
	EQ_INT(tes_ticket_plain_decode(b, n, &u), 0, "plaintext decodes");
	OK(same_ticket(&t, &u), "plaintext round trip");
	EQ_INT(tes_ticket_plain_encode(&t, b, n - 1, &m), TES_ERR_SPACE, "encoder: no room");
	EQ_INT(tes_ticket_plain_decode(b, n - 1, &u), TES_ERR_TRUNCATED, "truncated plaintext refused");
	b[n] = 0;
	EQ_INT(tes_ticket_plain_decode(b, n + 1, &u), TES_ERR_FORMAT, "trailing byte refused");
	b[0] = 2;
	EQ_INT(tes_ticket_plain_decode(b, n, &u), TES_ERR_VERSION, "version 2 refused");
	b[0] = 1;
	b[66] = '/';
	EQ_INT(tes_ticket_plain_decode(b, n, &u), TES_ERR_NAME, "bad user character refused");
	b[66] = 'a';

	/* times: expiry <= issued, expiry - issued > 43200 */
	tes_cur_enc64be(b + 138 + 5, NOW);
	EQ_INT(tes_ticket_plain_decode(b, n, &u), TES_ERR_FORMAT, "expiry == issued refused");
	tes_cur_enc64be(b + 138 + 5, NOW - 1);
	EQ_INT(tes_ticket_plain_decode(b, n, &u), TES_ERR_FORMAT, "expiry < issued refused");
	tes_cur_enc64be(b + 138 + 5, NOW + TES_TICKET_LIFETIME + 1);
	EQ_INT(tes_ticket_plain_decode(b, n, &u), TES_ERR_FORMAT, "lifetime above 43200 refused");
	tes_cur_enc64be(b + 138 + 5, NOW + TES_TICKET_LIFETIME);
	EQ_INT(tes_ticket_plain_decode(b, n, &u), 0, "lifetime of exactly 43200 accepted");
	b[65] = 0;
	memmove(b + 66, b + 71, n - 71);
	EQ_INT(tes_ticket_plain_decode(b, n - 5, &u), TES_ERR_NAME, "empty user refused");

	/* the encoder refuses what the decoder would */
	u = t;
	u.version = 2;
	EQ_INT(tes_ticket_plain_encode(&u, b, sizeof b, &m), TES_ERR_ARG, "encoder: version 2");
	u = t;
	u.user[1] = ' ';
	EQ_INT(tes_ticket_plain_encode(&u, b, sizeof b, &m), TES_ERR_ARG, "encoder: bad user");
	u = t;
	u.user_len = TES_NAME_MAX + 1;
	EQ_INT(tes_ticket_plain_encode(&u, b, sizeof b, &m), TES_ERR_ARG, "encoder: user too long");
	u = t;
	u.expiry = u.issued;
	EQ_INT(tes_ticket_plain_encode(&u, b, sizeof b, &m), TES_ERR_ARG, "encoder: expiry == issued");
	u.expiry = u.issued + TES_TICKET_LIFETIME + 1;
	EQ_INT(tes_ticket_plain_encode(&u, b, sizeof b, &m), TES_ERR_ARG, "encoder: lifetime too long");
	u = t;
	u.user_len = TES_NAME_MAX;
	memset(u.user, 'z', TES_NAME_MAX);
	u.user[TES_NAME_MAX] = 0;
	EQ_INT(tes_ticket_plain_encode(&u, b, sizeof b, &m), 0, "longest user encodes");
	EQ_INT(m, TES_TICKET_PLAIN_MAX, "longest plaintext is TES_TICKET_PLAIN_MAX");
}

static void
test_keys_codec(void)
{
	struct tes_ticket_keys k, l;
	uint8_t b[TES_TICKET_KEYS_LEN + 1];
	size_t n = 0;

	sample_keys(&k, 0x5a);
	EQ_INT(tes_ticket_keys_encode(&k, b, sizeof b, &n), 0, "key file encodes");
	EQ_INT(n, 96, "key file is 96 bytes");
	EQ_MEM(b, "TESTKEY1", 8, "magic");
	EQ_INT(tes_ticket_keys_decode(b, n, &l), 0, "key file decodes");
	OK(same_keys(&k, &l), "key file round trip");
	k.prev_kid = 6;
	k.prev_created = NOW - 90000;
	memset(k.prev, 0xa5, sizeof k.prev);
	EQ_INT(tes_ticket_keys_encode(&k, b, sizeof b, &n), 0, "key file with a previous key encodes");
	EQ_INT(tes_ticket_keys_decode(b, n, &l), 0, "and decodes");
	OK(same_keys(&k, &l), "round trip with a previous key");
	EQ_INT(tes_ticket_keys_decode(b, n - 1, &l), TES_ERR_FORMAT, "short key file refused");
	EQ_INT(tes_ticket_keys_decode(b, n + 1, &l), TES_ERR_FORMAT, "long key file refused");
	EQ_INT(tes_ticket_keys_encode(&k, b, n - 1, &n), TES_ERR_SPACE, "encoder: no room");

	/*= spec/STORAGE.md#ticket-key MUST-TK1 */
	tes_ticket_keys_encode(&k, b, sizeof b, &n);
	b[0] = 'X';
	EQ_INT(tes_ticket_keys_decode(b, n, &l), TES_ERR_FORMAT, "bad magic refused");
	b[0] = 'T';
	tes_cur_enc32be(b + 52, 7);
	EQ_INT(tes_ticket_keys_decode(b, n, &l), TES_ERR_FORMAT, "prev_kid == cur_kid refused");
	tes_cur_enc32be(b + 52, 6);
	tes_cur_enc32be(b + 8, 0);
	EQ_INT(tes_ticket_keys_decode(b, n, &l), TES_ERR_FORMAT, "cur_kid 0 refused");
	tes_cur_enc32be(b + 8, 7);
	tes_cur_enc32be(b + 52, 0);
	EQ_INT(tes_ticket_keys_decode(b, n, &l), TES_ERR_FORMAT,
	       "no previous kid but previous key bytes refused");
	memset(b + 64, 0, 32);
	EQ_INT(tes_ticket_keys_decode(b, n, &l), TES_ERR_FORMAT,
	       "no previous kid but a previous time refused");
	memset(b + 56, 0, 8);
	EQ_INT(tes_ticket_keys_decode(b, n, &l), 0, "no previous key, all zero: accepted");

	sample_keys(&k, 1);
	k.cur_kid = 0;
	EQ_INT(tes_ticket_keys_encode(&k, b, sizeof b, &n), TES_ERR_ARG, "encoder: cur_kid 0");
	sample_keys(&k, 1);
	k.prev_kid = k.cur_kid;
	EQ_INT(tes_ticket_keys_encode(&k, b, sizeof b, &n), TES_ERR_ARG, "encoder: prev_kid == cur_kid");
	sample_keys(&k, 1);
	k.prev[3] = 1;
	EQ_INT(tes_ticket_keys_encode(&k, b, sizeof b, &n), TES_ERR_ARG, "encoder: stray previous key bytes");
}

static void
test_seal_open(void)
{
	struct tes_ticket_keys k, other;
	struct tes_ticket t, u;
	uint8_t s[TES_TICKET_MAX], s2[TES_TICKET_MAX], c[TES_TICKET_MAX];
	uint16_t n = 0, n2 = 0;
	size_t i;
	int all;

	sample(&t);
	sample_keys(&k, 0x5a);
	EQ_INT(tes_ticketkey_seal(&k, &t, s, &n), 0, "seal");
	EQ_INT(n, 4 + 16 + 151 + 32, "sealed length kid + nonce + ct + tag");
	OK(n <= TES_TICKET_MAX, "sealed ticket fits TES_TICKET_MAX");
	EQ_INT(tes_cur_dec32be(s), 7, "kid in the clear");
	EQ_INT(tes_ticketkey_open(&k, NOW, s, n, &u), 0, "open");
	OK(same_ticket(&t, &u), "seal/open round trip");
	EQ_INT(tes_ticketkey_seal(&k, &t, s2, &n2), 0, "seal again");
	OK(n2 == n && memcmp(s, s2, n) != 0, "a fresh nonce each time");
	OK(memmem(s, n, "alice", 5) == NULL, "the user is not in the clear");

	/* a flipped bit anywhere */
	all = 1;
	for (i = 0; i < (size_t)n * 8; i++) {
		memcpy(c, s, n);
		c[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (tes_ticketkey_open(&k, NOW, c, n, &u) != TES_ERR_MAC)
			all = 0;
	}
	OK(all, "every flipped bit is refused (TES_ERR_MAC)");
	OK(u.user_len == 0 && u.issued == 0, "a refused ticket leaves nothing behind");

	/* truncated, unknown kid, another key file */
	all = 1;
	for (i = 0; i < n; i++)
		if (tes_ticketkey_open(&k, NOW, s, i, &u) != TES_ERR_MAC)
			all = 0;
	OK(all, "every truncation is refused");
	memcpy(c, s, n);
	tes_cur_enc32be(c, 8);
	EQ_INT(tes_ticketkey_open(&k, NOW, c, n, &u), TES_ERR_MAC, "unknown kid refused");
	sample_keys(&other, 0x5b);
	EQ_INT(tes_ticketkey_open(&other, NOW, s, n, &u), TES_ERR_MAC,
	       "sealed under another key file: refused");

	/* time */
	EQ_INT(tes_ticketkey_open(&k, NOW - 1, s, n, &u), TES_ERR_TIME, "not yet valid (now < issued)");
	EQ_INT(tes_ticketkey_open(&k, NOW + TES_TICKET_LIFETIME, s, n, &u), TES_ERR_TIME,
	       "expired (now == expiry)");
	EQ_INT(tes_ticketkey_open(&k, NOW + TES_TICKET_LIFETIME - 1, s, n, &u), 0,
	       "valid until the last second");

	/*= spec/STORAGE.md#ticket-key MUST-TK4: the previous key until cur_created + 12 h */
	other = k;
	other.prev_kid = k.cur_kid;
	other.prev_created = k.cur_created;
	memcpy(other.prev, k.cur, sizeof other.prev);
	other.cur_kid = k.cur_kid + 1;
	other.cur_created = NOW + 600;
	memset(other.cur, 0x77, sizeof other.cur);
	EQ_INT(tes_ticketkey_open(&other, NOW + 700, s, n, &u), 0, "previous key accepted after a rotation");
	EQ_INT(tes_ticketkey_open(&other, other.cur_created + TES_TICKET_LIFETIME - 1, s, n, &u),
	       TES_ERR_TIME, "previous key still tried until cur_created + 12 h (the ticket itself expired)");
	t.issued = NOW + 600;
	t.expiry = t.issued + TES_TICKET_LIFETIME;
	EQ_INT(tes_ticketkey_seal(&k, &t, s2, &n2), 0, "seal a later ticket under the old key");
	EQ_INT(tes_ticketkey_open(&other, other.cur_created + TES_TICKET_LIFETIME - 1, s2, n2, &u), 0,
	       "previous key accepted 1 s before cur_created + 12 h");
	EQ_INT(tes_ticketkey_open(&other, other.cur_created + TES_TICKET_LIFETIME, s2, n2, &u), TES_ERR_MAC,
	       "previous key refused from cur_created + 12 h");
	EQ_INT(tes_ticketkey_seal(&other, &t, s2, &n2), 0, "seal under the new current key");
	EQ_INT(tes_cur_dec32be(s2), 8, "under the new kid");
	EQ_INT(tes_ticketkey_open(&other, NOW + 700, s2, n2, &u), 0, "current key opens it");

	/* seal refuses what does not encode */
	sample(&t);
	t.version = 2;
	EQ_INT(tes_ticketkey_seal(&k, &t, s2, &n2), TES_ERR_ARG, "seal refuses an invalid ticket");
}

static void
test_pw_bind(void)
{
	static const char h1[] = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
	static const char h2[] = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHU$aGFzaGhhc2hoYXNo";
	uint8_t a[TES_HASH_LEN], b[TES_HASH_LEN], c[TES_HASH_LEN];

	tes_ticketkey_pw_bind(h1, sizeof h1 - 1, a);
	tes_ticketkey_pw_bind(h2, sizeof h2 - 1, b);
	tes_ticketkey_pw_bind(h1, sizeof h1 - 1, c);
	OK(memcmp(a, b, sizeof a) != 0, "pw_bind differs for different stored hashes");
	EQ_MEM(a, c, sizeof a, "pw_bind is a function of the stored hash");
}

static void
test_key_file(void)
{
	struct tes_ticket_keys k, l, first;
	uint8_t junk[TES_TICKET_KEYS_LEN];
	int dfd, rotated = -1;

	OK(util_scratch_init("ticket") == 0, "scratch directory");
	dfd = open(util_scratch(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	OK(dfd >= 0, "open the scratch directory");

	/*= spec/STORAGE.md#ticket-key MUST-TK2, MUST-TK3 */
	EQ_INT(tes_ticketkey_load(dfd, &k), TES_ERR_NOTFOUND, "load: absent");
	EQ_INT(tes_ticketkey_ensure(dfd, NOW, &k, &rotated), 0, "ensure creates it");
	EQ_INT(rotated, 0, "creation is no rotation");
	OK(k.cur_kid == 1 && k.cur_created == NOW && k.prev_kid == 0 && k.prev_created == 0,
	   "kid 1, created now, no prev");
	EQ_INT(util_mode(util_scratch(), "ticket.key"), 0600, "ticket.key is 0600");
	EQ_INT(util_size(util_scratch(), "ticket.key"), 96, "ticket.key is 96 bytes");
	EQ_INT(tes_ticketkey_load(dfd, &l), 0, "load");
	OK(same_keys(&k, &l), "load gives what ensure made");
	first = k;

	EQ_INT(tes_ticketkey_ensure(dfd, NOW + TES_TICKETKEY_ROTATE - 1, &k, &rotated), 0,
	       "ensure before 24 h");
	EQ_INT(rotated, 0, "no rotation before 24 h");
	OK(same_keys(&k, &first), "the same keys before 24 h");

	EQ_INT(tes_ticketkey_ensure(dfd, NOW + TES_TICKETKEY_ROTATE, &k, &rotated), 0, "ensure at 24 h");
	EQ_INT(rotated, 1, "rotated at 24 h");
	OK(k.cur_kid == 2 && k.cur_created == NOW + TES_TICKETKEY_ROTATE, "kid 2, created now");
	OK(k.prev_kid == 1 && k.prev_created == NOW && memcmp(k.prev, first.cur, sizeof k.prev) == 0,
	   "prev = old cur");
	OK(memcmp(k.cur, first.cur, sizeof k.cur) != 0, "a fresh current key");
	EQ_INT(tes_ticketkey_load(dfd, &l), 0, "load after the rotation");
	OK(same_keys(&k, &l), "the rotation is on disk");
	EQ_INT(util_mode(util_scratch(), "ticket.key"), 0600, "still 0600");
	OK(util_size(util_scratch(), "ticket.key.tmp") < 0, "no temporary file left");

	/* a corrupt file is refused and never replaced */
	memset(junk, 0x41, sizeof junk);
	OK(util_file_write(util_scratch_path("ticket.key"), junk, sizeof junk, 0600) == 0, "write junk");
	EQ_INT(tes_ticketkey_load(dfd, &l), TES_ERR_CORRUPT, "load: corrupt");
	EQ_INT(tes_ticketkey_ensure(dfd, NOW, &l, &rotated), TES_ERR_CORRUPT, "ensure: corrupt");
	EQ_INT(util_size(util_scratch(), "ticket.key"), 96, "the corrupt file stays");
	OK(util_file_write(util_scratch_path("ticket.key"), junk, 40, 0600) == 0, "write a short file");
	EQ_INT(tes_ticketkey_ensure(dfd, NOW, &l, &rotated), TES_ERR_CORRUPT, "ensure: short file corrupt");
	OK(util_file_write(util_scratch_path("ticket.key"), junk, sizeof junk, 0600) == 0, "write junk");
	OK(util_file_write(util_scratch_path("ticket.key"), "", 0, 0600) == 0, "an empty file");
	EQ_INT(tes_ticketkey_ensure(dfd, NOW, &l, &rotated), TES_ERR_CORRUPT, "ensure: empty file corrupt");

	/* a readable key file is refused */
	tes_ticket_keys_encode(&k, junk, sizeof junk, &(size_t){ 0 });
	OK(util_file_write(util_scratch_path("ticket.key"), junk, sizeof junk, 0644) == 0, "a 0644 key file");
	EQ_INT(tes_ticketkey_load(dfd, &l), TES_ERR_KEY, "load: others may read it");

	close(dfd);
	util_scratch_remove();
}

int
main(void)
{
	test_plain_codec();
	test_keys_codec();
	test_seal_open();
	test_pw_bind();
	test_key_file();
	return tap_done();
}
