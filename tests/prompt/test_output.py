"""Output (issue 7): colour only on a terminal and never with NO_COLOR;
ENVHOOK_QUIET / --quiet leave only what went wrong, the sync tool's output
going to a log named when it fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pexpect
import pytest

from support.hooktest import envhook
from support.projects import make_project, set_dependencies, uv_lock


@pytest.fixture
def shell() -> str:
    return "bash"


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    return p


def on_a_terminal(args: list[str], cwd: Path, env: dict) -> str:
    child = pexpect.spawn(args[0], args[1:], cwd=str(cwd), env=env, encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def test_colour_only_on_a_terminal_and_never_with_no_color(project, shell_env):
    env = {k: v for k, v in shell_env.items() if k != "NO_COLOR"}
    tty = on_a_terminal(["envhook", "status"], project, env)
    assert "\x1b[" in tty and "untrusted" in tty
    assert "\x1b[1;31menvhook:\x1b[0m" in on_a_terminal(["envhook", "sync"], project, env)  # refused: an error
    assert "\x1b[" not in on_a_terminal(["envhook", "status"], project, dict(env, NO_COLOR="1"))
    assert "\x1b[" not in on_a_terminal(["envhook", "status"], project, dict(env, TERM="dumb")), "nor on a dumb one"
    piped = subprocess.run(["envhook", "status"], cwd=project, env=env, capture_output=True, text=True)
    assert "\x1b[" not in piped.stdout + piped.stderr
    # Status reads at a glance: one fact a line, the next action last.
    assert piped.stdout.splitlines()[-1].startswith("next:")


def test_quiet_says_only_what_went_wrong(open_shell, project, shell_env, isolated_home):
    env = dict(shell_env, ENVHOOK_QUIET="1")
    r = envhook("allow", cwd=project, env=env)
    assert r.returncode == 0 and r.stderr == ""
    s = open_shell(cwd=project, env=env)
    assert s.startup_output.strip() == "", s.startup_output  # no "syncing", no uv progress
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    set_dependencies(project, ["tinkerpkg==2.0"])
    assert s.run("true").strip() == ""
    # A failure is still said, once, and points at the tool's output.
    set_dependencies(project, ["tinkerpkg==9.9"])
    out = s.run("true")
    lines = [ln for ln in out.splitlines() if ln.startswith("envhook:")]
    assert len(lines) == 1 and "`uv sync` failed" in lines[0] and "sync.log" in lines[0], out
    log = Path(lines[0].split("(its output: ")[1].split(")")[0])
    assert "tinkerpkg==9.9" in log.read_text()
    # --quiet does the same for one command.
    r = subprocess.run(["envhook", "--quiet", "deny"], cwd=project, env=shell_env, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
    r = subprocess.run(["envhook", "-q", "sync"], cwd=project, env=shell_env, capture_output=True, text=True)
    assert r.returncode != 0 and "not trusted" in r.stderr  # errors are never quiet


# -- the watch test's words (emit.change_test; issue 26, finding 7) --------------------------


def test_change_test_watches_a_file_dated_in_the_future_against_its_own_stamp():
    from envhook.prompt.emit import change_test

    words = change_test(["/p", "/p/pyproject.toml"], ["/a"], ["/p/.venv/bin/python"], "/s/x",
                        {"/p/pyproject.toml": "/s/x.f.mtime"})
    assert words == ["/p", "-nt", "/s/x",
                     "-o", "/p/pyproject.toml", "-nt", "/s/x.f.mtime", "-o", "/p/pyproject.toml", "-ot", "/s/x.f.mtime",
                     "-o", "-e", "/a",
                     "-o", "!", "-e", "/p/.venv/bin/python", "-o", "!", "-e", "/s/x.f.mtime"]
    assert change_test(["/p"], [], [], "/s/x") == ["/p", "-nt", "/s/x"]


@pytest.mark.parametrize("test", ["bash", "zsh", "fish", "/usr/bin/test"])
def test_the_words_of_a_dated_file_in_each_test(tmp_path, test):
    """Untouched, the file dated ahead is no change; an edit now (older), a
    later date (newer), or its stamp gone is one: in bash's, zsh's and fish's
    builtin `test` and in test(1) (elvish's)."""
    import os
    import time

    from envhook.prompt.emit import change_test
    from envhook.store import paths
    from support.shell import require_shell

    if not test.startswith("/"):
        require_shell(test)
    project = tmp_path / "p"
    project.mkdir()
    f = project / "pyproject.toml"
    f.write_text("")
    ahead = time.time_ns() + 86400 * 10**9
    os.utime(f, ns=(ahead, ahead))
    os.utime(project, (time.time() - 10, time.time() - 10))  # not in the stamp's own clock tick
    stamp = str(tmp_path / "state" / "stamps" / "s-key")
    t = paths.start_stamp(stamp)
    marks = paths.stamp_future(stamp, [str(project), str(f)])
    paths.finish_stamp(stamp, t)
    words = change_test([str(project), str(f)], [], [], stamp, marks)

    def changed() -> bool:
        if test.startswith("/"):
            r = subprocess.run([test, *words])
        else:
            code = 'test $argv' if test == "fish" else 'test "$@"'
            args = [test, "-c", code, *words] if test == "fish" else [test, "-c", code, test, *words]
            r = subprocess.run(args)
        assert r.returncode in (0, 1)
        return r.returncode == 0

    assert not changed()
    os.utime(f)  # edited now
    assert changed()
    os.utime(f, ns=(ahead + 10**9, ahead + 10**9))  # dated later still
    assert changed()
    os.utime(f, ns=(ahead, ahead))
    assert not changed()
    os.unlink(marks[str(f)])
    assert changed()
