/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/io.h"
#include "common/log.h"
#include "common/wipe.h"
#include "crypto/rng.h"
#include "officer/children.h"
#include "officer/net.h"
#include "officer/spawn.h"

struct tes_children {
	const struct tes_children_kind *kind;
	void *owner;
	const char *exe;
	char *const *env;
	int lfd;
	unsigned nslots;
	unsigned hi; /* every slot from hi on is free: the scans stop there */
	unsigned lifetime;
	uint8_t *slots;                  /* nslots slots of kind->slot_size bytes */
	unsigned *idx;                   /* slot of each entry tes_children_poll_add filled */
	uint8_t *buf;                    /* one message as received (kind->msg_len bytes) */
	void *msg;                       /* and decoded (kind->msg_size bytes) */
	struct tes_children_startups st; /* st.full == 0: no handshake limits */
	int64_t tick_ms;                 /* the last tick: the handshake deadlines move on from there */
	unsigned refused;                /* refusals not logged yet */
	time_t refused_logged;           /* when a refusal was last logged */
};

struct tes_child *
tes_children_at(struct tes_children *cs, unsigned i);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The source a connection counts against: an IPv4 address (also IPv4-mapped), or an IPv6 /64. */
static void
source_key(const struct sockaddr_storage *ss, uint8_t key[static 9])
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)ss;

	memset(key, 0, 9);
	if (ss->ss_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		key[0] = 6;
		memcpy(key + 1, s6->sin6_addr.s6_addr, 8);
	} else if (ss->ss_family == AF_INET6) {
		key[0] = 4;
		memcpy(key + 1, s6->sin6_addr.s6_addr + 12, 4);
	} else if (ss->ss_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &s4->sin_addr.s_addr, 4);
	}
}

/* c holds a slot and is still in its handshake. */
static int
starting(const struct tes_children *cs, const struct tes_child *c)
{
	return c->pid != 0 && !c->ready && c->state != cs->kind->dead;
}

/*
 * Why a connection from key is refused before it gets a slot (NULL: it is
 * not): too many in their handshake from its source or in all, or the
 * random early drop between start and full.
 */
static const char *
startup_refusal(struct tes_children *cs, const uint8_t key[static 9])
{
	const struct tes_children_startups *st = &cs->st;
	unsigned i, n = 0, same = 0;
	uint32_t r;

	if (st->full == 0)
		return NULL;
	for (i = 0; i < cs->hi; i++) {
		const struct tes_child *c = tes_children_at(cs, i);

		if (starting(cs, c)) {
			n++;
			same += memcmp(c->src, key, sizeof c->src) == 0;
		}
	}
	if (same >= st->per_source)
		return "too many connections of its source in their handshake";
	if (n >= st->full)
		return "too many connections in their handshake";
	if (n < st->start)
		return NULL;
	/* OpenSSH's MaxStartups start:rate:full: rate % at start, rising linearly to 100 % at full */
	tes_rng_bytes(&r, sizeof r);
	if (r % 100 < st->rate + (100 - st->rate) * (n - st->start) / (st->full - st->start + 1))
		return "too many connections in their handshake (random early drop)";
	return NULL;
}

/* A refused connection: logged at most once a second, with how many went unlogged. */
static void
log_refusal(struct tes_children *cs, const struct sockaddr_storage *ss, const char *why)
{
	char peer[64];
	time_t now = time(NULL);

	cs->refused++;
	if (now == cs->refused_logged)
		return;
	tes_net_peer_name(ss, peer, sizeof peer);
	tes_log(TES_LOG_WARN, "%s: connection from %s refused: %s (%u refused since the last such line)",
		cs->kind->mode, peer, why, cs->refused);
	cs->refused = 0;
	cs->refused_logged = now;
}

/* see children.h */
unsigned
tes_children_count(const struct tes_children *cs)
{
	return cs->hi;
}

/* see children.h */
struct tes_child *
tes_children_at(struct tes_children *cs, unsigned i)
{
	return (struct tes_child *)(void *)(cs->slots + (size_t)i * cs->kind->slot_size);
}

static unsigned
slot_index(const struct tes_children *cs, const struct tes_child *c)
{
	return (unsigned)(((const uint8_t *)c - cs->slots) / cs->kind->slot_size);
}

/* see children.h */
uint64_t
tes_children_tag(const struct tes_children *cs, const struct tes_child *c)
{
	return (uint64_t)slot_index(cs, c) * 4294967296u + (uint32_t)c->pid;
}

/* see children.h */
struct tes_child *
tes_children_tagged(struct tes_children *cs, uint64_t tag)
{
	struct tes_child *c;

	if (tag / 4294967296u >= cs->nslots)
		return NULL;
	c = tes_children_at(cs, (unsigned)(tag / 4294967296u));
	return (uint32_t)c->pid == (uint32_t)(tag % 4294967296u) && c->mon >= 0 ? c : NULL;
}

/* see children.h */
int
tes_children_send(const struct tes_children *cs, const struct tes_child *c, const uint8_t *msg)
{
	size_t n = cs->kind->msg_len;

	return send(c->mon, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n ? 0 : TES_ERR_IO;
}

static void
close_mon(struct tes_child *c)
{
	if (c->mon >= 0)
		close(c->mon);
	c->mon = -1;
}

static void
close_net(struct tes_child *c)
{
	if (c->net >= 0)
		close(c->net);
	c->net = -1;
}

/* see children.h */
void
tes_children_hangup(struct tes_children *cs, struct tes_child *c)
{
	close_mon(c);
	cs->kind->on_close(cs->owner, c, 0);
}

/* see children.h */
void
tes_children_kill(struct tes_children *cs, struct tes_child *c, const char *why)
{
	tes_log(TES_LOG_ERROR, "%s %d (%s): %s; %s", cs->kind->noun, (int)c->pid, c->peer, why,
		cs->kind->killed);
	/* a reaped child's pid may be another process's already */
	if (!c->exited)
		kill(c->pid, SIGKILL);
	close_mon(c);
	c->state = cs->kind->dead;
	cs->kind->on_close(cs->owner, c, 1);
}

/*
 * A child in the kind's ready state (a session logged in) at the end of
 * its lifetime, whose kind ends it with an alert: an expected end (a session's keys reach their time bound, spec/PROTOCOL.md#rekey),
 * logged as information, not as an error. Killed first, so that the alert
 * is the last frame on the connection.
 */
static void
end_late(struct tes_children *cs, struct tes_child *c)
{
	tes_log(TES_LOG_INFO, "%s %d (%s): %s; ended with an alert", cs->kind->noun, (int)c->pid, c->peer,
		cs->kind->late);
	if (!c->exited)
		kill(c->pid, SIGKILL);
	close_mon(c);
	c->state = cs->kind->dead;
	cs->kind->on_close(cs->owner, c, 1);
	tes_io_send_alert(c->net, cs->kind->late_alert);
	close_net(c);
}

/* A slot ready for a new child: wiped, its socket closed; the free slots at the top leave the scans. */
static void
slot_free(struct tes_children *cs, struct tes_child *c)
{
	close_mon(c);
	close_net(c);
	tes_wipe(c, cs->kind->slot_size);
	c->mon = -1;
	c->net = -1;
	while (cs->hi > 0 && tes_children_at(cs, cs->hi - 1)->pid == 0)
		cs->hi--;
}

/*
 * The lowest free slot, so that the slots in use stay at the bottom of the
 * table: every scan of the event loop stops at the highest one in use, not
 * at --max-sessions.
 */
static struct tes_child *
slot_alloc(struct tes_children *cs)
{
	unsigned i;

	for (i = 0; i < cs->nslots; i++)
		if (tes_children_at(cs, i)->pid == 0) {
			if (i >= cs->hi)
				cs->hi = i + 1;
			return tes_children_at(cs, i);
		}
	return NULL;
}

/* One connection: a child in a free slot, or the kind's refusal. fd is closed here. */
static void
spawn(struct tes_children *cs, int fd, const struct sockaddr_storage *ss)
{
	struct tes_child *c;
	const char *why;
	uint8_t key[9];
	int pair[2], net;
	pid_t pid;

	source_key(ss, key);
	/*= spec/PROTOCOL.md#state MUST-S5: room stays for the sessions past their handshake */
	if ((why = startup_refusal(cs, key)) == NULL && (c = slot_alloc(cs)) == NULL)
		why = "every slot is taken";
	if (why != NULL) {
		log_refusal(cs, ss, why);
		cs->kind->refuse(cs->owner, fd);
		close(fd);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
		tes_log(TES_LOG_ERROR, "socketpair: %s", strerror(errno));
		close(fd);
		return;
	}
	pid = tes_spawn_child(cs->exe, cs->kind->mode, cs->env, fd, pair[1]);
	/* kept to end the session with an alert at its deadline; no alert then if the dup fails */
	net = cs->kind->late_alert != 0 && pid >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	close(fd);
	close(pair[1]);
	if (pid < 0) {
		close(pair[0]);
		return;
	}
	memset(c, 0, cs->kind->slot_size);
	c->pid = pid;
	c->mon = pair[0];
	c->net = net;
	c->state = cs->kind->start;
	/*= spec/PROTOCOL.md#state MUST-S4: a session lasts at most the session timeout */
	c->deadline = time(NULL) + (time_t)cs->lifetime;
	c->login_ms = now_ms() + (int64_t)cs->st.grace_ms;
	memcpy(c->src, key, sizeof c->src);
	tes_net_peer_name(ss, c->peer, sizeof c->peer);
	fcntl(c->mon, F_SETFL, O_NONBLOCK);
	if (cs->kind->on_start != NULL)
		cs->kind->on_start(cs->owner, c);
}

/* see children.h */
void
tes_children_poll_accept(struct tes_children *cs, const struct pollfd *pfd)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	if ((pfd[0].revents & POLLIN) == 0)
		return;
	for (;;) {
		sl = sizeof ss;
		if ((fd = accept4(cs->lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC)) < 0)
			return;
		spawn(cs, fd, &ss);
	}
}

/* A decoded message: the kind's checks, then the handler of its row. */
static void
dispatch(struct tes_children *cs, struct tes_child *c, size_t n)
{
	const struct tes_children_kind *k = cs->kind;
	uint8_t type = 0;
	size_t i;

	if (k->decode(cs->buf, n, cs->msg, &type) != 0) {
		tes_children_kill(cs, c, k->malformed);
		return;
	}
	if ((k->busy != NULL && k->busy(c)) || k->permit(c->state, type, c->used) != 0) {
		tes_children_kill(cs, c, k->refused);
		return;
	}
	if (type < 32)
		c->used |= 1u << type;
	for (i = 0; i < k->nhandlers; i++)
		if (k->handlers[i].type == type) {
			k->handlers[i].fn(cs->owner, c, cs->msg);
			return;
		}
	tes_log_bug("permitted type without handler");
}

/* One message from c, if one is there: 1 when one was read and dispatched. */
static int
read_child(struct tes_children *cs, struct tes_child *c)
{
	ssize_t k;

	/* MSG_TRUNC: a longer message shows its whole length, and is refused */
	k = recv(c->mon, cs->buf, cs->kind->msg_len, MSG_TRUNC | MSG_DONTWAIT);
	/* a child that exited with a message of ours unread resets the socket: the error comes
	 * first, once, then what it sent before it exited */
	if (k < 0 && errno == ECONNRESET)
		k = recv(c->mon, cs->buf, cs->kind->msg_len, MSG_TRUNC | MSG_DONTWAIT);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (k <= 0) {
		tes_children_hangup(cs, c);
		return 0;
	}
	dispatch(cs, c, (size_t)k);
	tes_wipe(cs->buf, cs->kind->msg_len);
	tes_wipe(cs->msg, cs->kind->msg_size);
	return 1;
}

/* see children.h */
unsigned
tes_children_poll_add(struct tes_children *cs, struct pollfd *pfd)
{
	unsigned i, n = 0;

	pfd[n++] = (struct pollfd){ .fd = cs->lfd, .events = POLLIN };
	for (i = 0; i < cs->hi; i++) {
		const struct tes_child *c = tes_children_at(cs, i);

		if (c->pid != 0 && c->mon >= 0) {
			cs->idx[n] = i;
			pfd[n++] = (struct pollfd){ .fd = c->mon, .events = POLLIN };
		}
	}
	return n;
}

/* see children.h */
void
tes_children_poll_read(struct tes_children *cs, const struct pollfd *pfd, unsigned n)
{
	struct tes_child *c;
	unsigned i;

	for (i = 1; i < n; i++) {
		c = tes_children_at(cs, cs->idx[i]);
		/* a child killed meanwhile is skipped */
		if (pfd[i].revents != 0 && c->pid != 0 && c->mon == pfd[i].fd)
			read_child(cs, c);
	}
}

/* see children.h */
int
tes_children_reaped(struct tes_children *cs, pid_t pid, int status)
{
	unsigned i;

	if (cs == NULL)
		return 0;
	for (i = 0; i < cs->hi; i++) {
		struct tes_child *c = tes_children_at(cs, i);

		if (c->pid != pid)
			continue;
		/* what it sent before it exited, such as its last log line, is not lost */
		c->exited = 1;
		while (c->mon >= 0 && read_child(cs, c))
			;
		cs->kind->on_exit(cs->owner, c, status);
		slot_free(cs, c);
		return 1;
	}
	return 0;
}

/*
 * A child in its handshake: done once it reaches the kind's ready state;
 * its deadline moves on by the time the master owes it an answer (a
 * password check queued behind others is the server's time, not the
 * client's); killed past it, however often the client sends a byte.
 */
static void
tick_startup(struct tes_children *cs, struct tes_child *c, int64_t now, int64_t since)
{
	if (c->state == cs->kind->ready) {
		c->ready = 1;
		return;
	}
	if (cs->kind->busy != NULL && cs->kind->busy(c))
		c->login_ms += since;
	/*= spec/PROTOCOL.md#state MUST-S5: the handshake and login have one deadline a trickle cannot extend */
	else if (now > c->login_ms)
		tes_children_kill(cs, c, cs->kind->slow);
}

/* see children.h */
void
tes_children_tick(struct tes_children *cs, time_t now)
{
	int64_t ms = now_ms(), since;
	unsigned i;

	if (cs == NULL)
		return;
	since = ms - cs->tick_ms;
	cs->tick_ms = ms;
	for (i = 0; i < cs->hi; i++) {
		struct tes_child *c = tes_children_at(cs, i);

		if (c->pid != 0 && c->state != cs->kind->dead &&
		    now > c->deadline + (time_t)cs->kind->grace) {
			if (c->net >= 0 && cs->kind->late_alert != 0 && c->state == cs->kind->ready)
				end_late(cs, c);
			else
				tes_children_kill(cs, c, cs->kind->late);
		} else if (cs->st.full != 0 && starting(cs, c))
			tick_startup(cs, c, ms, since);
	}
}

/* see children.h */
void
tes_children_startups(struct tes_children *cs, const struct tes_children_startups *st)
{
	if (st->full == 0 || st->start < 1 || st->start > st->full || st->rate > 100 || st->per_source < 1)
		tes_log_bug("children: handshake limits");
	cs->st = *st;
	cs->tick_ms = now_ms();
}

/* see children.h */
int
tes_children_open(struct tes_children **out, const struct tes_children_kind *kind, void *owner,
		  const char *spec, unsigned nslots, unsigned lifetime, const char *exe, char *const *env,
		  char *err, size_t cap)
{
	struct tes_children *cs;
	unsigned i;

	*out = NULL;
	if (kind->slot_size < sizeof(struct tes_child) || kind->slot_size % _Alignof(struct tes_child) != 0)
		tes_log_bug("children: slot size");
	if ((cs = calloc(1, sizeof *cs)) == NULL || (cs->slots = calloc(nslots, kind->slot_size)) == NULL ||
	    (cs->idx = calloc(nslots + 1, sizeof *cs->idx)) == NULL ||
	    (cs->buf = calloc(1, kind->msg_len)) == NULL || (cs->msg = calloc(1, kind->msg_size)) == NULL)
		tes_log_fatal("out of memory");
	if ((cs->lfd = tes_net_listen_tcp(spec, err, cap)) < 0) {
		free(cs->msg);
		free(cs->buf);
		free(cs->idx);
		free(cs->slots);
		free(cs);
		return -1;
	}
	cs->kind = kind;
	cs->owner = owner;
	cs->exe = exe;
	cs->env = env;
	cs->nslots = nslots;
	cs->lifetime = lifetime;
	for (i = 0; i < nslots; i++) {
		tes_children_at(cs, i)->mon = -1;
		tes_children_at(cs, i)->net = -1;
	}
	*out = cs;
	return 0;
}

/* see children.h */
void
tes_children_close(struct tes_children *cs, int wait)
{
	unsigned i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->nslots; i++)
		if (tes_children_at(cs, i)->pid != 0) {
			kill(tes_children_at(cs, i)->pid, SIGKILL);
			close_mon(tes_children_at(cs, i));
		}
	for (i = 0; wait && i < cs->nslots; i++)
		if (tes_children_at(cs, i)->pid != 0)
			(void)waitpid(tes_children_at(cs, i)->pid, NULL, 0);
	close(cs->lfd);
	tes_wipe(cs->slots, (size_t)cs->nslots * cs->kind->slot_size);
	free(cs->msg);
	free(cs->buf);
	free(cs->idx);
	free(cs->slots);
	free(cs);
}
