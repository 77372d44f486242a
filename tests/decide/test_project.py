"""Project discovery and env location, the way uv resolves them."""

from __future__ import annotations

from pathlib import Path

import pytest

from envhook.decide.project import ProjectError, env_path, find_project


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def proj(name: str, extra: str = "") -> str:
    return f'[project]\nname = "{name}"\nversion = "0"\n{extra}'


def test_nearest_pyproject_wins(tmp_path):
    write(tmp_path / "outer" / "pyproject.toml", proj("outer"))
    write(tmp_path / "outer" / "inner" / "pyproject.toml", proj("inner"))
    (tmp_path / "outer" / "inner" / "src" / "pkg").mkdir(parents=True)
    p = find_project(tmp_path / "outer" / "inner" / "src" / "pkg")
    assert p.name == "inner" and p.root == (tmp_path / "outer" / "inner").resolve()
    assert find_project(tmp_path) is None


def test_workspace_member_resolves_to_the_root(tmp_path):
    ws = '\n[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/skip"]\n'
    write(tmp_path / "pyproject.toml", proj("ws", ws))
    write(tmp_path / "packages" / "a" / "pyproject.toml", proj("a"))
    write(tmp_path / "packages" / "skip" / "pyproject.toml", proj("skip"))
    root = tmp_path.resolve()
    a = find_project(tmp_path / "packages" / "a")
    assert a.root == root and a.name == "ws" and a.env == root / ".venv"
    assert a.members == (root / "packages" / "a",)
    assert root / "packages" / "a" / "pyproject.toml" in a.inputs
    skip = find_project(tmp_path / "packages" / "skip")
    assert skip.root == root / "packages" / "skip"


def test_project_below_a_workspace_it_is_not_member_of(tmp_path):
    write(tmp_path / "pyproject.toml", proj("ws", '\n[tool.uv.workspace]\nmembers = ["libs/*"]\n'))
    write(tmp_path / "tools" / "t" / "pyproject.toml", proj("t"))
    assert find_project(tmp_path / "tools" / "t").name == "t"


def test_uv_project_environment_relative_and_absolute(tmp_path):
    root = tmp_path.resolve()
    assert env_path(root, {}) == root / ".venv"
    assert env_path(root, {"UV_PROJECT_ENVIRONMENT": "build/env"}) == root / "build" / "env"
    assert env_path(root, {"UV_PROJECT_ENVIRONMENT": "../shared"}) == root.parent / "shared"
    assert env_path(root, {"UV_PROJECT_ENVIRONMENT": "/opt/env"}) == Path("/opt/env")


def test_inputs_cover_lock_and_python_version(tmp_path):
    write(tmp_path / "pyproject.toml", proj("demo", "[tool.uv]\n"))
    names = {p.name for p in find_project(tmp_path).inputs}
    assert {"pyproject.toml", "uv.lock", ".python-version"} <= names


def test_broken_toml_is_a_clear_error(tmp_path):
    write(tmp_path / "pyproject.toml", "[project\nname=")
    with pytest.raises(ProjectError) as e:
        find_project(tmp_path)
    assert "not valid TOML" in str(e.value) and e.value.path == tmp_path / "pyproject.toml"


def test_member_dirs_are_where_each_glob_points_and_its_parent(tmp_path):
    from envhook.decide.project import member_dirs

    root = tmp_path / "ws"
    ws = {"members": ["packages/*", "*", "libs/core", "../outside/*", "a/b/c*/d", 3]}
    assert member_dirs(root, ws) == [
        root / "packages", root, root / "libs" / "core", root / "libs", root / "a" / "b", root / "a",
    ]
