#!/bin/sh
# make conformance: the official WASI test suite (WebAssembly/wasi-testsuite, branch
# prod/testsuite-base, checked out at $WASI_TESTSUITE) run by its own runner through our adapter
# (Conformance/warden_adapter.py). Prints the suite's table, then `N passed, N failed` last.
#   WASI_TESTSUITE  the checkout (required)
#   WARDEN          the warden binary (default: this tree's debug build)
#   WARDEN_ENGINE   passed to the adapter: `warden run --engine VALUE` (default: warden's own)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
suite=${WASI_TESTSUITE:-}
if [ -z "$suite" ] || [ ! -f "$suite/test-runner/wasi_test_runner.py" ]; then
    echo "conformance: set WASI_TESTSUITE to a checkout of wasi-testsuite's prod/testsuite-base branch (see README.md)" >&2
    exit 2
fi
export WARDEN="${WARDEN:-$root/.build/debug/warden}"

# The runner needs Python 3.12 or later (it tests `str in Enum`, a TypeError before 3.12).
python=""
for candidate in python3.13 python3.12 python3 $(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
    echo "conformance: the suite's runner needs Python >= 3.12; none found" >&2
    exit 2
fi
# Its requirements (colorama, requests) go into a virtual environment of our own under .build.
venv=.build/conformance-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import colorama, requests' 2>/dev/null; then
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q -r "$suite/test-runner/requirements.txt"
fi

results=.build/conformance-results.json
rm -f "$results"
set +e
"$venv/bin/python" "$suite/test-runner/wasi_test_runner.py" --disable-colors \
    -t "$suite/tests/c/testsuite/wasm32-wasip1" "$suite/tests/rust/testsuite/wasm32-wasip1" \
       "$suite/tests/assemblyscript/testsuite/wasm32-wasip1" \
    -r "$root/Conformance/warden_adapter.py" --json-output-location "$results"
status=$?
set -e
# The last line: counted from the runner's JSON results (skips count as neither).
"$venv/bin/python" "$root/Conformance/summary.py" "$results" || exit 1
exit $status
