"""A uv `path` source's own files are inputs (issue 28, point 6).

langgraph's layout: `libs/langgraph` depends on `langgraph-checkpoint`
through `[tool.uv.sources] … = { path = "../checkpoint", editable = true }`.
A dependency added to `../checkpoint/pyproject.toml` changes what `uv sync`
installs (uv's `--locked` says the lock needs updating), so that file is
watched, fingerprinted and covered by paranoid trust like the project's own;
outside the project it also follows the ownership rule of tool config files
(another user's path source would be built as you), and a path source you
denied stops the sync.

Real bash, real uv, packages built offline by an in-tree backend."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from support.hooktest import envhook, q, status_json, version_in_env
from support.localpkg import make_local_package
from support.projects import make_project, uv_lock

SOURCES = '[tool.uv.sources]\ncheckpoint = { path = "../checkpoint", editable = true }\n'


@pytest.fixture
def shell() -> str:
    return "bash"


def libs(tmp_path: Path, wheelhouse: Path, env: dict, checkpoint: Path | None = None) -> tuple[Path, Path]:
    """`libs/app` (depends on checkpoint, a path source) and `libs/checkpoint`
    (tinkerpkg 1.0): locked, not trusted. `checkpoint`: the source's directory
    when it is made elsewhere (then the path in [tool.uv.sources] is absolute)."""
    app = make_project(tmp_path / "libs" / "app", wheelhouse, name="app", dependencies=["checkpoint"],
                       extra_toml=SOURCES if checkpoint is None else SOURCES.replace("../checkpoint", str(checkpoint)))
    cp = checkpoint or make_local_package(tmp_path / "libs" / "checkpoint", "checkpoint", "0.1.0", ("tinkerpkg==1.0",))
    uv_lock(app, env)
    return app, cp


def add_dependency(source: Path, dep: str) -> None:
    text = (source / "pyproject.toml").read_text()
    (source / "pyproject.toml").write_text(text.replace('dependencies = ["tinkerpkg==1.0"]',
                                                        f'dependencies = ["tinkerpkg==1.0", "{dep}"]'))


def uv_says_locked(app: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["uv", "sync", "--locked", "--dry-run"], cwd=app, env=env, capture_output=True, text=True)


def test_a_dependency_added_to_a_path_source_is_synced(open_shell, tmp_path, wheelhouse, shell_env):
    app, cp = libs(tmp_path, wheelhouse, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    s = open_shell(cwd=app)
    assert version_in_env(app, "checkpoint") == "0.1.0" and version_in_env(app) == "1.0", s.startup_output
    add_dependency(cp, "extrapkg==1.0")
    assert uv_says_locked(app, shell_env).returncode != 0, "test setup: uv sees the lock out of date"
    out = s.run("true")
    assert f"syncing app ({cp / 'pyproject.toml'} changed" in out, out
    assert version_in_env(app, "extrapkg") == "1.0", out
    assert uv_says_locked(app, shell_env).returncode == 0
    data = status_json(app, shell_env)
    assert (data["state"], data["drift"]) == ("in-sync", []), data


def test_status_of_a_changed_path_source_says_stale(tmp_path, wheelhouse, shell_env):
    app, cp = libs(tmp_path, wheelhouse, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    envhook("sync", cwd=app, env=shell_env, check=True)
    add_dependency(cp, "extrapkg==1.0")
    data = status_json(app, shell_env)
    assert data["state"] == "stale" and f"{cp / 'pyproject.toml'} changed" in data["reasons"], data


def test_paranoid_trust_covers_a_path_source(tmp_path, wheelhouse, shell_env):
    env = dict(shell_env, ENVHOOK_PARANOID="1")
    app, cp = libs(tmp_path, wheelhouse, env)
    envhook("allow", cwd=app, env=env, check=True)
    assert status_json(app, env)["trusted"] is True
    add_dependency(cp, "extrapkg==1.0")
    data = status_json(app, env)
    assert data["trusted"] is False and data["state"] == "untrusted", data
    assert f"{cp / 'pyproject.toml'} changed since `envhook allow`" in data["reasons"], data
    r = envhook("sync", cwd=app, env=env)
    assert r.returncode != 0 and not (app / ".venv").exists(), r


def test_a_denied_path_source_stops_the_sync(tmp_path, wheelhouse, shell_env):
    app, cp = libs(tmp_path, wheelhouse, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    envhook("deny", cwd=cp, env=shell_env, check=True)
    data = status_json(app, shell_env)
    assert data["state"] == "untrusted" and str(cp) in data["reasons"][0] and "denied" in data["reasons"][0], data
    r = envhook("run", "--", "true", cwd=app, env=shell_env)
    assert r.returncode == 126 and not (app / ".venv").exists(), r


def test_another_users_path_source_is_built_only_once_accepted(users, tmp_path, wheelhouse, shell_env, open_shell):
    """The source lies in a directory another user owns: its build backend
    would run as you, so nothing is synced until you accept its files."""
    from support.users import world_dir

    home = world_dir(users, "their-libs", 0o755)
    os.chown(home, users.other.uid, users.other.gid)  # their own directory, as their home would be
    theirs = home / "checkpoint"
    made = make_local_package(tmp_path / "template", "checkpoint", "0.1.0", ("tinkerpkg==1.0",))
    for f in made.rglob("*"):
        if f.is_file():
            target = theirs / f.relative_to(made)
            users.other.run(["mkdir", "-p", str(target.parent)], check=True)
            users.other.write(target, f.read_bytes())
    app, _ = libs(tmp_path, wheelhouse, shell_env, checkpoint=theirs)
    envhook("allow", cwd=app, env=shell_env, check=True)
    data = status_json(app, shell_env)
    assert data["trusted"] is False, data
    why = data["reasons"][0]
    assert str(theirs / "pyproject.toml") in why and f"uid {users.other.uid}" in why and "--config" in why, why
    s = open_shell(cwd=app)
    assert not (app / ".venv").exists() and s.get("ENVHOOK_STATE") == "untrusted", s.startup_output
    r = envhook("allow", "--config", str(theirs / "pyproject.toml"), cwd=app, env=shell_env)
    assert r.returncode == 0, r
    out = s.run(f"cd {q('bash', app)}")
    assert version_in_env(app, "checkpoint") == "0.1.0", out
