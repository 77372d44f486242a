"""PDM: pdm.lock or [tool.pdm]; synced with `pdm sync --clean` (clean, so
that a sync resets what was installed by hand, as `uv sync` and
`poetry sync` do); the env is the one PDM recorded in .pdm-python, else the
project's .venv (PDM's default, venv.in_project)."""

from __future__ import annotations

from pathlib import Path

from envhook.backends.base import Backend, ToolMissing, which
from envhook.backends.lockread import Wanted, compare, marker_environment, marker_true, own_names, read_lock

INSTALL_HINT = ("pdm not found on PATH; install it (`pipx install pdm`, or https://pdm-project.org) "
                "and run `envhook sync`")


def env_path(root: Path) -> Path:
    """The env of the interpreter PDM selected for the project (`pdm use`
    writes it to .pdm-python), when that is a venv; else .venv."""
    try:
        chosen = (root / ".pdm-python").read_text(errors="replace").strip()
    except OSError:
        chosen = ""
    if chosen:
        env = Path(chosen).parent.parent
        if not env.is_absolute():
            env = root / env
        if (env / "pyvenv.cfg").is_file():
            return env
    return root / ".venv"


class PdmBackend(Backend):
    name = "pdm"
    lock = "pdm.lock"
    # PDM records the interpreter it used in .pdm-python at the first sync.
    writes = (".pdm-python",)
    sync_label = "pdm sync --clean"

    def env_path(self, root, pyproject, environ):
        return env_path(root)

    def inputs(self, project) -> list[Path]:
        r = project.root
        return [r / "pyproject.toml", r / "pdm.lock", r / "pdm.toml", r / ".pdm-python"]

    def commands(self, project):
        pdm = which("pdm", project)
        if pdm is None:
            raise ToolMissing(INSTALL_HINT)
        return [("pdm sync --clean", [pdm, "sync", "--clean"])]

    def lock_drift(self, project, now=None):
        from envhook import venv
        from envhook.drift import LockDrift

        if now is None:
            now = venv.installed(project.env)
        try:
            lock = read_lock(project.root / "pdm.lock")
        except ValueError as e:
            return LockDrift(None, error=str(e))
        try:
            pyproject = read_lock(project.root / "pyproject.toml")
        except ValueError:
            pyproject = {}
        return LockDrift(compare(wanted(lock, pyproject, project.env), now, exact=True, ignore=own_names(project)))


def default_groups(pyproject: dict) -> set[str]:
    """What a plain `pdm sync` installs: the default group and every dev group."""
    groups = {"default"}
    pdm = (pyproject.get("tool") or {}).get("pdm") or {}
    for table in (pdm.get("dev-dependencies"), pyproject.get("dependency-groups")):
        if isinstance(table, dict):
            groups.update(k for k in table if isinstance(k, str))
    return groups


def wanted(lock: dict, pyproject: dict, env: Path) -> dict[str, Wanted]:
    from envhook import venv

    groups = default_groups(pyproject)
    environment = marker_environment(env)
    out = {}
    for pkg in lock.get("package") or []:
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            continue
        mine = pkg.get("groups")
        if isinstance(mine, list) and not any(g in groups for g in mine):
            continue
        if not marker_true(pkg.get("marker"), environment):
            continue
        name = pkg["name"].partition("[")[0]  # PDM locks extras as separate "name[extra]" entries
        from_path = any(k in pkg for k in ("path", "git", "url", "editable"))
        out[venv.canonical(name)] = Wanted(str(pkg.get("version")), from_path=from_path)
    return out
