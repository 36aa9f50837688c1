# ocikit — plain Makefile. Each program folder has a module.mk that names its
# binary, its libraries and the Debian packages it needs; see DESIGN.md.
PREFIX  ?= /usr/local
DESTDIR ?=
O       ?= build
CC      ?= cc
VERSION := 0.1.0

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
CSTD    := -std=gnu11
OPT     ?= -O2 -g
SAN     ?=
CPPFLAGS += -D_GNU_SOURCE -DOCIKIT_VERSION=\"$(VERSION)\" -Ishared
CFLAGS  += $(CSTD) $(OPT) $(WARN) $(SAN) -MMD -MP
LDFLAGS += $(SAN)

# Debian packages needed to build and to test (each module.mk adds its own).
DEPS := build-essential pkg-config libyajl-dev libssl-dev libcmocka-dev bats \
        python3 jq valgrind zstd

LIB      := $(O)/libocikit.a
LIB_SRCS := $(wildcard shared/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIB_LIBS := -lyajl -lcrypto

PROGRAMS :=
include $(wildcard */module.mk)

BINS := $(foreach p,$(PROGRAMS),$(O)/bin/$($(p)_BIN))

all: $(BINS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# One binary per program folder: every .c of the folder, the shared library.
define program_rule
$(1)_SRCS := $$(wildcard $(1)/*.c)
$(1)_OBJS := $$($(1)_SRCS:%.c=$(O)/%.o)
$(O)/bin/$$($(1)_BIN): $$($(1)_OBJS) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_OBJS) $(LIB) $$($(1)_LIBS) $(LIB_LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))

# Unit tests: tests/unit/test_DIR_*.c links DIR's objects (without main.o);
# tests/unit/test_shared_*.c only the shared library.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
unit_dir = $(word 2,$(subst _, ,$(notdir $(1))))
define unit_rule
$(O)/tests/$(1): $(O)/tests/unit/$(1).o $$(filter-out %/main.o,$$($(call unit_dir,$(1))_OBJS)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$($(call unit_dir,$(1))_LIBS) $(LIB_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_SRCS:tests/unit/%.c=%),$(eval $(call unit_rule,$(t))))

tests: $(UNIT_BINS)

check: all tests
	OCIKIT_BUILD=$(abspath $(O)) tests/run

check-unit: all tests
	OCIKIT_BUILD=$(abspath $(O)) tests/run unit

check-asan:
	$(MAKE) O=build-asan OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" check

check-valgrind: tests
	OCIKIT_BUILD=$(abspath $(O)) OCIKIT_VALGRIND=1 tests/run unit

# The main job, offline: build a busybox image, pull/unpack/bundle/run it.
demo: deps all
	examples/demo

# runner against crun and runc, one test per runtime-spec requirement.
conformance: all
	OCIKIT_BUILD=$(abspath $(O)) tests/conformance/run

# Each bench/ script runs our tool and its peer on the same input and
# prints medians and the ratio.
bench: all
	for b in bench/*; do [ -x "$$b" ] && OCIKIT_BUILD=$(abspath $(O)) "$$b"; done

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(sort $(DEPS))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	for m in $(wildcard man/*.[158]); do \
	  install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/; done

clean:
	rm -rf build build-asan

.PHONY: demo all tests check check-unit check-asan check-valgrind conformance bench deps install clean
-include $(shell find $(O) -name '*.d' 2>/dev/null)
