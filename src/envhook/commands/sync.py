"""`envhook sync`: sync now, even when nothing looks stale."""

from __future__ import annotations

from pathlib import Path

from envhook import pins, trust
from envhook.commands.common import locate
from envhook.messages import say
from envhook.state import SYNC_OK, notify


def sync(path: Path | None, force: bool) -> int:
    from envhook.syncing import sync as run_sync

    project = locate(path)
    if project is None:
        return 1
    if not trust.is_trusted(project.root):
        say(f"{project.name} is not trusted; `envhook allow` first", error=True)
        return 1
    if pins.load_pin(project.root) is not None:
        if not force:
            say(f"{project.name} is pinned; `envhook sync --force` resets it to the lock (and unpins it)",
                error=True)
            return 1
        pins.unpin(project.root)
    outcome = run_sync(project, "requested with `envhook sync`")
    notify(project.root)
    return 0 if outcome.status == SYNC_OK else 1
