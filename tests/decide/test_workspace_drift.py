"""Drift says what uv says (issue 28, point 9). After `uv sync --package M`
in a workspace, envhook rightly records the env as in sync (uv's own
command, not tinkering), but the env lacks what a plain `uv sync` at the
root installs; `envhook status` must not say "the env matches uv.lock":
its drift is what a plain sync would change, and it says why the env is
recorded as in sync anyway.

Real uv, offline; the workspace is buildable by an in-tree backend."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support.hooktest import envhook, status_json, version_in_env
from support.localpkg import make_local_package
from support.projects import make_project, run_uv, uv_lock


@pytest.fixture
def workspace(tmp_path, wheelhouse, shell_env) -> Path:
    """A uv workspace: root `ws` (chaina), members m1 (tinkerpkg) and m2
    (otherpkg, m1): locked, trusted, synced by envhook."""
    root = make_project(tmp_path / "ws", wheelhouse, name="ws", dependencies=["chaina"],
                        workspace_members=["packages/*"])
    make_local_package(root / "packages" / "m1", "m1", "0.1.0", ("tinkerpkg==1.0",))
    make_local_package(root / "packages" / "m2", "m2", "0.2.0", ("otherpkg", "m1"))
    with open(root / "packages" / "m2" / "pyproject.toml", "a") as f:
        f.write("\n[tool.uv.sources]\nm1 = { workspace = true }\n")
    uv_lock(root, shell_env)
    envhook("allow", cwd=root, env=shell_env, check=True)
    envhook("sync", cwd=root, env=shell_env, check=True)
    return root


def plain_sync_changes(root: Path, env: dict) -> dict[str, str | None]:
    """What uv's own plain `uv sync` at the root would change: name → locked version (None: removed)."""
    r = subprocess.run(["uv", "sync", "--locked", "--dry-run", "--output-format", "json"], cwd=root, env=env,
                       capture_output=True, text=True)
    changes = json.loads(r.stdout)["sync"]["changes"]
    return {c["name"]: (c.get("version") if c["action"] == "installed" else None) for c in changes}


@pytest.mark.parametrize("recorded_by", ["run", "status"])
def test_after_uv_sync_package_drift_is_what_a_plain_sync_would_change(workspace, shell_env, recorded_by):
    run_uv(workspace, shell_env, "sync", "-q", "--package", "m1")
    assert version_in_env(workspace, "chaina") is None, "test setup: uv sync --package m1 left the root's out"
    if recorded_by == "run":
        # The next look records the env as in sync (a prompt does the same).
        r = subprocess.run(["envhook", "run", "--", "true"], cwd=workspace, env=shell_env, capture_output=True,
                           text=True)
        assert r.returncode == 0 and "changed by hand" not in r.stderr, r
    uv_says = plain_sync_changes(workspace, shell_env)
    assert uv_says.get("chaina") == "2.0", f"test setup: a plain sync installs chaina: {uv_says}"
    data = status_json(workspace, shell_env)
    assert data["state"] == "in-sync", data
    drift = {d["name"]: d["locked"] for d in data["drift"]}
    assert drift == uv_says, (data["drift"], uv_says)
    assert data["partial"] is True, data
    text = envhook("status", cwd=workspace, env=shell_env).stdout
    assert "matches uv.lock" not in text, text
    assert "- chaina (lock: 2.0)" in text and "uv's own workspace commands" in text, text


def test_an_env_envhook_synced_says_it_matches_without_asking(workspace, shell_env):
    data = status_json(workspace, shell_env)
    assert (data["state"], data["drift"], data["partial"]) == ("in-sync", [], False), data
    assert "drift:   none (the env matches uv.lock)" in envhook("status", cwd=workspace, env=shell_env).stdout
