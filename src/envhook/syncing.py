"""Running a sync and recording its outcome, shared by the hook and `envhook sync`."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

from envhook import venv
from envhook.backends import backend_for
from envhook.backends.base import SyncOutcome
from envhook.evaluate import env_config_digest
from envhook.messages import say
from envhook.project import Project
from envhook.state import (
    SYNC_OK,
    SYNC_RUNNING,
    SyncRecord,
    ensure_project_dir,
    fingerprint,
    now_iso,
)


@contextmanager
def project_lock(project: Project, held: int | None = None):
    """One sync per project at a time: a second shell waits for the first.
    `held` is a lock the hook's entry already took before starting uv.
    Yields whether it had to wait for another sync."""
    fd = held
    waited = False
    if fd is None:
        d = ensure_project_dir(project.root)
        fd = os.open(d / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if held is None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(f"waiting for another sync of {project.name} to finish")
                fcntl.flock(fd, fcntl.LOCK_EX)
                waited = True
        yield waited
    finally:
        os.close(fd)


def record_outcome(project: Project, outcome: SyncOutcome, *, previous: SyncRecord | None = None,
                   keep: tuple[str, ...] = ()) -> SyncRecord:
    env = project.env
    installed = venv.installed(env)
    if keep and previous is not None and previous.installed is not None:
        # Hand-made changes this sync left alone stay hand-made: the baseline
        # keeps what envhook had left there, so they are still told apart
        # (and protected) at the next change of the inputs.
        for name in keep:
            if name in previous.installed:
                installed[name] = previous.installed[name]
            else:
                installed.pop(name, None)
    rec = SyncRecord(
        status=outcome.status,
        inputs=fingerprint(project.inputs, project.root),
        env_cfg=env_config_digest(env),
        installed=installed,
        time=now_iso(),
        message=outcome.message,
        # A sync that did not succeed must not erase the record of the last one that did.
        last_ok=None if outcome.status == SYNC_OK or previous is None else previous.good(),
    )
    rec.save(project.root)
    return rec


def adopt(project: Project) -> SyncRecord:
    """Record the env as in sync without syncing it: it already matches the
    inputs (uv add, uv remove or uv sync changed both), so a sync would only
    repeat uv's work, and a later hand-made change is measured from here."""
    return record_outcome(project, SyncOutcome(SYNC_OK, "the env already matched the lock"))


def sync(project: Project, reason: str, presync=None, *, unless_done: bool = False,
         keep: tuple[str, ...] = ()) -> SyncOutcome:
    """Sync now (the caller decided it should) and record what happened.
    Ctrl-C is caught by the backend and recorded as interrupted. `presync`
    is a sync the hook's entry already started (and announced), lock held.
    `unless_done` (the hook): after waiting for another shell's sync, decide
    again, so two shells entering a stale project run one `uv sync`.
    `keep`: hand-made changes to leave as they are (an `envhook unpin
    PACKAGE` resets that package alone)."""
    with project_lock(project, held=presync.lock_fd if presync else None) as waited:
        if waited and unless_done:
            from envhook.evaluate import assess

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
        ).save(project.root)
        if presync is None:
            from envhook.pins import load_package_pins

            pinned = sorted(load_package_pins(project.root))
            keeping = f"; keeping pinned {', '.join(pinned)}" if pinned else ""
            say(f"syncing {project.name} ({reason}{keeping})")
        if presync is not None:
            keep = ()  # never both: the entry starts no sync while a reset waits for consent
        outcome = backend_for(project).sync(project, reason=reason, started=presync.pid if presync else None,
                                            keep=keep)
        record_outcome(project, outcome, previous=previous, keep=keep)
    if outcome.status != SYNC_OK:
        say(f"{outcome.message or 'sync failed'} — {project.name} is left as it is; `envhook sync` retries",
            error=True)
    return outcome
