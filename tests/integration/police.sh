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


SPOOL=$T/unit1.key.spool
spooled() { "$POLICE" spool -k "$T/unit1.key" "$@" 2>/dev/null | grep -c . ; } # entries waiting
stored() { "$OFFICER" pending -d "$D" | awk 'NR > 1 && length($2) == 32 {print $2}' | sort; }

# --- the 600-byte line that became a second report, and a line over the limit
{
	echo 'AB600A,80,50,Ring road'
	printf 'AB600B,90,50,%s,2026-11-01T10:00:00Z,%s34TAIL9,99\n' "$(printf 'x%.0s' $(seq 520))" ''
	printf 'AB600C,70,50,%s\n' "$(printf 'y%.0s' $(seq 2000))"
	echo 'AB600D,85'
} >"$T/long.csv"
police batch <"$T/long.csv" >"$T/long.out" 2>&1
ok $([ $? = 65 ] && echo 0 || echo 1) "a batch with a refused long line exits 65"
ok $(grep -q '^line 1: report .* QUEUED$' "$T/long.out" && grep -q '^line 2: error: ' "$T/long.out" &&
	grep -q '^line 3: error: .*longer than 1024 bytes' "$T/long.out" && grep -q '^line 4: report .* QUEUED$' "$T/long.out" &&
	[ "$(grep -c '^line ' "$T/long.out")" = 4 ] && echo 0 || echo 1) \
	"the 600-byte line and the 2000-byte line are refused alone, with their own numbers"
"$OFFICER" pending -d "$D" >"$T/pending"
absent "no report was made of a long line's tail" '34TAIL9|AB600B|AB600C' 'AB600D' "$T/pending"

# --- input a user has: quoting, JSON Lines, offsets; impossible dates refused with the reason
printf 'plate,speed,limit,location,time\nQU1,90,50,"Bursa, exit 3",2026-11-23T13:15:00+03:00\n' >"$T/q.csv"
police batch <"$T/q.csv" >"$T/q.out" 2>&1
ok $([ $? = 0 ] && grep -q '^line 2: report .* QUEUED$' "$T/q.out" && echo 0 || echo 1) "a quoted CSV field with a comma is one field"
QID=$(awk '/QUEUED/ {print $4}' "$T/q.out")
"$OFFICER" show -d "$D" "$QID" >"$T/show" 2>&1
ok $(grep -q 'Bursa, exit 3' "$T/show" && grep -q '2026-11-23T10:15:00Z' "$T/show" && echo 0 || echo 1) \
	"the location kept its comma and the time was normalised to UTC"
printf '{"plate":"JS1","speed":95,"limit":60,"location":"E5 km 3","time":"2026-11-20T08:00:00Z"}\n{"plate":"JS2","speed":"fast"}\n' >"$T/j.jsonl"
police batch <"$T/j.jsonl" >"$T/j.out" 2>&1
ok $([ $? = 65 ] && grep -q '^line 1: report .* QUEUED$' "$T/j.out" && grep -q '^line 2: error: ' "$T/j.out" && echo 0 || echo 1) \
	"JSON Lines: a good line queued, a bad one refused with its number"
printf 'NT1,0\nNT2,81\n' | police batch >"$T/out" 2>"$T/err"
ok $([ $? = 65 ] && [ "$(grep -c 'has no time' "$T/err")" = 1 ] && grep -q 'line 2 has no time' "$T/err" && echo 0 || echo 1) \
	"the no-time warning names a line that was taken, not one refused for another reason"
police report --plate TM1 --speed 80 --time 2026-02-30T10:00:00Z >"$T/out" 2>&1
ok $([ $? = 65 ] && grep -q 'February' "$T/out" && echo 0 || echo 1) "--time 2026-02-30 is refused, saying February has no day 30"
police report --plate TM1 --speed 80 --time 2026-11-23 >"$T/out" 2>&1
ok $([ $? = 65 ] && grep -q 'time of day' "$T/out" && echo 0 || echo 1) "--time with a date alone asks for the time of day"
police report --plate TM1 --speed 80 --time 2019-05-01T10:00:00Z >"$T/out" 2>&1
ok $([ $? = 65 ] && grep -q 'before 2020' "$T/out" && echo 0 || echo 1) "a time before 2020 is named as such"

# --- server absent: reports spooled (75), then flushed once (spec/SPOOL.md MUST-SP16, MUST-SP17)
printf 'SP1,81,50,Here,2026-11-21T09:00:00Z\nSP2,82\nSP3,83,50\n' >"$T/sp.csv"
stop_server
police batch <"$T/sp.csv" >"$T/sp.out" 2>"$T/sp.err"
ok $([ $? = 75 ] && [ "$(grep -c ' SPOOLED$' "$T/sp.out")" = 3 ] && grep -q '3 reports wait in the spool' "$T/sp.err" && echo 0 || echo 1) \
	"server absent: batch exits 75 and says the 3 reports are spooled"
ok $([ "$(spooled)" = 3 ] && echo 0 || echo 1) "tes-police spool lists the 3"
ok $([ "$(grep -c 'has no time' "$T/sp.err")" = 1 ] && grep -q 'line 2 has no time' "$T/sp.err" && echo 0 || echo 1) \
	"records without a time: one warning, naming the first such line (MUST-SP18)"
ok $([ "$(stat -c %a "$SPOOL")" = 700 ] && [ "$(stat -c %a "$SPOOL/spool")" = 600 ] && echo 0 || echo 1) "the spool is 0700, its file 0600"
police batch <"$T/sp.csv" >"$T/sp2.out" 2>&1
ok $([ $? = 75 ] && [ "$(spooled)" = 3 ] && echo 0 || echo 1) "a re-run while the server is away adds nothing"
start_server "$D" || exit 1
police flush >"$T/fl.out" 2>&1
ok $([ $? = 0 ] && [ "$(grep -c 'QUEUED$' "$T/fl.out")" = 3 ] && [ "$(spooled)" = 0 ] && echo 0 || echo 1) \
	"flush sends the 3 once the server is back, and the spool is empty"
police batch <"$T/sp.csv" >"$T/sp3.out" 2>&1
ok $([ $? = 0 ] && [ "$(grep -c 'DUPLICATE$' "$T/sp3.out")" = 3 ] && echo 0 || echo 1) \
	"a third run of the same batch is answered DUPLICATE, line by line (timeless lines too)"
stored >"$T/ids"
ok $([ "$(uniq -d "$T/ids" | wc -l)" = 0 ] && [ "$(grep -c . "$T/ids")" -ge 3 ] && echo 0 || echo 1) "each report stored once"

# --- concurrent processes on one spool: the second waits for the first, nothing is sent twice
{ printf 'CC1,81,50,A,2026-11-21T09:00:00Z\n'; sleep 2; printf 'CC2,82,50,A,2026-11-21T09:00:00Z\n'; } |
	police batch >"$T/cc1.out" 2>"$T/cc1.err" &
CC=$!
wait_until 10 grep -q 'QUEUED' "$T/cc1.out"
police flush >"$T/cc2.out" 2>"$T/cc2.err"
rc=$?
wait "$CC"
ok $([ $? = 0 ] && [ $rc = 0 ] && grep -q 'waiting for another tes-police using the spool' "$T/cc2.err" &&
	[ "$(cat "$T/cc1.out" "$T/cc2.out" | grep -c 'QUEUED$')" = 2 ] && echo 0 || echo 1) \
	"a flush while a batch holds the spool waits for it, then has nothing left to send (MUST-SP2)"

# --- wrong password: 77 and nothing of that run left spooled
PWFILE=$T/badpw police report --plate WP1 --speed 90 >"$T/out" 2>&1
ok $([ $? = 77 ] && [ "$(spooled)" = 0 ] && echo 0 || echo 1) "a refused login exits 77 and leaves nothing spooled"

# --- server killed mid-batch: 75, the rest spooled; flush: each once
for i in $(seq 600); do printf 'KM%04d,%d,50,Ring %d,2026-11-22T10:%02d:%02dZ\n' "$i" $((60 + i % 90)) "$i" $((i / 60 % 60)) $((i % 60)); done >"$T/km.csv"
police batch <"$T/km.csv" >"$T/km.out" 2>"$T/km.err" &
CPID=$!
wait_until 20 sh -c "[ \$(cat '$T/km.out' 2>/dev/null | grep -c QUEUED) -ge 50 ]"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
wait "$CPID"
rc=$?
ok $([ $rc = 75 ] && [ "$(spooled)" -gt 0 ] && echo 0 || echo 1) "server killed mid-batch: 75, the rest spooled"
[ $rc = 75 ] || { echo "# exit $rc"; sed 's/^/# /' "$T/km.err"; tail -3 "$T/km.out" | sed 's/^/# /'; }
start_server "$D" || exit 1
police flush >>"$T/km.out" 2>>"$T/km.err"
ok $([ $? = 0 ] && [ "$(spooled)" = 0 ] && echo 0 || echo 1) "flush after the restart sends the rest"
stored | grep -c . >/dev/null
"$OFFICER" pending -d "$D" | grep -c ' KM[0-9]' >"$T/kmn" || true
ok $([ "$(cat "$T/kmn")" = 600 ] && echo 0 || echo 1) "all 600 reports stored (got $(cat "$T/kmn"))"
stored >"$T/ids"
ok $([ "$(uniq -d "$T/ids" | wc -l)" = 0 ] && echo 0 || echo 1) "none twice"

# --- SIGKILL of the client at each step: after each, one flush queues each report exactly once
RELAY=$B/tests/relay
relay_start() { # relay_start ARGS...: a relay to the server on port RP, started and ready
	RP=$(free_port)
	"$RELAY" proxy "$RP" "127.0.0.1:$PORT" "$@" >"$T/relay.out" 2>&1 &
	RELAY_PID=$!
	wait_until 5 grep -q ready "$T/relay.out"
}
frame_start() { # frame_start FILE K: offset of the K-th frame (from 1) of a recorded stream
	local f=$1 k=$2 off=0 i len
	for ((i = 1; i < k; i++)); do
		len=$(od -An -tu1 -j $((off + 4)) -N 2 "$f" | awk '{print $1 * 256 + $2}')
		off=$((off + 6 + len))
	done
	echo "$off"
}
kill_step() { # kill_step PLATE WAIT-COMMAND... : report PLATE through the relay with its own spool
	local plate=$1; shift # (so that it sends nothing else first), SIGKILL it once WAIT holds
	PORT=$RP police report --spool "$T/$plate.spool" --plate "$plate" --speed 91 \
		--time 2026-11-24T10:00:00Z >"$T/k.out" 2>&1 &
	local cp=$!
	wait_until 20 "$@"
	if ! kill -9 "$cp" 2>/dev/null; then
		echo "# the client for $plate ended before it could be killed:"
		sed 's/^/# /' "$T/k.out" "$T/relay.out"
	fi
	wait "$cp" 2>/dev/null
	kill "$RELAY_PID" 2>/dev/null; wait "$RELAY_PID" 2>/dev/null
}
relay_start -w "$T/c2s.ref"
PORT=$RP police report --plate KR0 --speed 91 --time 2026-11-24T10:00:00Z >"$T/out" 2>&1
wait "$RELAY_PID"
read -r _ C2S _ S2C < <(grep '^c2s' "$T/relay.out")
REPORT_AT=$(frame_start "$T/c2s.ref" 5)
ok $([ -n "$S2C" ] && [ "$REPORT_AT" -gt 0 ] && [ "$REPORT_AT" -lt "$C2S" ] && echo 0 || echo 1) \
	"a reference session through the relay: report frame at byte $REPORT_AT of $C2S, $S2C bytes back"

relay_start -S 0
kill_step KS1 grep -q held "$T/relay.out"
ok $([ "$(spooled --spool "$T/KS1.spool")" = 1 ] && echo 0 || echo 1) "killed after spooling, before anything reached the server: it waits in the spool"
relay_start -C $((REPORT_AT + 10))
kill_step KS2 grep -q held "$T/relay.out"
ok $([ "$(spooled --spool "$T/KS2.spool")" = 1 ] && echo 0 || echo 1) "killed in the middle of sending: it waits in the spool"
relay_start -S $((S2C - 1))
kill_step KS3 log_has 'plate KS3'
ok $([ "$(spooled --spool "$T/KS3.spool")" = 1 ] && echo 0 || echo 1) "killed after the server stored it, before the receipt arrived: it waits too"
rc=0
for p in KS1 KS2 KS3; do police flush --spool "$T/$p.spool" >>"$T/kf.out" 2>&1 || rc=1; done
ok $([ $rc = 0 ] && [ "$(grep -c 'QUEUED$' "$T/kf.out")" = 2 ] && [ "$(grep -c 'DUPLICATE$' "$T/kf.out")" = 1 ] &&
	[ "$(spooled --spool "$T/KS1.spool")$(spooled --spool "$T/KS2.spool")$(spooled --spool "$T/KS3.spool")" = 000 ] &&
	echo 0 || echo 1) "flush: the two the server never had are QUEUED, the stored one is a DUPLICATE; the spools are empty"
"$OFFICER" pending -d "$D" >"$T/pending"
ok $([ "$(grep -c ' KS[123] ' "$T/pending")" = 3 ] && echo 0 || echo 1) "each of KS1, KS2, KS3 is stored exactly once"

# --- a spool entry changed on the device is not sent
stop_server
police report --plate TA1 --speed 92 --time 2026-11-24T11:00:00Z >/dev/null 2>&1
police report --plate TA2 --speed 93 --time 2026-11-24T11:00:00Z >/dev/null 2>&1
ok $([ "$(spooled)" = 2 ] && echo 0 || echo 1) "two reports spooled while the server is away"
# turn TA1 into TB1 in the file: the entry no longer verifies under alice's key
off=$(grep -abo 'TA1' "$SPOOL/spool" | head -1 | cut -d: -f1)
printf 'B' | dd of="$SPOOL/spool" bs=1 seek=$((off + 1)) conv=notrunc status=none
start_server "$D" || exit 1
police flush >"$T/ta.out" 2>"$T/ta.err"
ok $(grep -q 'QUEUED$' "$T/ta.out" && [ "$(grep -c 'QUEUED$' "$T/ta.out")" = 1 ] && grep -q 'do not verify' "$T/ta.err" && echo 0 || echo 1) \
	"flush sends the intact entry and names the one that does not verify"
"$OFFICER" pending -d "$D" >"$T/pending"
absent "the changed entry reached the server under neither plate" ' T[AB]1 ' ' TA2 ' "$T/pending"

# --- the spool listed by its directory alone, without the unit key (spec/SPOOL.md MUST-SP19)
KL=$T/sp
stop_server
police report --spool "$KL" --plate KL1 --speed 94 --time 2026-11-24T12:00:00Z >/dev/null 2>&1
police report --spool "$KL" --plate KL2 --speed 95 --time 2026-11-24T12:00:00Z >/dev/null 2>&1
sum=$(sha256sum "$KL/spool")
"$POLICE" spool --spool "$KL" >"$T/kl.out" 2>"$T/kl.err"
ok $([ $? = 0 ] && [ "$(grep -c . "$T/kl.out")" = 2 ] && grep -q ' KL1 alice ' "$T/kl.out" && grep -q ' KL2 alice ' "$T/kl.out" &&
	grep -q "2 reports wait in $KL (read without the unit key: retirements not verified; give -k KEY" "$T/kl.err" && echo 0 || echo 1) \
	"spool --spool DIR without -k lists the 2 waiting and says their retirements are not verified"
ok $([ "$(sha256sum "$KL/spool")" = "$sum" ] && [ "$(ls "$KL" | tr '\n' ' ')" = "lock spool " ] && echo 0 || echo 1) \
	"the keyless listing leaves the spool as it was"
start_server "$D" || exit 1
police flush --spool "$KL" >/dev/null 2>&1
sum=$(sha256sum "$KL/spool")
"$POLICE" spool --spool "$KL" >"$T/kl.out" 2>"$T/kl.err"
ok $([ $? = 0 ] && [ ! -s "$T/kl.out" ] && grep -q "^0 reports wait in $KL (read without the unit key" "$T/kl.err" &&
	[ "$(sha256sum "$KL/spool")" = "$sum" ] && echo 0 || echo 1) \
	"after a flush the keyless listing shows none waiting, and still writes nothing"
"$POLICE" spool --spool "$T/nosuch.spool" >"$T/kl.out" 2>"$T/kl.err"
ok $([ $? = 66 ] && grep -q "$T/nosuch.spool" "$T/kl.err" && [ ! -e "$T/nosuch.spool" ] && echo 0 || echo 1) \
	"a missing spool directory without -k: 66, named, and not made"
"$POLICE" spool >"$T/kl.out" 2>"$T/kl.err"
ok $([ $? = 64 ] && grep -q -- '-k KEY or --spool DIR' "$T/kl.err" && echo 0 || echo 1) "spool with neither -k nor --spool: usage (64)"

done_testing
