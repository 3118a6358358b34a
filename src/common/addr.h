/* SPDX-License-Identifier: ISC */
/*
 * A TCP endpoint given on the command line, "HOST:PORT" or "[IPV6]:PORT":
 * split, checked and resolved the same way for the server's --listen and
 * --http and the client's -s, so a name that one program takes the other
 * takes too, and no port outside 1..65535 is ever wrapped into another one.
 */
#ifndef TES_COMMON_ADDR_H
#define TES_COMMON_ADDR_H

#include <stddef.h>

struct addrinfo;

/*
 * Resolve hostport (names through the system resolver, as getaddrinfo does;
 * PORT a decimal number from 1 to 65535); passive: addresses to bind
 * (AI_PASSIVE). 0 with *ai to free with freeaddrinfo; TES_ERR_ARG when the
 * text is not HOST:PORT or the port is out of range, TES_ERR_NOTFOUND when
 * the host does not resolve; then a one-line reason naming hostport in err.
 */
int
tes_addr_resolve(const char *hostport, int passive, struct addrinfo **ai, char *err, size_t cap);

#endif
