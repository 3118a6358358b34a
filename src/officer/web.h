/* SPDX-License-Identifier: ISC */
/*
 * The officer dashboard (spec/HTTP.md). The master accepts browser
 * connections and starts (posix_spawn) one "tes-parser http" child per connection;
 * the child, sandboxed before it reads a byte, parses the request and sends
 * one fixed-size, validated request struct (web/msg.h). The master renders
 * the page from the store and sends the response bytes back in fixed-size
 * chunks, which the child writes to the browser. The master never sees raw
 * HTTP bytes. Sessions, CSRF tokens and login rate limits live here.
 *
 * A NULL struct tes_web (dashboard off) is accepted by every function.
 */
#ifndef TES_OFFICER_WEB_H
#define TES_OFFICER_WEB_H

#include "officer/spawn.h"

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "store/db.h"

enum {
	TES_WEB_SLOTS = 32,              /* concurrent browser connections */
	TES_WEB_POLL_MAX = TES_WEB_SLOTS + 2,  /* listener, children, the chain check's pipe */
	TES_WEB_DEADLINE = 30,           /* seconds a child may live */
	TES_WEB_READ_TIMEOUT = 10,       /* seconds the child waits for request bytes */
	TES_WEB_NET_FD = TES_CHILD_NET_FD,              /* child: the browser connection */
	TES_WEB_MON_FD = TES_CHILD_MON_FD,              /* child: the socketpair to the master */
	TES_WEB_EXIT_OK = 0,
	TES_WEB_EXIT_REFUSED = 3,        /* request refused with a 4xx, or peer gone */
	TES_WEB_EXIT_SETUP = TES_CHILD_EXIT_SETUP
};

struct tes_web;

/*
 * Start the dashboard on spec (ADDR:PORT): listen, prepare the tables.
 * Children run parser_exe (tes-parser) with exactly the environment env
 * (NULL-terminated).
 * spec "off" or NULL: *out = NULL and 0. On failure err gets a message and
 * -1 is returned.
 */
int
tes_web_open(struct tes_web **out, struct tes_db *db, const char *spec, const char *parser_exe,
	     char *const *env, char *err, size_t cap);

/* Add the listener and the children's sockets to pfd (at most TES_WEB_POLL_MAX entries); returns the count. */
unsigned
tes_web_poll_add(struct tes_web *w, struct pollfd *pfd);

/* Act on the poll results of the n entries tes_web_poll_add filled. */
void
tes_web_poll_handle(struct tes_web *w, const struct pollfd *pfd, unsigned n);

/* A child exited: 1 if it was an http child (its slot is freed), else 0. */
int
tes_web_reaped(struct tes_web *w, pid_t pid, int status);

/* Kill children past their deadline. */
void
tes_web_tick(struct tes_web *w, time_t now);

/* Kill every child, close the listener, wipe sessions, free w. */
void
tes_web_close(struct tes_web *w);

/* The http child ("tes-parser http"): returns the process exit code. */
int
tes_web_child_main(void);

/* Dashboard logins use the master's password verifier (officer/verifier.h);
 * the tags of their requests have TES_WEB_TAG set. */
#define TES_WEB_TAG (1ull << 63)
struct tes_verifier;
void tes_web_set_verifier(struct tes_web *w, struct tes_verifier *v);
/* A verdict for a dashboard login: render and send the parked response. */
void tes_web_verified(struct tes_web *w, uint64_t tag, int ok);

#endif
