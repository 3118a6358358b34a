/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/addr.h"
#include "common/cli.h"
#include "common/err.h"

/* Host part of "HOST:PORT" or "[HOST]:PORT" into host[cap]; the port's text in *port. */
static int
split(const char *hostport, char *host, size_t cap, const char **port)
{
	const char *colon = strrchr(hostport, ':');
	size_t hl;

	if (colon == NULL || colon == hostport || (hl = (size_t)(colon - hostport)) >= cap)
		return TES_ERR_ARG;
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	*port = colon + 1;
	return 0;
}

/* see addr.h */
int
tes_addr_resolve(const char *hostport, int passive, struct addrinfo **ai, char *err, size_t cap)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	char host[256];
	const char *port;
	unsigned long p;
	int g;

	*ai = NULL;
	if (split(hostport, host, sizeof host, &port) != 0) {
		snprintf(err, cap, "bad address '%s' (expected HOST:PORT)", hostport);
		return TES_ERR_ARG;
	}
	/* getaddrinfo takes "99999" and keeps its low 16 bits: another port */
	if (tes_cli_uint(port, 1, 65535, &p) != 0) {
		snprintf(err, cap, "bad port in '%s' (expected a number from 1 to 65535)", hostport);
		return TES_ERR_ARG;
	}
	if (passive)
		hints.ai_flags |= AI_PASSIVE;
	if ((g = getaddrinfo(host, port, &hints, ai)) != 0) {
		snprintf(err, cap, "cannot resolve %s: %s", hostport, gai_strerror(g));
		*ai = NULL;
		return TES_ERR_NOTFOUND;
	}
	return 0;
}
