"""Self-test of the Poetry / PDM / pip test infrastructure in tests/support:
the local simple index, the network trap, and real projects locked and synced
by the real poetry and pdm, offline."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from support.backend_projects import (
    TOOL_ENV_VARS,
    installed_versions,
    locked_versions,
    make_pdm_project,
    make_pip_project,
    make_poetry_project,
    poetry_env_path,
    relock_pdm,
    relock_poetry,
    run_pdm,
    run_poetry,
    site_packages,
    tool_env,
)
from support.index import LocalIndex, NetworkTrap, project_of
from support.wheels import WHEELHOUSE_SPEC, build_wheel, normalize_name

slow = pytest.mark.slow

LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def links(url: str) -> list[tuple[str, str]]:
    """(absolute href, text) of every link on the page at *url*."""
    return [(urllib.parse.urljoin(url, href), text) for href, text in LINK.findall(fetch(url).decode())]


@pytest.fixture
def trap():
    with NetworkTrap() as t:
        yield t


@pytest.fixture
def env(isolated_home: Path, trap: NetworkTrap) -> dict[str, str]:
    """tool_env() with every outside request going to the trap."""
    return tool_env(os.environ, proxy=trap.url)


def assert_offline(trap: NetworkTrap) -> None:
    assert trap.requests == [], f"a request left the machine: {trap.requests}"


# ----------------------------------------------------------------------- index

def test_index_lists_wheelhouse_and_serves_files_with_matching_sha256(package_index, wheelhouse):
    expected = {normalize_name(name) for name, _, _ in WHEELHOUSE_SPEC}
    root = links(package_index.url)
    assert {text for _, text in root} == expected
    assert package_index.url.startswith("http://127.0.0.1:") and package_index.url.endswith("/simple/")

    for project_url, name in root:
        assert project_url == f"{package_index.url}{name}/"
        on_disk = {p.name for p in wheelhouse.iterdir() if project_of(p.name) == name}
        files = links(project_url)
        assert {text for _, text in files} == on_disk
        for href, filename in files:
            url, _, fragment = href.partition("#")
            assert fragment.startswith("sha256=")
            data = fetch(url)
            assert data == (wheelhouse / filename).read_bytes()
            assert hashlib.sha256(data).hexdigest() == fragment[len("sha256="):]


def test_index_is_dynamic_normalizes_names_and_404s(tmp_path):
    d = tmp_path / "wheels"
    build_wheel(d, "tinkerpkg", "1.0")
    with LocalIndex(d) as index:
        assert [t for _, t in links(index.url)] == ["tinkerpkg"]
        with pytest.raises(urllib.error.HTTPError) as e:
            fetch(index.url + "new-pkg/")
        assert e.value.code == 404

        build_wheel(d, "New_Pkg", "0.5")  # appears without a restart
        (d / "new_pkg-0.6.tar.gz").write_bytes(b"not really an sdist")
        assert [t for _, t in links(index.url)] == ["new-pkg", "tinkerpkg"]
        for spelling in ("new-pkg/", "New.Pkg/", "new_pkg"):
            assert sorted(t for _, t in links(index.url + spelling)) == [
                "new_pkg-0.5-py3-none-any.whl",
                "new_pkg-0.6.tar.gz",
            ]
        assert "/simple/New.Pkg/" in index.requests
    with pytest.raises(OSError):
        fetch(index.url)  # closed


# ---------------------------------------------------------------------- poetry

@slow
def test_poetry_project_locks_and_syncs_offline(package_index, env, trap, tmp_path):
    project = make_poetry_project(
        tmp_path / "proj", package_index.url, ("tinkerpkg==1.0", "depkg==1.0"), package_mode=False, env=env
    )
    assert sorted(p.name for p in project.iterdir()) == ["poetry.lock", "poetry.toml", "pyproject.toml"]
    assert locked_versions(project) == {"tinkerpkg": "1.0", "depkg": "1.0", "otherpkg": "1.1"}
    lock = tomllib.loads((project / "poetry.lock").read_text())
    assert {p["source"]["url"] for p in lock["package"]} == {package_index.url.rstrip("/")}

    run_poetry(project, env, "sync")
    venv = project / ".venv"
    assert poetry_env_path(project, env) == venv
    got = installed_versions(venv)
    assert {k: got.get(k) for k in ("tinkerpkg", "depkg", "otherpkg")} == {
        "tinkerpkg": "1.0",
        "depkg": "1.0",
        "otherpkg": "1.1",
    }
    assert (site_packages(venv) / "tinkerpkg" / "__init__.py").read_text() == '__version__ = "1.0"\n'
    assert_offline(trap)
    assert any(r.startswith("/files/tinkerpkg-1.0-") for r in package_index.requests)


@slow
def test_poetry_package_mode_central_env_and_editable_project(package_index, env, trap, tmp_path, isolated_home):
    project = make_poetry_project(tmp_path / "app", package_index.url, name="demo", in_project=None, env=env)
    assert not (project / "poetry.toml").exists()
    assert (project / "src" / "demo" / "__init__.py").exists()
    assert poetry_env_path(project, env) is None  # the lock made no env

    run_poetry(project, env, "sync")
    venv = poetry_env_path(project, env)
    assert venv is not None and not (project / ".venv").exists()
    # platformdirs' user_cache_dir("pypoetry") under the temp XDG_CACHE_HOME
    assert venv.parent == Path(os.environ["XDG_CACHE_HOME"]) / "pypoetry" / "virtualenvs"
    # the interpreter poetry runs on (POETRY_VIRTUALENVS_USE_POETRY_PYTHON)
    assert re.fullmatch(r"demo-[A-Za-z0-9_-]{8}-py%d\.%d" % sys.version_info[:2], venv.name), venv.name
    got = installed_versions(venv)
    assert got["tinkerpkg"] == "1.0" and got["demo"] == "0.1.0"
    direct_url = json.loads((site_packages(venv) / "demo-0.1.0.dist-info" / "direct_url.json").read_text())
    assert direct_url == {"dir_info": {"editable": True}, "url": project.as_uri()}
    assert list(isolated_home.iterdir()) == []  # nothing written to HOME
    assert_offline(trap)


# ------------------------------------------------------------------------- pdm

@slow
def test_pdm_project_locks_and_syncs_offline(package_index, env, trap, tmp_path):
    project = make_pdm_project(
        tmp_path / "proj", package_index.url, ("tinkerpkg==2.0", "depkg==1.0"), dev_deps=["extrapkg==1.0"], env=env
    )
    # a fresh clone: the lock made neither .venv nor .pdm-python
    assert sorted(p.name for p in project.iterdir()) == ["pdm.lock", "pyproject.toml"]
    assert locked_versions(project) == {"tinkerpkg": "2.0", "depkg": "1.0", "otherpkg": "1.1", "extrapkg": "1.0"}
    assert tomllib.loads((project / "pdm.lock").read_text())["metadata"]["groups"] == ["default", "dev"]

    run_pdm(project, env, "sync", "--clean")
    venv = project / ".venv"
    assert (project / ".pdm-python").read_text().strip() == str(venv / "bin" / "python")
    assert installed_versions(venv) == {"tinkerpkg": "2.0", "depkg": "1.0", "otherpkg": "1.1", "extrapkg": "1.0"}
    assert (site_packages(venv) / "tinkerpkg" / "__init__.py").read_text() == '__version__ = "2.0"\n'
    assert_offline(trap)


@slow
def test_pdm_distribution_installs_project_editable_offline(package_index, env, trap, tmp_path, isolated_home):
    project = make_pdm_project(tmp_path / "app", package_index.url, name="my-app", distribution=True, env=env)
    run_pdm(project, env, "sync", "--clean")
    venv = project / ".venv"
    assert installed_versions(venv) == {"tinkerpkg": "1.0", "my-app": "0.1.0"}
    direct_url = json.loads((site_packages(venv) / "my_app-0.1.0.dist-info" / "direct_url.json").read_text())
    assert direct_url["dir_info"] == {"editable": True} and direct_url["url"] == project.as_uri()
    assert (site_packages(venv) / "_my_app_editable.pth").read_text().strip() == str(project / "src")
    assert list(isolated_home.iterdir()) == []
    assert (Path(os.environ["XDG_CACHE_HOME"]) / "pdm").is_dir()
    assert_offline(trap)


# ----------------------------------------------------------------------- relock

@slow
@pytest.mark.parametrize("tool", ["poetry", "pdm"])
def test_relock_changes_the_locked_and_synced_version(tool, package_index, env, trap, tmp_path):
    if tool == "poetry":
        project = make_poetry_project(tmp_path / "p", package_index.url, ("tinkerpkg==1.0",), package_mode=False, env=env)
        sync = lambda: run_poetry(project, env, "sync")  # noqa: E731
    else:
        project = make_pdm_project(tmp_path / "p", package_index.url, ("tinkerpkg==1.0",), env=env)
        sync = lambda: run_pdm(project, env, "sync", "--clean")  # noqa: E731
    lock_file = project / f"{tool}.lock"
    before = lock_file.read_text()
    assert locked_versions(project) == {"tinkerpkg": "1.0"}
    sync()
    assert installed_versions(project / ".venv")["tinkerpkg"] == "1.0"

    relock = relock_poetry if tool == "poetry" else relock_pdm
    assert relock(project, ["tinkerpkg==2.0", "depkg==1.0"], env) == lock_file
    assert lock_file.read_text() != before
    assert locked_versions(project) == {"tinkerpkg": "2.0", "depkg": "1.0", "otherpkg": "1.1"}
    assert tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"] == [
        "tinkerpkg==2.0",
        "depkg==1.0",
    ]
    sync()
    got = installed_versions(project / ".venv")
    assert (got["tinkerpkg"], got["depkg"], got["otherpkg"]) == ("2.0", "1.0", "1.1")
    assert_offline(trap)


# --------------------------------------------------------------------- controls

@slow
@pytest.mark.parametrize("tool", ["poetry", "pdm"])
def test_trap_sees_pypi_when_the_local_source_is_missing(tool, env, trap, tmp_path):
    """Control: without the local source the tool goes to PyPI through the
    proxy variables, and the trap records it -- so an empty trap above means
    PyPI was not consulted."""
    project = tmp_path / "p"
    project.mkdir()
    table = "[tool.poetry]\npackage-mode = false\n" if tool == "poetry" else "[tool.pdm]\ndistribution = false\n"
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["tinkerpkg==1.0"]\n\n{table}'
    )
    run = run_poetry if tool == "poetry" else run_pdm
    no_env = dict(env, POETRY_VIRTUALENVS_CREATE="false", PDM_USE_VENV="false")
    proc = run(project, no_env, "lock", check=False)
    assert proc.returncode != 0
    assert "CONNECT pypi.org:443" in trap.requests


def test_make_pip_project_writes_requirement_lines(tmp_path):
    p = make_pip_project(tmp_path / "a", ["tinkerpkg==1.0", "depkg ; python_version >= '3.11'"])
    assert p == tmp_path / "a"
    assert (p / "requirements.txt").read_text() == "tinkerpkg==1.0\ndepkg ; python_version >= '3.11'\n"
    make_pip_project(p, ["extrapkg"], filename="requirements/dev.txt")
    assert (p / "requirements" / "dev.txt").read_text() == "extrapkg\n"
    assert sorted(x.name for x in p.iterdir()) == ["requirements", "requirements.txt"]


def test_tool_env_isolates_and_blocks_the_network():
    base = {
        "PATH": "/bin",
        "HOME": "/h",
        "VIRTUAL_ENV": "/v",
        "POETRY_VIRTUALENVS_IN_PROJECT": "false",
        "PDM_PYTHON": "/x",
        "PIP_FIND_LINKS": "/w",
        "UV_OFFLINE": "1",
        "NO_PROXY": "corp.example",
    }
    env = tool_env(base)
    assert {k: env[k] for k in TOOL_ENV_VARS} == TOOL_ENV_VARS
    for gone in ("VIRTUAL_ENV", "POETRY_VIRTUALENVS_IN_PROJECT", "PDM_PYTHON", "PIP_FIND_LINKS"):
        assert gone not in env
    assert env["UV_OFFLINE"] == "1" and env["HOME"] == "/h"
    assert env["HTTPS_PROXY"] == env["https_proxy"] == env["ALL_PROXY"] == "http://127.0.0.1:9"
    assert env["NO_PROXY"].split(",") == ["corp.example", "127.0.0.1", "localhost", "::1"]
    assert "HTTPS_PROXY" not in tool_env(base, proxy=None)


def test_tool_bin_and_shell_env_carry_poetry_and_pdm(tool_bin, shell_env):
    import subprocess

    for tool, banner in (("poetry", "Poetry (version 2."), ("pdm", "PDM, version 2.")):
        assert (tool_bin / tool).is_symlink()
        out = subprocess.run([str(tool_bin / tool), "--version"], env=shell_env, capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.startswith(banner), out
    assert {k: shell_env[k] for k in TOOL_ENV_VARS} == TOOL_ENV_VARS
    assert "UV_PYTHON" not in shell_env and shell_env["UV_OFFLINE"] == "1"
