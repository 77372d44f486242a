"""Running a sync and recording its outcome, shared by the hook and `envhook sync`."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from envhook.backends import backend_for
from envhook.backends.base import SyncOutcome
from envhook.backends.lockread import own_names
from envhook.decide.assess import assess, env_config_digest, env_identity
from envhook.decide.notices import set_noticed, tinkered_key
from envhook.decide.project import Project
from envhook.env import journal, venv
from envhook.env.drift import compare, text
from envhook.env.requires import conflicts, unmet
from envhook.messages import quiet, say
from envhook.store import paths
from envhook.store.pins import load_package_pins
from envhook.store.records import SYNC_FAILED, SYNC_OK, SYNC_RUNNING, SyncRecord, ensure_project_dir, now_iso


class Busy(Exception):
    """Another sync of the project is running, and this one does not wait:
    `interrupted` when the user stopped the wait with Ctrl-C just now."""

    def __init__(self, interrupted: bool = False):
        super().__init__()
        self.interrupted = interrupted


@contextmanager
def project_lock(project: Project, held: int | None = None, wait: bool = True):
    """One sync per project at a time: a second shell waits for the first
    (Ctrl-C stops waiting: Busy(interrupted=True)); with wait=False it does
    not wait (Busy). `held` is a lock the hook's entry already took before
    starting uv. Yields whether it had to wait for another sync."""
    fd = held
    waited = False
    if fd is None:
        d = ensure_project_dir(project.root)
        fd = os.open(d / paths.LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        if held is None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise Busy() from None
                say(f"waiting for another sync of {project.name} to finish (Ctrl-C stops waiting)")
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except KeyboardInterrupt:
                    raise Busy(interrupted=True) from None
                waited = True
        yield waited
    finally:
        os.close(fd)


def record_outcome(project: Project, outcome: SyncOutcome, *, previous: SyncRecord | None = None,
                   keep: tuple[str, ...] = (), before: dict | None = None, partial: bool = False,
                   hand=()) -> SyncRecord:
    """Record a sync's outcome. `before`: the inputs' digests taken before
    the sync started; the record keeps those (but for the files the tool
    itself writes, uv.lock), so an input edited while the sync ran is still
    a change at the next prompt, and paranoid trust never excuses it.
    `hand`: the hand-made changes the env carried before the sync (Change
    list), kept by a record of a sync that did not succeed."""
    env = project.env
    installed = venv.installed(env)
    unmet = (_unmet(project, installed, keep) if outcome.status == SYNC_OK
             and not backend_for(project).resolves_whole else [])
    if keep and outcome.status == SYNC_OK:
        # Hand-made changes this sync left alone stay hand-made: the baseline
        # gets what the lock wants for them (what envhook would have left),
        # so they are still told apart, and protected, at the next change.
        _as_the_lock_wants(installed, keep, outcome.drift, previous)
    inputs = project.current_inputs()
    if before is not None:
        written = backend_for(project).writes
        inputs = {k: (v if k in written else before.get(k)) for k, v in inputs.items()}
    rec = SyncRecord(
        status=outcome.status,
        inputs=inputs,
        env_cfg=env_config_digest(env),
        env_id=env_identity(env),
        installed=installed,
        time=now_iso(),
        message=outcome.message,
        failure=outcome.failure,
        unmet=unmet,
        # A sync that did not succeed must not erase the record of the last one that did.
        last_ok=None if outcome.status == SYNC_OK or previous is None else previous.good(),
        env=str(env),
        partial=partial,
        hand=None if outcome.status == SYNC_OK or not hand else {c.name: c.installed for c in hand},
    )
    rec.save(project.root)
    return rec


def _unmet(project: Project, installed: dict[str, str], keep: tuple[str, ...]) -> list[str]:
    """What the env's packages require that it lacks, right after a sync
    (as `uv pip check` finds it): a tool that left that behind did not work.
    Requirements on or of pinned and kept packages are the conflicts said
    with the sync, not this."""

    skip = {*keep, *load_package_pins(project.root)}
    try:
        # The project's own packages come from its tree (status._check_requirements says why).
        return [str(u) for u in unmet(project.env, installed, owners_skipped=skip | own_names(project))
                if venv.canonical(u.target) not in skip]
    except Exception:  # noqa: BLE001 — a check, never a reason to lose the record
        return []


def _as_the_lock_wants(installed: dict[str, str], keep: tuple[str, ...], drift, previous) -> None:
    left = {c.name: c for c in drift.changes} if drift is not None and drift.changes is not None else None
    base = previous.baseline() if previous is not None else None
    for name in keep:
        if left is not None:
            if name not in left:
                continue  # the lock now wants what the env has: no longer a hand-made change
            want = left[name].locked
        elif isinstance(base, dict):
            want = base.get(name)  # the lock's answer is unknown: what envhook had left there
        else:
            continue
        if want is None:
            installed.pop(name, None)
        else:
            installed[name] = want


def adopt(project: Project, partial: bool = False) -> SyncRecord:
    """Record the env as in sync without syncing it: it already matches the
    inputs (uv add, uv remove or uv sync changed both), so a sync would only
    repeat uv's work, and a later hand-made change is measured from here.
    `partial`: uv's own workspace commands left it (`uv sync --package M`),
    so it is what a selection of the workspace installs, not a plain sync."""
    message = "uv's own workspace commands left the env so" if partial else "the env already matched the lock"
    return record_outcome(project, SyncOutcome(SYNC_OK, message), partial=partial)


def prepare_env(project: Project) -> str | None:
    """Make sure the sync tool gets a venv or nothing at the env's path;
    returns why the sync must not run, if it must not.

    A directory there that is no working venv (no pyvenv.cfg: an interrupted
    `rm -rf`; or its interpreter gone) is never handed to the tool as it is:
    its bin/python runs as the base interpreter, into which the tool would
    install. If it holds only what a venv holds, it is moved aside under
    the state dir (the newest three are kept) and the tool makes a fresh env;
    anything else there is the user's, and the sync is refused. (Nor is
    the tool ever asked about such a directory: uv caches what it learns of
    the interpreter at a path, and would go on taking a fresh venv there for
    the base.)"""
    env = project.env
    why = venv.not_a_venv(env)
    if why is None:
        return None
    foreign = ["(a symlink)"] if env.is_symlink() else \
        venv.foreign_entries(env) if env.is_dir() else ["(not a directory)"]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return (f"{env} {why} and holds what no venv holds ({shown}); envhook will not sync into it — "
                "move it away, then `envhook sync`")
    dest = ensure_project_dir(project.root) / paths.MOVED_ASIDE / f"{time.strftime('%Y%m%dT%H%M%S')}-{env.name}"
    try:
        paths.make_dirs(str(dest.parent))
        _move(env, dest)
    except OSError as e:
        return f"{env} {why}, and moving it aside to {dest} failed ({e.strerror}); move it away, then " \
               "`envhook sync`"
    gone = _bound_moved_aside(dest.parent)
    also = f" (the oldest set aside, {', '.join(gone)}, removed: envhook keeps {MOVED_ASIDE_KEEP})" if gone else ""
    say(f"{env} {why}, so it is no working venv: moved it aside to {dest}; creating a fresh env{also}")
    return None


MOVED_ASIDE_KEEP = 3  # broken envs kept per project; the oldest goes first


def _bound_moved_aside(where: Path) -> list[str]:
    """The state dir stays bounded: of the envs moved aside (named by when),
    the newest MOVED_ASIDE_KEEP stay. The names removed."""
    import shutil  # only after an env was moved aside

    try:
        names = sorted(e.name for e in os.scandir(where) if e.is_dir(follow_symlinks=False))
    except OSError:
        return []
    gone = names[:-MOVED_ASIDE_KEEP]
    for name in gone:
        shutil.rmtree(where / name, ignore_errors=True)  # never follows a link inside
    return gone


def _move(src, dest) -> None:
    try:
        os.rename(src, dest)
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
        import shutil  # loads bz2 and lzma (~4 ms on the prompt's full path): only for this rare move

        shutil.move(src, dest)  # the state dir is on another filesystem


def sync(project: Project, reason: str, presync=None, *, unless_done: bool = False,
         keep: tuple[str, ...] = (), summary: bool = False, hand=(), wait: bool = True) -> SyncOutcome:
    """Sync now (the caller decided it should) and record what happened.
    Ctrl-C is caught by the backend and recorded as interrupted. `presync`
    is a sync the hook's entry already started (and announced), lock held.
    `unless_done` (the hook): after waiting for another shell's sync, decide
    again, so two shells entering a stale project run one `uv sync`.
    `keep`: hand-made changes to leave as they are. `summary`: also say,
    in one line after it, what the sync moved and kept
    (`hand`: the hand-made changes as the assessment saw them, for that line
    when the lock's answer after the sync is unknown, and for the record of
    a sync that does not succeed). `wait`: for another shell's sync of the
    project to end (else Busy)."""
    import signal  # builds its enums (~0.7 ms): only when a sync runs

    from envhook.backends import spawn  # only when a sync runs

    # `envhook deny` from another shell stops this sync with SIGTERM.
    old_term = signal.signal(signal.SIGTERM, spawn.cancel_on_sigterm)
    try:
        return _sync(project, reason, presync, unless_done, keep, summary, hand, wait)
    finally:
        signal.signal(signal.SIGTERM, old_term)


def _sync(project, reason, presync, unless_done, keep, summary, hand, wait) -> SyncOutcome:
    with project_lock(project, held=presync.lock_fd if presync else None, wait=wait) as waited:
        if waited and unless_done:
            project.relocate()  # the other sync may have learned where the tool put the env
            if not assess(project).should_sync:
                # The other sync did it (or failed, which the caller's own
                # assessment reports): its record stands, nothing to repeat.
                return SyncOutcome(SYNC_OK)
        previous = SyncRecord.load(project.root)
        SyncRecord(
            status=SYNC_RUNNING,
            inputs=previous.inputs if previous else {},
            time=now_iso(),
            pid=os.getpid(),
            last_ok=previous.good() if previous else None,  # kept if this run never finishes
            env=previous.env if previous else None,
        ).save(project.root)
        if presync is None:
            problem = prepare_env(project)
            if problem is not None:
                outcome = SyncOutcome(SYNC_FAILED, problem)
                record_outcome(project, outcome, previous=previous)
                say(problem, error=True)
                return outcome
        before = venv.installed(project.env)
        # As the sync found it, made under the last sync's inputs.
        _journal(project, before, journal.BY_OUTSIDE, tuple(c.name for c in hand or ()),
                 previous.inputs if previous is not None and previous.inputs else None)
        inputs_before = project.current_inputs()
        if presync is None:
            # Before the tool's own output, in every mode: what is running, and
            # why. (keep mode's summary after it says what moved and was kept.)
            pinned = sorted(load_package_pins(project.root))
            keeping = [f"pinned {', '.join(pinned)}"] if pinned else []
            if summary and keep:
                keeping.append(f"your {', '.join(keep)}")
            kept = f"; keeping {' and '.join(keeping)}" if keeping else ""
            say(f"syncing {project.name} ({reason}{kept})")
        if presync is not None:
            keep = ()  # never both: the entry starts no sync while hand-made changes are kept
        backend = backend_for(project)
        outcome = backend.sync(project, reason=reason, started=presync.child if presync else None, keep=keep)
        if outcome.status == SYNC_OK:
            # The tool may have put the env elsewhere than its rule, read
            # from files, foretold (Poetry under the Python it found on
            # PATH): what it says now is recorded with the sync, so that
            # every later look, this process's too, finds that env.
            project.relocate(backend.locate(project))
        rec = record_outcome(project, outcome, previous=previous, keep=keep, before=inputs_before, hand=hand)
        # What the sync left, whatever its outcome (a failed or interrupted
        # one may have changed the env half-way).
        _journal(project, venv.installed(project.env), f"envhook sync ({reason})", keep)
    if outcome.status != SYNC_OK:
        log = (outcome.failure or {}).get("log")
        seen = f" (its output: {log})" if log and quiet() else ""  # quiet: the output went to the log only
        say(f"{outcome.message or 'sync failed'}{seen} — {project.name} is left as it is; `envhook sync` retries",
            error=True)
    elif summary:
        _say_summary(project, reason, before, keep, outcome.drift, hand)
        try:
            # The summary said what was kept: that is the hand-made change notice too.
            set_noticed(project.root, tinkered_key(project.root, rec.time, venv.installed(project.env)))
        except OSError:
            pass
    return outcome


def _journal(project: Project, installed: dict[str, str], by: str, kept: tuple[str, ...] = (),
             inputs: dict | None = None) -> None:
    """KEPT: the hand-made changes the sync left as they were, which stay
    the user's in the generation (a later reset of them is said). INPUTS:
    what the env was made under (default: today's)."""
    if not installed:
        return  # no env (or an empty one): nothing to come back to
    try:
        journal.record(project.root, installed, by,
                       journal.inputs_digest(inputs or project.current_inputs()),
                       [*kept, *load_package_pins(project.root)])
    except OSError:
        pass  # the sync's own outcome stands; the history is short of one generation


def _say_summary(project: Project, reason: str, before: dict[str, str], keep: tuple[str, ...], drift,
                 hand) -> None:
    """`synced demo (uv.lock changed): + six 1.17.0; kept your pytest 8.3.5
    (lock: 9.0.2)`, then, if the lock's packages no longer accept a kept one,
    which and why."""

    after = venv.installed(project.env)
    leave = {*keep, *load_package_pins(project.root)}
    moved = [c for c in compare(before, after) if c.name not in leave]
    if drift is not None and drift.changes is not None:
        kept = [c for c in drift.changes if c.name in keep]
    else:
        kept = [c for c in hand if c.name in keep]
    parts = [text(moved, limit=6) if moved else "nothing to change"]
    if kept:
        parts.append(f"kept your {text(kept, 'kept', limit=6)}")
    say(f"synced {project.name} ({reason}): {'; '.join(parts)}")
    if not kept:
        return

    try:
        found = conflicts(project.env, {c.name: None for c in kept}, after, own_names(project), label="kept")
    except Exception:  # noqa: BLE001 — a report, never a reason to fail the prompt
        return
    if found:
        say(f"{project.name} synced; {'; '.join(found)} — `envhook sync` follows the lock")
