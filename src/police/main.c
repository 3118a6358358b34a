/* SPDX-License-Identifier: ISC */
/*
 * tes-police: the police unit's reporter. Makes unit keys, and sends one
 * violation (report) or many (batch, CSV on stdin) over one session.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "common/wipe.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "police/client.h"
#include "police/pin.h"
#include "sandbox/sandbox.h"
#include "wire/field.h"
#include "wire/rfc3339.h"

struct opts {
	const char *server, *key, *user, *password_file, *server_key, *known, *comment;
	const char *plate, *speed, *limit, *location, *time, *id;
	int trust, suite;
	unsigned timeout, retries;
};

struct run {
	struct addrinfo *ai; /* the server, resolved before the sandbox */
	int sandboxed;
	struct opts *o;
	struct tes_rsa_priv unit;
	struct tes_client c;
	struct tes_pin pin;
	char pw[TES_PASSWORD_MAX + 2];
	int connected;
};

#define SESSION_OPTIONS \
	"session options:\n" \
	"  -s, --server HOST:PORT   officer server (default $TES_SERVER, then 127.0.0.1:9999)\n" \
	"  -k, --key FILE           unit private key (not the .pub file)\n" \
	"  -u, --user NAME          police user name\n" \
	"  --password-file FILE     password on the first line (else asked on the terminal)\n" \
	"  --server-key SHA256:...  expected server key fingerprint (from 'tes-officer fingerprint')\n" \
	"  --known-servers FILE     pinned keys (default ~/.config/tes/known_servers)\n" \
	"  --trust strict|accept-new  unknown server key without --server-key: refuse (default when\n" \
	"                           not on a terminal; on a terminal you are asked) or accept and pin\n" \
	"  --cipher 3des|des        record cipher (default 3des; des only if the server allows it)\n" \
	"  --timeout SEC            network timeout (default 30)\n" \
	"  --retries N              reconnect and resend after a dropped connection (default 2)\n"

#define EXIT_TEXT \
	"Receipts go to stdout, one line per violation: report ID violation N QUEUED|DUPLICATE.\n" \
	"Exit status: 0 all queued, 65 some input rejected, 69 server unreachable, 76 protocol\n" \
	"error, 77 authentication or server key refused, 64 usage.\n"

static const char usage_text[] =
	"usage: tes-police COMMAND [options]   (tes-police COMMAND --help: that command's options)\n"
	"\n"
	"Police unit reporter of the Traffic Enforcement System (TES).\n"
	"\n"
	"commands:\n"
	"  keygen -k FILE [--comment TEXT]   make a unit key (FILE 0600, FILE.pub to register)\n"
	"  report [session options] --plate P --speed KMH [--limit KMH] [--location TEXT]\n"
	"         [--time RFC3339] [--id HEX]   send one violation\n"
	"  batch  [session options] < FILE   one violation per line: plate,speed[,limit,location,time]\n"
	"\n" SESSION_OPTIONS "  -h, --help, -V, --version\n"
	"\n" EXIT_TEXT;

static const char keygen_text[] =
	"usage: tes-police keygen -k FILE [--comment TEXT]\n"
	"\n"
	"Make a unit key: FILE (private, 0600) and FILE.pub (register it on the server with\n"
	"'tes-officer add-unit NAME FILE.pub'). Prints the key's SHA256 fingerprint.\n"
	"Refuses to overwrite an existing key. Exit status: 0 made, 73 cannot create, 64 usage.\n";

static const char report_text[] =
	"usage: tes-police report [session options] --plate P --speed KMH [--limit KMH]\n"
	"                         [--location TEXT] [--time RFC3339] [--id HEX]\n"
	"\n"
	"Send one violation. --time is RFC 3339 with Z or a numeric offset\n"
	"(2026-11-23T13:15:00+03:00; default now); --id is 32 hex digits (default random).\n"
	"\n" SESSION_OPTIONS "\n" EXIT_TEXT;

static const char batch_text[] =
	"usage: tes-police batch [session options] < FILE\n"
	"\n"
	"Send one violation per input line, over one session: plate,speed[,limit,location,time].\n"
	"Lines starting with # and blank lines are skipped; a first line 'plate,...' is a header.\n"
	"\n" SESSION_OPTIONS "\n" EXIT_TEXT;

struct command {
	const char *name, *help;
};

static const struct command commands[] = {
	{ "keygen", keygen_text },
	{ "report", report_text },
	{ "batch", batch_text },
};

enum {
	O_PWFILE = 256,
	O_SKEY,
	O_KNOWN,
	O_TRUST,
	O_CIPHER,
	O_TIMEOUT,
	O_RETRIES,
	O_PLATE,
	O_SPEED,
	O_LIMIT,
	O_LOCATION,
	O_TIME,
	O_ID,
	O_COMMENT
};

static const struct option longopts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "key", required_argument, NULL, 'k' },
	{ "user", required_argument, NULL, 'u' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "server-key", required_argument, NULL, O_SKEY },
	{ "known-servers", required_argument, NULL, O_KNOWN },
	{ "trust", required_argument, NULL, O_TRUST },
	{ "cipher", required_argument, NULL, O_CIPHER },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "plate", required_argument, NULL, O_PLATE },
	{ "speed", required_argument, NULL, O_SPEED },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "location", required_argument, NULL, O_LOCATION },
	{ "time", required_argument, NULL, O_TIME },
	{ "id", required_argument, NULL, O_ID },
	{ "comment", required_argument, NULL, O_COMMENT },
	{ NULL, 0, NULL, 0 },
};

/* The help of cmd (NULL or unknown: the program's), on stdout for --help, else stderr. */
static int
usage_of(const char *cmd, int code)
{
	const char *text = usage_text;
	size_t i;

	for (i = 0; cmd != NULL && i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			text = commands[i].help;
	fputs(text, code == EX_OK ? stdout : stderr);
	return code;
}

static int
usage(int code)
{
	return usage_of(NULL, code);
}

static int
parse_enum(const char *v, const char *a, int av, const char *b, int bv, int *out)
{
	if (strcmp(v, a) == 0)
		*out = av;
	else if (strcmp(v, b) == 0)
		*out = bv;
	else
		return -1;
	return 0;
}

static int
parse_num(const char *v, unsigned long max, unsigned *out)
{
	unsigned long n;

	if (tes_cli_uint(v, 0, max, &n) != 0)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
parse_opt(int c, struct opts *o)
{
	switch (c) {
	case 's':
		o->server = optarg;
		return 0;
	case 'k':
		o->key = optarg;
		return 0;
	case 'u':
		o->user = optarg;
		return 0;
	case O_PWFILE:
		o->password_file = optarg;
		return 0;
	case O_SKEY:
		o->server_key = optarg;
		return 0;
	case O_KNOWN:
		o->known = optarg;
		return 0;
	case O_TRUST:
		return parse_enum(optarg, "strict", TES_TRUST_STRICT, "accept-new", TES_TRUST_ACCEPT_NEW,
				  &o->trust);
	case O_CIPHER:
		return parse_enum(optarg, "3des", TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, "des",
				  TES_SUITE_DES_CBC_HMAC_SHA256, &o->suite);
	case O_TIMEOUT:
		return parse_num(optarg, 3600, &o->timeout);
	case O_RETRIES:
		return parse_num(optarg, 100, &o->retries);
	case O_PLATE:
		o->plate = optarg;
		return 0;
	case O_SPEED:
		o->speed = optarg;
		return 0;
	case O_LIMIT:
		o->limit = optarg;
		return 0;
	case O_LOCATION:
		o->location = optarg;
		return 0;
	case O_TIME:
		o->time = optarg;
		return 0;
	case O_ID:
		o->id = optarg;
		return 0;
	case O_COMMENT:
		o->comment = optarg;
		return 0;
	default:
		return -1;
	}
}

static int
do_keygen(struct opts *o)
{
	char pub[4096], fp[TES_FP_STRLEN];
	struct tes_rsa_priv k;
	int r;

	if (o->key == NULL)
		return usage_of("keygen", EX_USAGE);
	snprintf(pub, sizeof pub, "%s.pub", o->key);
	if (access(o->key, F_OK) == 0 || access(pub, F_OK) == 0) {
		fprintf(stderr, "tes-police: %s or %s already exists; not overwriting a key\n", o->key, pub);
		return EX_CANTCREAT;
	}
	if ((r = tes_rsa_generate(&k)) != 0 || (r = tes_keyfile_save_private(&k, o->key)) != 0 ||
	    (r = tes_keyfile_save_public(&k.pub, pub, o->comment != NULL ? o->comment : "tes-unit")) != 0) {
		fprintf(stderr, "tes-police: keygen: %s\n", tes_err_str(r));
		TES_WIPE_CTX(&k);
		return EX_CANTCREAT;
	}
	tes_rsa_fingerprint(&k.pub, fp);
	TES_WIPE_CTX(&k);
	printf("wrote %s (private, 0600) and %s (register it: tes-officer add-unit NAME %s)\n%s\n", o->key,
	       pub, pub, fp);
	return EX_OK;
}

/* Map a session error to a one-line message and a sysexits code. */
static int
session_error(struct run *x, int r)
{
	if (r == TES_ERR_PIN || (r == TES_ERR_NOTFOUND && x->pin.outcome == TES_ERR_NOTFOUND)) {
		if (r == TES_ERR_PIN)
			fprintf(stderr,
				"tes-police: SERVER KEY MISMATCH for %s: it presented %s. Someone may be "
				"intercepting the connection; check 'tes-officer fingerprint' on the "
				"server.\n",
				x->pin.server, x->pin.seen);
		else
			fprintf(stderr,
				"tes-police: unknown server key %s for %s; pass --server-key %s after "
				"checking "
				"'tes-officer fingerprint' on the server, or --trust accept-new\n",
				x->pin.seen, x->pin.server, x->pin.seen);
		return EX_NOPERM;
	}
	if (r == TES_ERR_AUTH || (r == TES_ERR_PEER && x->c.alert == TES_ALERT_AUTH)) {
		fprintf(stderr, "tes-police: authentication refused: is the unit key registered "
				"(tes-officer add-unit) and are user and password right?\n");
		return EX_NOPERM;
	}
	if (r == TES_ERR_PEER && x->c.alert == TES_ALERT_BUSY) {
		fprintf(stderr, "tes-police: server busy, try again later\n");
		return EX_TEMPFAIL;
	}
	if (r == TES_ERR_CLOSED || r == TES_ERR_TIMEOUT) {
		fprintf(stderr, "tes-police: connection to %s lost: %s\n", x->pin.server, tes_err_str(r));
		return EX_UNAVAILABLE;
	}
	fprintf(stderr, "tes-police: session with %s failed: %s\n", x->pin.server, tes_err_str(r));
	return EX_PROTOCOL;
}

/* A handshake the server refused: say why when the cause is known on this side. */
static int
handshake_error(struct run *x, int r)
{
	/* The server answers a suite it does not allow with a protocol alert (spec/PROTOCOL.md#handshake). */
	if (r == TES_ERR_PEER && x->c.alert == TES_ALERT_PROTOCOL && x->o->suite == TES_SUITE_DES_CBC_HMAC_SHA256) {
		fprintf(stderr, "tes-police: %s refused the handshake: it does not allow single DES "
				"(--cipher des); use --cipher 3des (the default), or ask its operator for "
				"'serve --allow-des'\n",
			x->pin.server);
		return EX_PROTOCOL;
	}
	return session_error(x, r);
}

static int
open_session(struct run *x, int *code)
{
	char err[256];
	int r;

	tes_client_init(&x->c, &x->unit, (uint8_t)x->o->suite, x->o->timeout);
	x->c.ai = x->ai;
	if ((r = tes_client_connect(&x->c, x->o->server, err, sizeof err)) != 0) {
		fprintf(stderr, "tes-police: %s\n", err);
		*code = r == TES_ERR_ARG ? EX_USAGE : EX_UNAVAILABLE;
		return r;
	}
	/* Key loaded, files and terminal open, socket connected: from here on the client
	 * only reads, writes and reconnects (sandbox/README.md, police policy). */
	if (!x->sandboxed) {
		if (tes_sandbox_enter(TES_SANDBOX_POLICE) != 0) {
			fprintf(stderr, "tes-police: cannot enter the sandbox\n");
			*code = EX_OSERR;
			tes_client_close(&x->c);
			return TES_ERR_INTERNAL;
		}
		x->sandboxed = 1;
	}
	if ((r = tes_client_handshake(&x->c, tes_pin_check, &x->pin)) != 0) {
		*code = handshake_error(x, r);
		tes_client_close(&x->c);
		return r;
	}
	if ((r = tes_client_login(&x->c, x->o->user, x->pw)) != 0) {
		*code = session_error(x, r);
		tes_client_close(&x->c);
		return r;
	}
	x->connected = 1;
	return 0;
}

/* Everything that needs the file system, the resolver or the heap happens here. */
static int
open_resources(struct run *x)
{
	static char inbuf[8192], outbuf[8192];
	char err[256];
	int r;

	if ((r = tes_client_resolve(x->o->server, &x->ai, err, sizeof err)) != 0) {
		fprintf(stderr, "tes-police: %s\n", err);
		return EX_USAGE;
	}
	if ((r = tes_pin_prepare(&x->pin)) != 0) {
		fprintf(stderr, "tes-police: cannot read known_servers: %s\n", tes_err_str(r));
		return EX_CONFIG;
	}
	/* time parsing loads the zone file once: do it now, not inside the filter */
	tzset();
	/* stdio buffers now, so stdio needs neither allocation nor fstat later */
	setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
	setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
	if (tes_sandbox_init(TES_SANDBOX_POLICE) != 0) {
		fprintf(stderr, "tes-police: cannot prepare the sandbox\n");
		return EX_OSERR;
	}
	return EX_OK;
}

static int
prepare(struct run *x)
{
	struct tes_rsa_pub pub;
	int r;

	if (x->o->key == NULL || x->o->user == NULL) {
		fprintf(stderr, "tes-police: -k KEY and -u USER are required\n");
		return EX_USAGE;
	}
	if ((r = tes_keyfile_load_private(&x->unit, x->o->key)) != 0 && r != TES_ERR_NOTFOUND &&
	    tes_keyfile_load_public(&pub, x->o->key) == 0) {
		fprintf(stderr, "tes-police: %s is a public key; -k takes the unit's private key (the file "
				"keygen wrote beside it, without .pub)\n",
			x->o->key);
		return EX_USAGE;
	}
	if (r != 0) {
		fprintf(stderr, "tes-police: cannot load unit key %s: %s%s\n", x->o->key, tes_err_str(r),
			r == TES_ERR_ARG ? " (permissions too open: chmod 600)" : "");
		return r == TES_ERR_NOTFOUND ? EX_NOINPUT : EX_DATAERR;
	}
	r = tes_cli_password(x->o->password_file, "Password: ", 0, x->pw, sizeof x->pw);
	if (r != 0 || tes_field_password_valid(x->pw, strlen(x->pw)) != 0) {
		fprintf(stderr, "tes-police: cannot read the password%s\n",
			x->o->password_file == NULL ? " (no terminal: use --password-file FILE)" : "");
		return EX_NOINPUT;
	}
	x->pin = (struct tes_pin){ .server = x->o->server,
				   .expected = x->o->server_key,
				   .file = x->o->known,
				   .trust = x->o->trust };
	if (x->o->trust == TES_TRUST_STRICT && x->o->server_key == NULL && isatty(0))
		x->pin.trust = TES_TRUST_ASK;
	return open_resources(x);
}

/* Fill a report from text fields; returns 0 or a TES_ERR_* naming the bad field. */
static int
build_report(struct tes_report *r, const uint8_t key[static TES_KEYID_LEN], const char *plate,
	     const char *speed, const char *limit, const char *loc, const char *when, const char *id)
{
	const char *why;
	unsigned long v;

	memset(r, 0, sizeof *r);
	memcpy(r->unit_key, key, TES_KEYID_LEN);
	if (tes_field_plate_normalize(plate, strlen(plate), r->plate, &r->plate_len) != 0)
		return TES_ERR_PLATE;
	if (tes_cli_uint(speed, TES_SPEED_MIN, TES_SPEED_MAX, &v) != 0)
		return TES_ERR_SPEED;
	r->speed = (uint16_t)v;
	if (limit != NULL && limit[0] != '\0') {
		if (tes_cli_uint(limit, TES_LIMIT_MIN, TES_LIMIT_MAX, &v) != 0)
			return TES_ERR_LIMIT;
		r->limit = (uint16_t)v;
	}
	if (loc != NULL) {
		if (strlen(loc) > TES_LOCATION_MAX || tes_field_location_valid(loc, strlen(loc)) != 0)
			return TES_ERR_LOCATION;
		r->loc_len = (uint8_t)strlen(loc);
		memcpy(r->loc, loc, r->loc_len);
	}
	r->time = (uint64_t)time(NULL);
	if (when != NULL && when[0] != '\0' && tes_rfc3339_parse(when, strlen(when), &r->time, &why) != 0)
		return TES_ERR_TIME;
	if (tes_field_time_valid(r->time, (uint64_t)time(NULL)) != 0)
		return TES_ERR_TIME;
	if (id == NULL)
		tes_rng_bytes(r->id, TES_REPORT_ID_LEN);
	else if (strlen(id) != 2 * TES_REPORT_ID_LEN ||
		 tes_hex_decode(id, strlen(id), r->id, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_ARG;
	return 0;
}

static const char *
reason_text(uint8_t reason)
{
	static const char *t[] = { "",
				   "invalid plate",
				   "invalid speed",
				   "invalid limit",
				   "invalid time",
				   "invalid location",
				   "bad signature",
				   "wrong unit",
				   "server storage error" };

	return reason <= TES_REJECT_MAX ? t[reason] : "unknown reason";
}

/* Send one report; reconnect and resend the same id after a dropped connection. */
static int
send_one(struct run *x, const struct tes_report *r, const char *prefix, int *code)
{
	static const char *names[] = { "", "QUEUED", "DUPLICATE", "REJECTED", "CONFLICT" };
	char hex[2 * TES_REPORT_ID_LEN + 1];
	struct tes_receipt rc;
	unsigned attempt;
	int e = TES_ERR_CLOSED;

	tes_hex_encode(r->id, TES_REPORT_ID_LEN, hex);
	for (attempt = 0; attempt <= x->o->retries; attempt++) {
		if (!x->connected && open_session(x, code) != 0)
			return -1;
		if ((e = tes_client_report(&x->c, r, &rc)) == 0)
			break;
		tes_client_close(&x->c);
		x->connected = 0;
		if (e != TES_ERR_CLOSED && e != TES_ERR_TIMEOUT)
			break;
	}
	if (e != 0) {
		*code = session_error(x, e);
		return -1;
	}
	if (rc.status == TES_RECEIPT_REJECTED) {
		printf("%sreport %s REJECTED %s\n", prefix, hex, reason_text(rc.reason));
		return 1;
	}
	if (rc.status == TES_RECEIPT_CONFLICT) {
		printf("%sreport %s %s with violation %llu: the id was used before for other content\n",
		       prefix, hex, names[rc.status], (unsigned long long)rc.number);
		return 1;
	}
	printf("%sreport %s violation %llu %s\n", prefix, hex, (unsigned long long)rc.number,
	       names[rc.status]);
	fflush(stdout);
	return 0;
}

static int
do_report(struct run *x)
{
	struct tes_report r;
	int code = EX_OK, e;

	if (x->o->plate == NULL || x->o->speed == NULL) {
		fprintf(stderr, "tes-police: --plate and --speed are required\n");
		return EX_USAGE;
	}
	if ((e = build_report(&r, x->c.unit_key, x->o->plate, x->o->speed, x->o->limit, x->o->location,
			      x->o->time, x->o->id)) != 0) {
		fprintf(stderr, "tes-police: %s\n",
			e == TES_ERR_ARG ? "--id must be 32 hex digits" : tes_err_str(e));
		return EX_DATAERR;
	}
	e = send_one(x, &r, "", &code);
	return e < 0 ? code : e > 0 ? EX_DATAERR : EX_OK;
}

/* Split a CSV line in place into at most 5 fields (no quoting: no field may contain a comma). */
static int
split(char *line, char **f)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (f[n++] = line; n < 6 && (line = strchr(line, ',')) != NULL; f[n++] = ++line)
		*line = '\0';
	return n;
}

static int
batch_line(struct run *x, char *line, unsigned long no, int *code)
{
	char *f[6] = { 0 }, prefix[32];
	struct tes_report r;
	int n, e;

	snprintf(prefix, sizeof prefix, "line %lu: ", no);
	n = split(line, f);
	if (n > 5 || n < 2) {
		printf("%serror: expected plate,speed[,limit,location,time]\n", prefix);
		return 1;
	}
	if ((e = build_report(&r, x->c.unit_key, f[0], f[1], n > 2 ? f[2] : NULL,
			      n > 3 && f[3][0] ? f[3] : NULL, n > 4 ? f[4] : NULL, NULL)) != 0) {
		printf("%serror: %s\n", prefix, tes_err_str(e));
		return 1;
	}
	return send_one(x, &r, prefix, code);
}

static int
do_batch(struct run *x)
{
	char line[512];
	unsigned long no = 0, sent = 0, bad = 0;
	int code = EX_OK, e, tty = isatty(2);

	while (fgets(line, sizeof line, stdin) != NULL) {
		no++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0' ||
		    (no == 1 && strncmp(line, "plate,", 6) == 0))
			continue;
		if ((e = batch_line(x, line, no, &code)) < 0)
			return code;
		bad += e > 0;
		sent++;
		if (tty && sent % 25 == 0)
			fprintf(stderr, "\rsent %lu reports", sent);
	}
	if (tty)
		fprintf(stderr, "\rsent %lu reports, %lu rejected\n", sent, bad);
	return bad > 0 ? EX_DATAERR : EX_OK;
}

static int
run_session_cmd(struct opts *o, int batch)
{
	static struct run x;
	int code;

	x.o = o;
	x.pin.append_fd = x.pin.tty_fd = -1;
	if ((code = prepare(&x)) != EX_OK)
		goto out;
	tes_rsa_keyid(&x.unit.pub, x.c.unit_key);
	/*= spec/PROTOCOL.md#handshake MUST-H2: single DES is offered only with --cipher des, with a warning */
	if (o->suite == TES_SUITE_DES_CBC_HMAC_SHA256)
		fprintf(stderr,
			"tes-police: warning: single DES requested (--cipher des): 56-bit keys are weak\n");
	code = batch ? do_batch(&x) : do_report(&x);
	if (x.connected)
		tes_client_close(&x.c);
out:
	tes_pin_close(&x.pin);
	TES_WIPE_CTX(&x.unit);
	TES_WIPE_BUF(x.pw);
	return code;
}

static int
run(int argc, char **argv)
{
	struct opts o = { .timeout = 30, .retries = 2, .suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 };
	const char *cmd;
	int c;

	signal(SIGPIPE, SIG_IGN);
	o.server = getenv("TES_SERVER") != NULL ? getenv("TES_SERVER") : "127.0.0.1:9999";
	if (argc < 2)
		return usage(EX_USAGE);
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return usage(EX_OK);
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "s:k:u:hV", longopts, NULL)) != -1) {
		if (c == 'h')
			return usage_of(cmd, EX_OK);
		if (c == 'V' || strcmp(cmd, "--version") == 0) {
			printf("tes-police %s\n", TES_VERSION);
			return EX_OK;
		}
		if (parse_opt(c, &o) != 0)
			return usage_of(cmd, EX_USAGE);
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("tes-police %s\n", TES_VERSION);
		return EX_OK;
	}
	if (optind != argc) {
		fprintf(stderr, "tes-police: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	if (tes_rng_init() != 0) {
		fprintf(stderr, "tes-police: no system randomness\n");
		return EX_OSERR;
	}
	if (strcmp(cmd, "keygen") == 0)
		return do_keygen(&o);
	if (strcmp(cmd, "report") == 0 || strcmp(cmd, "batch") == 0)
		return run_session_cmd(&o, strcmp(cmd, "batch") == 0);
	fprintf(stderr, "tes-police: unknown command '%s' (see tes-police --help)\n", cmd);
	return EX_USAGE;
}

/*
 * The one way out. Receipts are already written line by line; what is left
 * in stdio's buffers is written here, and _exit skips the exit-time stdio
 * clean-up, which would make system calls the sandbox does not allow (and
 * would have killed the process with SIGSYS instead of the documented code).
 */
int
main(int argc, char **argv)
{
	int code = run(argc, argv);

	fflush(stdout);
	fflush(stderr);
	_exit(code);
}
