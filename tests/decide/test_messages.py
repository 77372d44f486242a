"""What envhook says, word by word (issue 28, point 11): every list of what
a sync does has a verb or reads from → to as the env goes; status never
points at itself; keep mode says it is syncing before the tool's output;
nothing lands on a tool's unfinished line; VIRTUAL_ENV_PROMPT is what the
env's own activate exports; a package pin's env has one word everywhere."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envhook.env.drift import Change, compare, text
from support.hooktest import envhook, lines_with, pip_install, status_json, version_in_env, write_config
from support.projects import make_project, set_dependencies, uv_lock, venv_python

ARROW = "\u2192"
# The words are Python's; one shell shows them (the hooks only relay stderr).
ONE_SHELL = pytest.mark.parametrize("shell", ["bash"], indirect=True)


def new_project(tmp_path: Path, wheelhouse: Path, env: dict, deps=("tinkerpkg==1.0",)) -> Path:
    p = make_project(tmp_path / "demo", wheelhouse, dependencies=deps)
    uv_lock(p, env)
    envhook("allow", cwd=p, env=env, check=True)
    return p


def uv_pip(env: dict, project: Path, *args: str, wheelhouse: Path | None = None) -> None:
    links = ["--no-index", "--find-links", str(wheelhouse)] if wheelhouse is not None else []
    subprocess.run(["uv", "pip", *args, "--python", str(venv_python(project)), *links], env=env, check=True,
                   capture_output=True)


# -- what a sync does, in words ---------------------------------------------------------------

def test_what_a_sync_would_do_has_a_verb_and_a_reset_reads_as_the_env_goes():
    # The env now, against what a sync brings back (the lock, or the last sync).
    changes = compare({"tinkerpkg": "1.0", "gone": "3.0"}, {"tinkerpkg": "2.0", "ipdb": "0.13.13"})
    # "a sync would also …": a verb for every item (was "a sync would also tinkerpkg 2.0 → 1.0").
    assert text(changes, "reverse") == f"install gone 3.0, remove ipdb 0.13.13, change tinkerpkg 2.0 {ARROW} 1.0"
    # "resetting hand-made changes: …": from → to as the env goes (was "tinkerpkg 1.0 → 2.0", the
    # way the hand change went), and no verb of its own after "resetting" (was "resetting install gone 3.0").
    assert text(changes, "back") == f"+ gone 3.0, - ipdb 0.13.13, tinkerpkg 2.0 {ARROW} 1.0"
    assert Change("x", None, "1.0").back() == "+ x 1.0" and Change("x", "1.0", None).back() == "- x 1.0"


@ONE_SHELL
def test_a_frozen_env_names_with_a_verb_what_a_sync_would_also_do(open_shell, shell, tmp_path, wheelhouse, shell_env):
    write_config(shell_env, 'tinkered = "freeze"\n')
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    set_dependencies(p, ["tinkerpkg==1.0", "otherpkg==1.1"])
    out = s.run("uv lock -q")
    assert f"a sync would also change otherpkg 1.0 {ARROW} 1.1 " in out, out


@ONE_SHELL
def test_the_reset_setting_names_the_reset_as_the_env_goes(open_shell, shell, tmp_path, wheelhouse, shell_env):
    write_config(shell_env, 'tinkered = "reset"\n')
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "extrapkg==1.0"))
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run("uv pip uninstall -q extrapkg")
    set_dependencies(p, ["tinkerpkg==1.0", "extrapkg==1.0", "otherpkg==1.0"])
    out = s.run("uv lock -q")
    line = lines_with(out, "envhook: syncing demo (")
    assert len(line) == 1, out
    assert f"resetting hand-made changes: + extrapkg 1.0, tinkerpkg 2.0 {ARROW} 1.0)" in line[0], line[0]
    assert version_in_env(p) == "1.0" and version_in_env(p, "extrapkg") == "1.0"


def test_unpin_names_what_it_resets_without_a_second_verb(tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "extrapkg==1.0"))
    envhook("sync", cwd=p, env=shell_env, check=True)
    uv_pip(shell_env, p, "uninstall", "extrapkg")
    envhook("pin", cwd=p, env=shell_env, check=True)
    envhook("unpin", cwd=p, env=shell_env, check=True)
    reasons = status_json(p, shell_env)["reasons"]
    assert "unpinned: resetting + extrapkg 1.0" in reasons, reasons


def test_status_does_not_point_at_itself_for_the_rest_of_a_list(tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    envhook("sync", cwd=p, env=shell_env, check=True)
    uv_pip(shell_env, p, "install", "tinkerpkg==2.0", "otherpkg", "depkg", "extrapkg", "chaina", "markerpkg",
           wheelhouse=wheelhouse)
    r = envhook("status", cwd=p, env=shell_env)
    assert "state:   tinkered" in r.stdout and " more" in r.stdout, r.stdout
    assert "envhook status" not in r.stdout, r.stdout
    assert not any("envhook status" in reason for reason in status_json(p, shell_env)["reasons"])


# -- around the tool's own output ----------------------------------------------------------

@ONE_SHELL
def test_keep_mode_says_it_is_syncing_before_the_tools_output(open_shell, shell, tmp_path, wheelhouse, shell_env):
    """Other modes say `syncing demo (uv.lock changed)` before uv's own lines;
    keep mode said only the `synced …; kept your …` line after them."""
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    set_dependencies(p, ["tinkerpkg==1.0", "otherpkg==1.1"])
    out = s.run("uv lock -q")
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    syncing = [i for i, line in enumerate(lines) if line.startswith("envhook: syncing demo (")]
    synced = [i for i, line in enumerate(lines) if line.startswith("envhook: synced demo (")]
    assert len(syncing) == 1 and len(synced) == 1 and syncing[0] < synced[0], out
    assert lines[syncing[0]] == ("envhook: syncing demo (pyproject.toml changed, uv.lock changed; "
                                 "keeping your tinkerpkg)"), out
    assert any("otherpkg" in line and not line.startswith("envhook:") for line in lines[syncing[0] + 1:synced[0]]), (
        f"uv's own output comes between the two lines:\n{out}")
    assert "kept your tinkerpkg 2.0 (lock: 1.0)" in lines[synced[0]]


@ONE_SHELL
def test_sync_interrupted_starts_a_line_of_its_own(open_shell, shell, tmp_path, wheelhouse, shell_env):
    """A tool's spinner (PDM's) leaves its line unfinished, and so does the
    terminal's ^C: "sync interrupted" landed on that line."""
    real = os.path.realpath(shutil.which("uv", path=shell_env["PATH"]))
    d = tmp_path / "spinuv"
    d.mkdir()
    flag = tmp_path / "slow"
    (d / "uv").write_text(
        "#!/bin/sh\n"
        f"case \" $* \" in *' sync '*) [ -e {shlex.quote(str(flag))} ] &&\n"
        "  printf '\\r| Resolving' >&2 && sleep 30 ;; esac\n"
        f"exec {shlex.quote(real)} \"$@\"\n")
    (d / "uv").chmod(0o755)
    env = dict(shell_env, PATH=f"{d}:{shell_env['PATH']}")
    p = new_project(tmp_path, wheelhouse, env)
    s = open_shell(cwd=p, env=env)
    flag.write_text("")
    set_dependencies(p, ["tinkerpkg==2.0"])
    s.send_line("true")
    s.child.expect("Resolving", timeout=30)
    time.sleep(0.5)
    out = s.interrupt(timeout=20)
    line = lines_with(out, "sync interrupted")
    assert len(line) == 1 and line[0].startswith("envhook: sync interrupted"), repr(out)


# -- the env's prompt, and the word for a package pin -----------------------------------------

def test_the_prompt_of_a_virtualenv_env_is_what_its_activate_says(tmp_path, wheelhouse, shell_env):
    """virtualenv (Poetry's envs) writes `prompt = "rich-py3.13"` to pyvenv.cfg;
    its activate exports rich-py3.13, envhook exported the quotes too."""
    p = new_project(tmp_path, wheelhouse, shell_env)
    subprocess.run([sys.executable, "-m", "virtualenv", "-q", "--prompt", "rich-py3.13", str(p / ".venv")],
                   env=shell_env, check=True, capture_output=True)
    assert 'prompt = "rich-py3.13"' in (p / ".venv" / "pyvenv.cfg").read_text()
    theirs = subprocess.run(["bash", "-c", '. .venv/bin/activate && printf %s "$VIRTUAL_ENV_PROMPT"'], cwd=p,
                            env=shell_env, capture_output=True, text=True, check=True).stdout
    assert theirs == "rich-py3.13"
    assert status_json(p, shell_env)["exports"]["VIRTUAL_ENV_PROMPT"] == theirs


@ONE_SHELL
def test_a_package_pin_has_the_same_word_in_status_and_the_prompt(open_shell, shell, tmp_path, wheelhouse, shell_env):
    """Pinned packages are part of what a sync leaves: the env is `in-sync`
    (README, "In your prompt"), and status says why its drift is not empty."""
    p = new_project(tmp_path, wheelhouse, shell_env)
    envhook("sync", cwd=p, env=shell_env, check=True)
    uv_pip(shell_env, p, "install", "tinkerpkg==2.0", wheelhouse=wheelhouse)
    envhook("pin", "tinkerpkg", cwd=p, env=shell_env, check=True)
    data = status_json(p, shell_env)
    assert data["state"] == "in-sync" and data["exports"]["UV_NO_SYNC"] == "1", data
    s = open_shell(cwd=p)
    assert s.get("ENVHOOK_STATE") == data["state"] and s.get("UV_NO_SYNC") == "1"
    out = envhook("status", cwd=p, env=shell_env).stdout
    assert "state:   in-sync" in out and "  tinkerpkg 2.0 (lock: 1.0), pinned" in out, out
    assert "UV_NO_SYNC=1" in out.splitlines()[-1], out
