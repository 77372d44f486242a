"""The hook's Python entry must stay light: every import here is paid at
each slow-path prompt and at each first entry into a project.

- The fast path (decision cache warm) may import only envhook's small modules
  and what the interpreter loads anyway: no tomllib, json, re, pathlib,
  hashlib (OpenSSL), subprocess, platformdirs.
- The full path may parse TOML (tomllib), never tomlkit, packaging's
  markers/requirements, shellingham, argparse or command modules it does not run.

A command run from the command line (`envhook status`) imports its own
command module and no other (cli.Handler imports it when the command runs).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from envhook.commands.hook import entry as hook_entry, import_path
from envhook.prompt.shells import get_shell
from support.projects import make_project

NEVER = {"tomlkit", "packaging", "shellingham", "argparse", "envhook.cli", "envhook.commands.status",
         "envhook.commands.hook", "envhook.commands.pin",
         # shutil loads bz2 and lzma (~4 ms); only a state dir on another filesystem needs it
         "shutil", "bz2", "lzma"}
NOT_ON_THE_FAST_PATH = NEVER | {"tomllib", "json", "re", "pathlib", "hashlib", "_hashlib", "subprocess",
                                "platformdirs", "dataclasses", "tempfile", "envhook.prompt.evaluate",
                                "envhook.decide.syncing", "envhook.store.records", "envhook.decide.project"}


def hook_imports(cwd, env) -> set[str]:
    """Run the hook's entry exactly as the hook does, and list what it imported."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-I", "-S", "-c", hook_entry(get_shell("bash").protocol), "bash", *import_path()],
        cwd=cwd, env=env, capture_output=True, text=True, check=True,
    )
    names = imported(r.stderr)
    assert "envhook.prompt.entry" in names, r.stderr  # the probe works
    return names


def imported(stderr: str) -> set[str]:
    """The modules `-X importtime` reported in STDERR."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
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
    assert "envhook.prompt.evaluate" in full and "tomllib" in full
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
    assert "envhook.prompt.evaluate" in full
    assert "envhook.backends.lockread" in full  # the poetry backend was loaded
    assert offenders(full, NEVER) == []
    assert "envhook.backends.uv" not in full and "envhook.backends.pdm" not in full


@pytest.mark.parametrize("argv", [["status"], ["status", "--json"], ["completion", "bash"]], ids=" ".join)
def test_a_command_imports_its_own_module_and_no_other(argv, tmp_path, shell_env):
    """`envhook status` does not pay for doctor, tomlkit or the other commands."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "envhook", *argv],
                       cwd=tmp_path, env=shell_env, capture_output=True, text=True)
    names = imported(r.stderr)
    assert r.returncode == 0 and "envhook.cli" in names, r.stderr  # the probe works
    commands = sorted(n for n in names if n.startswith("envhook.commands."))
    assert commands == [f"envhook.commands.{argv[0]}"]
    assert offenders(names, {"tomlkit", "shellingham"}) == []


def test_envhooks_own_imports_run_one_way():
    """No import cycle among envhook's modules, counting the imports inside
    functions too (a function-local import can hide a cycle, not remove it)."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src"
    modules = {}
    for path in (src / "envhook").rglob("*.py"):
        name = ".".join(path.relative_to(src).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    # cli imports each command's module by the name its Handler holds (importlib).
    import argparse

    from envhook.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    graph["envhook.cli"] |= {p.get_default("func").module for p in sub.choices.values()}
    assert "envhook.commands.doctor" in graph["envhook.cli"]  # the edges are there

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    # The package itself (envhook/__init__.py) is imported by every submodule; it imports none.
    cycles = sorted(name for name in graph if name != "envhook" and name in reach(name))
    assert cycles == [], f"modules on an import cycle: {cycles}"
