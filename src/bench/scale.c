/* SPDX-License-Identifier: ISC */
/*
 * Figures that need the server stopped or a look at its processes:
 * approval latency through the store API, server start-up time and peak
 * memory, and the memory of a running master and its session children.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "common/err.h"
#include "store/db.h"

static void
fig_named(struct tes_stats_fig *f, char *buf, size_t cap, const char *what, const char *tag, const char *sfx,
	  const char *unit)
{
	memset(f, 0, sizeof *f);
	snprintf(buf, cap, "%s%s%s%s", what, tag[0] ? "_" : "", tag, sfx);
	f->name = buf;
	f->unit = unit;
}

/* Decide n pending reports (the oldest pending ones first), timing each; 0 or -1. */
static int
approve_run(struct tes_db *db, size_t *next, unsigned n, double *lat)
{
	struct tes_db_report rep;
	uint16_t pts;
	unsigned k = 0;
	double t0;

	while (k < n) {
		if (tes_db_report_at(db, (*next)++, &rep) != 0)
			return -1;
		if (rep.status != TES_STATUS_PENDING)
			continue;
		t0 = tes_stats_now();
		if (tes_db_decide(db, rep.r.id, 1, NULL, "bench", (uint64_t)time(NULL), &pts) != 0)
			return -1;
		lat[k++] = tes_stats_now() - t0;
	}
	return 0;
}

static int
count_row(void *ctx, const struct tes_db_report *d)
{
	(void)d;
	++*(size_t *)ctx;
	return 0;
}

/*
 * What the dashboard reads on a large store: the history of one plate
 * (tes_db_plate_foreach) and the newest page of the audit log (50 events);
 * seconds for each into h and a. 0 or -1.
 */
static int
reads_run(struct tes_db *db, const char *plate, double *h, double *a)
{
	struct tes_db_event e;
	size_t rows = 0, k, n = tes_db_event_count(db);
	double t0 = tes_stats_now();

	if (tes_db_plate_foreach(db, plate, count_row, &rows) != 0 || rows == 0)
		return -1;
	*h = tes_stats_now() - t0;
	t0 = tes_stats_now();
	for (k = n; k-- > (n > 50 ? n - 50 : 0);)
		if (tes_db_event_at(db, k, &e) != 0)
			return -1;
	*a = tes_stats_now() - t0;
	return 0;
}

/* see bench.h */
int
tes_scale_approve(int argc, char **argv)
{
	struct tes_stats_fig f[7];
	char names[7][96];
	struct tes_db_report last;
	double t0, th, ta;
	const char *dir = NULL, *tag = "";
	unsigned n = 200, runs = 3, r, i;
	struct tes_db *db = NULL;
	double *lat;
	size_t next;
	int c;

	while ((c = getopt(argc, argv, "d:n:r:T:")) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'n')
			n = (unsigned)atoi(optarg);
		else if (c == 'r')
			runs = (unsigned)atoi(optarg);
		else if (c == 'T')
			tag = optarg;
		else
			return EX_USAGE;
	}
	if (dir == NULL || n < 1 || runs < 1 || runs > TES_BENCH_RUNS_MAX ||
	    (lat = calloc(n, sizeof *lat)) == NULL)
		return EX_USAGE;
	if ((c = tes_db_open(dir, &db)) != 0) {
		fprintf(stderr, "tes-bench: approve: %s: %s\n", dir, tes_err_str(c));
		return EX_NOINPUT;
	}
	if (tes_db_pending_count(db) < (size_t)n * runs) {
		fprintf(stderr, "tes-bench: approve: %s has only %zu pending reports\n", dir,
			tes_db_pending_count(db));
		tes_db_close(db);
		return EX_DATAERR;
	}
	/* the plate tags of the reports found at open are read by a thread: its time, then the rest without it */
	t0 = tes_stats_now();
	if (tes_db_tags_wait(db) != tes_db_report_count(db)) {
		fprintf(stderr, "tes-bench: approve: some reports have no plate tag\n");
		tes_db_close(db);
		return EX_SOFTWARE;
	}
	fig_named(&f[4], names[4], sizeof names[4], "tags", tag, "_s", "s");
	tes_stats_fig_add(&f[4], tes_stats_now() - t0);
	next = tes_db_report_count(db) - tes_db_pending_count(db);
	fig_named(&f[0], names[0], sizeof names[0], "approve", tag, "_p50_ms", "ms");
	fig_named(&f[1], names[1], sizeof names[1], "approve", tag, "_p99_ms", "ms");
	fig_named(&f[2], names[2], sizeof names[2], "approve", tag, "_mean_ms", "ms");
	fig_named(&f[3], names[3], sizeof names[3], "approve", tag, "_max_ms", "ms");
	for (r = 0; r < runs; r++) {
		if (approve_run(db, &next, n, lat) != 0) {
			fprintf(stderr, "tes-bench: approve: a decision failed\n");
			tes_db_close(db);
			return EX_SOFTWARE;
		}
		tes_stats_fig_add(&f[2], 1e3 * tes_stats_mean(lat, n));
		tes_stats_fig_add(&f[0], 1e3 * tes_stats_quantile(lat, n, 0.50));
		tes_stats_fig_add(&f[1], 1e3 * tes_stats_quantile(lat, n, 0.99));
		tes_stats_fig_add(&f[3], 1e3 * lat[n - 1]);
	}
	fig_named(&f[5], names[5], sizeof names[5], "history", tag, "_ms", "ms");
	fig_named(&f[6], names[6], sizeof names[6], "auditpage", tag, "_ms", "ms");
	for (r = 0; r < runs; r++) {
		if (tes_db_report_at(db, next - 1, &last) != 0 ||
		    reads_run(db, last.r.plate, &th, &ta) != 0) {
			fprintf(stderr, "tes-bench: approve: the dashboard reads failed\n");
			tes_db_close(db);
			return EX_SOFTWARE;
		}
		tes_stats_fig_add(&f[5], 1e3 * th);
		tes_stats_fig_add(&f[6], 1e3 * ta);
	}
	tes_db_close(db);
	for (i = 0; i < 7; i++)
		tes_stats_fig_print(&f[i]);
	free(lat);
	return EX_OK;
}

/* "Key:   123 kB" line of a /proc file, in KiB; -1 if absent. */
static long
proc_kib(const char *path, const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* A loopback port nobody listens on right now (the kernel's pick); 0 on failure. */
static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int
port_open(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	ok = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
	close(fd);
	return ok;
}

/*
 * Start `officer serve`, wait for its port: start-up seconds, the master's
 * peak RSS (VmHWM, KiB: it counts the mapped journal's page-cache pages) and
 * the largest anonymous RSS seen while polling every 2 ms (the heap proper).
 */
static int
startup_once(const char *officer, const char *dir, int port, const char *log, double *secs, long *hwm,
	     long *anon)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char listen[64], path[64];
	double t0 = tes_stats_now();
	pid_t pid;
	int st;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	if ((pid = fork()) == 0) {
		int null = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(officer, "tes-officer", "serve", "-d", dir, "--listen", listen, "--http", "off",
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	*anon = 0;
	while (!port_open(&sa)) {
		long a = proc_kib(path, "RssAnon");

		*anon = a > *anon ? a : *anon;
		if (waitpid(pid, &st, WNOHANG) == pid || tes_stats_now() - t0 > 120)
			return -1;
		usleep(2000);
	}
	*secs = tes_stats_now() - t0;
	*hwm = proc_kib(path, "VmHWM");
	kill(pid, SIGTERM);
	for (t0 = tes_stats_now(); waitpid(pid, &st, WNOHANG) == 0; usleep(10000))
		if (tes_stats_now() - t0 > 10) {
			kill(pid, SIGKILL); /* a server that ignores SIGTERM must not hang the bench */
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			break;
		}
	return 0;
}

/* tes-bench startup -e OFFICER -d DIR [-p PORT] [-r RUNS] [-T TAG] [-L SERVER_LOG] */
int
tes_scale_startup(int argc, char **argv)
{
	struct tes_stats_fig t, m, a;
	char n1[96], n2[96], n3[96];
	const char *officer = NULL, *dir = NULL, *tag = "", *log = "/dev/null";
	unsigned runs = 3, r;
	int port = 0, c;
	double secs;
	long hwm, anon;

	while ((c = getopt(argc, argv, "e:d:p:r:T:L:")) != -1) {
		if (c == 'L')
			log = optarg;
		else if (c == 'e')
			officer = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 'p')
			port = atoi(optarg);
		else if (c == 'r')
			runs = (unsigned)atoi(optarg);
		else if (c == 'T')
			tag = optarg;
		else
			return EX_USAGE;
	}
	if (port == 0)
		port = free_port();
	if (officer == NULL || dir == NULL || port <= 0 || port > 65535 || runs < 1 ||
	    runs > TES_BENCH_RUNS_MAX)
		return EX_USAGE;
	fig_named(&t, n1, sizeof n1, "startup", tag, "_s", "s");
	fig_named(&m, n2, sizeof n2, "startup", tag, "_peak_rss_kib", "KiB");
	fig_named(&a, n3, sizeof n3, "startup", tag, "_peak_anon_kib", "KiB");
	for (r = 0; r < runs; r++) {
		/* a port taken by another program in the meantime: try twice more, on fresh ports */
		if (startup_once(officer, dir, port, log, &secs, &hwm, &anon) != 0 &&
		    startup_once(officer, dir, free_port(), log, &secs, &hwm, &anon) != 0 &&
		    startup_once(officer, dir, free_port(), log, &secs, &hwm, &anon) != 0) {
			fprintf(stderr, "tes-bench: startup: the server did not start\n");
			return EX_SOFTWARE;
		}
		tes_stats_fig_add(&t, secs);
		tes_stats_fig_add(&m, (double)hwm);
		tes_stats_fig_add(&a, (double)anon);
	}
	tes_stats_fig_print(&t);
	tes_stats_fig_print(&m);
	tes_stats_fig_print(&a);
	return EX_OK;
}

/* Whether process pid is a session child: an exec'd "tes-parser session". */
static int
is_session(int pid)
{
	char path[64], cmd[64];
	size_t k = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	k = fread(cmd, 1, sizeof cmd - 1, f);
	fclose(f);
	cmd[k] = '\0';
	return k > strlen(cmd) + 1 && strcmp(cmd + strlen(cmd) + 1, "session") == 0;
}

static int
long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void
print_one(const char *what, const char *tag, const char *sfx, const char *unit, double med, double lo,
	  double hi, unsigned n)
{
	printf("{\"name\":\"%s%s%s%s\",\"unit\":\"%s\",\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"runs\":%u}"
	       "\n",
	       what, tag[0] ? "_" : "", tag, sfx, unit, med, lo, hi, n);
}

/*
 * Memory of a master and its children: master VmRSS, each child's private
 * memory (Private_Clean + Private_Dirty of smaps_rollup: what the child
 * does not share with any other process) and the sum of PSS over all.
 */
int
tes_scale_rss(int argc, char **argv)
{
	char path[96], buf[1 << 16];
	const char *tag = "";
	long master, mpss, *priv, pss_sum, v;
	size_t n = 0, cap = 0;
	int pid = 0, c;
	FILE *f;

	while ((c = getopt(argc, argv, "p:T:")) != -1) {
		if (c == 'p')
			pid = atoi(optarg);
		else if (c == 'T')
			tag = optarg;
		else
			return EX_USAGE;
	}
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (pid <= 0 || (master = proc_kib(path, "VmRSS")) < 0)
		return EX_USAGE;
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	pss_sum = mpss = proc_kib(path, "Pss");
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
	priv = NULL;
	if ((f = fopen(path, "r")) != NULL) {
		while (fscanf(f, "%d", &c) == 1) {
			snprintf(buf, sizeof buf, "/proc/%d/smaps_rollup", c);
			if (!is_session(c)) { /* helpers of the master count in the total only */
				pss_sum += proc_kib(buf, "Pss");
				continue;
			}
			if (n == cap &&
			    (priv = realloc(priv, (cap = cap ? 2 * cap : 256) * sizeof *priv)) == NULL)
				return EX_OSERR;
			snprintf(buf, sizeof buf, "/proc/%d/smaps_rollup", c);
			if ((v = proc_kib(buf, "Private_Clean")) < 0)
				continue;
			priv[n] = v + proc_kib(buf, "Private_Dirty");
			pss_sum += proc_kib(buf, "Pss");
			n++;
		}
		fclose(f);
	}
	print_one("master_rss", tag, "_kib", "KiB", (double)master, (double)master, (double)master, 1);
	print_one("sessions", tag, "", "count", (double)n, (double)n, (double)n, 1);
	print_one("total_pss", tag, "_kib", "KiB", (double)pss_sum, (double)pss_sum, (double)pss_sum, 1);
	if (n > 0) {
		qsort(priv, n, sizeof *priv, long_cmp);
		print_one("child_private", tag, "_kib", "KiB", (double)priv[n / 2], (double)priv[0],
			  (double)priv[n - 1], (unsigned)n);
	}
	(void)mpss;
	free(priv);
	return EX_OK;
}

/*
 * Run `officer ARGS...` with its stdout on a pipe read here: seconds, rows (lines after the
 * header line), bytes, and the process's peak RSS (ru_maxrss, KiB, from wait4). 0, or -1 when it
 * failed or exited non-zero.
 */
static int
export_once(const char *officer, char *const args[], double *secs, double *rows, double *bytes, long *rss)
{
	static char buf[1 << 16];
	struct rusage ru;
	double t0 = tes_stats_now();
	size_t lines = 0, total = 0;
	ssize_t k;
	pid_t pid;
	int p[2], st;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(p[1], 1);
		execv(officer, args);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	while ((k = read(p[0], buf, sizeof buf)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		total += (size_t)k;
		for (char *q = buf; (q = memchr(q, '\n', (size_t)(buf + k - q))) != NULL; q++)
			lines++;
	}
	close(p[0]);
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*secs = tes_stats_now() - t0;
	*rows = lines > 0 ? (double)(lines - 1) : 0;
	*bytes = (double)total;
	*rss = ru.ru_maxrss;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * tes-bench export -e OFFICER -d DIR [-r RUNS] [-T TAG]: `tes-officer export --format csv` of the
 * whole store (over control.sock when its server runs), rows/s and the export process's peak RSS;
 * and the peak RSS of a command that only opens the same store (`records --plate`), the baseline
 * of an export that opens the store itself.
 */
int
tes_scale_export(int argc, char **argv)
{
	struct tes_stats_fig rate, rss, base, rows;
	char n1[96], n2[96], n3[96], n4[96];
	const char *officer = NULL, *dir = NULL, *tag = "";
	unsigned runs = 3, r;
	double secs, nrows, bytes, t, b;
	long kib;
	int c;

	while ((c = getopt(argc, argv, "e:d:r:T:")) != -1) {
		if (c == 'e')
			officer = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 'r')
			runs = (unsigned)atoi(optarg);
		else if (c == 'T')
			tag = optarg;
		else
			return EX_USAGE;
	}
	if (officer == NULL || dir == NULL || runs < 1 || runs > TES_BENCH_RUNS_MAX)
		return EX_USAGE;
	{
		char *const exp[] = { "tes-officer", "export", "-d", (char *)dir, "--format", "csv", NULL };
		char *const open_only[] = { "tes-officer", "records", "-d", (char *)dir,
					    "--plate",     "ZZ999",   NULL };

		fig_named(&rate, n1, sizeof n1, "export", tag, "_rows_per_s", "rows/s");
		fig_named(&rss, n2, sizeof n2, "export", tag, "_rss_kib", "KiB");
		fig_named(&base, n3, sizeof n3, "export", tag, "_open_rss_kib", "KiB");
		fig_named(&rows, n4, sizeof n4, "export", tag, "_rows", "rows");
		for (r = 0; r < runs; r++) {
			if (export_once(officer, exp, &secs, &nrows, &bytes, &kib) != 0) {
				fprintf(stderr, "tes-bench: export: tes-officer export failed\n");
				return EX_SOFTWARE;
			}
			tes_stats_fig_add(&rate, secs > 0 ? nrows / secs : 0);
			tes_stats_fig_add(&rss, (double)kib);
			tes_stats_fig_add(&rows, nrows);
			if (export_once(officer, open_only, &t, &b, &b, &kib) != 0) {
				fprintf(stderr, "tes-bench: export: tes-officer records failed\n");
				return EX_SOFTWARE;
			}
			tes_stats_fig_add(&base, (double)kib);
		}
	}
	tes_stats_fig_print(&rate);
	tes_stats_fig_print(&rss);
	tes_stats_fig_print(&base);
	tes_stats_fig_print(&rows);
	return EX_OK;
}
