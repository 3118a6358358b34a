/* SPDX-License-Identifier: ISC */
/*
 * The officer's day at the command line (tes-officer policy, records,
 * users, units, disable-user): the penalty policy, the points inside its
 * window and a plate's history, and the accounts. Run by tes_cmd_exec, in
 * this process or in the server's master through control.sock, so that a
 * running server sees every change at once.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "crypto/rsa.h"
#include "officer/migrate.h"
#include "officer/office.h"
#include "wire/field.h"

/* The caller's system user name for the audit log, or "" (the server itself) when it has none. */
static void
caller_name(uid_t caller, char name[static TES_NAME_MAX + 1])
{
	struct passwd pw, *p = NULL;
	char buf[1024];

	name[0] = '\0';
	if (getpwuid_r(caller, &pw, buf, sizeof buf, &p) == 0 && p != NULL &&
	    tes_field_name_valid(p->pw_name, strlen(p->pw_name)) == 0)
		snprintf(name, TES_NAME_MAX + 1, "%s", p->pw_name);
}

static uint64_t
now_s(void)
{
	return (uint64_t)time(NULL);
}

/* Policy */

/* policy-show: the current policy's text, after a comment that names it (the output is a policy file). */
static int
policy_show(struct tes_db *db, FILE *out, FILE *err)
{
	uint8_t hash[TES_SHA256_LEN];
	char hex[2 * TES_SHA256_LEN + 1];
	const uint8_t *text;
	size_t n;
	uint32_t v = tes_db_policy(db, NULL, hash);

	if (tes_db_policy_text(db, v, &text, &n) != 0) {
		fprintf(err, "policy: no text for version %u\n", v);
		return EX_SOFTWARE;
	}
	tes_hex_encode(hash, sizeof hash, hex);
	fprintf(out, "# policy version %u%s, sha256 %s\n", v, v == 0 ? " (built in)" : "", hex);
	fwrite(text, 1, n, out);
	if (n > 0 && text[n - 1] != '\n')
		fputc('\n', out);
	return EX_OK;
}

/* policy-set FILE TEXT: TEXT is FILE's content, read by the front end. */
static int
policy_set(struct tes_db *db, uid_t caller, const char *file, const char *text, size_t n, FILE *out,
	   FILE *err)
{
	char who[TES_NAME_MAX + 1], note[TES_JOURNAL_TEXT_MAX + 1], hex[2 * TES_SHA256_LEN + 1];
	uint8_t hash[TES_SHA256_LEN];
	struct tes_policy pol;
	const char *why = NULL;
	uint32_t line = 0, v = 0;
	int r;

	/*= spec/POLICY.md#versions MUST-PO9: a file that does not parse changes nothing, and says where */
	if ((r = tes_policy_parse_why((const uint8_t *)text, n, &pol, &line, &why)) != 0) {
		if (line != 0)
			fprintf(err, "%s:%u: %s\n", file, line, why != NULL ? why : tes_err_str(r));
		else
			fprintf(err, "%s: %s\n", file, why != NULL ? why : tes_err_str(r));
		return EX_DATAERR;
	}
	r = tes_db_policy_set(db, (const uint8_t *)text, n, &line, &v);
	if (r == TES_ERR_EXISTS) {
		fprintf(out, "%s is the current policy already (version %u): nothing changed\n", file,
			tes_db_policy(db, NULL, NULL));
		return EX_OK;
	}
	if (r != 0) {
		fprintf(err, "policy set %s: %s\n", file, tes_err_str(r));
		return r == TES_ERR_NOSPACE || r == TES_ERR_IO ? EX_IOERR : EX_SOFTWARE;
	}
	(void)tes_db_policy(db, NULL, hash);
	tes_hex_encode(hash, sizeof hash, hex);
	caller_name(caller, who);
	snprintf(note, sizeof note, "policy version %u sha256 %.16s", v, hex);
	/*= spec/POLICY.md#versions MUST-PO9: every change is in the journal with its text, and audited */
	if ((r = tes_db_audit(db, TES_AUDIT_POLICY_SET, who, note, now_s())) != 0)
		fprintf(err, "policy set: audit record not written: %s\n", tes_err_str(r));
	fprintf(out, "policy version %u set from %s (sha256 %s)\n", v, file, hex);
	return r == 0 ? EX_OK : EX_IOERR;
}

static int
cmd_policy(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	if (argc == 2 && strcmp(argv[1], "show") == 0)
		return policy_show(db, out, err);
	if (argc == 4 && strcmp(argv[1], "set") == 0)
		return policy_set(db, caller, argv[2], argv[3], strlen(argv[3]), out, err);
	fprintf(err, "usage: policy show | policy set FILE\n");
	return EX_USAGE;
}

/* Records */

struct rec_walk {
	FILE *out;
	int over_only;
	size_t n;
};

static int
print_driver(void *ctx, const char *plate, uint32_t points, int over)
{
	struct rec_walk *w = ctx;

	if (w->over_only && !over)
		return 0;
	fprintf(w->out, "%-12s %6u\n", plate, points);
	w->n++;
	return 0;
}

/* One line of a plate's history. */
struct hist {
	const struct tes_db *db;
	FILE *out;
	uint64_t now;
	size_t n;
	int failed;
};

static int
print_history(void *ctx, const struct tes_db_report *d)
{
	struct hist *h = ctx;
	char id[2 * TES_REPORT_ID_LEN + 1], when[32];
	const char *st = d->status == TES_STATUS_APPROVED   ? "APPROVED"
			 : d->status == TES_STATUS_REJECTED ? "REJECTED"
							    : "PENDING";
	const char *counts = "-";

	tes_hex_encode(d->r.id, TES_REPORT_ID_LEN, id);
	tes_time_format(d->r.time, when);
	/*= spec/POLICY.md#window MUST-PO12: whether each approval still counts */
	if (d->status == TES_STATUS_APPROVED && d->points > 0)
		counts = tes_db_driver_counts(h->db, d->r.time, h->now) ? "yes" : "no";
	fprintf(h->out, "%-6llu %s  %s %5u %5u  %-8s %6u  %-6s %u\n", (unsigned long long)d->number, id, when,
		d->r.speed, d->r.limit, st, d->status == TES_STATUS_REJECTED ? 0 : d->points, counts,
		d->policy_version);
	h->n++;
	return 0;
}

static int
print_import(void *ctx, uint64_t t, uint32_t points)
{
	struct hist *h = ctx;
	char when[32];

	tes_time_format(t, when);
	fprintf(h->out, "%-6s %-32s  %s %5s %5s  %-8s %6u  %-6s %s\n", "-", "(imported)", when, "-", "-",
		"IMPORTED", points, tes_db_driver_counts(h->db, t, h->now) ? "yes" : "no", "-");
	h->n++;
	return 0;
}

static int
records_history(struct tes_db *db, const char *plate, FILE *out, FILE *err)
{
	struct hist h = { .db = db, .out = out, .now = now_s() };
	struct tes_policy pol;
	int over = 0, r;
	uint32_t pts;

	fprintf(out, "%-6s %-32s  %-20s %5s %5s  %-8s %6s  %-6s %s\n", "NUMBER", "REPORT ID",
		"OBSERVED (UTC)", "SPEED", "LIMIT", "STATUS", "POINTS", "COUNTS", "POLICY");
	if ((r = tes_db_plate_foreach(db, plate, print_history, &h)) != 0) {
		fprintf(err, "history of %s: a report does not read back: %s\n", plate, tes_err_str(r));
		return EX_DATAERR;
	}
	(void)tes_db_imports_foreach(db, plate, print_import, &h);
	(void)tes_db_policy(db, &pol, NULL);
	pts = tes_db_driver_points(db, plate, h.now, &over);
	if (pol.window_days != 0)
		fprintf(out, "%s: %u points inside the last %u days (%u in all)", plate, pts, pol.window_days,
			tes_db_driver_total(db, plate));
	else
		fprintf(out, "%s: %u points", plate, pts);
	if (pol.threshold != 0)
		fprintf(out, "; threshold %u %s", pol.threshold, over ? "REACHED" : "not reached");
	fprintf(out, "\n");
	return EX_OK;
}

/* records [all | over | plate P | history P] */
static int
cmd_records(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	struct rec_walk w = { .out = out };
	struct tes_policy pol;
	int over = 0;
	uint32_t pts;

	(void)caller;
	if (argc == 3 && (strcmp(argv[1], "plate") == 0 || strcmp(argv[1], "history") == 0)) {
		if (tes_field_plate_valid(argv[2], strlen(argv[2])) != 0) {
			fprintf(err, "%s\n", tes_err_str(TES_ERR_PLATE));
			return EX_DATAERR;
		}
		if (strcmp(argv[1], "history") == 0)
			return records_history(db, argv[2], out, err);
		pts = tes_db_driver_points(db, argv[2], now_s(), &over);
		fprintf(out, "%-12s %6s\n", "PLATE", "POINTS");
		fprintf(out, "%-12s %6u\n", argv[2], pts);
		if (over)
			fprintf(out, "threshold reached\n");
		return EX_OK;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "all") != 0 && strcmp(argv[1], "over") != 0)) {
		fprintf(err, "usage: records [all | over | plate P | history P]\n");
		return EX_USAGE;
	}
	w.over_only = argc == 2 && strcmp(argv[1], "over") == 0;
	(void)tes_db_policy(db, &pol, NULL);
	if (w.over_only && pol.threshold == 0)
		fprintf(err, "note: the current policy sets no threshold: no plate is over it\n");
	/*= spec/POLICY.md#window MUST-PO11: PLATE POINTS, the points inside the window */
	fprintf(out, "%-12s %6s\n", "PLATE", "POINTS");
	return tes_db_drivers_foreach(db, now_s(), print_driver, &w) == 0 ? EX_OK : EX_SOFTWARE;
}

/* Accounts */

/* The newest successful login of each account, from the audit log (read back newest first). */
struct last {
	const struct tes_db *db;
	char (*names)[TES_NAME_MAX + 1];
	uint64_t *when;
	size_t n, found;
	int units; /* match "unit NAME:" in a police login's text, not its user */
};

static void
last_logins(struct last *l)
{
	struct tes_db_event e;
	char key[TES_NAME_MAX + 8];
	size_t k = tes_db_event_count(l->db), i;

	while (k > 0 && l->found < l->n) {
		k--;
		if (tes_db_event_at(l->db, k, &e) != 0 || e.type != TES_JREC_AUDIT ||
		    e.kind != TES_AUDIT_LOGIN_OK)
			continue;
		for (i = 0; i < l->n; i++) {
			if (l->when[i] != 0)
				continue;
			snprintf(key, sizeof key, " unit %s:", l->names[i]);
			if ((l->units && strstr(e.text, key) != NULL) ||
			    (!l->units && strcmp(e.who, l->names[i]) == 0)) {
				l->when[i] = e.time;
				l->found++;
			}
		}
	}
}

struct acc {
	struct last l;
	uint8_t *role;
	uint8_t *state;
	struct tes_rsa_pub *pub;
	size_t cap;
};

static void
acc_grow(struct acc *a)
{
	if (a->l.n < a->cap)
		return;
	a->cap = a->cap == 0 ? 16 : 2 * a->cap;
	if ((a->l.names = realloc(a->l.names, a->cap * sizeof(*a->l.names))) == NULL ||
	    (a->l.when = realloc(a->l.when, a->cap * sizeof(*a->l.when))) == NULL ||
	    (a->role = realloc(a->role, a->cap)) == NULL || (a->state = realloc(a->state, a->cap)) == NULL ||
	    (a->pub = realloc(a->pub, a->cap * sizeof(*a->pub))) == NULL)
		abort();
}

static void
acc_free(struct acc *a)
{
	free(a->l.names);
	free(a->l.when);
	free(a->role);
	free(a->state);
	free(a->pub);
}

static int
take_user(void *ctx, const char *name, uint8_t role, int disabled)
{
	struct acc *a = ctx;

	acc_grow(a);
	snprintf(a->l.names[a->l.n], TES_NAME_MAX + 1, "%s", name);
	a->l.when[a->l.n] = 0;
	a->role[a->l.n] = role;
	a->state[a->l.n] = (uint8_t)disabled;
	a->l.n++;
	return 0;
}

static int
take_unit(void *ctx, const char *name, const struct tes_rsa_pub *pub, int revoked)
{
	struct acc *a = ctx;

	acc_grow(a);
	snprintf(a->l.names[a->l.n], TES_NAME_MAX + 1, "%s", name);
	a->l.when[a->l.n] = 0;
	a->state[a->l.n] = (uint8_t)revoked;
	a->pub[a->l.n] = *pub;
	a->l.n++;
	return 0;
}

static void
last_text(uint64_t t, char out[static 32])
{
	if (t == 0)
		snprintf(out, 32, "never");
	else
		tes_time_format(t, out);
}

/* users: NAME ROLE STATE LAST-LOGIN */
static int
cmd_users(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	struct acc a = { .l = { .db = db } };
	char when[32];
	size_t i;

	(void)caller, (void)argv;
	if (argc != 1) {
		fprintf(err, "usage: users\n");
		return EX_USAGE;
	}
	(void)tes_db_user_foreach(db, take_user, &a);
	last_logins(&a.l);
	fprintf(out, "%-32s %-8s %-9s %s\n", "NAME", "ROLE", "STATE", "LAST LOGIN (UTC)");
	for (i = 0; i < a.l.n; i++) {
		last_text(a.l.when[i], when);
		fprintf(out, "%-32s %-8s %-9s %s\n", a.l.names[i],
			a.role[i] == TES_ROLE_OFFICER ? "officer" : "police",
			a.state[i] ? "disabled" : "active", when);
	}
	acc_free(&a);
	return EX_OK;
}

/* units: NAME STATE LAST-LOGIN FINGERPRINT */
static int
cmd_units(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	struct acc a = { .l = { .db = db, .units = 1 } };
	char when[32], fp[TES_FP_STRLEN];
	size_t i;

	(void)caller, (void)argv;
	if (argc != 1) {
		fprintf(err, "usage: units\n");
		return EX_USAGE;
	}
	(void)tes_db_unit_foreach(db, take_unit, &a);
	last_logins(&a.l);
	fprintf(out, "%-32s %-8s %-20s %s\n", "NAME", "STATE", "LAST LOGIN (UTC)", "KEY FINGERPRINT");
	for (i = 0; i < a.l.n; i++) {
		last_text(a.l.when[i], when);
		tes_rsa_fingerprint(&a.pub[i], fp);
		fprintf(out, "%-32s %-8s %-20s %s\n", a.l.names[i], a.state[i] ? "revoked" : "active", when,
			fp);
	}
	acc_free(&a);
	return EX_OK;
}

/* disable-user NAME */
static int
cmd_disable_user(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	char who[TES_NAME_MAX + 1], note[TES_JOURNAL_TEXT_MAX + 1];
	int r;

	if (argc != 2 || tes_field_name_valid(argv[1], strlen(argv[1])) != 0) {
		fprintf(err, "usage: disable-user NAME\n");
		return EX_USAGE;
	}
	r = tes_db_user_disable(db, argv[1]);
	if (r == TES_ERR_EXISTS) {
		fprintf(out, "user %s is disabled already\n", argv[1]);
		return EX_OK;
	}
	if (r != 0) {
		fprintf(err, "disable-user %s: %s\n", argv[1],
			r == TES_ERR_NOTFOUND ? "no such user" : tes_err_str(r));
		return r == TES_ERR_NOTFOUND ? EX_DATAERR : EX_IOERR;
	}
	caller_name(caller, who);
	snprintf(note, sizeof note, "user %s disabled", argv[1]);
	if ((r = tes_db_audit(db, TES_AUDIT_USER_DISABLED, who, note, now_s())) != 0)
		fprintf(err, "disable-user: audit record not written: %s\n", tes_err_str(r));
	fprintf(out, "user %s disabled: it logs in nowhere until tes-officer passwd %s\n", argv[1], argv[1]);
	return r == 0 ? EX_OK : EX_IOERR;
}

static const struct {
	const char *name;
	int (*fn)(struct tes_db *, uid_t, int, char **, FILE *, FILE *);
} cmds[] = {
	{ "policy", cmd_policy }, { "records", cmd_records },           { "users", cmd_users },
	{ "units", cmd_units },   { "disable-user", cmd_disable_user }, { "import-legacy", tes_migrate_exec },
};

/* see office.h */
int
tes_office_exec(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, argv[0]) == 0)
			return cmds[i].fn(db, caller, argc, argv, out, err);
	return -1;
}
