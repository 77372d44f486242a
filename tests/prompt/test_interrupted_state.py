"""Ctrl-C during a sync the prompt started (issue 28, point 3): the shell
must hold at once what `envhook status` says, in all seven shells. Before,
bash and fish kept ENVHOOK_STATE=tinkered and UV_NO_SYNC=1 from before the
sync, and neither Enter nor `cd /; cd -` corrected them."""

from __future__ import annotations

import os
import shlex
import shutil
import time

import pytest

from support.hooktest import envhook, pip_install, q, status_json
from support.projects import make_project, set_dependencies, uv_lock

ALL_SHELLS = ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
# What the activation sets in the shell.
WATCHED = ("ENVHOOK_STATE", "UV_NO_SYNC", "VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT")


def _slow_uv(tmp_path, shell_env) -> tuple[dict, object, object]:
    """A `uv` first on PATH that, while the file `slow` exists, says it started
    (the file `started`) and sleeps before it runs: a sync long enough to
    interrupt. Returns (env, slow, started)."""
    real = os.path.realpath(shutil.which("uv", path=shell_env["PATH"]))
    d = tmp_path / "slowuv"
    d.mkdir()
    slow, started = tmp_path / "slow", tmp_path / "started"
    (d / "uv").write_text(
        "#!/bin/sh\n"
        f"case \" $* \" in *' sync '*) case \" $* \" in *' --dry-run '*) ;; *)\n"
        f"  [ -e {shlex.quote(str(slow))} ] && : > {shlex.quote(str(started))} && sleep 30 ;; esac ;; esac\n"
        f"exec {shlex.quote(real)} \"$@\"\n"
    )
    (d / "uv").chmod(0o755)
    return dict(shell_env, PATH=f"{d}:{shell_env['PATH']}"), slow, started


def _shell_holds(s) -> dict:
    return {k: s.get(k) for k in WATCHED}


def _what_status_says(project, env) -> dict:
    """What `envhook status --json` says the hook exports in the project now."""
    exports = status_json(project, env)["exports"]
    return {k: exports.get(k) for k in WATCHED}


@pytest.mark.parametrize("how", ["prompt", "cd"])
@pytest.mark.parametrize("shell", ALL_SHELLS, indirect=True)
def test_ctrl_c_during_a_sync_leaves_the_shell_as_status_says(open_shell, shell, how, tmp_path, wheelhouse,
                                                               shell_env):
    """`prompt`: the sync a prompt starts after an input changed; `cd`: the
    one a `cd` into the project starts inside the command line (bash's cd
    wrapper, zsh's chpwd, fish's PWD handler, xonsh's on_chdir, elvish's
    after-chdir, tcsh's cwdcmd; nushell syncs at the prompt after it)."""
    project = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(project, shell_env)
    envhook("allow", cwd=project, env=shell_env, check=True)
    env, slow, started = _slow_uv(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    assert s.get("ENVHOOK_STATE") == "in-sync"
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    before = _shell_holds(s)
    assert before == _what_status_says(project, env)
    assert before["ENVHOOK_STATE"] == "tinkered" and before["UV_NO_SYNC"] == "1", before

    # An input change the prompt syncs, slowly; Ctrl-C while it runs.
    slow.write_text("")
    set_dependencies(project, ["tinkerpkg==1.0", "extrapkg==1.0"])
    uv_lock(project, shell_env)
    if how == "cd":
        s.run("cd /")
        # nushell and elvish have no `&&`: their `;` runs the rest of the line after the `cd` as well.
        s.send_line(f"cd {q(shell, project)}{'; ' if shell in ('nu', 'elvish') else ' && '}echo ran-after")
    else:
        s.send_line("true")
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline, "the prompt never started the sync"
        time.sleep(0.1)
    time.sleep(0.5)
    out = s.interrupt(timeout=20)
    assert "interrupted" in out and "Traceback" not in out, out
    if how == "cd" and shell in ("bash", "zsh", "fish"):
        assert "ran-after" not in out, "the Ctrl-C stops the rest of the command line, as it did before"
    # Said once: the prompt after the Ctrl-C asks again, and has nothing more to say.
    assert out.count("envhook:") == 1, out
    slow.unlink()

    data = status_json(project, env)
    assert data["state"] == "failed" and data["last_sync"]["status"] == "interrupted", data
    want = _what_status_says(project, env)
    # The hand-made tinkerpkg 2.0 is still there (uv never ran): still kept from `uv run`.
    assert want["ENVHOOK_STATE"] == "failed" and want["UV_NO_SYNC"] == "1", want
    # At once: the first prompt after the Ctrl-C already holds it…
    assert _shell_holds(s) == want, out
    # …and it stays so: Enter, and leaving and coming back.
    s.run("true")
    assert _shell_holds(s) == want
    s.run("cd /")
    s.run(f"cd {q(shell, project)}")
    assert _shell_holds(s) == want



@pytest.mark.parametrize("shell", ["zsh", "fish"], indirect=True)
def test_the_ctrl_c_handler_at_a_prompt_leaves_nothing_behind(open_shell, shell, tmp_path, wheelhouse, shell_env):
    """zsh and fish keep their prompt hook going through a Ctrl-C with a trap
    (a handler) of their own while Python runs: the user's stays, none of
    envhook's is left, and a Ctrl-C at the prompt after it still cancels."""
    project = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(project, shell_env)
    envhook("allow", cwd=project, env=shell_env, check=True)
    users = {"zsh": "trap 'echo user-int' INT", "fish": "function user_int --on-signal SIGINT; echo user-int; end"}
    s = open_shell(cwd=project, extra_rc=users[shell])
    assert s.get("ENVHOOK_STATE") == "in-sync"  # Python ran at the prompts so far
    if shell == "zsh":
        assert "echo user-int" in s.run("trap")
    else:
        assert s.run("functions -q user_int; and echo kept").strip() == "kept"
        assert s.run("functions -q _envhook_int; or echo gone").strip() == "gone"
    s.send_line("sleep 30")
    time.sleep(0.5)
    t0 = time.monotonic()
    s.interrupt(timeout=10)
    assert time.monotonic() - t0 < 5
