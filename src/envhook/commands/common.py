from __future__ import annotations

import os
from pathlib import Path

from envhook.decide.project import Project, ProjectError, current_dir, find_project
from envhook.messages import say


def locate(path: Path | None, *, quiet: bool = False) -> Project | None:
    """The project at PATH (default: the cwd), or None after saying why."""
    start = Path(os.path.abspath(path)) if path is not None else current_dir()
    try:
        project = find_project(start)
    except ProjectError as e:
        say(str(e), error=True)
        return None
    if project is None and not quiet:
        say(f"no pyproject.toml or requirements.txt at or above {start}", error=True)
    return project
