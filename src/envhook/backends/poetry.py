"""Poetry: poetry.lock or [tool.poetry]; synced with `poetry sync`
(`poetry install --sync` before Poetry 2); the env where Poetry resolves it.

Poetry's rule for the env (poetry/utils/env/env_manager.py): `.venv` in the
project when virtualenvs.in-project is true, or when it is unset and a
`.venv` exists; otherwise `{virtualenvs.path}/{name}-{hash}-py{X.Y}` with
virtualenvs.path defaulting to `{cache-dir}/virtualenvs`. Settings come from
POETRY_* variables, then the project's poetry.toml, then the user's
config.toml, as Poetry reads them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from pathlib import Path

from envhook.backends.base import Backend, ToolMissing, sync_environ, which
from envhook.backends.lockread import Wanted, compare, load, own_names
from envhook.env import venv
from envhook.env.drift import LockDrift
from envhook.env.markers import marker_environment, marker_true
from envhook.store.hashing import read_regular
from envhook.store.paths import _user_dir as user_dir
from envhook.store.records import SyncRecord

INSTALL_HINT = ("poetry not found on PATH; install it (`pipx install poetry`, or "
                "https://python-poetry.org/docs/#installation) and run `envhook sync`")


def _truthy(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("1", "true", "yes", "on"):
            return True
        if v in ("0", "false", "no", "off"):
            return False
    return None


def _user_dir(kind: str, var: str, default: str) -> Path:
    return Path(user_dir(kind, var, default, app="pypoetry"))


def config_file(environ) -> Path:
    d = environ.get("POETRY_CONFIG_DIR")
    return (Path(d) if d else _user_dir("config", "XDG_CONFIG_HOME", "~/.config")) / "config.toml"


def _read(path: Path) -> dict:
    import tomllib  # TOML only when a file is read

    try:
        return tomllib.loads(read_regular(path).decode())
    except (OSError, ValueError):
        return {}  # Poetry itself reports a broken config when it runs


def setting(root: Path, key: str, environ):
    """A virtualenvs.* or cache-dir setting: variable, project poetry.toml, user config."""
    var = "POETRY_" + key.upper().replace(".", "_").replace("-", "_")
    if var in environ:
        return environ[var]
    for data in (_read(root / "poetry.toml"), _read(config_file(environ))):
        table = data
        for part in key.split("."):
            table = table.get(part) if isinstance(table, dict) else None
        if table is not None:
            return table
    return None


def env_name(name: str, root: Path) -> str:
    """Poetry's EnvManager.generate_env_name."""

    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name.lower())[:42]
    digest = hashlib.sha256(os.path.normcase(os.path.realpath(root)).encode()).digest()
    return f"{sanitized}-{base64.urlsafe_b64encode(digest).decode()[:8]}"


def venvs_dir(root: Path, environ) -> Path:
    path = setting(root, "virtualenvs.path", environ)
    if isinstance(path, str) and path:
        return Path(os.path.expanduser(path))
    cache = setting(root, "cache-dir", environ)
    base = Path(os.path.expanduser(cache)) if isinstance(cache, str) and cache else \
        _user_dir("cache", "XDG_CACHE_HOME", "~/.cache")
    return base / "virtualenvs"


def project_name(root: Path, pyproject: dict | None) -> str:
    """The name Poetry gives the env: the project's, canonicalized."""
    data = pyproject or {}
    for table in (data.get("project"), (data.get("tool") or {}).get("poetry")):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            return venv.canonical(table["name"])
    return "non-package-mode"  # Poetry's name for a nameless project


def env_path(root: Path, pyproject: dict | None, environ) -> Path:
    in_project = _truthy(setting(root, "virtualenvs.in-project", environ))
    local = root / ".venv"
    if in_project is not False and local.is_dir():
        return local
    base = venvs_dir(root, environ)
    prefix = env_name(project_name(root, pyproject), root)
    # The Python Poetry picked for this project, as it remembers it (`poetry env use`).
    entry = _read(base / "envs.toml").get(prefix)
    if isinstance(entry, dict) and isinstance(entry.get("minor"), str):
        return base / f"{prefix}-py{entry['minor']}"
    recorded = _recorded(root, base, prefix)
    if recorded is not None:
        # Poetry said so after envhook's last sync: it made it under the
        # Python it found on PATH, which a file cannot tell.
        return recorded
    try:
        found = sorted(n for n in os.listdir(base) if n.startswith(prefix + "-py"))
    except OSError:
        found = []
    if found:
        # Poetry uses one made already, even where in-project is true and
        # there is no .venv yet.
        return base / found[-1]
    if in_project:
        return local
    # Not created yet: Poetry will use the Python on PATH; the hook finds the
    # env it made after the sync (this directory's listing is watched).
    return base / f"{prefix}-py{sys.version_info[0]}.{sys.version_info[1]}"


def _recorded(root: Path, base: Path, prefix: str) -> Path | None:
    """The env envhook's last sync recorded (where Poetry said it is), while
    it is still one of this project's envs in the venvs dir in use."""
    record = SyncRecord.load(root)
    if record is None or record.env is None:
        return None
    env = Path(record.env)
    if env.parent != base or not env.name.startswith(prefix + "-py") or venv.missing_reason(env):
        return None
    return env


def poetry_version(poetry: str) -> tuple[int, ...] | None:
    """The version of the Poetry at `poetry`, from its installation's
    metadata (running it costs half a second)."""
    try:
        with open(os.path.realpath(poetry), "rb") as f:
            first = f.readline(4096)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    python = first[2:].strip().split()[0].decode(errors="replace") if first[2:].strip() else ""
    lib = Path(python).parent.parent / "lib"
    for dist in lib.glob("python*/site-packages/poetry-*.dist-info"):
        try:
            return tuple(int(x) for x in dist.name[len("poetry-"):-len(".dist-info")].split(".")[:2])
        except ValueError:
            return None
    return None


class PoetryBackend(Backend):
    name = "poetry"
    writes = ("poetry.lock",)  # a fresh project's first `poetry sync` locks it first
    sync_label = "poetry sync"
    supports_extras = supports_groups = True  # --extras, --with (commands)
    # What env_path reads: POETRY_* settings (setting), and where Poetry's config.toml is.
    location_vars = ("POETRY_VIRTUALENVS_IN_PROJECT", "POETRY_VIRTUALENVS_PATH", "POETRY_CACHE_DIR",
                     "POETRY_CONFIG_DIR")
    tool, title = "poetry", "Poetry"
    min_tool_version = (1, 2)  # `poetry install --sync`; `poetry sync` needs 2.0
    install = "install it: pipx install poetry"
    reinstall = "reinstall it: pipx install --force poetry"
    upgrade = "upgrade it: pipx upgrade poetry (or poetry self update)"

    def env_path(self, root, *, pyproject, environ):
        return env_path(root, pyproject, environ)

    def locate(self, project) -> Path | None:
        local = project.root / ".venv"
        if project.env == local and local.is_dir():
            return None  # an in-project .venv that exists is Poetry's env wherever it is allowed
        return env_info_path(project)

    def inputs(self, project) -> list[Path]:
        # Poetry's own config.toml decides where packages come from too.
        return [project.root / "pyproject.toml", project.root / "poetry.lock", project.root / "poetry.toml",
                config_file(os.environ)]

    def settings_files(self, project) -> list[Path]:
        return [config_file(os.environ)]

    def selection_words(self, project):
        return " ".join(["poetry sync", *options(project.selection, project.pyproject or {})])

    def refuses(self, project, layer):
        # A name the project does not declare fails the whole `poetry sync`
        # ("Group(s) not found: nope (via --without)", "Extra [nope] is not
        # specified."), --without included: said at `envhook use` time and
        # left out instead, as the pip backend does for a bare pyproject.toml.
        out = super().refuses(project, layer)
        pyproject = project.pyproject or {}
        groups, extras = declared(pyproject)
        out += [(k, g, f"pyproject.toml has no Poetry group {g}") for k in ("group", "no-group", "only-group")
                for g in layer.get(k, []) if venv.canonical(g) not in groups]
        out += [("extra", e, f"pyproject.toml has no extra {e}") for e in layer.get("extra", [])
                if venv.canonical(e) not in extras]
        return out

    def commands(self, project, *, keep=()):
        poetry = which("poetry", project)
        if poetry is None:
            raise ToolMissing(INSTALL_HINT)
        version = poetry_version(poetry)
        chosen = options(project.selection, project.pyproject or {})
        if version is not None and version < (2,):
            return [("poetry install --sync", [poetry, "install", "--sync", "--no-interaction", *chosen])]
        return [("poetry sync", [poetry, "sync", "--no-interaction", *chosen])]

    def tool_works(self, check, what, poetry, version, text):
        if version >= (2,):
            return super().tool_works(check, what, poetry, version, text)
        if poetry_version(poetry) is None:
            # commands reads the version from Poetry's installation, without
            # running it; when it cannot, it assumes Poetry 2 and runs `poetry sync`.
            return check.fail(what, f"{poetry} is Poetry {text}, but envhook cannot find its installation to "
                                    "tell, so it would run `poetry sync`, which came with Poetry 2", self.upgrade)
        return check.ok(f"{what}: poetry {text} ({check.show(poetry)}); synced with `poetry install --sync` "
                        "(`poetry sync` needs Poetry 2)")

    def lock_drift(self, project, *, now=None):
        try:
            now, lock, pyproject = load(project, self.lock, now)
        except ValueError as e:
            return LockDrift(None, error=str(e))
        # `poetry sync` keeps pip when the lock does not name it, nothing else
        # (poetry/puzzle/transaction.py).
        want = wanted(lock, pyproject, project.env, project.selection)
        return LockDrift(compare(want, now, exact=True, ignore=own_names(project),
                                 seeded=frozenset({"pip"})))


def env_info_path(project) -> Path | None:
    """`poetry env info --path`: the env Poetry uses for the project (half a
    second: Poetry and its plugins start). None when it names none, or no
    venv (with virtualenvs.create = false it names the interpreter's prefix)."""
    import subprocess  # loads selectors and threading (~3 ms): only when Poetry is asked, after a sync

    poetry = which("poetry", project)
    if poetry is None:
        return None
    try:
        r = subprocess.run([poetry, "env", "info", "--path", "--no-interaction"], cwd=project.root,
                           env=sync_environ(), stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = r.stdout.decode(errors="replace").strip().splitlines()
    if r.returncode != 0 or not lines:
        return None
    env = Path(lines[-1].strip())
    if not env.is_absolute() or venv.missing_reason(env):
        return None
    return env


def default_groups(pyproject: dict) -> set[str]:
    """The groups `poetry sync` installs with no options: main, and every
    group not marked optional. By their canonical names, as the lock writes
    them; `[tool.poetry.group.<name>] optional = true` also makes the
    [dependency-groups] group of that name optional (poetry-core's factory)."""
    tool = (pyproject.get("tool") or {}).get("poetry") or {}
    tables = {venv.canonical(k): v for k, v in (tool.get("group") or {}).items() if isinstance(k, str)}
    optional = {k for k, v in tables.items() if isinstance(v, dict) and v.get("optional") is True}
    groups = set(tables)
    groups.update(venv.canonical(k) for k in (pyproject.get("dependency-groups") or {}) if isinstance(k, str))
    if isinstance(tool.get("dev-dependencies"), dict):
        groups.add("dev")  # Poetry 1.0's spelling
    return {"main"} | (groups - optional)


def declared(pyproject: dict) -> tuple[set[str], set[str]]:
    """(every group Poetry knows, optional ones and main too; every extra),
    by canonical names."""
    tool = (pyproject.get("tool") or {}).get("poetry") or {}
    groups = {"main"} | default_groups(pyproject)
    groups.update(venv.canonical(k) for k in (tool.get("group") or {}) if isinstance(k, str))
    extras = set()
    for table in (((pyproject.get("project") or {}).get("optional-dependencies")), tool.get("extras")):
        if isinstance(table, dict):
            extras.update(venv.canonical(k) for k in table if isinstance(k, str))
    return groups, extras


def options(sel, pyproject: dict) -> list[str]:
    """The selection (env.selection) in Poetry's words: --with, --without,
    --only (Poetry's --only is uv's --only-group: main is a group there, not
    the project), --extras, --all-extras; uv's --no-default-groups is every
    default group but main left out."""
    if sel.only_groups:
        return ["--only", ",".join(sorted({*sel.only_groups, *sel.groups}))]
    without = set(sel.no_groups)
    if sel.no_default_groups:
        without |= default_groups(pyproject) - {"main"} - set(sel.groups)
    return [*(x for g in sel.groups for x in ("--with", g)), *(x for g in sorted(without) for x in ("--without", g)),
            *(x for e in sel.extras for x in ("--extras", e)), *(["--all-extras"] if sel.all_extras else [])]


def wanted(lock: dict, pyproject: dict, env: Path, sel=None) -> dict[str, Wanted]:
    """What `poetry sync` installs here, with the selection's options (options())."""
    groups = default_groups(pyproject)
    extras = ()
    if sel is not None:
        groups, _ = sel.group_set(groups - {"main"})
        groups = groups if sel.only_groups else groups | {"main"}
        extras = sel.extras
    groups = {venv.canonical(g) for g in groups}
    # The lock's [extras] table names the optional packages each extra brings.
    table = lock.get("extras") if isinstance(lock.get("extras"), dict) else {}
    chosen_extras = set(table) if sel is not None and sel.all_extras else set()
    chosen_extras = {venv.canonical(e) for e in (*extras, *chosen_extras)}
    by_extra = {venv.canonical(str(p).split()[0]) for e, pkgs in table.items()
                if venv.canonical(e) in chosen_extras and isinstance(pkgs, list) for p in pkgs}
    environment = marker_environment(env)
    out = {}
    for pkg in lock.get("package") or []:
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            continue
        if pkg.get("optional") is True and venv.canonical(pkg["name"]) not in by_extra:
            continue  # an extra's: installed only when asked for
        mine = pkg.get("groups")
        markers = pkg.get("markers")
        if isinstance(mine, list):
            chosen = [g for g in mine if g in groups]
            if not chosen:
                continue
            if isinstance(markers, dict):  # one marker per group
                if not any(marker_true(markers.get(g), environment, chosen_extras) for g in chosen):
                    continue
            elif not marker_true(markers, environment, chosen_extras):
                continue
        elif isinstance(markers, str) and not marker_true(markers, environment, chosen_extras):
            continue
        source = pkg.get("source") if isinstance(pkg.get("source"), dict) else {}
        out[venv.canonical(pkg["name"])] = Wanted(
            str(pkg.get("version")), from_path=source.get("type") in ("directory", "file", "git", "url"))
    return out
