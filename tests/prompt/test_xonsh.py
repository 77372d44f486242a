"""What is about the xonsh hook alone; its contract rows are
tests/prompt/test_contract.py's, run in xonsh with the others. Here: quoting
by Python literals, round-tripped for hostile and generated names through
the hook's exec; `envhook env --shell xonsh`; doctor; the prompt drawn after
an activation; the completer; Ctrl-C reaching a real build's process group."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from support.hooktest import q, trusted_project
from support.phrasebook import HOSTILE
from support.projects import set_dependencies, uv_lock
from support.shell import require_shell


@pytest.fixture
def shell() -> str:
    """Every test here drives xonsh (conftest's `shell` is bash, zsh and fish)."""
    require_shell("xonsh")
    return "xonsh"


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])


def test_values_round_trip_through_the_hooks_exec():
    """What the hook runs is Python, exec()'d in its namespace: each value the
    Xonsh quoting writes comes back exactly, however hostile."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from envhook.prompt.shells import get_shell

    sh = get_shell("xonsh")
    values = st.one_of(st.sampled_from(list(HOSTILE.values())), st.text(),
                       st.binary().map(lambda b: os.fsdecode(b)))

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(value=values, items=st.lists(values, max_size=4))
    def check(value, items):
        ns: dict = {}
        exec(sh.script([sh.assign("_envhook_root", value), sh.assign_list("_envhook_known", items)]), ns)
        assert ns["_envhook_root"] == value and ns["_envhook_known"] == items
        assert "\n" not in sh.assign("x", value), "one statement a line"

    check()


def test_env_shell_xonsh_applies_the_activation(project, shell_env, tmp_path):
    assert subprocess.run(["envhook", "run", "true"], cwd=project, env=shell_env).returncode == 0
    out = tmp_path / "prefix"
    script = f"execx($(envhook env --shell xonsh))\nimport sys\nopen({str(out)!r}, 'w').write($(which python).strip())\n"
    r = subprocess.run([require_shell("xonsh"), "--no-rc", "-c", script], cwd=project, env=shell_env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == str(project / ".venv" / "bin" / "python")


def test_doctor_in_a_hooked_xonsh(open_shell, tmp_path):
    s = open_shell(cwd=tmp_path)
    out = s.run("envhook doctor").replace("\r", "")
    assert "ok   hook line in ~/.xonshrc" in out, out
    assert re.search(r"^ok   hook loaded in this xonsh \(process \d+\)$", out, re.M), out
    assert "Traceback" not in out


def test_the_prompt_drawn_after_an_activation_shows_it(open_shell, tmp_path, wheelhouse, shell_env):
    """xonsh draws $VIRTUAL_ENV into its prompt: the hook runs before that,
    so the prompt right after `envhook allow` already shows the env."""
    from support.projects import make_project

    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    s = open_shell(cwd=p)
    s.run("$PROMPT = '{env_name}\\x5f_EHP__> '")  # the driver's marker, spelled so that typing it is no prompt
    out = s.run("envhook allow")
    assert "syncing demo" in out, out
    after = s.transcript.replace("\r", "").rsplit("envhook allow", 1)[1]
    assert "(demo) __EHP__> " in after, after[-600:]


def test_the_hook_registers_envhooks_completer(open_shell, tmp_path):
    """Loading the hook registers one completer for envhook (`completer list`
    names it; loading again does not add another), and xonsh's own completion
    machinery, asked from the command line as TAB asks it, offers the parser's
    subcommands, the shell names after `hook` and `env --shell`, config's
    actions and keys, and directories."""
    import argparse
    import json

    from envhook.cli import build_parser
    from envhook.prompt.shells import NAMES
    from envhook.store.settings import KEYS

    (tmp_path / "d1").mkdir()
    (tmp_path / "f1").write_text("")
    s = open_shell(cwd=tmp_path)
    s.run("from xonsh.completer import Completer as _C")

    def offered(line: str) -> list[str]:
        out = s.run(f"print(__import__('json').dumps(sorted(str(c).strip() for c in _C().complete_line({line!r})[0])))")
        return json.loads(out.strip().splitlines()[-1])

    listed = s.run("completer list")
    assert listed.count("envhook") == 1, listed
    s.run("source ~/.xonshrc")
    assert s.run("completer list").count("envhook") == 1, "registered once"
    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert offered("envhook ") == sorted(subs), "the parser's subcommands"
    assert offered("envhook h") == ["hook"]
    assert offered("envhook hook ") == sorted(NAMES)
    assert offered("envhook hook x") == ["xonsh"]
    assert offered("envhook env --shell ") == sorted(NAMES)
    assert offered("envhook completion ") == ["bash", "fish", "zsh"]
    assert offered("envhook config ") == sorted(["list", "get", "set", "unset"])
    assert offered("envhook config get ") == sorted(KEYS)
    assert offered("envhook status ") == ["d1/"], "directories only"
    assert "f1" in offered("envhook pin "), "xonsh's own file names elsewhere"
    assert "python3.11" in offered("envhook run -- pyth"), "the command run is completed as a command"
    assert "f1" in offered("envhook run -- python3.11 "), "and its arguments as xonsh completes them"


def test_the_completer_completes_a_subcommand_added_to_the_parser(open_shell, tmp_path):
    """The completer asks envhook at Tab (`envhook __complete`, the parser's
    walk): a subcommand added to the parser (in the test) is completed, with
    no other edit."""
    import json

    from support.completing import envhook_with_a_new_subcommand

    (tmp_path / "work" / "d1").mkdir(parents=True)
    frob = envhook_with_a_new_subcommand(tmp_path / "bin")
    s = open_shell(cwd=tmp_path / "work")
    s.run("from xonsh.completer import Completer as _C")

    def offered(line: str) -> list[str]:
        out = s.run(f"print(__import__('json').dumps(sorted(str(c).strip() for c in _C().complete_line({line!r})[0])))")
        return json.loads(out.strip().splitlines()[-1])

    assert offered("envhook frob") == [], "envhook's own parser has no such command"
    s.run(f"$PATH.insert(0, {str(frob)!r})")
    assert offered("envhook frob") == ["frobnicate"]
    assert offered("envhook frobnicate --w") == ["--wibble"]
    assert offered("envhook frobnicate ") == ["sour", "sweet"]
    assert offered("envhook frobnicate --into ") == ["d1/"]


# An in-tree build backend whose import sleeps: uv itself runs the sync and
# builds the project, and the build (uv's child) is what Ctrl-C must reach.
SLEEPING_BACKEND = """\
import os, time
if os.path.exists({gate!r}):
    with open({pids!r}, "a") as f:
        f.write("%d\\n" % os.getpid())
    time.sleep(300)
"""


@pytest.mark.parametrize("when", ["entering", "after-a-change"])
def test_ctrl_c_during_a_sync_returns_the_prompt_and_is_not_retried(open_shell, tmp_path, wheelhouse, shell_env,
                                                                     when):
    """The contract's row (test_hook_contract) in xonsh, over a real slow uv
    sync: Ctrl-C reaches the sync's whole process group (the build uv started
    is gone), the interruption is said once and recorded, the prompt comes
    back, and the next prompt does not start the sync again. After a change
    the sync is the one the entry starts from the cache (entry.speculate),
    which holds Ctrl-C back until it hands over: the hook must wait for it."""
    import json

    from support.hooktest import alive, envhook
    from support.projects import make_project

    gate, pids = tmp_path / "slow", tmp_path / "pids"
    p = make_project(tmp_path / "demo", wheelhouse, extra_toml=(
        '[build-system]\nrequires = []\nbuild-backend = "sleepy"\nbackend-path = ["."]\n'))
    (p / "sleepy.py").write_text(SLEEPING_BACKEND.format(gate=str(gate), pids=str(pids)))
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    if when == "entering":
        gate.write_text("")
        s = open_shell(cwd=tmp_path)
        s.send_line(f"cd {q('xonsh', p)}")
    else:
        s = open_shell(cwd=p)
        assert s.get("VIRTUAL_ENV") == str(p / ".venv")
        gate.write_text("")
        set_dependencies(p / "pyproject.toml", ["tinkerpkg==2.0"])
        uv_lock(p, shell_env)
        s.send_line("echo changed")
    deadline = time.monotonic() + 60
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    builder = int(pids.read_text().split()[0])
    t0 = time.monotonic()
    out = s.interrupt(timeout=10)
    assert time.monotonic() - t0 < 6
    assert out.count("sync interrupted") == 1, out
    assert "Traceback" not in out, out
    time.sleep(0.5)
    assert not alive(builder), "Ctrl-C stops the build uv started, not only envhook"
    data = json.loads(envhook("status", "--json", cwd=p, env=shell_env).stdout)
    assert data["state"] == "failed" and data["last_sync"]["status"] == "interrupted", data
    gate.unlink()
    again = s.run("echo again", timeout=30)
    assert "syncing" not in again, again
    assert pids.read_text().split() == [str(builder)], "no second sync started"
    assert s.run("echo alive").strip() == "alive"
