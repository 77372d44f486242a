"""Where envhook's state lives, computed with os alone.

platformdirs is the reference (tests/test_paths.py checks that both agree);
on Linux and the BSDs its answer is a two-line rule, and the hook's entry
cannot afford to import it at every slow-path prompt."""

from __future__ import annotations

import os
import sys

from envhook._hash import hexdigest

APP = "envhook"


def _user_dir(kind: str, xdg_var: str, default: str, app: str = APP) -> str:
    """platformdirs' user_<kind>_dir(app), with its XDG rule inlined for Linux
    (Poetry finds its own config and cache by the same rule)."""
    if sys.platform == "darwin" or sys.platform == "win32":
        import platformdirs

        return getattr(platformdirs, f"user_{kind}_dir")(app, appauthor=False)
    base = os.environ.get(xdg_var, "")
    if not base.strip() or not os.path.isabs(base):  # the XDG spec ignores relative paths
        base = os.path.expanduser(default)
    return os.path.join(base, app)


def state_dir() -> str:
    return _user_dir("state", "XDG_STATE_HOME", "~/.local/state")


def config_dir() -> str:
    return _user_dir("config", "XDG_CONFIG_HOME", "~/.config")


def key(path: str) -> str:
    """A project's directory name in the state dir: a hash of its path."""
    return hexdigest(os.fsencode(path))[:24]


def stamp_path(state: str, session: str, root: str) -> str:
    return os.path.join(state, "stamps", f"{session}-{key(root)}")


def start_stamp(path: str) -> int:
    """Touch the stamp and return its mtime in ns, as the filesystem's own clock
    gives it (the kernel stamps files with a coarse clock that can lag
    time.time_ns(), so only a file's mtime is comparable with another's)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.utime(path)
    return os.stat(path).st_mtime_ns


def finish_stamp(path: str, mtime_ns: int) -> None:
    # One ns before "now": a file written in the same clock tick, after we
    # read it, still counts as newer ([[ -nt ]] is strict).
    t = mtime_ns - 1
    try:
        os.utime(path, ns=(t, t))
    except OSError:
        pass  # no stamp (state dir not writable): the shell looks again at its next prompt


def current_dir() -> str:
    """The cwd as the user spells it: $PWD keeps symlinks when it still names
    the cwd; a cwd deleted under the shell has no real path, so $PWD it is."""
    pwd = os.environ.get("PWD", "")
    try:
        real = os.getcwd()
    except OSError:
        return pwd or "/"
    if pwd and os.path.isabs(pwd) and pwd != real:
        try:
            if os.path.samefile(pwd, real):
                return pwd
        except OSError:
            pass
        return real
    return pwd or real


def nearest_project_dir(start: str) -> str | None:
    """The nearest directory at or above `start` holding a pyproject.toml;
    failing that, the nearest holding a requirements.txt. A pyproject.toml
    further up wins over a nearer requirements.txt: docs/requirements.txt
    inside a project is that project's, not a project of its own. The shell
    hooks walk up by the same rule."""
    d = start
    reqs = None
    while True:
        if os.path.isfile(os.path.join(d, "pyproject.toml")):
            return d
        if reqs is None and os.path.isfile(os.path.join(d, "requirements.txt")):
            reqs = d
        parent = os.path.dirname(d)
        if parent == d:
            return reqs
        d = parent

