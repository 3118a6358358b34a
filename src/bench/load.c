/* SPDX-License-Identifier: ISC */
/*
 * Load generators against a running tes-officer: many concurrent clients,
 * one process each (the client code is single-session by design). Workers
 * write their latency samples into a shared anonymous mapping; the parent
 * releases them all at once and computes rates and quantiles.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "police/client.h"

/* Per-worker results in the shared mapping; samples follow the array of these. */
struct wres {
	unsigned long ok, errors;
	double end; /* when the worker's last operation finished */
	int last_err;
};

struct shared {
	struct wres *w;
	double *samples; /* clients x cap latencies, seconds */
	size_t cap;
	size_t map_len;
	void *map;
};

static struct tes_rsa_priv unit_key;
static uint8_t unit_id[TES_KEYID_LEN];

static int
net_opts(struct tes_bench_net *o, int argc, char **argv, unsigned *extra, const char *extra_opt)
{
	static const char usage[] = "tes-bench: usage: -s HOST:PORT -k KEY -u USER -p PWFILE -f SHA256:FP "
				    "[-c CLIENTS] [-r RUNS] [-t SECS] [-n N] [-T TAG]\n";
	FILE *pf = NULL;
	size_t l;
	int c;

	while ((c = getopt(argc, argv, "s:k:u:p:f:c:r:t:n:T:P:")) != -1) {
		switch (c) {
		case 'P':
			o->server_pid = atoi(optarg);
			break;
		case 's':
			o->server = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'p':
			pf = fopen(optarg, "r");
			break;
		case 'f':
			o->server_key = optarg;
			break;
		case 'c':
			o->clients = (unsigned)atoi(optarg);
			break;
		case 'r':
			o->runs = (unsigned)atoi(optarg);
			break;
		case 't':
			o->seconds = atof(optarg);
			break;
		case 'T':
			o->tag = optarg;
			break;
		case 'n':
			if (extra_opt != NULL) {
				*extra = (unsigned)atoi(optarg);
				break;
			}
			/* FALLTHROUGH */
		default:
			fputs(usage, stderr);
			return EX_USAGE;
		}
	}
	if (pf == NULL || fgets(o->pw, sizeof o->pw, pf) == NULL) {
		fputs("tes-bench: cannot read the password file (-p)\n", stderr);
		if (pf != NULL)
			fclose(pf);
		return EX_NOINPUT;
	}
	fclose(pf);
	l = strlen(o->pw);
	while (l > 0 && (o->pw[l - 1] == '\n' || o->pw[l - 1] == '\r'))
		o->pw[--l] = '\0';
	if (o->server == NULL || o->key == NULL || o->user == NULL || o->server_key == NULL ||
	    o->clients < 1 || o->runs < 1 || o->runs > TES_BENCH_RUNS_MAX || o->seconds <= 0) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	if (tes_keyfile_load_private(&unit_key, o->key) != 0) {
		fprintf(stderr, "tes-bench: cannot load unit key %s\n", o->key);
		return EX_NOINPUT;
	}
	tes_rsa_keyid(&unit_key.pub, unit_id);
	return 0;
}

/* Lift the descriptor limit to its hard maximum: one socket per client. */
static void
more_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
shared_map(struct shared *s, unsigned clients, size_t per)
{
	s->cap = per;
	s->map_len = clients * sizeof(struct wres) + (size_t)clients * per * sizeof(double);
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->map == MAP_FAILED)
		return -1;
	s->w = s->map;
	s->samples = (double *)(void *)((char *)s->map + clients * sizeof(struct wres));
	return 0;
}

/* Open one logged-in session. */
static int
session_open(const struct tes_bench_net *o, struct tes_client *c)
{
	char err[256];
	int r;

	tes_client_init(c, &unit_key, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 60);
	if ((r = tes_client_connect(c, o->server, err, sizeof err)) != 0)
		return r;
	if ((r = tes_client_handshake(c, tes_client_pin_fp, (void *)(uintptr_t)o->server_key)) != 0 ||
	    (r = tes_client_login(c, o->user, o->pw)) != 0)
		tes_client_close(c);
	return r;
}

/* Wait until the parent closes the start pipe. */
static void
wait_go(int go)
{
	char b;

	while (read(go, &b, 1) < 0 && errno == EINTR)
		;
}

/* CPU ticks of a process: its own user + system time, plus its reaped children's if all. */
static unsigned long long
proc_ticks(int pid, int all)
{
	unsigned long long ut = 0, st = 0, cut = 0, cst = 0;
	char path[64], buf[1024], *p;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) == NULL || (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut, &st, &cut,
		   &cst) != 4)
		ut = st = cut = cst = 0;
	fclose(f);
	return ut + st + (all ? cut + cst : 0);
}

/*
 * CPU seconds used so far by the server: the master's own time, that of its
 * reaped children (every session child is reaped by the master) and that of
 * the children still alive (helper processes, sessions not yet reaped).
 */
static double
server_cpu(int pid)
{
	unsigned long long t = proc_ticks(pid, 1);
	char path[64];
	FILE *f;
	int c;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fscanf(f, "%d", &c) == 1)
			t += proc_ticks(c, 0);
		fclose(f);
	}
	return (double)t / (double)sysconf(_SC_CLK_TCK);
}

typedef void (*worker_fn)(const struct tes_bench_net *o, struct shared *s, unsigned i, int ready, int go,
			  unsigned n);

/*
 * Fork o->clients workers, wait until each has said it is ready (one byte on
 * the ready pipe), release them together and wait for all. *elapsed gets the
 * time from the release to the last worker's end; *cpu0 the server's CPU
 * time right before the release (with -P), so that what the workers did to
 * get ready (connect, handshake, login, pre-signing) is not counted.
 */
static int
run_workers(const struct tes_bench_net *o, struct shared *s, worker_fn fn, unsigned n, double *elapsed,
	    double *cpu0)
{
	int rp[2], gp[2];
	unsigned i, got = 0;
	double t0, end = 0;
	char b;

	if (pipe(rp) != 0 || pipe(gp) != 0)
		return -1;
	memset(s->w, 0, o->clients * sizeof(struct wres));
	for (i = 0; i < o->clients; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(rp[0]);
			close(gp[1]);
			fn(o, s, i, rp[1], gp[0], n);
			_exit(0);
		}
		if (pid < 0)
			return -1;
	}
	close(rp[1]);
	close(gp[0]);
	while (got < o->clients && read(rp[0], &b, 1) == 1)
		got++;
	*cpu0 = o->server_pid > 0 ? server_cpu(o->server_pid) : 0;
	t0 = tes_stats_now();
	close(gp[1]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	close(rp[0]);
	for (i = 0; i < o->clients; i++)
		if (s->w[i].end > end)
			end = s->w[i].end;
	*elapsed = end - t0;
	return got == o->clients ? 0 : -1;
}

/* Gather every worker's samples at the front of the sample area. */
static size_t
gather(const struct tes_bench_net *o, struct shared *s, unsigned long *ok, unsigned long *errors)
{
	size_t total = 0, k, m;
	unsigned i;

	*ok = *errors = 0;
	for (i = 0; i < o->clients; i++) {
		m = s->w[i].ok < s->cap ? s->w[i].ok : s->cap;
		for (k = 0; k < m; k++)
			s->samples[total++] = s->samples[(size_t)i * s->cap + k];
		*ok += s->w[i].ok;
		*errors += s->w[i].errors;
		if (s->w[i].last_err != 0)
			fprintf(stderr, "tes-bench: worker %u: last error: %s\n", i,
				tes_err_str(s->w[i].last_err));
	}
	return total;
}

static void
hs_worker(const struct tes_bench_net *o, struct shared *s, unsigned i, int ready, int go, unsigned n)
{
	struct wres *w = &s->w[i];
	double *lat = s->samples + (size_t)i * s->cap, stop, t0;
	struct tes_client c;
	int r;

	(void)n;
	(void)!write(ready, "r", 1);
	wait_go(go);
	stop = tes_stats_now() + o->seconds;
	do {
		t0 = tes_stats_now();
		if ((r = session_open(o, &c)) == 0) {
			tes_client_close(&c);
			if (w->ok < s->cap)
				lat[w->ok] = tes_stats_now() - t0;
			w->ok++;
		} else {
			w->errors++;
			w->last_err = r;
		}
		w->end = tes_stats_now();
	} while (w->end < stop);
}

/* The resumption ticket of each client (tes_load_resume), got before the workers are forked. */
static struct tes_client_ticket *tickets;

/*
 * One full handshake and login that asks for the SESSION record, closed at
 * once: the resumption ticket and secret the server gave it, in t.
 */
static int
ticket_get(const struct tes_bench_net *o, struct tes_client_ticket *t)
{
	struct tes_client c;
	char err[256];
	int r;

	tes_client_init(&c, &unit_key, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 60);
	c.want_session = 1;
	if ((r = tes_client_connect(&c, o->server, err, sizeof err)) != 0)
		return r;
	if ((r = tes_client_handshake(&c, tes_client_pin_fp, (void *)(uintptr_t)o->server_key)) == 0 &&
	    (r = tes_client_login(&c, o->user, o->pw)) == 0 &&
	    (!c.has_session || c.session.ticket_len == 0 || c.session.ticket_len > TES_TICKET_MAX))
		r = TES_ERR_STATE; /* the server gave no ticket */
	if (r == 0) {
		t->len = c.session.ticket_len;
		memcpy(t->ticket, c.session.ticket, t->len);
		memcpy(t->res_secret, c.session.res_secret, TES_HASH_LEN);
		t->expires = UINT64_MAX;
	}
	tes_client_close(&c);
	return r;
}

/* Loop connect -> resumed handshake with this client's ticket -> close (BYE). */
static void
rs_worker(const struct tes_bench_net *o, struct shared *s, unsigned i, int ready, int go, unsigned n)
{
	struct wres *w = &s->w[i];
	double *lat = s->samples + (size_t)i * s->cap, stop, t0;
	struct tes_client c;
	char err[256];
	int r;

	(void)n;
	(void)!write(ready, "r", 1);
	wait_go(go);
	stop = tes_stats_now() + o->seconds;
	do {
		t0 = tes_stats_now();
		tes_client_init(&c, &unit_key, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 60);
		if ((r = tes_client_connect(&c, o->server, err, sizeof err)) == 0) {
			r = tes_client_resume(&c, &tickets[i], tes_client_pin_fp,
					      (void *)(uintptr_t)o->server_key);
			tes_client_close(&c);
		}
		if (r == 0) {
			if (w->ok < s->cap)
				lat[w->ok] = tes_stats_now() - t0;
			w->ok++;
		} else {
			w->errors++;
			w->last_err = r;
		}
		w->end = tes_stats_now();
	} while (w->end < stop);
}

/* Print rate and p50/p99 (milliseconds) figures of the runs. */
static void
print_figs(const char *what, const char *tag, const struct tes_stats_fig *rate,
	   const struct tes_stats_fig *p50, const struct tes_stats_fig *p99, const struct tes_stats_fig *err,
	   const struct tes_stats_fig *cpu)
{
	struct tes_stats_fig f[5];
	char names[5][96];
	const char *sfx[5] = { "_per_s", "_p50_ms", "_p99_ms", "_errors", "_server_cpu_ms" };
	const struct tes_stats_fig *src[5] = { rate, p50, p99, err, cpu };
	unsigned i;

	for (i = 0; i < (cpu->n > 0 ? 5u : 4u); i++) {
		f[i] = *src[i];
		snprintf(names[i], sizeof names[i], "%s%s%s%s", what, tag[0] ? "_" : "", tag, sfx[i]);
		f[i].name = names[i];
		tes_stats_fig_print(&f[i]);
	}
}

struct figs {
	struct tes_stats_fig rate, p50, p99, err, cpu;
};

static void
figs_add(struct figs *f, double *samples, size_t total, unsigned long ok, unsigned long errors,
	 double elapsed)
{
	tes_stats_fig_add(&f->rate, elapsed > 0 ? (double)ok / elapsed : 0);
	tes_stats_fig_add(&f->p50, 1e3 * tes_stats_quantile(samples, total, 0.50));
	tes_stats_fig_add(&f->p99, 1e3 * tes_stats_quantile(samples, total, 0.99));
	tes_stats_fig_add(&f->err, (double)errors);
}

static void
figs_init(struct figs *f, const char *unit)
{
	memset(f, 0, sizeof *f);
	f->rate.unit = unit;
	f->p50.unit = f->p99.unit = "ms";
	f->err.unit = "count";
	f->cpu.unit = "ms/op";
}

static int
bench_loop(struct tes_bench_net *o, worker_fn fn, unsigned n, const char *what, const char *unit)
{
	struct shared s;
	struct figs f;
	unsigned long ok, errors;
	double elapsed;
	size_t total;
	unsigned r;
	double c0;

	more_fds();
	if (shared_map(&s, o->clients, TES_BENCH_SAMPLES_MAX / o->clients) != 0)
		return EX_OSERR;
	figs_init(&f, unit);
	for (r = 0; r < o->runs; r++) {
		if (run_workers(o, &s, fn, n, &elapsed, &c0) != 0) {
			fprintf(stderr, "tes-bench: %s: workers failed to start\n", what);
			return EX_SOFTWARE;
		}
		total = gather(o, &s, &ok, &errors);
		figs_add(&f, s.samples, total, ok, errors, elapsed);
		if (o->server_pid > 0 && ok > 0) {
			usleep(700000); /* the master reaps the last children within its 500 ms poll */
			tes_stats_fig_add(&f.cpu, 1e3 * (server_cpu(o->server_pid) - c0) / (double)ok);
		}
	}
	print_figs(what, o->tag ? o->tag : "", &f.rate, &f.p50, &f.p99, &f.err, &f.cpu);
	munmap(s.map, s.map_len);
	return EX_OK;
}

/* see bench.h */
int
tes_load_handshakes(int argc, char **argv)
{
	struct tes_bench_net o = { .clients = 8, .runs = 3, .seconds = 3 };
	int r;

	if ((r = net_opts(&o, argc, argv, NULL, NULL)) != 0)
		return r;
	return bench_loop(&o, hs_worker, 0, "handshake", "handshake/s");
}

/* see bench.h */
int
tes_load_resume(int argc, char **argv)
{
	struct tes_bench_net o = { .clients = 8, .runs = 3, .seconds = 3 };
	unsigned i;
	int r;

	if ((r = net_opts(&o, argc, argv, NULL, NULL)) != 0)
		return r;
	if ((tickets = calloc(o.clients, sizeof *tickets)) == NULL)
		return EX_OSERR;
	/* not timed: before the first run, so neither its time nor the server's CPU for it is counted */
	for (i = 0; i < o.clients; i++)
		if ((r = ticket_get(&o, &tickets[i])) != 0) {
			fprintf(stderr, "tes-bench: resume: no ticket for client %u: %s\n", i,
				tes_err_str(r));
			free(tickets);
			return EX_UNAVAILABLE;
		}
	r = bench_loop(&o, rs_worker, 0, "resume", "resume/s");
	tes_wipe(tickets, o.clients * sizeof *tickets);
	free(tickets);
	return r;
}

/* see bench.h */
void
tes_load_report(struct tes_report *rep, const uint8_t unit[static TES_KEYID_LEN], unsigned i, unsigned k)
{
	memset(rep, 0, sizeof *rep);
	tes_rng_bytes(rep->id, TES_REPORT_ID_LEN);
	memcpy(rep->unit_key, unit, TES_KEYID_LEN);
	rep->plate_len = (uint8_t)snprintf(rep->plate, sizeof rep->plate, "B%uN%u", i % 100000, k % 100000);
	rep->speed = (uint16_t)(60 + (i + k) % 90);
	rep->limit = 50;
	rep->time = (uint64_t)time(NULL) - 60;
	rep->loc_len = (uint8_t)snprintf(rep->loc, sizeof rep->loc, "bench road km %u", k % 1000);
}

struct signed_rep {
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];
};

static void
fail_worker(int ready, struct wres *w, int r)
{
	w->errors++;
	w->last_err = r;
	(void)!write(ready, "r", 1);
}

/*
 * One session: log in and sign n reports (not timed), then, once released,
 * send them one after the other, each waiting for its durable receipt.
 */
static void
rep_worker(const struct tes_bench_net *o, struct shared *s, unsigned i, int ready, int go, unsigned n)
{
	struct wres *w = &s->w[i];
	double *lat = s->samples + (size_t)i * s->cap, t0;
	struct signed_rep *v = calloc(n, sizeof *v);
	uint8_t h[TES_HASH_LEN];
	struct tes_receipt rc;
	struct tes_client c;
	unsigned k;
	int r;

	if (v == NULL || (r = session_open(o, &c)) != 0) {
		fail_worker(ready, w, v == NULL ? TES_ERR_INTERNAL : r);
		return;
	}
	for (k = 0; k < n; k++) {
		tes_load_report(&v[k].r, unit_id, i, k);
		if ((r = tes_digest_report(&v[k].r, h)) != 0 ||
		    (r = tes_rsa_sign(&unit_key, h, v[k].sig)) != 0) {
			fail_worker(ready, w, r);
			return;
		}
	}
	(void)!write(ready, "r", 1);
	wait_go(go);
	for (k = 0; k < n; k++) {
		t0 = tes_stats_now();
		r = tes_client_report_signed(&c, &v[k].r, v[k].sig, &rc);
		w->end = tes_stats_now();
		if (r == 0 && rc.status == TES_RECEIPT_QUEUED) {
			if (w->ok < s->cap)
				lat[w->ok] = w->end - t0;
			w->ok++;
		} else {
			w->errors++;
			w->last_err = r != 0 ? r : TES_ERR_FORMAT;
			if (r != 0)
				break;
		}
	}
	tes_client_close(&c);
	free(v);
}

/* see bench.h */
int
tes_load_reports(int argc, char **argv)
{
	struct tes_bench_net o = { .clients = 16, .runs = 3, .seconds = 1 };
	unsigned n = 32;
	int r;

	if ((r = net_opts(&o, argc, argv, &n, "n")) != 0)
		return r;
	if (n < 1 || n > 100000)
		return EX_USAGE;
	return bench_loop(&o, rep_worker, n, "report", "report/s");
}

static volatile sig_atomic_t idle_stop;

static void
on_term(int sig)
{
	(void)sig;
	idle_stop = 1;
}

/*
 * Open o->clients logged-in sessions from this one process, print
 * "ready N" and keep them open, silent, until SIGTERM or o->seconds.
 */
int
tes_load_idle(int argc, char **argv)
{
	struct tes_bench_net o = { .clients = 100, .runs = 1, .seconds = 60 };
	struct sigaction sa = { .sa_handler = on_term };
	struct tes_client *c;
	unsigned i, open = 0;
	double stop;
	int r;

	if ((r = net_opts(&o, argc, argv, NULL, NULL)) != 0)
		return r;
	more_fds();
	if ((c = calloc(o.clients, sizeof *c)) == NULL)
		return EX_OSERR;
	sigaction(SIGTERM, &sa, NULL);
	for (i = 0; i < o.clients && !idle_stop; i++)
		if ((r = session_open(&o, &c[i])) == 0)
			open++;
		else
			fprintf(stderr, "tes-bench: idle session %u: %s\n", i, tes_err_str(r));
	printf("ready %u\n", open);
	fflush(stdout);
	stop = tes_stats_now() + o.seconds;
	while (!idle_stop && tes_stats_now() < stop)
		usleep(100000);
	for (i = 0; i < o.clients; i++)
		if (c[i].established)
			tes_client_close(&c[i]);
	free(c);
	return open == o.clients ? EX_OK : EX_UNAVAILABLE;
}
