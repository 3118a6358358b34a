/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's pages (spec/HTTP.md#pages): the page frame, the style
 * sheet, the login form, the pending queue, one report with its decision
 * forms, the driver records and the audit log. A page is rendered into the
 * caller's buffer with web/html.h, so every value shown goes through
 * tes_html_esc, from a read-only view of the store; what a request changes
 * (sessions, logins, decisions, the chain check) is the dashboard's
 * (officer/dashboard.h).
 */
#ifndef TES_OFFICER_PAGES_H
#define TES_OFFICER_PAGES_H

#include <stdint.h>
#include <time.h>

#include "store/db.h"
#include "web/html.h"
#include "web/http.h"
#include "web/wsess.h"

enum {
	TES_PAGES_QUEUE = 20,   /* rows per queue page */
	TES_PAGES_AUDIT = 50,   /* rows per audit page */
	TES_PAGES_RECORDS = 200 /* plates listed by one search */
};

/* One page being rendered. */
struct tes_pages {
	struct tes_html *h;           /* the body */
	struct tes_resp *rs;          /* its status, content type */
	const struct tes_db *db;      /* the store, read-only */
	const char *fp;               /* the server key's fingerprint, for the footer */
	const struct tes_wsess *sess; /* the browser's session (its officer, its form token), or NULL */
	const struct tes_web_req *q;  /* the request: page number, search, report id */
	uint64_t now;                 /* the server clock: which points are inside the policy's window */
	/*
	 * The reports of a plate in violation-number order, each given to cb
	 * until it returns non-zero (tes_db_plate_foreach on the dashboard's
	 * store, which may first wait for the plate tags); 0 or the error of a
	 * report that could not be read.
	 */
	int (*plate_reports)(void *owner, const char *plate,
			     int (*cb)(void *ctx, const struct tes_db_report *d), void *ctx);
	void *owner;
};

/* The state of the chain check ("Verify chain") the audit page shows. */
struct tes_pages_check {
	int running; /* started at `started`, no result yet */
	time_t started;
	int done; /* r and msg are the last result */
	int r;
	const char *msg;
};

/* The outcome of a bulk decision (spec/HTTP.md#bulk). */
struct tes_pages_bulk {
	int approve;        /* the verdict */
	const char *reason; /* the stored reason of a rejection */
	unsigned done;      /* decided now */
	unsigned nfail;     /* not decided, listed in fail[] */
	struct {
		uint8_t id[TES_REPORT_ID_LEN];
		const char *why; /* a static sentence */
	} fail[TES_WEB_BULK_MAX];
};

/* A whole page with a title and one message (errors), with the given status. */
void
tes_pages_simple(const struct tes_pages *p, uint16_t status, const char *title, const char *text);

/* The login form (the session's form token in it), with an optional note above. */
void
tes_pages_login(const struct tes_pages *p, uint16_t status, const char *note);

/* The pending reports, newest first, page q->page, in the bulk decision form (q->all: every box ticked). */
void
tes_pages_queue(const struct tes_pages *p);

/* Report q->id with its signature check and, while pending, the decision forms; 404 without one. */
void
tes_pages_report(const struct tes_pages *p);

/* The plate search (q->q, exact or prefix) with its results or one plate's approved violations. */
void
tes_pages_records(const struct tes_pages *p);

/* The audit log, newest first, page q->page, with the chain check's state. */
void
tes_pages_audit(const struct tes_pages *p, const struct tes_pages_check *check);

/* The result of a bulk decision: how many were decided, and each id that was not and why. */
void
tes_pages_bulk(const struct tes_pages *p, const struct tes_pages_bulk *b);

/* The officer's own password change form, with an optional note above. */
void
tes_pages_password(const struct tes_pages *p, uint16_t status, const char *note);

/*
 * The next pending report after violation number `number`: the oldest
 * pending one with a larger number, else the oldest pending one; its id
 * into id. TES_ERR_NOTFOUND when none is pending.
 */
int
tes_pages_next_pending(const struct tes_db *db, uint64_t number, uint8_t id[static TES_REPORT_ID_LEN]);

/* The style sheet (text/css). */
void
tes_pages_css(const struct tes_pages *p);

/* The stored text of a rejection reason (1..TES_REASON_MAX), as the decision form lists it. */
const char *
tes_pages_reason_label(uint8_t reason);

#endif
