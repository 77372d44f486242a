"""`sync = "missing"` (issue 20): the hook creates and installs a missing (or
empty) env and never touches an existing one; input changes are said once,
not synced, and `envhook sync` brings them in. Real bash, zsh and fish, real
uv offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.hooktest import (
    envhook,
    envhook_syncs,
    lines_with,
    pip_install,
    status_json,
    trusted_project,
    uv_wrapper,
    version_in_env,
    write_config,
)
from support.projects import run_uv, set_dependencies, uv_lock

NOT_SYNCED = 'not synced (sync = "missing") \u2014 `envhook sync` brings it in'




@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A cloned uv project `demo` (chaina, tinkerpkg 1.0): locked, trusted, no env."""
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env)


def test_missing_mode_creates_then_never_syncs_until_asked(open_shell, shell, project, shell_env, wheelhouse,
                                                           tmp_path):
    write_config(shell_env, 'sync = "missing"\n')
    env, log = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    assert "syncing demo (env does not exist)" in s.startup_output, s.startup_output
    assert version_in_env(project, "chainc") == "2.0" and version_in_env(project) == "1.0"
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("UV_NO_SYNC") == "1", "uv run must leave the env too"
    first = len(envhook_syncs(log, s))

    # A teammate's lock change: said once, not synced.
    set_dependencies(project, ["chaina", "tinkerpkg==2.0", "extrapkg"])
    out = s.run("uv lock -q")
    assert lines_with(out, NOT_SYNCED) == [
        f"envhook: demo's pyproject.toml changed, uv.lock changed; {NOT_SYNCED}"], out
    assert "not synced" not in s.run("true"), "said once per change"
    assert version_in_env(project) == "1.0" and version_in_env(project, "extrapkg") is None
    assert len(envhook_syncs(log, s)) == first, log.read_text()
    assert s.get("ENVHOOK_STATE") == "stale" and s.get("UV_NO_SYNC") == "1"
    data = status_json(project, env)
    assert data["state"] == "stale", data
    assert {(c["name"], c["installed"], c["locked"]) for c in data["drift"]} == {
        ("tinkerpkg", "1.0", "2.0"), ("extrapkg", None, "1.0")}, data["drift"]
    text = envhook("status", cwd=project, env=env).stdout
    assert 'not synced (sync = "missing"' in text, text

    # uv run does not sync either (UV_NO_SYNC).
    out = s.run("uv run -q python -c 'import tinkerpkg; print(tinkerpkg.__version__)'")
    assert "1.0" in out.split() and version_in_env(project) == "1.0", out

    # The next change is news again.
    set_dependencies(project, ["chaina", "tinkerpkg==3.0"])
    out = s.run("uv lock -q")
    assert len(lines_with(out, NOT_SYNCED)) == 1, out

    # `envhook sync` brings it in, keeping a hand-made change (tinkered = "keep").
    s.run(pip_install(shell, wheelhouse, "chainc==1.0"))
    out = s.run("envhook sync")
    assert version_in_env(project) == "3.0", out
    assert version_in_env(project, "chainc") == "1.0", f"envhook sync keeps hand-made changes here:\n{out}"
    assert "kept your chainc 1.0 (lock: 2.0)" in out, out
    assert "changed by hand" not in out, f"the summary line is the notice; it is not said again:\n{out}"
    assert s.get("ENVHOOK_STATE") == "tinkered"
    out = s.run("envhook sync --reset")
    assert version_in_env(project, "chainc") == "2.0" and s.get("ENVHOOK_STATE") == "in-sync", out


def test_missing_mode_fills_an_empty_env_and_recreates_a_deleted_one(open_shell, shell, project, shell_env):
    write_config(shell_env, 'sync = "missing"\n')
    run_uv(project, shell_env, "venv")
    s = open_shell(cwd=project)
    assert "the env holds none of the project's packages yet" in s.startup_output, s.startup_output
    assert version_in_env(project, "chaina") == "2.0"
    out = s.run("rm -rf .venv")
    assert "syncing demo" in out and version_in_env(project, "chaina") == "2.0", out


def test_a_repository_may_ask_for_missing_but_not_loosen_the_users_choice(open_shell, shell, project, shell_env):
    with open(project / "pyproject.toml", "a") as f:
        f.write('\n[tool.envhook]\nsync = "missing"\n')
    uv_lock(project, shell_env)
    s = open_shell(cwd=project)
    assert version_in_env(project) == "1.0", s.startup_output
    assert s.get("UV_NO_SYNC") == "1"
    set_dependencies(project, ["chaina", "tinkerpkg==2.0"])
    out = s.run("uv lock -q")
    assert len(lines_with(out, NOT_SYNCED)) == 1 and version_in_env(project) == "1.0", out

    # The user says "missing"; the repository says "changed": still missing.
    text = (project / "pyproject.toml").read_text().replace('sync = "missing"', 'sync = "changed"')
    (project / "pyproject.toml").write_text(text)
    write_config(shell_env, 'sync = "missing"\n')
    out = s.run("uv lock -q")
    assert len(lines_with(out, NOT_SYNCED)) == 1 and version_in_env(project) == "1.0", out
    assert s.get("ENVHOOK_STATE") == "stale"

    # Without the user's setting, "changed" syncs again.
    write_config(shell_env, "")
    out = s.run("true")
    assert version_in_env(project) == "2.0", out


def test_a_bad_sync_value_is_one_line_then_the_default(open_shell, shell, project, shell_env):
    path = write_config(shell_env, 'sync = "sometimes"\n')
    s = open_shell(cwd=project)
    outs = [s.startup_output]
    set_dependencies(project, ["chaina", "tinkerpkg==2.0"])
    outs += [s.run("uv lock -q"), s.run("true")]
    everything = "\n".join(outs)
    about = [line for line in everything.splitlines() if "`sync`" in line and str(path) in line]
    assert len(about) == 1 and '"changed" or "missing"' in about[0], everything
    assert version_in_env(project) == "2.0", f"the default (changed) syncs:\n{everything}"

    # In the repository's [tool.envhook]: one line naming the file, then the user's setting.
    write_config(shell_env, "")
    with open(project / "pyproject.toml", "a") as f:
        f.write('\n[tool.envhook]\nsync = "never"\n')
    out = s.run("uv lock -q") + s.run("true")
    named = lines_with(out, "[tool.envhook] sync must be")
    assert len(named) == 1 and str(project / "pyproject.toml") in named[0], out
    assert "Traceback" not in s.transcript
