"""What a virtual environment on disk looks like, whatever tool made it."""

from __future__ import annotations

import os
from pathlib import Path


def missing_reason(env: Path) -> str | None:
    """None when the env is usable; otherwise why it counts as missing."""
    if not env.is_dir():
        return "env does not exist"
    if not (env / "pyvenv.cfg").is_file():
        return "env has no pyvenv.cfg"
    if not os.path.exists(env / "bin" / "python"):
        return "env's interpreter is gone"
    return None


def site_packages(env: Path) -> Path | None:
    found = sorted((env / "lib").glob("python*/site-packages"))
    return found[0] if found else None


def dists(env: Path) -> list[str]:
    """Installed distributions as their .dist-info names (name-version)."""
    sp = site_packages(env)
    if sp is None:
        return []
    try:
        return sorted(e.name[: -len(".dist-info")] for e in os.scandir(sp) if e.name.endswith(".dist-info"))
    except OSError:
        return []


def prompt(env: Path) -> str:
    """The prompt name that bin/activate would export as VIRTUAL_ENV_PROMPT."""
    try:
        text = (env / "pyvenv.cfg").read_text(errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "prompt":
            return value.strip()
    return ""


def watched(env: Path) -> list[Path]:
    """Paths whose mtime moves when the env is recreated, deleted or changed."""
    paths = [env, env / "pyvenv.cfg", env / "bin" / "python"]
    sp = site_packages(env)
    if sp is not None:
        paths.append(sp)
    return paths
