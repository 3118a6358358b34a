/* SPDX-License-Identifier: ISC */
/*
 * tes-bench: measurement helpers shared by its subcommands. Every figure is
 * printed as one JSON object per line on stdout:
 *
 *   {"name":"...","unit":"...","median":M,"min":A,"max":B,"runs":R}
 *
 * where median, min and max are taken over R repeated runs of the same
 * measurement. src/bench/bench.sh collects the lines into build/bench.json.
 */
#ifndef TES_BENCH_BENCH_H
#define TES_BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "wire/msg.h"

enum {
	TES_BENCH_RUNS_MAX = 16,
	TES_BENCH_SAMPLES_MAX = 1 << 20 /* latency samples kept per run */
};

/* Values of one figure over the repeated runs. */
struct tes_stats_fig {
	const char *name;
	const char *unit;
	double v[TES_BENCH_RUNS_MAX];
	unsigned n;
};

/* Monotonic clock in seconds. */
double
tes_stats_now(void);

/* Append one run's value (ignored past TES_BENCH_RUNS_MAX). */
void
tes_stats_fig_add(struct tes_stats_fig *f, double v);

/* Print f as one JSON line: median, min and max over its runs. */
void
tes_stats_fig_print(const struct tes_stats_fig *f);

/* Sort n samples in place and return the q-quantile (0 <= q <= 1); 0 if n is 0. */
double
tes_stats_quantile(double *s, size_t n, double q);

/* Mean of n samples; 0 if n is 0. */
double
tes_stats_mean(const double *s, size_t n);

/* Options shared by the subcommands that talk to a server. */
struct tes_bench_net {
	const char *server; /* HOST:PORT */
	const char *key;    /* unit private key file */
	const char *user;
	char pw[129];
	const char *server_key; /* SHA256:... fingerprint to pin */
	const char *tag;        /* suffix of the figure names */
	int server_pid;         /* > 0: also report the server's CPU time per operation */
	unsigned clients;
	unsigned runs;
	double seconds; /* timed phase of one run */
};

/*
 * The k-th report of session i as `tes-bench report` sends it, from the
 * unit with key id unit: a fresh random id, observed a minute ago
 * (`tes-bench raw` takes its record sizes from one of these).
 */
void
tes_load_report(struct tes_report *rep, const uint8_t unit[static TES_KEYID_LEN], unsigned i, unsigned k);

/* Subcommands: argc/argv after the subcommand name; a sysexits code. */
int
tes_raw(int argc, char **argv);
int
tes_load_handshakes(int argc, char **argv);
int
tes_load_resume(int argc, char **argv);
int
tes_load_reports(int argc, char **argv);
int
tes_load_idle(int argc, char **argv);
int
tes_gen_populate(int argc, char **argv);
int
tes_scale_approve(int argc, char **argv);
int
tes_scale_startup(int argc, char **argv);
int
tes_scale_rss(int argc, char **argv);
int
tes_scale_export(int argc, char **argv);

#endif
