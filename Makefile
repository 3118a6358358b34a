# SPDX-License-Identifier: ISC
# TES: one non-recursive Makefile; every output goes under build/.
#   make            build build/tes-officer, build/tes-parser and build/tes-police
#   make run        build, create ./tes-data on first run, start the officer server
#   make test       install missing Debian packages (as root), build, run every test
#   make install    PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DESTDIR ?=
DATA    ?= tes-data
# Build variants reuse this Makefile with another output directory:
#   B=build/test VARIANT_CFLAGS=-DTES_TEST_BUILD      test-only frames (sandbox tests)
#   B=build/asan SANDBOX=null VARIANT_CFLAGS=...      sanitizers (null sandbox backend)
B              ?= build
SANDBOX        ?= seccomp
VARIANT_CFLAGS ?=

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Hardening in one block (checked by tests/integration/hardening.sh).
HARDEN_CFLAGS  := -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now
# tes-parser, the image of every parser child, is static-pie: PIE and full RELRO as above,
# no dynamic loader. PARSER_STATIC=0 links it like the others, the default when CFLAGS
# ask for a sanitizer (the ASan runtime cannot be linked statically).
PARSER_STATIC  ?= $(if $(findstring -fsanitize,$(CFLAGS)),0,1)
ifeq ($(PARSER_STATIC),1)
PARSER_LDFLAGS := -static-pie -Wl,-z,relro,-z,now -Wl,--gc-sections
else
PARSER_LDFLAGS := $(HARDEN_LDFLAGS)
endif
WARN           := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
# -pthread: opening the store checks the journal's mac chain on every core (spec/STORAGE.md#recovery).
TES_CFLAGS     := -std=c11 -pthread $(WARN) $(HARDEN_CFLAGS) -Isrc -I. -I/usr/include/bearssl -MMD -MP $(VARIANT_CFLAGS)
TES_LDFLAGS    := $(HARDEN_LDFLAGS) -pthread

# Debian packages the build and the tests need.
DEB_PKGS := gcc make libbearssl-dev libargon2-dev libseccomp-dev openssh-client openssl perl procps \
            binutils valgrind iproute2 john-data

CORE_SRC    := $(wildcard src/common/*.c src/wire/*.c) \
               $(filter-out src/crypto/passwd.c src/crypto/ticketkey.c fuzz/fuzzmode.c,$(wildcard src/crypto/*.c))
STORE_SRC   := $(wildcard src/store/*.c) src/crypto/passwd.c
# crypto/ticketkey.c seals resumption tickets under the ticket key (DATA/ticket.key): the master's
# alone, never in a parser child's image (the ticket codec, wire/ticket.c, is in CORE_SRC).
OFFICER_SRC := $(filter-out src/officer/main.c,$(wildcard src/officer/*.c)) $(wildcard src/web/*.c) \
               src/crypto/ticketkey.c
# What runs only in a parser child (tes-parser): the session engine and its I/O driver, the
# http child; the master links the rest of OFFICER_SRC. The parser links CORE_OBJ too, with
# --gc-sections: objects it does not call (RSA keys, file helpers) are left out.
CHILD_SRC   := src/officer/session.c src/officer/engine.c src/officer/webchild.c
PARSER_SRC  := src/parser/main.c $(CHILD_SRC) src/officer/mon.c src/web/http.c src/web/resp.c src/web/wmsg.c
# tes-police derives its spool's user keys with Argon2id (spec/SPOOL.md#keys): passwd.c, -largon2.
POLICE_SRC  := $(filter-out src/police/main.c,$(wildcard src/police/*.c)) src/crypto/passwd.c
SANDBOX_SRC := sandbox/common.c sandbox/policy.c sandbox/$(SANDBOX).c

obj = $(patsubst sandbox/%.c,$(B)/obj/sandbox/%.o,$(patsubst src/%.c,$(B)/obj/%.o,$(1)))
CORE_OBJ    := $(call obj,$(CORE_SRC))
STORE_OBJ   := $(call obj,$(STORE_SRC))
OFFICER_OBJ := $(call obj,$(OFFICER_SRC))
MASTER_OBJ  := $(filter-out $(call obj,$(CHILD_SRC)),$(OFFICER_OBJ))
PARSER_OBJ  := $(call obj,$(PARSER_SRC))
POLICE_OBJ  := $(call obj,$(POLICE_SRC))
# The seccomp programs are made at build time (sandbox/filters.h): bpfgen, built for the
# build machine and linked with libseccomp, writes them as C tables; nothing links
# libseccomp at run time. The unit tests link the tables in every variant.
FILTER_OBJ  := $(B)/obj/gen/sandbox/filters.o
SANDBOX_OBJ := $(call obj,$(SANDBOX_SRC)) $(if $(filter seccomp,$(SANDBOX)),$(FILTER_OBJ))

BINS := $(B)/tes-officer $(B)/tes-parser $(B)/tes-police
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*_test.c))

.PHONY: all run test deps install uninstall clean
all: $(BINS)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/sandbox/%.o: sandbox/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/gen/bpfgen: sandbox/bpfgen.c sandbox/policy.c sandbox/policy.h sandbox/sandbox.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=c11 $(WARN) -Isrc -I. $(VARIANT_CFLAGS) -o $@ sandbox/bpfgen.c sandbox/policy.c -lseccomp

$(B)/gen/sandbox/filters.c: $(B)/gen/bpfgen
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$< >$@.tmp && mv $@.tmp $@

$(FILTER_OBJ): $(B)/gen/sandbox/filters.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -c -o $@ $<

# The password policy's list of common passwords (src/officer/pwpolicy.c, SECURITY.md#passwords):
# Debian john-data's password.lst, lowercased and sorted into a C table by pwlist.pl.
PWLIST ?= /usr/share/john/password.lst
$(B)/gen/officer/pwlist.inc: src/officer/pwlist.pl $(wildcard $(PWLIST))
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)perl src/officer/pwlist.pl $(PWLIST) >$@.tmp && mv $@.tmp $@

$(B)/obj/officer/pwpolicy.o: $(B)/gen/officer/pwlist.inc
$(B)/obj/officer/pwpolicy.o: TES_CFLAGS += -I$(B)/gen/officer

$(B)/tes-officer: $(B)/obj/officer/main.o $(MASTER_OBJ) $(STORE_OBJ) $(CORE_OBJ) $(SANDBOX_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(VARIANT_CFLAGS) $(TES_LDFLAGS) $(LDFLAGS) -o $@ $^ -lbearssl -largon2

# The parser resolves no address: without addr.o no getaddrinfo enters its static image.
$(B)/tes-parser: $(PARSER_OBJ) $(filter-out $(B)/obj/common/addr.o,$(CORE_OBJ)) $(SANDBOX_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(VARIANT_CFLAGS) $(PARSER_LDFLAGS) $(LDFLAGS) -o $@ $^ -lbearssl

$(B)/tes-police: $(B)/obj/police/main.o $(POLICE_OBJ) $(CORE_OBJ) $(SANDBOX_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(VARIANT_CFLAGS) $(TES_LDFLAGS) $(LDFLAGS) -o $@ $^ -lbearssl -largon2

# The helpers every unit test links (tests/util.h).
$(B)/tests/util.o: tests/util.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -Wno-format-nonliteral -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/tests/util.o $(OFFICER_OBJ) $(POLICE_OBJ) $(STORE_OBJ) $(CORE_OBJ) $(SANDBOX_OBJ) $(FILTER_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -Wno-format-nonliteral $(TES_LDFLAGS) $(LDFLAGS) -Itests -o $@ $(filter-out %.h,$^) -lbearssl -largon2

$(B)/tests/memscan: tests/tools/memscan.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) $(TES_LDFLAGS) -o $@ $(filter-out %.h,$^) -lbearssl

$(B)/tests/relogin $(B)/tests/reports: $(B)/tests/%: tests/tools/%.c tests/tools/tool.c $(POLICE_OBJ) $(CORE_OBJ) $(SANDBOX_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) $(TES_LDFLAGS) -o $@ $(filter-out %.h,$^) -lbearssl -largon2

$(B)/tests/fakechild: tests/tools/fakechild.c $(B)/obj/officer/mon.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) $(TES_LDFLAGS) -o $@ $(filter-out %.h,$^) -lbearssl

$(B)/tests/relay: tests/tools/relay.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -Wall -Wextra -Werror $(CFLAGS) -o $@ $<

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing Debian packages; run:"; \
			echo "  sudo apt-get install -y" $$missing; \
			exit 1; \
		fi; \
	fi

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(B)/tes-officer serve -d $(DATA) --demo

# --- Tests ----------------------------------------------------------------------------
# make test runs everything below, one after the other, and fails if any failed. This list is
# the one place that says what it runs:
#   check          formatting, purity, names and spec citations (tests/check/)
#   test-main      unit tests (one binary per module), integration tests (the real binaries on
#                  loopback, tests/integration/), the checks' own test (tests/check/selftest.sh),
#                  fuzz corpus replay and smoke campaigns (tests/integration/fuzz.sh)
#   test-asan      unit and integration tests under ASan + UBSan
#   test-valgrind  unit tests and an end-to-end run under valgrind
#   bench-smoke    every benchmark figure at toy sizes (BENCHMARKS.md)
#   test-e2e       the dashboard in headless Chromium (tests/e2e)
#   prove          Frama-C WP proofs and the SPIN model (proofs/README.md)
# T=name runs one unit test binary (T=wire) or integration script (T=basic) with test-main.
TEST_RUNS := check test-main test-asan test-valgrind bench-smoke test-e2e prove
UNIT_RUN  := $(if $(T),$(filter %/$(T)_test,$(UNIT_TESTS)),$(UNIT_TESTS))
INTEG_RUN := $(if $(T),$(wildcard tests/integration/$(T).sh tests/check/$(T).sh), \
               $(wildcard tests/integration/*.sh) tests/check/selftest.sh)

test: deps
	$(Q)failed=; for t in $(TEST_RUNS); do \
		echo "== make $$t"; $(MAKE) --no-print-directory $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed"; exit 1; fi; \
	echo "make test: every part passed ($(TEST_RUNS))"

test-main: all $(UNIT_TESTS) $(B)/tests/relay $(B)/tests/relogin $(B)/tests/reports $(B)/tests/memscan \
		$(B)/tests/fakechild variants fuzz-test-bins
	$(Q)prove -f --exec '' $(UNIT_RUN) $(INTEG_RUN)

# --- make check (tests/check/): the tree keeps its own rules -----------------------------
# Sources that claim to be pure (no I/O, clock, process control or heap), the pure ones that
# may allocate (their out-of-memory path ends the process), and the cryptography they may
# call. README.md#layout lists the same.
PURE_SRC   := $(wildcard src/wire/*.c src/web/*.c) \
              $(addprefix src/common/,cur.c ct.c wipe.c hex.c b64.c err.c) \
              $(addprefix src/store/,seal.c journal.c drivers.c) \
              $(addprefix src/officer/,engine.c mon.c) $(addprefix src/police/,client_engine.c spool.c)
PURE_ALLOC_SRC := src/store/index.c
CRYPTO_SRC := $(addprefix src/crypto/,sha256.c hmac.c hkdf.c digest.c keysched.c record.c x25519.c handshake.c rsa.c rng.c)
DEB_PKGS   += clang-format-14

check: all $(B)/tes-bench
	$(Q)failed=; \
	tests/check/format.sh . || failed="$$failed format"; \
	PURE_SRC="$(PURE_SRC)" PURE_ALLOC_SRC="$(PURE_ALLOC_SRC)" CRYPTO_SRC="$(CRYPTO_SRC)" \
		tests/check/pure.sh . $(B)/obj || failed="$$failed pure"; \
	tests/check/names.sh . $(B)/obj || failed="$$failed names"; \
	perl tests/check/cite.pl . || failed="$$failed cite"; \
	if [ -n "$$failed" ]; then echo "make check: failed:$$failed"; exit 1; fi

print-check-vars:
	@echo "PURE_SRC='$(PURE_SRC)' PURE_ALLOC_SRC='$(PURE_ALLOC_SRC)' CRYPTO_SRC='$(CRYPTO_SRC)'"
.PHONY: test-main check print-check-vars

# --- Sandbox variants, sanitizers, valgrind (sandbox/README.md) ----------------------
# build/test:  release flags plus the test-only frame (-DTES_TEST_BUILD)
# build/debug: the same with the trap-and-report filter (-DTES_SANDBOX_DEBUG)
# build/asan:  ASan + UBSan with the null sandbox backend; test-asan runs the suite on it
# test-valgrind: unit tests and the master of an end-to-end run under memcheck (build/valgrind:
#              release flags with the null sandbox backend: valgrind has no seccomp())
variants:
	$(Q)$(MAKE) --no-print-directory B=build/test VARIANT_CFLAGS=-DTES_TEST_BUILD all
	$(Q)$(MAKE) --no-print-directory B=build/debug VARIANT_CFLAGS="-DTES_TEST_BUILD -DTES_SANDBOX_DEBUG" all

ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_ENV    := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_INTEG  := $(filter-out %/sandbox.sh %/hardening.sh %/fuzz.sh %/fuzzmode.sh,$(INTEG_RUN))

test-asan:
	$(Q)$(MAKE) --no-print-directory B=build/asan SANDBOX=null PARSER_STATIC=0 CFLAGS="$(ASAN_CFLAGS)" \
		all $(patsubst $(B)/%,build/asan/%,$(UNIT_TESTS)) build/asan/tests/relay build/asan/tests/relogin \
		build/asan/tests/reports
	$(Q)$(ASAN_ENV) TES_BUILD=build/asan STRIDE=23 prove -f --exec '' \
		$(patsubst $(B)/%,build/asan/%,$(UNIT_RUN)) $(ASAN_INTEG)

# valgrind has no seccomp(), and the master's signature-check workers load a filter before they
# serve (a pool never runs unconfined): the valgrind run uses the null backend, in build/valgrind.
VALGRIND   := valgrind -q --error-exitcode=99 --leak-check=no --track-origins=yes
VG_UNIT    := $(patsubst $(B)/%,build/valgrind/%,$(UNIT_TESTS))
test-valgrind:
	$(Q)$(MAKE) --no-print-directory B=build/valgrind SANDBOX=null all $(VG_UNIT) build/valgrind/tests/relogin
	$(Q)for t in $(filter-out %/crypto_test,$(VG_UNIT)); do \
		echo "valgrind $$t"; TES_UNDER_VALGRIND=1 $(VALGRIND) $$t >/dev/null || exit 1; done
	$(Q)TES_BUILD=build/valgrind TES_OFFICER_WRAP="$(VALGRIND)" prove -f --exec '' tests/integration/basic.sh

.PHONY: variants test-asan test-valgrind
# --- end of sandbox variants -----------------------------------------------------------

# --- Benchmarks (BENCHMARKS.md) -------------------------------------------------
# make bench        the full measurement (3 to 6 minutes on 2 cores with the host's load, 10 at most), writes
#                   build/bench.json and prints the table against the targets
# make bench-smoke  a few seconds: the same script at toy sizes, checks only that
#                   every figure is produced and the JSON is well formed; run by make test
BENCH_OBJ := $(call obj,$(wildcard src/bench/*.c))

$(B)/tes-bench: $(BENCH_OBJ) $(call obj,src/officer/spawn.c src/crypto/ticketkey.c) $(POLICE_OBJ) $(STORE_OBJ) $(CORE_OBJ) $(SANDBOX_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(TES_LDFLAGS) $(LDFLAGS) -o $@ $^ -lbearssl -largon2

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/tes-bench
	$(Q)B=$(B) src/bench/bench.sh full
	$(Q)B=$(B) src/bench/bench.sh export

bench-smoke: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/tes-bench
	$(Q)B=$(B) src/bench/bench.sh smoke

# make bench-export   the CSV export of 10k and of 1M reports: rows/s, peak RSS (BENCHMARKS.md §8)
bench-export: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/tes-bench
	$(Q)B=$(B) src/bench/bench.sh export

.PHONY: bench bench-smoke bench-export
# --- end of benchmarks -------------------------------------------------------------

# --- Dashboard browser test (tests/e2e, README.md#dashboard) ------------------------
# make test-e2e   headless Debian chromium driven by playwright-core (lockfile committed,
#                 no browser download); installs chromium (apt, as root) and the npm
#                 package when missing; screenshots under $(B)/e2e/
# make e2e-docs   the same, then copies the screenshots to docs/ for the README
E2E_DIR := tests/e2e

e2e-deps:
	$(Q)if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing: chromium"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "missing Debian package; run:"; echo "  sudo apt-get install -y chromium"; exit 1; \
		fi; \
	fi
	$(Q)[ -d $(E2E_DIR)/node_modules/playwright-core ] || \
		(cd $(E2E_DIR) && npm ci --no-audit --no-fund --loglevel=error)

test-e2e: all e2e-deps
	$(Q)cd $(E2E_DIR) && TES_BUILD=$(abspath $(B)) node --test --test-reporter=tap dashboard.test.mjs

e2e-docs: all e2e-deps
	$(Q)cd $(E2E_DIR) && TES_E2E_DOCS=1 TES_BUILD=$(abspath $(B)) node --test dashboard.test.mjs

.PHONY: e2e-deps test-e2e e2e-docs
# --- end of dashboard browser test ---------------------------------------------------

# --- Proofs (proofs/README.md, spec/model/README.md) ----------------------------
# make prove          Frama-C WP (z3 + cvc4, -wp-rte) over the proved modules, then SPIN
#                     over spec/model; writes $(B)/prove/summary.txt and $(B)/prove/STATUS.md
#                     and fails on any unproved goal, a goal total below proofs/floor.txt,
#                     a function of proofs/STATUS.md without its contract, or goal counts
#                     that differ from proofs/STATUS.md. P=frame proves one module, P=model
#                     checks only the SPIN model. Two modules run at a time (PROVE_JOBS=1:
#                     one at a time).
# make prove-status   the same, then copies the fresh table to proofs/STATUS.md
DEB_PKGS += frama-c-base why3 z3 cvc4 spin python3

prove: deps
	$(Q)proofs/prove.sh $(B)/prove $(P)

prove-status: deps
	$(Q)proofs/prove.sh $(B)/prove $(P) || true
	$(Q)cp $(B)/prove/STATUS.md proofs/STATUS.md
	$(Q)cat $(B)/prove/summary.txt

.PHONY: prove prove-status
# --- end of proofs -----------------------------------------------------------------

# --- fuzzing (fuzz/README.md) ------------------------------------------------------
# make fuzz         every target (FUZZ_TARGETS), each engine: libFuzzer then AFL++,
#                   FUZZ_SECONDS per target per engine, ASan+UBSan; fails if either
#                   engine saved a crash; prints execs/s, corpus size and edges.
# make fuzz-cov     replays fuzz/corpus/<target> through a llvm-cov build, prints the
#                   line/branch coverage of each target's parser sources and fails
#                   below fuzz/coverage-floors.txt.
# make fuzz-seeds   regenerates the seed inputs and merges them into fuzz/corpus/.
# make test         replays every committed corpus under ASan+UBSan and runs a
#                   FUZZ_SMOKE_SECONDS libFuzzer campaign per target
#                   (tests/integration/fuzz.sh); also checks that no release binary
#                   contains the fuzz-mode code (tests/integration/fuzzmode.sh).
FUZZ_TARGETS       ?= frame record report drivers_enc index monitor handshake handshake_real http \
                      batch_csv batch_jsonl spool pwfile ticket legacy_json legacy_users policy
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_CC            ?= clang
FUZZ_AFL_CC        ?= afl-clang-fast
FB                 := $(B)/fuzz
DEB_PKGS           += clang libclang-rt-14-dev
FUZZ_PKGS          := clang libclang-rt-14-dev llvm afl++

# Sources a harness may reach. Every fuzz binary links fuzz/fuzzmode.c instead of
# src/crypto/rng.c (fixed-seed RNG: runs are reproducible); the flavour decides the rest:
#   real: all cryptography real (every target but handshake);
#   fuzz: fuzzmode.c also replaces ct.c and accepts the MACs, Finished values and
#         signatures it computes, with a NULL record cipher (handshake).
FUZZ_LIB_SRC  := $(wildcard src/common/*.c) \
                 $(wildcard src/wire/*.c) \
                 $(addprefix src/crypto/,sha256.c hmac.c hkdf.c digest.c handshake.c keysched.c record.c rsa.c x25519.c) \
                 src/store/seal.c src/store/journal.c src/store/drivers.c src/store/index.c \
                 src/officer/engine.c src/officer/mon.c \
                 src/police/client.c src/police/client_engine.c src/police/spool.c \
                 src/web/http.c src/web/wmsg.c src/web/resp.c
FUZZ_SRC_fuzz  := $(filter-out src/common/ct.c,$(FUZZ_LIB_SRC)) fuzz/fuzzmode.c
FUZZ_SRC_real  := $(FUZZ_LIB_SRC) fuzz/fuzzmode.c
FUZZ_DEF_fuzz  := -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -DTES_FUZZ_BUILD
FUZZ_DEF_real  := $(FUZZ_DEF_fuzz) -DTES_FUZZ_REAL_CRYPTO
fuzz_flavour    = $(if $(filter handshake,$(1)),fuzz,real)

FUZZ_BASE   := -std=c11 -g -Wall -Wextra -Werror -Wshadow -Isrc -Ifuzz -I/usr/include/bearssl -MMD -MP
FUZZ_SAN    := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# engine: lf = libFuzzer objects, afl = AFL++ objects, cov = source-based coverage
FUZZ_CFLAGS_lf  := $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_CFLAGS_afl := $(FUZZ_SAN)
FUZZ_CFLAGS_cov := -O0 -fprofile-instr-generate -fcoverage-mapping

define FUZZ_OBJ_RULES
$(FB)/$(1)-$(2)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  CC      $$@")
	$$(Q)$(if $(filter afl,$(1)),AFL_QUIET=1 $$(FUZZ_AFL_CC),$$(FUZZ_CC)) $$(FUZZ_BASE) $$(FUZZ_CFLAGS_$(1)) $$(FUZZ_DEF_$(2)) -c -o $$@ $$<
endef
$(foreach e,lf afl cov,$(foreach f,fuzz real,$(eval $(call FUZZ_OBJ_RULES,$(e),$(f)))))
fuzz_objs = $(patsubst %.c,$(FB)/$(1)-$(2)/%.o,$(FUZZ_SRC_$(2)))

define FUZZ_BIN_RULES
$(FB)/lf_$(1): $(FB)/lf-$(2)/fuzz/fuzz_$(1).o $(call fuzz_objs,lf,$(2))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ -lbearssl
$(FB)/replay_$(1): $(FB)/lf-$(2)/fuzz/fuzz_$(1).o $(FB)/lf-$(2)/fuzz/replay.o $(call fuzz_objs,lf,$(2))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $$@ $$^ -lbearssl
$(FB)/afl_$(1): $(FB)/afl-$(2)/fuzz/fuzz_$(1).o $(call fuzz_objs,afl,$(2))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)AFL_QUIET=1 $$(FUZZ_AFL_CC) $$(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ -lbearssl
$(FB)/cov_$(1): $(FB)/cov-$(2)/fuzz/fuzz_$(1).o $(FB)/cov-$(2)/fuzz/replay.o $(call fuzz_objs,cov,$(2))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(FUZZ_CC) -fprofile-instr-generate -o $$@ $$^ -lbearssl
endef
FUZZ_ALL := frame record report drivers_enc index monitor handshake handshake_real http batch_csv batch_jsonl spool pwfile \
            ticket legacy_json legacy_users policy
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_BIN_RULES,$(t),$(call fuzz_flavour,$(t)))))

$(FB)/seeds: $(FB)/lf-fuzz/fuzz/seeds.o $(call fuzz_objs,lf,fuzz)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $@ $^ -lbearssl
$(FB)/seeds-real: $(FB)/lf-real/fuzz/seeds.o $(call fuzz_objs,lf,real)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -o $@ $^ -lbearssl

fuzz-deps:
	$(Q)$(MAKE) --no-print-directory deps DEB_PKGS="$(FUZZ_PKGS)"

# test-main builds what tests/integration/fuzz.sh runs.
fuzz-test-bins: $(foreach t,$(FUZZ_ALL),$(FB)/replay_$(t) $(FB)/lf_$(t))

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(foreach t,$(FUZZ_TARGETS),$(FB)/lf_$(t) $(FB)/afl_$(t) $(FB)/replay_$(t))
	$(Q)FB=$(FB) fuzz/run.sh campaign $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-cov: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(foreach t,$(FUZZ_TARGETS),$(FB)/cov_$(t))
	$(Q)FB=$(FB) fuzz/run.sh coverage $(FUZZ_TARGETS)

fuzz-seeds: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FB)/seeds $(FB)/seeds-real $(foreach t,$(FUZZ_ALL),$(FB)/lf_$(t))
	$(Q)FB=$(FB) fuzz/run.sh seeds $(FUZZ_ALL)

.PHONY: fuzz fuzz-cov fuzz-seeds fuzz-deps fuzz-test-bins
# --- end of fuzzing ----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tes-officer $(DESTDIR)$(BINDIR)/tes-parser $(DESTDIR)$(BINDIR)/tes-police

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj $(B)/tests -maxdepth 3 -name '*.d' 2>/dev/null)
# fuzz objects depend on the headers too (fuzz/*.h, src/*.h)
-include $(shell find $(FB) -name '*.d' 2>/dev/null)
