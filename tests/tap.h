/* SPDX-License-Identifier: ISC */
/*
 * Minimal TAP producer for the unit tests (one binary per module, run by
 * `prove`). Each check prints "ok N - name" or "not ok N - name # file:line";
 * tap_done() prints the plan and the closing "N passed, N failed" line.
 */
#ifndef TES_TESTS_TAP_H
#define TES_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_pass, tap_fail;

#define OK(cond, ...)                                              \
	do {                                                       \
		int tap_ok_ = (cond) ? 1 : 0; /* evaluated once */ \
		++tap_n;                                           \
		if (tap_ok_) {                                     \
			++tap_pass;                                \
			printf("ok %d - ", tap_n);                 \
		} else {                                           \
			++tap_fail;                                \
			printf("not ok %d - ", tap_n);             \
		}                                                  \
		printf(__VA_ARGS__);                               \
		if (!tap_ok_)                                      \
			printf(" # %s:%d", __FILE__, __LINE__);    \
		printf("\n");                                      \
	} while (0)

#define EQ_INT(a, b, ...)    OK((long long)(a) == (long long)(b), __VA_ARGS__)
#define EQ_MEM(a, b, n, ...) OK(memcmp((a), (b), (n)) == 0, __VA_ARGS__)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed\n", tap_pass, tap_fail);
	return tap_fail != 0;
}

#endif
