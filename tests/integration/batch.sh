#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A batch of 1000 reports over one session; every receipt's report is stored exactly once,
# also after a restart. Bad lines get an error line and the batch goes on.
. "$(dirname "$0")/lib.bash"
D=$T/data
setup_data "$D" || exit 1
start_server "$D" || exit 1

for i in $(seq 1000); do
	printf '%sAB%04d,%d,%d,Ring road km %d\n' $((i % 81 + 1)) "$i" $((40 + i % 90)) 50 $((i % 30))
done >"$T/obs.csv"
police batch <"$T/obs.csv" >"$T/receipts" 2>"$T/batch.err"
ok $? "batch of 1000 exits 0"
ok $([ "$(grep -c ' QUEUED$' "$T/receipts")" = 1000 ] && echo 0 || echo 1) "1000 QUEUED receipt lines"
ok $([ "$(grep -c '^line ' "$T/receipts")" = 1000 ] && echo 0 || echo 1) "one receipt line per input line"
ok $([ "$(grep -c 'session .*: unit patrol-7 authenticated' "$T/server.log")" = 1 ] && echo 0 || echo 1) \
	"the whole batch used one session"
stop_server

"$OFFICER" pending -d "$D" >"$T/pending"
awk '{print $4}' "$T/receipts" | sort >"$T/ids.sent"
awk 'NR > 1 && length($2) == 32 {print $2}' "$T/pending" | sort >"$T/ids.stored"
ok $(cmp -s "$T/ids.sent" "$T/ids.stored" && echo 0 || echo 1) "after a restart every receipt's report is stored"
ok $([ "$(uniq -d "$T/ids.stored" | wc -l)" = 0 ] && echo 0 || echo 1) "and each exactly once"
check "journal verifies" "$OFFICER" verify -d "$D"

start_server "$D" || exit 1
printf 'plate,speed,limit,location,time\nAB1,80\nA<B,80\nAB2,0\nAB3,90,50,Main st,2026-01-01T00:00:00Z\n\n# note\nAB4\n' >"$T/mixed.csv"
police batch <"$T/mixed.csv" >"$T/mixed.out" 2>&1
ok $([ $? = 65 ] && echo 0 || echo 1) "a batch with bad lines exits 65"
ok $(grep -q '^line 2: report .* QUEUED$' "$T/mixed.out" && grep -q '^line 3: error: invalid plate' "$T/mixed.out" &&
	grep -q '^line 4: error: invalid speed' "$T/mixed.out" && grep -q '^line 5: report .* QUEUED$' "$T/mixed.out" &&
	grep -q '^line 8: error: missing speed' "$T/mixed.out" && echo 0 || echo 1) "each line gets its own receipt or error"
done_testing
