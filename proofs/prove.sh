#!/bin/bash
# SPDX-License-Identifier: ISC
# Frama-C/WP gate (see proofs/README.md). Usage: [PROVE_JOBS=n] proofs/prove.sh OUTDIR [MODULE...]
# Frama-C exits 0 with unproved goals, so this script classifies (Report
# plugin, unclassified unknown/invalid/warning = error) and counts goals per
# function from the WP JSON report. It fails on any unproved goal, a WP or
# kernel error, a goal total below proofs/floor.txt, or a function listed in
# proofs/STATUS.md that no longer has a contract.
set -u -o pipefail
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 1

# module -> proved source files (the same files the binaries are built from)
declare -A SRCS=(
	[cur]="src/common/cur.c"
	[ct]="src/common/ct.c"
	[wipe]="src/common/wipe.c"
	[hex]="src/common/hex.c"
	[frame]="src/wire/frame.c"
	[field]="src/wire/field.c"
	[msg]="src/wire/msg.c"
	[mon]="src/officer/mon.c"
	[seal]="src/store/seal.c"
	[journal]="src/store/journal.c"
	[drivers]="src/store/drivers.c"
	[http]="src/web/http.c"
	[html]="src/web/html.c"
	[rfc3339]="src/wire/rfc3339.c"
	[batch]="src/wire/batch.c"
	[spool]="src/police/spool.c"
	[pwfile]="src/wire/pwfile.c"
	[ticket]="src/wire/ticket.c"
	[legacy]="src/wire/legacy.c"
	[policy]="src/wire/policy.c"
	[roundtrip]="proofs/roundtrip.c"
)
# extra WP options per module. mon: the permission table is a small
# static const, so WP needs its contents (-wp-init-const).
declare -A WPX=(
	[mon]="-wp-init-const"
	# http: no table contents needed (route_id is the row's position), so none in the hypotheses
	# html: the references tes_html_esc appends are string literals
	[html]="-wp-literals"
	# batch: column_of compares with the column names, string literals
	[batch]="-wp-literals"
	# policy: key_of compares with the key names, and the explanation appends string literals
	[policy]="-wp-literals"
	# wipe: tes_wipe; its typed wrappers are trusted (proofs/README.md)
	[wipe]="-wp-fct tes_wipe"
	# seal, journal, drivers: every function of the file but the crypto wrappers,
	# whose contracts are trusted (proofs/README.md); a list, not
	# -wp-skip-fct, so that the static inline functions of <bearssl.h> stay out
	[seal]="-wp-fct tes_seal_ct_len,tes_seal_put_pad,tes_seal_unpad"
	[journal]="-wp-fct tes_journal_file_hdr_encode,tes_journal_file_hdr_decode,all_zero,\
hdr_check,tes_journal_hdr_encode,tes_journal_hdr_decode,tes_journal_seal,tes_journal_check,tes_journal_open_rec,ascii_valid,done,\
name_field_valid,unit_check,tes_journal_unit_encode,get_exponent,tes_journal_unit_decode,\
tes_journal_revoke_encode,tes_journal_revoke_decode,hash_valid,user_check,\
tes_journal_user_encode,tes_journal_user_decode,tes_journal_report_encode,\
tes_journal_report_decode,decision_check,tes_journal_decision_encode,\
put_decision_fields,put_policy_tail,get_policy_tail,tes_journal_decision_decode,audit_check,tes_journal_audit_encode,\
tes_journal_audit_decode,policy_text_valid,tes_journal_policy_encode,tes_journal_policy_decode,\
tes_journal_disable_encode,tes_journal_disable_decode,plate_field_valid,import_check,\
tes_journal_import_encode,tes_journal_import_decode"
	[drivers]="-wp-fct byte_value,tes_drivers_plate_cmp,entries_len,tes_drivers_encoded_len,\
entry_check,put_hdr,put_entries,tes_drivers_encode,get_hdr,tes_drivers_hdr_decode,get_entry,\
get_entries,tes_drivers_decode"
	# spool: every function of the file but its HMAC wrapper rec_tag, whose contract is trusted
	[spool]="-wp-fct zero_from,copy_bytes,len_ok,tes_spool_hdr_encode,reserved_zero,tes_spool_hdr_decode,tes_spool_next,\
body_cur,digest_check,add_head,add_tail,tes_spool_add_decode,tes_spool_done_decode,tes_spool_seen_decode,\
tes_spool_verify,put_head,put_tag,put_add_head,put_add_tail,tes_spool_add_encode,tes_spool_done_encode,\
tes_spool_seen_encode,tes_spool_id_input"
)
# extra preprocessor arguments per module (trusted stubs, proofs/stubs/)
declare -A EXTRA=(
	[http]="-c11"                    # _Static_assert
	[pwfile]="-c11"                  # _Static_assert
	[wipe]="-cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/explicit_bzero.h"
	[seal]="-c11 -cpp-extra-args=-I/usr/include/bearssl \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/bearssl_des.h \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/crypto_hash.h"
	[journal]="-c11 -cpp-extra-args=-I/usr/include/bearssl \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/bearssl_des.h \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/crypto_hash.h \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/crypto_rsa.h"
	[drivers]="-cpp-extra-args=-I/usr/include/bearssl \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/crypto_hash.h"
	[spool]="-c11 -cpp-extra-args=-I/usr/include/bearssl \
 -cpp-extra-args=-include -cpp-extra-args=$root/proofs/stubs/crypto_hash.h"
)
ALL="cur ct wipe hex frame field msg mon seal journal drivers http html rfc3339 batch spool pwfile ticket legacy policy roundtrip"
mods=${*:-$ALL model}
run_model=0
case " $mods " in *" model "*) run_model=1; mods=$(echo " $mods " | sed 's/ model / /');; esac
mods=$(echo $mods)

FC_KERNEL="-machdep x86_64 -cpp-extra-args=-Isrc -cpp-extra-args=-I$root/proofs/stubs \
 -warn-unsigned-overflow -warn-unsigned-downcast -warn-signed-downcast \
 -warn-right-shift-negative \
 -kernel-warn-key annot:missing-spec=abort \
 -kernel-warn-key typing:implicit-function-declaration=abort"
FC_GATE="-report-unclassified-unknown ERROR -report-unclassified-invalid ERROR \
 -report-unclassified-warning ERROR"
FC_WP="-wp -wp-rte -wp-prover z3,cvc4 -wp-timeout 20 -wp-par 2 \
 -wp-no-init-const -wp-definitions-terminate -wp-declarations-terminate"

mkdir -p "$out"
# one run at a time per output directory (several people may share the tree)
exec 9>"$out/.lock"
flock 9
[ -f "$out/why3.conf" ] || why3 -C "$out/why3.conf" config detect >/dev/null 2>&1 ||
	{ echo "prove: why3 config detect failed"; exit 1; }
export WHY3CONFIG="$out/why3.conf"

# One module: frama-c, then its .total line and an ok/FAIL message. Prints
# its lines in one write, so that two modules finishing together do not mix.
prove_one() {
	local m=$1 log="$out/$1.log" json="$out/$1.json" start rc secs proved msg
	rm -f "$json"
	start=$(date +%s)
	# shellcheck disable=SC2086
	frama-c $FC_KERNEL ${EXTRA[$m]:-} $FC_GATE $FC_WP ${WPX[$m]:-} -wp-report-json "$json" ${SRCS[$m]} \
		-then -report-classify >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	proved=$(sed -nE 's/.*Proved goals: +([0-9]+) \/ +([0-9]+).*/\1 \2/p' "$log" | tail -1)
	echo "$m ${proved:-0 0} $secs $rc" >"$out/$m.total"
	if [ "$rc" != 0 ] || [ -z "$proved" ] || [ "${proved% *}" != "${proved#* }" ]; then
		msg="FAIL $m: goals ${proved:-none} (frama-c exit $rc), see $log
$(grep -E 'ERROR|Unknown|Timeout|Failed|User Error|\[kernel\] (warning|user error)' "$log" | head -20)"
	else
		msg="ok   $m: goals ${proved% *} / ${proved#* } in ${secs}s"
	fi
	echo "$msg"
}

for m in $mods; do
	[ -n "${SRCS[$m]:-}" ] || { echo "prove: unknown module $m"; exit 2; }
	rm -f "$out/$m.total"
done
# WP spends much of its time starting provers and in its own single-threaded
# simplifier, so one module keeps two cores about 70 % busy: run PROVE_JOBS
# modules at a time (default 2), the largest first (goal floors as the size).
jobs_max=${PROVE_JOBS:-2}
order=$(for m in $mods; do
	f=$(awk -v m="$m" '$1 == m { print $2 }' "$here/floor.txt")
	echo "${f:-0} $m"
done | sort -k1,1nr | awk '{ print $2 }')
for m in $order; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	prove_one "$m" &
done
wait
fail=0
for m in $mods; do
	read -r _ p t _ rc <"$out/$m.total" 2>/dev/null || { fail=1; continue; }
	[ "$rc" = 0 ] && [ "$p" = "$t" ] && [ "$t" != 0 ] || fail=1
done
if [ -n "$mods" ]; then
	# shellcheck disable=SC2086
	python3 "$here/report.py" "$out" $mods || fail=1
fi
if [ "$run_model" = 1 ]; then
	"$root/spec/model/check.sh" "$(cd "$out" && pwd)/model" | tee "$out/model.txt" || fail=1
	cat "$out/model.txt" >>"$out/summary.txt" 2>/dev/null
fi
[ "$fail" = 0 ] && echo "prove: all gates passed" || echo "prove: FAILED (see $out/summary.txt)"
exit $fail
