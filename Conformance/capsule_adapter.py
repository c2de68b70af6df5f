"""wasi-testsuite runtime adapter for `capsule run` (see run-wasi-testsuite.sh beside it).

The suite's runner loads this file as a module; CAPSULE names the binary (default: `capsule`).
"""
import os
import shlex
import subprocess
from typing import Dict, List, Optional, Tuple

CAPSULE = shlex.split(os.getenv("CAPSULE", "capsule"))


def get_name() -> str:
    return "capsule"


def get_version() -> str:
    # `capsule --help` answers without running anything; its first line names the tool.
    subprocess.run(CAPSULE + ["--help"], capture_output=True, check=True)
    return "main"


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def get_timeout_seconds() -> float:
    return 60.0


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    args, env, root = args_env_root
    argv = CAPSULE + ["run"]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    if root:
        argv += ["--dir", f"{root}::/"]
    return argv + [test_path] + args
