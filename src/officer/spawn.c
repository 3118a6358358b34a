/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "officer/spawn.h"
#include "store/db.h"

/* Between fork and exec: only descriptor moves, then a fresh image. */
static _Noreturn void
child(const char *exe, const char *mode, char *const env[], int net, int mon)
{
	char *argv[] = { "tes-parser", (char *)mode, NULL };
	int a, b, null;

	signal(SIGPIPE, SIG_DFL);
	a = fcntl(net, F_DUPFD, 10);
	b = fcntl(mon, F_DUPFD, 10);
	if (a < 0 || b < 0 || dup2(a, TES_CHILD_NET_FD) < 0 || dup2(b, TES_CHILD_MON_FD) < 0)
		_exit(TES_CHILD_EXIT_SETUP);
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	close_range(5, ~0U, 0);
	execve(exe, argv, env);
	_exit(TES_CHILD_EXIT_SETUP);
}

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
		snprintf(err, errcap, "missing %s (the parser image every connection runs in; "
			 "install it next to tes-officer, e.g. with make install): %s",
			 out, errno != 0 ? strerror(errno) : "not an executable file");
		return -1;
	}
	return 0;
}

/* see spawn.h */
pid_t
tes_spawn_child(const char *exe, const char *mode, char *const env[], int net, int mon)
{
	pid_t pid = fork();

	if (pid == 0)
		child(exe, mode, env, net, mon);
	return pid;
}

/* see spawn.h */
pid_t
tes_fork_reader(struct tes_db *db, int keep)
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

/* see spawn.h */
void
tes_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char h[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, h, sizeof h);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, h, sizeof h);
	snprintf(out, cap, "%s", h);
}
