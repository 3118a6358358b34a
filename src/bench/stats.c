/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench/bench.h"

/* see bench.h */
double
tes_stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* see bench.h */
void
tes_stats_fig_add(struct tes_stats_fig *f, double v)
{
	if (f->n < TES_BENCH_RUNS_MAX)
		f->v[f->n++] = v;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* see bench.h */
double
tes_stats_quantile(double *s, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(s, n, sizeof *s, dbl_cmp);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return s[i < n ? i : n - 1];
}

/* see bench.h */
double
tes_stats_mean(const double *s, size_t n)
{
	double t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += s[i];
	return n == 0 ? 0 : t / (double)n;
}

/* see bench.h */
void
tes_stats_fig_print(const struct tes_stats_fig *f)
{
	double v[TES_BENCH_RUNS_MAX];
	unsigned i;

	for (i = 0; i < f->n; i++)
		v[i] = f->v[i];
	qsort(v, f->n, sizeof v[0], dbl_cmp);
	if (f->n == 0) {
		printf("{\"name\":\"%s\",\"unit\":\"%s\",\"median\":null,\"min\":null,\"max\":null,\"runs\":"
		       "0}\n",
		       f->name, f->unit);
	} else {
		printf("{\"name\":\"%s\",\"unit\":\"%s\",\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"runs\":%"
		       "u}\n",
		       f->name, f->unit, f->n % 2 ? v[f->n / 2] : (v[f->n / 2 - 1] + v[f->n / 2]) / 2, v[0],
		       v[f->n - 1], f->n);
	}
	fflush(stdout);
}
