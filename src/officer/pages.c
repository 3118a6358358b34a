/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's pages, rendered with web/html.h from a read-only view of
 * the store (see pages.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "common/b64.h"
#include "common/hex.h"
#include "common/time.h"
#include "crypto/digest.h"
#include "crypto/rsa.h"
#include "officer/pages.h"
#include "officer/pwpolicy.h"
#include "wire/field.h"
#include "wire/policy.h"

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
csrf_field(const struct tes_pages *p)
{
	char hex[TES_HTTP_TOKEN_HEX + 1];

	tes_hex_encode(p->sess->csrf, TES_HTTP_TOKEN_LEN, hex);
	tes_html_raw(p->h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	tes_html_str(p->h, hex);
	tes_html_raw(p->h, "\">");
}

static void
page_start(const struct tes_pages *p, const char *title)
{
	struct tes_html *h = p->h;

	tes_html_raw(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width\">"
			"<link rel=\"stylesheet\" href=\"/static/tes.css\"><title>");
	tes_html_str(h, title);
	tes_html_raw(h, " - TES officer</title></head><body><header><span>TES officer</span>");
	if (p->sess != NULL && p->sess->user[0] != '\0') {
		tes_html_raw(h, "<a href=\"/queue\">Pending</a><a href=\"/records\">Driver records</a>"
				"<a href=\"/audit\">Audit log</a><a href=\"/password\" "
				"id=\"password-link\">Password</a>"
				"<span class=\"who\">");
		tes_html_str(h, p->sess->user);
		tes_html_raw(h, "</span><form method=\"post\" action=\"/logout\">");
		csrf_field(p);
		tes_html_raw(h, "<button type=\"submit\">Log out</button></form>");
	}
	tes_html_raw(h, "</header><main><h1>");
	tes_html_str(h, title);
	tes_html_raw(h, "</h1>");
}

static void
page_end(const struct tes_pages *p)
{
	tes_html_raw(p->h, "</main><footer>Server key ");
	tes_html_str(p->h, p->fp);
	tes_html_raw(p->h, "</footer></body></html>\n");
}

static void
message(const struct tes_pages *p, const char *text)
{
	tes_html_raw(p->h, "<p class=\"msg\">");
	tes_html_str(p->h, text);
	tes_html_raw(p->h, "</p>");
}

/* see pages.h */
void
tes_pages_simple(const struct tes_pages *p, uint16_t status, const char *title, const char *text)
{
	tes_html_init(p->h);
	p->rs->status = status;
	page_start(p, title);
	message(p, text);
	page_end(p);
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
	c->valid = tes_digest_report(&d->r, hash) == 0 && tes_rsa_verify(&pub, hash, d->sig) == 0;
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

/* Login */

/* see pages.h */
void
tes_pages_login(const struct tes_pages *p, uint16_t status, const char *note)
{
	tes_html_init(p->h);
	p->rs->status = status;
	page_start(p, "Log in");
	if (note != NULL)
		message(p, note);
	tes_html_raw(p->h, "<form class=\"box\" method=\"post\" action=\"/login\">");
	csrf_field(p);
	tes_html_raw(p->h,
		     "<label>User <input name=\"user\" autocomplete=\"username\" required maxlength=\"32\">"
		     "</label><label>Password <input name=\"password\" type=\"password\" "
		     "autocomplete=\"current-password\" required maxlength=\"128\"></label>"
		     "<button type=\"submit\">Log in</button></form>");
	page_end(p);
}

/* Points and the policy */

/* How the policy reached a report's points (spec/POLICY.md#evaluation): its own line or cell. */
static void
why_text(const struct tes_pages *p, const struct tes_db_report *d, char *buf, size_t cap)
{
	struct tes_policy pol;
	const uint8_t *text;
	size_t n;
	uint32_t line;

	buf[0] = '\0';
	if (d->status == TES_STATUS_REJECTED ||
	    tes_db_policy_text(p->db, d->policy_version, &text, &n) != 0 ||
	    tes_policy_parse(text, n, &pol, &line) != 0)
		return;
	tes_policy_explain(&pol, &d->why, d->points, buf, cap);
}

static void
cell_why(const struct tes_pages *p, const struct tes_db_report *d)
{
	char why[160];

	why_text(p, d, why, sizeof why);
	cell_str(p->h, why);
}

/* A plate's points inside the window, marked when they reach the policy's threshold. */
static void
cell_plate_points(const struct tes_pages *p, const char *plate, uint32_t points, int over)
{
	tes_html_raw(p->h, over ? "<td class=\"bad over\">" : "<td>");
	tes_html_u64(p->h, points);
	/*= spec/POLICY.md#window MUST-PO11: plates at or over the threshold are marked */
	if (over)
		tes_html_raw(p->h, " &mdash; threshold reached");
	tes_html_raw(p->h, "</td>");
	(void)plate;
}

/* Pending queue */

static void
queue_row(const struct tes_pages *p, const struct tes_db_report *d)
{
	struct tes_html *h = p->h;
	char hex[2 * TES_REPORT_ID_LEN + 1];
	struct sigcheck c;

	sig_check(p->db, d, &c);
	id_hex(d->r.id, hex);
	/* a plain form control: "select all" is a link that renders the page with every box ticked */
	tes_html_raw(h, "<tr><td><input type=\"checkbox\" name=\"sel\" value=\"");
	tes_html_str(h, hex);
	tes_html_raw(h, p->q->all ? "\" checked></td>" : "\"></td>");
	cell_u64(h, d->number);
	cell_str(h, d->r.plate);
	cell_u64(h, d->r.speed);
	cell_opt_u64(h, d->r.limit);
	cell_time(h, d->r.time);
	cell_str(h, d->r.loc_len != 0 ? d->r.loc : "-");
	cell_str(h, c.unit);
	cell_sig(h, &c);
	cell_u64(h, d->points);
	cell_why(p, d);
	tes_html_raw(h, "<td><a href=\"/report?id=");
	tes_html_str(h, hex);
	tes_html_raw(h, "\">Review</a></td></tr>");
}

static void
page_links(const struct tes_pages *p, const char *base, uint32_t page, int more)
{
	tes_html_raw(p->h, "<p>");
	if (page > 0) {
		tes_html_raw(p->h, "<a href=\"");
		tes_html_str(p->h, base);
		tes_html_raw(p->h, "?page=");
		tes_html_u64(p->h, page - 1);
		tes_html_raw(p->h, "\">&larr; Newer</a> ");
	}
	if (more) {
		tes_html_raw(p->h, "<a href=\"");
		tes_html_str(p->h, base);
		tes_html_raw(p->h, "?page=");
		tes_html_u64(p->h, (uint64_t)page + 1);
		tes_html_raw(p->h, "\">Older &rarr;</a>");
	}
	tes_html_raw(p->h, "</p>");
}

static void
reason_options(struct tes_html *h, const char *id);

/* Select-all links and the one decision for the ticked rows (a POST of the form around the table). */
static void
bulk_controls(const struct tes_pages *p)
{
	struct tes_html *h = p->h;

	tes_html_raw(h, "<p><a href=\"/queue?page=");
	tes_html_u64(h, p->q->page);
	tes_html_raw(h, "&amp;select=all\" id=\"select-all\">Select all on this page</a> &middot; "
			"<a href=\"/queue?page=");
	tes_html_u64(h, p->q->page);
	tes_html_raw(h, "\" id=\"select-none\">Clear the selection</a></p><div class=\"box\">"
			"<p>Decide the selected reports (at most ");
	tes_html_u64(h, TES_WEB_BULK_MAX);
	tes_html_raw(h, " at once), each recorded on its own:</p>"
			"<button type=\"submit\" name=\"verdict\" value=\"approve\" id=\"bulk-approve\">"
			"Approve selected</button>");
	reason_options(h, "bulk-reason");
	tes_html_raw(h,
		     "<label>Details (for other) <input name=\"other\" id=\"bulk-other\" maxlength=\"100\">"
		     "</label><button type=\"submit\" name=\"verdict\" value=\"reject\" id=\"bulk-reject\">"
		     "Reject selected</button></div>");
}

/* see pages.h */
void
tes_pages_queue(const struct tes_pages *p)
{
	size_t i = tes_db_report_count(p->db), seen = 0, shown = 0,
	       skip = (size_t)p->q->page * TES_PAGES_QUEUE;
	struct tes_db_report d;
	int more = 0;

	tes_html_init(p->h);
	page_start(p, "Pending reports");
	tes_html_raw(p->h, "<p>");
	tes_html_u64(p->h, tes_db_pending_count(p->db));
	tes_html_raw(p->h, " pending, newest first.</p><form method=\"post\" action=\"/bulk\" id=\"bulk\">");
	csrf_field(p);
	tes_html_raw(p->h, "<table><tr><th>Select</th><th>No.</th><th>Plate</th><th>Speed</th>"
			   "<th>Limit</th><th>Observed (UTC)</th><th>Location</th><th>Unit</th>"
			   "<th>Signature</th><th>Points</th><th>How</th><th></th></tr>");
	/* newest first: walk the violation numbers down */
	while (i-- > 0) {
		if (!tes_db_report_is_pending(p->db, i) || tes_db_report_at(p->db, i, &d) != 0)
			continue;
		if (seen++ < skip)
			continue;
		if (seen > skip + TES_PAGES_QUEUE) {
			more = 1;
			break;
		}
		queue_row(p, &d);
		shown++;
	}
	tes_html_raw(p->h, "</table>");
	if (shown != 0)
		bulk_controls(p);
	tes_html_raw(p->h, "</form>");
	page_links(p, "/queue", p->q->page, more);
	page_end(p);
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

/* see pages.h */
const char *
tes_pages_reason_label(uint8_t reason)
{
	return reason <= TES_REASON_MAX ? reason_labels[reason] : "";
}

/* The rejection reason list (a select named reason with the given id). */
static void
reason_options(struct tes_html *h, const char *id)
{
	size_t i;

	tes_html_raw(h, "<label>Reason <select name=\"reason\" id=\"");
	tes_html_str(h, id);
	tes_html_raw(h, "\">");
	for (i = 1; i <= TES_REASON_MAX; i++) {
		tes_html_raw(h, "<option value=\"");
		tes_html_str(h, reason_values[i]);
		tes_html_raw(h, "\">");
		tes_html_str(h, reason_labels[i]);
		tes_html_raw(h, "</option>");
	}
	tes_html_raw(h, "</select></label>");
}

static void
decide_forms(const struct tes_pages *p, const char *hex)
{
	struct tes_html *h = p->h;

	tes_html_raw(h, "<form class=\"box\" method=\"post\" action=\"/decide\">");
	csrf_field(p);
	tes_html_raw(h, "<input type=\"hidden\" name=\"id\" value=\"");
	tes_html_str(h, hex);
	tes_html_raw(h, "\"><input type=\"hidden\" name=\"verdict\" value=\"approve\">"
			"<button type=\"submit\" id=\"approve\">Approve</button> "
			"<button type=\"submit\" name=\"next\" value=\"1\" id=\"approve-next\">"
			"Approve and open the next pending</button></form>"
			"<form class=\"box\" method=\"post\" action=\"/decide\">");
	csrf_field(p);
	tes_html_raw(h, "<input type=\"hidden\" name=\"id\" value=\"");
	tes_html_str(h, hex);
	tes_html_raw(h, "\"><input type=\"hidden\" name=\"verdict\" value=\"reject\">");
	reason_options(h, "reason");
	tes_html_raw(
		h, "<label>Details (for other) <input name=\"other\" id=\"other\" maxlength=\"100\"></label>"
		   "<button type=\"submit\" id=\"reject\">Reject</button> "
		   "<button type=\"submit\" name=\"next\" value=\"1\" id=\"reject-next\">"
		   "Reject and open the next pending</button></form>");
}

/* see pages.h */
int
tes_pages_next_pending(const struct tes_db *db, uint64_t number, uint8_t id[static TES_REPORT_ID_LEN])
{
	size_t n = tes_db_report_count(db), k, i;
	struct tes_db_report d;

	/*= spec/HTTP.md#next MUST-W12: the oldest pending after the decided one, then from the oldest */
	for (k = 0; k < n; k++) {
		i = (size_t)((number + k) % n); /* index number is violation number + 1 */
		if (tes_db_report_is_pending(db, i) && tes_db_report_at(db, i, &d) == 0) {
			memcpy(id, d.r.id, TES_REPORT_ID_LEN);
			return 0;
		}
	}
	return TES_ERR_NOTFOUND;
}

/* A decided report's way on: the next pending one, or the list when none is left. */
static void
next_link(const struct tes_pages *p, uint64_t number)
{
	uint8_t id[TES_REPORT_ID_LEN];
	char hex[2 * TES_REPORT_ID_LEN + 1];

	if (tes_pages_next_pending(p->db, number, id) != 0) {
		tes_html_raw(p->h,
			     "<p><a href=\"/queue\" id=\"next-pending\">No report is pending: back to the "
			     "list</a></p>");
		return;
	}
	id_hex(id, hex);
	tes_html_raw(p->h, "<p><a href=\"/report?id=");
	tes_html_str(p->h, hex);
	tes_html_raw(p->h, "\" id=\"next-pending\">Next pending report &rarr;</a></p>");
}

static void
report_table(const struct tes_pages *p, const struct tes_db_report *d, const char *hex)
{
	struct tes_html *h = p->h;
	static const char *const st[] = { "pending", "approved", "rejected" };
	char b64[400];
	struct sigcheck c;
	uint32_t pts;
	int over = 0;

	sig_check(p->db, d, &c);
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
	if (d->status != TES_STATUS_REJECTED) {
		char why[160];

		why_text(p, d, why, sizeof why);
		field(h, "How", why);
		field_u64(h, "Policy version", d->policy_version);
	}
	tes_html_raw(h, "<tr><th>Plate's points now</th>");
	pts = tes_db_driver_points(p->db, d->r.plate, p->now, &over);
	cell_plate_points(p, d->r.plate, pts, over);
	tes_html_raw(h, "</tr>");
	field(h, "Status", st[d->status <= 2 ? d->status : 0]);
	if (d->status != TES_STATUS_PENDING) {
		field(h, "Decided by", d->officer);
		field(h, "Reason", d->reason);
		field_time(h, "Decided (UTC)", d->decided_at);
	}
	tes_html_raw(h, "</table>");
}

/* see pages.h */
void
tes_pages_report(const struct tes_pages *p)
{
	char hex[2 * TES_REPORT_ID_LEN + 1];
	struct tes_db_report d;

	if (!p->q->has_id || tes_db_report_get(p->db, p->q->id, &d) != 0) {
		tes_pages_simple(p, 404, "Not found", "No such report.");
		return;
	}
	id_hex(d.r.id, hex);
	tes_html_init(p->h);
	page_start(p, "Report");
	report_table(p, &d, hex);
	if (d.status == TES_STATUS_PENDING)
		decide_forms(p, hex);
	else {
		message(p, "This report is decided; it cannot be decided again.");
		next_link(p, d.number);
	}
	page_end(p);
}

/* Driver records */

struct search {
	const struct tes_pages *p;
	const char *prefix;
	size_t plen, shown;
};

static int
search_row(void *ctx, const char *plate, uint32_t points, int over)
{
	struct search *s = ctx;
	struct tes_html *h = s->p->h;

	if (strncmp(plate, s->prefix, s->plen) != 0)
		return 0;
	if (s->shown++ >= TES_PAGES_RECORDS)
		return 1;
	tes_html_raw(h, "<tr><td><a href=\"/records?plate=");
	tes_html_str(h, plate);
	tes_html_raw(h, "&amp;match=exact\">");
	tes_html_str(h, plate);
	tes_html_raw(h, "</a></td>");
	cell_plate_points(s->p, plate, points, over);
	tes_html_raw(h, "</tr>");
	return 0;
}

struct hist {
	const struct tes_pages *p;
};

static int
history_row(void *ctx, const struct tes_db_report *d)
{
	const struct tes_pages *p = ((struct hist *)ctx)->p;
	struct tes_html *h = p->h;

	if (d->status != TES_STATUS_APPROVED)
		return 0;
	tes_html_raw(h, "<tr>");
	cell_u64(h, d->number);
	cell_time(h, d->r.time);
	cell_u64(h, d->r.speed);
	cell_opt_u64(h, d->r.limit);
	cell_str(h, d->r.loc_len != 0 ? d->r.loc : "-");
	cell_u64(h, d->points);
	/*= spec/POLICY.md#window MUST-PO12: whether each violation's points still count */
	cell_str(h, d->points == 0 ? "-" : tes_db_driver_counts(p->db, d->r.time, p->now) ? "yes" : "no");
	cell_u64(h, d->policy_version);
	cell_str(h, d->officer);
	tes_html_raw(h, "</tr>");
	return 0;
}

static int
import_row(void *ctx, uint64_t t, uint32_t points)
{
	const struct tes_pages *p = ((struct hist *)ctx)->p;
	struct tes_html *h = p->h;

	tes_html_raw(h, "<tr><td>imported</td>");
	cell_time(h, t);
	tes_html_raw(h, "<td>-</td><td>-</td><td>original system</td>");
	cell_u64(h, points);
	cell_str(h, tes_db_driver_counts(p->db, t, p->now) ? "yes" : "no");
	tes_html_raw(h, "<td>-</td><td>import</td></tr>");
	return 0;
}

/* The plate's approved reports: only those the store's plate index names are read. */
static void
history(const struct tes_pages *p, const char *plate)
{
	struct tes_html *h = p->h;
	struct hist x = { .p = p };
	int r;

	tes_html_raw(h,
		     "<h2>Approved violations</h2><table id=\"history\"><tr><th>No.</th><th>Observed "
		     "(UTC)</th><th>Speed</th><th>Limit</th><th>Location</th><th>Points</th><th>Counts</th>"
		     "<th>Policy</th><th>Decided by</th></tr>");
	r = p->plate_reports(p->owner, plate, history_row, &x);
	(void)tes_db_imports_foreach(p->db, plate, import_row, &x);
	tes_html_raw(h, "</table>");
	if (r != 0)
		message(p, "The journal could not be read completely: run verify.");
}

static void
search_form(const struct tes_pages *p)
{
	tes_html_raw(p->h, "<form class=\"box\" method=\"get\" action=\"/records\"><label>Plate "
			   "<input name=\"plate\" id=\"plate\" maxlength=\"32\" value=\"");
	tes_html_esc(p->h, p->q->q, p->q->q_len);
	tes_html_raw(p->h, "\"></label><label><input type=\"radio\" name=\"match\" value=\"exact\"");
	tes_html_raw(p->h, p->q->prefix ? ">" : " checked>");
	tes_html_raw(p->h, " exact</label><label><input type=\"radio\" name=\"match\" value=\"prefix\"");
	tes_html_raw(p->h, p->q->prefix ? " checked>" : ">");
	tes_html_raw(p->h, " prefix</label><button type=\"submit\">Search</button></form>");
}

/* see pages.h */
void
tes_pages_records(const struct tes_pages *p)
{
	char plate[TES_PLATE_MAX + 1] = "";
	struct search s = { .p = p, .prefix = plate };
	uint32_t pts;
	uint8_t n = 0;
	int over = 0;

	tes_html_init(p->h);
	page_start(p, "Driver records");
	search_form(p);
	/* spec/EXPORT.md#dashboard: every report as CSV, streamed by the dashboard */
	tes_html_raw(p->h, "<p><a href=\"/export.csv\" download>Export CSV</a> (every report)</p>");
	if (p->q->q_len != 0 && tes_field_plate_normalize(p->q->q, p->q->q_len, plate, &n) != 0) {
		tes_html_raw(p->h, "<p class=\"msg\">Not a plate: ");
		tes_html_esc(p->h, p->q->q, p->q->q_len);
		tes_html_raw(p->h, "</p>");
		page_end(p);
		return;
	}
	if (n != 0 && !p->q->prefix) {
		tes_html_raw(p->h, "<table><tr><th>Plate</th><th>Points</th></tr><tr>");
		cell_str(p->h, plate);
		pts = tes_db_driver_points(p->db, plate, p->now, &over);
		cell_plate_points(p, plate, pts, over);
		tes_html_raw(p->h, "</tr></table>");
		history(p, plate);
	} else {
		s.plen = n;
		tes_html_raw(p->h, "<table><tr><th>Plate</th><th>Points</th></tr>");
		(void)tes_db_drivers_foreach(p->db, p->now, search_row, &s);
		tes_html_raw(p->h, "</table>");
		if (s.shown == 0)
			message(p, "No driver with points matches.");
	}
	page_end(p);
}

/* Audit log */

static const char *
event_kind(const struct tes_db_event *e)
{
	static const char *const kinds[TES_AUDIT_MAX + 1] = {
		"?",          "login ok",      "logins refused", "unit added",       "user added", "approved",
		"rejected",   "unit refused",  "server start",   "server stop",      "verify",     "recover",
		"policy set", "user disabled", "import",         "password changed",
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

/* The chain check: running, or its last result; then its button. */
static void
check_state(const struct tes_pages *p, const struct tes_pages_check *vc)
{
	char when[32];

	if (vc->running) {
		tes_time_format((uint64_t)vc->started, when);
		tes_html_raw(p->h, "<p class=\"msg\" id=\"verify\">Chain check running since ");
		tes_html_str(p->h, when);
		tes_html_raw(p->h, " UTC (it reads the whole journal; reload for its result).</p>");
	} else if (vc->done) {
		tes_html_raw(p->h, vc->r == 0 ? "<p class=\"msg ok\" id=\"verify\">"
					      : "<p class=\"msg bad\" id=\"verify\">");
		tes_html_str(p->h, vc->msg);
		tes_html_raw(p->h, "</p>");
	}
	tes_html_raw(p->h, "<form method=\"post\" action=\"/verify\">");
	csrf_field(p);
	tes_html_raw(p->h, "<button type=\"submit\" id=\"verify-chain\">Verify chain</button></form>");
}

/* see pages.h */
void
tes_pages_audit(const struct tes_pages *p, const struct tes_pages_check *vc)
{
	size_t total = tes_db_event_count(p->db), skip = (size_t)p->q->page * TES_PAGES_AUDIT, lo, hi, k;
	struct tes_db_event e;
	int bad = 0;

	tes_html_init(p->h);
	page_start(p, "Audit log");
	check_state(p, vc);
	/* newest first: the window [total - skip - page, total - skip) in journal order, read back one by one */
	hi = total > skip ? total - skip : 0;
	lo = hi > TES_PAGES_AUDIT ? hi - TES_PAGES_AUDIT : 0;
	tes_html_raw(p->h, "<table><tr><th>Record</th><th>When (UTC)</th><th>What</th><th>Who</th>"
			   "<th>Details</th></tr>");
	for (k = hi; k-- > lo;) {
		if (tes_db_event_at(p->db, k, &e) == 0)
			event_row(p->h, &e);
		else
			bad = 1;
	}
	tes_html_raw(p->h, "</table>");
	if (bad)
		message(p, "The journal could not be read completely: run verify.");
	page_links(p, "/audit", p->q->page, lo > 0);
	page_end(p);
}

/* Bulk decisions and the password */

/* see pages.h */
void
tes_pages_bulk(const struct tes_pages *p, const struct tes_pages_bulk *b)
{
	struct tes_html *h = p->h;
	char hex[2 * TES_REPORT_ID_LEN + 1];
	unsigned i;

	tes_html_init(h);
	page_start(p, "Decisions");
	tes_html_raw(h, "<p class=\"msg\" id=\"bulk-result\">");
	tes_html_u64(h, b->done);
	tes_html_raw(h, b->approve ? " approved" : " rejected");
	if (!b->approve) {
		tes_html_raw(h, " (");
		tes_html_str(h, b->reason);
		tes_html_raw(h, ")");
	}
	tes_html_raw(h, ", ");
	tes_html_u64(h, b->nfail);
	tes_html_raw(h, " not decided.</p>");
	if (b->nfail != 0) {
		tes_html_raw(
			h,
			"<table id=\"bulk-failed\"><tr><th>Report id</th><th>Not decided because</th></tr>");
		for (i = 0; i < b->nfail && i < TES_WEB_BULK_MAX; i++) {
			id_hex(b->fail[i].id, hex);
			tes_html_raw(h, "<tr>");
			cell_str(h, hex);
			cell_str(h, b->fail[i].why);
			tes_html_raw(h, "</tr>");
		}
		tes_html_raw(h, "</table>");
	}
	tes_html_raw(h, "<p><a href=\"/queue\">Back to the pending reports</a></p>");
	page_end(p);
}

/* see pages.h */
void
tes_pages_password(const struct tes_pages *p, uint16_t status, const char *note)
{
	struct tes_html *h = p->h;

	tes_html_init(h);
	p->rs->status = status;
	page_start(p, "Change your password");
	if (note != NULL)
		message(p, note);
	tes_html_raw(h, "<form class=\"box\" method=\"post\" action=\"/password\">");
	csrf_field(p);
	tes_html_raw(h, "<label>Current password <input name=\"password\" id=\"old\" type=\"password\" "
			"autocomplete=\"current-password\" required maxlength=\"128\"></label>"
			"<label>New password (at least ");
	tes_html_u64(h, TES_PWPOLICY_OFFICER_MIN);
	tes_html_raw(h, " characters) <input name=\"new\" id=\"new\" type=\"password\" "
			"autocomplete=\"new-password\" required maxlength=\"128\"></label>"
			"<label>New password again <input name=\"repeat\" id=\"repeat\" type=\"password\" "
			"autocomplete=\"new-password\" required maxlength=\"128\"></label>"
			"<button type=\"submit\" id=\"change\">Change password</button></form>"
			"<p>Changing the password ends every other session of this account.</p>");
	page_end(p);
}

/* see pages.h */
void
tes_pages_css(const struct tes_pages *p)
{
	tes_html_init(p->h);
	tes_html_raw(p->h, css);
	p->rs->ctype = "text/css; charset=utf-8";
}
