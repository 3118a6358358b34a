#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make bench / make bench-smoke: run every measurement of BENCHMARKS.md on loopback in a
# private temporary directory, then print the table and write $B/bench.json.
#   bench.sh full    full sizes (1M journal records, 1000 idle sessions; 3 to 6 minutes on 2 cores)
#   bench.sh smoke   toy sizes (seconds): checks that every figure comes out, no timing checks
#   bench.sh export  the CSV export of 10k and 1M reports: rows/s and peak RSS (5 to 10 minutes)
set -u
MODE=${1:-full}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
OFFICER=$B/tes-officer POLICE=$B/tes-police BENCH=$B/tes-bench PARSER=$B/tes-parser
W=$(mktemp -d /tmp/tes-bench.XXXXXX)
FIGS=$W/figs.jsonl LOG=$W/server.log
SPID= IDLE_PID=
export XDG_CONFIG_HOME=$W/config HOME=$W/home
mkdir -p "$HOME"
unset TES_DATA TES_SERVER TES_ARGON2_MEMORY_KIB

cleanup() {
	[ -n "$IDLE_PID" ] && kill -TERM "$IDLE_PID" 2>/dev/null
	stop_server
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $MODE in
full)
	RUNS=3 LRUNS=5 RAW_T=0.5 HS_C=8 HS_T=3 LHS_T=1 IDLE_N=1000 APPROVE_N=250
	# sessions:reports each; the timed phase of each is at least 0.5 s at 5000 reports/s (the
	# pre-signing before it is not timed but costs wall time: about 7700 RSA signatures per run)
	REP_PER="1:300 16:160 128:40" LEVEL_N=200
	# reports in the journal : approved reports (= drivers in drivers.enc)
	STORES="10000:1000 101250:100000 1001250:1000000"
	;;
export)
	# bench-export: the export of 10k and of 1M reports (3DES readback bounds it at ~10k rows/s:
	# the 1M runs take minutes each, hence one run there)
	RUNS=3 BIG_RUNS=1 STORES="10000:1000 1001250:1000000"
	;;
smoke)
	RUNS=1 LRUNS=1 RAW_T=0.02 HS_C=2 HS_T=0.3 LHS_T=0.2 IDLE_N=4 APPROVE_N=5
	REP_PER="1:5 2:3" LEVEL_N=5
	STORES="20:5 40:30"
	;;
*)
	echo "usage: bench.sh full|smoke|export" >&2
	exit 64
	;;
esac

die() { echo "bench: $*" >&2; [ -f "$LOG" ] && tail -n 8 "$LOG" | sed 's/^/bench: server: /' >&2; exit 1; }
note() { echo "bench: $*" >&2; }

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}
start_server() { # start_server DIR [serve options]: sets PORT, SPID and FP
	local dir=$1 try; shift
	FP=$("$OFFICER" fingerprint -d "$dir")
	# other programs on the machine take ports too: a lost race is retried on a new port
	for try in 1 2 3; do
		PORT=$(free_port)
		# the load comes from one address, hundreds of sessions at once: no handshake caps
		"$OFFICER" serve -d "$dir" --listen "127.0.0.1:$PORT" --http off --login-grace-time 600 \
			--per-source-max-startups 65536 --max-startups 65536:0:65536 "$@" >>"$LOG" 2>&1 &
		SPID=$!
		for _ in $(seq 600); do
			grep -q "listening on 127.0.0.1:$PORT" "$LOG" 2>/dev/null && return 0
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.1
		done
		stop_server
	done
	die "server did not start"
}
stop_server() { # SIGTERM, and SIGKILL if the server has not exited 10 s later
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$SPID" 2>/dev/null && { note "server $SPID ignored SIGTERM; killed"; kill -KILL "$SPID"; }
		wait "$SPID" 2>/dev/null
		SPID=
	fi
}
# A store with the unit registered and two police users: alice (default Argon2id cost)
# and light (Argon2id with 256 KiB, used where logins are set-up, not the figure).
make_store() {
	"$OFFICER" init -d "$1" >/dev/null &&
		"$OFFICER" add-unit -d "$1" bench-unit "$W/unit.key.pub" >/dev/null &&
		"$OFFICER" add-user -d "$1" alice --role police --password-file "$W/pw" >/dev/null &&
		TES_ARGON2_MEMORY_KIB=256 "$OFFICER" add-user -d "$1" light --role police \
			--password-file "$W/pw" >/dev/null
}
net() { # net USER: options of the network subcommands
	echo -s "127.0.0.1:$PORT" -k "$W/unit.key" -u "$1" -p "$W/pw" -f "$FP" -P "$SPID"
}
fig() { "$BENCH" "$@" >>"$FIGS" || die "tes-bench $1 failed"; }

[ -x "$BENCH" ] && [ -x "$OFFICER" ] && [ -x "$POLICE" ] && [ -x "$PARSER" ] || die "build first: make all $B/tes-bench"
printf 'bench password\n' >"$W/pw"
"$POLICE" keygen -k "$W/unit.key" >/dev/null || die "keygen failed"
D0=$W/d0
make_store "$D0" || die "cannot create the store"
T0=$(date +%s)

# One store's export figures: over control.sock (server running), then opening the store itself.
export_figs() { # export_figs DIR N RUNS
	start_server "$1"
	fig export -e "$OFFICER" -d "$1" -r "$3" -T "j$2"
	stop_server
	fig export -e "$OFFICER" -d "$1" -r "$3" -T "local_j$2"
}
if [ "$MODE" = export ]; then
	for st in $STORES; do
		n=${st%%:*} d=${st##*:}
		note "export: $n reports, $d decided"
		make_store "$W/s" || die "cannot create a store"
		"$BENCH" populate -d "$W/s" -P "$W/unit.key.pub" -n "$n" -D "$d" || die "populate failed"
		runs=$RUNS
		[ "$n" -gt 100000 ] && runs=$BIG_RUNS
		export_figs "$W/s" "$n" "$runs"
		rm -rf "$W/s"
	done
	ELAPSED=$(($(date +%s) - T0))
	perl "$ROOT/src/bench/table.pl" export "$FIGS" "$B/bench-export.json" "$ELAPSED" "$STORES" 0 ""
	exit
fi

note "1/5 raw primitive rates"
fig raw -k "$D0/server.key" -x "$PARSER" -r "$RUNS" -t "$RAW_T"

note "2/5 handshakes, full and resumed ($HS_C concurrent clients)"
start_server "$D0" --max-sessions $((IDLE_N + 200)) --idle-timeout 600
fig handshake $(net alice) -c "$HS_C" -r "$RUNS" -t "$HS_T" -T argon2_default
# the same user and server: one full handshake + login per client for its ticket, then resumptions
fig resume $(net alice) -c "$HS_C" -r "$RUNS" -t "$HS_T" -T argon2_default
fig handshake $(net light) -c "$HS_C" -r "$RUNS" -t "$HS_T" -T argon2_256kib

note "3/5 durable reports (pre-signed)"
for cp in $REP_PER; do
	fig report $(net light) -c "${cp%%:*}" -n "${cp##*:}" -r "$RUNS" -t 1 -T "s${cp%%:*}"
done

note "4/5 memory ($IDLE_N idle sessions)"
sleep 1
fig rss -p "$SPID" -T idle0
mkfifo "$W/idle.fifo"
"$BENCH" idle $(net light) -c "$IDLE_N" -t 600 >"$W/idle.fifo" 2>>"$W/idle.err" &
IDLE_PID=$!
read -r ready n <"$W/idle.fifo" || die "idle sessions did not open"
[ "$ready" = ready ] && [ "$n" = "$IDLE_N" ] || { cat "$W/idle.err" >&2; die "only $n idle sessions opened"; }
sleep 1
fig rss -p "$SPID" -T idle$IDLE_N
kill -TERM "$IDLE_PID"; wait "$IDLE_PID" 2>/dev/null; IDLE_PID=
stop_server
rm -rf "$D0"

note "5/5 scaling: empty store"
make_store "$W/s0" || die "cannot create a store"
start_server "$W/s0"
fig report $(net light) -c 1 -n "$LEVEL_N" -r "$LRUNS" -t 1 -T j0
fig handshake $(net light) -c 1 -r "$LRUNS" -t "$LHS_T" -T j0
stop_server
fig startup -L "$LOG" -e "$OFFICER" -d "$W/s0" -r "$RUNS" -T j0
rm -rf "$W/s0"
for st in $STORES; do
	n=${st%%:*} d=${st##*:}
	note "5/5 scaling: $n reports, $d drivers"
	make_store "$W/s" || die "cannot create a store"
	"$BENCH" populate -d "$W/s" -P "$W/unit.key.pub" -n "$n" -D "$d" || die "populate failed"
	fig startup -L "$LOG" -e "$OFFICER" -d "$W/s" -r "$RUNS" -T "j$n"
	start_server "$W/s"
	fig report $(net light) -c 1 -n "$LEVEL_N" -r "$LRUNS" -t 1 -T "j$n"
	fig handshake $(net light) -c 1 -r "$LRUNS" -t "$LHS_T" -T "j$n"
	stop_server
	fig approve -d "$W/s" -n "$APPROVE_N" -r "$LRUNS" -T "d$d"
	# the export figures have their own mode (bench-export); smoke checks that they come out
	[ "$MODE" = smoke ] && export_figs "$W/s" "$n" 1
	rm -rf "$W/s"
done

ELAPSED=$(($(date +%s) - T0))
perl "$ROOT/src/bench/table.pl" "$MODE" "$FIGS" "$B/bench.json" "$ELAPSED" "$STORES" "$IDLE_N" "$REP_PER"
