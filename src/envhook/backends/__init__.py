"""Sync tools, and which one a project uses.

Detection, first match wins (README, "Backends"):
1. `[tool.envhook] backend = "uv" | "poetry" | "pdm" | "pip"` in pyproject.toml;
2. a lock file at the root: uv.lock, poetry.lock, pdm.lock, in that order
   (with two, status says which one won and how to choose the other);
3. the tool's own table: [tool.uv], [tool.poetry], [tool.pdm]; or Poetry's
   build backend (`poetry new` of Poetry 2 writes no [tool.poetry] table);
4. requirements files at the root (requirements.txt, requirements-dev.txt,
   requirements*.lock): pip;
5. a pyproject.toml and nothing else: pip (`pip install -e .`, with uv's
   pip when uv is there). Not uv: `uv sync` would write a uv.lock into a
   repository that does not use uv; `uv lock` or `uv add` make it uv's.

Imports stay lazy: the hook's entry starts `uv sync` through backends.uv
before anything heavy is loaded, and a uv project never loads the others.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envhook.env.drift import LockDrift

NAMES = ("uv", "poetry", "pdm", "pip")
LOCKS = (("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pdm.lock", "pdm"))
_MODULES = {"uv": "UvBackend", "poetry": "PoetryBackend", "pdm": "PdmBackend", "pip": "PipBackend"}
_cache: dict = {}


def get(name: str):
    """The backend called `name` (one of NAMES)."""
    b = _cache.get(name)
    if b is None:
        module = importlib.import_module(f"envhook.backends.{name}")
        b = _cache[name] = getattr(module, _MODULES[name])()
    return b


def backend_for(project):
    return get(project.backend)


class Detection:
    __slots__ = ("name", "why", "ignored")

    def __init__(self, name: str, why: str, ignored: tuple[str, ...] = ()):
        self.name, self.why = name, why
        self.ignored = ignored  # other lock files present, which lost to `why`


def requirement_files(root) -> list:
    """The requirements files of a pip project, sorted: requirements.txt,
    requirements-dev.txt, requirements*.lock at the root."""
    try:
        names = os.listdir(root)
    except OSError:
        return []
    found = [n for n in names if n in ("requirements.txt", "requirements-dev.txt")
             or (n.startswith("requirements") and n.endswith(".lock"))]
    return [root / n for n in sorted(found)]


def detect(root, pyproject: dict | None, *, setting: str | None = None) -> Detection:
    """Which backend syncs the project at `root` (pyproject: its parsed
    pyproject.toml, None when it has none). `setting` is a valid
    [tool.envhook] backend, already checked by the caller."""
    locks = [(f, n) for f, n in LOCKS if os.path.isfile(root / f)]
    if setting:
        return Detection(setting, "[tool.envhook] backend", tuple(f for f, n in locks if n != setting))
    if locks:
        return Detection(locks[0][1], locks[0][0], tuple(f for f, _ in locks[1:]))
    tool = (pyproject or {}).get("tool")
    if isinstance(tool, dict):
        for name in ("uv", "poetry", "pdm"):
            if isinstance(tool.get(name), dict):
                return Detection(name, f"[tool.{name}]")
    build = (pyproject or {}).get("build-system")
    backend = build.get("build-backend") if isinstance(build, dict) else None
    if isinstance(backend, str) and backend.startswith("poetry.core"):
        return Detection("poetry", "build-backend poetry.core")
    reqs = requirement_files(root)
    if reqs:
        return Detection("pip", reqs[0].name)
    if pyproject is None:
        return Detection("pip", "requirements.txt")
    return Detection("pip", "pyproject.toml without a lock or a tool's table")


def lock_drift(project, now: dict[str, str] | None = None) -> LockDrift:
    """How the env differs from the lock, as the project's backend tells.
    Only for trusted projects: a lock out of date may make the tool resolve,
    which may build the project."""
    return get(project.backend).lock_drift(project, now=now)
