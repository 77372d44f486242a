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

Each backend is one line of REGISTRY below (its name, the lock file and the
`[tool.X]` table that detect it, and where its class lives) plus its module;
NAMES, LOCKS and the order above are read from it.

Imports stay lazy: the hook's entry starts `uv sync` through backends.uv
before anything heavy is loaded, and a uv project never loads the others.
So what detection needs of every backend is in its registration line, not
in its module, which `get` imports only for the backend a project uses.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envhook.env.drift import LockDrift


class Registered:
    """A backend as detection knows it without importing its module: `lock`,
    its lock file at the root; `table`, its `[tool.X]` table in
    pyproject.toml; `build`, the prefix of a build-backend that is its own;
    `cls`, "module:Class" of its Backend subclass."""

    __slots__ = ("name", "lock", "table", "build", "cls")

    def __init__(self, name: str, *, cls: str, lock: str | None = None, table: str | None = None,
                 build: str | None = None):
        self.name, self.cls, self.lock, self.table, self.build = name, cls, lock, table, build


# Detection order: lock files, then tables, then build backends, each in this order.
REGISTRY = (
    Registered("uv", lock="uv.lock", table="uv", cls="envhook.backends.uv:UvBackend"),
    Registered("poetry", lock="poetry.lock", table="poetry", build="poetry.core",
               cls="envhook.backends.poetry:PoetryBackend"),
    Registered("pdm", lock="pdm.lock", table="pdm", cls="envhook.backends.pdm:PdmBackend"),
    # The fallback for requirements files and a bare pyproject.toml (detect).
    Registered("pip", cls="envhook.backends.pip:PipBackend"),
)
_cache: dict = {}


def __getattr__(attr: str):
    """NAMES (every backend, in detection order) and LOCKS ((lock file,
    backend) pairs, in that order), read from REGISTRY when asked: derived,
    never kept apart from it."""
    if attr == "NAMES":
        return tuple(r.name for r in REGISTRY)
    if attr == "LOCKS":
        return tuple((r.lock, r.name) for r in REGISTRY if r.lock)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def registered(name: str) -> Registered | None:
    return next((r for r in REGISTRY if r.name == name), None)


def get(name: str):
    """The backend called `name` (one of NAMES)."""
    b = _cache.get(name)
    if b is None:
        module, _, cls = registered(name).cls.partition(":")
        b = _cache[name] = getattr(importlib.import_module(module), cls)()
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
    locks = [r for r in REGISTRY if r.lock and os.path.isfile(root / r.lock)]
    if setting:
        return Detection(setting, "[tool.envhook] backend", tuple(r.lock for r in locks if r.name != setting))
    if locks:
        return Detection(locks[0].name, locks[0].lock, tuple(r.lock for r in locks[1:]))
    tool = (pyproject or {}).get("tool")
    if isinstance(tool, dict):
        for r in REGISTRY:
            if r.table and isinstance(tool.get(r.table), dict):
                return Detection(r.name, f"[tool.{r.table}]")
    build = (pyproject or {}).get("build-system")
    backend = build.get("build-backend") if isinstance(build, dict) else None
    if isinstance(backend, str):
        for r in REGISTRY:
            if r.build and backend.startswith(r.build):
                return Detection(r.name, f"build-backend {r.build}")
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
