/* SPDX-License-Identifier: ISC */
/*
 * The officer dashboard in the master (spec/HTTP.md). The master accepts
 * browser connections and starts (posix_spawn) one "tes-parser http" child
 * per connection (officer/webchild.h, supervised by officer/children.h);
 * the child, sandboxed before it reads a byte, parses the request and sends
 * one fixed-size, validated request struct (web/wmsg.h). The dashboard
 * checks the route's needs (an officer's session, the CSRF token), runs the
 * route (logins, decisions, the chain check), has the page rendered
 * (officer/pages.h) and sends the response bytes back in fixed-size chunks,
 * which the child writes to the browser. The master never sees raw HTTP
 * bytes. Sessions, CSRF tokens and login rate limits live here.
 *
 * A NULL struct tes_dashboard (dashboard off) is accepted by every function.
 */
#ifndef TES_OFFICER_DASHBOARD_H
#define TES_OFFICER_DASHBOARD_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "store/db.h"

enum {
	TES_DASHBOARD_SLOTS = 32,                         /* concurrent browser connections */
	TES_DASHBOARD_POLL_MAX = TES_DASHBOARD_SLOTS + 2, /* listener, children, the chain check's pipe */
	TES_DASHBOARD_DEADLINE = 30,                      /* seconds a child may live */
	TES_DASHBOARD_EXPORT_DEADLINE = 3600,             /* ... when it relays an export download */
	TES_DASHBOARD_EXPORT_STALL = 60                   /* seconds an export waits for its http child */
};

/* Dashboard logins use the master's password verifier (officer/verifier.h);
 * the tags of their requests have TES_DASHBOARD_TAG set. */
#define TES_DASHBOARD_TAG (1ull << 63)

struct tes_dashboard;
struct tes_verifier;

/*
 * Start the dashboard on spec (ADDR:PORT): listen, prepare the tables.
 * Children run parser_exe (tes-parser) with exactly the environment env
 * (NULL-terminated). Logins are checked by ver (NULL: in the master).
 * spec "off" or NULL: *out = NULL and 0. On failure err gets a message and
 * -1 is returned.
 */
int
tes_dashboard_open(struct tes_dashboard **out, struct tes_db *db, const char *spec, const char *parser_exe,
		   char *const *env, struct tes_verifier *ver, char *err, size_t cap);

/* Add the listener, the children's sockets and the chain check's pipe to pfd (at most
 * TES_DASHBOARD_POLL_MAX entries); returns the count. */
unsigned
tes_dashboard_poll_add(struct tes_dashboard *d, struct pollfd *pfd);

/* Act on the poll results of the n entries tes_dashboard_poll_add filled. */
void
tes_dashboard_poll_handle(struct tes_dashboard *d, const struct pollfd *pfd, unsigned n);

/* A child exited: 1 if it was an http child (its slot is freed), else 0. */
int
tes_dashboard_reaped(struct tes_dashboard *d, pid_t pid, int status);

/* Kill children past their deadline. */
void
tes_dashboard_tick(struct tes_dashboard *d, time_t now);

/* The password verifier's verdict for a dashboard login (its tag has TES_DASHBOARD_TAG): answer it. */
void
tes_dashboard_verified(struct tes_dashboard *d, uint64_t tag, int ok);

/* Kill every child, close the listener, wipe sessions, free d. */
void
tes_dashboard_close(struct tes_dashboard *d);

#endif
