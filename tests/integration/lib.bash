# SPDX-License-Identifier: ISC
# Shared helpers for the integration tests: TAP output, a scratch directory,
# and the two real binaries started over loopback. Sourced, not run.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${TES_BUILD:-$ROOT/build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
OFFICER=$B/tes-officer
PARSER=$B/tes-parser
POLICE=$B/tes-police
T=$(mktemp -d /tmp/tes-it.XXXXXX)
# Argon2 memory cost for tests only (the default is 19 MiB): keeps logins fast.
export TES_ARGON2_MEMORY_KIB=256
export XDG_CONFIG_HOME=$T/config
export HOME=$T/home
mkdir -p "$HOME"
unset TES_DATA TES_SERVER
SERVER_PID=
tap_n=0 tap_pass=0 tap_fail=0

ok() { # ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		tap_pass=$((tap_pass + 1)); echo "ok $tap_n - $2"
	else
		tap_fail=$((tap_fail + 1)); echo "not ok $tap_n - $2"
	fi
}
check() { # check DESCRIPTION COMMAND...: passes when the command exits 0
	local d=$1; shift
	if "$@" >"$T/check.out" 2>&1; then ok 0 "$d"; else ok 1 "$d"; sed 's/^/# /' "$T/check.out"; fi
}
check_code() { # check_code DESCRIPTION CODE COMMAND...: passes when the command exits with CODE
	local d=$1 want=$2; shift 2
	"$@" >"$T/check.out" 2>&1
	local got=$?
	if [ "$got" = "$want" ]; then ok 0 "$d"; else ok 1 "$d (exit $got, wanted $want)"; sed 's/^/# /' "$T/check.out"; fi
}
cleanup() {
	stop_server
	rm -rf "$T"
}
trap 'cleanup' EXIT
done_testing() {
	stop_server
	echo "1..$tap_n"
	echo "$tap_pass passed, $tap_fail failed"
	[ "$tap_fail" = 0 ]
}
# A check that something is absent passes only when the search could have found it: its input
# exists and holds CONTROL, a pattern it must hold (the positive control). Without that, a missing
# log or an empty listing would pass.
absent() { # absent DESCRIPTION PATTERN CONTROL FILE...: the FILEs hold CONTROL and not PATTERN (grep -E)
	local d=$1 pat=$2 ctl=$3 f
	shift 3
	for f in "$@"; do
		[ -s "$f" ] || { ok 1 "$d (no input: $f is missing or empty)"; return; }
	done
	if ! grep -Eq -- "$ctl" "$@"; then
		ok 1 "$d (control /$ctl/ not found: the search could not have found anything)"
	elif grep -Eq -- "$pat" "$@"; then
		ok 1 "$d"
		grep -E -- "$pat" "$@" | head -n 5 | sed 's/^/# /'
	else
		ok 0 "$d"
	fi
}
subset() { # subset DESCRIPTION A B: every line of the sorted list A is in B; A must not be empty
	local d=$1
	if [ ! -s "$2" ]; then
		ok 1 "$d (no input: $2 is empty)"
	elif comm -23 "$2" "$3" | grep -q .; then
		ok 1 "$d"
		comm -23 "$2" "$3" | head -n 5 | sed 's/^/# missing: /'
	else
		ok 0 "$d"
	fi
}
disjoint() { # disjoint DESCRIPTION A B: no line of the sorted list A is in B; neither may be empty
	local d=$1
	if [ ! -s "$2" ] || [ ! -s "$3" ]; then
		ok 1 "$d (no input: $2 or $3 is empty)"
	elif comm -12 "$2" "$3" | grep -q .; then
		ok 1 "$d"
		comm -12 "$2" "$3" | head -n 5 | sed 's/^/# in both: /'
	else
		ok 0 "$d"
	fi
}
wait_until() { # wait_until SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds (0) or SECONDS pass (1)
	local n=$(($1 * 10))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
log_count() { # log_count PATTERN: lines of the server log matching PATTERN (grep BRE)
	local n
	n=$(grep -c -- "$1" "$T/server.log" 2>/dev/null)
	echo "${n:-0}"
}
log_has() { # log_has PATTERN [COUNT]: at least COUNT (default 1) lines of the server log match
	[ "$(log_count "$1")" -ge "${2:-1}" ]
}
wait_log() { # wait_log PATTERN [COUNT [SECONDS]]: until COUNT lines of the server log match (default 1, 20 s)
	wait_until "${3:-20}" log_has "$1" "${2:-1}"
}
free_port() { # a port below the kernel's ephemeral range, so no client socket holds it
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}
start_server() { # start_server DIR [serve options]: sets PORT and SERVER_PID
	local try
	for try in 1 2 3; do
		start_server_once "$@" && return 0
		grep -q "Address already in use" "$T/server.log" || return 1
	done
	return 1
}
start_server_once() {
	local dir=$1; shift
	PORT=$(free_port)
	# load tests open hundreds of sessions from 127.0.0.1 at once, under sanitizers too: no
	# handshake caps here (startups.sh tests the defaults)
	${TES_OFFICER_WRAP:-} "$OFFICER" serve -d "$dir" --listen "127.0.0.1:$PORT" --http off \
		--login-grace-time 600 --per-source-max-startups 65536 --max-startups 65536:0:65536 "$@" >>"$T/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 100); do
		grep -q "listening on 127.0.0.1:$PORT" "$T/server.log" 2>/dev/null && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# server did not start" >&2
	tail -n 20 "$T/server.log" | sed 's/^/# /' >&2
	return 1
}
stop_server() {
	local rc
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		rc=$?
		SERVER_PID=
		if [ -n "${TES_OFFICER_WRAP:-}" ]; then # valgrind exits 99 on a memory error
			ok $([ "$rc" != 99 ] && echo 0 || echo 1) "no memory error in the master under: $TES_OFFICER_WRAP"
			[ "$rc" = 99 ] && grep '^==' "$T/server.log" | head -40 | sed 's/^/# /'
		fi
	fi
}
setup_data() { # setup_data DIR: server keys, unit key u1 registered as patrol-7, police user alice
	local dir=$1
	"$OFFICER" init -d "$dir" >/dev/null &&
		"$POLICE" keygen -k "$T/unit1.key" >/dev/null &&
		"$OFFICER" add-unit -d "$dir" patrol-7 "$T/unit1.key.pub" >/dev/null &&
		printf 'amber-tulip-quarry-57\n' >"$T/pw" &&
		"$OFFICER" add-user -d "$dir" alice --role police --password-file "$T/pw" >/dev/null &&
		FP=$("$OFFICER" fingerprint -d "$dir")
}
police() { # police report|batch [options]: session options filled in (PWFILE=F: another password file)
	local cmd=$1; shift
	"$POLICE" "$cmd" -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice --password-file "${PWFILE:-$T/pw}" \
		--server-key "$FP" "$@"
}
setup_dashboard() { # setup_dashboard DIR: a store with unit u1 as patrol-7, police alice and officer boss
	# (both with password $PW), served with its dashboard: sets PW, FP, PORT, SERVER_PID, HP and U
	local dir=$1
	PW=amber-tulip-quarry-57
	printf '%s\n' "$PW" >"$T/pw"
	"$OFFICER" init -d "$dir" >/dev/null &&
		"$POLICE" keygen -k "$T/unit1.key" >/dev/null &&
		"$OFFICER" add-unit -d "$dir" patrol-7 "$T/unit1.key.pub" >/dev/null &&
		"$OFFICER" add-user -d "$dir" alice --role police --password-file "$T/pw" >/dev/null &&
		"$OFFICER" add-user -d "$dir" boss --role officer --password-file "$T/pw" >/dev/null &&
		FP=$("$OFFICER" fingerprint -d "$dir") || return 1
	HP=$(free_port)
	U=http://127.0.0.1:$HP
	start_server "$dir" --http "127.0.0.1:$HP" && wait_log "dashboard on http://127.0.0.1:$HP/" 1 5
}
req() { # req OUT CURL-ARGS...: one HTTP request, the response (with headers) in OUT; prints the status
	local o=$1; shift
	curl -s -i -o "$o" -w '%{http_code}' --max-time 10 "$@"
}
csrf_of() { # csrf_of FILE: the first form token in an HTTP response
	grep -o 'name="csrf" value="[0-9a-f]*"' "$1" | head -1 | sed 's/.*value="//;s/"//'
}
