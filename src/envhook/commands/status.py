"""`envhook status`: what envhook knows about a project, and what it will do next."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from envhook.commands.common import locate


def status(path: Path | None, as_json: bool) -> int:
    from envhook.evaluate import NO_PROJECT, assess

    project = locate(path, quiet=True)
    a = assess(project)
    if as_json:
        json.dump(a.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    lines = []
    if project is None:
        lines.append("project: none (no pyproject.toml here or above)")
    else:
        lines.append(f"project: {project.name} ({project.root})")
        lines.append(f"env:     {project.env}")
        lines.append(f"trusted: {'yes' if a.trusted else 'no'}")
        if a.pin is not None:
            note = f" — {a.pin.note}" if a.pin.note else ""
            lines.append(f"pinned:  since {a.pin.since}{note}")
        if a.record is not None:
            lines.append(f"last sync: {a.record.status} at {a.record.time}")
    lines.append(f"state:   {a.state}")
    for r in a.reasons:
        lines.append(f"  - {r}")
    active = os.environ.get("VIRTUAL_ENV")
    if project is not None and active:
        lines.append(f"active:  {active}")
    lines.append(f"next:    {a.next}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if a.state != NO_PROJECT or path is None else 1
