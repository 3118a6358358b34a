#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The fuzz-mode substitutions (fuzz/fuzzmode.c: fixed RNG, accepted MACs, NULL
# cipher) never reach a release binary: the release binaries lack its marker string and
# its symbols, a fuzz binary has them (so the check can fail), and a release object
# refuses to compile with the fuzz macro.
. "$(dirname "$0")/lib.bash"
MARKER=TES-FUZZ-MODE-UNSAFE-FOR-PRODUCTION
for bin in "$OFFICER" "$PARSER" "$POLICE"; do
	name=$(basename "$bin")
	strings -a "$bin" >"$T/strings"
	absent "$name does not contain the fuzz-mode marker" "$MARKER" "$name" "$T/strings"
	nm "$bin" >"$T/nm" 2>/dev/null
	absent "$name has no tes_fuzz_ symbol" 'tes_fuzz_' ' T tes_' "$T/nm"
done
FB=$ROOT/build/fuzz	# built by make test-main in the default build
ok $(grep -aq "$MARKER" "$FB/lf_handshake" && echo 0 || echo 1) "a fuzz-mode binary does contain the marker"
ok $(grep -aq "$MARKER" "$FB/replay_record" && echo 0 || echo 1) "every fuzz binary links fuzzmode.c"
check_code "src/crypto/rng.c refuses -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION" 1 \
	cc -std=c11 -I"$ROOT/src" -I/usr/include/bearssl -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
	-fsyntax-only "$ROOT/src/crypto/rng.c"
check_code "fuzz/fuzzmode.c refuses a build without -DTES_FUZZ_BUILD" 1 \
	cc -std=c11 -I"$ROOT/src" -I/usr/include/bearssl -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
	-fsyntax-only "$ROOT/fuzz/fuzzmode.c"
done_testing
