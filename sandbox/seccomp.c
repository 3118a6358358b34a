/* SPDX-License-Identifier: ISC */
/*
 * seccomp backend. The filter of each phase is a BPF program made at build
 * time from sandbox/policy.c by libseccomp (sandbox/bpfgen.c, tables in
 * sandbox/filters.h): the architecture check first; a foreign architecture
 * and every system call not in the policy kill the whole process
 * (SECCOMP_RET_KILL_PROCESS). tes_sandbox_init looks the program up;
 * tes_sandbox_enter loads it with one seccomp() call after the rest of the
 * lock-down (which set PR_SET_NO_NEW_PRIVS), so no process allocates or
 * links libseccomp to build a filter. With -DTES_SANDBOX_DEBUG the programs
 * trap instead, and a SIGSYS handler reports the system call number on
 * stderr before exiting with status 5.
 */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/err.h"
#include "sandbox/common.h"
#include "sandbox/filters.h"
#include "sandbox/sandbox.h"

static const struct tes_sandbox_filter *filter;
static struct tes_sandbox_ids ids;
static enum tes_sandbox_phase ready;

/* see sandbox.h */
const char *
tes_sandbox_backend(void)
{
	return "seccomp";
}

#ifdef TES_SANDBOX_DEBUG
/* Async-signal-safe report: "sandbox: system call N not allowed". */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[64] = "tes sandbox: system call ";
	size_t n = strlen(msg);
	int nr = si->si_syscall, div = 1000;

	(void)sig;
	(void)uc;
	for (; div > 0; div /= 10)
		if (nr >= div || div == 1)
			msg[n++] = (char)('0' + (nr / div) % 10);
	memcpy(msg + n, " not allowed\n", 13);
	(void)!write(2, msg, n + 13);
	_exit(5);
}

static int
debug_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	return sigaction(SIGSYS, &sa, NULL) == 0 ? 0 : TES_ERR_INTERNAL;
}
#else
static int
debug_handler(void)
{
	return 0;
}
#endif

/* Install the program; the kernel copies it. */
static int
load(const struct tes_sandbox_filter *f)
{
	struct sock_fprog prog = { .len = (unsigned short)f->len, .filter = (struct sock_filter *)f->insns };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ? 0 : TES_ERR_INTERNAL;
}

/* see sandbox.h */
int
tes_sandbox_init(enum tes_sandbox_phase phase)
{
	const struct tes_sandbox_policy *p = tes_sandbox_policy(phase);
	int r;

	if (p == NULL)
		return TES_ERR_ARG;
	if ((filter = tes_sandbox_filter(phase)) == NULL || filter->len == 0 || filter->len > BPF_MAXINSNS)
		return TES_ERR_INTERNAL;
	if ((r = tes_sandbox_prepare(p, &ids)) != 0 || (r = debug_handler()) != 0)
		return r;
	ready = phase;
	return 0;
}

/* see sandbox.h */
int
tes_sandbox_enter(enum tes_sandbox_phase phase)
{
	const struct tes_sandbox_policy *p = tes_sandbox_policy(phase);
	int r;

	if (p == NULL || ready != phase || filter == NULL)
		return TES_ERR_STATE;
	if ((r = tes_sandbox_lockdown(p, &ids)) != 0)
		return r;
	/*= sandbox/README.md: the filter is the last step; failure is fatal for the caller */
	return load(filter);
}
