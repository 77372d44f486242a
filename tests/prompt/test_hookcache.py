"""The decision cache (prompt/hookcache.py) is replayed only while nothing
its decision read has moved, the variables that decide where the project's
env lives included: those of its backend (Backend.location_vars), which the
full evaluation records by name, since the prompt never loads a backend.

Each test runs the hook's entry exactly as the hook does (tests/prompt/
test_imports.py does the same) and tells a replay from a full evaluation by
what it imported."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from envhook.commands.hook import entry as hook_entry, import_path
from envhook.prompt.shells import get_shell
from envhook.prompt import hookcache
from envhook.store import paths
from envhook.store.records import atomic_write
from support.projects import make_project


def entry(cwd: Path, env: dict) -> tuple[bool, subprocess.CompletedProcess]:
    """(did it replay the cache, the run) for the hook's entry in `cwd`."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-I", "-S", "-c", hook_entry(get_shell("bash").protocol), "bash", *import_path()],
                       cwd=cwd, env=dict(env, PWD=str(cwd), _ENVHOOK_SESSION="t1"), capture_output=True, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    imported = {ln.rsplit("|", 1)[1].strip() for ln in r.stderr.splitlines()
                if ln.startswith("import time:") and "|" in ln}
    assert "envhook.prompt.entry" in imported, r.stderr  # the probe works
    return "envhook.prompt.evaluate" not in imported, r


def cached(p: Path, env: dict) -> None:
    """Trusted and synced, its decision cached: the next entry replays it."""
    subprocess.run(["envhook", "allow"], cwd=p, env=env, check=True, capture_output=True)
    subprocess.run(["envhook", "sync"], cwd=p, env=env, check=True, capture_output=True)
    time.sleep(2.1)  # files changed within 2 s are racily clean: not cached (hookcache.RACY_NS)
    entry(p, env)
    assert entry(p, env)[0], "the decision was not cached"


def test_a_uv_projects_replay_ignores_the_other_backends_variables(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    cached(p, shell_env)
    for var in ("POETRY_VIRTUALENVS_PATH", "POETRY_VIRTUALENVS_IN_PROJECT", "PDM_VENV_IN_PROJECT"):
        assert entry(p, dict(shell_env, **{var: str(tmp_path / "elsewhere")}))[0], var
    # Its own variable moves its env: only a full evaluation can say where.
    replayed, r = entry(p, dict(shell_env, UV_PROJECT_ENVIRONMENT="build/env"))
    assert not replayed and str(p / "build" / "env") in r.stdout


def test_changing_poetry_virtualenvs_path_between_prompts_is_not_replayed(tmp_path, package_index, shell_env):
    from support.backend_projects import make_poetry_project, tool_env

    first, second = tmp_path / "venvs-1", tmp_path / "venvs-2"
    env = dict(shell_env, POETRY_VIRTUALENVS_PATH=str(first))
    p = make_poetry_project(tmp_path / "demo", package_index.url, package_mode=False, in_project=False,
                            env=tool_env(env))
    cached(p, env)
    replayed, r = entry(p, env)
    assert replayed and str(first) in r.stdout, r.stdout
    # Another shell, with Poetry's envs elsewhere: that env is not the one
    # the cache names; the full evaluation syncs it there and activates it.
    replayed, r = entry(p, dict(env, POETRY_VIRTUALENVS_PATH=str(second)))
    assert not replayed, r.stdout
    assert str(second) in r.stdout and str(first) not in r.stdout, r.stdout


def test_a_cache_of_the_old_format_is_decided_afresh(tmp_path, wheelhouse, shell_env):
    """A cache written by envhook before the backend's variables were
    recorded by name (format 5): never replayed, never a traceback; the full
    evaluation writes it again in the current format."""
    p = make_project(tmp_path / "demo", wheelhouse)
    cached(p, shell_env)
    cache = paths.decision_file(paths.state_dir(), os.path.realpath(p))
    d = hookcache.read(cache)
    flat = [x for dep in d.deps for x in dep]
    inputs = [x for path, dg in d.inputs.items() for x in (path, dg or "-")]
    # Format 5: the variables of every backend as one string, before the backend.
    old = hookcache._pack(["envhook-decision-5", "", d.backend, d.root, d.name, d.act.words(), d.known, d.watch,
                           d.absent, d.present, flat, inputs])
    atomic_write(Path(cache), old)
    replayed, r = entry(p, shell_env)
    assert not replayed and str(p / ".venv") in r.stdout, r.stdout
    assert entry(p, shell_env)[0]
    assert hookcache.read(cache) is not None
