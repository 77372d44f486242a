"""`envhook pin` / `envhook unpin`: what is frozen, and what unfreezing will change."""

from __future__ import annotations

from pathlib import Path

from envhook import pins, trust, venv
from envhook.commands.common import locate
from envhook.messages import say
from envhook.state import SyncRecord, fingerprint


def _lock_drift(project):
    """uv's answer for a trusted project whose env exists; None otherwise
    (uv is never run for a project nobody trusted)."""
    from envhook.drift import lock_drift

    if not trust.is_trusted(project.root) or venv.missing_reason(project.env):
        return None
    return lock_drift(project)


def pin(path: Path | None, note: str | None) -> int:
    project = locate(path)
    if project is None:
        return 1
    drift = _lock_drift(project)
    known = drift is not None and drift.changes is not None
    pins.pin(project.root, fingerprint(project.inputs, project.root), note,
             [c.to_json() for c in drift.changes] if known else None)
    also = ", and `uv run` leaves it alone (UV_NO_SYNC=1)" if project.backend == "uv" else ""
    say(
        f"pinned {project.name}: the hook will activate {project.env} but never sync it"
        f"{also}; `envhook unpin` to follow the lock again"
    )
    if known and drift.changes:
        say("keeping these differences from the lock:")
        for c in drift.changes:
            say(f"  {c.against_lock()}")
    elif known:
        say("the env matches the lock as it is now")
    elif drift is not None:
        say(f"cannot tell how the env differs from the lock ({drift.error})")
    return 0


def unpin(path: Path | None) -> int:
    project = locate(path)
    if project is None:
        return 1
    record = SyncRecord.load(project.root)
    if not pins.unpin(project.root):
        say(f"{project.name} was not pinned")
        return 0
    # Unpinning is consent to reset: hand-made changes made while pinned are
    # synced away at the next prompt, even if the inputs did not change.
    if record is not None:
        record.reset_on_drift = True
        record.save(project.root)
    drift = _lock_drift(project)
    if drift is None or drift.changes is None:
        why = f" ({drift.error})" if drift is not None and drift.error else ""
        say(f"unpinned {project.name}; the next prompt syncs it to the lock if needed{why}")
    elif drift.changes or drift.outdated or drift.replace:
        from envhook.drift import text

        what = text(drift.changes, "reverse") if drift.changes else "no package changes"
        from envhook.backends import backend_for

        extra = f"; {backend_for(project).lock_description(project)} is updated first" if drift.outdated else ""
        extra += "; the env is recreated for another Python" if drift.replace else ""
        say(f"unpinned {project.name}; the next prompt syncs it to the lock: {what}{extra}")
    else:
        say(f"unpinned {project.name}; the env already matches the lock")
    return 0
