"""Hardening, third round (issue 26): another local user must never get their
code run as you. Each attack here is made by a real second local user
(support.users: useradd, setpriv), against envhook run by root and, where
blocking too much would show, by a plain user. Real shells, real uv offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envhook.env.activation import Activation
from envhook.prompt import hookcache
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
        [], [], [], [], hookcache.location(("UV_PROJECT_ENVIRONMENT",), env), {}, "uv")
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
    # Said once, as the untrusted line is; tcsh refuses to load its hook from
    # such a state dir at all, and says so when it starts.
    said = s.startup_output + out
    assert "trusts nothing there" in said or "tcsh hook is not loaded" in said, said
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


# ====================================================== 3. tool config files others can write


def bare_project(path: Path, deps=("tinkerpkg==1.0",)) -> Path:
    """No [tool.uv]: uv takes its settings from a parent uv.toml, the user's or the system's."""
    path.mkdir(parents=True, exist_ok=True)
    deps_toml = ", ".join(f'"{d}"' for d in deps)
    (path / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [{deps_toml}]\n')
    return path


def evil_wheels(users, canary: Path) -> Path:
    """The other user's wheel directory: a tinkerpkg 1.0 whose .pth runs at every start of the env's python."""
    from support.wheels import build_wheel

    d = world_dir(users, "evil-wheels", 0o755)
    pth = f"import os; open({str(canary)!r}, 'a').write('ran as %d\\n' % os.getuid())\n"
    build_wheel(d, "tinkerpkg", "1.0", extra_files={"zz_evil.pth": pth})
    for f in d.iterdir():
        os.chmod(f, 0o644)
    return d


def public_wheels(users, wheelhouse: Path) -> Path:
    """A copy of the test wheels every user can read (the session's lie under root's 0700 temp dir)."""
    d = world_dir(users, "wheels", 0o755)
    for w in wheelhouse.glob("*.whl"):
        shutil.copy(w, d / w.name)
        os.chmod(d / w.name, 0o644)
    return d


def uv_toml(wheels: Path) -> str:
    return f'find-links = ["{wheels}"]\nno-index = true\nreinstall-package = ["tinkerpkg"]\n'


@pytest.fixture
def canary(users) -> Path:
    c = world_dir(users, "canary", 0o777) / "ran"
    return c


def test_another_users_parent_uv_toml_starts_no_sync(users, tmp_path, shell_env, open_shell, canary):
    """Root as the victim: a shared work dir (mode 1777) where another user drops a uv.toml."""
    work = world_dir(users, "work", 0o1777)
    app = bare_project(work / "demo")
    s = open_shell(cwd=tmp_path)
    assert "is not trusted" in s.run(f"cd {q('bash', app)}"), "told once, before the allow"
    s.run("envhook allow")
    users.other.write(work / "uv.toml", uv_toml(evil_wheels(users, canary)))
    out = s.run("true")  # a new cause: said in this shell too
    s.run("python3 -c pass")
    expected = (f"envhook: demo: {work / 'uv.toml'} is owned by uid {users.other.uid} (mode 0644), not you or root "
                f"(uid 0): envhook runs no tool with it until you accept it for this project "
                f"(`envhook allow --config {work / 'uv.toml'}`)")
    assert [line.strip() for line in out.splitlines() if "uv.toml" in line] == [expected], out
    assert "uv.toml" not in s.run("echo again"), "said once"
    assert not canary.exists() and s.get("VIRTUAL_ENV") is None
    assert s.get("ENVHOOK_STATE") == "untrusted"
    shutil.rmtree(app / ".venv", ignore_errors=True)  # what the allow's sync made before the file came
    data = status_json(app, shell_env)
    assert data["trusted"] is False and str(work / "uv.toml") in data["reasons"][0], data
    r = envhook("run", "--", "python", "-c", "pass", cwd=app, env=shell_env)
    assert r.returncode == 126 and not canary.exists(), (r.returncode, r.stderr)
    r = envhook("sync", cwd=app, env=shell_env)
    assert r.returncode != 0 and not (app / ".venv").exists(), r.stderr

    # Accepted for this project, as the file is now: trusted again.
    r = envhook("allow", "--config", str(work / "uv.toml"), cwd=app, env=shell_env)
    assert r.returncode == 0 and "accepted" in r.stderr, r.stderr
    assert status_json(app, shell_env)["trusted"] is True
    # The owner changes it: asked again.
    users.other.write(work / "uv.toml", uv_toml(evil_wheels(users, canary)) + "# changed\n")
    data = status_json(app, shell_env)
    assert data["trusted"] is False and "envhook allow --config" in data["reasons"][0], data


def test_a_uv_toml_in_a_directory_others_can_write_is_refused_even_if_yours(users, tmp_path, wheelhouse, shell_env):
    work = world_dir(users, "open-work", 0o777)  # not sticky: anyone may replace the file
    app = bare_project(work / "demo")
    (work / "uv.toml").write_text(uv_toml(public_wheels(users, wheelhouse)))
    envhook("allow", cwd=app, env=shell_env, check=True)
    data = status_json(app, shell_env)
    assert data["trusted"] is False and f"{work}, above {work / 'uv.toml'}, is writable by others" in data["reasons"][0]
    os.chmod(work, 0o1777)
    assert status_json(app, shell_env)["trusted"] is True, "sticky: others cannot replace your file"


def test_a_plain_user_is_not_blocked_by_their_own_or_roots_config(users, wheelhouse, canary):
    """A victim who is not root: their own uv.toml, a root-owned system one and
    a project in their home work as before; another user's file in a shared
    dir above a project of theirs is refused."""
    victim = users.victim
    wheels = public_wheels(users, wheelhouse)
    sysconf = world_dir(users, "xdg-config-dirs", 0o755)
    (sysconf / "uv").mkdir(mode=0o755)
    (sysconf / "uv" / "uv.toml").write_text(f'find-links = ["{wheels}"]\nno-index = true\n')  # root's
    env = victim.env(XDG_CONFIG_DIRS=str(sysconf), UV_OFFLINE="1", UV_PYTHON="/usr/bin/python3.11")
    app = victim.home / "demo"
    victim.run(["mkdir", "-p", str(app)], env=env, check=True)
    victim.write(app / "pyproject.toml", '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
                 'dependencies = ["tinkerpkg==1.0"]\n')
    victim.run(["envhook", "allow"], env=env, cwd=app, check=True)
    r = victim.run(["envhook", "run", "--", "python", "-c", "import tinkerpkg; print(tinkerpkg.__version__)"],
                   env=env, cwd=app)
    assert r.returncode == 0 and r.stdout.strip() == "1.0", (r.returncode, r.stdout, r.stderr)

    # The user's own uv.toml in their config dir: theirs, so it counts.
    victim.run(["mkdir", "-p", str(victim.home / ".config/uv")], env=env, check=True)
    victim.write(victim.home / ".config/uv/uv.toml", f'find-links = ["{wheels}"]\nno-index = true\n')
    r = victim.run(["envhook", "status", "--json"], env=env, cwd=app)
    assert '"trusted": true' in r.stdout, r.stdout + r.stderr

    # A project of theirs in a shared dir, where the other user drops a uv.toml.
    work = world_dir(users, "shared-work", 0o1777)
    shared_app = work / "demo2"
    victim.run(["mkdir", str(shared_app)], env=env, check=True)
    victim.write(shared_app / "pyproject.toml", '[project]\nname = "demo2"\nversion = "0.1.0"\n'
                 'requires-python = ">=3.11"\ndependencies = ["tinkerpkg==1.0"]\n')
    victim.run(["envhook", "allow"], env=env, cwd=shared_app, check=True)
    users.other.write(work / "uv.toml", uv_toml(evil_wheels(users, canary)))
    r = victim.run(["envhook", "run", "--", "python", "-c", "pass"], env=env, cwd=shared_app)
    assert r.returncode == 126 and f"{work / 'uv.toml'} is owned by uid {users.other.uid}" in r.stderr, r.stderr
    assert not (shared_app / ".venv").exists() and not canary.exists()


# ====================================================== 3b. trusted_roots others can write


def test_a_trusted_root_others_can_write_trusts_nothing(users, tmp_path, shell_env):
    from support.hooktest import write_config

    open_root = world_dir(users, "open-root", 0o1777)  # sticky does not help: others may add projects
    app = bare_project(open_root / "demo")
    write_config(shell_env, f'trusted_roots = ["{open_root}"]\n')
    data = status_json(app, shell_env)
    assert data["trusted"] is False, data
    r = envhook("doctor", cwd=app, env=shell_env)
    assert f"trusted root {open_root}" in r.stdout and "writable by others" in r.stdout, r.stdout
    r = envhook("config", "set", "trusted_roots", str(open_root), cwd=tmp_path, env=shell_env)
    assert r.returncode == 0 and "trusts nothing" in r.stderr, r.stderr
    os.chmod(open_root, 0o755)
    assert status_json(app, shell_env)["trusted"] is True
    # A directory on the way down that others can write is as bad.
    inner = open_root / "inner"
    inner.mkdir()
    os.chmod(inner, 0o777)
    app2 = bare_project(inner / "demo2")
    assert status_json(app2, shell_env)["trusted"] is False


def test_a_user_private_group_may_write_without_blocking(users, wheelhouse):
    """umask 002 with user private groups (the group named after the user, theirs
    alone): group-writable dirs there are writable by nobody else, so envhook
    keeps trusting its state and the user's config (ssh's rule, minus the
    false alarm)."""
    victim = users.victim
    wheels = public_wheels(users, wheelhouse)
    env = victim.env(UV_OFFLINE="1", UV_PYTHON="/usr/bin/python3.11")
    app = victim.home / "upg-demo"
    setup = (f"umask 002 && mkdir -p {victim.home}/.local/state {victim.home}/.config/uv {app} && "
             f"chmod 775 {victim.home}/.local {victim.home}/.local/state {victim.home}/.config && "
             f"printf 'find-links = [\"{wheels}\"]\\nno-index = true\\n' > {victim.home}/.config/uv/uv.toml && "
             f"printf '[project]\\nname = \"upg\"\\nversion = \"1\"\\nrequires-python = \">=3.11\"\\n"
             f"dependencies = [\"tinkerpkg==1.0\"]\\n' > {app}/pyproject.toml")
    victim.run(["/bin/sh", "-c", setup], env=env, check=True)
    r = victim.run(["/bin/sh", "-c", "umask 002 && envhook allow && envhook run -- python -c 'import tinkerpkg'"],
                   env=env, cwd=app)
    assert r.returncode == 0, r.stderr
    state = victim.home / ".local/state/envhook"
    assert oct(state.stat().st_mode & 0o777) == "0o700", "envhook's own dirs are made 0700 whatever the umask"
