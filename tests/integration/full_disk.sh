#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A full disk under the real binaries (spec/STORAGE.md#attempts MUST-AT3, spec/PROTOCOL.md#login
# MUST-L4): the data directory is a small tmpfs in a mount namespace of its own, filled up while the
# server runs. No login is answered without its record: a police login is answered try again (the
# client says "server busy, try again", spools, exits 75), a dashboard login gets 503 and no
# session; 'decide' says "no space left on device" (exit 74); reads keep working. Once there is room
# again, both logins and the spooled report go through.
if [ -z "${TES_FULL_DISK_DIR:-}" ]; then
	ns="unshare --user --map-root-user --mount"
	[ "$(id -u)" = 0 ] && ns="unshare --mount --propagation private"
	if ! $ns true 2>/dev/null; then echo "1..0 # SKIP no mount namespace for a small tmpfs"; exit 0; fi
	M=$(mktemp -d /tmp/tes-disk.XXXXXX)
	mnt="mount -t tmpfs -o size=1m,mode=0700,uid=$(id -u),gid=$(id -g) tes-disk '$M'"
	run="exec env TES_FULL_DISK_DIR='$M' bash '$0'"
	if [ "$(id -u)" = 0 ]; then
		$ns sh -c "$mnt && $run"
	else # root in a user namespace mounts; the test runs as the caller's uid in a nested one
		$ns sh -c "$mnt && exec unshare --user --map-user=$(id -u) --map-group=$(id -g) sh -c \"$run\""
	fi
	rc=$?
	rmdir "$M" 2>/dev/null
	exit "$rc"
fi
. "$(dirname "$0")/lib.bash"
D=$TES_FULL_DISK_DIR/data
setup_dashboard "$D" >"$T/setup.out" 2>&1
rc=$?
ok $rc "data directory on the small tmpfs, unit, police user alice, officer boss, dashboard"
[ $rc = 0 ] || { sed 's/^/# /' "$T/setup.out"; exit 1; }
police() {
	"$POLICE" "$1" -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice --password-file "$T/pw" --server-key "$FP" \
		"${@:2}"
}
ID1=11111111111111111111111111111111
check "a report stored while there is room" police report --plate FD1 --speed 90 --id $ID1

# Fill the file system, then the journal's last page, with users until the store refuses one.
dd if=/dev/zero of="$TES_FULL_DISK_DIR/filler" bs=4k 2>/dev/null
i=0
while "$OFFICER" add-user -d "$D" "filler$i" --role police --password-file "$T/pw" >"$T/add.out" 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || break
done
ok $(grep -q 'no space left on device' "$T/add.out" && echo 0 || echo 1) \
	"the disk is full: the store refuses a record ($(tail -n1 "$T/add.out"))"

check_code "decide on a full disk: exit 74" 74 "$OFFICER" decide -d "$D" $ID1 approve --reason speeding --officer boss
ok $(grep -q "report $ID1: no space left on device" "$T/check.out" && echo 0 || echo 1) \
	"decide says: no space left on device"
check_code "a police login that cannot be recorded: try again, exit 75 (MUST-L4)" 75 \
	police report --plate FD2 --speed 95
ok $(grep -q 'server busy, try again' "$T/check.out" && grep -q 'SPOOLED' "$T/check.out" && echo 0 || echo 1) \
	"the client says: server busy, try again, and keeps the report in its spool (MUST-L4)"
wait_log "login not recorded, answered try again: no space left on device" 1 5
ok $? "the server logs why the login was not taken (MUST-AT3)"
req "$T/login" -c "$T/jar" "$U/login" >/dev/null
C=$(csrf_of "$T/login")
code=$(req "$T/r" -b "$T/jar" -c "$T/jar" -d "user=boss&password=$PW&csrf=$C" "$U/login")
ok $([ "$code" = 503 ] && ! grep -qi '^Location: /queue' "$T/r" && echo 0 || echo 1) \
	"a dashboard login that cannot be recorded: 503, no session ($code) (MUST-AT3)"
ok $(grep -q 'try again' "$T/r" && echo 0 || echo 1) "the page says: try again"
check "reads keep working: show" "$OFFICER" show -d "$D" $ID1
ok $(grep -q 'status: PENDING' "$T/check.out" && echo 0 || echo 1) "the report is still pending"
kill -0 "$SERVER_PID" 2>/dev/null
ok $? "the server keeps running on a full disk"

rm -f "$TES_FULL_DISK_DIR/filler"
check "room again: the spooled report goes through" police flush
code=$(req "$T/r" -b "$T/jar" -c "$T/jar" -d "user=boss&password=$PW&csrf=$C" "$U/login")
ok $([ "$code" = 303 ] && echo 0 || echo 1) "room again: the dashboard login goes through ($code)"
check "room again: decide" "$OFFICER" decide -d "$D" $ID1 approve --reason speeding --officer boss
stop_server
check "the journal verifies" "$OFFICER" verify -d "$D"
done_testing
