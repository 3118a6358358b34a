#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tes-officer export and the dashboard's /export.csv (spec/EXPORT.md): 1,000 reports sent by the
# real tes-police to a real server, two thirds decided (reasons with commas and quotes), exported as
# CSV and JSON Lines while the server runs and while it is stopped, and checked field by field
# against 'tes-officer show' (MUST-EX1..EX5); the filters; refused options (MUST-EX2); output that
# cannot be written; the dashboard download against the command's CSV (MUST-EX6).
. "$(dirname "$0")/lib.bash"
D=$T/data
CHK="perl $ROOT/tests/integration/export_check.pl"
setup_dashboard "$D" || exit 1

# 1,000 observations, one every 7 hours from 2025-01-01T07:00:00Z; every tenth without a limit,
# every seventh without a location, a third of the locations with a comma (quoted in the batch).
perl -e 'for my $i (1 .. 1000) {
	my @g = gmtime(1735689600 + $i * 7 * 3600);
	my $loc = $i % 7 == 0 ? "" : $i % 3 == 0 ? "\"Ring road, km $i\"" : "Main st $i";
	printf "EX%04d,%d,%s,%s,%04d-%02d-%02dT%02d:%02d:%02dZ\n", $i, 40 + $i % 90, $i % 10 ? 50 : "", $loc,
		$g[5] + 1900, $g[4] + 1, $g[3], $g[2], $g[1], $g[0] }' >"$T/obs.csv"
police batch <"$T/obs.csv" >"$T/receipts" 2>"$T/batch.err"
ok $([ "$(grep -c ' QUEUED$' "$T/receipts")" = 1000 ] && echo 0 || echo 1) "1000 reports sent by tes-police, queued"

# Decisions through the running server: i % 3 == 1 approved, i % 3 == 2 rejected, else pending.
awk '{ print $4 }' "$T/receipts" >"$T/ids"
i=0 fails=0
while read -r id; do
	i=$((i + 1))
	case $((i % 3)) in
	1) "$OFFICER" decide -d "$D" "$id" approve --officer boss >/dev/null 2>>"$T/decide.err" || fails=$((fails + 1)) ;;
	2) "$OFFICER" decide -d "$D" "$id" reject --officer boss --reason "glare, \"plate\" unreadable $i" \
		>/dev/null 2>>"$T/decide.err" || fails=$((fails + 1)) ;;
	esac
done <"$T/ids"
ok $([ "$fails" = 0 ] && echo 0 || echo 1) "667 decisions stored ($fails failed)"

# While the server runs: over control.sock.
check_code "export --format csv, server running (exit 0)" 0 "$OFFICER" export -d "$D" --format csv
cp "$T/check.out" "$T/run.csv"
"$OFFICER" export -d "$D" --format jsonl >"$T/run.jsonl" 2>"$T/run.err"
ok $? "export --format jsonl, server running (exit 0)"
ok $(grep -q 'control: export running in process' "$T/server.log" && echo 0 || echo 1) \
	"... streamed by a reader process of the server (MUST-EX7)"
while read -r id; do
	echo "== $id"
	"$OFFICER" show -d "$D" "$id"
done <"$T/ids" >"$T/shows" 2>&1
$CHK "$T/run.csv" "$T/run.jsonl" "$T/shows" >"$T/chk.out"
ok $? "every field of 1000 CSV rows and JSON lines matches tes-officer show (MUST-EX3..EX5)"
sed 's/^/# /' "$T/chk.out" | head -12
ok $(grep -qx 'ok 1000' "$T/chk.out" && echo 0 || echo 1) "... 1000 rows, numbers 1..1000 in order"
ok $([ "$(head -c 130 "$T/run.csv" | head -n 1)" = $'number,id,received,unit,plate,speed,limit,observed,location,status,points,officer,decided,reason,policy_version\r' ] &&
	echo 0 || echo 1) "CSV header row with the documented columns, CRLF"
ok $(grep -q ',"glare, ""plate"" unreadable 2",' "$T/run.csv" && grep -q ',"Ring road, km 3",' "$T/run.csv" &&
	echo 0 || echo 1) "fields with commas and quotes quoted, quotes doubled (MUST-EX4)"
ok $(grep -q '"reason":"glare, \\"plate\\" unreadable 2"' "$T/run.jsonl" &&
	grep -q '"limit":null,' "$T/run.jsonl" && grep -q '"location":null,' "$T/run.jsonl" &&
	grep -q '"officer":null,"decided":null,"reason":null,' "$T/run.jsonl" && echo 0 || echo 1) \
	"JSON: quotes escaped, nulls for absent values (MUST-EX5)"
for s in approved rejected pending; do
	"$OFFICER" export -d "$D" --format csv --status $s >"$T/$s.csv"
	$CHK --rows "$T/$s.csv" >"$T/$s.rows"
	ok $([ "$(wc -l <"$T/$s.rows")" -ge 333 ] && ! grep -qv " $s " "$T/$s.rows" &&
		[ "$(wc -l <"$T/$s.rows")" = "$(grep -c ",$s," "$T/run.csv")" ] && echo 0 || echo 1) \
		"--status $s: exactly the $s reports ($(wc -l <"$T/$s.rows")) (MUST-EX1)"
done

# Time filters on the observation time: since inclusive, until exclusive (MUST-EX1).
$CHK --rows "$T/run.csv" >"$T/all.rows"
# report 24 is observed at 2025-01-08T00:00:00Z, report 48 at 2025-01-15T00:00:00Z
"$OFFICER" export -d "$D" --format csv --since 2025-01-08 --until 2025-01-15 >"$T/win.csv"
$CHK --rows "$T/win.csv" >"$T/win.rows"
awk '$4 >= "2025-01-08T00:00:00Z" && $4 < "2025-01-15T00:00:00Z"' "$T/all.rows" >"$T/win.want"
ok $(cmp -s "$T/win.rows" "$T/win.want" && [ "$(head -n 1 "$T/win.rows" | cut -d' ' -f1)" = 24 ] &&
	[ "$(tail -n 1 "$T/win.rows" | cut -d' ' -f1)" = 47 ] && echo 0 || echo 1) \
	"--since 2025-01-08 --until 2025-01-15: reports 24..47 ($(wc -l <"$T/win.rows") rows)"
"$OFFICER" export -d "$D" --format jsonl --since 2025-01-08T03:00:00+03:00 --until 2025-01-15T00:00:01Z \
	--status approved >"$T/win2.jsonl"
ok $([ "$(grep -c . "$T/win2.jsonl")" = "$(awk '$3 == "approved" && $1 >= 24 && $1 <= 48' "$T/all.rows" | wc -l)" ] &&
	echo 0 || echo 1) "--since with an offset (UTC midnight), --until one second after 48, --status approved"
check_code "--since after every report: header only (exit 0)" 0 "$OFFICER" export -d "$D" --format csv --since 2030-01-01
ok $([ "$(wc -l <"$T/check.out")" = 1 ] && echo 0 || echo 1) "... one line"

# Refused options: exit 64, the option named, nothing on stdout (MUST-EX2).
bad() { # bad WORD ARGS...: exit 64, WORD on stderr, stdout empty
	local w=$1; shift
	"$OFFICER" export -d "$D" "$@" >"$T/bad.out" 2>"$T/bad.err"
	local rc=$?
	ok $([ $rc = 64 ] && grep -q -- "$w" "$T/bad.err" && [ ! -s "$T/bad.out" ] && echo 0 || echo 1) \
		"export $* refused: exit 64 naming $w (exit $rc)"
}
bad --format
bad --format --format xml
bad --status --format csv --status done
bad --since --format csv --since yesterday
bad --until --format csv --until 2025-13-01
bad --since --format csv --since 2025-02-01 --until 2025-01-01
bad --role --format csv --role officer
bad bogus --format csv --bogus
bad arguments --format csv extra

# Output that cannot be written: exit 74, with the server running and stopped.
check_code "export to /dev/full, server running: exit 74" 74 sh -c "'$OFFICER' export -d '$D' --format csv >/dev/full"

# The dashboard download: an officer's session, text/csv, attachment, chunked (MUST-EX6).
code=$(req "$T/anon" "$U/export.csv")
ok $([ "$code" = 303 ] && grep -qi '^Location: /login' "$T/anon" && echo 0 || echo 1) \
	"/export.csv without a session: redirected to the login page ($code)"
JAR=$T/jar
req "$T/login" -c "$JAR" "$U/login" >/dev/null
C=$(csrf_of "$T/login")
code=$(req "$T/r" -b "$JAR" -c "$JAR" -d "user=boss&password=$PW&csrf=$C" "$U/login")
ok $([ "$code" = 303 ] && echo 0 || echo 1) "officer login ($code)"
req "$T/rec" -b "$JAR" "$U/records" >/dev/null
ok $(grep -q '<a href="/export.csv" download>Export CSV</a>' "$T/rec" && echo 0 || echo 1) \
	"the records page links to the CSV export"
curl -s -D "$T/dl.head" -o "$T/dl.csv" --max-time 60 -b "$JAR" "$U/export.csv"
ok $? "GET /export.csv completes (curl checks the chunked framing)"
ok $(grep -qi '^Content-Type: text/csv; charset=utf-8' "$T/dl.head" &&
	grep -qi '^Content-Disposition: attachment; filename="tes-export.csv"' "$T/dl.head" &&
	grep -qi '^Transfer-Encoding: chunked' "$T/dl.head" && grep -qi '^Cache-Control: no-store' "$T/dl.head" &&
	grep -q '^HTTP/1.1 200' "$T/dl.head" && echo 0 || echo 1) "200, text/csv, attachment, chunked, no-store"
ok $(cmp -s "$T/dl.csv" "$T/run.csv" && echo 0 || echo 1) "the download is byte for byte the command's CSV"
ok $(grep -q 'dashboard: boss: export of 1000 rows sent' "$T/server.log" && echo 0 || echo 1) \
	"... sent by an export process, logged with the officer"
stop_server

# Stopped server: the process opens the store; the same bytes.
"$OFFICER" export -d "$D" --format csv >"$T/stop.csv"
ok $? "export --format csv, server stopped (exit 0)"
"$OFFICER" export -d "$D" --format jsonl >"$T/stop.jsonl"
ok $(cmp -s "$T/stop.csv" "$T/run.csv" && cmp -s "$T/stop.jsonl" "$T/run.jsonl" && echo 0 || echo 1) \
	"the same CSV and JSON Lines with the server stopped"
check_code "export to /dev/full, server stopped: exit 74" 74 sh -c "'$OFFICER' export -d '$D' --format jsonl >/dev/full"
check_code "export of a missing data directory: exit 66" 66 "$OFFICER" export -d "$T/none" --format csv
done_testing
