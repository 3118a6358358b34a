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

# name, -D flag, expected errors, what a failure would mean
run() {
	local name=$1 def=$2 want=$3 log="$out/spin-$1.log"
	rm -f pan pan.* ./*.trail
	spin ${def:+-D$def} -a "$model" >"$log" 2>&1 &&
		gcc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c >>"$log" 2>&1 &&
		./pan -m200000 >>"$log" 2>&1
	local errs states
	errs=$(sed -nE 's/.*errors: ([0-9]+).*/\1/p' "$log" | tail -1)
	states=$(sed -nE 's/^ *([0-9]+) states, stored.*/\1/p' "$log" | tail -1)
	if [ "$want" = 0 ]; then
		if [ "$errs" = 0 ] && ! grep -q 'Search not completed' "$log"; then
			echo "ok   model $name: 0 errors, ${states} states explored"
			return 0
		fi
	elif [ -n "$errs" ] && [ "$errs" -ge 1 ]; then
		echo "ok   model $name: fails as it must ($(grep -m1 -oE 'assertion violated.*|invalid end state' "$log"))"
		return 0
	fi
	echo "FAIL model $name: errors=${errs:-none}, see $log"
	return 1
}

fail=0
run tes ""  0 || fail=1           # the protocol: all properties hold, no deadlock
run reach REACH 1 || fail=1       # a report can be delivered and receipted
run nopin NOPIN 1 || fail=1       # without the pin: session with a substituted key
run noauth NOAUTH 1 || fail=1     # without unit signatures: forged report recorded
run nodedup NODEDUP 1 || fail=1   # without the id check: a retry recorded twice
rm -f pan pan.*
exit $fail
