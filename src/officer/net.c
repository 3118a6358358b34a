/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "officer/net.h"

/* A listening socket on one address, or -1 with errno set. */
static int
listen_on(const struct addrinfo *a)
{
	int fd, one = 1, e;

	if ((fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 256) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* see net.h */
int
tes_net_listen_tcp(const char *spec, char *err, size_t cap)
{
	struct addrinfo *ai = NULL;
	const struct addrinfo *a;
	int fd = -1;

	if (tes_addr_resolve(spec, 1, &ai, err, cap) != 0)
		return -1;
	/* a name such as localhost may give an address this host cannot bind (::1 without IPv6) */
	for (a = ai; a != NULL && fd < 0; a = a->ai_next)
		fd = listen_on(a);
	if (fd < 0)
		snprintf(err, cap, "cannot listen on %s: %s", spec, strerror(errno));
	freeaddrinfo(ai);
	return fd;
}

/* see net.h */
void
tes_net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char h[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, h, sizeof h);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, h, sizeof h);
	snprintf(out, cap, "%s", h);
}
