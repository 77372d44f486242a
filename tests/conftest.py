"""Shared pytest fixtures: offline wheelhouse and a local index over it, uv cache, isolated HOME.

Helpers live in ``tests/support`` (imported as ``support.*``; this directory
is put on ``sys.path`` below so that works under any pytest import mode).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from support.users import users  # noqa: E402,F401 — the fixture of real second local users
from support.wheels import build_wheelhouse  # noqa: E402

_XDG_DIRS = {
    "XDG_CACHE_HOME": "cache",
    "XDG_CONFIG_HOME": "config",
    "XDG_DATA_HOME": "data",
    "XDG_STATE_HOME": "state",
    # Empty system-config search path, so no $XDG_CONFIG_DIRS/uv/uv.toml is read.
    "XDG_CONFIG_DIRS": "config-dirs",
}


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of hand-built wheels (see ``support.wheels.WHEELHOUSE_SPEC``)."""
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def package_index(wheelhouse: Path):
    """A PEP 503 simple index over the session wheelhouse, on 127.0.0.1 (for
    poetry/pdm projects: ``package_index.url`` is the ``/simple/`` URL). It
    lists the directory afresh on every request; a test that adds wheels
    should serve its own directory with ``support.index.LocalIndex``, as this
    wheelhouse is shared by the whole session."""
    from support.index import LocalIndex

    with LocalIndex(wheelhouse) as index:
        yield index


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A uv cache directory shared by the whole session (pass to ``uv_env``)."""
    return tmp_path_factory.mktemp("uv-cache")


@pytest.fixture
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and XDG_{CACHE,CONFIG,DATA,STATE}_HOME / XDG_CONFIG_DIRS at
    fresh, empty temp dirs for this test; return the HOME path."""
    base = tmp_path_factory.mktemp("isolated")
    home = base / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, name in _XDG_DIRS.items():
        d = base / name
        d.mkdir()
        monkeypatch.setenv(var, str(d))
    return home


@pytest.fixture(autouse=True)
def _never_the_real_home(isolated_home: Path) -> None:
    """Every test runs with HOME and XDG_* in temp dirs (platformdirs honours
    them), so no test can read or write the developer's real state."""


def _real_uv() -> str | None:
    """The first uv on PATH that is the program itself, not a shim in front of
    it (pyenv's picks a version from the project's .python-version, which
    tests change)."""
    import os

    # The dev group installs uv next to the test interpreter: that one first.
    for d in [os.path.dirname(sys.executable), *os.environ.get("PATH", "").split(os.pathsep)]:
        p = os.path.join(d, "uv")
        try:
            with open(os.path.realpath(p), "rb") as f:
                if f.read(4) == b"\x7fELF":
                    return p
        except OSError:
            continue
    return None


@pytest.fixture
def tool_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bin dir holding only `envhook` (this checkout's), the real `uv`, and
    the dev group's `poetry` and `pdm`: the shells under test get
    PATH=<this>:/usr/bin:/bin, so `which python` can only find an env's
    python or the system's."""
    import os

    d = tmp_path_factory.mktemp("bin")
    here = Path(sys.executable).parent
    envhook = here / "envhook"
    uv = _real_uv()
    if not envhook.exists():
        pytest.fail(f"envhook is not installed next to {sys.executable}; run the tests with `uv run pytest`")
    if uv is None:
        pytest.fail("uv is not on PATH; the tests sync real uv projects")
    for tool in ("poetry", "pdm"):
        if not (here / tool).exists():
            pytest.fail(
                f"{tool} is not installed next to {sys.executable}; it comes with the dev group"
                " (`uv sync`, or run the tests with `uv run pytest`)"
            )
    os.symlink(envhook, d / "envhook")
    os.symlink(os.path.realpath(uv), d / "uv")
    # The scripts themselves (their #! line names the dev venv's python).
    os.symlink(here / "poetry", d / "poetry")
    os.symlink(here / "pdm", d / "pdm")
    # The interpreter uv finds first on PATH for the projects' envs. Not
    # UV_PYTHON: that would also redirect `uv pip install` away from the
    # active env to this interpreter itself.
    base = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    os.symlink(base, d / f"python{sys.version_info[0]}.{sys.version_info[1]}")
    return d


@pytest.fixture
def shell_env(isolated_home: Path, uv_cache: Path, tool_bin: Path) -> dict[str, str]:
    """The environment a user's shell starts with: isolated HOME/XDG, offline
    uv, and poetry/pdm without prompts, update checks or keyring, poetry's new
    envs on the test interpreter (``support.backend_projects.TOOL_ENV_VARS``;
    no inherited POETRY_*/PDM_*). Poetry and PDM keep their config, caches,
    envs and logs under the temp XDG dirs."""
    import os

    from support.backend_projects import TOOL_ENV_VARS
    from support.projects import uv_env

    skip = ("ENVHOOK", "_ENVHOOK", "POETRY_", "PDM_")
    env = uv_env({k: v for k, v in os.environ.items() if not k.startswith(skip)}, uv_cache)
    for name in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV_PROMPT", "PROMPT_COMMAND", "ZDOTDIR"):
        env.pop(name, None)
    env.pop("UV_PYTHON", None)
    env.update(TOOL_ENV_VARS)
    env["PATH"] = f"{tool_bin}:/usr/bin:/bin"
    env["SHELL"] = "/bin/bash"
    # envhook colours its lines on a terminal, and the shells here run on one;
    # tests that expect raw bytes read them uncoloured (test_output checks colour).
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(params=["bash", "zsh", "fish"])
def shell(request) -> str:
    """Each real-shell test runs in bash, zsh and fish (a missing one fails under CI=true)."""
    from support.shell import require_shell

    require_shell(request.param)
    return request.param


@pytest.fixture
def open_shell(shell, isolated_home, shell_env, tmp_path):
    """Start an interactive shell (`shell`, or `sh=`) whose rc holds the hook
    line after `extra_rc`; every session is closed at the end of the test."""
    from support.hooktest import HOOK_LINE
    from support.shell import ShellSession

    sessions = []

    def start(cwd: Path | None = None, extra_rc: str = "", env: dict | None = None, sh: str | None = None):
        name = sh or shell
        rc = f"{extra_rc}\n{HOOK_LINE[name]}\n"
        s = ShellSession(name, isolated_home, rc, env or shell_env, cwd or tmp_path, timeout=90)
        sessions.append(s)
        return s

    yield start
    for s in sessions:
        s.close(force=True)
