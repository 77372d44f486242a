"""An env another tool recreated after envhook's sync (issue 28, point 2):
`python3 -m venv --clear .venv`, or `rm -rf .venv && python3 -m venv .venv`
(or `uv venv`) on one command line, leaves a new pyvenv.cfg and a site-packages with
nothing of the project. That env has nothing to lose, so it is filled, as
an empty env another tool made is; what envhook's last sync left in the old
one says nothing about what a person removed from this one. A removal from
the same env is still a hand-made change.

Real interactive shells, real uv, real `python -m venv`, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.hooktest import lines_with, status_json, trusted_project, version_in_env, write_config

RECREATE = {
    "clear": "python3 -m venv --clear .venv",
    "rm": "rm -rf .venv && python3 -m venv .venv",
    # The same pyvenv.cfg, byte for byte, as uv sync wrote it, often in the same inode.
    "uv": "rm -rf .venv && uv venv -q",
}


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A cloned uv project (chaina → chainb → chainc, tinkerpkg 1.0): locked, trusted, no env."""
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env)


@pytest.mark.parametrize("how", sorted(RECREATE))
def test_an_env_recreated_by_python_m_venv_is_filled(open_shell, shell, project, how, shell_env):
    s = open_shell(cwd=project)
    assert version_in_env(project) == "1.0", s.startup_output
    out = s.run(RECREATE[how])  # the env's own python3 (the shell is in it), as a person types it
    out += s.run("true")
    assert version_in_env(project) == "1.0" and version_in_env(project, "chainc") == "2.0", out
    assert "kept your removal" not in out and "changed by hand" not in out, out
    assert len(lines_with(out, "syncing demo")) == 1, out
    assert (s.get("ENVHOOK_STATE"), s.get("UV_NO_SYNC")) == ("in-sync", None), out
    data = status_json(project, shell_env)
    assert (data["state"], data["drift"]) == ("in-sync", []), data


@pytest.mark.parametrize("shell", ["bash"])
def test_under_sync_missing_a_recreated_env_is_filled_too(open_shell, shell, project, shell_env):
    write_config(shell_env, 'sync = "missing"\n')
    s = open_shell(cwd=project)
    assert version_in_env(project) == "1.0", s.startup_output
    out = s.run(RECREATE["clear"])
    out += s.run("true")
    assert version_in_env(project) == "1.0", out
    assert "kept your removal" not in out and "not synced" not in out, out
    assert s.get("ENVHOOK_STATE") == "in-sync", out


@pytest.mark.parametrize("shell", ["bash"])
def test_a_recreated_env_with_something_installed_keeps_that(open_shell, shell, project, wheelhouse):
    """What a person put into the new env, and the lock does not have, is
    theirs: kept and told, while the rest is filled."""
    s = open_shell(cwd=project)
    out = s.run(f"{RECREATE['rm']} && .venv/bin/python -m pip install -q --no-index --find-links {wheelhouse} "
                "extrapkg==1.0")
    out += s.run("true")
    assert version_in_env(project, "extrapkg") == "1.0", out
    assert version_in_env(project) == "1.0", f"the rest is filled:\n{out}"
    assert "kept your extrapkg 1.0" in out or "+ extrapkg 1.0" in out, out
    assert s.get("ENVHOOK_STATE") == "tinkered", out


@pytest.mark.parametrize("shell", ["bash"])
def test_a_removal_from_the_same_env_is_still_by_hand(open_shell, shell, project):
    s = open_shell(cwd=project)
    out = s.run("uv pip uninstall -q tinkerpkg")
    out += s.run("true")
    assert "changed by hand (- tinkerpkg 1.0)" in out, out
    assert version_in_env(project) is None and s.get("ENVHOOK_STATE") == "tinkered"
