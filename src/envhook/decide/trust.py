"""Trust, the way direnv guards .envrc: nothing of a project is synced or
activated until its owner says `envhook allow`. Trust is keyed by the real
path, so a moved or renamed checkout asks again, and it lives in the user's
state dir, so nothing inside a repository can grant it.

Paranoid mode (ENVHOOK_PARANOID=1) also ties trust to content, as direnv
ties it to the bytes of `.envrc`: `envhook allow` always records a digest of
every input (for uv: the root's and the members' pyproject.toml, uv.lock,
.python-version, uv.toml; each backend names its own), and in paranoid mode
any difference asks again. One difference is not a change of mind: a file
that envhook's own sync of the allowed inputs rewrote (uv re-locks when
pyproject.toml moved ahead of the lock; PDM records its interpreter in
.pdm-python) is what those inputs asked for.

Nothing here reads a file inside the project except the inputs' bytes, which
are hashed, never interpreted.
"""

from __future__ import annotations

import os
from pathlib import Path

from envhook.backends import backend_for
from envhook.decide import worktrees
from envhook.decide.project import ProjectError, find_project
from envhook.store import paths, settings
from envhook.store.records import (
    SYNC_FAILED,
    SYNC_INTERRUPTED,
    SYNC_OK,
    SYNC_RUNNING,
    SyncRecord,
    atomic_write,
    describe_changes,
    ensure_project_dir,
    file_digest,
    fingerprint,
    notify,
    now_iso,
    project_dir,
    read_json,
    state_dir,
    write_json,
)

PARANOID_VAR = "ENVHOOK_PARANOID"
_OFF = ("", "0", "false", "no", "off")


def paranoid(environ=None) -> bool:
    """ENVHOOK_PARANOID set to anything but empty/0/false/no/off; when it is
    not set, the `paranoid` setting: in the hook as the hook was printed with
    it (_ENVHOOK_PARANOID_CFG), elsewhere as config.toml says now. The hook's
    entry and its shell code read it by the same rule, without this module."""
    env = os.environ if environ is None else environ
    value = env.get(PARANOID_VAR)
    if value is None:
        value = env.get("_ENVHOOK_PARANOID_CFG")
    if value is None:
        return settings.value("paranoid")
    return value.strip().lower() not in _OFF


class Verdict:
    """Whether a project is trusted right now, and if not, why."""

    __slots__ = ("trusted", "denied", "reasons", "changes", "inputs", "paranoid", "by", "unsafe", "origin")

    def __init__(self, trusted: bool, *, denied: bool = False, reasons: list[str] | None = None,
                 changes: list[str] | None = None, inputs: dict | None = None, paranoid: bool = False,
                 by: str = "allow", unsafe: bool = False, origin: Path | None = None):
        self.trusted, self.denied = trusted, denied
        # Not trusted because another user could have written what decides
        # (envhook's state, a tool config file): the reason says which file.
        self.unsafe = unsafe
        # What trusts it: "allow" (`envhook allow`), "trusted_roots" (the
        # setting; paranoid mode has no recorded content to check for it) or
        # "worktree" (a linked git worktree of `origin`, allowed there).
        self.by = by
        self.origin = origin
        self.reasons = reasons or []
        self.changes = changes or []   # paranoid mode: what changed since `envhook allow`
        self.inputs = inputs or {}     # paranoid mode: the inputs' digests as they are now
        self.paranoid = paranoid


def allowed_inputs(root: Path) -> dict | None:
    """The inputs' digests recorded by the last `envhook allow`; None when
    not allowed, or allowed by an envhook that recorded no content."""
    data = read_json(project_dir(root) / paths.ALLOW)
    if data is None or not isinstance(data.get("inputs"), dict):
        return None
    return data["inputs"]


def verdict(project, environ=None) -> Verdict:
    v = _own_verdict(project, environ)
    if not v.trusted:
        return v
    for member in project.members:
        if member.is_relative_to(project.root):
            continue
        # A member outside the root is a project of its own for trust: the
        # root's `envhook allow` must not run a denied or unknown project's code.
        md = project_dir(member)
        if (md / paths.DENY).is_file():
            why = f"its workspace member {member} is denied (`envhook deny`); the workspace is not synced"
            return Verdict(False, denied=True, reasons=[why], paranoid=v.paranoid)
        if not (md / paths.ALLOW).is_file() and not under_trusted_root(member):
            why = f"its workspace member {member} lies outside it and is not trusted (`envhook allow {member}`)"
            return Verdict(False, reasons=[why], paranoid=v.paranoid)
    for source in project.sources:
        if source.is_relative_to(project.root):
            continue
        # A path source outside the project is built by its sync, as its
        # pyproject.toml asks: no trust of its own is needed (its files are
        # inputs, so paranoid mode and the ownership rule cover them), but
        # one you denied is not built on another project's behalf.
        if (project_dir(Path(os.path.realpath(source))) / paths.DENY).is_file():
            why = f"its path source {source} is denied (`envhook deny`); the project is not synced"
            return Verdict(False, denied=True, reasons=[why], paranoid=v.paranoid)
    return v


def _own_verdict(project, environ=None) -> Verdict:
    v = _recorded_verdict(project, environ)
    if not v.trusted:
        return v
    foreign = foreign_configs(project)
    if foreign:
        return Verdict(False, reasons=[why for _, why in foreign], paranoid=v.paranoid, unsafe=True)
    return v


def _recorded_verdict(project, environ=None) -> Verdict:
    """What `allow`, `deny` and trusted_roots say of the project itself."""
    root = project.root
    d = project_dir(root)
    strict = paranoid(environ)
    unsafe = unsafe_state(d)
    if unsafe:
        return Verdict(False, reasons=[unsafe], paranoid=strict, unsafe=True)
    if not (d / paths.ALLOW).is_file():
        denied = (d / paths.DENY).is_file()
        if not denied and under_trusted_root(root):
            return Verdict(True, paranoid=strict, by="trusted_roots")
        if not denied and not strict:
            inherited = _worktree_verdict(root)
            if inherited is not None:
                return inherited
        why = "denied with `envhook deny`" if denied else "not allowed yet (`envhook allow`)"
        return Verdict(False, denied=denied, reasons=[why, *_worktree_note(root, strict, denied)], paranoid=strict)
    if not strict:
        return Verdict(True)

    current = fingerprint(project.inputs, root)
    allowed = allowed_inputs(root)
    if allowed is None:
        why = "allowed before envhook recorded the inputs' content, which paranoid mode checks"
        return Verdict(False, reasons=[why], changes=[why], inputs=current, paranoid=True)
    changes = describe_changes(_excusing_relock(allowed, current, root, backend_for(project).writes), current)
    if not changes:
        return Verdict(True, inputs=current, paranoid=True)
    reasons = [f"{c} since `envhook allow`" for c in changes]
    return Verdict(False, reasons=reasons, changes=changes, inputs=current, paranoid=True)


def _excusing_relock(allowed: dict, current: dict, root: Path, written: tuple[str, ...]) -> dict:
    """`allowed`, with the files the backend's sync writes (`written`: uv.lock
    for uv) taken as they are now when envhook's last sync ran on the allowed
    pyproject.toml & co. and left exactly them behind: a sync runs only on
    trusted content, so they are what the tool wrote for the allowed inputs
    (a re-lock, or the first lock of a fresh project)."""
    moved = [f for f in written if allowed.get(f) != current.get(f)]
    if not moved:
        return allowed
    record = SyncRecord.load(root)
    if record is None or record.status not in (SYNC_OK, SYNC_FAILED, SYNC_INTERRUPTED):
        return allowed
    synced = record.inputs
    if any(synced.get(f) != current.get(f) for f in moved):
        return allowed
    if any(synced.get(k) != allowed.get(k) for k in set(synced) | set(allowed) if k not in written):
        return allowed
    return {**allowed, **{f: current.get(f) for f in moved}}


def unsafe_state(project_state: Path) -> str | None:
    """Why envhook's records for a project cannot be believed, if they
    cannot: the state dir fails the chain rule (paths.unsafe_chain: it, or a
    directory above it, belongs to another user or others may write it), or
    the project's dir in it, or its allow file, does. Anyone could have
    written "trusted" there; as direnv and ssh do, nothing is trusted then.
    The same rule guards every other read of the state (paths.read_state)."""
    why = paths.unsafe_state_dir(str(state_dir()))
    if why:
        return f"{why}; envhook trusts nothing there until that is fixed"
    for p in (project_state.parent, project_state, project_state / paths.ALLOW):
        why = paths.unsafe_owner(p)
        if why:
            return f"{p} {why}; envhook trusts nothing there until that is fixed"
    return None


# -- tool config files from outside the project ---------------------------------------


def foreign_configs(project) -> list[tuple[Path, str]]:
    """The tool config files envhook would act on from outside the project
    (a parent uv.toml or [tool.uv] pyproject.toml, pip.conf, Poetry's and
    PDM's user config, the system's) that another user could have written,
    and that you have not accepted as they are: (file, why) for each. Such a
    file can point the tool at their wheels, whose build backend would run
    as you. The rule is paths.unsafe_chain with root allowed to own the file
    (/etc/uv/uv.toml); files inside the project are covered by `allow`."""
    from envhook.backends.base import SOURCE_FILES, has_tool_uv  # TOML: only for a parent pyproject.toml that exists

    inside = (project.root, *project.members)  # a member outside the root is trusted on its own
    # A path source's files: its build backend is what would run as you.
    built = {d / name for d in project.sources for name in SOURCE_FILES}
    accepted = None
    out = []
    for p in dict.fromkeys([*project.inputs, *backend_for(project).settings_files(project)]):
        if any(p.is_relative_to(d) for d in inside) or not os.path.lexists(p):
            continue
        if p.name == "pyproject.toml" and p not in built and not has_tool_uv(p):
            continue  # a parent's pyproject.toml counts only as uv's config
        why = paths.unsafe_chain(str(p), root_may_own=True)
        if why is None:
            continue
        if accepted is None:
            accepted = read_json(project_dir(project.root) / paths.CONFIGS) or {}
        if accepted.get(str(p)) == _config_identity(p):
            continue
        what = "a path source uv would build as you, so " if p in built else ""
        out.append((p, f"{why}: {what}envhook runs no tool with it until you accept it for this project "
                       f"(`envhook allow --config {p}`)"))
    return out


def _config_identity(path: Path) -> dict | None:
    """What accepting a file ties it to: its owner and its content."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return {"uid": st.st_uid, "digest": file_digest(path)}


def accept_config(project, path: Path) -> str:
    """`envhook allow --config FILE`: accept another user's tool config file for
    this project, as it is now (its owner and content); a change asks again.
    Returns what was accepted, for the line said."""
    identity = _config_identity(path)
    if identity is None:
        raise FileNotFoundError(2, "no such file", str(path))
    d = ensure_project_dir(project.root)
    accepted = read_json(d / paths.CONFIGS) or {}
    accepted[str(path)] = identity
    write_json(d / paths.CONFIGS, accepted)
    notify(project.root)
    return f"uid {identity['uid']}, content {identity['digest']}"


def under_trusted_root(root: Path) -> bool:
    """The user's `trusted_roots` setting covers this project. Read from the
    user's config only, never from a project: a repository cannot trust itself.
    A bad setting trusts nothing (the hook says what is wrong elsewhere), and
    neither does a root others can write in (unsafe_trusted_root)."""
    roots = settings.value("trusted_roots")
    return any(settings.under(str(root), [r]) and unsafe_trusted_root(r, root) is None for r in roots or ())


def unsafe_trusted_root(trusted: str, project_root: Path | None = None) -> str | None:
    """Why a `trusted_roots` entry trusts nothing, if it does not: anyone who
    can create a directory in it (or in the way down to the project) could
    make a project there that you trust without being asked. The root is
    yours or root's and writable by nobody else, sticky or not (others may
    not add entries at all), with a safe chain above it; so is every
    directory from it down to the project."""
    why = paths.unsafe_chain(trusted, root_may_own=True)
    if why is not None:
        return why
    if project_root is None:
        return None
    import stat

    d = str(project_root)
    while d != trusted and d.startswith(trusted.rstrip(os.sep) + os.sep):
        try:
            st = os.stat(d)
        except OSError:
            return f"{d} cannot be read"
        if st.st_uid not in (os.geteuid(), 0) or st.st_mode & 0o022:
            return (f"{d}, under the trusted root {trusted}, is owned by uid {st.st_uid} with mode "
                    f"{stat.S_IMODE(st.st_mode):04o}: others could make projects there")
        d = os.path.dirname(d)
    return None


def is_trusted(root: Path) -> bool:
    """For callers that hold only the root (`envhook sync`)."""
    try:
        project = find_project(root)
    except ProjectError:
        return False
    return project is not None and project.root == root and verdict(project).trusted


def _worktree_verdict(root: Path) -> Verdict | None:
    """A linked git worktree of a checkout you allowed is trusted as that
    checkout is (decide/worktrees.py says what makes one), one way: only
    that checkout's own `envhook allow` counts, and its `deny` reaches here.
    Not in paranoid mode, where each worktree is allowed on its content."""
    main, _ = worktrees.main_checkout(root)
    if main is None or main == root:
        return None
    md = project_dir(main)
    if unsafe_state(md):
        return None
    if (md / paths.DENY).is_file():
        why = f"its main checkout {main} is denied (`envhook deny`)"
        return Verdict(False, denied=True, reasons=[why])
    if (md / paths.ALLOW).is_file():
        return Verdict(True, by="worktree", origin=main)
    return None


def _worktree_note(root: Path, strict: bool, denied: bool) -> list[str]:
    """Why a directory that looks like a linked worktree does not inherit
    trust: paranoid mode, or a check of decide/worktrees.py it fails (a
    worktree moved without `git worktree repair`, a copied .git file)."""
    if denied:
        return []
    main, why = worktrees.main_checkout(root)
    if main is not None and strict:
        return [f"paranoid mode: a worktree of {main} is allowed on its own content, not by its checkout's allow"]
    if why:
        return [f"its .git makes it no worktree envhook trusts through its checkout: {why} "
                "(`git worktree repair` there, if you moved it)"]
    return []


def allow(project) -> list[str]:
    """Trust the project at its real path, recording its inputs' content (read
    in paranoid mode only, but recorded always, so that turning paranoid mode
    on later does not ask again about what was allowed). Returns what changed
    since the previous allow, if that recorded content."""
    root = project.root
    d = ensure_project_dir(root)
    before = allowed_inputs(root)
    inputs = fingerprint(project.inputs, root)
    write_json(d / paths.ALLOW, {"time": now_iso(), "inputs": inputs})
    _remove(d / paths.DENY)
    notify(root)
    for w in worktrees.worktrees_of(root):
        notify(w)  # its shells look again: they inherit this
    return describe_changes(before, inputs) if before is not None else []


def deny(root: Path) -> int | None:
    """Distrust the project, and stop a sync of it that is running (in
    another shell): its envhook gets SIGTERM, stops the tool's whole process
    group and records the sync as cancelled. Returns that sync's pid."""
    d = ensure_project_dir(root)
    _remove(d / paths.ALLOW)
    atomic_write(d / paths.DENY, f"{now_iso()}\n".encode())
    notify(root)
    stopped = _stop_sync(root)
    for w in worktrees.worktrees_of(root):
        if not (project_dir(w) / paths.ALLOW).is_file():
            notify(w)  # a deny of the main checkout reaches the worktrees that inherit from it
            _stop_sync(w)
    return stopped


def _stop_sync(root: Path) -> int | None:
    """SIGTERM to the envhook syncing `root` in another shell, if one is."""
    import signal  # builds its enums (~0.7 ms): only to stop a sync

    record = SyncRecord.load(root)
    if record is None or record.status != SYNC_RUNNING or not isinstance(record.pid, int) or record.pid <= 0:
        return None
    if record.pid == os.getpid():
        return None
    try:
        os.kill(record.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return None
    return record.pid


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
