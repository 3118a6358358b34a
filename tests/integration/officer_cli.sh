#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The officer's command line against its promises: one key, one unit (add-unit refuses a key
# registered already, revocation follows the key, also in a store that holds one key under two
# names), and arguments refused with a reason and the documented exit code.
. "$(dirname "$0")/lib.bash"
D=$T/data
FIX=$ROOT/tests/integration/data/twokeys
printf 'amber-tulip-quarry-57\n' >"$T/pw"

# One key, one unit.
"$OFFICER" init -d "$D" >/dev/null && "$POLICE" keygen -k "$T/unit1.key" >/dev/null &&
	"$OFFICER" add-unit -d "$D" patrol-7 "$T/unit1.key.pub" >/dev/null
check "setup: init, keygen, add-unit patrol-7" test -s "$D/journal"
check_code "add-unit refuses a key registered already (MUST-B7)" 65 "$OFFICER" add-unit -d "$D" unitB "$T/unit1.key.pub"
ok $(grep -q "already registered as unit patrol-7" "$T/check.out" && echo 0 || echo 1) "... naming the unit that holds it"
check "revoke-unit patrol-7" "$OFFICER" revoke-unit -d "$D" patrol-7
"$OFFICER" add-unit -d "$D" unitC "$T/unit1.key.pub" >"$T/addrev.out" 2>&1
rc=$?
ok $([ $rc = 65 ] && grep -q "already registered as unit patrol-7 (revoked)" "$T/addrev.out" &&
	! grep -q registered, "$T/addrev.out" && echo 0 || echo 1) \
	"add-unit refuses a revoked key, naming the unit, and does not say registered (MUST-B7) (exit $rc)"
"$POLICE" keygen -k "$T/other.key" >/dev/null
check "control: a new key is registered" "$OFFICER" add-unit -d "$D" unitD "$T/other.key.pub"

# A name far beyond its limit is refused with the rule, not exit 70 and silence.
long=$(head -c 131000 /dev/zero | tr '\0' x)
check_code "add-unit with a 131,000-byte name is refused as bad input (exit 65)" 65 "$OFFICER" add-unit -d "$D" \
	"$long" "$T/other.key.pub"
ok $(grep -q "unit name: invalid name (1-32 " "$T/check.out" && [ "$(wc -c <"$T/check.out")" -lt 200 ] && echo 0 || echo 1) \
	"... naming the limit, without echoing the name"
check_code "revoke-unit with a 131,000-byte name is refused (exit 65)" 65 "$OFFICER" revoke-unit -d "$D" "$long"
ok $(grep -q "unit name: invalid name (1-32 " "$T/check.out" && [ "$(wc -c <"$T/check.out")" -lt 200 ] && echo 0 || echo 1) \
	"... naming the limit, without echoing the name"
# init where it cannot create the directory: 73 (cannot create), with the path and the reason.
touch "$T/afile"
check_code "init under a regular file: cannot create (exit 73)" 73 "$OFFICER" init -d "$T/afile/data"
ok $(grep -q "cannot create $T/afile/data: Not a directory" "$T/check.out" && echo 0 || echo 1) \
	"... naming the path and the reason"
if [ "$(id -u)" != 0 ]; then
	mkdir -m 500 "$T/ro"
	check_code "init in a directory it cannot write (exit 73)" 73 "$OFFICER" init -d "$T/ro/data"
	ok $(grep -q "cannot create $T/ro/data: Permission denied" "$T/check.out" && echo 0 || echo 1) \
		"... naming the path and the reason"
	chmod 700 "$T/ro"
else
	check_code "init in a read-only place (exit 73)" 73 "$OFFICER" init -d /sys/tes-data-test
	ok $(grep -q "cannot create /sys/tes-data-test: " "$T/check.out" && ! grep -qi "input/output" "$T/check.out" &&
		echo 0 || echo 1) "... naming the path and the reason"
fi

# --listen and --http: a port outside 1..65535 is refused, not wrapped into another port (99999
# listened on 34463); names resolve as the client resolves them.
for a in 127.0.0.1:99999 127.0.0.1:0 127.0.0.1:abc nosuch.invalid:9999 127.0.0.1; do
	check_code "serve --listen $a is refused (exit 64)" 64 timeout 10 "$OFFICER" serve -d "$D" --listen "$a" --http off
done
ok $(grep -q "expected HOST:PORT" "$T/check.out" && echo 0 || echo 1) "... saying what is wrong"
check_code "serve --http 127.0.0.1:70000 is refused (exit 64)" 64 timeout 10 "$OFFICER" serve -d "$D" \
	--listen 127.0.0.1:9 --http 127.0.0.1:70000
ok $(grep -q "1 to 65535" "$T/check.out" && echo 0 || echo 1) "... naming the port range"
"$OFFICER" add-user -d "$D" alice --role police --password-file "$T/pw" >/dev/null
FP=$("$OFFICER" fingerprint -d "$D")
PORT=$(free_port)
"$OFFICER" serve -d "$D" --listen "localhost:$PORT" --http off >>"$T/server.log" 2>&1 &
SERVER_PID=$!
wait_log "listening on localhost:$PORT" 1 10
check "serve --listen localhost:PORT takes the name the client takes" "$POLICE" report -s "localhost:$PORT" \
	-k "$T/other.key" -u alice --password-file "$T/pw" --server-key "$FP" --plate LH1 --speed 90
"$POLICE" report -s "localhost:$PORT" -k "$T/other.key" -u alice --password-file "$T/pw" --server-key "$FP" \
	--plate LH2 --speed 120 >/dev/null
"$POLICE" report -s "localhost:$PORT" -k "$T/other.key" -u alice --password-file "$T/pw" --server-key "$FP" \
	--plate LH3 --speed 130 >/dev/null
stop_server

# decide: the decider is an officer account, or the system user who asks (not $USER); a
# rejection needs its reason. Without the server (the process's uid) and through control.sock
# (the uid SO_PEERCRED gives).
"$OFFICER" pending -d "$D" >"$T/pending.out"
ID1=$(awk '$3 == "LH1" { print $2 }' "$T/pending.out")
ID2=$(awk '$3 == "LH2" { print $2 }' "$T/pending.out")
ID3=$(awk '$3 == "LH3" { print $2 }' "$T/pending.out")
check "setup: three pending reports" test -n "$ID1" -a -n "$ID2" -a -n "$ID3"
me=$(id -un)
decided_by() { # decided_by ID NAME: show says the report was decided by NAME
	"$OFFICER" show -d "$D" "$1" | grep -q "^decided by $2:"
}
check_code "decide --officer with no such account is refused (exit 65)" 65 "$OFFICER" decide -d "$D" "$ID1" approve \
	--officer nosuchperson
ok $(grep -q "no officer account" "$T/check.out" && "$OFFICER" show -d "$D" "$ID1" | grep -q "status: PENDING" &&
	echo 0 || echo 1) "... saying so, and the report stays pending"
check_code "decide --officer naming a police account is refused (exit 65)" 65 "$OFFICER" decide -d "$D" "$ID1" approve \
	--officer alice
check_code "reject without a reason is refused (exit 64)" 64 "$OFFICER" decide -d "$D" "$ID1" reject
ok $(grep -q "needs its reason" "$T/check.out" && echo 0 || echo 1) "... saying what is missing"
check "decide without --officer, server stopped" env USER=mallory "$OFFICER" decide -d "$D" "$ID1" approve
check "... is recorded under the system user ($me), not \$USER" decided_by "$ID1" "$me"
"$OFFICER" add-user -d "$D" chief --role officer --password-file "$T/pw" >/dev/null
start_server "$D" || exit 1
check_code "through control.sock, --officer with no such account is refused (exit 65)" 65 "$OFFICER" decide -d "$D" \
	"$ID2" reject --reason "plate unreadable" --officer nosuchperson
check_code "through control.sock, reject without a reason is refused (exit 64)" 64 "$OFFICER" decide -d "$D" "$ID2" reject \
	--officer chief
check "through control.sock, an officer account decides" "$OFFICER" decide -d "$D" "$ID2" reject \
	--reason "plate unreadable" --officer chief
check "through control.sock, decide without --officer" env USER=mallory "$OFFICER" decide -d "$D" "$ID3" approve
stop_server
check "... recorded under that account" decided_by "$ID2" chief
check "... recorded under the system user the control socket saw ($me)" decided_by "$ID3" "$me"

# passwd: a new password for an existing account, its role kept; through control.sock while the
# server runs, and without it. Logins take the new password, and no longer the old one.
printf 'cobalt-meadow-lantern-93\n' >"$T/pw2"
printf 'short-pw-12\n' >"$T/pw3"
printf 'password\n' >"$T/pwcommon"
rep() { # rep PASSWORD-FILE PLATE: one report as alice with that password
	"$POLICE" report -s "127.0.0.1:$PORT" -k "$T/other.key" -u alice --password-file "$1" --server-key "$FP" \
		--plate "$2" --speed 90
}
start_server "$D" || exit 1
check "control: alice logs in with her password" rep "$T/pw" PW1
check "passwd alice through control.sock" "$OFFICER" passwd -d "$D" alice --password-file "$T/pw2"
ok $(grep -q "password of user alice changed (role police)" "$T/check.out" && echo 0 || echo 1) "... saying so, with the role kept"
check "the new password logs in" rep "$T/pw2" PW2
check_code "the old password is refused (exit 77)" 77 rep "$T/pw" PW3
check_code "passwd of an unknown user is refused (exit 65)" 65 "$OFFICER" passwd -d "$D" nobody --password-file "$T/pw2"
check_code "passwd without a name is a usage error (exit 64)" 64 "$OFFICER" passwd -d "$D" --password-file "$T/pw2"
check_code "passwd takes no --role (exit 64)" 64 "$OFFICER" passwd -d "$D" alice --role officer --password-file "$T/pw2"
check_code "an officer's new password follows the officer rules (exit 65)" 65 "$OFFICER" passwd -d "$D" chief \
	--password-file "$T/pw3"
ok $(grep -q "officer account needs at least 15 characters" "$T/check.out" && echo 0 || echo 1) "... naming the rule"
check_code "a password on the list of common passwords is refused (exit 65)" 65 "$OFFICER" passwd -d "$D" alice \
	--password-file "$T/pwcommon"
check "control: a police password shorter than the officer minimum is taken for a police account" \
	"$OFFICER" passwd -d "$D" alice --password-file "$T/pw3"
check "... and logs in" rep "$T/pw3" PW4
stop_server
check "passwd with the server stopped" "$OFFICER" passwd -d "$D" alice --password-file "$T/pw"
check "the journal verifies after the changes" "$OFFICER" verify -d "$D"
start_server "$D" || exit 1
check "after a restart the last password logs in" rep "$T/pw" PW5
check_code "... and the one before it is refused (exit 77)" 77 rep "$T/pw3" PW6
check_code "... and the one before that (exit 77)" 77 rep "$T/pw2" PW7
stop_server

# A store written before the rule, with one key as patrol-7 and as unitB: it opens, and
# revoking either name refuses the key (MUST-B6).
legacy() { # legacy DIR: a copy of the fixture store
	mkdir -m 700 "$1" && cp "$FIX/journal" "$FIX/server.key" "$FIX/storage.key" "$1/" &&
		chmod 600 "$1"/* && cp "$FIX/unit.key" "$T/unit1.key" && cp "$FIX/unit.key.pub" "$T/unit1.key.pub" &&
		chmod 600 "$T/unit1.key"
}
for name in unitB patrol-7; do
	L=$T/legacy-$name
	legacy "$L"
	FP=$("$OFFICER" fingerprint -d "$L")
	start_server "$L" || exit 1
	check "a store holding one key under two names opens; the key reports (control)" \
		police report --plate TWO1 --speed 90
	check "revoke-unit $name while the server runs" "$OFFICER" revoke-unit -d "$L" $name
	check_code "revoking $name refuses the key under either name (exit 77) (MUST-B6)" 77 \
		police report --plate TWO2 --speed 90
	stop_server
done

done_testing
