/* SPDX-License-Identifier: ISC */
/* Backend-independent parts of the sandbox (sandbox/common.c). */
#ifndef TES_SANDBOX_COMMON_H
#define TES_SANDBOX_COMMON_H

#include <sys/types.h>

#include "sandbox/policy.h"

struct tes_sandbox_ids {
	int drop; /* chroot and switch uid/gid */
	uid_t uid;
	gid_t gid;
	const char *dir; /* empty directory to chroot into */
	unsigned cpu;    /* RLIMIT_CPU seconds */
};

/*
 * What lockdown needs, from the environment the master gave the child:
 * TES_SANDBOX_DIR (chroot), TES_SANDBOX_UID and TES_SANDBOX_GID (the
 * unprivileged ids, required when root), TES_SANDBOX_CPU (RLIMIT_CPU).
 */
int
tes_sandbox_prepare(const struct tes_sandbox_policy *p, struct tes_sandbox_ids *ids);

/* Close extra descriptors, chroot + drop uid (root only), rlimits, no_new_privs. */
int
tes_sandbox_lockdown(const struct tes_sandbox_policy *p, const struct tes_sandbox_ids *ids);

#endif
