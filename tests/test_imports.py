"""The hook's Python entry must stay light: every import here is paid at
each slow-path prompt. It may use tomllib, never tomlkit or packaging's
markers/requirements, shellingham, argparse or the command modules it does not run."""

from __future__ import annotations

import os
import subprocess
import sys

from support.projects import make_project

FORBIDDEN = (
    "tomlkit",
    "packaging",
    "shellingham",
    "argparse",
    "envhook.cli",
    "envhook.commands.status",
    "envhook.commands.hook",
    "envhook.commands.pin",
    "envhook.syncing",  # only imported when a sync is due
    "subprocess",       # likewise: uv runs only when a sync is due
)


def imported_modules(cwd, env) -> set[str]:
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-I", "-m", "envhook", "export", "bash"],
        cwd=cwd, env=env, capture_output=True, text=True, check=True,
    )
    names = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_export_in_a_synced_project_imports_nothing_heavy(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    env = dict(shell_env, PWD=str(p), _ENVHOOK_SESSION="t1")
    subprocess.run(["envhook", "allow"], cwd=p, env=env, check=True, capture_output=True)
    subprocess.run(["envhook", "sync"], cwd=p, env=env, check=True, capture_output=True)
    names = imported_modules(p, env)
    assert "tomllib" in names and "envhook.commands.export" in names  # the probe works
    bad = sorted(n for n in names if n.split(".")[0] in FORBIDDEN or n in FORBIDDEN)
    assert bad == []


def test_export_outside_a_project_imports_nothing_heavy(tmp_path, shell_env):
    env = dict(shell_env, PWD=str(tmp_path), _ENVHOOK_SESSION="t1")
    names = imported_modules(tmp_path, env)
    assert "envhook.commands.export" in names
    assert sorted(n for n in names if n.split(".")[0] in FORBIDDEN or n in FORBIDDEN) == []
