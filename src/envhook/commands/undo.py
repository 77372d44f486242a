"""`envhook undo` and `envhook restore N`: the env as a generation of its
history had it (decide/restore.py does it; `envhook log` lists them)."""

from __future__ import annotations

from pathlib import Path

from envhook.commands.common import locate
from envhook.decide.restore import restore


def undo(path: Path | None) -> int:
    project = locate(path)
    return 1 if project is None else restore(project, None)


def restore_to(generation: int, path: Path | None) -> int:
    project = locate(path)
    return 1 if project is None else restore(project, generation)
