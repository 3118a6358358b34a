#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tes-officer import-legacy with the real binary on every vector of tests/vectors/legacy
# (README.md there says what each must do): points arrive once, all or nothing, with every
# refused plate named; users arrive disabled; broken files are refused naming the file
# (spec/LEGACY.md MUST-LG2, MUST-LG8, MUST-LG11..LG13; spec/STORAGE.md#points).
. "$(dirname "$0")/lib.bash"
V=$ROOT/tests/vectors/legacy
D=$T/data
"$OFFICER" init -d "$D" >/dev/null
check "setup: vectors match their checksums" bash -c "cd '$V' && sha256sum --quiet -c SHA256SUMS"
imp() { "$OFFICER" import-legacy -d "$D" "$@"; }

check "a 16-byte plaintext (a whole block of padding) imports" imp --drivers "$V/block.enc"
ok $(grep -q "1 plates read, 1 with points, 12345 points imported" "$T/check.out" &&
	grep -q "warning: the key STOREKEY is public" "$T/check.out" && echo 0 || echo 1) \
	"... it says what it took in, and warns that the default key is public"
ok $("$OFFICER" records -d "$D" | grep -q "^AB123  *12345$" && echo 0 || echo 1) "records: AB123 has its 12345 points"
check_code "the same file again: a no-op (exit 0)" 0 imp --drivers "$V/block.enc"
ok $(grep -q "imported already" "$T/check.out" && echo 0 || echo 1) "... that says so"
check_code "the same plaintext under another key and IV: still a no-op (exit 0)" 0 imp --drivers "$V/wrongkey.enc" --key WRONGKEY
ok $(grep -q "imported already" "$T/check.out" && ! grep -q "warning: the key" "$T/check.out" && echo 0 || echo 1) \
	"... the decrypted content is compared, and no warning for another key"
ok $("$OFFICER" records -d "$D" | grep -q "^AB123  *12345$" && echo 0 || echo 1) "AB123 still has 12345 points, not twice"
check_code "an empty object imports nothing (exit 0)" 0 imp --drivers "$V/empty.enc"
ok $(grep -q "0 plates read, 0 with points" "$T/check.out" && echo 0 || echo 1) "... and says so"
check_code "a zero-length file imports nothing (exit 0)" 0 imp --drivers "$V/zero.enc"
ok $(grep -q "is empty: the original system read it as no drivers" "$T/check.out" && echo 0 || echo 1) "... and says so"

# Broken files: exit 65 naming the file, nothing imported.
before=$("$OFFICER" records -d "$D" | md5sum)
for v in badpad:"padding is wrong" wrongkey:"padding is wrong" badjson:"plaintext offset 13" truncated:"21 bytes: not an 8-byte IV"; do
	f=${v%%:*} why=${v#*:}
	check_code "$f.enc is refused (exit 65)" 65 imp --drivers "$V/$f.enc"
	ok $(grep -q "^$V/$f.enc: .*$why" "$T/check.out" && echo 0 || echo 1) "... naming the file: $why"
done
check_code "nonascii.enc: plates that cannot be normalised, refused (exit 65)" 65 imp --drivers "$V/nonascii.enc"
ok $(grep -q 'plate "M\\xc3\\x9c 123" cannot be written' "$T/check.out" &&
	grep -q 'plate "X\\xf0\\x9f\\x98\\x80 1" cannot be written' "$T/check.out" &&
	grep -q "2 plates refused: nothing was imported" "$T/check.out" && echo 0 || echo 1) \
	"... each named, never transliterated"
check_code "collide.enc: two plates that become one, refused (exit 65)" 65 imp --drivers "$V/collide.enc"
ok $(grep -q 'plates "ab-123" (offset 1) and "AB 123" (offset 15) both become AB123' "$T/check.out" && echo 0 || echo 1) \
	"... both named"
ok $([ "$("$OFFICER" records -d "$D" | md5sum)" = "$before" ] && echo 0 || echo 1) "after the refusals nothing changed (B42 not imported)"
check_code "--key of 7 bytes: usage (exit 64)" 64 imp --drivers "$V/block.enc" --key SHORTKY
check_code "a missing file: exit 66" 66 imp --drivers "$T/nosuch.enc"
check_code "no --drivers: usage (exit 64)" 64 imp

# 1,000 plates through the running server, checked one by one against the generator's formula.
start_server "$D"
check "thousand.enc imports through the running server" imp --drivers "$V/thousand.enc"
"$OFFICER" records -d "$D" >"$T/rec"
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "AB%04d %d\n", i, i == 0 ? 1 : i == 999 ? 1000000 : (i * 37) % 500 + 1 }' |
	sort >"$T/expect"
awk 'NR > 1 && $1 != "AB123" { print $1, $2 }' "$T/rec" | sort >"$T/got"
check "every one of the 1,000 plates has its points (normalised from four spellings)" cmp "$T/expect" "$T/got"
"$OFFICER" records -d "$D" --plate AB0999 --history >"$T/hist"
ok $(grep -E -q "IMPORTED +1000000  yes" "$T/hist" && echo 0 || echo 1) "history of AB0999: the import, dated at the import, counts"

# Users: disabled until an operator sets a password.
check "users.json imports with an empty drivers file" imp --drivers "$V/zero.enc" --users "$V/users.json"
ok $(grep -q "2 users read, 2 added, disabled until" "$T/check.out" && echo 0 || echo 1) "... two users, disabled"
"$OFFICER" users -d "$D" >"$T/users"
ok $(grep -E -q "^alice +officer +disabled +never$" "$T/users" && grep -E -q "^bob +police +disabled +never$" "$T/users" &&
	echo 0 || echo 1) "users: alice (officer) and bob (police), disabled"
check_code "the same users.json again: no-op (exit 0)" 0 imp --drivers "$V/zero.enc" --users "$V/users.json"
ok $(grep -q "2 users read, 0 added" "$T/check.out" && echo 0 || echo 1) "... nothing added"
check_code "users-bare.json (a name without a role): refused (exit 65)" 65 imp --drivers "$V/zero.enc" --users "$V/users-bare.json"
ok $(grep -q "^$V/users-bare.json: offset " "$T/check.out" && echo 0 || echo 1) "... naming the file and offset"
"$POLICE" keygen -k "$T/u.key" >/dev/null && "$OFFICER" add-unit -d "$D" car-1 "$T/u.key.pub" >/dev/null
FP=$("$OFFICER" fingerprint -d "$D")
printf 'pebble-orchid-summit-61\n' >"$T/bobpw"
check_code "bob cannot log in before passwd (exit 77)" 77 "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/u.key" -u bob \
	--password-file "$T/bobpw" --server-key "$FP" --plate BOB1 --speed 99
check "passwd bob" "$OFFICER" passwd -d "$D" bob --password-file "$T/bobpw"
check "bob logs in after passwd" "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/u.key" -u bob \
	--password-file "$T/bobpw" --server-key "$FP" --plate BOB1 --speed 99
stop_server
check "verify after the imports" "$OFFICER" verify -d "$D"
check "compact, then verify again" bash -c "'$OFFICER' compact -d '$D' && '$OFFICER' verify -d '$D'"
"$OFFICER" records -d "$D" >"$T/rec2"
check "records the same after compaction and reopen" cmp "$T/rec" "$T/rec2"
done_testing
