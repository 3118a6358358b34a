#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The release binaries carry every hardening the Makefile asks for, read from their ELF
# headers: PIE, full RELRO (GNU_RELRO + BIND_NOW), stack protector, FORTIFY_SOURCE.
. "$(dirname "$0")/lib.bash"
for bin in "$OFFICER" "$POLICE"; do
	name=$(basename "$bin")
	ok $(readelf -h "$bin" | grep -Eq 'Type:\s+DYN' && readelf -l "$bin" | grep -q 'INTERP' && echo 0 || echo 1) \
		"$name is a position-independent executable"
	ok $(readelf -l "$bin" | grep -q 'GNU_RELRO' && echo 0 || echo 1) "$name has a RELRO segment"
	ok $(readelf -d "$bin" | grep -Eq 'BIND_NOW|FLAGS_1.*NOW' && echo 0 || echo 1) "$name binds now (full RELRO)"
	ok $(readelf --dyn-syms -W "$bin" | grep -q '__stack_chk_fail' && echo 0 || echo 1) "$name uses the stack protector"
	ok $(readelf --dyn-syms -W "$bin" | grep -Eq '__[a-z]+_chk(@|$)' && echo 0 || echo 1) "$name uses FORTIFY_SOURCE checks"
	ok $(readelf -l -W "$bin" | grep 'GNU_STACK' | grep -q 'RWE' && echo 1 || echo 0) "$name has a non-executable stack"
done
done_testing
