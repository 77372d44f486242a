"""`envhook allow` / `envhook deny`."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.commands.common import locate
from envhook.decide import trust, worktrees
from envhook.messages import clean, say, tilde
from envhook.store import inventory, settings


def allow(path: Path | None, config: Path | None = None, listing: bool = False) -> int:
    if listing:
        if path is not None or config is not None:
            say("`envhook allow --list` lists every project; it takes no PATH or --config", error=True)
            return 2
        return list_trust()
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


def list_trust() -> int:
    """`envhook allow --list`: every path you allowed or denied, the linked
    worktrees that inherit an allow, and your trusted_roots; each says how
    it is trusted, and a path that no longer exists is marked."""
    rows = []
    inherit = not trust.paranoid()  # paranoid mode: each worktree is allowed on its own
    everything = sorted(inventory.kept(), key=lambda k: str(k.root))
    recorded = {k.root for k in everything if k.allowed or k.denied}
    for k in everything:
        if k.root not in recorded:
            continue
        gone = "  (gone: `envhook prune` forgets it)" if k.gone else ""
        rows.append(("allowed" if k.allowed else "denied", tilde(k.root), gone))
        if k.allowed and not k.gone and inherit:
            for w in worktrees.worktrees_of(k.root):
                if w not in recorded:  # one allowed or denied on its own is listed as such
                    rows.append(("worktree", tilde(w), f"  (of {tilde(k.root)}, allowed there)"))
    for root in settings.value("trusted_roots") or ():
        why = trust.unsafe_trusted_root(root)
        note = f"  (trusts nothing: {why})" if why else "  (trusted_roots: every project under it)"
        rows.append(("root", tilde(root), note if os.path.isdir(root) else "  (gone)"))
    if not rows:
        print("nothing allowed or denied yet (`envhook allow` in a project trusts it)")
        return 0
    width = max(len(r[0]) for r in rows)
    for how, path, note in rows:
        print(clean(f"{how.ljust(width)}  {path}{note}"))
    return 0


def prune(dry_run: bool = False) -> int:
    """`envhook prune`: forget what envhook keeps for projects that no
    longer exist (trust, records, pins, choices, journals, caches)."""
    removed = inventory.prune(dry_run)
    verb = "would forget" if dry_run else "forgot"
    for root, held in removed:
        say(f"{verb} {root} ({', '.join(held) or 'caches only'})")
    if not removed:
        say("nothing to forget: every project envhook keeps state for still exists")
    return 0
