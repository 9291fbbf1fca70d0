# vgpusim build.  `make` builds ./vgpusim; `make check` builds and runs every test, then again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then every libFuzzer harness over its seeds, all of it
# as targets that run in parallel (make -j, one job more than the cores: CHECK_JOBS; each e2e part is
# a target); `make deps` installs the Debian packages (clang for the sanitizer pass and the fuzzers,
# valgrind for `make check-valgrind` included); `make fuzz FUZZ_SECONDS=N` fuzzes every parser
# (tests/fuzz/README.md).
#
# Architecture, visible in the link lines (docs/architecture.md; `make check-layout` checks the rules):
#   build/libvgspolicies.a  policies/*.c, libc only (checked by `make check-policies`), linked
#                           unchanged into the simulator and every other driver
#   build/libvgsmodels.a    models/*/*.c, plain C + GLib + libconfig, one folder per concern
#   build/libvgshwtrace.a   hw-trace/*.c, trace importers (+ yajl, zlib)
#   vgpusim                 sim/*.c (the only SimGrid code) + the three archives
#   vgpusim-replay          hw-trace/exec/ (the real-hardware executor, no SimGrid) + the same three
#                           archives: the simulator and the executor link one libvgspolicies.a
#                           (`make check-shared-policies` proves it with nm)

CC      ?= cc
# `make V=1` shows the full commands.
Q        = $(if $(V),,@)
O       ?= build
SAN     ?=
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Werror=implicit-function-declaration
BASE     = -std=gnu11 $(WARN) -I. -MMD -MP $(SAN)
PKGS     = glib-2.0 gmodule-2.0 libconfig yajl
DEB_PKGS = gcc libc6-dev python3 libyajl-dev libsimgrid-dev libglib2.0-dev libconfig-dev libcunit1-dev gnuplot-nox pkg-config zlib1g-dev \
	   clang libclang-rt-dev valgrind slurm-wlm munge
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SG_LIBS    := -lsimgrid
CUNIT_LIBS := -lcunit

POLICY_SRC = $(sort $(wildcard policies/*.c policies/placement/*.c))
MODEL_SRC  = $(sort $(wildcard models/*/*.c))
HW_SRC     = $(sort $(wildcard hw-trace/*.c))
SIM_SRC    = $(sort $(wildcard sim/*.c))
EXEC_SRC   = $(sort $(wildcard hw-trace/exec/*.c))
UNIT_SRC   = $(sort $(wildcard tests/unit/test_*.c))
UNIT_SUPPORT = $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))

POLICY_OBJ = $(POLICY_SRC:%.c=$(O)/%.o)
MODEL_OBJ  = $(MODEL_SRC:%.c=$(O)/%.o)
HW_OBJ     = $(HW_SRC:%.c=$(O)/%.o)
SIM_OBJ    = $(SIM_SRC:%.c=$(O)/%.o)
EXEC_OBJ   = $(EXEC_SRC:%.c=$(O)/%.o)
# The executor's host-side logic (everything but main.c) also links into the unit tests.
EXEC_LIB   = $(O)/libvgsexec.a
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
UNIT_SUPPORT_OBJ = $(UNIT_SUPPORT:%.c=$(O)/%.o)

POLICY_LIB = $(O)/libvgspolicies.a
# Both programs take every object of the policy archive (scheduling and placement policies alike), so
# that a .so policy finds every helper it may call, in either program.
WHOLE_POLICY_LIB = -Wl,--whole-archive $(POLICY_LIB) -Wl,--no-whole-archive
MODEL_LIB  = $(O)/libvgsmodels.a
HW_LIB     = $(O)/libvgshwtrace.a
BIN        = $(if $(filter build,$(O)),vgpusim,$(O)/vgpusim)
REPLAY_BIN = $(if $(filter build,$(O)),vgpusim-replay,$(O)/vgpusim-replay)

# The cuda backend is built when nvcc is found (PATH, then /usr/local/cuda); otherwise the executor
# builds without it and `--backend cuda` says so.
CUDA_HOME ?= /usr/local/cuda
NVCC      ?= $(firstword $(shell command -v nvcc 2>/dev/null) $(wildcard $(CUDA_HOME)/bin/nvcc))
ifneq ($(NVCC),)
CUDA_OBJ  = $(O)/hw-trace/exec/backend_cuda.o
CUDA_DEF  = -DVGS_HAVE_CUDA
CUDA_LIBS = -L$(CUDA_HOME)/lib64 -lcudart_static -ldl -lrt -lpthread -lstdc++
CUDA_NOTE = cuda backend built with $(NVCC)
else
CUDA_NOTE = cuda backend skipped (nvcc not found)
endif
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Test objects are intermediate files of a pattern chain: keep them so rebuilds stay incremental.
.SECONDARY:

.PHONY: all deps check check-all check-unit check-e2e check-asan check-policies check-shared-policies check-layout bench clean examples \
	fuzz fuzz-build check-fuzz check-fuzz-seeds check-valgrind
all: $(BIN) $(REPLAY_BIN) examples

# policies/ sees libc and its own headers only: no package include paths.
$(O)/policies/%.o: policies/%.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(BASE) -fPIC -c $< -o $@

$(O)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(BASE) $(PKG_CFLAGS) $(DEFS) -DVGS_VERSION='"$(VERSION)"' -c $< -o $@

$(O)/hw-trace/exec/%.o: hw-trace/exec/%.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(BASE) $(PKG_CFLAGS) $(CUDA_DEF) -DVGS_VERSION='"$(VERSION)"' -c $< -o $@

$(O)/hw-trace/exec/backend_cuda.o: hw-trace/exec/backend_cuda.cu hw-trace/exec/exec.h hw-trace/exec/cuda_host.h \
				  $(wildcard models/*/*.h policies/*.h)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  NVCC    $<")
	$(Q)$(NVCC) -O2 -I. $(filter -I%,$(PKG_CFLAGS)) -diag-suppress 1217 -Xcompiler -fPIC -c $< -o $@

$(EXEC_LIB): $(filter-out $(O)/hw-trace/exec/main.o,$(EXEC_OBJ)) $(CUDA_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(POLICY_LIB): $(POLICY_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(MODEL_LIB): $(MODEL_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(HW_LIB): $(HW_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(SIM_OBJ) $(HW_LIB) $(MODEL_LIB) $(POLICY_LIB)
	@$(if $(V),,echo "  LINK    $@ (sim + libvgsmodels.a + libvgspolicies.a)")
	$(Q)$(CC) $(CFLAGS) $(SAN) -rdynamic -o $@ $(SIM_OBJ) $(HW_LIB) $(MODEL_LIB) $(WHOLE_POLICY_LIB) $(SG_LIBS) $(PKG_LIBS) -lz -lm

$(REPLAY_BIN): $(O)/hw-trace/exec/main.o $(EXEC_LIB) $(HW_LIB) $(MODEL_LIB) $(POLICY_LIB)
	@$(if $(V),,echo "  LINK    $@ (executor + libvgsmodels.a + libvgspolicies.a, no SimGrid; $(CUDA_NOTE))")
	$(Q)$(CC) $(CFLAGS) $(SAN) -rdynamic -o $@ $(O)/hw-trace/exec/main.o $(EXEC_LIB) $(HW_LIB) $(MODEL_LIB) $(WHOLE_POLICY_LIB) $(PKG_LIBS) -lz -lm $(CUDA_LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(UNIT_SUPPORT_OBJ) $(EXEC_LIB) $(HW_LIB) $(MODEL_LIB) $(POLICY_LIB)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(SAN) -rdynamic -o $@ $< $(UNIT_SUPPORT_OBJ) $(EXEC_LIB) $(HW_LIB) $(MODEL_LIB) $(POLICY_LIB) $(CUNIT_LIBS) $(PKG_LIBS) -lz -lm $(CUDA_LIBS)

# The policy templates of docs/policies.md (time-slice and spatial), built as loadable shared objects
# (tests load them).
examples: $(O)/examples/libmypolicy.so $(O)/examples/libmyspatial.so $(O)/examples/libmyplacement.so
$(O)/examples/lib%.so: docs/examples/%.c policies/vgs_policy.h policies/placement/vgs_place.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  SO      $@")
	$(Q)$(CC) $(CFLAGS) $(BASE) $(SAN) -fPIC -shared -o $@ $<

# Proves the sharing rule: every policies/ file compiles with libc and its own headers alone.
check-policies:
	@for f in $(POLICY_SRC); do \
	  $(CC) -std=c11 -Wall -Werror -I. -fsyntax-only $$f || exit 1; \
	  if grep -nE '#include[[:space:]]*[<"](simgrid|xbt|glib|gio|gmodule|libconfig|models/|sim/)' $$f; then \
	    echo "$$f: policies/ must include libc and policies/ headers only" >&2; exit 1; fi; \
	done; echo "check-policies: $(words $(POLICY_SRC)) files compile with libc only"

# The sharing rule, shown on the binaries: the scheduling core and every built-in policy in vgpusim
# and in vgpusim-replay are the objects of the one $(POLICY_LIB) (same symbols, same sizes), and
# vgpusim-replay does not link SimGrid.
check-shared-policies: $(BIN) $(REPLAY_BIN) $(POLICY_LIB)
	@set -e; for s in vgs_sched_pick vgs_sched_charge vgs_sched_admit vgs_policy_timeslice vgs_policy_weighted vgs_policy_dynprio vgs_policy_fifo vgs_policy_gvtg vgs_policy_drm vgs_policy_xe vgs_policy_mps vgs_policy_orion \
	    vgs_place_fits vgs_place_frag vgs_place_first_fit vgs_place_best_fit vgs_place_spread vgs_place_fgd; do \
	  a=$$(nm -S --defined-only $(POLICY_LIB) | awk -v s=$$s '$$4 == s {print $$2, $$3}'); \
	  b=$$(nm -S --defined-only $(BIN) | awk -v s=$$s '$$4 == s {print $$2, $$3}'); \
	  c=$$(nm -S --defined-only $(REPLAY_BIN) | awk -v s=$$s '$$4 == s {print $$2, $$3}'); \
	  [ -n "$$a" ] && [ "$$a" = "$$b" ] && [ "$$a" = "$$c" ] || { echo "check-shared-policies: $$s differs: archive '$$a' vgpusim '$$b' vgpusim-replay '$$c'" >&2; exit 1; }; \
	done; \
	if nm -u $(REPLAY_BIN) | grep -q simgrid || ldd $(REPLAY_BIN) | grep -q simgrid; then echo "check-shared-policies: vgpusim-replay links SimGrid" >&2; exit 1; fi; \
	echo "check-shared-policies: scheduling core and 9 built-in policies (7 time-slice, 2 spatial), placement core and 4 placement policies identical (nm -S) in $(POLICY_LIB), $(BIN) and $(REPLAY_BIN); no SimGrid in $(REPLAY_BIN)"

# The architecture (docs/architecture.md): which folder may include which, SimGrid in sim/ alone, and no
# call circle between the files of the programs; the check first proves it catches a forbidden include.
check-layout: $(BIN) $(REPLAY_BIN)
	@python3 tests/check_layout.py --self-test --objects $(O)

# Each unit test binary a target of its own (make -j runs them at once).
check-unit: $(UNIT_BIN:$(O)/tests/%=check-unit-%)
check-unit-%: $(O)/tests/%
	@echo "== $<"; $<

# The end-to-end tests in parts (tests/e2e/run.sh --list), each a target of its own: under make -j they
# run at once, each in its own folders, its output in $(O)/e2e/PART.log, shown when it ends.
E2E_PARTS := $(shell VGS_E2E_QUICK=$(VGS_E2E_QUICK) bash tests/e2e/run.sh --list)
check-e2e: $(E2E_PARTS:%=check-e2e-%)
	@cat $(E2E_PARTS:%=$(O)/e2e/%.log) | sed -n 's/^e2e [a-z_]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' | \
	  awk '{ p += $$1; f += $$2; n++ } END { printf "e2e: %d passed, %d failed ($(O), %d parts)\n", p, f, n; exit f > 0 }'
check-e2e-%: $(BIN) $(REPLAY_BIN) examples
	@mkdir -p $(O)/e2e
	@VGPUSIM=$(abspath $(BIN)) VGS_BUILD=$(abspath $(O)) bash tests/e2e/run.sh $* >$(O)/e2e/$*.log 2>&1; \
	  rc=$$?; cat $(O)/e2e/$*.log; exit $$rc

# The sanitizer pass: everything rebuilt into build/asan with ASan + UBSan, then the unit tests, the e2e
# parts and the fuzz harnesses over their seeds.  With clang (make deps installs it) the harnesses link
# these same objects, so the parsers are compiled once for both; replaying seeds needs no coverage
# instrumentation (`make fuzz` builds its own instrumented copy in build/fuzz).  Without clang's
# libFuzzer runtime the pass builds with $(CC) and the harnesses are skipped with a message.
ASAN_SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_MAKE = $(MAKE) --no-print-directory O=build/asan FUZZ_OK=$(FUZZ_OK) CC=$(if $(filter yes,$(FUZZ_OK)),$(FUZZ_CC),$(CC)) \
	SAN='$(ASAN_SAN)' CFLAGS='-O1 -g1'
check-asan:
	+@$(ASAN_MAKE) VGS_E2E_QUICK=1 check-unit check-e2e check-fuzz-seeds

# Everything, its parts in parallel on every core (CHECK_JOBS; a make -jN given on the command line
# wins): the builds of build/ and build/asan, the unit tests, the e2e parts of both passes, the fuzz
# harnesses over their seeds.  The sanitizer pass comes first: it is the longer chain.
# One job more than the cores: some parts wait on real time (the host replays, Slurm's daemons), and a
# core they leave idle goes to another part.
CHECK_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
CHECK_ALL   = check-asan check-e2e check-unit check-policies check-shared-policies check-layout
check:
	@$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(CHECK_JOBS)) -Otarget check-all
check-all: $(CHECK_ALL)

# ---- fuzzing (tests/fuzz/README.md) -------------------------------------------------------------------
# One libFuzzer harness per parser, built with clang, ASan and UBSan into build/fuzz/.  Seeds: the test
# fixtures (read where they are) and tests/fuzz/corpus/NAME/ (every input that once crashed or hung).
#   make fuzz [FUZZ_SECONDS=N] [-j2]   fuzz each harness for N seconds (new inputs in build/fuzz/corpus/)
#   make check-fuzz                    run each harness over its seeds once (part of make check)
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES    = scenario trace kineto ftrace orion presentmon
FUZZ_O        = build/fuzz
FUZZ_SAN      = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_LINK     = -fsanitize=fuzzer,address,undefined
FUZZ_ENV      = TMPDIR=$(if $(wildcard /dev/shm/.),/dev/shm,/tmp) LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) UBSAN_OPTIONS=print_stacktrace=1
FUZZ_SUPPORT  = $(O)/tests/fuzz/fuzz_common.o $(O)/tests/fuzz/fuzz_import.o
FUZZ_SEEDS_scenario   = configs/*.cfg configs/bench/*.cfg tests/configs/*.cfg tests/e2e/bad/*.cfg tests/e2e/scenarios/*.cfg
FUZZ_SEEDS_trace      = tests/traces/*.vgt tests/e2e/scenarios/*.vgt
FUZZ_SEEDS_kineto     = tests/traces/kineto/*.json* tests/traces/kineto/bad/*
FUZZ_SEEDS_ftrace     = tests/traces/ftrace/*.txt tests/traces/ftrace/bad/*
FUZZ_SEEDS_orion      = tests/traces/orion/*.csv
FUZZ_SEEDS_presentmon = tests/traces/presentmon/*.csv
# Whether clang can build a libFuzzer binary here (Debian: clang + libclang-rt-dev, see make deps).
FUZZ_OK := $(shell echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' | \
	$(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 && echo yes)

# The parsers need models/ but for the driver, the memory model and the results (statistics aside): the
# harnesses link an archive of the rest, so that the fuzz build compiles ~40 % fewer files (a harness
# that comes to need more fails to link, naming the symbol: add its folder here).
FUZZ_MODEL_OBJ = $(filter-out $(O)/models/driver/% $(O)/models/memory/% $(O)/models/results/%,$(MODEL_OBJ)) \
		 $(O)/models/results/stats.o
FUZZ_MODEL_LIB = $(O)/libvgsmodels-parsers.a
$(FUZZ_MODEL_LIB): $(FUZZ_MODEL_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/tests/fuzz/fuzz_scenario.o: DEFS = -DVGS_FUZZ_ROOT='"$(abspath .)"'
$(O)/fuzz/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT) $(HW_LIB) $(FUZZ_MODEL_LIB) $(POLICY_LIB)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LINK    $@ (libFuzzer)")
	$(Q)$(CC) $(CFLAGS) $(FUZZ_LINK) -o $@ $^ $(PKG_LIBS) -lz -lm

fuzz-build:
ifeq ($(FUZZ_OK),yes)
	@$(MAKE) -s --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) SAN='$(FUZZ_SAN)' CFLAGS='-O1 -g1' \
		$(FUZZ_NAMES:%=$(FUZZ_O)/fuzz/fuzz_%)
else
	@echo "fuzz: $(FUZZ_CC) cannot build libFuzzer binaries (make deps installs clang and libclang-rt-dev)" >&2; exit 1
endif

# Every harness over its seeds once: a crash, leak or sanitizer report fails (one target per harness,
# so that make -j runs them at once).  check-fuzz-seeds runs in the sanitizer build it is given (make
# check: build/asan, see check-asan); `make check-fuzz` alone builds build/asan's harnesses for it.
FUZZ_RUN = $(FUZZ_ENV) $(O)/fuzz/fuzz_$* -timeout=20 $$files >$(O)/fuzz/check-$*.log 2>&1
ifeq ($(FUZZ_OK),yes)
check-fuzz:
	+@$(ASAN_MAKE) check-fuzz-seeds
check-fuzz-seeds: $(FUZZ_NAMES:%=check-fuzz-seeds-%)
check-fuzz-seeds-%: $(O)/fuzz/fuzz_%
	@files=$$(ls -d $(FUZZ_SEEDS_$*) tests/fuzz/corpus/$*/* 2>/dev/null | while read f; do [ -f "$$f" ] && echo "$$f"; done); \
	if ! $(FUZZ_RUN); then \
	  tail -30 $(O)/fuzz/check-$*.log; echo "check-fuzz: fuzz_$* failed on its corpus ($(O)/fuzz/check-$*.log)" >&2; exit 1; fi; \
	echo "check-fuzz: fuzz_$* ran $$(echo $$files | wc -w) inputs cleanly"
else
check-fuzz check-fuzz-seeds:
	@echo "skip - check-fuzz: $(FUZZ_CC) cannot build libFuzzer binaries (make deps installs clang and libclang-rt-dev)"
endif

# Fuzz each harness for FUZZ_SECONDS (-j2 runs two at once); the output of each in build/fuzz/NAME.log,
# what it found in build/fuzz/corpus/NAME/ and build/fuzz/crash-* (make it a tests/fuzz/corpus file).
fuzz: $(FUZZ_NAMES:%=fuzz-%)
fuzz-%: fuzz-build
	@mkdir -p $(FUZZ_O)/corpus/$* $(FUZZ_O)/artifacts/$*
	@echo "fuzz: fuzz_$* for $(FUZZ_SECONDS) s (log: $(FUZZ_O)/$*.log)"
	@seeds=$$(mktemp -d); for f in $(FUZZ_SEEDS_$*) tests/fuzz/corpus/$*/*; do [ -f "$$f" ] && cp "$$f" "$$seeds/"; done; \
	$(FUZZ_ENV) $(FUZZ_O)/fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_O)/artifacts/$*/ $(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		$(FUZZ_O)/corpus/$* $$seeds >$(FUZZ_O)/$*.log 2>&1; rc=$$?; rm -rf "$$seeds"; \
	grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' $(FUZZ_O)/$*.log | tail -1 | sed 's/^/fuzz: fuzz_$*: /'; \
	grep -E 'stat::number_of_executed_units|stat::peak_rss' $(FUZZ_O)/$*.log | sed 's/^/fuzz: fuzz_$*: /'; \
	if [ $$rc -ne 0 ]; then echo "fuzz: fuzz_$* found a problem: see $(FUZZ_O)/$*.log and $(FUZZ_O)/artifacts/$*/" >&2; exit 1; fi

deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "make deps: all packages present"; fi

# valgrind (memcheck) on a short run of every shipped config and on importing every capture of
# ../shared/traces (scripts/check-valgrind.sh; minutes, so not part of make check).
check-valgrind: $(BIN)
	@scripts/check-valgrind.sh $(abspath $(BIN))

# The simulator's speed on fixed scenarios, as ratios to SimGrid's one-exec-per-command floor measured
# in the same run, then each speed target with its figure and met / not met; appends to bench/results.csv
# (about 20 minutes; BENCH_ARGS=--quick for a smoke run).
bench: $(BIN)
	@scripts/bench.sh --vgpusim $(abspath $(BIN)) $(BENCH_ARGS)

clean:
	rm -rf build vgpusim vgpusim-replay

-include $(shell find $(O) -name '*.d' 2>/dev/null)
