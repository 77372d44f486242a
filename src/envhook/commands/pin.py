"""`envhook pin` / `envhook unpin`."""

from __future__ import annotations

from pathlib import Path

from envhook import pins, venv
from envhook.commands.common import locate
from envhook.messages import say
from envhook.state import SyncRecord, fingerprint


def pin(path: Path | None, note: str | None) -> int:
    project = locate(path)
    if project is None:
        return 1
    pins.pin(project.root, fingerprint(project.inputs, project.root), note)
    say(
        f"pinned {project.name}: the hook will activate {project.env} but never sync it, "
        "and `uv run` leaves it alone (UV_NO_SYNC=1); `envhook unpin` to follow the lock again"
    )
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
    changed = record is not None and record.dists is not None and record.dists != venv.dists(project.env)
    what = "the env differs from its last sync, so the next prompt syncs it" if changed else "the next prompt syncs it if its inputs changed"
    say(f"unpinned {project.name}; {what}")
    return 0
