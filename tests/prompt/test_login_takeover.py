"""A login shell started inside an activated one (`exec bash -l` in a
project) takes the activation over, and ends with the env's bin first on
PATH, as a login shell started fresh in that directory does (issue 28,
point 5).

The take-over runs while the rc file runs; a login shell reads more after
it. Debian's stock ~/.profile sources ~/.bashrc and only then prepends
~/.local/bin (where uv tools, pipx, uv's own installer and install.sh put
their programs): `python3.11`, `ruff`, `pytest` ran the ones there, not the
env's. The same in the other shells, from the file each reads after the hook
(zsh ~/.zlogin, tcsh ~/.login, nushell's login.nu, or rc lines after the
hook line in fish, xonsh and elvish, which have no later file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from support.hooktest import HOOK_LINE, envhook, q
from support.projects import make_project, uv_lock, uv_sync
from support.shell import ShellSession, require_shell

SHELLS = ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
PY = f"python{sys.version_info[0]}.{sys.version_info[1]}"

# Debian's /etc/skel/.profile (bash 5.2), as every new account there gets it.
DEBIAN_PROFILE = """\
# ~/.profile: executed by the command interpreter for login shells.
# This file is not read by bash(1), if ~/.bash_profile or ~/.bash_login
# exists.

# if running bash
if [ -n "$BASH_VERSION" ]; then
    # include .bashrc if it exists
    if [ -f "$HOME/.bashrc" ]; then
	. "$HOME/.bashrc"
    fi
fi

# set PATH so it includes user's private bin if it exists
if [ -d "$HOME/bin" ] ; then
    PATH="$HOME/bin:$PATH"
fi

# set PATH so it includes user's private bin if it exists
if [ -d "$HOME/.local/bin" ] ; then
    PATH="$HOME/.local/bin:$PATH"
fi
"""

# Before the hook line: ~/.local/bin on PATH, as install.sh's block does (a
# login shell's /etc/profile may have reset PATH; Debian's ~/.profile adds it
# only after ~/.bashrc).
BEFORE = {
    "bash": 'case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) export PATH="$HOME/.local/bin:$PATH" ;; esac',
    "zsh": 'case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) export PATH="$HOME/.local/bin:$PATH" ;; esac',
    "fish": "contains -- $HOME/.local/bin $PATH; or set -gx PATH $HOME/.local/bin $PATH",
    "xonsh": "if $HOME + '/.local/bin' not in $PATH: $PATH.insert(0, $HOME + '/.local/bin')",
    "nu": ("if ($env.HOME | path join .local bin) not-in $env.PATH {"
           " $env.PATH = ($env.PATH | prepend ($env.HOME | path join .local bin)) }"),
    "elvish": "if (not (has-value $paths ~/.local/bin)) { set paths = [~/.local/bin $@paths] }",
    "tcsh": 'if ( ":${PATH}:" !~ *:$HOME/.local/bin:* ) setenv PATH "$HOME/.local/bin:${PATH}"',
}
# What the shell reads after the hook line that puts ~/.local/bin first: a
# login file where the shell has one, else the rc's own next line.
LATER_FILE = {"zsh": ".zlogin", "tcsh": ".login", "nu": ".config/nushell/login.nu"}
PREPEND = {
    "zsh": "path=(~/.local/bin $path)\n",
    "tcsh": "set path = ( ~/.local/bin $path )\n",
    "nu": "$env.PATH = ($env.PATH | prepend ($env.HOME | path join .local bin))\n",
    "fish": "set -gx PATH $HOME/.local/bin $PATH",
    "xonsh": "$PATH.insert(0, $HOME + '/.local/bin')",
    "elvish": "set paths = [~/.local/bin $@paths]",
}
# The login shell each one execs (elvish and xonsh have no login files: their rc again).
LOGIN_ARGS = {
    "bash": ["-l"],
    "zsh": ["-l"],
    "fish": ["-l"],
    "xonsh": ["-i", "--shell-type=readline", "--login"],
    "nu": ["-l", "--no-history"],
    "elvish": [],
    "tcsh": ["-l"],
}


def exec_login(shell: str) -> str:
    """`exec SHELL -l`, by absolute paths (the shells under test need not be
    on the session's PATH), through env(1), which marks the new process: the
    test sees that the exec happened."""
    import shutil

    argv = [shutil.which("env"), "ENVHOOK_TEST_EXECED=1", shutil.which(shell), *LOGIN_ARGS[shell]]
    return "exec " + " ".join(q(shell, a) for a in argv)


def fake_program(path: Path, says: str) -> None:
    path.write_text(f"#!/bin/sh\necho {says}\n")
    path.chmod(0o755)


@pytest.fixture
def setup(isolated_home: Path, shell_env: dict, tool_bin: Path, wheelhouse: Path, tmp_path: Path):
    """A synced, trusted project whose env holds a `ruff`; ~/.local/bin with
    envhook, uv, the base python3.X and a `ruff` of its own (a uv tool)."""
    local_bin = isolated_home / ".local" / "bin"
    local_bin.mkdir(parents=True)
    for name in ("envhook", "uv"):
        os.symlink(os.path.realpath(tool_bin / name), local_bin / name)
    os.symlink(os.path.realpath(tool_bin / PY), local_bin / PY)
    fake_program(local_bin / "ruff", "the-base-ruff")
    project = make_project(tmp_path / "proj", wheelhouse)
    uv_lock(project, shell_env)
    uv_sync(project, shell_env)
    envhook("allow", cwd=project, env=shell_env, check=True)
    fake_program(project / ".venv" / "bin" / "ruff", "the-env-ruff")
    return isolated_home, shell_env, project


def start(shell: str, home: Path, env: dict, cwd: Path, *, login: bool = False) -> ShellSession:
    require_shell(shell)
    rc = f"{BEFORE[shell]}\n{HOOK_LINE[shell]}\n"
    if shell in LATER_FILE:
        later = home / LATER_FILE[shell]
        later.parent.mkdir(parents=True, exist_ok=True)
        later.write_text(PREPEND[shell])
    elif shell != "bash":
        rc += PREPEND[shell] + "\n"
    if shell == "bash":
        (home / ".profile").write_text(DEBIAN_PROFILE)
    return ShellSession(shell, home, rc, env, cwd, timeout=90, login=login)


def path_of(s: ShellSession) -> list[str]:
    return s.get("PATH").split("\n" if s.shell == "fish" else ":")


def assert_env_first(s: ShellSession, project: Path, what: str) -> None:
    env_bin = str(project / ".venv" / "bin")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv"), what
    path = path_of(s)
    assert path[0] == env_bin, f"{what}: PATH = {path}"
    assert s.run("ruff").strip().splitlines()[-1] == "the-env-ruff", what
    prefix = s.run(f"{PY} -c 'import sys; print(sys.prefix)'").strip().splitlines()[-1]
    assert prefix == str(project / ".venv"), what


@pytest.mark.parametrize("shell", SHELLS)
def test_a_login_shell_started_fresh_in_a_project_has_the_env_first(setup, shell):
    home, env, project = setup
    s = start(shell, home, env, project, login=True)
    try:
        assert_env_first(s, project, f"a fresh login {shell}")
    finally:
        s.close(force=True)


@pytest.mark.parametrize("shell", SHELLS)
def test_exec_login_shell_in_a_project_takes_over_with_the_env_first(setup, shell):
    home, env, project = setup
    s = start(shell, home, env, project)
    try:
        assert s.get("VIRTUAL_ENV") == str(project / ".venv")
        assert s.get("ENVHOOK_TEST_EXECED") is None
        s.run(exec_login(shell))
        assert s.get("ENVHOOK_TEST_EXECED") == "1", "the login shell replaced the first one"
        assert_env_first(s, project, f"exec {shell} -l in an activated {shell}")
        # Still envhook's own: leaving undoes it, and ~/.local/bin's ruff runs there.
        s.run(f"cd {q(shell, home)}")
        assert s.get("VIRTUAL_ENV") is None
        assert str(project / ".venv" / "bin") not in path_of(s)
        assert s.run("ruff").strip().splitlines()[-1] == "the-base-ruff"
    finally:
        s.close(force=True)

