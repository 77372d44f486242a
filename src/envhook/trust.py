"""Trust, the way direnv guards .envrc: nothing of a project is synced or
activated until its owner says `envhook allow`. Trust is keyed by the real
path, so a moved or renamed checkout asks again, and it lives in the user's
state dir, so nothing inside a repository can grant it."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.state import atomic_write, ensure_project_dir, notify, now_iso, project_dir


def is_trusted(root: Path) -> bool:
    return (project_dir(root) / "allow").is_file()


def is_denied(root: Path) -> bool:
    return (project_dir(root) / "deny").is_file()


def allow(root: Path) -> None:
    d = ensure_project_dir(root)
    atomic_write(d / "allow", f"{now_iso()}\n".encode())
    _remove(d / "deny")
    notify(root)


def deny(root: Path) -> None:
    d = ensure_project_dir(root)
    _remove(d / "allow")
    atomic_write(d / "deny", f"{now_iso()}\n".encode())
    notify(root)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
