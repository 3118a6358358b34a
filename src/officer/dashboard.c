/* SPDX-License-Identifier: ISC */
/*
 * The dashboard in the master (see dashboard.h): the http children's kind,
 * the route table, sessions and logins, decisions, the chain check, and the
 * response sent back to the child in chunks. Pages are rendered by pages.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/io.h"
#include "common/log.h"
#include "common/wipe.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "officer/attempts.h"
#include "officer/children.h"
#include "officer/dashboard.h"
#include "officer/export.h"
#include "officer/pages.h"
#include "officer/pwpolicy.h"
#include "officer/ratelimit.h"
#include "officer/spawn.h"
#include "officer/verifier.h"
#include "officer/webchild.h"
#include "web/html.h"
#include "web/http.h"
#include "web/wmsg.h"
#include "web/wsess.h"

enum {
	OUT_MAX = TES_HTML_MAX + 2048 /* head + body */
};

/* An http child: the supervisor's part (state: enum tes_wmsg_state), then the parked login. */
struct wslot {
	struct tes_child c;
	int parked;                  /* a login waits for the password verifier */
	int role_ok;                 /* the user exists and is an officer */
	struct tes_web_req q;        /* the parked login or password change request */
	char user[TES_NAME_MAX + 1]; /* a password change: the session's officer */
};

/* "Verify chain": the whole-store check runs in a child (tes_spawn_reader) that writes this to a pipe. */
struct vresult {
	int r;
	char msg[256];
};

struct vcheck {
	int fd;                      /* the child's pipe while it runs, else -1 */
	int done;                    /* res holds the last result */
	char user[TES_NAME_MAX + 1]; /* who asked */
	time_t started;
	struct vresult res;
};

struct tes_dashboard {
	struct tes_db *db;
	struct tes_children *kids; /* the http children */
	unsigned nkids;            /* their poll entries, before the chain check's pipe */
	struct tes_wsess_table sess;
	struct tes_ratelimit rl;
	struct tes_attempts att;  /* refused logins, one record per source and window */
	struct tes_verifier *ver; /* password checks off the event loop, or NULL */
	struct vcheck vc;
	char fp[TES_FP_STRLEN]; /* server key fingerprint, for the footer */
	struct tes_html page;
	uint8_t out[OUT_MAX];
};

/* One request being answered. */
struct req {
	struct tes_dashboard *d;
	struct wslot *slot;
	const struct tes_web_req *q;
	struct tes_wsess *sess; /* NULL without a live session */
	struct tes_html *h;
	struct tes_resp rs;
	uint8_t new_token[TES_HTTP_TOKEN_LEN];
	time_t now;
	int parked;   /* no response yet: the verifier will finish it */
	int streamed; /* no page: a child streams the response (export) */
};

static void
finish(struct tes_dashboard *d, struct wslot *s, struct req *x);

/* Rendering */

/* The plate walk of the records page: it may wait for the store's plate tags. */
static int
plate_reports(void *owner, const char *plate, int (*cb)(void *ctx, const struct tes_db_report *d), void *ctx)
{
	struct tes_dashboard *d = owner;

	return tes_db_plate_foreach(d->db, plate, cb, ctx);
}

/* What the pages see of a request: the store read-only, the session as it is now. */
static struct tes_pages
view(struct req *x)
{
	return (struct tes_pages){
		.h = x->h,
		.rs = &x->rs,
		.db = x->d->db,
		.fp = x->d->fp,
		.sess = x->sess,
		.q = x->q,
		.now = (uint64_t)x->now,
		.plate_reports = plate_reports,
		.owner = x->d,
	};
}

static void
render(struct req *x, void (*page)(const struct tes_pages *))
{
	struct tes_pages p = view(x);

	page(&p);
}

static void
simple_page(struct req *x, uint16_t status, const char *title, const char *text)
{
	struct tes_pages p = view(x);

	tes_pages_simple(&p, status, title, text);
}

static void
login_form(struct req *x, uint16_t status, const char *note)
{
	struct tes_pages p = view(x);

	tes_pages_login(&p, status, note);
}

static void
redirect(struct req *x, const char *where)
{
	tes_html_init(x->h);
	x->rs.status = 303;
	x->rs.location = where;
}

/* Login and logout */

static const char *
dummy_hash(void)
{
	static char h[TES_PASSWD_ENCODED_MAX + 1];

	if (h[0] == '\0' && tes_passwd_hash("tes-dummy", 9, h, sizeof h) != 0)
		tes_log_fatal("cannot compute a password hash");
	return h;
}

/* A fresh session (anonymous for user ""), its 128-bit random token set as the cookie. */
static void
session_start(struct req *x, const char *user)
{
	uint8_t csrf[TES_HTTP_TOKEN_LEN];

	tes_rng_bytes(x->new_token, sizeof x->new_token);
	tes_rng_bytes(csrf, sizeof csrf);
	x->sess = tes_wsess_new(&x->d->sess, x->new_token, csrf, user, x->now);
	x->rs.cookie = x->new_token;
	tes_wipe(csrf, sizeof csrf);
}

static void
on_login_form(struct req *x)
{
	if (x->sess != NULL && x->sess->user[0] != '\0') {
		redirect(x, "/queue");
		return;
	}
	if (x->sess == NULL)
		session_start(x, "");
	login_form(x, 200, NULL);
}

static int
password_check(const struct tes_db *db, const char *user, const struct tes_web_req *q)
{
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	int r;

	r = user[0] != '\0' ? tes_db_user_get(db, user, &role, hash) : TES_ERR_NOTFOUND;
	if (r == 0)
		r = tes_passwd_verify(hash, q->pw, q->pw_len);
	else /* same cost for unknown users: no user enumeration by timing */
		(void)tes_passwd_verify(dummy_hash(), q->pw, q->pw_len);
	/*= spec/HTTP.md#sessions MUST-W8: only officer accounts log in to the dashboard */
	if (r == 0 && role != TES_ROLE_OFFICER)
		r = TES_ERR_AUTH;
	tes_wipe(hash, sizeof hash);
	return r;
}

/* Queue the check of q->pw against user's hash; 0 when parked, else the caller checks inline. */
static int
login_park(struct req *x, const char *user)
{
	const struct tes_web_req *q = x->q;
	struct wslot *s = x->slot;
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint64_t tag = TES_DASHBOARD_TAG | tes_children_tag(x->d->kids, &s->c);
	uint8_t role = 0;
	int known, r;

	if (x->d->ver == NULL)
		return TES_ERR_STATE;
	known = user[0] != '\0' && tes_db_user_get(x->d->db, user, &role, hash) == 0;
	/*= spec/HTTP.md#sessions MUST-W8: only officer accounts log in to the dashboard */
	s->role_ok = known && role == TES_ROLE_OFFICER;
	r = tes_verifier_submit(x->d->ver, tag, known ? hash : NULL, q->pw, q->pw_len);
	tes_wipe(hash, sizeof hash);
	if (r == 0)
		x->parked = 1;
	return r;
}

/*
 * The login's audit trail: an accepted one gets its own record, on disk
 * before the answer (TES_ERR_NOSPACE or another store error refuses it as
 * try again); a refused one counts in its source's aggregated record.
 */
static int
login_record(struct req *x, int r, const char *text)
{
	const struct tes_web_req *q = x->q;
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	int account;

	if (r == 0)
		/*= spec/STORAGE.md#attempts MUST-AT3: no accepted login without its record on disk */
		return tes_db_audit(x->d->db, TES_AUDIT_LOGIN_OK, q->user, text, (uint64_t)x->now);
	account = q->user_len != 0 && tes_db_user_get(x->d->db, q->user, &role, hash) == 0;
	tes_wipe(hash, sizeof hash);
	/*= spec/STORAGE.md#attempts MUST-AT1: refused attempts are aggregated */
	tes_attempts_note(&x->d->att, x->slot->c.peer, q->user, account, tes_ratelimit_now() / 1000);
	return r;
}

/* The rest of a login once the password verdict is known. */
static void
login_done(struct req *x, int r)
{
	const struct tes_web_req *q = x->q;
	char text[256];
	int w;

	/*
	 * The anonymous session the form belongs to can end (idle, or evicted by newer sessions)
	 * while the verifier checks the password: then no page can carry its CSRF token and no
	 * login completes, whatever the password.
	 */
	if (x->sess == NULL && r == 0)
		r = TES_ERR_SESSION;
	snprintf(text, sizeof text, "dashboard login from %s: %s", x->slot->c.peer,
		 r == 0 ? "ok" : tes_err_str(r));
	text[TES_JOURNAL_TEXT_MAX] = '\0';
	tes_log(r == 0 ? TES_LOG_INFO : TES_LOG_WARN, "dashboard: user %s: %s", q->user, text);
	if (r == 0 && (w = login_record(x, r, text)) != 0) {
		tes_log(TES_LOG_ERROR, "dashboard: user %s: login not recorded, refused as try again: %s",
			q->user, tes_err_str(w));
		login_form(x, 503, "Server busy (the login could not be recorded); try again later.");
		return;
	}
	if (r != 0)
		(void)login_record(x, r, text);
	if (x->sess == NULL) {
		simple_page(x, 403, "Forbidden", "No session: open the login page again.");
		return;
	}
	if (r != 0) {
		login_form(x, r == TES_ERR_RATELIMIT ? 429 : 403,
			   r == TES_ERR_RATELIMIT ? "Too many failed logins; try again later."
						  : "Login refused.");
		return;
	}
	/* a new token at login: a token seen before login is never an officer's */
	tes_wsess_end(x->sess);
	session_start(x, q->user);
	redirect(x, "/queue");
}

static void
on_login(struct req *x)
{
	const struct tes_web_req *q = x->q;
	int r;

	if (tes_ratelimit_blocked(&x->d->rl, q->user, x->slot->c.peer, tes_ratelimit_now()))
		r = TES_ERR_RATELIMIT;
	else if (login_park(x, q->user) == 0)
		return;
	else {
		r = password_check(x->d->db, q->user, q);
		tes_ratelimit_note(&x->d->rl, q->user, x->slot->c.peer, r == 0, tes_ratelimit_now());
	}
	login_done(x, r);
}

static void
on_logout(struct req *x)
{
	tes_wsess_end(x->sess);
	x->sess = NULL;
	x->rs.clear_cookie = 1;
	redirect(x, "/login");
}

/* The officer's own password (spec/HTTP.md#password) */

static void
password_form(struct req *x, uint16_t status, const char *note)
{
	struct tes_pages p = view(x);

	tes_pages_password(&p, status, note);
}

static void
on_password_form(struct req *x)
{
	password_form(x, 200,
		      x->sess->pw_changed ? "Your password was changed; every other session of this account "
					    "was ended."
					  : NULL);
	x->sess->pw_changed = 0;
}

/* The checks of the new password that need nothing of the account: NULL, or why it is refused. */
static const char *
password_refusal(const struct tes_web_req *q)
{
	const char *why = NULL;

	if (q->pw_len == 0 || q->new_len == 0)
		return "Fill in every field.";
	if (q->new_len != q->rep_len || memcmp(q->newpw, q->rep, q->new_len) != 0)
		return "The two new passwords differ.";
	if (q->new_len == q->pw_len && memcmp(q->newpw, q->pw, q->pw_len) == 0)
		return "The new password is the current one.";
	/*= spec/HTTP.md#password MUST-W14: the new password meets the officer password policy */
	if (tes_pwpolicy_check(q->newpw, q->new_len, TES_ROLE_OFFICER, &why) != 0)
		return why != NULL ? why : "The new password does not meet the password policy.";
	return NULL;
}

/* Store the new hash, its AUDIT record, end the account's other sessions; 0 or the page is set. */
static int
password_store(struct req *x, const char *user)
{
	const struct tes_web_req *q = x->q;
	char enc[TES_PASSWD_ENCODED_MAX + 1], text[128];
	unsigned ended;
	int r;

	/* one Argon2id hash in the master per change: rare, and the policy was checked first */
	if ((r = tes_passwd_hash(q->newpw, q->new_len, enc, sizeof enc)) != 0 ||
	    (r = tes_db_user_passwd(x->d->db, user, enc)) != 0) {
		tes_wipe(enc, sizeof enc);
		tes_log(TES_LOG_ERROR, "dashboard: user %s: password not changed: %s", user, tes_err_str(r));
		password_form(x, 503, "The password could not be stored; it is unchanged.");
		return r;
	}
	tes_wipe(enc, sizeof enc);
	snprintf(text, sizeof text, "password changed on the dashboard from %s", x->slot->c.peer);
	/*= spec/HTTP.md#password MUST-W13: the change is journaled with an AUDIT record */
	if ((r = tes_db_audit(x->d->db, TES_AUDIT_PASSWORD_CHANGED, user, text, (uint64_t)x->now)) != 0)
		tes_log(TES_LOG_ERROR, "dashboard: user %s: password change not audited: %s", user,
			tes_err_str(r));
	/*= spec/HTTP.md#password MUST-W13: every other session of the account ends */
	ended = tes_wsess_end_user(&x->d->sess, user, x->sess);
	tes_log(TES_LOG_INFO, "dashboard: user %s: %s, %u other session(s) ended", user, text, ended);
	if (r != 0) {
		simple_page(x, 503, "Password changed, audit note not written", tes_err_str(r));
		return r;
	}
	return 0;
}

/* The rest of a password change once the current password's verdict r is known. */
static void
password_done(struct req *x, const char *user, int r)
{
	tes_ratelimit_note(&x->d->rl, user, x->slot->c.peer, r == 0, tes_ratelimit_now());
	if (r != 0) {
		tes_log(TES_LOG_WARN, "dashboard: user %s: password change from %s: current password wrong",
			user, x->slot->c.peer);
		/*= spec/HTTP.md#password MUST-W13: a wrong current password counts as a failed login */
		tes_attempts_note(&x->d->att, x->slot->c.peer, user, 1, tes_ratelimit_now() / 1000);
	}
	if (x->sess == NULL || strcmp(x->sess->user, user) != 0) {
		simple_page(x, 403, "Forbidden", "No session: open the login page again.");
		return;
	}
	if (r != 0) {
		password_form(x, 403, "The current password is wrong; the password is unchanged.");
		return;
	}
	if (password_store(x, user) != 0)
		return;
	/* a new token for this session too, then Post/Redirect/Get to the form with its note */
	tes_wsess_end(x->sess);
	session_start(x, user);
	x->sess->pw_changed = 1;
	redirect(x, "/password");
}

static void
on_password(struct req *x)
{
	const char *why, *user = x->sess->user;
	int r;

	if ((why = password_refusal(x->q)) != NULL) {
		password_form(x, 400, why);
		return;
	}
	/*= spec/HTTP.md#password MUST-W13: the current password is checked like a login, rate limits included */
	if (tes_ratelimit_blocked(&x->d->rl, user, x->slot->c.peer, tes_ratelimit_now())) {
		password_form(x, 429, "Too many failed attempts; try again later.");
		return;
	}
	if (login_park(x, user) == 0) {
		snprintf(x->slot->user, sizeof x->slot->user, "%s", user);
		return;
	}
	r = password_check(x->d->db, user, x->q);
	password_done(x, user, r);
}

/* Decisions */

/* Reason text stored with a decision; NULL if the form is incomplete. */
static const char *
decision_reason(const struct tes_web_req *q, char *buf, size_t cap)
{
	if (q->verdict == TES_WV_APPROVE)
		return q->reason == TES_REASON_NONE && q->other_len == 0 ? "approved" : NULL;
	if (q->reason == TES_REASON_NONE || (q->reason == TES_REASON_OTHER && q->other_len == 0))
		return NULL;
	if (q->reason == TES_REASON_OTHER)
		snprintf(buf, cap, "other: %s", q->other);
	else
		snprintf(buf, cap, "%s", tes_pages_reason_label(q->reason));
	return buf;
}

/*
 * One decision by the session's officer, then its audit note: 0, the
 * store's TES_ERR_DECIDED / TES_ERR_NOTFOUND / other error with nothing
 * written, or TES_ERR_IO with *audit_r set when the DECISION record is on
 * disk but its audit note could not follow.
 */
static int
decide_one(struct req *x, const uint8_t id[static TES_REPORT_ID_LEN], int approve, const char *why,
	   uint64_t *number, int *audit_r)
{
	char text[256], hex[2 * TES_REPORT_ID_LEN + 1];
	struct tes_db_report d;
	uint16_t points = 0;
	int r;

	*audit_r = 0;
	/*= spec/HTTP.md#pages MUST-W9: points are computed by the store, never taken from the request */
	if ((r = tes_db_decide(x->d->db, id, approve, why, x->sess->user, (uint64_t)x->now, &points)) != 0)
		return r;
	*number = tes_db_report_get(x->d->db, id, &d) == 0 ? d.number : 0;
	tes_hex_encode(id, TES_REPORT_ID_LEN, hex);
	snprintf(text, sizeof text, "report %s %s, %u points: %s", hex, approve ? "approved" : "rejected",
		 points, why);
	text[TES_JOURNAL_TEXT_MAX] = '\0'; /* the audit text limit */
	tes_log(TES_LOG_INFO, "dashboard: %s: %s", x->sess->user, text);
	if ((r = tes_db_audit(x->d->db, approve ? TES_AUDIT_APPROVED : TES_AUDIT_REJECTED, x->sess->user,
			      text, (uint64_t)x->now)) != 0) {
		tes_log(TES_LOG_ERROR, "dashboard: audit note of report %s not written: %s", hex,
			tes_err_str(r));
		*audit_r = r;
		return TES_ERR_IO;
	}
	return 0;
}

static void
on_decide(struct req *x)
{
	const struct tes_web_req *q = x->q;
	char reason[TES_JOURNAL_TEXT_MAX + 1], hex[2 * TES_REPORT_ID_LEN + 1];
	static char where[64];
	uint8_t next[TES_REPORT_ID_LEN];
	uint64_t number = 0;
	const char *why;
	int r, audit_r;

	if (!q->has_id || q->verdict == TES_WV_NONE ||
	    (why = decision_reason(q, reason, sizeof reason)) == NULL) {
		simple_page(x, 400, "Incomplete decision",
			    "Choose a reason (and describe it for \"other\").");
		return;
	}
	r = decide_one(x, q->id, q->verdict == TES_WV_APPROVE, why, &number, &audit_r);
	if (r == TES_ERR_DECIDED || r == TES_ERR_NOTFOUND) {
		simple_page(x, r == TES_ERR_DECIDED ? 409 : 404,
			    r == TES_ERR_DECIDED ? "Already decided" : "Not found",
			    r == TES_ERR_DECIDED ? "This report was already decided." : "No such report.");
		return;
	}
	/* the DECISION record is on disk; the page says so if its audit note could not follow */
	if (r == TES_ERR_IO && audit_r != 0) {
		simple_page(x, 503, "Decision stored, audit note not written", tes_err_str(audit_r));
		return;
	}
	if (r != 0) {
		simple_page(x, 500, "Not stored", tes_err_str(r));
		return;
	}
	/*= spec/HTTP.md#next MUST-W12: "and next" leads on to the next pending report, or to the list */
	if (q->next && tes_pages_next_pending(x->d->db, number, next) != 0) {
		redirect(x, "/queue");
		return;
	}
	tes_hex_encode(q->next ? next : q->id, TES_REPORT_ID_LEN, hex);
	snprintf(where, sizeof where, "/report?id=%s", hex);
	redirect(x, where);
}

/* A bulk decision's id that was not decided, and why. */
static void
bulk_fail(struct tes_pages_bulk *b, const uint8_t *id, const char *why)
{
	if (b->nfail >= TES_WEB_BULK_MAX)
		tes_log_bug("bulk failures past the maximum");
	memcpy(b->fail[b->nfail].id, id, TES_REPORT_ID_LEN);
	b->fail[b->nfail++].why = why;
}

/* Whether id k of the request repeats an earlier one. */
static int
bulk_repeat(const struct tes_web_req *q, unsigned k)
{
	unsigned j;

	for (j = 0; j < k; j++)
		if (memcmp(q->sel + (size_t)j * TES_REPORT_ID_LEN, q->sel + (size_t)k * TES_REPORT_ID_LEN,
			   TES_REPORT_ID_LEN) == 0)
			return 1;
	return 0;
}

static void
on_bulk(struct req *x)
{
	const struct tes_web_req *q = x->q;
	static struct tes_pages_bulk b;
	char reason[TES_JOURNAL_TEXT_MAX + 1], text[160];
	struct tes_web_req approve_q;
	struct tes_pages p;
	const char *why = NULL, *stop = NULL;
	uint64_t number;
	unsigned k;
	int r, audit_r;

	/*= spec/HTTP.md#bulk MUST-W11: more than TES_WEB_BULK_MAX ids: refused, nothing decided */
	if (q->nsel > TES_WEB_BULK_MAX) {
		snprintf(
			text, sizeof text,
			"%s%u reports were selected; at most %d can be decided at once. Nothing was decided.",
			q->nsel == 255 ? "At least " : "", q->nsel, TES_WEB_BULK_MAX);
		simple_page(x, 413, "Too many reports selected", text);
		return;
	}
	if (q->nsel == 0 || q->verdict == TES_WV_NONE) {
		simple_page(x, 400, "Nothing selected", "Tick at least one report, then approve or reject.");
		return;
	}
	/* an approval stores "approved": the reason list of the shared form is for rejections */
	approve_q = (struct tes_web_req){ .verdict = TES_WV_APPROVE };
	if ((why = decision_reason(q->verdict == TES_WV_APPROVE ? &approve_q : q, reason, sizeof reason)) ==
	    NULL) {
		simple_page(x, 400, "Incomplete decision",
			    "Choose a reason (and describe it for \"other\").");
		return;
	}
	memset(&b, 0, sizeof b);
	b.approve = q->verdict == TES_WV_APPROVE;
	b.reason = why;
	for (k = 0; k < q->nsel; k++) {
		const uint8_t *id = q->sel + (size_t)k * TES_REPORT_ID_LEN;

		if (stop != NULL) {
			bulk_fail(&b, id, stop);
			continue;
		}
		if (bulk_repeat(q, k)) {
			bulk_fail(&b, id, "selected twice");
			continue;
		}
		/*= spec/HTTP.md#bulk MUST-W11: each id decided on its own, journaled with the officer's name */
		r = decide_one(x, id, b.approve, why, &number, &audit_r);
		if (r == 0)
			b.done++;
		else if (r == TES_ERR_DECIDED)
			bulk_fail(&b, id, "already decided");
		else if (r == TES_ERR_NOTFOUND)
			bulk_fail(&b, id, "no such report");
		else if (r == TES_ERR_IO && audit_r != 0) {
			b.done++;
			bulk_fail(&b, id, "decided, but its audit note could not be written");
			stop = "not tried: the store failed on an earlier report";
		} else {
			bulk_fail(&b, id, "the store refused it");
			stop = "not tried: the store failed on an earlier report";
		}
	}
	tes_log(TES_LOG_INFO, "dashboard: %s: bulk %s: %u decided, %u not", x->sess->user,
		b.approve ? "approval" : "rejection", b.done, b.nfail);
	p = view(x);
	tes_pages_bulk(&p, &b);
	if (stop != NULL)
		x->rs.status = 503;
}

/* The chain check */

static void
audit_page(struct req *x)
{
	const struct vcheck *vc = &x->d->vc;
	struct tes_pages p = view(x);
	struct tes_pages_check c = {
		.running = vc->fd >= 0,
		.started = vc->started,
		.done = vc->done,
		.r = vc->res.r,
		.msg = vc->res.msg,
	};

	tes_pages_audit(&p, &c);
}

/* The check's result: into the audit log (the master is the journal's only writer) and onto the page. */
static void
vcheck_done(struct tes_dashboard *d, const struct vresult *res, time_t now)
{
	struct vcheck *vc = &d->vc;
	int r;

	vc->res = *res;
	vc->res.msg[sizeof vc->res.msg - 1] = '\0';
	vc->done = 1;
	if ((r = tes_db_audit(d->db, TES_AUDIT_VERIFY, vc->user,
			      res->r == 0 ? "verify: ok" : "verify: FAILED", (uint64_t)now)) != 0) {
		tes_log(TES_LOG_ERROR, "dashboard chain check: result not recorded: %s", tes_err_str(r));
		snprintf(vc->res.msg, sizeof vc->res.msg, "%.160s (not recorded in the audit log: %s)",
			 res->msg, tes_err_str(r));
	}
	tes_log(res->r == 0 ? TES_LOG_INFO : TES_LOG_ERROR, "dashboard chain check: %s", vc->res.msg);
}

/* The child's answer, or its end without one. */
static void
vcheck_read(struct tes_dashboard *d)
{
	struct vresult res;
	ssize_t n;

	while ((n = read(d->vc.fd, &res, sizeof res)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof res) {
		memset(&res, 0, sizeof res);
		res.r = TES_ERR_INTERNAL;
		snprintf(res.msg, sizeof res.msg, "the check ended without a result; run tes-officer verify");
	}
	close(d->vc.fd);
	d->vc.fd = -1;
	vcheck_done(d, &res, time(NULL));
}

/*
 * The same check as 'tes-officer verify', which reads and decrypts the whole
 * journal: in a child that only reads the store, so the server goes on
 * meanwhile; the page shows its state and, when done, its result.
 */
static void
on_verify(struct req *x)
{
	struct vcheck *vc = &x->d->vc;
	struct vresult res;
	int p[2];
	pid_t pid;

	if (vc->fd >= 0) {
		audit_page(x);
		return;
	}
	snprintf(vc->user, sizeof vc->user, "%s", x->sess->user);
	vc->started = x->now;
	if (pipe2(p, O_CLOEXEC) == 0) {
		if ((pid = tes_spawn_reader(x->d->db, p[1])) == 0) {
			memset(&res, 0, sizeof res);
			res.r = tes_db_verify(x->d->db, res.msg, sizeof res.msg, NULL);
			_exit(tes_io_write_full(p[1], &res, sizeof res) == 0 ? 0 : 1);
		}
		close(p[1]);
		if (pid > 0) {
			vc->fd = p[0];
			audit_page(x);
			return;
		}
		close(p[0]);
	}
	/* no child: check here */
	memset(&res, 0, sizeof res);
	res.r = tes_db_verify(x->d->db, res.msg, sizeof res.msg, NULL);
	vcheck_done(x->d, &res, x->now);
	audit_page(x);
}

/* The export (spec/EXPORT.md#dashboard) */

/* The streamed body in the export child: HTTP chunks, each in one RESPONSE message. */
struct xout {
	int fd;
	struct tes_wmsg m;
	size_t fill;                        /* bytes of CSV waiting in data */
	char data[TES_WMSG_CHUNK_MAX - 16]; /* room for the chunk's size line and CRLF */
	uint8_t buf[TES_WMSG_LEN];
};

/* One message to the http child; waits while its socket is full (it is non-blocking). */
static int
xout_send(struct xout *o, const uint8_t *p, size_t n, int last)
{
	struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
	ssize_t k;

	o->m.type = TES_WMSG_RESPONSE;
	o->m.u.chunk.last = (uint8_t)last;
	o->m.u.chunk.len = (uint16_t)n;
	memcpy(o->m.u.chunk.data, p, n);
	if (tes_wmsg_encode(&o->m, o->buf) != 0)
		return TES_ERR_INTERNAL;
	for (;;) {
		k = send(o->fd, o->buf, sizeof o->buf, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k == (ssize_t)sizeof o->buf)
			return 0;
		if (k >= 0 || (errno != EAGAIN && errno != EINTR))
			return TES_ERR_IO;
		if (errno == EAGAIN && poll(&pfd, 1, TES_DASHBOARD_EXPORT_STALL * 1000) != 1)
			return TES_ERR_IO;
	}
}

/* The waiting bytes as one HTTP chunk. */
static int
xout_flush(struct xout *o)
{
	char chunk[TES_WMSG_CHUNK_MAX];
	int h;

	if (o->fill == 0)
		return 0;
	h = snprintf(chunk, sizeof chunk, "%zx\r\n", o->fill);
	memcpy(chunk + h, o->data, o->fill);
	memcpy(chunk + (size_t)h + o->fill, "\r\n", 2);
	h = xout_send(o, (const uint8_t *)chunk, (size_t)h + o->fill + 2, 0);
	o->fill = 0;
	return h;
}

static int
xout_write(void *ctx, const char *p, size_t n)
{
	struct xout *o = ctx;
	size_t k;

	while (n > 0) {
		k = sizeof o->data - o->fill < n ? sizeof o->data - o->fill : n;
		memcpy(o->data + o->fill, p, k);
		o->fill += k;
		p += k;
		n -= k;
		if (o->fill == sizeof o->data && xout_flush(o) != 0)
			return -1;
	}
	return 0;
}

/*
 * In the export child: the head, every report as a CSV row, and the final empty chunk only
 * when every row went out (spec/EXPORT.md#dashboard MUST-EX6); otherwise the response just
 * stops, visibly cut short.
 */
static int
export_child(const struct tes_db *db, int fd, const char *user)
{
	static struct xout o;
	struct tes_resp rs = { .status = 200,
			       .ctype = "text/csv; charset=utf-8",
			       .no_store = 1,
			       .attachment = "tes-export.csv",
			       .chunked = 1 };
	struct tes_export_filter f = { .status = TES_EXPORT_STATUS_ALL };
	char head[2048];
	uint64_t rows = 0, bad = 0;
	size_t n;
	int r;

	o.fd = fd;
	/*= spec/EXPORT.md#dashboard MUST-EX6: text/csv, an attachment, chunked, the last chunk at the end */
	if (tes_resp_head(&rs, head, sizeof head, &n) != 0 || xout_send(&o, (const uint8_t *)head, n, 0) != 0)
		return 1;
	r = tes_export_walk(db, TES_EXPORT_CSV, &f, xout_write, &o, &rows, &bad);
	if (r == 0 && (r = xout_flush(&o)) == 0)
		r = xout_send(&o, (const uint8_t *)"0\r\n\r\n", 5, 1);
	if (r != 0) {
		tes_log(TES_LOG_ERROR, "dashboard: %s: export stopped after %llu rows: %s%s", user,
			(unsigned long long)rows, tes_err_str(r),
			bad != 0 ? " (a report could not be read)" : "");
		(void)xout_send(&o, (const uint8_t *)"", 0, 1);
		return 1;
	}
	tes_log(TES_LOG_INFO, "dashboard: %s: export of %llu rows sent", user, (unsigned long long)rows);
	return 0;
}

/* GET /export.csv: no page here; on_request hands the connection to an export child. */
static void
on_export(struct req *x)
{
	x->streamed = 1;
}

/*
 * The export's rows are read and sent by a child that only reads the store (tes_spawn_reader),
 * straight to the http child over the monitor socket, which the master then closes on its side:
 * the event loop neither waits for nor holds the export (spec/EXPORT.md#memory MUST-EX7). The
 * http child may live TES_DASHBOARD_EXPORT_DEADLINE seconds.
 */
static void
export_start(struct tes_dashboard *d, struct wslot *s, struct req *x)
{
	pid_t pid = tes_spawn_reader(d->db, s->c.mon);

	if (pid == 0)
		_exit(export_child(d->db, s->c.mon, x->sess->user));
	if (pid < 0) {
		x->streamed = 0;
		simple_page(x, 503, "Export not started",
			    "The server could not start the export; try again.");
		finish(d, s, x);
		return;
	}
	tes_log(TES_LOG_INFO, "dashboard: %s: export running in process %d", x->sess->user, (int)pid);
	s->c.deadline = x->now + TES_DASHBOARD_EXPORT_DEADLINE;
	s->c.state = TES_WS_DONE;
	tes_children_hangup(d->kids, &s->c);
}

/* Routes */

static void
on_root(struct req *x)
{
	redirect(x, x->sess != NULL && x->sess->user[0] != '\0' ? "/queue" : "/login");
}

static void
on_queue(struct req *x)
{
	render(x, tes_pages_queue);
}

static void
on_report(struct req *x)
{
	render(x, tes_pages_report);
}

static void
on_records(struct req *x)
{
	render(x, tes_pages_records);
}

static void
on_css(struct req *x)
{
	render(x, tes_pages_css);
}

enum {
	NEED_OFFICER = 1,
	NEED_CSRF = 2,
	NEED_SESSION = 4
};

/* The route table of the master: what each route needs before its handler runs. */
static const struct {
	uint8_t route;
	unsigned needs;
	void (*fn)(struct req *);
} routes[] = {
	{ TES_ROUTE_ROOT, 0, on_root },
	{ TES_ROUTE_LOGIN_FORM, 0, on_login_form },
	{ TES_ROUTE_LOGIN, NEED_SESSION | NEED_CSRF, on_login },
	{ TES_ROUTE_LOGOUT, NEED_SESSION | NEED_CSRF, on_logout },
	{ TES_ROUTE_QUEUE, NEED_OFFICER, on_queue },
	{ TES_ROUTE_REPORT, NEED_OFFICER, on_report },
	{ TES_ROUTE_DECIDE, NEED_OFFICER | NEED_CSRF, on_decide },
	{ TES_ROUTE_RECORDS, NEED_OFFICER, on_records },
	{ TES_ROUTE_AUDIT, NEED_OFFICER, audit_page },
	{ TES_ROUTE_VERIFY, NEED_OFFICER | NEED_CSRF, on_verify },
	{ TES_ROUTE_CSS, 0, on_css },
	{ TES_ROUTE_BULK, NEED_OFFICER | NEED_CSRF, on_bulk },
	{ TES_ROUTE_PASSWORD_FORM, NEED_OFFICER, on_password_form },
	{ TES_ROUTE_PASSWORD, NEED_OFFICER | NEED_CSRF, on_password },
	{ TES_ROUTE_EXPORT, NEED_OFFICER, on_export },
};

static void
handle(struct req *x)
{
	const struct tes_web_req *q = x->q;
	size_t i;

	x->sess = q->has_session ? tes_wsess_find(&x->d->sess, q->session, x->now) : NULL;
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		unsigned need = routes[i].needs;

		if (routes[i].route != q->route)
			continue;
		/*= spec/HTTP.md#sessions MUST-W7: a POST's session and token first, so a POST without a
		 * session is a 403 like one without its token, never a redirect to the login page */
		if ((need & (NEED_SESSION | NEED_CSRF)) && x->sess == NULL)
			simple_page(x, 403, "Forbidden", "No session: open the login page again.");
		else if ((need & NEED_CSRF) && tes_wsess_csrf_check(x->sess, q->has_csrf, q->csrf) != 0)
			simple_page(x, 403, "Forbidden", "The form token is missing or wrong.");
		else if ((need & NEED_OFFICER) && (x->sess == NULL || x->sess->user[0] == '\0'))
			redirect(x, "/login");
		else
			routes[i].fn(x);
		return;
	}
	tes_log_bug("route without handler");
}

/* The response */

/* Head and body into d->out, then the chunks to the child. */
static int
send_response(struct tes_dashboard *d, struct wslot *s, struct req *x)
{
	uint8_t buf[TES_WMSG_LEN];
	struct tes_wmsg m = { .type = TES_WMSG_RESPONSE };
	size_t n, off = 0, k;
	int r;

	if (x->rs.ctype == NULL && x->rs.status != 303)
		x->rs.ctype = "text/html; charset=utf-8";
	x->rs.body_len = x->h->len;
	if ((r = tes_resp_head(&x->rs, (char *)d->out, sizeof d->out, &n)) != 0 ||
	    n + x->h->len > sizeof d->out)
		return TES_ERR_SPACE;
	memcpy(d->out + n, x->h->buf, x->h->len);
	n += x->h->len;
	do {
		k = n - off > TES_WMSG_CHUNK_MAX ? TES_WMSG_CHUNK_MAX : n - off;
		m.u.chunk.len = (uint16_t)k;
		m.u.chunk.last = off + k == n;
		memcpy(m.u.chunk.data, d->out + off, k);
		if ((r = tes_wmsg_encode(&m, buf)) != 0)
			tes_log_bug("response encode");
		if (tes_children_send(d->kids, &s->c, buf) != 0)
			return TES_ERR_IO;
		off += k;
	} while (off < n);
	return 0;
}

/* Send the rendered page and close the child's monitor socket. */
static void
finish(struct tes_dashboard *d, struct wslot *s, struct req *x)
{
	/*= spec/HTTP.md#responses MUST-W5: authenticated pages are never cached */
	x->rs.no_store = x->q->route != TES_ROUTE_CSS;
	if (d->page.overflow)
		simple_page(x, 500, "Too large", "The page is too large; use the page links.");
	if (send_response(d, s, x) != 0)
		tes_children_kill(d->kids, &s->c, "cannot send the response");
	s->c.state = TES_WS_DONE;
	tes_children_hangup(d->kids, &s->c);
	tes_wipe(x->new_token, sizeof x->new_token);
}

/* The http children */

/* The child's one request (the handler of its REQUEST row). */
static void
on_request(void *owner, struct tes_child *c, const void *msg)
{
	struct tes_dashboard *d = owner;
	struct wslot *s = (struct wslot *)c;
	const struct tes_web_req *q = &((const struct tes_wmsg *)msg)->u.req;
	struct req x = { .d = d, .slot = s, .q = q, .h = &d->page, .now = time(NULL) };

	x.rs.status = 200;
	handle(&x);
	if (x.parked) {
		s->parked = 1;
		s->q = *q;
		return;
	}
	if (x.streamed) {
		export_start(d, s, &x);
		return;
	}
	finish(d, s, &x);
}

static int
decode(const uint8_t *buf, size_t n, void *msg, uint8_t *type)
{
	struct tes_wmsg *m = msg;
	int r;

	/*= spec/HTTP.md#messages MUST-W1: a malformed or unexpected message kills the child */
	r = tes_wmsg_decode(buf, n, m);
	*type = r == 0 ? m->type : 0;
	return r;
}

static void
child_close(void *owner, struct tes_child *c, int killed)
{
	struct wslot *s = (struct wslot *)c;

	(void)owner;
	(void)killed;
	if (s->parked)
		TES_WIPE_CTX(&s->q);
	s->parked = 0;
}

static void
child_exit(void *owner, struct tes_child *c, int status)
{
	(void)owner;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		tes_log(TES_LOG_ERROR, "dashboard child %d: sandbox violation (SIGSYS)", (int)c->pid);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == TES_WEBCHILD_EXIT_SETUP)
		tes_log(TES_LOG_ERROR, "dashboard child %d: set-up failed", (int)c->pid);
}

/* Every slot taken: the master writes this fixed answer itself; it reads nothing from fd. */
static void
refuse(void *owner, int fd)
{
	struct tes_resp busy = { .status = 503, .no_store = 1 };
	char head[1024];
	size_t n;

	(void)owner;
	if (tes_resp_head(&busy, head, sizeof head, &n) == 0)
		(void)send(fd, head, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* The dispatch table of the http children: the handler column of TES_WMSG_DISPATCH. */
#define HANDLER_ROW(type, states, once, handler) { type, handler },
static const struct tes_children_handler handlers[] = { TES_WMSG_DISPATCH(HANDLER_ROW) };
#undef HANDLER_ROW

static const struct tes_children_kind http_kind = {
	.mode = "http",
	.noun = "dashboard child",
	.killed = "killed",
	.late = "deadline exceeded",
	.slot_size = sizeof(struct wslot),
	.msg_len = TES_WMSG_LEN,
	.msg_size = sizeof(struct tes_wmsg),
	.grace = 0,
	.start = TES_WS_WAIT,
	.dead = TES_WS_DONE,
	.decode = decode,
	.malformed = "malformed or unexpected request message",
	.busy = NULL,
	.permit = tes_wmsg_permit,
	.refused = "malformed or unexpected request message",
	.handlers = handlers,
	.nhandlers = sizeof handlers / sizeof handlers[0],
	.on_start = NULL,
	.on_close = child_close,
	.on_exit = child_exit,
	.refuse = refuse,
};

/* see dashboard.h */
void
tes_dashboard_verified(struct tes_dashboard *d, uint64_t tag, int ok)
{
	struct wslot *s;
	struct req x;
	int r;

	if (d == NULL)
		return;
	s = (struct wslot *)tes_children_tagged(d->kids, tag & ~TES_DASHBOARD_TAG);
	if (s == NULL || !s->parked)
		return;
	x = (struct req){ .d = d, .slot = s, .q = &s->q, .h = &d->page, .now = time(NULL) };
	x.rs.status = 200;
	x.sess = s->q.has_session ? tes_wsess_find(&d->sess, s->q.session, x.now) : NULL;
	r = ok && s->role_ok ? 0 : TES_ERR_AUTH;
	tes_html_init(x.h);
	if (s->q.route == TES_ROUTE_PASSWORD)
		password_done(&x, s->user, r);
	else {
		tes_ratelimit_note(&d->rl, s->q.user, s->c.peer, r == 0, tes_ratelimit_now());
		login_done(&x, r);
	}
	s->parked = 0;
	finish(d, s, &x);
	TES_WIPE_CTX(&s->q);
}

/* see dashboard.h */
int
tes_dashboard_open(struct tes_dashboard **out, struct tes_db *db, const char *spec, const char *parser_exe,
		   char *const *env, struct tes_verifier *ver, char *err, size_t cap)
{
	uint8_t key[TES_ATTEMPTS_KEY_LEN];
	struct tes_dashboard *d;

	*out = NULL;
	if (spec == NULL || strcmp(spec, "off") == 0)
		return 0;
	if ((d = calloc(1, sizeof *d)) == NULL)
		tes_log_fatal("out of memory");
	if (tes_children_open(&d->kids, &http_kind, d, spec, TES_DASHBOARD_SLOTS, TES_DASHBOARD_DEADLINE,
			      parser_exe, env, err, cap) != 0) {
		free(d);
		return -1;
	}
	d->db = db;
	d->ver = ver;
	d->vc.fd = -1;
	tes_rng_bytes(key, sizeof key);
	tes_attempts_init(&d->att, "dashboard", key);
	tes_wipe(key, sizeof key);
	tes_wsess_init(&d->sess, 0);
	tes_rsa_fingerprint(&tes_db_server_key(db)->pub, d->fp);
	(void)dummy_hash();
	*out = d;
	return 0;
}

/* see dashboard.h */
unsigned
tes_dashboard_poll_add(struct tes_dashboard *d, struct pollfd *pfd)
{
	unsigned n;

	if (d == NULL)
		return 0;
	n = d->nkids = tes_children_poll_add(d->kids, pfd);
	if (d->vc.fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = d->vc.fd, .events = POLLIN };
	return n;
}

/* see dashboard.h */
void
tes_dashboard_poll_handle(struct tes_dashboard *d, const struct pollfd *pfd, unsigned n)
{
	if (d == NULL || n == 0)
		return;
	tes_children_poll_read(d->kids, pfd, d->nkids);
	if (n > d->nkids && pfd[d->nkids].revents != 0 && pfd[d->nkids].fd == d->vc.fd)
		vcheck_read(d);
	tes_children_poll_accept(d->kids, pfd);
}

/* see dashboard.h */
int
tes_dashboard_reaped(struct tes_dashboard *d, pid_t pid, int status)
{
	return d != NULL && tes_children_reaped(d->kids, pid, status);
}

/* see dashboard.h */
void
tes_dashboard_tick(struct tes_dashboard *d, time_t now)
{
	if (d == NULL)
		return;
	tes_children_tick(d->kids, now);
	tes_attempts_flush(&d->att, d->db, tes_ratelimit_now() / 1000, 0, (uint64_t)now);
}

/* see dashboard.h */
void
tes_dashboard_close(struct tes_dashboard *d)
{
	if (d == NULL)
		return;
	tes_children_close(d->kids, 1); /* a stopped server leaves no zombie */
	tes_attempts_flush(&d->att, d->db, tes_ratelimit_now() / 1000, 1, (uint64_t)time(NULL));
	if (d->vc.fd >= 0)
		close(d->vc.fd); /* the check dies with the master (tes_spawn_reader) or at its write */
	tes_wipe(d, sizeof *d);
	free(d);
}
