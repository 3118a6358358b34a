/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/cur.h"
#include "common/err.h"
#include "common/io.h"
#include "common/log.h"
#include "officer/cmd.h"
#include "officer/control.h"
#include "officer/spawn.h"

static int
sock_path(const char *dir, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof sa->sun_path, "%s/control.sock", dir) >=
	    sizeof sa->sun_path)
		return TES_ERR_TOOLONG;
	return 0;
}

/* see control.h */
int
tes_control_listen(const char *dir, char *err, size_t cap)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd;

	if (sock_path(dir, &sa) != 0) {
		snprintf(err, cap, "data directory path too long for %s/control.sock", dir);
		return -1;
	}
	unlink(sa.sun_path); /* stale socket: we hold the lock, so no server owns it */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		goto fail;
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(fd, 16) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, cap, "cannot create %s: %s", sa.sun_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* see control.h */
void
tes_control_close(const char *dir, int fd)
{
	struct sockaddr_un sa;

	close(fd);
	if (sock_path(dir, &sa) == 0)
		unlink(sa.sun_path);
}

static int
parse_request(const uint8_t *buf, size_t n, int *argc, char **argv)
{
	struct tes_cur c;
	uint16_t k, len, i;
	int r;

	tes_cur_init_rd(&c, buf, n);
	if ((r = tes_cur_get_u16be(&c, &k)) != 0)
		return r;
	if (k < 1 || k > TES_CONTROL_ARGS)
		return TES_ERR_FORMAT;
	for (i = 0; i < k; i++) {
		const uint8_t *v;

		if ((r = tes_cur_get_u16be(&c, &len)) != 0 || (r = tes_cur_get_view(&c, &v, len)) != 0)
			return r;
		if ((argv[i] = strndup((const char *)v, len)) == NULL || strlen(argv[i]) != len)
			return TES_ERR_FORMAT;
	}
	*argc = k;
	argv[k] = NULL;
	return tes_cur_left(&c) == 0 ? 0 : TES_ERR_FORMAT;
}

static int
send_blob(int fd, const char *p, size_t n)
{
	uint8_t len[4];
	int r;

	tes_cur_enc32be(len, (uint32_t)n);
	if ((r = tes_io_write_full(fd, len, 4)) != 0)
		return r;
	return tes_io_write_full(fd, p, n);
}

static void
answer(int fd, struct tes_db *db, uid_t caller, int argc, char **argv)
{
	char *ob = NULL, *eb = NULL;
	size_t on = 0, en = 0;
	FILE *out = open_memstream(&ob, &on), *err = open_memstream(&eb, &en);
	uint8_t code;

	if (out == NULL || err == NULL)
		tes_log_fatal("out of memory");
	code = (uint8_t)tes_cmd_exec(db, caller, argc, argv, out, err);
	fclose(out);
	fclose(err);
	if (tes_io_write_full(fd, &code, 1) == 0 && send_blob(fd, ob, on) == 0)
		(void)send_blob(fd, eb, en);
	free(ob);
	free(eb);
}

/* see control.h */
int
tes_control_streamed(const char *cmd)
{
	return strcmp(cmd, "export") == 0;
}

static int
send_frame(int fd, uint8_t kind, const void *p, size_t n)
{
	uint8_t hdr[5] = { kind };
	int r;

	tes_cur_enc32be(hdr + 1, (uint32_t)n);
	if ((r = tes_io_write_full(fd, hdr, sizeof hdr)) != 0)
		return r;
	return n > 0 ? tes_io_write_full(fd, p, n) : 0;
}

/* A stdio stream whose every flush is one frame of its kind on the control socket. */
struct sink {
	int fd;
	uint8_t kind;
};

static ssize_t
sink_write(void *cookie, const char *p, size_t n)
{
	const struct sink *s = cookie;

	return send_frame(s->fd, s->kind, p, n) == 0 ? (ssize_t)n : -1;
}

/*
 * A streamed command, in a child forked from the server (tes_spawn_reader):
 * its output leaves in frames of TES_CONTROL_STREAM_BUF bytes at most as it
 * is made, then the END frame with the exit code. A client that stops
 * reading for TES_CONTROL_STREAM_TIMEOUT seconds ends it.
 */
static void
stream(int fd, struct tes_db *db, uid_t caller, int argc, char **argv)
{
	static const cookie_io_functions_t io = { .write = sink_write };
	struct timeval tv = { .tv_sec = TES_CONTROL_STREAM_TIMEOUT };
	struct sink so = { fd, TES_CONTROL_OUT }, se = { fd, TES_CONTROL_ERR };
	FILE *out, *err;
	uint8_t code;

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if ((out = fopencookie(&so, "w", io)) == NULL || (err = fopencookie(&se, "w", io)) == NULL ||
	    setvbuf(out, NULL, _IOFBF, TES_CONTROL_STREAM_BUF) != 0)
		_exit(1);
	/*= spec/EXPORT.md#memory MUST-EX7: the rows leave as they are made, never gathered */
	code = (uint8_t)tes_cmd_exec(db, caller, argc, argv, out, err);
	if (fflush(out) != 0 || fflush(err) != 0)
		_exit(1);
	(void)send_frame(fd, TES_CONTROL_END, &code, 1);
}

/* see control.h */
void
tes_control_serve(int lfd, struct tes_db *db)
{
	struct timeval tv = { .tv_sec = 5 };
	struct ucred cred;
	socklen_t cl = sizeof cred;
	uint8_t hdr[4], *buf = NULL;
	char *argv[TES_CONTROL_ARGS + 1] = { 0 };
	uint32_t n;
	int fd, argc = 0, i;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
	    (cred.uid != getuid() && cred.uid != 0)) {
		tes_log(TES_LOG_WARN, "control: request from another user refused");
		goto out;
	}
	if (tes_io_read_full(fd, hdr, 4) != 0 || (n = tes_cur_dec32be(hdr)) > TES_CONTROL_MAX ||
	    (buf = malloc(n + 1)) == NULL || tes_io_read_full(fd, buf, n) != 0 ||
	    parse_request(buf, n, &argc, argv) != 0) {
		tes_log(TES_LOG_WARN, "control: malformed request");
		goto out;
	}
	/* output without a bound: streamed from a child that reads the store, so the server goes on */
	if (tes_control_streamed(argv[0])) {
		static const char nofork[] = "the server cannot start a reader for it\n";
		pid_t pid = tes_spawn_reader(db, fd);
		uint8_t code = EX_OSERR;

		if (pid == 0) {
			stream(fd, db, cred.uid, argc, argv);
			_exit(0);
		}
		if (pid > 0)
			tes_log(TES_LOG_INFO, "control: %s running in process %d", argv[0], (int)pid);
		else if (send_frame(fd, TES_CONTROL_ERR, nofork, strlen(nofork)) == 0)
			(void)send_frame(fd, TES_CONTROL_END, &code, 1);
		goto out;
	}
	/* a whole-store check reads the whole journal: in a child, so the server goes on meanwhile */
	if (strcmp(argv[0], "verify") == 0) {
		pid_t pid = tes_spawn_reader(db, fd);

		if (pid == 0) {
			answer(fd, db, cred.uid, argc, argv);
			_exit(0);
		}
		if (pid > 0) {
			tes_log(TES_LOG_INFO, "control: verify running in process %d", (int)pid);
			goto out;
		}
	}
	answer(fd, db, cred.uid, argc, argv);
out:
	for (i = 0; i < TES_CONTROL_ARGS; i++)
		free(argv[i]);
	free(buf);
	close(fd);
}

static int
recv_blob(int fd, FILE *to)
{
	uint8_t len[4], buf[4096];
	uint32_t n, k;
	int r;

	if ((r = tes_io_read_full(fd, len, 4)) != 0)
		return r;
	for (n = tes_cur_dec32be(len); n > 0; n -= k) {
		k = n > sizeof buf ? sizeof buf : n;
		if ((r = tes_io_read_full(fd, buf, k)) != 0)
			return r;
		fwrite(buf, 1, k, to);
	}
	return 0;
}

/* The frames of a streamed answer, copied as they come; *code from the END frame. */
static int
recv_frames(int fd, int *code)
{
	uint8_t hdr[5], buf[4096];
	uint32_t n, k;
	int r, failed = 0;

	for (;;) {
		if ((r = tes_io_read_full(fd, hdr, sizeof hdr)) != 0)
			return r;
		n = tes_cur_dec32be(hdr + 1);
		if (hdr[0] == TES_CONTROL_END) {
			if (n != 1 || (r = tes_io_read_full(fd, buf, 1)) != 0)
				return TES_ERR_FORMAT;
			*code = failed ? EX_IOERR : buf[0];
			return 0;
		}
		if (hdr[0] != TES_CONTROL_OUT && hdr[0] != TES_CONTROL_ERR)
			return TES_ERR_FORMAT;
		for (; n > 0; n -= k) {
			k = n > sizeof buf ? sizeof buf : n;
			if ((r = tes_io_read_full(fd, buf, k)) != 0)
				return r;
			if (hdr[0] == TES_CONTROL_ERR)
				fwrite(buf, 1, k, stderr);
			else if (!failed && fwrite(buf, 1, k, stdout) != k)
				failed = 1;
		}
		if (failed) {
			/* the reader sees the socket close and stops */
			fprintf(stderr, "tes-officer: cannot write the output\n");
			*code = EX_IOERR;
			return 0;
		}
	}
}

static int
build_request(int argc, char **argv, uint8_t *buf, size_t cap, size_t *used)
{
	struct tes_cur c;
	size_t len;
	int i, r;

	tes_cur_init_wr(&c, buf, cap);
	if ((r = tes_cur_put_u32be(&c, 0)) != 0 || (r = tes_cur_put_u16be(&c, (uint16_t)argc)) != 0)
		return r;
	for (i = 0; i < argc; i++) {
		len = strlen(argv[i]);
		if (len > 0xffff || (r = tes_cur_put_u16be(&c, (uint16_t)len)) != 0 ||
		    (r = tes_cur_put_bytes(&c, (const uint8_t *)argv[i], len)) != 0)
			return TES_ERR_TOOLONG;
	}
	tes_cur_enc32be(buf, (uint32_t)(c.off - 4));
	*used = c.off;
	return 0;
}

/* see control.h */
int
tes_control_call(const char *dir, int argc, char **argv, int *code)
{
	static uint8_t buf[TES_CONTROL_MAX + 4];
	struct sockaddr_un sa;
	size_t n;
	uint8_t c;
	int fd, r;

	if (argc < 1 || argc > TES_CONTROL_ARGS)
		return TES_ERR_ARG;
	if ((r = sock_path(dir, &sa)) != 0 || (r = build_request(argc, argv, buf, sizeof buf, &n)) != 0)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return TES_ERR_IO;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return TES_ERR_CLOSED;
	}
	if ((r = tes_io_write_full(fd, buf, n)) == 0 && tes_control_streamed(argv[0])) {
		if ((r = recv_frames(fd, code)) == 0 && *code == EX_OK && fflush(stdout) != 0) {
			fprintf(stderr, "tes-officer: cannot write the output\n");
			*code = EX_IOERR;
		}
	} else if (r == 0 && (r = tes_io_read_full(fd, &c, 1)) == 0 && (r = recv_blob(fd, stdout)) == 0 &&
		   (r = recv_blob(fd, stderr)) == 0)
		*code = c;
	close(fd);
	return r;
}
