#!/usr/bin/env python3
"""Start-up of two or more warden builds on a loaded machine: CPU time and the worker's own
parse+instantiate milestone, which move far less with the load than wall time does.

Each round runs every (build, module) pair once in a fresh random order: once plainly, its
CPU time (user + system of warden and its worker, from getrusage(RUSAGE_CHILDREN)) taken,
and once with --timings, its "module parsed and instantiated" step read. Medians printed.

usage: startup_cpu.py --runs N --warden NAME=PATH [--warden NAME=PATH ...] MODULE...
"""
import argparse
import random
import re
import resource
import statistics
import subprocess

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=40)
parser.add_argument("--warmup", type=int, default=3)
parser.add_argument("--warden", action="append", required=True, help="NAME=PATH of a warden binary")
parser.add_argument("modules", nargs="+")
args = parser.parse_args()

pairs = [(name, path, module) for name, path in (w.split("=", 1) for w in args.warden) for module in args.modules]
cpu = {pair: [] for pair in pairs}
step = {pair: [] for pair in pairs}
milestone = re.compile(r"\+\s*([0-9.]+)\s+worker: module parsed and instantiated")
for round_ in range(args.warmup + args.runs):
    random.shuffle(pairs)
    for pair in pairs:
        name, path, module = pair
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([path, "run", module], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        timings = subprocess.run([path, "run", "--timings", module], capture_output=True, text=True, check=True).stderr
        found = milestone.search(timings)
        if round_ >= args.warmup:
            cpu[pair].append(1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
            if found:
                step[pair].append(float(found.group(1)))
for pair in sorted(pairs, key=lambda p: (p[2], p[0])):
    name, _, module = pair
    print(f"{name:10s} {module.split('/')[-1]:24s} cpu {statistics.median(cpu[pair]):7.2f} ms   "
          f"parse+instantiate {statistics.median(step[pair]):8.3f} ms   ({len(cpu[pair])} runs)")
