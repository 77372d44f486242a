"""`envhook sync`'s exit status, which follows the same rule as `envhook
run` (decide.pipeline.exit_status): Ctrl-C during the sync exits 130, as a
shell reports SIGINT, and a sync the tool failed exits with the tool's own
status. Real uv (offline, from the tests' wheels) behind a wrapper that
slows or fails it."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from support.hooktest import status_json, trusted_project, uv_wrapper


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env):
    """A cloned uv project `demo`: locked, trusted, no env yet."""
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env)


def _wrap(tmp_path, shell_env, action: str) -> dict:
    """uv, but `action` (shell code) runs first for a real sync (not a dry run or a check)."""
    env, _ = uv_wrapper(tmp_path, shell_env)
    wrapper = tmp_path / "uvwrap" / "uv"
    wrapper.write_text(wrapper.read_text().replace(
        "exec ", f'case "$*" in *sync*) case "$*" in *--dry-run*|*--check*) ;; *) {action} ;; esac ;; esac\nexec ', 1))
    return env


def test_ctrl_c_during_envhook_sync_exits_130_and_is_recorded(project, shell_env, tmp_path):
    env = _wrap(tmp_path, shell_env, "sleep 5")
    # Its own process group, which Ctrl-C signals as a terminal does.
    p = subprocess.Popen(["envhook", "sync"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    time.sleep(2)
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130, (p.returncode, err)
    assert "Traceback" not in err and "interrupted" in err, err
    assert status_json(project, shell_env)["last_sync"]["status"] == "interrupted"


def test_a_failed_envhook_sync_exits_with_the_tools_status(project, shell_env, tmp_path):
    env = _wrap(tmp_path, shell_env, "echo 'no resolution' >&2; exit 3")
    r = subprocess.run(["envhook", "sync"], cwd=project, env=env, capture_output=True, text=True)
    assert r.returncode == 3, r
    assert "Traceback" not in r.stderr, r.stderr
    data = status_json(project, shell_env)
    assert data["state"] == "failed" and data["failure"]["exit"] == 3, data
