"""Which project a directory belongs to, where its env lives, and which files
decide whether that env is stale — resolved the way uv resolves them."""

from __future__ import annotations

import fnmatch
import os
import tomllib
from pathlib import Path

from envhook import backends
from envhook.backends import detect, get
from envhook.env.selection import ENVIRONMENT, REPOSITORY, YOURS, Selection, environment_layer, option
from envhook.store import choices
from envhook.store.hashing import read_regular
from envhook.store.paths import current_dir as cwd
from envhook.store.paths import nearest_project_dir
from envhook.store.records import SELECTION_INPUT, fingerprint


class ProjectError(Exception):
    """A project file envhook cannot read; the message is meant for the user."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path


class Project:
    def __init__(self, root: Path, name: str, env: Path, members: tuple[Path, ...] = (),
                 nearest: Path | None = None, aliases: tuple[str, ...] = (),
                 member_dirs: tuple[Path, ...] = (), backend: str = "uv", detection=None,
                 enabled: bool = True, selection: Selection | None = None, pyproject: dict | None = None):
        self.root = root          # the workspace root (or the project itself), real path
        self.name = name
        self.env = env            # where the backend's tool puts the env
        self.backend = backend    # the name of its backend (backends.NAMES)
        self.detection = detection  # backends.Detection: why that backend
        self.enabled = enabled    # [tool.envhook] enabled = false: the repository opts out
        # Which groups, extras and workspace packages a sync installs
        # (env.selection: `envhook use`, uv's variables, [tool.envhook]).
        self.selection = selection if selection is not None else Selection()
        # Choices of `envhook use` this backend cannot honour, left out, each
        # said once (again only when the backend changed since they were made).
        self.choice_errors: list[str] = []
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
        self.pyproject = pyproject  # the root's pyproject.toml as read (None: it has none)
        self._inputs: list[Path] | None = None
        self._sources: list[Path] | None = None

    def relocate(self, where: Path | None = None) -> None:
        """Where the env is, looked up again after a sync (ours or another
        process's): `where`, what the tool itself answered, or else the
        backend's rule, which then reads what that sync recorded."""
        self.env = where if where is not None else get(self.backend).env_path(
            self.root, pyproject=self.pyproject, environ=os.environ)

    @property
    def inputs(self) -> list[Path]:
        """Files whose content decides what the env should hold (present or
        not); worked out once per Project (it reads the tools' config files)."""
        if self._inputs is None:
            self._inputs = get(self.backend).inputs(self)
        return self._inputs

    def current_inputs(self, files: dict | None = None) -> dict[str, str | None]:
        """What the env is synced from: the inputs' digests (records.fingerprint,
        or `files`, already taken) and the selection, when anything is
        chosen (SELECTION_INPUT): a change of either makes the env stale.
        Trust reads the files alone: no choice of groups affects it."""
        out = dict(files) if files is not None else fingerprint(self.inputs, self.root)
        key = self.selection.key()
        if key:
            out[SELECTION_INPUT] = key
        return out

    @property
    def sources(self) -> list[Path]:
        """Directories of local packages its sync builds that are not its
        own (uv's `path` sources); their files are among the inputs."""
        if self._sources is None:
            self._sources = get(self.backend).source_dirs(self)
        return self._sources


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(read_regular(path).decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProjectError(path, f"{path} is not valid TOML ({e})") from None
    except OSError as e:
        raise ProjectError(path, f"cannot read {path}: {e.strerror}") from None


def current_dir() -> Path:
    return Path(cwd())


def nearest_pyproject_dir(start: Path) -> Path | None:
    """The nearest project directory (paths.nearest_project_dir's rule)."""
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
        if backend not in backends.NAMES:
            raise ProjectError(path, f"{path}: [tool.envhook] backend must be one of "
                                     f"{', '.join(repr(n) for n in backends.NAMES)}, not {backend!r}")
    return table


def _names(value) -> bool:
    """A list of names that cannot be read as an option."""
    return isinstance(value, list) and all(isinstance(v, str) and v and not v.startswith("-") for v in value)


def _workspace(data: dict) -> dict | None:
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    ws = uv.get("workspace") if isinstance(uv, dict) else None
    return ws if isinstance(ws, dict) else None


# Workspace globs as uv reads them (its `glob` crate): in `members`, `*`, `?`
# and `[…]` match within one path component and `**` any number of them;
# an `exclude` is matched against the whole relative path, where `*` also
# crosses `/` (glob::Pattern::matches_path). tests/decide/test_project.py checks
# both against uv's own answer for the same trees.

# Directory entries one workspace's globs may look at: a repository is
# untrusted input, and `**/**/**…` over a deep tree must not take minutes.
GLOB_LIMIT = 20_000


def _parts(pattern: str) -> list[str]:
    return [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]


def _wild(part: str) -> bool:
    return any(c in part for c in "*?[")


def _matches_member(rel: str, pattern: str) -> bool:
    """`rel` (a relative path) is matched by the member glob `pattern`."""
    pat, path = _parts(pattern), _parts(rel)
    seen: dict = {}

    def match(i: int, j: int) -> bool:
        if (i, j) in seen:
            return seen[(i, j)]
        if i == len(pat):
            ok = j == len(path)
        elif pat[i] == "**":
            ok = match(i + 1, j) or (j < len(path) and match(i, j + 1))
        else:
            ok = j < len(path) and fnmatch.fnmatchcase(path[j], pat[i]) and match(i + 1, j + 1)
        seen[(i, j)] = ok
        return ok

    return match(0, 0)


def _excluded(rel: str, patterns: list) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(rel, "/".join(_parts(p))) for p in patterns)


def _rel(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def glob_dirs(root: Path, pattern: str, budget: list[int]) -> list[Path]:
    """The directories `pattern` (a member glob) names under `root`, walking
    each (directory, position in the pattern) once; `budget[0]`: how many
    more directory entries may be looked at (shared by a workspace's globs)."""
    parts = _parts(pattern)
    found, seen, todo = set(), set(), [(root, 0)]
    while todo:
        d, i = todo.pop()
        if (d, i) in seen:
            continue
        seen.add((d, i))
        if i == len(parts):
            found.add(d)
        elif parts[i] == "**":
            todo.append((d, i + 1))
            todo += [(sub, i) for sub in _subdirs(d, budget)]
        elif not _wild(parts[i]):
            nxt = d.parent if parts[i] == ".." else d / parts[i]
            if nxt.is_dir():
                todo.append((nxt, i + 1))
        else:
            todo += [(sub, i + 1) for sub in _subdirs(d, budget) if fnmatch.fnmatchcase(sub.name, parts[i])]
    return sorted(found)


def _subdirs(d: Path, budget: list[int]) -> list[Path]:
    if budget[0] <= 0:
        return []
    out = []
    try:
        with os.scandir(d) as it:
            for entry in it:
                budget[0] -= 1
                if budget[0] <= 0:
                    break
                try:
                    if entry.is_dir():
                        out.append(Path(entry.path))
                except OSError:
                    continue
    except OSError:
        return []
    return out


def workspace_members(root: Path, ws: dict) -> list[Path]:
    members = []
    excludes = ws.get("exclude", []) or []
    budget = [GLOB_LIMIT]
    for pattern in ws.get("members", []) or []:
        if not isinstance(pattern, str):
            continue
        for candidate in glob_dirs(root, pattern, budget):
            if not (candidate / "pyproject.toml").is_file():
                continue
            if not _excluded(_rel(candidate, root), excludes):
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
    rel = _rel(directory, root)
    members = [p for p in ws.get("members", []) or [] if isinstance(p, str)]
    return any(_matches_member(rel, p) for p in members) and not _excluded(rel, ws.get("exclude", []) or [])


def _packages(value) -> tuple[str, ...] | bool:
    if value is True:
        return True
    return tuple(value) if isinstance(value, list) else ()


def env_path(root: Path, environ: dict[str, str] | None = None) -> Path:
    """Where uv puts the env (backends.uv.env_path)."""
    from envhook.backends.uv import env_path as uv_env_path  # a uv project's; others never load backends.uv

    return uv_env_path(root, environ)


def find_project(start: Path, environ: dict[str, str] | None = None) -> Project | None:
    """The project owning `start`: the nearest pyproject.toml, lifted to the
    workspace root when a pyproject.toml further up lists it as a member."""
    nearest = nearest_pyproject_dir(start)
    if nearest is None:
        return None
    real = nearest.resolve()
    data = read_toml(real / "pyproject.toml") if (real / "pyproject.toml").is_file() else None
    root, root_data = _workspace_root(real, data)
    ws = _workspace(root_data) if root_data is not None else None
    members = tuple(workspace_members(root, ws)) if ws else ()
    aliases = {str(nearest), str(real), str(root)}
    aliases.update(str(m) for m in members)
    settings = _envhook_table(root_data, root / "pyproject.toml")
    detection = detect(root, root_data, setting=settings.get("backend"))
    backend = get(detection.name)
    env = environ if environ is not None else os.environ
    project = Project(
        root=root,
        name=_name(root_data) or root.name,
        env=backend.env_path(root, pyproject=root_data, environ=env),
        members=members,
        nearest=real,
        aliases=tuple(sorted(aliases)),
        member_dirs=tuple(member_dirs(root, ws)) if ws else (),
        backend=detection.name,
        detection=detection,
        enabled=settings.get("enabled", True),
        pyproject=root_data,
    )
    _apply_sync_setting(project, settings.get("sync"))
    repository = _repository_layer(settings)
    _refuse_what_the_backend_cannot(project, backend, repository)
    project.selection = _selection(project, backend, repository, env)
    return project


def _repository_layer(settings: dict) -> dict:
    """[tool.envhook] groups, extras and all-packages as a selection layer."""
    layer: dict = {}
    if settings.get("groups"):
        layer["group"] = list(settings["groups"])
    if settings.get("extras"):
        layer["extra"] = list(settings["extras"])
    packages = _packages(settings.get("all-packages", False))
    if packages:
        layer["packages"] = packages if packages is True else list(packages)
    return layer


def _selection(project: Project, backend, repository: dict, environ) -> Selection:
    """The layers merged (env.selection): yours, without what this backend
    cannot honour (said once: Project.choice_errors); uv's variables, which
    only uv reads; the repository's."""
    yours, chosen_for = choices.load(project.root)
    refused = backend.refuses(project, yours) if yours else []
    for key, name, why in refused:
        if name is None or yours.get(key) is True:
            yours.pop(key, None)
        else:
            left = [v for v in yours.get(key, []) if v != name]
            if left:
                yours[key] = left
            else:
                yours.pop(key, None)
        if chosen_for != project.backend:
            project.choice_errors.append(f"{project.name}: {backend.label} cannot honour "
                                         f"`envhook use {option(key, name)}` ({why}); it is left out")
    layers = [(YOURS, yours)]
    if project.backend == "uv":
        layers.append((ENVIRONMENT, environment_layer(environ)))
    layers.append((REPOSITORY, repository))
    return Selection(layers)


def _workspace_root(real: Path, data: dict | None) -> tuple[Path, dict | None]:
    """The project at `real` (its pyproject.toml's `data`), or the workspace
    root that lists it as a member, with that root's pyproject.toml."""
    if data is None or _workspace(data) is not None:
        return real, data
    for parent in real.parents:
        if not (parent / "pyproject.toml").is_file():
            continue
        # As uv: the first pyproject.toml above decides. It is the
        # workspace root if its globs include this project; any other
        # (a plain project, a [tool.ruff]-only file) makes it standalone.
        pdata = read_toml(parent / "pyproject.toml")
        ws = _workspace(pdata)
        if ws is not None and _is_member(parent, ws, real):
            return parent, pdata
        break
    return real, data


def _name(root_data: dict | None) -> str | None:
    """[project] name, or Poetry 1's [tool.poetry] name."""
    project_table = (root_data or {}).get("project")
    name = project_table.get("name") if isinstance(project_table, dict) else None
    if not name and root_data is not None and isinstance(root_data.get("tool"), dict):
        poetry = root_data["tool"].get("poetry")  # Poetry 1 names the project there
        name = poetry.get("name") if isinstance(poetry, dict) else None
    return str(name) if name else None


def _apply_sync_setting(project: Project, value) -> None:
    """[tool.envhook] sync: "missing" holds every sync but the first."""
    if value == "missing":
        project.sync_missing = True
    elif value not in (None, "changed"):
        # Not an error that stops the hook: the user's setting (default
        # "changed") applies, and the hook says once what is wrong.
        project.table_error = (f"{project.root / 'pyproject.toml'}: [tool.envhook] sync must be \"changed\" or "
                               f"\"missing\", not {value!r}")


def _refuse_what_the_backend_cannot(project: Project, backend, layer: dict) -> None:
    """[tool.envhook] keys this backend cannot honour stop the project with a clear error."""
    where = project.root / "pyproject.toml"
    if layer.get("packages") and project.backend != "uv":
        raise ProjectError(where, f"{where}: [tool.envhook] all-packages is for uv workspaces; "
                                  f"{project.backend} syncs the project it finds")
    refused = [key for key, mine in (("extras", "extra"), ("groups", "group"))
               if layer.get(mine) and not getattr(backend, f"supports_{key}")]
    if refused:
        raise ProjectError(where, f"{where}: [tool.envhook] {' and '.join(refused)} are for "
                                  f"{_taken_by(refused)}; {project.backend} syncs what its lock or files name")
    for key, name, why in backend.refuses(project, layer):
        table_key = {"group": "groups", "extra": "extras"}.get(key, key)
        raise ProjectError(where, f"{where}: [tool.envhook] {table_key} {name!r}: {why}")


def _taken_by(keys: list[str]) -> str:
    """The backends that take these [tool.envhook] keys (supports_extras…), as a message names them."""
    # Every backend's module, on this error alone: detection never loads them.
    takers = list(dict.fromkeys(get(n).title for n in backends.NAMES
                                if all(getattr(get(n), f"supports_{k}") for k in keys)))
    listed = " and ".join(takers) if len(takers) < 3 else f"{', '.join(takers[:-1])} and {takers[-1]}"
    return listed or "no backend"
