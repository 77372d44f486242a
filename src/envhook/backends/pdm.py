"""PDM: pdm.lock or [tool.pdm]; synced with `pdm sync --clean` (clean, so
that a sync resets what was installed by hand, as `uv sync` and
`poetry sync` do), or `pdm install` while there is no lock yet; the env is
the one PDM recorded in .pdm-python, else the project's .venv (PDM's
default, venv.in_project)."""

from __future__ import annotations

from pathlib import Path

from envhook.backends.base import Backend, ToolMissing, which
from envhook.backends.lockread import Wanted, compare, load, own_names, read_lock
from envhook.env import venv
from envhook.env.drift import LockDrift
from envhook.env.markers import marker_environment, marker_true
from envhook.store.hashing import read_regular
from envhook.store.paths import _user_dir

INSTALL_HINT = ("pdm not found on PATH; install it (`pipx install pdm`, or https://pdm-project.org) "
                "and run `envhook sync`")


def env_path(root: Path) -> Path:
    """The env of the interpreter PDM selected for the project (`pdm use`
    writes it to .pdm-python), when that is a venv; else .venv."""
    try:
        chosen = read_regular(root / ".pdm-python").decode(errors="replace").strip()
    except OSError:
        chosen = ""
    if chosen:
        env = Path(chosen).parent.parent
        if not env.is_absolute():
            env = root / env
        if (env / "pyvenv.cfg").is_file():
            return env
    return root / ".venv"


def user_config() -> Path:
    """PDM's global config.toml (sources, install options)."""
    return Path(_user_dir("config", "XDG_CONFIG_HOME", "~/.config", app="pdm")) / "config.toml"


class PdmBackend(Backend):
    name = "pdm"
    # PDM records the interpreter it used in .pdm-python at the first sync,
    # and a fresh project's first sync (`pdm install`) writes its lock.
    writes = (".pdm-python", "pdm.lock")
    sync_label = "pdm sync --clean"
    # Where `pdm` makes the env it then records in .pdm-python (an input).
    location_vars = ("PDM_VENV_IN_PROJECT",)
    tool, title = "pdm", "PDM"
    supports_extras = supports_groups = True  # -G (extras are groups too), --without, --prod (options)
    install = "install it: pipx install pdm"
    reinstall = "reinstall it: pipx install --force pdm"

    def env_path(self, root, *, pyproject, environ):
        return env_path(root)

    def inputs(self, project) -> list[Path]:
        r = project.root
        return [r / "pyproject.toml", r / "pdm.lock", r / "pdm.toml", r / ".pdm-python", user_config()]

    def selection_words(self, project):
        return " ".join(["pdm sync --only-keep", *options(project)])

    def refuses(self, project, layer):
        # PDM ignores a group the project does not declare ("Ignoring
        # non-existing groups": `--only-group nope` synced an empty env), and
        # `pdm sync -G E` fails for an extra or group pdm.lock was not made
        # with ("Requested groups not in lockfile", e.g. a plain `pdm lock`
        # has no extras): said at `envhook use` time and left out instead.
        out = super().refuses(project, layer)
        pyproject = project.pyproject or {}
        extras = {venv.canonical(k) for k in ((pyproject.get("project") or {}).get("optional-dependencies") or {})
                  if isinstance(k, str)}
        groups = dev_groups(pyproject)
        try:
            locked = ((read_lock(project.root / "pdm.lock").get("metadata") or {}).get("groups")
                      if (project.root / "pdm.lock").is_file() else None)
        except ValueError:
            locked = None
        for key in ("group", "only-group", "extra"):
            for name in layer.get(key, []):
                known = extras if key == "extra" else groups | extras
                if venv.canonical(name) not in known:
                    what = "extra" if key == "extra" else "dependency group"
                    out.append((key, name, f"pyproject.toml has no {what} {name}"))
                elif isinstance(locked, list) and venv.canonical(name) not in locked:
                    out.append((key, name, f"pdm.lock was not made with it; `pdm lock -G {name}` adds it"))
        return out

    def commands(self, project, *, keep=()):
        pdm = which("pdm", project)
        if pdm is None:
            raise ToolMissing(INSTALL_HINT)
        chosen = [] if project.selection.empty else options(project)
        if not (project.root / "pdm.lock").exists():
            # A fresh `pdm init`: `pdm sync` refuses to run without a lock,
            # `pdm install` writes one first (as `poetry sync` and `uv sync` do).
            return [("pdm install", [pdm, "install", *chosen])]
        # A choice of groups (`envhook use`) is synced with --only-keep:
        # --clean removes only what the lock does not name at all, so a group
        # left out (`--no-group lint`, `--no-default-groups`) stayed installed;
        # --only-keep removes what the selected groups do not need (pip,
        # setuptools and wheel kept), as `uv sync --no-group` and `poetry
        # sync --without` do. No choice: --clean, as before.
        clean = "--clean" if project.selection.empty else "--only-keep"
        return [(f"pdm sync {clean}", [pdm, "sync", clean, *chosen])]

    def lock_drift(self, project, *, now=None):
        try:
            now, lock, pyproject = load(project, self.lock, now)
        except ValueError as e:
            return LockDrift(None, error=str(e))
        want = wanted(lock, pyproject, project.env, None if project.selection.empty else project.selection)
        # `--clean` removes only what the lock does not name at all: a locked
        # package this env does not get (another group, a marker) stays, as
        # it was installed (pdm's BaseSynchronizer.compare_with_working_set).
        kept = {venv.canonical(p["name"].partition("[")[0]) for p in lock.get("package") or []
                if isinstance(p, dict) and isinstance(p.get("name"), str)} - set(want)
        if not project.selection.empty:
            kept = set()  # synced with --only-keep (commands): those are removed, so they are drift
        return LockDrift(compare(want, now, exact=True, ignore=own_names(project) | kept))


def default_groups(pyproject: dict, lock: dict | None = None) -> set[str]:
    """What a plain `pdm sync` installs (pdm's GroupSelection): the groups
    the lock was made with that the project still has; for a lock that does
    not list them, the default group and every dev group. By canonical
    names, as the lock writes them."""
    dev = dev_groups(pyproject)
    locked = ((lock or {}).get("metadata") or {}).get("groups")
    if isinstance(locked, list) and locked:
        extras = ((pyproject.get("project") or {}).get("optional-dependencies") or {})
        have = {"default"} | dev | {venv.canonical(k) for k in extras if isinstance(k, str)}
        return {g for g in locked if isinstance(g, str) and g in have}
    return {"default"} | dev


def dev_groups(pyproject: dict) -> set[str]:
    """PDM's dev groups: [tool.pdm.dev-dependencies] and PEP 735's."""
    dev = set()
    pdm = (pyproject.get("tool") or {}).get("pdm") or {}
    for table in (pdm.get("dev-dependencies"), pyproject.get("dependency-groups")):
        if isinstance(table, dict):
            dev.update(venv.canonical(k) for k in table if isinstance(k, str))
    return dev


def chosen_groups(sel, pyproject: dict, lock: dict | None) -> set[str]:
    """The groups a sync installs for the selection (env.selection), from
    what a plain `pdm sync` installs: PDM's extras are groups too, and
    "default" is the project's own dependencies."""
    if sel.only_groups:
        return set(sel.only_groups) | set(sel.groups)
    base, dev = default_groups(pyproject, lock), dev_groups(pyproject)
    groups = set() if sel.no_default_groups else base & dev
    groups |= base - dev  # "default", and the optional groups the lock was made with
    groups |= set(sel.groups) | set(sel.extras)
    if sel.all_extras:
        groups |= {venv.canonical(k) for k in ((pyproject.get("project") or {}).get("optional-dependencies") or {})
                   if isinstance(k, str)}
    return groups - set(sel.no_groups)


def options(project) -> list[str]:
    """The selection as `pdm sync` options. PDM adds every dev group unless
    one is named or --prod is given, so the groups are named exactly and
    --prod says "no dev group"; --no-default leaves the project's own
    dependencies out (uv's --only-group)."""
    pyproject = project.pyproject or {}
    try:
        lock = read_lock(project.root / "pdm.lock")
    except ValueError:
        lock = None
    groups = chosen_groups(project.selection, pyproject, lock)
    out = [x for g in sorted(groups - {"default"}) for x in ("-G", g)]
    if not groups & dev_groups(pyproject):
        out.append("--prod")
    if "default" not in groups:
        out.append("--no-default")
    return out


def wanted(lock: dict, pyproject: dict, env: Path, sel=None) -> dict[str, Wanted]:
    groups = default_groups(pyproject, lock) if sel is None else chosen_groups(sel, pyproject, lock)
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
