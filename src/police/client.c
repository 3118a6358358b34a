/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/io.h"
#include "crypto/handshake.h"
#include "crypto/keysched.h"
#include "crypto/rng.h"
#include "crypto/x25519.h"
#include "police/client.h"
#include "wire/frame.h"

struct hs {
	struct tes_client_hello ch;
	struct tes_server_hello sh;
	struct tes_key_exchange kx;
	uint8_t x_priv[TES_X25519_LEN], pms[TES_PMS_LEN];
	uint8_t ch_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], kx_f[TES_FRAME_MAX], cf_f[TES_FRAME_MAX];
	size_t ch_n, sh_n, kx_n, cf_n;
};

static int
wait_connect(int fd, unsigned timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t l = sizeof(int);
	int e = 0;

	if (poll(&p, 1, (int)timeout * 1000) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
		return errno;
	return e;
}

static int
try_addr(const struct addrinfo *a, unsigned timeout, int *err)
{
	struct timeval tv = { .tv_sec = timeout };
	int one = 1;
	int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 &&
	    (errno != EINPROGRESS || (*err = wait_connect(fd, timeout)) != 0)) {
		if (errno != EINPROGRESS)
			*err = errno;
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	/* KEY_EXCHANGE and FINISHED are two writes: without this, Nagle holds the
	 * second until the server's delayed ACK (40 ms per handshake on Linux) */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

/* see client.h */
int
tes_client_resolve(const char *hostport, struct addrinfo **ai, char *err, size_t cap)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	const char *colon = strrchr(hostport, ':');
	char host[256];
	size_t hl;
	int g;

	*ai = NULL;
	if (colon == NULL || colon == hostport || (hl = (size_t)(colon - hostport)) >= sizeof host) {
		snprintf(err, cap, "bad server address '%s' (expected HOST:PORT)", hostport);
		return TES_ERR_ARG;
	}
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	if ((g = getaddrinfo(host, colon + 1, &hints, ai)) != 0) {
		snprintf(err, cap, "cannot resolve %s: %s", hostport, gai_strerror(g));
		return TES_ERR_ARG;
	}
	return 0;
}

/* see client.h */
int
tes_client_connect(struct tes_client *c, const char *hostport, char *err, size_t cap)
{
	struct addrinfo *own = NULL;
	const struct addrinfo *a;
	int e = 0, r;

	c->fd = -1;
	if (c->ai == NULL && (r = tes_client_resolve(hostport, &own, err, cap)) != 0)
		return r;
	for (a = c->ai != NULL ? c->ai : own; a != NULL && c->fd < 0; a = a->ai_next)
		c->fd = try_addr(a, c->timeout, &e);
	if (own != NULL)
		freeaddrinfo(own);
	if (c->fd < 0) {
		snprintf(err, cap, "cannot connect to %s: %s", hostport, strerror(e));
		return TES_ERR_CLOSED;
	}
	return 0;
}

/* Read one frame; an ALERT is remembered and reported as TES_ERR_PEER. */
static int
expect(struct tes_client *c, uint8_t type, uint8_t *buf, size_t *flen, const uint8_t **p, size_t *plen)
{
	struct tes_frame_hdr h;
	int r;

	if ((r = tes_frame_read(c->fd, buf, &h, p, flen)) != 0)
		return r;
	if (h.type == TES_FRAME_ALERT) {
		if (tes_alert_decode(*p, h.length, &c->alert) != 0)
			c->alert = TES_ALERT_PROTOCOL;
		return TES_ERR_PEER;
	}
	if (h.type != type)
		return TES_ERR_TYPE;
	*plen = h.length;
	return 0;
}

static int
send_hello(struct tes_client *c, struct hs *h)
{
	int r;

	h->ch.suite = c->suite;
	tes_rng_bytes(h->ch.random, TES_RANDOM_LEN);
	memcpy(h->ch.unit_key, c->unit_key, TES_KEYID_LEN);
	if ((r = tes_x25519_keygen(h->x_priv, h->ch.x25519)) != 0 ||
	    (r = tes_hs_ch_frame(&h->ch, h->ch_f, &h->ch_n)) != 0)
		return r;
	return tes_write_full(c->fd, h->ch_f, h->ch_n);
}

static int
recv_hello(struct tes_client *c, struct hs *h, tes_pin_fn pin, void *ctx)
{
	struct tes_rsa_pub server = { 0 };
	const uint8_t *p;
	size_t n;
	int r;

	if ((r = expect(c, TES_FRAME_SERVER_HELLO, h->sh_f, &h->sh_n, &p, &n)) != 0 ||
	    (r = tes_server_hello_decode(p, n, &h->sh)) != 0)
		return r;
	if (h->sh.suite != c->suite)
		return TES_ERR_FORMAT;
	memcpy(server.n, h->sh.n, TES_RSA_LEN);
	memcpy(server.e, h->sh.e, h->sh.e_len);
	server.elen = h->sh.e_len;
	/*= spec/PROTOCOL.md#handshake MUST-H3: the client checks the pinned fingerprint before sending any secret */
	if ((r = tes_rsa_pub_check(&server)) != 0 || (r = pin(ctx, &server)) != 0)
		return r;
	tes_rng_bytes(h->pms, TES_PMS_LEN);
	return tes_rsa_oaep_encrypt(&server, h->pms, TES_PMS_LEN, h->kx.oaep);
}

static int
send_kx(struct tes_client *c, struct hs *h, struct tes_session_keys *k)
{
	uint8_t th[TES_HASH_LEN], ecdh[TES_X25519_LEN], fin[TES_FINISHED_LEN];
	size_t used;
	int r;

	tes_hs_unit_auth_hash(h->ch_f, h->ch_n, h->sh_f, h->sh_n, h->kx.oaep, th);
	if ((r = tes_rsa_sign(c->unit, th, h->kx.sig)) != 0 || (r = tes_hs_kx_frame(&h->kx, h->kx_f, &h->kx_n)) != 0 ||
	    (r = tes_x25519_shared(ecdh, h->x_priv, h->sh.x25519)) != 0)
		goto out;
	tes_hs_hash(h->ch_f, h->ch_n, h->sh_f, h->sh_n, h->kx_f, h->kx_n, NULL, 0, th);
	tes_keysched_derive(h->pms, ecdh, th, k);
	tes_keysched_finished(k->c_fin, th, fin);
	if ((r = tes_frame_encode(h->cf_f, sizeof h->cf_f, TES_FRAME_FINISHED, fin, sizeof fin, &used)) != 0)
		goto out;
	h->cf_n = used;
	if ((r = tes_write_full(c->fd, h->kx_f, h->kx_n)) == 0)
		r = tes_write_full(c->fd, h->cf_f, h->cf_n);
out:
	TES_WIPE_BUF(ecdh);
	return r;
}

static int
recv_finished(struct tes_client *c, struct hs *h, const struct tes_session_keys *k)
{
	uint8_t buf[TES_FRAME_MAX], th[TES_HASH_LEN], fin[TES_FINISHED_LEN];
	struct tes_finished sf;
	const uint8_t *p;
	size_t flen, n;
	int r;

	if ((r = expect(c, TES_FRAME_FINISHED, buf, &flen, &p, &n)) != 0 ||
	    (r = tes_finished_decode(p, n, &sf)) != 0)
		return r;
	tes_hs_hash(h->ch_f, h->ch_n, h->sh_f, h->sh_n, h->kx_f, h->kx_n, h->cf_f, h->cf_n, th);
	tes_keysched_finished(k->s_fin, th, fin);
	/*= spec/PROTOCOL.md#handshake MUST-H7: server Finished proves the server holds the pinned key */
	return tes_ct_eq(fin, sf.mac, TES_FINISHED_LEN) == 0 ? 0 : TES_ERR_MAC;
}

/* see client.h */
int
tes_client_handshake(struct tes_client *c, tes_pin_fn pin, void *ctx)
{
	static struct hs h;
	struct tes_session_keys k;
	int r;

	memset(&h, 0, sizeof h);
	if ((r = send_hello(c, &h)) != 0 || (r = recv_hello(c, &h, pin, ctx)) != 0 ||
	    (r = send_kx(c, &h, &k)) != 0 || (r = recv_finished(c, &h, &k)) != 0)
		goto out;
	tes_record_dir_init(&c->tx, c->suite, k.c2s_enc, k.c2s_mac);
	tes_record_dir_init(&c->rx, c->suite, k.s2c_enc, k.s2c_mac);
	c->established = 1;
out:
	TES_WIPE_CTX(&k);
	TES_WIPE_CTX(&h);
	return r;
}

static int
send_record(struct tes_client *c, const uint8_t *plain, size_t n)
{
	uint8_t frame[TES_FRAME_MAX];
	size_t used;
	int r;

	if ((r = tes_record_seal(&c->tx, plain, n, frame, sizeof frame, &used)) != 0)
		return r;
	return tes_write_full(c->fd, frame, used);
}

static int
recv_record(struct tes_client *c, uint8_t *plain, size_t cap, size_t *n)
{
	uint8_t frame[TES_FRAME_MAX];
	const uint8_t *p;
	size_t flen, plen;
	int r;

	if ((r = expect(c, TES_FRAME_RECORD, frame, &flen, &p, &plen)) != 0)
		return r;
	return tes_record_open(&c->rx, frame, p, plen, plain, cap, n);
}

/* see client.h */
int
tes_client_login(struct tes_client *c, const char *user, const char *pw)
{
	struct tes_login l = { 0 };
	uint8_t buf[TES_RECORD_MAX_PLAIN], ok;
	size_t n;
	int r;

	l.user_len = (uint8_t)strlen(user);
	l.pw_len = (uint8_t)strlen(pw);
	if (l.user_len > TES_NAME_MAX || l.pw_len > TES_PASSWORD_MAX)
		return TES_ERR_ARG;
	memcpy(l.user, user, l.user_len);
	memcpy(l.pw, pw, l.pw_len);
	if ((r = tes_login_encode(&l, buf, sizeof buf, &n)) != 0 || (r = send_record(c, buf, n)) != 0 ||
	    (r = recv_record(c, buf, sizeof buf, &n)) != 0 || (r = tes_login_result_decode(buf, n, &ok)) != 0)
		goto out;
	r = ok ? 0 : TES_ERR_AUTH;
out:
	TES_WIPE_CTX(&l);
	tes_wipe(buf, sizeof buf);
	return r;
}

/* see client.h */
int
tes_client_report(struct tes_client *c, const struct tes_report *rep, struct tes_receipt *rc)
{
	uint8_t h[TES_HASH_LEN], sig[TES_RSA_LEN];
	int r;

	if ((r = tes_report_digest(rep, h)) != 0 || (r = tes_rsa_sign(c->unit, h, sig)) != 0)
		return r;
	return tes_client_report_signed(c, rep, sig, rc);
}

/* see client.h */
int
tes_client_report_signed(struct tes_client *c, const struct tes_report *rep, const uint8_t sig[static TES_RSA_LEN],
			 struct tes_receipt *rc)
{
	uint8_t buf[TES_RECORD_MAX_PLAIN];
	size_t n;
	int r;

	if ((r = tes_report_msg_encode(rep, sig, buf, sizeof buf, &n)) != 0 || (r = send_record(c, buf, n)) != 0 ||
	    (r = recv_record(c, buf, sizeof buf, &n)) != 0 || (r = tes_receipt_decode(buf, n, rc)) != 0)
		return r;
	return memcmp(rc->id, rep->id, TES_REPORT_ID_LEN) == 0 ? 0 : TES_ERR_FORMAT;
}

/* see client.h */
void
tes_client_init(struct tes_client *c, const struct tes_rsa_priv *unit, uint8_t suite, unsigned timeout)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout = timeout;
	c->suite = suite;
	c->unit = unit;
	tes_rsa_keyid(&unit->pub, c->unit_key);
}

/* see client.h */
int
tes_client_pin_fp(void *ctx, const struct tes_rsa_pub *server)
{
	char fp[TES_FP_STRLEN];

	tes_rsa_fingerprint(server, fp);
	return strcmp(fp, (const char *)ctx) == 0 ? 0 : TES_ERR_PIN;
}

/* see client.h */
void
tes_client_close(struct tes_client *c)
{
	uint8_t bye = TES_INNER_BYE;

	if (c->fd >= 0) {
		if (c->established && !c->tx.failed)
			(void)send_record(c, &bye, 1);
		close(c->fd);
	}
	c->fd = -1;
	c->established = 0;
	tes_record_dir_wipe(&c->tx);
	tes_record_dir_wipe(&c->rx);
}
