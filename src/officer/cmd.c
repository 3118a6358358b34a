/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/keyfile.h"
#include "crypto/rsa.h"
#include "officer/cmd.h"
#include "officer/export.h"
#include "officer/office.h"
#include "officer/pwpolicy.h"
#include "wire/field.h"
#include "wire/policy.h"
#include "wire/rfc3339.h"

static const char *
status_name(uint8_t s)
{
	return s == TES_STATUS_APPROVED ? "APPROVED" : s == TES_STATUS_REJECTED ? "REJECTED" : "PENDING";
}

static void
unit_name(const struct tes_db *db, const uint8_t key[static TES_KEYID_LEN], char name[TES_NAME_MAX + 1])
{
	struct tes_rsa_pub pub;

	if (tes_db_unit_find(db, key, name, &pub) != 0)
		snprintf(name, TES_NAME_MAX + 1, "?");
}

static void
print_row(const struct tes_db *db, const struct tes_db_report *d, FILE *out)
{
	char hex[2 * TES_REPORT_ID_LEN + 1], when[32], unit[TES_NAME_MAX + 1], lim[8] = "-";

	tes_hex_encode(d->r.id, TES_REPORT_ID_LEN, hex);
	tes_time_format(d->r.time, when);
	unit_name(db, d->r.unit_key, unit);
	if (d->r.limit != 0)
		snprintf(lim, sizeof lim, "%u", d->r.limit);
	fprintf(out, "%-6llu %s %-12s %5u %5s  %s  %-12s %6u  %s\n", (unsigned long long)d->number, hex,
		d->r.plate, d->r.speed, lim, when, unit, d->points, d->r.loc_len ? d->r.loc : "-");
}

/* How the policy reached a report's points (spec/POLICY.md#evaluation), on a line of its own. */
static void
print_why(const struct tes_db *db, const struct tes_db_report *d, FILE *out)
{
	struct tes_policy pol;
	const uint8_t *text;
	size_t n;
	uint32_t line;
	char why[160];

	if (d->status == TES_STATUS_REJECTED) {
		fprintf(out, "       policy v%u: rejected, no points\n", d->policy_version);
		return;
	}
	/* the policy the points came from: the current one for a pending report */
	if (tes_db_policy_text(db, d->policy_version, &text, &n) != 0 ||
	    tes_policy_parse(text, n, &pol, &line) != 0)
		return;
	tes_policy_explain(&pol, &d->why, d->points, why, sizeof why);
	fprintf(out, "       policy v%u: %s\n", d->policy_version, why);
}

static int
cmd_pending(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	struct tes_db_report d;
	size_t i, n = tes_db_report_count(db);
	int r;

	(void)argc;
	(void)argv;
	fprintf(out, "%-6s %-32s %-12s %5s %5s  %-20s  %-12s %6s  %s\n", "NUMBER", "REPORT ID", "PLATE",
		"SPEED", "LIMIT", "OBSERVED (UTC)", "UNIT", "POINTS", "LOCATION");
	for (i = 0; i < n; i++) {
		if (!tes_db_report_is_pending(db, i))
			continue;
		if ((r = tes_db_report_at(db, i, &d)) != 0) {
			fprintf(err, "cannot read report %zu: %s\n", i + 1, tes_err_str(r));
			return EX_DATAERR;
		}
		print_row(db, &d, out);
		print_why(db, &d, out);
	}
	fprintf(out, "%zu pending\n", tes_db_pending_count(db));
	return EX_OK;
}

static int
parse_id(const char *s, uint8_t id[static TES_REPORT_ID_LEN], FILE *err)
{
	if (strlen(s) != 2 * TES_REPORT_ID_LEN || tes_hex_decode(s, strlen(s), id, TES_REPORT_ID_LEN) != 0) {
		fprintf(err, "bad report id '%s' (expected 32 hex digits, see 'pending')\n", s);
		return -1;
	}
	return 0;
}

static int
cmd_show(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	uint8_t id[TES_REPORT_ID_LEN], h[32];
	char b64[400], unit[TES_NAME_MAX + 1], when[32], fp[TES_FP_STRLEN];
	struct tes_rsa_pub pub;
	struct tes_db_report d;
	int r;

	if (argc != 2 || parse_id(argv[1], id, err) != 0)
		return EX_USAGE;
	if ((r = tes_db_report_get(db, id, &d)) != 0) {
		fprintf(err, "report %s: %s\n", argv[1], tes_err_str(r));
		return EX_DATAERR;
	}
	print_row(db, &d, out);
	print_why(db, &d, out);
	tes_time_format(d.received, when);
	fprintf(out, "status: %s  received: %s\n", status_name(d.status), when);
	if (d.status != TES_STATUS_PENDING)
		fprintf(out, "decided by %s: %s\n", d.officer, d.reason);
	unit_name(db, d.r.unit_key, unit);
	if (tes_db_unit_find(db, d.r.unit_key, unit, &pub) == 0) {
		tes_rsa_fingerprint(&pub, fp);
		r = tes_digest_report(&d.r, h) == 0 ? tes_rsa_verify(&pub, h, d.sig) : TES_ERR_SIG;
		fprintf(out, "unit %s key %s signature %s\n", unit, fp, r == 0 ? "VALID" : "INVALID");
	}
	tes_b64_encode(d.sig, sizeof d.sig, b64, sizeof b64, 1);
	fprintf(out, "signature: %s\n", b64);
	return EX_OK;
}

/*
 * Who decides: the officer account asked for (it must exist, with the officer role), or, when
 * none is asked for, the system user the request came from (the control socket's peer, or this
 * process), by the name the system gives its uid, never by what the caller's environment says.
 */
static int
decider(const struct tes_db *db, uid_t caller, const char *asked, char name[static TES_NAME_MAX + 1],
	FILE *err)
{
	char hash[TES_JOURNAL_HASH_MAX + 1];
	struct passwd pw, *p = NULL;
	char buf[1024];
	uint8_t role = 0;

	if (asked[0] != '\0') {
		if (tes_field_name_valid(asked, strlen(asked)) != 0 ||
		    tes_db_user_get(db, asked, &role, hash) != 0 || role != TES_ROLE_OFFICER) {
			fprintf(err, "decide: --officer: no officer account of that name (tes-officer "
				     "add-user NAME "
				     "--role officer)\n");
			return EX_DATAERR;
		}
		snprintf(name, TES_NAME_MAX + 1, "%s", asked);
		return EX_OK;
	}
	if (getpwuid_r(caller, &pw, buf, sizeof buf, &p) != 0 || p == NULL ||
	    tes_field_name_valid(p->pw_name, strlen(p->pw_name)) != 0) {
		fprintf(err, "decide: system user %lu has no name a decision can carry; use --officer NAME\n",
			(unsigned long)caller);
		return EX_DATAERR;
	}
	snprintf(name, TES_NAME_MAX + 1, "%s", p->pw_name);
	return EX_OK;
}

static int
cmd_decide(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	char officer[TES_NAME_MAX + 1];
	uint8_t id[TES_REPORT_ID_LEN];
	uint16_t points = 0;
	int approve, r;

	if (argc != 5 || parse_id(argv[1], id, err) != 0)
		return EX_USAGE;
	if (strcmp(argv[2], "approve") != 0 && strcmp(argv[2], "reject") != 0) {
		fprintf(err, "decision must be 'approve' or 'reject'\n");
		return EX_USAGE;
	}
	approve = strcmp(argv[2], "approve") == 0;
	if (!approve && argv[3][0] == '\0') {
		fprintf(err, "decide: a rejection needs its reason (--reason TEXT), as on the dashboard\n");
		return EX_USAGE;
	}
	if ((r = decider(db, caller, argv[4], officer, err)) != EX_OK)
		return r;
	r = tes_db_decide(db, id, approve, argv[3], officer, (uint64_t)time(NULL), &points);
	if (r != 0) {
		fprintf(err, "report %s: %s\n", argv[1], tes_err_str(r));
		if (r == TES_ERR_NOSPACE)
			return EX_IOERR;
		return r == TES_ERR_NOTFOUND || r == TES_ERR_DECIDED ? EX_DATAERR : EX_SOFTWARE;
	}
	if (approve)
		fprintf(out, "%s APPROVED %u points\n", argv[1], points);
	else
		fprintf(out, "%s REJECTED\n", argv[1]);
	return EX_OK;
}

/* Name the unit that holds this key already, if one does (one key, one unit). */
static int
key_holder(const struct tes_db *db, const struct tes_rsa_pub *pub, const char *fp, FILE *err)
{
	char name[TES_NAME_MAX + 1];
	uint8_t id[TES_KEYID_LEN];
	struct tes_rsa_pub held;

	tes_rsa_keyid(pub, id);
	if (tes_db_unit_find(db, id, name, &held) != 0)
		return TES_ERR_NOTFOUND;
	fprintf(err, "add-unit: key %s is already registered as unit %s%s; one key, one unit\n", fp, name,
		tes_db_unit_active(db, id) == TES_ERR_AUTH ? " (revoked)" : "");
	return 0;
}

static int
cmd_add_unit(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	struct tes_rsa_pub pub;
	char fp[TES_FP_STRLEN];
	int r;

	if (argc != 3)
		return EX_USAGE;
	if ((r = tes_field_name_valid(argv[1], strlen(argv[1]))) != 0 ||
	    (r = tes_keyfile_ssh_parse(&pub, argv[2], strlen(argv[2]))) != 0) {
		fprintf(err, "add-unit: %s\n", tes_err_str(r));
		return EX_DATAERR;
	}
	tes_rsa_fingerprint(&pub, fp);
	if ((r = tes_db_unit_add(db, argv[1], &pub)) != 0) {
		if (r != TES_ERR_EXISTS || key_holder(db, &pub, fp, err) != 0)
			fprintf(err, "add-unit %s: %s\n", argv[1], tes_err_str(r));
		return r == TES_ERR_EXISTS ? EX_DATAERR : EX_IOERR;
	}
	fprintf(out, "unit %s registered, key %s\n", argv[1], fp);
	return EX_OK;
}

static int
cmd_revoke_unit(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	int r;

	if (argc != 2)
		return EX_USAGE;
	if ((r = tes_db_unit_revoke(db, argv[1])) != 0) {
		fprintf(err, "revoke-unit %s: %s\n", argv[1],
			r == TES_ERR_EXISTS ? "already revoked" : tes_err_str(r));
		return r == TES_ERR_NOTFOUND || r == TES_ERR_EXISTS ? EX_DATAERR : EX_IOERR;
	}
	fprintf(out, "unit %s revoked: its key is refused from now on; its reports remain as evidence\n",
		argv[1]);
	return EX_OK;
}

static int
cmd_add_user(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	uint8_t role;
	int r;

	if (argc != 4)
		return EX_USAGE;
	role = strcmp(argv[2], "police") == 0    ? TES_ROLE_POLICE
	       : strcmp(argv[2], "officer") == 0 ? TES_ROLE_OFFICER
						 : 0;
	if (role == 0 || tes_field_name_valid(argv[1], strlen(argv[1])) != 0 ||
	    strncmp(argv[3], "$argon2id$", 10) != 0 || strlen(argv[3]) > TES_JOURNAL_HASH_MAX) {
		fprintf(err, "add-user: invalid name, role or hash\n");
		return EX_DATAERR;
	}
	if ((r = tes_db_user_add(db, argv[1], role, argv[3])) != 0) {
		fprintf(err, "add-user %s: %s\n", argv[1], tes_err_str(r));
		return r == TES_ERR_EXISTS ? EX_DATAERR : EX_IOERR;
	}
	fprintf(out, "user %s added (role %s)\n", argv[1], argv[2]);
	return EX_OK;
}

/* passwd NAME HASH FITS: FITS is the strictest role whose password policy the front end found the new
 * password to meet ("officer" meets both); an officer account needs "officer". */
static int
cmd_passwd(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	uint8_t role = 0;
	int r, disabled = 0;

	if (argc != 4)
		return EX_USAGE;
	if (tes_field_name_valid(argv[1], strlen(argv[1])) != 0 || strncmp(argv[2], "$argon2id$", 10) != 0 ||
	    strlen(argv[2]) > TES_JOURNAL_HASH_MAX ||
	    (strcmp(argv[3], "police") != 0 && strcmp(argv[3], "officer") != 0)) {
		fprintf(err, "passwd: invalid name or hash\n");
		return EX_DATAERR;
	}
	r = tes_db_user_info(db, argv[1], &role, &disabled);
	if (r != 0) {
		fprintf(err, "passwd %s: %s\n", argv[1], tes_err_str(r));
		return r == TES_ERR_NOTFOUND ? EX_DATAERR : EX_IOERR;
	}
	if (role == TES_ROLE_OFFICER && strcmp(argv[3], "officer") != 0) {
		fprintf(err,
			"passwd %s: password refused: an officer account needs at least %d characters, "
			"printable ASCII or space only\n",
			argv[1], TES_PWPOLICY_OFFICER_MIN);
		return EX_DATAERR;
	}
	if ((r = tes_db_user_passwd(db, argv[1], argv[2])) != 0) {
		fprintf(err, "passwd %s: %s\n", argv[1], tes_err_str(r));
		return r == TES_ERR_NOTFOUND ? EX_DATAERR : EX_IOERR;
	}
	fprintf(out, "password of user %s changed (role %s)%s\n", argv[1],
		role == TES_ROLE_OFFICER ? "officer" : "police",
		disabled ? "; the account is enabled again" : "");
	/* a password change is audited (the record's who is the account) */
	(void)tes_db_audit(db, TES_AUDIT_PASSWORD_CHANGED, argv[1], "password set by tes-officer passwd",
			   (uint64_t)time(NULL));
	return EX_OK;
}

/* One line per file that a recovery moved out of the store. */
static int
list_quarantined(void *ctx, const char *name, uint64_t size)
{
	fprintf((FILE *)ctx, "quarantine: %s (%llu bytes, moved out of the store by a recovery)\n", name,
		(unsigned long long)size);
	return 0;
}

static int
cmd_verify(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	char msg[256] = "";
	uint64_t n = 0;
	int r;

	(void)argc;
	(void)argv;
	if ((r = tes_db_verify(db, msg, sizeof msg, &n)) != 0) {
		fprintf(err, "verify: FAILED: %s\n", msg);
		return EX_DATAERR;
	}
	fprintf(out, "journal OK: %llu records, hash chain intact; drivers.enc OK\n", (unsigned long long)n);
	/*= spec/STORAGE.md#recovery MUST-RC5: verify names what was moved to quarantine */
	if (tes_db_quarantine_foreach(db, list_quarantined, out) != 0)
		fprintf(err, "verify: cannot list the quarantine directory\n");
	return EX_OK;
}

static int
cmd_compact(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	int r;

	(void)argc;
	(void)argv;
	if ((r = tes_db_compact(db)) != 0) {
		fprintf(err, "compact: %s\n", tes_err_str(r));
		return EX_IOERR;
	}
	fprintf(out, "drivers.enc written\n");
	return EX_OK;
}

/* A time argument of export: "" (none) or decimal seconds, as the front end sends it. */
static int
export_time(const char *s, uint8_t *has, uint64_t *t)
{
	unsigned long long v;
	char *end;

	*has = s[0] != '\0';
	if (!*has)
		return 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= TES_RFC3339_LIMIT)
		return -1;
	*t = v;
	return 0;
}

static int
export_status(const char *s, uint8_t *st)
{
	static const struct {
		const char *word;
		uint8_t st;
	} words[] = {
		{ "all", TES_EXPORT_STATUS_ALL },
		{ "pending", TES_STATUS_PENDING },
		{ "approved", TES_STATUS_APPROVED },
		{ "rejected", TES_STATUS_REJECTED },
	};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].word, s) == 0) {
			*st = words[i].st;
			return 0;
		}
	return -1;
}

static int
export_write(void *ctx, const char *p, size_t n)
{
	FILE *out = ctx;

	return fwrite(p, 1, n, out) == n ? 0 : -1;
}

/* export csv|jsonl all|pending|approved|rejected SINCE UNTIL (seconds, or "" for none) */
static int
cmd_export(struct tes_db *db, int argc, char **argv, FILE *out, FILE *err)
{
	struct tes_export_filter f = { 0 };
	uint64_t rows = 0, bad = 0;
	uint8_t format;
	int r;

	if (argc != 5)
		return EX_USAGE;
	format = strcmp(argv[1], "csv") == 0     ? TES_EXPORT_CSV
		 : strcmp(argv[1], "jsonl") == 0 ? TES_EXPORT_JSONL
						 : 0;
	/*= spec/EXPORT.md#command MUST-EX2: every argument checked again; the bad one named */
	if (format == 0) {
		fprintf(err, "export: --format must be csv or jsonl\n");
		return EX_USAGE;
	}
	if (export_status(argv[2], &f.status) != 0) {
		fprintf(err, "export: --status must be pending, approved, rejected or all\n");
		return EX_USAGE;
	}
	if (export_time(argv[3], &f.has_since, &f.since) != 0 ||
	    export_time(argv[4], &f.has_until, &f.until) != 0) {
		fprintf(err, "export: --since and --until must be times\n");
		return EX_USAGE;
	}
	if (f.has_since && f.has_until && f.since >= f.until) {
		fprintf(err, "export: --since must be before --until\n");
		return EX_USAGE;
	}
	r = tes_export_walk(db, format, &f, export_write, out, &rows, &bad);
	if (r == 0 && fflush(out) != 0)
		r = TES_ERR_IO;
	if (r == TES_ERR_IO) {
		fprintf(err, "export: cannot write the output after %llu rows\n", (unsigned long long)rows);
		return EX_IOERR;
	}
	if (r != 0) {
		fprintf(err, "export: cannot read report %llu: %s (%llu rows written before it)\n",
			(unsigned long long)bad, tes_err_str(r), (unsigned long long)rows);
		return bad != 0 ? EX_DATAERR : EX_SOFTWARE;
	}
	return EX_OK;
}

static const struct {
	const char *name;
	int (*fn)(struct tes_db *, int, char **, FILE *, FILE *);
} cmds[] = {
	{ "pending", cmd_pending },         { "show", cmd_show },         { "add-unit", cmd_add_unit },
	{ "revoke-unit", cmd_revoke_unit }, { "add-user", cmd_add_user }, { "passwd", cmd_passwd },
	{ "verify", cmd_verify },           { "compact", cmd_compact },   { "export", cmd_export },
};

/* see cmd.h */
int
tes_cmd_exec(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	size_t i;
	int r;

	if (argc < 1)
		return EX_USAGE;
	if ((r = tes_office_exec(db, caller, argc, argv, out, err)) >= 0)
		return r;
	/* the one command that needs to know who asks */
	if (strcmp(argv[0], "decide") == 0)
		return cmd_decide(db, caller, argc, argv, out, err);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, argv[0]) == 0)
			return cmds[i].fn(db, argc, argv, out, err);
	fprintf(err, "unknown command '%s'\n", argv[0]);
	return EX_USAGE;
}
