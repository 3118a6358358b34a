#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Fuzzing in make test (fuzz/README.md): every committed corpus (fuzz/corpus/<target>,
# past crash inputs included) replays through the plain replayer under ASan+UBSan, then a
# short libFuzzer campaign per target (FUZZ_SMOKE_SECONDS, default 30) must end without
# a crash. The Makefile builds $B/fuzz/replay_<target> and $B/fuzz/lf_<target> first.
. "$(dirname "$0")/lib.bash"
# Variant runs (make test-asan sets TES_BUILD) reuse the release suite; the fuzz binaries
# are sanitizer builds already and run once, in the default build.
if [ -n "${TES_BUILD:-}" ]; then
	echo "1..0 # SKIP fuzz corpora and smoke campaigns run in the default build only"
	exit 0
fi
FB=$B/fuzz
SMOKE=${FUZZ_SMOKE_SECONDS:-30}
for dir in "$ROOT"/fuzz/corpus/*/; do
	t=$(basename "$dir")
	n=$(find "$dir" -type f | wc -l)
	ok $([ "$n" -gt 0 ] && echo 0 || echo 1) "corpus $t is not empty ($n inputs)"
	check "corpus $t replays under ASan+UBSan" "$FB/replay_$t" "$dir"
	grep -q "replayed $n inputs" "$T/check.out" || ok 1 "replayer of $t ran all $n inputs"
done
for t in frame record report drivers_enc index monitor handshake handshake_real http batch_csv batch_jsonl spool pwfile ticket legacy_json legacy_users policy; do
	ok $([ -d "$ROOT/fuzz/corpus/$t" ] && echo 0 || echo 1) "target $t has a committed corpus"
	check "libFuzzer smoke campaign of ${SMOKE}s on $t finds no crash" \
		env FB="$FB" "$ROOT/fuzz/run.sh" smoke "$SMOKE" "$t"
done
done_testing
