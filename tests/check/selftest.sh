#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The checks of `make check` catch what they are for: each runs on a scratch copy of the tree,
# first unchanged (it must pass: the positive control), then with one violation planted (it must
# fail, naming that violation). Needs the objects of a build (OBJ, default build/obj) for the
# purity and name checks. TAP output.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OBJ=${OBJ:-$ROOT/build/obj}
case $OBJ in /*) ;; *) OBJ=$ROOT/$OBJ ;; esac
T=$(mktemp -d /tmp/tes-check.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0 pass=0 fail=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok $n - $2"; else fail=$((fail + 1)); echo "not ok $n - $2"; fi
}
fresh() { # a clean copy of what the checks read, in $T/t
	rm -rf "$T/t"
	mkdir -p "$T/t"
	(cd "$ROOT" && cp -a .clang-format src spec tests fuzz sandbox proofs "$T/t/")
	rm -rf "$T/t/tests/e2e/node_modules"
	cp -a "$OBJ" "$T/t/obj"
}
# fails_with DESCRIPTION PATTERN CHECK...: the check exits non-zero and says PATTERN
fails_with() {
	local d=$1 pat=$2; shift 2
	"$@" >"$T/out" 2>&1
	local rc=$?
	if [ "$rc" != 0 ] && grep -q -- "$pat" "$T/out"; then
		ok 0 "$d"
	else
		ok 1 "$d (exit $rc)"
		head -n 8 "$T/out" | sed 's/^/# /'
	fi
}
# the same variables the Makefile gives the purity check
eval "$(make -s -C "$ROOT" --no-print-directory print-check-vars)"
pure() {
	PURE_SRC=$PURE_SRC PURE_ALLOC_SRC=$PURE_ALLOC_SRC CRYPTO_SRC=$CRYPTO_SRC "$T/t/tests/check/pure.sh" "$T/t" "$T/t/obj"
}
names() { "$T/t/tests/check/names.sh" "$T/t" "$T/t/obj"; }
format() { "$T/t/tests/check/format.sh" "$T/t"; }
cite() { perl "$T/t/tests/check/cite.pl" "$T/t"; }
plant_obj() { # plant_obj OBJ C-SOURCE: replace an object of the copy by one made from C-SOURCE
	printf '%s\n' "$2" | cc -c -x c -o "$T/t/obj/$1" -
}

fresh
for c in format pure names cite; do
	$c >"$T/out" 2>&1
	ok $? "$c passes on the unchanged tree"
	grep -q "^$c: [0-9]" "$T/out" || head -n 5 "$T/out" | sed "s/^/# /"
done

fresh
printf 'int  tes_frame_planted ( void ) { return 0 ; }\n' >>"$T/t/src/wire/frame.c"
fails_with "format: a badly formatted line fails" "src/wire/frame.c is not formatted" format
fresh
plant_obj wire/frame.o '#include <unistd.h>
int tes_frame_planted(void) { return (int)write(1, "", 0); }'
fails_with "pure: a pure source that calls write() fails" "src/wire/frame.c calls write" pure
fresh
plant_obj officer/engine.o 'int tes_engine_planted(void) { extern long time(long *); return (int)time(0); }'
fails_with "pure: the session engine reading the clock fails" "src/officer/engine.c calls time" pure
fresh
plant_obj store/journal.o '#include <stdlib.h>
void *tes_journal_planted(void) { return malloc(1); }'
fails_with "pure: a codec that allocates fails" "src/store/journal.c calls malloc" pure
fresh
plant_obj wire/frame.o 'int frame_planted_helper(void) { return 0; }'
fails_with "names: a global symbol without its file's prefix fails" "defines frame_planted_helper" names
fresh
: >"$T/t/src/police/frame.c"
fails_with "names: two files of the same name fail" "more than one src/ file is named frame.c" names
fresh
printf '\n- MUST-F1: planted twice.\n' >>"$T/t/spec/STORAGE.md"
fails_with "cite: an id defined twice across spec/ fails" "MUST-F1 is already defined" cite
fresh
printf '/* planted MUST-F2 */\n' >>"$T/t/src/wire/frame.c"
fails_with "cite: a bare MUST id in src/ fails" "MUST-F2 cited without its spec file" cite
fresh
printf '/*= spec/PROTOCOL.md#records MUST-F3 */\n' >>"$T/t/src/wire/frame.c"
fails_with "cite: a citation under the wrong section fails" "MUST-F3 is in spec/PROTOCOL.md#frames, not #records" cite
fresh
printf '/*= spec/STORAGE.md#journal MUST-F3 */\n' >>"$T/t/src/wire/frame.c"
fails_with "cite: a citation of the wrong spec file fails" "MUST-F3 is defined in spec/PROTOCOL.md" cite
fresh
grep -rl 'MUST-F4' "$T/t/src" "$T/t/sandbox" | xargs sed -i 's/MUST-F4\b//g; s/MUST-F3\.\.F5/MUST-F3, MUST-F5/g; s/MUST-F1\.\.F5/MUST-F1..F3, MUST-F5/g'
fails_with "cite: a requirement cited nowhere in the code fails" "MUST-F4 is cited nowhere" cite
fresh
grep -rl 'MUST-F4' "$T/t/tests" "$T/t/fuzz" | xargs -r sed -i 's/MUST-F4\b/MUST-F5/g; s/MUST-F[0-9]\.\.F[0-9]/MUST-F5/g'
fails_with "cite: a requirement no test names fails" "MUST-F4 appears in no test" cite

echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
