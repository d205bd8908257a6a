#!/usr/bin/env python3
"""Times commands *interleaved*: each round runs every command once, in a fresh random order.

Why not hyperfine: hyperfine measures one command's runs as a block, then the next command's.
On a shared VM the machine's speed drifts by tens of percent within a minute (the native hello
moved 0.56 -> 0.77 ms between two runs of this script), so a block can land in a fast phase and
the next one in a slow phase, and a 1.25x "result" turns into 0.83x on the next run. Interleaved
rounds give every contestant the same conditions.

Each command runs without a shell, stdin and stdout on /dev/null, stderr inherited; its time is
wall time from spawn to reap. A command that exits non-zero stops the measurement.
Output: hyperfine-compatible JSON ({"results": [{"command", "times", "median", "mean", ...}]}).

usage: interleave.py --warmup N --runs N [--prepare CMD] --export-json FILE -n NAME CMD [-n NAME CMD ...]
"""
import argparse
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--prepare", help="shell command run before every timed run (not timed)")
    parser.add_argument("--export-json", required=True)
    parser.add_argument("-n", "--name", action="append", required=True)
    parser.add_argument("commands", nargs="+")
    args = parser.parse_intermixed_args()
    if len(args.name) != len(args.commands):
        parser.error("one -n NAME per command")

    argvs = [shlex.split(command) for command in args.commands]
    null = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)]
    times = [[] for _ in argvs]
    executables = [argv[0] if os.sep in argv[0] else shutil.which(argv[0]) for argv in argvs]
    for name, executable in zip(args.name, executables):
        if executable is None or not os.access(executable, os.X_OK):
            sys.exit(f"interleave.py: '{name}': no executable {executable}")

    def run_once(index):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True)
        argv = argvs[index]
        start = time.perf_counter_ns()
        pid = os.posix_spawn(executables[index], argv, os.environ, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = (time.perf_counter_ns() - start) / 1e9
        if status != 0:
            sys.exit(f"interleave.py: '{args.name[index]}' failed (wait status {status}): {args.commands[index]}")
        return elapsed

    order = list(range(len(argvs)))
    for round_number in range(args.warmup + args.runs):
        random.shuffle(order)
        for index in order:
            elapsed = run_once(index)
            if round_number >= args.warmup:
                times[index].append(elapsed)
        print(f"\r  round {round_number + 1}/{args.warmup + args.runs}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    results = []
    for name, command, samples in zip(args.name, args.commands, times):
        results.append({
            "command": name, "commandline": command, "times": samples,
            "median": statistics.median(samples), "mean": statistics.fmean(samples),
            "stddev": statistics.stdev(samples) if len(samples) > 1 else 0.0,
            "min": min(samples), "max": max(samples),
        })
        print(f"  {name:10s} median {statistics.median(samples) * 1e3:9.3f} ms   "
              f"min {min(samples) * 1e3:9.3f}   max {max(samples) * 1e3:9.3f}   ({len(samples)} runs)", file=sys.stderr)
    with open(args.export_json, "w") as out:
        json.dump({"results": results}, out)


if __name__ == "__main__":
    main()
