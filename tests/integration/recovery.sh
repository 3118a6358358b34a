#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Recovery of a damaged store with the real binaries (spec/STORAGE.md#recovery): a report
# acknowledged QUEUED whose journal record is damaged after the master is killed is never cut
# at the next open: every bit flipped in its length field, body or mac refuses the store,
# naming the file, offset and record, and changes nothing; `verify` says the same; only
# `recover` moves the damage to quarantine/ (audit-logged, listed by verify). An interrupted
# append is cut at open, but kept in quarantine/ first.
. "$(dirname "$0")/lib.bash"
D=$T/data

# record_offsets FILE: the offset of each journal record, then the file size (spec/STORAGE.md#journal)
record_offsets() {
	perl -e 'open(my $f, "<:raw", $ARGV[0]) or die; local $/; my $b = <$f>; my $o = 16;
		while ($o + 4 <= length $b) { print "$o\n"; my $n = unpack("N", substr($b, $o, 4)); last if $n == 0; $o += $n }
		print length($b), "\n"' "$1"
}
flip() { # flip FILE OFFSET BIT
	perl -e 'open(my $f, "+<:raw", $ARGV[0]) or die; seek($f, $ARGV[1], 0); read($f, my $c, 1);
		seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ (1 << $ARGV[2])); close $f or die' "$@"
}

check "init, keygen, add-unit, add-user" setup_data "$D"
start_server "$D" || exit 1
T0=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2; do
	police report --plate "34REC$i" --speed 99 --limit 90 --location "E5 km $i" --time "$T0" >"$T/r$i.out" 2>&1
done
ok $(grep -q "violation 2 QUEUED" "$T/r2.out" && echo 0 || echo 1) "two reports QUEUED"
ID2=$(awk '{print $2}' "$T/r2.out")
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
cp -a "$D" "$T/pristine"
mapfile -t OFF < <(record_offsets "$D/journal")
LAST=${OFF[-2]} SIZE=${OFF[-1]}
ok $([ "$SIZE" = "$(stat -c %s "$D/journal")" ] && [ "$LAST" -gt 16 ] && echo 0 || echo 1) \
	"the journal's last record (report $ID2) is at offset $LAST"
check "show finds it in the undamaged store" "$OFFICER" show -d "$D" "$ID2"

# MUST-RC2: every part of the last record: length field, body (iv, ciphertext), mac
refused=0 named=0 kept=0 parts=0
for rel in 1 2 3 40 80 $((SIZE - LAST - 20)) $((SIZE - LAST - 1)); do
	for bit in 0 5; do
		parts=$((parts + 1))
		rm -rf "$D" && cp -a "$T/pristine" "$D"
		flip "$D/journal" $((LAST + rel)) $bit
		"$OFFICER" show -d "$D" "$ID2" >"$T/show.out" 2>"$T/show.err"
		[ $? = 65 ] && refused=$((refused + 1))
		grep -q "$D/journal: record [0-9]* at offset $LAST" "$T/show.err" && grep -q "tes-officer recover" "$T/show.err" &&
			named=$((named + 1))
		[ "$(stat -c %s "$D/journal")" = "$SIZE" ] && [ ! -e "$D/quarantine" ] && kept=$((kept + 1))
	done
done
ok $([ $refused = $parts ] && echo 0 || echo 1) "a bit flipped in the last record's length, body or mac: the store is refused, exit 65 ($refused/$parts) (MUST-RC2)"
ok $([ $named = $parts ] && echo 0 || echo 1) "... the message names the file, offset and record and says what to do ($named/$parts)"
ok $([ $kept = $parts ] && echo 0 || echo 1) "... and nothing is cut or moved ($kept/$parts)"
sed 's/^/# /' "$T/show.err"

# verify diagnoses the refused store
"$OFFICER" verify -d "$D" >"$T/verify.out" 2>&1
ok $([ $? = 65 ] && grep -q "^verify: FAILED: $D/journal: record [0-9]* at offset $LAST" "$T/verify.out" && echo 0 || echo 1) \
	"verify of the refused store names the damage, exit 65"

# the server does not start on it either
timeout 20 "$OFFICER" serve -d "$D" --listen "127.0.0.1:$(free_port)" --http off >"$T/serve.out" 2>&1
ok $([ $? = 65 ] && grep -q "$D/journal: record" "$T/serve.out" && echo 0 || echo 1) "serve refuses it, exit 65, naming the damage"

# MUST-RC4: recover moves the damaged tail, keeps it, logs it
cp "$D/journal" "$T/damaged"
"$OFFICER" recover -d "$D" >"$T/recover.out" 2>&1
rc=$?
sed 's/^/# /' "$T/recover.out"
q=$(ls "$D/quarantine" 2>/dev/null)
mapfile -t OFF2 < <(record_offsets "$D/journal")
ok $([ $rc = 0 ] && [ -n "$q" ] && [ "${OFF2[-2]}" = "$LAST" ] && echo 0 || echo 1) \
	"recover moves the damaged record to quarantine/ and opens the rest (MUST-RC4)"
ok $(cmp -s "$D/quarantine/$q" <(tail -c +$((LAST + 1)) "$T/damaged") && echo 0 || echo 1) \
	"... the quarantine file holds all its bytes"
ok $([ "$(perl -e 'open(my $f, "<:raw", $ARGV[0]) or die; seek($f, $ARGV[1] + 4, 0); read($f, my $t, 1); print ord $t' \
	"$D/journal" "$LAST")" = 5 ] && echo 0 || echo 1) "... and an AUDIT record of the recovery takes its place"
"$OFFICER" show -d "$D" "$ID2" >"$T/show2.out" 2>&1
ok $([ $? = 65 ] && grep -q "report $ID2: not found" "$T/show2.out" && echo 0 || echo 1) "the moved report is no longer in the store"
check "the first report is still there" "$OFFICER" show -d "$D" "$(awk '{print $2}' "$T/r1.out")"
"$OFFICER" verify -d "$D" >"$T/verify2.out" 2>&1
ok $([ $? = 0 ] && grep -q "^quarantine: $q ($((SIZE - LAST)) bytes" "$T/verify2.out" && echo 0 || echo 1) \
	"verify passes and lists the quarantine file (MUST-RC5)"
start_server "$D" || exit 1
"$OFFICER" verify -d "$D" >"$T/verify3.out" 2>&1
ok $([ $? = 0 ] && grep -q "^quarantine: $q " "$T/verify3.out" && echo 0 || echo 1) \
	"verify through the running server lists it too"
"$OFFICER" recover -d "$D" >"$T/recover1.out" 2>&1
ok $([ $? = 75 ] && grep -q "stop its server first" "$T/recover1.out" && echo 0 || echo 1) "recover refuses while the server runs (exit 75)"
stop_server
"$OFFICER" recover -d "$D" >"$T/recover2.out" 2>&1
ok $([ $? = 0 ] && grep -q "nothing to recover" "$T/recover2.out" && [ "$(ls "$D/quarantine" | wc -l)" = 1 ] && echo 0 || echo 1) \
	"recover of a sound store moves nothing"

# MUST-RC1: an interrupted append is cut at open, after it is kept
rm -rf "$D" && cp -a "$T/pristine" "$D"
truncate -s $((SIZE - 100)) "$D/journal"
"$OFFICER" verify -d "$D" >"$T/torn.out" 2>&1
rc=$?
sed 's/^/# /' "$T/torn.out"
q=$(ls "$D/quarantine" 2>/dev/null)
ok $([ $rc = 0 ] && grep -q "interrupted append .*kept in $D/quarantine/$q and cut" "$T/torn.out" && echo 0 || echo 1) \
	"a journal cut inside its last record opens; the warning names the quarantine file (MUST-RC1)"
ok $([ "$(stat -c %s "$D/quarantine/$q")" = $((SIZE - 100 - LAST)) ] && [ "$(stat -c %s "$D/journal")" = "$LAST" ] && echo 0 || echo 1) \
	"... the cut bytes are all in it"
rm -rf "$D" && cp -a "$T/pristine" "$D"
truncate -s $((SIZE + 4096)) "$D/journal"
"$OFFICER" verify -d "$D" >"$T/zero.out" 2>&1
ok $([ $? = 0 ] && grep -q "4096 bytes after record .* (zeros)" "$T/zero.out" && [ "$(stat -c %s "$D/journal")" = "$SIZE" ] && echo 0 || echo 1) \
	"zeros after the last record are cut, kept in quarantine"
done_testing
