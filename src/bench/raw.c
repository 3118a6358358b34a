/* SPDX-License-Identifier: ISC */
/*
 * The physical limit: single-core rates of the primitives the server pays
 * for, through the project's own wrappers (src/crypto, the journal codec),
 * measured in the same run as the server figures so that the ratios compare
 * like with like. The per-report primitives run at the sizes of a report as
 * `tes-bench report` sends it (its REPORT frame, its journal record), which
 * are printed too ("size_*" figures).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "bench/bench.h"
#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/hmac.h"
#include "crypto/keyfile.h"
#include "crypto/passwd.h"
#include "crypto/record.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/ticketkey.h"
#include "crypto/x25519.h"
#include "officer/mon.h"
#include "officer/spawn.h"
#include "store/journal.h"
#include "store/seal.h"

enum {
	RAW_BUF = 1024,
	/* the report whose sizes are measured: session 8, report 80 of the 16-session run */
	RAW_REP_SESSION = 8,
	RAW_REP_NUMBER = 80
};

/* The user whose ticket is opened: the one of the resumed handshakes in bench.sh (its length sets the size). */
static const char raw_ticket_user[] = "alice";

/* One report as the server receives and stores it. */
struct raw_rep {
	struct tes_report r;
	uint8_t frame[TES_RECORD_MAX_FRAME]; /* its REPORT record, as sent on the wire */
	size_t frame_len;
	struct tes_record_dir rx; /* the session's receiving direction, at seq 0 */
	size_t canon_len;         /* its canonical encoding (what the digest covers) */
	struct tes_seal_keys jk;
	uint8_t body[TES_JOURNAL_BODY_MAX]; /* its journal REPORT body */
	size_t body_len;
	uint8_t prev[TES_JOURNAL_MAC_LEN], iv[TES_JOURNAL_IV_LEN];
	uint8_t rec[TES_JOURNAL_REC_MAX]; /* its sealed journal record */
	size_t rec_len;
	uint8_t rcpt[TES_FRAME_MAX]; /* the RECEIPT record that answers it */
	size_t rcpt_len;
	uint8_t plain[TES_RECORD_MAX_PLAIN], digest[TES_HASH_LEN];
};

struct raw {
	struct tes_rsa_priv k;
	uint8_t oaep[TES_RSA_LEN], sig[TES_RSA_LEN], h[TES_HASH_LEN], out[TES_RSA_LEN];
	uint8_t xpriv[32], xpub[32];
	uint8_t buf[RAW_BUF], frame[TES_RECORD_MAX_FRAME], iv[8];
	br_des_ct_cbcenc_keys dk;
	struct tes_record_dir rec;
	struct raw_rep rep;
	char pw_default[TES_PASSWD_ENCODED_MAX], pw_256kib[TES_PASSWD_ENCODED_MAX];
	const char *parser; /* tes-parser, for op_spawn */
	int null;           /* /dev/null, its two sockets there */
	int mon;            /* our end of the echo process's socketpair */
	pid_t echo;
	clockid_t echo_clk; /* the echo process's CPU clock */
	uint8_t msg[TES_MON_MSG_LEN];
	int tcp[2];            /* both ends of one loopback TCP connection */
	int jfd;               /* an unlinked scratch journal (O_APPEND) */
	unsigned long jwrites; /* records appended to it since it was emptied */
	uint8_t io[TES_FRAME_MAX];
	struct tes_ticket_keys tkeys;   /* a ticket key set as the server's: one current key */
	uint8_t ticket[TES_TICKET_MAX]; /* a ticket sealed under it, of the size the server issues */
	uint16_t ticket_len;
	struct tes_ticket topen; /* what opening it gives */
};

static const char raw_pw[] = "bench password";

static void
op_oaep(struct raw *x)
{
	(void)tes_rsa_oaep_decrypt(&x->k, x->oaep, x->out);
}

static void
op_sign(struct raw *x)
{
	if (tes_rsa_sign(&x->k, x->h, x->sig) != 0)
		abort();
}

static void
op_verify(struct raw *x)
{
	if (tes_rsa_verify(&x->k.pub, x->h, x->sig) != 0)
		abort();
}

static void
op_x25519(struct raw *x)
{
	if (tes_x25519_shared(x->out, x->xpriv, x->xpub) != 0)
		abort();
}

/* A key pair as a session child makes one per handshake. */
static void
op_x25519_keygen(struct raw *x)
{
	if (tes_x25519_keygen(x->out, x->out + 32) != 0)
		abort();
}

static void
op_des3(struct raw *x)
{
	br_des_ct_cbcenc_run(&x->dk, x->iv, x->buf, sizeof x->buf);
}

static void
op_hmac(struct raw *x)
{
	tes_hmac_sha256(x->h, sizeof x->h, x->buf, sizeof x->buf, x->out);
}

static void
op_record(struct raw *x)
{
	size_t used;

	if (tes_record_seal(&x->rec, x->buf, TES_RECORD_MAX_PLAIN, x->frame, sizeof x->frame, &used) != 0)
		abort();
}

/* Open the report's REPORT frame as the session child does (a copy of the direction: seq 0 each time). */
static void
op_record_open_report(struct raw *x)
{
	struct tes_record_dir d = x->rep.rx;
	size_t n;

	if (tes_record_open(&d, x->rep.frame, x->rep.frame + TES_FRAME_HDR_LEN,
			    x->rep.frame_len - TES_FRAME_HDR_LEN, x->rep.plain, sizeof x->rep.plain, &n) != 0)
		abort();
}

/* Seal the report's journal record as the store's append does. */
static void
op_journal_seal_report(struct raw *x)
{
	struct tes_journal_hdr h = { .type = TES_JREC_REPORT, .seq = 1 };
	size_t n;

	memcpy(h.key, x->rep.r.id, TES_JOURNAL_KEY_LEN);
	if (tes_journal_seal(&x->rep.jk, x->rep.prev, &h, x->rep.iv, x->rep.body, x->rep.body_len, x->rep.rec,
			     sizeof x->rep.rec, &n) != 0)
		abort();
}

/* The digest the unit's signature must cover, as the master computes it. */
static void
op_report_digest(struct raw *x)
{
	if (tes_digest_report(&x->rep.r, x->rep.digest) != 0)
		abort();
}

/* A login's password check, through the verifier's wrapper, at the default cost and at 256 KiB. */
static void
op_argon2_default(struct raw *x)
{
	if (tes_passwd_verify(x->pw_default, raw_pw, sizeof raw_pw - 1) != 0)
		abort();
}

static void
op_argon2_256kib(struct raw *x)
{
	if (tes_passwd_verify(x->pw_256kib, raw_pw, sizeof raw_pw - 1) != 0)
		abort();
}

/* A resumed handshake's ticket check, as the master does it: MAC, AES-256-CTR, decode, times. */
static void
op_ticket_open(struct raw *x)
{
	if (tes_ticketkey_open(&x->tkeys, (uint64_t)time(NULL), x->ticket, x->ticket_len, &x->topen) != 0)
		abort();
}

/*
 * Start the parser image as the master does (tes_spawn_child) and reap it:
 * with /dev/null for both sockets, "tes-parser session" finds no set-up
 * message and exits, so this is the least a child per connection costs
 * (process creation, exec, the image's start-up, exit, reaping).
 */
static void
op_spawn(struct raw *x)
{
	pid_t pid = tes_spawn_child(x->parser, "session", (char *[]){ NULL }, x->null, x->null);

	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		abort();
}

/*
 * The other end of the monitor round trip: answer each message with itself,
 * with the blocking read and write a session child or a worker uses.
 */
static _Noreturn void
echo(int fd)
{
	uint8_t buf[TES_MON_MSG_LEN];
	ssize_t k;

	while ((k = read(fd, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)k) != k)
			break;
	_exit(0);
}

/*
 * One message to another process and its answer, as the master exchanges
 * them with a child or a worker: a monitor-sized message on a SOCK_SEQPACKET
 * socketpair, sent without blocking, the answer awaited in poll: two process
 * hand-overs.
 */
static void
op_roundtrip(struct raw *x)
{
	struct pollfd p = { .fd = x->mon, .events = POLLIN };

	if (send(x->mon, x->msg, sizeof x->msg, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof x->msg ||
	    poll(&p, 1, -1) != 1 ||
	    recv(x->mon, x->msg, sizeof x->msg, MSG_DONTWAIT) != (ssize_t)sizeof x->msg)
		abort();
}

/* Read exactly n bytes (a loopback socket delivers what was written, maybe in parts). */
static void
read_n(int fd, uint8_t *p, size_t n)
{
	ssize_t k;

	for (; n > 0; p += k, n -= (size_t)k)
		if ((k = read(fd, p, n)) <= 0)
			abort();
}

/*
 * The report's REPORT frame over loopback TCP and the RECEIPT frame back,
 * both ends in this process: what a session child and its client read and
 * write for a report, with nothing else (the child's half is the server's).
 */
static void
op_tcp_exchange(struct raw *x)
{
	if (write(x->tcp[0], x->rep.frame, x->rep.frame_len) != (ssize_t)x->rep.frame_len)
		abort();
	read_n(x->tcp[1], x->io, x->rep.frame_len);
	if (write(x->tcp[1], x->rep.rcpt, x->rep.rcpt_len) != (ssize_t)x->rep.rcpt_len)
		abort();
	read_n(x->tcp[0], x->io, x->rep.rcpt_len);
}

/* Append the report's journal record with one write(2), as the store does (the file is emptied now and then). */
static void
op_journal_append(struct raw *x)
{
	if (++x->jwrites >= 16384) {
		if (ftruncate(x->jfd, 0) != 0)
			abort();
		x->jwrites = 0;
	}
	if (write(x->jfd, x->rep.rec, x->rep.rec_len) != (ssize_t)x->rep.rec_len)
		abort();
}

/* The same, made durable as a group commit does, one fdatasync for one record. */
static void
op_journal_sync(struct raw *x)
{
	op_journal_append(x);
	if (fdatasync(x->jfd) != 0)
		abort();
}

/* One primitive: its figure name, unit, operation and bytes per operation (0: count ops). */
static const struct {
	const char *name, *unit;
	void (*op)(struct raw *);
	size_t bytes;
} prims[] = {
	{ "raw_rsa_oaep_decrypt", "op/s", op_oaep, 0 },
	{ "raw_rsa_sign", "op/s", op_sign, 0 },
	{ "raw_rsa_verify", "op/s", op_verify, 0 },
	{ "raw_x25519", "op/s", op_x25519, 0 },
	{ "raw_x25519_keygen", "op/s", op_x25519_keygen, 0 },
	{ "raw_3des_cbc", "MB/s", op_des3, RAW_BUF },
	{ "raw_hmac_sha256", "MB/s", op_hmac, RAW_BUF },
	{ "raw_record_seal", "MB/s", op_record, TES_RECORD_MAX_PLAIN },
	{ "raw_record_open_report", "op/s", op_record_open_report, 0 },
	{ "raw_journal_seal_report", "op/s", op_journal_seal_report, 0 },
	{ "raw_report_digest", "op/s", op_report_digest, 0 },
	{ "raw_argon2id_default", "op/s", op_argon2_default, 0 },
	{ "raw_argon2id_256kib", "op/s", op_argon2_256kib, 0 },
	{ "raw_ticket_open", "op/s", op_ticket_open, 0 },
	{ "raw_spawn_parser", "op/s", op_spawn, 0 },
	{ "raw_mon_roundtrip", "op/s", op_roundtrip, 0 },
	{ "raw_tcp_exchange", "op/s", op_tcp_exchange, 0 },
	{ "raw_journal_append", "op/s", op_journal_append, 0 },
	{ "raw_journal_sync", "op/s", op_journal_sync, 0 },
};

static double
secs_of(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/*
 * CPU seconds used so far by this process, the echo process and the
 * children reaped (the parser images of op_spawn).
 */
static double
cpu_all(const struct raw *x)
{
	struct timespec a = { 0 }, b = { 0 };
	struct rusage ch = { 0 };

	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	(void)clock_gettime(x->echo_clk, &b);
	(void)getrusage(RUSAGE_CHILDREN, &ch);
	return secs_of(&a) + secs_of(&b) + (double)(ch.ru_utime.tv_sec + ch.ru_stime.tv_sec) +
	       (double)(ch.ru_utime.tv_usec + ch.ru_stime.tv_usec) / 1e6;
}

/*
 * Run primitive i for secs seconds: its rate (of wall time), and in *cpu_us
 * the CPU microseconds per operation, which another job on the machine
 * does not inflate.
 */
static double
rate(struct raw *x, size_t i, double secs, double *cpu_us)
{
	double t0 = tes_stats_now(), t = t0, c0 = cpu_all(x);
	unsigned long n = 0;

	while (t - t0 < secs) {
		prims[i].op(x);
		n++;
		t = tes_stats_now();
	}
	*cpu_us = 1e6 * (cpu_all(x) - c0) / (double)n;
	if (prims[i].bytes != 0)
		return (double)n * (double)prims[i].bytes / (t - t0) / 1e6;
	return (double)n / (t - t0);
}

/* Start the echo process; before any key is loaded, so that it holds none. */
static int
echo_start(struct raw *x)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0)
		return -1;
	if ((x->echo = fork()) == 0) {
		close(sp[0]);
		echo(sp[1]);
	}
	close(sp[1]);
	x->mon = sp[0];
	return x->echo > 0 && clock_getcpuclockid(x->echo, &x->echo_clk) == 0 ? 0 : -1;
}

/* The RECEIPT record the server seals for the report (QUEUED, a violation number of 7 digits). */
static int
rcpt_setup(struct raw_rep *p)
{
	struct tes_receipt rc = { .status = TES_RECEIPT_QUEUED, .number = 1000000 };
	uint8_t enc[TES_ENC_KEY_LEN], mac[TES_MAC_KEY_LEN], plain[64];
	struct tes_record_dir tx;
	size_t n;
	int r;

	memcpy(rc.id, p->r.id, TES_REPORT_ID_LEN);
	tes_rng_bytes(enc, sizeof enc);
	tes_rng_bytes(mac, sizeof mac);
	tes_record_dir_init(&tx, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, enc, mac);
	r = tes_msg_receipt_encode(&rc, plain, sizeof plain, &n) != 0 ||
			    tes_record_seal(&tx, plain, n, p->rcpt, sizeof p->rcpt, &p->rcpt_len) != 0
		    ? -1
		    : 0;
	TES_WIPE_CTX(&tx);
	TES_WIPE_BUF(enc);
	TES_WIPE_BUF(mac);
	return r;
}

/* A loopback TCP connection with both ends here (TCP_NODELAY, as the client and the child have it). */
static int
tcp_setup(struct raw *x)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	int l, one = 1;

	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) != 0 ||
	    (x->tcp[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(x->tcp[0], (struct sockaddr *)&a, sizeof a) != 0 ||
	    (x->tcp[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		close(l);
		return -1;
	}
	close(l);
	(void)setsockopt(x->tcp[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	(void)setsockopt(x->tcp[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return 0;
}

/* The scratch journal: a file in $TMPDIR (else /tmp), unlinked at once. */
static int
journal_setup(struct raw *x)
{
	const char *dir = getenv("TMPDIR");
	char path[512];

	snprintf(path, sizeof path, "%s/tes-bench-journal.XXXXXX", dir != NULL ? dir : "/tmp");
	if ((x->jfd = mkostemp(path, O_APPEND | O_CLOEXEC)) < 0)
		return -1;
	(void)unlink(path);
	return 0;
}

/*
 * The report of the 16-session run that the per-report primitives use:
 * its REPORT frame as the client seals it, its journal record as the
 * store seals it (under keys of this run).
 */
static int
rep_setup(struct raw *x)
{
	struct raw_rep *p = &x->rep;
	struct tes_journal_hdr h = { .type = TES_JREC_REPORT, .seq = 1 };
	struct tes_journal_report m = { .number = 1, .received = (uint64_t)time(NULL) };
	uint8_t keyid[TES_KEYID_LEN], enc[TES_ENC_KEY_LEN], mac[TES_MAC_KEY_LEN], sk[TES_STORE_KEY_LEN];
	struct tes_record_dir tx;
	size_t n;
	int r = -1;

	tes_rsa_keyid(&x->k.pub, keyid);
	tes_load_report(&p->r, keyid, RAW_REP_SESSION, RAW_REP_NUMBER);
	tes_rng_bytes(enc, sizeof enc);
	tes_rng_bytes(mac, sizeof mac);
	tes_rng_bytes(sk, sizeof sk);
	tes_rng_bytes(p->prev, sizeof p->prev);
	tes_rng_bytes(p->iv, sizeof p->iv);
	tes_record_dir_init(&tx, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, enc, mac);
	tes_record_dir_init(&p->rx, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, enc, mac);
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, &p->jk);
	m.r = p->r;
	memcpy(m.sig, x->sig, TES_RSA_LEN);
	memcpy(h.key, p->r.id, TES_JOURNAL_KEY_LEN);
	if (tes_msg_report_encode(&p->r, p->plain, sizeof p->plain, &p->canon_len) != 0 ||
	    tes_msg_report_rec_encode(&p->r, x->sig, p->plain, sizeof p->plain, &n) != 0 ||
	    tes_record_seal(&tx, p->plain, n, p->frame, sizeof p->frame, &p->frame_len) != 0 ||
	    tes_journal_report_encode(&m, p->body, sizeof p->body, &p->body_len) != 0 ||
	    tes_journal_seal(&p->jk, p->prev, &h, p->iv, p->body, p->body_len, p->rec, sizeof p->rec,
			     &p->rec_len) != 0 ||
	    rcpt_setup(p) != 0)
		goto out;
	r = 0;
out:
	TES_WIPE_CTX(&tx);
	TES_WIPE_BUF(enc);
	TES_WIPE_BUF(mac);
	TES_WIPE_BUF(sk);
	return r;
}

/*
 * A ticket key set like the one a server makes (tes_ticketkey_ensure: key
 * id 1, no previous key) and a ticket sealed under it as the master seals one
 * at a login: the bench user, a binding to its password hash, a fresh
 * resumption secret, the default lifetime.
 */
static int
ticket_setup(struct raw *x)
{
	struct tes_ticket t = { .version = TES_TICKET_VERSION };
	uint64_t now = (uint64_t)time(NULL);
	int r;

	x->tkeys.cur_kid = 1;
	x->tkeys.cur_created = now;
	tes_rng_bytes(x->tkeys.cur, sizeof x->tkeys.cur);
	tes_rsa_keyid(&x->k.pub, t.unit_key);
	tes_rsa_keyid(&x->k.pub, t.server_key);
	t.user_len = (uint8_t)(sizeof raw_ticket_user - 1);
	memcpy(t.user, raw_ticket_user, sizeof raw_ticket_user);
	tes_ticketkey_pw_bind(x->pw_default, strlen(x->pw_default), t.pw_bind);
	tes_rng_bytes(t.res_secret, sizeof t.res_secret);
	t.issued = now;
	t.expiry = now + TES_TICKET_LIFETIME;
	r = tes_ticketkey_seal(&x->tkeys, &t, x->ticket, &x->ticket_len);
	TES_WIPE_CTX(&t);
	return r;
}

/* A size in bytes as a figure of one run. */
static void
size_fig(const char *name, size_t n)
{
	struct tes_stats_fig f = { .name = name, .unit = "bytes" };

	tes_stats_fig_add(&f, (double)n);
	tes_stats_fig_print(&f);
}

static int
raw_setup(struct raw *x, const char *keyfile)
{
	uint8_t pms[TES_PMS_LEN], enc[TES_ENC_KEY_LEN], mac[TES_MAC_KEY_LEN];

	/* Argon2id's memory from a heap that is kept, as in the verifier workers (officer/verifier.c) */
	(void)mallopt(M_MMAP_MAX, 0);
	(void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
	if (echo_start(x) != 0 ||
	    (keyfile != NULL ? tes_keyfile_load_private(&x->k, keyfile) : tes_rsa_generate(&x->k)) != 0)
		return -1;
	tes_rng_bytes(pms, sizeof pms);
	tes_rng_bytes(x->h, sizeof x->h);
	tes_rng_bytes(x->buf, sizeof x->buf);
	tes_rng_bytes(enc, sizeof enc);
	tes_rng_bytes(mac, sizeof mac);
	if (tes_rsa_oaep_encrypt(&x->k.pub, pms, sizeof pms, x->oaep) != 0 ||
	    tes_rsa_sign(&x->k, x->h, x->sig) != 0 || tes_x25519_keygen(x->xpriv, x->out) != 0 ||
	    tes_x25519_keygen(x->out, x->xpub) != 0 ||
	    tes_passwd_hash_cost(raw_pw, sizeof raw_pw - 1, TES_PASSWD_M_DEFAULT, x->pw_default,
				 sizeof x->pw_default) != 0 ||
	    tes_passwd_hash_cost(raw_pw, sizeof raw_pw - 1, 256, x->pw_256kib, sizeof x->pw_256kib) != 0)
		return -1;
	if ((x->null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	br_des_ct_cbcenc_init(&x->dk, enc, sizeof enc);
	tes_record_dir_init(&x->rec, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, enc, mac);
	if (tcp_setup(x) != 0 || journal_setup(x) != 0 || ticket_setup(x) != 0)
		return -1;
	return rep_setup(x);
}

/* see bench.h */
int
tes_raw(int argc, char **argv)
{
	static struct raw x;
	struct tes_stats_fig f, g;
	char cpu_name[64];
	const char *keyfile = NULL;
	unsigned runs = 3, r;
	double secs = 0.5, cpu;
	size_t i;
	int c;

	while ((c = getopt(argc, argv, "k:r:t:x:")) != -1) {
		if (c == 'k')
			keyfile = optarg;
		else if (c == 'x')
			x.parser = optarg;
		else if (c == 'r')
			runs = (unsigned)atoi(optarg);
		else if (c == 't')
			secs = atof(optarg);
		else
			return EX_USAGE;
	}
	if (runs < 1 || runs > TES_BENCH_RUNS_MAX || secs <= 0)
		return EX_USAGE;
	if (raw_setup(&x, keyfile) != 0) {
		fprintf(stderr, "tes-bench: raw: key set-up failed\n");
		return EX_SOFTWARE;
	}
	size_fig("size_report_frame", x.rep.frame_len);
	size_fig("size_journal_report", x.rep.rec_len);
	size_fig("size_report_canonical", x.rep.canon_len);
	size_fig("size_receipt_frame", x.rep.rcpt_len);
	size_fig("size_ticket", x.ticket_len);
	for (i = 0; i < sizeof prims / sizeof prims[0]; i++) {
		if (prims[i].op == op_spawn && x.parser == NULL)
			continue;
		memset(&f, 0, sizeof f);
		memset(&g, 0, sizeof g);
		f.name = prims[i].name;
		f.unit = prims[i].unit;
		snprintf(cpu_name, sizeof cpu_name, "%s_cpu_us", prims[i].name);
		g.name = cpu_name;
		g.unit = "us/op";
		for (r = 0; r < runs; r++) {
			tes_stats_fig_add(&f, rate(&x, i, secs, &cpu));
			tes_stats_fig_add(&g, cpu);
		}
		tes_stats_fig_print(&f);
		tes_stats_fig_print(&g);
	}
	close(x.null);
	close(x.mon);
	close(x.tcp[0]);
	close(x.tcp[1]);
	close(x.jfd);
	(void)waitpid(x.echo, NULL, 0);
	TES_WIPE_CTX(&x);
	return EX_OK;
}
