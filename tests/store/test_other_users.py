"""Hardening, third round (issue 26): another local user must never get their
code run as you. Each attack here is made by a real second local user
(support.users: useradd, setpriv), against envhook run by root and, where
blocking too much would show, by a plain user. Real shells, real uv offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envhook.prompt import hookcache
from envhook.prompt.emit import Activation
from envhook.store import paths
from support.hooktest import envhook, q, status_json
from support.shell import require_shell
from support.users import world_dir

SEVEN = ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]


def evil_project(users, name: str = "evil") -> tuple[Path, Path]:
    """A project of the other user's, in a directory you can enter, whose env's
    python, python3 and ls leave a canary when they run. Returns (project, canary)."""
    other = users.other
    where = world_dir(users, name, 0o755)
    os.chown(where, other.uid, other.gid)
    proj, canary = where / "proj", where / "canary"
    script = (f"#!/bin/sh\necho \"$0 ran as $(id -u)\" >> {canary}\n"
              "case $0 in */ls) exit 0 ;; esac\nexec /usr/bin/python3 \"$@\"\n")
    setup = (
        f"mkdir -p {proj}/.venv/bin && cd {proj} && "
        "printf '[project]\\nname = \"evil\"\\nversion = \"1\"\\n' > pyproject.toml && "
        "printf 'home = /usr/bin\\nprompt = evil\\n' > .venv/pyvenv.cfg && "
        f"for p in python python3 ls; do printf '%s' \"$SCRIPT\" > .venv/bin/$p; chmod 755 .venv/bin/$p; done && "
        f"touch {canary} && chmod 666 {canary}"
    )
    other.run(["/bin/sh", "-c", setup], env=other.env(SCRIPT=script), check=True)
    return proj, canary


def planted_cache(tmp_path: Path, proj: Path, env: dict) -> bytes:
    """The decision cache the other user writes: "evil is in sync with its own
    env", with nothing to check (no files read), for your environment."""
    decision = hookcache.Decision(
        str(proj), "evil", Activation(str(proj / ".venv"), "evil", False, "in-sync"), [str(proj)],
        [], [], [], [], hookcache.location(env), {}, "uv")
    out = tmp_path / "planted"
    hookcache.write(str(out), decision)
    return out.read_bytes()


def plant_state_dir(users, state_home: Path, proj: Path, data: bytes) -> None:
    """The other user makes `envhook/dirs/<key>` in a state home they can write."""
    other = users.other
    dirs = state_home / "envhook" / "dirs"
    other.run(["mkdir", "-p", str(dirs)], check=True)
    other.write(dirs / paths.key(os.path.realpath(proj)), data)


@pytest.fixture
def shell() -> str:
    """The shell where it does not matter (open_shell's default); the rows that are about shells name theirs."""
    return "bash"


@pytest.fixture
def shared_state(users) -> Path:
    """An XDG_STATE_HOME that was pre-created writable by everyone (mode 0777)."""
    return world_dir(users, "state-home", 0o777)


def test_a_planted_decision_cache_is_not_replayed_by_run(users, shared_state, tmp_path, shell_env):
    proj, canary = evil_project(users)
    env = dict(shell_env, XDG_STATE_HOME=str(shared_state))
    plant_state_dir(users, shared_state, proj, planted_cache(tmp_path, proj, env))
    for cmd in (["python", "-c", "pass"], ["ls"]):
        r = envhook("run", "--", *cmd, cwd=proj, env=env)
        assert r.returncode == 126, (cmd, r.returncode, r.stdout, r.stderr)
        assert "trusts nothing there" in r.stderr, r.stderr
    assert canary.read_text() == "", canary.read_text()
    r = envhook("env", "--json", cwd=proj, env=env)
    assert r.returncode == 126 and r.stdout == "", (r.returncode, r.stdout)


@pytest.mark.parametrize("sh", SEVEN)
def test_a_planted_decision_cache_is_not_replayed_by_the_hook(users, shared_state, tmp_path, shell_env,
                                                              open_shell, sh):
    require_shell(sh)
    proj, canary = evil_project(users)
    env = dict(shell_env, XDG_STATE_HOME=str(shared_state))
    plant_state_dir(users, shared_state, proj, planted_cache(tmp_path, proj, env))
    s = open_shell(cwd=tmp_path, env=env, sh=sh)
    out = s.run(f"cd {q(sh, proj)}")
    s.run("python3 -c pass")
    s.run("ls")
    assert s.get("VIRTUAL_ENV") is None, out
    assert canary.read_text() == "", canary.read_text()
    # Said once, as the untrusted line is (tcsh refuses to load its hook from such a state dir at all).
    assert "trusts nothing there" in out or "envhook: " in out, out
    assert "Traceback" not in out


def test_your_own_cache_is_not_replayed_once_the_state_dir_is_writable_by_others(users, tmp_path, wheelhouse,
                                                                                 shell_env, open_shell):
    from support.hooktest import trusted_project

    state_home = world_dir(users, "own-state", 0o755)
    env = dict(shell_env, XDG_STATE_HOME=str(state_home))
    p = trusted_project(tmp_path / "demo", wheelhouse, env, dependencies=["tinkerpkg==1.0"])
    s = open_shell(cwd=p, env=env, sh="bash")
    assert s.get("ENVHOOK_STATE") == "in-sync"
    s.close()
    cache = state_home / "envhook" / "dirs" / paths.key(os.path.realpath(p))
    assert cache.is_file(), "test setup: the prompt cached its decision"
    assert envhook("run", "--", "true", cwd=p, env=env).returncode == 0
    os.chmod(state_home / "envhook", 0o777)
    r = envhook("run", "--", "true", cwd=p, env=env)
    assert r.returncode == 126 and "writable by others" in r.stderr, (r.returncode, r.stderr)
    os.chmod(state_home / "envhook", 0o700)
    os.chmod(state_home, 0o777)  # a directory above it will do as well
    r = envhook("run", "--", "true", cwd=p, env=env)
    assert r.returncode == 126 and "writable by others" in r.stderr, (r.returncode, r.stderr)
    os.chmod(state_home, 0o1777)  # /tmp's mode: others may add, not replace
    assert envhook("run", "--", "true", cwd=p, env=env).returncode == 0


def test_a_cache_file_of_another_owner_in_your_own_state_dir_is_not_replayed(users, tmp_path, wheelhouse, shell_env):
    """The state dir is fine, but one file in it is not yours (restored from a
    backup, chowned): read_state believes no such file, whoever could write it."""
    from support.hooktest import trusted_project

    p = trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    proj, canary = evil_project(users)
    state = Path(shell_env["XDG_STATE_HOME"]) / "envhook"
    target = state / "dirs" / paths.key(os.path.realpath(proj))
    target.parent.mkdir(mode=0o700, exist_ok=True)
    target.write_bytes(planted_cache(tmp_path, proj, shell_env))
    os.chown(target, users.other.uid, users.other.gid)
    r = envhook("run", "--", "python", "-c", "pass", cwd=proj, env=shell_env)
    assert r.returncode == 126, (r.returncode, r.stderr)
    assert canary.read_text() == ""
    assert status_json(p, shell_env)["trusted"] is True, "your own project is still trusted"
    shutil.rmtree(proj.parent, ignore_errors=True)
