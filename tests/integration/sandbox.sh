#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The parser children's sandbox: seccomp kills a forbidden system call, CPU and time budgets
# are enforced, a misbehaving child is killed without touching the journal, no long-term
# secret is in a child's memory, and the server keeps serving throughout. Uses the test
# build (build/test), whose only difference is the test-only frame (type 0x7f).
. "$(dirname "$0")/lib.bash"
trap "" PIPE   # writes to a socket the server closed must not end the script
REL_OFFICER=$OFFICER REL_PARSER=$PARSER
OFFICER=$ROOT/build/test/tes-officer
DEBUG_OFFICER=$ROOT/build/debug/tes-officer
D=$T/data
setup_data "$D" || exit 1

ok $(strings "$ROOT/build/test/tes-parser" | grep -q TES_TEST_FRAME && echo 0 || echo 1) "the test build has the test-only frame"
for bin in "$REL_OFFICER" "$REL_PARSER" "$POLICE"; do
	strings -a "$bin" >"$T/strings"
	absent "release $(basename "$bin") does not" TES_TEST_FRAME "$(basename "$bin")" "$T/strings"
done
ok $(nm "$REL_PARSER" | grep -q ' tes_sandbox_filter$' && echo 0 || echo 1) "the release parser image carries the seccomp backend and its filters"

test_frame() { # test_frame ACTION: send the 6-byte test-only header, keep the socket open a while
	exec 8<>"/dev/tcp/127.0.0.1/$PORT"
	printf "\x54\x01\x7f\x00\x00\x$(printf %02x "$1")" >&8
}
child_of_server() { pgrep -n -P "$SERVER_PID"; }
journal_size() { stat -c %s "$D/journal"; }

start_server "$D" || exit 1
ok $(grep -q "sandbox seccomp" "$T/server.log" && echo 0 || echo 1) "the server reports the seccomp backend"

# A session child while a connection is open.
exec 7<>"/dev/tcp/127.0.0.1/$PORT"
parser_confined() { # the newest child is the locked-down parser; sets CHILD
	CHILD=$(child_of_server)
	grep -Eqs '^Seccomp:\s+2$' "/proc/$CHILD/status" && grep -qsx 'tes-parser' "/proc/$CHILD/comm"
}
wait_until 10 parser_confined
status=$(cat "/proc/$CHILD/status" 2>/dev/null)
ok $(echo "$status" | grep -Eq '^NoNewPrivs:\s+1$' && echo 0 || echo 1) "session child has NoNewPrivs: 1"
ok $(echo "$status" | grep -Eq '^Seccomp:\s+2$' && echo 0 || echo 1) "session child has Seccomp: 2 (filter)"
if [ "$(id -u)" = 0 ]; then
	ok $(echo "$status" | grep -Eq '^Uid:\s+65534\s' && echo 0 || echo 1) "session child runs as nobody"
	ok $([ "$(readlink "/proc/$CHILD/root")" = "$(realpath "$D")/empty" ] && echo 0 || echo 1) \
		"session child is chrooted into an empty directory"
	ok $([ -z "$(ls -A "$D/empty")" ] && echo 0 || echo 1) "which is empty"
	ok $(grep -q '^Max open files *0 *0' "/proc/$CHILD/limits" && grep -q '^Max file size *0 *0' "/proc/$CHILD/limits" &&
		grep -q '^Max processes *0 *0' "/proc/$CHILD/limits" && grep -q '^Max core file size *0 *0' "/proc/$CHILD/limits" &&
		grep -q '^Max cpu time *60 *61' "/proc/$CHILD/limits" && echo 0 || echo 1) "rlimits: files, processes, core 0; CPU 60 s"
	"$B/tests/memscan" "$CHILD" "$D/server.key" >"$T/scan" 2>&1
	ok $? "no part of the server's private key is in the child's memory"
	"$B/tests/memscan" "$SERVER_PID" "$D/server.key" >"$T/scan" 2>&1
	ok $([ $? = 1 ] && echo 0 || echo 1) "the same scan finds the key in the master (the scanner works)"
else
	for _ in 1 2 3 4 5 6; do ok 0 "# SKIP uid, chroot, rlimit and memory checks need root"; done
fi
exec 7>&-

# The master's workers (signature checks and password checks): forked before the master loaded
# any key, confined like a child.
for POOL in tes-sigcheck tes-verifier; do
	WORKERS=$(pgrep -P "$SERVER_PID" -x $POOL)
	conf=0 fds=0 lim=0 scan=0
	for W in $WORKERS; do
		grep -Eq '^NoNewPrivs:\s+1$' "/proc/$W/status" && grep -Eq '^Seccomp:\s+2$' "/proc/$W/status" && conf=$((conf + 1))
		[ "$(ls "/proc/$W/fd" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ] && fds=$((fds + 1))
		grep -q '^Max open files *0 *0' "/proc/$W/limits" && grep -q '^Max file size *0 *0' "/proc/$W/limits" &&
			grep -q '^Max processes *0 *0' "/proc/$W/limits" && grep -q '^Max core file size *0 *0' "/proc/$W/limits" &&
			lim=$((lim + 1))
		[ "$(id -u)" = 0 ] && { "$B/tests/memscan" "$W" "$D/server.key" >"$T/scan" 2>&1; [ $? = 0 ] && scan=$((scan + 1)); }
	done
	n=$(echo $WORKERS | wc -w)
	ok $([ "$n" -ge 1 ] && [ "$conf" = "$n" ] && echo 0 || echo 1) "$n $POOL workers, each with NoNewPrivs: 1 and Seccomp: 2"
	ok $([ "$fds" = "$n" ] && echo 0 || echo 1) "$POOL: each holds only stdio and its queue (fd 3)"
	ok $([ "$lim" = "$n" ] && echo 0 || echo 1) "$POOL: rlimits: files, processes, core 0"
	if [ "$(id -u)" = 0 ]; then
		ok $([ "$scan" = "$n" ] && echo 0 || echo 1) "no part of the server's private key is in a $POOL worker's memory"
	else
		ok 0 "# SKIP the memory scan needs root"
	fi
done
# The confined password verifiers still check passwords (under build/debug a forbidden call would be
# reported and the login refused).
check "a police login works with the verifiers confined" police report --plate VER1 --speed 90

# A forbidden system call kills the child; a concurrent session completes its report.
{ printf 'SYS1,90\n'; sleep 2; printf 'SYS2,91\n'; } | police batch >"$T/concurrent" 2>&1 &
BATCH=$!
sleep 0.5
before=$(log_count "sandbox violation (SIGSYS)")
test_frame 1
wait_log "sandbox violation (SIGSYS)" $((before + 1))
ok $? "a forbidden system call kills the child with SIGSYS and the master logs it"
exec 8>&-
wait "$BATCH"
ok $([ "$(grep -c ' QUEUED$' "$T/concurrent")" = 2 ] && echo 0 || echo 1) "a concurrent session completes its reports"

# Misbehaving children are killed and nothing reaches the journal (MUST-M2): a second HANDSHAKE
# (MUST-M3), a message of the wrong size (MUST-M1), a REPORT before any LOGIN (MUST-M4).
for a in 3:"second RSA request" 4:"wrong-size monitor message" 5:"report before login" \
	6:"RESUME after HANDSHAKE (MUST-M3)"; do
	n=${a%%:*}; what=${a#*:}
	size=$(journal_size)
	kills=$(log_count "child killed")
	test_frame "$n"
	wait_log "child killed" $((kills + 1))
	ok $? "$what: the master kills the child"
	exec 8>&-
	ok $([ "$(journal_size)" = "$size" ] && echo 0 || echo 1) "$what: nothing written to the journal"
done
log_has "RESUME after HANDSHAKE; child killed"
ok $? "... and for that reason: one HANDSHAKE or one RESUME per connection"
check "the server still serves" police report --plate AFTER1 --speed 70
stop_server

# CPU and time budgets.
start_server "$D" --session-cpu 1 --session-timeout 4 --idle-timeout 5 || exit 1
test_frame 2
wait_log "child crashed (signal 24)"
ok $? "a child over its CPU budget is killed (SIGXCPU)"
exec 8>&-
exec 7<>"/dev/tcp/127.0.0.1/$PORT"
printf '\x54\x01\x01\x00\x00\x61' >&7   # a CLIENT_HELLO header, then its payload one byte at a time:
for i in $(seq 24); do   # a slow client, never idle, until the deadline ends it
	printf '\x00' >&7 2>/dev/null; sleep 0.5
	log_has "session lifetime reached" && break
done
log_has "session lifetime reached"
ok $? "a child over its time budget (the session timeout) is ended (MUST-S4)"
exec 7>&-
check "the server goes on" police report --plate AFTER2 --speed 70
stop_server

# The dashboard's http child is confined before it reads a byte: a connection that sends nothing
# finds it waiting in the sandbox.
HP=$(free_port)
start_server "$D" --http "127.0.0.1:$HP" || exit 1
wait_log "dashboard on http://127.0.0.1:$HP/" 1 5
exec 7<>"/dev/tcp/127.0.0.1/$HP"
http_child() { # the server's child started as "tes-parser http"; sets CHILD
	local c
	for c in $(pgrep -P "$SERVER_PID"); do
		tr '\0' '\n' <"/proc/$c/cmdline" 2>/dev/null | sed -n 2p | grep -qx http && CHILD=$c && return 0
	done
	return 1
}
CHILD=
wait_until 10 http_child
status=$(cat "/proc/$CHILD/status" 2>/dev/null)
ok $([ -n "$CHILD" ] && echo "$status" | grep -Eq '^Seccomp:\s+2$' && echo "$status" | grep -Eq '^NoNewPrivs:\s+1$' &&
	echo 0 || echo 1) "an http child that has read nothing yet is already under its filter (MUST-W4)"
exec 7>&-
check "control: the dashboard answers" curl -s -f -o /dev/null --max-time 10 "http://127.0.0.1:$HP/login"
stop_server

# The debug build traps instead of killing and names the system call.
OFFICER=$DEBUG_OFFICER
start_server "$D" || exit 1
check "a report through the debug build" police report --plate DBG1 --speed 70
absent "no process on its way (session child, signature-check worker) makes a forbidden system call" \
	"system call .* not allowed" "queued as violation .* plate DBG1" "$T/server.log"
test_frame 1
wait_log "tes sandbox: system call 257 not allowed"
ok $? "the debug build reports the forbidden system call (openat = 257)"
exec 8>&-
grep -i "sandbox\|system call" "$T/server.log" | tail -5 | sed 's/^/# /'
stop_server

# The police client runs under its own filter once connected.
OFFICER=$REL_OFFICER
start_server "$D" || exit 1
{ printf 'POL1,90\n'; sleep 6; printf 'POL2,90\n'; } | police batch >"$T/pol" 2>&1 &
BATCH=$!
police_confined() { # the client enters its filter once connected, before the first report
	local pid
	pid=$(pgrep -n -f "tes-police batch")
	grep -Eqs '^Seccomp:\s+2$' "/proc/$pid/status" && grep -Eqs '^NoNewPrivs:\s+1$' "/proc/$pid/status"
}
wait_until 5 police_confined
ok $? "the police client runs with a seccomp filter"
wait "$BATCH"
ok $([ "$(grep -c ' QUEUED$' "$T/pol")" = 2 ] && echo 0 || echo 1) "and completes its reports"
stop_server

# From a LOGIN or REPORT until its answer the master takes no other request from the child: one
# is fatal. tests/tools/fakechild.c plays a session child (as tes-parser beside a copy of
# tes-officer) that sends a LOG right behind its LOGIN or REPORT; the workers that would answer it
# (password or signature checks) are stopped meanwhile, so the answer cannot come first. As a
# control, the same child waits for each answer.
F=$T/fake
mkdir -p "$F" && cp "$REL_OFFICER" "$F/tes-officer" && cp "$B/tests/fakechild" "$F/tes-parser" ||
	ok 1 "the fake child is built (make $B/tests/fakechild)"
fake() { # fake MODE: a connection the fake child serves in MODE, open on fd 7 once it said so
	local n
	printf '%s\n%s\n%s\n%s\n' "$1" "$T/unit1.key" alice "$(cat "$T/pw")" >"$F/fakechild.conf"
	n=$(log_count "fakechild: $1\$")
	exec 7<>"/dev/tcp/127.0.0.1/$PORT"
	wait_log "fakechild: $1\$" $((n + 1)) 10
}
OFFICER=$F/tes-officer
start_server "$D" || exit 1
fake control && wait_log "fakechild: done" 1 20
rc=$?
ok $rc "control: a child that waits for each answer logs in, reports and goes on"
[ "$rc" = 0 ] || tail -n 15 "$T/server.log" | sed 's/^/# /'

exec 7>&-
# A child that exits right after its last message: the master reads what it sent before it frees
# its slot (here 30 times over, as the race between the message and the exit is lost only now
# and then).
n=$(log_count "fakechild: last\$")
printf '%s\n%s\n%s\n%s\n' last "$T/unit1.key" alice "$(cat "$T/pw")" >"$F/fakechild.conf"
for i in $(seq 30); do
	exec 7<>"/dev/tcp/127.0.0.1/$PORT"
	exec 7>&-
done
wait_log "fakechild: last\$" $((n + 30)) 20
rc=$?
ok $rc "the last message of a child that exits at once is logged, 30 times of 30 ($(($(log_count "fakechild: last\$") - n)))"
[ $rc = 0 ] || grep -v 'fakechild: last$' "$T/server.log" | tail -n 20 | sed 's/^/# /'
for m in login:tes-verifier report:tes-sigcheck; do
	pool=$(pgrep -P "$SERVER_PID" -x "${m#*:}" | tr '\n' ' ')
	m=${m%%:*}
	kills=$(log_count "monitor request not permitted")
	kill -STOP $pool
	fake $m
	wait_log "monitor request not permitted" $((kills + 1)) 20
	ok $? "a request while the $m waits for its answer: the master kills the child (MUST-M5)"
	kill -CONT $pool
	exec 7>&-
done
stop_server
absent "the requests behind the LOGIN and the REPORT were never served" "request before the" "fakechild: report" \
	"$T/server.log"
OFFICER=$REL_OFFICER
"$OFFICER" pending -d "$D" >"$T/pending"
absent "the report behind which the child sent a request is not stored" FAKE2 FAKE1 "$T/pending"
done_testing
