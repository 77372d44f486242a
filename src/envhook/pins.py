"""Pins: "I tinkered with this env; leave it as it is." A pin records when,
why (--note) and what the inputs were, so status can say what changed since."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.state import notify, now_iso, project_dir, read_json, write_json, ensure_project_dir


class Pin:
    def __init__(self, since: str, note: str | None, inputs: dict, drift: list | None = None):
        self.since, self.note, self.inputs = since, note, inputs
        self.drift = drift  # how the env differed from the lock when pinned (Change.to_json), if known

    def to_dict(self) -> dict:
        return {"since": self.since, "note": self.note, "inputs": self.inputs, "drift": self.drift}


def load_pin(root: Path) -> Pin | None:
    data = read_json(project_dir(root) / "pin.json")
    if data is None:
        return None
    inputs = data.get("inputs")
    return Pin(
        since=str(data.get("since", "")),
        note=data.get("note") if isinstance(data.get("note"), str) else None,
        inputs=inputs if isinstance(inputs, dict) else {},
        drift=data.get("drift") if isinstance(data.get("drift"), list) else None,
    )


def pin(root: Path, inputs: dict, note: str | None, drift: list | None = None) -> Pin:
    p = Pin(since=now_iso(), note=note, inputs=inputs, drift=drift)
    ensure_project_dir(root)
    write_json(project_dir(root) / "pin.json", p.to_dict())
    notify(root)
    return p


def unpin(root: Path) -> bool:
    try:
        os.unlink(project_dir(root) / "pin.json")
    except FileNotFoundError:
        return False
    notify(root)
    return True
