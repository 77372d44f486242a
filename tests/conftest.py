"""Shared pytest fixtures: an offline wheelhouse, a uv cache and an isolated HOME.

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
