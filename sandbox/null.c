/* SPDX-License-Identifier: ISC */
/*
 * null backend: for builds that cannot run under seccomp (AddressSanitizer
 * needs /proc and many system calls; valgrind). It keeps the privilege drop
 * and PR_SET_NO_NEW_PRIVS but skips the filter and the descriptor and file
 * rlimits, which the sanitizer runtimes need. Release builds never use it:
 * the Makefile links it only when SANDBOX=null, and `make test` checks that
 * the release binaries carry the seccomp backend.
 */
#include "common/err.h"
#include "sandbox/common.h"
#include "sandbox/sandbox.h"

static struct tes_sandbox_ids ids;
static enum tes_sandbox_phase ready;

/* see sandbox.h */
const char *
tes_sandbox_backend(void)
{
	return "null";
}

/* see sandbox.h */
int
tes_sandbox_init(enum tes_sandbox_phase phase)
{
	const struct tes_sandbox_policy *p = tes_sandbox_policy(phase);
	int r;

	if (p == NULL)
		return TES_ERR_ARG;
	if ((r = tes_sandbox_prepare(p, &ids)) != 0)
		return r;
	ready = phase;
	return 0;
}

/* see sandbox.h */
int
tes_sandbox_enter(enum tes_sandbox_phase phase)
{
	struct tes_sandbox_policy relaxed;
	const struct tes_sandbox_policy *p = tes_sandbox_policy(phase);

	if (p == NULL || ready != phase)
		return TES_ERR_STATE;
	relaxed = *p;
	relaxed.limit_files = 0;
	relaxed.limit_cpu = 0;
	return tes_sandbox_lockdown(&relaxed, &ids);
}
