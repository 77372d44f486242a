"""Hardening, second round (issue 15): what a red team broke, each as a test
that failed before its fix. They extend the hostile-repository and fault
suites (test_hostile_repos.py, test_faults.py): trust and its inputs,
races, workspace globs, terminal output, FIFOs, interrupts, clocks, IFS,
state-dir ownership. Real shells where the shell matters, real uv offline."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from envhook.decide.project import find_project
from envhook.store import paths
from support.hooktest import alive, envhook, q, status_json, version_in_env, write_config
from support.projects import make_project, make_workspace_member, set_dependencies, toml_str, uv_lock
from support.shell import require_shell
from support.wheels import build_wheel

ESC = "\x1b"


@pytest.fixture
def shell() -> str:
    """Where the shell does not matter, bash; the tests where it does say so."""
    return "bash"


def paranoid(env: dict) -> dict:
    return dict(env, ENVHOOK_PARANOID="1")


def state_home(env: dict) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "envhook"


def project_state(env: dict, root: Path) -> Path:
    return state_home(env) / "projects" / paths.key(str(root))


def needs_root() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("this test plays another user with chown, which needs root (CI runs as root)")
        pytest.skip("needs root to chown")


def bare_project(path: Path, deps=("tinkerpkg==1.0",), name: str = "app") -> Path:
    """A pyproject.toml with no [tool] table at all: uv looks further up for its settings."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{', '.join(toml_str(d) for d in deps)}]\n")
    return path


# ====================================================== 1. a parent uv.toml is an input


def test_a_parent_uv_toml_is_an_input_watched_and_under_paranoid_trust(tmp_path, wheelhouse, shell_env, canaries):
    evil_wheels = tmp_path / "evil-wheels"
    pth = f"import os; open({str(canaries / 'pth')!r}, 'a').write('ran\\n')\n"
    build_wheel(evil_wheels, "tinkerpkg", "1.0", extra_files={"zz_evil.pth": pth})
    repo = tmp_path / "R"
    repo.mkdir()
    (repo / "uv.toml").write_text(f"find-links = [{toml_str(str(wheelhouse))}]\nno-index = true\n")
    app = bare_project(repo / "sub" / "A")
    env = paranoid(shell_env)
    uv_lock(app, env)
    assert repo / "uv.toml" in find_project(app).inputs, "the parent uv.toml uv reads is an input"
    envhook("allow", cwd=app, env=env, check=True)
    envhook("sync", cwd=app, env=env, check=True)
    assert version_in_env(app) == "1.0"

    # Pointed at another wheel directory after the allow.
    (repo / "uv.toml").write_text(f"find-links = [{toml_str(str(evil_wheels))}]\nno-index = true\n")
    data = status_json(app, env)
    assert data["trusted"] is False and data["state"] == "untrusted", data
    assert any("uv.toml changed since `envhook allow`" in r for r in data["reasons"]), data["reasons"]
    r = envhook("sync", cwd=app, env=env)
    assert r.returncode != 0 and not (canaries / "pth").exists(), r.stderr
    # Default mode: the change is a reason to sync (not to ignore it).
    data = status_json(app, shell_env)
    assert data["state"] == "stale" and any("uv.toml changed" in r for r in data["reasons"]), data


def test_the_users_uv_toml_is_an_input(tmp_path, wheelhouse, shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    envhook("sync", cwd=app, env=shell_env, check=True)
    user = Path(shell_env["XDG_CONFIG_HOME"]) / "uv" / "uv.toml"
    assert user in find_project(app).inputs
    user.parent.mkdir(parents=True)
    user.write_text("# a user's uv settings\nnative-tls = true\n")
    data = status_json(app, shell_env)
    assert data["state"] == "stale" and any("uv/uv.toml added" in r for r in data["reasons"]), data


@pytest.fixture
def canaries(tmp_path) -> Path:
    d = tmp_path / "canaries"
    d.mkdir()
    return d


# ====================================================== 2. an input that moves during a sync


def test_an_input_edited_during_a_sync_is_not_recorded_as_synced(tmp_path, wheelhouse, shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    env = paranoid(shell_env)
    envhook("allow", cwd=app, env=env, check=True)
    real = os.path.realpath(subprocess.run(["sh", "-c", "command -v uv"], env=env, capture_output=True,
                                           text=True).stdout.strip())
    wrap = tmp_path / "wrap"
    wrap.mkdir()
    # While the sync runs, someone appends to pyproject.toml.
    (wrap / "uv").write_text(f'#!/bin/sh\ncase " $* " in *" sync "*) echo "# edited mid-sync" >> '
                             f"{shlex.quote(str(app / 'pyproject.toml'))};; esac\nexec {real} \"$@\"\n")
    (wrap / "uv").chmod(0o755)
    r = envhook("sync", cwd=app, env=dict(env, PATH=f"{wrap}:{env['PATH']}"))
    assert r.returncode == 0, r.stderr
    assert "edited mid-sync" in (app / "pyproject.toml").read_text()
    data = status_json(app, env)
    assert data["state"] == "untrusted", f"paranoid trust must not excuse an edit made during the sync: {data}"
    data = status_json(app, shell_env)
    assert data["state"] == "stale" and "pyproject.toml changed" in data["reasons"], data


# ====================================================== 3 and 7. workspace globs as uv reads them


def uv_workspace_root(directory: Path, env: dict) -> Path:
    r = subprocess.run(["uv", "sync", "--dry-run", "--output-format", "json"], cwd=directory, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return Path(json.loads(r.stdout)["project"]["workspace"]["path"])


def test_workspace_membership_agrees_with_uv(tmp_path, wheelhouse, shell_env):
    import tomllib

    w = make_project(tmp_path / "W", wheelhouse, name="w", dependencies=[],
                     workspace_members=["packages/*", "deep/**/leaf", "e/*/g"])
    text = (w / "pyproject.toml").read_text()
    (w / "pyproject.toml").write_text(text.replace("[tool.uv.workspace]\n",
                                                   '[tool.uv.workspace]\nexclude = ["e/*"]\n'))
    dirs = {
        "packages/a": "a",
        "packages/a/vendor/evil": "evil",   # under a member: a project of its own for uv
        "deep/x/y/leaf": "leaf",            # `**` spans directories
        "e/f/g": "g",                       # excluded: in an exclude, `*` crosses `/`
    }
    for rel, name in dirs.items():
        make_workspace_member(w, rel, name)
    (w / "packages" / "b" / "c").mkdir(parents=True)
    make_workspace_member(w, "packages/b", "b")
    make_workspace_member(w, "packages/b/c", "c")  # two components below packages/: `*` matches only one
    dirs.update({"packages/b": "b", "packages/b/c": "c"})
    uv_lock(w, shell_env)
    locked = set(tomllib.loads((w / "uv.lock").read_text())["manifest"]["members"])
    for rel in dirs:
        d = w / rel
        assert find_project(d).root == uv_workspace_root(d, shell_env), f"{rel}: envhook and uv disagree"
    project = find_project(w)
    ours = {"w", *(dirs[os.path.relpath(m, w.resolve())] for m in project.members)}
    assert ours == locked, f"envhook's members {ours} != uv.lock's {locked}"


def test_another_users_star_workspace_does_not_capture_a_nested_project(tmp_path, wheelhouse, shell_env):
    shared = make_project(tmp_path / "shared", wheelhouse, name="theirs", dependencies=[],
                          workspace_members=["*"])
    mine = make_project(shared / "mine" / "proj", wheelhouse, name="proj")
    assert find_project(mine).root == mine.resolve() == uv_workspace_root(mine, shell_env)


def test_an_exponential_glob_is_bounded(tmp_path, wheelhouse, shell_env):
    w = make_project(tmp_path / "W", wheelhouse, name="w", dependencies=[],
                     workspace_members=["/".join(["**"] * 12) + "/leaf"])
    d = w
    for i in range(14):
        d = d / f"d{i}"
    d.mkdir(parents=True)
    # A hang guard, not a timing: the unbounded walk took minutes here.
    r = subprocess.run(["envhook", "status", "--json"], cwd=w, env=shell_env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr


# ====================================================== 4. one sanitiser for what a repo says


HOSTILE = f"x{ESC}]0;pwned{ESC}\\{ESC}]52;c;ZXZpbA=={ESC}\\{ESC}[2J\u202etxt.exe\u2028line"


def test_status_prints_a_repositorys_text_as_text(tmp_path, shell_env):
    """An untrusted clone whose [project] name and directory are terminal
    commands, and a pin note that is one: shown escaped, never obeyed."""
    app = tmp_path / f"repo{ESC}[2J\u202e"
    app.mkdir()
    (app / "pyproject.toml").write_text(f"[project]\nname = {toml_str(HOSTILE)}\nversion = \"1\"\n")
    assert envhook("pin", "--note", f"note {ESC}[31mred\u202e\a", cwd=app, env=shell_env).returncode == 0
    for args in (["status"], ["allow"], ["status"], ["deny"], ["doctor"]):
        r = envhook(*args, cwd=app, env=shell_env)
        out = r.stdout + r.stderr
        for bad in (ESC, "\u202e", "\u2028", "\a"):
            assert bad not in out, f"`envhook {' '.join(args)}` printed {bad!r} raw:\n{out!r}"
    assert "\\x1b]0;pwned" in envhook("status", cwd=app, env=shell_env).stdout, "shown, escaped"


# ====================================================== 5. FIFOs never hang


@pytest.mark.parametrize("shell", ["bash", "nu", "elvish", "tcsh", "xonsh"])
def test_fifos_where_envhook_reads_do_not_hang_cd_or_status(open_shell, shell, tmp_path, package_index, shell_env,
                                                            wheelhouse):
    from support.backend_projects import make_poetry_project, tool_env

    poetry = make_poetry_project(tmp_path / "pz", package_index.url, package_mode=False, in_project=None,
                                 env=tool_env(shell_env))
    os.mkfifo(poetry / "poetry.toml")
    envs = Path(shell_env["XDG_CACHE_HOME"]) / "pypoetry" / "virtualenvs"
    envs.mkdir(parents=True)
    os.mkfifo(envs / "envs.toml")
    pdm = tmp_path / "pdmp"
    pdm.mkdir()
    (pdm / "pyproject.toml").write_text('[project]\nname = "pdmp"\nversion = "0.1"\n[tool.pdm]\n')
    os.mkfifo(pdm / ".pdm-python")
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    envhook("sync", cwd=app, env=shell_env, check=True)
    key = paths.key(str(app.resolve()))
    for name in ("sync.json", "pin.json", "packages.json"):
        f = project_state(shell_env, app.resolve()) / name
        if f.exists():
            f.unlink()
        os.mkfifo(f)
    cache = state_home(shell_env) / "dirs" / key
    cache.parent.mkdir(exist_ok=True)
    if cache.exists():
        cache.unlink()
    os.mkfifo(cache)
    for d in (poetry, pdm, app):
        r = subprocess.run(["envhook", "status"], cwd=d, env=shell_env, capture_output=True, text=True, timeout=30)
        assert "Traceback" not in r.stderr, r.stderr
    require_shell(shell)
    s = open_shell(cwd=tmp_path)
    for d in (poetry, pdm, app):
        s.run(f"cd {q(shell, d)}", timeout=30)  # a hang fails here
    assert "Traceback" not in s.transcript


# ====================================================== 6. Ctrl-C out of "waiting for another sync"


@pytest.mark.parametrize("shell", ["bash", "nu", "elvish", "tcsh", "xonsh"])
def test_ctrl_c_stops_waiting_and_the_next_prompt_does_not_wait_again(open_shell, shell, tmp_path, wheelhouse,
                                                                      shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    envhook("sync", cwd=app, env=shell_env, check=True)
    set_dependencies(app, ["tinkerpkg==2.0"])
    uv_lock(app, shell_env)
    lock = project_state(shell_env, app.resolve()) / "lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # "another shell" is syncing it
    try:
        require_shell(shell)
        s = open_shell(cwd=tmp_path)
        s.send_line(f"cd {q(shell, app)}")
        s._expect(b"waiting for another sync", time.monotonic() + 30, "the wait", 30)
        out = s.interrupt(timeout=20)
        assert "stopped waiting" in out, out
        out = s.run("echo next", timeout=10)
        assert "waiting" not in out, f"the prompt after ^C runs the hook again; it must not wait again:\n{out}"
        assert s.get("VIRTUAL_ENV") == str(app / ".venv"), "the env is activated as it is"
    finally:
        os.close(fd)
    out = s.run("cd /", timeout=60) + s.run(f"cd {q(shell, app)}", timeout=60)
    assert version_in_env(app) == "2.0", f"after a cd it waits (and syncs) again:\n{out}"


# ====================================================== 8. a re-pointed symlink


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "nu", "elvish", "tcsh", "xonsh"])
def test_a_re_pointed_symlink_is_another_project(open_shell, shell, tmp_path, wheelhouse, shell_env):
    require_shell(shell)
    good = make_project(tmp_path / "good", wheelhouse, name="good")
    evil = make_project(tmp_path / "evil", wheelhouse, name="evil")
    for p in (good, evil):
        uv_lock(p, shell_env)
    envhook("allow", cwd=good, env=shell_env, check=True)
    envhook("sync", cwd=good, env=shell_env, check=True)
    current = tmp_path / "current"
    os.symlink(good, current)
    s = open_shell(cwd=tmp_path)
    s.run(f"cd {q(shell, current)}")  # $PWD spells the link
    assert s.get("VIRTUAL_ENV") == str(good / ".venv")
    s.run("cd /")
    os.unlink(current)
    os.symlink(evil, current)
    out = s.run(f"cd {q(shell, current)}")
    assert s.get("VIRTUAL_ENV") is None, f"the open shell activated good's env in evil:\n{out}"
    assert "is not trusted" in out, out
    for env in (shell_env, paranoid(shell_env)):
        s2 = open_shell(cwd=tmp_path, env=env)
        out = s2.run(f"cd {q(shell, current)}")
        assert s2.get("VIRTUAL_ENV") is None and "is not trusted" in out, f"a new shell replayed good's decision:\n{out}"


# ====================================================== 9. a clock that stepped back


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "nu", "elvish", "tcsh", "xonsh"])
def test_deny_reaches_shells_whose_stamps_are_ahead_of_the_clock(open_shell, shell, tmp_path, wheelhouse,
                                                                  shell_env):
    require_shell(shell)
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    s = open_shell(cwd=app)
    assert s.get("VIRTUAL_ENV") == str(app / ".venv")
    # The clock steps back an hour: every stamp is ahead of "now".
    later = time.time() + 3600
    for stamp in (state_home(shell_env) / "stamps").iterdir():
        os.utime(stamp, (later, later))
    envhook("deny", cwd=app, env=shell_env, check=True)
    s.run("true")
    assert s.get("VIRTUAL_ENV") is None, "envhook deny must reach the open shell"
    s.run("cd /")
    s.run(f"cd {q(shell, app)}")
    assert s.get("VIRTUAL_ENV") is None
    assert s.get("ENVHOOK_STATE") == "untrusted"


# ====================================================== 10. IFS=$'\n\t'


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_strict_mode_ifs_does_not_break_leaving(open_shell, shell, tmp_path, wheelhouse, shell_env):
    require_shell(shell)
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path, extra_rc="IFS=$'\\n\\t'")
    before = s.get("PATH")
    s.run(f"cd {q(shell, app)}")
    assert s.get("VIRTUAL_ENV") == str(app / ".venv")
    out = s.run("cd /")
    assert "invalid" not in out and "not a valid identifier" not in out, out
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") is None, out
    assert s.get("PATH") == before


# ====================================================== 11. a member outside the root


def test_a_denied_member_outside_the_root_stops_the_workspace(tmp_path, wheelhouse, shell_env, canaries):
    b = make_project(tmp_path / "B", wheelhouse, name="b", dependencies=[])
    a = make_project(tmp_path / "A", wheelhouse, name="a", dependencies=[], workspace_members=["../B"])
    r = subprocess.run(["uv", "lock"], cwd=a, env=shell_env, capture_output=True, text=True)
    assert r.returncode == 0, f"test setup: uv accepts a member outside the root:\n{r.stderr}"
    envhook("deny", cwd=b, env=shell_env, check=True)
    envhook("allow", cwd=a, env=shell_env, check=True)
    assert b.resolve() in find_project(a).members
    data = status_json(a, shell_env)
    assert data["trusted"] is False and "its workspace member" in data["reasons"][0], data
    assert str(b.resolve()) in data["reasons"][0] and "denied" in data["reasons"][0], data
    r = envhook("sync", cwd=a, env=shell_env)
    assert r.returncode != 0 and not (a / ".venv").exists(), r.stderr


# ====================================================== 12. deny stops a running sync; Ctrl-C the group


def slow_uv(tmp_path: Path, env: dict, body: str) -> dict:
    real = os.path.realpath(subprocess.run(["sh", "-c", "command -v uv"], env=env, capture_output=True,
                                           text=True).stdout.strip())
    d = tmp_path / "slow"
    d.mkdir()
    (d / "uv").write_text(f'#!/bin/sh\ncase " $* " in *" sync "*) {body};; esac\nexec {real} "$@"\n')
    (d / "uv").chmod(0o755)
    return dict(env, PATH=f"{d}:{env['PATH']}")


def syncing_with_a_grandchild(open_shell, tmp_path, wheelhouse, shell_env, trap: str = "", shell: str = "bash"):
    """A trusted project whose `uv` (slow_uv) starts a `sleep` of its own and
    waits: `cd` into it in `shell` and return (project, session, the sleep's pid)."""
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    pids = tmp_path / "pids"
    env = slow_uv(tmp_path, shell_env, f"{trap}sleep 300 & echo $! > {shlex.quote(str(pids))}; wait")
    s = open_shell(cwd=tmp_path, env=env, sh=shell)
    s.send_line(f"cd {q(shell, app)}")
    deadline = time.monotonic() + 30
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return app, s, int(pids.read_text())


def test_deny_cancels_a_running_sync_and_its_process_group(open_shell, tmp_path, wheelhouse, shell_env):
    app, s, grandchild = syncing_with_a_grandchild(open_shell, tmp_path, wheelhouse, shell_env)
    r = envhook("deny", cwd=app, env=shell_env)
    assert "stopped the sync of demo" in r.stderr, r.stderr
    out = s.expect_prompt(timeout=20)
    assert "cancelled by `envhook deny`" in out, out
    time.sleep(0.5)
    assert not alive(grandchild), "what the tool started is stopped too (its process group)"
    record = json.loads((project_state(shell_env, app.resolve()) / "sync.json").read_text())
    assert record["status"] == "interrupted" and "cancelled" in record["message"], record


@pytest.mark.parametrize("shell", ["bash", "nu", "elvish", "tcsh", "xonsh"])
def test_ctrl_c_reaches_a_tool_that_ignores_it_and_everything_it_started(open_shell, shell, tmp_path, wheelhouse,
                                                                         shell_env):
    require_shell(shell)
    _, s, grandchild = syncing_with_a_grandchild(open_shell, tmp_path, wheelhouse, shell_env, trap="trap '' INT; ",
                                                 shell=shell)
    out = s.interrupt(timeout=20)
    assert "interrupted" in out, out
    time.sleep(0.5)
    assert not alive(grandchild), "Ctrl-C stops the tool's whole process group, not only the tool"


# ====================================================== 13. state and config that others can write


def test_a_state_dir_others_own_or_can_write_trusts_nothing(tmp_path, wheelhouse, shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    assert status_json(app, shell_env)["trusted"] is True
    home = state_home(shell_env)
    os.chmod(home, 0o777)
    data = status_json(app, shell_env)
    assert data["trusted"] is False and "writable by others" in data["reasons"][0], data
    os.chmod(home, 0o700)
    needs_root()
    pdir = project_state(shell_env, app.resolve())
    os.chown(pdir / "allow", 4242, 4242)
    data = status_json(app, shell_env)
    assert data["trusted"] is False and "owned by uid 4242" in data["reasons"][0], data
    r = envhook("doctor", cwd=app, env=shell_env)
    assert "owned by uid 4242" in r.stdout and r.returncode != 0, r.stdout


def test_a_config_file_others_can_write_is_ignored(tmp_path, wheelhouse, shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    # (Not "/": /tmp above the project is writable by others, and a trusted
    # root with such a directory on the way down trusts nothing.)
    path = write_config(shell_env, f"trusted_roots = [{toml_str(str(tmp_path))}]\n")
    assert status_json(app, shell_env)["trusted"] is True, "test setup: the setting trusts it"
    os.chmod(path, 0o666)
    data = status_json(app, shell_env)
    assert data["trusted"] is False, data
    r = envhook("status", cwd=app, env=shell_env)
    assert "writable by others" in r.stderr or "writable by others" in envhook("doctor", cwd=app,
                                                                              env=shell_env).stdout


def test_a_symlink_planted_as_sync_log_is_not_followed(tmp_path, wheelhouse, shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    envhook("allow", cwd=app, env=shell_env, check=True)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    os.symlink(victim, project_state(shell_env, app.resolve()) / "sync.log")
    envhook("sync", cwd=app, env=dict(shell_env, ENVHOOK_QUIET="1"))  # quiet: the output goes to the log only
    assert victim.read_text() == "precious\n"
    assert version_in_env(app) == "1.0", "the sync itself still works"


# ====================================================== 14. paranoid mode and trusted_roots


def test_status_says_paranoid_mode_does_not_check_trusted_roots(tmp_path, wheelhouse, shell_env):
    app = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(app, shell_env)
    write_config(shell_env, f"trusted_roots = [{toml_str(str(tmp_path))}]\n")
    data = status_json(app, paranoid(shell_env))
    assert data["trusted"] is True and data["trusted_by"] == "trusted_roots", data
    text = envhook("status", cwd=app, env=paranoid(shell_env)).stdout
    assert "paranoid mode does not check such a project's content" in text, text
