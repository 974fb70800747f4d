# concdemo -- see README.md.  `make`, `make check`, `make bench`.
CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS  = -Wall -Wextra -Wpedantic
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -Isrc -Idemos -Idemos/primitives
LDLIBS   += -pthread -lm
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man/man1
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
LOCALEDIR = $(PREFIX)/share/locale
ZH_MANDIR = $(PREFIX)/share/man/zh_CN/man1

SOURCES   = $(wildcard src/*.c) $(wildcard demos/*.c) $(wildcard demos/primitives/*.c)
HEADERS   = $(wildcard src/*.h) $(wildcard demos/primitives/*.h)

# The lesson files are built into the binary too, for `concdemo source`:
# build/sources.c holds them byte for byte, remade when one changes.
LESSON_FILES = $(wildcard demos/*.c)
SOURCES  += build/sources.c

# The coroutine switch: the hand-written one on x86-64 (CORO=asm), else
# swapcontext() (CORO=ucontext), which `make CORO=ucontext` builds here too,
# as ./concdemo-ucontext.
ifeq ($(CORO),)
CORO := $(if $(filter x86_64,$(shell uname -m)),asm,ucontext)
endif
ifeq ($(CORO),asm)
SOURCES  += demos/primitives/coro_switch_x86_64.S
else
CPPFLAGS += -DCORO_UCONTEXT
endif

# SANITIZE=thread or SANITIZE=address,undefined builds an instrumented binary
# under its own name, so it never replaces ./concdemo by surprise.
ifeq ($(CORO)-$(shell uname -m),ucontext-x86_64)
UCONTEXT_SUFFIX = -ucontext
endif
ifdef SANITIZE
PROGRAM   = concdemo-$(subst $(comma),-,$(SANITIZE))$(UCONTEXT_SUFFIX)
CFLAGS   += -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE)
# gcc 12 under UBSan: its checks of the pointers passed to nonnull arguments
# (-fsanitize=nonnull-attribute) leave paths on which -Wformat-overflow warns
# of a "null format string" in the lesson help that no run can reach
# (without that one check, no warning); clang and the plain builds keep it.
ifneq ($(findstring undefined,$(SANITIZE)),)
CFLAGS   += $(if $(findstring clang,$(CC)),,-Wno-format-overflow)
endif
LDFLAGS  += -fsanitize=$(SANITIZE)
# `make check SANITIZE=...`: every report goes to a file in sanitizer-reports/PROGRAM/,
# so a report in a run whose test did not look for one still fails the check.
REPORTS   = $(CURDIR)/sanitizer-reports/$(PROGRAM)
export TSAN_OPTIONS  = suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 exitcode=66 log_path=$(REPORTS)/tsan
export ASAN_OPTIONS  = detect_leaks=1 halt_on_error=1 exitcode=66 log_path=$(REPORTS)/asan
export UBSAN_OPTIONS = halt_on_error=1 print_stacktrace=1 exitcode=66 log_path=$(REPORTS)/ubsan
else
PROGRAM   = concdemo$(UCONTEXT_SUFFIX)
endif
comma := ,

.DEFAULT_GOAL := all

# The Chinese messages: po/zh_CN.po, compiled by msgfmt (GNU gettext) to the
# catalog the program finds beside itself, build/locale/; installed, under
# $(LOCALEDIR).  Without msgfmt the program is built, and speaks English.
MSGFMT := $(shell command -v msgfmt)
ifneq ($(MSGFMT),)
CATALOG = build/locale/zh_CN/LC_MESSAGES/concdemo.mo
else ifeq ($(MAKELEVEL),0)
$(info make: msgfmt (GNU gettext) not found: building concdemo in English only (apt-get install -y gettext))
endif
CPPFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'

build/locale/zh_CN/LC_MESSAGES/concdemo.mo: po/zh_CN.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@.$$$$.tmp po/zh_CN.po && mv $@.$$$$.tmp $@

# `make po`: the messages a person reads, found by po/messages.sh (xgettext),
# merged into po/zh_CN.po; po/untranslated.sh lists those still to translate.
po:
	po/messages.sh >po/concdemo.pot
	msgmerge --quiet --update --backup=none --no-fuzzy-matching po/zh_CN.po po/concdemo.pot
	rm -f po/concdemo.pot
	msgfmt --statistics -o /dev/null po/zh_CN.po

.PHONY: all check po ucontext-build bench install uninstall clean sanitize tsan asan memcheck helgrind stress fuzz

all: $(PROGRAM) completion/concdemo.bash $(CATALOG)

$(PROGRAM): $(SOURCES) $(HEADERS) Makefile
	$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) $(LDFLAGS) -o $@ $(SOURCES) $(LDLIBS)

# bash completion: a short script that asks the binary for its words
# (concdemo __complete), printed by the binary itself.
completion/concdemo.bash: $(PROGRAM)
	mkdir -p completion
	./$(PROGRAM) completion bash >$@.$$$$ && mv $@.$$$$ $@

# Two builds side by side (CI's) each write a file of their own, then rename it.
build/sources.c: $(LESSON_FILES) src/embed_sources.sh
	@mkdir -p build
	sh src/embed_sources.sh $(LESSON_FILES) >$@.$$$$.tmp && mv $@.$$$$.tmp $@

# The suite's tests mostly wait in lesson time, so they run JOBS files at
# once (bats --jobs, which needs GNU parallel; without it, one at a time).
# Within a file they run one after another: bats 1.8's runner for tests side
# by side in one file waits on each test's pid from bash, and the lessons'
# 20000 threads wrap a 32768-pid space several times a run, so a later test
# could take an earlier one's pid and the suite fail with "wait: pid N is not
# a child of this shell" though every test passed (2 runs in make stress).
# Files side by side are reaped by GNU parallel instead, and are as fast.
JOBS ?= 8
# The files start in this order: the longest first (seconds alone, idle:
# ranges 85, event-traffic-light 76, signals 70, coroutine 64, options 60,
# pool 53, limits 51, find 48), so that none of them starts last and runs on
# alone; in alphabetical order the suite took a third longer.
SLOW_TESTS = tests/ranges.bats tests/event-traffic-light.bats tests/signals.bats tests/coroutine.bats \
             tests/options.bats tests/pool.bats tests/limits.bats tests/find.bats
TEST_FILES = $(SLOW_TESTS) $(filter-out $(SLOW_TESTS),$(sort $(wildcard tests/*.bats)))
BATS = bats $(if $(shell command -v parallel),--jobs $(JOBS) --no-parallelize-within-files)

# coroutine.bats runs the lesson built with swapcontext() too.
ifeq ($(shell uname -m)-$(CORO),x86_64-asm)
CHECK_BUILDS = $(PROGRAM) ucontext-build
endif
ucontext-build:
	$(MAKE) -s CORO=ucontext

check: $(PROGRAM) completion/concdemo.bash $(CATALOG) $(CHECK_BUILDS)
	@command -v bats >/dev/null || { echo "make check needs bats: apt-get install -y bats jq parallel" >&2; exit 1; }
	@command -v jq >/dev/null || { echo "make check needs jq: apt-get install -y jq" >&2; exit 1; }
	@command -v parallel >/dev/null || echo "make check: without GNU parallel the tests run one at a time (apt-get install -y parallel)" >&2
ifdef SANITIZE
	rm -rf $(REPORTS) && mkdir -p -m 1777 $(REPORTS) # tests of ulimit -u run as another user
	CONCDEMO=$(CURDIR)/$(PROGRAM) CONCDEMO_SANITIZER=$(SANITIZE) BATS_TEST_TIMEOUT=300 $(BATS) $(TEST_FILES); \
	    status=$$?; tests/sanitizer-reports.sh $(REPORTS) && exit $$status
else
	CONCDEMO=$(CURDIR)/$(PROGRAM) BATS_TEST_TIMEOUT=120 $(BATS) $(TEST_FILES)
endif

# The suite 10 times, 3 times on one CPU, and 3 times with both CPUs busy:
# any test that ever failed, and how often.  About 40 minutes; not part of CI.
stress: $(PROGRAM)
	tests/stress.sh

bench: concdemo bench/floor bench/queue_bench bench/coro_bench
	bench/run.sh

# The bare switch, beside the coroutine lesson's.
bench/coro_bench: bench/coro_bench.c demos/primitives/coro_switch_x86_64.S
	$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -o $@ bench/coro_bench.c demos/primitives/coro_switch_x86_64.S

bench/floor: bench/floor.c demos/primitives/ticket_lock.c demos/primitives/ticket_lock.h
	$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -o $@ bench/floor.c demos/primitives/ticket_lock.c $(LDLIBS)

# The queue and pipe figures run the lessons' own queue code.
QUEUE_BENCH_SOURCES = bench/queue_bench.c demos/primitives/blocking_queue.c demos/primitives/message.c src/clock.c src/shared.c \
                      src/events.c src/transcript.c src/step.c demos/primitives/process_queue.c demos/primitives/connection.c \
                      src/refusal.c src/wrap.c src/process.c src/i18n.c src/options.c src/suggest.c src/dice.c src/columns.c
bench/queue_bench: $(QUEUE_BENCH_SOURCES) $(HEADERS)
	$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -o $@ $(QUEUE_BENCH_SOURCES) $(LDLIBS)

# Instrumented smoke runs at small sizes (ThreadSanitizer runs out of memory
# near 10000 live threads).  The race lesson's own race is suppressed in
# tests/tsan.supp, by name, and nothing else is.
tsan:
	$(MAKE) SANITIZE=thread
	tests/sanitize.sh ./concdemo-thread
asan:
	$(MAKE) SANITIZE=address,undefined
	tests/sanitize.sh ./concdemo-address-undefined
memcheck: concdemo
	tests/sanitize.sh valgrind ./concdemo
# Helgrind on the same runs: lock order, races and misuse of the pthread
# API, clean apart from what tests/helgrind.supp names (the lessons' own).
helgrind: concdemo
	tests/sanitize.sh helgrind ./concdemo
sanitize: tsan asan memcheck helgrind

# libFuzzer (clang's) on the option parser, with ASan and UBSan, for
# FUZZ_SECONDS.  A finding stops it; the input that did it is in fuzz-findings/.
# main.c is built in for the lessons' table, its main() renamed.
FUZZ_SECONDS ?= 60
fuzz-options: tests/fuzz_options.c $(SOURCES) $(HEADERS)
	clang $(CPPFLAGS) $(WARNINGS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -Dmain=concdemo_main -o $@ tests/fuzz_options.c $(SOURCES) $(LDLIBS)
fuzz: fuzz-options
	mkdir -p fuzz-corpus fuzz-findings
	./fuzz-options -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz-findings/ -print_final_stats=1 \
	    fuzz-corpus tests/fuzz-seeds

install: concdemo completion/concdemo.bash $(CATALOG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 concdemo $(DESTDIR)$(BINDIR)/concdemo
	install -m 644 man/concdemo.1 $(DESTDIR)$(MANDIR)/concdemo.1
	install -m 644 completion/concdemo.bash $(DESTDIR)$(COMPLETIONDIR)/concdemo
	install -d $(DESTDIR)$(ZH_MANDIR)
	man/zh_CN/breaks.sh man/zh_CN/concdemo.1 >$(DESTDIR)$(ZH_MANDIR)/concdemo.1 # groff 1.22 breaks no Chinese line
	chmod 644 $(DESTDIR)$(ZH_MANDIR)/concdemo.1
ifneq ($(MSGFMT),)
	install -d $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES
	install -m 644 $(CATALOG) $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES/concdemo.mo
endif

# Also the folders install made, where nothing else is left in them: rmdir
# removes only empty ones, up to PREFIX and no further.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/concdemo $(DESTDIR)$(MANDIR)/concdemo.1 $(DESTDIR)$(COMPLETIONDIR)/concdemo \
	      $(DESTDIR)$(ZH_MANDIR)/concdemo.1 $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES/concdemo.mo
	for dir in $(BINDIR) $(MANDIR) $(ZH_MANDIR) $(PREFIX)/share/man/zh_CN $(PREFIX)/share/man $(COMPLETIONDIR) \
	           $(PREFIX)/share/bash-completion $(LOCALEDIR)/zh_CN/LC_MESSAGES $(LOCALEDIR)/zh_CN $(LOCALEDIR) \
	           $(PREFIX)/share $(PREFIX); do \
	    rmdir "$(DESTDIR)$$dir" 2>/dev/null || true; \
	done

clean:
	rm -rf concdemo concdemo-* completion build sanitizer-reports fuzz-options fuzz-corpus fuzz-findings bench/floor bench/queue_bench bench/coro_bench
