#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make check: names. Usage: names.sh ROOT OBJDIR
# A file's name predicts its functions' prefix: every global symbol an object of src/ defines
# (functions and variables, from nm) is named tes_<file> or tes_<file>_..., where <file> is the
# base name of its source; main.c files define only main. No two .c (or .h) files in src/ share a
# base name, main.c excepted. Fails with one line per symbol or name that breaks a rule.
set -u
root=${1:-.} obj=${2:-build/obj}
cd "$root" || exit 2
bad=0 nsym=0 nobj=0
while IFS= read -r src; do
	rel=${src#src/}
	o=$obj/${rel%.c}.o
	base=$(basename "$src" .c)
	if [ ! -f "$o" ]; then
		echo "names: $o is missing (build first)" >&2
		bad=$((bad + 1))
		continue
	fi
	nobj=$((nobj + 1))
	while read -r _ kind sym; do
		[ -n "$sym" ] || continue
		nsym=$((nsym + 1))
		if [ "$base" = main ]; then
			[ "$sym" = main ] && continue
			echo "names: $src defines $sym (a main.c defines only main)" >&2
		else
			case $sym in "tes_$base" | "tes_${base}_"*) continue ;; esac
			echo "names: $src defines $sym, not tes_$base or tes_${base}_*" >&2
		fi
		bad=$((bad + 1))
	done < <(nm -g --defined-only "$o" | awk '{ print $1, $2, $3 }')
done < <(find src -name '*.c' | sort)
for ext in c h; do
	dups=$(find src -name "*.$ext" ! -name main.c -printf '%f\n' | sort | uniq -d)
	for d in $dups; do
		echo "names: more than one src/ file is named $d: $(find src -name "$d" | tr '\n' ' ')" >&2
		bad=$((bad + 1))
	done
done
if [ "$bad" -ne 0 ]; then
	echo "names: $bad problem(s)" >&2
	exit 1
fi
echo "names: $nobj objects, $nsym global symbols, each named after its file; no two files share a name"
