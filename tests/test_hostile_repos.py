"""Hostile repositories (issue "hostile repositories"): a project whose build
backend writes a canary when uv builds it, a committed `.venv` whose `bin/`
shadows commands, modules that would shadow envhook's own imports, and every
way a repository might try to trust itself. Cloning it and `cd`-ing in must
run none of it, in real interactive shells; `envhook allow` is the only door,
`envhook deny` closes it again, moving a checkout closes it too, and with
ENVHOOK_PARANOID=1 so does any change of the inputs' content."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envhook.store import paths
from support.hooktest import HOOK_LINE, envhook, q, version_in_env
from support.hooktest import status_json as status
from support.projects import make_project, make_workspace_member, set_dependencies, uv_lock
from support.shell import ShellSession, require_shell, shell_quote

# A PEP 517 backend that lives in the repository (backend-path) and needs
# nothing installed (requires = []): uv imports it whenever it builds the
# project, offline. Importing it is the attack; the canary proves it ran.
EVIL_BACKEND = '''\
import os

with open({canary!r}, "a") as f:
    f.write("build backend imported by pid %d\\n" % os.getpid())


def _wheel(directory):
    import base64, hashlib, zipfile

    dist = "evil-0.1.0.dist-info"
    files = {{
        dist + "/METADATA": "Metadata-Version: 2.1\\nName: evil\\nVersion: 0.1.0\\n",
        dist + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: evil\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }}
    record = []
    name = "evil-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for path, text in files.items():
            data = text.encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{{path}},sha256={{digest}},{{len(data)}}")
        record.append(dist + "/RECORD,,")
        z.writestr(dist + "/RECORD", "\\n".join(record) + "\\n")
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory)
'''

EVIL_BUILD_SYSTEM = '[build-system]\nrequires = []\nbuild-backend = "evil"\nbackend-path = ["."]\n'

# What a repository might write to look trusted. None of it may count.
SELF_TRUST_TOML = "[tool.envhook]\ntrusted = true\nallow = true\n"


def canary_script(canary: Path, what: str) -> str:
    return f"#!/bin/sh\necho {what} >> {shell_quote('bash', str(canary))}\n"


def canary_module(canary: Path, what: str) -> str:
    return f"open({str(canary)!r}, 'a').write({what!r} + '\\n')\n"


# -- fixtures ----------------------------------------------------------------------------

@pytest.fixture
def canaries(tmp_path) -> Path:
    d = tmp_path / "canaries"
    d.mkdir()
    return d


@pytest.fixture
def upstream(tmp_path, wheelhouse, shell_env, canaries) -> Path:
    """The attacker's repository: a packaged project whose in-tree build
    backend writes canaries/build when imported, locked (static metadata:
    locking builds nothing)."""
    p = make_project(tmp_path / "upstream" / "evil", wheelhouse, name="evil",
                     extra_toml=EVIL_BUILD_SYSTEM + SELF_TRUST_TOML)
    (p / "evil.py").write_text(EVIL_BACKEND.format(canary=str(canaries / "build")))
    uv_lock(p, shell_env)
    assert not (canaries / "build").exists(), "locking must not build the project"
    return p


def clone(src: Path, dest: Path) -> Path:
    """`git clone` as far as envhook can tell: the same files at a new path."""
    shutil.copytree(src, dest, symlinks=True)
    return dest.resolve()


def plant_self_trust(project: Path, state_home: Path) -> None:
    """Everything a repository could ship to look allowed, made as strong as
    it gets: the attacker even knows the path it will be cloned to."""
    key = paths.key(str(project))
    (project / ".envhook-allow").write_text("yes\n")
    (project / ".envhook-trusted").write_text("yes\n")
    fake = project / "fake-state" / "envhook"
    for sub in ("projects", "dirs"):
        (fake / sub / key).mkdir(parents=True)
    (fake / "projects" / key / "allow").write_text("2020-01-01T00:00:00+0000\n")
    (fake / "projects" / key / "path").write_text(f"{project}\n")
    # A state dir spelled where $XDG_STATE_HOME or ~/.local/state would put it,
    # relative to the project, and one named like envhook's own.
    (project / ".local").mkdir()
    os.symlink("../fake-state", project / ".local" / "state")
    os.symlink("fake-state/envhook", project / ".envhook")
    # And a link from the project to the real state dir: reading through it
    # must not be how trust is decided either.
    os.symlink(state_home / "envhook", project / "state-link")


def path_entries(s: ShellSession) -> list[str]:
    return s.get("PATH").split("\n" if s.shell == "fish" else ":")


def envhook_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("envhook:")]


# -- 1. a fresh clone runs nothing; allow syncs; deny stops it again ------------------------

def test_hostile_clone_runs_nothing_until_allowed_and_deny_stops_it(
    open_shell, shell, upstream, tmp_path, canaries, shell_env, wheelhouse
):
    state_home = Path(shell_env["XDG_STATE_HOME"])
    project = clone(upstream, tmp_path / "clones" / "evil")
    plant_self_trust(project, state_home)
    before = sorted(p.name for p in project.iterdir())
    s = open_shell()

    out = s.run(f"cd {q(shell, project)}")
    lines = envhook_lines(out)
    assert len(lines) == 1 and "envhook allow" in lines[0], out
    assert not (project / ".venv").exists()
    assert not (canaries / "build").exists()
    assert s.get("VIRTUAL_ENV") is None
    assert sorted(p.name for p in project.iterdir()) == before  # nothing created in the repo
    assert envhook_lines(s.run("true")) == []
    data = status(project, shell_env)
    assert data["trusted"] is False and data["state"] == "untrusted"
    # Nothing the repository shipped reached the real state dir either.
    assert not (state_home / "envhook" / "projects" / paths.key(str(project)) / "allow").exists()

    # Trusted: the next prompt syncs, which builds the project (that is what
    # trusting it means), and activates.
    out = s.run("envhook allow")
    assert "syncing evil" in out, out
    assert (canaries / "build").exists()
    env = project / ".venv"
    assert s.get("VIRTUAL_ENV") == str(env)
    assert path_entries(s)[0] == str(env / "bin")

    # While trusted, uv is the one on PATH without the project's env: a `uv`
    # in .venv/bin is never what envhook runs.
    (env / "bin" / "uv").write_text(canary_script(canaries / "env-uv", "env uv ran"))
    (env / "bin" / "uv").chmod(0o755)
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("true")
    assert "syncing evil" in out, out
    assert version_in_env(project) == "2.0"
    assert not (canaries / "env-uv").exists()

    # Denied: deactivated at once, and no sync whatever changes.
    out = s.run("envhook deny")
    assert s.get("VIRTUAL_ENV") is None
    assert str(env / "bin") not in path_entries(s)
    (canaries / "build").unlink()
    record = state_home / "envhook" / "projects" / paths.key(str(project)) / "sync.json"
    synced = record.read_bytes()
    set_dependencies(project, ["tinkerpkg==3.0"])
    (env / "pyvenv.cfg").write_text((env / "pyvenv.cfg").read_text() + "# edited\n")
    for cmd in ("true", "cd /", f"cd {q(shell, project)}", "true"):
        out = s.run(cmd)
        assert "syncing" not in out, out
    assert s.get("VIRTUAL_ENV") is None
    assert not (canaries / "build").exists()
    assert version_in_env(project) == "2.0"
    assert record.read_bytes() == synced
    assert status(project, shell_env)["state"] == "untrusted"


# -- 2. moving a trusted checkout makes it untrusted ------------------------------------

def test_moved_trusted_project_is_untrusted_at_its_new_path(open_shell, shell, tmp_path, wheelhouse, shell_env):
    project = make_project(tmp_path / "work" / "demo", wheelhouse)
    uv_lock(project, shell_env)
    envhook("allow", cwd=project, env=shell_env)
    s = open_shell(cwd=project)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("cd /")
    assert s.get("VIRTUAL_ENV") is None

    moved = project.rename(tmp_path / "elsewhere")
    out = s.run(f"cd {q(shell, moved)}")
    lines = envhook_lines(out)
    assert len(lines) == 1 and "not trusted" in lines[0] and "envhook allow" in lines[0], out
    assert "syncing" not in out
    # The env moved along with the checkout; it is not activated at the new path.
    assert (moved / ".venv" / "bin" / "python").exists()
    assert s.get("VIRTUAL_ENV") is None
    assert status(moved, shell_env)["trusted"] is False

    # Renamed back, it is the path that was allowed again.
    s.run("cd /")
    moved.rename(project)
    s.run(f"cd {q(shell, project)}")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


# -- 4. an untrusted project's env is never on PATH -----------------------------------------

def test_committed_venv_of_an_untrusted_project_shadows_nothing(open_shell, shell, tmp_path, wheelhouse, canaries, shell_env):
    upstream = make_project(tmp_path / "upstream" / "shadow", wheelhouse, name="shadow")
    env = upstream / ".venv"
    (env / "bin").mkdir(parents=True)
    (env / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\nprompt = pwned\n")
    for cmd in ("ls", "python", "python3", "uv", "envhook", "cat", "test", "[", "mkdir", "touch", "true"):
        (env / "bin" / cmd).write_text(canary_script(canaries / "bin", f"{cmd} ran"))
        (env / "bin" / cmd).chmod(0o755)
    # Modules that would shadow the hook's own imports if it ever imported
    # from the project directory (its cwd).
    (upstream / "envhook" / "prompt").mkdir(parents=True)
    for name in ("envhook/__init__.py", "envhook/prompt/__init__.py", "envhook/prompt/entry.py", "envhook/hookentry.py", "sitecustomize.py", "usercustomize.py",
                 "tomllib.py", "json.py", "_sha256.py", "_sha2.py", "fcntl.py", "platformdirs.py"):
        (upstream / name).write_text(canary_module(canaries / "import", f"{name} imported"))
    project = clone(upstream, tmp_path / "clones" / "shadow")

    s = open_shell()
    out = s.run(f"cd {q(shell, project)}")
    assert "envhook allow" in out, out
    assert s.get("VIRTUAL_ENV") is None
    assert s.get("VIRTUAL_ENV_PROMPT") is None
    assert str(project / ".venv" / "bin") not in path_entries(s)
    listing = s.run("ls")
    assert "pyproject.toml" in listing and "ran" not in listing
    assert s.run("command -v ls").strip() in ("/usr/bin/ls", "/bin/ls")
    s.run("envhook status")
    for _ in range(2):
        s.run("true")
    assert sorted(p.name for p in canaries.iterdir()) == [], [p.read_text() for p in canaries.iterdir()]


# -- nested repositories inside a trusted tree ------------------------------------------------

def test_a_project_nested_in_a_trusted_one_is_not_trusted(tmp_path, wheelhouse, shell_env):
    outer = make_project(tmp_path / "outer", wheelhouse)
    envhook("allow", cwd=outer, env=shell_env)
    nested = make_project(outer / "vendor" / "evil", wheelhouse, name="evil")  # a submodule, say
    data = status(nested, shell_env)
    assert data["project"] == str(nested) and data["trusted"] is False
    assert envhook("sync", cwd=nested, env=shell_env).returncode == 1
    assert not (nested / ".venv").exists()


# -- 3. paranoid mode: trust follows content --------------------------------------------------

def paranoid_env(shell_env: dict) -> dict:
    return dict(shell_env, ENVHOOK_PARANOID="1")


def test_paranoid_trust_follows_the_inputs_content(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    strict = paranoid_env(shell_env)
    r = envhook("allow", cwd=p, env=strict)
    assert r.returncode == 0 and "paranoid mode" in r.stderr
    assert status(p, strict)["trusted"] is True and status(p, strict)["paranoid"] is True

    set_dependencies(p, ["tinkerpkg==2.0"])
    data = status(p, strict)
    assert (data["trusted"], data["state"]) == (False, "untrusted")
    assert data["reasons"] == ["pyproject.toml changed since `envhook allow`"]
    assert "envhook allow" in data["next"]
    text = envhook("status", cwd=p, env=strict).stdout
    assert "pyproject.toml changed since `envhook allow`" in text and "state:   untrusted" in text
    # `envhook sync` refuses too, and builds nothing.
    r = envhook("sync", cwd=p, env=strict)
    assert r.returncode == 1 and "envhook allow" in r.stderr
    assert not (p / ".venv").exists()
    # Without ENVHOOK_PARANOID (or with it off), trust stays path-only.
    for relaxed in (shell_env, dict(shell_env, ENVHOOK_PARANOID="0")):
        data = status(p, relaxed)
        assert data["trusted"] is True and data["paranoid"] is False and data["state"] == "missing"

    # Allowed again; the sync that follows re-locks (the lock is behind the
    # edit): the lock uv wrote for the allowed inputs does not ask again…
    lock = (p / "uv.lock").read_bytes()
    r = envhook("allow", cwd=p, env=strict)
    assert "pyproject.toml changed since the last allow" in r.stderr
    assert envhook("sync", cwd=p, env=strict).returncode == 0
    assert (p / "uv.lock").read_bytes() != lock
    data = status(p, strict)
    assert (data["trusted"], data["state"]) == (True, "in-sync")
    # …but a lock changed by anything else does.
    (p / "uv.lock").write_bytes((p / "uv.lock").read_bytes() + b"\n# changed upstream\n")
    data = status(p, strict)
    assert data["state"] == "untrusted" and data["reasons"] == ["uv.lock changed since `envhook allow`"]
    # So do a new .python-version or uv.toml (they choose the interpreter and the index).
    (p / "uv.lock").write_bytes((p / "uv.lock").read_bytes().replace(b"\n# changed upstream\n", b""))
    assert status(p, strict)["trusted"] is True
    (p / "uv.toml").write_text('index-url = "https://example.invalid/simple"\n')
    assert status(p, strict)["reasons"] == ["uv.toml added since `envhook allow`"]


def test_paranoid_trust_covers_workspace_members_and_old_allows(tmp_path, wheelhouse, shell_env):
    strict = paranoid_env(shell_env)
    root = make_project(tmp_path / "ws", wheelhouse, name="ws", workspace_members=["packages/*"])
    make_workspace_member(root, "packages/a", "a")
    envhook("allow", cwd=root, env=shell_env)  # recorded even when not paranoid
    assert status(root, strict)["trusted"] is True
    # A member dropped into the trusted tree (a clone, an unpacked archive)
    # becomes part of the workspace uv would sync.
    make_workspace_member(root, "packages/evil", "evil", extra_toml=EVIL_BUILD_SYSTEM)
    data = status(root / "packages" / "evil", strict)
    assert data["project"] == str(root) and data["trusted"] is False
    assert data["reasons"] == ["packages/evil/pyproject.toml added since `envhook allow`"]
    (root / "packages" / "evil" / "pyproject.toml").unlink()
    set_dependencies(root / "packages" / "a", ["tinkerpkg==1.0"])
    assert status(root, strict)["reasons"] == ["packages/a/pyproject.toml changed since `envhook allow`"]

    # An allow from before envhook recorded content is path-only trust.
    allow = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "projects" / paths.key(str(root)) / "allow"
    allow.write_text("2020-01-01T00:00:00+0000\n")
    assert status(root, shell_env)["trusted"] is True
    data = status(root, strict)
    assert data["trusted"] is False and "content" in data["reasons"][0] and "envhook allow" in data["next"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "nu", "elvish", "tcsh", "xonsh"], indirect=True)
def test_paranoid_change_in_a_live_shell_asks_again(open_shell, shell, tmp_path, wheelhouse, shell_env):
    strict = paranoid_env(shell_env)
    project = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(project, shell_env)
    envhook("allow", cwd=project, env=strict)
    s = open_shell(cwd=project, env=strict)
    assert "syncing demo" in s.startup_output
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("true")

    set_dependencies(project, ["tinkerpkg==2.0"])  # a `git pull`, say
    out = s.run("true")
    lines = envhook_lines(out)
    assert len(lines) == 1, out
    assert "pyproject.toml changed since `envhook allow`" in lines[0] and "envhook allow" in lines[0]
    assert "syncing" not in out
    assert s.get("VIRTUAL_ENV") is None
    assert version_in_env(project) == "1.0"
    assert envhook_lines(s.run("true")) == []  # said once
    assert "pyproject.toml changed since `envhook allow`" in s.run("envhook status")

    # Allowed again: synced (uv re-locks), activated, and that lock does not ask again.
    out = s.run("envhook allow")
    assert "syncing demo" in out, out
    assert version_in_env(project) == "2.0"
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    out = s.run("true")
    assert envhook_lines(out) == [], out
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")

    # A second change asks again, in the same shell.
    set_dependencies(project, ["tinkerpkg==3.0"])
    out = s.run("true")
    assert "pyproject.toml changed since `envhook allow`" in out, out
    assert s.get("VIRTUAL_ENV") is None
    assert version_in_env(project) == "2.0"


@pytest.mark.parametrize("sh", ["bash", "tcsh"])
def test_a_paranoid_shell_never_replays_a_path_only_decision(isolated_home, tmp_path, wheelhouse, shell_env, sh):
    """A shell without ENVHOOK_PARANOID syncs a changed pyproject.toml (path-only
    trust) and caches that decision; a paranoid shell entering next must decide
    from content, not replay it."""
    require_shell(sh)
    project = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(project, shell_env)
    envhook("allow", cwd=project, env=shell_env)
    relaxed = ShellSession(sh, isolated_home, HOOK_LINE[sh] + "\n", shell_env, project, timeout=90)
    try:
        set_dependencies(project, ["tinkerpkg==2.0"])
        assert "syncing demo" in relaxed.run("true")
        relaxed.run("true")
    finally:
        relaxed.close(force=True)
    assert version_in_env(project) == "2.0"

    strict = ShellSession(sh, isolated_home, HOOK_LINE[sh] + "\n", paranoid_env(shell_env), project, timeout=90)
    try:
        assert "pyproject.toml changed since `envhook allow`" in strict.startup_output
        assert strict.get("VIRTUAL_ENV") is None
    finally:
        strict.close(force=True)


# The shell's builtin check compares mtimes only, and a project replaced at a
# trusted path by files with old mtimes (tar x, rsync -a, cp -a) would be
# re-activated from the shell's slot without Python: in paranoid mode each
# shell asks Python on entering a project (its _envhook_paranoid).
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "nu", "elvish", "tcsh", "xonsh"])
def test_paranoid_shell_does_not_reactivate_a_project_replaced_with_old_mtimes(
    open_shell, shell, tmp_path, wheelhouse, shell_env, canaries
):
    require_shell(shell)
    strict = paranoid_env(shell_env)
    project = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(project, shell_env)
    envhook("allow", cwd=project, env=strict)
    s = open_shell(cwd=project, env=strict)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("cd /")
    # An archive of a hostile version, unpacked where the trusted checkout was.
    hostile = make_project(tmp_path / "unpacked", wheelhouse, extra_toml="# hostile\n")
    shutil.copy(project / "uv.lock", hostile / "uv.lock")
    (hostile / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(project / ".venv" / "pyvenv.cfg", hostile / ".venv" / "pyvenv.cfg")
    # Every path the shells watch is there (nushell's check counts one gone as a change).
    shutil.copytree(project / ".venv" / "lib", hostile / ".venv" / "lib", symlinks=True)
    for cmd in ("ls", "python"):
        (hostile / ".venv" / "bin" / cmd).write_text(canary_script(canaries / "bin", f"{cmd} ran"))
        (hostile / ".venv" / "bin" / cmd).chmod(0o755)
    old = (project / "uv.lock").stat().st_mtime - 86400
    for d, dirs, files in os.walk(hostile):
        for name in dirs + files:
            os.utime(os.path.join(d, name), (old, old))
    os.utime(hostile, (old, old))
    shutil.rmtree(project)
    hostile.rename(project)

    out = s.run(f"cd {q(shell, project)}")
    assert status(project, strict)["state"] == "untrusted"
    assert s.get("VIRTUAL_ENV") is None, out
    s.run("^ls" if shell == "nu" else "ls")  # nushell's own ls is a builtin
    assert not (canaries / "bin").exists()
