#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Connections that trickle a byte now and then cannot hold the session slots
# (spec/PROTOCOL.md#state MUST-S5): a handshake and login have one deadline (--login-grace-time,
# default 10 s) that no byte extends, and the connections still in their handshake are capped per
# source (--per-source-max-startups, default 8) and in all (--max-startups, default 100:30:200).
# Eight other loopback addresses keep reconnecting and trickling while a genuine unit on
# 127.0.0.1 reports: it gets through on its first try. The deadline does not count the time a
# login waits for the server's own password verifiers.
. "$(dirname "$0")/lib.bash"
trap "" PIPE
D=$T/data
setup_data "$D" || exit 1
printf 'amber-tulip-quarry-57\n' >"$T/pw2"
"$OFFICER" add-user -d "$D" bob --role police --password-file "$T/pw2" >/dev/null || exit 1

# The defaults, with fewer slots than the trickling connections (8 sources x 12 = 96 > 80).
PORT=$(free_port)
"$OFFICER" serve -d "$D" --listen "127.0.0.1:$PORT" --http off --max-sessions 80 >>"$T/server.log" 2>&1 &
SERVER_PID=$!
wait_until 10 grep -q "listening on 127.0.0.1:$PORT" "$T/server.log" || exit 1

genuine() { # genuine PLATE [options]: one report from 127.0.0.1 as user bob
	local plate=$1; shift
	"$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u bob --password-file "$T/pw2" \
		--server-key "$FP" --spool "$T/spool.$plate" --plate "$plate" --speed 120 --limit 90 "$@"
}

# trickle PORT FIRST LAST PER STEP: from 127.0.0.FIRST .. LAST, PER connections each, every one
# sending one byte of a CLIENT_HELLO frame every STEP seconds; a closed one is opened again at once.
# Prints "held N" once it holds N connections, and how long each closed one lasted ("closed S").
trickle() { # run in the background: exec makes its pid perl's, so that kill "$!" stops it
	exec perl -e '
		use IO::Socket::INET; use IO::Select; use Time::HiRes qw(time sleep);
		my ($port, $first, $last, $per, $step) = @ARGV;
		$| = 1; $SIG{PIPE} = "IGNORE";
		my @frame = (0x54, 0x01, 0x01, 0x00, 0x0f, 0xa0, (0) x 4000);
		my %c; my $said = 0;
		while (1) {
			my $held = 0;
			for my $src ($first .. $last) { for my $i (1 .. $per) {
				my $k = "$src.$i"; my $s = $c{$k};
				if ($s && IO::Select->new($s->{fh})->can_read(0)) {
					my $b; my $n = sysread($s->{fh}, $b, 64);
					if (!$n) { printf "closed %.1f\n", time - $s->{t0} if $s->{sent} > 1; close $s->{fh}; $s = undef; }
				}
				if ($s && time >= $s->{next}) {
					if (!defined syswrite($s->{fh}, chr($frame[$s->{sent}]))) { close $s->{fh}; $s = undef; }
					else { $s->{sent}++; $s->{next} += $step; }
				}
				if (!$s) {
					my $fh = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
						LocalAddr => "127.0.0.$src", Proto => "tcp");
					$s = { fh => $fh, t0 => time, next => time, sent => 0 } if $fh;
				}
				$c{$k} = $s; $held++ if $s && $s->{sent};
			} }
			if (!$said && $held >= ($last - $first + 1) * $per) { print "held $held\n"; $said = 1; }
			sleep 0.05;
		}' "$@"
}

trickle "$PORT" 2 9 12 2 >"$T/trickle.out" 2>&1 &
TRICKLE=$!
trap 'kill "$TRICKLE" 2>/dev/null; cleanup' EXIT
# the slots fill within the first seconds; then a genuine unit reports
sleep 2
n=$(pgrep -c -P "$SERVER_PID" -x tes-parser)
genuine 34ABC123 >"$T/genuine" 2>&1
rc=$?
ok $([ "$rc" = 0 ] && grep -q ' QUEUED$' "$T/genuine" && echo 0 || echo 1) \
	"with $n session children of trickling clients, a genuine unit reports on its first try (exit $rc) (MUST-S5)"
sed 's/^/# /' "$T/genuine"
ok $(log_has "connection from 127.0.0.[2-9] refused: too many connections of its source" && echo 0 || echo 1) \
	"the trickling sources are held to their per-source cap, and the server says so"
ok $([ "$(pgrep -c -P "$SERVER_PID" -x tes-parser)" -le $((8 * 8 + 1)) ] && echo 0 || echo 1) \
	"at most 8 connections per source are in their handshake"
# every trickling connection is closed 10 s after its start, however often it sends a byte
wait_until 20 grep -q '^closed' "$T/trickle.out"
sleep 1
kill "$TRICKLE"
wait "$TRICKLE" 2>/dev/null
awk '$1 == "closed" { if ($2 < 9 || $2 > 14) bad++; n++ } END { print n + 0, bad + 0 }' "$T/trickle.out" >"$T/closed"
read -r closed late <"$T/closed"
ok $([ "$closed" -gt 0 ] && [ "$late" = 0 ] && echo 0 || echo 1) \
	"trickling connections are closed 10 s after their start ($closed closed, $late outside 9-14 s) (MUST-S5)"
ok $(log_has "handshake and login not done within the login grace time" && echo 0 || echo 1) \
	"the server logs why it closed them"

# A login that waits for the password verifiers longer than the grace time is not cut: that
# time is the server's own.
set -- $(pgrep -P "$SERVER_PID" -x tes-verifier)
kill -STOP "$@"
genuine 34ABC124 --timeout 60 >"$T/slow" 2>&1 &
SLOW=$!
sleep 13
kill -CONT "$@"
wait "$SLOW"
rc=$?
ok $([ "$rc" = 0 ] && grep -q ' QUEUED$' "$T/slow" && echo 0 || echo 1) \
	"a login that waited 13 s for the stopped verifiers still goes through (exit $rc)"
sed 's/^/# /' "$T/slow"
done_testing
