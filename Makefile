# SPDX-License-Identifier: ISC
# TES: one non-recursive Makefile; every output goes under build/.
#   make            build build/tes-officer and build/tes-police
#   make run        build, create ./tes-data on first run, start the officer server
#   make test       install missing Debian packages (as root), build, run every test
#   make install    PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DESTDIR ?=
DATA    ?= tes-data
B       := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Hardening in one block (checked by tests/integration/hardening.sh).
HARDEN_CFLAGS  := -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now
WARN           := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
TES_CFLAGS     := -std=c11 $(WARN) $(HARDEN_CFLAGS) -Isrc -I/usr/include/bearssl -MMD -MP
TES_LDFLAGS    := $(HARDEN_LDFLAGS)

# Debian packages the build and the tests need.
DEB_PKGS := gcc make libbearssl-dev libargon2-dev libseccomp-dev openssh-client openssl perl procps

CORE_SRC    := $(wildcard src/common/*.c src/wire/*.c) \
               $(filter-out src/crypto/passwd.c,$(wildcard src/crypto/*.c))
STORE_SRC   := $(wildcard src/store/*.c) src/crypto/passwd.c
OFFICER_SRC := $(filter-out src/officer/main.c,$(wildcard src/officer/*.c))
POLICE_SRC  := $(filter-out src/police/main.c,$(wildcard src/police/*.c))

obj = $(patsubst src/%.c,$(B)/obj/%.o,$(1))
CORE_OBJ    := $(call obj,$(CORE_SRC))
STORE_OBJ   := $(call obj,$(STORE_SRC))
OFFICER_OBJ := $(call obj,$(OFFICER_SRC))
POLICE_OBJ  := $(call obj,$(POLICE_SRC))

BINS := $(B)/tes-officer $(B)/tes-police
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*_test.c))

.PHONY: all run test test-all deps install uninstall clean
all: $(BINS)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/tes-officer: $(B)/obj/officer/main.o $(OFFICER_OBJ) $(STORE_OBJ) $(CORE_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(TES_LDFLAGS) $(LDFLAGS) -o $@ $^ -lbearssl -largon2

$(B)/tes-police: $(B)/obj/police/main.o $(POLICE_OBJ) $(CORE_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(TES_LDFLAGS) $(LDFLAGS) -o $@ $^ -lbearssl

$(B)/tests/%: tests/unit/%.c $(OFFICER_OBJ) $(POLICE_OBJ) $(STORE_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(TES_CFLAGS) $(CFLAGS) -Wno-format-nonliteral $(TES_LDFLAGS) $(LDFLAGS) -Itests -o $@ $^ -lbearssl -largon2

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

# T=name runs one test: a unit test binary (T=wire) or an integration script (T=basic).
UNIT_RUN  := $(if $(T),$(filter %/$(T)_test,$(UNIT_TESTS)),$(UNIT_TESTS))
INTEG_RUN := $(if $(T),$(wildcard tests/integration/$(T).sh),$(wildcard tests/integration/*.sh))

test: deps
	$(Q)$(MAKE) --no-print-directory test-all

test-all: all $(UNIT_TESTS) $(B)/tests/relay
	$(Q)prove -f --exec '' $(UNIT_RUN) $(INTEG_RUN)

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tes-officer $(DESTDIR)$(BINDIR)/tes-police

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj $(B)/tests -name '*.d' 2>/dev/null)
