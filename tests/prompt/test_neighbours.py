"""envhook next to the other hooks people run (issue 28, point 13): the real
direnv and mise hooks in the same rc file, in both orders, and a terminal
whose editor activated the env first (VS Code's Python extension), in bash,
zsh and fish.

What must stay right: inside the project the env is active, its bin first on
PATH (ahead of what .envrc or mise put there: a `python3` of theirs must not
win), the other tool's own variables set, UV_NO_SYNC as envhook decides it
(the project here is pinned, so 1); outside, all of it gone: no env bin left
on PATH, even where the other tool restores a PATH it saved while the env
was active (direnv does, on unloading)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.hooktest import HOOK_LINE, envhook, lines_with, q
from support.projects import make_project, uv_lock
from support.shell import ShellSession, require_shell

SHELLS = ["bash", "zsh", "fish"]
REPO = Path(__file__).resolve().parent.parent.parent

# What each probe prints: the exported values a child process sees, then the
# prefix of the python3 that PATH finds.
PROBE = ("sh -c 'echo \"[${VIRTUAL_ENV-}][${UV_NO_SYNC-}][${NEIGHBOUR-}]\"'; "
         "python3 -c 'import sys; print(\"prefix=\" + sys.prefix)'")


def find_mise() -> str:
    """The real mise: on PATH, else where bench/ and .ci/run install it
    (npm's @jdxcode/mise into bench/.tools). CI=true: missing fails."""
    found = shutil.which("mise")
    local = [REPO / "bench" / ".tools" / "node_modules" / ".bin" / "mise",
             REPO / "bench" / ".tools" / "node_modules" / "@jdxcode" / "mise-linux-x64" / "bin" / "mise"]
    for cand in [found, *map(str, local)]:
        if cand and os.access(cand, os.X_OK) and subprocess.run(
                [cand, "--version"], capture_output=True, check=False).returncode == 0:
            return os.path.realpath(cand)
    msg = "mise is not installed (npm install --prefix bench/.tools @jdxcode/mise, as .ci/run does)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{msg}; CI=true: a missing tool is an error, not a skip", pytrace=False)
    pytest.skip(msg)


def find_direnv() -> str:
    found = shutil.which("direnv")
    if found is None:
        msg = "direnv is not installed (apt-get install direnv, as .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{msg}; CI=true: a missing tool is an error, not a skip", pytrace=False)
        pytest.skip(msg)
    return found


def tool_line(tool: str, exe: str, shell: str) -> str:
    """The rc line each tool's documentation gives."""
    verb = {"direnv": "hook", "mise": "activate"}[tool]
    if shell == "fish":
        return f"{q(shell, exe)} {verb} fish | source"
    return f'eval "$({q(shell, exe)} {verb} {shell})"'


@pytest.fixture
def project(tmp_path: Path, wheelhouse: Path, shell_env: dict) -> Path:
    """A trusted, synced, pinned project (so envhook exports UV_NO_SYNC=1 in
    it), with a `tools` dir holding a python3 of its own: what .envrc or mise
    put on PATH, which must not come before the env's."""
    p = make_project(tmp_path / "proj", wheelhouse)
    uv_lock(p, shell_env)
    for args in (["allow"], ["sync"], ["pin"]):
        envhook(*args, cwd=p, env=shell_env, check=True)
    tools = p / "tools"
    tools.mkdir()
    (tools / "python3").write_text("#!/bin/sh\necho prefix=the-tools-python3\n")
    (tools / "python3").chmod(0o755)
    return p


def configure(tool: str, exe: str, project: Path, env: dict) -> None:
    if tool == "direnv":
        (project / ".envrc").write_text("export NEIGHBOUR=direnv\nPATH_add tools\n")
        subprocess.run([exe, "allow", str(project)], env=env, check=True, capture_output=True)
    else:
        (project / ".mise.toml").write_text('[env]\nNEIGHBOUR = "mise"\n_.path = ["tools"]\n')
        subprocess.run([exe, "trust", str(project / ".mise.toml")], env=env, check=True, capture_output=True)


def probe(s: ShellSession) -> tuple[str, str, str, str]:
    out = s.run(PROBE).replace("\r", "")
    values = [line for line in out.splitlines() if line.startswith("[")]
    prefix = [line for line in out.splitlines() if line.startswith("prefix=")]
    assert values and prefix, out
    venv, no_sync, neighbour = values[-1][1:-1].split("][")
    return venv, no_sync, neighbour, prefix[-1][len("prefix="):]


def path_of(s: ShellSession) -> list[str]:
    return s.get("PATH").split("\n" if s.shell == "fish" else ":")


@pytest.mark.parametrize("order", ["tool-first", "envhook-first"])
@pytest.mark.parametrize("tool", ["direnv", "mise"])
@pytest.mark.parametrize("shell", SHELLS)
def test_next_to_direnv_and_mise(shell, tool, order, project, shell_env, isolated_home, tmp_path):
    require_shell(shell)
    exe = find_direnv() if tool == "direnv" else find_mise()
    env = dict(shell_env, MISE_OFFLINE="1")
    configure(tool, exe, project, env)
    lines = [tool_line(tool, exe, shell), HOOK_LINE[shell]]
    if order == "envhook-first":
        lines.reverse()
    s = ShellSession(shell, isolated_home, "\n".join(lines) + "\n", env, tmp_path, timeout=90)
    try:
        env_dir, env_bin, tools = project / ".venv", str(project / ".venv" / "bin"), str(project / "tools")
        out = s.run(f"cd {q(shell, project)}")
        assert not lines_with(out, "envhook:"), out
        assert probe(s) == (str(env_dir), "1", tool, str(env_dir)), "inside: the env first, UV_NO_SYNC, theirs too"
        path = path_of(s)
        assert path[0] == env_bin and tools in path, path
        s.run(f"cd {q(shell, project.parent)}")
        assert probe(s)[:3] == ("", "", ""), "outside: nothing of either"
        path = path_of(s)
        assert env_bin not in path and tools not in path, path
        assert not probe(s)[3].startswith(str(project))
        # And back: the same again (direnv reloads, envhook replays its slot).
        s.run(f"cd {q(shell, project)}")
        assert probe(s) == (str(env_dir), "1", tool, str(env_dir))
        assert path_of(s)[0] == env_bin
    finally:
        s.close(force=True)


ACTIVATE = {"bash": "activate", "zsh": "activate", "fish": "activate.fish"}


# The activation by environment in every shell (the decision and its line are
# Python's, the UV_NO_SYNC each hook's); the sourced activate in bash, zsh, fish.
EDITOR_CASES = [(sh, "environment") for sh in [*SHELLS, "xonsh", "nu", "elvish", "tcsh"]] + [
    (sh, "sourced") for sh in SHELLS]


@pytest.mark.parametrize(("shell", "how"), EDITOR_CASES, ids=[f"{sh}-{how}" for sh, how in EDITOR_CASES])
def test_a_terminal_whose_editor_activated_the_env_first(shell, how, project, shell_env, isolated_home):
    """VS Code's Python extension activates the selected env in each new
    terminal: by the environment it starts the shell with (VIRTUAL_ENV, the
    env's bin in front of PATH), or by typing `source …/activate` into it.
    envhook leaves that activation to its owner (leaving the project does
    not undo it; its `deactivate` does), says so once, and still exports
    UV_NO_SYNC where it decides so (only inside the project)."""
    require_shell(shell)
    env_dir, env_bin = project / ".venv", str(project / ".venv" / "bin")
    env = dict(shell_env)
    if how == "environment":
        env.update(VIRTUAL_ENV=str(env_dir), PATH=f"{env_bin}:{env['PATH']}")
    s = ShellSession(shell, isolated_home, HOOK_LINE[shell] + "\n", env, project, timeout=90)
    try:
        said = s.startup_output
        if how == "sourced":
            said += s.run(f"source {q(shell, env_dir / 'bin' / ACTIVATE[shell])}")
            said += s.run("true")
        told = lines_with(said, "envhook:")
        assert len(told) == 1 and "activated outside envhook" in told[0], said
        assert probe(s) == (str(env_dir), "1", "", str(env_dir))
        assert path_of(s)[0] == env_bin
        out = s.run(f"cd {q(shell, project.parent)}")
        assert not lines_with(out, "envhook:"), out
        # Still the editor's activation, whole: VIRTUAL_ENV and the bin together; UV_NO_SYNC was envhook's.
        assert probe(s) == (str(env_dir), "", "", str(env_dir))
        out = s.run(f"cd {q(shell, project)}")
        assert not lines_with(out, "envhook:"), "said once"
        assert probe(s)[:2] == (str(env_dir), "1")
        if how == "sourced":
            s.run(f"cd {q(shell, project.parent)}")
            s.run("deactivate")
            assert probe(s)[:2] == ("", "")
            assert env_bin not in path_of(s)
    finally:
        s.close(force=True)
