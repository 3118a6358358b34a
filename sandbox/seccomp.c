/* SPDX-License-Identifier: ISC */
/*
 * seccomp backend (libseccomp). The filter is built in tes_sandbox_init,
 * while the process may still allocate, and loaded in tes_sandbox_enter
 * after the rest of the lock-down. libseccomp emits the architecture check
 * first; a foreign architecture and every system call not in the policy
 * kill the whole process (SCMP_ACT_KILL_PROCESS). With -DTES_SANDBOX_DEBUG
 * the default action is a trap instead, and a SIGSYS handler reports the
 * system call number on stderr before exiting with status 5.
 */
#define _GNU_SOURCE
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "sandbox/common.h"
#include "sandbox/sandbox.h"

#ifdef TES_SANDBOX_DEBUG
#define DEFAULT_ACTION SCMP_ACT_TRAP
#else
#define DEFAULT_ACTION SCMP_ACT_KILL_PROCESS
#endif

static scmp_filter_ctx ctx;
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

static int
build(const struct tes_sandbox_policy *p)
{
	size_t i;

	if ((ctx = seccomp_init(DEFAULT_ACTION)) == NULL)
		return TES_ERR_INTERNAL;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) != 0)
		return TES_ERR_INTERNAL;
	for (i = 0; i < p->nallow; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, p->allow[i], 0) != 0)
			return TES_ERR_INTERNAL;
	return 0;
}

/* see sandbox.h */
int
tes_sandbox_init(enum tes_sandbox_phase phase)
{
	const struct tes_sandbox_policy *p = tes_sandbox_policy(phase);
	int r;

	if (p == NULL)
		return TES_ERR_ARG;
	if ((r = tes_sandbox_prepare(p, &ids)) != 0 || (r = build(p)) != 0 || (r = debug_handler()) != 0)
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

	if (p == NULL || ready != phase || ctx == NULL)
		return TES_ERR_STATE;
	if ((r = tes_sandbox_lockdown(p, &ids)) != 0)
		return r;
	/*= sandbox/README.md: the filter is the last step; failure is fatal for the caller */
	if (seccomp_load(ctx) != 0)
		return TES_ERR_INTERNAL;
	return 0;
}
