"""What a virtual environment on disk looks like, whatever tool made it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from envhook.store.hashing import read_regular


def missing_reason(env: Path) -> str | None:
    """None when the env is usable; otherwise why it counts as missing."""
    if not env.is_dir():
        return "env does not exist"
    if not (env / "pyvenv.cfg").is_file():
        return "env has no pyvenv.cfg"
    if not os.path.exists(env / "bin" / "python"):
        return "env's interpreter is gone"
    return None


# What the tools that make venvs put in one (uv venv, python -m venv,
# virtualenv, Poetry, PDM), and what installed packages add at its top
# (share/ for data files, etc/ and man/ for some).
VENV_ENTRIES = frozenset({"bin", "lib", "lib64", "include", "share", "etc", "man", "Lib", "Scripts", "Include",
                          "pyvenv.cfg", ".gitignore", "CACHEDIR.TAG", ".lock", ".project"})


def not_a_venv(env: Path) -> str | None:
    """Why the thing at the env's path is no venv a tool may sync into; None
    when there is nothing (the tool creates one) or a usable venv. A
    directory without pyvenv.cfg is the worst case: its bin/python runs as
    the base interpreter, so a sync installs there."""
    if not os.path.lexists(env):
        return None
    if not env.is_dir():
        return "is not a directory"
    if not (env / "pyvenv.cfg").is_file():
        return "has no pyvenv.cfg"
    if not os.path.exists(env / "bin" / "python"):
        return "has no working interpreter (bin/python is gone)"
    return None


def foreign_entries(env: Path) -> list[str]:
    """What a directory at the env's path holds that no venv holds."""
    try:
        return sorted(n for n in os.listdir(env) if n not in VENV_ENTRIES)
    except OSError:
        return ["(unreadable)"]


def site_packages(env: Path) -> Path | None:
    found = sorted((env / "lib").glob("python*/site-packages"))
    return found[0] if found else None


_SEPARATORS = re.compile(r"[-_.]+")


def canonical(name: str) -> str:
    """packaging.utils.canonicalize_name, without importing packaging (tests
    compare the two)."""
    return _SEPARATORS.sub("-", name).lower()


def installed(env: Path) -> dict[str, str]:
    """What the env holds: canonical name -> version, with " @ URL" (and
    " editable") appended for a dist installed from a path or URL, so an
    editable install in place of a locked release shows as a change even at
    the same version. Read from directory names and direct_url.json alone
    (no METADATA parsing), so that 1,000 dists cost a few milliseconds."""
    sp = site_packages(env)
    if sp is None:
        return {}
    out = {}
    try:
        entries = [e.name for e in os.scandir(sp) if e.name.endswith(".dist-info")]
    except OSError:
        return {}
    for entry in entries:
        name, _, version = entry[: -len(".dist-info")].rpartition("-")
        if not name:
            continue
        value = version
        direct = None
        path = os.path.join(sp, entry, "direct_url.json")
        # Most dists come from an index and have none: os.access answers
        # without the exception a failed open costs (a third of the time here).
        if os.access(path, os.F_OK):
            try:
                direct = json.loads(read_regular(path))
            except (OSError, ValueError):
                pass
        if isinstance(direct, dict) and isinstance(direct.get("url"), str):
            editable = isinstance(direct.get("dir_info"), dict) and direct["dir_info"].get("editable") is True
            value += f" @ {direct['url']}" + (" editable" if editable else "")
        out[canonical(name)] = value
    return dict(sorted(out.items()))


def prompt(env: Path) -> str:
    """The prompt name that bin/activate would export as VIRTUAL_ENV_PROMPT.
    virtualenv (Poetry's envs) writes it in double quotes and the standard
    library's venv in single ones; their activate exports it without, and
    virtualenv reads one pair of them away, as here."""
    try:
        text = read_regular(env / "pyvenv.cfg").decode(errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "prompt":
            value = value.strip()
            if len(value) > 1 and value[0] in "'\"" and value[-1] == value[0]:
                value = value[1:-1]
            return value
    return ""


def watched(env: Path) -> list[Path]:
    """Paths whose mtime moves when the env is recreated, deleted or changed."""
    paths = [env, env / "pyvenv.cfg", env / "bin" / "python"]
    sp = site_packages(env)
    if sp is not None:
        paths.append(sp)
    return paths
