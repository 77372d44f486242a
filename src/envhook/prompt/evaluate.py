"""The full evaluation behind `envhook export SHELL`, for when the decision
cache (hookcache) cannot answer: something the last decision read has moved.

It decides (evaluate.assess), syncs if needed, says what needs saying once
per shell, prints the state the shell keeps (emit), and caches a quiet
decision for the next shell. It never raises: a traceback at every prompt is
the one thing a hook must not do.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# Only the full evaluation imports this module (the cached path never does),
# and it needs all of these; what stays inside functions is marked why.
from envhook.backends import backend_for
from envhook.backends.base import SyncOutcome
from envhook.decide import notices, worktrees
from envhook.decide.assess import DISABLED, IN_SYNC, PINNED, STALE, TINKERED, UNTRUSTED, assess, remember
from envhook.decide.pipeline import carry_out, planned, settle
from envhook.decide.project import ProjectError, find_project
from envhook.decide.syncing import Busy
from envhook.env import selection, venv
from envhook.env.activation import Activation, foreign_venv
from envhook.messages import say
from envhook.prompt import emit, hookcache
from envhook.prompt.hookcache import cache_file, session
from envhook.prompt.shells import get_shell
from envhook.store import paths, settings
from envhook.store.records import SYNC_INTERRUPTED, atomic_write, project_dir
from envhook.store.settings import config_file


def _decision_deps(project, state_project_dir: Path) -> list[str]:
    """Every file whose content the decision read, present or not."""
    deps = [str(d / name) for d in (project.nearest, *project.nearest.parents)
            for name in ("pyproject.toml", "requirements.txt")]
    # A new member directory shows in its parent's mtime, and a new member
    # of a workspace with none yet in the mtime of where its glob points.
    deps += sorted({*(str(m.parent) for m in project.members), *(str(d) for d in project.member_dirs)})
    deps += [str(p) for p in project.inputs]
    deps += [str(p) for p in backend_for(project).settings_files(project)]
    deps += [str(p) for p in venv.watched(project.env)]
    deps += [str(state_project_dir / n) for n in (paths.ALLOW, paths.DENY, paths.PIN, paths.PACKAGE_PINS,
                                                  paths.CHOICES, paths.SYNC_RECORD, paths.NOTIFY)]

    # A linked git worktree's trust is its main checkout's (decide/worktrees.py).
    deps += [str(p) for p in worktrees.files(project.root)]
    main, _ = worktrees.main_checkout(project.root)
    if main is not None:
        deps += [str(project_dir(main) / n) for n in (paths.ALLOW, paths.DENY)]
    deps.append(config_file())  # trusted_roots, disabled_paths & co. decide too
    return list(dict.fromkeys(deps))


def shell_watches(project, notify: Path) -> tuple[list[str], list[str], list[str]]:
    """What the prompt's builtin check looks at, as few paths as can see every
    change: one [[ -nt ]] each for `watch`, [[ -e ]] for the rest.

    A directory's mtime moves when an entry is created, deleted or renamed in
    it, so watching the root sees a new .python-version, a deleted .venv or a
    lock written by rename; the files themselves are watched for edits in
    place. Only an interpreter deleted elsewhere (pyenv uninstall) shows in no
    mtime of ours: bin/python must still resolve (`present`)."""
    env = project.env

    watch = [project.root, *(p for p in (*project.inputs, *backend_for(project).settings_files(project))
                             if p.exists())]
    for m in project.members:
        watch += [m, m.parent]
    watch += project.member_dirs
    if env.is_dir():
        watch += [env, env / "pyvenv.cfg", venv.site_packages(env)]
    watch.append(env.parent)  # the env created, deleted or moved
    present = [env / "bin" / "python"] if os.path.exists(env / "bin" / "python") else []
    # An input that does not exist yet where no watched directory would show
    # it coming (a parent's uv.toml, the user's uv.toml): tested for existence.
    seen_dirs = {project.root, *project.members}
    absent = [p for p in project.inputs if not os.path.lexists(p) and p.parent not in seen_dirs]

    # A setting changed (`envhook config set`) is seen at the next prompt.
    for p in (notify, Path(config_file())):
        (watch if p.exists() else absent).append(p)
    existing = [str(p) for p in dict.fromkeys(watch) if p is not None and os.path.lexists(p)]
    return existing, [str(p) for p in absent], [str(p) for p in present]


def _start_stamp(told: notices.Told, state: str, stamp: str) -> int:
    """paths.start_stamp, except that a state dir envhook cannot write
    (read-only, full, a file where a directory belongs) costs one line, not
    the activation. The stamp is among the paths the shell requires present,
    so without it the next prompt looks again instead of going blind."""
    try:
        return paths.start_stamp(stamp)
    except OSError as e:
        if os.access(state, os.W_OK):  # false for a read-only mount, even for root
            text = f"cannot write {stamp} ({e.strerror}); every prompt starts Python until that is fixed"
        else:
            told.blocked = True
            text = (f"cannot write under {state} ({e.strerror}); until that is fixed nothing is allowed, "
                    "synced or recorded, and only envs already synced are activated")
        told.once(notices.KEY_STATE_DIR + notices.digest(state, e.errno), text, error=True)
        return time.time_ns()


def export(shell_name: str, presync=None) -> str:
    """find → assess → act on the state → say → emit → cache."""
    sh = get_shell(shell_name)
    told = notices.Told(os.environ.get("_ENVHOOK_TOLD", ""))
    cwd = paths.current_dir()
    nearest = paths.nearest_project_dir(cwd)
    if nearest is None:
        return emit.leave(sh, told.value())
    state = paths.state_dir()
    cache = cache_file(state, nearest)
    try:
        project = find_project(Path(cwd))
    except ProjectError as e:
        return _broken(sh, told, e, state, cache, cwd, nearest, presync)

    look = Look(told, state, project)
    _told_before(look)
    a = look.assess()
    for error in a.settings_errors:
        told.once(notices.KEY_SETTING + notices.digest(error), error, error=True)
    if presync is None and not told.blocked:
        a = settle(a, look.assess)
    if a.pins_moved and not told.blocked:
        notices.say_pins_moved(project, a)
    busy = False
    if a.state == UNTRUSTED:
        notices.say_untrusted(told, project, a)
    elif a.should_sync or presync is not None:
        a, busy = _sync(look, a, presync, cwd)
    notices.say_state(told, project, a)
    act = a.activation()
    notices.say_foreign(told, project, act, foreign_venv(os.environ))
    text, watch, absent, present = _remember(sh, look, act, cwd, nearest, busy)
    _cache(cache, look, a, act, watch, absent, present)
    if look.interrupted:
        _told_for_next(look)
    return text


class Look:
    """One look at the project, taken again after anything envhook changed:
    the stamp first, then the signatures of what the decision reads, then the
    decision. Whatever changes after a read is newer than both, so neither
    the shell nor the decision cache misses it."""

    def __init__(self, told: notices.Told, state: str, project):
        self.told, self.state, self.project = told, state, project
        self.root = str(project.root)
        self.stamp = paths.stamp_path(state, session(), self.root)
        self.pdir = project_dir(project.root)
        self.interrupted = False  # Ctrl-C stopped a sync or a wait: see _told_for_next

    def assess(self):
        self.stamp_time = _start_stamp(self.told, self.state, self.stamp)
        # Listed again each time: a sync that created the env created its
        # site-packages too, which the next decision must watch (without it,
        # a later `uv add` looked like a lock change alone and was synced).
        self.deps = _decision_deps(self.project, self.pdir)
        self.sigs = hookcache.observe(self.deps, self.stamp_time)
        a = assess(self.project)
        remember(a)
        return a


def _broken(sh, told: notices.Told, e, state: str, cache: str, cwd: str, nearest: str, presync) -> str:
    """An input that cannot be read: keep whatever is active and watch the
    broken file, so the user is told once and the next edit is noticed."""
    told.once(notices.KEY_BROKEN + notices.digest(str(e)), f"{e}; fix it to let envhook sync", error=True)
    if presync is not None:
        # uv was started before the file broke (or by a race with the edit):
        # let it end here rather than behind the prompt; nothing is recorded.
        _end_presync(presync)
    hookcache.remove(cache)
    root = str(e.path.parent)
    stamp = paths.stamp_path(state, session(), root)
    t = _start_stamp(told, state, stamp)
    nosync, _, active = os.environ.get("_ENVHOOK_ACTIVE", "").partition(":")
    act = Activation(active, venv.prompt(Path(active)) if active else "", nosync == "1", "failed")
    marks = paths.stamp_future(stamp, [str(e.path)])
    notices.say_future(told, root, marks, state)
    text = emit.remember(
        sh, root=root, cwd=cwd, known=sorted({nearest, root}), watch=[str(e.path)], absent=[], present=[stamp],
        stamp=stamp, act=act, told=told.value(), marks=marks,
    )
    paths.finish_stamp(stamp, t)
    return text


def _end_presync(presync) -> None:
    _end_presync_child(presync)
    os.close(presync.lock_fd)


def _end_presync_child(presync) -> None:
    from envhook.backends.uv import finish_sync  # a uv project's; others never load backends.uv

    finish_sync(presync.child)


def _sync(look: Look, a, presync, cwd: str):
    """Sync (or finish the sync the entry started), then look again.
    Returns the new assessment, and whether another shell's sync holds the
    project (this shell then looks again at each prompt, without waiting)."""
    project, told, root = look.project, look.told, look.root
    keeps_hand_made = a.keeps_hand_made and presync is None
    changed_before = a.reasons
    if presync is not None and presync.root != root:
        # The entry started uv for what the cache called the project; the
        # pyproject files now say otherwise. Let that run end, then decide.
        _end_presync(presync)
        presync = None
    plan = planned(a)
    if presync is not None:
        plan.reason = presync.reason  # the entry announced it with its own reason
    outcome = _carry_out(look, plan, presync, notices.digest(root, a.inputs, cwd))
    # Everything the sync wrote happened before this look's stamp, so none of
    # it wakes the next prompt; anything after it does.
    a = look.assess()
    if outcome.status == "busy":
        return a, True  # the other shell's sync says how it went
    if outcome.status != "ok":
        # The sync just said why it failed; the reminder is for later prompts.
        # Keyed by the inputs as they are now: uv may have written the lock
        # before it failed or was interrupted.
        told.keys.add(notices.KEY_FAILED + notices.digest(root, a.inputs))
        look.interrupted = outcome.status == SYNC_INTERRUPTED
        return a, False
    if a.package_pins:
        notices.say_conflicts(project, a)
    if keeps_hand_made:
        # The summary line just said what was kept: that is the notice.
        notices.say_hand_made(told, project, a, said=True)
        notices.say_no_sync_once(project, changed_before)
    return a, False


def _carry_out(look: Look, plan, presync, token: str) -> SyncOutcome:
    """The prompt's sync: the outcome, never an exception about the state dir
    or another shell's sync (`busy`)."""
    project, told, state = look.project, look.told, look.state
    # A wait for another shell's sync that Ctrl-C stopped here is not waited
    # again until a cd or an input change. Remembered in a file: bash,
    # interrupted too, drops what this process prints, and runs the hook
    # again at once.
    no_wait = look.stamp + ".nowait"
    try:
        return carry_out(project, plan, presync, unless_done=True, wait=_read_small(no_wait) != token)
    except Busy as e:
        if e.interrupted:
            look.interrupted = True
            try:
                atomic_write(Path(no_wait), token.encode())
            except OSError:
                pass
            say(f"stopped waiting for the other sync of {project.name}; this shell waits again after a cd "
                "or a change of its inputs")
        return SyncOutcome("busy")
    except (ChildProcessError, ProcessLookupError):
        raise  # not about the state dir
    except OSError as e:
        # The state dir cannot take the lock or the record (read-only, full):
        # a sync that cannot be recorded would be redone at every prompt, so
        # uv is not started (the "running" record is written first), or its
        # outcome is lost and the record says the sync did not finish.
        # Activate what is there and say so once.
        if presync is not None:
            try:
                _end_presync_child(presync)  # never leave uv running behind the prompt
            except ChildProcessError:
                pass  # it ran and was waited for; only its record failed
        told.once(notices.KEY_STATE_DIR + notices.digest(state, e.errno),
                  f"cannot record a sync of {project.name} under {state} ({e.strerror}); "
                  "not syncing until that is fixed")
        return SyncOutcome("failed")


def _remember(sh, look: Look, act: Activation, cwd: str, nearest: str, busy: bool):
    """The shell's assignments: the project's slot and what its prompt watches."""
    project = look.project
    watch, absent, present = shell_watches(project, look.pdir / paths.NOTIFY)
    watch = list(dict.fromkeys([*watch, *paths.symlink_parents(cwd)]))
    if busy:
        absent.append("/")  # always "created": look again at the next prompt, without waiting
    marks = paths.stamp_future(look.stamp, watch, hookcache.mtimes(look.sigs))
    notices.say_future(look.told, look.root, marks, look.state)
    text = emit.remember(
        sh, root=look.root, cwd=cwd, known=sorted({nearest, *project.aliases}), watch=watch, absent=absent,
        present=[*present, look.stamp],  # a stamp deleted or never written: look again
        stamp=look.stamp, act=act, told=look.told.value(), marks=marks,
    )
    paths.finish_stamp(look.stamp, look.stamp_time)
    return text, watch, absent, present


def _cache(cache: str, look: Look, a, act: Activation, watch: list[str], absent: list[str],
           present: list[str]) -> None:
    """A decision that a new shell would reach in silence can be replayed from
    signatures; one that says something (untrusted, failed, pinned with news)
    is said once per shell, so it always goes through the full evaluation.
    With notify = "always", each new shell says what was changed by hand."""
    project = look.project
    hand_news = a.state == TINKERED or (a.state == STALE and a.kept_whole)
    quiet = (a.state in (IN_SYNC, DISABLED) or (hand_news and settings.value("notify") != "always")
             or (a.state == PINNED and not a.reasons))
    if not quiet:
        hookcache.remove(cache)
        return
    decision = hookcache.Decision(
        look.root, project.name, act, list(project.aliases), watch, absent, present, look.sigs,
        # Where the env is, and (uv) the user's own selection variables:
        # another value of one, and the fast path does not replay this.
        hookcache.location([*backend_for(project).location_vars,
                            *(selection.UV_VARS if project.backend == "uv" else ())], os.environ),
        {str(project.root / rel): dg for rel, dg in a.inputs.items()},
        # The entry's early `uv sync` is plain: a project that asks for more
        # (env.selection: groups, extras…) is not marked "uv" for it.
        project.backend if project.selection.empty else project.backend + "+",
    )
    try:
        hookcache.write(cache, decision)
    except OSError:
        pass  # no cache: the next shell decides from scratch, nothing is lost


def _told_for_next(look: Look) -> None:
    """Ctrl-C stopped a sync (or a wait for one): bash, zsh and fish, which
    got the Ctrl-C too, drop what this run prints, and ask again at once
    (their _envhook_export). What it said is kept here for that run, so the
    reminder of the failure is not said right after the failure itself."""
    try:
        atomic_write(Path(look.stamp + ".told"), look.told.value().encode())
    except OSError:
        pass  # said again once: nothing worse


def _told_before(look: Look) -> None:
    """The keys a run stopped by Ctrl-C left for this one (_told_for_next)."""
    path = look.stamp + ".told"
    said = _read_small(path)
    if said:
        look.told.keys.update(said.split())
        try:
            os.unlink(path)
        except OSError:
            pass


def _read_small(path: str) -> str:
    try:
        return paths.read_state(path).decode(errors="replace")
    except OSError:
        return ""


def _told_only(shell_name: str, told: notices.Told) -> str:
    try:
        sh = get_shell(shell_name)
    except ValueError:
        return ""
    return sh.script([sh.assign("_envhook_told", told.value())])


def export_main(argv: list[str], presync=None) -> int:
    shell_name = argv[0] if argv else ""
    try:
        text = export(shell_name, presync)
    except KeyboardInterrupt:
        # Ctrl-C outside a sync: print nothing. Not 0: the stamp may have moved
        # already, and a non-zero exit makes the shell look again at its next
        # prompt instead of calling the change seen.
        return 130
    except Exception as e:  # noqa: BLE001 — the prompt must get one line, never a traceback
        told = notices.Told(os.environ.get("_ENVHOOK_TOLD", ""))
        # Keyed without an OSError's file name, which can differ at every call
        # (a temporary file's): the same failure must be said once, not per prompt.
        key = (type(e).__name__, e.errno, e.strerror) if isinstance(e, OSError) else (type(e).__name__, str(e))
        told.once(notices.KEY_ERROR + notices.digest(*key), f"error: {e} ({type(e).__name__}); `envhook status` shows more",
                  error=True)
        text = _told_only(shell_name, told)
    return emit.write(text)
