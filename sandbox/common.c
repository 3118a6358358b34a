/* SPDX-License-Identifier: ISC */
/*
 * Set-up shared by both backends, in the order sandbox/README.md gives:
 * fixed descriptors, chroot and uid drop (when root), rlimits,
 * PR_SET_NO_NEW_PRIVS. The backend then loads (or skips) the filter.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/err.h"
#include "sandbox/common.h"

/* Descriptors a parser child keeps: 0-2 and its two sockets (3, 4). */
enum {
	KEEP_FDS = 5,
	DEFAULT_CPU = 60
};

static int
set_limit(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };

	return setrlimit(res, &rl) == 0 ? 0 : TES_ERR_INTERNAL;
}

static unsigned
cpu_seconds(void)
{
	const char *s = getenv("TES_SANDBOX_CPU");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	return v > 0 && v < 86400 ? (unsigned)v : DEFAULT_CPU;
}

/*
 * An id from the environment: decimal digits only, neither 0 (root) nor
 * (id_t)-1 (which setresuid reads as "unchanged"). Returns 0 when invalid.
 */
static unsigned long
env_id(const char *name)
{
	const char *s = getenv(name);
	unsigned long v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 10)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v < 0xffffffffUL ? v : 0;
}

/* see common.h */
int
tes_sandbox_prepare(const struct tes_sandbox_policy *p, struct tes_sandbox_ids *ids)
{
	const char *dir = getenv("TES_SANDBOX_DIR");
	unsigned long uid = env_id("TES_SANDBOX_UID"), gid = env_id("TES_SANDBOX_GID");

	ids->drop = 0;
	ids->cpu = cpu_seconds();
	if (!p->drop_privileges || geteuid() != 0)
		return 0;
	/*
	 * root: there must be an empty directory to chroot into and an
	 * unprivileged uid and gid, which the master looked up (the child's
	 * image is static and never reads the user database).
	 */
	if (dir == NULL || dir[0] != '/' || uid == 0 || gid == 0)
		return TES_ERR_INTERNAL;
	ids->uid = (uid_t)uid;
	ids->gid = (gid_t)gid;
	ids->dir = dir;
	ids->drop = 1;
	return 0;
}

static int
drop(const struct tes_sandbox_ids *ids)
{
	gid_t g = ids->gid;

	if (chroot(ids->dir) != 0 || chdir("/") != 0 || setgroups(1, &g) != 0 ||
	    setresgid(ids->gid, ids->gid, ids->gid) != 0 || setresuid(ids->uid, ids->uid, ids->uid) != 0)
		return TES_ERR_INTERNAL;
	/* fail closed if root can be regained */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return TES_ERR_INTERNAL;
	return 0;
}

/* see common.h */
int
tes_sandbox_lockdown(const struct tes_sandbox_policy *p, const struct tes_sandbox_ids *ids)
{
	int r = 0;

	if (p->limit_files)
		close_range(KEEP_FDS, ~0U, 0);
	if (ids->drop && (r = drop(ids)) != 0)
		return r;
	if ((r = set_limit(RLIMIT_CORE, 0, 0)) != 0 || (r = set_limit(RLIMIT_NPROC, 0, 0)) != 0)
		return r;
	if (p->limit_files && (r = set_limit(RLIMIT_NOFILE, 0, 0)) != 0)
		return r;
#ifndef TES_SANDBOX_DEBUG
	/* The debug build's SIGSYS report goes to stderr, which may be a file. */
	if (p->limit_files && (r = set_limit(RLIMIT_FSIZE, 0, 0)) != 0)
		return r;
#endif
	if (p->limit_cpu && (r = set_limit(RLIMIT_CPU, ids->cpu, ids->cpu + 1)) != 0)
		return r;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : TES_ERR_INTERNAL;
}
