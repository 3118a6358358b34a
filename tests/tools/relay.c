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
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN); /* a side that closes ends the pump; it does not kill the relay */
	if (argc >= 4 && strcmp(argv[1], "proxy") == 0)
		return proxy(argc, argv);
	if (argc == 4 && strcmp(argv[1], "replay") == 0)
		return replay(argv);
	fprintf(stderr, "usage: relay proxy PORT HOST:PORT [-c OFF:BIT] [-s OFF:BIT] [-w FILE] | "
			"relay replay FILE HOST:PORT\n");
	return 2;
}
