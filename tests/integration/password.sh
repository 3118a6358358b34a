#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Passwords as they are read and set (spec/INPUT.md#passwords): the one decoder of password
# files and typed lines (MUST-PW1) refuses what it would have to cut or guess, in tes-police
# and in tes-officer add-user alike; the policy (MUST-PW2, MUST-PW3) applies when a password is
# set, never when one logs in.
. "$(dirname "$0")/lib.bash"
D=$T/data
check "init, keygen, add-unit, add-user" setup_data "$D"
start_server "$D" || exit 1
adduser() { # adduser NAME ROLE FILE
	"$OFFICER" add-user -d "$D" "$1" --role "$2" --password-file "$3"
}
refused() { # refused DESCRIPTION CODE PATTERN COMMAND...: exits CODE and says PATTERN (stderr, or the terminal)
	local d=$1 want=$2 pat=$3 got
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" = "$want" ] && cat "$T/err" "$T/out" | grep -q -- "$pat"; then
		ok 0 "$d"
	else
		ok 1 "$d (exit $got, wanted $want and /$pat/)"
		sed 's/^/# /' "$T/err" "$T/out"
	fi
}

# --- MUST-PW1: the decoder, on the reading side (tes-police) -------------------------------
check "control: the password file logs in" police report --plate PW1 --speed 90
printf '%s\0tail\n' "$(cat "$T/pw")" >"$T/nul"
PWFILE=$T/nul refused "a password file with a NUL byte is refused, naming the file, not cut at the NUL (MUST-PW1)" \
	65 "password file $T/nul: a NUL byte" police report --plate PW2 --speed 90
printf '%s\r\n' "$(cat "$T/pw")" >"$T/crlf"
PWFILE=$T/crlf check "one trailing CR LF is stripped (MUST-PW1)" police report --plate PW3 --speed 90
printf '%s\n\n' "$(cat "$T/pw")" >"$T/two"
PWFILE=$T/two refused "a second line, even empty, is refused (MUST-PW1)" 65 "password file $T/two: more than one line" \
	police report --plate PW4 --speed 90
printf 'amber\rtulip-quarry-57\n' >"$T/cr"
PWFILE=$T/cr refused "a CR inside the line is refused (MUST-PW1)" 65 "a carriage return inside the line" \
	police report --plate PW5 --speed 90
printf 'amber-tulip-\xff-quarry\n' >"$T/utf"
PWFILE=$T/utf refused "invalid UTF-8 is refused (MUST-PW1)" 65 "password file $T/utf: invalid UTF-8" \
	police report --plate PW6 --speed 90
printf 'a%.0s' $(seq 129) >"$T/long"
PWFILE=$T/long refused "a password above 128 bytes is refused, not cut (MUST-PW1)" 65 "longer than 128 bytes" \
	police report --plate PW7 --speed 90
: >"$T/empty"
PWFILE=$T/empty refused "an empty password file is refused (MUST-PW1)" 65 "password file $T/empty: empty" \
	police report --plate PW8 --speed 90
PWFILE=$T/missing refused "a missing password file exits 66" 66 "password file $T/missing" \
	police report --plate PW9 --speed 90
printf 'x\n' >"$T/one"
PWFILE=$T/one check_code "a login does not apply the policy: a short password reaches the server (77)" 77 \
	police report --plate PW10 --speed 90

# --- MUST-PW1 on the setting side (tes-officer add-user) ----------------------------------
printf 'velvet-canyon-orbit-42\0\n' >"$T/onul"
refused "add-user: a password file with a NUL byte is refused, naming the file (MUST-PW1)" 65 \
	"password file $T/onul: a NUL byte" adduser nul1 officer "$T/onul"
refused "add-user: invalid UTF-8 is refused (MUST-PW1)" 65 "invalid UTF-8" adduser utf1 police "$T/utf"
refused "add-user: a missing password file exits 66" 66 "password file $T/missing" adduser miss1 police "$T/missing"

# --- MUST-PW2: lengths in characters, by role ----------------------------------------------
refused "add-user: a one-character password is refused (MUST-PW2)" 65 "password refused: shorter than 8 characters" \
	adduser one1 police "$T/one"
printf 'qz7-Kw2\n' >"$T/p7"
printf 'qz7-Kw2m\n' >"$T/p8"
refused "add-user: police, 7 characters refused (MUST-PW2)" 65 "shorter than 8 characters" adduser p7 police "$T/p7"
check "add-user: police, 8 characters accepted (MUST-PW2)" adduser p8 police "$T/p8"
check "the 8-character police password logs in" "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u p8 \
	--password-file "$T/p8" --server-key "$FP" --plate PW11 --speed 90
printf 'moss-lantern-9k\n' >"$T/o15"
refused "add-user: officer, 8 characters refused (MUST-PW2)" 65 "shorter than 15 characters" adduser o8 officer "$T/p8"
printf 'moss-lantern-9\n' >"$T/o14"
refused "add-user: officer, 14 characters refused (MUST-PW2)" 65 "shorter than 15 characters" adduser o14 officer "$T/o14"
check "add-user: officer, 15 characters accepted (MUST-PW2)" adduser o15 officer "$T/o15"
# seven two-byte characters are 14 bytes: counted as 7, refused; eight are accepted and log in
printf '\xc3\xa9%.0s' $(seq 7) >"$T/u7"
printf '\xc3\xa9%.0s' $(seq 8) >"$T/u8"
refused "add-user: 7 characters of 14 bytes are 7, refused (MUST-PW2)" 65 "shorter than 8 characters" \
	adduser u7 police "$T/u7"
check "add-user: 8 two-byte characters accepted (MUST-PW2)" adduser u8 police "$T/u8"
check "the UTF-8 password logs in" "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u u8 \
	--password-file "$T/u8" --server-key "$FP" --plate PW12 --speed 90
printf '\xc3\xa9%.0s' $(seq 16) >"$T/ou"
refused "add-user: an officer password the login form cannot carry is refused (MUST-PW2)" 65 \
	"printable ASCII" adduser ou officer "$T/ou"
head -c 96 /dev/urandom | base64 -w0 | head -c 128 >"$T/p128"
check "add-user: officer, a 128-character password is accepted (MUST-PW2)" adduser o128 officer "$T/p128"
check "add-user: police, a 128-character password is accepted (MUST-PW2)" adduser p128 police "$T/p128"
check "the 128-character password logs in" "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u p128 \
	--password-file "$T/p128" --server-key "$FP" --plate PW13 --speed 90
refused "add-user: 129 bytes refused (MUST-PW1)" 65 "longer than 128 bytes" adduser p129 officer "$T/long"

# --- MUST-PW3: common passwords --------------------------------------------------------------
printf 'Password1\n' >"$T/c1"
printf 'BASEBALL\n' >"$T/c2"
refused "add-user: a common password is refused (MUST-PW3)" 65 "password refused: on the list of common passwords" \
	adduser c1 police "$T/c1"
refused "add-user: the common list ignores case (MUST-PW3)" 65 "list of common passwords" adduser c2 police "$T/c2"
printf 'Password1x\n' >"$T/c3"
check "control: a password that is not on the list is accepted" adduser c3 police "$T/c3"

# --- the terminal: the same decoder and the same policy (script(1) gives the command a terminal;
# the pauses let it turn echo off first, which drops what was typed ahead) ---------------------
typed() { # typed LINE1 LINE2 COMMAND...: answer the two password prompts on a terminal
	local a=$1 b=$2
	shift 2
	(sleep 1; printf '%s\n' "$a"; sleep 1; printf '%s\n' "$b"; sleep 1) | script -qec "$*" /dev/null
}
if command -v script >/dev/null; then
	refused "add-user on a terminal: a typed short password is refused by the policy (MUST-PW2)" 65 \
		"password refused: shorter than 8 characters" typed qz7 qz7 "$OFFICER" add-user -d "$D" tty1 --role police
	check "add-user on a terminal: a typed password that passes is set" \
		typed qz7-Kw2m-lamp qz7-Kw2m-lamp "$OFFICER" add-user -d "$D" tty2 --role police
	printf 'qz7-Kw2m-lamp\n' >"$T/tty2"
	check "and logs in" "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u tty2 \
		--password-file "$T/tty2" --server-key "$FP" --plate PW14 --speed 90
fi
done_testing
