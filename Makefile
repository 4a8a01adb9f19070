# startle — plain Makefile. `make` builds ./startle, `make check` runs every test.
# `make V=1` shows the commands. PREFIX and DESTDIR are honoured by install.
# `make unit T=escape` runs one unit program (tests/unit/test_escape.c);
# `make integration IT=imap` runs the integration tests whose names match IT.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc

# WOLFSSL=own (the default) links startle's own build of wolfSSL: Debian's
# trixie source package (5.7.2 with Debian's patches), fetched and built once
# by .ci/wolfssl into WOLFSSL_DIR as a static library, tailored to what startle
# calls, with SP math in assembly, AES-NI and the TLS 1.3 secret callback.
# WOLFSSL=system links Debian's libwolfssl-dev (5.5.4, found by pkg-config):
# no download, but slower handshakes and no TLS 1.3 key log.
WOLFSSL ?= own
WOLFSSL_DIR ?= build/wolfssl
ifeq ($(WOLFSSL),system)
PKGS    := ncursesw wolfssl readline
WOLFSSL_LIB :=
WOLFSSL_CFLAGS := -DSTARTLE_WOLFSSL_BUILD='"system"'
else ifeq ($(WOLFSSL),own)
PKGS    := ncursesw readline
WOLFSSL_LIB := $(WOLFSSL_DIR)/prefix/lib/libwolfssl.a
# -isystem: this options.h must win over /usr/include/wolfssl/options.h, and
# wolfSSL's typedefs must not trip -Wshadow in startle's code.
WOLFSSL_CFLAGS = -isystem $(WOLFSSL_DIR)/prefix/include \
                 -DSTARTLE_WOLFSSL_BUILD='"$(shell cat $(WOLFSSL_DIR)/version 2>/dev/null)"'
else
$(error WOLFSSL is "own" (the default: startle's own wolfSSL build) or "system" (libwolfssl-dev))
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

VERSION := 0.1.0
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral
DATADIR ?= $(PREFIX)/share/startle
DOCDIR  ?= $(PREFIX)/share/doc/startle
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DSTARTLE_VERSION='"$(VERSION)"' \
             -DSTARTLE_DATADIR='"$(DATADIR)"' -Iinclude $(WOLFSSL_CFLAGS) \
             $(PKG_CFLAGS) $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS    := $(WOLFSSL_LIB) $(PKG_LIBS) -lm -lpthread

# libunbound (src/dns/) is asked on its own: a combined pkg-config query that
# fails (libunbound.pc needs libevent-dev) would silently lose every library.
UNBOUND_OK   := $(shell pkg-config --exists libunbound && echo yes)
ifneq ($(UNBOUND_OK),yes)
$(warning libunbound not found by pkg-config: run .ci/deps build (libunbound-dev, libevent-dev))
endif
UNBOUND_CFLAGS := $(shell pkg-config --cflags libunbound 2>/dev/null)
UNBOUND_LIBS   := $(or $(shell pkg-config --libs libunbound 2>/dev/null),-lunbound)
ALL_CFLAGS += $(UNBOUND_CFLAGS)
LIBS       += $(UNBOUND_LIBS)

# BUILD separates the normal build from the sanitizer build (make BUILD=build/san).
BUILD   ?= build

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -name 'main.c' ! -name 'lab_main.c'))
MAIN_SRC := src/main.c
LAB_MAIN_SRC := src/lab/lab_main.c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
LAB_MAIN_OBJ := $(LAB_MAIN_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPER_SRC := $(sort $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c)))
UNIT_HELPER_OBJ := $(UNIT_HELPER_SRC:%.c=$(BUILD)/%.o)

ifeq ($(BUILD),build)
PROGRAM := startle
LAB_PROGRAM := startle-lab
else
PROGRAM := $(BUILD)/startle
LAB_PROGRAM := $(BUILD)/startle-lab
endif

.PHONY: FORCE fuzz fuzz-run all bench check unit integration san-check check-layers deps deps-build install \
	uninstall clean distclean demo format screenshot sessions

all: $(PROGRAM) $(LAB_PROGRAM)

$(PROGRAM): $(MAIN_OBJ) $(BUILD)/libstartle.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

$(LAB_PROGRAM): $(LAB_MAIN_OBJ) $(BUILD)/libstartle.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

# theme.c and lesson_file.c have DATADIR compiled in: rebuild them when it changes.
$(BUILD)/datadir: FORCE
	@mkdir -p $(BUILD)
	@[ "$$(cat $@ 2>/dev/null)" = "$(DATADIR)" ] || echo "$(DATADIR)" > $@
$(BUILD)/src/ui/theme.o $(BUILD)/src/core/lesson_file.o: $(BUILD)/datadir
FORCE:

# Every object is compiled against one wolfSSL's headers and options: switching
# WOLFSSL in one BUILD directory, or rebuilding wolfSSL, recompiles them all
# (-MMD does not list the -isystem headers).
$(BUILD)/wolfssl-flavour: FORCE
	@mkdir -p $(BUILD)
	@[ "$$(cat $@ 2>/dev/null)" = "$(WOLFSSL)" ] || echo "$(WOLFSSL)" > $@

# startle's own wolfSSL, built once; a second make finds it and does nothing.
# `make clean` keeps it, `make distclean` removes it too.
$(WOLFSSL_DIR)/prefix/lib/libwolfssl.a: .ci/wolfssl .ci/wolfssl-staple.patch
	@echo "  WOLFSSL $(WOLFSSL_DIR) (Debian's trixie source: about 2 minutes, once)"
	$(Q).ci/wolfssl $(WOLFSSL_DIR)

$(BUILD)/libstartle.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(BUILD)/wolfssl-flavour $(WOLFSSL_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(UNIT_HELPER_OBJ) $(BUILD)/libstartle.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CMOCKA_LIBS) $(LIBS)

# Benchmarks: tests/bench/run measures (never fails on a number) on loopback
# servers it starts; `make bench B=fetch` runs one. The unit build builds the
# benchmark programs too, so they do not rot.
BENCH_BIN := $(BUILD)/tests/bench_tview
$(BUILD)/tests/bench_%: $(BUILD)/tests/bench/bench_%.o $(BUILD)/libstartle.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)
bench: all $(BENCH_BIN)
	$(Q)STARTLE=$(abspath $(PROGRAM)) STARTLE_LAB=$(abspath $(LAB_PROGRAM)) \
		BENCH_TVIEW=$(abspath $(BENCH_BIN)) tests/bench/run $(B)

# Unit tests: every tests/unit/test_*.c is one cmocka program; T=NAME runs one.
UNIT_RUN := $(if $(T),$(filter %/test_$(T),$(UNIT_BIN)),$(UNIT_BIN))
unit: $(UNIT_RUN) $(BENCH_BIN)
	$(Q)$(if $(UNIT_RUN),tests/run-unit $(UNIT_RUN),echo "unit: no tests/unit/test_$(T).c" \
		"(T names one of: $(patsubst $(BUILD)/tests/test_%,%,$(UNIT_BIN)))"; exit 2)

# Integration tests: real Postfix and Dovecot on loopback, started by the harness;
# IT=ERE runs only the tests whose names match.
integration: all
	$(Q)STARTLE=$(abspath $(PROGRAM)) STARTLE_LAB=$(abspath $(LAB_PROGRAM)) \
		tests/integration/run '$(IT)'

# The layer rules of docs/architecture.md: includes and calls point down only.
check-layers:
	$(Q)tests/check-layers

# The same suites built with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
san-check:
	$(Q)$(MAKE) --no-print-directory BUILD=build/san EXTRA_CFLAGS="$(SAN_FLAGS)" \
		EXTRA_LDFLAGS="$(SAN_FLAGS)" unit integration

# check: install what is missing, then unit, integration and the sanitizer run.
check: deps
	$(Q)$(MAKE) --no-print-directory check-layers
	$(Q)$(MAKE) --no-print-directory unit integration
	$(Q)$(MAKE) --no-print-directory san-check
	@echo "make check: every suite passed"

# libFuzzer targets (clang): `make fuzz` builds build/fuzz/fuzz_*,
# `make fuzz-run` runs each for FUZZ_SECONDS (30).
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 30
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
		EXTRA_CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
		$(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/libstartle.a
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

fuzz-run: fuzz
	$(Q)for f in $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%); do \
		mkdir -p build/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$(basename $$f) || exit 1; \
	done

# deps: what building and testing need; deps-build: what building and running
# need (the demo).
deps:
	$(Q).ci/deps all

deps-build:
	$(Q).ci/deps build

# The explorer on startle's own lab server: no network needed.
demo: deps-build
	$(Q)$(MAKE) --no-print-directory all
	./startle --demo $(DEMO_ARGS)

install: $(PROGRAM) $(LAB_PROGRAM)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/themes \
		$(DESTDIR)$(DATADIR)/lessons
	install -m 755 $(PROGRAM) $(DESTDIR)$(BINDIR)/startle
	install -m 755 $(LAB_PROGRAM) $(DESTDIR)$(BINDIR)/startle-lab
	install -m 644 docs/startle.1 docs/startle-lab.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -m 644 docs/lessons/*.lesson $(DESTDIR)$(DATADIR)/lessons/
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 README.md docs/architecture.md docs/lab.md docs/themes.md docs/recording.md \
		$(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(DOCDIR)/sessions
	install -m 644 docs/sessions/*.jsonl docs/sessions/README.md $(DESTDIR)$(DOCDIR)/sessions/
	install -d $(DESTDIR)$(DOCDIR)/docs
	install -m 644 docs/explorer.png $(DESTDIR)$(DOCDIR)/docs/
	install -m 644 docs/lessons/README.md $(DESTDIR)$(DOCDIR)/lessons.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/startle $(DESTDIR)$(BINDIR)/startle-lab
	rm -f $(DESTDIR)$(MANDIR)/man1/startle.1 $(DESTDIR)$(MANDIR)/man1/startle-lab.1
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(wildcard themes/*.theme))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/lessons/,$(notdir $(wildcard docs/lessons/*.lesson)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,README.md architecture.md lab.md themes.md lessons.md \
		recording.md docs/explorer.png)
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/sessions/,README.md $(notdir $(wildcard docs/sessions/*.jsonl)))
	-rmdir $(DESTDIR)$(DOCDIR)/sessions 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR)/docs 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	-rmdir $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(DATADIR)/lessons $(DESTDIR)$(DATADIR) 2>/dev/null

# The example recordings of docs/sessions/ made again on the lab (their times
# and lab certificates change); `make check` replays each of them.
sessions: all
	$(Q)docs/sessions/make-sessions ./$(PROGRAM)

# The README's picture: a real session in tmux, rendered to docs/explorer.png
# (installs tmux, python3-pil and fonts-dejavu-core when missing).
screenshot: all
	$(Q)docs/screenshot.sh

format:
	clang-format -i $(shell find src include tests -name '*.[ch]')

# clean keeps startle's own wolfSSL build (WOLFSSL_DIR); distclean removes it too.
clean:
	rm -rf $(filter-out $(WOLFSSL_DIR),$(wildcard build/*)) startle startle-lab

distclean:
	rm -rf build startle startle-lab

# Objects made only on the way to a test program stay (not deleted as
# intermediate files). Naming them, rather than an empty .SECONDARY, keeps a
# missing libwolfssl.a a reason to rebuild.
.SECONDARY: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(UNIT_HELPER_OBJ) \
            $(BENCH_BIN:$(BUILD)/tests/%=$(BUILD)/tests/bench/%.o) $(FUZZ_SRC:%.c=$(BUILD)/%.o)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
