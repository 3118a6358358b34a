/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/io.h"
#include "common/log.h"
#include "common/time.h"
#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/handshake.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/ticketkey.h"
#include "officer/attempts.h"
#include "officer/children.h"
#include "officer/control.h"
#include "officer/dashboard.h"
#include "officer/mon.h"
#include "officer/ratelimit.h"
#include "officer/resume.h"
#include "officer/server.h"
#include "officer/session.h"
#include "officer/sigcheck.h"
#include "officer/verifier.h"
#include "sandbox/sandbox.h"
#include "wire/field.h"

/* A session child: the supervisor's part (state: enum tes_mon_state), then the session's. */
struct slot {
	struct tes_child c;
	uint8_t server_random[TES_RANDOM_LEN];
	char unit[TES_NAME_MAX + 1];
	uint8_t unit_key[TES_KEYID_LEN];
	struct tes_rsa_pub unit_pub;
	char user[TES_NAME_MAX + 1];
	int login_failures;
	int login_pending; /* the password is being checked by the verifier */
	int login_role_ok; /* the user exists and has the police role */
	char login_user[TES_NAME_MAX + 1];
	int checking; /* CHECK_*: the report below waits for its signature check */
	uint8_t report_digest[TES_HASH_LEN];
	struct tes_mon_report report;
	uint64_t heard_ms; /* monotonic ms of the last authenticated record the master heard of */
	int pending;       /* ans (REPORT_ANS or LOGIN_ANS) waits for the group fsync */
	int kill_after;    /* end the session once ans is sent (third failed login) */
	uint8_t ans[TES_MON_MSG_LEN];
};

/* Where a report's signature check stands (slot.checking). */
enum {
	CHECK_NONE = 0,
	CHECK_WAITING = 1, /* not yet in the queue: it was full */
	CHECK_QUEUED = 2   /* handed to the signature-check workers */
};

struct server {
	char *child_env[10]; /* the whole environment of a parser child */
	struct tes_db *db;
	const struct tes_serve_opts *o;
	struct tes_children *kids; /* the session children */
	int cfd;
	struct tes_ratelimit rl;
	struct tes_attempts att;      /* refused logins, one record per source and window */
	struct tes_dashboard *dash;   /* NULL when --http off */
	struct tes_verifier *ver;     /* password checks, off the event loop */
	struct tes_sigcheck *sig;     /* report signature checks, off the event loop */
	int sig_full;                 /* some report waits for room in the signature-check queue */
	time_t sig_full_logged;       /* when a full queue was last logged */
	unsigned sig_next;            /* where the next scan for waiting reports starts */
	int dfd;                      /* the data directory (DATA/ticket.key) */
	struct tes_ticket_keys tkeys; /* resumption ticket keys (spec/STORAGE.md#ticket-key) */
	uint8_t server_keyid[TES_KEYID_LEN];
	uint64_t idle_scan_ms; /* when the idle deadlines were last checked */
};

static volatile sig_atomic_t stop;

static int
user_bind(struct server *sv, const char *user, uint8_t bind[static TES_HASH_LEN]);
static void
session_fields(struct server *sv, struct slot *s, struct tes_mon_status *st, int ticket);

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct slot *
slot_at(struct server *sv, unsigned i)
{
	return (struct slot *)tes_children_at(sv->kids, i);
}

static void
slot_kill(struct server *sv, struct slot *s, const char *why)
{
	tes_children_kill(sv->kids, &s->c, why);
}

static int
send_msg(struct server *sv, struct slot *s, const struct tes_mon_msg *m)
{
	uint8_t buf[TES_MON_MSG_LEN];
	int r;

	if ((r = tes_mon_encode(m, buf)) != 0)
		tes_log_bug("monitor encode");
	r = tes_children_send(sv->kids, &s->c, buf);
	tes_wipe(buf, sizeof buf);
	return r;
}

/* A new session child: its parameters (on_start of the session kind). */
static void
send_init(void *owner, struct tes_child *c)
{
	struct server *sv = owner;
	struct slot *s = (struct slot *)c;
	const struct tes_rsa_priv *k = tes_db_server_key(sv->db);
	struct tes_mon_msg m = { .type = TES_MON_INIT };

	/*= spec/PROTOCOL.md#handshake MUST-H1: a fresh server random per connection, chosen by the master */
	tes_rng_bytes(s->server_random, TES_RANDOM_LEN);
	memcpy(m.u.init.server_random, s->server_random, TES_RANDOM_LEN);
	memcpy(m.u.init.n, k->pub.n, TES_RSA_LEN);
	m.u.init.e_len = k->pub.elen;
	memcpy(m.u.init.e, k->pub.e, k->pub.elen);
	m.u.init.allow_des = (uint8_t)(sv->o->allow_des != 0);
	m.u.init.idle_timeout = sv->o->idle_timeout;
	m.u.init.rekey_records = sv->o->rekey_records;
	m.u.init.rekey_bytes = sv->o->rekey_bytes;
	if (send_msg(sv, s, &m) != 0)
		slot_kill(sv, s, "cannot send session parameters");
}

/*
 * The SERVER_HELLO frame this child sent, rebuilt from the master's own
 * server random and key and the child's X25519 share and suite.
 */
static int
own_server_hello(struct server *sv, const struct slot *s, uint8_t suite, const uint8_t x25519[TES_X25519_LEN],
		 uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	const struct tes_rsa_priv *k = tes_db_server_key(sv->db);
	struct tes_server_hello sh = { .suite = suite };

	/*= spec/PROTOCOL.md#handshake MUST-H4: the master rebuilds the transcript with its own server random */
	memcpy(sh.random, s->server_random, TES_RANDOM_LEN);
	memcpy(sh.x25519, x25519, TES_X25519_LEN);
	memcpy(sh.n, k->pub.n, TES_RSA_LEN);
	sh.e_len = k->pub.elen;
	memcpy(sh.e, k->pub.e, k->pub.elen);
	return tes_handshake_sh_frame(&sh, out, n);
}

/* Unit authentication and the one RSA private operation of the handshake. */
static int
verify_unit(struct server *sv, struct slot *s, const struct tes_mon_handshake *hs)
{
	uint8_t ch_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], h[TES_HASH_LEN];
	size_t chn, shn;
	int r;

	if ((r = tes_db_unit_find(sv->db, hs->ch.unit_key, s->unit, &s->unit_pub)) != 0)
		return r;
	/* a revoked (stolen, retired) unit key is refused like an unknown one */
	if ((r = tes_db_unit_active(sv->db, hs->ch.unit_key)) != 0)
		return r;
	if ((r = tes_handshake_ch_frame(&hs->ch, ch_f, &chn)) != 0 ||
	    (r = own_server_hello(sv, s, hs->suite, hs->server_x25519, sh_f, &shn)) != 0)
		return r;
	tes_handshake_unit_auth_hash(ch_f, chn, sh_f, shn, hs->kx.oaep, h);
	if ((r = tes_rsa_verify(&s->unit_pub, h, hs->kx.sig)) != 0)
		return r;
	memcpy(s->unit_key, hs->ch.unit_key, TES_KEYID_LEN);
	return 0;
}

static void
on_handshake(void *owner, struct tes_child *c, const void *msg)
{
	struct server *sv = owner;
	struct slot *s = (struct slot *)c;
	const struct tes_mon_msg *m = msg;
	struct tes_mon_msg a = { .type = TES_MON_HANDSHAKE_ANS };
	char fp[TES_FP_STRLEN];
	int r;

	/*= spec/PROTOCOL.md#monitor MUST-M3: one HANDSHAKE or one RESUME per connection, never both */
	if (s->c.used & (1u << TES_MON_RESUME)) {
		slot_kill(sv, s, "HANDSHAKE after RESUME");
		return;
	}
	if ((r = verify_unit(sv, s, &m->u.hs)) != 0) {
		tes_b64_encode(m->u.hs.ch.unit_key, TES_KEYID_LEN, fp, sizeof fp, 0);
		tes_log(TES_LOG_WARN, "session %d (%s): unit key SHA256:%s refused: %s", (int)s->c.pid,
			s->c.peer, fp, tes_err_str(r));
		a.u.st.status = 1;
		/*= spec/PROTOCOL.md#handshake MUST-H5: once per connection (spec/PROTOCOL.md#monitor MUST-M3);
	 *  a failure answers like a refused unit, with the random bytes tes_rsa_oaep_decrypt leaves */
	} else if (tes_rsa_oaep_decrypt(tes_db_server_key(sv->db), m->u.hs.kx.oaep, a.u.st.pms) != 0) {
		tes_log(TES_LOG_WARN, "session %d (%s): key transport failed", (int)s->c.pid, s->c.peer);
		a.u.st.status = 1;
	} else {
		s->c.state = TES_MS_UNIT;
		tes_log(TES_LOG_INFO, "session %d (%s): unit %s authenticated", (int)s->c.pid, s->c.peer,
			s->unit);
	}
	if (send_msg(sv, s, &a) != 0)
		slot_kill(sv, s, "monitor write failed");
	TES_WIPE_CTX(&a);
}

/*
 * A resumed handshake: the ticket and the unit's signature over this very
 * transcript (spec/PROTOCOL.md#resumption MUST-RS2). 0 with the ticket in t.
 */
static int
verify_resume(struct server *sv, struct slot *s, const struct tes_mon_resume *rs, struct tes_ticket *t,
	      const char **why)
{
	uint8_t rh_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], h[TES_HASH_LEN], bind[TES_HASH_LEN];
	size_t rhn, shn;
	enum tes_resume_verdict v;
	int r, have_bind;

	*why = "ticket does not open";
	if ((r = tes_ticketkey_open(&sv->tkeys, (uint64_t)time(NULL), rs->rh.ticket, rs->rh.ticket_len, t)) !=
	    0) {
		if (r == TES_ERR_TIME)
			*why = "ticket expired";
		return r;
	}
	*why = "unit unknown or revoked";
	if ((r = tes_db_unit_find(sv->db, rs->rh.ch.unit_key, s->unit, &s->unit_pub)) != 0 ||
	    (r = tes_db_unit_active(sv->db, rs->rh.ch.unit_key)) != 0)
		return r;
	have_bind = user_bind(sv, t->user, bind) == 0;
	v = tes_resume_decide(t, sv->server_keyid, rs->rh.ch.unit_key, have_bind ? bind : NULL);
	tes_wipe(bind, sizeof bind);
	if (v != TES_RESUME_OK) {
		*why = tes_resume_verdict_str(v);
		return TES_ERR_AUTH;
	}
	*why = "bad unit signature";
	if ((r = tes_handshake_rh_frame(&rs->rh, rh_f, &rhn)) != 0 ||
	    (r = own_server_hello(sv, s, rs->suite, rs->server_x25519, sh_f, &shn)) != 0)
		return r;
	tes_handshake_resume_auth_hash(rh_f, rhn, sh_f, shn, h);
	if ((r = tes_rsa_verify(&s->unit_pub, h, rs->ua.sig)) != 0)
		return r;
	memcpy(s->unit_key, rs->rh.ch.unit_key, TES_KEYID_LEN);
	return 0;
}

static void
on_resume(void *owner, struct tes_child *c, const void *msg)
{
	struct server *sv = owner;
	struct slot *s = (struct slot *)c;
	const struct tes_mon_msg *m = msg;
	struct tes_mon_msg a = { .type = TES_MON_HANDSHAKE_ANS };
	struct tes_ticket t;
	const char *why = "";
	char fp[TES_FP_STRLEN];
	int r;

	memset(&t, 0, sizeof t);
	/*= spec/PROTOCOL.md#monitor MUST-M3: one HANDSHAKE or one RESUME per connection, never both */
	if (s->c.used & (1u << TES_MON_HANDSHAKE)) {
		slot_kill(sv, s, "RESUME after HANDSHAKE");
		return;
	}
	/*= spec/PROTOCOL.md#monitor MUST-M6: the ticket and the unit signature, then straight to USER */
	if ((r = verify_resume(sv, s, &m->u.res, &t, &why)) != 0) {
		tes_b64_encode(m->u.res.rh.ch.unit_key, TES_KEYID_LEN, fp, sizeof fp, 0);
		tes_log(TES_LOG_WARN, "session %d (%s): resumption refused for unit key SHA256:%s: %s",
			(int)s->c.pid, s->c.peer, fp, why);
		a.u.st.status = 1;
	} else {
		s->c.state = TES_MS_USER;
		snprintf(s->user, sizeof s->user, "%s", t.user);
		s->heard_ms = tes_ratelimit_now();
		memcpy(a.u.st.pms, t.res_secret, TES_HASH_LEN);
		session_fields(sv, s, &a.u.st, 0);
		tes_log(TES_LOG_INFO, "session %d (%s): unit %s user %s resumed", (int)s->c.pid, s->c.peer,
			s->unit, s->user);
	}
	if (send_msg(sv, s, &a) != 0)
		slot_kill(sv, s, "monitor write failed");
	TES_WIPE_CTX(&a);
	TES_WIPE_CTX(&t);
}

/*= spec/PROTOCOL.md#monitor MUST-M7: an authenticated record came, the idle deadline starts again */
static void
on_heartbeat(void *owner, struct tes_child *c, const void *msg)
{
	(void)owner;
	(void)msg;
	((struct slot *)c)->heard_ms = tes_ratelimit_now();
}

/*
 * Sessions past their login that the master has not heard an
 * authenticated record from for the idle timeout (a request it still owes
 * an answer to does not count): killed (spec/PROTOCOL.md#monitor MUST-M7).
 */
static void
idle_scan(struct server *sv)
{
	uint64_t now = tes_ratelimit_now(), idle = (uint64_t)sv->o->idle_timeout * 1000;
	unsigned i;

	if (now - sv->idle_scan_ms < 200)
		return;
	sv->idle_scan_ms = now;
	for (i = 0; i < tes_children_count(sv->kids); i++) {
		struct slot *s = slot_at(sv, i);

		if (s->c.pid == 0 || s->c.state != TES_MS_USER || s->c.exited)
			continue;
		if (s->pending || s->login_pending || s->checking != CHECK_NONE)
			s->heard_ms = now;
		else if (now - s->heard_ms > idle)
			slot_kill(sv, s, "idle timeout: no authenticated record");
	}
}

/* Tag of a worker request (password or signature check): which slot, and which child it was for. */
static uint64_t
slot_tag(const struct server *sv, const struct slot *s)
{
	return tes_children_tag(sv->kids, &s->c);
}

/* The slot a worker's answer is for, while the child the tag names is still there and talking. */
static struct slot *
tag_slot(struct server *sv, uint64_t tag)
{
	return (struct slot *)tes_children_tagged(sv->kids, tag);
}

/*
 * A login's record: an accepted one appended now, made durable by the
 * round's fsync before its answer goes (a store error turns it into try
 * again); a refused one counted in its source's aggregated record.
 */
static int
login_record(struct server *sv, struct slot *s, int r, const char *text)
{
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	int account, w;

	if (r == TES_ERR_BUSY)
		return r;
	if (r == 0) {
		/*= spec/STORAGE.md#attempts MUST-AT3: no accepted login without its record on disk */
		if ((w = tes_db_audit_append(sv->db, TES_AUDIT_LOGIN_OK, s->login_user, text,
					     (uint64_t)time(NULL))) != 0)
			tes_log(TES_LOG_ERROR,
				"session %d: user %s: login not recorded, answered try again: %s",
				(int)s->c.pid, s->login_user, tes_err_str(w));
		return w != 0 ? TES_ERR_BUSY : 0;
	}
	account = tes_db_user_get(sv->db, s->login_user, &role, hash) == 0;
	tes_wipe(hash, sizeof hash);
	/*= spec/STORAGE.md#attempts MUST-AT1: refused attempts are aggregated */
	tes_attempts_note(&sv->att, s->c.peer, s->login_user, account, tes_ratelimit_now() / 1000);
	return r;
}

/* Seconds left before the session's deadline (its keys' time bound, spec/PROTOCOL.md#rekey). */
static uint32_t
lifetime_left(const struct slot *s)
{
	time_t now = time(NULL);

	return s->c.deadline > now ? (uint32_t)(s->c.deadline - now) : 0;
}

/* What binds a ticket to the user's password: its stored hash now. TES_ERR_NOTFOUND, TES_ERR_AUTH. */
static int
user_bind(struct server *sv, const char *user, uint8_t bind[static TES_HASH_LEN])
{
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	int r;

	if ((r = tes_db_user_get(sv->db, user, &role, hash)) != 0)
		return r;
	if (role != TES_ROLE_POLICE)
		r = TES_ERR_AUTH;
	else
		tes_ticketkey_pw_bind(hash, strlen(hash), bind);
	tes_wipe(hash, sizeof hash);
	return r;
}

/*
 * The master's fields of the SESSION record: the lifetime left and, with
 * ticket, a new resumption ticket for this unit and user (spec/PROTOCOL.md#resumption).
 */
static void
session_fields(struct server *sv, struct slot *s, struct tes_mon_status *st, int ticket)
{
	struct tes_ticket t;
	uint64_t now = (uint64_t)time(NULL);
	int rotated = 0, r;

	st->lifetime = lifetime_left(s);
	if (!ticket)
		return;
	memset(&t, 0, sizeof t);
	/*= spec/STORAGE.md#ticket-key MUST-TK2: rotated at most daily, when the current key is a day old */
	if ((r = tes_ticketkey_ensure(sv->dfd, now, &sv->tkeys, &rotated)) != 0) {
		tes_log(TES_LOG_ERROR, "ticket key: %s; no resumption ticket issued", tes_err_str(r));
		return;
	}
	if (rotated)
		tes_log(TES_LOG_INFO, "ticket key rotated (key %u)", (unsigned)sv->tkeys.cur_kid);
	t.version = TES_TICKET_VERSION;
	memcpy(t.unit_key, s->unit_key, TES_KEYID_LEN);
	memcpy(t.server_key, sv->server_keyid, TES_KEYID_LEN);
	t.user_len = (uint8_t)strlen(s->user);
	memcpy(t.user, s->user, t.user_len);
	tes_rng_bytes(t.res_secret, TES_HASH_LEN);
	t.issued = now;
	t.expiry = now + sv->o->ticket_lifetime;
	/*= spec/PROTOCOL.md#resumption MUST-RS4: the ticket binds unit, user, password, server key and expiry */
	if (user_bind(sv, s->user, t.pw_bind) != 0 ||
	    tes_ticketkey_seal(&sv->tkeys, &t, st->ticket, &st->ticket_len) != 0) {
		st->ticket_len = 0;
	} else {
		st->ticket_lifetime = sv->o->ticket_lifetime;
		memcpy(st->res_secret, t.res_secret, TES_HASH_LEN);
	}
	TES_WIPE_CTX(&t);
}

static void
finish_login(struct server *sv, struct slot *s, int r)
{
	struct tes_mon_msg a = { .type = TES_MON_LOGIN_ANS };
	char text[256];

	s->login_pending = 0;
	if (r != TES_ERR_RATELIMIT && r != TES_ERR_BUSY)
		tes_ratelimit_note(&sv->rl, s->login_user, s->c.peer, r == 0, tes_ratelimit_now());
	snprintf(text, sizeof text, "police login from %s unit %s: %s", s->c.peer, s->unit,
		 r == 0 ? "ok" : tes_err_str(r));
	text[TES_JOURNAL_TEXT_MAX] = '\0';
	tes_log(r == 0 ? TES_LOG_INFO : TES_LOG_WARN, "session %d: user %s: %s", (int)s->c.pid, s->login_user,
		text);
	r = login_record(sv, s, r, text);
	if (r == 0) {
		s->c.state = TES_MS_USER;
		snprintf(s->user, sizeof s->user, "%s", s->login_user);
		s->heard_ms = tes_ratelimit_now();
		session_fields(sv, s, &a.u.st, 1);
	}
	/*= spec/PROTOCOL.md#login MUST-L4: not recorded or not checked: try again, not a failure */
	a.u.st.status = r == 0 ? 0 : r == TES_ERR_BUSY ? 2 : 1;
	if (tes_mon_encode(&a, s->ans) != 0)
		tes_log_bug("login answer encode");
	/* the answer waits for the round's fsync like a receipt: an accepted login is on disk first */
	s->pending = 1;
	s->kill_after = r != 0 && r != TES_ERR_BUSY && ++s->login_failures >= 3;
}

/*= spec/PROTOCOL.md#login MUST-L2, MUST-L3: rate limit first, then the slow hash off the event loop */
static void
on_login(void *owner, struct tes_child *c, const void *msg)
{
	struct server *sv = owner;
	struct slot *s = (struct slot *)c;
	const struct tes_login *l = &((const struct tes_mon_msg *)msg)->u.login;
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	int known;

	snprintf(s->login_user, sizeof s->login_user, "%s", l->user);
	if (tes_ratelimit_blocked(&sv->rl, l->user, s->c.peer, tes_ratelimit_now())) {
		finish_login(sv, s, TES_ERR_RATELIMIT);
		return;
	}
	known = tes_db_user_get(sv->db, l->user, &role, hash) == 0;
	/*= spec/PROTOCOL.md#login MUST-L1: a police account is required */
	s->login_role_ok = known && role == TES_ROLE_POLICE;
	/* unknown users cost the same time: no user enumeration by timing */
	if (tes_verifier_submit(sv->ver, slot_tag(sv, s), known ? hash : NULL, l->pw, l->pw_len) != 0)
		finish_login(sv, s, TES_ERR_BUSY);
	else
		s->login_pending = 1;
	tes_wipe(hash, sizeof hash);
}

/* Finished password checks: answer the children that are still there. */
static void
read_verifier(struct server *sv)
{
	uint64_t tag;
	struct slot *s;
	int ok, r;

	/* TES_ERR_BUSY: a check lost with dead verifiers, answered at once: try again */
	while ((r = tes_verifier_result(sv->ver, &tag, &ok)) == 0 || r == TES_ERR_BUSY) {
		if (tag & TES_DASHBOARD_TAG) {
			tes_dashboard_verified(sv->dash, tag, ok);
			continue;
		}
		if ((s = tag_slot(sv, tag)) != NULL && s->login_pending)
			finish_login(sv, s,
				     r == TES_ERR_BUSY        ? TES_ERR_BUSY
				     : ok && s->login_role_ok ? 0
							      : TES_ERR_AUTH);
	}
	if (r == TES_ERR_CLOSED)
		tes_log_fatal("the password verifier processes are gone");
}

/* What the master checks at once; the digest the signature must cover goes to s->report_digest. */
static uint8_t
check_report(struct slot *s, const struct tes_mon_report *rep)
{
	/*= spec/PROTOCOL.md#report MUST-R6: the report is bound to the authenticated unit key */
	if (memcmp(rep->r.unit_key, s->unit_key, TES_KEYID_LEN) != 0)
		return TES_REJECT_UNIT;
	if (tes_field_time_valid(rep->r.time, (uint64_t)time(NULL)) != 0)
		return TES_REJECT_TIME;
	/* the master's own canonical encoding, never bytes the child chose */
	if (tes_digest_report(&rep->r, s->report_digest) != 0)
		return TES_REJECT_SIGNATURE;
	return TES_REJECT_NONE;
}

/* A report's signed fields, for the log. */
static void
describe(const char *unit, const struct tes_report *r, char *out, size_t cap)
{
	char when[32];

	tes_time_format(r->time, when);
	snprintf(out, cap, "unit %s, plate %s, speed %u, limit %u, time %s, location \"%s\"", unit, r->plate,
		 (unsigned)r->speed, (unsigned)r->limit, when, r->loc);
}

/*
 * The id of r is stored already, as violation rc->number. The same signed
 * content (every field of the canonical encoding, compared through its
 * digest) is a retransmission: DUPLICATE. Other content is a reused id:
 * CONFLICT, whichever unit sent it (ids are global), and the stored report
 * stays as it is. One that cannot be read back answers neither.
 */
static void
answer_stored(struct server *sv, const struct slot *s, const struct tes_report *r, const char *hex,
	      struct tes_receipt *rc)
{
	struct tes_db_report old;
	struct tes_rsa_pub pub;
	char unit[TES_NAME_MAX + 1] = "?", was[256], sent[256];
	uint8_t d_old[TES_HASH_LEN];
	int e;

	/* s->report_digest is r's, made by check_report from the master's own encoding */
	if ((e = tes_db_report_get(sv->db, r->id, &old)) != 0 ||
	    (e = tes_digest_report(&old.r, d_old)) != 0) {
		tes_log(TES_LOG_ERROR, "report %s: stored violation %llu not read back: %s", hex,
			(unsigned long long)rc->number, tes_err_str(e));
		rc->status = TES_RECEIPT_REJECTED;
		rc->reason = TES_REJECT_STORAGE;
		rc->number = 0;
	} else if (memcmp(d_old, s->report_digest, TES_HASH_LEN) == 0) {
		/*= spec/PROTOCOL.md#report MUST-R8: the same id and content again is a DUPLICATE */
		rc->status = TES_RECEIPT_DUPLICATE;
		tes_log(TES_LOG_INFO, "report %s is a duplicate of violation %llu", hex,
			(unsigned long long)rc->number);
	} else {
		/*= spec/PROTOCOL.md#report MUST-R10: the same id with other content is a CONFLICT */
		rc->status = TES_RECEIPT_CONFLICT;
		(void)tes_db_unit_find(sv->db, old.r.unit_key, unit, &pub);
		describe(unit, &old.r, was, sizeof was);
		describe(s->unit, r, sent, sizeof sent);
		tes_log(TES_LOG_WARN,
			"report %s conflicts with violation %llu: its id was stored for other content, "
			"nothing stored (stored: %s; sent by user %s: %s)",
			hex, (unsigned long long)rc->number, was, s->user, sent);
	}
}

/* Answer the slot's report: rejected for reason, else stored now (or found already stored). */
static void
finish_report(struct server *sv, struct slot *s, const struct tes_mon_report *rep, uint8_t reason)
{
	struct tes_mon_msg a = { .type = TES_MON_REPORT_ANS };
	struct tes_receipt *rc = &a.u.rcpt;
	char hex[2 * TES_REPORT_ID_LEN + 1];
	int r;

	memcpy(rc->id, rep->r.id, TES_REPORT_ID_LEN);
	tes_hex_encode(rc->id, TES_REPORT_ID_LEN, hex);
	/*= spec/PROTOCOL.md#report MUST-R6: a unit revoked since the handshake is refused too */
	if (reason == TES_REJECT_NONE && tes_db_unit_active(sv->db, s->unit_key) != 0)
		reason = TES_REJECT_UNIT;
	if ((rc->reason = reason) != TES_REJECT_NONE) {
		rc->status = TES_RECEIPT_REJECTED;
		tes_log(TES_LOG_WARN, "session %d: report %s from unit %s rejected (reason %u)",
			(int)s->c.pid, hex, s->unit, rc->reason);
	} else if ((r = tes_db_report_add(sv->db, &rep->r, rep->sig, (uint64_t)time(NULL), &rc->number)) ==
		   0) {
		/*= spec/PROTOCOL.md#report MUST-R8: the store's check at append time decides */
		rc->status = TES_RECEIPT_QUEUED;
		tes_log(TES_LOG_INFO, "report %s queued as violation %llu (unit %s, user %s, plate %s)", hex,
			(unsigned long long)rc->number, s->unit, s->user, rep->r.plate);
	} else if (r == TES_ERR_EXISTS) {
		answer_stored(sv, s, &rep->r, hex, rc);
	} else {
		rc->status = TES_RECEIPT_REJECTED;
		rc->reason = TES_REJECT_STORAGE;
		tes_log(TES_LOG_ERROR, "report %s not stored: %s", hex, tes_err_str(r));
	}
	/* Every answer waits for the group fsync: a receipt means the data is on disk. */
	if (tes_mon_encode(&a, s->ans) != 0)
		tes_log_bug("receipt encode");
	s->pending = 1;
}

/*
 * Hand the slot's report to the signature-check workers. 0; TES_ERR_BUSY
 * when their queue is full (the report waits, loop_once retries when the
 * queue is writable). Without workers no report can be checked: the server
 * stops rather than store one unchecked.
 */
static int
submit_check(struct server *sv, struct slot *s)
{
	int r = tes_sigcheck_submit(sv->sig, slot_tag(sv, s), &s->unit_pub, s->report_digest, s->report.sig);

	if (r == 0)
		s->checking = CHECK_QUEUED;
	else if (r == TES_ERR_BUSY) {
		if (!sv->sig_full && sv->sig_full_logged != time(NULL)) {
			sv->sig_full_logged = time(NULL);
			tes_log(TES_LOG_WARN, "signature-check queue full: reports wait for room");
		}
		sv->sig_full = 1;
	} else
		tes_log_fatal(
			"the signature-check workers are gone (%s); stopping, no report stored unchecked",
			tes_err_str(r));
	return r;
}

/* Room in the signature-check queue again: hand over the waiting reports, in turn. */
static void
submit_waiting(struct server *sv)
{
	unsigned k, i;

	sv->sig_full = 0;
	for (k = 0; k < tes_children_count(sv->kids); k++) {
		i = (sv->sig_next + k) % tes_children_count(sv->kids);
		if (slot_at(sv, i)->checking == CHECK_WAITING && submit_check(sv, slot_at(sv, i)) != 0) {
			sv->sig_next = i;
			return;
		}
	}
}

/*
 * A report: the cheap checks now, the signature in a worker. The slot
 * accepts no other request until the report is answered (dispatch).
 */
static void
on_report(void *owner, struct tes_child *c, const void *msg)
{
	struct server *sv = owner;
	struct slot *s = (struct slot *)c;
	const struct tes_mon_msg *m = msg;
	uint8_t reason = check_report(s, &m->u.rep);

	s->heard_ms = tes_ratelimit_now();
	if (reason != TES_REJECT_NONE) {
		finish_report(sv, s, &m->u.rep, reason);
		return;
	}
	s->report = m->u.rep;
	s->checking = CHECK_WAITING;
	/* reports already waiting for room go first */
	if (!sv->sig_full)
		(void)submit_check(sv, s);
}

/* Finished signature checks: store or reject the reports of the children still there. */
static void
read_sigcheck(struct server *sv)
{
	uint64_t tag;
	struct slot *s;
	int ok, r;

	while ((r = tes_sigcheck_result(sv->sig, &tag, &ok)) == 0 || r == TES_ERR_BUSY) {
		/*= spec/PROTOCOL.md#report MUST-R7: a verdict counts only for the slot and child it was for */
		if ((s = tag_slot(sv, tag)) == NULL || s->checking != CHECK_QUEUED)
			continue;
		s->checking = CHECK_NONE;
		/* lost with dead workers (twice): no receipt; the unit sends it again (spec/PROTOCOL.md#report MUST-R8) */
		if (r == TES_ERR_BUSY)
			slot_kill(sv, s, "the signature check of its report was lost; report not stored");
		else
			finish_report(sv, s, &s->report, ok ? TES_REJECT_NONE : TES_REJECT_SIGNATURE);
	}
	if (r == TES_ERR_CLOSED)
		tes_log_fatal("the signature-check workers are gone; stopping, no report stored unchecked");
}

/*
 * A signature-check worker died. The check it was doing, if any, is sent
 * again by the pool to the remaining workers with every other one not
 * answered yet (officer/pool.h); one lost twice closes its session, and
 * the report is not stored (its unit sends it again; spec/PROTOCOL.md#report
 * MUST-R8 makes that safe). Without any worker left the server stops.
 */
static void
sigcheck_lost(struct server *sv, pid_t pid, int st)
{
	tes_log(TES_LOG_ERROR, "signature-check worker %d died (%s %d); its checks are done again", (int)pid,
		WIFSIGNALED(st) ? "signal" : "exit status", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	if (tes_pool_alive(&sv->sig->pool) == 0)
		tes_log_fatal("no signature-check worker is left; stopping, no report stored unchecked");
}

static void
on_log(void *owner, struct tes_child *c, const void *msg)
{
	const struct tes_mon_msg *m = msg;

	(void)owner;
	tes_log(m->u.log.level, "session %d (%s): %s", (int)c->pid, c->peer, m->u.log.text);
}

static int
decode(const uint8_t *buf, size_t n, void *msg, uint8_t *type)
{
	struct tes_mon_msg *m = msg;
	int r;

	/*= spec/PROTOCOL.md#monitor MUST-M1: wrong size or malformed message kills the child */
	r = tes_mon_decode(buf, n, m);
	*type = r == 0 ? m->type : 0;
	return r;
}

/* The previous request is not answered yet. */
static int
busy(const struct tes_child *c)
{
	const struct slot *s = (const struct slot *)c;

	return s->pending || s->login_pending || s->checking != CHECK_NONE;
}

static void
child_close(void *owner, struct tes_child *c, int killed)
{
	struct slot *s = (struct slot *)c;

	(void)owner;
	/* no receipt can reach this session: a late verdict finds no report, nothing is stored */
	s->checking = CHECK_NONE;
	/* a killed child gets no answer; the answer of one that hung up still waits for the round's fsync */
	if (killed)
		s->pending = 0;
}

static void
child_exit(void *owner, struct tes_child *c, int st)
{
	(void)owner;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		tes_log(TES_LOG_ERROR, "session %d: sandbox violation (SIGSYS)", (int)c->pid);
	else if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
		tes_log(TES_LOG_ERROR, "session %d: child crashed (signal %d)", (int)c->pid, WTERMSIG(st));
	else if (WIFEXITED(st) && WEXITSTATUS(st) == TES_SESSION_EXIT_SETUP)
		tes_log(TES_LOG_ERROR, "session %d: child set-up failed", (int)c->pid);
}

static void
refuse(void *owner, int fd)
{
	(void)owner;
	/* the supervisor logs why */
	tes_io_send_alert(fd, TES_ALERT_BUSY);
}

/* The monitor's dispatch table (OpenSSH mon_dispatch style): the handler column of TES_MON_DISPATCH. */
#define HANDLER_ROW(type, states, once, handler) { type, handler },
static const struct tes_children_handler handlers[] = { TES_MON_DISPATCH(HANDLER_ROW) };
#undef HANDLER_ROW

static const struct tes_children_kind session_kind = {
	.mode = "session",
	.noun = "session",
	.killed = "child killed, connection closed",
	.late = "session lifetime reached (--session-timeout)",
	/*= spec/PROTOCOL.md#rekey MUST-K2: the time bound ends the session with ALERT REKEY */
	.late_alert = TES_ALERT_REKEY,
	.slot_size = sizeof(struct slot),
	.msg_len = TES_MON_MSG_LEN,
	.msg_size = sizeof(struct tes_mon_msg),
	.grace = 2,
	.start = TES_MS_HANDSHAKE,
	.dead = TES_MS_DEAD,
	.ready = TES_MS_USER,
	.slow = "handshake and login not done within the login grace time",
	.decode = decode,
	.malformed = "malformed monitor message",
	/*= spec/PROTOCOL.md#monitor MUST-M2, MUST-M5: a request not permitted in the current state, or
	 *  sent while the previous one is not answered yet, is fatal */
	.busy = busy,
	.permit = tes_mon_permit,
	.refused = "monitor request not permitted in this state",
	.handlers = handlers,
	.nhandlers = sizeof handlers / sizeof handlers[0],
	.on_start = send_init,
	.on_close = child_close,
	.on_exit = child_exit,
	.refuse = refuse,
};

/* Group commit: one fsync for every report and login stored in this round, then their answers. */
static void
flush_receipts(struct server *sv)
{
	unsigned i, n = 0;
	int r;

	for (i = 0; i < tes_children_count(sv->kids); i++)
		n += slot_at(sv, i)->pending != 0;
	if (n == 0)
		return;
	/*= spec/STORAGE.md#durability MUST-DU1, spec/PROTOCOL.md#report MUST-R9: receipts and login answers
	 *  only after the fdatasync that makes their records durable */
	if ((r = tes_db_sync(sv->db)) != 0)
		tes_log_fatal("journal fsync failed: %s; stopping without acknowledging", tes_err_str(r));
	for (i = 0; i < tes_children_count(sv->kids); i++) {
		struct slot *s = slot_at(sv, i);

		if (!s->pending)
			continue;
		s->pending = 0;
		if (s->c.mon >= 0 && tes_children_send(sv->kids, &s->c, s->ans) != 0)
			slot_kill(sv, s, "monitor write failed");
		else if (s->kill_after)
			slot_kill(sv, s, "three failed logins");
	}
}

static void
reap(struct server *sv)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (tes_pool_reaped(&sv->sig->pool, pid)) {
			sigcheck_lost(sv, pid, st);
			read_sigcheck(sv); /* the checks lost for good are answered now */
			flush_receipts(sv);
			continue;
		}
		if (tes_pool_reaped(&sv->ver->pool, pid)) {
			/* the pool sends its checks again to the other verifier (officer/pool.h) */
			tes_log(TES_LOG_ERROR, "password verifier worker %d died; its checks are done again",
				(int)pid);
			read_verifier(sv);
			flush_receipts(sv);
			continue;
		}
		if (!tes_children_reaped(sv->kids, pid, st))
			(void)tes_dashboard_reaped(sv->dash, pid, st);
	}
}

static void
loop_once(struct server *sv, struct pollfd *pfd)
{
	unsigned n = 0, ns, nw;
	time_t now;

	pfd[n++] = (struct pollfd){ .fd = sv->cfd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = sv->ver->pool.fd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = sv->sig->pool.fd, .events = POLLIN | (sv->sig_full ? POLLOUT : 0) };
	ns = tes_children_poll_add(sv->kids, pfd + n);
	nw = tes_dashboard_poll_add(sv->dash, pfd + n + ns);
	if (poll(pfd, n + ns + nw, 500) > 0) {
		tes_dashboard_poll_handle(sv->dash, pfd + n + ns, nw);
		tes_children_poll_read(sv->kids, pfd + n, ns);
		if (pfd[1].revents != 0)
			read_verifier(sv);
		if ((pfd[2].revents & ~POLLOUT) != 0)
			read_sigcheck(sv);
		if (sv->sig_full && (pfd[2].revents & (POLLOUT | POLLIN)) != 0)
			submit_waiting(sv);
		flush_receipts(sv);
		if (pfd[0].revents & POLLIN)
			tes_control_serve(sv->cfd, sv->db);
		tes_children_poll_accept(sv->kids, pfd + n);
	}
	reap(sv);
	now = time(NULL);
	idle_scan(sv);
	tes_children_tick(sv->kids, now);
	tes_dashboard_tick(sv->dash, now);
	tes_attempts_flush(&sv->att, sv->db, tes_ratelimit_now() / 1000, 0, (uint64_t)now);
}

static void
print_banner(struct server *sv)
{
	char fp[TES_FP_STRLEN];

	tes_rsa_fingerprint(&tes_db_server_key(sv->db)->pub, fp);
	tes_log(TES_LOG_INFO,
		"listening on %s (protocol); server key %s; sandbox %s; %u signature-check workers",
		sv->o->listen, fp, tes_sandbox_backend(), sv->sig->pool.n);
	if (sv->dash != NULL)
		tes_log(TES_LOG_INFO, "dashboard on http://%s/", sv->o->http);
	if (sv->o->allow_des)
		tes_log(TES_LOG_WARN, "single-DES sessions allowed (--allow-des): 56-bit keys are weak");
}

/*
 * The unprivileged ids a child drops to when the master runs as root. The
 * master looks them up, not the child: the child's static image never reads
 * the user database (sandbox/README.md).
 */
static int
child_ids(char uid_var[static 32], char gid_var[static 32], char *err, size_t cap)
{
	const struct passwd *pw = getpwnam("nobody");

	if (pw == NULL || pw->pw_uid == 0 || pw->pw_gid == 0 || pw->pw_uid == (uid_t)-1 ||
	    pw->pw_gid == (gid_t)-1) {
		snprintf(err, cap, "no unprivileged user 'nobody' (with a non-root group) for the sandbox");
		return -1;
	}
	snprintf(uid_var, 32, "TES_SANDBOX_UID=%lu", (unsigned long)pw->pw_uid);
	snprintf(gid_var, 32, "TES_SANDBOX_GID=%lu", (unsigned long)pw->pw_gid);
	return 0;
}

/*
 * The children's environment, built once: the sandbox's chroot directory
 * (DATA/empty, made here when running as root), the unprivileged ids (when
 * root) and CPU budget, plus the sanitizer options of test builds. Nothing
 * else is inherited.
 */
static int
child_environment(struct server *sv, char *err, size_t cap)
{
	static char dir_var[PATH_MAX + 32], cpu_var[32], uid_var[32], gid_var[32];
	static const char *pass[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" };
	char abs[PATH_MAX];
	size_t i, n = 0;

	if (realpath(sv->o->dir, abs) == NULL) {
		snprintf(err, cap, "cannot resolve %s: %s", sv->o->dir, strerror(errno));
		return -1;
	}
	snprintf(dir_var, sizeof dir_var, "TES_SANDBOX_DIR=%s/empty", abs);
	if (geteuid() == 0 && mkdir(dir_var + 16, 0755) != 0 && errno != EEXIST) {
		snprintf(err, cap, "cannot create the sandbox directory DATA/empty: %s", strerror(errno));
		return -1;
	}
	snprintf(cpu_var, sizeof cpu_var, "TES_SANDBOX_CPU=%u", sv->o->session_cpu);
	sv->child_env[n++] = dir_var;
	sv->child_env[n++] = cpu_var;
	if (geteuid() == 0) {
		if (child_ids(uid_var, gid_var, err, cap) != 0)
			return -1;
		sv->child_env[n++] = uid_var;
		sv->child_env[n++] = gid_var;
	}
	for (i = 0; i < sizeof pass / sizeof pass[0]; i++) {
		const char *v = getenv(pass[i]);
		static char buf[3][512];

		if (v != NULL && (size_t)snprintf(buf[i], sizeof buf[i], "%s=%s", pass[i], v) < sizeof buf[i])
			sv->child_env[n++] = buf[i];
	}
	sv->child_env[n] = NULL;
	return 0;
}

/* The resumption ticket keys: DATA/ticket.key, made when missing, rotated when a day old. */
static int
ticket_keys(struct server *sv, char *err, size_t cap)
{
	int rotated = 0, r;

	tes_rsa_keyid(&tes_db_server_key(sv->db)->pub, sv->server_keyid);
	if ((r = tes_file_dir_open_existing(sv->o->dir, &sv->dfd)) != 0) {
		snprintf(err, cap, "cannot open %s: %s", sv->o->dir, tes_err_str(r));
		return -1;
	}
	if ((r = tes_ticketkey_ensure(sv->dfd, (uint64_t)time(NULL), &sv->tkeys, &rotated)) != 0) {
		snprintf(err, cap,
			 "%s/ticket.key: %s (move it away to start with a new one: units then log in "
			 "again)",
			 sv->o->dir, tes_err_str(r));
		return -1;
	}
	return 0;
}

/* see server.h */
int
tes_server_run(struct tes_db *db, const struct tes_serve_opts *o)
{
	struct server sv = { .db = db, .o = o, .ver = o->verifier, .sig = o->sigcheck };
	struct sigaction sa = { .sa_handler = on_signal };
	uint8_t key[TES_ATTEMPTS_KEY_LEN];
	struct pollfd *pfd;
	char err[256];

	tes_rng_bytes(key, sizeof key);
	tes_attempts_init(&sv.att, "police", key);
	tes_wipe(key, sizeof key);
	if (ticket_keys(&sv, err, sizeof err) != 0) {
		tes_log(TES_LOG_ERROR, "%s", err);
		return EX_CANTCREAT;
	}
	if (child_environment(&sv, err, sizeof err) != 0) {
		tes_log(TES_LOG_ERROR, "%s", err);
		return EX_CANTCREAT;
	}
	if (tes_children_open(&sv.kids, &session_kind, &sv, o->listen, o->max_sessions, o->session_timeout,
			      o->parser_exe, sv.child_env, err, sizeof err) != 0) {
		tes_log(TES_LOG_ERROR, "%s", err);
		return EX_UNAVAILABLE;
	}
	tes_children_startups(sv.kids, &o->startups);
	if ((sv.cfd = tes_control_listen(o->dir, err, sizeof err)) < 0) {
		tes_log(TES_LOG_ERROR, "%s", err);
		return EX_CANTCREAT;
	}
	if (tes_dashboard_open(&sv.dash, db, o->http, o->parser_exe, sv.child_env, sv.ver, err, sizeof err) !=
	    0) {
		tes_log(TES_LOG_ERROR, "dashboard: %s", err);
		tes_control_close(o->dir, sv.cfd);
		return EX_UNAVAILABLE;
	}
	if ((pfd = calloc(o->max_sessions + 4 + TES_DASHBOARD_POLL_MAX, sizeof *pfd)) == NULL)
		tes_log_fatal("out of memory");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	print_banner(&sv);
	while (!stop)
		loop_once(&sv, pfd);
	tes_log(TES_LOG_INFO, "shutting down");
	tes_dashboard_close(sv.dash);
	tes_attempts_flush(&sv.att, db, tes_ratelimit_now() / 1000, 1, (uint64_t)time(NULL));
	/* only our session children: the worker pools are stopped by their owner */
	tes_children_close(sv.kids, 1);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	tes_control_close(o->dir, sv.cfd);
	free(pfd);
	TES_WIPE_CTX(&sv.tkeys);
	close(sv.dfd);
	return EX_OK;
}
