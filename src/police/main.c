/* SPDX-License-Identifier: ISC */
/*
 * tes-police: the police unit's reporter. Makes unit keys, and sends one
 * violation (report) or many (batch, CSV on stdin) over one session.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
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
#include "police/deliver.h"
#include "police/pin.h"
#include "wire/batch.h"
#include "wire/field.h"
#include "wire/rfc3339.h"

struct opts {
	struct tes_deliver_conf conf;
	const char *comment, *plate, *speed, *limit, *location, *time, *id;
	int format;
};

#define SESSION_OPTIONS                                                                                  \
	"session options:\n"                                                                             \
	"  -s, --server HOST:PORT   officer server (default $TES_SERVER, then 127.0.0.1:9999)\n"         \
	"  -k, --key FILE           unit private key (not the .pub file)\n"                              \
	"  -u, --user NAME          police user name\n"                                                  \
	"  --password-file FILE     the password, the file's one line (else asked on the terminal)\n"    \
	"  --server-key SHA256:...  expected server key fingerprint (from 'tes-officer fingerprint')\n"  \
	"  --known-servers FILE     pinned keys (default ~/.config/tes/known_servers)\n"                 \
	"  --trust strict|accept-new  unknown server key without --server-key: refuse (default when\n"   \
	"                           not on a terminal; on a terminal you are asked) or accept and pin\n" \
	"  --cipher 3des|des        record cipher (default 3des; des only if the server allows it)\n"    \
	"  --timeout SEC            network timeout (default 30)\n"                                      \
	"  --retries N              reconnect and resend after a dropped connection (default 2)\n"       \
	"  --spool DIR              the unit's spool (default: KEY.spool beside the key)\n"

#define EXIT_TEXT                                                                                      \
	"Every report is spooled (made durable) before it is sent, and sent once; what the server\n"   \
	"does not receive stays spooled for the next report, batch or flush. Receipts go to stdout,\n" \
	"one line per report: report ID violation N QUEUED|DUPLICATE, REJECTED, CONFLICT, SPOOLED.\n"  \
	"Exit status: 0 all sent, 65 some input or report refused, 75 reports wait in the spool\n"     \
	"(server unreachable), 69 nothing could be sent or spooled, 76 protocol error, 77\n"           \
	"authentication or server key refused, 64 usage.\n"

static const char usage_text[] =
	"usage: tes-police COMMAND [options]   (tes-police COMMAND --help: that command's options)\n"
	"\n"
	"Police unit reporter of the Traffic Enforcement System (TES).\n"
	"\n"
	"commands:\n"
	"  keygen -k FILE [--comment TEXT]   make a unit key (FILE 0600, FILE.pub to register)\n"
	"  report [session options] --plate P --speed KMH [--limit KMH] [--location TEXT]\n"
	"         [--time RFC3339] [--id HEX]   send one violation\n"
	"  batch  [session options] [--format csv|jsonl] < FILE   one violation per line\n"
	"  feed   [session options] [--format csv|jsonl] < STREAM one session for as long as\n"
	"         the input stays open (cameras, patrol cars)\n"
	"  flush  [session options]          send what waits in the spool\n"
	"  spool  -k KEY [--spool DIR]       list what waits in the spool\n"
	"  spool  --spool DIR                the same without the unit key: read only, unverified\n"
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
	"Send one violation (after what already waits in the spool). --time is RFC 3339 with Z or\n"
	"a numeric offset (2026-11-23T13:15:00+03:00; default: when it is first spooled); --id is\n"
	"32 hex digits (default: derived from the unit key and the fields, so a re-run is sent once).\n"
	"\n" SESSION_OPTIONS "\n" EXIT_TEXT;

static const char batch_text[] =
	"usage: tes-police batch [session options] [--format auto|csv|jsonl] < FILE\n"
	"\n"
	"Send one violation per input line over one session (spec/INPUT.md). CSV (RFC 4180):\n"
	"plate,speed[,limit,location,time,id], or any order under a header line naming the\n"
	"columns; quoted fields as \"Bursa, exit 3\". JSON Lines: one object a line with the keys\n"
	"plate, speed, limit, location, time, id. auto (default): JSON Lines when the input starts\n"
	"with '{'. Blank lines and lines starting with # are skipped. A refused line gets\n"
	"'line N: error: WHY' and the batch goes on. Re-running a batch sends no report twice.\n"
	"\n" SESSION_OPTIONS "  --format auto|csv|jsonl  the input's format\n"
	"\n" EXIT_TEXT;

static const char feed_text[] =
	"usage: tes-police feed [session options] [--format auto|csv|jsonl] < STREAM\n"
	"\n"
	"Like batch, for a camera or a patrol car: reads violations as they come, for as long as\n"
	"the input stays open, over one session kept alive with heartbeats. Every line is spooled\n"
	"before it is sent and its receipt printed as it arrives. When the link or the server goes\n"
	"away it connects again (waits of 0.2 s doubling to 30 s, with jitter) and resumes the\n"
	"session with the server's ticket instead of logging in again; stderr says 'logged in' or\n"
	"'resumed' for every connection. At the end of the input it sends what waits (trying for\n"
	"--timeout seconds); SIGTERM or SIGINT end it after the report in flight.\n"
	"\n" SESSION_OPTIONS "  --format auto|csv|jsonl  the input's format\n"
	"\n" EXIT_TEXT;

static const char flush_text[] =
	"usage: tes-police flush [session options]\n"
	"\n"
	"Send the reports of user -u that wait in the spool, oldest first. Reports of other users\n"
	"stay for them; entries that do not verify under the user's password are kept and named.\n"
	"\n" SESSION_OPTIONS "\n" EXIT_TEXT;

static const char spool_text[] =
	"usage: tes-police spool -k KEY [--spool DIR]\n"
	"       tes-police spool --spool DIR\n"
	"\n"
	"List the reports that wait in the unit's spool, one line each: id, plate, user, when\n"
	"spooled. Needs no password and no server. With --spool DIR alone (no unit key) the spool\n"
	"is only read, never written or repaired, and records saying a report was sent cannot be\n"
	"verified: they are believed for this listing, and the count on stderr says so.\n"
	"Exit status: 0, 64 usage, 66 no spool at DIR (without -k), 74 read error,\n"
	"78 spool unusable.\n";

struct command {
	const char *name, *help;
};

static const struct command commands[] = {
	{ "keygen", keygen_text }, { "report", report_text }, { "batch", batch_text },
	{ "feed", feed_text },     { "flush", flush_text },   { "spool", spool_text },
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
	O_COMMENT,
	O_SPOOL,
	O_FORMAT
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
	{ "spool", required_argument, NULL, O_SPOOL },
	{ "format", required_argument, NULL, O_FORMAT },
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
parse_format(const char *v, int *out)
{
	if (strcmp(v, "auto") == 0)
		*out = TES_BATCH_AUTO;
	else
		return parse_enum(v, "csv", TES_BATCH_CSV, "jsonl", TES_BATCH_JSONL, out);
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
		o->conf.server = optarg;
		return 0;
	case 'k':
		o->conf.key = optarg;
		return 0;
	case 'u':
		o->conf.user = optarg;
		return 0;
	case O_PWFILE:
		o->conf.password_file = optarg;
		return 0;
	case O_SKEY:
		o->conf.server_key = optarg;
		return 0;
	case O_KNOWN:
		o->conf.known = optarg;
		return 0;
	case O_TRUST:
		return parse_enum(optarg, "strict", TES_TRUST_STRICT, "accept-new", TES_TRUST_ACCEPT_NEW,
				  &o->conf.trust);
	case O_CIPHER:
		return parse_enum(optarg, "3des", TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, "des",
				  TES_SUITE_DES_CBC_HMAC_SHA256, &o->conf.suite);
	case O_TIMEOUT:
		return parse_num(optarg, 3600, &o->conf.timeout);
	case O_RETRIES:
		return parse_num(optarg, 100, &o->conf.retries);
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
	case O_SPOOL:
		o->conf.spool = optarg;
		return 0;
	case O_FORMAT:
		return parse_format(optarg, &o->format);
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

	if (o->conf.key == NULL)
		return usage_of("keygen", EX_USAGE);
	snprintf(pub, sizeof pub, "%s.pub", o->conf.key);
	if (access(o->conf.key, F_OK) == 0 || access(pub, F_OK) == 0) {
		fprintf(stderr, "tes-police: %s or %s already exists; not overwriting a key\n", o->conf.key,
			pub);
		return EX_CANTCREAT;
	}
	if ((r = tes_rsa_generate(&k)) != 0 || (r = tes_keyfile_save_private(&k, o->conf.key)) != 0 ||
	    (r = tes_keyfile_save_public(&k.pub, pub, o->comment != NULL ? o->comment : "tes-unit")) != 0) {
		fprintf(stderr, "tes-police: keygen: %s\n", tes_err_str(r));
		TES_WIPE_CTX(&k);
		return EX_CANTCREAT;
	}
	tes_rsa_fingerprint(&k.pub, fp);
	TES_WIPE_CTX(&k);
	printf("wrote %s (private, 0600) and %s (register it: tes-officer add-unit NAME %s)\n%s\n",
	       o->conf.key, pub, pub, fp);
	return EX_OK;
}

/* One line on stderr; code. */
static int
refused(int code, const char *what, const char *why)
{
	fprintf(stderr, "tes-police: %s%s\n", what, why);
	return code;
}

/* The record of the report command, from its options; EX_OK or the exit code (message written). */
static int
report_rec(const struct opts *o, struct tes_batch_rec *rec)
{
	size_t n = strlen(o->plate), ln = o->location != NULL ? strlen(o->location) : 0;
	unsigned long speed, limit = 0;
	const char *why;

	memset(rec, 0, sizeof *rec);
	if (n == 0 || n > TES_BATCH_PLATE_MAX)
		return refused(EX_DATAERR, "", tes_err_str(TES_ERR_PLATE));
	if (tes_cli_uint(o->speed, 0, TES_BATCH_NUMBER_MAX, &speed) != 0)
		return refused(EX_DATAERR, "", tes_err_str(TES_ERR_SPEED));
	rec->has_limit = o->limit != NULL && o->limit[0] != '\0';
	if (rec->has_limit && tes_cli_uint(o->limit, 0, TES_BATCH_NUMBER_MAX, &limit) != 0)
		return refused(EX_DATAERR, "", tes_err_str(TES_ERR_LIMIT));
	if (ln > TES_LOCATION_MAX)
		return refused(EX_DATAERR, "", tes_err_str(TES_ERR_LOCATION));
	rec->has_time = o->time != NULL;
	if (rec->has_time && tes_rfc3339_parse(o->time, strlen(o->time), &rec->time, &why) != 0) {
		fprintf(stderr, "tes-police: --time %s: %s\n", o->time, why);
		return EX_DATAERR;
	}
	rec->has_id = o->id != NULL;
	if (rec->has_id && (strlen(o->id) != 2 * TES_REPORT_ID_LEN ||
			    tes_hex_decode(o->id, strlen(o->id), rec->id, TES_REPORT_ID_LEN) != 0))
		return refused(EX_USAGE, "--id must be 32 hex digits", "");
	memcpy(rec->plate, o->plate, n);
	rec->plate_len = (uint8_t)n;
	rec->speed = (uint32_t)speed;
	rec->limit = (uint32_t)limit;
	memcpy(rec->loc, o->location != NULL ? o->location : "", ln);
	rec->loc_len = (uint8_t)ln;
	rec->has_location = ln > 0;
	return EX_OK;
}

static int
do_report(struct tes_deliver *d, const struct opts *o)
{
	struct tes_batch_rec rec;
	int code;

	if (o->plate == NULL || o->speed == NULL) {
		fprintf(stderr, "tes-police: --plate and --speed are required\n");
		return EX_USAGE;
	}
	if ((code = report_rec(o, &rec)) != EX_OK)
		return code;
	if ((code = tes_deliver_record(d, &rec, "")) > 1)
		return code;
	return tes_deliver_flush(d);
}

/* One yield of the decoder: a record to deliver, or a refused line. 0 or an exit code. */
static int
batch_yield(struct tes_deliver *d, int r, const struct tes_batch_rec *rec, const char *why, int *warned)
{
	char prefix[32];

	snprintf(prefix, sizeof prefix, "line %lu: ", rec->line);
	if (r == TES_BATCH_ERROR) {
		tes_deliver_refuse(d, prefix, why);
		return 0;
	}
	if ((r = tes_deliver_record(d, rec, prefix)) > 1)
		return r;
	if (r == 0 && !rec->has_time && !*warned) {
		/*= spec/SPOOL.md#delivery MUST-SP18: a batch with records without a time warns once */
		fprintf(stderr,
			"tes-police: warning: line %lu has no time: such a record gets the time it is "
			"first spooled, and an identical one without a time within 24 hours is taken "
			"for a re-run of it and sent once\n",
			rec->line);
		*warned = 1;
	}
	return 0;
}

/*
 * Read the input with read(2), never stdio (no exit-time clean-up for it),
 * decode it, spool each read's records, make them durable, send them.
 */
static int
do_batch(struct tes_deliver *d, enum tes_batch_format f)
{
	static struct tes_batch b;
	static uint8_t buf[16384];
	struct tes_batch_rec rec;
	const char *why = NULL;
	size_t off, used;
	ssize_t n;
	int r, code, warned = 0;

	tes_batch_init(&b, f);
	do {
		if ((n = read(0, buf, sizeof buf)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "tes-police: cannot read the input: %s\n", strerror(errno));
			return EX_IOERR;
		}
		for (off = 0;; off += used) {
			used = 0;
			r = n > 0 ? tes_batch_feed(&b, buf + off, (size_t)n - off, &used, &rec, &why)
				  : tes_batch_end(&b, &rec, &why);
			if (r == TES_BATCH_MORE)
				break;
			if ((code = batch_yield(d, r, &rec, why, &warned)) != 0)
				return code;
			if (n == 0)
				break;
		}
		/*= spec/SPOOL.md#delivery MUST-SP16: each read's records are spooled and synced, then sent */
		if ((code = tes_deliver_flush(d)) != EX_OK)
			return code;
	} while (n != 0);
	return EX_OK;
}

/* The wait before the next connection: backoff ms with jitter (a half to the whole of it). */
static uint64_t
feed_jitter(unsigned backoff)
{
	uint8_t b[2];

	tes_rng_bytes(b, sizeof b);
	return backoff / 2 + (uint64_t)(backoff / 2) * (unsigned)(b[0] << 8 | b[1]) / 65535;
}

/* The feed's state between loop turns. */
struct feed {
	struct tes_batch b;
	uint8_t buf[16384];
	int eof, stop, warned;
	unsigned backoff;                   /* ms: the next wait after a failed connection */
	uint64_t retry_at, beat_at, end_by; /* monotonic ms */
};

/* Read what stdin has, spool its records. 0 or an exit code. */
static int
feed_input(struct tes_deliver *d, struct feed *f)
{
	struct tes_batch_rec rec;
	const char *why = NULL;
	size_t off, used;
	ssize_t n;
	int r, code;

	if ((n = read(0, f->buf, sizeof f->buf)) < 0)
		return errno == EINTR || errno == EAGAIN
			       ? 0
			       : (fprintf(stderr, "tes-police: cannot read the input: %s\n", strerror(errno)),
				  EX_IOERR);
	for (off = 0;; off += used) {
		used = 0;
		r = n > 0 ? tes_batch_feed(&f->b, f->buf + off, (size_t)n - off, &used, &rec, &why)
			  : tes_batch_end(&f->b, &rec, &why);
		if (r == TES_BATCH_MORE)
			break;
		if ((code = batch_yield(d, r, &rec, why, &f->warned)) != 0)
			return code;
		if (n == 0)
			break;
	}
	if (n == 0)
		f->eof = 1;
	return 0;
}

/*
 * tes-police feed (spec/SPOOL.md#feed): stdin as it comes, one session,
 * reconnection with backoff and resumption, heartbeats while idle.
 */
static int
do_feed(struct tes_deliver *d, const struct opts *o)
{
	static struct feed f;
	struct pollfd p[3];
	uint64_t now, wait;
	int code, r, fd, np;

	tes_batch_init(&f.b, (enum tes_batch_format)o->format);
	f.backoff = 200;
	for (;;) {
		now = tes_time_mono_ms();
		if (tes_deliver_fd(d) < 0 && now >= f.retry_at && !f.stop &&
		    (!f.eof || tes_deliver_waiting(d) > 0)) {
			r = tes_deliver_connect(d, &code);
			if (r != 0 && code != 0)
				return code;
			if (r != 0) {
				/*= spec/SPOOL.md#feed MUST-FD2: exponential backoff with jitter */
				f.retry_at = now + feed_jitter(f.backoff);
				f.backoff = f.backoff >= 15000 ? 30000 : f.backoff * 2;
			} else {
				f.backoff = 200;
				f.beat_at = tes_time_mono_ms() + tes_deliver_heartbeat_ms(d);
			}
		}
		if (tes_deliver_fd(d) >= 0) {
			/*= spec/SPOOL.md#feed MUST-FD1: every record spooled and synced, then sent */
			if ((code = tes_deliver_flush(d)) != EX_OK)
				return code;
			if (tes_deliver_failed(d))
				return EX_OK; /* a protocol failure: tes_deliver_close gives its code */
			if (tes_deliver_fd(d) < 0 && tes_deliver_rekeyed(d))
				continue; /* the server asked for new keys: resume now */
			if (tes_deliver_fd(d) < 0)
				f.retry_at = tes_time_mono_ms() + feed_jitter(f.backoff);
			else
				f.beat_at = tes_time_mono_ms() + tes_deliver_heartbeat_ms(d);
		}
		if (f.stop)
			return EX_OK;
		if (f.eof) {
			if (f.end_by == 0)
				f.end_by = tes_time_mono_ms() + (uint64_t)o->conf.timeout * 1000;
			if (tes_deliver_waiting(d) == 0 || tes_time_mono_ms() >= f.end_by)
				return EX_OK;
		}
		np = 0;
		p[np++] = (struct pollfd){ .fd = o->conf.stop_fd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = f.eof ? -1 : 0, .events = POLLIN };
		fd = tes_deliver_fd(d);
		p[np++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		now = tes_time_mono_ms();
		wait = fd >= 0 ? (f.beat_at > now ? f.beat_at - now : 0)
			       : (f.retry_at > now ? f.retry_at - now : 0);
		if (f.eof && f.end_by > now && f.end_by - now < wait)
			wait = f.end_by - now;
		if (poll(p, (nfds_t)np, (int)(wait > 60000 ? 60000 : wait)) < 0)
			continue;
		if (p[0].revents != 0) {
			/* left pending (it stays blocked): the flush's own check sees it too */
			f.stop = 1;
			continue;
		}
		if (fd >= 0 && p[2].revents != 0) {
			/* an alert (rekey, busy) or the end of the connection while nothing was asked */
			if (!tes_deliver_unsolicited(d))
				f.retry_at = tes_time_mono_ms() + feed_jitter(f.backoff);
			continue;
		}
		if (p[1].revents != 0 && (code = feed_input(d, &f)) != 0)
			return code;
		if (p[1].revents == 0 && fd >= 0 && tes_time_mono_ms() >= f.beat_at) {
			/*= spec/PROTOCOL.md#records MUST-HB2: an idle session sends a heartbeat */
			if (tes_deliver_heartbeat(d) != 0 && !tes_deliver_rekeyed(d))
				f.retry_at = tes_time_mono_ms() + feed_jitter(f.backoff);
			f.beat_at = tes_time_mono_ms() + tes_deliver_heartbeat_ms(d);
		}
	}
}

/* SIGTERM and SIGINT as a descriptor the feed polls (read is all the sandbox needs then). */
static int
stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static int
run_session_cmd(struct opts *o, const char *cmd)
{
	struct tes_deliver *d = tes_deliver_get();
	int code;

	/*= spec/PROTOCOL.md#handshake MUST-H2: single DES is offered only with --cipher des, with a warning */
	if (o->conf.suite == TES_SUITE_DES_CBC_HMAC_SHA256)
		fprintf(stderr,
			"tes-police: warning: single DES requested (--cipher des): 56-bit keys are weak\n");
	o->conf.stop_fd = -1;
	if (strcmp(cmd, "feed") == 0) {
		o->conf.feed = 1;
		if ((o->conf.stop_fd = stop_signals()) < 0) {
			fprintf(stderr, "tes-police: cannot set up signal handling: %s\n", strerror(errno));
			return EX_OSERR;
		}
	}
	if ((code = tes_deliver_open(d, &o->conf)) == EX_OK) {
		if (strcmp(cmd, "report") == 0)
			code = do_report(d, o);
		else if (strcmp(cmd, "batch") == 0)
			code = do_batch(d, (enum tes_batch_format)o->format);
		else if (strcmp(cmd, "feed") == 0)
			code = do_feed(d, o);
		else
			code = tes_deliver_flush(d);
	}
	return tes_deliver_close(d, code);
}

static int
run(int argc, char **argv)
{
	struct opts o = {
		.conf = { .timeout = 30, .retries = 2, .suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 }
	};
	const char *cmd;
	int c;

	static char outbuf[8192];

	/* stdout line-buffered in static storage: each receipt is written when its line ends, and
	 * stdio needs neither allocation nor fstat inside the sandbox */
	setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
	signal(SIGPIPE, SIG_IGN);
	o.conf.server = getenv("TES_SERVER") != NULL ? getenv("TES_SERVER") : "127.0.0.1:9999";
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
	if (strcmp(cmd, "report") == 0 || strcmp(cmd, "batch") == 0 || strcmp(cmd, "flush") == 0 ||
	    strcmp(cmd, "feed") == 0)
		return run_session_cmd(&o, cmd);
	if (strcmp(cmd, "spool") == 0)
		return tes_deliver_list(&o.conf);
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
