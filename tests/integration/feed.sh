#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Long-lived police sessions (tes-police feed, spec/PROTOCOL.md#resumption, #rekey): a feed of 500
# reports outlives two kill -9 restarts of the server; a link cut in each protocol state, SIGTERM,
# an unreachable server and a bad line; heartbeats keep a quiet feed connected past the idle
# timeout; key bounds and the session timeout end sessions that the feed resumes; resumption is
# refused after a revocation, a password change, a ticket's expiry and at another server. Every
# report stored exactly once, none lost.
. "$(dirname "$0")/lib.bash"
RELAY=$B/tests/relay
D=$T/data
setup_data "$D" || exit 1
TIME=2026-01-01T00:00:00Z
BG=" "      # background processes this test started (servers, relays, feeds, generators)
KIDS=" "    # children of servers killed with kill -9 (they must go with their master)
bg_add() { BG="$BG$1 "; }
bg_stop() { # bg_stop PID: end one background process of this test and reap it
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	BG=${BG/ $1 / }
}
stop_all() {
	local p
	for p in $BG; do kill -9 "$p" 2>/dev/null; done
	for p in $BG; do wait "$p" 2>/dev/null; done
	BG=" "
}
trap 'exec 7>&- 2>/dev/null; stop_all; cleanup' EXIT

serve_on() { # serve_on DIR PORT LOG [serve options]: a server on a chosen port (a restart keeps it); sets SPID
	local dir=$1 port=$2 log=$3 n
	shift 3
	n=$(grep -c "listening on 127.0.0.1:$port" "$log" 2>/dev/null)
	"$OFFICER" serve -d "$dir" --listen "127.0.0.1:$port" --http off --login-grace-time 600 \
		--per-source-max-startups 65536 --max-startups 65536:0:65536 "$@" >>"$log" 2>&1 &
	SPID=$!
	wait_until 20 eval "[ \"\$(grep -c 'listening on 127.0.0.1:$port' '$log')\" -gt ${n:-0} ]"
}
restart() { # restart [serve options]: the server of $D again, on $PORT (stop_server first)
	serve_on "$D" "$PORT" "$T/server.log" "$@" || { echo "# server did not start" >&2; tail -5 "$T/server.log" >&2; exit 1; }
	SERVER_PID=$SPID
}
feed_cmd() { # CMD: tes-police feed with the session options; port FPORT (default the server's), KEY, FUSER, PWFILE
	CMD=("$POLICE" feed -s "127.0.0.1:${FPORT:-$PORT}" -k "${KEY:-$T/unit1.key}" -u "${FUSER:-alice}"
		--password-file "${PWFILE:-$T/pw}" --server-key "$FP")
}
feed() { # feed [options]: the feed in the foreground
	feed_cmd
	"${CMD[@]}" "$@"
}
lines() { # lines PREFIX FROM TO: one CSV line per plate PREFIX<number>
	local i
	for i in $(seq "$2" "$3"); do printf '%s%04d,%d,50,Ring road km %d,%s\n' "$1" "$i" $((60 + i % 90)) $((i % 30)) "$TIME"; done
}
receipts() { # receipts FILE: receipt lines (QUEUED or DUPLICATE) in a feed's output
	grep -cE '^line [0-9]+: report [0-9a-f]{32} violation [0-9]+ (QUEUED|DUPLICATE)$' "$1" 2>/dev/null
}
has_receipts() { [ "$(receipts "$1")" -ge "$2" ]; }
count() { # count PATTERN FILE: lines matching (grep -E), 0 when none or no file
	local n
	n=$(grep -cE -- "$1" "$2" 2>/dev/null)
	echo "${n:-0}"
}
stored() { # stored PREFIX: plates with that prefix in the store's list (one line each, sorted)
	"$OFFICER" pending -d "$D" | awk -v p="^$1" 'NR > 1 && $3 ~ p {print $3}' | sort
}
once() { # once DESCRIPTION PREFIX N: plates PREFIX0001..N are each stored exactly once
	local d=$1 s
	s=$(stored "$2")
	if [ "$(printf '%s\n' "$s" | grep -c .)" = "$3" ] && [ -z "$(printf '%s\n' "$s" | uniq -d)" ] &&
		[ "$(printf '%s\n' "$s" | sort -u | grep -c .)" = "$3" ]; then
		ok 0 "$d"
	else
		ok 1 "$d ($(printf '%s\n' "$s" | grep -c .) stored, $(printf '%s\n' "$s" | uniq -d | wc -l) twice, wanted $3)"
	fi
}
relay_start() { # relay_start NAME [TARGET-PORT]: a frame relay on port RP to the server, rules in $T/NAME.ctl
	RP=$(free_port)
	RLOG=$T/$1.relay
	RCTL=$T/$1.ctl
	touch "$RCTL"
	"$RELAY" frames "$RP" "127.0.0.1:${2:-$PORT}" "$RLOG" "$RCTL" >"$T/$1.rout" 2>&1 &
	RPID=$!
	bg_add "$RPID"
	wait_until 5 grep -qs ready "$T/$1.rout"
}
spooled() { # spooled DIR: reports that wait in a spool
	"$POLICE" spool -k "${KEY:-$T/unit1.key}" --spool "$1" 2>/dev/null | grep -c .
}
fifo_feed() { # fifo_feed NAME [feed options]: a feed reading the fifo $T/NAME.in (held open on fd 7); sets FEED
	mkfifo "$T/$1.in"
	feed_cmd
	"${CMD[@]}" --spool "$T/$1.spool" "${@:2}" <"$T/$1.in" >"$T/$1.out" 2>"$T/$1.err" & # $! is tes-police itself
	FEED=$!
	bg_add "$FEED"
	exec 7>"$T/$1.in"
}
feed_end() { # feed_end [SECONDS]: close fd 7 and wait for the feed: its exit status in RC (124: still running)
	exec 7>&-
	if wait_until "${1:-30}" eval "! kill -0 $FEED 2>/dev/null"; then
		wait "$FEED"
		RC=$?
	else
		RC=124
	fi
	bg_stop "$FEED"
}

start_server "$D" || exit 1
bg_add "$SERVER_PID"

# (a) 500 reports fed gradually; the server is killed (kill -9) and started again twice meanwhile.
mkfifo "$T/a.in"
perl -e '$| = 1; for my $i (1 .. 500) { printf "FA%04d,%d,50,Ring road km %d,%s\n", $i, 60 + $i % 90, $i % 30, $ARGV[0];
	select(undef, undef, undef, 0.012) }' "$TIME" >"$T/a.in" &
GEN=$!
bg_add "$GEN"
feed_cmd
"${CMD[@]}" --spool "$T/a.spool" <"$T/a.in" >"$T/a.out" 2>"$T/a.err" &
FEED=$!
bg_add "$FEED"
for k in 1 2; do
	wait_until 60 has_receipts "$T/a.out" $((k * 150)) || echo "# (a): $((k * 150)) receipts not seen" >&2
	KIDS="$KIDS$(pgrep -P "$SERVER_PID" | tr '\n' ' ')"
	bg_stop "$SERVER_PID"
	sleep 0.3
	restart
	bg_add "$SERVER_PID"
done
wait_until 60 eval "! kill -0 $FEED 2>/dev/null"
wait "$FEED"
ok $? "(a) a feed of 500 reports through two kill -9 restarts of the server exits 0 (MUST-FD1, MUST-FD2)"
BG=${BG/ $FEED / }
bg_stop "$GEN"
ok $([ "$(grep -oE '^line [0-9]+' "$T/a.out" | sort -u | wc -l)" = 500 ] && [ "$(receipts "$T/a.out")" = 500 ] &&
	echo 0 || echo 1) "(a) stdout has one receipt for each of the 500 lines ($(receipts "$T/a.out"))"
once "(a) every one of the 500 reports is stored exactly once: none lost, none twice (MUST-R8)" FA 500
ok $([ "$(count 'logged in' "$T/a.err")" = 1 ] && [ "$(count ': resumed$' "$T/a.err")" -ge 2 ] && echo 0 || echo 1) \
	"(a) one login, then the session resumed after each restart: tickets survive a restart ($(count ': resumed$' "$T/a.err") resumed; MUST-RS3)"
ok $([ "$(log_count ' resumed$')" -ge 2 ] && echo 0 || echo 1) "(a) the server log says resumed"
ok $([ "$(spooled "$T/a.spool")" = 0 ] && echo 0 || echo 1) "(a) nothing waits in the spool"
awk '{print $4}' "$T/a.out" | sort >"$T/a.ids"
"$OFFICER" pending -d "$D" | awk 'NR > 1 && length($2) == 32 {print $2}' | sort >"$T/a.stored"
subset "(a) every receipt's report id is stored" "$T/a.ids" "$T/a.stored"
left=
for p in $KIDS; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
ok $([ -n "${KIDS// /}" ] && [ -z "$left" ] && echo 0 || echo 1) \
	"(a) the killed masters' children ($(echo $KIDS | wc -w)) are gone${left:+: left$left}"

# (b) the link cut by the relay in each protocol state, one feed of three reports each.
cuts=(
	"after CLIENT_HELLO|cut 1 c2s 1 1 after"
	"mid CLIENT_HELLO|cut 1 c2s 1 1 mid"
	"after SERVER_HELLO|cut 1 s2c 2 1 after"
	"after KEY_EXCHANGE and FINISHED|cut 1 c2s 4 1 after"
	"after the server FINISHED|cut 1 s2c 4 1 after"
	"after LOGIN|cut 1 c2s 5 1 after"
	"after LOGIN_RESULT|cut 1 s2c 5 1 after"
	"after SESSION|cut 1 s2c 5 2 after"
	"mid REPORT|cut 1 c2s 5 2 mid"
	"after a REPORT, before its RECEIPT|cut 1 c2s 5 2 after"
	"after a RECEIPT|cut 1 s2c 5 3 after"
	"on accept|cut 1 accept"
	"after RESUME_HELLO|cut 1 s2c 5 3 after
cut 2 c2s 7 1 after"
	"mid RESUME_HELLO|cut 1 s2c 5 3 after
cut 2 c2s 7 1 mid"
	"after UNIT_AUTH|cut 1 s2c 5 3 after
cut 2 c2s 8 1 after"
	"after the resumed server FINISHED|cut 1 s2c 5 3 after
cut 2 s2c 4 1 after"
	"mid a resumed session's REPORT|cut 1 s2c 5 3 after
cut 2 c2s 5 1 mid"
)
n=0
for c in "${cuts[@]}"; do
	n=$((n + 1))
	name=${c%%|*}
	relay_start "b$n"
	printf '%s\n' "${c#*|}" >"$RCTL"
	lines "FB${n}X" 1 3 | FPORT=$RP feed --spool "$T/b$n.spool" >"$T/b$n.out" 2>"$T/b$n.err"
	rc=$?
	cut=$(grep -c ' cut ' "$RLOG")
	conns=$(grep -c ' accept$' "$RLOG")
	ok $([ $rc = 0 ] && [ "$(receipts "$T/b$n.out")" = 3 ] && [ "$cut" -ge 1 ] && [ "$conns" -ge 2 ] && echo 0 || echo 1) \
		"(b) cut $name: the feed exits 0 with 3 receipts after $conns connections (exit $rc, $cut cut)"
	if [ $rc != 0 ] || [ "$cut" = 0 ]; then sed 's/^/# /' "$T/b$n.err" "$RLOG" | tail -n 30; fi
	case $name in
	*RESUME_HELLO* | *UNIT_AUTH* | *resumed*)
		ok $([ "$(grep -c "^conn 2 c2s 1 type 7 " "$RLOG")" = 1 ] && [ "$(count ': resumed$' "$T/b$n.err")" -ge 1 ] &&
			echo 0 || echo 1) "(b) ... the second connection was a resumed handshake, and a later one resumed" ;;
	esac
	bg_stop "$RPID"
done
ok $(for i in $(seq $n); do
	s=$(stored "FB${i}X")
	[ "$(printf '%s\n' "$s" | grep -c .)" = 3 ] && [ "$(printf '%s\n' "$s" | sort -u | grep -c .)" = 3 ] || echo bad
done | grep -q bad && echo 1 || echo 0) "(b) after every cut each report is stored exactly once ($((n * 3)) reports)"
ok $(for i in $(seq $n); do [ "$(spooled "$T/b$i.spool")" = 0 ] || echo bad; done | grep -q bad && echo 1 || echo 0) \
	"(b) nothing waits in any spool"

# (c) SIGTERM: between reports the feed ends at once (exit 0) though its input stays open; with a
# report in flight (sent, its receipt cut off, the server then unreachable through the relay) it
# ends leaving that report spooled (exit 75).
fifo_feed c
lines FC 1 3 >&7
wait_until 20 has_receipts "$T/c.out" 3
kill -TERM "$FEED"
if wait_until 20 eval "! kill -0 $FEED 2>/dev/null"; then wait "$FEED"; rc=$?; else rc=124; fi
ok $([ $rc = 0 ] && [ "$(receipts "$T/c.out")" = 3 ] && [ "$(spooled "$T/c.spool")" = 0 ] && echo 0 || echo 1) \
	"(c) SIGTERM between reports, input still open: the feed ends, exit 0, nothing spooled (exit $rc; MUST-FD3)"
bg_stop "$FEED"
exec 7>&-
relay_start c2
{ echo "cut 1 c2s 5 3 after"; for i in $(seq 2 200); do echo "cut $i accept"; done; } >"$RCTL"
FPORT=$RP fifo_feed c2
lines FC 4 5 >&7
wait_until 20 grep -q '^conn 2 cut accept' "$RLOG"
kill -TERM "$FEED"
if wait_until 20 eval "! kill -0 $FEED 2>/dev/null"; then wait "$FEED"; rc=$?; else rc=124; fi
bg_stop "$FEED"
exec 7>&-
"$POLICE" spool -k "$T/unit1.key" --spool "$T/c2.spool" >"$T/c2.spooled" 2>/dev/null
ok $([ $rc = 75 ] && [ "$(receipts "$T/c2.out")" = 1 ] && grep -q ' FC0005 ' "$T/c2.spooled" &&
	[ "$(grep -c . "$T/c2.spooled")" = 1 ] && echo 0 || echo 1) \
	"(c) SIGTERM with a report in flight: exit 75, that report waits in the spool (exit $rc)"
[ $rc = 75 ] || sed 's/^/# /' "$T/c2.err" "$T/c2.spooled" | tail -n 20
check "(c) ... flush sends it" "$POLICE" flush -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice \
	--password-file "$T/pw" --server-key "$FP" --spool "$T/c2.spool"
once "(c) ... and every report of the two feeds is stored once" FC 5
bg_stop "$RPID"

# (d) exit codes: 75 when the server cannot be reached at the end of the input, 65 for a bad line.
DEAD=$(free_port)
lines FD 1 2 | FPORT=$DEAD feed --spool "$T/d.spool" --timeout 2 >"$T/d.out" 2>"$T/d.err"
rc=$?
ok $([ $rc = 75 ] && [ "$(spooled "$T/d.spool")" = 2 ] && echo 0 || echo 1) \
	"(d) no server: exit 75 and both reports wait in the spool (exit $rc, $(spooled "$T/d.spool") spooled)"
check "(d) ... and flush sends them later" "$POLICE" flush -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice \
	--password-file "$T/pw" --server-key "$FP" --spool "$T/d.spool"
once "(d) ... once each" FD 2
{ lines FE 1 1; echo 'A<B,80'; lines FE 2 2; } | feed --spool "$T/e.spool" >"$T/d65.out" 2>&1
rc=$?
ok $([ $rc = 65 ] && grep -q '^line 2: error: invalid plate' "$T/d65.out" && [ "$(receipts "$T/d65.out")" = 2 ] &&
	echo 0 || echo 1) "(d) a bad line: exit 65, its error line, the others sent (exit $rc)"

# (e) heartbeats: with --idle-timeout 2 a feed quiet for 7 s stays connected; batch, which does
# not heartbeat, is cut at the idle timeout (the positive control).
stop_server
restart --idle-timeout 2
bg_add "$SERVER_PID"
idle_before=$(log_count 'idle timeout')
fifo_feed hb
lines FH 1 1 >&7
wait_until 20 has_receipts "$T/hb.out" 1
sleep 7
lines FH 2 2 >&7
wait_until 20 has_receipts "$T/hb.out" 2
feed_end
ok $([ $RC = 0 ] && [ "$(receipts "$T/hb.out")" = 2 ] && echo 0 || echo 1) \
	"(e) a feed quiet for 7 s (3.5 x the idle timeout) gets the next report's receipt (exit $RC; MUST-HB2)"
absent "(e) ... over the same session: no second login, no resumption, no lost connection" \
	'resumed|lost|logged in.*logged in' 'logged in' "$T/hb.err"
ok $([ "$(count 'logged in' "$T/hb.err")" = 1 ] && [ "$(log_count 'idle timeout')" = "$idle_before" ] && echo 0 || echo 1) \
	"(e) ... one 'logged in' line, and the server cut no session for idleness"
mkfifo "$T/hbc.in"
"$POLICE" batch -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice --password-file "$T/pw" --server-key "$FP" \
	--spool "$T/hbc.spool" <"$T/hbc.in" >"$T/hbc.out" 2>"$T/hbc.err" &
FEED=$!
bg_add "$FEED"
exec 7>"$T/hbc.in"
lines FI 1 1 >&7
wait_until 20 has_receipts "$T/hbc.out" 1
wait_until 10 eval "[ \$(log_count 'idle timeout') -gt $idle_before ]"
ok $? "(e) control: a session that sends no heartbeat (batch) is cut at the idle timeout (MUST-HB3, MUST-M7)"
feed_end
[ "$(log_count 'idle timeout')" -gt "$idle_before" ] || sed 's/^/# /' "$T/hbc.out" "$T/hbc.err" <(tail -n 8 "$T/server.log")

# (f) key bounds: --rekey-records 5 ends sessions every few records; the feed resumes each time.
stop_server
restart --rekey-records 5
bg_add "$SERVER_PID"
lines FR 1 20 | feed --spool "$T/f.spool" >"$T/f.out" 2>"$T/f.err"
rc=$?
ok $([ $rc = 0 ] && [ "$(receipts "$T/f.out")" = 20 ] && echo 0 || echo 1) "(f) --rekey-records 5: 20 reports, exit 0 (exit $rc)"
ok $([ "$(count ': resumed$' "$T/f.err")" -ge 3 ] && echo 0 || echo 1) \
	"(f) ... the feed resumed after each rekey alert ($(count ': resumed$' "$T/f.err") resumed; MUST-K2, MUST-K3)"
once "(f) ... each of the 20 stored exactly once" FR 20
ok $([ "$(grep -m1 -oE 'logged in|resumed' "$T/f.err")" = "logged in" ] && echo 0 || echo 1) \
	"(f) a new feed process holds no ticket of an earlier one: its first session logs in (MUST-FD4, MUST-SE3)"
stop_server
restart --session-timeout 3
bg_add "$SERVER_PID"
fifo_feed st
lines FS 1 1 >&7
wait_until 20 has_receipts "$T/st.out" 1
sleep 8
lines FS 2 2 >&7
wait_until 20 has_receipts "$T/st.out" 2
feed_end
ok $([ $RC = 0 ] && [ "$(receipts "$T/st.out")" = 2 ] && [ "$(count ': resumed$' "$T/st.err")" -ge 1 ] && echo 0 || echo 1) \
	"(f) --session-timeout 3 and an 8 s quiet feed: resumed after the time bound, the next report sent (exit $RC)"
once "(f) ... stored once each" FS 2

# (g) resumption refused: the feed logs in again, or ends with 77 when that is refused too.
stop_server
restart
bg_add "$SERVER_PID"
"$POLICE" keygen -k "$T/unit2.key" >/dev/null
"$OFFICER" add-unit -d "$D" patrol-8 "$T/unit2.key.pub" >/dev/null
refusals=$(log_count 'resumption refused')
relay_start g1
KEY=$T/unit2.key FPORT=$RP fifo_feed g1
lines FG1X 1 1 >&7
wait_until 20 has_receipts "$T/g1.out" 1
check "(g) revoke-unit while the feed runs" "$OFFICER" revoke-unit -d "$D" patrol-8
kill -USR1 "$RPID"
lines FG1X 2 2 >&7
feed_end 20
ok $([ $RC = 77 ] && echo 0 || echo 1) "(g) unit revoked: after the cut the feed ends with 77 (exit $RC)"
ok $([ "$(log_count 'resumption refused')" -gt "$refusals" ] && [ "$(count ': resumed$' "$T/g1.err")" = 0 ] &&
	echo 0 || echo 1) "(g) ... its resumption was refused"
bg_stop "$RPID"

printf 'quiet-harbor-lantern-42\n' >"$T/pw.carol"
printf 'violet-canyon-pebble-88\n' >"$T/pw.carol2"
"$OFFICER" add-user -d "$D" carol --role police --password-file "$T/pw.carol" >/dev/null
refusals=$(log_count 'resumption refused')
relay_start g2
FUSER=carol PWFILE=$T/pw.carol FPORT=$RP fifo_feed g2
lines FG2X 1 1 >&7
wait_until 20 has_receipts "$T/g2.out" 1
kill -USR1 "$RPID"
wait_until 20 eval "[ \$(count ': resumed$' '$T/g2.err') -ge 1 ]"
ok $? "(g) control: before the password change the cut session resumes"
check "(g) passwd while the feed runs" "$OFFICER" passwd -d "$D" carol --password-file "$T/pw.carol2"
kill -USR1 "$RPID"
lines FG2X 2 2 >&7
feed_end 20
ok $([ $RC = 77 ] && echo 0 || echo 1) "(g) password changed: the ticket and the old password are refused, exit 77 (exit $RC)"
ok $([ "$(log_count 'resumption refused')" -gt "$refusals" ] && echo 0 || echo 1) "(g) ... the resumption was refused"
bg_stop "$RPID"

stop_server
restart --ticket-lifetime 2
bg_add "$SERVER_PID"
relay_start g3
FPORT=$RP fifo_feed g3
lines FG3X 1 1 >&7
wait_until 20 has_receipts "$T/g3.out" 1
kill -USR1 "$RPID"
wait_until 20 eval "[ \$(count ': resumed$' '$T/g3.err') -ge 1 ]"
ok $? "(g) control: a fresh ticket resumes"
sleep 3
kill -USR1 "$RPID"
lines FG3X 2 2 >&7
wait_until 20 has_receipts "$T/g3.out" 2
feed_end
ok $([ $RC = 0 ] && [ "$(count 'logged in' "$T/g3.err")" = 2 ] && [ "$(count ': resumed$' "$T/g3.err")" = 1 ] &&
	[ "$(receipts "$T/g3.out")" = 2 ] && echo 0 || echo 1) \
	"(g) expired ticket (--ticket-lifetime 2, 3 s later): logged in again, the feed goes on (exit $RC; MUST-RS5)"
once "(g) ... its reports stored once each" FG3X 2
bg_stop "$RPID"

# Another server with the same server key, its own data directory and ticket key.
D2=$T/data2
"$OFFICER" init -d "$D2" >/dev/null && cp "$D/server.key" "$D2/server.key" &&
	"$OFFICER" add-unit -d "$D2" patrol-7 "$T/unit1.key.pub" >/dev/null &&
	"$OFFICER" add-user -d "$D2" alice --role police --password-file "$T/pw" >/dev/null
ok $([ "$("$OFFICER" fingerprint -d "$D2")" = "$FP" ] && ! cmp -s "$D/ticket.key" "$D2/ticket.key" && echo 0 || echo 1) \
	"(g) a second server: the same server key, another ticket key"
P2=$(free_port)
serve_on "$D2" "$P2" "$T/server2.log" || echo "# the second server did not start" >&2
bg_add "$SPID"
relay_start g4
FPORT=$RP fifo_feed g4
lines FG4X 1 1 >&7
wait_until 20 has_receipts "$T/g4.out" 1
kill -USR1 "$RPID"
wait_until 20 eval "[ \$(count ': resumed$' '$T/g4.err') -ge 1 ]"
ok $? "(g) control: the first server resumes its own ticket"
echo "target 127.0.0.1:$P2" >"$RCTL"
kill -USR1 "$RPID"
lines FG4X 2 2 >&7
wait_until 20 has_receipts "$T/g4.out" 2
feed_end
ok $([ $RC = 0 ] && [ "$(count 'logged in' "$T/g4.err")" = 2 ] && grep -q 'resumption refused' "$T/server2.log" &&
	echo 0 || echo 1) "(g) the other server refuses the ticket; the feed logs in there and goes on (exit $RC)"
ok $("$OFFICER" pending -d "$D2" | grep -q ' FG4X0002 ' && echo 0 || echo 1) "(g) ... the next report is stored there"
bg_stop "$RPID"

# The servers stop as they would in service; their children go with them.
KIDS="$(pgrep -P "$SERVER_PID" | tr '\n' ' ') $(pgrep -P "$SPID" | tr '\n' ' ')"
stop_server
kill -TERM "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
stop_all
gone() { local p; for p in $KIDS; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
ok $([ -n "${KIDS// /}" ] && wait_until 5 gone && echo 0 || echo 1) "the servers' children ended with them"
stray=$(ps -eo pid=,args= | grep -F "$T/" | grep -v grep | grep -vw "$$")
ok $([ -z "$stray" ] && echo 0 || echo 1) "no process of this test is left"
[ -n "$stray" ] && echo "$stray" | sed 's/^/# /'
done_testing
