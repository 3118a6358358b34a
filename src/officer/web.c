/* SPDX-License-Identifier: ISC */
/*
 * The dashboard in the master: http children, sessions, and the pages.
 * Requests arrive as the fixed struct of web/msg.h; every page is rendered
 * here from the store with web/html.h, so every value shown goes through
 * tes_html_esc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "common/b64.h"
#include "common/cli.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/io.h"
#include "common/log.h"
#include "crypto/handshake.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "officer/ratelimit.h"
#include "officer/net.h"
#include "officer/spawn.h"
#include "officer/verifier.h"
#include "officer/web.h"
#include "web/html.h"
#include "web/http.h"
#include "web/msg.h"
#include "web/sess.h"
#include "wire/policy.h"
#include "wire/validate.h"

enum {
	QUEUE_PAGE = 20,                 /* rows per queue page */
	AUDIT_PAGE = 50,                 /* rows per audit page */
	RECORDS_MAX = 200,               /* plates listed by one search */
	OUT_MAX = TES_HTML_MAX + 2048    /* head + body */
};

struct wslot {
	pid_t pid;                       /* 0 = free */
	int mon;                         /* -1 once closed */
	uint8_t state;                   /* enum tes_wmsg_state */
	time_t deadline;
	char peer[64];
	int parked;                      /* a login waits for the password verifier */
	int role_ok;                     /* the user exists and is an officer */
	struct tes_web_req q;            /* the parked login request */
};

/* "Verify chain": the whole-store check runs in a child (tes_spawn_reader) that writes this to a pipe. */
struct vresult {
	int r;
	char msg[256];
};

struct vcheck {
	int fd;                          /* the child's pipe while it runs, else -1 */
	int done;                        /* res holds the last result */
	char user[TES_NAME_MAX + 1];     /* who asked */
	time_t started;
	struct vresult res;
};

struct tes_web {
	struct tes_db *db;
	const char *parser_exe;
	char *const *env;                /* the whole environment of a child */
	int lfd;
	struct wslot slots[TES_WEB_SLOTS];
	struct tes_wsess_table sess;
	struct tes_ratelimit rl;
	struct tes_verifier *ver;        /* password checks off the event loop, or NULL */
	struct vcheck vc;
	char fp[TES_FP_STRLEN];          /* server key fingerprint, for the footer */
	struct tes_html page;
	uint8_t out[OUT_MAX];
};

/* One request being answered. */
struct req {
	struct tes_web *w;
	struct wslot *slot;
	const struct tes_web_req *q;
	struct tes_wsess *sess;          /* NULL without a live session */
	struct tes_html *h;
	struct tes_http_resp rs;
	uint8_t new_token[TES_HTTP_TOKEN_LEN];
	time_t now;
	int parked;                      /* no response yet: the verifier will finish it */
};

/* Page frame */

static const char css[] =
	"body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f4f5f7}\n"
	"header{background:#1d3557;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}\n"
	"header a{color:#fff;text-decoration:none;font-weight:600}\n"
	"header .who{margin-left:auto}\n"
	"header form{margin:0}\n"
	"main{padding:1.2em;max-width:72em}\n"
	"table{border-collapse:collapse;background:#fff;width:100%}\n"
	"th,td{border:1px solid #d0d4da;padding:.35em .6em;text-align:left;vertical-align:top}\n"
	"th{background:#e9ecf1;white-space:nowrap}\n"
	".ok{color:#16733a;font-weight:600}.bad{color:#b3261e;font-weight:600}\n"
	".box{background:#fff;border:1px solid #d0d4da;padding:1em;margin:1em 0}\n"
	".msg{background:#fff6d6;border:1px solid #e0c36c;padding:.6em 1em;margin:1em 0}\n"
	"code{word-break:break-all;font-size:12px}\n"
	"button{padding:.35em 1em;cursor:pointer}\n"
	"input,select{padding:.3em}\n"
	"label{display:block;margin:.4em 0}\n"
	"footer{padding:1em 1.2em;color:#5a6270;font-size:12px}\n";

static void
csrf_field(struct req *x)
{
	char hex[TES_HTTP_TOKEN_HEX + 1];

	tes_hex_encode(x->sess->csrf, TES_HTTP_TOKEN_LEN, hex);
	tes_html_raw(x->h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	tes_html_str(x->h, hex);
	tes_html_raw(x->h, "\">");
}

static void
page_start(struct req *x, const char *title)
{
	struct tes_html *h = x->h;

	tes_html_raw(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width\">"
			"<link rel=\"stylesheet\" href=\"/static/tes.css\"><title>");
	tes_html_str(h, title);
	tes_html_raw(h, " - TES officer</title></head><body><header><span>TES officer</span>");
	if (x->sess != NULL && x->sess->user[0] != '\0') {
		tes_html_raw(h, "<a href=\"/queue\">Pending</a><a href=\"/records\">Driver records</a>"
				"<a href=\"/audit\">Audit log</a><span class=\"who\">");
		tes_html_str(h, x->sess->user);
		tes_html_raw(h, "</span><form method=\"post\" action=\"/logout\">");
		csrf_field(x);
		tes_html_raw(h, "<button type=\"submit\">Log out</button></form>");
	}
	tes_html_raw(h, "</header><main><h1>");
	tes_html_str(h, title);
	tes_html_raw(h, "</h1>");
}

static void
page_end(struct req *x)
{
	tes_html_raw(x->h, "</main><footer>Server key ");
	tes_html_str(x->h, x->w->fp);
	tes_html_raw(x->h, "</footer></body></html>\n");
}

static void
message(struct req *x, const char *text)
{
	tes_html_raw(x->h, "<p class=\"msg\">");
	tes_html_str(x->h, text);
	tes_html_raw(x->h, "</p>");
}

/* A whole page that only says something (errors). */
static void
simple_page(struct req *x, uint16_t status, const char *title, const char *text)
{
	tes_html_init(x->h);
	x->rs.status = status;
	page_start(x, title);
	message(x, text);
	page_end(x);
}

static void
redirect(struct req *x, const char *where)
{
	tes_html_init(x->h);
	x->rs.status = 303;
	x->rs.location = where;
}

static void
cell_str(struct tes_html *h, const char *s)
{
	tes_html_raw(h, "<td>");
	tes_html_str(h, s);
	tes_html_raw(h, "</td>");
}

static void
cell_u64(struct tes_html *h, uint64_t v)
{
	tes_html_raw(h, "<td>");
	tes_html_u64(h, v);
	tes_html_raw(h, "</td>");
}

static void
cell_time(struct tes_html *h, uint64_t t)
{
	char when[32];

	tes_time_format(t, when);
	cell_str(h, when);
}

/* A value that may be absent (0 speed limit, empty location): "-" then. */
static void
cell_opt_u64(struct tes_html *h, uint64_t v)
{
	if (v != 0)
		cell_u64(h, v);
	else
		cell_str(h, "-");
}

/* Unit name, key fingerprint and signature check of a stored report. */
struct sigcheck {
	char unit[TES_NAME_MAX + 1];
	char fp[TES_FP_STRLEN];
	int known, valid;
};

static void
sig_check(const struct tes_db *db, const struct tes_db_report *d, struct sigcheck *c)
{
	struct tes_rsa_pub pub;
	uint8_t hash[TES_HASH_LEN];

	memset(c, 0, sizeof *c);
	snprintf(c->unit, sizeof c->unit, "unknown unit");
	snprintf(c->fp, sizeof c->fp, "-");
	if (tes_db_unit_find(db, d->r.unit_key, c->unit, &pub) != 0)
		return;
	c->known = 1;
	tes_rsa_fingerprint(&pub, c->fp);
	c->valid = tes_report_digest(&d->r, hash) == 0 && tes_rsa_verify(&pub, hash, d->sig) == 0;
}

static void
cell_sig(struct tes_html *h, const struct sigcheck *c)
{
	tes_html_raw(h, c->valid ? "<td class=\"ok\">" : "<td class=\"bad\">");
	tes_html_str(h, c->valid ? "valid" : c->known ? "INVALID" : "unknown unit");
	tes_html_raw(h, "</td>");
}

static void
id_hex(const uint8_t id[static TES_REPORT_ID_LEN], char hex[static 2 * TES_REPORT_ID_LEN + 1])
{
	tes_hex_encode(id, TES_REPORT_ID_LEN, hex);
}

/* Login and logout */

static const char *
dummy_hash(void)
{
	static char h[TES_PASSWD_ENCODED_MAX + 1];

	if (h[0] == '\0' && tes_passwd_hash("tes-dummy", 9, h, sizeof h) != 0)
		tes_fatal("cannot compute a password hash");
	return h;
}

static void
login_form(struct req *x, uint16_t status, const char *note)
{
	tes_html_init(x->h);
	x->rs.status = status;
	page_start(x, "Log in");
	if (note != NULL)
		message(x, note);
	tes_html_raw(x->h, "<form class=\"box\" method=\"post\" action=\"/login\">");
	csrf_field(x);
	tes_html_raw(x->h, "<label>User <input name=\"user\" autocomplete=\"username\" required maxlength=\"32\">"
			   "</label><label>Password <input name=\"password\" type=\"password\" "
			   "autocomplete=\"current-password\" required maxlength=\"128\"></label>"
			   "<button type=\"submit\">Log in</button></form>");
	page_end(x);
}

/* A fresh session (anonymous for user ""), its 128-bit random token set as the cookie. */
static void
session_start(struct req *x, const char *user)
{
	uint8_t csrf[TES_HTTP_TOKEN_LEN];

	tes_rng_bytes(x->new_token, sizeof x->new_token);
	tes_rng_bytes(csrf, sizeof csrf);
	x->sess = tes_wsess_new(&x->w->sess, x->new_token, csrf, user, x->now);
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
password_check(struct tes_web *w, const struct tes_web_req *q)
{
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	int r;

	r = q->user_len != 0 ? tes_db_user_get(w->db, q->user, &role, hash) : TES_ERR_NOTFOUND;
	if (r == 0)
		r = tes_passwd_verify(hash, q->pw, q->pw_len);
	else	/* same cost for unknown users: no user enumeration by timing */
		(void)tes_passwd_verify(dummy_hash(), q->pw, q->pw_len);
	/*= spec/HTTP.md#sessions MUST-W8: only officer accounts log in to the dashboard */
	if (r == 0 && role != TES_ROLE_OFFICER)
		r = TES_ERR_AUTH;
	tes_wipe(hash, sizeof hash);
	return r;
}

/* Queue the password check; 0 when parked, else the caller checks inline. */
static int
login_park(struct req *x)
{
	const struct tes_web_req *q = x->q;
	struct wslot *s = x->slot;
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint64_t tag = TES_WEB_TAG | (uint64_t)(s - x->w->slots) * 4294967296u | (uint32_t)s->pid;
	uint8_t role = 0;
	int known, r;

	if (x->w->ver == NULL)
		return TES_ERR_STATE;
	known = q->user_len != 0 && tes_db_user_get(x->w->db, q->user, &role, hash) == 0;
	/*= spec/HTTP.md#sessions MUST-W8: only officer accounts log in to the dashboard */
	s->role_ok = known && role == TES_ROLE_OFFICER;
	r = tes_verifier_submit(x->w->ver, tag, known ? hash : NULL, q->pw, q->pw_len);
	tes_wipe(hash, sizeof hash);
	if (r == 0)
		x->parked = 1;
	return r;
}

static void login_done(struct req *x, int r);

static void
on_login(struct req *x)
{
	const struct tes_web_req *q = x->q;
	int r;

	if (tes_ratelimit_blocked(&x->w->rl, q->user, x->slot->peer, tes_ratelimit_now()))
		r = TES_ERR_RATELIMIT;
	else if (login_park(x) == 0)
		return;
	else {
		r = password_check(x->w, q);
		tes_ratelimit_note(&x->w->rl, q->user, x->slot->peer, r == 0, tes_ratelimit_now());
	}
	login_done(x, r);
}

/* The rest of a login once the password verdict is known. */
static void
login_done(struct req *x, int r)
{
	const struct tes_web_req *q = x->q;
	char text[256];

	snprintf(text, sizeof text, "dashboard login from %s: %s", x->slot->peer, r == 0 ? "ok" : tes_strerror(r));
	text[TES_JOURNAL_TEXT_MAX] = '\0';
	(void)tes_db_audit(x->w->db, r == 0 ? TES_AUDIT_LOGIN_OK : TES_AUDIT_LOGIN_FAILED,
			   q->user_len != 0 ? q->user : NULL, text, (uint64_t)x->now);
	tes_log(r == 0 ? TES_LOG_INFO : TES_LOG_WARN, "dashboard: user %s: %s", q->user, text);
	if (r != 0) {
		login_form(x, r == TES_ERR_RATELIMIT ? 429 : 403,
			   r == TES_ERR_RATELIMIT ? "Too many failed logins; try again later." : "Login refused.");
		return;
	}
	/* a new token at login: a token seen before login is never an officer's */
	tes_wsess_end(x->sess);
	session_start(x, q->user);
	redirect(x, "/queue");
}

static void
on_logout(struct req *x)
{
	tes_wsess_end(x->sess);
	x->sess = NULL;
	x->rs.clear_cookie = 1;
	redirect(x, "/login");
}

/* Pending queue */

static void
queue_row(struct req *x, const struct tes_db_report *d)
{
	struct tes_html *h = x->h;
	char hex[2 * TES_REPORT_ID_LEN + 1];
	struct sigcheck c;

	sig_check(x->w->db, d, &c);
	id_hex(d->r.id, hex);
	tes_html_raw(h, "<tr>");
	cell_u64(h, d->number);
	cell_str(h, d->r.plate);
	cell_u64(h, d->r.speed);
	cell_opt_u64(h, d->r.limit);
	cell_time(h, d->r.time);
	cell_str(h, d->r.loc_len != 0 ? d->r.loc : "-");
	cell_str(h, c.unit);
	cell_sig(h, &c);
	cell_u64(h, d->points);
	tes_html_raw(h, "<td><a href=\"/report?id=");
	tes_html_str(h, hex);
	tes_html_raw(h, "\">Review</a></td></tr>");
}

static void
page_links(struct req *x, const char *base, uint32_t page, int more)
{
	tes_html_raw(x->h, "<p>");
	if (page > 0) {
		tes_html_raw(x->h, "<a href=\"");
		tes_html_str(x->h, base);
		tes_html_raw(x->h, "?page=");
		tes_html_u64(x->h, page - 1);
		tes_html_raw(x->h, "\">&larr; Newer</a> ");
	}
	if (more) {
		tes_html_raw(x->h, "<a href=\"");
		tes_html_str(x->h, base);
		tes_html_raw(x->h, "?page=");
		tes_html_u64(x->h, (uint64_t)page + 1);
		tes_html_raw(x->h, "\">Older &rarr;</a>");
	}
	tes_html_raw(x->h, "</p>");
}

static void
on_queue(struct req *x)
{
	size_t i = tes_db_report_count(x->w->db), seen = 0, skip = (size_t)x->q->page * QUEUE_PAGE;
	struct tes_db_report d;
	int more = 0;

	tes_html_init(x->h);
	page_start(x, "Pending reports");
	tes_html_raw(x->h, "<p>");
	tes_html_u64(x->h, tes_db_pending_count(x->w->db));
	tes_html_raw(x->h, " pending, newest first.</p><table><tr><th>No.</th><th>Plate</th><th>Speed</th>"
			   "<th>Limit</th><th>Observed (UTC)</th><th>Location</th><th>Unit</th>"
			   "<th>Signature</th><th>Points</th><th></th></tr>");
	/* newest first: walk the violation numbers down */
	while (i-- > 0) {
		if (!tes_db_report_is_pending(x->w->db, i) || tes_db_report_at(x->w->db, i, &d) != 0)
			continue;
		if (seen++ < skip)
			continue;
		if (seen > skip + QUEUE_PAGE) {
			more = 1;
			break;
		}
		queue_row(x, &d);
	}
	tes_html_raw(x->h, "</table>");
	page_links(x, "/queue", x->q->page, more);
	page_end(x);
}

/* One report */

static void
field(struct tes_html *h, const char *name, const char *value)
{
	tes_html_raw(h, "<tr><th>");
	tes_html_str(h, name);
	tes_html_raw(h, "</th>");
	cell_str(h, value);
	tes_html_raw(h, "</tr>");
}

static void
field_u64(struct tes_html *h, const char *name, uint64_t v)
{
	tes_html_raw(h, "<tr><th>");
	tes_html_str(h, name);
	tes_html_raw(h, "</th>");
	cell_u64(h, v);
	tes_html_raw(h, "</tr>");
}

static void
field_time(struct tes_html *h, const char *name, uint64_t t)
{
	char when[32];

	tes_time_format(t, when);
	field(h, name, when);
}

/* The fixed rejection reasons: form values (as web/http.c decodes them) and stored labels. */
static const char *const reason_values[TES_REASON_MAX + 1] = {
	"", "unreadable", "duplicate", "equipment", "emergency", "other",
};
static const char *const reason_labels[TES_REASON_MAX + 1] = {
	"", "plate unreadable", "duplicate", "equipment fault", "emergency vehicle", "other",
};

static void
decide_forms(struct req *x, const char *hex)
{
	struct tes_html *h = x->h;
	size_t i;

	tes_html_raw(h, "<form class=\"box\" method=\"post\" action=\"/decide\">");
	csrf_field(x);
	tes_html_raw(h, "<input type=\"hidden\" name=\"id\" value=\"");
	tes_html_str(h, hex);
	tes_html_raw(h, "\"><input type=\"hidden\" name=\"verdict\" value=\"approve\">"
			"<button type=\"submit\" id=\"approve\">Approve</button></form>"
			"<form class=\"box\" method=\"post\" action=\"/decide\">");
	csrf_field(x);
	tes_html_raw(h, "<input type=\"hidden\" name=\"id\" value=\"");
	tes_html_str(h, hex);
	tes_html_raw(h, "\"><input type=\"hidden\" name=\"verdict\" value=\"reject\">"
			"<label>Reason <select name=\"reason\" id=\"reason\">");
	for (i = 1; i <= TES_REASON_MAX; i++) {
		tes_html_raw(h, "<option value=\"");
		tes_html_str(h, reason_values[i]);
		tes_html_raw(h, "\">");
		tes_html_str(h, reason_labels[i]);
		tes_html_raw(h, "</option>");
	}
	tes_html_raw(h, "</select></label><label>Details (for other) <input name=\"other\" id=\"other\" "
			"maxlength=\"100\"></label><button type=\"submit\" id=\"reject\">Reject</button></form>");
}

static void
report_table(struct req *x, const struct tes_db_report *d, const char *hex)
{
	struct tes_html *h = x->h;
	static const char *const st[] = { "pending", "approved", "rejected" };
	char b64[400];
	struct sigcheck c;

	sig_check(x->w->db, d, &c);
	tes_html_raw(h, "<table>");
	field_u64(h, "Violation number", d->number);
	field(h, "Report id", hex);
	field(h, "Plate", d->r.plate);
	field_u64(h, "Measured speed (km/h)", d->r.speed);
	if (d->r.limit != 0)
		field_u64(h, "Speed limit (km/h)", d->r.limit);
	else
		field(h, "Speed limit (km/h)", "not given");
	field_time(h, "Observed (UTC)", d->r.time);
	field(h, "Location", d->r.loc_len != 0 ? d->r.loc : "not given");
	field_time(h, "Received (UTC)", d->received);
	field(h, "Reporting unit", c.unit);
	field(h, "Unit key", c.fp);
	tes_html_raw(h, "<tr><th>Signature</th>");
	cell_sig(h, &c);
	tes_html_raw(h, "</tr>");
	tes_b64_encode(d->sig, sizeof d->sig, b64, sizeof b64, 1);
	tes_html_raw(h, "<tr><th>Signature bytes</th><td><code>");
	tes_html_str(h, b64);
	tes_html_raw(h, "</code></td></tr>");
	field_u64(h, d->status == TES_STATUS_PENDING ? "Points if approved" : "Points given", d->points);
	field(h, "Status", st[d->status <= 2 ? d->status : 0]);
	if (d->status != TES_STATUS_PENDING) {
		field(h, "Decided by", d->officer);
		field(h, "Reason", d->reason);
		field_time(h, "Decided (UTC)", d->decided_at);
	}
	tes_html_raw(h, "</table>");
}

static void
on_report(struct req *x)
{
	char hex[2 * TES_REPORT_ID_LEN + 1];
	struct tes_db_report d;

	if (!x->q->has_id || tes_db_report_get(x->w->db, x->q->id, &d) != 0) {
		simple_page(x, 404, "Not found", "No such report.");
		return;
	}
	id_hex(d.r.id, hex);
	tes_html_init(x->h);
	page_start(x, "Report");
	report_table(x, &d, hex);
	if (d.status == TES_STATUS_PENDING)
		decide_forms(x, hex);
	else
		message(x, "This report is decided; it cannot be decided again.");
	page_end(x);
}

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
		snprintf(buf, cap, "%s", reason_labels[q->reason]);
	return buf;
}

static void
on_decide(struct req *x)
{
	const struct tes_web_req *q = x->q;
	char reason[TES_JOURNAL_TEXT_MAX + 1], text[256], hex[2 * TES_REPORT_ID_LEN + 1];
	static char where[64];
	const char *why;
	uint16_t points = 0;
	int r;

	if (!q->has_id || q->verdict == TES_WV_NONE || (why = decision_reason(q, reason, sizeof reason)) == NULL) {
		simple_page(x, 400, "Incomplete decision", "Choose a reason (and describe it for \"other\").");
		return;
	}
	/*= spec/HTTP.md#pages MUST-W9: points are computed by the store, never taken from the request */
	r = tes_db_decide(x->w->db, q->id, q->verdict == TES_WV_APPROVE, why, x->sess->user, (uint64_t)x->now,
			  &points);
	if (r == TES_ERR_DECIDED || r == TES_ERR_NOTFOUND) {
		simple_page(x, r == TES_ERR_DECIDED ? 409 : 404, r == TES_ERR_DECIDED ? "Already decided" : "Not found",
			    r == TES_ERR_DECIDED ? "This report was already decided." : "No such report.");
		return;
	}
	if (r != 0) {
		simple_page(x, 500, "Not stored", tes_strerror(r));
		return;
	}
	id_hex(q->id, hex);
	snprintf(text, sizeof text, "report %s %s, %u points: %s", hex,
		 q->verdict == TES_WV_APPROVE ? "approved" : "rejected", points, why);
	text[TES_JOURNAL_TEXT_MAX] = '\0';        /* the audit text limit */
	(void)tes_db_audit(x->w->db, q->verdict == TES_WV_APPROVE ? TES_AUDIT_APPROVED : TES_AUDIT_REJECTED,
			   x->sess->user, text, (uint64_t)x->now);
	tes_log(TES_LOG_INFO, "dashboard: %s: %s", x->sess->user, text);
	snprintf(where, sizeof where, "/report?id=%s", hex);
	redirect(x, where);
}

/* Driver records */

struct search {
	struct req *x;
	const char *prefix;
	size_t plen, shown;
};

static int
search_row(void *ctx, const char *plate, uint32_t points)
{
	struct search *s = ctx;
	struct tes_html *h = s->x->h;

	if (strncmp(plate, s->prefix, s->plen) != 0)
		return 0;
	if (s->shown++ >= RECORDS_MAX)
		return 1;
	tes_html_raw(h, "<tr><td><a href=\"/records?plate=");
	tes_html_str(h, plate);
	tes_html_raw(h, "&amp;match=exact\">");
	tes_html_str(h, plate);
	tes_html_raw(h, "</a></td>");
	cell_u64(h, points);
	tes_html_raw(h, "</tr>");
	return 0;
}

static int
history_row(void *ctx, const struct tes_db_report *d)
{
	struct tes_html *h = ctx;

	if (d->status != TES_STATUS_APPROVED)
		return 0;
	tes_html_raw(h, "<tr>");
	cell_u64(h, d->number);
	cell_time(h, d->r.time);
	cell_u64(h, d->r.speed);
	cell_opt_u64(h, d->r.limit);
	cell_str(h, d->r.loc_len != 0 ? d->r.loc : "-");
	cell_u64(h, d->points);
	cell_str(h, d->officer);
	tes_html_raw(h, "</tr>");
	return 0;
}

/* The plate's approved reports: only those the store's plate index names are read. */
static void
history(struct req *x, const char *plate)
{
	struct tes_html *h = x->h;
	int r;

	tes_html_raw(h, "<h2>Approved violations</h2><table><tr><th>No.</th><th>Observed (UTC)</th>"
			"<th>Speed</th><th>Limit</th><th>Location</th><th>Points</th><th>Decided by</th></tr>");
	r = tes_db_plate_foreach(x->w->db, plate, history_row, h);
	tes_html_raw(h, "</table>");
	if (r != 0)
		message(x, "The journal could not be read completely: run verify.");
}

static void
search_form(struct req *x)
{
	tes_html_raw(x->h, "<form class=\"box\" method=\"get\" action=\"/records\"><label>Plate "
			   "<input name=\"plate\" id=\"plate\" maxlength=\"32\" value=\"");
	tes_html_esc(x->h, x->q->q, x->q->q_len);
	tes_html_raw(x->h, "\"></label><label><input type=\"radio\" name=\"match\" value=\"exact\"");
	tes_html_raw(x->h, x->q->prefix ? ">" : " checked>");
	tes_html_raw(x->h, " exact</label><label><input type=\"radio\" name=\"match\" value=\"prefix\"");
	tes_html_raw(x->h, x->q->prefix ? " checked>" : ">");
	tes_html_raw(x->h, " prefix</label><button type=\"submit\">Search</button></form>");
}

static void
on_records(struct req *x)
{
	char plate[TES_PLATE_MAX + 1] = "";
	struct search s = { .x = x, .prefix = plate };
	uint8_t n = 0;

	tes_html_init(x->h);
	page_start(x, "Driver records");
	search_form(x);
	if (x->q->q_len != 0 && tes_plate_normalize(x->q->q, x->q->q_len, plate, &n) != 0) {
		tes_html_raw(x->h, "<p class=\"msg\">Not a plate: ");
		tes_html_esc(x->h, x->q->q, x->q->q_len);
		tes_html_raw(x->h, "</p>");
		page_end(x);
		return;
	}
	if (n != 0 && !x->q->prefix) {
		tes_html_raw(x->h, "<table><tr><th>Plate</th><th>Total points</th></tr><tr>");
		cell_str(x->h, plate);
		cell_u64(x->h, tes_db_driver_points(x->w->db, plate));
		tes_html_raw(x->h, "</tr></table>");
		history(x, plate);
	} else {
		s.plen = n;
		tes_html_raw(x->h, "<table><tr><th>Plate</th><th>Total points</th></tr>");
		(void)tes_db_drivers_foreach(x->w->db, search_row, &s);
		tes_html_raw(x->h, "</table>");
		if (s.shown == 0)
			message(x, "No driver with points matches.");
	}
	page_end(x);
}

/* Audit log */


static const char *
event_kind(const struct tes_db_event *e)
{
	static const char *const kinds[TES_AUDIT_MAX + 1] = {
		"?", "login ok", "login failed", "unit added", "user added", "approved", "rejected",
		"unit refused", "server start", "server stop", "verify",
	};

	if (e->type == TES_JREC_DECISION)
		return e->kind == TES_VERDICT_APPROVE ? "decision: approve" : "decision: reject";
	return e->kind <= TES_AUDIT_MAX ? kinds[e->kind] : "?";
}

static void
event_row(struct tes_html *h, const struct tes_db_event *e)
{
	char hex[2 * TES_REPORT_ID_LEN + 1];

	tes_html_raw(h, "<tr>");
	cell_u64(h, e->seq);
	cell_time(h, e->time);
	cell_str(h, event_kind(e));
	cell_str(h, e->who[0] != '\0' ? e->who : "(server)");
	tes_html_raw(h, "<td>");
	if (e->type == TES_JREC_DECISION) {
		id_hex(e->id, hex);
		tes_html_str(h, "report ");
		tes_html_str(h, hex);
		tes_html_str(h, ", points ");
		tes_html_u64(h, e->points);
		tes_html_str(h, ": ");
	}
	tes_html_str(h, e->text);
	tes_html_raw(h, "</td></tr>");
}

static void
audit_page(struct req *x)
{
	size_t total = tes_db_event_count(x->w->db), skip = (size_t)x->q->page * AUDIT_PAGE, lo, hi, k;
	const struct vcheck *vc = &x->w->vc;
	struct tes_db_event e;
	char when[32];
	int bad = 0;

	tes_html_init(x->h);
	page_start(x, "Audit log");
	/* the chain check: running, or its last result */
	if (vc->fd >= 0) {
		tes_time_format((uint64_t)vc->started, when);
		tes_html_raw(x->h, "<p class=\"msg\" id=\"verify\">Chain check running since ");
		tes_html_str(x->h, when);
		tes_html_raw(x->h, " UTC (it reads the whole journal; reload for its result).</p>");
	} else if (vc->done) {
		tes_html_raw(x->h, vc->res.r == 0 ? "<p class=\"msg ok\" id=\"verify\">" : "<p class=\"msg bad\" id=\"verify\">");
		tes_html_str(x->h, vc->res.msg);
		tes_html_raw(x->h, "</p>");
	}
	tes_html_raw(x->h, "<form method=\"post\" action=\"/verify\">");
	csrf_field(x);
	tes_html_raw(x->h, "<button type=\"submit\" id=\"verify-chain\">Verify chain</button></form>");
	/* newest first: the window [total - skip - page, total - skip) in journal order, read back one by one */
	hi = total > skip ? total - skip : 0;
	lo = hi > AUDIT_PAGE ? hi - AUDIT_PAGE : 0;
	tes_html_raw(x->h, "<table><tr><th>Record</th><th>When (UTC)</th><th>What</th><th>Who</th>"
			   "<th>Details</th></tr>");
	for (k = hi; k-- > lo;) {
		if (tes_db_event_at(x->w->db, k, &e) == 0)
			event_row(x->h, &e);
		else
			bad = 1;
	}
	tes_html_raw(x->h, "</table>");
	if (bad)
		message(x, "The journal could not be read completely: run verify.");
	page_links(x, "/audit", x->q->page, lo > 0);
	page_end(x);
}

static void
on_audit(struct req *x)
{
	audit_page(x);
}

/* The check's result: into the audit log (the master is the journal's only writer) and onto the page. */
static void
vcheck_done(struct tes_web *w, const struct vresult *res, time_t now)
{
	struct vcheck *vc = &w->vc;

	vc->res = *res;
	vc->res.msg[sizeof vc->res.msg - 1] = '\0';
	vc->done = 1;
	(void)tes_db_audit(w->db, TES_AUDIT_VERIFY, vc->user, res->r == 0 ? "verify: ok" : "verify: FAILED",
			   (uint64_t)now);
	tes_log(res->r == 0 ? TES_LOG_INFO : TES_LOG_ERROR, "dashboard chain check: %s", vc->res.msg);
}

/* The child's answer, or its end without one. */
static void
vcheck_read(struct tes_web *w)
{
	struct vresult res;
	ssize_t n;

	while ((n = read(w->vc.fd, &res, sizeof res)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof res) {
		memset(&res, 0, sizeof res);
		res.r = TES_ERR_INTERNAL;
		snprintf(res.msg, sizeof res.msg, "the check ended without a result; run tes-officer verify");
	}
	close(w->vc.fd);
	w->vc.fd = -1;
	vcheck_done(w, &res, time(NULL));
}

/*
 * The same check as 'tes-officer verify', which reads and decrypts the whole
 * journal: in a child that only reads the store, so the server goes on
 * meanwhile; the page shows its state and, when done, its result.
 */
static void
on_verify(struct req *x)
{
	struct vcheck *vc = &x->w->vc;
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
		if ((pid = tes_spawn_reader(x->w->db, p[1])) == 0) {
			memset(&res, 0, sizeof res);
			res.r = tes_db_verify(x->w->db, res.msg, sizeof res.msg, NULL);
			_exit(tes_write_full(p[1], &res, sizeof res) == 0 ? 0 : 1);
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
	res.r = tes_db_verify(x->w->db, res.msg, sizeof res.msg, NULL);
	vcheck_done(x->w, &res, x->now);
	audit_page(x);
}

static void
on_root(struct req *x)
{
	redirect(x, x->sess != NULL && x->sess->user[0] != '\0' ? "/queue" : "/login");
}

static void
on_css(struct req *x)
{
	tes_html_init(x->h);
	tes_html_raw(x->h, css);
	x->rs.ctype = "text/css; charset=utf-8";
}

/* Dispatch */

enum { NEED_OFFICER = 1, NEED_CSRF = 2, NEED_SESSION = 4 };

/* The route table of the master: what each route needs before its handler runs. */
static const struct {
	uint8_t route;
	unsigned needs;
	void (*fn)(struct req *);
} handlers[] = {
	{ TES_ROUTE_ROOT, 0, on_root },
	{ TES_ROUTE_LOGIN_FORM, 0, on_login_form },
	{ TES_ROUTE_LOGIN, NEED_SESSION | NEED_CSRF, on_login },
	{ TES_ROUTE_LOGOUT, NEED_SESSION | NEED_CSRF, on_logout },
	{ TES_ROUTE_QUEUE, NEED_OFFICER, on_queue },
	{ TES_ROUTE_REPORT, NEED_OFFICER, on_report },
	{ TES_ROUTE_DECIDE, NEED_OFFICER | NEED_CSRF, on_decide },
	{ TES_ROUTE_RECORDS, NEED_OFFICER, on_records },
	{ TES_ROUTE_AUDIT, NEED_OFFICER, on_audit },
	{ TES_ROUTE_VERIFY, NEED_OFFICER | NEED_CSRF, on_verify },
	{ TES_ROUTE_CSS, 0, on_css },
};

static void
handle(struct req *x)
{
	const struct tes_web_req *q = x->q;
	size_t i;

	x->sess = q->has_session ? tes_wsess_find(&x->w->sess, q->session, x->now) : NULL;
	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
		unsigned need = handlers[i].needs;

		if (handlers[i].route != q->route)
			continue;
		if ((need & NEED_OFFICER) && (x->sess == NULL || x->sess->user[0] == '\0'))
			redirect(x, "/login");
		else if ((need & NEED_SESSION) && x->sess == NULL)
			simple_page(x, 403, "Forbidden", "No session: open the login page again.");
		else if ((need & NEED_CSRF) && tes_wsess_csrf_check(x->sess, q->has_csrf, q->csrf) != 0)
			simple_page(x, 403, "Forbidden", "The form token is missing or wrong.");
		else
			handlers[i].fn(x);
		return;
	}
	tes_bug("route without handler");
}

/* Children */

static void
wslot_close(struct wslot *s)
{
	if (s->mon >= 0)
		close(s->mon);
	s->mon = -1;
	if (s->parked)
		TES_WIPE_CTX(&s->q);
	s->parked = 0;
}

static void
wslot_kill(struct wslot *s, const char *why)
{
	tes_log(TES_LOG_ERROR, "dashboard child %d (%s): %s; killed", (int)s->pid, s->peer, why);
	kill(s->pid, SIGKILL);
	wslot_close(s);
	s->state = TES_WS_DONE;
}

/* Head and body into w->out, then the chunks to the child. */
static int
send_response(struct tes_web *w, struct wslot *s, struct req *x)
{
	uint8_t buf[TES_WMSG_LEN];
	struct tes_wmsg m = { .type = TES_WMSG_RESPONSE };
	size_t n, off = 0, k;
	int r;

	if (x->rs.ctype == NULL && x->rs.status != 303)
		x->rs.ctype = "text/html; charset=utf-8";
	x->rs.body_len = x->h->len;
	if ((r = tes_http_head(&x->rs, (char *)w->out, sizeof w->out, &n)) != 0 || n + x->h->len > sizeof w->out)
		return TES_ERR_SPACE;
	memcpy(w->out + n, x->h->buf, x->h->len);
	n += x->h->len;
	do {
		k = n - off > TES_WMSG_CHUNK_MAX ? TES_WMSG_CHUNK_MAX : n - off;
		m.u.chunk.len = (uint16_t)k;
		m.u.chunk.last = off + k == n;
		memcpy(m.u.chunk.data, w->out + off, k);
		if ((r = tes_wmsg_encode(&m, buf)) != 0)
			tes_bug("response encode");
		if (send(s->mon, buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof buf)
			return TES_ERR_IO;
		off += k;
	} while (off < n);
	return 0;
}

static void finish(struct tes_web *w, struct wslot *s, struct req *x);

static void
answer(struct tes_web *w, struct wslot *s, const struct tes_web_req *q)
{
	struct req x = { .w = w, .slot = s, .q = q, .h = &w->page, .now = time(NULL) };

	x.rs.status = 200;
	handle(&x);
	if (x.parked) {
		s->parked = 1;
		s->q = *q;
		return;
	}
	finish(w, s, &x);
}

/* see web.h */
void
tes_web_set_verifier(struct tes_web *w, struct tes_verifier *v)
{
	if (w != NULL)
		w->ver = v;
}

/* see web.h */
void
tes_web_verified(struct tes_web *w, uint64_t tag, int ok)
{
	uint64_t i = (tag & ~TES_WEB_TAG) / 4294967296u;
	struct wslot *s;
	struct req x;
	int r;

	if (w == NULL || i >= TES_WEB_SLOTS)
		return;
	s = &w->slots[i];
	if (!s->parked || (uint32_t)s->pid != (uint32_t)(tag % 4294967296u) || s->mon < 0)
		return;
	x = (struct req){ .w = w, .slot = s, .q = &s->q, .h = &w->page, .now = time(NULL) };
	x.rs.status = 200;
	x.sess = s->q.has_session ? tes_wsess_find(&w->sess, s->q.session, x.now) : NULL;
	r = ok && s->role_ok ? 0 : TES_ERR_AUTH;
	tes_ratelimit_note(&w->rl, s->q.user, s->peer, r == 0, tes_ratelimit_now());
	tes_html_init(x.h);
	login_done(&x, r);
	s->parked = 0;
	finish(w, s, &x);
	TES_WIPE_CTX(&s->q);
}

/* Send the rendered page and close the child's monitor socket. */
static void
finish(struct tes_web *w, struct wslot *s, struct req *x)
{
	/*= spec/HTTP.md#responses MUST-W5: authenticated pages are never cached */
	x->rs.no_store = x->q->route != TES_ROUTE_CSS;
	if (w->page.overflow)
		simple_page(x, 500, "Too large", "The page is too large; use the page links.");
	if (send_response(w, s, x) != 0)
		wslot_kill(s, "cannot send the response");
	s->state = TES_WS_DONE;
	wslot_close(s);
	tes_wipe(x->new_token, sizeof x->new_token);
}

static void
read_child(struct tes_web *w, struct wslot *s)
{
	uint8_t buf[TES_WMSG_LEN];
	struct tes_wmsg m;
	ssize_t k;

	k = recv(s->mon, buf, sizeof buf, MSG_TRUNC | MSG_DONTWAIT);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k <= 0) {
		wslot_close(s);
		return;
	}
	/*= spec/HTTP.md#messages MUST-W1: a malformed or unexpected message kills the child */
	if (tes_wmsg_decode(buf, (size_t)k, &m) != 0 || tes_wmsg_permit(s->state, m.type, 0) != 0)
		wslot_kill(s, "malformed or unexpected request message");
	else
		answer(w, s, &m.u.req);
	tes_wipe(buf, sizeof buf);
	TES_WIPE_CTX(&m);
}

static struct wslot *
wslot_free(struct tes_web *w)
{
	size_t i;

	for (i = 0; i < TES_WEB_SLOTS; i++)
		if (w->slots[i].pid == 0)
			return &w->slots[i];
	return NULL;
}

static void
spawn(struct tes_web *w, int fd, const struct sockaddr_storage *ss)
{
	struct tes_http_resp busy = { .status = 503, .no_store = 1 };
	struct wslot *s = wslot_free(w);
	char head[1024];
	size_t n;
	int pair[2];
	pid_t pid;

	if (s == NULL) {
		/* the master writes this fixed answer itself: it reads nothing from fd */
		if (tes_http_head(&busy, head, sizeof head, &n) == 0)
			(void)send(fd, head, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
		close(fd);
		return;
	}
	pid = tes_spawn_child(w->parser_exe, "http", w->env, fd, pair[1]);
	close(fd);
	close(pair[1]);
	if (pid < 0) {
		close(pair[0]);
		return;
	}
	memset(s, 0, sizeof *s);
	s->pid = pid;
	s->mon = pair[0];
	s->state = TES_WS_WAIT;
	s->deadline = time(NULL) + TES_WEB_DEADLINE;
	tes_net_peer_name(ss, s->peer, sizeof s->peer);
	fcntl(s->mon, F_SETFL, O_NONBLOCK);
}

static void
accept_all(struct tes_web *w)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	for (;;) {
		sl = sizeof ss;
		if ((fd = accept4(w->lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC)) < 0)
			return;
		spawn(w, fd, &ss);
	}
}

/* see web.h */
int
tes_web_open(struct tes_web **out, struct tes_db *db, const char *spec, const char *parser_exe,
	     char *const *env, char *err, size_t cap)
{
	struct tes_web *w;
	size_t i;

	*out = NULL;
	if (spec == NULL || strcmp(spec, "off") == 0)
		return 0;
	if ((w = calloc(1, sizeof *w)) == NULL)
		tes_fatal("out of memory");
	if ((w->lfd = tes_net_listen_tcp(spec, err, cap)) < 0) {
		free(w);
		return -1;
	}
	w->db = db;
	w->parser_exe = parser_exe;
	w->env = env;
	for (i = 0; i < TES_WEB_SLOTS; i++)
		w->slots[i].mon = -1;
	w->vc.fd = -1;
	tes_wsess_init(&w->sess, 0);
	tes_rsa_fingerprint(&tes_db_server_key(db)->pub, w->fp);
	(void)dummy_hash();
	*out = w;
	return 0;
}

/* see web.h */
unsigned
tes_web_poll_add(struct tes_web *w, struct pollfd *pfd)
{
	unsigned n = 0;
	size_t i;

	if (w == NULL)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = w->lfd, .events = POLLIN };
	for (i = 0; i < TES_WEB_SLOTS; i++)
		if (w->slots[i].pid != 0 && w->slots[i].mon >= 0)
			pfd[n++] = (struct pollfd){ .fd = w->slots[i].mon, .events = POLLIN };
	if (w->vc.fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = w->vc.fd, .events = POLLIN };
	return n;
}

/* see web.h */
void
tes_web_poll_handle(struct tes_web *w, const struct pollfd *pfd, unsigned n)
{
	unsigned i;
	size_t k;

	if (w == NULL || n == 0)
		return;
	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == w->vc.fd) {
			vcheck_read(w);
			continue;
		}
		for (k = 0; k < TES_WEB_SLOTS; k++)
			if (w->slots[k].pid != 0 && w->slots[k].mon == pfd[i].fd) {
				read_child(w, &w->slots[k]);
				break;
			}
	}
	if (pfd[0].revents & POLLIN)
		accept_all(w);
}

/* see web.h */
int
tes_web_reaped(struct tes_web *w, pid_t pid, int status)
{
	size_t i;

	if (w == NULL)
		return 0;
	for (i = 0; i < TES_WEB_SLOTS; i++) {
		struct wslot *s = &w->slots[i];

		if (s->pid != pid)
			continue;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			tes_log(TES_LOG_ERROR, "dashboard child %d: sandbox violation (SIGSYS)", (int)pid);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == TES_WEB_EXIT_SETUP)
			tes_log(TES_LOG_ERROR, "dashboard child %d: set-up failed", (int)pid);
		wslot_close(s);
		memset(s, 0, sizeof *s);
		s->mon = -1;
		return 1;
	}
	return 0;
}

/* see web.h */
void
tes_web_tick(struct tes_web *w, time_t now)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < TES_WEB_SLOTS; i++) {
		struct wslot *s = &w->slots[i];

		if (s->pid != 0 && s->state != TES_WS_DONE && now > s->deadline)
			wslot_kill(s, "deadline exceeded");
	}
}

/* see web.h */
void
tes_web_close(struct tes_web *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < TES_WEB_SLOTS; i++)
		if (w->slots[i].pid != 0) {
			kill(w->slots[i].pid, SIGKILL);
			wslot_close(&w->slots[i]);
		}
	if (w->vc.fd >= 0)
		close(w->vc.fd);             /* the check dies with the master (tes_spawn_reader) or at its write */
	close(w->lfd);
	tes_wipe(w, sizeof *w);
	free(w);
}
