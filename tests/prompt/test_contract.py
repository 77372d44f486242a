"""The hook's contract, one row a promise, in all seven shells (issue 27).

Every row runs in bash, zsh, fish, xonsh, nushell, elvish and tcsh, in a real
interactive shell on a pseudo-terminal, over real uv projects synced
offline. A row says what it does through the shell's phrasebook
(support.phrasebook: how to set a variable, chain two commands, start a
child…); what a shell itself cannot do is listed once, in
`phrasebook.EXEMPT`, with the reason, and nowhere else. Per-shell modules
keep only what is about that shell alone (tcsh's hook files, nushell's NUON,
elvish's one process, bash's cd wrapper…).

The rows, in the order of the issue: entering creates and activates;
leaving gives the environment back exactly; re-entering a known project
starts no process; an input change is synced once; an untrusted project is
said once and nothing runs; a hand-made change is noticed once and kept by
the next sync; a pinned env is not synced; a failure is said once and not
retried; Ctrl-C during a sync gives the prompt back, is recorded, not retried,
and the shell's state is what status says; hostile directory names; a shell
started inside an activation takes it over (a login shell: row 21); `cd x && cmd`;
the exit status kept; nounset; the user's own prompt hooks kept; loading the
hook twice is harmless; envhook uninstalled under a running shell;
ENVHOOK_DISABLE turns it off in one shell; and (issue 32) what `envhook use`
chose reaches uv in the shell and leaves with the project.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from support.hooktest import (
    HOOK_LINE,
    envhook,
    envhook_syncs,
    grouped_project,
    lines_with,
    pip_install,
    processes_started,
    q,
    status_json,
    trusted_project,
    uv_wrapper,
    version_in_env,
)
from support.phrasebook import ALL, HOSTILE, phrases, shells_for
from support.projects import make_project, set_dependencies, uv_lock, uv_sync
from support.shell import ShellSession, require_shell

# What a shell changes in its own exported environment as it runs commands.
SHELL_OWN = {"PWD", "OLDPWD", "_", "SHLVL", "LAST_RETURN_CODE", "CMD_DURATION_MS"}


@pytest.fixture(params=ALL)
def shell(request) -> str:
    """Every row runs in all seven shells; a row the phrasebook exempts some
    shells from names its own list (`shells_for`)."""
    require_shell(request.param)
    return request.param


@pytest.fixture
def p(shell):
    return phrases(shell)


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A cloned uv project, locked and trusted (`envhook allow`), no env yet."""
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])


def env_dump(s, p, path: Path) -> dict[str, str]:
    s.run(p.dump_env(path))
    entries = path.read_bytes().split(b"\0")
    return dict(e.decode("utf-8", "surrogateescape").split("=", 1) for e in entries if b"=" in e)


def no_hook_errors(out: str) -> None:
    """What a hook that raised, or a shell that choked on the hook, would print."""
    for bad in ("Traceback", "Error:", "hook failed", "unbound variable", "parameter not set", "not found"):
        assert bad not in out, f"{bad!r} in:\n{out}"


# -- 1. entering a trusted project creates its env and activates it ------------------------------

def test_entering_creates_and_activates(open_shell, shell, p, project, tmp_path):
    s = open_shell(cwd=tmp_path)
    out = s.run(p.cd(project))
    assert lines_with(out, "envhook:") == ["envhook: syncing demo (env does not exist)"], out
    env = project / ".venv"
    assert s.get("VIRTUAL_ENV") == str(env)
    assert s.get("VIRTUAL_ENV_PROMPT") == "demo" and s.get("ENVHOOK_STATE") == "in-sync"
    assert s.get("PATH").split(p.path_sep)[0] == str(env / "bin")
    assert s.run(p.python("import tinkerpkg; print(tinkerpkg.__version__)")).strip() == "1.0"


# -- 2. leaving gives the environment back exactly, but for what the user changed ------------------

def test_leaving_restores_the_exported_environment_exactly(open_shell, shell, p, project, tmp_path):
    s = open_shell(cwd=tmp_path)
    s.run(p.set_var("PYTHONHOME", "/opt/their home"))  # activation takes it away, leaving gives it back
    before = env_dump(s, p, tmp_path / "before")
    s.run(p.cd(project))
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert s.get("PYTHONHOME") is None
    s.run(p.append_path("/opt/mine"))  # the user's own edits, made while inside
    s.run(p.set_var("VIRTUAL_ENV_PROMPT", "theirs"))
    s.run(p.set_var("MINE", "kept"))
    s.run(p.cd("/"))
    after = env_dump(s, p, tmp_path / "after")
    want = dict(before, PATH=before["PATH"] + ":/opt/mine", VIRTUAL_ENV_PROMPT="theirs", MINE="kept")
    diff = {k: (want.get(k), after.get(k)) for k in set(want) | set(after)
            if k not in SHELL_OWN and want.get(k) != after.get(k)}
    assert diff == {}, diff


# -- 3. re-entering a known project starts no process --------------------------------------------

def test_reentering_a_known_project_starts_no_process(open_shell, shell, p, project, tmp_path):
    (project / "sub").mkdir()
    s = open_shell(cwd=project)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run(p.cd("/"))
    time.sleep(2.1)  # past the "racily clean" window: the decision is cached and the stamp settles
    s.run(p.cd(project))
    pid = int(s.run(p.pid()).strip().splitlines()[-1])
    inside, entries = 0, 0

    def prompts():
        nonlocal inside, entries
        for _ in range(3):
            s.run("cd sub")
            s.run("cd ..")
            s.run(p.noop())
            s.run(p.cd("/"))
            s.run(p.cd(project))
            inside, entries = inside + 4, entries + 1

    started = processes_started(pid, tmp_path / "prompts.strace", prompts)
    if p.quiet_processes == 0:
        assert started == [], started
    else:  # elvish: one `test` a prompt inside a project, one more on entering (shell/envhook.elv)
        execs = [line for line in started if "execve(" in line]
        assert len(execs) == inside + entries and all('"/usr/bin/test"' in line for line in execs), started
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


# -- 4. a change of the inputs is synced, once -----------------------------------------------------

def test_an_input_change_is_synced_once(open_shell, shell, p, project, shell_env, tmp_path):
    env, log = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    assert version_in_env(project) == "1.0"
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==2.0"])
    uv_lock(project, shell_env)
    out = s.run("echo changed")
    assert lines_with(out, "envhook: syncing") == ["envhook: syncing demo (pyproject.toml changed, uv.lock changed)"], out
    no_hook_errors(out)
    assert version_in_env(project) == "2.0"
    for _ in range(2):
        assert "envhook" not in s.run("echo again")
    assert len(envhook_syncs(log, s)) == 2, "the first one created the env, one more for the change"


# -- 5. an untrusted project: said once, nothing run ----------------------------------------------

def test_untrusted_is_said_once_and_nothing_runs(open_shell, shell, p, tmp_path, wheelhouse, shell_env):
    proj = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(proj, shell_env)
    s = open_shell(cwd=tmp_path)
    out = s.run(p.cd(proj))
    assert lines_with(out, "envhook:") == [
        f"envhook: demo ({proj}) is not trusted; `envhook allow` to sync and activate its env"], out
    assert "envhook" not in s.run("echo again") + s.run(p.cd("/")) + s.run(p.cd(proj))
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted"
    assert not (proj / ".venv").exists()
    out = s.run("envhook allow")
    assert "syncing demo" in out, out  # the prompt right after it
    assert s.get("VIRTUAL_ENV") == str(proj / ".venv") and s.get("ENVHOOK_STATE") == "in-sync"


# -- 6. a hand-made change: noticed once, kept by the next sync ------------------------------------

def test_a_hand_made_change_is_noticed_once_and_kept_by_the_next_sync(open_shell, shell, p, project, wheelhouse,
                                                                      shell_env):
    s = open_shell(cwd=project)
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert lines_with(out, "env changed by hand") == [
        "envhook: demo env changed by hand (tinkerpkg 1.0 → 2.0) — kept by envhook's syncs and `uv run`; "
        "`envhook sync` resets it"], out
    assert s.get("ENVHOOK_STATE") == "tinkered" and s.get("UV_NO_SYNC") == "1"
    assert "changed by hand" not in s.run("echo again")
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==1.0", "otherpkg==1.0"])
    uv_lock(project, shell_env)
    out = s.run("echo pulled")
    assert "synced demo" in out and "kept your tinkerpkg 2.0" in out, out
    assert version_in_env(project) == "2.0" and version_in_env(project, "otherpkg") == "1.0"
    assert s.get("UV_NO_SYNC") == "1"


# -- 7. pinned: not synced, UV_NO_SYNC=1 ------------------------------------------------------------

def test_pinned_is_not_synced_and_exports_uv_no_sync(open_shell, shell, p, project, shell_env):
    s = open_shell(cwd=project)
    s.run("envhook pin")
    s.run("echo next")
    assert s.get("ENVHOOK_STATE") == "pinned" and s.get("UV_NO_SYNC") == "1"
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==2.0"])
    uv_lock(project, shell_env)
    out = s.run("echo changed")
    assert lines_with(out, "is pinned, so it was not synced"), out
    assert "pinned" not in s.run("echo again")
    assert version_in_env(project) == "1.0"


# -- 8. a failure: said once, not retried ----------------------------------------------------------

def test_a_failure_is_said_once_and_not_retried(open_shell, shell, p, tmp_path, wheelhouse, shell_env):
    env, log = uv_wrapper(tmp_path, shell_env)
    proj = make_project(tmp_path / "broken", wheelhouse, dependencies=["tinkerpkg==9.9"])
    envhook("allow", cwd=proj, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path, env=env)
    out = s.run(p.cd(proj))
    assert "is left as it is; `envhook sync` retries" in out, out
    assert not any(w in out for w in ("Traceback", "Exception")), out
    tries = len(envhook_syncs(log, s))
    for _ in range(2):
        assert "sync" not in s.run("echo again")
    assert len(envhook_syncs(log, s)) == tries, "not retried"
    assert s.get("ENVHOOK_STATE") == "failed" == status_json(proj, shell_env)["state"]


# -- 9. Ctrl-C during a sync ------------------------------------------------------------------------

def test_ctrl_c_during_a_sync(open_shell, shell, p, project, shell_env, tmp_path):
    """The prompt comes back at once, the sync is recorded as interrupted and
    not retried at the next prompt, and what the shell exports is what
    `envhook status` says."""
    slow = tmp_path / "slowbin"
    slow.mkdir()
    (slow / "uv").write_text(f"#!/bin/sh\nsleep 30\nexec {os.path.realpath(shutil.which('uv'))} \"$@\"\n")
    (slow / "uv").chmod(0o755)
    env = dict(shell_env, PATH=f"{slow}:{shell_env['PATH']}")
    s = open_shell(cwd=tmp_path, env=env)
    s.send_line(p.cd(project))
    time.sleep(1.5)
    t0 = time.monotonic()
    out = s.interrupt(timeout=10)
    assert time.monotonic() - t0 < 6, "the prompt comes back at once"
    assert "interrupted" in out and "Traceback" not in out and "hook failed" not in out, out
    record = status_json(project, shell_env)
    assert record["state"] == "failed" and record["last_sync"]["status"] == "interrupted", record
    out = s.run("echo next")
    assert "syncing" not in out, f"retried:\n{out}"
    assert s.get("ENVHOOK_STATE") == record["state"]


# -- 10. hostile directory names ---------------------------------------------------------------------

def test_projects_under_hostile_directories(open_shell, shell, p, tmp_path, wheelhouse, shell_env):
    """The quoting table: a project under each hostile name is entered and
    left, byte for byte, in one shell (the envs exist: the row is about
    quoting, not syncing)."""
    projects = {}
    for i, (key, name) in enumerate(HOSTILE.items()):
        proj = trusted_project(tmp_path / name / "proj", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
        envhook("sync", cwd=proj, env=shell_env, check=True)
        projects[key] = (proj, *p.enter(proj, var=f"__proj{i}"))
    s = open_shell(cwd=tmp_path, extra_rc="\n".join(rc for _, rc, _ in projects.values() if rc))
    before = s.get("PATH")
    for key, (proj, _, enter) in projects.items():
        out = s.run(enter)
        assert s.get("VIRTUAL_ENV") == str(proj / ".venv"), (key, out)
        assert s.get("PATH") == f"{proj / '.venv' / 'bin'}{p.path_sep}{before}", key
        s.run(p.cd("/"))
        assert s.get("VIRTUAL_ENV") is None and s.get("PATH") == before, key
    assert not list(tmp_path.rglob("pwned*")) and not Path("/pwned").exists()


# -- 11. a shell started inside an activation takes it over ---------------------------------------

def test_a_shell_started_inside_an_activation_takes_it_over(open_shell, shell, p, project):
    """A child of the same shell (`bash` typed in an activated bash); a login
    shell (`exec bash -l`, with a Debian profile) is row 21."""
    s = open_shell(cwd=project)
    bin_ = str(project / ".venv" / "bin")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run(p.cd("/"))
    outside = s.get("PATH")
    s.run(p.cd(project))
    s.send_line(p.child())
    out = s.expect_prompt()
    no_hook_errors(out)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    path = s.get("PATH").split(p.path_sep)
    assert path[0] == bin_ and path.count(bin_) == 1, path
    assert s.run(p.python("import sys; print(sys.prefix)")).strip() == str(project / ".venv")
    s.run(p.cd("/"))
    for name in ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "_ENVHOOK_VENV", "ENVHOOK_STATE"):
        assert s.get(name) is None, name
    assert bin_ not in s.get("PATH").split(p.path_sep)
    assert s.get("PATH") == outside


# -- 12. `cd x && cmd` on one line -----------------------------------------------------------------

@pytest.mark.parametrize("shell", shells_for("cd and a command on one line"), indirect=True)
def test_cd_and_a_command_on_one_line(open_shell, shell, p, project, shell_env, tmp_path):
    envhook("sync", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    out = s.run(p.chain(p.cd(project), p.python("import sys; print(sys.prefix)")))
    assert out.strip().splitlines()[-1] == str(project / ".venv"), out


# -- 13. the exit status of the user's command is kept ----------------------------------------------

@pytest.mark.parametrize("shell", shells_for("exit status kept"), indirect=True)
def test_the_exit_status_is_kept(open_shell, shell, p, project, shell_env, tmp_path):
    s = open_shell(cwd=project)
    s.run(p.exit_with(3))
    assert s.status() == 3, "a quiet prompt"
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==2.0"])
    uv_lock(project, shell_env)
    out = s.run(p.exit_with(4))
    assert "syncing demo" in out, out
    assert s.status() == 4, "a prompt that synced"
    s.run(p.cd("/nonexistent-dir"))
    assert s.status() != 0, "a failing cd"


# -- 14. nounset -----------------------------------------------------------------------------------

@pytest.mark.parametrize("shell", shells_for("nounset"), indirect=True)
def test_nounset(open_shell, shell, p, project, tmp_path):
    s = open_shell(cwd=tmp_path, extra_rc=p.nounset())
    out = s.run(p.cd(project)) + s.run("echo x") + s.run(p.cd("/"))
    no_hook_errors(out)
    assert s.get("VIRTUAL_ENV") is None
    out = s.run(p.cd(project))
    no_hook_errors(out)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


# -- 15. the user's own prompt hooks keep running ---------------------------------------------------

def test_the_users_own_prompt_hooks_keep_running(open_shell, shell, p, project, tmp_path):
    log = tmp_path / "mine.log"
    s = open_shell(cwd=tmp_path, extra_rc=p.user_hooks(log))
    s.run(p.cd(project))
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    seen = log.read_text().split()
    assert "prompt" in seen, seen
    if shell != "bash":  # bash has no hook on a directory change of its own
        assert "cd" in seen, seen


# -- 16. loading the hook twice is harmless ---------------------------------------------------------

def test_loading_the_hook_twice_is_harmless(open_shell, shell, p, project, tmp_path):
    s = open_shell(cwd=tmp_path, extra_rc=p.hook_line())  # the rc holds the line twice
    before = s.get("PATH")
    out = s.run(p.cd(project))
    assert len(lines_with(out, "envhook: syncing")) == 1, out
    s.run(p.reload())  # and once more, typed, while a project is active
    assert s.get("VIRTUAL_ENV") == str(project / ".venv"), "what was active survives loading the hook again"
    path = s.get("PATH").split(p.path_sep)
    assert path.count(str(project / ".venv" / "bin")) == 1, path
    s.run(p.cd("/"))
    assert s.get("VIRTUAL_ENV") is None and s.get("PATH") == before


# -- 17. envhook uninstalled under a running shell --------------------------------------------------

def test_envhook_uninstalled_under_a_running_shell(open_shell, shell, p, project, shell_env, tmp_path):
    """The hook runs envhook's interpreter by the absolute path it was printed
    with: print it through a link to that interpreter, then delete the link
    (an uninstalled tool). Said once; leaving still undoes the activation."""
    gone = tmp_path / "gone" / "bin"
    gone.mkdir(parents=True)
    (gone / "python").symlink_to(sys.executable)
    src = Path(__file__).resolve().parents[2] / "src"
    site = next(x for x in sys.path if x.endswith("site-packages"))
    (gone / "envhook").write_text(f"#!/bin/sh\nPYTHONPATH={src}:{site} exec {gone / 'python'} -m envhook \"$@\"\n")
    (gone / "envhook").chmod(0o755)
    env = dict(shell_env, PATH=f"{gone}:{shell_env['PATH']}")
    envhook("sync", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path, env=env)
    s.run(p.cd(project))
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    shutil.rmtree(gone.parent)
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==2.0"])  # something for the hook to look at
    out = s.run("echo x")
    assert lines_with(out, "envhook:") == [
        f"envhook: this shell's hook has stopped ({gone / 'python'} is gone: envhook was uninstalled or moved); "
        "open a new shell (or `exec $SHELL`)"], out
    # The activation is undone at once (issue 28), not one prompt late.
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") is None
    out = s.run(p.cd("/"))
    assert "envhook" not in out and "Traceback" not in out, out
    out = s.run(p.cd(project))
    assert "envhook" not in out and s.get("VIRTUAL_ENV") is None
    assert s.run("echo alive").strip() == "alive"


# -- 18. ENVHOOK_DISABLE turns the hook off in one shell ---------------------------------------------

def test_envhook_disable_turns_it_off_in_this_shell(open_shell, shell, p, project, tmp_path):
    s = open_shell(cwd=tmp_path)
    s.run(p.set_var("ENVHOOK_DISABLE", "1"))
    assert "envhook" not in s.run(p.cd(project))
    assert s.get("VIRTUAL_ENV") is None and not (project / ".venv").exists()
    s.run(p.unset_var("ENVHOOK_DISABLE"))
    s.run(p.noop())
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


# -- 19. a venv activated by hand over ours -------------------------------------------------------

@pytest.mark.parametrize("shell", shells_for("a venv activated by hand"), indirect=True)
def test_a_venv_activated_by_hand_then_left_and_deactivated_leaves_none_of_ours(open_shell, shell, p, tmp_path,
                                                                                wheelhouse, shell_env):
    """The user sources another env's own activate script inside a project:
    theirs wins. Leaving, then `deactivate`, must not bring envhook's PATH
    entry back (the script saved PATH with it in, as _OLD_VIRTUAL_PATH)."""
    a = trusted_project(tmp_path / "a", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    b = trusted_project(tmp_path / "b", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    for proj in (a, b):
        envhook("sync", cwd=proj, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    start = s.get("PATH")
    s.run(p.cd(a))
    assert s.get("VIRTUAL_ENV") == str(a / ".venv")
    s.run(p.activate(b / ".venv"))
    assert s.get("VIRTUAL_ENV") == str(b / ".venv")
    s.run(p.cd("/"))
    s.run("deactivate")
    # nushell's deactivate hides the activate overlay, which takes back the
    # whole environment as it was, $env.PWD (in the project) included: `cd /`
    # again, a no-op elsewhere, so every shell stands outside the project.
    s.run(p.cd("/"))
    assert s.get("VIRTUAL_ENV") is None
    assert s.get("PATH") == start, "deactivate brought envhook's PATH entry back"
    s.run(p.cd(a))
    got = s.get("PATH").split(p.path_sep)
    assert got.count(str(a / ".venv" / "bin")) == 1 and got[1:] == start.split(p.path_sep), got
    s.run(p.cd("/"))
    assert s.get("PATH") == start


# -- 20. after a Ctrl-C that stops a sync, the shell holds what status says ----------------
# Ctrl-C during a sync the prompt started (issue 28, point 3): the shell
# must hold at once what `envhook status` says, in all seven shells. Before,
# bash and fish kept ENVHOOK_STATE=tinkered and UV_NO_SYNC=1 from before the
# sync, and neither Enter nor `cd /; cd -` corrected them.

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
@pytest.mark.parametrize("shell", ALL, indirect=True)
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


# -- 21. a login shell started inside an activation: the env's bin first -------------------
# A login shell started inside an activated one (`exec bash -l` in a
# project) takes the activation over, and ends with the env's bin first on
# PATH, as a login shell started fresh in that directory does (issue 28,
# point 5).
#
# The take-over runs while the rc file runs; a login shell reads more after
# it. Debian's stock ~/.profile sources ~/.bashrc and only then prepends
# ~/.local/bin (where uv tools, pipx, uv's own installer and install.sh put
# their programs): `python3.11`, `ruff`, `pytest` ran the ones there, not the
# env's. The same in the other shells, from the file each reads after the hook
# (zsh ~/.zlogin, tcsh ~/.login, nushell's login.nu, or rc lines after the
# hook line in fish, xonsh and elvish, which have no later file).

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


@pytest.mark.parametrize("shell", ALL)
def test_a_login_shell_started_fresh_in_a_project_has_the_env_first(setup, shell):
    home, env, project = setup
    s = start(shell, home, env, project, login=True)
    try:
        assert_env_first(s, project, f"a fresh login {shell}")
    finally:
        s.close(force=True)


@pytest.mark.parametrize("shell", ALL)
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


# -- 22. a choice of `envhook use` reaches uv in the shell, and leaves with the project (issue 32) ---

def test_envhook_use_reaches_uv_in_the_shell_and_leaves_with_the_project(open_shell, shell, p, tmp_path, wheelhouse,
                                                                         shell_env):
    """The hook exports uv's own variables for what was chosen (UV_NO_GROUP…,
    UV_NO_SYNC=1 where uv has none), over the user's own value, which is
    theirs again after `envhook use --reset` and on leaving."""
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    envhook("use", "--no-group", "dev", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    s.run(p.set_var("UV_NO_GROUP", "lint"))  # the user's own, for every project
    before = env_dump(s, p, tmp_path / "before")
    s.run(p.cd(project))
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert s.get("UV_NO_GROUP") == "dev lint" and s.get("UV_NO_SYNC") is None
    assert version_in_env(project, "tinkerpkg") == "1.0"
    assert version_in_env(project, "chaina") is None and version_in_env(project, "markerpkg") is None
    s.run("envhook use --extra fancy")
    s.run(p.noop())  # the choice is an input: this prompt syncs it
    assert version_in_env(project, "extrapkg") == "1.0"
    assert s.get("UV_NO_SYNC") == "1", "uv has no variable for an extra"
    s.run("envhook use --reset")
    s.run(p.noop())
    assert version_in_env(project, "extrapkg") is None and version_in_env(project, "chaina") == "1.0"
    assert (s.get("UV_NO_GROUP"), s.get("UV_NO_SYNC"), s.get("_ENVHOOK_UV")) == ("lint", None, None)
    s.run("envhook use --no-default-groups")
    s.run(p.noop())
    assert s.get("UV_NO_DEFAULT_GROUPS") == "1" and version_in_env(project, "chaina") is None
    s.run(p.cd("/"))
    after = env_dump(s, p, tmp_path / "after")
    diff = {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
            if k not in SHELL_OWN and before.get(k) != after.get(k)}
    assert diff == {}, diff
