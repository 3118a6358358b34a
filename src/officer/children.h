/* SPDX-License-Identifier: ISC */
/*
 * The master's supervision of one kind of parser child: the protocol
 * sessions ("tes-parser session", server.c) and the dashboard's requests
 * ("tes-parser http", dashboard.c) are two tables of this module. A table
 * listens on its address, accepts, starts one child per connection
 * (officer/spawn.h) with a SOCK_SEQPACKET socketpair to the master, reads
 * the child's fixed-size messages, dispatches them through the kind's
 * table, kills a child that breaks a rule or outlives its deadline, and
 * frees the slot when the master reaps the child. When every slot is taken,
 * a new connection gets the kind's refusal and is closed.
 *
 * Dispatch, the same for every kind: decode (a wrong size or a malformed
 * message kills the child), the kind's busy check, the proven permission
 * table over (state, type, once-only types used) (a refused request kills
 * the child), the type marked as used, then the handler of the type's row.
 * A kind's rows and its permission columns come from one list (the
 * TES_MON_DISPATCH and TES_WMSG_DISPATCH X-macros).
 *
 * The master's event loop stays with its caller: it polls the descriptors
 * tes_children_poll_add gives, calls tes_children_poll_read and
 * tes_children_poll_accept with the results, routes the pids waitpid
 * returns to tes_children_reaped and calls tes_children_tick for the
 * deadlines.
 */
#ifndef TES_OFFICER_CHILDREN_H
#define TES_OFFICER_CHILDREN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* One child. A kind's slot struct begins with this one. */
struct tes_child {
	pid_t pid;     /* 0 = free */
	int mon;       /* the master's end of the socketpair; -1 once closed */
	int net;       /* the master's copy of the client socket (kinds with a late_alert), else -1 */
	uint8_t state; /* the kind's state: what the child may send now */
	uint32_t used; /* once-only requests already made: bit (1 << type) */
	time_t deadline;
	uint8_t exited;   /* reaped: its last messages are being read; it is sent no signal */
	uint8_t ready;    /* its handshake is over (the kind's ready state was reached) */
	uint8_t src[9];   /* the source it counts against: 4 + IPv4 address, or 6 + IPv6 /64 */
	int64_t login_ms; /* the handshake deadline (monotonic ms), pushed on while the master owes an answer */
	char peer[64];    /* the client's address */
};

/* A row of a kind's handler table: the handler of one message type. */
struct tes_children_handler {
	uint8_t type;
	void (*fn)(void *owner, struct tes_child *c, const void *msg);
};

/* A kind of child: parameters and callbacks (owner is the table's owner). */
struct tes_children_kind {
	const char *mode;   /* tes-parser MODE */
	const char *noun;   /* a child in the log: "session %d (%s): ..." */
	const char *killed; /* what the log line of a kill ends with */
	const char *late;   /* why a child past its deadline is killed */
	uint8_t late_alert; /* the ALERT written to the client after that kill, 0: none */
	size_t slot_size;   /* the kind's slot, which begins with struct tes_child */
	size_t msg_len;     /* every message from a child is exactly this long */
	size_t msg_size;    /* the decoded message */
	unsigned grace;     /* seconds past the deadline before the kill */
	uint8_t start;      /* the state of a new child */
	uint8_t dead;       /* the state of a killed child */
	uint8_t ready;      /* the state that ends the handshake (tes_children_startups) */
	const char *slow;   /* why a child still in its handshake at its deadline is killed */
	/* decode n bytes into msg and its *type; non-zero kills the child with `malformed` */
	int (*decode)(const uint8_t *buf, size_t n, void *msg, uint8_t *type);
	const char *malformed;
	/* an answer is still owed to the child (may be NULL): a request now kills it with `refused` */
	int (*busy)(const struct tes_child *c);
	/* the permission table: 0 when a child in state may send type; else kills it with `refused` */
	int (*permit)(uint8_t state, uint8_t type, uint32_t used);
	const char *refused;
	const struct tes_children_handler *handlers;
	size_t nhandlers;
	/* a new child is running (may be NULL) */
	void (*on_start)(void *owner, struct tes_child *c);
	/* its monitor socket was closed: at its end of file (killed 0) or by a kill (killed 1) */
	void (*on_close)(void *owner, struct tes_child *c, int killed);
	/* it was reaped, with waitpid's status; its slot is freed after this */
	void (*on_exit)(void *owner, struct tes_child *c, int status);
	/* every slot is taken: what the connection fd gets before it is closed */
	void (*refuse)(void *owner, int fd);
};

struct tes_children;

/*
 * Listen on spec (ADDR:PORT) and prepare nslots free slots of kind. A
 * child runs exe ("tes-parser") with exactly the environment env
 * (NULL-terminated, kept by reference) and is killed lifetime seconds (plus
 * the kind's grace) after its start. 0, or -1 with a message in err.
 */
int
tes_children_open(struct tes_children **out, const struct tes_children_kind *kind, void *owner,
		  const char *spec, unsigned nslots, unsigned lifetime, const char *exe, char *const *env,
		  char *err, size_t cap);

/*
 * Room kept for the children past their handshake (OpenSSH's LoginGraceTime,
 * MaxStartups and PerSourceMaxStartups): a child that has not reached the
 * kind's ready state within grace_ms of its start is killed, the time the
 * master owes it an answer (the kind's busy) not counted; a connection is
 * refused while per_source children of its source (an IPv4 address, an IPv6
 * /64) are in their handshake, or full children in all, and refused with a
 * probability from rate % (at start) up to 100 % (at full) while start or
 * more are. Without this call a table has no such limits.
 */
struct tes_children_startups {
	unsigned grace_ms;
	unsigned per_source;
	unsigned start, rate, full; /* 1 <= start <= full, rate <= 100 */
};
void
tes_children_startups(struct tes_children *cs, const struct tes_children_startups *st);

/* Kill every child (and wait for each when wait is set), close the listener, wipe, free; NULL is accepted. */
void
tes_children_close(struct tes_children *cs, int wait);

/* Add the listener, then every open monitor socket, to pfd (at most nslots + 1 entries); the count. */
unsigned
tes_children_poll_add(struct tes_children *cs, struct pollfd *pfd);

/* Read and dispatch the messages of the n entries tes_children_poll_add filled. */
void
tes_children_poll_read(struct tes_children *cs, const struct pollfd *pfd, unsigned n);

/* Accept the pending connections when the listener (pfd[0] of those entries) is readable. */
void
tes_children_poll_accept(struct tes_children *cs, const struct pollfd *pfd);

/*
 * A child exited: 1 if it was one of this table's, else 0. The messages it
 * sent before it exited (its last log line) are read and dispatched first;
 * then on_exit runs and its slot is freed.
 */
int
tes_children_reaped(struct tes_children *cs, pid_t pid, int status);

/* Kill the children past their deadline. */
void
tes_children_tick(struct tes_children *cs, time_t now);

/* Kill c (SIGKILL), log why, close its monitor socket, set the kind's dead state. */
void
tes_children_kill(struct tes_children *cs, struct tes_child *c, const char *why);

/* Close c's monitor socket (the child sees its end of file). */
void
tes_children_hangup(struct tes_children *cs, struct tes_child *c);

/* Send one message of the kind's length to c, without blocking: 0 or TES_ERR_IO. */
int
tes_children_send(const struct tes_children *cs, const struct tes_child *c, const uint8_t *msg);

/*
 * How many slots to scan: every slot from this number on is free (it is one
 * more than the highest slot in use, not --max-sessions); and slot i (i below
 * that number, free or not).
 */
unsigned
tes_children_count(const struct tes_children *cs);
struct tes_child *
tes_children_at(struct tes_children *cs, unsigned i);

/*
 * A tag for a request made on c's behalf (to a worker pool): its slot and
 * its pid. tes_children_tagged: the child a tag was made for, while that
 * slot still holds that child and its monitor socket is open; else NULL.
 * Tags are below 2^63.
 */
uint64_t
tes_children_tag(const struct tes_children *cs, const struct tes_child *c);
struct tes_child *
tes_children_tagged(struct tes_children *cs, uint64_t tag);

#endif
