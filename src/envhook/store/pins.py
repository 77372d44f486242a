"""Pins: "I tinkered with this env; leave it as it is." A pin records when,
why (--note) and what the inputs were, so status can say what changed since.

Two kinds: the whole env (pin.json: never synced), or packages
(packages.json: the env keeps following the lock, and a sync leaves those
packages exactly as they are, installed or absent)."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.store import paths
from envhook.store.records import (
    ensure_project_dir,
    keep_or_forget,
    notify,
    now_iso,
    project_dir,
    read_json,
    write_json,
)


class Pin:
    def __init__(self, since: str, note: str | None, inputs: dict, drift: list | None = None,
                 installed: dict | None = None):
        self.since, self.note, self.inputs = since, note, inputs
        self.drift = drift  # how the env differed from the lock when pinned (Change.to_json), if known
        # What the env held when pinned (venv.installed): a change behind
        # envhook's back (an exact `uv sync` without UV_NO_SYNC) shows against it.
        self.installed = installed

    def to_dict(self) -> dict:
        return {"since": self.since, "note": self.note, "inputs": self.inputs, "drift": self.drift,
                "installed": self.installed}


def load_pin(root: Path) -> Pin | None:
    data = read_json(project_dir(root) / paths.PIN)
    if data is None:
        return None
    inputs = data.get("inputs")
    return Pin(
        since=str(data.get("since", "")),
        note=data.get("note") if isinstance(data.get("note"), str) else None,
        inputs=inputs if isinstance(inputs, dict) else {},
        drift=data.get("drift") if isinstance(data.get("drift"), list) else None,
        installed=data.get("installed") if isinstance(data.get("installed"), dict) else None,
    )


def pin(root: Path, inputs: dict, note: str | None, drift: list | None = None,
        installed: dict | None = None) -> Pin:
    p = Pin(since=now_iso(), note=note, inputs=inputs, drift=drift, installed=installed)
    ensure_project_dir(root)
    write_json(project_dir(root) / paths.PIN, p.to_dict())
    notify(root)
    return p


def unpin(root: Path) -> bool:
    try:
        os.unlink(project_dir(root) / paths.PIN)
    except FileNotFoundError:
        return False
    notify(root)
    return True


# -- package pins ----------------------------------------------------------------------

PACKAGES = paths.PACKAGE_PINS


class PackagePin:
    __slots__ = ("name", "since", "note", "installed")

    def __init__(self, name: str, since: str, note: str | None, installed: str | None):
        self.name, self.since, self.note = name, since, note
        self.installed = installed  # what the env held when pinned (venv.installed value), None: absent

    def to_dict(self) -> dict:
        return {"since": self.since, "note": self.note, "installed": self.installed}


def load_package_pins(root: Path) -> dict[str, PackagePin]:
    data = read_json(project_dir(root) / PACKAGES)
    table = data.get("packages") if data else None
    if not isinstance(table, dict):
        return {}
    out = {}
    for name, d in table.items():
        if isinstance(name, str) and isinstance(d, dict):
            out[name] = PackagePin(name, str(d.get("since", "")),
                                   d.get("note") if isinstance(d.get("note"), str) else None,
                                   d.get("installed") if isinstance(d.get("installed"), str) else None)
    return out


def _save(root: Path, pins: dict[str, PackagePin]) -> None:
    keep_or_forget(root, PACKAGES, {"packages": {n: p.to_dict() for n, p in sorted(pins.items())}} if pins else None)


def pin_packages(root: Path, names: list[str], note: str | None, installed: dict[str, str]) -> list[PackagePin]:
    """Pin `names` (canonical) as the env holds them now; a pinned one is
    pinned again at what it is now."""
    pins = load_package_pins(root)
    since = now_iso()
    added = [PackagePin(n, since, note, installed.get(n)) for n in names]
    pins.update((p.name, p) for p in added)
    _save(root, pins)
    return added


def moved(root: Path, pins: dict[str, PackagePin], installed: dict[str, str]) -> list[PackagePin]:
    """Pins whose package is no longer what it was when pinned (an exact
    `uv add` / `uv sync` by the user reset it); they are re-recorded as they
    are now, so this is said once. Returns them as they were."""
    changed = [p for p in pins.values() if installed.get(p.name) != p.installed]
    if changed:
        for p in changed:
            pins[p.name] = PackagePin(p.name, p.since, p.note, installed.get(p.name))
        _save(root, pins)
    return changed


def unpin_packages(root: Path, names: list[str]) -> list[str]:
    """Release `names`; returns those that were pinned."""
    pins = load_package_pins(root)
    gone = [n for n in names if n in pins]
    for n in gone:
        del pins[n]
    if gone:
        _save(root, pins)
    return gone
