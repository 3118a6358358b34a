/* SPDX-License-Identifier: ISC */
/*
 * The seccomp programs of the sandbox phases, made at build time:
 * sandbox/bpfgen.c builds each policy of sandbox/policy.c with libseccomp
 * (architecture check first, the policy's system calls allowed, everything
 * else killed, or trapped in -DTES_SANDBOX_DEBUG builds) and writes the
 * exported BPF as C tables ($(B)/gen/sandbox/filters.c). The seccomp
 * backend loads a table with one seccomp() call, so no process builds a
 * filter at run time or links libseccomp.
 */
#ifndef TES_SANDBOX_FILTERS_H
#define TES_SANDBOX_FILTERS_H

#include <linux/filter.h>
#include <stddef.h>

#include "sandbox/sandbox.h"

struct tes_sandbox_filter {
	enum tes_sandbox_phase phase;
	const struct sock_filter *insns;
	size_t len; /* instructions, at most BPF_MAXINSNS */
};

/* The program of a phase, or NULL for a phase without one. */
const struct tes_sandbox_filter *
tes_sandbox_filter(enum tes_sandbox_phase phase);

#endif
