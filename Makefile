# looplab — one Makefile, no generator. Objects and binaries go under build/<flavour>/.
#
#   make            library, lessons, tests          make test     every test layer
#   make demo       the classroom server on :3000    make lessons  every lesson binary
#   make run N=08 [ARGS=...]  one lesson             make bench    benchmark figures
#   make asan       ASan+UBSan build, every test     make fuzz     libFuzzer targets (clang)
#   make walkthrough  every lesson's demo in order   make format / clean / deps
#
# CXX=clang++ builds with clang into its own folder, so flavours never mix objects.

CXX       ?= g++
FLAVOUR   ?= $(notdir $(firstword $(CXX)))
BUILD     ?= build/$(FLAVOUR)
CXXFLAGS  ?= -O2 -g
WARNINGS  := -Wall -Wextra -Wpedantic -Werror
# Where #include "..." looks, one rule (there is no -I.): every object sees include/, that is
# the library and the lesson kit (looplab/lesson/), through which lessons share their pieces; a
# lesson includes only the kit and its own folder's files, by plain name ("lab.hpp"), never
# another lesson. Objects under tests/ also see tests/ ("support/pollers.hpp") and lessons/,
# for the tests of a piece one lesson keeps in its folder ("14-tcp-vs-udp/reliable_udp.hpp";
# headers only, never a lesson's .cpp). tests/fuzz/run and check-solutions.sh use -Iinclude.
CPPFLAGS  += -Iinclude -MMD -MP
TEST_INCLUDES := -Itests -Ilessons
ALL_FLAGS  = -std=c++20 $(WARNINGS) $(CXXFLAGS) $(EXTRA_FLAGS)
LDLIBS    += -lfmt -pthread

LIB_SRCS    := $(shell find src -name '*.cpp' -not -path 'src/apps/*' | sort)
LIB_OBJS    := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
LIB         := $(BUILD)/liblooplab.a

TEST_SRCS   := tests/main.cpp $(shell find tests/unit tests/integration tests/lessons -name '*.cpp' 2>/dev/null | sort)
TEST_OBJS   := $(TEST_SRCS:%.cpp=$(BUILD)/obj/%.o)
TEST_BIN    := $(BUILD)/tests/looplab_tests

LESSON_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard lessons/*/*.cpp))))
LESSON_BINS := $(LESSON_DIRS:lessons/%=$(BUILD)/lessons/%)

# Programs that are not lessons: the classroom server (make demo) and interop test tools.
APP_BINS    := $(BUILD)/apps/classroom-server
INTEROP_SRCS := $(wildcard tests/interop/*.cpp)
INTEROP_BINS := $(INTEROP_SRCS:tests/interop/%.cpp=$(BUILD)/interop/%)

# loop_vs_libuv compares the loop with libuv, a test-only library (bench-tools installs it):
# it is built only where libuv's header is, and only it links -luv.
LIBUV_HEADER := /usr/include/uv.h
LIBUV_BENCH  := tests/bench/loop_vs_libuv.cpp
BENCH_SRCS  := $(filter-out $(if $(wildcard $(LIBUV_HEADER)),,$(LIBUV_BENCH)),$(wildcard tests/bench/*.cpp))
BENCH_BINS  := $(BENCH_SRCS:tests/bench/%.cpp=$(BUILD)/bench/%)

# Every core by default (a fresh `make test` on two cores took minutes with one job); choose
# another count with JOBS=N (make 4.3 hides a command-line -jN from the makefile, so -jN
# cannot be told apart from no -j). Set once at the top; sub-makes share its jobserver.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(JOBS)
endif

# Keep every object: make would otherwise delete the lessons' objects as "intermediate".
.SECONDARY:

.PHONY: all lib apps lessons tests test demo walkthrough run bench bench-programs asan fuzz format-check format-tools \
        format clean deps test-tools bench-tools
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory lib lessons tests

lib: $(LIB)
lessons: $(LESSON_BINS)
tests: $(TEST_BIN) $(LESSON_BINS) $(APP_BINS) $(INTEROP_BINS)
apps: $(APP_BINS)

# ---------------------------------------------------------------------------------------------
# Building

# Objects live under obj/, apart from the binaries (a lesson's binary is named like its folder).
$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(ALL_FLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: CPPFLAGS += $(TEST_INCLUDES)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(TEST_BIN): $(TEST_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_FLAGS) $(TEST_OBJS) $(LIB) $(LDLIBS) -o $@

# One binary per lesson folder, linked from every .cpp in it.
.SECONDEXPANSION:
$(BUILD)/lessons/%: $$(foreach f,$$(wildcard lessons/$$*/*.cpp),$(BUILD)/obj/$$(basename $$f).o) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_FLAGS) $(filter %.o,$^) $(LIB) $(LDLIBS) -o $@

$(BUILD)/apps/classroom-server: $(BUILD)/obj/src/apps/classroom_server.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_FLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/interop/%: $(BUILD)/obj/tests/interop/%.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_FLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_FLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bench/loop_vs_libuv: private LDLIBS += -luv

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------------------------
# Running

# Every layer, one summary line at the end ("N passed, M failed"); non-zero if anything failed.
test: deps test-tools
	@$(MAKE) --no-print-directory lib lessons tests
	@BUILD=$(BUILD) sh tests/run-all-layers

# The classroom server on http://localhost:3000/ (PORT=3001 to change; Ctrl-C stops it).
# SERVERS=2: a local redis-server (installed like test-tools when missing) and two classroom
# servers on :PORT and :PORT+1 sharing their rooms through it (lesson 19); Ctrl-C stops all.
# ADAPTER=redis-sharded: the sharded adapter (SPUBLISH/SSUBSCRIBE) instead of the classic one.
PORT ?= 3000
demo: deps
	@$(MAKE) --no-print-directory apps
	@case "$(SERVERS)" in \
	  ""|1) exec $(BUILD)/apps/classroom-server --port $(PORT) ;; \
	  2) $(MAKE) --no-print-directory test-tools && \
	     ADAPTER="$(ADAPTER)" exec sh lessons/19-rooms-across-servers/cluster-demo.sh $(BUILD)/apps/classroom-server $(PORT) $$(($(PORT) + 1)) ;; \
	  *) echo "make demo: SERVERS=$(SERVERS)? one server (the default) or SERVERS=2"; exit 2 ;; \
	esac

# Lesson 19 starts a redis-server: test-tools installs it when missing.
walkthrough: deps test-tools
	@$(MAKE) --no-print-directory lessons
	@BUILD=$(BUILD) PAUSE=$(PAUSE) sh lessons/walkthrough.sh

run: deps
	@test -n "$(N)" || { echo "usage: make run N=08 [ARGS='--trace']"; exit 2; }
	@$(MAKE) --no-print-directory lessons
	@set -- $(BUILD)/lessons/$$(printf '%02d' "$$(echo $(N) | sed 's/^0*//')")-*; test -x "$$1" || { echo "no lesson $(N) (try: ls lessons)"; exit 2; }; \
	  "$$1" $(if $(ARGS),$(ARGS),--demo)

# The benchmarks are built as a release would be: -O3, and with g++ link-time optimisation, so a
# call across files (WebSocket -> TcpConnection) can be inlined like one inside a file.
BENCH_LTO = $(if $(findstring clang,$(CXX)),,-flto=auto -ffat-lto-objects)
# The list of programs is made by the sub-make, which reads this file after bench-tools ran, so
# a libuv installed just now is seen.
bench: deps
	@$(MAKE) --no-print-directory bench-tools
	@$(MAKE) --no-print-directory CXXFLAGS="-O3 -DNDEBUG $(BENCH_LTO)" BUILD=build/bench-$(FLAVOUR) lib \
	  bench-programs
	@BUILD=build/bench-$(FLAVOUR) sh tests/bench/run

bench-programs: $(BENCH_BINS)

# g++ with sanitizers warns "maybe uninitialized" inside Catch2's <regex> (a known false
# positive), so that one warning is not an error in this build. UBSan's vptr check is off:
# Catch2 2.13 builds its string streams in raw storage, which that check reports as a bug.
asan: deps
	@$(MAKE) --no-print-directory test-tools
	@$(MAKE) --no-print-directory BUILD=build/asan-$(FLAVOUR) \
	  CXXFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer -fno-sanitize-recover=undefined $(if $(findstring clang,$(CXX)),,-Wno-maybe-uninitialized)" \
	  LDLIBS="-lfmt -pthread -fsanitize=address,undefined -fno-sanitize=vptr" lib lessons tests
	@BUILD=build/asan-$(FLAVOUR) LOOPLAB_SANITIZED=1 sh tests/run-all-layers

# The library is built once more with clang and coverage hooks; tests/fuzz/run links each target.
fuzz: deps
	@$(MAKE) --no-print-directory CXX=clang++ BUILD=build/fuzz \
	  CXXFLAGS="-O1 -g -fsanitize=address,undefined,fuzzer-no-link" lib
	@sh tests/fuzz/run $(if $(SECONDS_EACH),$(SECONDS_EACH),60)

# Every C++ file of the library and the tests follows .clang-format; CI runs format-check. The
# code is written so that clang-format 14, 16, 19 and 22 all lay it out the same (a few C++20
# constructs that 14 lays out differently are avoided: an immediately invoked template lambda,
# a requires-expression with one requirement, `struct stat info {}`), so any clang-format from
# 14 on checks it; format-tools installs Debian's clang-format-14 when there is none.
# Not lessons/: the notes quote their code line for line and the exercises' solutions are
# patches against it (both checked by make test), so a lesson's layout is part of its text and
# changes only together with them. lessons/.clang-format says so to clang-format itself
# (DisableFormat), for editors and tools that format on their own.
FORMAT_SOURCES = $(shell find include src tests -name node_modules -prune -o \
                   \( -name '*.hpp' -o -name '*.cpp' \) -print)
# The first clang-format of version 14 or newer: clang-format-14, clang-format, or the newest
# clang-format-NN on the PATH.
CLANG_FORMAT_NAMES = clang-format-14 clang-format $(patsubst %,clang-format-%,30 29 28 27 26 25 \
                       24 23 22 21 20 19 18 17 16 15)
WHICH_CLANG_FORMAT = $$(for cf in $(CLANG_FORMAT_NAMES); do \
                          v=$$($$cf --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p'); \
                          if [ -n "$$v" ] && [ "$$v" -ge 14 ]; then command -v $$cf; break; fi; \
                        done)
format: format-tools
	@$(WHICH_CLANG_FORMAT) -i $(FORMAT_SOURCES)

format-check: format-tools
	@cf=$(WHICH_CLANG_FORMAT); \
	bad=$$(for f in $(FORMAT_SOURCES); do $$cf "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then \
	  $$cf --dry-run $$bad 2>&1 | head -30; \
	  echo "make format-check: $$(echo "$$bad" | wc -l) files differ from .clang-format (make format fixes them):"; \
	  echo "$$bad" | sed 's/^/  /'; exit 1; \
	fi; \
	echo "make format-check: $(words $(FORMAT_SOURCES)) files follow .clang-format ($$($$cf --version | sed 's/.*version //'))"

clean:
	rm -rf build

# ---------------------------------------------------------------------------------------------
# Set-up: install the two product dependencies when their headers are missing.

DEPS_HEADERS := /usr/include/fmt/format.h /usr/include/catch2/catch.hpp
deps:
	@if [ "$$(uname -s)" != Linux ] && ! command -v apt-get >/dev/null 2>&1; then \
	  for h in fmt/format.h catch2/catch.hpp; do \
	    printf '#include <%s>\n' "$$h" | $(CXX) -std=c++20 $(CPPFLAGS) -E -x c++ - >/dev/null 2>&1 || { \
	      echo "make deps: <$$h> not found. Install fmt and Catch2 2.x:"; \
	      echo "  macOS: brew install fmt catch2@2   FreeBSD: pkg install libfmt catch"; exit 1; }; \
	  done; exit 0; \
	fi; \
	missing=""; \
	for h in $(DEPS_HEADERS); do test -f $$h || missing="$$missing $$h"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make deps: installing libfmt-dev catch2 with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libfmt-dev catch2) \
	      || { echo "make deps: apt-get install libfmt-dev catch2 failed"; exit 1; }; \
	  else \
	    echo "make deps: missing libfmt-dev catch2; run: sudo apt-get install libfmt-dev catch2"; exit 1; \
	  fi; \
	fi

# Test-only tools that C++ tests start themselves: redis-server (the Redis client's integration
# tests and lesson 16). The interop and browser layers install their own (npm, chromium).
TEST_TOOLS := redis-server
test-tools:
	@missing=""; \
	for t in $(TEST_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make test-tools: installing$$missing with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || { echo "make test-tools: apt-get install$$missing failed"; exit 1; }; \
	  else \
	    echo "make test-tools: missing$$missing (Debian: sudo apt-get install$$missing; macOS: brew install redis)"; exit 1; \
	  fi; \
	fi

# The formatter, a developer's tool: clang-format-14 by Debian package name when missing.
format-tools:
	@if [ -z "$(WHICH_CLANG_FORMAT)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make format-tools: installing clang-format-14 with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-format-14 >/dev/null) \
	      || { echo "make format-tools: apt-get install clang-format-14 failed"; exit 1; }; \
	  else \
	    echo "make format-tools: no clang-format of version 14 or newer (Debian: sudo apt-get install clang-format-14; elsewhere: LLVM's clang-format, 14 or newer, on the PATH)"; exit 1; \
	  fi; \
	fi

# Test-only libraries the benchmarks compare with, installed by Debian package name when
# missing: libuv1-dev (loop_vs_libuv). Never fails: without it, make bench builds the rest and
# prints "libuv: not installed" where libuv's rows would be.
bench-tools:
	@if [ ! -f $(LIBUV_HEADER) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make bench-tools: installing libuv1-dev with apt-get (test-only: make bench compares with libuv)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libuv1-dev >/dev/null) \
	      || echo "make bench-tools: apt-get install libuv1-dev failed; make bench runs without libuv"; \
	  else \
	    echo "make bench-tools: libuv1-dev missing (Debian: sudo apt-get install libuv1-dev); make bench runs without libuv"; \
	  fi; \
	fi
