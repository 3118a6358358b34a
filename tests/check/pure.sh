#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make check: purity. Usage: pure.sh ROOT OBJDIR
# The sources in $PURE_SRC claim to be pure (README.md#layout): no I/O, no clock, no process
# control, no heap. Their objects may call only functions defined by pure objects, the cryptography
# in $CRYPTO_SRC (computations over caller buffers; the random generator is seeded before any pure
# code runs), BearSSL (br_*), and the libc memory and formatting functions listed below. Anything
# else an object of theirs references (nm -u) fails the check with its name. The sources in
# $PURE_ALLOC_SRC are pure too but may also allocate (ALLOC below), their out-of-memory path ending
# the process through tes_log_fatal.
set -u
root=${1:-.} obj=${2:-build/obj}
cd "$root" || exit 2
: "${PURE_SRC:?PURE_SRC lists the pure sources}" "${CRYPTO_SRC:?CRYPTO_SRC lists the crypto sources}"
PURE_ALLOC_SRC=${PURE_ALLOC_SRC:-}
ALLOC='malloc calloc realloc free qsort tes_log_fatal'
LIBC='memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp snprintf vsnprintf explicit_bzero
      __stack_chk_fail __memcpy_chk __memmove_chk __memset_chk __snprintf_chk __vsnprintf_chk
      __explicit_bzero_chk'
objof() { local s=${1#src/}; echo "$obj/${s%.c}.o"; }
declare -A ok
bad=0 n=0
for w in $LIBC; do ok[$w]=1; done
for s in $PURE_SRC $PURE_ALLOC_SRC $CRYPTO_SRC; do
	o=$(objof "$s")
	if [ ! -f "$o" ]; then
		echo "pure: $o is missing (build first)" >&2
		exit 1
	fi
	for sym in $(nm -g --defined-only "$o" | awk '{ print $3 }'); do ok[$sym]=1; done
done
for s in $PURE_SRC $PURE_ALLOC_SRC; do
	n=$((n + 1))
	for sym in $(nm -u "$(objof "$s")" | awk '{ print $2 }'); do
		[ -n "${ok[$sym]:-}" ] && continue
		case " $PURE_ALLOC_SRC " in *" $s "*) case " $ALLOC " in *" $sym "*) continue ;; esac ;; esac
		case $sym in br_prng_seeder_system) ;; br_*) continue ;; esac
		echo "pure: $s calls $sym, which is not pure (I/O, clock, process or heap)" >&2
		bad=$((bad + 1))
	done
done
if [ "$bad" -ne 0 ]; then
	echo "pure: $bad call(s) out of the pure sources" >&2
	exit 1
fi
echo "pure: $n sources call nothing but pure code, cryptography and libc memory functions"
