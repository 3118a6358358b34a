/* SPDX-License-Identifier: ISC */
/*
 * The seccomp programs made at build time (sandbox/filters.h): run each one
 * through a small classic-BPF interpreter for every system call number, for
 * x32 numbers and for foreign architectures, and check the verdict against
 * the phase's policy (sandbox/policy.c) and sandbox/README.md; then, with
 * the seccomp backend, load the police program in a forked process and check
 * that the kernel kills an unlisted call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/filters.h"
#include "sandbox/policy.h"
#include "sandbox/sandbox.h"
#include "tap.h"

#ifdef TES_SANDBOX_DEBUG
#define DEFAULT_RET SECCOMP_RET_TRAP
#else
#define DEFAULT_RET SECCOMP_RET_KILL_PROCESS
#endif

enum {
	BAD = 0xdeadu,
	NR_MAX = 1024,
	X32_BIT = 0x40000000
};

/*
 * Classic BPF as the kernel runs it on struct seccomp_data, for the
 * instructions libseccomp emits without argument checks: 32-bit absolute
 * loads, conditional jumps against a constant, jumps, returns. Anything
 * else, an out-of-range load or jump, or running off the end gives BAD.
 */
static uint32_t
run(const struct tes_sandbox_filter *f, const struct seccomp_data *d)
{
	uint32_t a = 0, w;
	size_t pc = 0;
	int take;

	while (pc < f->len) {
		const struct sock_filter *i = &f->insns[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k > sizeof *d - sizeof w || i->k % 4 != 0)
				return BAD;
			memcpy(&w, (const uint8_t *)d + i->k, sizeof w);
			a = w;
			pc++;
			continue;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_JMP | BPF_JA:
			pc += 1 + (size_t)i->k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			take = a == i->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			take = a >= i->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			take = a > i->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			take = (a & i->k) != 0;
			break;
		default:
			return BAD;
		}
		pc += 1 + (size_t)(take ? i->jt : i->jf);
	}
	return BAD;
}

static uint32_t
verdict(const struct tes_sandbox_filter *f, uint32_t arch, int nr)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof d);
	d.arch = arch;
	d.nr = nr;
	return run(f, &d);
}

static int
listed(const struct tes_sandbox_policy *p, int nr)
{
	size_t i;

	for (i = 0; i < p->nallow; i++)
		if (p->allow[i] == nr)
			return 1;
	return 0;
}

static void
test_program(enum tes_sandbox_phase phase)
{
	static const uint32_t foreign[] = { AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0 };
	const struct tes_sandbox_policy *p = tes_sandbox_policy(phase);
	const struct tes_sandbox_filter *f = tes_sandbox_filter(phase);
	int nr, wrong = 0, allowed = 0, x32 = 0;
	size_t i;

	OK(p != NULL && f != NULL && f->len > 0 && f->len <= BPF_MAXINSNS,
	   "%s: a program of 1..%d instructions", p != NULL ? p->name : "?", BPF_MAXINSNS);
	if (p == NULL || f == NULL)
		return;
	OK(f->insns[0].code == (BPF_LD | BPF_W | BPF_ABS) &&
		   f->insns[0].k == offsetof(struct seccomp_data, arch),
	   "%s: the first instruction loads the architecture", p->name);
	for (i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
		EQ_INT(verdict(f, foreign[i], SYS_read), SECCOMP_RET_KILL_PROCESS,
		       "%s: read from architecture 0x%08x kills the process", p->name, foreign[i]);
	for (nr = 0; nr < NR_MAX; nr++) {
		uint32_t v = verdict(f, AUDIT_ARCH_X86_64, nr),
			 x = verdict(f, AUDIT_ARCH_X86_64, nr | X32_BIT);

		allowed += v == SECCOMP_RET_ALLOW;
		wrong += v != (listed(p, nr) ? SECCOMP_RET_ALLOW : DEFAULT_RET);
		x32 += x != SECCOMP_RET_KILL_PROCESS && x != DEFAULT_RET;
	}
	EQ_INT(wrong, 0, "%s: each of system calls 0..%d is allowed exactly when the policy lists it",
	       p->name, NR_MAX - 1);
	EQ_INT(allowed, p->nallow, "%s: %zu system calls allowed", p->name, p->nallow);
	EQ_INT(x32, 0, "%s: no x32 system call is allowed", p->name);
	OK(verdict(f, AUDIT_ARCH_X86_64, -1) != SECCOMP_RET_ALLOW, "%s: system call -1 is not allowed",
	   p->name);
}

/* sandbox/README.md: the parser children and the signature-check workers may read, write and exit. */
static void
test_parser_policy(void)
{
	static const int want[] = { SYS_read, SYS_write, SYS_exit, SYS_exit_group };
	enum tes_sandbox_phase ph[] = { TES_SANDBOX_SESSION, TES_SANDBOX_HTTP, TES_SANDBOX_SIGCHECK };
	size_t i, j;

	for (i = 0; i < sizeof ph / sizeof ph[0]; i++) {
		const struct tes_sandbox_policy *p = tes_sandbox_policy(ph[i]);
		int same = p != NULL && p->nallow == sizeof want / sizeof want[0];

		for (j = 0; same && j < sizeof want / sizeof want[0]; j++)
			same = listed(p, want[j]);
		/* the http child's list is spec/HTTP.md MUST-W4 */
		OK(same, "%s: read, write, exit, exit_group only", p != NULL ? p->name : "?");
	}
	OK(tes_sandbox_filter(TES_SANDBOX_INVALID) == NULL, "no program for an invalid phase");
}

/* sandbox/README.md: the password verifiers may also move the end of the heap, nothing else. */
static void
test_verifier_policy(void)
{
	static const int want[] = { SYS_read, SYS_write, SYS_brk, SYS_exit, SYS_exit_group };
	const struct tes_sandbox_policy *p = tes_sandbox_policy(TES_SANDBOX_VERIFIER);
	int same = p != NULL && p->nallow == sizeof want / sizeof want[0];
	size_t j;

	for (j = 0; same && j < sizeof want / sizeof want[0]; j++)
		same = listed(p, want[j]);
	OK(same, "verifier: read, write, brk, exit, exit_group only");
	OK(p != NULL && !listed(p, SYS_mmap) && !listed(p, SYS_mprotect), "verifier: no mmap, no mprotect");
}

/* The police program in a real process: allowed calls work, getpid() is fatal. */
static void
test_kernel(void)
{
	int st = 0, fds[2];
	char c = 0;
	pid_t pid;

	if (strcmp(tes_sandbox_backend(), "seccomp") != 0) {
		printf("ok %d - # SKIP the %s backend loads no filter\n", ++tap_n, tes_sandbox_backend());
		tap_pass++;
		return;
	}
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		OK(0, "fork a process for the filter");
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* the debug build's SIGSYS report goes to stderr */
		if (null >= 0)
			dup2(null, 2);
		if (tes_sandbox_init(TES_SANDBOX_POLICE) != 0 || tes_sandbox_enter(TES_SANDBOX_POLICE) != 0)
			_exit(errno == ENOSYS ? 77 : 1); /* 77: no seccomp() here (valgrind) */
		(void)!write(fds[1], "y", 1);
		(void)syscall(SYS_getpid);
		_exit(0);
	}
	close(fds[1]);
	(void)!read(fds[0], &c, 1);
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		printf("ok %d - # SKIP seccomp() is not available (valgrind?)\n", ++tap_n);
		tap_pass++;
		return;
	}
	OK(c == 'y', "a write is allowed under the police filter");
#ifdef TES_SANDBOX_DEBUG
	OK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "getpid() is trapped and reported (exit 5)");
#else
	OK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "getpid() kills the process with SIGSYS");
#endif
}

int
main(void)
{
	test_program(TES_SANDBOX_SESSION);
	test_program(TES_SANDBOX_HTTP);
	test_program(TES_SANDBOX_POLICE);
	test_program(TES_SANDBOX_SIGCHECK);
	test_program(TES_SANDBOX_VERIFIER);
	test_parser_policy();
	test_verifier_policy();
	test_kernel();
	return tap_done();
}
