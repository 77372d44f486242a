"""uv: the first backend, and the one the hook's entry may start before
anything heavy is loaded (prompt.entry.speculate), so this module imports
nothing but os and envhook's small modules at the top."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from envhook.backends import spawn
from envhook.backends.base import (
    SOURCE_FILES,
    UV_INSTALL,
    Backend,
    SyncOutcome,
    ToolMissing,
    finish,
    sync_environ,
    uv_config_files,
)
from envhook.env.selection import uv_args
from envhook.messages import quiet
from envhook.store.hashing import read_regular

if TYPE_CHECKING:
    from pathlib import Path  # not on the cached prompt path (tests/prompt/test_imports.py)

INSTALL_HINT = "uv not found on PATH; install it (https://docs.astral.sh/uv/) and run `envhook sync`"


def uv_path(env_dir: str) -> str | None:
    return spawn.which("uv", skip=os.path.normpath(os.path.join(env_dir, "bin")))


def start_sync(uv: str, root: str, log_path: str) -> spawn.Child:
    """Start `uv sync` for the project at root, its output also to
    `log_path` (sync.log); the hook's entry calls this before the full
    evaluation has even been imported."""
    # From the root, not the shell's cwd: that may be gone (a checkout removed
    # it), and a shim in front of uv (pyenv's) fails to start in a deleted cwd.
    log = spawn.Log(log_path)
    try:
        return spawn.start([uv, "--directory", root, "sync"], sync_environ(), cwd=root, log=log, show=not quiet())
    except BaseException:
        log.close()
        raise


def finish_sync(child: spawn.Child):
    try:
        return finish(child, "uv sync")
    finally:
        if child.log is not None:
            child.log.close()


def env_path(root: Path, environ=None) -> Path:
    """UV_PROJECT_ENVIRONMENT as uv reads it: relative to the workspace root, absolute as is."""
    from pathlib import Path  # not on the cached prompt path (tests/prompt/test_imports.py)

    value = (os.environ if environ is None else environ).get("UV_PROJECT_ENVIRONMENT")
    if value:
        return Path(os.path.normpath(root / value))
    return root / ".venv"


class UvBackend(Backend):
    name = "uv"
    # uv re-locks when pyproject.toml moved ahead of the lock (and writes the
    # first lock of a fresh project).
    writes = ("uv.lock",)
    sync_label = "uv sync"
    package_pins = True
    # Kept and pinned packages are left out of the sync, and their own
    # requirements are theirs (told as conflicts), not the sync's.
    resolves_whole = True
    supports_extras = supports_groups = True  # --extra, --group… (env.selection.uv_args)
    location_vars = ("UV_PROJECT_ENVIRONMENT",)
    tool = title = "uv"
    min_tool_version = (0, 13)  # `uv sync --output-format json` lists package changes (drift)
    min_tool_why = " to tell how an env differs from the lock"
    install = f"install it: {UV_INSTALL}"
    reinstall = f"reinstall it: {UV_INSTALL}"
    upgrade = "upgrade it: uv self update (or upgrade uv the way you installed it)"

    def env_path(self, root, *, pyproject, environ):
        return env_path(root, environ)

    def refuses(self, project, layer):
        # Every key is uv's own option, but a name the workspace does not
        # declare fails the whole `uv sync` ("Group `doc` is not defined"),
        # --no-group included: said at `envhook use` time and left out instead.
        groups, extras, members = declared(project)
        out = [(k, g, f"no pyproject.toml of {project.name} declares the dependency group {g}")
               for k in ("group", "no-group", "only-group") for g in layer.get(k, []) if _canonical(g) not in groups]
        out += [("extra", e, f"no pyproject.toml of {project.name} declares the extra {e}")
                for e in layer.get("extra", []) if _canonical(e) not in extras]
        packages = layer.get("packages")
        out += [("packages", m, f"{m} is not a package of the {project.name} workspace")
                for m in (packages if isinstance(packages, list) else []) if _canonical(m) not in members]
        return out

    def inputs(self, project) -> list[Path]:
        files = [project.root / "pyproject.toml"]
        files += [m / "pyproject.toml" for m in project.members]
        files += [project.root / "uv.lock", project.root / ".python-version"]
        # A path source's requirements are read from its own files: a
        # dependency added there is a change of what `uv sync` installs.
        files += [d / name for d in project.sources for name in SOURCE_FILES]
        return [*files, *uv_config_files(project.root)]

    def source_dirs(self, project) -> list[Path]:
        return path_sources(project)

    def commands(self, project, *, keep=()):
        uv = uv_path(str(project.env))
        if uv is None:
            raise ToolMissing(INSTALL_HINT)
        pinned = sorted({*_pinned(project), *keep})
        if pinned:
            # Inexact, so that a pinned or kept package is neither replaced
            # nor removed (nor installed, when it is absent on purpose); what
            # the lock no longer wants is removed afterwards (sync, below).
            skip = [x for n in pinned for x in ("--no-install-package", n)]
            return [("uv sync", [uv, "--directory", str(project.root), "sync", *selection(project),
                                 "--inexact", *skip])]
        return [("uv sync", [uv, "--directory", str(project.root), "sync", *selection(project)])]

    def sync(self, project, *, reason: str, started=None, keep=()):
        if started is not None:
            try:
                return super().sync(project, reason=reason, started=started, keep=keep)
            finally:
                if started.log is not None:
                    started.log.close()
        return super().sync(project, reason=reason, keep=keep)

    def run_plan(self, project, plan, *, run, keep):
        outcome = super().run_plan(project, plan, run=run, keep=keep)
        pinned = sorted({*_pinned(project), *keep})
        if outcome.status != "ok" or not pinned:
            return outcome
        return _remove_unwanted(project, pinned, run)

    def lock_drift(self, project, *, now=None):
        return uv_lock_drift(project, now)

    def explains(self, project, *, now, changed, ignore=frozenset(), lock=None) -> bool:
        return workspace_explains(project, now, changed, ignore, lock)


# Path sources followed from one project (each read as TOML): a bound on a
# hostile chain of them.
SOURCE_LIMIT = 64


def path_sources(project) -> list[Path]:
    """The directories `path` entries of [tool.uv.sources] name (editable or
    not), in the root's and the members' pyproject.toml, each relative to the
    file that names it, and in those directories' own pyproject.toml in turn
    (uv reads a path dependency's sources too); not the project or its
    members, which are inputs already. A path to a file (a wheel, an sdist)
    is not followed. Read as TOML only: nothing of them runs."""
    import tomllib  # not on the cached prompt path (tests/prompt/test_imports.py)
    from pathlib import Path  # not on the cached prompt path (tests/prompt/test_imports.py)

    def sources_of(directory: Path, data: dict | None) -> list[Path]:
        if data is None:
            try:
                data = tomllib.loads(read_regular(directory / "pyproject.toml").decode())
            except (OSError, ValueError):
                return []
        tool = data.get("tool")
        uv = tool.get("uv") if isinstance(tool, dict) else None
        table = uv.get("sources") if isinstance(uv, dict) else None
        out = []
        for entry in table.values() if isinstance(table, dict) else ():
            for source in entry if isinstance(entry, list) else [entry]:
                path = source.get("path") if isinstance(source, dict) else None
                if isinstance(path, str) and path and "\0" not in path:
                    out.append(Path(os.path.normpath(os.path.join(directory, path))))
        return out

    own = {project.root, *project.members}
    todo = [*sources_of(project.root, project.pyproject), *(s for m in project.members for s in sources_of(m, None))]
    found: list[Path] = []
    while todo and len(found) < SOURCE_LIMIT:
        d = todo.pop(0)
        if d in own or d in found or not d.is_dir():
            continue
        found.append(d)
        todo += sources_of(d, None)
    return found


def declared(project) -> tuple[set[str], set[str], set[str]]:
    """(the dependency groups, the extras, the package names) that the
    workspace's pyproject.toml files declare, by canonical names: what uv
    accepts for --group, --extra and --package. Read as TOML only."""
    import tomllib  # not on the cached prompt path (tests/prompt/test_imports.py)

    groups, extras, names = set(), set(), set()
    for i, d in enumerate((project.root, *project.members)):
        data = project.pyproject if i == 0 else None
        if data is None:
            try:
                data = tomllib.loads(read_regular(d / "pyproject.toml").decode())
            except (OSError, ValueError):
                continue
        table = data.get("project") if isinstance(data.get("project"), dict) else {}
        groups.update(_canonical(k) for k in (data.get("dependency-groups") or {}) if isinstance(k, str))
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        if isinstance(tool.get("uv"), dict) and tool["uv"].get("dev-dependencies"):
            groups.add("dev")  # uv's legacy spelling of the dev group
        extras.update(_canonical(k) for k in (table.get("optional-dependencies") or {}) if isinstance(k, str))
        if isinstance(table.get("name"), str):
            names.add(_canonical(table["name"]))
    return groups, extras, names


def selection(project, packages=None) -> list[str]:
    """The project's selection (env.selection: `envhook use`, uv's
    variables, [tool.envhook]) as `uv sync` options; `packages` instead of
    its workspace packages (True, or member names)."""
    return uv_args(project.selection, packages)


def _dry_run(uv: str, root: Path, mode: str, chosen: list[str] = ()) -> tuple[int, dict | None, str]:
    import json  # not on the cached prompt path (tests/prompt/test_imports.py)
    import subprocess  # not on the cached prompt path (tests/prompt/test_imports.py)

    try:
        r = subprocess.run(
            # No interpreter downloads: a question must not fetch a Python
            # (a .python-version asking for one not installed made this take
            # seconds of retries).
            [uv, "--directory", str(root), "sync", mode, *chosen, "--dry-run", "--no-python-downloads",
             "--output-format", "json"],
            env=sync_environ(), cwd=root, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, None, str(e)
    try:
        data = json.loads(r.stdout)
    except ValueError:
        data = None
    lines = [ln for ln in r.stderr.decode(errors="replace").splitlines() if ln.startswith("error")]
    return r.returncode, data if isinstance(data, dict) else None, (lines[0] if lines else "")


def uv_lock_drift(project, now: dict[str, str] | None = None, chosen: list[str] | None = None):
    """Ask uv (`uv sync --locked --dry-run`) how the env differs from the lock
    (for the project's selection, or `chosen` options instead). Only for
    trusted projects: with a lock out of date uv resolves, which may build
    the project."""
    from envhook.env import venv  # json, re, pathlib: not before the entry's early sync
    from envhook.env.drift import Change, LockDrift, split  # not before the entry's early sync

    uv = uv_path(str(project.env))
    if uv is None:
        return LockDrift(None, error="uv not found on PATH")
    if now is None:
        now = venv.installed(project.env)
    chosen = selection(project) if chosen is None else chosen
    code, data, error = _dry_run(uv, project.root, "--locked", chosen)
    outdated = False
    if code != 0 and "needs to be updated" in error:
        outdated = True
        code, data, error = _dry_run(uv, project.root, "--frozen", chosen)
    sync = data.get("sync") if data else None
    if code == 0 and isinstance(sync, dict) and not isinstance(sync.get("changes"), list):
        # The JSON report is a preview of uv's; the package list came late (uv #16981).
        return LockDrift(None, error="this uv does not list package changes in `uv sync --output-format json`; "
                                     "a newer uv does (tested with 0.13)")
    if code != 0 or not isinstance(sync, dict):
        return LockDrift(None, error=error or f"`uv sync --dry-run` failed (exit {code})")
    locked: dict[str, str | None] = {}
    gone: set[str] = set()
    for c in sync["changes"]:
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            continue
        name = venv.canonical(c["name"])
        if c.get("action") == "installed" and c.get("version") is None:
            # A source tree uv would build again (the project itself after
            # its pyproject.toml was rewritten, e.g. by git checkout): if the
            # env has it from a path already, that is a rebuild, not drift.
            if split(now.get(name) if now else None)[1] is not None:
                locked[name] = now[name]
                continue
            locked[name] = _own_version(project, name)
        elif c.get("action") == "installed":
            locked[name] = str(c.get("version"))
        elif c.get("action") == "uninstalled":
            gone.add(name)
    replace = sync.get("action") == "replace"
    changes = []
    for n in sorted(set(locked) | gone):
        # The installed side comes from the env itself, which knows where an
        # editable install points; uv's JSON gives only versions.
        have, want = now.get(n), locked.get(n)
        if have == want or (n not in gone and have is not None and split(have)[0] == want):
            continue  # rebuilt in place, or reinstalled only because the whole env would be replaced
        if have is None and want is None:
            continue
        changes.append(Change(n, have, want))
    return LockDrift(changes, outdated=outdated, replace=replace)


def _own_version(project, name: str) -> str:
    """The version of a package uv builds from the workspace (the project
    itself, a member), as its pyproject.toml says; uv's JSON gives none."""
    from envhook.backends.lockread import read_lock  # loads packaging
    from envhook.env import venv  # json, re, pathlib: not before the entry's early sync

    for d in (project.root, *project.members):
        try:
            table = read_lock(d / "pyproject.toml").get("project") or {}
        except ValueError:
            continue
        if isinstance(table, dict) and venv.canonical(str(table.get("name", ""))) == name:
            version = table.get("version")
            return str(version) if isinstance(version, str) else "from source"
    return "from source"


# More than this many members are not tried one by one (each is a dry run).
MEMBER_TRIES = 32


def workspace_explains(project, now: dict[str, str], changed: set[str], ignore=frozenset(), lock=None) -> bool:
    """Did uv's own workspace commands leave the env as it is? `uv run` in a
    member's directory installs that member and what it needs, keeping the
    rest (an inexact sync); `uv sync --package M` / `--all-packages` sync
    exactly for M / for all. Each selection's dry run that finds nothing to
    install names what it would remove; the env is uv's doing when nothing
    is removed by all of them, i.e. every package is wanted by one of the
    selections, at the locked version. `changed`: the names that moved (the
    members among them are tried first); `ignore`: pinned names; `lock`: the
    project's own selection's answer, when uv was asked it already."""
    if not project.members:
        return False
    from envhook.backends.lockread import own_names  # loads packaging

    members = sorted(own_names(project) - {_canonical(project.name)})
    first = [m for m in members if m in changed]
    rest = [m for m in members if m not in changed][:MEMBER_TRIES]
    tried: list[set[str]] = []
    for packages in (None, True, *((m,) for m in first), *((m,) for m in rest)):
        known = lock if packages is None else None  # the same dry run, not asked twice
        removes = _only_removes(project, now, selection(project, packages), ignore, known)
        if removes is not None:
            tried.append(removes)
            if not set.intersection(*tried):
                return True
    return False


def _only_removes(project, now, chosen: list[str], ignore, drift=None) -> set[str] | None:
    """What syncing `chosen` exactly would remove, when it would install or
    change nothing; None when it would (or uv cannot tell). `drift`: uv's
    answer for `chosen`, when known."""
    if drift is None:
        drift = uv_lock_drift(project, now, chosen)
    if drift.changes is None or drift.outdated or drift.replace:
        return None
    changes = [c for c in drift.changes if c.name not in ignore]
    if any(c.locked is not None for c in changes):
        return None
    return {c.name for c in changes}


def _canonical(name: str) -> str:
    from envhook.env import venv  # json, re, pathlib: not before the entry's early sync

    return venv.canonical(name)


def _pinned(project) -> list[str]:
    from envhook.store.pins import load_package_pins  # json: not before the entry's early sync

    return sorted(load_package_pins(project.root))


def _remove_unwanted(project, pinned: list[str], run):
    """After an inexact sync: remove what the lock does not want (a
    dependency it dropped, a package installed by hand), except the pins and
    the kept hand-made changes. uv's own dry run names them, as an exact
    `uv sync` would remove them. The outcome carries the drift left after it:
    exactly the packages the sync left as they are."""
    from envhook.env.drift import LockDrift  # not before the entry's early sync
    from envhook.store.records import SYNC_FAILED  # json: not before the entry's early sync

    drift = uv_lock_drift(project)
    if drift.changes is None:
        return SyncOutcome(SYNC_FAILED, f"cannot tell what the lock no longer wants ({drift.error})")
    extra = [c.name for c in drift.changes if c.locked is None and c.name not in pinned]
    left = LockDrift([c for c in drift.changes if c.name not in extra], outdated=drift.outdated,
                     replace=drift.replace)
    if not extra:
        return SyncOutcome("ok", drift=left)
    uv = uv_path(str(project.env))
    argv = [uv, "pip", "uninstall", "--python", str(project.env / "bin" / "python"), *extra]
    if _quiet():
        argv.insert(1, "--quiet")
    outcome = run("uv pip uninstall", argv)
    if outcome.status == "ok":
        outcome.drift = left
    return outcome


def _quiet() -> bool:
    return quiet()
