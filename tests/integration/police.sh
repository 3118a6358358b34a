#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The reporter's own edge, with the real binaries and the client under its real seccomp filter:
# every exit is the documented one (never a SIGSYS), input refused with its line number and
# reason never becomes another report, and the smaller defects of the command line.
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_data "$D" || exit 1
start_server "$D" || exit 1

# --- help per command
"$POLICE" report --help >"$T/help" 2>&1
ok $([ $? = 0 ] && grep -q -- '--plate P' "$T/help" && ! grep -q 'keygen -k FILE' "$T/help" && echo 0 || echo 1) \
	"report --help prints the report command's help, not the global one"
"$POLICE" batch --help >"$T/help" 2>&1
ok $(grep -q 'one violation per input line' "$T/help" && ! grep -q -- '--plate P' "$T/help" && echo 0 || echo 1) \
	"batch --help prints the batch command's help"

# --- a public key given to -k
"$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key.pub" -u alice --password-file "$T/pw" \
	--server-key "$FP" --plate AB1 --speed 80 >"$T/out" 2>&1
ok $([ $? = 64 ] && grep -q 'is a public key; -k takes the unit.s private key' "$T/out" &&
	! grep -q 'permissions' "$T/out" && echo 0 || echo 1) "a .pub file given to -k is named as a public key (64)"

# --- single DES against a server that does not allow it
police report --plate AB1 --speed 80 --cipher des >"$T/out" 2>&1
ok $([ $? = 76 ] && grep -q 'does not allow single DES' "$T/out" && echo 0 || echo 1) \
	"--cipher des against a server without DES says so (76)"

# --- every error exit is the documented code under the filter, never 159 (SIGSYS)
printf 'AB1,80\nAB2,90\n' >"$T/two.csv"
printf 'wrong password\n' >"$T/badpw"
PWFILE=$T/badpw police batch <"$T/two.csv" >"$T/out" 2>&1
ok $([ $? = 77 ] && grep -q 'authentication refused' "$T/out" && echo 0 || echo 1) "batch, wrong password: 77"
cat "$T/two.csv" | PWFILE=$T/badpw police batch >"$T/out" 2>&1
ok $([ $? = 77 ] && echo 0 || echo 1) "batch from a pipe, wrong password: 77"
"$POLICE" batch -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice --password-file "$T/pw" \
	--server-key SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA <"$T/two.csv" >"$T/out" 2>&1
ok $([ $? = 77 ] && grep -q 'SERVER KEY MISMATCH' "$T/out" && echo 0 || echo 1) "batch, wrong server key: 77"

done_testing
