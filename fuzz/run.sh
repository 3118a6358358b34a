#!/bin/sh
# SPDX-License-Identifier: ISC
# Fuzz campaigns, coverage and corpus upkeep; the Makefile's fuzz targets call this
# with FB set to the build directory (build/fuzz) after building the binaries.
#   run.sh campaign SECONDS TARGET...   libFuzzer, then AFL++, per target (make fuzz);
#                                       with FUZZ_BUDGET=cpu, SECONDS are CPU seconds;
#                                       FUZZ_ENGINES="lf" or "afl" runs one engine only
#   run.sh smoke SECONDS TARGET         one short libFuzzer run (tests/integration/fuzz.sh)
#   run.sh coverage TARGET...           llvm-cov over the committed corpus (make fuzz-cov)
#   run.sh merge TARGET...              minimise corpus + last campaign's finds (-merge=1)
#   run.sh seeds TARGET...              regenerate seeds, merge them into the corpus
# Exit status: 0 when every step passed; 1 on a crash, a coverage floor missed, or a
# tool failure.
set -u
FB=${FB:-build/fuzz}
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=$HERE/corpus

# -max_len from the spec's limits (src/wire/limits.h), see fuzz/README.md.
max_len() {
	case $1 in
	frame) echo 12288 ;;        # a stream of 3 maximal frames (TES_FRAME_MAX 4096)
	report) echo 4096 ;;        # one frame payload at most
	pwfile) echo 256 ;;         # TES_PWFILE_MAX (130) and room to refuse longer files
	ticket) echo 257 ;;         # mode byte + TES_TICKET_MAX (256), above either codec's length
	legacy_users) echo 4096 ;;  # a few users with long escaped names (a user is at most ~560 bytes)
	policy) echo 2304 ;;        # TES_POLICY_TEXT_MAX (2048) and room to refuse longer files
	monitor) echo 8193 ;;       # mode byte + 8 monitor messages of 1024 bytes
	http) echo 10241 ;;         # mode byte + TES_HTTP_REQ_MAX (8192 head + 2048 body)
	*) echo 16385 ;;            # mode/flags byte + 16 KiB of records, files or frames
	esac
}

# Which sources a target's coverage is measured on.
parsers() {
	case $1 in
	frame) echo src/wire/frame.c ;;
	record) echo src/crypto/record.c ;;
	report) echo src/wire/msg.c src/wire/field.c ;;
	drivers_enc) echo src/store/drivers.c src/store/journal.c ;;
	index) echo src/store/index.c ;;
	monitor) echo src/officer/mon.c ;;
	handshake) echo src/officer/engine.c src/police/client_engine.c src/police/client.c ;;
	handshake_real) echo src/officer/engine.c ;;
	http) echo src/web/http.c src/web/resp.c ;;
	batch_csv | batch_jsonl) echo src/wire/batch.c src/wire/rfc3339.c ;;
	spool) echo src/police/spool.c ;;
	pwfile) echo src/wire/pwfile.c ;;
	ticket) echo src/wire/ticket.c ;;
	legacy_json | legacy_users) echo src/wire/legacy.c ;;
	policy) echo src/wire/policy.c ;;
	esac
}

# FUZZ_BUDGET=wall (default): SECONDS of wall-clock time per engine (libFuzzer
# -max_total_time, afl-fuzz -V). FUZZ_BUDGET=cpu: the engine runs until its process tree
# (afl-fuzz, the fork server and the target) has used SECONDS of CPU time, so a campaign
# keeps its budget on a machine that other jobs share; the wall-clock cap is 6 x SECONDS.
BUDGET=${FUZZ_BUDGET:-wall}
CLK=$(getconf CLK_TCK)

# CPU seconds used so far by process $1 and every live descendant (utime + stime +
# reaped children's cutime + cstime, from /proc/PID/stat).
tree_cpu() {
	for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null; echo; done | awk -v root="$1" -v clk="$CLK" '
		NF == 0 { next }
		{ pid = $1; sub(/^.*\) /, ""); pp[pid] = $2; cpu[pid] = $12 + $13 + $14 + $15 }
		END {
			in_tree[root] = 1
			do {
				grew = 0
				for (p in pp) if (!(p in in_tree) && (pp[p] in in_tree)) { in_tree[p] = 1; grew = 1 }
			} while (grew)
			for (p in in_tree) s += cpu[p]
			printf "%d\n", s / clk
		}'
}

# Run "$@" in the background; in cpu mode stop it with SIGINT (both engines then write
# their statistics and exit) once its tree has used $1 CPU seconds. Writes the CPU
# seconds used to $2 and returns the command's status. The figure is the larger of
# the last look at the live tree and what time(1) got from the reaped processes:
# afl-fuzz exits without reaping its fork server, so time(1) alone misses the
# target's CPU time.
budgeted() {
	secs=$1 cpu_out=$2
	shift 2
	/usr/bin/time -f '%U %S' -o "$cpu_out.raw" "$@" &
	pid=$!
	used=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		now=$(tree_cpu "$pid")
		[ "${now:-0}" -gt "$used" ] && used=$now
		if [ "$BUDGET" = cpu ] && [ "$used" -ge "$secs" ]; then
			pkill -INT -P "$pid" 2>/dev/null
			break
		fi
	done
	wait "$pid"
	rc=$?
	awk -v live="$used" 'NF == 2 && $1 ~ /^[0-9.]+$/ { t = $1 + $2 } END { printf "%d\n", (t > live ? t : live) }' \
		"$cpu_out.raw" >"$cpu_out"
	return $rc
}

# the wall-clock limit handed to the engine itself
wall_limit() {
	if [ "$BUDGET" = cpu ]; then echo $(($1 * 6)); else echo "$1"; fi
}

lf_opts() {
	echo "-timeout=5 -max_len=$(max_len "$1") -dict=$HERE/$1.dict -print_final_stats=1"
}

# libFuzzer: new inputs go to the scratch dir (first), the committed corpus stays read-only.
run_lf() {
	t=$1 secs=$2 d=$FB/run/$t
	rm -rf "$d/lf-corpus" "$d/lf-art"
	mkdir -p "$d/lf-corpus" "$d/lf-art"
	# shellcheck disable=SC2046
	budgeted "$secs" "$d/lf.cpu" "$FB/lf_$t" $(lf_opts "$t") -max_total_time="$(wall_limit "$secs")" \
		-artifact_prefix="$d/lf-art/" \
		"$d/lf-corpus" "$CORPUS/$t" >"$d/lf.log" 2>&1
	rc=$?
	# stopped by the CPU budget: libFuzzer exits 72 after "run interrupted"
	[ "$rc" -eq 72 ] && [ "$BUDGET" = cpu ] && grep -q 'libFuzzer: run interrupted' "$d/lf.log" && rc=0
	cpu=$(cat "$d/lf.cpu")
	crashes=$(find "$d/lf-art" -type f | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/lf.log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/lf.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$d/lf.log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$d/lf.log" | tail -1 | cut -d' ' -f2)
	corp=$(ls "$d/lf-corpus" "$CORPUS/$t" | grep -vc ':$\|^$')
	printf '%-15s libFuzzer %4ss  cpu %4ss  execs %10s  execs/s %7s  corpus %5s  edges(cov) %5s  features %6s  crashes %s\n' \
		"$t" "$secs" "${cpu:-?}" "${execs:-?}" "${eps:-?}" "$corp" "${cov:-?}" "${ft:-?}" "$crashes"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		echo "$t: libFuzzer found a crash (rc $rc); log $d/lf.log, inputs in $d/lf-art/" >&2
		tail -40 "$d/lf.log" >&2
		return 1
	fi
}

# AFL++ 4.04c exits 0 even when it saved crashes: count crashes/ ourselves.
run_afl() {
	t=$1 secs=$2 d=$FB/run/$t
	rm -rf "$d/afl"
	mkdir -p "$d"
	budgeted "$secs" "$d/afl.cpu" env AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
		AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 \
		AFL_CMPLOG_ONLY_NEW=1 AFL_SKIP_CRASHES=1 afl-fuzz -V "$(wall_limit "$secs")" -t 1000 -m none -x "$HERE/$t.dict" -i "$CORPUS/$t" -o "$d/afl" \
		-- "$FB/afl_$t" </dev/null >"$d/afl.log" 2>&1
	rc=$?
	cpu=$(cat "$d/afl.cpu")
	st=$d/afl/default/fuzzer_stats
	crashes=$(find "$d/afl/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
	if [ ! -f "$st" ]; then
		echo "$t: afl-fuzz did not run (rc $rc); log $d/afl.log" >&2
		tail -20 "$d/afl.log" >&2
		return 1
	fi
	get() { sed -n "s/^$1 *: *//p" "$st"; }
	printf '%-15s AFL++     %4ss  cpu %4ss  execs %10s  execs/s %7s  corpus %5s  edges       %5s  (%s of map)  crashes %s\n' \
		"$t" "$secs" "${cpu:-?}" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" \
		"$(get edges_found)" "$(get bitmap_cvg)" "$crashes"
	if [ "$crashes" -ne 0 ]; then
		echo "$t: AFL++ saved $crashes crash(es) in $d/afl/default/crashes/" >&2
		return 1
	fi
}

campaign() {
	secs=$1
	shift
	fail=0
	for t in "$@"; do
		case " ${FUZZ_ENGINES:-lf afl} " in *" lf "*) run_lf "$t" "$secs" || fail=1 ;; esac
		case " ${FUZZ_ENGINES:-lf afl} " in *" afl "*) run_afl "$t" "$secs" || fail=1 ;; esac
	done
	echo "new inputs are under $FB/run/<target>/; keep them with: fuzz/run.sh merge TARGET"
	return $fail
}

smoke() {
	secs=$1 t=$2 d=$FB/smoke/$t
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/art"
	# shellcheck disable=SC2046
	"$FB/lf_$t" $(lf_opts "$t") -max_total_time="$secs" -artifact_prefix="$d/art/" \
		"$d/corpus" "$CORPUS/$t" >"$d/log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] || [ -n "$(ls "$d/art")" ]; then
		tail -40 "$d/log" >&2
		return 1
	fi
	grep '^#.*DONE' "$d/log" | tail -1
}

coverage() {
	fail=0
	mkdir -p "$FB/cov"
	for t in "$@"; do
		rm -f "$FB/cov/$t".*
		LLVM_PROFILE_FILE="$FB/cov/$t.profraw" "$FB/cov_$t" "$CORPUS/$t" >/dev/null || { fail=1; continue; }
		llvm-profdata merge -sparse "$FB/cov/$t.profraw" -o "$FB/cov/$t.profdata" || { fail=1; continue; }
		: >"$FB/cov/$t.txt"
		for src in $(parsers "$t"); do
			line=$(llvm-cov report "$FB/cov_$t" -instr-profile="$FB/cov/$t.profdata" "$src" | grep '^TOTAL')
			[ -n "$line" ] || { fail=1; continue; }
			echo "$src $line" >>"$FB/cov/$t.txt"
			lines=$(echo "$line" | awk '{print $10}' | tr -d %)
			branches=$(echo "$line" | awk '{print $13}' | tr -d %)
			floor=$(awk -v t="$t" -v s="$src" '$1 == t && $2 == s {print $3}' "$HERE/coverage-floors.txt")
			bfloor=$(awk -v t="$t" -v s="$src" '$1 == t && $2 == s {print $4}' "$HERE/coverage-floors.txt")
			verdict=ok
			if [ -z "$floor" ]; then
				verdict="NO FLOOR"
				fail=1
			elif awk -v a="$lines" -v b="$floor" -v c="$branches" -v d="$bfloor" \
				'BEGIN { exit !(a + 0 < b + 0 || c + 0 < d + 0) }'; then
				verdict="BELOW FLOOR"
				fail=1
			fi
			printf '%-15s %-24s lines %6s%%  branches %6s%%  floor %s%% / %s%%  %s\n' \
				"$t" "$src" "$lines" "$branches" "${floor:-?}" "${bfloor:-?}" "$verdict"
		done
	done
	return $fail
}

# Minimise the corpus with the finds of the last campaign; regress-* and seed-* inputs always stay.
merge() {
	for t in "$@"; do
		d=$FB/run/$t new=$FB/merge/$t
		rm -rf "$new"
		mkdir -p "$new"
		set --
		for x in "$CORPUS/$t" "$d/lf-corpus" "$d/afl/default/queue" "$FB/seed-out/$t"; do
			[ -d "$x" ] && set -- "$@" "$x"
		done
		"$FB/lf_$t" -merge=1 -max_len="$(max_len "$t")" "$new" "$@" >"$FB/merge/$t.log" 2>&1 ||
			{ tail -20 "$FB/merge/$t.log" >&2; return 1; }
		mkdir -p "$CORPUS/$t"
		find "$CORPUS/$t" -type f ! -name 'regress-*' ! -name 'seed-*' -delete
		for f in "$new"/*; do
			[ -f "$f" ] && cp "$f" "$CORPUS/$t/$(sha1sum "$f" | cut -c1-40)"
		done
		echo "$t: $(ls "$CORPUS/$t" | wc -l) inputs in fuzz/corpus/$t"
	done
}

seeds() {
	rm -rf "$FB/seed-out"
	mkdir -p "$FB/seed-out"
	"$FB/seeds" "$FB/seed-out" && "$FB/seeds-real" "$FB/seed-out" || return 1
	merge "$@"
}

cmd=${1:-}
shift
case $cmd in
campaign) campaign "$@" ;;
smoke) smoke "$@" ;;
coverage) coverage "$@" ;;
merge) merge "$@" ;;
seeds) seeds "$@" ;;
*) echo "usage: $0 campaign|smoke|coverage|merge|seeds ..." >&2; exit 2 ;;
esac
