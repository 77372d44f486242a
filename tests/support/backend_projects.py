"""Real, offline Poetry / PDM / requirements.txt projects for tests.

Each Poetry or PDM project is written by hand and then locked by the real tool
(``poetry`` / ``pdm`` from the dev group, next to the test interpreter)
against a local simple index (:class:`support.index.LocalIndex`, see the
``package_index`` fixture), never PyPI:

* Poetry: ``[[tool.poetry.source]]`` named ``local`` with
  ``priority = "primary"`` -- a primary source disables PyPI;
* PDM: ``[[tool.pdm.source]]`` named ``pypi`` -- that name replaces PyPI.

:func:`tool_env` also points every proxy variable at a dead port (loopback
exempt), so a tool that still tried PyPI would fail instead of going online.

The builders leave the project as a fresh clone would be: pyproject.toml,
the lock file (and ``poetry.toml`` when asked), but no environment and no
``.pdm-python``.  (Both ``poetry lock`` and ``pdm lock`` would otherwise
create a virtualenv as a side effect; the lock runs with
``POETRY_VIRTUALENVS_CREATE=false`` / ``PDM_USE_VENV=false`` +
``PDM_PYTHON=<base interpreter>``, which changes nothing in the lock file.)

Python ``requires-python`` defaults to ``>=3.11``, like :mod:`support.projects`.
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

from support.localpkg import BACKEND_MODULE, BACKEND_SOURCE
from support.projects import base_python, set_dependencies, toml_array, toml_str

__all__ = [
    "TOOL_ENV_VARS",
    "DEAD_PROXY",
    "ToolError",
    "tool_env",
    "tool_binary",
    "run_poetry",
    "run_pdm",
    "poetry_lock",
    "pdm_lock",
    "make_poetry_project",
    "make_pdm_project",
    "make_pip_project",
    "relock_poetry",
    "relock_pdm",
    "locked_versions",
    "poetry_env_path",
    "site_packages",
    "installed_versions",
]

# Settings every poetry/pdm run in the tests gets (tool_env) and that the
# shells under test start with (the shell_env fixture): no prompts, no update
# checks, no keyring (Secret Service over D-Bus can hang or prompt), and one
# known interpreter for poetry's new envs.
TOOL_ENV_VARS: dict[str, str] = {
    "POETRY_NO_INTERACTION": "1",
    # Poetry otherwise takes `python` from PATH, and failing that the newest
    # `python` findpython sees (pyenv's, e.g. 3.13 here): the shells' PATH has
    # no `python`.  This makes it the interpreter poetry runs on, i.e. the
    # test interpreter's venv -> base_python() (the same one uv picks).
    "POETRY_VIRTUALENVS_USE_POETRY_PYTHON": "true",
    "POETRY_KEYRING_ENABLED": "false",
    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    # PDM checks PyPI for a newer PDM after commands unless this is off.
    "PDM_CHECK_UPDATE": "false",
    "PDM_NON_INTERACTIVE": "1",
}

# Nothing listens on the discard port: a request that would leave the machine
# fails at once with "connection refused".
DEAD_PROXY = "http://127.0.0.1:9"
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

_STRIP_PREFIXES = ("POETRY_", "PDM_", "PIP_", "VIRTUALENV_")
_STRIP_VARS = (
    "VIRTUAL_ENV",
    "VIRTUAL_ENV_PROMPT",
    "CONDA_PREFIX",
    "CONDA_DEFAULT_ENV",
    "PYTHONHOME",
    "PYTHONPATH",
)


# --------------------------------------------------------------------- running

def tool_env(base_env: Mapping[str, str], *, proxy: str | None = DEAD_PROXY) -> dict[str, str]:
    """Environment for running poetry / pdm offline, isolated, without prompts.

    Starts from a copy of *base_env* (usually ``os.environ`` once the
    ``isolated_home`` fixture has moved HOME/XDG_* to temp dirs: poetry and
    PDM keep config, caches, envs and logs under those, via platformdirs),
    drops every inherited ``POETRY_*``, ``PDM_*``, ``PIP_*``, ``VIRTUALENV_*``
    variable and VIRTUAL_ENV / CONDA_PREFIX / CONDA_DEFAULT_ENV /
    VIRTUAL_ENV_PROMPT / PYTHONHOME / PYTHONPATH (poetry and PDM would use an
    active venv), then sets :data:`TOOL_ENV_VARS`.  With *proxy* (default: a
    dead port) ``HTTP(S)_PROXY`` / ``ALL_PROXY`` (both cases) point at it and
    ``NO_PROXY`` exempts loopback, so only the local index is reachable;
    ``proxy=None`` leaves the proxy variables as they are.  ``UV_*`` is kept,
    so ``tool_env(uv_env(...))`` composes.
    """
    env = {
        k: v
        for k, v in base_env.items()
        if k not in _STRIP_VARS and not k.startswith(_STRIP_PREFIXES)
    }
    env.update(TOOL_ENV_VARS)
    if proxy is not None:
        for var in _PROXY_VARS:
            env[var] = env[var.lower()] = proxy
        no_proxy = [h for h in env.get("NO_PROXY", env.get("no_proxy", "")).split(",") if h.strip()]
        no_proxy += [h for h in _LOOPBACK if h not in no_proxy]
        env["NO_PROXY"] = env["no_proxy"] = ",".join(no_proxy)
    return env


class ToolError(subprocess.CalledProcessError):
    """A failed poetry/pdm command; ``str()`` includes its stdout and stderr."""

    def __str__(self) -> str:
        return (
            f"{super().__str__()}\n--- stdout ---\n{self.stdout or ''}"
            f"--- stderr ---\n{self.stderr or ''}"
        )


def tool_binary(name: str, env: Mapping[str, str] | None = None) -> str:
    """Path of ``poetry`` / ``pdm``: the dev group's, next to the test
    interpreter, else the first on *env*'s PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name, path=(env or os.environ).get("PATH"))
    if found is None:
        raise FileNotFoundError(f"{name} is not installed next to {sys.executable} nor on PATH (dev group)")
    return found


def _run(tool: str, path: Path, env: Mapping[str, str], args: tuple[str, ...], check: bool, extra: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [tool_binary(tool, env), *args]
    proc = subprocess.run(
        cmd,
        cwd=os.fspath(path),
        env={**env, **(extra or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise ToolError(proc.returncode, cmd, proc.stdout, proc.stderr)
    return proc


def run_poetry(path: Path, env: Mapping[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``poetry <args...>`` with cwd=*path*, output captured as text;
    a non-zero exit raises :class:`ToolError` unless ``check=False``."""
    return _run("poetry", path, env, args, check)


def run_pdm(path: Path, env: Mapping[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``pdm <args...>`` with cwd=*path*, output captured as text;
    a non-zero exit raises :class:`ToolError` unless ``check=False``."""
    return _run("pdm", path, env, args, check)


def poetry_lock(path: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``poetry lock`` in *path*, creating no virtualenv (check=True)."""
    return _run("poetry", path, env, ("lock",), True, {"POETRY_VIRTUALENVS_CREATE": "false"})


def pdm_lock(path: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``pdm lock`` in *path* (all groups), creating no virtualenv and no
    ``.pdm-python`` (check=True)."""
    return _run("pdm", path, env, ("lock",), True, {"PDM_USE_VENV": "false", "PDM_PYTHON": base_python()})


# -------------------------------------------------------------------- projects

def _module_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _project_table(name: str, deps: Iterable[str], requires_python: str, dev_deps: Iterable[str]) -> str:
    text = (
        "[project]\n"
        f"name = {toml_str(name)}\n"
        'version = "0.1.0"\n'
        f"requires-python = {toml_str(requires_python)}\n"
        f"dependencies = {toml_array(deps)}\n"
    )
    dev_deps = list(dev_deps)
    if dev_deps:
        text += f"\n[dependency-groups]\ndev = {toml_array(dev_deps)}\n"
    return text


def _write_package(path: Path, name: str) -> None:
    pkg = path / "src" / _module_name(name)
    pkg.mkdir(parents=True, exist_ok=True)
    init = pkg / "__init__.py"
    if not init.exists():
        init.write_text('__version__ = "0.1.0"\n', encoding="utf-8")


def make_poetry_project(
    path: Path,
    index_url: str,
    deps: Iterable[str] = ("tinkerpkg==1.0",),
    *,
    name: str = "demo",
    package_mode: bool = True,
    in_project: bool | None = True,
    env: Mapping[str, str] | None = None,
    dev_deps: Iterable[str] = (),
    requires_python: str = ">=3.11",
    lock: bool = True,
) -> Path:
    """Write a Poetry 2 project at *path* and ``poetry lock`` it against *index_url*.

    pyproject.toml: PEP 621 ``[project]`` (version 0.1.0, *deps*), a
    ``[dependency-groups] dev`` when *dev_deps*, the *index_url* as the only
    (primary) source and, in *package_mode*, ``[build-system]`` poetry-core
    plus ``src/<module>/__init__.py`` (``poetry sync`` then installs the
    project itself, editable); otherwise ``[tool.poetry] package-mode = false``.
    *in_project* True/False writes ``poetry.toml`` with
    ``[virtualenvs] in-project = true/false``; None writes no poetry.toml.
    *env* defaults to ``tool_env(os.environ)``.  Returns *path*.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    parts = [_project_table(name, deps, requires_python, dev_deps)]
    if not package_mode:
        parts.append("[tool.poetry]\npackage-mode = false\n")
    parts.append(
        "[[tool.poetry.source]]\n"
        'name = "local"\n'
        f"url = {toml_str(index_url)}\n"
        'priority = "primary"\n'
    )
    if package_mode:
        parts.append(
            "[build-system]\n"
            'requires = ["poetry-core>=2.0"]\n'
            'build-backend = "poetry.core.masonry.api"\n'
        )
        _write_package(path, name)
    (path / "pyproject.toml").write_text("\n".join(parts), encoding="utf-8")
    if in_project is not None:
        (path / "poetry.toml").write_text(
            f"[virtualenvs]\nin-project = {'true' if in_project else 'false'}\n", encoding="utf-8"
        )
    if lock:
        poetry_lock(path, env if env is not None else tool_env(os.environ))
    return path


def make_pdm_project(
    path: Path,
    index_url: str,
    deps: Iterable[str] = ("tinkerpkg==1.0",),
    *,
    name: str = "demo",
    distribution: bool = False,
    env: Mapping[str, str] | None = None,
    dev_deps: Iterable[str] = (),
    requires_python: str = ">=3.11",
    lock: bool = True,
) -> Path:
    """Write a PDM project at *path* and ``pdm lock`` it against *index_url*.

    pyproject.toml: PEP 621 ``[project]`` (version 0.1.0, *deps*), a
    ``[dependency-groups] dev`` when *dev_deps*, ``[[tool.pdm.source]]``
    named ``pypi`` with *index_url* (replacing PyPI) and
    ``[tool.pdm] distribution = ...``.  With *distribution*, the project is
    buildable offline: ``[build-system]`` names the in-tree, stdlib-only
    backend of :mod:`support.localpkg` (``requires = []``), and
    ``src/<module>/__init__.py`` is written; ``pdm sync`` then installs the
    project itself, editable (a ``.pth`` to ``src``).  *env* defaults to
    ``tool_env(os.environ)``.  Returns *path*.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    parts = [
        _project_table(name, deps, requires_python, dev_deps),
        "[[tool.pdm.source]]\n"
        'name = "pypi"\n'
        f"url = {toml_str(index_url)}\n",
        f"[tool.pdm]\ndistribution = {'true' if distribution else 'false'}\n",
    ]
    if distribution:
        parts.append(
            "[build-system]\n"
            "requires = []\n"
            f"build-backend = {toml_str(BACKEND_MODULE)}\n"
            'backend-path = ["."]\n'
        )
        (path / f"{BACKEND_MODULE}.py").write_text(BACKEND_SOURCE, encoding="utf-8")
        _write_package(path, name)
    (path / "pyproject.toml").write_text("\n".join(parts), encoding="utf-8")
    if lock:
        pdm_lock(path, env if env is not None else tool_env(os.environ))
    return path


def make_pip_project(
    path: Path,
    deps: Iterable[str] = ("tinkerpkg==1.0",),
    *,
    filename: str = "requirements.txt",
) -> Path:
    """Write *deps*, one requirement a line, to ``<path>/<filename>`` (no tool
    is run, no pyproject.toml).  Returns *path*."""
    path = Path(path)
    target = path / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"{d}\n" for d in deps), encoding="utf-8")
    return path


def relock_poetry(path: Path, deps: Iterable[str], env: Mapping[str, str]) -> Path:
    """Replace ``[project].dependencies`` with *deps* and ``poetry lock`` again
    (a teammate's lock change).  Returns the poetry.lock path."""
    set_dependencies(path, deps)
    poetry_lock(path, env)
    return Path(path) / "poetry.lock"


def relock_pdm(path: Path, deps: Iterable[str], env: Mapping[str, str]) -> Path:
    """Replace ``[project].dependencies`` with *deps* and ``pdm lock`` again.
    Returns the pdm.lock path."""
    set_dependencies(path, deps)
    pdm_lock(path, env)
    return Path(path) / "pdm.lock"


# ---------------------------------------------------------------- inspection

def locked_versions(path: Path) -> dict[str, str]:
    """``{name: version}`` from *path*'s poetry.lock or pdm.lock (*path* is
    the project directory or the lock file itself)."""
    path = Path(path)
    if path.is_dir():
        found = [p for p in (path / "poetry.lock", path / "pdm.lock") if p.exists()]
        if len(found) != 1:
            raise FileNotFoundError(f"{path}: expected exactly one of poetry.lock / pdm.lock, found {found}")
        path = found[0]
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in data.get("package", [])}


def poetry_env_path(path: Path, env: Mapping[str, str]) -> Path | None:
    """``poetry env info --path`` for the project at *path* (None when poetry
    reports no env: it then prints nothing and exits 1)."""
    proc = run_poetry(path, env, "env", "info", "--path", check=False)
    out = proc.stdout.strip()
    return Path(out) if proc.returncode == 0 and out else None


def site_packages(venv: Path) -> Path:
    """The one ``lib/python*/site-packages`` of a POSIX *venv*."""
    found = sorted(Path(venv).glob("lib/python*/site-packages"))
    if len(found) != 1:
        raise FileNotFoundError(f"{venv}: expected one lib/python*/site-packages, found {found}")
    return found[0]


def installed_versions(venv: Path) -> dict[str, str]:
    """``{normalized name: version}`` read from the ``*.dist-info`` dirs of
    *venv*'s site-packages (nothing is imported or run)."""
    out = {}
    for d in site_packages(venv).glob("*.dist-info"):
        name, _, version = d.name[: -len(".dist-info")].partition("-")
        out[re.sub(r"[-_.]+", "-", name).lower()] = version
    return out
