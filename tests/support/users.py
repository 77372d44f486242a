"""Real second local users, for the attacks where the point is another user.

The tests run as root (CI does): `useradd` makes the users, `setpriv` runs a
command as one of them. Two roles:

* the attacker (`Users.other`), who plants files wherever the victim's
  directories let them;
* a victim who is not root (`Users.victim`), so that a rule that blocks too
  much shows: root owns everything above a test's temp dir, a plain user
  does not.

A plain user cannot read this checkout's interpreter (under /root), so each
gets `Users.envhook_bin`: a world-readable copy of envhook and its pure-Python
dependencies run by the system's python3.11, and the real uv, in a directory
every user can read. Everything lives under one base dir in /tmp (mode 0755,
root's), removed with the users at the end of the session.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3.11"
_DEPENDENCIES = ("packaging", "platformdirs", "shellingham", "tomlkit")


class User:
    def __init__(self, name: str, base: Path):
        pw = pwd.getpwnam(name)
        self.name, self.uid, self.gid, self.home = name, pw.pw_uid, pw.pw_gid, Path(pw.pw_dir)
        self.base = base

    def env(self, **extra: str) -> dict[str, str]:
        """A login-like environment of this user's own: HOME and the XDG dirs in
        their home, PATH with envhook and uv first."""
        env = {
            "HOME": str(self.home), "USER": self.name, "LOGNAME": self.name,
            "PATH": f"{self.base / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1",
            "XDG_STATE_HOME": str(self.home / ".local/state"), "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"), "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CONFIG_DIRS": str(self.home / ".config-dirs"), "UV_CACHE_DIR": str(self.home / ".cache/uv"),
            "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1",
        }
        env.update(extra)
        return env

    def argv(self, argv: list[str]) -> list[str]:
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups", "--", *argv]

    def run(self, argv: list[str], *, env: dict | None = None, cwd: Path | str | None = None,
            input: str | None = None, check: bool = False) -> subprocess.CompletedProcess:
        r = subprocess.run(self.argv(argv), env=env if env is not None else self.env(), cwd=cwd or self.home,
                           input=input, capture_output=True, text=True, check=False, timeout=300)
        if check and r.returncode != 0:
            raise AssertionError(f"as {self.name}: {argv}: {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def write(self, path: Path | str, data: bytes | str) -> None:
        """Write a file as this user (through their own permissions, as an attacker would)."""
        payload = data if isinstance(data, bytes) else data.encode()
        code = "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())"
        r = subprocess.run(self.argv([SYSTEM_PYTHON, "-c", code, str(path)]), input=payload,
                           capture_output=True, check=False, env=self.env())
        if r.returncode != 0:
            raise AssertionError(f"{self.name} could not write {path}: {r.stderr.decode()}")


class Users:
    def __init__(self, base: Path, other: User, victim: User):
        self.base, self.other, self.victim = base, other, victim


def _portable_envhook(base: Path) -> None:
    """bin/envhook (this checkout's source, run by the system python) and bin/uv, readable by every user."""
    import envhook

    lib, bin_ = base / "lib", base / "bin"
    lib.mkdir()
    bin_.mkdir()
    shutil.copytree(Path(envhook.__file__).parent, lib / "envhook", ignore=shutil.ignore_patterns("__pycache__"))
    for name in _DEPENDENCIES:
        mod = __import__(name)
        shutil.copytree(Path(mod.__file__).parent, lib / name, ignore=shutil.ignore_patterns("__pycache__"))
    (bin_ / "envhook").write_text(
        f"#!{SYSTEM_PYTHON}\nimport sys\nsys.path.insert(0, {str(lib)!r})\n"
        "from envhook.__main__ import main\nraise SystemExit(main())\n")
    from conftest import _real_uv

    uv = _real_uv()
    shutil.copy2(os.path.realpath(uv), bin_ / "uv")
    for root, dirs, files in os.walk(base):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o755)


def _useradd(name: str, home: Path) -> None:
    subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                    "--user-group", name], check=True, capture_output=True)
    home.mkdir(mode=0o755)
    os.chown(home, *_ids(name))


def _ids(name: str) -> tuple[int, int]:
    pw = pwd.getpwnam(name)
    return pw.pw_uid, pw.pw_gid


@pytest.fixture(scope="session")
def users() -> Users:
    """Two real local users (an attacker and a non-root victim), removed at the end."""
    if os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("setpriv") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("these tests create local users (useradd, setpriv), which needs root; CI runs as root")
        pytest.skip("needs root, useradd and setpriv to create a second local user")
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.fail(f"{SYSTEM_PYTHON} is missing: another user runs envhook with the system's Python 3.11")
    tag = secrets.token_hex(3)
    base = Path(f"/tmp/envhook-users-{tag}")
    base.mkdir(mode=0o755)
    names = (f"ehoth{tag}", f"ehvic{tag}")
    try:
        _portable_envhook(base)
        (base / "home").mkdir(mode=0o755)
        for n in names:
            _useradd(n, base / "home" / n)
        yield Users(base, User(names[0], base), User(names[1], base))
    finally:
        for n in names:
            subprocess.run(["userdel", n], capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


def world_dir(users: Users, name: str, mode: int) -> Path:
    """A directory under the users' base that both users can reach, with `mode` (0o777, 0o1777…)."""
    d = users.base / "shared" / f"{name}-{secrets.token_hex(3)}"
    d.parent.mkdir(mode=0o755, exist_ok=True)
    os.chmod(d.parent, 0o755)
    d.mkdir()
    os.chmod(d, mode)
    return d


# -- a user for one test (tests/prompt/test_tcsh.py) ----------------------------------------


@contextmanager
def local_user(prefix: str = "eh") -> Iterator[pwd.struct_passwd]:
    """A new user (and its own group), without a home: give it one under a
    directory it owns. userdel removes both at the end."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("this test makes another local user with useradd, which needs root (CI runs as root)")
        pytest.skip("needs root to add a user")
    name = f"{prefix}{secrets.token_hex(4)}"
    subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell", "/bin/sh", name],
                   check=True, capture_output=True)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True, check=False)


def as_user(user: pwd.struct_passwd, script: str, **kw) -> subprocess.CompletedProcess:
    """`sh -c script` as `user` (setpriv: its uid, its group, no others)."""
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                           "--", "/bin/sh", "-c", script], capture_output=True, text=True, timeout=60, check=False, **kw)


__all__ = ["SYSTEM_PYTHON", "User", "Users", "as_user", "local_user", "users", "world_dir"]
