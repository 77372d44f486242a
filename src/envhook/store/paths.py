"""Where envhook's state lives, computed with os alone.

platformdirs is the reference (tests/store/test_paths.py checks that both agree);
on Linux and the BSDs its answer is a two-line rule, and the hook's entry
cannot afford to import it at every slow-path prompt."""

from __future__ import annotations

import os
import stat
import sys
import time

from envhook.store.hashing import hexdigest, read_regular

APP = "envhook"


def _user_dir(kind: str, xdg_var: str, default: str, app: str = APP) -> str:
    """platformdirs' user_<kind>_dir(app), with its XDG rule inlined for Linux
    (Poetry finds its own config and cache by the same rule)."""
    if sys.platform == "darwin" or sys.platform == "win32":
        import platformdirs  # the reference, only where os alone cannot tell

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


# Everything envhook keeps under its state dir, named here and nowhere else:
#
#   stamps/<session>-<key>       a shell's stamp for a project (the watches' "newer than"; never past "now")
#   stamps/<…>.<hash>.mtime      the mtime of a watched file dated in the future (stamp_future)
#   stamps/<…>.nowait            Ctrl-C left the wait for another sync: do not wait again yet
#   stamps/<…>.told              what a run stopped by Ctrl-C said (bash, zsh, fish drop its output)
#   dirs/<key>[.paranoid]        the decision cache of a directory (hookcache)
#   projects/<key>/              one project (key: a hash of its root's path):
ALLOW = "allow"                # `envhook allow`, with the inputs' digests
DENY = "deny"                  # `envhook deny`
SYNC_RECORD = "sync.json"      # the last sync: status, inputs, what it left installed
PIN = "pin.json"               # `envhook pin` (the whole env)
PACKAGE_PINS = "packages.json"  # `envhook pin PKG`
CHOICES = "choices.json"       # `envhook use`: the groups, extras and packages you chose here
NOTIFY = "notify"              # touched by allow/deny/pin/unpin/sync: open shells look again
NOTICED = "noticed"            # which hand-made change notice was said already
HAND_MADE = "hand-made"        # the env a person changed, which uv's workspace commands do not explain (its key)
LOCK = "lock"                  # held by the one sync of the project that runs
SYNC_LOG = "sync.log"          # the tools' output of the last syncs (bounded)
COMPILED = "compiled"          # requirements resolved into a lock (pip backend)
CONFIGS = "configs.json"       # `envhook allow --config`: tool config files of others, accepted by owner and content
MOVED_ASIDE = "moved-aside"    # broken envs set aside before a sync
# (the config dir holds config.toml: settings.config_file)


def stamp_path(state: str, session: str, root: str) -> str:
    return os.path.join(state, "stamps", f"{session}-{key(root)}")


def stamps_dir(state: str) -> str:
    return os.path.join(state, "stamps")


def project_state(state: str, root: str) -> str:
    """projects/<key> under the state dir `state`, as a string (the prompt's entry avoids pathlib)."""
    return os.path.join(state, "projects", key(root))


def decision_file(state: str, real: str) -> str:
    return os.path.join(state, "dirs", key(real))


def make_dirs(path: str) -> None:
    """mkdir -p, every level it creates yours alone (0700), whatever the
    umask: a state dir made group-writable would fail envhook's own rule."""
    if os.path.isdir(path):
        return
    parent = os.path.dirname(path)
    if parent != path:
        make_dirs(parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not os.path.isdir(path):
            raise NotADirectoryError(20, "Not a directory", path) from None


def start_stamp(path: str) -> int:
    """Touch the stamp and return its mtime in ns, as the filesystem's own clock
    gives it (the kernel stamps files with a coarse clock that can lag
    time.time_ns(), so only a file's mtime is comparable with another's)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW  # never through a link planted in the state dir
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        make_dirs(os.path.dirname(path))
        fd = os.open(path, flags, 0o600)
    try:
        os.utime(fd)
        return os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)


def finish_stamp(path: str, mtime_ns: int) -> None:
    # One ns before "now": a file written in the same clock tick, after we
    # read it, still counts as newer ([[ -nt ]] is strict). Never later than
    # that, not even for a watched file dated in the future (a tarball's
    # mtimes, a clock stepped back): a stamp past "now" hides every change
    # made until the clock catches up. Such a file has a stamp of its own
    # (stamp_future).
    t = mtime_ns - 1
    try:
        os.utime(path, ns=(t, t))
    except OSError:
        pass  # no stamp (state dir not writable): the shell looks again at its next prompt


# stamps/<session>-<key>.<hash of F>.mtime: carries the mtime of F, a watched
# path dated in the future, so that the shell sees any other mtime of F.
MTIME_STAMP = ".mtime"
# The once-per-shell key (decide.notices) of "F has a modification time in the
# future", here so that the prompt's entry can tell whether it was said.
KEY_FUTURE = "t:"


def future_key(path: str) -> str:
    return KEY_FUTURE + key(path)[:12]


# Said once per shell (notices.say_foreign): a venv activated outside envhook
# is active where envhook would activate a project's env. Here, as the entry
# checks it too.
KEY_FOREIGN = "v:"


def foreign_key(venv: str) -> str:
    return KEY_FOREIGN + key(venv)[:12]


def dated_ahead(watch, now_ns: int | None = None) -> dict[str, int]:
    """The paths of `watch` whose mtime is after now, with that mtime. A file
    written just now is never ahead of the clock (the kernel stamps files
    with a clock that lags time.time_ns())."""
    now = time.time_ns() if now_ns is None else now_ns
    out = {}
    for w in watch:
        try:
            m = os.stat(w).st_mtime_ns
        except OSError:
            continue
        if m > now:
            out[w] = m
    return out


def stamp_future(stamp: str, watch, seen: dict[str, int] | None = None) -> dict[str, str]:
    """{F: S_F} for each watched path F dated in the future, S_F being a file
    next to `stamp` whose mtime is F's: the shell's test `F -nt S_F -o F -ot
    S_F` (emit.change_test) is true as soon as F's mtime is anything else,
    an edit made now (older) or a later date (newer), and false while F is
    untouched, at no process. `seen`: mtimes read before the decision read
    the files (hookcache signatures); where F's differs, S_F gets that one,
    so a change made while the decision was taken still shows.
    A stamp that cannot be written is still named: it is then missing,
    which the shell's `! -e S_F` counts as a change (look again, never go
    blind)."""
    out = {}
    for f, m in dated_ahead(watch).items():
        s_f = f"{stamp}.{key(f)[:16]}{MTIME_STAMP}"
        t = seen.get(f, m) if seen else m
        try:
            # Never through a link planted in the state dir.
            fd = os.open(s_f, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                os.utime(fd, ns=(t, t))
            finally:
                os.close(fd)
        except OSError:
            pass
        out[f] = s_f
    return out


def told_about(marks, state: str) -> list[str]:
    """The paths of `marks` (stamp_future) said to the user: not envhook's own
    files (notify, after a clock stepped back, is set past every stamp)."""
    return [f for f in marks if not f.startswith(state.rstrip(os.sep) + os.sep)]


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


def symlink_parents(path: str) -> list[str]:
    """The directories holding a symlink on the way to `path` as spelled:
    re-pointing one (`ln -sfn`) renames a link in them, which moves their
    mtime, so a shell watching them sees its $PWD now leads elsewhere."""
    out = []
    d = "/"
    for part in path.split("/"):
        if not part:
            continue
        nxt = os.path.join(d, part)
        if os.path.islink(nxt):
            out.append(d)
        d = nxt
    return out


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


def unsafe_owner(path, follow: bool = False) -> str | None:
    """"is owned by uid N" / "is writable by others (mode 0777)" / "is a
    symlink" / None (also when it does not exist). `follow`: a symlink to a
    safe directory is fine (the state dir itself may live elsewhere)."""
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return None
    if st.st_uid != os.geteuid():
        return f"is owned by uid {st.st_uid}, not you (uid {os.geteuid()})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symlink"
    if others_may_write(st):
        return f"is writable by others (mode {stat.S_IMODE(st.st_mode):04o}; `chmod go-w {path}`)"
    return None


def others_may_write(st) -> bool:
    """Writable by someone else: by others, or by a group that is not the
    user's private group (a user with umask 002, as user private groups
    have, writes group-writable files that nobody else can write)."""
    if st.st_mode & 0o002:
        return True
    return bool(st.st_mode & 0o020) and not _private_group(st.st_gid)


def _private_group(gid: int) -> bool:
    """The group named after the user, theirs alone (user private groups)."""
    import grp  # only for a group-writable file: never on a plain prompt
    import pwd

    if gid != os.getegid():
        return False
    try:
        group, user = grp.getgrgid(gid), pwd.getpwuid(os.geteuid())
    except KeyError:
        return False
    return group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def _ancestors(path: str) -> list[str]:
    out = []
    d = os.path.dirname(path)
    while True:
        out.append(d)
        parent = os.path.dirname(d)
        if parent == d:
            return out
        d = parent


def unsafe_chain(path: str, *, root_may_own: bool = False) -> str | None:
    """ssh's StrictModes, the one rule for every file or directory envhook
    believes: `path` is owned by you (or by root, with `root_may_own`: a
    system-wide tool config) and writable by nobody else; every directory
    above it is owned by you or root and writable by nobody else, unless it
    has the sticky bit (/tmp: others may add entries, not replace yours).
    Checked on the way as spelled (where a symlink could be re-pointed) and
    on the real way. Why not, or None (also when `path` does not exist: there
    is nothing to believe yet)."""
    me = os.geteuid()
    spelled = os.path.abspath(path)
    real = os.path.realpath(spelled)
    try:
        st = os.stat(real)
    except OSError:
        return None
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != me and not (root_may_own and st.st_uid == 0):
        who = "you or root" if root_may_own else "you"
        return f"{path} is owned by uid {st.st_uid} (mode {mode:04o}), not {who} (uid {me})"
    if others_may_write(st):
        return f"{path} is writable by others (uid {st.st_uid}, mode {mode:04o})"
    for d in dict.fromkeys([*_ancestors(spelled), *_ancestors(real)]):
        try:
            dst = os.stat(d)
        except OSError:
            continue  # a dangling part of the spelled way: the real way is checked too
        dmode = stat.S_IMODE(dst.st_mode)
        if dst.st_uid not in (me, 0):
            return f"{d}, above {path}, is owned by uid {dst.st_uid} (mode {dmode:04o}), not you or root"
        if others_may_write(dst) and not dst.st_mode & stat.S_ISVTX:
            return f"{d}, above {path}, is writable by others (uid {dst.st_uid}, mode {dmode:04o})"
    return None


class UnsafeState(PermissionError):
    """A file under the state dir that another user could have written."""


_state_verdict: dict[str, str | None] = {}


def unsafe_state_dir(state: str | None = None) -> str | None:
    """Why nothing under the state dir can be believed, if it cannot: the
    chain rule (unsafe_chain) for the state dir, once per process."""
    state = state or state_dir()
    if state not in _state_verdict:
        _state_verdict[state] = unsafe_chain(state)
    return _state_verdict[state]


def read_state(path: str) -> bytes:
    """The bytes of a file under the state dir, once the state dir passes
    the chain rule and every directory between it and the file, and the file
    itself, are yours and writable by nobody else (a link is not followed).
    Every reader of envhook's state goes through here, the decision cache's
    replay included: a cache planted by another user must not activate their
    env. Raises UnsafeState (a PermissionError) saying why; FileNotFoundError
    when absent."""
    state = state_dir()
    why = unsafe_state_dir(state)
    if why:
        raise UnsafeState(f"{why}; envhook trusts nothing there until that is fixed")
    real_state = os.path.realpath(state)
    rel = os.path.relpath(path, state)
    if rel.startswith(".." + os.sep) or rel == "..":
        raise UnsafeState(f"{path} is not under the state dir {state}")
    d = real_state
    for part in rel.split(os.sep)[:-1]:
        d = os.path.join(d, part)
        why = unsafe_owner(d)
        if why:
            raise UnsafeState(f"{d} {why}; envhook trusts nothing there until that is fixed")
    return read_regular(os.path.join(real_state, rel), check=_yours_alone)


def _yours_alone(st) -> str | None:
    if st.st_uid != os.geteuid() or (st.st_mode & 0o022 and others_may_write(st)):
        return f"owned by uid {st.st_uid} with mode {stat.S_IMODE(st.st_mode):04o}: not yours alone"
    return None
