/* SPDX-License-Identifier: ISC */
/*
 * Server key pinning, as ssh does with known_hosts: the fingerprint given by
 * --server-key, or the known_servers file (default
 * $XDG_CONFIG_HOME/tes/known_servers, else ~/.config/tes/known_servers),
 * one "HOST:PORT SHA256:..." line per server. A changed key is refused; an
 * unknown one is asked about on a terminal, accepted only with
 * --trust accept-new when there is none.
 */
#ifndef TES_POLICE_PIN_H
#define TES_POLICE_PIN_H

#include "crypto/rsa.h"

enum tes_trust {
	TES_TRUST_STRICT = 0,
	TES_TRUST_ASK = 1,
	TES_TRUST_ACCEPT_NEW = 2
};

enum {
	TES_PIN_FILE_MAX = 65536
};

struct tes_pin {
	const char *server;   /* HOST:PORT as given */
	const char *expected; /* --server-key, or NULL */
	const char *file;     /* known_servers path, or NULL for the default */
	int trust;
	char seen[TES_FP_STRLEN]; /* fingerprint the server presented */
	int outcome;              /* 0, or why it was refused (for messages) */
	/* filled by tes_pin_prepare, so the check needs no file system access */
	char path[4096];
	char known[TES_PIN_FILE_MAX];
	int append_fd; /* known_servers opened for appending, or -1 */
	int tty_fd;    /* the terminal to ask on, or -1 */
};

/*
 * Open and read everything the check may need (known_servers, the terminal)
 * before the client enters its sandbox. 0 or TES_ERR_*.
 */
int
tes_pin_prepare(struct tes_pin *p);

/* tes_pin_fn for tes_client_handshake: ctx is a prepared struct tes_pin. */
int
tes_pin_check(void *ctx, const struct tes_rsa_pub *server);

/* Close what tes_pin_prepare opened. */
void
tes_pin_close(struct tes_pin *p);

#endif
