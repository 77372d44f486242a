"""The one place that decides what state a project's env is in and what the
hook will do about it. It only reads; `export` and `status` both call it."""

from __future__ import annotations

import os
from pathlib import Path

from envhook import trust, venv
from envhook.pins import Pin, load_pin
from envhook.project import Project
from envhook.state import (
    SYNC_FAILED,
    SYNC_INTERRUPTED,
    SYNC_RUNNING,
    SyncRecord,
    describe_changes,
    file_digest,
    fingerprint,
)

NO_PROJECT, UNTRUSTED, MISSING, STALE, IN_SYNC, PINNED, FAILED = (
    "no-project", "untrusted", "missing", "stale", "in-sync", "pinned", "failed",
)


class Assessment:
    def __init__(self, project: Project | None, state: str, reasons: list[str] | None = None, *,
                 trusted: bool = False, denied: bool = False):
        self.project, self.state = project, state
        self.reasons: list[str] = reasons or []
        self.trusted, self.denied = trusted, denied
        self.paranoid = False
        # Paranoid mode, untrusted: what changed since `envhook allow` (the
        # inputs' digests are in `inputs`, so each new content asks again).
        self.trust_changes: list[str] = []
        self.pin: Pin | None = None
        self.record: SyncRecord | None = None
        self.inputs: dict = {}
        self.missing: str | None = None  # why the env counts as missing, if it does

    @property
    def should_sync(self) -> bool:
        return self.state in (MISSING, STALE)

    @property
    def can_activate(self) -> bool:
        return self.trusted and self.missing is None

    @property
    def next(self) -> str:
        if self.state == NO_PROJECT:
            return "nothing (not inside a project)"
        if self.state == UNTRUSTED:
            if self.trust_changes:
                return "nothing until you review the changes and run `envhook allow` again"
            return "nothing until you run `envhook allow`"
        if self.state == MISSING:
            return "create the env with `uv sync`, then activate it"
        if self.state == STALE:
            return "sync with `uv sync`, then activate the env"
        if self.state == PINNED:
            return "activate the env without syncing it (and export UV_NO_SYNC=1)"
        if self.state == FAILED:
            then = "activate the env as it is; " if self.can_activate else ""
            return then + "no retry until the inputs change (`envhook sync` retries now)"
        return "activate the env"

    def to_json(self) -> dict:
        p = self.project
        return {
            "project": str(p.root) if p else None,
            "name": p.name if p else None,
            "env": str(p.env) if p else None,
            "backend": "uv" if p else None,
            "trusted": self.trusted,
            "paranoid": self.paranoid,
            "pinned": self.pin is not None,
            "pin": {"since": self.pin.since, "note": self.pin.note} if self.pin else None,
            "state": self.state,
            "reasons": self.reasons,
            "next": self.next,
            "last_sync": (
                {"status": self.record.status, "time": self.record.time, "message": self.record.message}
                if self.record
                else None
            ),
        }


def _pid_alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def env_config_digest(env: Path) -> str | None:
    return file_digest(env / "pyvenv.cfg")


def assess(project: Project | None) -> Assessment:
    if project is None:
        return Assessment(None, NO_PROJECT)
    root = project.root
    # Trust first, and nothing of the env is looked at without it: an
    # untrusted project's .venv may be anything its repository committed.
    verdict = trust.verdict(project)
    if not verdict.trusted:
        a = Assessment(project, UNTRUSTED, verdict.reasons, trusted=False, denied=verdict.denied)
        a.paranoid, a.trust_changes, a.inputs = verdict.paranoid, verdict.changes, verdict.inputs
        return a

    a = Assessment(project, IN_SYNC, trusted=True)
    a.paranoid = verdict.paranoid
    a.inputs = verdict.inputs or fingerprint(project.inputs, root)
    a.record = record = SyncRecord.load(root)
    a.pin = load_pin(root)
    a.missing = venv.missing_reason(project.env)

    odd = [p for p in project.inputs if os.path.exists(p) and not os.path.isfile(p)]
    if odd:
        # A FIFO or a directory named uv.lock would hang or fail uv; no sync
        # is started on it, and the state says why.
        a.state = FAILED
        a.reasons = [f"{p.relative_to(root) if p.is_relative_to(root) else p} is not a regular file" for p in odd]
        return a

    if record is not None and record.status == SYNC_RUNNING:
        if _pid_alive(record.pid):
            a.state, a.reasons = STALE, [f"a sync is running (pid {record.pid})"]
            return a
        # Killed mid-sync (kill -9, a closed terminal): nothing says the env is
        # complete, so it is synced again rather than trusted.
        a.state, a.reasons = (MISSING if a.missing else STALE), ["the last sync did not finish"]
        return a

    failed_here = (
        record is not None
        and record.status in (SYNC_FAILED, SYNC_INTERRUPTED)
        and record.inputs == a.inputs
    )
    if failed_here:
        # Retrying on every prompt would print the same error forever; the
        # next change of the inputs (or `envhook sync`) is the retry.
        a.state = FAILED
        a.reasons = [record.message or f"last sync {record.status}"]
        return a

    if a.missing:
        a.state, a.reasons = MISSING, [a.missing]
        return a

    if a.pin is not None:
        a.state = PINNED
        changed = describe_changes(a.pin.inputs, a.inputs)
        a.reasons = [f"{c} since the pin" for c in changed]
        return a

    if record is None:
        a.state, a.reasons = STALE, ["never synced by envhook"]
        return a

    reasons = describe_changes(record.inputs, a.inputs)
    if record.env_cfg is not None and record.env_cfg != env_config_digest(project.env):
        reasons.append("env's pyvenv.cfg changed")
    if record.reset_on_drift and record.dists is not None and record.dists != venv.dists(project.env):
        reasons.append("env was changed by hand while pinned")
    if reasons:
        a.state, a.reasons = STALE, reasons
    return a
