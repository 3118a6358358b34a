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
	(for i in 1 2 3 4; do printf 'C%dN%d,%d\n' "$c" "$i" $((60 + c)); done | police batch --spool "$T/spool.r.$c" >"$T/r.$c" 2>&1) &
	pids+=($!)
done
wait "${pids[@]}"
cat "$T"/r.* >"$T/all"
ok $([ "$(grep -c ' QUEUED$' "$T/all")" = 200 ] && echo 0 || echo 1) "50 concurrent clients: 200 QUEUED receipts"

# 200 sessions held open together: each sends a report, waits, then sends another.
pids=()
for c in $(seq 200); do
	({ printf 'H%d,%d\n' "$c" 77; sleep 8; printf 'H%dB,%d\n' "$c" 88; } | police batch --spool "$T/spool.h.$c" --timeout 60 >"$T/h.$c" 2>&1) &
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

# The master's system calls while 20 clients send 3 reports each: every record goes to the journal
# (opened O_APPEND) in one write() of its whole length, and a receipt or a login answer goes to a
# session only after an fdatasync of the journal that follows the last append; the fsyncs of
# answers that come together are grouped.
: >"$T/traced"
traced=
if command -v strace >/dev/null; then
	strace -p "$SERVER_PID" -o "$T/trace" -y -xx -e trace=write,fdatasync,sendto 2>"$T/strace.err" &
	ST=$!
	wait_until 10 grep -q attached "$T/strace.err" && traced=1 || kill "$ST" 2>/dev/null
fi
if [ -n "$traced" ]; then
	pids=()
	for c in $(seq 20); do
		(for i in 1 2 3; do printf 'T%dN%d,%d\n' "$c" "$i" 88; done | police batch --spool "$T/spool.t.$c" >"$T/t.$c" 2>&1) &
		pids+=($!)
	done
	wait "${pids[@]}"
	kill -INT "$ST"; wait "$ST"
	cat "$T"/t.* >"$T/traced"
	# -xx writes every byte as \xNN, the paths of -y too
	perl -ne '
		next unless /^(\w+)\((\d+)<([^>]*)>(?:, "((?:\\x[0-9a-f]{2})*))?.*= (-?\d+)/;
		my ($call, $fd, $path, $buf, $ret) = ($1, $2, $3, $4 // "", $5);
		s/\\x([0-9a-f]{2})/chr hex $1/ge for $path, $buf;
		my $journal = $path =~ m{/journal$};
		if ($call eq "write" && $journal) {
			$w = $.; $writes++; $jfd = $fd;
			$whole++ if length $buf >= 4 && unpack("N", $buf) == $ret;
		} elsif ($call eq "fdatasync" && $journal && $ret == 0) {
			$s = $.; $syncs++;
		} elsif ($call eq "sendto" && $buf =~ /^([\x05\x07])/) {
			$ans{ord $1}++; $early++ if $w > $s;
		}
		END { printf "%d %d %d %d %d %d %s\n", $writes, $whole, $syncs, $ans{7}, $ans{5}, $early, $jfd // "none" }
	' "$T/trace" >"$T/counts"
	read -r writes whole syncs receipts logins early jfd <"$T/counts"
	flags=$(awk '/^flags:/ {print $2}' "/proc/$SERVER_PID/fdinfo/$jfd" 2>/dev/null)
	ok $([ "$(grep -c ' QUEUED$' "$T/traced")" = 60 ] && [ "$receipts" -ge 60 ] && [ "$logins" -ge 20 ] && echo 0 || echo 1) \
		"control: 60 QUEUED receipts, $receipts receipts and $logins login answers traced"
	ok $([ "$writes" -ge 80 ] && [ "$whole" = "$writes" ] && [ $((0${flags:-0} & 02000)) != 0 ] && echo 0 || echo 1) \
		"each of $writes records is one write() of its whole length to the journal, opened O_APPEND (MUST-J7)"
	ok $([ "$early" = 0 ] && echo 0 || echo 1) \
		"no receipt or login answer before the fdatasync of what was appended (MUST-R9, MUST-L2, MUST-DU1) ($early)"
	ok $([ "$syncs" -lt $((receipts + logins)) ] && echo 0 || echo 1) \
		"answers that come together share one fdatasync: $syncs for $((receipts + logins)) (MUST-R9)"
else
	for _ in 1 2 3 4; do ok 0 "# SKIP strace cannot trace the server here"; done
fi

# An idle client is dropped without holding up the others.
stop_server
start_server "$D" --idle-timeout 1 || exit 1
exec 7<>/dev/tcp/127.0.0.1/$PORT
check "a report goes through while an idle connection is open (MUST-S4)" police report --plate IDLE1 --speed 70
wait_log "timed out"
ok $? "the idle connection timed out (MUST-S4)"
exec 7>&-
stop_server

"$OFFICER" pending -d "$D" >"$T/pending"
cat "$T/all" "$T/held" "$T/traced" | awk '$NF == "QUEUED" {print $4}' | sort >"$T/ids.sent"
awk 'NR > 1 && length($2) == 32 {print $2}' "$T/pending" | sort >"$T/ids.stored"
subset "every receipt's report is stored after a restart" "$T/ids.sent" "$T/ids.stored"
ok $([ "$(uniq -d "$T/ids.stored" | wc -l)" = 0 ] && echo 0 || echo 1) "no report is stored twice"
n=$(($(wc -l <"$T/ids.sent") + 1))   # and IDLE1
ok $([ "$(wc -l <"$T/ids.stored")" = "$n" ] && [ "$n" -ge 601 ] && echo 0 || echo 1) \
	"exactly the $n acknowledged reports are stored"
done_testing
