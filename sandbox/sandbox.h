/* SPDX-License-Identifier: ISC */
/*
 * The sandbox behind two calls (OpenSSH ssh-sandbox.h style). Backends:
 * seccomp (sandbox/seccomp.c, release builds) and null (sandbox/null.c, for
 * builds that cannot run under seccomp: sanitizers, valgrind). Policies, one
 * per process and phase, are in sandbox/policy.c; sandbox/README.md justifies
 * every allowed system call.
 *
 *   tes_sandbox_init(phase)   before anything untrusted is read: fixed
 *                             descriptors, rlimits prepared, filter compiled
 *   tes_sandbox_enter(phase)  drop privileges (chroot + uid when root), set
 *                             rlimits and PR_SET_NO_NEW_PRIVS, load the filter
 *
 * Both fail closed: a caller that gets an error must exit without touching
 * untrusted input.
 */
#ifndef TES_SANDBOX_SANDBOX_H
#define TES_SANDBOX_SANDBOX_H

enum tes_sandbox_phase {
	TES_SANDBOX_INVALID = 0,
	TES_SANDBOX_SESSION = 1,  /* protocol parser child: read, write, exit */
	TES_SANDBOX_HTTP = 2,     /* dashboard request parser child */
	TES_SANDBOX_POLICE = 3,   /* police client after connect and key load */
	TES_SANDBOX_SIGCHECK = 4, /* report signature-check worker of the master: read, write, exit */
	TES_SANDBOX_VERIFIER = 5  /* password verifier worker of the master: read, write, brk, exit */
};

/* Name of the compiled-in backend: "seccomp" or "null". */
const char *
tes_sandbox_backend(void);

int
tes_sandbox_init(enum tes_sandbox_phase phase);

int
tes_sandbox_enter(enum tes_sandbox_phase phase);

#endif
