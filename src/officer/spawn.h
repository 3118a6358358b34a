/* SPDX-License-Identifier: ISC */
/*
 * Starting the master's children: a store reader (a fork, tes_spawn_reader)
 * and a parser child, for the protocol sessions and the dashboard
 * (officer/children.h): posix_spawn a fresh image of tes-parser in the
 * given mode with the given (whole) environment, the client socket on fd 3
 * and the monitor socket on fd 4, 0 and 1 on /dev/null (2 stays the
 * master's log), every other descriptor closed, SIGPIPE back to its default. The fresh image is what
 * keeps the master's keys out of the child's memory (SECURITY.md,
 * sandbox/README.md). posix_spawn rather than fork: glibc starts the child
 * in the master's address space (CLONE_VM | CLONE_VFORK) until the exec, so
 * a connection costs no copy of the master's page tables, which grow with
 * the store (an in-memory index of 100 MB at a million reports), and no
 * copy-on-write faults in the master afterwards. tes-parser is installed
 * next to tes-officer.
 */
#ifndef TES_OFFICER_SPAWN_H
#define TES_OFFICER_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

enum {
	TES_CHILD_NET_FD = 3,
	TES_CHILD_MON_FD = 4,
	TES_CHILD_EXIT_SETUP = 4
};

/*
 * The child image: tes-parser in the directory of the running executable.
 * 0, or -1 with a message in err when it is missing or not executable.
 */
int
tes_spawn_find_parser(char *out, size_t cap, char *err, size_t errcap);

/*
 * Start "tes-parser MODE"; the pid, or -1 with errno set when it could not
 * be started (also when the exec itself failed: glibc reports that), which
 * is logged here, with the image and mode.
 */
pid_t
tes_spawn_child(const char *exe, const char *mode, char *const env[], int net, int mon);

struct tes_db;

/*
 * Fork a child that only reads the store (a whole-store check): in the
 * child, the store's background threads are forgotten
 * (tes_db_forked), every descriptor but the store's, 0..2 and keep
 * is closed (so no client or dashboard socket is held open by it), and the
 * child is killed if the master dies. Returns as fork().
 */
pid_t
tes_spawn_reader(struct tes_db *db, int keep);

#endif
