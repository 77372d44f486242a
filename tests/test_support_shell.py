"""Self-test of the interactive-shell driver in tests/support/shell.py."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from support.shell import (  # tests/ is put on sys.path by tests/conftest.py
    SHELLS,
    ShellSession,
    ShellTimeout,
    available_shells,
    require_shell,
    shell_quote,
)

# A tiny prompt hook per shell: log "hook <status it saw>" on every prompt, and when
# $T_LOUD is set also print to stdout and stderr.  It ends with a *successful*
# command, so status tests prove the shell restores the user's $? after the hook.
HOOK_RC = {
    "bash": (
        "_t_hook() {{ echo \"hook $?\" >> {log}; "
        "if [ -n \"${{T_LOUD-}}\" ]; then echo hook-out; echo hook-err >&2; fi; true; }}\n"
        "PROMPT_COMMAND=_t_hook\n"
        "echo rc-loaded\n"
    ),
    "zsh": (
        "_t_hook() {{ echo \"hook $?\" >> {log}; "
        "if [[ -n ${{T_LOUD-}} ]]; then echo hook-out; echo hook-err >&2; fi; true; }}\n"
        "precmd_functions+=(_t_hook)\n"
        "echo rc-loaded\n"
    ),
    "fish": (
        "function _t_hook --on-event fish_prompt\n"
        "    echo \"hook $status\" >> {log}\n"
        "    if set -q T_LOUD; echo hook-out; echo hook-err >&2; end\n"
        "    true\n"
        "end\n"
        "echo rc-loaded\n"
    ),
}

WEIRD = "'\";&&e-$ èрт🚒♞中片-j"
CONTROL = "line one\nline\ttwo \\"


def assign(shell: str, name: str, value: str) -> str:
    if shell == "fish":
        return f"set -g {name} {shell_quote(shell, value)}"
    return f"{name}={shell_quote(shell, value)}"


class Env:
    def __init__(self, shell: str, tmp_path: Path):
        require_shell(shell)
        self.shell = shell
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.log = tmp_path / "hook.log"
        self.work = tmp_path / "work"
        self.work.mkdir()
        self.env = {
            "HOME": str(self.home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local/state"),
        }
        self.rc = HOOK_RC[shell].format(log=shell_quote(shell, str(self.log)))

    def session(self, **kw) -> ShellSession:
        return ShellSession(self.shell, self.home, self.rc, self.env, self.work, timeout=10, **kw)

    def hook_lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture(params=SHELLS)
def env(request, tmp_path) -> Env:
    return Env(request.param, tmp_path)


@pytest.fixture
def sh(env):
    with env.session() as s:
        yield s


def test_startup_output_and_prompt_hook_runs_once_per_prompt(env, sh):
    assert "rc-loaded" in sh.startup_output
    assert env.hook_lines() == ["hook 0"]  # the first prompt
    assert sh.run("echo hi") == "hi\n"
    assert len(env.hook_lines()) == 2
    assert sh.run("true") == ""
    assert sh.run("") == ""
    assert sh.run("echo a; echo b") == "a\nb\n"
    assert len(env.hook_lines()) == 5


def test_stderr_and_hook_output_are_captured(env, sh):
    assert sh.run("echo oops >&2") == "oops\n"
    assert sh.run("echo out; echo err >&2") == "out\nerr\n"
    sh.run("export T_LOUD=1" if env.shell != "fish" else "set -gx T_LOUD 1")
    # the hook runs before the prompt: its output (stdout and stderr) is included
    assert sh.run("echo hi") == "hi\nhook-out\nhook-err\n"


def test_output_without_trailing_newline(sh):
    # zsh's PROMPT_SP and fish's "⏎ + spaces" line-abandoning must not leak in.
    assert sh.run("printf foo") == "foo"
    assert sh.run("printf 'a\\nb'") == "a\nb"
    assert sh.run("echo after") == "after\n"


def test_get_round_trips_exact_values(env, sh):
    assert sh.run(assign(env.shell, "T_WEIRD", WEIRD)) == ""
    assert sh.run(assign(env.shell, "T_CTRL", CONTROL)) == ""
    assert sh.get("T_WEIRD") == WEIRD
    assert sh.get("T_CTRL") == CONTROL
    assert sh.get("T_NOT_SET_AT_ALL") is None
    sh.run(assign(env.shell, "T_EMPTY", ""))
    assert sh.get("T_EMPTY") == ""
    # environment variables too, and the live cwd
    assert sh.get("HOME") == str(env.home)
    sh.run("cd ..")
    assert sh.get("PWD") == str(env.work.parent)


def test_get_raw_bytes_and_lists(env, sh):
    raw = "a\udcffb"  # invalid UTF-8 byte 0xff, surrogateescape'd
    sh.run(assign(env.shell, "T_RAW", raw))
    assert sh.get("T_RAW") == raw
    if env.shell == "fish":
        sh.run("set -g T_LIST a 'b c' '' d")
        assert sh.get("T_LIST") == "a\nb c\n\nd"
        sh.run("set -g T_NONE")
        assert sh.get("T_NONE") == ""


def test_status_is_what_the_hook_sees_and_is_preserved(env, sh):
    sh.run("false")
    assert sh.status() == 1
    assert sh.status() == 1  # status() itself does not clobber $?
    assert sh.get("HOME") == str(env.home)
    assert sh.status() == 1  # neither does get()
    sh.run("true")
    assert sh.status() == 0
    sh.run("sh -c 'exit 42'")
    assert sh.status() == 42
    assert env.hook_lines()[-1] == "hook 42"  # the hook saw the real status


def test_interrupt_running_command(env, sh):
    sh.send_line("sleep 30")
    time.sleep(0.3)
    start = time.monotonic()
    out = sh.interrupt(timeout=5)
    assert time.monotonic() - start < 5
    assert "^C" in out
    assert sh.status() == 130
    assert sh.run("echo alive") == "alive\n"


def test_shell_gets_pristine_signal_dispositions(env):
    # Even if the test runner ignores SIGINT (e.g. started as `pytest &`), Ctrl-C must
    # stop commands in the shell; and Python's ignored SIGPIPE must not leak either.
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        s = env.session()
    finally:
        signal.signal(signal.SIGINT, old)
    with s:
        assert s.run("yes | head -n 1") == "y\n"  # no "Broken pipe" complaint
        s.send_line("sleep 30")
        time.sleep(0.3)
        s.interrupt(timeout=5)
        assert s.status() == 130


def test_interrupt_half_typed_line(env, sh):
    sh.send_raw("echo never")
    time.sleep(0.2)
    sh.interrupt(timeout=5)
    assert sh.run("echo fine") == "fine\n"


def test_timeout_error_shows_output_so_far(sh):
    with pytest.raises(ShellTimeout) as excinfo:
        sh.run("echo partial-output; sleep 30", timeout=1)
    msg = str(excinfo.value)
    assert "partial-output" in msg and "timed out after 1s" in msg
    assert isinstance(excinfo.value, TimeoutError)
    sh.interrupt(timeout=5)  # recover
    assert sh.run("echo recovered") == "recovered\n"


def test_prompt_marker_in_rc_file_is_not_mistaken_for_a_prompt(env, sh):
    rcfile = {
        "bash": env.home / ".bashrc",
        "zsh": env.home / ".zshrc",
        "fish": env.home / ".config/fish/config.fish",
    }[env.shell]
    out = sh.run(f"cat {shell_quote(env.shell, str(rcfile))}; echo END")
    assert out.endswith("END\n")
    assert sh.run("echo next") == "next\n"


def test_close_runs_and_is_idempotent(env):
    s = env.session()
    s.run("echo x")
    s.close()
    s.close()
    assert s.exitstatus == 0
    s = env.session()
    s.send_line("sleep 30")  # busy: close() must kill it, quickly
    start = time.monotonic()
    s.close()
    assert time.monotonic() - start < 5


def test_shell_quote_is_one_word(env, sh):
    for value in ["", "plain", "a b", "it's", "back\\slash", "$HOME", "*", "x\ny", "ü\t"]:
        line = f"printf '[%s]' {shell_quote(env.shell, value)}; echo"
        assert sh.run(line) == f"[{value}]\n"


def test_available_and_require_shell(monkeypatch):
    assert set(available_shells()) <= set(SHELLS)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_shell("no-such-shell-ehp")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_shell("no-such-shell-ehp")
    for name in available_shells():
        assert require_shell(name)
