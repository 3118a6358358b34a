#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Many police clients at once: 50 clients x 4 reports, then 200 sessions open at the same time.
# Every receipt's report is present exactly once after a server restart.
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_data "$D" || exit 1
start_server "$D" || exit 1

pids=()
for c in $(seq 50); do
	(for i in 1 2 3 4; do printf 'C%dN%d,%d\n' "$c" "$i" $((60 + c)); done | police batch >"$T/r.$c" 2>&1) &
	pids+=($!)
done
wait "${pids[@]}"
cat "$T"/r.* >"$T/all"
ok $([ "$(grep -c ' QUEUED$' "$T/all")" = 200 ] && echo 0 || echo 1) "50 concurrent clients: 200 QUEUED receipts"

# 200 sessions held open together: each sends a report, waits, then sends another.
pids=()
for c in $(seq 200); do
	({ printf 'H%d,%d\n' "$c" 77; sleep 8; printf 'H%dB,%d\n' "$c" 88; } | police batch --timeout 60 >"$T/h.$c" 2>&1) &
	pids+=($!)
done
open=0
for _ in $(seq 35); do   # the largest number of session children seen at once
	n=$(pgrep -c -P "$SERVER_PID" || true)
	[ "${n:-0}" -gt "$open" ] && open=$n
	[ "$open" -ge 200 ] && break
	sleep 0.2
done
ok $([ "${open:-0}" -ge 150 ] && echo 0 || echo 1) "many sessions open at once (${open:-0} session children seen)"
wait "${pids[@]}"
cat "$T"/h.* >"$T/held"
ok $([ "$(grep -c ' QUEUED$' "$T/held")" = 400 ] && echo 0 || echo 1) "200 concurrent sessions: 400 QUEUED receipts"

# An idle client is dropped without holding up the others.
stop_server
start_server "$D" --idle-timeout 1 || exit 1
exec 7<>/dev/tcp/127.0.0.1/$PORT
check "a report goes through while an idle connection is open" police report --plate IDLE1 --speed 70
wait_log "timed out"
ok $? "the idle connection timed out"
exec 7>&-
stop_server

"$OFFICER" pending -d "$D" >"$T/pending"
cat "$T/all" "$T/held" | awk '$NF == "QUEUED" {print $4}' | sort >"$T/ids.sent"
awk 'NR > 1 && length($2) == 32 {print $2}' "$T/pending" | sort >"$T/ids.stored"
subset "every receipt's report is stored after a restart" "$T/ids.sent" "$T/ids.stored"
ok $([ "$(uniq -d "$T/ids.stored" | wc -l)" = 0 ] && echo 0 || echo 1) "no report is stored twice"
ok $([ "$(wc -l <"$T/ids.stored")" = 601 ] && echo 0 || echo 1) "exactly the 601 acknowledged reports are stored"
done_testing
