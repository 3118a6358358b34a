/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "officer/spawn.h"

/* Between fork and exec: only descriptor moves, then a fresh image. */
static _Noreturn void
child(const char *exe, const char *mode, char *const env[], int net, int mon)
{
	char *argv[] = { "tes-officer", (char *)mode, NULL };
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
pid_t
tes_spawn_child(const char *exe, const char *mode, char *const env[], int net, int mon)
{
	pid_t pid = fork();

	if (pid == 0)
		child(exe, mode, env, net, mon);
	return pid;
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
