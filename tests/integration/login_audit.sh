#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Refused logins cannot fill the disk (spec/STORAGE.md#attempts MUST-AT1, MUST-AT2): a 20 s flood of
# genuine dashboard login attempts (a fresh login page and CSRF token each) from two addresses, and
# police logins with a wrong password, grow the journal by one aggregated record per door, source
# and window, never one per attempt; the record counts every attempt and keeps a name that is no
# account only as a tag. An accepted login still gets its own record (MUST-AT3).
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_dashboard "$D" >"$T/setup.out" 2>&1
rc=$?
ok $rc "data directory, unit, police user alice, officer boss, dashboard"
[ $rc = 0 ] || { sed 's/^/# /' "$T/setup.out"; exit 1; }

# flood SOURCE SECONDS: dashboard logins from SOURCE, each on a fresh login page with its own token,
# with a wrong password (the names: the officer's, a password typed as a name, one name per try);
# prints how many were refused (403, or 429 once the rate limit blocks the address)
flood() {
	local src=$1 end=$((SECONDS + $2)) n=0 jar=$T/jar.$1 user c code
	while [ "$SECONDS" -lt "$end" ]; do
		rm -f "$jar"
		req "$T/page.$src" --interface "$src" -c "$jar" "$U/login" >/dev/null
		c=$(csrf_of "$T/page.$src")
		case $((n % 3)) in 0) user=boss ;; 1) user=velvet-harbor-lantern-88 ;; *) user=guess$n ;; esac
		code=$(req "$T/r.$src" --interface "$src" -b "$jar" -d "user=$user&password=wrong-$n&csrf=$c" "$U/login")
		case $code in 403 | 429) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

size0=$(stat -c %s "$D/journal")
flood 127.0.0.1 20 >"$T/n1" &
f1=$!
flood 127.0.0.2 20 >"$T/n2" &
f2=$!
wait "$f1" "$f2"
n1=$(cat "$T/n1") n2=$(cat "$T/n2")
PWFILE=$T/wrong
printf 'wrong-password-1\n' >"$PWFILE"
for i in 1 2 3; do
	"$POLICE" report -s "127.0.0.1:$PORT" -k "$T/unit1.key" -u alice --password-file "$PWFILE" \
		--server-key "$FP" --plate AT$i --speed 90 >/dev/null 2>&1
done
size1=$(stat -c %s "$D/journal")
ok $([ "$n1" -ge 20 ] && [ "$n2" -ge 20 ] && echo 0 || echo 1) \
	"the flood was refused $n1 and $n2 times in 20 s from the two addresses"
ok $([ "$size1" = "$size0" ] && echo 0 || echo 1) \
	"no journal growth while the windows are open ($((size1 - size0)) bytes for $((n1 + n2 + 3)) refused logins) (MUST-AT1)"
stop_server
size2=$(stat -c %s "$D/journal")
# the bound of SECURITY.md: one AUDIT record of at most 216 bytes per door, source and window
ok $([ $((size2 - size0)) -gt 0 ] && [ $((size2 - size0)) -le $((3 * 216)) ] && echo 0 || echo 1) \
	"$((n1 + n2 + 3)) refused logins grew the journal by $((size2 - size0)) bytes: three records at most (MUST-AT2)"
check "the journal verifies" "$OFFICER" verify -d "$D"

# Read the records back as the officer (a restart forgets the rate limit; logins are accepted again)
HP=$(free_port)
start_server "$D" --http "127.0.0.1:$HP" || exit 1
wait_log "dashboard on http://127.0.0.1:$HP/" 1 5
U=http://127.0.0.1:$HP
req "$T/login" -c "$T/jar" "$U/login" >/dev/null
C=$(csrf_of "$T/login")
code=$(req "$T/r" -b "$T/jar" -c "$T/jar" -d "user=boss&password=$PW&csrf=$C" "$U/login")
ok $([ "$code" = 303 ] && echo 0 || echo 1) "the officer logs in ($code)"
req "$T/audit" -b "$T/jar" "$U/audit" >/dev/null
grep -o 'dashboard 127\.0\.0\.[12]: [0-9]* refused; names[^<]*' "$T/audit" >"$T/recs"
grep -o 'police 127\.0\.0\.1: [0-9]* refused; names[^<]*' "$T/audit" >>"$T/recs"
sed 's/^/# /' "$T/recs"
ok $([ "$(wc -l <"$T/recs")" = 3 ] && echo 0 || echo 1) "one record per door and source (MUST-AT1)"
ok $(grep -q "^dashboard 127\.0\.0\.1: $n1 refused; names boss ?[0-9a-f]\{6\} ?[0-9a-f]\{6\} ?[0-9a-f]\{6\} +$" "$T/recs" &&
	grep -q "^dashboard 127\.0\.0\.2: $n2 refused; names boss ?[0-9a-f]\{6\} " "$T/recs" && echo 0 || echo 1) \
	"each counts every refused attempt of its address, an account by name, other names as tags (MUST-AT1)"
ok $(grep -q "^police 127\.0\.0\.1: 3 refused; names alice$" "$T/recs" && echo 0 || echo 1) \
	"the police door's refusals: one record for the three (MUST-AT1)"
absent "a password typed as a name is not stored" 'velvet-harbor-lantern-88|guess[0-9]' 'refused; names' "$T/audit"
ok $(grep -q 'dashboard login from 127.0.0.1: ok' "$T/audit" && echo 0 || echo 1) \
	"the accepted login has its own record (MUST-AT3)"
done_testing
