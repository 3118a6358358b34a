#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Faults in the server's own processes. A stop signal for the whole process group (what
# systemctl stop and timeout send) ends the server cleanly, exit 0, whatever order its processes
# get the signal in: no child is logged as crashed, no worker as lost. A password verifier
# killed in the middle of a check does not leave its login unanswered: the login is answered at
# once (checked again by the other verifier).
. "$(dirname "$0")/lib.bash"
trap "" PIPE
D=$T/data
setup_data "$D" || exit 1

# The server in a process group of its own, as systemd and timeout(1) run it (setsid does not
# fork here: the background job is not a group leader, so SERVER_PID is the group's id).
start_group() {
	PORT=$(free_port) HPORT=$(free_port)
	setsid "$OFFICER" serve -d "$D" --listen "127.0.0.1:$PORT" --http "127.0.0.1:$HPORT" "$@" \
		>>"$T/server.log" 2>&1 &
	SERVER_PID=$!
	wait_until 10 grep -q "listening on 127.0.0.1:$PORT" "$T/server.log"
}
# Children of every kind are running: the workers, a session child and a dashboard child.
open_children() {
	exec 5<>"/dev/tcp/127.0.0.1/$PORT" 6<>"/dev/tcp/127.0.0.1/$HPORT"
	wait_until 5 sh -c "[ \$(pgrep -P $SERVER_PID -x tes-parser | wc -l) -ge 2 ]"
}
stop_round() { # stop_round ORDER: group (one kill for the group) or children-first
	local rc
	: >"$T/server.log"
	start_group || { ok 1 "the server starts"; return; }
	open_children
	pgrep -P "$SERVER_PID" | sort >"$T/kids"
	if [ "$1" = group ]; then
		kill -TERM -- "-$SERVER_PID"
	else
		# every child first (the order systemd may use), the master a moment later
		xargs -r kill -TERM <"$T/kids" 2>/dev/null
		sleep 0.5
		kill -TERM "$SERVER_PID"
	fi
	wait "$SERVER_PID"
	rc=$?
	SERVER_PID=
	exec 5<&- 6<&-
	ok $([ "$rc" = 0 ] && echo 0 || echo 1) "SIGTERM ($1, $(wc -l <"$T/kids") children): exit $rc, wanted 0"
	absent "SIGTERM ($1): no child crashed, no worker lost" 'crashed|died|worker.*(gone|left)|sandbox violation' \
		'shutting down' "$T/server.log"
	ps -o pid=,stat=,comm= -p "$(paste -sd, "$T/kids")" | sed "s/^/# left: /"
	ok $([ "$(ps -o pid= -p "$(paste -sd, "$T/kids")" | wc -l)" = 0 ] && echo 0 || echo 1) \
		"SIGTERM ($1): no child outlives the master"
	cat "$T/server.log" >>"$T/all.log"
}
for order in group children-first group children-first group; do
	stop_round "$order"
done

# A verifier killed in the middle of a check: the login is checked again by the other verifier
# and answered at once, not left to the client's timeout. A costly hash (128 MiB) makes the check
# last long enough to find the verifier doing it (the one whose CPU time grows).
printf 'amber-tulip-quarry-57\n' >"$T/pw2"
TES_ARGON2_MEMORY_KIB=131072 "$OFFICER" add-user -d "$D" carol --role police --password-file "$T/pw2" >/dev/null
: >"$T/server.log"
start_group || exit 1
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
busy_verifier() { # the verifier whose CPU time grows over 0.1 s
	local v a b
	for v in $(pgrep -P "$SERVER_PID" -x tes-verifier); do
		a=$(cpu "$v"); sleep 0.1; b=$(cpu "$v")
		[ "$b" -gt "$a" ] && { echo "$v"; return 0; }
	done
	return 1
}
start=$(date +%s.%N)
"$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u carol --password-file "$T/pw2" --server-key "$FP" \
	--spool "$T/spool.carol" --timeout 15 --plate 34KIL9 --speed 120 --limit 90 >"$T/killed" 2>&1 &
REP=$!
victim=
wait_until 10 busy_verifier >/dev/null && victim=$(busy_verifier)
[ -n "$victim" ] && kill -KILL "$victim"
killed_at=$(date +%s.%N)
wait "$REP"
rc=$?
took=$(echo "$(date +%s.%N) - $killed_at" | bc)
ok $([ -n "$victim" ] && echo 0 || echo 1) "a verifier is found in the middle of the check (${victim:-none})"
ok $([ "$rc" = 0 ] && grep -q ' QUEUED$' "$T/killed" && echo 0 || echo 1) \
	"the login whose verifier was killed goes through (exit $rc)"
sed 's/^/# /' "$T/killed"
ok $(echo "$took < 8" | bc | grep -qx 1 && echo 0 || echo 1) "and at once (${took} s after the kill)"
ok $(log_has "password verifier worker $victim died; its checks are done again" && echo 0 || echo 1) \
	"the server logs the death and that the checks are done again"
stop_server
done_testing
