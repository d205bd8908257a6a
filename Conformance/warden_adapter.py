"""wasi-testsuite runtime adapter for Warden (test-runner/wasi_test_runner.py -r THIS_FILE).

Loaded by the suite's own runner as a module; nothing runs at import.

Parameters (environment):
  WARDEN         the warden binary (default: "warden" on PATH)
  WARDEN_ENGINE  the execution engine; empty (default) runs warden's built-in one, any other
                 value is passed as `warden run --engine VALUE` and names the runtime in the
                 table (warden-VALUE), so two engines' results can be told apart.

A test's `root` is granted read-write as the guest's `/`, as the suite's wasmtime adapter
does (`--dir ROOT::/`); arguments and environment variables are passed through as given.
The suite's directories belong to whoever checked it out, and wasmtime runs as that user: so
the module runs as the caller too (`--user root` when run as root, where warden's default is
an unprivileged transient identity that could not write the suite's root-owned trees).
"""
import os
import shlex
import subprocess
from typing import Dict, List, Optional, Tuple

WARDEN = shlex.split(os.getenv("WARDEN", "warden"))
ENGINE = os.getenv("WARDEN_ENGINE", "").strip()


def get_name() -> str:
    return f"warden-{ENGINE}" if ENGINE else "warden"


def get_version() -> str:
    # `warden --version` prints the bare version ("0.1.0").
    result = subprocess.run(WARDEN + ["--version"], encoding="UTF-8",
                            capture_output=True, check=True)
    return result.stdout.strip().split()[-1]


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    del proposals, wasi_world, wasi_version  # preview1 commands only (see above)
    args, env, root = args_env_root
    argv = WARDEN + ["run"]
    if os.geteuid() == 0:
        argv += ["--user", "root"]
    if ENGINE:
        argv += ["--engine", ENGINE]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    if root:
        argv += ["--dir", f"{root}::/"]
    # `--` ends warden's options: the test's own arguments may start with a dash.
    argv += ["--", test_path]
    argv += args
    return argv
