#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Server authentication: a substituted server key is refused, with --server-key and with
# known_servers pinning; an unknown key needs a terminal or --trust accept-new.
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_data "$D" || exit 1
E=$T/evil
"$OFFICER" init -d "$E" >/dev/null
"$OFFICER" add-unit -d "$E" patrol-7 "$T/unit1.key.pub" >/dev/null
"$OFFICER" add-user -d "$E" alice --role police --password-file "$T/pw" >/dev/null
FP_EVIL=$("$OFFICER" fingerprint -d "$E")
ok $([ "$FP" != "$FP_EVIL" ] && echo 0 || echo 1) "two servers have different keys"

start_server "$E" || exit 1   # the impostor answers where the real server should be
police report --plate MITM1 --speed 90 >"$T/out" 2>&1
ok $([ $? = 77 ] && echo 0 || echo 1) "substituted server key refused with --server-key (exit 77) (MUST-T1)"
ok $(grep -q "SERVER KEY MISMATCH" "$T/out" && echo 0 || echo 1) "the refusal says the key does not match (MUST-T1)"
absent "the impostor never received a unit signature (MUST-H3)" "unit patrol-7 authenticated" \
	"listening on 127.0.0.1:$PORT" "$T/server.log"
stop_server
ok $("$OFFICER" pending -d "$E" | grep -q "0 pending" && echo 0 || echo 1) "nothing was queued at the impostor"

# known_servers: first use without a terminal is refused, --trust accept-new pins the key.
start_server "$D" || exit 1
REAL_PORT=$PORT
noterm() { setsid -w "$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice --password-file "$T/pw" "$@" </dev/null; }
check_code "unknown server key without a terminal is refused (MUST-T1)" 77 noterm --plate PIN1 --speed 90
check "--trust accept-new pins the key (MUST-T1)" noterm --plate PIN2 --speed 90 --trust accept-new
ok $(grep -q "^127.0.0.1:$PORT $FP\$" "$XDG_CONFIG_HOME/tes/known_servers" && echo 0 || echo 1) "known_servers holds HOST:PORT and the fingerprint"
check "a pinned server is accepted" noterm --plate PIN3 --speed 90
stop_server
"$OFFICER" serve -d "$E" --listen "127.0.0.1:$REAL_PORT" --http off >>"$T/server.log" 2>&1 &
SERVER_PID=$!
wait_log "listening on 127.0.0.1:$REAL_PORT" 2 || echo "# the second server did not start" >&2
check_code "a different key at a pinned address is refused (MUST-T1)" 77 noterm --plate PIN4 --speed 90 \
	--trust accept-new
ok $(grep -c "127.0.0.1:$REAL_PORT" "$XDG_CONFIG_HOME/tes/known_servers" | grep -qx 1 && echo 0 || echo 1) \
	"the pin was not replaced"
done_testing
