/* SPDX-License-Identifier: ISC */
/*
 * One policy per process and phase: which system calls the steady state may
 * make, which rlimits apply and whether to chroot and drop to an
 * unprivileged uid. sandbox/README.md justifies every entry.
 */
#ifndef TES_SANDBOX_POLICY_H
#define TES_SANDBOX_POLICY_H

#include <stddef.h>

#include "sandbox/sandbox.h"

struct tes_sandbox_policy {
	enum tes_sandbox_phase phase;
	const char *name;
	const int *allow; /* syscall numbers, native ABI */
	size_t nallow;
	int drop_privileges; /* chroot + unprivileged uid/gid when started as root */
	int limit_files;     /* RLIMIT_FSIZE 0 and RLIMIT_NOFILE 0 */
	int limit_cpu;       /* RLIMIT_CPU from TES_SANDBOX_CPU (default 10 s) */
};

/* The policy of a phase, or NULL for an unknown phase. */
const struct tes_sandbox_policy *
tes_sandbox_policy(enum tes_sandbox_phase phase);

#endif
