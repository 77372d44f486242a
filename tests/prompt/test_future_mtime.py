"""A watched file dated in the future (a tarball's mtimes, a clock stepped
back) must not blind an open shell (issue 26, finding 7). The shell's stamp
never moves past "now"; such a file is watched for any change of its mtime
against a stamp that carries that mtime, and said once per shell. Each row
runs in all seven shells, through a real interactive shell, with the clock
as it is: only files' mtimes are set (os.utime)."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from support.hooktest import envhook, lines_with, processes_started, q, trusted_project, version_in_env
from support.projects import set_dependencies
from support.shell import require_shell

DAY_NS = 86400 * 10**9
FUTURE = "has a modification time in the future"

# A command line that changes nothing, and one that prints the shell's pid.
NOOP = {"bash": "x=1", "zsh": "x=1", "fish": "set x 1", "xonsh": "x = 1", "nu": "let x = 1",
        "elvish": "var x = 1", "tcsh": "set x = 1"}
PID = {"bash": "echo $$", "zsh": "echo $$", "fish": "echo $fish_pid", "xonsh": "print(__import__('os').getpid())",
       "nu": "print $nu.pid", "elvish": "echo $pid", "tcsh": "echo $$"}


@pytest.fixture(params=["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"])
def shell(request) -> str:
    require_shell(request.param)
    return request.param


def date_ahead(path: Path, ns: int = DAY_NS) -> None:
    t = time.time_ns() + ns
    os.utime(path, ns=(t, t))


def shell_stamps(shell_env: dict) -> list[Path]:
    """The shells' own stamps (stamps/<session>-<key>); not the files next to them."""
    d = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "stamps"
    return [p for p in d.iterdir() if re.fullmatch(r"[0-9A-Za-z]+-[0-9a-f]{24}", p.name)]


def assert_no_stamp_ahead(shell_env: dict) -> None:
    now = time.time_ns()
    stamps = shell_stamps(shell_env)
    assert stamps
    ahead = {p.name: p.stat().st_mtime_ns - now for p in stamps if p.stat().st_mtime_ns > now}
    assert not ahead, f"stamps ahead of the clock by (ns): {ahead}"


def test_edits_are_seen_next_to_a_file_dated_in_the_future(open_shell, shell, tmp_path, wheelhouse, shell_env):
    """A lock dated a day ahead: entering works and says so once; an edit of
    pyproject.toml (now-dated) is synced at the next prompt. Then
    pyproject.toml itself dated ahead: said once; an edit that keeps it
    ahead and one that brings it back to now are both synced."""
    p = trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    date_ahead(p / "uv.lock")
    s = open_shell(cwd=tmp_path)
    out = s.run(f"cd {q(shell, p)}")
    assert lines_with(out, FUTURE) == [f"envhook: uv.lock {FUTURE} — touch it"], out
    assert s.get("VIRTUAL_ENV") == str(p / ".venv") and version_in_env(p) == "1.0"
    assert_no_stamp_ahead(shell_env)
    out = s.run("echo again")
    assert FUTURE not in out, out
    (p / "notes.txt").write_text("")  # wakes the prompt (the root moved); nothing to say again
    out = s.run("echo woken")
    assert FUTURE not in out, out
    other = open_shell(cwd=p)  # a new shell, entering through the decision cache: told too
    assert lines_with(other.startup_output, FUTURE) == [f"envhook: uv.lock {FUTURE} — touch it"], \
        other.startup_output
    assert other.get("VIRTUAL_ENV") == str(p / ".venv")
    other.close()

    set_dependencies(p, ["tinkerpkg==2.0"])  # another input, written now
    out = s.run("echo edited")
    assert "syncing demo" in out, out
    assert version_in_env(p) == "2.0" and s.get("ENVHOOK_STATE") == "in-sync"
    assert_no_stamp_ahead(shell_env)

    date_ahead(p / "pyproject.toml")
    out = s.run("echo dated")
    assert lines_with(out, FUTURE) == [f"envhook: pyproject.toml {FUTURE} — touch it"], out
    assert FUTURE not in s.run("echo again")
    assert_no_stamp_ahead(shell_env)

    set_dependencies(p, ["tinkerpkg==1.0"])
    date_ahead(p / "pyproject.toml", DAY_NS + 60 * 10**9)  # edited, and still ahead
    out = s.run("echo edited")
    assert "syncing demo" in out and FUTURE not in out, out
    assert version_in_env(p) == "1.0"
    assert_no_stamp_ahead(shell_env)

    set_dependencies(p, ["tinkerpkg==2.0"])  # edited, now-dated again
    out = s.run("echo edited")
    assert "syncing demo" in out, out
    assert version_in_env(p) == "2.0" and s.get("ENVHOOK_STATE") == "in-sync"
    assert_no_stamp_ahead(shell_env)


def _started(trace_lines: list[str]) -> list[str]:
    """The programs a trace's execve lines ran (every process started must be one of them)."""
    execs = [re.search(r'execve\("([^"]*)"', line).group(1) for line in trace_lines if "execve(" in line]
    assert len(trace_lines) == 2 * len(execs), trace_lines  # one fork or clone each
    return execs


def test_quiet_prompts_next_to_a_file_dated_in_the_future_start_no_process(open_shell, shell, tmp_path, wheelhouse,
                                                                          shell_env):
    """The watch of a file dated ahead is builtins only, as every other
    watch: no process at a quiet prompt (elvish: its one `test` a prompt)."""
    p = trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    (p / "sub").mkdir()
    date_ahead(p / "pyproject.toml")
    s = open_shell(cwd=p)
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    s.run("cd /")
    time.sleep(2.1)  # past the "racily clean" window: the decision is cached and the stamp settles
    s.run(f"cd {q(shell, p)}")
    pid = int(s.run(PID[shell]).strip().splitlines()[-1])
    test_bin = s.run("echo (search-external test)").strip() if shell == "elvish" else ""

    def prompts():
        for _ in range(3):
            s.run("cd sub")
            s.run("cd ..")
            s.run(NOOP[shell])
            s.run(f"cd /; cd {q(shell, p)}")

    started = processes_started(pid, tmp_path / "prompts.strace", prompts)
    if shell == "elvish":
        assert _started(started) == [test_bin] * 15  # 1 a prompt, 1 more on entering (after-chdir)
    else:
        assert started == []
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    assert_no_stamp_ahead(shell_env)


@pytest.mark.parametrize("how", ["deny", "replace"])
def test_untrusted_next_to_a_file_dated_in_the_future_deactivates(open_shell, shell, tmp_path, wheelhouse,
                                                                   shell_env, how):
    """The red team's case: a trusted project whose pyproject.toml is dated
    ahead, active in an open shell; then the directory stops being trusted,
    by `envhook deny` from another process, or (paranoid mode) by a checkout
    put in its place whose pyproject.toml differs. The next prompt leaves it."""
    p = trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    date_ahead(p / "pyproject.toml")
    env = {**shell_env, "ENVHOOK_PARANOID": "1"} if how == "replace" else shell_env
    s = open_shell(cwd=p, env=env)
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    s.run("echo settled")
    if how == "deny":
        envhook("deny", cwd=p, env=shell_env, check=True)
    else:
        old = p.rename(tmp_path / "demo-old")
        shutil.copytree(old, p, symlinks=True)  # mtimes kept, the lock's and the env's too
        set_dependencies(p, ["tinkerpkg==1.0", "chaina"])
    s.run("echo next")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted"
    assert_no_stamp_ahead(shell_env)
