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
    `held` is a lock the hook's entry already took before starting uv."""
    fd = held
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
        yield
    finally:
        os.close(fd)


def record_outcome(project: Project, outcome: SyncOutcome, *, previous: SyncRecord | None = None) -> SyncRecord:
    env = project.env
    rec = SyncRecord(
        status=outcome.status,
        inputs=fingerprint(project.inputs, project.root),
        env_cfg=env_config_digest(env),
        dists=venv.dists(env),
        time=now_iso(),
        message=outcome.message,
    )
    rec.save(project.root)
    return rec


def sync(project: Project, reason: str, presync=None) -> SyncOutcome:
    """Sync now (the caller decided it should) and record what happened.
    Ctrl-C is caught by the backend and recorded as interrupted. `presync`
    is a sync the hook's entry already started (and announced), lock held."""
    with project_lock(project, held=presync.lock_fd if presync else None):
        previous = SyncRecord.load(project.root)
        SyncRecord(
            status=SYNC_RUNNING,
            inputs=previous.inputs if previous else {},
            time=now_iso(),
            pid=os.getpid(),
        ).save(project.root)
        if presync is None:
            say(f"syncing {project.name} ({reason})")
        outcome = backend_for(project).sync(project, reason=reason, started=presync.pid if presync else None)
        record_outcome(project, outcome, previous=previous)
    if outcome.status != SYNC_OK:
        say(f"{outcome.message or 'sync failed'} — {project.name} is left as it is; `envhook sync` retries")
    return outcome
