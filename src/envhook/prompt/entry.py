"""The hook's Python entry, `envhook export SHELL`.

The shell starts it only when its builtin checks say something may have
changed, or on entering a project this shell has not seen. Most of those
calls change nothing, so this module first tries the decision cache
(hookcache) with nothing but os and stat calls; only when a signature moved
does it import the full evaluation (TOML, JSON, content digests, maybe uv).
tests/prompt/test_imports.py keeps this path free of heavy imports.
"""

from __future__ import annotations

import fcntl
import os

from envhook.env.activation import foreign_venv
from envhook.prompt import emit, hookcache
from envhook.store import paths


class Presync:
    """A `uv sync` the entry started before handing over to the full evaluation."""

    def __init__(self, root: str, child, lock_fd: int, reason: str):
        self.root, self.child, self.lock_fd, self.reason = root, child, lock_fd, reason


def speculate(decision: hookcache.Decision, state: str) -> Presync | None:
    """Start `uv sync` at once when the cache already proves the env stale.

    The cached decision was "in sync, not pinned", and the only files that
    moved since are inputs whose content now differs from what was synced:
    that is exactly what the full evaluation would call stale. Starting uv
    now overlaps its run with importing and running that evaluation, which
    then waits for this process instead of starting its own."""
    pstate = paths.project_state(state, decision.root)
    changed = _provably_stale(decision, pstate)
    return _start(decision, pstate, changed) if changed else None


def _provably_stale(decision: hookcache.Decision, pstate: str) -> list[str] | None:
    """The inputs whose change makes the env stale, when the cache proves
    nothing else moved and nothing asks for more than a plain `uv sync`."""
    if not decision.inputs or decision.act.state != "in-sync" or not decision.act.env:
        return None
    if decision.act.no_sync:
        return None  # UV_NO_SYNC is exported (package pins, sync = "missing"): the full path decides
    if hookcache.paranoid():
        return None  # trust follows the inputs' content: only the full evaluation may decide to sync
    from envhook.messages import quiet  # prompt budget: only when uv is started

    if quiet():
        return None  # quiet: the full path sends uv's output to the log
    if decision.backend != "uv" or not decision.same_location(os.environ):
        return None  # only uv is started this early: the others' startup dwarfs the overlap
    env = decision.act.env
    if os.path.isdir(env) and not os.path.isfile(os.path.join(env, "pyvenv.cfg")):
        return None  # no venv: uv would sync the base interpreter; the full path sets it aside
    moved = decision.moved()
    if not moved or any(p not in decision.inputs for p in moved):
        return None  # the env, the records or discovery moved: only a full evaluation can tell
    from envhook.store.hashing import file_digest, read_regular  # prompt budget: only when the cache is consulted

    changed = [p for p in moved if file_digest(p) != decision.inputs[p]]
    if not changed or any(os.path.exists(p) and not os.path.isfile(p) for p in changed):
        return None  # nothing to do, or a FIFO/dir named like an input: the full path says why
    if any(p.endswith("pyproject.toml") for p in changed):
        # An edit that broke the TOML must not start uv on it: the full path
        # says what is wrong, once. (Only here, where a sync follows anyway.)
        import tomllib  # TOML only when a file is read, never on a quiet prompt

        try:
            for p in changed:
                if p.endswith("pyproject.toml"):
                    tool = tomllib.loads(read_regular(p).decode()).get("tool")
                    if isinstance(tool, dict) and "envhook" in tool:
                        return None  # [tool.envhook] may turn envhook off or choose another tool
        except (OSError, ValueError, AttributeError):
            return None
    if os.path.exists(os.path.join(pstate, paths.PACKAGE_PINS)):
        return None  # package pins change the command: the full path builds it
    return changed


def _start(decision: hookcache.Decision, pstate: str, changed: list[str]) -> Presync | None:
    """Take the project's lock and start uv; None when either cannot be had."""
    from envhook.backends.uv import start_sync, uv_path  # prompt budget: only for an early sync
    from envhook.messages import say  # prompt budget: only when something is said

    uv = uv_path(decision.act.env)
    if uv is None:
        return None
    lock_path = os.path.join(pstate, paths.LOCK)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)  # another shell is syncing it: the full path waits its turn
        return None
    root = decision.root + os.sep
    reason = ", ".join(
        f"{p[len(root):] if p.startswith(root) else p} {'removed' if not os.path.exists(p) else 'changed'}"
        for p in sorted(changed)
    )
    say(f"syncing {decision.name} ({reason})")
    try:
        child = start_sync(uv, decision.root, os.path.join(pstate, paths.SYNC_LOG))
    except OSError:
        os.close(fd)
        return None
    return Presync(decision.root, child, fd, reason)


def fast(sh) -> str | Presync | None:
    """The export from the decision cache, for the hook of shell SH; a
    started sync to hand over; or None when only a full evaluation can tell."""
    cwd = paths.current_dir()
    nearest = paths.nearest_project_dir(cwd)
    if nearest is None:
        return emit.leave(sh, None)
    state = paths.state_dir()
    decision = hookcache.read(hookcache.cache_file(state, nearest))
    if decision is None:
        return None
    stamp = paths.stamp_path(state, hookcache.session(), decision.root)
    # The stamp is taken before the signatures are checked: a change in
    # between is then newer than the stamp and wakes the next prompt.
    stamp_time = paths.start_stamp(stamp)
    if not decision.fresh(os.environ):
        return speculate(decision, state)
    marks = paths.stamp_future(stamp, decision.watch, hookcache.mtimes(decision.deps))
    told = os.environ.get("_ENVHOOK_TOLD", "").split()
    if any(paths.future_key(f) not in told for f in paths.told_about(marks, state)):
        return None  # a file dated in the future: the full evaluation says so, once in this shell
    foreign = foreign_venv(os.environ)
    if foreign and decision.act.env and paths.foreign_key(foreign) not in told:
        return None  # a venv activated outside envhook: the full evaluation says so, once in this shell
    text = emit.remember(
        sh,
        root=decision.root,
        cwd=cwd,
        known=sorted({*decision.known, nearest}),
        watch=decision.watch,
        absent=decision.absent,
        present=[*decision.present, stamp],  # a stamp deleted (pruned, state wiped): look again
        stamp=stamp,
        act=decision.act,
        told=None,
        marks=marks,
    )
    paths.finish_stamp(stamp, stamp_time)
    return text


def outdated(shell_name: str, protocol: int | None) -> int:
    """For a hook from an older envhook (upgraded under a running shell):
    undo its activation, stop it calling, and say once what to do. Hooks of
    protocol 2 and later do both when the entry exits 3 (which they read as
    "envhook is gone"); protocol 1 read 3 as "stop" alone, so it is handed
    the code that leaves first (elvish, which came later, can run no such
    code: its eval sets only the names it expects)."""
    from envhook.messages import say  # prompt budget: only when something is said

    say("this shell's hook comes from an older envhook; open a new shell (or `exec $SHELL`) to use the one "
        "installed now", error=True)
    if protocol is not None:
        return 3
    from envhook.prompt.shells import get_shell  # prompt budget: only when something is printed

    sh = get_shell(shell_name)
    return emit.write(sh.script([sh.call("_envhook_leave"), sh.assign("_envhook_broken", "1")]))


def main(argv: list[str], protocol: int | None = None) -> int:
    """PROTOCOL: what the calling hook's shell code reads (Shell.protocol); a
    hook rendered by an older envhook passes an older one, or none."""
    from envhook.prompt.shells import get_shell  # the shell's family only, resolved once for both paths

    shell_name = argv[0] if argv else ""
    try:
        sh = get_shell(shell_name)
    except ValueError:
        sh = None
    if sh is None or protocol != sh.protocol:
        try:
            return outdated(shell_name, protocol)
        except Exception:  # noqa: BLE001 — whatever it is, the old hook must not get a traceback
            return 3
    try:
        text = fast(sh)
    except KeyboardInterrupt:
        # Not 0: the stamp may have moved already, and only a non-zero exit
        # makes the shell look again at its next prompt (see _envhook_export).
        return 130
    except Exception:  # noqa: BLE001 — whatever went wrong, the full path decides and reports
        text = None
    if text is None or isinstance(text, Presync):
        from envhook.prompt.evaluate import export_main  # the full evaluation, only when the cache cannot answer

        return export_main(argv, presync=text)
    return emit.write(text)
