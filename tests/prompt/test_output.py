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
