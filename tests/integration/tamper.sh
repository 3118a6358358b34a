#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An active attacker on the wire: a recorded session replayed to the server queues nothing,
# and a bit flipped anywhere in the client's stream (up to the end of the report) never
# queues a report; a flipped server answer never yields a receipt.
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_data "$D" || exit 1
RELAY=$B/tests/relay
start_server "$D" || exit 1

relay_run() { # relay_run FLIP-ARGS... -- POLICE-ARGS...: one session through the relay
	local rp flips=()
	while [ "$1" != -- ]; do flips+=("$1"); shift; done
	shift
	rp=$(free_port)
	"$RELAY" proxy "$rp" "127.0.0.1:$PORT" "${flips[@]}" >"$T/relay.out" 2>&1 &
	local pid=$!
	for _ in $(seq 50); do grep -q ready "$T/relay.out" 2>/dev/null && break; sleep 0.02; done
	"$POLICE" report -s "127.0.0.1:$rp" -k "$T/unit1.key" -u alice --password-file "$T/pw" \
		--server-key "$FP" --retries 0 --timeout 5 "$@"
	local rc=$?
	wait "$pid" 2>/dev/null
	return $rc
}

ID=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
relay_run -w "$T/c2s" -- --plate REC1 --speed 99 --id $ID >"$T/out" 2>&1
ok $(grep -q "violation 1 QUEUED" "$T/out" && echo 0 || echo 1) "a session through the relay works"
total=$(stat -c %s "$T/c2s")
"$RELAY" replay "$T/c2s" "127.0.0.1:$PORT" >/dev/null
wait_log "refused\|integrity\|signature"
ok $? "the server logs why it refused the replay"
ok $("$OFFICER" pending -d "$D" | grep -q "^1 pending" && echo 0 || echo 1) \
	"replaying the recorded session queues nothing (MUST-H1, MUST-C2)"

# Flip one bit at every byte of the client stream up to the end of the report record
# (the last record is BYE, 54 bytes: iv, one block, tag, header). Nothing may be queued.
end=$((total - 54))
queued=0 runs=0
for off in $(seq 0 "${STRIDE:-1}" $((end - 1))); do
	relay_run -c "$off:$((off % 8))" -- --plate FLIP1 --speed 99 --id bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb >/dev/null 2>&1
	[ $? = 0 ] && queued=$((queued + 1))
	runs=$((runs + 1))
done
ok $([ $queued = 0 ] && echo 0 || echo 1) \
	"$runs sessions with one flipped client bit: none acknowledged ($queued) (MUST-H4, MUST-H6, MUST-C3)"
"$OFFICER" pending -d "$D" >"$T/pending"
absent "and no tampered report was stored" FLIP1 "^1 pending" "$T/pending"

# Flip bits in the server's answers: the client never prints a receipt it cannot authenticate.
bad=0
for off in 0 3 7 40 200 330 340 380 400 420 450 470; do
	relay_run -s "$off:1" -- --plate FLIP2 --speed 99 >"$T/o" 2>&1 && bad=$((bad + 1))
	grep -q "QUEUED\|DUPLICATE\|CONFLICT" "$T/o" && bad=$((bad + 1))
done
ok $([ $bad = 0 ] && echo 0 || echo 1) "flipped server bits never produce a receipt (MUST-H7, MUST-C3)"
check "the server still serves after all that" police report --plate AFTER1 --speed 80

# hello FILE: send a CLIENT_HELLO of suite $1 (zero random, X25519 key and unit key), keep what comes back
hello() {
	local rc
	exec 9<>"/dev/tcp/127.0.0.1/$PORT"
	{ printf "\x54\x01\x01\x00\x00\x61\x$(printf %02x "$1")"; head -c 96 /dev/zero; } >&9
	timeout 10 head -c "$2" <&9 | od -An -v -tx1 | tr -d ' \n' >"$3"
	rc=${PIPESTATUS[0]}
	exec 9>&-
	return "$rc"
}
# Each connection gets the master's fresh random and the session child's fresh X25519 key.
hello 1 331 "$T/sh1" && hello 1 331 "$T/sh2"
ok $? "two SERVER_HELLOs to the same CLIENT_HELLO"
s1=$(cat "$T/sh1") s2=$(cat "$T/sh2")
ok $([ ${#s1} = 662 ] && [ "${s1:0:14}" = 54010200014501 ] && [ "${s1:142}" = "${s2:142}" ] && echo 0 || echo 1) \
	"control: same header, suite and server key"
ok $([ "${s1:14:64}" != "${s2:14:64}" ] && [ "${s1:78:64}" != "${s2:78:64}" ] && echo 0 || echo 1) \
	"each with its own server random and X25519 key (MUST-H1)"
# A malformed hello (unknown suite): one generic ALERT, then the server closes; the reason is in its log.
n=$(log_count "session ended")
hello 9 100 "$T/alert"
rc=$?
ok $([ $rc = 0 ] && [ "$(cat "$T/alert")" = 54010600000101 ] && echo 0 || echo 1) \
	"a malformed hello: one ALERT (protocol error) and the connection closed (MUST-A1) ($(cat "$T/alert"), $rc)"
wait_log "session ended: " $((n + 1)) 5
ok $? "the reason goes to the server log only (MUST-A1)"
done_testing
