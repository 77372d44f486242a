"""Which project a directory belongs to, where its env lives, and which files
decide whether that env is stale — resolved the way uv resolves them."""

from __future__ import annotations

import fnmatch
import os
import tomllib
from pathlib import Path

from envhook._hash import read_regular


class ProjectError(Exception):
    """A project file envhook cannot read; the message is meant for the user."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path


class Project:
    def __init__(self, root: Path, name: str, env: Path, members: tuple[Path, ...] = (),
                 nearest: Path | None = None, aliases: tuple[str, ...] = (),
                 member_dirs: tuple[Path, ...] = ()):
        self.root = root          # the workspace root (or the project itself), real path
        self.name = name
        self.env = env            # where uv puts the env
        self.members = members    # workspace members, real paths, root excluded
        # Directories whose listing decides membership (each glob's fixed
        # part, and its parent): a member created there, even in a workspace
        # that has none yet, shows in one of their mtimes.
        self.member_dirs = member_dirs
        self.nearest = nearest    # the directory holding the nearest pyproject.toml, real path
        self.aliases = aliases    # spellings of its project dirs, as $PWD may show them

    @property
    def inputs(self) -> list[Path]:
        """Files whose content decides what the env should hold (present or not)."""
        files = [self.root / "pyproject.toml"]
        files += [m / "pyproject.toml" for m in self.members]
        files += [self.root / "uv.lock", self.root / ".python-version", self.root / "uv.toml"]
        return files


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(read_regular(path).decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProjectError(path, f"{path} is not valid TOML ({e})") from None
    except OSError as e:
        raise ProjectError(path, f"cannot read {path}: {e.strerror}") from None


def current_dir() -> Path:
    from envhook.paths import current_dir as cwd

    return Path(cwd())


def nearest_pyproject_dir(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / "pyproject.toml").is_file():
            return d
    return None


def _workspace(data: dict) -> dict | None:
    ws = data.get("tool", {}).get("uv", {}).get("workspace")
    return ws if isinstance(ws, dict) else None


def _matches(rel: str, patterns: list) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(rel, p.rstrip("/")) for p in patterns)


def workspace_members(root: Path, ws: dict) -> list[Path]:
    members = []
    excludes = ws.get("exclude", []) or []
    for pattern in ws.get("members", []) or []:
        if not isinstance(pattern, str):
            continue
        for candidate in sorted(root.glob(pattern)):
            if not (candidate / "pyproject.toml").is_file():
                continue
            rel = candidate.relative_to(root).as_posix()
            if not _matches(rel, excludes):
                real = candidate.resolve()
                if real != root and real not in members:
                    members.append(real)
    return members


def member_dirs(root: Path, ws: dict) -> list[Path]:
    dirs = []
    for pattern in ws.get("members", []) or []:
        if not isinstance(pattern, str):
            continue
        fixed = []
        for part in Path(pattern).parts:
            if any(c in part for c in "*?["):
                break
            fixed.append(part)
        d = Path(os.path.normpath(root.joinpath(*fixed))) if fixed else root
        for candidate in (d, d.parent):
            if candidate.is_relative_to(root) and candidate not in dirs:
                dirs.append(candidate)
    return dirs


def _is_member(root: Path, ws: dict, directory: Path) -> bool:
    try:
        rel = directory.relative_to(root).as_posix()
    except ValueError:
        return False
    return _matches(rel, ws.get("members", []) or []) and not _matches(rel, ws.get("exclude", []) or [])


def env_path(root: Path, environ: dict[str, str] | None = None) -> Path:
    """UV_PROJECT_ENVIRONMENT as uv reads it: relative to the workspace root, absolute as is."""
    value = (os.environ if environ is None else environ).get("UV_PROJECT_ENVIRONMENT")
    if value:
        return Path(os.path.normpath(root / value))
    return root / ".venv"


def find_project(start: Path, environ: dict[str, str] | None = None) -> Project | None:
    """The project owning `start`: the nearest pyproject.toml, lifted to the
    workspace root when a pyproject.toml further up lists it as a member."""
    nearest = nearest_pyproject_dir(start)
    if nearest is None:
        return None
    real = nearest.resolve()
    data = read_toml(real / "pyproject.toml")
    root, root_data = real, data
    if _workspace(data) is None:
        for parent in real.parents:
            if not (parent / "pyproject.toml").is_file():
                continue
            pdata = read_toml(parent / "pyproject.toml")
            ws = _workspace(pdata)
            if ws is None:
                continue
            # uv stops at the first workspace root above; membership is by glob.
            if _is_member(parent, ws, real):
                root, root_data = parent, pdata
            break
    ws = _workspace(root_data)
    members = tuple(workspace_members(root, ws)) if ws else ()
    name = root_data.get("project", {}).get("name") if isinstance(root_data.get("project"), dict) else None
    aliases = {str(nearest), str(real), str(root)}
    aliases.update(str(m) for m in members)
    return Project(
        root=root,
        name=str(name) if name else root.name,
        env=env_path(root, environ),
        members=members,
        nearest=real,
        aliases=tuple(sorted(aliases)),
        member_dirs=tuple(member_dirs(root, ws)) if ws else (),
    )
