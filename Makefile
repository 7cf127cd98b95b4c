# pktpath: one non-recursive Makefile.
#
#   make            build every tool in build/bin
#   make check      install what is missing, build, run unit and lab tests (root for the labs)
#   make demo       install what is missing, build, run pathcheck into a broken lab
#   make bench      scale benchmarks beside the peer tools
#   make install    PREFIX=/usr/local DESTDIR=
#   make stress     pathcheck's parallel probes, 20 runs per parallelism, ASan and TSan builds
#   SANITIZE=1      AddressSanitizer + UndefinedBehaviorSanitizer build in build-san/
#   SANITIZE=thread ThreadSanitizer build in build-tsan/
#   V=1             show the commands

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := 0.1.0

SANITIZE ?=
BUILD    := build$(if $(filter thread,$(SANITIZE)),-tsan,$(if $(SANITIZE),-san))

WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wno-format-truncation -Werror
CFLAGS   ?= -O2 -g
SAN_ON   := -fsanitize=address -fsanitize=undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
TSAN_ON  := -fsanitize=thread -fno-omit-frame-pointer
SANFLAGS := $(if $(filter thread,$(SANITIZE)),$(TSAN_ON),$(if $(SANITIZE),$(SAN_ON)))
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -DPP_VERSION='"$(VERSION)"' \
             -Icommon -MMD -MP
# libpcap is not linked: common/pcap.c opens it with dlopen() at the first capture (linked,
# it and its dependencies cost every run about 4 ms in the dynamic loader). Its header is
# still needed to build.
PKGS     := libmnl libnftnl libnetfilter_conntrack zlib
# Recursive (=) on purpose: pkg-config runs when a recipe needs it, after `make deps`.
LDLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmnl -lnftnl -lnetfilter_conntrack -lz)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIB        := $(BUILD)/libpktpath.a
TOOLS      := $(notdir $(patsubst %/,%,$(wildcard cmd/*/)))
BINS       := $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: stress all deps check check-run demo demo-run bench bench-run install clean unit fuzz
all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(COMMON_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

define tool_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(LIB)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(filter-out $(LIB),$$^) $(LIB) $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# dropstat names a drop's station with pathcheck's own mapping and station table: one
# source, linked into both (the table refers to every station's operations, so all of
# pathcheck's objects but main.o come along).
DROPMAP_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out %/main.c,$(wildcard cmd/pathcheck/*.c)))
$(BUILD)/bin/dropstat: $(DROPMAP_OBJ)

# test_<tool>*.c links the objects of cmd/<tool>/ except main.c, so a tool's evaluator
# is tested without a kernel.
tool_objs_for = $(foreach t,$(TOOLS),$(if $(filter $(t)%,$(1)),$(patsubst %.c,$(BUILD)/%.o,$(filter-out %/main.c,$(wildcard cmd/$(t)/*.c))) $(if $(filter dropstat,$(t)),$(DROPMAP_OBJ))))

# A unit test may include the sources of the tool it tests (cmd/<tool>/*.c except main.c),
# so evaluators are tested without a kernel.
.SECONDEXPANSION:
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIB) $$(call tool_objs_for,$$*)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(call tool_objs_for,$*) $(LIB) $(LDLIBS)

unit: $(UNIT_BINS)

deps:
	@tests/lib/deps.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all unit
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all unit
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread build-tsan/bin/pathcheck
	$(Q)PKTPATH_TSAN_BIN=build-tsan/bin/pathcheck tests/run.sh build build-san

# pathcheck's probes in parallel, 20 runs at each parallelism (make check runs 1-2).
stress: deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread build-tsan/bin/pathcheck
	$(Q)PKTPATH_BIN=build-san/bin PKTPATH_TSAN_BIN=build-tsan/bin/pathcheck PKTPATH_PARALLEL_RUNS=20 \
		PKTPATH_PARALLEL_RUNS_SERIAL=20 bash tests/scenarios/pathcheck_parallel.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/demo.sh build/bin

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/bench/run.sh build/bin

fuzz: deps
	$(Q)tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 $(wildcard man/man8/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 $(wildcard completions/bash/*) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -m 0644 $(wildcard completions/zsh/_*) $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/
	@if [ -d contrib/systemd ]; then \
		install -d $(DESTDIR)$(PREFIX)/lib/systemd/system && \
		install -m 0644 contrib/systemd/*.service contrib/systemd/*.timer $(DESTDIR)$(PREFIX)/lib/systemd/system/; \
	fi

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(COMMON_OBJ:.o=.d) $(wildcard $(BUILD)/cmd/*/*.d) $(wildcard $(BUILD)/tests/unit/*.d)
