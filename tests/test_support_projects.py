"""Self-test of the offline uv fixtures in tests/support (real uv, no network)."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from support.projects import (
    base_python,
    make_project,
    make_workspace_member,
    set_dependencies,
    uv_env,
    uv_lock,
    uv_sync,
    venv_python,
)
from support.wheels import build_wheel

pytestmark = pytest.mark.usefixtures("isolated_home")


@pytest.fixture
def env(isolated_home: Path, uv_cache: Path) -> dict[str, str]:
    return uv_env(os.environ, uv_cache)


def installed(project: Path, module: str) -> str:
    out = subprocess.run(
        [str(venv_python(project)), "-c", f"import {module}; print({module}.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def not_installed(project: Path, module: str) -> bool:
    proc = subprocess.run(
        [str(venv_python(project)), "-c", f"import {module}"],
        capture_output=True,
        text=True,
    )
    return proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr


# ------------------------------------------------------------------ pure helpers

def test_build_wheel_is_well_formed(tmp_path: Path) -> None:
    whl = build_wheel(tmp_path, "Foo.Bar-baz", "1.2", ["otherpkg>=1.0"], {"extra/data.txt": "hi"})
    assert whl.name == "foo_bar_baz-1.2-py3-none-any.whl"
    with zipfile.ZipFile(whl) as zf:
        names = set(zf.namelist())
        di = "foo_bar_baz-1.2.dist-info"
        assert {"foo_bar_baz/__init__.py", "extra/data.txt", f"{di}/METADATA",
                f"{di}/WHEEL", f"{di}/RECORD"} <= names
        assert zf.read("foo_bar_baz/__init__.py").decode() == '__version__ = "1.2"\n'
        meta = zf.read(f"{di}/METADATA").decode().splitlines()
        assert "Metadata-Version: 2.1" in meta and "Version: 1.2" in meta
        assert "Requires-Dist: otherpkg>=1.0" in meta
        wheel = zf.read(f"{di}/WHEEL").decode().splitlines()
        assert {"Wheel-Version: 1.0", "Root-Is-Purelib: true", "Tag: py3-none-any"} <= set(wheel)
        rows = [line.split(",") for line in zf.read(f"{di}/RECORD").decode().splitlines()]
        assert {r[0] for r in rows} == names
        for arc, digest, size in rows:
            if arc.endswith("/RECORD"):
                assert digest == size == ""
                continue
            data = zf.read(arc)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode()
            assert int(size) == len(data)


def test_wheelhouse_contents(wheelhouse: Path) -> None:
    assert sorted(p.name for p in wheelhouse.glob("*.whl")) == [
        "chaina-1.0-py3-none-any.whl",
        "chaina-2.0-py3-none-any.whl",
        "chainb-1.0-py3-none-any.whl",
        "chainc-1.0-py3-none-any.whl",
        "chainc-2.0-py3-none-any.whl",
        "depkg-1.0-py3-none-any.whl",
        "extrapkg-1.0-py3-none-any.whl",
        "markerpkg-1.0-py3-none-any.whl",
        "otherpkg-1.0-py3-none-any.whl",
        "otherpkg-1.1-py3-none-any.whl",
        "tinkerpkg-1.0-py3-none-any.whl",
        "tinkerpkg-2.0-py3-none-any.whl",
        "tinkerpkg-3.0-py3-none-any.whl",
    ]


def test_make_project_and_set_dependencies(tmp_path: Path, wheelhouse: Path) -> None:
    proj = make_project(
        tmp_path / "p",
        wheelhouse,
        extra_toml='[tool.other]\nnote = "dependencies = [\\"x\\"]"\n',
        workspace_members=["packages/*"],
    )
    doc = tomllib.loads((proj / "pyproject.toml").read_text())
    assert doc["project"] == {
        "name": "demo",
        "version": "0.1.0",
        "requires-python": ">=3.11",
        "dependencies": ["tinkerpkg==1.0"],
    }
    assert doc["tool"]["uv"]["find-links"] == [str(wheelhouse.resolve())]
    assert doc["tool"]["uv"]["no-index"] is True
    assert doc["tool"]["uv"]["workspace"] == {"members": ["packages/*"]}
    assert "build-system" not in doc

    before = (proj / "pyproject.toml").read_text()
    deps = ['tinkerpkg[x]==2.0; python_version >= "3.11"', "depkg"]
    set_dependencies(proj, deps)
    after = (proj / "pyproject.toml").read_text()
    doc2 = tomllib.loads(after)
    assert doc2["project"]["dependencies"] == deps
    doc["project"]["dependencies"] = deps
    assert doc2 == doc
    # only the dependencies array changed
    head, _, tail = before.partition("dependencies = [")
    assert after.startswith(head) and after.endswith(tail.partition("]")[2])

    set_dependencies(proj / "pyproject.toml", [])
    assert tomllib.loads((proj / "pyproject.toml").read_text())["project"]["dependencies"] == []


def test_uv_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = {"PATH": os.environ["PATH"], "VIRTUAL_ENV": "/x", "UV_PROJECT_ENVIRONMENT": "/y",
            "CONDA_PREFIX": "/z", "UV_INDEX_URL": "http://nope", "KEEP": "1"}
    env = uv_env(base, tmp_path / "cache")
    for var in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX", "UV_INDEX_URL"):
        assert var not in env
    assert env["KEEP"] == "1"
    assert env["UV_OFFLINE"] == "1"
    assert env["UV_PYTHON_DOWNLOADS"] == "never"
    assert env["UV_CACHE_DIR"] == str(tmp_path / "cache")
    assert "UV_NO_CONFIG" not in env  # it would disable [tool.uv] in the project
    py = env["UV_PYTHON"]
    assert py == base_python() and os.path.isabs(py) and "shims" not in py.split(os.sep)
    version = subprocess.run([py, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "True"
    assert base == {"PATH": os.environ["PATH"], "VIRTUAL_ENV": "/x", "UV_PROJECT_ENVIRONMENT": "/y",
                    "CONDA_PREFIX": "/z", "UV_INDEX_URL": "http://nope", "KEEP": "1"}


def test_isolated_home(isolated_home: Path) -> None:
    assert os.environ["HOME"] == str(isolated_home)
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        d = Path(os.environ[var])
        assert d.is_dir() and not any(d.iterdir())
        assert d != isolated_home


# --------------------------------------------------------------------- real uv

def test_lock_sync_and_switch_versions(
    tmp_path: Path, wheelhouse: Path, env: dict, uv_cache: Path, isolated_home: Path
) -> None:
    proj = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(proj, env)
    lock = tomllib.loads((proj / "uv.lock").read_text())
    pkgs = {p["name"]: p for p in lock["package"]}
    assert pkgs["tinkerpkg"]["version"] == "1.0"
    assert pkgs["demo"]["source"] == {"virtual": "."}

    uv_sync(proj, env)
    assert installed(proj, "tinkerpkg") == "1.0"
    assert any(uv_cache.iterdir())  # UV_CACHE_DIR was honoured

    set_dependencies(proj, ["tinkerpkg==2.0"])
    uv_sync(proj, env)
    assert installed(proj, "tinkerpkg") == "2.0"

    # A loosened spec keeps the locked version (uv prefers the existing lock)...
    set_dependencies(proj, ["tinkerpkg>=2", "extrapkg"])
    uv_sync(proj, env)
    assert installed(proj, "tinkerpkg") == "2.0"
    assert installed(proj, "extrapkg") == "1.0"
    # ...until it is explicitly upgraded.
    uv_sync(proj, env, "--upgrade-package", "tinkerpkg")
    assert installed(proj, "tinkerpkg") == "3.0"

    # uv wrote nothing into the (isolated) home or XDG dirs.
    for var in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        assert not any(Path(os.environ[var]).rglob("*")), var


def test_dependency_chain_and_marker(tmp_path: Path, wheelhouse: Path, env: dict) -> None:
    """The chain is installed whole, and a marker that is false here keeps its package out."""
    p = make_project(tmp_path / "p", wheelhouse, dependencies=["chaina==1.0", "markerpkg"])
    uv_sync(p, env)
    sp = sorted((p / ".venv").glob("lib/python*/site-packages"))[0]
    names = sorted(d.name.split("-")[0] for d in sp.glob("*.dist-info"))
    assert names == ["chaina", "chainb", "chainc", "markerpkg"], names


def test_transitive_dependency(tmp_path: Path, wheelhouse: Path, env: dict) -> None:
    proj = make_project(tmp_path / "dep", wheelhouse, dependencies=["depkg"])
    uv_lock(proj, env)
    uv_sync(proj, env)
    assert installed(proj, "depkg") == "1.0"
    assert installed(proj, "otherpkg") == "1.1"
    assert not_installed(proj, "tinkerpkg")


def test_workspace_member_syncs_into_root_venv(tmp_path: Path, wheelhouse: Path, env: dict) -> None:
    root = make_project(tmp_path / "ws", wheelhouse, name="root", workspace_members=["packages/a"])
    make_workspace_member(root, "packages/a", "a", ["otherpkg==1.1"])
    uv_lock(root, env)
    lock = tomllib.loads((root / "uv.lock").read_text())
    assert sorted(lock["manifest"]["members"]) == ["a", "root"]
    # A virtual (no [build-system]) member's deps are only installed with --all-packages.
    uv_sync(root, env, "--all-packages")
    assert installed(root, "tinkerpkg") == "1.0"
    assert installed(root, "otherpkg") == "1.1"
    assert not (root / "packages" / "a" / ".venv").exists()


def test_workspace_root_depends_on_member(tmp_path: Path, wheelhouse: Path, env: dict) -> None:
    root = make_project(
        tmp_path / "ws", wheelhouse, name="root", dependencies=["a"],
        workspace_members=["packages/a"],
        extra_toml="[tool.uv.sources]\na = { workspace = true }\n",
    )
    # package = false: uv must not try to build the member (that needs setuptools).
    make_workspace_member(root, "packages/a", "a", ["otherpkg==1.0"],
                          extra_toml="[tool.uv]\npackage = false\n")
    uv_sync(root, env)  # plain sync also locks
    assert (root / "uv.lock").is_file()
    assert installed(root, "otherpkg") == "1.0"
