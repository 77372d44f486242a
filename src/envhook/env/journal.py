"""The journal of a project's env: each time envhook sees what the env holds
change, a generation — every distribution's name, version and source, when,
and who made it as far as envhook can tell — so that a change made by anyone
(envhook's syncs, uv, another tool, a person) can be seen afterwards
(`envhook log`) and, later, undone.

Stored under the project's state dir (records.project_dir):

    journal.json   {"next": ID, "generations": [{"id", "when", "by", "packages": {NAME: VALUE}}…]}
                   oldest first; VALUE as venv.installed gives it ("1.0",
                   "1.0 @ URL", "1.0 @ URL editable"), URL credentials redacted
    journal.head   the digest of the newest generation's packages: the one
                   read that tells "nothing new" without reading the journal
    journal.lock   held while the journal is read and written, so that
                   several shells seeing one change write one generation

Never read on a quiet prompt: only where envhook already read the env
(assess looked it up, a sync ran). Bounded: at most MAX_GENERATIONS and
MAX_BYTES; the oldest go first, and ids only grow.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from pathlib import Path

from envhook.env.drift import compare, file_path, show, split
from envhook.store import paths
from envhook.store.hashing import hexdigest
from envhook.store.records import atomic_write, ensure_project_dir, now_iso, project_dir, read_json

JOURNAL, HEAD, LOCK = "journal.json", "journal.head", "journal.lock"
MAX_GENERATIONS = 200
MAX_BYTES = 2 * 1024 * 1024

# Who made a generation, as far as envhook can tell.
BY_HAND = "by hand"
BY_OUTSIDE = "outside envhook"  # seen before envhook's own sync: a person or another tool

# scheme://user:secret@host -> scheme://***@host
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def redact(value: str) -> str:
    """A URL's credentials (https://user:token@host/…) never reach the journal or the screen."""
    return _CREDENTIALS.sub("***@", value)


def _clean(installed: dict[str, str]) -> dict[str, str]:
    # Only a value with a URL can hold credentials: most are a bare version.
    return {name: redact(value) if "@" in value else value for name, value in sorted(installed.items())}


def _digest(packages: dict[str, str]) -> str:
    return hexdigest(json.dumps(packages, sort_keys=True).encode())[:32]


def inputs_digest(fingerprint: dict) -> str:
    """The inputs in force (records.fingerprint) as one value: a generation
    restored under other inputs is pinned whole (decide/restore.py)."""
    return hexdigest(json.dumps(fingerprint, sort_keys=True).encode())[:32]


def record(root: Path, installed: dict[str, str], by: str, inputs=None,
           hand: tuple[str, ...] | list[str] = ()) -> dict | None:
    """Record INSTALLED (venv.installed) as a new generation made BY, unless
    it is what the newest one holds. INPUTS: inputs_digest() of the inputs
    in force, or a function returning it (called only for a new generation:
    it reads the inputs); HAND: the names that were changes made by hand (or pinned)
    then. The new generation, or None; its "reset" lists (as change_line
    says them) the hand-made changes of the one before that something other
    than envhook undid, "reset_names" their names."""
    packages = _clean(installed)
    digest = _digest(packages)
    head = project_dir(root) / HEAD
    try:
        if paths.read_state(str(head)).decode(errors="replace") == digest:
            return None  # the common case: one small read
    except (OSError, paths.UnsafeState):
        pass
    d = ensure_project_dir(root)
    fd = os.open(d / LOCK, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        journal = _load(root)
        gens = journal["generations"]
        if gens and gens[-1]["packages"] == packages:
            made = None  # another shell recorded it first
        else:
            made = {"id": journal["next"], "when": now_iso(), "by": by, "packages": packages,
                    "inputs": inputs() if callable(inputs) else inputs,
                    "hand": sorted(hand), "reset": []}
            undone = []
            if gens and not by.startswith("envhook"):
                was = set(gens[-1].get("hand") or ())
                undone = [c for c in compare(gens[-1]["packages"], packages) if c.name in was]
                made["reset"] = [change_line(c) for c in undone]
            gens.append(made)
            journal["next"] = made["id"] + 1
            _bound(journal)
            atomic_write(d / JOURNAL, json.dumps(journal, sort_keys=True).encode() + b"\n")
            made = {**made, "reset_names": [c.name for c in undone]}
        atomic_write(head, digest.encode())
        return made
    finally:
        os.close(fd)


def _load(root: Path) -> dict:
    """The journal; an absent, damaged or unsafe one reads as empty (its
    ids go on from what it said, where it said it)."""
    data = read_json(project_dir(root) / JOURNAL) or {}
    gens = [g for g in data.get("generations", []) if isinstance(g, dict) and isinstance(g.get("id"), int)
            and isinstance(g.get("packages"), dict)]
    ids = [g["id"] for g in gens]
    nxt = data.get("next") if isinstance(data.get("next"), int) else 1
    return {"next": max([nxt, *(i + 1 for i in ids)]), "generations": gens}


def _bound(journal: dict) -> None:
    gens = journal["generations"]
    del gens[: max(0, len(gens) - MAX_GENERATIONS)]
    while len(gens) > 1 and len(json.dumps(journal)) > MAX_BYTES:
        del gens[0]


def generations(root: Path) -> list[dict]:
    """Every generation kept, newest first, each with what changed from the
    one before it (None for the oldest kept: nothing to compare with)."""
    gens = _load(root)["generations"]
    out = []
    for i, g in enumerate(gens):
        changes = compare(gens[i - 1]["packages"], g["packages"]) if i else None
        out.append({**g, "changes": changes})
    return out[::-1]


def latest(root: Path) -> dict | None:
    """The newest generation: {"id", "when", "by"}, or None."""
    gens = _load(root)["generations"]
    return {k: gens[-1].get(k) for k in ("id", "when", "by")} if gens else None


def change_line(c) -> str:
    """`+ six 1.17.0`, `pytest 8.3.5 → 9.0.2`, `- blinker 1.8.0` (Change.arrow: compare(old, new) puts the
    older side in "locked"), and `~ mylib 0.3.0 (editable: …)` for a source changed at the same version."""
    if c.locked is not None and c.installed is not None and split(c.locked)[0] == split(c.installed)[0]:
        return f"~ {c.name} {show(c.installed)}"
    return c.arrow()


def source(value: str) -> str:
    """Where a dist came from, as its direct_url.json says: "index" (none),
    "editable PATH", "path PATH" or "url URL"."""
    _, src = split(value)
    if src is None:
        return "index"
    where = file_path(src["url"])
    if where is not None:
        return f"{'editable' if src['editable'] else 'path'} {where}"
    return f"{'editable' if src['editable'] else 'url'} {src['url']}"


def to_json(g: dict) -> dict:
    """A generation as `envhook log --json` lists it."""
    changes = g["changes"] or []
    return {"id": g["id"], "when": g.get("when"), "by": g.get("by"),
            "changes": [{"name": c.name, "before": c.locked and show(c.locked), "after": c.installed and show(c.installed)}
                        for c in changes],
            "packages": [{"name": n, "version": split(v)[0], "source": source(v)} for n, v in g["packages"].items()]}
