# Conclave — build, run, test.
#
#   make         build the server and the static files it serves (needs npm; make deps)
#   make run     install missing packages, build, start a server on 127.0.0.1:8080
#   make test    install missing packages, build, run every test suite
#   make install PREFIX=/usr/local DESTDIR=   the binary, static files, systemd unit, docs
#   make asan    the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz    every libFuzzer target for a bounded time
#   make clean

CC       ?= cc
BUILD    ?= build
BIN      ?= conclave
TEST_BIN ?= $(BIN)-test
PKGS      = libmicrohttpd libsodium sqlite3 jansson libcmark libcrypto libcurl
WARN      = -Wall -Wextra -Werror -Wshadow -Wconversion -Wformat=2 \
            -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
            -Wundef -Wvla -Wcast-qual -Wno-unused-parameter
CFLAGS   ?= -O2 -g
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 -pthread $(SRCDIRS:%=-I%) -I$(BUILD)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libunistring (NFC and case folding of names, server/base/name.c) has no pkg-config file on Debian.
LDLIBS   += $(PKG_LIBS) -lunistring -pthread -lm
# libdecaf (Debian's libdecaf-dev, no pkg-config file either): a second, independent
# ristretto255 that the tests and fuzz targets compare group.c and libsodium with.
DECAF_CFLAGS = -isystem /usr/include/decaf
DECAF_LIBS   = -ldecaf

# server/ holds one folder per layer (README, Layout; tools/deps.py checks it). File
# names are unique across the folders: every folder is on the include path and an
# object is named after its source alone.
SRCDIRS   = $(sort $(dir $(wildcard server/*/*.c server/*/*.h)))
SRCDIRS  := $(SRCDIRS:%/=%)
SRCS      = $(wildcard server/*/*.c)
HDRS      = $(wildcard server/*/*.h)
vpath %.c $(SRCDIRS)
OBJS      = $(patsubst %.c,$(BUILD)/obj/%.o,$(notdir $(SRCS))) $(BUILD)/obj/schema_gen.o \
            $(BUILD)/obj/templates_gen.o
LIBOBJS   = $(filter-out $(BUILD)/obj/main.o,$(OBJS))
TESTS     = $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/test_*.c))
FUZZ_REPLAYS = $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz_replay_%,$(wildcard tests/fuzz/fuzz_*.c))
SCHEMA    = $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
TEMPLATES = $(sort $(wildcard templates/*.html))

# Debian packages a build or a test needs; `make deps` installs the missing ones.
DEB_PKGS  = build-essential pkg-config libmicrohttpd-dev libsodium-dev libsqlite3-dev \
            libssl-dev libjansson-dev libcmark-dev libcurl4-openssl-dev libunistring-dev libdecaf-dev openssl \
            python3 python3-aiosmtpd sqlite3 clang systemd \
            libclang-rt-14-dev chromium

.PHONY: all deps run test asan fuzz clean check-tests node_modules

# Everything `conclave serve` needs: the binary and the static files the pages load,
# static/vendor/noble.mjs included (npm ci, then esbuild); the server refuses to start
# without them.
all: $(BIN) static/vendor/.stamp

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$p"; done; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BUILD)/obj/%.o: %.c $(HDRS) | $(BUILD)/obj
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/schema_gen.c: $(SCHEMA) schema/embed.sh | $(BUILD)/obj
	sh schema/embed.sh $(SCHEMA) > $@

$(BUILD)/obj/schema_gen.o: $(BUILD)/schema_gen.c
	$(CC) $(CFLAGS) -c -o $@ $<

# The page templates, compiled into the binary like the schema.
$(BUILD)/templates_gen.c: $(TEMPLATES) templates/embed.sh | $(BUILD)/obj
	sh templates/embed.sh $(TEMPLATES) > $@

$(BUILD)/obj/templates_gen.o: $(BUILD)/templates_gen.c $(HDRS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/obj:
	mkdir -p $@

$(BIN): $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDFLAGS) $(LDLIBS)

# The test build: the same program with the test hooks (-DCONCLAVE_TEST: holding a
# close, slowing a compaction; read from CONCLAVE_TEST_* variables), which the
# production binary does not contain. Only the sources that have hooks are compiled
# twice; the integration tests that need a hook start $(TEST_BIN)
# (tests/integration/harness.py: TEST_BIN).
HOOK_SRCS = $(notdir $(shell grep -l '^\#ifdef CONCLAVE_TEST' $(SRCS)))
HOOK_OBJS = $(patsubst %.c,$(BUILD)/obj-test/%.o,$(HOOK_SRCS))
TEST_OBJS = $(filter-out $(patsubst %.c,$(BUILD)/obj/%.o,$(HOOK_SRCS)),$(OBJS)) \
            $(HOOK_OBJS)

$(BUILD)/obj-test/%.o: %.c $(HDRS) | $(BUILD)/obj-test
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -DCONCLAVE_TEST -c -o $@ $<

$(BUILD)/obj-test:
	mkdir -p $@

$(TEST_BIN): $(TEST_OBJS)
	$(CC) $(CFLAGS) -o $@ $(TEST_OBJS) $(LDFLAGS) $(LDLIBS)

$(BUILD)/test_%: tests/test_%.c tests/harness.h $(LIBOBJS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(DECAF_CFLAGS) -Itests -o $@ $< $(LIBOBJS) $(LDFLAGS) $(LDLIBS) $(DECAF_LIBS)

run: deps
	$(MAKE) all
	mkdir -p -m 700 var && chmod 700 var
	./$(BIN) serve --data ./var --listen 127.0.0.1:8080

check-tests: $(BIN) $(TEST_BIN) $(TESTS) $(FUZZ_REPLAYS) $(BUILD)/board_gen

# Each libFuzzer target built without libFuzzer (tests/fuzz/replay.c supplies main), so
# that tests/test_fuzz_regressions.c replays tests/fuzz/regressions/ in every `make test`.
$(BUILD)/fuzz_replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(wildcard tests/fuzz/*.h) $(LIBOBJS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(DECAF_CFLAGS) -o $@ $< tests/fuzz/replay.c $(LIBOBJS) $(LDFLAGS) $(LDLIBS) $(DECAF_LIBS)

test: deps
	$(MAKE) check-tests
	BUILD=$(BUILD) BIN=./$(BIN) TEST_BIN=./$(TEST_BIN) sh tests/run.sh

asan: deps
	$(MAKE) BUILD=build-asan BIN=conclave-asan CC=clang \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" check-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  BUILD=build-asan BIN=./conclave-asan TEST_BIN=./conclave-asan-test sh tests/run.sh

# --- Installation ---------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the static files the pages
# load (the binary finds them as ../share/conclave/static from its own directory), a
# systemd unit with its sysusers.d entry, the documentation and an example nginx
# configuration with TLS. README, "Deploy".
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR      = $(PREFIX)/bin
DATADIR     = $(PREFIX)/share/conclave
DOCDIR      = $(PREFIX)/share/doc/conclave
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
STATIC_FILES = $(shell find static -type f ! -name '.*' 2>/dev/null | LC_ALL=C sort)

.PHONY: install uninstall
install: all
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/static \
	  $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/conclave
	rm -rf $(DESTDIR)$(DATADIR)/static
	for f in $$(find static -type f ! -name '.*' | LC_ALL=C sort); do \
	  install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	  dist/conclave.service.in > $(DESTDIR)$(UNITDIR)/conclave.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/conclave.service
	install -m 0644 dist/conclave.sysusers $(DESTDIR)$(SYSUSERSDIR)/conclave.conf
	install -m 0644 README.md SECURITY.md docs/PROTOCOL.md docs/PROTOCOL-threshold.md \
	  $(DESTDIR)$(DOCDIR)/
	install -m 0644 dist/nginx-conclave.conf $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/conclave $(DESTDIR)$(UNITDIR)/conclave.service \
	  $(DESTDIR)$(SYSUSERSDIR)/conclave.conf
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# The protocol is part of the product: docs/PROTOCOL*.md and tests/vectors/ are byte
# copies of the shared specification (../shared), recorded in docs/SHA256SUMS; this
# copies them again after the specification changed (test_packaging checks them).
.PHONY: sync-protocol
sync-protocol:
	sh tools/sync-protocol.sh

FUZZ_SECONDS ?= 30
fuzz: deps
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz $(BIN) $(TEST_BIN) conclave-asan conclave-asan-test

# --- Browser crypto (static/js/conclave-crypto.mjs) -------------------------------------
# npm packages pinned by package-lock.json (@noble/curves, @noble/hashes, esbuild), and
# static/vendor/noble.mjs: the one ES module through which conclave-crypto.mjs imports noble,
# bundled by esbuild from tools/noble-entry.mjs so that the same file loads in Node and in the
# browser (relative import, no import map, no inline script). Both are generated, not committed.
.PHONY: vendor clean-vendor

# npm ci writes node_modules/.package-lock.json: a missing or emptied
# node_modules is reinstalled, not just one older than the lockfile.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: run 'make deps' (or apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

node_modules: node_modules/.package-lock.json

static/vendor/.stamp: node_modules/.package-lock.json tools/noble-entry.mjs
	mkdir -p static/vendor
	node_modules/.bin/esbuild tools/noble-entry.mjs --bundle --format=esm --platform=neutral \
	  --target=es2022 --log-level=warning --outfile=static/vendor/noble.mjs
	touch $@

vendor: static/vendor/.stamp

clean-vendor:
	rm -rf static/vendor

check-tests: node_modules/.package-lock.json static/vendor/.stamp
clean: clean-vendor

# --- Verification benchmark (tests/bench/bench_verify.c): ballots/s on one and on all
# cores against libsodium's scalar multiplications, and `conclave verify` on a generated
# 10,000-ballot board (made once in build/bench/).
.PHONY: bench-verify

$(BUILD)/bench_verify: tests/bench/bench_verify.c tests/bench/bench_util.c tests/bench/bench_board.c \
	  tests/bench/bench.h $(LIBOBJS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests -Itests/bench -o $@ tests/bench/bench_verify.c \
	  tests/bench/bench_util.c tests/bench/bench_board.c $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

# A signed board of N ballots for the browser's timing of verifyBoard (tests/e2e/booth.mjs).
$(BUILD)/board_gen: tests/bench/board_gen.c tests/bench/bench_board.c tests/bench/bench_util.c \
	  tests/bench/bench.h $(LIBOBJS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/bench -o $@ tests/bench/board_gen.c \
	  tests/bench/bench_board.c tests/bench/bench_util.c $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

bench-verify: $(BIN) $(BUILD)/bench_verify
	CONCLAVE_BIN=./$(BIN) ./$(BUILD)/bench_verify

# --- Key ceremony benchmark (tests/bench/bench_ceremony.c): the CPU time of each trustee's
# steps and of the board's checks, in process (BENCHMARKS.md, "A council's key ceremony").
.PHONY: bench-ceremony
$(BUILD)/bench_ceremony: tests/bench/bench_ceremony.c $(LIBOBJS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ tests/bench/bench_ceremony.c $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

bench-ceremony: $(BIN) $(BUILD)/bench_ceremony
	./$(BUILD)/bench_ceremony
	CONCLAVE_BIN=./$(BIN) python3 tests/bench/bench_ceremony_cli.py

# --- Polls sealed by a council (tests/bench/bench_unseal.py): deadline to result with three
# trustee agents, a trustee's decrypt against conclave verify (BENCHMARKS.md).
.PHONY: bench-unseal
bench-unseal: deps
	$(MAKE) $(BIN) $(TEST_BIN) $(BUILD)/loadgen
	BUILD=$(BUILD) CONCLAVE_BIN=./$(BIN) CONCLAVE_TEST_BIN=./$(TEST_BIN) python3 tests/bench/bench_unseal.py

# --- Benchmarks (tests/bench/run.sh; not part of `make test`): the real server on loopback
# with a temporary data directory under the C load generator tests/bench/loadgen.c; prints
# one table and writes it to BENCHMARKS.md. A few minutes; stops by itself.
.PHONY: bench
BENCH_SRCS = tests/bench/loadgen.c tests/bench/bench_http.c tests/bench/bench_util.c \
            tests/bench/bench_reference.c

$(BUILD)/loadgen: $(BENCH_SRCS) tests/bench/bench.h $(LIBOBJS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/bench -o $@ $(BENCH_SRCS) $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

bench: deps
	$(MAKE) CFLAGS="-O2 -g" $(BIN) $(BUILD)/loadgen
	BUILD=$(BUILD) BIN=./$(BIN) sh tests/bench/run.sh
