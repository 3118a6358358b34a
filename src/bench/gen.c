/* SPDX-License-Identifier: ISC */
/*
 * Bench-only store generator: appends N REPORT records, then approving
 * DECISION records for the first D of them, to a store that holds no
 * report yet, and writes the matching drivers.enc snapshot (D drivers, one
 * plate each). Records are sealed with the store's own codecs
 * (store/journal.h, store/drivers.h) and chained like the server's, so the
 * server replays them like any others; writing them in bulk with one fsync
 * makes a million-record journal take seconds instead of a million network
 * reports. The unit signatures of generated reports are filler bytes, not
 * valid signatures: such a store is for measurements only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "store/drivers.h"
#include "store/journal.h"
#include "store/seal.h"
#include "wire/policy.h"

enum {
	GEN_BUF = 1 << 20
};

struct gen {
	int dfd, jfd;
	struct tes_seal_keys jk, dk;
	uint8_t head[TES_JOURNAL_MAC_LEN];
	uint64_t seq;
	uint8_t unit_id[TES_KEYID_LEN];
	uint8_t sig[TES_RSA_LEN];
	uint8_t *buf;
	size_t used;
	uint64_t now;
};

static int
gen_keys(struct gen *g)
{
	uint8_t sk[TES_STORE_KEY_LEN];
	int fd = openat(g->dfd, "storage.key", O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = read(fd, sk, sizeof sk) == (ssize_t)sizeof sk;
	close(fd);
	if (ok) {
		tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, &g->jk);
		tes_seal_keys_derive(sk, TES_SEAL_DRIVERS, &g->dk);
	}
	TES_WIPE_BUF(sk);
	return ok ? 0 : -1;
}

/* Walk the existing journal: its chain head and last seq; refuse one with reports. */
static int
gen_scan(struct gen *g)
{
	struct tes_journal_hdr h;
	struct stat st;
	uint64_t created;
	size_t off = TES_JOURNAL_FILE_HDR_LEN;
	uint8_t *m;
	int r = -1;

	if (fstat(g->jfd, &st) != 0 || st.st_size < TES_JOURNAL_FILE_HDR_LEN)
		return -1;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, g->jfd, 0);
	if (m == MAP_FAILED)
		return -1;
	if (tes_journal_file_hdr_decode(m, (size_t)st.st_size, &created) != 0)
		goto out;
	tes_journal_genesis(&g->jk, m, g->head);
	while (off < (size_t)st.st_size) {
		if (tes_journal_check(&g->jk, g->head, m + off, (size_t)st.st_size - off, &h) != 0 ||
		    h.seq != g->seq + 1 || h.type == TES_JREC_REPORT)
			goto out;
		memcpy(g->head, m + off + h.total_len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
		g->seq = h.seq;
		off += h.total_len;
	}
	r = 0;
out:
	munmap(m, (size_t)st.st_size);
	return r;
}

static int
gen_flush(struct gen *g)
{
	size_t off = 0;
	ssize_t k;

	while (off < g->used) {
		if ((k = write(g->jfd, g->buf + off, g->used - off)) < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	g->used = 0;
	return 0;
}

/* Seal one record into the write buffer and advance the chain. */
static int
gen_append(struct gen *g, uint8_t type, const uint8_t key[TES_JOURNAL_KEY_LEN], const uint8_t *body, size_t n)
{
	struct tes_journal_hdr h = { .type = type, .seq = g->seq + 1 };
	uint8_t iv[TES_JOURNAL_IV_LEN];
	size_t used;

	if (g->used + TES_JOURNAL_REC_MAX > GEN_BUF && gen_flush(g) != 0)
		return -1;
	memcpy(h.key, key, TES_JOURNAL_KEY_LEN);
	tes_rng_bytes(iv, sizeof iv);
	if (tes_journal_seal(&g->jk, g->head, &h, iv, body, n, g->buf + g->used, GEN_BUF - g->used, &used) !=
	    0)
		return -1;
	memcpy(g->head, g->buf + g->used + used - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
	g->used += used;
	g->seq = h.seq;
	return 0;
}

/* Plate of generated report i (1-based): "G" + base 36, unique. */
static void
gen_plate(uint64_t i, struct tes_driver *d)
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char tmp[16];
	size_t n = 0, k;

	do {
		tmp[n++] = digits[i % 36];
		i /= 36;
	} while (i != 0);
	d->plate[0] = 'G';
	for (k = 0; k < n; k++)
		d->plate[1 + k] = tmp[n - 1 - k];
	d->plate_len = (uint8_t)(n + 1);
	d->plate[d->plate_len] = '\0';
}

static uint16_t
gen_speed(uint64_t i)
{
	return (uint16_t)(50 + i % 100);
}

static int
gen_report(struct gen *g, uint64_t i, uint8_t id[TES_REPORT_ID_LEN])
{
	struct tes_journal_report m;
	struct tes_driver d;
	uint8_t body[TES_JOURNAL_BODY_MAX];
	size_t n;

	memset(&m, 0, sizeof m);
	gen_plate(i, &d);
	tes_rng_bytes(id, TES_REPORT_ID_LEN);
	m.number = i;
	m.received = g->now;
	memcpy(m.r.id, id, TES_REPORT_ID_LEN);
	memcpy(m.r.unit_key, g->unit_id, TES_KEYID_LEN);
	m.r.plate_len = d.plate_len;
	memcpy(m.r.plate, d.plate, sizeof m.r.plate);
	m.r.speed = gen_speed(i);
	m.r.limit = 50;
	m.r.time = g->now - 3600;
	memcpy(m.sig, g->sig, TES_RSA_LEN);
	if (tes_journal_report_encode(&m, body, sizeof body, &n) != 0)
		return -1;
	return gen_append(g, TES_JREC_REPORT, id, body, n);
}

/* Points of report i under the built-in policy (its limit is 50). */
static uint16_t
gen_points(uint64_t i)
{
	struct tes_policy p;

	tes_policy_default(&p);
	return tes_policy_points(&p, gen_speed(i), 50, NULL);
}

static int
gen_decision(struct gen *g, uint64_t i, const uint8_t id[TES_REPORT_ID_LEN])
{
	struct tes_journal_decision d;
	uint8_t body[TES_JOURNAL_BODY_MAX];
	size_t n;

	memset(&d, 0, sizeof d);
	memcpy(d.id, id, TES_REPORT_ID_LEN);
	d.verdict = TES_VERDICT_APPROVE;
	d.points = gen_points(i);
	d.officer_len = 5;
	memcpy(d.officer, "bench", 6);
	d.time = g->now;
	if (tes_journal_decision_encode(&d, body, sizeof body, &n) != 0)
		return -1;
	return gen_append(g, TES_JREC_DECISION, id, body, n);
}

static int
drv_cmp(const void *a, const void *b)
{
	const struct tes_driver *x = a, *y = b;

	return tes_drivers_plate_cmp(x->plate, x->plate_len, y->plate, y->plate_len);
}

/* drivers.enc for drivers 1 .. nd at the current journal end: temp file, fsync, rename, fsync. */
static int
gen_snapshot(struct gen *g, uint64_t nd)
{
	struct tes_drivers_hdr h = { .journal_seq = g->seq, .count = (uint32_t)nd };
	struct tes_driver *v = calloc(nd ? nd : 1, sizeof *v);
	uint8_t iv[TES_DES_BLOCK], *out = NULL;
	size_t cap, used, off = 0;
	uint64_t i, kept;
	int fd = -1, r = -1;

	if (v == NULL)
		return -1;
	/* one offence per approved report with points, at its observation time */
	for (i = kept = 0; i < nd; i++) {
		gen_plate(i + 1, &v[kept]);
		v[kept].points = gen_points(i + 1);
		v[kept].time = g->now - 3600;
		if (v[kept].points != 0)
			kept++;
	}
	nd = kept;
	h.count = (uint32_t)nd;
	qsort(v, nd, sizeof *v, drv_cmp);
	memcpy(h.mac_at_seq, g->head, sizeof h.mac_at_seq);
	tes_rng_bytes(iv, sizeof iv);
	cap = tes_drivers_encoded_len(v, nd);
	if ((out = malloc(cap)) == NULL || tes_drivers_encode(&g->dk, &h, iv, v, nd, out, cap, &used) != 0)
		goto out;
	if ((fd = openat(g->dfd, "drivers.enc.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto out;
	while (off < used) {
		ssize_t k = write(fd, out + off, used - off);

		if (k <= 0)
			goto out;
		off += (size_t)k;
	}
	if (fsync(fd) == 0 && renameat(g->dfd, "drivers.enc.tmp", g->dfd, "drivers.enc") == 0 &&
	    fsync(g->dfd) == 0)
		r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(out);
	free(v);
	return r;
}

static int
gen_run(struct gen *g, uint64_t n, uint64_t nd)
{
	uint8_t(*ids)[TES_REPORT_ID_LEN] = calloc(nd ? nd : 1, TES_REPORT_ID_LEN);
	uint8_t id[TES_REPORT_ID_LEN];
	uint64_t i;
	int r = -1;

	if (ids == NULL || (g->buf = malloc(GEN_BUF)) == NULL)
		goto out;
	for (i = 1; i <= n; i++) {
		if (gen_report(g, i, id) != 0)
			goto out;
		if (i <= nd)
			memcpy(ids[i - 1], id, TES_REPORT_ID_LEN);
	}
	for (i = 1; i <= nd; i++)
		if (gen_decision(g, i, ids[i - 1]) != 0)
			goto out;
	if (gen_flush(g) != 0 || fdatasync(g->jfd) != 0)
		goto out;
	r = gen_snapshot(g, nd);
out:
	free(ids);
	free(g->buf);
	return r;
}

static int
gen_open(struct gen *g, const char *dir, const char *unit_pub)
{
	struct tes_rsa_pub pub;
	int lfd;

	if ((g->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    tes_file_lock(g->dfd, "lock", 0, &lfd) != 0) {
		fprintf(stderr, "tes-bench: populate: cannot lock %s (server running?)\n", dir);
		return EX_TEMPFAIL;
	}
	if (tes_keyfile_load_public(&pub, unit_pub) != 0) {
		fprintf(stderr, "tes-bench: populate: cannot load %s\n", unit_pub);
		return EX_NOINPUT;
	}
	tes_rsa_keyid(&pub, g->unit_id);
	if (gen_keys(g) != 0 || (g->jfd = openat(g->dfd, "journal", O_RDWR | O_APPEND | O_CLOEXEC)) < 0) {
		fprintf(stderr, "tes-bench: populate: %s is not an initialised store\n", dir);
		return EX_NOINPUT;
	}
	if (faccessat(g->dfd, "drivers.enc", F_OK, 0) == 0 || gen_scan(g) != 0) {
		fprintf(stderr, "tes-bench: populate: %s must be a sound store without reports\n", dir);
		return EX_DATAERR;
	}
	return 0;
}

/* see bench.h */
int
tes_gen_populate(int argc, char **argv)
{
	static struct gen g;
	const char *dir = NULL, *unit_pub = NULL;
	unsigned long long n = 0, nd = 0;
	double t0;
	int c, r;

	while ((c = getopt(argc, argv, "d:n:D:P:")) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'n')
			n = strtoull(optarg, NULL, 10);
		else if (c == 'D')
			nd = strtoull(optarg, NULL, 10);
		else if (c == 'P')
			unit_pub = optarg;
		else
			return EX_USAGE;
	}
	if (dir == NULL || unit_pub == NULL || nd > n || n > 50000000ULL) {
		fputs("tes-bench: usage: populate -d DIR -P UNIT.pub -n REPORTS [-D APPROVED]\n", stderr);
		return EX_USAGE;
	}
	if ((r = gen_open(&g, dir, unit_pub)) != 0)
		return r;
	g.now = (uint64_t)time(NULL);
	tes_rng_bytes(g.sig, sizeof g.sig);
	t0 = tes_stats_now();
	if (gen_run(&g, n, nd) != 0) {
		fprintf(stderr, "tes-bench: populate: writing %s failed\n", dir);
		return EX_IOERR;
	}
	fprintf(stderr, "tes-bench: populate: %llu reports, %llu approved in %.1f s\n", n, nd,
		tes_stats_now() - t0);
	TES_WIPE_CTX(&g.jk);
	TES_WIPE_CTX(&g.dk);
	return EX_OK;
}
