/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "officer/net.h"

/* see net.h */
int
tes_net_listen_tcp(const char *spec, char *err, size_t cap)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	char host[128];
	const char *colon = strrchr(spec, ':');
	size_t hl;
	int fd = -1, one = 1, e;

	if (colon == NULL || colon == spec || (hl = (size_t)(colon - spec)) >= sizeof host) {
		snprintf(err, cap, "bad address '%s' (expected ADDR:PORT)", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		snprintf(err, cap, "bad address '%s': %s", spec, gai_strerror(e));
		return -1;
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 256) != 0) {
		snprintf(err, cap, "cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
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
