"""`envhook allow` / `envhook deny`."""

from __future__ import annotations

from pathlib import Path

from envhook.commands.common import locate
from envhook.messages import say
from envhook.store import trust


def allow(path: Path | None) -> int:
    project = locate(path)
    if project is None:
        return 1
    changed = trust.allow(project)
    say(f"trusted {project.name} ({project.root}); the next prompt syncs and activates its env")
    if trust.paranoid():
        since = f" ({', '.join(changed)} since the last allow)" if changed else ""
        say(
            f"paranoid mode: this covers the inputs as they are now{since}; "
            "any change to them asks for `envhook allow` again"
        )
    return 0


def deny(path: Path | None) -> int:
    project = locate(path)
    if project is None:
        return 1
    stopped = trust.deny(project.root)
    say(f"denied {project.name} ({project.root}); envhook will not sync or activate it")
    if stopped:
        say(f"stopped the sync of {project.name} that was running (pid {stopped})")
    return 0
