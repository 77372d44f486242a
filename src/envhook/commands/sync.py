"""`envhook sync`: sync now, even when nothing looks stale."""

from __future__ import annotations

from pathlib import Path

from envhook.backends import backend_for
from envhook.commands.common import locate
from envhook.decide import trust
from envhook.decide.assess import assess
from envhook.decide.syncing import sync as run_sync
from envhook.messages import say
from envhook.store import pins, settings
from envhook.store.records import SYNC_OK, notify


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
    keep, hand = _kept(project) if not reset else ((), ())
    outcome = run_sync(project, "requested with `envhook sync`", keep=keep, summary=bool(keep), hand=hand)
    notify(project.root)
    return 0 if outcome.status == SYNC_OK else 1


def _kept(project) -> tuple[tuple[str, ...], list]:
    """Under sync = "missing", `envhook sync` is how input changes come in,
    so it follows `tinkered` as the hook would: "keep" leaves the hand-made
    changes as they are (where the tool can sync all but some packages).
    Otherwise, and with --reset, it is consent to reset them."""

    a = assess(project)
    if not (a.sync_missing and a.hand and backend_for(project).package_pins):
        return (), ()
    if settings.value("tinkered") != settings.TINKERED_KEEP:
        return (), ()
    return tuple(c.name for c in a.hand), a.hand
