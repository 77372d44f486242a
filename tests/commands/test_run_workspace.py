"""`envhook run` in a uv workspace whose env carries a hand-made change
(issue 28, point 7). Telling a person's change from uv's own workspace
commands (`uv run` in a member, `uv sync --package`) takes one dry run per
selection; a prompt learns the answer once and replays it, and so must a
run: README's "nothing changed: no process but CMD" holds for `run` too.

Real uv behind a logging wrapper (support.hooktest.uv_wrapper), offline."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.hooktest import envhook, status_json, uv_wrapper, version_in_env
from support.localpkg import make_local_package
from support.projects import make_project, run_uv, uv_lock

MEMBERS = ("m1", "m2", "m3", "m4", "m5")


@pytest.fixture
def workspace(tmp_path, wheelhouse, shell_env) -> Path:
    """A uv workspace of five buildable members (m1 needs tinkerpkg, the others
    need m1): locked, trusted, not synced."""
    root = make_project(tmp_path / "ws", wheelhouse, name="ws", dependencies=["chaina", *MEMBERS],
                        workspace_members=["packages/*"],
                        extra_toml="[tool.uv.sources]\n" + "".join(f"{m} = {{ workspace = true }}\n"
                                                                   for m in MEMBERS))
    make_local_package(root / "packages" / "m1", "m1", "0.1.0", ("tinkerpkg==1.0",))
    for m in MEMBERS[1:]:
        make_local_package(root / "packages" / m, m, "0.1.0", ("m1",))
        with open(root / "packages" / m / "pyproject.toml", "a") as f:
            f.write("\n[tool.uv.sources]\nm1 = { workspace = true }\n")
    uv_lock(root, shell_env)
    envhook("allow", cwd=root, env=shell_env, check=True)
    return root


def uv_calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def run(root: Path, env: dict, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["envhook", "run", "--", *cmd], cwd=root, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("shell", ["bash"])
def test_a_run_learns_once_that_a_hand_made_change_is_no_uv_command(workspace, tmp_path, shell_env, wheelhouse,
                                                                     open_shell):
    env, log = uv_wrapper(tmp_path, shell_env)
    assert run(workspace, env, "true").returncode == 0
    assert version_in_env(workspace, "m5") == "0.1.0", "test setup: the whole workspace is synced"
    run_uv(workspace, shell_env, "pip", "install", "-q", "--no-index", "--find-links", str(wheelhouse),
           "extrapkg==1.0")
    log.write_text("")
    first = run(workspace, env, "true")
    assert first.returncode == 0, first
    learned = uv_calls(log)
    assert learned, "test setup: the first run asks uv"
    for _ in range(3):
        log.write_text("")
        r = run(workspace, env, "sh", "-c", 'echo "$ENVHOOK_STATE $UV_NO_SYNC"')
        assert (r.returncode, r.stdout) == (0, "tinkered 1\n"), r
        assert uv_calls(log) == [], f"nothing changed: no process but CMD (the first run made {len(learned)})"
    # A hooked shell's full evaluation reads what the run learned too.
    log.write_text("")
    s = open_shell(cwd=workspace, env=env, sh="bash")
    assert "changed by hand (+ extrapkg 1.0)" in s.startup_output, s.startup_output
    assert s.get("ENVHOOK_STATE") == "tinkered"
    assert [c for c in uv_calls(log) if "--dry-run" in c] == [], uv_calls(log)
    # What was learned is about the env as it was: a new change is looked at again.
    run_uv(workspace, shell_env, "pip", "uninstall", "-q", "extrapkg")
    log.write_text("")
    r = run(workspace, env, "sh", "-c", 'echo "$ENVHOOK_STATE"')
    assert r.stdout == "in-sync\n", r
    assert status_json(workspace, env)["state"] == "in-sync"


def test_what_was_learned_is_about_that_env_only(workspace, tmp_path, shell_env, wheelhouse):
    """After a run learned that a hand-made change is no uv command, uv's own
    `uv sync --package m1` (which removes it, and the root's packages) is
    still recognised as uv's: the env it left is another question."""
    env, log = uv_wrapper(tmp_path, shell_env)
    assert run(workspace, env, "true").returncode == 0
    run_uv(workspace, shell_env, "pip", "install", "-q", "--no-index", "--find-links", str(wheelhouse),
           "extrapkg==1.0")
    assert run(workspace, env, "sh", "-c", 'echo "$ENVHOOK_STATE"').stdout == "tinkered\n"
    run_uv(workspace, shell_env, "sync", "-q", "--package", "m1")
    assert version_in_env(workspace, "extrapkg") is None and version_in_env(workspace, "chaina") is None
    r = run(workspace, env, "sh", "-c", 'echo "$ENVHOOK_STATE ${UV_NO_SYNC-unset}"')
    assert r.stdout == "in-sync unset\n", r
    log.write_text("")
    assert run(workspace, env, "true").returncode == 0
    assert uv_calls(log) == [], "recorded as in sync: nothing to ask"
