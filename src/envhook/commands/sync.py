"""`envhook sync`: sync now, even when nothing looks stale."""

from __future__ import annotations

from pathlib import Path

from envhook.commands.common import locate
from envhook.decide import trust
from envhook.decide.pipeline import carry_out, exit_status, requested
from envhook.messages import say
from envhook.store import pins
from envhook.store.records import notify


def sync(path: Path | None, force: bool, reset: bool = False) -> int:
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
    outcome = carry_out(project, requested(project, reset))
    notify(project.root)  # open shells look again at their next prompt
    return exit_status(outcome)
