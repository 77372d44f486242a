"""Where the tool really put the env (issue 28, point 1): Poetry makes a
project's env outside it under the Python it picks (`python` on PATH), not
under the one envhook runs on; envhook asks the tool after its own sync,
records the answer, and never asks at a prompt, nor for an untrusted project.

Real Poetry, a real second interpreter of another minor version (whichever
this machine has: a uv-managed one, pyenv's, the system's; `other_python`),
real bash."""

from __future__ import annotations

import glob
import os
import pwd
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.backend_projects import make_poetry_project, poetry_env_path, relock_poetry, tool_env
from support.hooktest import envhook, status_json

# As the tests were started, before any fixture moved HOME and XDG_* to temp dirs.
_REAL_ENV = dict(os.environ)


def other_python() -> Path | None:
    """A real CPython newer than the test interpreter (by minor version), so
    that Poetry names the env it makes with it `…-py3.N` where envhook's own
    Python would say another: uv-managed installs, pyenv's versions, the
    system's. Looked up in the real home (the tests' HOME is a temp dir)."""
    home = pwd.getpwuid(os.getuid()).pw_dir
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    uv_pythons = _REAL_ENV.get("UV_PYTHON_INSTALL_DIR") or \
        os.path.join(_REAL_ENV.get("XDG_DATA_HOME") or f"{home}/.local/share", "uv", "python")
    patterns = [f"{uv_pythons}/cpython-3.*/bin/python3.*", f"{home}/.pyenv/versions/3.*/bin/python3.*",
                "/usr/local/bin/python3.*", "/usr/bin/python3.*"]
    found = {}
    for pattern in patterns:
        for path in glob.glob(pattern):
            name = os.path.basename(path)[len("python"):]
            if not re.fullmatch(r"3\.\d+", name) or name == mine:
                continue
            r = subprocess.run([path, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
            version = tuple(int(x) for x in r.stdout.strip().split(".")) if r.returncode == 0 else ()
            # Newer than the test interpreter: the projects ask for >=3.11.
            if version > sys.version_info[:2]:
                found.setdefault(version, Path(path))
    return found[max(found)] if found else None


@pytest.fixture
def newer_python_first(tmp_path, shell_env) -> tuple[dict, str]:
    """The shells' env with a newer interpreter as `python` first on PATH and
    Poetry's default of taking `python` from PATH (not its own); returns
    (env, that Python's X.Y)."""
    found = other_python()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("a second CPython of another minor version is needed (.ci/run installs one with uv)")
        pytest.skip("no CPython of another minor version on this machine")
    d = tmp_path / "otherpy"
    d.mkdir()
    os.symlink(found, d / "python")
    minor = subprocess.run([str(found), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    env = dict(shell_env, PATH=f"{d}:{shell_env['PATH']}", POETRY_VIRTUALENVS_USE_POETRY_PYTHON="false")
    return env, minor


def poetry_logger(tmp_path: Path, env: dict) -> tuple[dict, Path]:
    """A `poetry` first on PATH that logs its arguments, then runs the real one."""
    d = tmp_path / "poetrywrap"
    d.mkdir()
    log = tmp_path / "poetry.log"
    real = subprocess.run(["sh", "-c", "command -v poetry"], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()
    (d / "poetry").write_text(f"#!/bin/sh\necho \"$*\" >> '{log}'\nexec '{real}' \"$@\"\n")
    (d / "poetry").chmod(0o755)
    return dict(env, PATH=f"{d}:{env['PATH']}"), log


def poetry_tool_env(env: dict) -> dict:
    """tool_env, keeping Poetry's default of `python` from PATH (the shells' choice here)."""
    return dict(tool_env(env), POETRY_VIRTUALENVS_USE_POETRY_PYTHON="false")


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def outside_project(root: Path, index_url: str, env: dict) -> Path:
    """A Poetry project whose env lives outside it (no poetry.toml: in-project unset, no .venv)."""
    return make_poetry_project(root, index_url, package_mode=False, in_project=None, env=tool_env(env))


@pytest.mark.parametrize("shell", ["bash"])
def test_poetry_picks_another_python_and_every_shell_sees_that_env(open_shell, tmp_path, package_index,
                                                                   newer_python_first):
    env, minor = newer_python_first
    env, log = poetry_logger(tmp_path, env)
    root = outside_project(tmp_path / "demo", package_index.url, env)
    # Untrusted: status runs no tool to learn where the env is.
    assert status_json(root, env)["state"] == "untrusted"
    assert calls(log) == [], "status of an untrusted project runs nothing"

    envhook("allow", cwd=root, env=env, check=True)
    s = open_shell(cwd=root, env=env)
    where = poetry_env_path(root, poetry_tool_env(env))
    assert where is not None and where.name.endswith(f"-py{minor}"), (where, s.startup_output)
    assert "failed" not in s.startup_output, s.startup_output
    # The shell that ran the sync activates the env Poetry made.
    assert s.get("ENVHOOK_STATE") == "in-sync", s.startup_output
    assert s.get("VIRTUAL_ENV") == str(where)
    assert s.run("python -c 'import sys, tinkerpkg; print(sys.version_info[1], tinkerpkg.__version__)'").split() \
        == [minor.split(".")[1], "1.0"]
    asked = [c for c in calls(log) if c.startswith("env info")]
    assert len(asked) == 1, calls(log)

    # Another shell: the same env, in sync, nothing "changed by hand", no UV_NO_SYNC.
    before = len(calls(log))
    t = open_shell(cwd=root, env=env)
    assert "changed by hand" not in t.startup_output, t.startup_output
    assert (t.get("ENVHOOK_STATE"), t.get("VIRTUAL_ENV"), t.get("UV_NO_SYNC")) == ("in-sync", str(where), None)
    data = status_json(root, env)
    assert (data["state"], data["env"], data["drift"]) == ("in-sync", str(where), []), data
    for sess in (s, t):
        sess.run("cd / && cd -")
    assert calls(log)[before:] == [], "a prompt never asks Poetry where its env is"

    # A change of the inputs is synced into that env, in both shells.
    relock_poetry(root, ["tinkerpkg==2.0"], tool_env(env))
    out = t.run("true")
    assert "syncing demo (poetry.lock changed" in out, out
    assert t.run("python -c 'import tinkerpkg; print(tinkerpkg.__version__)'").strip() == "2.0"
    assert "changed by hand" not in s.run("true")
    assert s.get("ENVHOOK_STATE") == "in-sync" and t.get("ENVHOOK_STATE") == "in-sync"


def test_envhook_run_in_a_fresh_clone_runs_the_command_in_the_env_poetry_made(tmp_path, package_index,
                                                                               newer_python_first):
    env, minor = newer_python_first
    root = outside_project(tmp_path / "demo", package_index.url, env)
    envhook("allow", cwd=root, env=env, check=True)
    r = subprocess.run(["envhook", "run", "--", "python", "-c",
                        "import sys, tinkerpkg; print(sys.version_info[1], tinkerpkg.__version__)"],
                       cwd=root, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r
    assert r.stdout.split() == [minor.split(".")[1], "1.0"], r
    where = poetry_env_path(root, poetry_tool_env(env))
    data = status_json(root, env)
    assert (data["state"], data["env"]) == ("in-sync", str(where)), data


@pytest.mark.parametrize("shell", ["bash"])
def test_pdm_with_its_venvs_outside_the_project_every_shell_sees_that_env(open_shell, tmp_path, package_index,
                                                                          shell_env):
    """PDM's `venv.in_project = false`: the first sync makes the env under
    PDM's venvs dir and writes its interpreter to .pdm-python, which is
    where envhook looks, in the shell that synced as in any other."""
    from support.backend_projects import make_pdm_project

    env = dict(shell_env, PDM_VENV_IN_PROJECT="false")
    root = make_pdm_project(tmp_path / "demo", package_index.url, env=tool_env(env))
    envhook("allow", cwd=root, env=env, check=True)
    s = open_shell(cwd=root, env=env)
    assert "failed" not in s.startup_output, s.startup_output
    chosen = Path((root / ".pdm-python").read_text().strip()).parent.parent
    assert not (root / ".venv").exists() and chosen.is_relative_to(env["XDG_DATA_HOME"]), chosen
    assert (s.get("ENVHOOK_STATE"), s.get("VIRTUAL_ENV")) == ("in-sync", str(chosen)), s.startup_output
    t = open_shell(cwd=root, env=env)
    assert "changed by hand" not in t.startup_output, t.startup_output
    assert (t.get("ENVHOOK_STATE"), t.get("VIRTUAL_ENV"), t.get("UV_NO_SYNC")) == ("in-sync", str(chosen), None)
    assert status_json(root, env)["drift"] == []
