"""`envhook allow` / `envhook deny`."""

from __future__ import annotations

from pathlib import Path

from envhook.commands.common import locate
from envhook.decide import trust
from envhook.messages import say


def allow(path: Path | None, config: Path | None = None) -> int:
    project = locate(path)
    if project is None:
        return 1
    if config is not None:
        return _accept_config(project, config)
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


def _accept_config(project, config: Path) -> int:
    """`envhook allow --config FILE`: another user's tool config file, accepted
    for this project as it is now; trust of the project itself is unchanged."""
    import os

    path = Path(os.path.abspath(config))
    if path not in {p for p, _ in trust.foreign_configs(project)}:
        if any(path == p for p in project.inputs):
            say(f"{path} needs no accepting: it is yours or root's, and nobody else can change it", error=True)
        else:
            say(f"{path} is not a tool config file envhook acts on for {project.name}", error=True)
        return 2
    what = trust.accept_config(project, path)
    say(f"accepted {path} ({what}) for {project.name}; any change to it asks again")
    return 0
