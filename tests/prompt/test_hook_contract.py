"""The decision rows of the hook (issue "envhook, end to end") in real
interactive bash, zsh and fish over real uv projects synced offline: pins,
workspaces, UV_PROJECT_ENVIRONMENT, symlinks, git checkouts, the decision
cache's early sync. The promises every shell makes (enter, leave, re-enter,
untrusted, hand-made, pinned, failure, Ctrl-C, hostile names, take-over,
`cd x && cmd`, status, nounset, user hooks, loading twice, uninstalled) are
tests/prompt/test_contract.py's, in all seven shells."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from shlex import quote as shlex_quote

import pytest

from support.hooktest import envhook, pip_install, q, status_json, version_in_env
from support.projects import make_project, make_workspace_member, set_dependencies, uv_lock


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A freshly cloned uv project: pyproject + uv.lock, no env, not trusted."""
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    return p


def stamp_mtimes(home_state: Path) -> dict[str, int]:
    d = home_state / "envhook" / "stamps"
    return {p.name: p.stat().st_mtime_ns for p in d.iterdir()} if d.is_dir() else {}


# -- untrusted ------------------------------------------------------------------------

# -- fresh clone → allow → created, synced, active ------------------------------------------

def test_uv_add_right_after_the_first_sync_is_recorded_not_synced_again(open_shell, shell, project, shell_env):
    """The env did not exist when the first prompt's decision began; the
    decision it leaves must still watch the site-packages that sync created,
    or `uv add` looks like a lock change alone and is synced a second time."""
    s = open_shell(cwd=project)
    assert "syncing demo" in s.run("envhook allow")
    out = s.run("uv add -q extrapkg")
    assert "envhook" not in out, out
    assert version_in_env(project, "extrapkg") == "1.0"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    record = json.loads(next(Path(shell_env["XDG_STATE_HOME"]).glob("envhook/projects/*/sync.json")).read_text())
    assert record["message"] == "the env already matched the lock" and "extrapkg" in record["installed"]


def test_edit_dependency_is_synced_before_the_next_command(open_shell, shell, project, shell_env):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    assert version_in_env(project) == "1.0"
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("python -c 'import tinkerpkg; print(tinkerpkg.__version__)'")
    # The command itself ran before the prompt hook noticed the edit…
    assert out.strip().endswith("1.0") or "syncing demo (pyproject.toml changed" in out
    assert "syncing demo (pyproject.toml changed" in out
    # …and the next command sees the synced env.
    assert s.run("python -c 'import tinkerpkg; print(tinkerpkg.__version__)'").strip() == "2.0"


def test_git_checkout_that_changes_the_lock_syncs(open_shell, shell, project, shell_env):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "one"], cwd=project, check=True)
    subprocess.run([*git, "checkout", "-qb", "two"], cwd=project, check=True)
    set_dependencies(project, ["tinkerpkg==2.0", "otherpkg==1.0"])
    uv_lock(project, shell_env)
    subprocess.run([*git, "commit", "-qam", "two"], cwd=project, check=True)
    subprocess.run([*git, "checkout", "-q", "main"], cwd=project, check=True)
    envhook("allow", cwd=project, env=shell_env)

    s = open_shell(cwd=project)
    assert version_in_env(project) == "1.0"
    out = s.run("git checkout -q two")
    assert "syncing demo" in out and "uv.lock changed" in out
    assert version_in_env(project) == "2.0"
    assert version_in_env(project, "otherpkg") == "1.0"


# -- no work when nothing changed -------------------------------------------------------

def test_prompts_with_nothing_changed_start_no_python(open_shell, shell, project, shell_env, isolated_home):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    (project / "sub" / "deeper").mkdir(parents=True)
    s.run("cd sub/deeper")
    before = stamp_mtimes(Path(shell_env["XDG_STATE_HOME"]))
    assert before
    for cmd in ("true", "cd ..", "cd deeper", "cd " + q(shell, project), "true"):
        s.run(cmd)
    # The export touches this shell's stamp every time Python runs; no change = no Python.
    assert stamp_mtimes(Path(shell_env["XDG_STATE_HOME"])) == before
    # An edit right after a prompt is still seen (mtime resolution).
    (project / "uv.lock").write_text((project / "uv.lock").read_text() + "\n")
    s.run("true")
    assert stamp_mtimes(Path(shell_env["XDG_STATE_HOME"])) != before


# -- pinned ---------------------------------------------------------------------------------

def test_pin_keeps_tinkering_from_the_hook_and_from_uv_run(open_shell, shell, project, shell_env, wheelhouse):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert version_in_env(project) == "2.0"
    assert "pinned demo" in s.run("envhook pin --note 'trying 2.0'")
    assert s.get("UV_NO_SYNC") == "1"

    set_dependencies(project, ["tinkerpkg==1.0", "otherpkg==1.0"])
    out = s.run("uv lock -q")
    assert "syncing" not in out
    assert "pinned, so it was not synced" in out and out.count("pinned, so it was not synced") == 1
    assert "pinned, so it was not synced" not in s.run("true")
    assert version_in_env(project) == "2.0"
    assert version_in_env(project, "otherpkg") is None
    # uv run would normally sync first; UV_NO_SYNC=1 from the hook stops it.
    assert s.run("uv run python -c 'import tinkerpkg; print(tinkerpkg.__version__)'").strip() == "2.0"
    assert version_in_env(project) == "2.0"

    status = envhook("status", "--json", cwd=project, env=shell_env)
    data = json.loads(status.stdout)
    assert data["state"] == "pinned" and data["pinned"] is True
    assert any("uv.lock changed" in r for r in data["reasons"])

    out = s.run("envhook unpin")
    assert "syncing demo" in out
    assert version_in_env(project) == "1.0"
    assert version_in_env(project, "otherpkg") == "1.0"
    assert s.get("UV_NO_SYNC") is None


def test_unpin_resets_hand_changes_even_without_input_change(open_shell, shell, project, shell_env, wheelhouse):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    s.run("envhook pin")
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==3.0"))
    assert "syncing" not in s.run("true")
    assert version_in_env(project) == "3.0"
    out = s.run("envhook unpin")
    assert "syncing demo" in out
    assert version_in_env(project) == "1.0"


def test_unpinned_hand_install_is_not_reset_without_input_change(open_shell, shell, project, shell_env, wheelhouse):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert "syncing" not in s.run("true")
    assert version_in_env(project) == "2.0"


def test_deleted_env_is_recreated_even_when_pinned(open_shell, shell, project, shell_env):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    s.run("envhook pin")
    out = s.run(f"rm -rf {q(shell, project / '.venv')}")
    assert "syncing demo" in out
    assert version_in_env(project) == "1.0"
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert s.get("UV_NO_SYNC") == "1"


def test_sync_command_refuses_pinned_unless_forced(project, shell_env):
    envhook("allow", cwd=project, env=shell_env)
    assert envhook("sync", cwd=project, env=shell_env).returncode == 0
    envhook("pin", cwd=project, env=shell_env)
    r = envhook("sync", cwd=project, env=shell_env)
    assert r.returncode == 1 and "--force" in r.stderr
    assert status_json(project, shell_env)["pinned"] is True  # the refusal changed nothing
    r = envhook("sync", "--force", cwd=project, env=shell_env)
    assert r.returncode == 0, r.stderr
    # --force is the user's word: the env is reset to the lock, and the pin is gone.
    data = status_json(project, shell_env)
    assert data["pinned"] is False and data["state"] == "in-sync", data
    assert json.loads(envhook("status", "--json", cwd=project, env=shell_env).stdout)["pinned"] is False


# -- leaving ----------------------------------------------------------------------------------

def test_hand_activated_venv_is_left_alone_but_synced(open_shell, shell, project, shell_env, tmp_path):
    envhook("allow", cwd=project, env=shell_env)
    other = tmp_path / "other-venv"
    subprocess.run(["uv", "venv", "-q", str(other)], env=shell_env, check=True)
    s = open_shell()
    activate = {"bash": "source", "zsh": "source", "fish": "source"}[shell]
    script = other / "bin" / ("activate.fish" if shell == "fish" else "activate")
    s.run(f"{activate} {q(shell, script)}")
    assert s.get("VIRTUAL_ENV") == str(other)
    out = s.run(f"cd {q(shell, project)}")
    assert "syncing demo" in out
    assert version_in_env(project) == "1.0"
    assert s.get("VIRTUAL_ENV") == str(other)
    s.run("cd /")
    assert s.get("VIRTUAL_ENV") == str(other)


# -- failures -------------------------------------------------------------------------------

def test_failed_sync_says_once_and_does_not_retry(open_shell, shell, project, shell_env, isolated_home):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    set_dependencies(project, ["tinkerpkg==9.9"])
    out = s.run("true")
    assert "syncing demo" in out
    assert "envhook sync" in out
    for _ in range(3):
        assert "envhook" not in s.run("true")
    assert s.run("echo still-usable").strip() == "still-usable"
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")  # the old env stays usable
    data = json.loads(envhook("status", "--json", cwd=project, env=shell_env).stdout)
    assert data["state"] == "failed"
    # A fix of the inputs is the retry.
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("true")
    assert "syncing demo" in out
    assert version_in_env(project) == "2.0"


def test_failed_first_sync_of_a_fresh_clone(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "broken", wheelhouse, dependencies=("nosuchpkg==1.0",))
    envhook("allow", cwd=p, env=shell_env)
    s = open_shell(cwd=p)
    assert "envhook sync" in s.startup_output
    assert "envhook" not in s.run("true")
    data = json.loads(envhook("status", "--json", cwd=p, env=shell_env).stdout)
    assert data["state"] == "failed" and "nothing" not in data["next"]


# Ctrl-C, an attack of an earlier round (issue 15), in nushell and elvish too
# (issue 26). What a hook that raised would print: a traceback, nushell's
# "Error:", the line nu's and elvish's hooks print instead ("the hook
# failed"). elvish's own "Exception: interrupted" for a command line
# interrupted in its `cd` is not the hook's: elvish says it of any command.
RAISED = ("Traceback", "Error:", "hook failed")


# -- where the env is ----------------------------------------------------------------------

def test_workspace_member_uses_the_workspace_root_env(open_shell, shell, tmp_path, wheelhouse, shell_env):
    root = make_project(tmp_path / "ws", wheelhouse, workspace_members=["packages/*"])
    member = root / "packages" / "a"
    member.mkdir(parents=True)
    (member / "pyproject.toml").write_text(
        '[project]\nname = "a"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["otherpkg==1.1"]\n'
    )
    uv_lock(root, shell_env)
    envhook("allow", cwd=member, env=shell_env)
    s = open_shell(cwd=member)
    assert s.get("VIRTUAL_ENV") == str(root / ".venv")
    assert not (member / ".venv").exists()
    s.run("cd ../..")
    assert s.get("VIRTUAL_ENV") == str(root / ".venv")


def test_first_member_of_an_empty_workspace_is_noticed(open_shell, shell, tmp_path, wheelhouse, shell_env):
    """A workspace whose `members` glob matches nothing yet: the first member
    created is an input at once (was: noticed only when something else changed)."""
    root = make_project(tmp_path / "ws", wheelhouse, workspace_members=["packages/*"])
    uv_lock(root, shell_env)
    envhook("allow", cwd=root, env=shell_env, check=True)
    s = open_shell(cwd=root)
    assert s.get("VIRTUAL_ENV") == str(root / ".venv")
    assert "envhook" not in s.run("true")
    make_workspace_member(root, "packages/a", "a", dependencies=["otherpkg==1.1"])
    out = s.run("true")
    assert "syncing demo (packages/a/pyproject.toml added)" in out, out
    data = json.loads(envhook("status", "--json", cwd=root, env=shell_env).stdout)
    assert data["state"] == "in-sync", data
    # …and the next one, in the directory the first one created.
    make_workspace_member(root, "packages/b", "b")
    assert "syncing demo (packages/b/pyproject.toml added)" in s.run("true")


def test_uv_project_environment_is_honoured(open_shell, shell, project, shell_env):
    env = dict(shell_env, UV_PROJECT_ENVIRONMENT="build/env")
    envhook("allow", cwd=project, env=env)
    s = open_shell(cwd=project, env=env)
    assert s.get("VIRTUAL_ENV") == str(project / "build" / "env")
    assert not (project / ".venv").exists()
    assert (project / "build" / "env" / "pyvenv.cfg").exists()


def test_a_venv_prompt_starting_with_equals_is_activated_as_it_is(open_shell, shell, project, shell_env):
    """`uv venv --prompt =ls` writes `prompt = =ls` to pyvenv.cfg; zsh's
    equals expansion made `=ls` /usr/bin/ls (or "=cmd not found", no
    activation) in the hook's eval and in `envhook env --shell`."""
    r = subprocess.run(["uv", "venv", "--prompt", "=ls", ".venv"], cwd=project, env=shell_env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert "prompt = =ls" in (project / ".venv" / "pyvenv.cfg").read_text()
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=project)
    assert "not found" not in s.startup_output, s.startup_output
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert s.get("VIRTUAL_ENV_PROMPT") == "=ls"
    script = ('eval "$(envhook env --shell SH)"; printf %s "$VIRTUAL_ENV_PROMPT"' if shell != "fish"
              else 'envhook env --shell fish | source; printf %s "$VIRTUAL_ENV_PROMPT"').replace("SH", shell)
    r = subprocess.run([shutil.which(shell), "-c", script], cwd=project, env=shell_env, capture_output=True, text=True)
    assert (r.returncode, r.stdout, r.stderr) == (0, "=ls", ""), r


# -- shell manners ----------------------------------------------------------------------------

def test_allow_and_deny_take_effect_at_the_next_prompt(open_shell, shell, project, shell_env):
    s = open_shell(cwd=project)
    s.run("envhook allow")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("envhook deny")
    assert s.get("VIRTUAL_ENV") is None
    s.run("envhook allow")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


# -- hostile paths (the full attack suite is its own issue; these guard the basics) ------

def test_symlinked_project_dir(open_shell, shell, project, shell_env, tmp_path):
    link = tmp_path / "link-to-demo"
    link.symlink_to(project)
    envhook("allow", cwd=link, env=shell_env)
    s = open_shell()
    s.run(f"cd {q(shell, link)}")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    before = stamp_mtimes(Path(shell_env["XDG_STATE_HOME"]))
    s.run("true")
    assert stamp_mtimes(Path(shell_env["XDG_STATE_HOME"])) == before  # fast path through the link too


USER_HOOKS = [
    ("bash", "PROMPT_COMMAND='echo user-pc1; echo user-pc2'"),
    ("bash", "PROMPT_COMMAND=('echo user-pc1' 'echo user-pc2')"),
    ("zsh", "u1() { echo user-pc1 }; u2() { echo user-pc2 }; precmd_functions+=(u1); chpwd_functions+=(u2)"),
    ("fish", "function u1 --on-event fish_prompt; echo user-pc1; end; function u2 --on-variable PWD; echo user-pc2; end"),
]


@pytest.mark.parametrize("shell, user_rc", USER_HOOKS, indirect=["shell"])
def test_users_own_prompt_hooks_keep_running(open_shell, shell, user_rc, project, shell_env):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(extra_rc=user_rc)
    out = s.run(f"cd {q(shell, project)}")
    assert "user-pc1" in out and "user-pc2" in out
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("false")
    assert s.status() == 1  # the user's hooks and prompt still see the real $?


# -- costs: what the builtin-only paths cover -------------------------------------------

def test_revisiting_a_project_switches_back_without_python(open_shell, shell, project, shell_env, tmp_path, wheelhouse):
    other = make_project(tmp_path / "other", wheelhouse, name="other", dependencies=("otherpkg==1.0",))
    uv_lock(other, shell_env)
    for p in (project, other):
        envhook("allow", cwd=p, env=shell_env)
    s = open_shell()
    s.run(f"cd {q(shell, project)}")
    s.run(f"cd {q(shell, other)}")
    s.run("cd /")
    state = Path(shell_env["XDG_STATE_HOME"])
    before = stamp_mtimes(state)
    for _ in range(2):
        s.run(f"cd {q(shell, project)}")
        assert s.get("VIRTUAL_ENV") == str(project / ".venv")
        s.run(f"cd {q(shell, other / 'sub') if (other / 'sub').is_dir() else q(shell, other)}")
        assert s.get("VIRTUAL_ENV") == str(other / ".venv")
        s.run("cd /")
        assert s.get("VIRTUAL_ENV") is None
    assert stamp_mtimes(state) == before  # no Python ran for any of it
    # …and a change made while away is still noticed on the way back in.
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run(f"cd {q(shell, project)}")
    assert "syncing demo" in out and version_in_env(project) == "2.0"


def test_a_project_created_in_the_current_directory_is_noticed(open_shell, shell, tmp_path, wheelhouse, shell_env):
    d = tmp_path / "fresh"
    d.mkdir()
    s = open_shell(cwd=d)
    assert "envhook" not in s.run("true")
    out = s.run("printf '[project]\\nname = \"fresh\"\\nversion = \"0\"\\n' > pyproject.toml")
    assert "fresh" in out and "not trusted" in out


def test_pin_and_allow_from_another_shell_reach_this_one(open_shell, shell, project, shell_env):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    assert s.get("UV_NO_SYNC") is None
    envhook("pin", cwd=project, env=shell_env)  # e.g. typed in another terminal
    s.run("true")
    assert s.get("UV_NO_SYNC") == "1"
    envhook("deny", cwd=project, env=shell_env)
    s.run("true")
    assert s.get("VIRTUAL_ENV") is None


HOSTILE_OPTIONS = [
    ("bash", "set -u; set -o pipefail; shopt -s nullglob failglob"),
    ("zsh", "setopt nounset ksh_arrays no_clobber sh_word_split"),
    ("fish", "set -g fish_features qmark-noglob"),
]


@pytest.mark.parametrize("shell, options", HOSTILE_OPTIONS, indirect=["shell"])
def test_users_shell_options_do_not_break_the_hook(open_shell, shell, options, project, shell_env, tmp_path, wheelhouse):
    other = make_project(tmp_path / "other dir", wheelhouse, name="other")
    uv_lock(other, shell_env)
    for p in (project, other):
        envhook("allow", cwd=p, env=shell_env)
    s = open_shell(extra_rc=options)
    for _ in range(2):  # the second round goes through the slots, without Python
        out = s.run(f"cd {q(shell, project)}")
        assert "error" not in out.lower() and "unbound" not in out.lower() and "no match" not in out.lower()
        assert s.get("VIRTUAL_ENV") == str(project / ".venv")
        s.run(f"cd {q(shell, other)}")
        assert s.get("VIRTUAL_ENV") == str(other / ".venv")
        out = s.run("cd /")
        assert out.strip() == "" and s.get("VIRTUAL_ENV") is None
    s.run("false")
    assert s.status() == 1


def test_a_sync_started_from_the_decision_cache_is_announced_once_and_recorded(open_shell, shell, project, shell_env):
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    s.run("true")  # the first evaluation has cached its decision by now
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("true")
    assert out.count("syncing demo") == 1 and "pyproject.toml changed" in out
    assert version_in_env(project) == "2.0"
    data = json.loads(envhook("status", "--json", cwd=project, env=shell_env).stdout)
    assert data["state"] == "in-sync" and data["last_sync"]["status"] == "ok"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "nu", "elvish", "tcsh", "xonsh"], indirect=True)
def test_ctrl_c_during_a_sync_started_from_the_cache(open_shell, shell, project, shell_env, tmp_path):
    envhook("allow", cwd=project, env=shell_env)
    slow = tmp_path / "slowbin"
    slow.mkdir()
    (slow / "uv").write_text(
        f"#!/bin/sh\n[ -e {shlex_quote(str(tmp_path / 'slow'))} ] && sleep 30\n"
        f"exec {os.path.realpath(shutil.which('uv'))} \"$@\"\n"
    )
    (slow / "uv").chmod(0o755)
    env = dict(shell_env, PATH=f"{slow}:{shell_env['PATH']}")
    s = open_shell(cwd=project, env=env)
    s.run("true")
    (tmp_path / "slow").write_text("")
    set_dependencies(project, ["tinkerpkg==2.0"])
    s.send_line("true")
    time.sleep(1.5)
    t0 = time.monotonic()
    out = s.interrupt(timeout=10)
    assert time.monotonic() - t0 < 6 and "interrupted" in out and not any(w in out for w in RAISED), out
    data = json.loads(envhook("status", "--json", cwd=project, env=env).stdout)
    assert data["state"] == "failed" and data["last_sync"]["status"] == "interrupted"
    (tmp_path / "slow").unlink()
    assert "syncing" not in s.run("true")  # no retry until the inputs change again
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


def test_requirements_txt_marks_a_project_unless_a_pyproject_is_above(open_shell, shell, project, shell_env, tmp_path):
    """The shells walk up by paths.nearest_project_dir's rule: docs/ with its
    own requirements.txt stays in the project; a directory of requirements
    files alone is a project of its own, found from any depth."""
    envhook("allow", cwd=project, env=shell_env, check=True)
    (project / "docs" / "deep").mkdir(parents=True)
    (project / "docs" / "requirements.txt").write_text("sphinx\n")
    reqs = tmp_path / "scripts"
    (reqs / "a" / "b").mkdir(parents=True)
    (reqs / "requirements.txt").write_text("tinkerpkg==1.0\n")
    s = open_shell(cwd=project)
    s.run(f"cd {q(shell, project / 'docs' / 'deep')}")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    out = s.run(f"cd {q(shell, reqs / 'a' / 'b')}")
    assert "scripts" in out and "not trusted" in out
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted"
    # A requirements.txt created where the shell stands is noticed at the next prompt.
    other = tmp_path / "later"
    other.mkdir()
    s.run(f"cd {q(shell, other)}")
    assert s.get("ENVHOOK_STATE") is None
    out = s.run("echo 'tinkerpkg==1.0' > requirements.txt")
    assert "later" in out and "not trusted" in out
