"""The contract rows every shell hooked outside the sh family answers the
same way, in the same words (issue 19): xonsh, nushell, elvish, tcsh. Each runs
in a real interactive shell over real uv projects offline; what differs
per shell (quoting, hooks, processes) is in that shell's own module."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.hooktest import envhook, lines_with, pip_install, q, status_json, trusted_project, version_in_env
from support.projects import set_dependencies, uv_lock
from support.shell import require_shell

HOSTILE = {"mixed": "'\";&&e-$ èрт🚒♞中片-j", "space": "a b", "dollar-paren": "$(touch pwned)",
           "newline": "line\nbreak", "backslash-end": "ends with backslash\\"}


@pytest.fixture(params=["xonsh", "nu", "elvish", "tcsh"])
def shell(request) -> str:
    """These shells (conftest's `shell` is bash, zsh and fish, whose rows are tests/prompt/test_hook_contract.py)."""
    require_shell(request.param)
    return request.param


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])


def test_untrusted_is_said_once_and_nothing_is_created(open_shell, shell, tmp_path, wheelhouse, shell_env):
    from support.projects import make_project

    p = make_project(tmp_path / "demo", wheelhouse)
    s = open_shell(cwd=tmp_path)
    out = s.run(f"cd {q(shell, p)}")
    assert lines_with(out, "is not trusted") == [
        f"envhook: demo ({p}) is not trusted; `envhook allow` to sync and activate its env"], out
    assert "not trusted" not in s.run("echo again")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted"
    assert not (p / ".venv").exists()
    out = s.run("envhook allow")
    assert "syncing demo" in out, out  # the prompt right after it
    assert s.get("VIRTUAL_ENV") == str(p / ".venv") and s.get("ENVHOOK_STATE") == "in-sync"


def test_hand_made_change_notice_and_uv_no_sync(open_shell, shell, project, wheelhouse):
    s = open_shell(cwd=project)
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert lines_with(out, "env changed by hand") == [
        "envhook: demo env changed by hand (tinkerpkg 1.0 → 2.0) — kept by envhook's syncs and `uv run`; "
        "`envhook sync` resets it"], out
    assert s.get("ENVHOOK_STATE") == "tinkered" and s.get("UV_NO_SYNC") == "1"
    assert "changed by hand" not in s.run("echo again")


def test_pinned_exports_uv_no_sync_and_is_not_synced(open_shell, shell, project, shell_env):
    s = open_shell(cwd=project)
    s.run("envhook pin")
    s.run("echo next")
    assert s.get("ENVHOOK_STATE") == "pinned" and s.get("UV_NO_SYNC") == "1"
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==2.0"])
    uv_lock(project, shell_env)
    out = s.run("echo changed")
    assert "is pinned, so it was not synced" in out, out
    assert version_in_env(project) == "1.0"


def test_a_failure_is_said_once(open_shell, shell, tmp_path, wheelhouse, shell_env):
    from support.projects import make_project

    p = make_project(tmp_path / "broken", wheelhouse, dependencies=["tinkerpkg==9.9"])
    envhook("allow", cwd=p, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    out = s.run(f"cd {q(shell, p)}")
    assert "is left as it is; `envhook sync` retries" in out, out
    assert not any(w in out for w in ("Traceback", "Exception", "Error")), out
    again = s.run("echo again")
    assert "sync" not in again, again
    assert s.get("ENVHOOK_STATE") == "failed"
    assert status_json(p, shell_env)["state"] == "failed"


# tcsh's own module has this row: a newline cannot be typed at its prompt, so
# there the directory is entered from the rc.
@pytest.mark.parametrize("shell", ["xonsh", "nu", "elvish"], indirect=True)
@pytest.mark.parametrize("name", list(HOSTILE.values()), ids=list(HOSTILE))
def test_project_under_a_hostile_directory(open_shell, shell, tmp_path, wheelhouse, shell_env, name):
    p = trusted_project(tmp_path / name / "proj", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    s = open_shell(cwd=tmp_path)
    before = s.get("PATH")
    s.run(f"cd {q(shell, p)}")
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    assert s.get("PATH") == f"{p / '.venv' / 'bin'}:{before}"
    s.run("cd /")
    assert s.get("VIRTUAL_ENV") is None and s.get("PATH") == before
    assert not list(tmp_path.rglob("pwned*"))
