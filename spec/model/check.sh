#!/bin/bash
# SPDX-License-Identifier: ISC
# Model-check spec/model/tes.pml with SPIN (see spec/model/README.md).
# The real model must verify with 0 errors (assertions and invalid end
# states, i.e. deadlocks); each deliberately broken variant must fail, which
# shows the properties can fail. Usage: check.sh OUTDIR
set -u -o pipefail
out=$1
model=$(cd "$(dirname "$0")" && pwd)/tes.pml
mkdir -p "$out" && cd "$out" || exit 1

# name, -D flags (space-separated), expected errors (0, or 1 = must fail),
# for a variant that must fail: the text of the assertion that must be the
# one violated (a fixed string; the variant must break that very property),
# and the gcc optimisation (default: -O2 for a full search, -O0 for a variant
# that must fail: it stops within a few thousand states and compiles faster)
run() {
	local name=$1 defs=$2 want=$3 expect=${4:-} opt=${5:-} log="$out/spin-$1.log" d
	local -a flags=()
	for d in $defs; do flags+=("-D$d"); done
	[ -n "$opt" ] || { [ "$want" = 0 ] && opt=-O2 || opt=-O0; }
	rm -f pan pan.* ./*.trail
	spin "${flags[@]}" -a "$model" >"$log" 2>&1 &&
		gcc "$opt" -DSAFETY -DCOLLAPSE -o pan pan.c >>"$log" 2>&1 &&
		./pan -m200000 >>"$log" 2>&1
	local errs states what
	errs=$(sed -nE 's/.*errors: ([0-9]+).*/\1/p' "$log" | tail -1)
	states=$(sed -nE 's/^ *([0-9]+) states, stored.*/\1/p' "$log" | tail -1)
	if [ "$want" = 0 ]; then
		if [ "$errs" = 0 ] && ! grep -q 'Search not completed' "$log"; then
			echo "ok   model $name: 0 errors, ${states} states explored"
			return 0
		fi
	elif [ -n "$errs" ] && [ "$errs" -ge 1 ]; then
		what=$(grep -m1 -oE 'assertion violated.*|invalid end state' "$log")
		case $what in
		*"$expect"*)
			echo "ok   model $name: fails as it must ($what)"
			return 0
			;;
		esac
		echo "FAIL model $name: fails, but not on '$expect' ($what), see $log"
		return 1
	fi
	echo "FAIL model $name: errors=${errs:-none}, see $log"
	return 1
}

fail=0
run tes ""  0 || fail=1           # the protocol: all properties hold, no deadlock
# with the unit's ticket and resumption secret stolen (not its key): it can
# play the server to that unit, but the unit signature keeps it from logging in
run leakrs LEAKRS 0 || fail=1
run reach REACH 1 '!(c_done)' || fail=1          # a report can be delivered and receipted
run reachres REACHRES 1 '!(c_res_done)' || fail=1 # ... also in a resumed session
run nopin NOPIN 1 '(spk==1)' -O2 || fail=1       # without the pin: session with a substituted key
run noauth NOAUTH 1 'sent[m.c]' -O2 || fail=1    # without unit signatures: forged report recorded
run nodedup NODEDUP 1 '(stored[m.c]==1)' || fail=1 # without the id check: a retry recorded twice
# resumption: (m.e!=2) is the server's "resumed with the genuine client",
# (m.e==1) the client's "resumed with the server that issued the ticket"
run noresumesig "NORESUMESIG LEAKRS" 1 '(m.e!=2)' || fail=1 # no UNIT_AUTH check + stolen ticket and rs: a thief logs in
run nofinc NOFINC 1 '(m.e!=2)' || fail=1         # client Finished not checked: the session is hijacked
run nors NORS 1 '(m.e!=2)' || fail=1             # keys without rs: the session is hijacked
run norschk NORSCHK 1 '(m.e==1)' || fail=1       # client takes any server Finished: resumed with an impostor
rm -f pan pan.* ./*.trail
exit $fail
