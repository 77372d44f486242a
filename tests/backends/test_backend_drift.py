"""Drift from the lock, for the backends whose tool envhook does not ask
(Poetry, PDM, pip): envhook reads poetry.lock, pdm.lock or the requirements
files itself (backends/lockread.py) and compares them with the env. That
reading is only right if it agrees with what the real tool installs, so here
every project is locked by the real poetry/pdm against the local index (or
compiled by the real uv), synced by the commands envhook itself runs
(`poetry sync`, `pdm sync --clean`, `uv venv` + `uv pip sync`/`install -r`),
and then:

* right after a sync, `drift.lock_drift` finds nothing: groups, markers,
  transitive dependencies, the project itself, seeded packages are all
  counted as the tool counts them;
* after hand changes (made with uv, as a person would), it names exactly the
  changes, and a second sync by the tool touches exactly the packages it
  named, no more, no fewer (`assert_sync_undoes`).

Everything runs offline; envhook is called in-process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from envhook.backends import get, lock_drift
from envhook.decide.project import find_project
from envhook.env import venv
from envhook.env.drift import Change
from support.backend_projects import (
    installed_versions,
    make_pdm_project,
    make_pip_project,
    make_poetry_project,
    pdm_lock,
    poetry_lock,
    run_pdm,
    tool_env,
)
from support.localpkg import make_local_package
from support.projects import base_python
from support.wheels import build_wheel

# The groups every Poetry/PDM project below has: a main dependency, a dev
# dependency with a dependency of its own, and one this machine never gets.
MAIN = ("tinkerpkg==1.0", "extrapkg==1.0 ; sys_platform == 'win32'")
DEV = ("depkg==1.0",)
SYNCED = {"tinkerpkg": "1.0", "depkg": "1.0", "otherpkg": "1.1"}


@pytest.fixture
def env(shell_env, wheelhouse, monkeypatch) -> dict[str, str]:
    """The environment the tools run in: offline, no prompts, PATH holding
    only envhook, uv, poetry, pdm and one python. Requirements files name no
    index, so uv gets the wheelhouse. envhook, in-process, finds its tools on
    the same PATH."""
    e = tool_env(shell_env)
    e.update(UV_FIND_LINKS=str(wheelhouse), UV_NO_INDEX="1")
    monkeypatch.setenv("PATH", e["PATH"])
    # The pip backend's drift resolves the files with uv, in-process: the same offline uv.
    for k, v in e.items():
        if k.startswith("UV_"):
            monkeypatch.setenv(k, v)
    return e


# -- helpers ---------------------------------------------------------------------------

def sync(root: Path, env: dict) -> list[str]:
    """Run the commands envhook's backend runs for a sync; return their labels."""
    project = find_project(root, env)
    labels = []
    for label, argv in get(project.backend).commands(project):
        r = subprocess.run(argv, cwd=root, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"{label} failed:\n{r.stdout}{r.stderr}"
        labels.append(label)
    return labels


def drift(root: Path, env: dict) -> list[Change]:
    result = lock_drift(find_project(root, env))
    assert result.error == "" and result.changes is not None, result.error
    return result.changes


def env_dir(root: Path, env: dict) -> Path:
    return find_project(root, env).env


def uv_pip(root: Path, env: dict, *args: str) -> None:
    """`uv pip <args>` on the project's env, offline."""
    uv = shutil.which("uv", path=env["PATH"])
    argv = [uv, "pip", *args, "--python", str(env_dir(root, env) / "bin" / "python")]
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def hand_install(root: Path, env: dict, *specs: str, links: Path) -> None:
    uv_pip(root, env, "install", "--no-index", "--find-links", str(links), *specs)


def assert_sync_undoes(root: Path, env: dict, changes: list[Change]) -> None:
    """The tool's sync touches exactly the packages drift named, and then
    drift is empty: envhook's reading and the tool agree."""
    where = env_dir(root, env)
    before = venv.installed(where)
    sync(root, env)
    after = venv.installed(where)
    touched = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    assert touched == {c.name for c in changes}
    assert drift(root, env) == []


def append(root: Path, toml: str) -> None:
    with open(root / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write("\n" + toml)


def pretend_python(env_path: Path, version: str) -> None:
    """Rewrite the Python version pyvenv.cfg records (uv and virtualenv
    write `version_info`, venv writes `version`)."""
    cfg = env_path / "pyvenv.cfg"
    text = re.sub(r"(?m)^(version_info|version)\s*=.*$", rf"\1 = {version}", cfg.read_text())
    cfg.write_text(text)


def poetry_project(root, index, env, *, deps=MAIN, dev_deps=DEV, extra="", package_mode=False, **kw) -> Path:
    make_poetry_project(root, index.url, deps, package_mode=package_mode, dev_deps=dev_deps, env=env, lock=False, **kw)
    if extra:
        append(root, extra)
    poetry_lock(root, env)
    return root


def pdm_project(root, index, env, *, deps=MAIN, dev_deps=DEV, extra="", **kw) -> Path:
    make_pdm_project(root, index.url, deps, dev_deps=dev_deps, env=env, lock=False, **kw)
    if extra:
        append(root, extra)
    pdm_lock(root, env)
    return root


# -- Poetry ----------------------------------------------------------------------------

@pytest.mark.parametrize("package_mode", [False, True], ids=["no-package", "package"])
def test_poetry_sync_leaves_no_drift(tmp_path, package_index, env, package_mode):
    root = poetry_project(tmp_path / "demo", package_index, env, package_mode=package_mode)
    assert sync(root, env) == ["poetry sync"]
    have = installed_versions(root / ".venv")
    # The dev group and depkg's otherpkg are installed, the win32 one is not,
    # pip is virtualenv's; in package mode the project is there too, editable.
    assert {k: have[k] for k in SYNCED} == SYNCED
    assert "extrapkg" not in have and "pip" in have
    assert ("demo" in have) == package_mode
    assert drift(root, env) == []


@pytest.mark.parametrize("package_mode", [False, True], ids=["no-package", "package"])
def test_poetry_hand_changes_are_exactly_the_drift(tmp_path, package_index, env, wheelhouse, package_mode):
    root = poetry_project(tmp_path / "demo", package_index, env, package_mode=package_mode)
    sync(root, env)
    hand_install(root, env, "tinkerpkg==2.0", "extrapkg==1.0", links=wheelhouse)
    uv_pip(root, env, "uninstall", "otherpkg")
    changes = drift(root, env)
    assert changes == [
        Change("extrapkg", "1.0", None),  # locked, but for win32 only: poetry removes it
        Change("otherpkg", None, "1.1"),
        Change("tinkerpkg", "2.0", "1.0"),
    ]
    assert_sync_undoes(root, env, changes)


@pytest.mark.parametrize("spelling", ["tool-poetry-group", "dependency-groups"])
def test_poetry_optional_group_is_not_wanted(tmp_path, package_index, env, wheelhouse, spelling):
    # Poetry reads `optional` from [tool.poetry.group.<name>] for a
    # [dependency-groups] group of the same name as well.
    extra = {
        "tool-poetry-group": '[tool.poetry.group.docs]\noptional = true\n\n'
                             '[tool.poetry.group.docs.dependencies]\nextrapkg = "1.0"\n',
        "dependency-groups": '[dependency-groups]\ndocs = ["extrapkg==1.0"]\n\n'
                             '[tool.poetry.group.docs]\noptional = true\n',
    }[spelling]
    root = poetry_project(tmp_path / "demo", package_index, env, deps=["tinkerpkg==1.0"], dev_deps=(), extra=extra)
    assert "extrapkg" in (root / "poetry.lock").read_text()
    sync(root, env)
    assert "extrapkg" not in installed_versions(root / ".venv")
    assert drift(root, env) == []
    # Installed by hand, it is an extra that `poetry sync` removes.
    hand_install(root, env, "extrapkg==1.0", links=wheelhouse)
    changes = drift(root, env)
    assert changes == [Change("extrapkg", "1.0", None)]
    assert_sync_undoes(root, env, changes)


@pytest.mark.parametrize("package_mode", [False, True], ids=["no-package", "package"])
def test_poetry_editable_at_the_locked_version_is_drift(tmp_path, package_index, env, package_mode):
    root = poetry_project(tmp_path / "demo", package_index, env, package_mode=package_mode)
    sync(root, env)
    src = make_local_package(tmp_path / "tinkerpkg-src", "tinkerpkg", "1.0")
    uv_pip(root, env, "install", "--no-index", "-e", str(src))
    changes = drift(root, env)
    # Only tinkerpkg: in package mode the project, editable too, is not drift.
    assert changes == [Change("tinkerpkg", f"1.0 @ {src.resolve().as_uri()} editable", "1.0")]
    assert_sync_undoes(root, env, changes)


# -- PDM -------------------------------------------------------------------------------

@pytest.mark.parametrize("distribution", [False, True], ids=["no-distribution", "distribution"])
def test_pdm_sync_leaves_no_drift(tmp_path, package_index, env, distribution):
    root = pdm_project(tmp_path / "demo", package_index, env, distribution=distribution)
    assert sync(root, env) == ["pdm sync --clean"]
    have = installed_versions(root / ".venv")
    assert {k: have[k] for k in SYNCED} == SYNCED
    assert "extrapkg" not in have
    assert ("demo" in have) == distribution
    assert drift(root, env) == []


@pytest.mark.parametrize("distribution", [False, True], ids=["no-distribution", "distribution"])
def test_pdm_hand_changes_are_exactly_the_drift(tmp_path, package_index, env, wheelhouse, distribution):
    root = pdm_project(tmp_path / "demo", package_index, env, distribution=distribution)
    sync(root, env)
    strays = tmp_path / "strays"
    build_wheel(strays, "strangerpkg", "1.0")
    hand_install(root, env, "tinkerpkg==2.0", "extrapkg==1.0", links=wheelhouse)
    hand_install(root, env, "strangerpkg==1.0", links=strays)
    uv_pip(root, env, "uninstall", "otherpkg")
    changes = drift(root, env)
    # extrapkg is not drift: `pdm sync --clean` removes only what the lock
    # does not name at all, and the lock names it (for win32).
    assert changes == [
        Change("otherpkg", None, "1.1"),
        Change("strangerpkg", "1.0", None),
        Change("tinkerpkg", "2.0", "1.0"),
    ]
    assert_sync_undoes(root, env, changes)
    assert installed_versions(root / ".venv")["extrapkg"] == "1.0"


def test_pdm_sync_installs_the_groups_the_lock_was_made_with(tmp_path, package_index, env):
    """A lock made with `-G sock` makes a plain `pdm sync` install the
    optional-dependencies group too."""
    root = tmp_path / "demo"
    make_pdm_project(root, package_index.url, ["tinkerpkg==1.0"], env=env, lock=False)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text.replace("[[tool.pdm.source]]", '[project.optional-dependencies]\nsock = ["extrapkg==1.0"]\n\n'
                                            "[[tool.pdm.source]]", 1))
    run_pdm(root, {**env, "PDM_USE_VENV": "false", "PDM_PYTHON": base_python()}, "lock", "-G", "sock")
    sync(root, env)
    assert installed_versions(root / ".venv")["extrapkg"] == "1.0"
    assert drift(root, env) == []


@pytest.mark.parametrize("tool", ["poetry", "pdm"])
def test_group_names_are_matched_as_the_lock_writes_them(tmp_path, package_index, env, tool):
    # Both tools canonicalize group names in the lock: Lint_Tools -> lint-tools.
    if tool == "poetry":
        root = poetry_project(tmp_path / "demo", package_index, env, deps=["tinkerpkg==1.0"], dev_deps=(), extra=(
            '[dependency-groups]\nLint_Tools = ["depkg==1.0"]\n\n'
            '[tool.poetry.group.Docs_X.dependencies]\nextrapkg = "1.0"\n'))
    else:
        root = pdm_project(tmp_path / "demo", package_index, env, deps=["tinkerpkg==1.0"], dev_deps=(), extra=(
            '[dependency-groups]\nLint_Tools = ["depkg==1.0"]\n\n'
            '[tool.pdm.dev-dependencies]\nDocs_X = ["extrapkg==1.0"]\n'))
    sync(root, env)
    have = installed_versions(root / ".venv")
    assert {k: have.get(k) for k in ("depkg", "extrapkg")} == {"depkg": "1.0", "extrapkg": "1.0"}
    assert drift(root, env) == []


# -- pip -------------------------------------------------------------------------------

def test_pip_top_level_pins_get_their_whole_dependency_tree(tmp_path, env, wheelhouse):
    """`==` on every line is no lock: the lines' own dependencies are not in
    the file. It is resolved (into envhook's state dir) and that is synced."""
    root = make_pip_project(tmp_path / "demo", ["chaina==1.0", "markerpkg==1.0"])
    assert sync(root, env) == ["uv venv", "uv pip compile", "uv pip sync"]
    assert installed_versions(root / ".venv") == {"chaina": "1.0", "chainb": "1.0", "chainc": "2.0",
                                                  "markerpkg": "1.0"}
    check = subprocess.run([shutil.which("uv", path=env["PATH"]), "pip", "check", "--python",
                            str(root / ".venv" / "bin" / "python")], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert drift(root, env) == []
    hand_install(root, env, "extrapkg==1.0", "chainc==1.0", links=wheelhouse)
    changes = drift(root, env)
    assert changes == [Change("chainc", "1.0", "2.0"), Change("extrapkg", "1.0", None)]
    assert_sync_undoes(root, env, changes)


def test_pip_loose_requirements_are_resolved_and_synced_exactly(tmp_path, env, wheelhouse):
    root = make_pip_project(tmp_path / "demo", ["depkg", "tinkerpkg>=2"])
    assert sync(root, env) == ["uv venv", "uv pip compile", "uv pip sync"]
    assert installed_versions(root / ".venv") == {"depkg": "1.0", "otherpkg": "1.1", "tinkerpkg": "3.0"}
    assert drift(root, env) == []
    # The resolution lists every dependency, so a package installed by hand is drift now.
    hand_install(root, env, "tinkerpkg==2.0", "extrapkg==1.0", links=wheelhouse)
    changes = drift(root, env)
    assert changes == [Change("extrapkg", "1.0", None), Change("tinkerpkg", "2.0", "3.0")]
    assert_sync_undoes(root, env, changes)


def test_pip_compiled_lock_is_used_instead_of_requirements_txt(tmp_path, env, wheelhouse):
    root = make_pip_project(tmp_path / "demo", ["depkg", "tinkerpkg>=2"])
    uv = shutil.which("uv", path=env["PATH"])
    subprocess.run([uv, "pip", "compile", "-q", "--generate-hashes", "requirements.txt", "-o", "requirements.lock"],
                   cwd=root, env=env, check=True, capture_output=True)
    # Edited after the compile: were it read, tinkerpkg 3.0 would be drift.
    (root / "requirements.txt").write_text("tinkerpkg<2\n")
    project = find_project(root, env)
    assert project.backend == "pip"
    assert project.inputs[:2] == [root / "requirements.lock", root / ".python-version"]
    assert sync(root, env) == ["uv venv", "uv pip sync"], "a complete lock is synced as it is"
    assert installed_versions(root / ".venv") == {"depkg": "1.0", "otherpkg": "1.1", "tinkerpkg": "3.0"}
    assert drift(root, env) == []
    hand_install(root, env, "extrapkg==1.0", links=wheelhouse)
    changes = drift(root, env)
    assert changes == [Change("extrapkg", "1.0", None)]
    assert_sync_undoes(root, env, changes)


def test_pip_a_file_a_compiler_wrote_is_a_complete_lock(tmp_path, env, wheelhouse):
    root = make_pip_project(tmp_path / "demo", ["chaina"], filename="requirements.in")
    uv = shutil.which("uv", path=env["PATH"])
    subprocess.run([uv, "pip", "compile", "-q", "requirements.in", "-o", "requirements.txt"],
                   cwd=root, env=env, check=True, capture_output=True)
    assert (root / "requirements.txt").read_text().startswith("# This file was autogenerated by uv")
    assert sync(root, env) == ["uv venv", "uv pip sync"]
    assert installed_versions(root / ".venv") == {"chaina": "2.0", "chainb": "1.0", "chainc": "2.0"}
    hand_install(root, env, "extrapkg==1.0", links=wheelhouse)
    changes = drift(root, env)
    assert changes == [Change("extrapkg", "1.0", None)], "an extra package is drift, and the sync removes it"
    assert_sync_undoes(root, env, changes)


def test_pip_path_and_url_requirements_are_wanted(tmp_path, env, wheelhouse):
    """`-e <dir>` and `name @ URL` lines are installed, with what they
    require, so they are no extras; nor do they make a file a lock."""
    local = make_local_package(tmp_path / "localpkg", "localpkg", "0.5", ("chainb",))
    urlpkg = make_local_package(tmp_path / "urlpkg", "urlpkg", "0.7")
    root = make_pip_project(tmp_path / "demo", ["tinkerpkg==1.0", "-e ../localpkg", f"urlpkg @ {urlpkg.as_uri()}"])
    assert sync(root, env) == ["uv venv", "uv pip compile", "uv pip sync"]
    have = venv.installed(root / ".venv")
    assert have["localpkg"] == f"0.5 @ {local.resolve().as_uri()} editable"
    assert have["urlpkg"] == f"0.7 @ {urlpkg.resolve().as_uri()}"
    assert have["chainb"] == "1.0" and have["chainc"] == "2.0", "the editable line's own dependencies"
    assert drift(root, env) == []
    hand_install(root, env, "extrapkg==1.0", links=wheelhouse)
    changes = drift(root, env)
    assert changes == [Change("extrapkg", "1.0", None)]
    assert_sync_undoes(root, env, changes)


# -- all three -------------------------------------------------------------------------

KINDS = ["poetry", "pdm", "pip"]


def any_project(kind: str, root: Path, index, env, deps) -> Path:
    # requires-python >=3.9, so that the tools keep a `python_version < '3.11'` entry.
    if kind == "poetry":
        return poetry_project(root, index, env, deps=deps, dev_deps=(), requires_python=">=3.9")
    if kind == "pdm":
        return pdm_project(root, index, env, deps=deps, dev_deps=(), requires_python=">=3.9")
    return make_pip_project(root, deps)


@pytest.mark.parametrize("kind", KINDS)
def test_python_version_markers_are_evaluated_for_the_envs_python(tmp_path, package_index, env, kind):
    root = any_project(kind, tmp_path / "demo", package_index, env,
                       ["tinkerpkg==1.0", "extrapkg==1.0 ; python_version < '3.11'"])
    sync(root, env)
    where = env_dir(root, env)
    assert "extrapkg" not in installed_versions(where)
    assert drift(root, env) == []
    # envhook runs on 3.11+ too, so only pyvenv.cfg can make the env 3.10:
    # the marker must follow it, not the interpreter envhook runs on.
    pretend_python(where, "3.10.14")
    assert drift(root, env) == [Change("extrapkg", None, "1.0")]


@pytest.mark.parametrize("kind", KINDS)
def test_seeded_packages_are_drift_only_where_the_sync_removes_them(tmp_path, package_index, env, kind):
    """pip, setuptools, wheel: `pdm sync --clean` keeps all three, `poetry
    sync` keeps only pip, `uv pip sync` none."""
    root = any_project(kind, tmp_path / "demo", package_index, env, ["tinkerpkg==1.0"])
    sync(root, env)
    seeds = tmp_path / "seeds"
    for name in ("pip", "setuptools", "wheel"):
        build_wheel(seeds, name, "99.0")
    hand_install(root, env, "pip==99.0", "setuptools==99.0", "wheel==99.0", links=seeds)
    removed = {"poetry": ["setuptools", "wheel"], "pdm": [], "pip": ["pip", "setuptools", "wheel"]}[kind]
    changes = drift(root, env)
    assert changes == [Change(n, "99.0", None) for n in removed]
    assert_sync_undoes(root, env, changes)
