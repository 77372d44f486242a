"""The hook's Python entry must stay light: every import here is paid at
each slow-path prompt and at each first entry into a project.

- The fast path (decision cache warm) may import only envhook's small modules
  and what the interpreter loads anyway: no tomllib, json, re, pathlib,
  hashlib (OpenSSL), subprocess, platformdirs.
- The full path may parse TOML (tomllib), never tomlkit, packaging's
  markers/requirements, shellingham, argparse or command modules it does not run.
"""

from __future__ import annotations

import subprocess
import sys
import time

from envhook.commands.hook import ENTRY, import_path
from support.projects import make_project

NEVER = {"tomlkit", "packaging", "shellingham", "argparse", "envhook.cli", "envhook.commands.status",
         "envhook.commands.hook", "envhook.commands.pin"}
NOT_ON_THE_FAST_PATH = NEVER | {"tomllib", "json", "re", "pathlib", "hashlib", "_hashlib", "subprocess",
                                "platformdirs", "dataclasses", "tempfile", "envhook.commands.export",
                                "envhook.syncing", "envhook.state", "envhook.project"}


def hook_imports(cwd, env) -> set[str]:
    """Run the hook's entry exactly as the hook does, and list what it imported."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-I", "-S", "-c", ENTRY, "bash", *import_path()],
        cwd=cwd, env=env, capture_output=True, text=True, check=True,
    )
    names = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "envhook.hookentry" in names, r.stderr  # the probe works
    return names


def offenders(names: set[str], banned: set[str]) -> list[str]:
    return sorted(n for n in names if n in banned or n.split(".")[0] in banned)


def test_fast_and_full_paths_in_a_synced_project(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    env = dict(shell_env, PWD=str(p), _ENVHOOK_SESSION="t1")
    subprocess.run(["envhook", "allow"], cwd=p, env=env, check=True, capture_output=True)
    subprocess.run(["envhook", "sync"], cwd=p, env=env, check=True, capture_output=True)
    # Full path: the inputs were just written, so no decision is cached yet.
    full = hook_imports(p, env)
    assert "envhook.commands.export" in full and "tomllib" in full
    assert offenders(full, NEVER) == []
    # Files changed within the last 2 s are "racily clean" and not cached;
    # once they are older, the full path caches its decision.
    time.sleep(2.1)
    hook_imports(p, env)
    fast = hook_imports(p, env)
    assert offenders(fast, NOT_ON_THE_FAST_PATH) == []


def test_outside_a_project_the_entry_stays_on_the_fast_path(tmp_path, shell_env):
    env = dict(shell_env, PWD=str(tmp_path), _ENVHOOK_SESSION="t1")
    assert offenders(hook_imports(tmp_path, env), NOT_ON_THE_FAST_PATH) == []


def test_a_synced_poetry_project_reads_no_lock_at_the_prompt(tmp_path, shell_env, package_index):
    """packaging (markers, versions) is loaded to compare an env with a
    poetry.lock, which a prompt needs only when the inputs and the env moved
    together; a full evaluation of a synced project does not."""
    from support.backend_projects import make_poetry_project, tool_env

    p = make_poetry_project(tmp_path / "demo", package_index.url, package_mode=False, env=tool_env(shell_env))
    env = dict(shell_env, PWD=str(p), _ENVHOOK_SESSION="t1")
    subprocess.run(["envhook", "allow"], cwd=p, env=env, check=True, capture_output=True)
    subprocess.run(["envhook", "sync"], cwd=p, env=env, check=True, capture_output=True)
    full = hook_imports(p, env)
    assert "envhook.commands.export" in full
    assert "envhook.backends.lockread" in full  # the poetry backend was loaded
    assert offenders(full, NEVER) == []
    assert "envhook.backends.uv" not in full and "envhook.backends.pdm" not in full
