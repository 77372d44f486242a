"""Real, offline uv projects for tests.

Projects are *virtual* (no ``[build-system]``): uv installs their dependencies
into ``<project>/.venv`` but never builds the project itself, so no build
backend (and no network) is needed.  Dependencies resolve only against a local
wheelhouse (see :mod:`tests.support.wheels`) via ``find-links`` + ``no-index``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "make_project",
    "make_workspace_member",
    "set_dependencies",
    "toml_str",
    "toml_array",
    "base_python",
    "uv_env",
    "uv_lock",
    "uv_sync",
    "run_uv",
    "UvError",
    "venv_python",
]

# Variables removed from the base environment by uv_env().  Every inherited
# UV_* variable is dropped too, so a developer's UV_INDEX_URL, UV_FROZEN, ...
# cannot leak into the tests.
_STRIP_VARS = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX", "CONDA_DEFAULT_ENV")


# --------------------------------------------------------------------------- TOML

def toml_str(value: str) -> str:
    """Return *value* as a TOML basic string (double-quoted, escaped)."""
    out = ['"']
    for ch in str(value):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_array(values: Iterable[str]) -> str:
    """Return a one-item-per-line TOML array of strings (``[]`` if empty)."""
    values = list(values)
    if not values:
        return "[]"
    return "[\n" + "".join(f"    {toml_str(v)},\n" for v in values) + "]"


# ----------------------------------------------------------------------- projects

def make_project(
    path: Path,
    wheelhouse: Path,
    name: str = "demo",
    dependencies: Iterable[str] = ("tinkerpkg==1.0",),
    requires_python: str = ">=3.11",
    extra_toml: str = "",
    workspace_members: list[str] | None = None,
) -> Path:
    """Create *path* (if needed) and write a virtual-project ``pyproject.toml``.

    ``[tool.uv]`` points ``find-links`` at the absolute *wheelhouse* path and
    sets ``no-index = true``.  With *workspace_members*, a
    ``[tool.uv.workspace]`` table listing them is added (the member directories
    are not created; see :func:`make_workspace_member`).  *extra_toml* is
    appended verbatim.  Returns *path*.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    wheelhouse_abs = os.path.abspath(os.fspath(wheelhouse))
    parts = [
        "[project]\n"
        f"name = {toml_str(name)}\n"
        'version = "0.1.0"\n'
        f"requires-python = {toml_str(requires_python)}\n"
        f"dependencies = {toml_array(dependencies)}\n",
        "[tool.uv]\n"
        f"find-links = [{toml_str(wheelhouse_abs)}]\n"
        "no-index = true\n",
    ]
    if workspace_members is not None:
        parts.append(f"[tool.uv.workspace]\nmembers = {toml_array(workspace_members)}\n")
    if extra_toml:
        parts.append(extra_toml if extra_toml.endswith("\n") else extra_toml + "\n")
    (path / "pyproject.toml").write_text("\n".join(parts), encoding="utf-8")
    return path


def make_workspace_member(
    root: Path,
    relpath: str,
    name: str,
    dependencies: Iterable[str] = (),
    requires_python: str = ">=3.11",
    extra_toml: str = "",
) -> Path:
    """Write a virtual workspace member ``<root>/<relpath>/pyproject.toml``.

    Only ``[project]`` is written: uv takes index settings (find-links,
    no-index) from the workspace root.  Returns the member directory.
    """
    member = Path(root) / relpath
    member.mkdir(parents=True, exist_ok=True)
    text = (
        "[project]\n"
        f"name = {toml_str(name)}\n"
        'version = "0.1.0"\n'
        f"requires-python = {toml_str(requires_python)}\n"
        f"dependencies = {toml_array(dependencies)}\n"
    )
    if extra_toml:
        text += "\n" + (extra_toml if extra_toml.endswith("\n") else extra_toml + "\n")
    (member / "pyproject.toml").write_text(text, encoding="utf-8")
    return member


def _skip_string(text: str, i: int) -> int:
    """*text[i]* opens a TOML string; return the index just past its end."""
    for quote in ('"""', "'''"):
        if text.startswith(quote, i):
            end = text.find(quote, i + 3)
            if end < 0:
                raise ValueError("unterminated multi-line string")
            end += 3
            while end < len(text) and text[end] == quote[0]:  # """"" edge case
                end += 1
            return end
    quote = text[i]
    j = i + 1
    while j < len(text):
        ch = text[j]
        if quote == '"' and ch == "\\":
            j += 2
            continue
        if ch == quote:
            return j + 1
        if ch == "\n":
            break
        j += 1
    raise ValueError("unterminated string")


def _array_end(text: str, start: int) -> int:
    """*text[start]* is ``[``; return the index just past the matching ``]``."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        if ch == "#":
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated array")


def _logical_line_end(text: str, i: int, stop: int) -> int:
    """Index of the newline ending the TOML statement starting at *i* (or *stop*)."""
    while i < stop and text[i] != "\n":
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
        elif ch in "[{":
            i = _array_end(text, i) if ch == "[" else _inline_table_end(text, i)
        elif ch == "#":
            nl = text.find("\n", i)
            i = stop if nl < 0 else min(nl, stop)
        else:
            i += 1
    return i


def _inline_table_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
        elif ch == "[":
            i = _array_end(text, i)
        elif ch == "{":
            i = _inline_table_end(text, i)
        elif ch == "}":
            return i + 1
        else:
            i += 1
    raise ValueError("unterminated inline table")


def set_dependencies(path: Path, deps: Iterable[str]) -> Path:
    """Replace ``[project].dependencies`` in *path*'s pyproject.toml, in place.

    *path* may be the project directory or the ``pyproject.toml`` itself.  The
    rest of the file is kept byte for byte.  If ``[project]`` has no
    ``dependencies`` key, one is inserted right after the table header.
    Returns the pyproject.toml path.
    """
    deps = list(deps)
    path = Path(path)
    pyproject = path / "pyproject.toml" if path.is_dir() else path
    text = pyproject.read_text(encoding="utf-8")
    new_array = toml_array(deps)

    header = re.search(r"^[ \t]*\[[ \t]*project[ \t]*\][ \t]*(#[^\n]*)?$", text, re.MULTILINE)
    if header is None:
        raise ValueError(f"{pyproject}: no [project] table")
    body_start = text.find("\n", header.end())
    if body_start < 0:  # header is the last line, without a newline
        text += "\n"
        body_start = len(text)
    else:
        body_start += 1

    key = re.compile(r"[ \t]*(?:dependencies|\"dependencies\"|'dependencies')[ \t]*=[ \t]*")
    found = None
    pos = body_start
    while pos < len(text):
        if re.match(r"[ \t]*\[", text[pos:pos + 4096]):  # next table header
            break
        m = key.match(text, pos)
        if m is not None:
            found = m
            break
        pos = _logical_line_end(text, pos, len(text)) + 1

    if found is None:
        new_text = text[:body_start] + f"dependencies = {new_array}\n" + text[body_start:]
    else:
        value_start = found.end()
        if not text.startswith("[", value_start):
            raise ValueError(f"{pyproject}: [project].dependencies is not an inline array")
        new_text = text[:value_start] + new_array + text[_array_end(text, value_start):]

    # Never leave a broken or wrong file behind.
    parsed = tomllib.loads(new_text)
    if parsed.get("project", {}).get("dependencies") != deps:
        raise AssertionError(f"{pyproject}: failed to rewrite dependencies")
    pyproject.write_text(new_text, encoding="utf-8")
    return pyproject


# ---------------------------------------------------------------------------- uv

def base_python() -> str:
    """Path of a real interpreter binary (>= 3.11) behind the running Python.

    Never a pyenv shim or a venv's launcher: inside a venv the base interpreter
    is used (``sys._base_executable``), and symlinks are resolved.
    """
    if sys.version_info < (3, 11):  # pragma: no cover - project needs 3.11+
        raise RuntimeError("tests need Python >= 3.11")
    candidates = [getattr(sys, "_base_executable", None), sys.executable]
    for cand in candidates:
        if not cand:
            continue
        real = os.path.realpath(cand)
        if os.path.isfile(real) and os.access(real, os.X_OK) and "/shims/" not in real:
            return real
    raise RuntimeError(f"cannot find a real interpreter behind {sys.executable!r}")


def uv_env(base_env: Mapping[str, str], cache_dir: Path) -> dict[str, str]:
    """Environment for running uv offline and isolated.

    Starts from a copy of *base_env* (usually ``os.environ`` after the
    ``isolated_home`` fixture has redirected HOME/XDG_*), drops VIRTUAL_ENV,
    UV_PROJECT_ENVIRONMENT, CONDA_PREFIX/CONDA_DEFAULT_ENV and every inherited
    ``UV_*`` variable, then sets: UV_OFFLINE=1, UV_PYTHON_DOWNLOADS=never,
    UV_CACHE_DIR=*cache_dir*, UV_PYTHON=:func:`base_python`.
    Add further UV_* variables to the returned dict if a test needs them.

    UV_NO_CONFIG is deliberately *not* set: ``--no-config`` makes uv ignore
    ``[tool.uv]`` in the project's own pyproject.toml too, so ``find-links`` /
    ``no-index`` would be dropped and resolution fails.  User-level uv.toml is
    kept out by pointing HOME / XDG_CONFIG_HOME / XDG_CONFIG_DIRS at temp dirs
    (the ``isolated_home`` fixture); only ``/etc/uv/uv.toml`` could still be
    read, and project settings take precedence over it.
    """
    env = {
        k: v
        for k, v in base_env.items()
        if k not in _STRIP_VARS and not k.startswith("UV_")
    }
    env.update(
        UV_OFFLINE="1",
        UV_PYTHON_DOWNLOADS="never",
        UV_CACHE_DIR=os.path.abspath(os.fspath(cache_dir)),
        UV_PYTHON=base_python(),
    )
    return env


class UvError(subprocess.CalledProcessError):
    """A failed uv command; ``str()`` includes its stdout and stderr."""

    def __str__(self) -> str:
        return (
            f"{super().__str__()}\n--- stdout ---\n{self.stdout or ''}"
            f"--- stderr ---\n{self.stderr or ''}"
        )


def _uv_binary(env: Mapping[str, str]) -> str:
    found = shutil.which("uv", path=env.get("PATH")) or shutil.which("uv")
    if found is None:
        raise FileNotFoundError("uv not found on PATH")
    return found


def run_uv(
    path: Path, env: Mapping[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``uv <args...>`` with cwd=*path*; capture text output.

    With *check* (default) a non-zero exit raises :class:`UvError`, whose
    message carries uv's output.
    """
    cmd = [_uv_binary(env), *args]
    proc = subprocess.run(
        cmd,
        cwd=os.fspath(path),
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise UvError(proc.returncode, cmd, proc.stdout, proc.stderr)
    return proc


def uv_lock(path: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``uv lock [args...]`` in *path* (check=True)."""
    return run_uv(path, env, "lock", *args)


def uv_sync(path: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``uv sync [args...]`` in *path* (check=True)."""
    return run_uv(path, env, "sync", *args)


def venv_python(project: Path) -> Path:
    """``<project>/.venv/bin/python`` (``Scripts\\python.exe`` on Windows)."""
    venv = Path(project) / ".venv"
    if os.name == "nt":  # pragma: no cover
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"
