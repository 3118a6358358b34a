/* SPDX-License-Identifier: ISC */
/*
 * The master's TCP endpoints: a listening socket on ADDR:PORT (the protocol
 * port and the dashboard's), and the printable address of a peer it
 * accepted, for the log.
 */
#ifndef TES_OFFICER_NET_H
#define TES_OFFICER_NET_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * Resolve "HOST:PORT" or "[ADDR6]:PORT" (tes_addr_resolve: names as the client
 * takes them, port 1..65535) and bind+listen a non-blocking, close-on-exec
 * socket (SO_REUSEADDR) on the first of its addresses that binds. The
 * descriptor, or -1 with a message in err.
 */
int
tes_net_listen_tcp(const char *spec, char *err, size_t cap);

/* Printable address of a peer ("?" for a family other than IPv4 and IPv6). */
void
tes_net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap);

#endif
