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
                 member_dirs: tuple[Path, ...] = (), backend: str = "uv", detection=None,
                 enabled: bool = True, extras: tuple[str, ...] = (), groups: tuple[str, ...] = (),
                 packages: tuple[str, ...] | bool = ()):
        self.root = root          # the workspace root (or the project itself), real path
        self.name = name
        self.env = env            # where the backend's tool puts the env
        self.backend = backend    # the name of its backend (backends.NAMES)
        self.detection = detection  # backends.Detection: why that backend
        self.enabled = enabled    # [tool.envhook] enabled = false: the repository opts out
        self.extras, self.groups = extras, groups  # [tool.envhook]: what a sync installs besides the defaults
        # [tool.envhook] all-packages: True (every workspace member, uv's
        # --all-packages) or the members to sync (--package each); () is uv's default.
        self.packages = packages
        # [tool.envhook] sync = "missing": the repository asks that the hook only
        # create a missing env (it may make the user's setting stricter, never looser).
        self.sync_missing = False
        self.table_error: str | None = None  # a bad [tool.envhook] value that was ignored (said once)
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
        from envhook.backends import get

        return get(self.backend).inputs(self)


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
    """The nearest project directory (paths.nearest_project_dir's rule)."""
    from envhook.paths import nearest_project_dir

    found = nearest_project_dir(str(start))
    return Path(found) if found is not None else None


def _envhook_table(data: dict | None, path: Path) -> dict:
    """[tool.envhook]: what a repository may decide for itself (never trust)."""
    table = ((data or {}).get("tool") or {}).get("envhook") if isinstance((data or {}).get("tool"), dict) else None
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ProjectError(path, f"{path}: [tool.envhook] must be a table")
    if "enabled" in table and not isinstance(table["enabled"], bool):
        raise ProjectError(path, f"{path}: [tool.envhook] enabled must be true or false, "
                                 f"not {table['enabled']!r}")
    # Other keys are ignored, not refused: a hostile repository writing
    # `trusted = true` there must get the plain "not trusted" line, and
    # nothing a repository writes can grant trust.
    for key in ("extras", "groups"):
        value = table.get(key, [])
        if not _names(value):
            raise ProjectError(path, f"{path}: [tool.envhook] {key} must be a list of names, not {value!r}")
    value = table.get("all-packages", False)
    if not (isinstance(value, bool) or _names(value)):
        raise ProjectError(path, f"{path}: [tool.envhook] all-packages must be true, false or a list of "
                                 f"workspace members, not {value!r}")
    backend = table.get("backend")
    if backend is not None:
        from envhook.backends import NAMES

        if backend not in NAMES:
            raise ProjectError(path, f"{path}: [tool.envhook] backend must be one of "
                                     f"{', '.join(repr(n) for n in NAMES)}, not {backend!r}")
    return table


def _names(value) -> bool:
    """A list of names that cannot be read as an option."""
    return isinstance(value, list) and all(isinstance(v, str) and v and not v.startswith("-") for v in value)


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


def _packages(value) -> tuple[str, ...] | bool:
    if value is True:
        return True
    return tuple(value) if isinstance(value, list) else ()


def env_path(root: Path, environ: dict[str, str] | None = None) -> Path:
    """Where uv puts the env (backends.uv.env_path)."""
    from envhook.backends.uv import env_path as uv_env_path

    return uv_env_path(root, environ)


def find_project(start: Path, environ: dict[str, str] | None = None) -> Project | None:
    """The project owning `start`: the nearest pyproject.toml, lifted to the
    workspace root when a pyproject.toml further up lists it as a member."""
    nearest = nearest_pyproject_dir(start)
    if nearest is None:
        return None
    real = nearest.resolve()
    data = read_toml(real / "pyproject.toml") if (real / "pyproject.toml").is_file() else None
    root, root_data = real, data
    if data is not None and _workspace(data) is None:
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
    from envhook.backends import detect, get

    ws = _workspace(root_data) if root_data is not None else None
    members = tuple(workspace_members(root, ws)) if ws else ()
    project_table = (root_data or {}).get("project")
    name = project_table.get("name") if isinstance(project_table, dict) else None
    if not name and root_data is not None and isinstance(root_data.get("tool"), dict):
        poetry = root_data["tool"].get("poetry")  # Poetry 1 names the project there
        name = poetry.get("name") if isinstance(poetry, dict) else None
    aliases = {str(nearest), str(real), str(root)}
    aliases.update(str(m) for m in members)
    settings = _envhook_table(root_data, root / "pyproject.toml")
    detection = detect(root, root_data, setting=settings.get("backend"))
    backend = get(detection.name)
    env = environ if environ is not None else os.environ
    project = Project(
        root=root,
        name=str(name) if name else root.name,
        env=backend.env_path(root, root_data, env),
        members=members,
        nearest=real,
        aliases=tuple(sorted(aliases)),
        member_dirs=tuple(member_dirs(root, ws)) if ws else (),
        backend=detection.name,
        detection=detection,
        enabled=settings.get("enabled", True),
        extras=tuple(settings.get("extras", ())),
        groups=tuple(settings.get("groups", ())),
        packages=_packages(settings.get("all-packages", False)),
    )
    value = settings.get("sync")
    if value == "missing":
        project.sync_missing = True
    elif value not in (None, "changed"):
        # Not an error that stops the hook: the user's setting (default
        # "changed") applies, and the hook says once what is wrong.
        project.table_error = (f"{root / 'pyproject.toml'}: [tool.envhook] sync must be \"changed\" or "
                               f"\"missing\", not {value!r}")
    if project.packages and project.backend != "uv":
        raise ProjectError(root / "pyproject.toml",
                           f"{root / 'pyproject.toml'}: [tool.envhook] all-packages is for uv workspaces; "
                           f"{project.backend} syncs the project it finds")
    if (project.extras or project.groups) and project.backend not in ("uv", "poetry"):
        raise ProjectError(root / "pyproject.toml",
                           f"{root / 'pyproject.toml'}: [tool.envhook] extras and groups are for uv and Poetry; "
                           f"{project.backend} syncs what its lock or files name")
    return project
