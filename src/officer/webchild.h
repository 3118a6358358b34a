/* SPDX-License-Identifier: ISC */
/*
 * The http child ("tes-parser http"): one browser request per process. It
 * is a fresh image holding no secret; it enters the sandbox before it reads
 * the first byte, parses with the bounded parser of web/http.h, sends the
 * master one fixed request struct (web/wmsg.h), and copies the response
 * chunks the master sends back to the browser.
 *
 * File descriptors on entry (officer/spawn.h): TES_WEBCHILD_NET_FD is the
 * browser connection, TES_WEBCHILD_MON_FD the socketpair to the master.
 */
#ifndef TES_OFFICER_WEBCHILD_H
#define TES_OFFICER_WEBCHILD_H

#include "officer/spawn.h"

enum {
	TES_WEBCHILD_READ_TIMEOUT = 10, /* seconds the child waits for request bytes */
	TES_WEBCHILD_NET_FD = TES_CHILD_NET_FD,
	TES_WEBCHILD_MON_FD = TES_CHILD_MON_FD,
	TES_WEBCHILD_EXIT_OK = 0,
	TES_WEBCHILD_EXIT_REFUSED = 3, /* request refused with a 4xx, or peer gone */
	TES_WEBCHILD_EXIT_SETUP = TES_CHILD_EXIT_SETUP
};

/* Run the child; returns the process exit code. */
int
tes_webchild_main(void);

#endif
