/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "officer/spawn.h"
#include "store/db.h"

/* see spawn.h */
int
tes_spawn_find_parser(char *out, size_t cap, char *err, size_t errcap)
{
	struct stat st;
	char *slash;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", out, cap - 1)) <= 0) {
		snprintf(err, errcap, "cannot find my own executable: %s", strerror(errno));
		return -1;
	}
	out[n] = '\0';
	if ((slash = strrchr(out, '/')) == NULL || (size_t)(slash - out) + sizeof "/tes-parser" > cap) {
		snprintf(err, errcap, "cannot place tes-parser next to %s", out);
		return -1;
	}
	memcpy(slash, "/tes-parser", sizeof "/tes-parser");
	errno = 0;
	if (stat(out, &st) != 0 || !S_ISREG(st.st_mode) || access(out, X_OK) != 0) {
		snprintf(err, errcap,
			 "missing %s (the parser image every connection runs in; "
			 "install it next to tes-officer, e.g. with make install): %s",
			 out, errno != 0 ? strerror(errno) : "not an executable file");
		return -1;
	}
	return 0;
}

/*
 * A descriptor the file actions can move to 3 or 4 without clobbering the
 * other one: below 5, a close-on-exec copy above them (*tmp, closed by the
 * caller); otherwise fd itself.
 */
static int
above_child_fds(int fd, int *tmp)
{
	if (fd > TES_CHILD_MON_FD)
		return fd;
	return *tmp = fcntl(fd, F_DUPFD_CLOEXEC, TES_CHILD_MON_FD + 1);
}

/* see spawn.h */
pid_t
tes_spawn_child(const char *exe, const char *mode, char *const env[], int net, int mon)
{
	char *argv[] = { "tes-parser", (char *)mode, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t dfl, mask;
	int tmp[2] = { -1, -1 }, a, b, e = 0;
	pid_t pid = -1;

	a = above_child_fds(net, &tmp[0]);
	b = above_child_fds(mon, &tmp[1]);
	if (a < 0 || b < 0) {
		e = errno;
		goto out;
	}
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	if ((e = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE); /* the master ignores it; the child dies of a broken pipe */
	/* a stop signal for the whole process group is the master's, which then kills its children
	 * with SIGKILL: a child that died of it first would be logged as crashed */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if ((e = posix_spawn_file_actions_adddup2(&fa, a, TES_CHILD_NET_FD)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, b, TES_CHILD_MON_FD)) == 0 &&
	    (e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, 0, 1)) == 0 &&
	    (e = posix_spawn_file_actions_addclosefrom_np(&fa, TES_CHILD_MON_FD + 1)) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&at, &dfl)) == 0 &&
	    (e = posix_spawnattr_setsigmask(&at, &mask)) == 0 &&
	    (e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) == 0)
		e = posix_spawn(&pid, exe, &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
out:
	for (size_t i = 0; i < 2; i++)
		if (tmp[i] >= 0)
			close(tmp[i]);
	if (e != 0) {
		tes_log(TES_LOG_ERROR, "cannot start %s %s: %s", exe, mode, strerror(e));
		errno = e;
		return -1;
	}
	return pid;
}

/* see spawn.h */
pid_t
tes_spawn_reader(struct tes_db *db, int keep)
{
	int fds[4] = { keep }, hi = keep, fd, i, kept;
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	tes_db_forked(db, fds + 1);
	for (i = 1; i < 4; i++)
		hi = fds[i] > hi ? fds[i] : hi;
	for (fd = 3; fd < hi; fd++) {
		for (i = 0, kept = 0; i < 4; i++)
			kept |= fds[i] == fd;
		if (!kept)
			close(fd);
	}
	close_range((unsigned)hi + 1, ~0U, 0);
	return 0;
}
