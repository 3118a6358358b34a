/* SPDX-License-Identifier: ISC */
/* Delivery of a unit's reports through its spool: see deliver.h and spec/SPOOL.md. */
#define _GNU_SOURCE
#include <netdb.h>
#include <poll.h>
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
#include "crypto/digest.h"
#include "crypto/keyfile.h"
#include "crypto/rsa.h"
#include "police/client.h"
#include "police/deliver.h"
#include "police/pin.h"
#include "police/spooler.h"
#include "sandbox/sandbox.h"
#include "wire/field.h"

enum {
	/* reports of this run whose receipt line names their input line */
	MAP_MAX = 4096,
	PATH_MAX_LEN = 4096
};

struct mapping {
	uint8_t id[TES_REPORT_ID_LEN];
	char prefix[24];
};

struct tes_deliver {
	const struct tes_deliver_conf *o;
	struct addrinfo *ai; /* the server, resolved before the sandbox; NULL: it could not be */
	char resolve_err[256];
	struct tes_rsa_priv unit;
	uint8_t unit_key[TES_KEYID_LEN];
	struct tes_client c;
	struct tes_pin pin;
	char pw[TES_PASSWORD_MAX + 2];
	char spool_dir[PATH_MAX_LEN];
	int connected;
	int rekeyed;                 /* the last session ended with ALERT rekey: a new one at once */
	unsigned dial_failures;      /* connections refused in a row */
	struct tes_client_ticket tk; /* feed: the ticket of the last login, in memory only */
	uint64_t session_start_ms;   /* feed: when this session was established */
	int down;                    /* the server could not be reached, or the link dropped: send no more */
	int code;                    /* the worst outcome so far (EX_DATAERR for refused input or reports) */
	int fatal;     /* a session failure that stopped sending (EX_NOPERM, EX_PROTOCOL), or 0 */
	size_t added;  /* records this run added to the spool */
	size_t unsent; /* records that could not even be spooled (spool full) */
	size_t nmap;
	struct mapping map[MAP_MAX];
	struct tes_spooler sp;
};

static struct tes_deliver run;

/* see deliver.h */
struct tes_deliver *
tes_deliver_get(void)
{
	return &run;
}

static uint64_t
now(void)
{
	return (uint64_t)time(NULL);
}

/* Map a session error to a one-line message and a sysexits code; 0 for "the server is not there". */
static int
session_error(struct tes_deliver *d, int r)
{
	if (r == TES_ERR_PIN || (r == TES_ERR_NOTFOUND && d->pin.outcome == TES_ERR_NOTFOUND)) {
		if (r == TES_ERR_PIN)
			fprintf(stderr,
				"tes-police: SERVER KEY MISMATCH for %s: it presented %s. Someone may be "
				"intercepting the connection; check 'tes-officer fingerprint' on the "
				"server.\n",
				d->pin.server, d->pin.seen);
		else
			fprintf(stderr,
				"tes-police: unknown server key %s for %s; pass --server-key %s after "
				"checking 'tes-officer fingerprint' on the server, or --trust accept-new\n",
				d->pin.seen, d->pin.server, d->pin.seen);
		return EX_NOPERM;
	}
	if (r == TES_ERR_AUTH || (r == TES_ERR_PEER && d->c.alert == TES_ALERT_AUTH)) {
		fprintf(stderr, "tes-police: authentication refused: is the unit key registered "
				"(tes-officer add-unit) and are user and password right?\n");
		return EX_NOPERM;
	}
	if (r == TES_ERR_PEER && d->c.alert == TES_ALERT_BUSY) {
		fprintf(stderr, "tes-police: %s is busy\n", d->pin.server);
		return 0;
	}
	if (r == TES_ERR_BUSY) { /* LOGIN_RESULT try again: the reports wait in the spool */
		fprintf(stderr, "tes-police: %s: server busy, try again\n", d->pin.server);
		return 0;
	}
	if (r == TES_ERR_CLOSED || r == TES_ERR_TIMEOUT) {
		fprintf(stderr, "tes-police: connection to %s lost: %s\n", d->pin.server, tes_err_str(r));
		return 0;
	}
	fprintf(stderr, "tes-police: session with %s failed: %s\n", d->pin.server, tes_err_str(r));
	return EX_PROTOCOL;
}

/* A handshake the server refused: say why when the cause is known on this side. */
static int
handshake_error(struct tes_deliver *d, int r)
{
	/* The server answers a suite it does not allow with a protocol alert (spec/PROTOCOL.md#handshake). */
	if (r == TES_ERR_PEER && d->c.alert == TES_ALERT_PROTOCOL &&
	    d->o->suite == TES_SUITE_DES_CBC_HMAC_SHA256) {
		fprintf(stderr,
			"tes-police: %s refused the handshake: it does not allow single DES (--cipher des); "
			"use --cipher 3des (the default), or ask its operator for 'serve --allow-des'\n",
			d->pin.server);
		return EX_PROTOCOL;
	}
	return session_error(d, r);
}

/* A new socket to the server. 0, or TES_ERR_CLOSED with d->down set. */
static int
dial(struct tes_deliver *d)
{
	char err[256];

	if (d->ai == NULL) {
		fprintf(stderr, "tes-police: %s\n", d->resolve_err);
		d->down = 1;
		return TES_ERR_CLOSED;
	}
	tes_client_init(&d->c, &d->unit, (uint8_t)d->o->suite, d->o->timeout);
	d->c.ai = d->ai;
	d->c.want_session = d->o->feed;
	if (tes_client_connect(&d->c, d->o->server, err, sizeof err) != 0) {
		/* a feed says it once per outage, not at every try */
		if (d->dial_failures++ == 0 || !d->o->feed)
			fprintf(stderr, "tes-police: %s%s\n", err, d->o->feed ? " (trying again)" : "");
		d->down = 1;
		return TES_ERR_CLOSED;
	}
	d->dial_failures = 0;
	return 0;
}

/*
 * Feed: resume with the ticket of the last login. 0 resumed; 1 the server
 * refused the ticket (it is dropped: log in); TES_ERR_CLOSED when the
 * server cannot be reached; another error with *code the exit code.
 */
static int
resume_session(struct tes_deliver *d, int *code)
{
	int r;

	if ((r = dial(d)) != 0)
		return r;
	/*= spec/PROTOCOL.md#resumption MUST-RS5: resumed, or refused and then a full login */
	if ((r = tes_client_resume(&d->c, &d->tk, tes_pin_check, &d->pin)) == 0) {
		fprintf(stderr, "tes-police: %s: resumed\n", d->pin.server);
		return 0;
	}
	tes_client_close(&d->c);
	if (r == TES_ERR_PEER && d->c.alert == TES_ALERT_AUTH) {
		fprintf(stderr, "tes-police: %s refused the resumption; logging in again\n", d->pin.server);
		TES_WIPE_CTX(&d->tk);
		return 1;
	}
	if ((*code = handshake_error(d, r)) == 0) {
		d->down = 1;
		return TES_ERR_CLOSED;
	}
	return r;
}

/* Feed: keep what the server's SESSION said (the ticket, for the next session). */
static void
keep_session(struct tes_deliver *d)
{
	/*= spec/PROTOCOL.md#session MUST-SE3, spec/SPOOL.md#feed MUST-FD4: the ticket in memory only,
	 *  presented until its lifetime is over */
	d->session_start_ms = tes_time_mono_ms();
	if (!d->c.has_session || d->c.session.ticket_len == 0)
		return;
	d->tk.len = d->c.session.ticket_len;
	memcpy(d->tk.ticket, d->c.session.ticket, d->tk.len);
	memcpy(d->tk.res_secret, d->c.session.res_secret, TES_HASH_LEN);
	/* a minute short of its lifetime: a ticket about to expire is not worth a round trip */
	d->tk.expires = d->session_start_ms + (uint64_t)d->c.session.ticket_lifetime * 1000 -
			(d->c.session.ticket_lifetime > 120 ? 60000 : 0);
}

/*
 * Connect, handshake and log in. 0; TES_ERR_CLOSED when the server cannot be
 * reached now (d->down is set); another error with *code the exit code.
 */
static int
open_session(struct tes_deliver *d, int *code)
{
	int r;

	d->rekeyed = 0;
	if (d->o->feed && d->tk.len > 0 && tes_time_mono_ms() < d->tk.expires) {
		if ((r = resume_session(d, code)) == 0) {
			d->connected = 1;
			keep_session(d);
			return 0;
		}
		if (r != 1)
			return r;
	}
	if ((r = dial(d)) != 0)
		return r;
	if ((r = tes_client_handshake(&d->c, tes_pin_check, &d->pin)) != 0)
		*code = handshake_error(d, r);
	else if ((r = tes_client_login(&d->c, d->o->user, d->pw)) != 0)
		*code = session_error(d, r);
	if (r != 0) {
		tes_client_close(&d->c);
		if (*code == 0) {
			d->down = 1;
			return TES_ERR_CLOSED;
		}
		return r;
	}
	d->connected = 1;
	if (d->o->feed) {
		fprintf(stderr, "tes-police: %s: logged in\n", d->pin.server);
		keep_session(d);
	}
	return 0;
}

static int
load_key(struct tes_deliver *d)
{
	struct tes_rsa_pub pub;
	int r;

	if ((r = tes_keyfile_load_private(&d->unit, d->o->key)) == 0)
		return EX_OK;
	if (r != TES_ERR_NOTFOUND && tes_keyfile_load_public(&pub, d->o->key) == 0) {
		fprintf(stderr,
			"tes-police: %s is a public key; -k takes the unit's private key (the file "
			"keygen wrote beside it, without .pub)\n",
			d->o->key);
		return EX_USAGE;
	}
	fprintf(stderr, "tes-police: cannot load unit key %s: %s%s\n", d->o->key, tes_err_str(r),
		r == TES_ERR_ARG ? " (permissions too open: chmod 600)" : "");
	return r == TES_ERR_NOTFOUND ? EX_NOINPUT : EX_DATAERR;
}

/* The spool's directory: --spool, else KEY.spool beside the unit key. */
static int
spool_dir(const struct tes_deliver_conf *o, char *out, size_t cap)
{
	int n = o->spool != NULL ? snprintf(out, cap, "%s", o->spool)
				 : snprintf(out, cap, "%s.spool", o->key);

	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "tes-police: spool path too long\n");
		return EX_USAGE;
	}
	return EX_OK;
}

/* What opening the spool found, on stderr. */
static void
spool_notes(const struct tes_spooler_info *i, const char *dir)
{
	if (i->torn > 0)
		fprintf(stderr, "tes-police: spool %s: cut %zu bytes of an unfinished write\n", dir, i->torn);
	if (i->quarantined > 0)
		fprintf(stderr, "tes-police: spool %s: %zu bytes that do not decode moved to %s/%s\n", dir,
			i->quarantined, dir, i->quarantine);
	if (i->unusable > 0)
		fprintf(stderr, "tes-police: spool %s: %zu entries do not verify and are kept, not sent\n",
			dir, i->unusable);
}

static int
open_spool(struct tes_deliver *d, int with_password)
{
	char err[512];
	int r;

	if ((r = spool_dir(d->o, d->spool_dir, sizeof d->spool_dir)) != EX_OK)
		return r;
	if ((r = tes_spooler_open(&d->sp, d->spool_dir, &d->unit, now(), err, sizeof err)) != 0) {
		fprintf(stderr, "tes-police: %s\n", err);
		return r == TES_ERR_IO ? EX_CANTCREAT : EX_CONFIG;
	}
	spool_notes(&d->sp.info, d->spool_dir);
	if (with_password &&
	    (r = tes_spooler_password(&d->sp, d->o->user, strlen(d->o->user), d->pw, strlen(d->pw))) != 0) {
		fprintf(stderr, "tes-police: spool key: %s\n", tes_err_str(r));
		return r == TES_ERR_NAME ? EX_USAGE : EX_SOFTWARE;
	}
	return EX_OK;
}

/* Resolve the server; a name that cannot be resolved now is "the server cannot be reached". */
static int
resolve(struct tes_deliver *d)
{
	int r = tes_client_resolve(d->o->server, &d->ai, d->resolve_err, sizeof d->resolve_err);

	if (r == TES_ERR_ARG) {
		fprintf(stderr, "tes-police: %s\n", d->resolve_err);
		return EX_USAGE;
	}
	return EX_OK;
}

/* The password, from --password-file or the terminal (spec/INPUT.md#passwords); EX_OK or an exit code. */
static int
read_password(struct tes_deliver *d)
{
	const char *file = d->o->password_file, *why = NULL;
	int r = tes_cli_password(file, "Password: ", 0, d->pw, sizeof d->pw, &why);

	if (r == 0)
		return EX_OK;
	if (file == NULL)
		fprintf(stderr, "tes-police: cannot read the password: %s%s\n", why,
			r == TES_ERR_NOTFOUND ? " (use --password-file FILE)" : "");
	else
		fprintf(stderr, "tes-police: password file %s: %s\n", file, why);
	return r == TES_ERR_NOTFOUND || r == TES_ERR_IO ? EX_NOINPUT : EX_DATAERR;
}

/* see deliver.h */
int
tes_deliver_open(struct tes_deliver *d, const struct tes_deliver_conf *o)
{
	int r;

	d->o = o;
	d->pin.append_fd = d->pin.tty_fd = -1;
	if (o->key == NULL || o->user == NULL) {
		fprintf(stderr, "tes-police: -k KEY and -u USER are required\n");
		return EX_USAGE;
	}
	if ((r = load_key(d)) != EX_OK)
		return r;
	tes_rsa_keyid(&d->unit.pub, d->unit_key);
	if ((r = read_password(d)) != EX_OK)
		return r;
	d->pin = (struct tes_pin){
		.server = o->server, .expected = o->server_key, .file = o->known, .trust = o->trust
	};
	d->pin.append_fd = d->pin.tty_fd = -1;
	if (o->trust == TES_TRUST_STRICT && o->server_key == NULL && isatty(0))
		d->pin.trust = TES_TRUST_ASK;
	if ((r = resolve(d)) != EX_OK)
		return r;
	if ((r = tes_pin_prepare(&d->pin)) != 0) {
		fprintf(stderr, "tes-police: cannot read known_servers: %s\n", tes_err_str(r));
		return EX_CONFIG;
	}
	if ((r = open_spool(d, 1)) != EX_OK)
		return r;
	/* Key, password, terminal, known_servers and spool open, the server resolved: from here
	 * on the client reads, writes, syncs the spool and (re)connects (sandbox/README.md). */
	if (tes_sandbox_init(TES_SANDBOX_POLICE) != 0 || tes_sandbox_enter(TES_SANDBOX_POLICE) != 0) {
		fprintf(stderr, "tes-police: cannot enter the sandbox\n");
		return EX_OSERR;
	}
	return EX_OK;
}

/* see deliver.h */
int
tes_deliver_refuse(struct tes_deliver *d, const char *prefix, const char *why)
{
	if (prefix[0] == '\0')
		fprintf(stderr, "tes-police: %s\n", why);
	else
		printf("%serror: %s\n", prefix, why);
	d->code = EX_DATAERR;
	return 1;
}

/* Why t cannot be an observation time now. */
static const char *
time_problem(uint64_t t)
{
	if (t < TES_TIME_MIN)
		return "time is before 2020-01-01, which TES does not accept";
	return "time is more than 5 minutes ahead of this unit's clock (check --time, the input's zone "
	       "and the clock)";
}

/* The report's fields from the record, checked; NULL or why not. */
static const char *
fields(struct tes_report *r, const struct tes_batch_rec *rec)
{
	if (tes_field_plate_normalize(rec->plate, rec->plate_len, r->plate, &r->plate_len) != 0)
		return tes_err_str(TES_ERR_PLATE);
	if (tes_field_speed_valid(rec->speed) != 0)
		return tes_err_str(TES_ERR_SPEED);
	r->speed = (uint16_t)rec->speed;
	if (rec->has_limit) {
		if (tes_field_limit_valid(rec->limit) != 0)
			return tes_err_str(TES_ERR_LIMIT);
		r->limit = (uint16_t)rec->limit;
	}
	if (rec->loc_len > 0) {
		if (tes_field_location_valid(rec->loc, rec->loc_len) != 0)
			return tes_err_str(TES_ERR_LOCATION);
		r->loc_len = rec->loc_len;
		memcpy(r->loc, rec->loc, rec->loc_len);
	}
	if (rec->has_time && tes_field_time_valid(rec->time, now()) != 0)
		return time_problem(rec->time);
	r->time = rec->time;
	if (rec->has_id)
		memcpy(r->id, rec->id, TES_REPORT_ID_LEN);
	return NULL;
}

/* Remember which input line a report of this run came from, for its receipt. */
static void
remember(struct tes_deliver *d, const uint8_t id[static TES_REPORT_ID_LEN], const char *prefix)
{
	struct mapping *m;

	if (d->nmap == MAP_MAX)
		return;
	m = &d->map[d->nmap++];
	memcpy(m->id, id, TES_REPORT_ID_LEN);
	snprintf(m->prefix, sizeof m->prefix, "%s", prefix);
}

/* The input line a report of this run came from ("line 12: ", "" for report), or NULL. */
static const char *
line_of(const struct tes_deliver *d, const uint8_t id[static TES_REPORT_ID_LEN])
{
	size_t i;

	for (i = d->nmap; i > 0; i--)
		if (memcmp(d->map[i - 1].id, id, TES_REPORT_ID_LEN) == 0)
			return d->map[i - 1].prefix;
	return NULL;
}

/* see deliver.h */
int
tes_deliver_record(struct tes_deliver *d, const struct tes_batch_rec *rec, const char *prefix)
{
	struct tes_spooler_item it;
	uint8_t h[TES_HASH_LEN], sig[TES_RSA_LEN];
	const char *why;
	int r;

	memset(&it, 0, sizeof it);
	if ((why = fields(&it.r, rec)) != NULL)
		return tes_deliver_refuse(d, prefix, why);
	it.has_id = rec->has_id;
	it.has_time = rec->has_time;
	if ((r = tes_spooler_assign(&d->sp, &it, now())) == TES_ERR_EXISTS)
		return tes_deliver_refuse(d, prefix, "the id waits in the spool with other content");
	if (r != 0) {
		fprintf(stderr, "tes-police: spool: %s\n", tes_err_str(r));
		return EX_SOFTWARE;
	}
	/* the same report already waits (a re-run): its entry will be sent */
	if (it.pending != 0) {
		remember(d, it.r.id, prefix);
		return 0;
	}
	if ((r = tes_digest_report(&it.r, h)) != 0 || (r = tes_rsa_sign(&d->unit, h, sig)) != 0) {
		fprintf(stderr, "tes-police: cannot sign: %s\n", tes_err_str(r));
		return EX_SOFTWARE;
	}
	if ((r = tes_spooler_add(&d->sp, &it, sig, now())) == TES_ERR_SPACE) {
		printf("%serror: the spool is full (%d reports wait): not sent, not spooled\n", prefix,
		       TES_SPOOLER_PENDING_MAX);
		d->unsent++;
		d->code = EX_DATAERR;
		return 1;
	}
	if (r != 0) {
		fprintf(stderr, "tes-police: cannot write the spool in %s: %s\n", d->spool_dir,
			tes_err_str(r));
		return EX_IOERR;
	}
	remember(d, it.r.id, prefix);
	d->added++;
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

/* One receipt line on stdout; the spool status that retires its entry. */
static uint8_t
print_receipt(struct tes_deliver *d, const struct tes_receipt *rc)
{
	static const char *names[] = { "", "QUEUED", "DUPLICATE" };
	char hex[2 * TES_REPORT_ID_LEN + 1];
	const char *prefix = line_of(d, rc->id);

	prefix = prefix != NULL ? prefix : "spooled: ";

	tes_hex_encode(rc->id, TES_REPORT_ID_LEN, hex);
	if (rc->status == TES_RECEIPT_REJECTED) {
		printf("%sreport %s REJECTED %s\n", prefix, hex, reason_text(rc->reason));
		d->code = EX_DATAERR;
		return TES_SPOOL_REJECTED;
	}
	if (rc->status == TES_RECEIPT_CONFLICT) {
		printf("%sreport %s CONFLICT with violation %llu: the id was used before for other content\n",
		       prefix, hex, (unsigned long long)rc->number);
		d->code = EX_DATAERR;
		return TES_SPOOL_CONFLICT;
	}
	printf("%sreport %s violation %llu %s\n", prefix, hex, (unsigned long long)rc->number,
	       names[rc->status]);
	return rc->status == TES_RECEIPT_QUEUED ? TES_SPOOL_QUEUED : TES_SPOOL_DUPLICATE;
}

/*
 * Send one entry: reconnect and resend the same report after a dropped
 * connection, up to --retries times. 0 sent (the receipt printed, the entry
 * retired); TES_ERR_CLOSED when the server cannot be reached (d->down);
 * another error with *code the exit code.
 */
static int
send_entry(struct tes_deliver *d, const struct tes_spooler_entry *e, int *code)
{
	struct tes_receipt rc;
	unsigned failures = 0, rekeys = 0;
	int r = TES_ERR_CLOSED;

	/* --retries counts dropped links; a rekey is the server's request, not a failure (but not for ever) */
	while (failures <= d->o->retries && rekeys <= 3) {
		if (!d->connected && (r = open_session(d, code)) != 0)
			return r;
		if ((r = tes_client_report_signed(&d->c, &e->add.report, e->add.sig, &rc)) == 0)
			break;
		tes_client_close(&d->c);
		d->connected = 0;
		/* a dropped link, a server going away (busy) or asking for new keys (rekey): the same
		 * bytes on a new connection (spec/PROTOCOL.md#rekey) */
		/*= spec/PROTOCOL.md#rekey MUST-K3: after ALERT rekey, a new session and the report again */
		if (r == TES_ERR_PEER && d->c.alert == TES_ALERT_REKEY) {
			d->rekeyed = 1;
			rekeys++;
			continue;
		}
		if (r != TES_ERR_CLOSED && r != TES_ERR_TIMEOUT &&
		    !(r == TES_ERR_PEER && d->c.alert == TES_ALERT_BUSY))
			break;
		failures++;
	}
	if (r != 0) {
		if ((*code = session_error(d, r)) == 0) {
			d->down = 1;
			return TES_ERR_CLOSED;
		}
		return r;
	}
	r = tes_spooler_retire(&d->sp, rc.id, print_receipt(d, &rc), now());
	if (r != 0 && r != TES_ERR_NOTFOUND) {
		fprintf(stderr, "tes-police: cannot write the spool in %s: %s\n", d->spool_dir,
			tes_err_str(r));
		*code = EX_IOERR;
		return r;
	}
	return 0;
}

static void
drop_added(struct tes_deliver *d);

/* Feed: SIGTERM or SIGINT came (the signalfd is readable). */
static int
stop_requested(const struct tes_deliver *d)
{
	struct pollfd p = { .fd = d->o->stop_fd, .events = POLLIN };

	return d->o->feed && d->o->stop_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* see deliver.h */
int
tes_deliver_connect(struct tes_deliver *d, int *code)
{
	int r;

	*code = 0;
	if (d->connected)
		return 0;
	d->down = 0;
	r = open_session(d, code);
	/* as for batch: a refused login drops what this run spooled (its tags are the refused user's) */
	if (r == TES_ERR_AUTH || (r == TES_ERR_PEER && d->c.alert == TES_ALERT_AUTH))
		drop_added(d);
	return r;
}

/* see deliver.h */
int
tes_deliver_fd(const struct tes_deliver *d)
{
	return d->connected ? d->c.fd : -1;
}

/* see deliver.h */
unsigned
tes_deliver_heartbeat_ms(const struct tes_deliver *d)
{
	uint32_t idle = d->c.has_session ? d->c.session.idle_timeout : 30;

	/*= spec/PROTOCOL.md#records MUST-HB2: a heartbeat well before the server's idle timeout */
	return idle >= 3 ? idle * 1000 / 3 : 500;
}

/* see deliver.h */
int
tes_deliver_heartbeat(struct tes_deliver *d)
{
	int r;

	if (!d->connected)
		return TES_ERR_STATE;
	if ((r = tes_client_heartbeat(&d->c)) != 0) {
		d->rekeyed = r == TES_ERR_PEER && d->c.alert == TES_ALERT_REKEY;
		tes_client_close(&d->c);
		d->connected = 0;
	}
	return r;
}

/* see deliver.h */
int
tes_deliver_unsolicited(struct tes_deliver *d)
{
	int r = tes_client_read_alert(&d->c);

	d->rekeyed = r == TES_ERR_PEER && d->c.alert == TES_ALERT_REKEY;
	if (!d->rekeyed)
		fprintf(stderr, "tes-police: connection to %s lost: %s\n", d->pin.server,
			r == TES_ERR_PEER ? "the server ended the session" : tes_err_str(r));
	tes_client_close(&d->c);
	d->connected = 0;
	return d->rekeyed;
}

/* see deliver.h */
int
tes_deliver_failed(const struct tes_deliver *d)
{
	return d->fatal != 0;
}

/* see deliver.h */
int
tes_deliver_rekeyed(const struct tes_deliver *d)
{
	return d->rekeyed;
}

/* see deliver.h */
size_t
tes_deliver_waiting(struct tes_deliver *d)
{
	struct tes_spooler_entry e;
	size_t pos = 0, n = 0;

	while (tes_spooler_next(&d->sp, &pos, &e) == 0)
		n += e.verdict == TES_SPOOLER_MINE;
	return n;
}

/* Login refused: what this run spooled goes (spec/SPOOL.md), the rest stays. */
static void
drop_added(struct tes_deliver *d)
{
	size_t n = 0;

	if (tes_spooler_drop_added(&d->sp, now(), &n) != 0)
		fprintf(stderr, "tes-police: cannot write the spool in %s\n", d->spool_dir);
	else if (n > 0)
		fprintf(stderr, "tes-police: the %zu report%s of this run %s not kept\n", n,
			n == 1 ? "" : "s", n == 1 ? "is" : "are");
}

/* see deliver.h */
int
tes_deliver_flush(struct tes_deliver *d)
{
	struct tes_spooler_entry e;
	size_t pos = 0;
	int code = 0, r;

	if ((r = tes_spooler_sync(&d->sp)) != 0) {
		fprintf(stderr, "tes-police: cannot write the spool in %s: %s\n", d->spool_dir,
			tes_err_str(r));
		return EX_IOERR;
	}
	/*= spec/SPOOL.md#delivery MUST-SP16: the user's verified entries, oldest first, nothing else */
	while (!d->down && tes_spooler_next(&d->sp, &pos, &e) == 0) {
		if (e.verdict != TES_SPOOLER_MINE)
			continue;
		/*= spec/SPOOL.md#feed MUST-FD3: SIGTERM ends a feed after the report in flight */
		if (stop_requested(d))
			break;
		if ((r = send_entry(d, &e, &code)) == 0 || r == TES_ERR_CLOSED)
			continue;
		if (r == TES_ERR_AUTH || (r == TES_ERR_PEER && d->c.alert == TES_ALERT_AUTH)) {
			drop_added(d);
			return code;
		}
		if (code == EX_IOERR)
			return code;
		/* the server key refused, a protocol failure: send no more, but keep spooling
		 * the rest of the input, and exit with that code at the end */
		d->down = 1;
		d->fatal = code;
	}
	return EX_OK;
}

/*
 * What waits: a SPOOLED line for each of this run's reports, and a count on
 * stderr of this user's, other users' and unverifiable entries. The number
 * of this user's entries that wait.
 */
static size_t
say_left(struct tes_deliver *d)
{
	struct tes_spooler_entry e;
	char hex[2 * TES_REPORT_ID_LEN + 1];
	size_t pos = 0, n[4] = { 0 };
	const char *line;

	while (tes_spooler_next(&d->sp, &pos, &e) == 0) {
		n[e.verdict]++;
		if (e.verdict == TES_SPOOLER_MINE && (line = line_of(d, e.add.report.id)) != NULL) {
			tes_hex_encode(e.add.report.id, TES_REPORT_ID_LEN, hex);
			printf("%sreport %s SPOOLED\n", line, hex);
		}
	}
	if (n[TES_SPOOLER_MINE] > 0)
		fprintf(stderr, "tes-police: %zu %s in the spool %s: 'tes-police flush' sends %s\n",
			n[TES_SPOOLER_MINE], n[TES_SPOOLER_MINE] == 1 ? "report waits" : "reports wait",
			d->spool_dir, n[TES_SPOOLER_MINE] == 1 ? "it" : "them");
	if (n[TES_SPOOLER_OTHER] > 0)
		fprintf(stderr, "tes-police: %zu spooled report%s of other users left for them\n",
			n[TES_SPOOLER_OTHER], n[TES_SPOOLER_OTHER] == 1 ? "" : "s");
	if (n[TES_SPOOLER_BAD] > 0)
		fprintf(stderr,
			"tes-police: %zu spooled report%s of user %s do not verify under this password: "
			"not sent, kept (tes-police spool lists them)\n",
			n[TES_SPOOLER_BAD], n[TES_SPOOLER_BAD] == 1 ? "" : "s", d->o->user);
	return n[TES_SPOOLER_MINE];
}

/* see deliver.h */
int
tes_deliver_close(struct tes_deliver *d, int code)
{
	size_t left = d->sp.opened && code != EX_IOERR ? say_left(d) : 0;

	/*= spec/SPOOL.md#delivery MUST-SP17: what waits because the server is away: 75 */
	if (code == EX_OK && d->fatal != 0)
		code = d->fatal;
	else if (code == EX_OK && d->down && d->unsent > 0 && d->added == 0)
		code = EX_UNAVAILABLE;
	else if (code == EX_OK && d->down && left > 0)
		code = EX_TEMPFAIL;
	else if (code == EX_OK)
		code = d->code;
	if (d->connected)
		tes_client_close(&d->c);
	d->connected = 0;
	if (d->sp.opened)
		tes_spooler_close(&d->sp);
	tes_pin_close(&d->pin);
	TES_WIPE_CTX(&d->unit);
	TES_WIPE_CTX(&d->tk);
	TES_WIPE_BUF(d->pw);
	return code;
}

/*
 * The spool of --spool DIR, read without the unit key: nothing written, the
 * retirements unverified (spec/SPOOL.md#listing). Only the listing uses it.
 */
static int
peek_spool(struct tes_deliver *d)
{
	char err[512];
	int r;

	if ((r = spool_dir(d->o, d->spool_dir, sizeof d->spool_dir)) != EX_OK)
		return r;
	if ((r = tes_spooler_peek(&d->sp, d->spool_dir, err, sizeof err)) != 0) {
		fprintf(stderr, "tes-police: %s\n", err);
		return r == TES_ERR_NOTFOUND ? EX_NOINPUT : r == TES_ERR_IO ? EX_IOERR : EX_CONFIG;
	}
	if (d->sp.info.unread > 0)
		fprintf(stderr,
			"tes-police: spool %s: %zu bytes at the end are not whole records (left as they "
			"are)\n",
			d->spool_dir, d->sp.info.unread);
	if (d->sp.info.unusable > 0)
		fprintf(stderr, "tes-police: spool %s: %zu records do not decode\n", d->spool_dir,
			d->sp.info.unusable);
	return EX_OK;
}

/* see deliver.h */
int
tes_deliver_list(const struct tes_deliver_conf *o)
{
	struct tes_deliver *d = &run;
	struct tes_spooler_entry e;
	char line[256];
	size_t pos = 0, n = 0;
	int r;

	d->o = o;
	if (o->key == NULL && o->spool == NULL) {
		fprintf(stderr, "tes-police: -k KEY or --spool DIR is required (the spool to list)\n");
		return EX_USAGE;
	}
	/*= spec/SPOOL.md#listing MUST-SP19: without -k the spool is only read, its retirements unverified */
	if (o->key == NULL)
		r = peek_spool(d);
	else if ((r = load_key(d)) == EX_OK)
		r = open_spool(d, 0);
	if (r != EX_OK)
		goto out;
	while (tes_spooler_next(&d->sp, &pos, &e) == 0) {
		tes_spooler_line(&e, line, sizeof line);
		printf("%s\n", line);
		n++;
	}
	fprintf(stderr, "%zu report%s wait%s in %s%s\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "",
		d->spool_dir,
		o->key != NULL ? ""
			       : " (read without the unit key: retirements not verified; give -k KEY to "
				 "check them)");
	r = EX_OK;
out:
	if (d->sp.opened)
		tes_spooler_close(&d->sp);
	TES_WIPE_CTX(&d->unit);
	return r;
}
