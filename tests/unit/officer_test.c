/* SPDX-License-Identifier: ISC */
/*
 * Login rate limiting, the master's worker pools (password checks and
 * report signature checks), and how a parser child is started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "crypto/passwd.h"
#include "crypto/rsa.h"
#include "officer/pool.h"
#include "officer/ratelimit.h"
#include "officer/sigcheck.h"
#include "officer/spawn.h"
#include "officer/verifier.h"
#include "sandbox/sandbox.h"
#include "tap.h"

static struct tes_ratelimit rl;

static void
test_ratelimit(void)
{
	int i, blocked_early = 0;
	uint64_t t0 = tes_ratelimit_now();
	char last[32], kept[32], gone[32];

	OK(t0 != 0 && tes_ratelimit_now() >= t0, "the rate limit clock is monotonic (%llu ms)", (unsigned long long)t0);
	for (i = 0; i < TES_RL_FREE - 1; i++) {
		tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1000000);
		blocked_early |= tes_ratelimit_blocked(&rl, "alice", "10.0.0.1", 1000000);
	}
	OK(!blocked_early, "the first %d failures are not blocked", TES_RL_FREE - 1);
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1000000);
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1000000), "account blocked after %d failures", TES_RL_FREE);
	OK(tes_ratelimit_blocked(&rl, "bob", "10.0.0.1", 1000000), "the address is blocked for other accounts too");
	OK(!tes_ratelimit_blocked(&rl, "bob", "10.0.0.2", 1000000), "other accounts from other addresses are not");
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1000999) &&
	   !tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1001000), "the first block lasts exactly one second");
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1001000);
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1002999) &&
	   !tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1003000), "one more failure doubles it");
	for (i = 0; i < 40; i++)
		tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 2000000);
	OK(tes_ratelimit_blocked(&rl, "alice", "x", 2000000 + 1000 * TES_RL_MAX_BLOCK - 1) &&
	   !tes_ratelimit_blocked(&rl, "alice", "x", 2000000 + 1000 * TES_RL_MAX_BLOCK),
	   "the block is capped at 15 minutes");
	for (i = 0; i < TES_RL_FREE - 1; i++)
		tes_ratelimit_note(&rl, "carol", "10.0.0.4", 0, 2000000 + 1000 * (uint64_t)i);
	tes_ratelimit_note(&rl, "dave", "10.0.0.4", 0, 2003000 + 1000 * TES_RL_FORGET - 1);
	OK(tes_ratelimit_blocked(&rl, "erin", "10.0.0.4", 2003000 + 1000 * TES_RL_FORGET),
	   "failures within %d s of each other add up", TES_RL_FORGET);
	for (i = 0; i < TES_RL_FREE - 1; i++)
		tes_ratelimit_note(&rl, "frank", "10.0.0.5", 0, 2000000 + 1000 * (uint64_t)i);
	tes_ratelimit_note(&rl, "grace", "10.0.0.5", 0, 2003000 + 1000 * TES_RL_FORGET);
	OK(!tes_ratelimit_blocked(&rl, "heidi", "10.0.0.5", 2003000 + 1000 * TES_RL_FORGET),
	   "failures are forgotten after %d s without one", TES_RL_FORGET);
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 2000000 + 1000 * (TES_RL_MAX_BLOCK + TES_RL_FORGET) - 1);
	OK(tes_ratelimit_blocked(&rl, "alice", "x", 2000000 + 1000 * (TES_RL_MAX_BLOCK + TES_RL_FORGET) - 1),
	   "the forgetting starts when a block ends: a later failure blocks again");
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 1, 3000000);
	OK(!tes_ratelimit_blocked(&rl, "alice", "10.0.0.3", 3000000), "a success clears the account");
	for (i = 0; i < 3 * TES_RL_SLOTS; i++) {
		char name[32];
		int k;

		snprintf(name, sizeof name, "u%d", i);
		for (k = 0; k < TES_RL_FREE; k++)
			tes_ratelimit_note(&rl, name, name, 0, 4000000 + (uint64_t)i);
	}
	snprintf(last, sizeof last, "u%d", 3 * TES_RL_SLOTS - 1);
	snprintf(kept, sizeof kept, "u%d", 2 * TES_RL_SLOTS);
	snprintf(gone, sizeof gone, "u%d", 2 * TES_RL_SLOTS - 1);
	OK(tes_ratelimit_blocked(&rl, last, "-", 4000000 + 3 * TES_RL_SLOTS) &&
	   tes_ratelimit_blocked(&rl, kept, "-", 4000000 + 3 * TES_RL_SLOTS) &&
	   !tes_ratelimit_blocked(&rl, gone, "-", 4000000 + 3 * TES_RL_SLOTS),
	   "a flood of names recycles the oldest of the fixed %d slots", TES_RL_SLOTS);
}

/* The next answer of a pool within 30 s: 0, or the error (TES_ERR_TIMEOUT when none came). */
static int
next_answer(struct tes_pool *p, uint64_t *tag, int *ok)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	int r;

	while ((r = tes_pool_result(p, tag, ok)) == TES_ERR_TIMEOUT)
		if (poll(&pfd, 1, 30000) <= 0)
			return TES_ERR_TIMEOUT;
	return r;
}

/* n answers; how many came back with the verdict want_ok(tag) expects. */
static int
answers_right(struct tes_pool *p, int n)
{
	uint64_t tag;
	int i, ok, right = 0;

	for (i = 0; i < n && next_answer(p, &tag, &ok) == 0; i++)
		right += ok == (tag % 2 == 0);
	return right;
}

/* A worker's /proc status line, e.g. "Seccomp:"; 1 when its value is want. */
static int
proc_status(pid_t pid, const char *key, const char *want)
{
	char path[64], line[256], val[64] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			(void)sscanf(line + strlen(key), "%63s", val);
	fclose(f);
	return strcmp(val, want) == 0;
}

static void
test_sigcheck(void)
{
	static struct tes_rsa_priv k;
	static struct tes_sigcheck c;
	struct tes_rsa_pub broken;
	uint8_t h[TES_HASH_LEN], sig[TES_RSA_LEN], bad[TES_RSA_LEN];
	unsigned i, alive;
	uint64_t tag;
	int ok, confined = 1;
	pid_t pid;

	memset(h, 0x5a, sizeof h);
	if (tes_rsa_generate(&k) != 0 || tes_rsa_sign(&k, h, sig) != 0) {
		OK(0, "an RSA key and a signature for the signature checks");
		return;
	}
	memcpy(bad, sig, sizeof bad);
	bad[77] ^= 0x01;
	EQ_INT(tes_sigcheck_start(&c), 0, "start the signature-check workers");
	EQ_INT(c.pool.n, tes_pool_cpus(), "one worker per online CPU (%u), at most %d", c.pool.n, TES_POOL_MAX);
	for (i = 0; i < c.pool.n; i++)
		confined &= proc_status(c.pool.pids[i], "NoNewPrivs:", "1") &&
			    (strcmp(tes_sandbox_backend(), "seccomp") != 0 ||
			     proc_status(c.pool.pids[i], "Seccomp:", "2"));
	OK(confined, "every worker has no_new_privs and, with the %s backend, its seccomp filter",
	   tes_sandbox_backend());
	/* even tags carry the right signature, odd tags a signature with one bit flipped */
	for (i = 0; i < 40; i++)
		if (tes_sigcheck_submit(&c, 1000 + i, &k.pub, h, i % 2 ? bad : sig) != 0)
			break;
	EQ_INT(answers_right(&c.pool, 40), 40,
	       "40 checks: a right signature is valid, a flipped bit is not, each answer under its tag");
	h[0] ^= 1;
	(void)tes_sigcheck_submit(&c, 1, &k.pub, h, sig);
	h[0] ^= 1;
	broken = k.pub;
	broken.elen = 0;
	(void)tes_sigcheck_submit(&c, 3, &broken, h, sig);
	EQ_INT(answers_right(&c.pool, 2), 2, "another digest, or a key with a broken exponent, is not valid");

	pid = c.pool.pids[0];
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	alive = c.pool.n - 1;
	OK(tes_pool_reaped(&c.pool, pid) == 1 && tes_pool_reaped(&c.pool, pid) == 0 &&
	   tes_pool_alive(&c.pool) == alive, "a killed worker is recognised once when reaped");
	if (alive > 0) {
		(void)tes_sigcheck_submit(&c, 2, &k.pub, h, sig);
		EQ_INT(answers_right(&c.pool, 1), 1, "the other workers go on checking");
	} else {
		OK(1, "# SKIP one worker only");
	}
	for (i = 0; i < c.pool.n; i++)
		if ((pid = c.pool.pids[i]) > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			(void)tes_pool_reaped(&c.pool, pid);
		}
	EQ_INT(next_answer(&c.pool, &tag, &ok), TES_ERR_CLOSED, "with every worker gone the queue reads closed");
	EQ_INT(tes_sigcheck_submit(&c, 4, &k.pub, h, sig), TES_ERR_CLOSED, "and a check cannot be queued");
	tes_sigcheck_stop(&c);
}

static void
test_verifier(void)
{
	static struct tes_verifier v;
	char hash[TES_PASSWD_ENCODED_MAX + 1];

	setenv("TES_ARGON2_MEMORY_KIB", "256", 1);
	if (tes_passwd_hash("right horse", 11, hash, sizeof hash) != 0) {
		OK(0, "an Argon2id hash for the verifier");
		return;
	}
	EQ_INT(tes_verifier_start(&v), 0, "start the password verifier workers");
	(void)tes_verifier_submit(&v, 10, hash, "right horse", 11);
	(void)tes_verifier_submit(&v, 11, hash, "wrong horse", 11);
	(void)tes_verifier_submit(&v, 13, NULL, "right horse", 11);
	EQ_INT(answers_right(&v.pool, 3), 3, "the right password matches; a wrong one or an unknown user does not");
	EQ_INT(tes_verifier_submit(&v, 15, hash, "x", TES_PASSWORD_MAX + 1), TES_ERR_ARG,
	       "an overlong password is refused");
	tes_verifier_stop(&v);
	OK(tes_pool_alive(&v.pool) == 0 && v.pool.fd < 0, "stopping reaps the workers and closes the queue");
}

static int
never_asked(const uint8_t *body)
{
	(void)body;
	return 0;
}

/* A worker that cannot lock itself down stops the pool's start with an error of its own. */
static void
test_pool_lockdown(void)
{
	static const struct tes_pool_kind kind = {
		.name = "tes-test", .body_len = 1, .queue_bytes = 4096,
		.phase = (enum tes_sandbox_phase)99, .check = never_asked,
	};
	static struct tes_pool p;

	EQ_INT(tes_pool_start(&p, &kind, 2), TES_ERR_SANDBOX,
	       "workers without a sandbox policy for their phase refuse to serve: %s", tes_err_str(TES_ERR_SANDBOX));
	OK(tes_pool_alive(&p) == 0 && p.fd < 0, "and no worker is left running");
}

/*
 * tes_spawn_child with /bin/sh as the image ("tes-parser MODE" runs the script
 * MODE). Runs in a process of its own, which may move its descriptors: the
 * client socket starts on 4 and the monitor socket on 3, each other's place
 * in the child, SIGPIPE is ignored, and one more descriptor is open, on the
 * file marker. Prints what the script wrote to each socket; the exit code
 * says which step failed.
 */
static int
spawn_probe(const char *script, const char *marker)
{
	int n[2], m[2], leak, st;
	char buf[256];
	ssize_t k;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	/* 3 and 4 taken first, so that the pairs come above them */
	if ((leak = open(marker, O_RDONLY | O_CREAT, 0600)) < 0 || (leak = fcntl(leak, F_DUPFD, 10)) < 0 ||
	    dup2(leak, 3) < 0 || dup2(leak, 4) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, n) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, m) != 0 ||
	    dup2(n[1], TES_CHILD_MON_FD) < 0 || dup2(m[1], TES_CHILD_NET_FD) < 0)
		return 2;
	close(n[1]);
	close(m[1]);
	pid = tes_spawn_child("/bin/sh", script, (char *[]){ "PATH=/usr/bin:/bin", NULL },
			      TES_CHILD_MON_FD, TES_CHILD_NET_FD);
	if (pid < 0)
		return 3;
	close(TES_CHILD_NET_FD);
	close(TES_CHILD_MON_FD);
	if (waitpid(pid, &st, 0) != pid)
		return 4;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 10 + (WIFEXITED(st) ? WEXITSTATUS(st) : 100);
	for (int i = 0; i < 2; i++) {
		if ((k = read(i == 0 ? n[0] : m[0], buf, sizeof buf - 1)) <= 0)
			return 5 + i;
		buf[k] = '\0';
		fputs(buf, stdout);
	}
	return fflush(stdout) == 0 ? 0 : 7;
}

static void
test_spawn(void)
{
	static const char body[] =
		"set -e\n"
		"ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)\n"
		"echo \"net 0=$(readlink /proc/$$/fd/0) pipe=$(( 0x$ign & 4096 ))\" >&3\n"
		/* by what it refers to: dash keeps its script on fd 10, where the leak may have been */
		"l=closed\n"
		"for f in /proc/$$/fd/*; do\n"
		"  case \"$(readlink \"$f\" || true)\" in */leak-marker) l=open;; esac\n"
		"done\n"
		"echo \"mon leak=$l\" >&4\n";
	char dir[] = "/tmp/tes-spawn.XXXXXX", script[64], marker[64], out[512];
	size_t used = 0;
	ssize_t k;
	int o[2], st = -1, e;
	FILE *f;
	pid_t pid;

	if (mkdtemp(dir) == NULL || snprintf(script, sizeof script, "%s/probe.sh", dir) < 0 ||
	    snprintf(marker, sizeof marker, "%s/leak-marker", dir) < 0 ||
	    (f = fopen(script, "w")) == NULL || fputs(body, f) < 0 || fclose(f) != 0 || pipe(o) != 0) {
		OK(0, "cannot set up the spawn probe in %s", dir);
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(o[1], 1);
		close(o[0]);
		_exit(spawn_probe(script, marker));
	}
	close(o[1]);
	while (used < sizeof out - 1 && (k = read(o[0], out + used, sizeof out - 1 - used)) > 0)
		used += (size_t)k;
	out[used] = '\0';
	close(o[0]);
	waitpid(pid, &st, 0);
	unlink(script);
	unlink(marker);
	rmdir(dir);
	EQ_INT(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	       "a child started with its two sockets on swapped numbers runs (probe status %#x)", (unsigned)st);
	OK(strncmp(out, "net 0=/dev/null pipe=0\n", 23) == 0,
	   "its fd 3 is the client socket, 0 is /dev/null, SIGPIPE is not ignored: %.40s", out);
	OK(strstr(out, "\nmon leak=closed\n") != NULL,
	   "its fd 4 is the monitor socket, no other descriptor is inherited: %.16s",
	   strchr(out, '\n') != NULL ? strchr(out, '\n') + 1 : out);

	/* valgrind turns glibc's CLONE_VFORK child into a fork: the exec error then comes as exit 127 */
	if (getenv("TES_UNDER_VALGRIND") != NULL) {
		for (int i = 0; i < 2; i++)
			OK(1, "# SKIP under valgrind, a failed exec is not reported by posix_spawn");
		return;
	}
	errno = 0;
	pid = tes_spawn_child("/nonexistent/tes-parser", "session", (char *[]){ NULL }, 0, 1);
	e = errno;
	OK(pid == -1 && e == ENOENT, "a missing image is an error with its errno: %s", strerror(e));
	OK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "and leaves no child behind");
}

int
main(void)
{
	test_ratelimit();
	test_sigcheck();
	test_verifier();
	test_pool_lockdown();
	test_spawn();
	return tap_done();
}
