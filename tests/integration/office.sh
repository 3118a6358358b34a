#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The officer's day with the real binaries: a penalty policy set while the server runs (points
# over the excess above the limit, a tolerance, a threshold and a window), past decisions keeping
# their points and policy, verify recomputing them, thresholds and histories, and the accounts
# (users, units, disable-user, passwd enabling again): spec/POLICY.md MUST-PO9..PO12,
# spec/STORAGE.md MUST-B4, MUST-B8, MUST-B9.
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_data "$D"
check "setup: a store with unit patrol-7 and police user alice" test -n "$FP"
start_server "$D"
now=$(date +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
id_of() { "$OFFICER" pending -d "$D" | awk -v p="$1" '$3 == p { print $2 }'; }

# The built-in policy: the original bands over the measured speed.
"$OFFICER" policy show -d "$D" >"$T/pol0"
ok $(grep -q "^# policy version 0 (built in), sha256 " "$T/pol0" && grep -q "^basis speed" "$T/pol0" &&
	grep -q "^band 100 50" "$T/pol0" && echo 0 || echo 1) "policy show: version 0, the original bands over the speed"
police report --plate AA1 --speed 120 --limit 130 >/dev/null
police report --plate DD4 --speed 75 --limit 50 >/dev/null
"$OFFICER" pending -d "$D" >"$T/pend0"
ok $(awk '$3 == "AA1" && $8 == 50' "$T/pend0" | grep -q . && echo 0 || echo 1) \
	"default policy: 120 km/h in a 130 zone is 50 points (the original bands ignore the limit)"
ok $(grep -q "policy v0: 50 points" "$T/pend0" && echo 0 || echo 1) "... and pending says why"
check "DD4 approved under the built-in policy" "$OFFICER" decide -d "$D" "$(id_of DD4)" approve
DD4=$("$OFFICER" show -d "$D" "$(awk '$3 == "DD4" { print $2 }' "$T/pend0")" 2>&1)
ok $(echo "$DD4" | grep -q "status: APPROVED" && echo "$DD4" | grep -E -q "^[0-9]+ .* DD4 .* 20  " && echo 0 || echo 1) \
	"DD4 (75 km/h) approved with 20 points"

# A policy of the office, set while the server runs.
cat >"$T/pol1" <<'EOF'
tes-policy 1
# points over the excess above the posted limit, after 3 km/h plus 5 % of the limit
basis excess
tolerance-kmh 3
tolerance-percent 5
band 1 10
band 21 20
band 41 50
threshold 30
window-days 365
EOF
check "policy set FILE while the server runs" "$OFFICER" policy set -d "$D" "$T/pol1"
ok $(grep -q "^policy version 1 set from $T/pol1 (sha256 [0-9a-f]\{64\})" "$T/check.out" && echo 0 || echo 1) \
	"... it says the version and the hash"
"$OFFICER" policy show -d "$D" >"$T/pol1.shown"
ok $(head -1 "$T/pol1.shown" | grep -q "^# policy version 1, sha256 $(sha256sum <"$T/pol1" | cut -c1-64)$" &&
	tail -n +2 "$T/pol1.shown" | cmp -s - "$T/pol1" && echo 0 || echo 1) \
	"policy show gives the text as set and the SHA-256 of its exact bytes"
check_code "the same policy again changes nothing (exit 0)" 0 "$OFFICER" policy set -d "$D" "$T/pol1"
ok $(grep -q "current policy already (version 1)" "$T/check.out" && echo 0 || echo 1) "... and says so"
"$OFFICER" pending -d "$D" >"$T/pend1"
ok $(awk '$3 == "AA1" && $8 == 0' "$T/pend1" | grep -q . && echo 0 || echo 1) \
	"the running server uses it at once: 120 km/h in a 130 zone is 0 points"
police report --plate BB2 --speed 130 --limit 110 >/dev/null
police report --plate CC3 --speed 45 --limit 30 >/dev/null
police report --plate NL1 --speed 90 >/dev/null
"$OFFICER" pending -d "$D" >"$T/pend2"
# 130 in 110: tolerance 3 + ceil(5.5) = 9, 121 - 110 = 11 -> band 1, 10 points
ok $(awk '$3 == "BB2" && $8 == 10' "$T/pend2" | grep -q . && echo 0 || echo 1) "130 km/h in a 110 zone: 10 points"
# 45 in 30: tolerance 3 + ceil(1.5) = 5, 40 - 30 = 10 -> 10 points
ok $(awk '$3 == "CC3" && $8 == 10' "$T/pend2" | grep -q . && echo 0 || echo 1) "45 km/h in a 30 zone: 10 points"
ok $(awk '$3 == "NL1" && $8 == 0' "$T/pend2" | grep -q . && echo 0 || echo 1) \
	"a report without a limit gives 0 points under an excess policy"
ok $(grep -A1 " BB2 " "$T/pend2" | grep -q "policy v1: " && echo 0 || echo 1) "... pending says which policy and why"
"$OFFICER" decide -d "$D" "$(id_of BB2)" approve >"$T/dec.out"
ok $(grep -q "APPROVED 10 points" "$T/dec.out" && echo 0 || echo 1) "BB2 approved with the new policy's 10 points"
"$OFFICER" show -d "$D" "$(awk '$3 == "DD4" { print $2 }' "$T/pend0")" >"$T/dd4.after"
ok $(grep -q "policy v0: 20 points" "$T/dd4.after" && echo 0 || echo 1) \
	"a decision made before the change keeps its points and names its policy (v0)"

# Bad policy files: exit 65 naming the file and the line, nothing changed.
printf 'tes-policy 1\nbasis speed\nband 50 10\nband 40 20\n' >"$T/bad1"
check_code "policy set with bands out of order: exit 65" 65 "$OFFICER" policy set -d "$D" "$T/bad1"
ok $(grep -q "^$T/bad1:4: " "$T/check.out" && echo 0 || echo 1) "... naming FILE:LINE"
printf 'tes-policy 1\nbasis speed\nband 50 10\ncolour blue\n' >"$T/bad2"
check_code "policy set with an unknown key: exit 65" 65 "$OFFICER" policy set -d "$D" "$T/bad2"
ok $(grep -q "^$T/bad2:4: " "$T/check.out" && echo 0 || echo 1) "... naming FILE:LINE"
head -c 3000 /dev/zero | tr '\0' '#' >"$T/big"
check_code "policy set with a 3,000-byte file: exit 65" 65 "$OFFICER" policy set -d "$D" "$T/big"
check_code "policy set with a missing file: exit 66" 66 "$OFFICER" policy set -d "$D" "$T/nosuch"
ok $("$OFFICER" policy show -d "$D" | head -1 | grep -q "^# policy version 1," && echo 0 || echo 1) \
	"after the refusals the policy is still version 1"

# Thresholds and the window: EE5 twice far over (50 + 50), FF6 once but three years ago.
police report --plate EE5 --speed 175 --limit 100 >/dev/null
police report --plate EE5 --speed 160 --limit 100 --time "$(iso $((now - 86400)))" >/dev/null
police report --plate FF6 --speed 175 --limit 100 --time "$(iso $((now - 3 * 366 * 86400)))" >/dev/null
"$OFFICER" pending -d "$D" | awk '$3 == "EE5" || $3 == "FF6" { print $2 }' >"$T/ids"
while read -r id; do "$OFFICER" decide -d "$D" "$id" approve >/dev/null; done <"$T/ids"
"$OFFICER" records -d "$D" >"$T/rec"
ok $(head -1 "$T/rec" | grep -q "^PLATE  *POINTS$" && grep -q "^EE5  *100$" "$T/rec" && grep -q "^BB2  *10$" "$T/rec" &&
	grep -q "^DD4  *20$" "$T/rec" && echo 0 || echo 1) "records: PLATE POINTS, the points inside the window"
ok $(! grep -q "^FF6 " "$T/rec" && echo 0 || echo 1) "records: FF6's only offence is outside the window: not listed"
"$OFFICER" records -d "$D" --over-threshold >"$T/over"
ok $(grep -q "^EE5  *100$" "$T/over" && [ "$(wc -l <"$T/over")" = 2 ] && echo 0 || echo 1) \
	"records --over-threshold lists EE5 only (threshold 30)"
"$OFFICER" records -d "$D" --plate ee-5 >"$T/ee5"
ok $(grep -q "^EE5  *100$" "$T/ee5" && grep -q "threshold reached" "$T/ee5" && echo 0 || echo 1) \
	"records --plate ee-5: normalised, 100 points, threshold reached"
"$OFFICER" records -d "$D" --plate FF6 --history >"$T/ff6"
ok $(grep -E -q " APPROVED +50  no +1$" "$T/ff6" && grep -q "^FF6: 0 points inside the last 365 days (50 in all)" "$T/ff6" &&
	echo 0 || echo 1) "history of FF6: its 50 points no longer count, and why"
"$OFFICER" records -d "$D" --plate EE5 --history >"$T/ee5h"
ok $([ "$(grep -E -c " APPROVED +50  yes +1$" "$T/ee5h")" = 2 ] && grep -q "threshold 30 REACHED" "$T/ee5h" && echo 0 || echo 1) \
	"history of EE5: two violations of 50 points that count, threshold reached"
check_code "records --history without --plate: usage (exit 64)" 64 "$OFFICER" records -d "$D" --history
check_code "records --plate with a bad plate: exit 65" 65 "$OFFICER" records -d "$D" --plate 'A*1'

# verify recomputes every decision's points with the policy it names.
check "verify (the running server): every decision's points recomputed" "$OFFICER" verify -d "$D"
stop_server
check "verify (stopped)" "$OFFICER" verify -d "$D"
ok $("$OFFICER" policy show -d "$D" | head -1 | grep -q "^# policy version 1," && echo 0 || echo 1) \
	"the policy survives a restart (it is in the journal)"
check "compact writes drivers.enc with each offence's time" "$OFFICER" compact -d "$D"
"$OFFICER" records -d "$D" >"$T/rec2"
check "records after compaction and reopen are the same" cmp "$T/rec" "$T/rec2"
check "verify after compaction" "$OFFICER" verify -d "$D"

# Accounts.
printf 'cobalt-heron-lantern-93-x\n' >"$T/opw"
"$OFFICER" add-user -d "$D" boss --role officer --password-file "$T/opw" >/dev/null
start_server "$D"
"$OFFICER" users -d "$D" >"$T/users"
ok $(grep -E -q "^alice +police +active +[0-9]{4}-" "$T/users" && grep -E -q "^boss +officer +active +never$" "$T/users" &&
	echo 0 || echo 1) "users: name, role, state, last login (alice logged in, boss never)"
"$OFFICER" units -d "$D" >"$T/units"
ok $(grep -E -q "^patrol-7 +active +[0-9]{4}-[^ ]+ +SHA256:" "$T/units" && echo 0 || echo 1) \
	"units: name, state, last login, key fingerprint"
check "disable-user alice (through the running server)" "$OFFICER" disable-user -d "$D" alice
ok $("$OFFICER" users -d "$D" | grep -E -q "^alice +police +disabled " && echo 0 || echo 1) "users shows alice disabled"
check_code "a disabled account cannot log in (exit 77)" 77 police report --plate GG7 --speed 99
check_code "disable-user of an unknown user: exit 65" 65 "$OFFICER" disable-user -d "$D" nobody
check_code "disable-user twice: exit 0, said so" 0 "$OFFICER" disable-user -d "$D" alice
ok $(grep -q "disabled already" "$T/check.out" && echo 0 || echo 1) "... said so"
printf 'quartz-maple-signal-28\n' >"$T/pw2"
check "passwd alice enables her again" "$OFFICER" passwd -d "$D" alice --password-file "$T/pw2"
ok $(grep -q "enabled again" "$T/check.out" && echo 0 || echo 1) "... and says so"
PWFILE="$T/pw2" check "alice logs in with the new password" police report --plate GG7 --speed 99
stop_server
check "verify after disable and passwd" "$OFFICER" verify -d "$D"
done_testing
