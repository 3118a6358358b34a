/* SPDX-License-Identifier: ISC */
/*
 * tes-officer: the Traffic Officer server and its operator subcommands.
 * Only this file and the police main touch argv, files and the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/file.h"
#include "common/io.h"
#include "common/log.h"
#include "common/wipe.h"
#include "crypto/keyfile.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/ticketkey.h"
#include "officer/cmd.h"
#include "officer/control.h"
#include "officer/demo.h"
#include "officer/pwpolicy.h"
#include "officer/server.h"
#include "officer/spawn.h"
#include "officer/verifier.h"
#include "store/db.h"
#include "store/journal.h"
#include "wire/field.h"
#include "wire/legacy.h"
#include "wire/policy.h"
#include "wire/rfc3339.h"

struct opts {
	const char *dir;
	const char *role;
	const char *password_file;
	const char *reason;
	const char *officer;
	const char *plate;
	int history;
	int over;
	const char *drivers;
	const char *users;
	const char *key;
	const char *format;
	const char *since;
	const char *until;
	const char *status;
	int demo;
	struct tes_serve_opts serve;
};

static const char usage_text[] =
	"usage: tes-officer COMMAND [-d DIR] [options]\n"
	"\n"
	"Traffic Officer server of the Traffic Enforcement System (TES).\n"
	"\n"
	"commands:\n"
	"  init          create a data directory (keys, journal)\n"
	"  serve         run the server (protocol on 127.0.0.1:9999, dashboard on\n"
	"                http://127.0.0.1:5001/)\n"
	"  fingerprint   print the server key fingerprint (SHA256:...)\n"
	"  add-unit NAME KEY.pub          register a police unit's public key\n"
	"  revoke-unit NAME               refuse a unit's key from now on (stolen, retired)\n"
	"  add-user NAME --role police|officer [--password-file F]\n"
	"  passwd NAME [--password-file F]  set a new password for a user\n"
	"  pending       list pending violations with computed points\n"
	"  show ID       one report with its evidence and signature status\n"
	"  decide ID approve|reject [--reason TEXT] [--officer NAME]\n"
	"  records [--plate P [--history]] [--over-threshold]\n"
	"                 points inside the policy's window per plate\n"
	"  policy show | policy set FILE  the penalty policy (spec/POLICY.md)\n"
	"  users         accounts: role, state, last login\n"
	"  units         police units: state, last login, key fingerprint\n"
	"  disable-user NAME              refuse an account's logins until passwd\n"
	"  import-legacy --drivers F [--users F] [--key KEY]\n"
	"                 take in the original system's drivers.enc and users.json\n"
	"  verify        check the journal's hash chain and drivers.enc\n"
	"  recover       move a damaged journal tail or drivers.enc to DIR/quarantine/\n"
	"  compact       write the drivers.enc snapshot now\n"
	"  export --format csv|jsonl [--since T] [--until T] [--status S]\n"
	"                every report as CSV or JSON Lines (spec/EXPORT.md)\n"
	"\n"
	"common options:\n"
	"  -d, --data DIR   data directory (default: $TES_DATA, then ./tes-data)\n"
	"  -h, --help       help for a command: tes-officer COMMAND --help\n"
	"  -V, --version    print the version\n"
	"\n"
	"serve options:\n"
	"  --listen HOST:PORT      protocol address (default 127.0.0.1:9999; port 1-65535)\n"
	"  --http HOST:PORT|off    dashboard address (default 127.0.0.1:5001)\n"
	"  --allow-des             also accept single-DES sessions (weak, off by default)\n"
	"  --idle-timeout SEC      drop a silent client (default 30)\n"
	"  --session-timeout SEC   longest session (default 3600)\n"
	"  --session-cpu SEC       CPU seconds a session child may use (default 60)\n"
	"  --max-sessions N        concurrent sessions (default 512)\n"
	"  --login-grace-time SEC  handshake and login of a session, the time it waits\n"
	"                          for the server's own checks not counted (default 10)\n"
	"  --per-source-max-startups N\n"
	"                          sessions in their handshake per IPv4 address or IPv6 /64\n"
	"                          (default 8)\n"
	"  --max-startups START:RATE:FULL\n"
	"                          sessions in their handshake in all: from START on RATE %\n"
	"                          of new ones are refused, rising to all at FULL\n"
	"                          (default 100:30:200)\n"
	"  --demo                  on first run also enrol a demo unit and users\n"
	"\n"
	"Subcommands work whether or not the server runs: while it runs they are\n"
	"sent to it over DIR/control.sock, so there is only ever one writer.\n"
	"Exit status follows sysexits.h (0 ok, 64 usage, 65 data, 66 no input, ...).\n";

static const struct {
	const char *name;
	const char *usage;
} helps[] = {
	{ "init", "usage: tes-officer init [-d DIR]\nCreate DIR (0700) with a new server key, storage key "
		  "and journal.\n" },
	{ "serve",
	  "usage: tes-officer serve [-d DIR] [--listen HOST:PORT] [--http HOST:PORT|off] [--allow-des]\n"
	  "       [--idle-timeout SEC] [--session-timeout SEC] [--session-cpu SEC] [--max-sessions N]\n"
	  "       [--login-grace-time SEC] [--per-source-max-startups N] [--max-startups S:R:F] [--demo]\n"
	  "       [--rekey-records N] [--rekey-bytes N] [--ticket-lifetime SEC]\n"
	  "Run the server until SIGINT/SIGTERM. The officer dashboard is served on --http\n"
	  "(default http://127.0.0.1:5001/; log in with an officer account).\n" },
	{ "fingerprint",
	  "usage: tes-officer fingerprint [-d DIR]\nPrint the server key fingerprint for --server-key.\n" },
	{ "add-unit", "usage: tes-officer add-unit [-d DIR] NAME KEY.pub\nRegister a police unit key made by "
		      "'tes-police keygen'.\n" },
	{ "revoke-unit", "usage: tes-officer revoke-unit [-d DIR] NAME\nRefuse the unit's key from now on; "
			 "its reports stay as evidence.\n" },
	{ "add-user",
	  "usage: tes-officer add-user [-d DIR] NAME --role police|officer [--password-file FILE]\n"
	  "The password is FILE's one line (LF or CRLF stripped) or asked twice on the terminal.\n"
	  "Officer passwords: 15 to 128 characters of printable ASCII; police: 8 or more, up to\n"
	  "128 bytes of UTF-8; none on the list of common passwords (exit 65 names the rule).\n" },
	{ "passwd", "usage: tes-officer passwd [-d DIR] NAME [--password-file FILE]\n"
		    "Set a new password for an existing user; its role stays. The password is read and\n"
		    "checked as for add-user. Logins with the old password, and resumption tickets\n"
		    "earned with it, are refused from then on.\n" },
	{ "pending", "usage: tes-officer pending [-d DIR]\nList pending violations (newest last) with "
		     "computed points.\n" },
	{ "show",
	  "usage: tes-officer show [-d DIR] ID\nShow one report, its unit key and signature status.\n" },
	{ "decide", "usage: tes-officer decide [-d DIR] ID approve|reject [--reason TEXT] [--officer NAME]\n"
		    "Approve (points computed by the server) or reject a pending report; a rejection\n"
		    "needs --reason. The decision is recorded under --officer, an officer account\n"
		    "(add-user NAME --role officer), or else under the system user who runs this.\n" },
	{ "records",
	  "usage: tes-officer records [-d DIR] [--over-threshold]\n"
	  "       tes-officer records [-d DIR] --plate PLATE [--history]\n"
	  "Points per plate inside the current policy's window (PLATE POINTS); --over-threshold\n"
	  "lists only the plates at or above its threshold; --history lists a plate's reports\n"
	  "and imports with their points, whether each still counts, and the policy that gave them.\n" },
	{ "policy",
	  "usage: tes-officer policy [-d DIR] show\n"
	  "       tes-officer policy [-d DIR] set FILE\n"
	  "Show the current penalty policy, or make FILE (spec/POLICY.md) the policy for the\n"
	  "decisions from now on; a running server uses it at once. Past decisions keep theirs.\n" },
	{ "import-legacy",
	  "usage: tes-officer import-legacy [-d DIR] --drivers OLD/drivers.enc [--users OLD/users.json]\n"
	  "       [--key KEY]\n"
	  "Take in the original system's points (single-DES drivers.enc under KEY, default the\n"
	  "public STOREKEY) and users (added disabled: set each password with passwd). All or\n"
	  "nothing: any plate that cannot be written in TES's alphabet, or two that become one,\n"
	  "and nothing is imported (exit 65, every one listed). The same content twice is\n"
	  "imported once.\n" },
	{ "users", "usage: tes-officer users [-d DIR]\nList the accounts: name, role, state, last login.\n" },
	{ "units", "usage: tes-officer units [-d DIR]\nList the police units: name, state, last login, key "
		   "fingerprint.\n" },
	{ "disable-user",
	  "usage: tes-officer disable-user [-d DIR] NAME\n"
	  "Refuse the account's logins (dashboard and police) until 'tes-officer passwd NAME'\n"
	  "sets a new password; its decisions and reports stay.\n" },
	{ "verify", "usage: tes-officer verify [-d DIR]\nVerify the journal hash chain and drivers.enc; list "
		    "DIR/quarantine/.\nFor a store that does not open, say where it is damaged.\n" },
	{ "recover", "usage: tes-officer recover [-d DIR]\nFor a store that does not open because it is "
		     "damaged: move the "
		     "journal from its\nfirst damaged record on, and a drivers.enc that does not match, to "
		     "DIR/quarantine/,\n"
		     "then open it and record the recovery in the audit log. The server must be stopped.\n" },
	{ "compact", "usage: tes-officer compact [-d DIR]\nWrite the drivers.enc snapshot now.\n" },
	{ "export",
	  "usage: tes-officer export [-d DIR] --format csv|jsonl [--since T] [--until T]\n"
	  "       [--status pending|approved|rejected|all]\n"
	  "Write every report, in violation-number order, to standard output as CSV (RFC 4180)\n"
	  "or JSON Lines, with the columns of spec/EXPORT.md. T is an RFC 3339 time or a date\n"
	  "YYYY-MM-DD (its midnight UTC); the filters apply to the observation time: --since is\n"
	  "inclusive, --until exclusive. --status defaults to all. Works while the server runs.\n" },
};

enum {
	O_LISTEN = 256,
	O_HTTP,
	O_ALLOW_DES,
	O_IDLE,
	O_SESSION,
	O_CPU,
	O_MAX,
	O_GRACE,
	O_PER_SOURCE,
	O_STARTUPS,
	O_REKEY_RECORDS,
	O_REKEY_BYTES,
	O_TICKET_LIFETIME,
	O_DEMO,
	O_ROLE,
	O_PWFILE,
	O_REASON,
	O_OFFICER,
	O_PLATE,
	O_HISTORY,
	O_OVER,
	O_DRIVERS,
	O_USERS,
	O_KEY,
	O_FORMAT,
	O_SINCE,
	O_UNTIL,
	O_STATUS
};

static const struct option longopts[] = {
	{ "data", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "http", required_argument, NULL, O_HTTP },
	{ "allow-des", no_argument, NULL, O_ALLOW_DES },
	{ "idle-timeout", required_argument, NULL, O_IDLE },
	{ "session-timeout", required_argument, NULL, O_SESSION },
	{ "session-cpu", required_argument, NULL, O_CPU },
	{ "max-sessions", required_argument, NULL, O_MAX },
	{ "login-grace-time", required_argument, NULL, O_GRACE },
	{ "per-source-max-startups", required_argument, NULL, O_PER_SOURCE },
	{ "max-startups", required_argument, NULL, O_STARTUPS },
	{ "rekey-records", required_argument, NULL, O_REKEY_RECORDS },
	{ "rekey-bytes", required_argument, NULL, O_REKEY_BYTES },
	{ "ticket-lifetime", required_argument, NULL, O_TICKET_LIFETIME },
	{ "demo", no_argument, NULL, O_DEMO },
	{ "role", required_argument, NULL, O_ROLE },
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "reason", required_argument, NULL, O_REASON },
	{ "officer", required_argument, NULL, O_OFFICER },
	{ "plate", required_argument, NULL, O_PLATE },
	{ "history", no_argument, NULL, O_HISTORY },
	{ "over-threshold", no_argument, NULL, O_OVER },
	{ "drivers", required_argument, NULL, O_DRIVERS },
	{ "users", required_argument, NULL, O_USERS },
	{ "key", required_argument, NULL, O_KEY },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "status", required_argument, NULL, O_STATUS },
	{ NULL, 0, NULL, 0 },
};

static int
usage(const char *cmd, int code)
{
	size_t i;

	for (i = 0; cmd != NULL && i < sizeof helps / sizeof helps[0]; i++)
		if (strcmp(helps[i].name, cmd) == 0) {
			fputs(helps[i].usage, code == EX_OK ? stdout : stderr);
			return code;
		}
	fputs(usage_text, code == EX_OK ? stdout : stderr);
	return code;
}

static int
num_opt(const char *s, unsigned long min, unsigned long max, unsigned *out, const char *name)
{
	unsigned long v;

	if (tes_cli_uint(s, min, max, &v) != 0) {
		fprintf(stderr, "tes-officer: --%s must be a number from %lu to %lu\n", name, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* --max-startups START:RATE:FULL: 1 <= START <= FULL <= 65536, RATE 0 .. 100. */
static int
startups_opt(const char *s, struct tes_children_startups *st)
{
	char buf[32], *rate, *full = NULL;
	unsigned long a, b, c;

	snprintf(buf, sizeof buf, "%s", s);
	if ((rate = strchr(buf, ':')) != NULL) {
		*rate++ = '\0';
		if ((full = strchr(rate, ':')) != NULL)
			*full++ = '\0';
	}
	if (strlen(s) >= sizeof buf || full == NULL || tes_cli_uint(buf, 1, 65536, &a) != 0 ||
	    tes_cli_uint(rate, 0, 100, &b) != 0 || tes_cli_uint(full, a, 65536, &c) != 0) {
		fprintf(stderr, "tes-officer: --max-startups must be START:RATE:FULL with 1 <= START <= "
				"FULL <= 65536 and RATE from 0 to 100\n");
		return -1;
	}
	st->start = (unsigned)a;
	st->rate = (unsigned)b;
	st->full = (unsigned)c;
	return 0;
}

static int
parse_opt(int c, struct opts *o)
{
	switch (c) {
	case 'd':
		o->dir = optarg;
		return 0;
	case O_LISTEN:
		o->serve.listen = optarg;
		return 0;
	case O_HTTP:
		o->serve.http = optarg;
		return 0;
	case O_ALLOW_DES:
		o->serve.allow_des = 1;
		return 0;
	case O_IDLE:
		return num_opt(optarg, 1, 86400, &o->serve.idle_timeout, "idle-timeout");
	case O_SESSION:
		return num_opt(optarg, 1, 604800, &o->serve.session_timeout, "session-timeout");
	case O_CPU:
		return num_opt(optarg, 1, 3600, &o->serve.session_cpu, "session-cpu");
	case O_MAX:
		return num_opt(optarg, 1, 65536, &o->serve.max_sessions, "max-sessions");
	case O_GRACE:
		if (num_opt(optarg, 1, 600, &o->serve.startups.grace_ms, "login-grace-time") != 0)
			return -1;
		o->serve.startups.grace_ms *= 1000;
		return 0;
	case O_PER_SOURCE:
		return num_opt(optarg, 1, 65536, &o->serve.startups.per_source, "per-source-max-startups");
	case O_STARTUPS:
		return startups_opt(optarg, &o->serve.startups);
	/*= spec/PROTOCOL.md#rekey MUST-K1: lower bounds only, never above 65,536 records and 8 MiB */
	case O_REKEY_RECORDS:
		return num_opt(optarg, TES_REKEY_RECORDS_MIN, TES_REKEY_RECORDS, &o->serve.rekey_records,
			       "rekey-records");
	case O_REKEY_BYTES:
		return num_opt(optarg, TES_REKEY_BYTES_MIN, TES_REKEY_BYTES, &o->serve.rekey_bytes,
			       "rekey-bytes");
	case O_TICKET_LIFETIME:
		return num_opt(optarg, 1, TES_TICKET_LIFETIME, &o->serve.ticket_lifetime, "ticket-lifetime");
	case O_DEMO:
		o->demo = 1;
		return 0;
	case O_ROLE:
		o->role = optarg;
		return 0;
	case O_PWFILE:
		o->password_file = optarg;
		return 0;
	case O_REASON:
		o->reason = optarg;
		return 0;
	case O_OFFICER:
		o->officer = optarg;
		return 0;
	case O_PLATE:
		o->plate = optarg;
		return 0;
	case O_HISTORY:
		o->history = 1;
		return 0;
	case O_OVER:
		o->over = 1;
		return 0;
	case O_DRIVERS:
		o->drivers = optarg;
		return 0;
	case O_USERS:
		o->users = optarg;
		return 0;
	case O_KEY:
		o->key = optarg;
		return 0;
	case O_FORMAT:
		o->format = optarg;
		return 0;
	case O_SINCE:
		o->since = optarg;
		return 0;
	case O_UNTIL:
		o->until = optarg;
		return 0;
	case O_STATUS:
		o->status = optarg;
		return 0;
	default:
		return -1;
	}
}

static int
open_error(const char *dir, int r, const struct tes_db_damage *dmg)
{
	if (r == TES_ERR_NOTFOUND) {
		fprintf(stderr,
			"tes-officer: no data directory at %s (create it with 'tes-officer init -d %s')\n",
			dir, dir);
		return EX_NOINPUT;
	}
	if (r == TES_ERR_CORRUPT && dmg != NULL && dmg->text[0] != '\0') {
		/*= spec/STORAGE.md#recovery MUST-RC2: the damage named, the next step said */
		fprintf(stderr,
			"tes-officer: cannot open %s: %s\n"
			"tes-officer: nothing was changed. Keep a copy of %s, then 'tes-officer recover -d "
			"%s' "
			"moves the damaged part to %s/quarantine/ and opens the rest.\n",
			dir, dmg->text, dir, dir, dir);
		return EX_DATAERR;
	}
	fprintf(stderr, "tes-officer: cannot open %s: %s\n", dir, tes_err_str(r));
	return r == TES_ERR_CORRUPT ? EX_DATAERR : r == TES_ERR_LOCKED ? EX_TEMPFAIL : EX_IOERR;
}

/* Run a store command locally, or in the running server when it holds the lock. */
static int
run_store(const char *dir, int argc, char **argv)
{
	struct tes_db_damage dmg;
	struct tes_db *db;
	int r, code;

	r = tes_db_open_diag(dir, &dmg, &db);
	if (r == 0) {
		code = tes_cmd_exec(db, getuid(), argc, argv, stdout, stderr);
		tes_db_close(db);
		return code;
	}
	if (r == TES_ERR_CORRUPT && strcmp(argv[0], "verify") == 0 && dmg.text[0] != '\0')
		fprintf(stderr, "verify: FAILED: %s\n", dmg.text);
	if (r != TES_ERR_LOCKED)
		return open_error(dir, r, &dmg);
	if ((r = tes_control_call(dir, argc, argv, &code)) != 0) {
		fprintf(stderr,
			"tes-officer: %s is in use but its server does not answer on control.sock (%s)\n",
			dir, tes_err_str(r));
		return EX_TEMPFAIL;
	}
	return code;
}

static int
do_init(struct opts *o)
{
	char fp[TES_FP_STRLEN];
	struct tes_rsa_priv k;
	struct tes_ticket_keys tk;
	char path[PATH_MAX];
	int r, dfd = -1, rotated = 0;

	errno = 0;
	if ((r = tes_db_create(o->dir)) != 0) {
		/* the system's reason (permission denied, read-only, not a directory), not "I/O error" */
		fprintf(stderr, "tes-officer: init: cannot create %s: %s\n", o->dir,
			r == TES_ERR_IO && errno != 0 ? strerror(errno) : tes_err_str(r));
		return EX_CANTCREAT;
	}
	/*= spec/STORAGE.md#ticket-key MUST-TK3: made with the store, as serve would make it */
	if (tes_file_dir_open_existing(o->dir, &dfd) != 0 ||
	    (r = tes_ticketkey_ensure(dfd, (uint64_t)time(NULL), &tk, &rotated)) != 0) {
		fprintf(stderr, "tes-officer: init: cannot create %s/ticket.key\n", o->dir);
		if (dfd >= 0)
			close(dfd);
		return EX_CANTCREAT;
	}
	TES_WIPE_CTX(&tk);
	close(dfd);
	snprintf(path, sizeof path, "%s/server.key", o->dir);
	if (tes_keyfile_load_private(&k, path) == 0) {
		tes_rsa_fingerprint(&k.pub, fp);
		printf("created %s; server key %s\n", o->dir, fp);
	}
	TES_WIPE_CTX(&k);
	return EX_OK;
}

static int
do_fingerprint(struct opts *o)
{
	char fp[TES_FP_STRLEN], path[PATH_MAX];
	struct tes_rsa_priv k;
	int r;

	snprintf(path, sizeof path, "%s/server.key", o->dir);
	if ((r = tes_keyfile_load_private(&k, path)) != 0) {
		fprintf(stderr, "tes-officer: cannot read %s: %s\n", path, tes_err_str(r));
		return r == TES_ERR_NOTFOUND ? EX_NOINPUT : EX_DATAERR;
	}
	tes_rsa_fingerprint(&k.pub, fp);
	TES_WIPE_CTX(&k);
	printf("%s\n", fp);
	return EX_OK;
}

/* A unit or user name is checked before it is used or sent: the rule, never the name (it may be
 * 100 KiB long). */
static int
bad_name(const char *what, const char *s)
{
	if (tes_field_name_valid(s, strlen(s)) == 0)
		return 0;
	fprintf(stderr, "tes-officer: %s: %s\n", what, tes_err_str(TES_ERR_NAME));
	return 1;
}

static int
do_add_unit(struct opts *o, int argc, char **argv)
{
	char line[TES_KEYFILE_SSH_LINE_MAX];
	char *req[3];
	struct tes_rsa_pub pub;
	int r;

	if (argc != 2)
		return usage("add-unit", EX_USAGE);
	if (bad_name("unit name", argv[0]))
		return EX_DATAERR;
	if ((r = tes_keyfile_load_public(&pub, argv[1])) != 0) {
		fprintf(stderr, "tes-officer: %s: %s (expected an ssh-rsa line from 'tes-police keygen')\n",
			argv[1], tes_err_str(r));
		return r == TES_ERR_NOTFOUND ? EX_NOINPUT : EX_DATAERR;
	}
	if ((r = tes_keyfile_ssh_line(&pub, argv[0], line, sizeof line)) != 0)
		return EX_SOFTWARE;
	line[strcspn(line, "\n")] = '\0';
	req[0] = "add-unit";
	req[1] = argv[0];
	req[2] = line;
	return run_store(o->dir, 3, req);
}

/* The password of a new account, read and checked against the policy; EX_OK or an exit code. */
static int
new_password(struct opts *o, uint8_t role, char *pw, size_t cap)
{
	const char *why = NULL, *src = o->password_file != NULL ? o->password_file : "from the terminal";
	int r = tes_cli_password(o->password_file, "Password: ", 1, pw, cap, &why);

	if (r == TES_ERR_NOTFOUND && o->password_file == NULL) {
		fprintf(stderr, "tes-officer: no terminal to ask for a password; use --password-file FILE\n");
		return EX_USAGE;
	}
	if (r != 0) {
		fprintf(stderr, "tes-officer: password %s%s: %s\n", o->password_file != NULL ? "file " : "",
			src, why);
		return r == TES_ERR_NOTFOUND || r == TES_ERR_IO ? EX_NOINPUT : EX_DATAERR;
	}
	if (tes_pwpolicy_check(pw, strlen(pw), role, &why) != 0) {
		fprintf(stderr, "tes-officer: password refused: %s\n", why);
		return EX_DATAERR;
	}
	return EX_OK;
}

static int
do_add_user(struct opts *o, int argc, char **argv)
{
	char pw[TES_PASSWORD_MAX + 2], hash[256];
	char *req[4];
	uint8_t role;
	int r;

	if (argc != 1 || o->role == NULL ||
	    (strcmp(o->role, "police") != 0 && strcmp(o->role, "officer") != 0))
		return usage("add-user", EX_USAGE);
	if (bad_name("user name", argv[0]))
		return EX_DATAERR;
	role = strcmp(o->role, "officer") == 0 ? TES_ROLE_OFFICER : TES_ROLE_POLICE;
	if ((r = new_password(o, role, pw, sizeof pw)) != EX_OK) {
		tes_wipe(pw, sizeof pw);
		return r;
	}
	r = tes_passwd_hash(pw, strlen(pw), hash, sizeof hash);
	tes_wipe(pw, sizeof pw);
	if (r != 0)
		return EX_SOFTWARE;
	req[0] = "add-user";
	req[1] = argv[0];
	req[2] = (char *)o->role;
	req[3] = hash;
	return run_store(o->dir, 4, req);
}

static int
do_passwd(struct opts *o, int argc, char **argv)
{
	char pw[TES_PASSWORD_MAX + 2], hash[256];
	const char *why = NULL;
	char *req[4];
	int r;

	if (argc != 1 || o->role != NULL)
		return usage("passwd", EX_USAGE);
	if (bad_name("user name", argv[0]))
		return EX_DATAERR;
	/* the role is the store's: the police rules here, the officer rules checked by the executor */
	if ((r = new_password(o, TES_ROLE_POLICE, pw, sizeof pw)) != EX_OK) {
		tes_wipe(pw, sizeof pw);
		return r;
	}
	req[3] = tes_pwpolicy_check(pw, strlen(pw), TES_ROLE_OFFICER, &why) == 0 ? "officer" : "police";
	r = tes_passwd_hash(pw, strlen(pw), hash, sizeof hash);
	tes_wipe(pw, sizeof pw);
	if (r != 0)
		return EX_SOFTWARE;
	req[0] = "passwd";
	req[1] = argv[0];
	req[2] = hash;
	return run_store(o->dir, 4, req);
}

static int
do_decide(struct opts *o, int argc, char **argv)
{
	char *req[5];

	if (argc != 2)
		return usage("decide", EX_USAGE);
	if (o->officer != NULL && bad_name("--officer", o->officer))
		return EX_DATAERR;
	/* the executor checks the officer account, or takes the system user the request comes from */
	req[0] = "decide";
	req[1] = argv[0];
	req[2] = argv[1];
	req[3] = (char *)(o->reason != NULL ? o->reason : strcmp(argv[1], "approve") == 0 ? "approved" : "");
	req[4] = (char *)(o->officer != NULL ? o->officer : "");
	return run_store(o->dir, 5, req);
}

static int
do_simple(struct opts *o, const char *cmd, int argc, char **argv, int nargs)
{
	char *req[3] = { (char *)cmd, NULL, NULL };

	if (argc != nargs)
		return usage(cmd, EX_USAGE);
	if (nargs == 1)
		req[1] = argv[0];
	return run_store(o->dir, 1 + nargs, req);
}

static int
do_records(struct opts *o, int argc)
{
	char *req[3] = { "records", o->over ? "over" : "all", NULL };
	char plate[TES_PLATE_MAX + 1];
	uint8_t n;

	if (argc != 0 || (o->history && o->plate == NULL) || (o->over && o->plate != NULL))
		return usage("records", EX_USAGE);
	if (o->plate != NULL) {
		if (tes_field_plate_normalize(o->plate, strlen(o->plate), plate, &n) != 0) {
			fprintf(stderr, "tes-officer: %s\n", tes_err_str(TES_ERR_PLATE));
			return EX_DATAERR;
		}
		req[1] = o->history ? "history" : "plate";
		req[2] = plate;
	}
	return run_store(o->dir, o->plate != NULL ? 3 : 2, req);
}

/* policy show | policy set FILE: the file is read here, parsed and stored by the store's owner. */
static int
do_policy(struct opts *o, int argc, char **argv)
{
	char *req[4] = { "policy", NULL, NULL, NULL };
	uint8_t buf[TES_POLICY_TEXT_MAX + 1];
	size_t len = 0;
	int r;

	if (argc == 1 && strcmp(argv[0], "show") == 0) {
		req[1] = "show";
		return run_store(o->dir, 2, req);
	}
	if (argc != 2 || strcmp(argv[0], "set") != 0)
		return usage("policy", EX_USAGE);
	if ((r = tes_file_load(AT_FDCWD, argv[1], TES_FILE_REGULAR, buf, TES_POLICY_TEXT_MAX, &len)) != 0) {
		if (r == TES_ERR_TOOLONG)
			fprintf(stderr, "tes-officer: %s: longer than %d bytes\n", argv[1],
				TES_POLICY_TEXT_MAX);
		else
			fprintf(stderr, "tes-officer: %s: %s\n", argv[1],
				r == TES_ERR_IO && errno != 0 ? strerror(errno) : tes_err_str(r));
		return r == TES_ERR_TOOLONG ? EX_DATAERR : EX_NOINPUT;
	}
	/*= spec/POLICY.md#format MUST-PO1: a NUL byte is not text (it would end the request early) */
	if (memchr(buf, 0, len) != NULL) {
		fprintf(stderr, "tes-officer: %s: a NUL byte at offset %zu\n", argv[1],
			(size_t)((uint8_t *)memchr(buf, 0, len) - buf));
		return EX_DATAERR;
	}
	buf[len] = '\0';
	req[1] = "set";
	req[2] = argv[1];
	req[3] = (char *)buf;
	return run_store(o->dir, 4, req);
}

/* import-legacy: the files are named by absolute path, for a server whose directory is not ours. */
static int
do_import_legacy(struct opts *o, int argc)
{
	char drv[PATH_MAX], usr[PATH_MAX] = "";
	char *req[4] = { "import-legacy", drv, usr, NULL };

	if (argc != 0 || o->drivers == NULL)
		return usage("import-legacy", EX_USAGE);
	if (o->key != NULL && strlen(o->key) != 8) {
		fprintf(stderr,
			"tes-officer: --key must be exactly 8 bytes (a DES key), as the original system's\n");
		return EX_USAGE;
	}
	if (realpath(o->drivers, drv) == NULL) {
		fprintf(stderr, "tes-officer: %s: %s\n", o->drivers, strerror(errno));
		return EX_NOINPUT;
	}
	if (o->users != NULL && realpath(o->users, usr) == NULL) {
		fprintf(stderr, "tes-officer: %s: %s\n", o->users, strerror(errno));
		return EX_NOINPUT;
	}
	req[3] = (char *)(o->key != NULL ? o->key : TES_LEGACY_DEFAULT_KEY);
	return run_store(o->dir, 4, req);
}

/* --since / --until: an RFC 3339 time, or a date YYYY-MM-DD (its midnight UTC), into decimal seconds. */
static int
export_time(const char *opt, const char *s, char out[static 24])
{
	char buf[32];
	const char *why = NULL;
	uint64_t t;

	if (strlen(s) == 10) {
		snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
		s = buf;
	}
	if (tes_rfc3339_parse(s, strlen(s), &t, &why) != 0) {
		fprintf(stderr,
			"tes-officer: export: --%s: %s (expected an RFC 3339 time such as "
			"2026-11-23T10:15:00Z, or a date YYYY-MM-DD)\n",
			opt, why);
		return -1;
	}
	snprintf(out, 24, "%llu", (unsigned long long)t);
	return 0;
}

/* An option given to export that only other commands take: named, exit 64. */
static int
export_foreign(const struct opts *o)
{
	const char *bad = o->role != NULL            ? "role"
			  : o->password_file != NULL ? "password-file"
			  : o->reason != NULL        ? "reason"
			  : o->officer != NULL       ? "officer"
			  : o->plate != NULL         ? "plate"
			  : o->history               ? "history"
			  : o->over                  ? "over-threshold"
			  : o->drivers != NULL       ? "drivers"
			  : o->users != NULL         ? "users"
			  : o->key != NULL           ? "key"
			  : o->demo                  ? "demo"
						     : NULL;

	if (bad != NULL)
		fprintf(stderr, "tes-officer: export does not take --%s\n", bad);
	return bad != NULL;
}

static int
do_export(struct opts *o, int argc)
{
	static const char *const states[] = { "all", "pending", "approved", "rejected" };
	char since[24] = "", until[24] = "";
	char *req[5];
	size_t i;

	/*= spec/EXPORT.md#command MUST-EX2: a bad option is named, exit 64, nothing on stdout */
	if (argc != 0) {
		fprintf(stderr, "tes-officer: export takes no arguments, only options\n");
		return usage("export", EX_USAGE);
	}
	if (export_foreign(o))
		return EX_USAGE;
	if (o->format == NULL || (strcmp(o->format, "csv") != 0 && strcmp(o->format, "jsonl") != 0)) {
		fprintf(stderr, "tes-officer: export: --format must be csv or jsonl\n");
		return EX_USAGE;
	}
	for (i = 0; o->status != NULL && i < sizeof states / sizeof states[0]; i++)
		if (strcmp(o->status, states[i]) == 0)
			break;
	if (i == sizeof states / sizeof states[0]) {
		fprintf(stderr, "tes-officer: export: --status must be pending, approved, rejected or all\n");
		return EX_USAGE;
	}
	if ((o->since != NULL && export_time("since", o->since, since) != 0) ||
	    (o->until != NULL && export_time("until", o->until, until) != 0))
		return EX_USAGE;
	if (o->since != NULL && o->until != NULL && strtoull(since, NULL, 10) >= strtoull(until, NULL, 10)) {
		fprintf(stderr, "tes-officer: export: --since must be before --until\n");
		return EX_USAGE;
	}
	req[0] = "export";
	req[1] = (char *)o->format;
	req[2] = (char *)(o->status != NULL ? o->status : "all");
	req[3] = since;
	req[4] = until;
	return run_store(o->dir, 5, req);
}

/* A --listen or --http that cannot be bound (a port outside 1..65535, a name that does not
 * resolve, no ADDR:PORT at all) is a usage error, told before anything starts. */
static int
check_addr(const char *opt, const char *spec)
{
	struct addrinfo *ai;
	char err[400];

	if (strcmp(opt, "http") == 0 && strcmp(spec, "off") == 0)
		return 0;
	if (tes_addr_resolve(spec, 1, &ai, err, sizeof err) != 0) {
		fprintf(stderr, "tes-officer: --%s: %s\n", opt, err);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

static int
do_serve(struct opts *o)
{
	static struct tes_verifier ver;
	static struct tes_sigcheck sig;
	struct tes_db_damage dmg;
	struct tes_db *db;
	char parser[PATH_MAX], err[PATH_MAX + 128];
	int r, created = 0;

	if (check_addr("listen", o->serve.listen) != 0 || check_addr("http", o->serve.http) != 0)
		return EX_USAGE;
	/* fail now, not at the first connection, when the child image is missing */
	if (tes_spawn_find_parser(parser, sizeof parser, err, sizeof err) != 0) {
		tes_log(TES_LOG_ERROR, "%s", err);
		return EX_OSFILE;
	}
	o->serve.parser_exe = parser;
	o->serve.dir = o->dir;
	if (o->demo && tes_demo_setup(o->dir, o->serve.listen, o->serve.http, &created) != 0)
		return EX_CANTCREAT;
	/* the worker pools are forked before any key is in this process */
	if ((r = tes_verifier_start(&ver)) != 0) {
		tes_log(TES_LOG_ERROR, "cannot start the password verifier: %s", tes_err_str(r));
		return EX_OSERR;
	}
	if ((r = tes_sigcheck_start(&sig)) != 0) {
		tes_log(TES_LOG_ERROR, "cannot start the signature-check workers: %s", tes_err_str(r));
		tes_verifier_stop(&ver);
		return EX_OSERR;
	}
	o->serve.verifier = &ver;
	o->serve.sigcheck = &sig;
	if ((r = tes_db_open_diag(o->dir, &dmg, &db)) != 0) {
		tes_sigcheck_stop(&sig);
		tes_verifier_stop(&ver);
		return open_error(o->dir, r, &dmg);
	}
	r = tes_server_run(db, &o->serve);
	tes_db_close(db);
	tes_sigcheck_stop(&sig);
	tes_verifier_stop(&ver);
	return r;
}

/* The operating-system user who runs a command, for the audit log (NULL if it is no valid name). */
static const char *
os_user(void)
{
	const struct passwd *pw = getpwuid(getuid());

	return pw != NULL && tes_field_name_valid(pw->pw_name, strlen(pw->pw_name)) ? pw->pw_name : NULL;
}

/*
 * tes-officer recover (spec/STORAGE.md#recovery MUST-RC4): only when the
 * operator asks, the damage moves to quarantine/; the recovery is then in
 * the audit log.
 */
static int
do_recover(struct opts *o)
{
	char text[TES_JOURNAL_TEXT_MAX + 1];
	struct tes_db_damage dmg;
	struct tes_db *db;
	int r;

	if ((r = tes_db_recover(o->dir, &dmg, &db)) == TES_ERR_LOCKED) {
		fprintf(stderr, "tes-officer: recover: %s is in use: stop its server first\n", o->dir);
		return EX_TEMPFAIL;
	}
	if (r != 0) {
		if (dmg.done[0] != '\0')
			fprintf(stderr, "tes-officer: recover: moved %s\n", dmg.done);
		return open_error(o->dir, r, &dmg);
	}
	if (dmg.done[0] == '\0') {
		printf("%s opens as it is: nothing to recover\n", o->dir);
		tes_db_close(db);
		return EX_OK;
	}
	printf("found: %s\nmoved: %s\n", dmg.text, dmg.done);
	if (dmg.later != 0)
		printf("warning: the moved journal tail holds %llu later records that verify: they were "
		       "acknowledged; keep the quarantine file as evidence\n",
		       (unsigned long long)dmg.later);
	snprintf(text, sizeof text, "moved %.*s", TES_JOURNAL_TEXT_MAX - 6, dmg.done);
	if ((r = tes_db_audit(db, TES_AUDIT_RECOVER, os_user(), text, (uint64_t)time(NULL))) != 0) {
		fprintf(stderr, "tes-officer: recover: the audit record was not written: %s\n",
			tes_err_str(r));
		tes_db_close(db);
		return EX_IOERR;
	}
	tes_db_close(db);
	return EX_OK;
}

static int
dispatch(const char *cmd, struct opts *o, int argc, char **argv)
{
	if (strcmp(cmd, "init") == 0)
		return argc == 0 ? do_init(o) : usage(cmd, EX_USAGE);
	if (strcmp(cmd, "serve") == 0)
		return argc == 0 ? do_serve(o) : usage(cmd, EX_USAGE);
	if (strcmp(cmd, "fingerprint") == 0)
		return argc == 0 ? do_fingerprint(o) : usage(cmd, EX_USAGE);
	if (strcmp(cmd, "add-unit") == 0)
		return do_add_unit(o, argc, argv);
	if (strcmp(cmd, "add-user") == 0)
		return do_add_user(o, argc, argv);
	if (strcmp(cmd, "passwd") == 0)
		return do_passwd(o, argc, argv);
	if (strcmp(cmd, "decide") == 0)
		return do_decide(o, argc, argv);
	if (strcmp(cmd, "records") == 0)
		return do_records(o, argc);
	if (strcmp(cmd, "policy") == 0)
		return do_policy(o, argc, argv);
	if (strcmp(cmd, "import-legacy") == 0)
		return do_import_legacy(o, argc);
	if (strcmp(cmd, "users") == 0 || strcmp(cmd, "units") == 0)
		return do_simple(o, cmd, argc, argv, 0);
	if (strcmp(cmd, "disable-user") == 0 && argc == 1 && bad_name("user name", argv[0]))
		return EX_DATAERR;
	if (strcmp(cmd, "disable-user") == 0)
		return do_simple(o, cmd, argc, argv, 1);
	if (strcmp(cmd, "export") == 0)
		return do_export(o, argc);
	if (strcmp(cmd, "recover") == 0)
		return argc == 0 ? do_recover(o) : usage(cmd, EX_USAGE);
	if (strcmp(cmd, "pending") == 0 || strcmp(cmd, "verify") == 0 || strcmp(cmd, "compact") == 0)
		return do_simple(o, cmd, argc, argv, 0);
	if (strcmp(cmd, "revoke-unit") == 0 && argc == 1 && bad_name("unit name", argv[0]))
		return EX_DATAERR;
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "revoke-unit") == 0)
		return do_simple(o, cmd, argc, argv, 1);
	fprintf(stderr, "tes-officer: unknown command '%s' (see tes-officer --help)\n", cmd);
	return EX_USAGE;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *cmd;
	int c;

	tes_log_init("tes-officer", 1);
	signal(SIGPIPE, SIG_IGN);
	o.dir = getenv("TES_DATA") != NULL ? getenv("TES_DATA") : "tes-data";
	o.serve = (struct tes_serve_opts){
		.listen = "127.0.0.1:9999",
		.http = "127.0.0.1:5001",
		.idle_timeout = 30,
		.session_timeout = 3600,
		.session_cpu = 60,
		.max_sessions = 512,
		.rekey_records = TES_REKEY_RECORDS,
		.rekey_bytes = TES_REKEY_BYTES,
		.ticket_lifetime = TES_TICKET_LIFETIME,
		.startups = { .grace_ms = 10000, .per_source = 8, .start = 100, .rate = 30, .full = 200 }
	};
	if (argc < 2)
		return usage(NULL, EX_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(NULL, EX_OK);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("tes-officer %s\n", TES_VERSION);
		return EX_OK;
	}
	cmd = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "d:hV", longopts, NULL)) != -1) {
		if (c == 'h')
			return usage(cmd, EX_OK);
		if (c == 'V') {
			printf("tes-officer %s\n", TES_VERSION);
			return EX_OK;
		}
		if (parse_opt(c, &o) != 0)
			return usage(cmd, EX_USAGE);
	}
	if (tes_rng_init() != 0) {
		fprintf(stderr, "tes-officer: no system randomness\n");
		return EX_OSERR;
	}
	return dispatch(cmd, &o, argc - optind, argv + optind);
}
