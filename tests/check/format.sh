#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make check: formatting. Usage: format.sh ROOT
# Every C file of the tree is formatted as .clang-format says, by Debian's clang-format-14 (pinned:
# other versions format differently). ReflowComments is off there, so //@ and /*@ ACSL lines are
# never rewrapped. Prints each file that differs, with the first lines of the difference.
set -u
root=${1:-.}
cd "$root" || exit 2
CF=${CLANG_FORMAT:-clang-format-14}
command -v "$CF" >/dev/null || { echo "format: $CF not found (Debian package clang-format-14)" >&2; exit 2; }
bad=0 n=0
while IFS= read -r f; do
	n=$((n + 1))
	if ! "$CF" --style=file "$f" | cmp -s - "$f"; then
		echo "format: $f is not formatted (run: $CF -i --style=file $f)" >&2
		"$CF" --style=file "$f" | diff -u "$f" - | sed -n '3,12p' | sed 's/^/format:   /' >&2
		bad=$((bad + 1))
	fi
done < <(find src sandbox tests fuzz proofs -name '*.[ch]' -not -path '*/node_modules/*' | sort)
if [ "$bad" -ne 0 ]; then
	echo "format: $bad of $n files differ from .clang-format" >&2
	exit 1
fi
echo "format: $n files match .clang-format ($($CF --version | head -1))"
