"""What envhook keeps, project by project (issue 33): for `envhook allow
--list`, which shows what you trust, and `envhook prune`, which forgets
the projects that no longer exist, as direnv's `prune` does.

Each project's state dir (projects/<key>/) names its project in its
`path` file; the decision caches (dirs/<key>) name theirs inside; stamps
(stamps/<session>-<key>…) carry the project's key."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from envhook.store import paths
from envhook.store.records import state_dir


class Kept:
    """One project's state dir: its root as recorded, and what is there."""

    def __init__(self, key: str, directory: Path, root: Path | None):
        self.key, self.directory, self.root = key, directory, root

    @property
    def allowed(self) -> bool:
        return (self.directory / paths.ALLOW).is_file()

    @property
    def denied(self) -> bool:
        return (self.directory / paths.DENY).is_file()

    @property
    def gone(self) -> bool:
        return self.root is None or not self.root.is_dir()

    def holds(self) -> list[str]:
        """What is kept for it, in words."""
        names = {
            paths.ALLOW: "allowed", paths.DENY: "denied", paths.SYNC_RECORD: "sync record", paths.PIN: "pin",
            paths.PACKAGE_PINS: "package pins", paths.CHOICES: "choices", "journal.json": "journal",
        }
        return [word for name, word in names.items() if (self.directory / name).exists()]


def kept() -> list[Kept]:
    """Every project envhook keeps state for, by its recorded root. A state
    dir that fails the ownership rule is not read (paths.read_state)."""
    base = state_dir() / "projects"
    out = []
    try:
        entries = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return []
    for e in entries:
        if not e.is_dir(follow_symlinks=False):
            continue
        try:
            text = paths.read_state(os.path.join(e.path, "path")).decode("utf-8", "surrogateescape").strip()
        except OSError:
            text = ""
        root = Path(text) if text and os.path.isabs(text) else None
        out.append(Kept(e.name, Path(e.path), root))
    return out


def prune(dry_run: bool = False) -> list[tuple[str, list[str]]]:
    """Forget the projects that no longer exist: their state dirs (records,
    trust, pins, choices, journals, envhook's compiled locks), stamps and
    decision caches. Returns (the root, or the dir when none is recorded;
    what was kept) for each."""
    state = state_dir()
    gone = [k for k in kept() if k.gone]
    removed = []
    for k in gone:
        removed.append((str(k.root) if k.root else str(k.directory), k.holds()))
        if dry_run:
            continue
        shutil.rmtree(k.directory, ignore_errors=True)
        _remove_matching(state / "stamps", lambda name, key=k.key: name.split("-", 1)[-1].startswith(key))
    if not dry_run:
        _remove_matching(state / "dirs", lambda name: _cache_is_gone(state / "dirs" / name))
    return removed


def _cache_is_gone(path: Path) -> bool:
    """A decision cache whose project no longer exists (its root is its third field)."""
    try:
        fields = paths.read_state(str(path)).split(b"\0", 3)
    except OSError:
        return False
    return len(fields) > 2 and not os.path.isdir(os.fsdecode(fields[2]))


def _remove_matching(directory: Path, match) -> None:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for e in entries:
        if e.is_file(follow_symlinks=False) and match(e.name):
            try:
                os.unlink(e.path)
            except OSError:
                pass
