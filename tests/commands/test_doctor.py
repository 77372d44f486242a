"""`envhook doctor`: one line per check, `ok`/`note` when healthy, a FAIL line
naming the problem and its fix otherwise, exit 1. Real shells for the hook
checks (the hook exports the PID of the shell that loaded it), real tools
(or stand-ins that print an old version) for the tool checks, real
directories for the write checks."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest

from support.hooktest import HOOK_LINE, envhook, q
from support.projects import make_project
from support.shell import ShellSession, require_shell

CHECKS = ("hook loaded in this", "hook line in", "uv for demo", "state dir", "config dir", "config file",
          "no file watched for demo is dated in the future")


def lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.strip()]


def line(out: str, start: str) -> str:
    found = [ln for ln in lines(out) if ln.startswith(start)]
    assert len(found) == 1, f"expected one line starting with {start!r}:\n{out}"
    return found[0]


def bash_session(home: Path, env: dict, cwd: Path, rc: str = "") -> ShellSession:
    """An interactive bash whose ~/.bashrc is `rc` alone (no hook line unless given)."""
    require_shell("bash")
    return ShellSession("bash", home, rc, env, cwd, timeout=90)


@pytest.fixture
def only_envhook(tmp_path_factory) -> Path:
    """A bin dir holding this checkout's envhook and nothing else."""
    d = tmp_path_factory.mktemp("only-envhook")
    os.symlink(Path(sys.executable).parent / "envhook", d / "envhook")
    return d


def fake_tool(bin_dir: Path, name: str, version_line: str) -> Path:
    """A stand-in for `name` that answers --version with `version_line`."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    p = bin_dir / name
    p.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return p


def doctor(cwd: Path, env: dict, path: str | None = None):
    """`envhook doctor` as a plain subprocess (so the hook is not loaded)."""
    if path is not None:
        env = {**env, "PATH": path}
    return envhook("doctor", cwd=cwd, env=env)


def no_traceback(r) -> None:
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr


# -- healthy -------------------------------------------------------------------------------


def test_healthy_shell_says_ok_and_exits_0(open_shell, shell, shell_env, wheelhouse, tmp_path):
    project = make_project(tmp_path / "demo", wheelhouse)
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=project)
    out = s.run("envhook doctor")
    assert s.status() == 0, out
    assert all(ln.startswith(("ok   ", "note ")) for ln in lines(out)), out
    for check in CHECKS:
        line(out, f"ok   {check}")
    assert line(out, "ok   hook loaded in this").startswith(f"ok   hook loaded in this {shell} (process ")
    assert "uv 0." in line(out, "ok   uv for demo")
    assert "note the hook" not in out  # the hook runs this very envhook
    # The write checks leave nothing behind.
    state = Path(shell_env["XDG_STATE_HOME"])
    assert not [p for p in state.rglob(".envhook-doctor-*")]


def test_hook_reached_through_a_program_that_is_no_shell(open_shell, shell, tmp_path):
    """`uv run envhook doctor` has uv between the shell and doctor: still this shell's hook."""
    s = open_shell(cwd=tmp_path)
    py = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    code = "import subprocess, sys; sys.exit(subprocess.call(['envhook', 'doctor']))"
    out = s.run(f"{py} -c {q(shell, code)}")
    line(out, f"ok   hook loaded in this {shell}")


# -- broken, one thing at a time ---------------------------------------------------------------


def test_hook_not_loaded_in_a_plain_process(shell_env, tmp_path):
    r = doctor(tmp_path, shell_env)
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, "FAIL hook loaded in this ")
    assert "_ENVHOOK_HOOKED is not set" in fail
    # Which shell depends on what runs the tests; the fix is that shell's line.
    assert re.search(r" — add this line to \S+, then open a new shell: "
                     r"(eval \"\$\(envhook hook (bash|zsh)\)\"|envhook hook fish \| source)$", fail), fail
    assert "`envhook run -- CMD`" in line(r.stdout, "note scripts, Makefiles, editors and CI need no hook")
    no_traceback(r)


def test_hook_variable_of_the_parent_process_counts(shell_env, tmp_path):
    """What a shell that loaded the hook looks like to doctor: its PID in
    _ENVHOOK_HOOKED, and doctor its child (here, the test process plays it)."""
    r = doctor(tmp_path, {**shell_env, "_ENVHOOK_HOOKED": str(os.getpid())})
    line(r.stdout, "ok   hook loaded in this ")
    r = doctor(tmp_path, {**shell_env, "_ENVHOOK_HOOKED": "999999999"})
    assert "not this shell" in line(r.stdout, "FAIL hook loaded in this ")


def test_child_shell_that_inherited_the_variable_is_not_hooked(open_shell, shell, tmp_path):
    s = open_shell(cwd=tmp_path)
    assert s.get("_ENVHOOK_HOOKED") not in (None, "")
    # A bash without rc files: it inherits _ENVHOOK_HOOKED but never loaded the hook.
    out = s.run(f"bash --norc --noprofile -c {q(shell, 'envhook doctor; exit $?')}")
    assert s.status() == 1, out
    fail = line(out, "FAIL hook loaded in this bash")
    pid = s.get("_ENVHOOK_HOOKED").partition(":")[0]
    assert "inherited" in fail and f"names process {pid}, not this shell" in fail


def test_rc_file_without_the_hook_line(isolated_home, shell_env, tmp_path):
    # The hook typed at the prompt works in this shell, but the next shell won't have it.
    s = bash_session(isolated_home, shell_env, tmp_path, rc="# nothing about envhook\n")
    try:
        s.run(HOOK_LINE["bash"])
        out = s.run("envhook doctor")
        assert s.status() == 1, out
        line(out, "ok   hook loaded in this bash")
        fail = line(out, "FAIL hook line in ~/.bashrc: ")
        assert fail.endswith(" — add this line to ~/.bashrc: " + HOOK_LINE["bash"]), fail
    finally:
        s.close()


def test_hook_line_in_a_file_the_rc_sources(isolated_home, shell_env, tmp_path):
    (isolated_home / "dotfiles").mkdir()
    (isolated_home / "dotfiles" / "envhook.sh").write_text(HOOK_LINE["bash"] + "\n")
    s = bash_session(isolated_home, shell_env, tmp_path, rc='[ -f "$HOME/dotfiles/envhook.sh" ] && . "$HOME/dotfiles/envhook.sh"\n')
    try:
        out = s.run("envhook doctor")
        line(out, "ok   hook loaded in this bash")
        line(out, "ok   hook line in ~/dotfiles/envhook.sh")
    finally:
        s.close()


def test_rc_file_hooking_another_shell(isolated_home, shell_env, tmp_path):
    rc = "alias zhook='eval \"$(envhook hook zsh)\"'\n"
    s = bash_session(isolated_home, shell_env, tmp_path, rc=rc)
    try:
        s.run(HOOK_LINE["bash"])
        out = s.run("envhook doctor")
        assert s.status() == 1, out
        fail = line(out, "FAIL hook line in ~/.bashrc: ")
        assert "~/.bashrc line 1 hooks zsh, but your shell is bash" in fail
        assert fail.endswith("change that line to: " + HOOK_LINE["bash"]), fail
    finally:
        s.close()


def test_uv_missing_from_path(shell_env, only_envhook, tmp_path, wheelhouse):
    r = doctor(tmp_path, shell_env, path=str(only_envhook))
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, "FAIL uv (the default tool; no project here): ")
    assert "uv is not on PATH — install it: curl -LsSf https://astral.sh/uv/install.sh | sh" in fail
    # Inside a uv project, the same for that project.
    project = make_project(tmp_path / "demo", wheelhouse)
    r = doctor(project, shell_env, path=str(only_envhook))
    assert "uv is not on PATH" in line(r.stdout, "FAIL uv for demo (uv project at ")
    no_traceback(r)


def test_uv_installed_but_not_on_path(shell_env, only_envhook, tool_bin, isolated_home, tmp_path):
    local = isolated_home / ".local" / "bin"
    local.mkdir(parents=True)
    os.symlink(os.path.realpath(tool_bin / "uv"), local / "uv")
    r = doctor(tmp_path, shell_env, path=str(only_envhook))
    fail = line(r.stdout, "FAIL uv (the default tool; no project here): ")
    assert "uv is not on PATH — uv is in ~/.local/bin: " in fail, fail
    assert fail.endswith((': export PATH="$HOME/.local/bin:$PATH"', "fish_add_path ~/.local/bin`")), fail


def test_uv_too_old(shell_env, only_envhook, tmp_path):
    fake_tool(tmp_path / "old", "uv", "uv 0.12.3 (0123abc 2024-06-01)")
    r = doctor(tmp_path, shell_env, path=f"{tmp_path / 'old'}:{only_envhook}")
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, "FAIL uv (the default tool; no project here): ")
    assert "is uv 0.12.3; envhook needs uv 0.13 or newer" in fail and "uv self update" in fail


def test_state_dir_under_a_regular_file(shell_env, tmp_path):
    # A file where a directory should be stops root too (chmod would not).
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    r = doctor(tmp_path, {**shell_env, "XDG_STATE_HOME": str(blocker / "state")})
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, "FAIL state dir ")
    assert f"{blocker} is a file" in fail
    assert "XDG_STATE_HOME" in fail.split(" — ", 1)[1]
    line(r.stdout, "ok   config dir ")  # the other dir is fine
    no_traceback(r)


def test_config_dir_under_a_regular_file(shell_env, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    r = doctor(tmp_path, {**shell_env, "XDG_CONFIG_HOME": str(blocker)})
    assert r.returncode == 1, r.stdout
    assert f"{blocker} is a file" in line(r.stdout, "FAIL config dir ")
    line(r.stdout, "ok   state dir ")


@pytest.mark.parametrize(
    "text, expect",
    [('tinkered = "maybe"\n', "`tinkered` must be \"keep\" or \"freeze\" or \"reset\", not 'maybe'"),
     ("tinkered = [\n", "is not valid TOML")],
)
def test_bad_config_file(shell_env, tmp_path, text, expect):
    config = Path(shell_env["XDG_CONFIG_HOME"]) / "envhook" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(text)
    r = doctor(tmp_path, shell_env)
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, "FAIL config file ")
    assert fail.startswith(f"FAIL config file {config}: "), fail  # names the file
    assert expect in fail
    no_traceback(r)


def test_good_config_file(shell_env, tmp_path):
    config = Path(shell_env["XDG_CONFIG_HOME"]) / "envhook" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('tinkered = "reset"\n')
    r = doctor(tmp_path, shell_env)
    assert line(r.stdout, "ok   config file ") == f"ok   config file {config}"


def poetry_project(path: Path) -> Path:
    path.mkdir()
    (path / "pyproject.toml").write_text('[tool.poetry]\nname = "demo"\nversion = "0.1.0"\npackage-mode = false\n')
    (path / "poetry.lock").write_text("# an empty lock\npackage = []\n")
    return path


def test_poetry_project_without_poetry(shell_env, only_envhook, tool_bin, tmp_path):
    project = poetry_project(tmp_path / "demo")
    os.symlink(os.path.realpath(tool_bin / "uv"), only_envhook / "uv")  # uv is there; it is not the tool
    r = doctor(project, shell_env, path=str(only_envhook))
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, "FAIL poetry for demo (poetry project at ")
    assert fail.endswith("poetry is not on PATH — install it: pipx install poetry"), fail
    # With the real Poetry (the dev group's, 2.x), the same project is fine.
    r = doctor(project, shell_env)
    assert "poetry 2." in line(r.stdout, "ok   poetry for demo (poetry project at ")
    no_traceback(r)


@pytest.mark.parametrize(
    "version, expect",
    [("Poetry (version 1.1.15)", "FAIL poetry for demo (poetry project at "),
     # A 1.x that envhook cannot date from its installation would get `poetry sync`.
     ("Poetry (version 1.8.3)", "FAIL poetry for demo (poetry project at ")],
)
def test_poetry_too_old(shell_env, only_envhook, tmp_path, version, expect):
    project = poetry_project(tmp_path / "demo")
    fake_tool(tmp_path / "old", "poetry", version)
    r = doctor(project, shell_env, path=f"{tmp_path / 'old'}:{only_envhook}")
    assert r.returncode == 1, r.stdout
    fail = line(r.stdout, expect)
    assert version.split()[-1].rstrip(")") in fail and "pipx upgrade poetry" in fail


def test_pip_project_uses_uv(shell_env, tmp_path):
    project = tmp_path / "reqs"
    project.mkdir()
    (project / "requirements.txt").write_text("tinkerpkg==1.0\n")
    r = doctor(project, shell_env)
    assert "syncing with uv pip" in line(r.stdout, "ok   uv or python3 for reqs (pip project at ")


def test_untrusted_project_is_a_note(shell_env, wheelhouse, tmp_path):
    project = make_project(tmp_path / "demo", wheelhouse)
    r = doctor(project, {**shell_env, "_ENVHOOK_HOOKED": str(os.getpid())})
    line(r.stdout, "ok   uv for demo (uv project at ")
    assert "envhook allow" in line(r.stdout, "note demo is not trusted")


def test_a_watched_file_dated_in_the_future_is_a_fail_line(shell_env, wheelhouse, tmp_path):
    """Each file the hook watches whose mtime is ahead of the clock (a
    tarball's, a clock stepped back): one FAIL line, the fix a `touch`."""
    import time

    project = make_project(tmp_path / "demo", wheelhouse)
    envhook("allow", cwd=project, env=shell_env, check=True)
    ahead = time.time_ns() + 86400 * 10**9
    os.utime(project / "pyproject.toml", ns=(ahead, ahead))
    r = doctor(project, {**shell_env, "_ENVHOOK_HOOKED": str(os.getpid())})
    no_traceback(r)
    assert r.returncode == 1, r.stdout
    found = line(r.stdout, "FAIL pyproject.toml of demo: modified in the future (")
    assert found.endswith(f" — touch {project / 'pyproject.toml'}"), found
    assert "no file watched for demo" not in r.stdout
    os.utime(project / "pyproject.toml")
    r = doctor(project, {**shell_env, "_ENVHOOK_HOOKED": str(os.getpid())})
    line(r.stdout, "ok   no file watched for demo is dated in the future")


def test_a_broken_check_is_a_fail_line_not_a_traceback(monkeypatch, capsys):
    from envhook.commands import doctor as mod

    def boom(ctx):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(mod, "check_dirs", boom)
    assert mod.doctor() == 1
    out = capsys.readouterr().out
    fail = line(out, "FAIL dirs: ")
    assert "RuntimeError: something nobody expected" in fail
    line(out, "ok   config file ")  # the checks after it still ran


def test_hook_running_another_envhook(shell_env, tmp_path):
    """The hook runs envhook by its interpreter's path, fixed when the shell
    started: gone since (reinstalled elsewhere, removed) is a FAIL; another
    one still there is worth a note."""
    me = str(os.getpid())
    r = doctor(tmp_path, {**shell_env, "_ENVHOOK_HOOKED": f"{me}:{tmp_path / 'gone' / 'python'}"})
    fail = line(r.stdout, "FAIL hook loaded in this ")
    assert f"runs envhook with {tmp_path / 'gone' / 'python'}, which is gone" in fail and "exec " in fail
    other = fake_tool(tmp_path / "old-venv" / "bin", "python", "Python 3.11.0")
    r = doctor(tmp_path, {**shell_env, "_ENVHOOK_HOOKED": f"{me}:{other}"})
    line(r.stdout, "ok   hook loaded in this ")
    assert f"the hook in this shell runs the envhook of {other}" in line(r.stdout, "note the hook in this shell")
    # The envhook that rendered the hook is the one running doctor: nothing to say.
    python = str(Path(sys.executable).parent / "python")
    r = doctor(tmp_path, {**shell_env, "_ENVHOOK_HOOKED": f"{me}:{python}"})
    assert "note the hook" not in r.stdout, r.stdout
