"""Prints `N passed, N failed` (and `, N skipped` when any were) from the JSON results
wasi_test_runner.py writes with --json-output-location: the line `make conformance` ends on.
An expected failure (xfail) counts as failed and an unexpected pass (xpass) as passed: no
expectation file is used, so neither should appear."""
import json
import sys

with open(sys.argv[1], encoding="UTF-8") as file:
    suites = json.load(file)["results"]
passed = sum(suite["passed"] + suite["xpassed"] for suite in suites)
failed = sum(suite["failed"] + suite["xfailed"] for suite in suites)
skipped = sum(suite["skipped"] for suite in suites)
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
