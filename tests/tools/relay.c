/* SPDX-License-Identifier: ISC */
/*
 * Test tool: a man in the middle on loopback.
 *
 *   relay proxy PORT HOST:PORT [-c OFF:BIT] [-s OFF:BIT] [-w C2S_FILE] [-C N] [-S N]
 *       accept one connection on 127.0.0.1:PORT, connect to HOST:PORT and pump
 *       bytes both ways; -c / -s flip bit BIT of the byte at absolute offset OFF
 *       of the client->server / server->client stream; -w records the
 *       client->server stream; -C / -S pass only the first N bytes of the
 *       client->server / server->client stream and swallow the rest, keeping
 *       both connections open (a link that stalls at a chosen byte). Prints
 *       "ready" once listening, "held" when a limit is first reached.
 *   relay replay FILE HOST:PORT
 *       send FILE's bytes to HOST:PORT, read until the server closes, print how
 *       many bytes came back.
 *   relay frames PORT HOST:PORT LOG CTL
 *       accept any number of connections on 127.0.0.1:PORT, each relayed to the
 *       target (HOST:PORT, or the last "target HOST:PORT" line of CTL when the
 *       connection comes) in a process of its own. It knows the TES frame header
 *       (0x54, 0x01, type, 0, u16 length) and appends to LOG one line per event:
 *         conn N accept | conn N target HOST:PORT | conn N connect failed
 *         conn N c2s|s2c I type T len L     (the I-th frame in that direction)
 *         conn N cut RULE | conn N closed
 *       CTL (read at each accept; it may be missing) holds rules for the Nth
 *       connection (1 = the first since start; lines of other forms are ignored):
 *         cut N accept                      close it as soon as it is accepted
 *         cut N c2s|s2c TYPE|any K after    close both sides after relaying the
 *                                           K-th frame of TYPE in that direction
 *         cut N c2s|s2c TYPE|any K mid      relay the header and half of its
 *                                           payload, then close both sides
 *       A cut closes the client side at once; the server side is drained for
 *       0.3 s then closed, so what the server sends after the cut is lost.
 *       SIGUSR1 to the relay cuts every connection open at that moment (logged
 *       "cut signal"). Prints "ready" once listening.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int
dial(const char *hp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	const char *c = strrchr(hp, ':');
	int fd;

	if (c == NULL || (size_t)(c - hp) >= sizeof host)
		exit(2);
	memcpy(host, hp, (size_t)(c - hp));
	host[c - hp] = '\0';
	sa.sin_port = htons((uint16_t)atoi(c + 1));
	inet_pton(AF_INET, host, &sa.sin_addr);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static int
pump(int from, int to, long *off, long flip_off, int flip_bit, FILE *rec, long limit)
{
	unsigned char buf[65536];
	ssize_t n = read(from, buf, sizeof buf), pass;

	if (n <= 0)
		return -1;
	if (flip_off >= *off && flip_off < *off + n)
		buf[flip_off - *off] ^= (unsigned char)(1u << flip_bit);
	if (rec != NULL)
		fwrite(buf, 1, (size_t)n, rec);
	pass = limit < 0 || *off + n <= limit ? n : limit > *off ? limit - *off : 0;
	if (pass < n && (limit < 0 || *off <= limit)) {
		printf("held\n");
		fflush(stdout);
	}
	*off += n;
	return pass == 0 || write(to, buf, (size_t)pass) == pass ? 0 : -1;
}

static void
parse_flip(const char *s, long *off, int *bit)
{
	if (sscanf(s, "%ld:%d", off, bit) != 2 || *bit < 0 || *bit > 7)
		exit(2);
}

static int
proxy(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long coff = 0, soff = 0, cflip = -1, sflip = -1, climit = -1, slimit = -1;
	int cbit = 0, sbit = 0, one = 1, l, c, s, i;
	FILE *rec = NULL;
	struct pollfd p[2];

	for (i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-c") == 0)
			parse_flip(argv[i + 1], &cflip, &cbit);
		else if (strcmp(argv[i], "-s") == 0)
			parse_flip(argv[i + 1], &sflip, &sbit);
		else if (strcmp(argv[i], "-w") == 0)
			rec = fopen(argv[i + 1], "w");
		else if (strcmp(argv[i], "-C") == 0)
			climit = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-S") == 0)
			slimit = atol(argv[i + 1]);
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 1) != 0) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* never wait forever for a client that gave up before connecting */
	p[0] = (struct pollfd){ .fd = l, .events = POLLIN };
	if (poll(p, 1, 10000) != 1 || (c = accept(l, NULL, NULL)) < 0)
		return 1;
	s = dial(argv[3]);
	p[0] = (struct pollfd){ .fd = c, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = s, .events = POLLIN };
	while (poll(p, 2, 30000) > 0) {
		if ((p[0].revents & (POLLIN | POLLHUP)) && pump(c, s, &coff, cflip, cbit, rec, climit) != 0)
			break;
		if ((p[1].revents & (POLLIN | POLLHUP)) && pump(s, c, &soff, sflip, sbit, NULL, slimit) != 0)
			break;
	}
	if (rec != NULL)
		fclose(rec);
	printf("c2s %ld s2c %ld\n", coff, soff);
	return 0;
}

static int
replay(char **argv)
{
	unsigned char buf[65536];
	FILE *f = fopen(argv[2], "r");
	size_t n;
	ssize_t k;
	long back = 0;
	int s;

	if (f == NULL)
		return 2;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	s = dial(argv[3]);
	if (write(s, buf, n) != (ssize_t)n)
		perror("write");
	shutdown(s, SHUT_WR);
	while ((k = read(s, buf, sizeof buf)) > 0)
		back += k;
	printf("sent %zu received %ld\n", n, back);
	return 0;
}

/* --- relay frames ------------------------------------------------------- */

struct rule {
	int dir;  /* 0 c2s, 1 s2c, -1 on accept, -2 none */
	int type; /* frame type, 0 = any */
	long k;   /* the K-th frame of that type in that direction */
	int mid;  /* cut in the middle of it */
};

static int logfd = -1;
static int conn_no;
static volatile sig_atomic_t cut_now;
static pid_t kids[1024];
static size_t nkids;

static void
on_usr1(int sig)
{
	size_t i;

	(void)sig;
	cut_now = 1;
	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGUSR1);
}

static void
evlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
evlog(const char *fmt, ...)
{
	char line[256];
	int n = snprintf(line, sizeof line, "conn %d ", conn_no), m;
	va_list ap;

	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m < (int)(sizeof line - (size_t)n - 1) ? m : (int)(sizeof line - (size_t)n - 2);
	line[n++] = '\n';
	if (write(logfd, line, (size_t)n) != n)
		return;
}

/* The target and this connection's rule, from CTL as it is now. */
static void
read_ctl(const char *ctl, int n, char *target, size_t cap, struct rule *r)
{
	char line[256], dir[8], type[16], when[8];
	FILE *f = fopen(ctl, "r");
	int cn;
	long k;

	r->dir = -2;
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "target ", 7) == 0 && strlen(line + 7) < cap)
			strcpy(target, line + 7);
		else if (sscanf(line, "cut %d accept", &cn) == 1 && strstr(line, "accept") != NULL && cn == n)
			r->dir = -1;
		else if (sscanf(line, "cut %d %7s %15s %ld %7s", &cn, dir, type, &k, when) == 5 && cn == n) {
			r->dir = strcmp(dir, "s2c") == 0;
			r->type = strcmp(type, "any") == 0 ? 0 : atoi(type);
			r->k = k;
			r->mid = strcmp(when, "mid") == 0;
		}
	}
	fclose(f);
}

static int
dial_quiet(const char *hp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	const char *c = strrchr(hp, ':');
	int fd;

	if (c == NULL || (size_t)(c - hp) >= sizeof host)
		return -1;
	memcpy(host, hp, (size_t)(c - hp));
	host[c - hp] = '\0';
	sa.sin_port = htons((uint16_t)atoi(c + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Frame tracking of one direction. */
struct dirstate {
	unsigned char hdr[6];
	int have;          /* header bytes seen of the current frame */
	int raw;           /* not TES: relayed as it is, no more parsing */
	long rem;          /* payload bytes still to come */
	long cut_after;    /* payload bytes left to relay before a mid cut, -1 none */
	int cut_at_end;    /* cut when the current frame ends */
	long frames;       /* frames seen */
	long of_type[256]; /* frames seen per type */
};

static size_t
cut_here(struct dirstate *d, int dir, const char *how, size_t i, int *cut)
{
	evlog("cut %s type %d frame %ld %s", dir ? "s2c" : "c2s", d->hdr[2], d->frames, how);
	*cut = 1;
	return i + 1;
}

/* Bytes of buf[0..n-1] to relay: n, or fewer when a rule cuts (*cut = 1) inside. */
static size_t
track(struct dirstate *d, int dir, const struct rule *r, const unsigned char *buf, size_t n, int *cut)
{
	size_t i;

	*cut = 0;
	for (i = 0; i < n && !d->raw; i++) {
		if (d->have < 6) {
			d->hdr[d->have++] = buf[i];
			if (d->have < 6)
				continue;
			d->rem = (long)d->hdr[4] << 8 | d->hdr[5];
			d->frames++;
			d->of_type[d->hdr[2]]++;
			evlog("%s %ld type %d len %ld", dir ? "s2c" : "c2s", d->frames, d->hdr[2], d->rem);
			if (d->hdr[0] != 0x54) {
				d->raw = 1;
				break;
			}
			if (r->dir == dir && (r->type == 0 ? d->frames : d->of_type[d->hdr[2]]) == r->k &&
			    (r->type == 0 || r->type == d->hdr[2])) {
				if (r->mid)
					d->cut_after = d->rem / 2;
				else
					d->cut_at_end = 1;
			}
			if (d->cut_after == 0)
				return cut_here(d, dir, "mid", i, cut);
		} else {
			d->rem--;
			if (d->cut_after > 0 && --d->cut_after == 0)
				return cut_here(d, dir, "mid", i, cut);
		}
		if (d->rem == 0) {
			d->have = 0;
			if (d->cut_at_end)
				return cut_here(d, dir, "after", i, cut);
		}
	}
	return n;
}

static void
serve_conn(int c, const char *target, const struct rule *r)
{
	static struct dirstate d[2];
	unsigned char buf[65536];
	struct pollfd p[2];
	int s, fd[2], i, cut = 0;

	evlog("target %s", target);
	if ((s = dial_quiet(target)) < 0) {
		evlog("connect failed");
		close(c);
		return;
	}
	memset(d, 0, sizeof d);
	d[0].cut_after = d[1].cut_after = -1;
	fd[0] = c;
	fd[1] = s;
	p[0] = (struct pollfd){ .fd = c, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = s, .events = POLLIN };
	for (;;) {
		if (cut_now) {
			evlog("cut signal");
			cut = 1;
		}
		if (cut || (poll(p, 2, -1) < 0 && errno != EINTR))
			break;
		if (cut_now)
			continue;
		for (i = 0; i < 2 && !cut; i++) {
			ssize_t n;
			size_t pass;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((n = read(fd[i], buf, sizeof buf)) <= 0) {
				evlog("closed by the %s", i ? "server" : "client");
				cut = 2;
				break;
			}
			pass = track(&d[i], i, r, buf, (size_t)n, &cut);
			if (pass > 0 && write(fd[1 - i], buf, pass) != (ssize_t)pass)
				cut = 2;
		}
	}
	close(c);
	if (cut == 1) { /* drain what the server still says, then close: it is lost */
		struct pollfd q = { .fd = s, .events = POLLIN };
		int left = 3;

		while (left-- > 0 && poll(&q, 1, 100) >= 0)
			if ((q.revents & POLLIN) && read(s, buf, sizeof buf) <= 0)
				break;
	}
	close(s);
	evlog("closed");
}

static int
frames(char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sigaction chld = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
	struct sigaction usr1 = { .sa_handler = on_usr1 }; /* no SA_RESTART: poll and accept return */
	int one = 1, l, c;

	sigaction(SIGCHLD, &chld, NULL);
	sigaction(SIGUSR1, &usr1, NULL);
	if ((logfd = open(argv[4], O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0) {
		perror(argv[4]);
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 16) != 0) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		char target[128];
		struct rule r;
		pid_t pid;

		cut_now = 0;
		if ((c = accept(l, NULL, NULL)) < 0)
			continue;
		conn_no++;
		snprintf(target, sizeof target, "%s", argv[3]);
		read_ctl(argv[5], conn_no, target, sizeof target, &r);
		evlog("accept");
		if (r.dir == -1) {
			evlog("cut accept");
			close(c);
			evlog("closed");
			continue;
		}
		if ((pid = fork()) == 0) {
			cut_now = 0;
			nkids = 0;
			prctl(PR_SET_PDEATHSIG, SIGKILL); /* the relay's end ends its connections */
			close(l);
			serve_conn(c, target, &r);
			_exit(0);
		}
		if (pid > 0) { /* remember it for SIGUSR1; slots of ended ones are reused */
			size_t i;

			for (i = 0; i < nkids && kill(kids[i], 0) == 0; i++)
				;
			if (i < sizeof kids / sizeof kids[0]) {
				kids[i] = pid;
				nkids += i == nkids;
			}
		}
		close(c);
	}
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN); /* a side that closes ends the pump; it does not kill the relay */
	if (argc >= 4 && strcmp(argv[1], "proxy") == 0)
		return proxy(argc, argv);
	if (argc == 4 && strcmp(argv[1], "replay") == 0)
		return replay(argv);
	if (argc == 6 && strcmp(argv[1], "frames") == 0)
		return frames(argv);
	fprintf(stderr, "usage: relay proxy PORT HOST:PORT [-c OFF:BIT] [-s OFF:BIT] [-w FILE] | "
			"relay replay FILE HOST:PORT | relay frames PORT HOST:PORT LOG CTL\n");
	return 2;
}
