#!/bin/sh
# SPDX-License-Identifier: ISC
# Writes the legacy-import test vectors of this directory (README.md says what
# each one must do; spec/LEGACY.md is the format). The plaintexts come from
# Python's json.dumps with its defaults, as the original system wrote them
# (separators ", " and ": ", ensure_ascii: non-ASCII as \uXXXX); drivers.enc
# is an 8-byte IV, then single-DES-CBC of the plaintext with PKCS#7 padding.
# OpenSSL 3 keeps single DES in its legacy provider, hence
# "-provider legacy -provider default". The IVs are fixed so that a second run
# writes the same bytes. Usage: tests/vectors/legacy/make.sh [DIR]
set -eu
dir=${1:-$(dirname "$0")}
cd "$dir"
command -v python3 >/dev/null || { echo "make.sh: python3 is needed" >&2; exit 1; }
command -v openssl >/dev/null || { echo "make.sh: openssl is needed" >&2; exit 1; }

hexkey() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
STOREKEY=$(hexkey STOREKEY)

# enc NAME IV_HEX KEY_HEX [-nopad]: NAME.plain -> NAME.enc
enc() {
	name=$1 iv=$2 key=$3
	shift 3
	printf '%s' "$iv" | sed 's/../\\x&/g' | xargs -0 printf >"$name.enc"
	openssl enc -des-cbc -provider legacy -provider default -K "$key" -iv "$iv" "$@" \
		-in "$name.plain" >>"$name.enc"
}

# plaintexts, each exactly as json.dumps writes it (no newline at the end)
python3 - <<'PY'
import json

def dump(name, obj):
    with open(name + ".plain", "w", encoding="ascii") as f:
        f.write(json.dumps(obj))

dump("empty", {})
# 16 bytes: a whole number of blocks, so a whole block of padding
dump("block", {"AB123": 12345})
assert len(json.dumps({"AB123": 12345})) == 16
# 1,000 plates in the old system's spellings (lower case, spaces, dashes),
# all distinct once normalised; points 1..1000000 with both ends
thousand = {}
for i in range(1000):
    spell = ["AB %04d", "ab-%04d", "Ab%04d", "A-B %04d"][i % 4] % i
    thousand[spell] = 1 if i == 0 else 1000000 if i == 999 else (i * 37) % 500 + 1
dump("thousand", thousand)
# non-ASCII plates: json.dumps escapes them (a surrogate pair for the emoji);
# the decoder reads them, the plate normaliser refuses them
dump("nonascii", {"M\u00dc 123": 10, "B 42": 5, "X\U0001F600 1": 20})
# two spellings of one plate
dump("collide", {"ab-123": 10, "AB 123": 20})
# broken JSON inside a good container: a trailing comma
with open("badjson.plain", "w", encoding="ascii") as f:
    f.write('{"AB123": 10,}')
# bad padding: 24 bytes ending 03 03 02 (PKCS#7 would need 03 03 03)
with open("badpad.plain", "wb") as f:
    f.write(b'{"AB123": 1}' + b" " * 9 + b"\x03\x03\x02")
users = {
    "alice": {"password": __import__("hashlib").sha256(b"correct horse").hexdigest(), "role": "officer"},
    "bob": {"role": "police", "password": __import__("hashlib").sha256(b"battery staple").hexdigest()},
}
with open("users.json", "w", encoding="ascii") as f:
    f.write(json.dumps(users))
with open("users-bare.json", "w", encoding="ascii") as f:
    f.write(json.dumps({"carol": __import__("hashlib").sha256(b"x").hexdigest()}))
PY

enc empty 0001020304050607 "$STOREKEY"
enc block 1011121314151617 "$STOREKEY"
enc thousand 2021222324252627 "$STOREKEY"
enc nonascii 3031323334353637 "$STOREKEY"
enc collide 4041424344454647 "$STOREKEY"
enc badjson 5051525354555657 "$STOREKEY"
enc badpad 6061626364656667 "$STOREKEY" -nopad
# the right plaintext under another key: STOREKEY cannot decrypt it
cp block.plain wrongkey.plain
enc wrongkey 7071727374757677 "$(hexkey WRONGKEY)"
rm wrongkey.plain
# a cut ciphertext: not a whole number of blocks
head -c 21 block.enc >truncated.enc
: >zero.enc
# the padding the old system would have written is checked, not trusted: every
# container decrypts back to its plaintext with OpenSSL's own padding check
for f in empty block thousand nonascii collide badjson; do
	tail -c +9 "$f.enc" | openssl enc -d -des-cbc -provider legacy -provider default -K "$STOREKEY" \
		-iv "$(head -c 8 "$f.enc" | od -An -tx1 | tr -d ' \n')" | cmp -s - "$f.plain" ||
		{ echo "make.sh: $f.enc does not decrypt to $f.plain" >&2; exit 1; }
done
sha256sum ./*.enc ./*.plain ./*.json >SHA256SUMS
