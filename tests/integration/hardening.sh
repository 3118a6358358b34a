#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The release binaries carry every hardening the Makefile asks for, read from their ELF
# headers and code: PIE, full RELRO (GNU_RELRO + BIND_NOW), stack protector, FORTIFY_SOURCE,
# non-executable stack. tes-officer and tes-police are dynamically linked PIEs; tes-parser,
# the image of every parser child, is a static PIE (no program interpreter, no libraries).
. "$(dirname "$0")/lib.bash"
# project functions (tes_*) that call FUNC: the check is on our code, not on libc's
calls_from_tes() { # calls_from_tes BIN REGEX
	objdump -d --no-show-raw-insn "$1" |
		awk -v re="$2" '/^[0-9a-f]+ <.*>:$/ { fn = $2 } $0 ~ "call.*<(" re ")(@plt)?>" { print fn }' |
		grep -q '^<tes_'
}
for bin in "$OFFICER" "$PARSER" "$POLICE"; do
	name=$(basename "$bin")
	ok $(readelf -h "$bin" | grep -Eq 'Type:\s+DYN' && readelf -d "$bin" | grep -q 'FLAGS_1.*PIE' && echo 0 || echo 1) \
		"$name is a position-independent executable"
	if [ "$bin" = "$PARSER" ]; then
		{ readelf -l "$bin"; readelf -d "$bin"; } >"$T/elf" 2>&1
		absent "$name is static (no interpreter, no shared library)" 'INTERP|NEEDED' ' LOAD ' "$T/elf"
	else
		ok $(readelf -l "$bin" | grep -q 'INTERP' && echo 0 || echo 1) "$name is dynamically linked"
	fi
	ok $(readelf -l "$bin" | grep -q 'GNU_RELRO' && echo 0 || echo 1) "$name has a RELRO segment"
	ok $(readelf -d "$bin" | grep -Eq 'BIND_NOW|FLAGS_1.*NOW' && echo 0 || echo 1) "$name binds now (full RELRO)"
	ok $(calls_from_tes "$bin" '__stack_chk_fail' && echo 0 || echo 1) "$name uses the stack protector"
	ok $(calls_from_tes "$bin" '__[a-z0-9_]+_chk' && echo 0 || echo 1) "$name uses FORTIFY_SOURCE checks"
	readelf -l -W "$bin" >"$T/phdr" 2>&1
	absent "$name has a non-executable stack" 'GNU_STACK.* RWE ' 'GNU_STACK.* RW  ' "$T/phdr"
done
nm "$PARSER" >"$T/nm.parser"
absent "tes-parser holds no store, RSA key or password-hashing code" \
	' (argon2|ARGON2|tes_db_|tes_passwd_|tes_journal_|tes_drivers_|tes_rsa_)' ' T tes_engine_' "$T/nm.parser"
ok $(nm "$OFFICER" | grep -Eq ' tes_keyfile_load_private$' && echo 0 || echo 1) "(the check can fail: tes-officer has them)"
done_testing
