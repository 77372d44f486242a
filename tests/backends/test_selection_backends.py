"""`envhook use` for the backends that are not uv: each renders the
selection (env/selection.py) in its own words, and this checks those words
against the real tools. Every project is locked by the real poetry/pdm
against the local index (or is a set of requirements files / a bare
pyproject.toml synced by the real uv, offline from the wheelhouse), the
choice is made with `envhook use`, the env is synced with `envhook sync`
(subprocesses, as a user runs them), and then:

* the env holds exactly what the tool installs for that choice (read from
  its dist-info dirs, with uv or pip never asked);
* `envhook status --json` finds no drift and says in-sync: envhook's
  reading of the lock for the selection agrees with what the tool did;
* a choice the backend cannot honour is said in one line at `envhook use`
  time and left out of its syncs.

The packages (support/wheels.py): tinkerpkg has no dependencies; depkg
needs otherpkg; chaina needs chainb, which needs chainc; markerpkg needs
chainc (on Python 3)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support.backend_projects import (
    installed_versions,
    make_pdm_project,
    make_pip_project,
    make_poetry_project,
    poetry_lock,
    run_pdm,
    tool_env,
)
from support.hooktest import envhook, status_json, uv_wrapper, version_in_env
from support.projects import base_python

MAIN = {"tinkerpkg": "1.0"}
DEV = {"depkg": "1.0", "otherpkg": "1.1"}  # depkg, and what it needs
DOCS = {"chaina": "1.0", "chainb": "1.0", "chainc": "2.0"}  # chaina, and its chain
FANCY = {"markerpkg": "1.0", "chainc": "2.0"}  # markerpkg, and what it needs
TOOLING = {"pip", "setuptools", "wheel"}  # what the env's creator may seed


@pytest.fixture
def env(shell_env, wheelhouse) -> dict[str, str]:
    """The environment envhook and the tools run in: offline, no prompts,
    HOME/XDG isolated (shell_env). Requirements files and a bare
    pyproject.toml name no index: uv gets the wheelhouse."""
    e = tool_env(shell_env)
    e.update(UV_FIND_LINKS=str(wheelhouse), UV_NO_INDEX="1")
    return e


# -- helpers ---------------------------------------------------------------------------

def use(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    """`envhook use ARGS`, which must succeed."""
    r = envhook("use", *args, cwd=root, env=env)
    assert r.returncode == 0, f"envhook use {' '.join(args)}: {r.returncode}\n{r.stdout}{r.stderr}"
    return r


def sync(root: Path, env: dict) -> str:
    """`envhook sync`, which must succeed; its output."""
    r = envhook("sync", cwd=root, env=env)
    assert r.returncode == 0, f"envhook sync: {r.returncode}\n{r.stdout}{r.stderr}"
    return r.stdout + r.stderr


def packages(root: Path) -> dict[str, str]:
    """{name: version} of the project's .venv, without what its creator seeds."""
    return {n: v for n, v in installed_versions(root / ".venv").items() if n not in TOOLING}


def assert_in_sync(root: Path, env: dict) -> None:
    data = status_json(root, env)
    assert data["drift"] == [] and data["state"] == "in-sync", data


def backend_named(tool: str) -> str:
    """What envhook calls the backend in its lines (the pip backend's is
    its label, pip/requirements, where one is given; else its title)."""
    from envhook.backends import get

    backend = get(tool)
    return getattr(backend, "label", backend.title)


def refusals(stderr: str) -> list[str]:
    """The lines of `envhook use` that say a choice is left out."""
    return [line for line in stderr.splitlines() if "cannot honour" in line]


def append(root: Path, toml: str) -> None:
    with open(root / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write("\n" + toml)


def poetry_project(root: Path, index_url: str, env: dict) -> Path:
    """main tinkerpkg; the default group dev (PEP 735) depkg; the optional
    group docs chaina; the extra fancy markerpkg. Not a package: no build."""
    make_poetry_project(root, index_url, ["tinkerpkg==1.0"], package_mode=False, dev_deps=["depkg==1.0"],
                        env=env, lock=False)
    append(root, '[project.optional-dependencies]\nfancy = ["markerpkg==1.0"]\n\n'
                 '[tool.poetry.group.docs]\noptional = true\n\n'
                 '[tool.poetry.group.docs.dependencies]\nchaina = "1.0"\n')
    poetry_lock(root, env)
    return root


def pdm_project(root: Path, index_url: str, env: dict, lock: tuple[str, ...] = ("-G", ":all")) -> Path:
    """default tinkerpkg; the dev groups test (depkg) and lint (chaina), PEP
    735's; the extra fancy (markerpkg); locked with every group (`-G :all`),
    or with LOCK's options (a plain `pdm lock`: the default and dev groups)."""
    make_pdm_project(root, index_url, ["tinkerpkg==1.0"], env=env, lock=False)
    append(root, '[project.optional-dependencies]\nfancy = ["markerpkg==1.0"]\n\n'
                 '[dependency-groups]\ntest = ["depkg==1.0"]\nlint = ["chaina==1.0"]\n')
    run_pdm(root, {**env, "PDM_USE_VENV": "false", "PDM_PYTHON": base_python()}, "lock", *lock)
    return root


def trusted(root: Path, env: dict) -> Path:
    envhook("allow", cwd=root, env=env, check=True)
    return root


# -- Poetry ----------------------------------------------------------------------------

def test_poetry_group_extra_no_group_and_reset(tmp_path, package_index, env):
    root = trusted(poetry_project(tmp_path / "demo", package_index.url, env), env)
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV}, "Poetry's defaults: main and dev, not the optional docs nor the extra"
    assert_in_sync(root, env)

    r = use(root, env, "--group", "docs", "--extra", "fancy")
    assert "a sync installs --group docs --extra fancy (`poetry sync --with docs --extras fancy`)" in r.stderr \
        and not refusals(r.stderr), r.stderr
    # A new choice is an input of the sync: stale, with its reason, and the
    # drift is what the choice adds.
    data = status_json(root, env)
    assert data["state"] == "stale", data
    assert "the selection changed (now --group docs --extra fancy)" in data["reasons"], data
    assert sorted(c["name"] for c in data["drift"]) == sorted({**DOCS, **FANCY}), data["drift"]
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV, **DOCS, **FANCY}
    assert_in_sync(root, env)

    use(root, env, "--no-group", "dev")
    sync(root, env)
    assert packages(root) == {**MAIN, **DOCS, **FANCY}, "`poetry sync --without dev` removes dev's packages"
    assert_in_sync(root, env)

    r = use(root, env, "--reset")
    assert "no choice of yours" in r.stderr, r.stderr
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV}, "back to Poetry's defaults"
    assert_in_sync(root, env)


def test_poetry_no_default_groups_and_only_group(tmp_path, package_index, env):
    root = trusted(poetry_project(tmp_path / "demo", package_index.url, env), env)
    use(root, env, "--no-default-groups")
    sync(root, env)
    assert packages(root) == MAIN, "--no-default-groups: `--without dev`, main stays"
    assert_in_sync(root, env)
    # uv's --only-group is Poetry's --only: the group alone, not main.
    use(root, env, "--reset", "--only-group", "docs")
    sync(root, env)
    assert packages(root) == DOCS
    assert_in_sync(root, env)


@pytest.mark.parametrize("args", [("--group", "nope"), ("--no-group", "nope"), ("--only-group", "nope"),
                                  ("--extra", "nope")], ids="-".join)
def test_poetry_refuses_a_name_the_project_does_not_declare(tmp_path, package_index, env, args):
    """`poetry sync --with/--without/--only nope` and `--extras nope` fail
    the whole sync: said once at `envhook use` time, and left out."""
    root = trusted(poetry_project(tmp_path / "demo", package_index.url, env), env)
    r = use(root, env, *args)
    said = refusals(r.stderr)
    assert len(said) == 1 and f"`{' '.join(args)}`" in said[0], r.stderr
    assert f"synced by {backend_named('poetry')}," in said[0], r.stderr
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV}
    assert_in_sync(root, env)


# -- PDM -------------------------------------------------------------------------------

def test_pdm_no_group_only_group_extra_and_no_default_groups(tmp_path, package_index, env):
    root = trusted(pdm_project(tmp_path / "demo", package_index.url, env), env)
    sync(root, env)
    # A plain `pdm sync` installs every group the lock was made with: the
    # extra's too, as the lock has all of them.
    everything = {**MAIN, **DEV, **DOCS, **FANCY}
    assert packages(root) == everything
    assert_in_sync(root, env)

    r = use(root, env, "--no-group", "lint")
    assert "a sync installs --no-group lint (`pdm sync --only-keep -G " in r.stderr, r.stderr
    data = status_json(root, env)
    assert data["state"] == "stale" and "the selection changed (now --no-group lint)" in data["reasons"], data
    # lint's packages are drift now: the sync for this choice removes them
    # (chainc stays: the extra's markerpkg needs it).
    assert {c["name"]: (c["installed"], c["locked"]) for c in data["drift"]} == \
        {"chaina": ("1.0", None), "chainb": ("1.0", None)}, data["drift"]
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV, **FANCY}, "lint's packages gone, test's kept"
    assert_in_sync(root, env)

    use(root, env, "--reset", "--only-group", "lint")
    sync(root, env)
    assert packages(root) == DOCS, "lint alone: not the project's own dependencies, not its extra, not test"
    assert_in_sync(root, env)

    # From there, the extra (and the defaults) come back.
    use(root, env, "--reset", "--extra", "fancy")
    sync(root, env)
    assert packages(root) == everything
    assert_in_sync(root, env)

    use(root, env, "--no-default-groups")
    sync(root, env)
    assert packages(root) == {**MAIN, **FANCY}, "no dev group: test's and lint's packages gone"
    assert_in_sync(root, env)


def test_pdm_refuses_an_extra_its_lock_was_not_made_with_until_it_is(tmp_path, package_index, env):
    """A plain `pdm lock` locks the default and dev groups, not the extras:
    `pdm sync -G fancy` would fail ("Requested groups not in lockfile")."""
    root = trusted(pdm_project(tmp_path / "demo", package_index.url, env, lock=()), env)
    r = use(root, env, "--extra", "fancy")
    said = refusals(r.stderr)
    assert len(said) == 1 and "`--extra fancy`" in said[0] and "`pdm lock -G fancy`" in said[0], r.stderr
    assert f"synced by {backend_named('pdm')}," in said[0], r.stderr
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV, **DOCS}, "the lock's groups; the extra left out"
    assert_in_sync(root, env)
    # Kept: once the lock has the extra, the choice is in force.
    run_pdm(root, {**env, "PDM_USE_VENV": "false"}, "lock", "-G", ":all")
    shown = use(root, env).stdout
    assert "--extra fancy" in shown and "left out" not in shown, shown
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV, **DOCS, **FANCY}
    assert_in_sync(root, env)


@pytest.mark.parametrize("args", [("--group", "nope"), ("--only-group", "nope"), ("--extra", "lint")], ids="-".join)
def test_pdm_refuses_a_name_the_project_does_not_declare(tmp_path, package_index, env, args):
    """PDM ignores a group it does not know: `--only-group nope` would sync
    an empty env. lint is a dependency group, not an extra."""
    root = trusted(pdm_project(tmp_path / "demo", package_index.url, env), env)
    r = use(root, env, *args)
    said = refusals(r.stderr)
    assert len(said) == 1 and f"`{' '.join(args)}`" in said[0], r.stderr
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV, **DOCS, **FANCY}
    assert_in_sync(root, env)


# -- the workspace packages are uv's ---------------------------------------------------

@pytest.mark.parametrize("tool", ["poetry", "pdm"])
def test_package_is_refused_in_one_line_and_left_out(tmp_path, package_index, env, tool):
    make = poetry_project if tool == "poetry" else pdm_project
    root = trusted(make(tmp_path / "demo", package_index.url, env), env)
    title = backend_named(tool)
    assert title == {"poetry": "Poetry", "pdm": "PDM"}[tool]
    r = use(root, env, "--package", "foo")
    said = refusals(r.stderr)
    assert len(said) == 1 and f"synced by {title}," in said[0], r.stderr
    # Left out: the sync is the tool's plain one, and the env is in sync.
    sync(root, env)
    assert packages(root) == ({**MAIN, **DEV} if tool == "poetry" else {**MAIN, **DEV, **DOCS, **FANCY})
    assert_in_sync(root, env)
    shown = use(root, env).stdout
    assert "is yours but left out" in shown and title in shown, shown


@pytest.mark.parametrize("tool", ["poetry", "pdm"])
def test_the_package_refusal_names_the_package_asked_for(tmp_path, package_index, env, tool):
    make = poetry_project if tool == "poetry" else pdm_project
    root = make(tmp_path / "demo", package_index.url, env)
    said = refusals(use(root, env, "--package", "foo").stderr)
    assert len(said) == 1 and "`--package foo`" in said[0], said


# -- requirements files ----------------------------------------------------------------

def requirements_project(root: Path) -> Path:
    make_pip_project(root, ["tinkerpkg==1.0"])
    make_pip_project(root, ["depkg==1.0"], filename="requirements-dev.txt")
    make_pip_project(root, ["chaina==1.0"], filename="requirements-docs.txt")
    return root


def test_requirements_group_files(tmp_path, env):
    root = trusted(requirements_project(tmp_path / "demo"), env)
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV}, "requirements.txt and requirements-dev.txt, not -docs"
    assert_in_sync(root, env)

    use(root, env, "--group", "docs")
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV, **DOCS}
    assert_in_sync(root, env)

    use(root, env, "--no-group", "dev")
    sync(root, env)
    assert packages(root) == {**MAIN, **DOCS}, "`uv pip sync` is exact: dev's packages are removed"
    assert_in_sync(root, env)


def test_requirements_refuse_an_extra_and_a_group_with_no_file(tmp_path, env):
    root = trusted(requirements_project(tmp_path / "demo"), env)
    r = use(root, env, "--extra", "x")
    said = refusals(r.stderr)
    assert len(said) == 1 and "`--extra x`" in said[0], r.stderr
    assert f"synced by {backend_named('pip')}," in said[0], r.stderr

    r = use(root, env, "--reset", "--group", "nope")
    said = refusals(r.stderr)
    assert len(said) == 1, r.stderr
    assert "`--group nope`" in said[0] and "no requirements-nope.txt" in said[0], r.stderr
    assert f"synced by {backend_named('pip')}," in said[0], r.stderr

    # Both left out of the sync: the files' defaults, exactly. Each is said when it is chosen, not again.
    r = use(root, env, "--extra", "x")
    assert [("`--extra x`" in line) for line in refusals(r.stderr)] == [True], r.stderr
    r = use(root, env, "--no-group", "dev")
    assert refusals(r.stderr) == [], r.stderr
    use(root, env, "--group", "dev")
    sync(root, env)
    assert packages(root) == {**MAIN, **DEV}
    assert_in_sync(root, env)
    shown = use(root, env).stdout
    assert "`--group nope` is yours but left out" in shown and "`--extra x` is yours but left out" in shown, shown


# -- a bare pyproject.toml -------------------------------------------------------------

def bare_project(root: Path, *, buildable: bool = False) -> Path:
    """No requirements files, no lock: dependencies otherpkg==1.0; the
    extra fancy; the PEP 735 groups dev (tinkerpkg) and docs (chaina)."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["otherpkg==1.0"]\n\n'
        '[project.optional-dependencies]\nfancy = ["markerpkg==1.0"]\n\n'
        '[dependency-groups]\ndev = ["tinkerpkg==1.0"]\ndocs = ["chaina==1.0"]\n')
    if buildable:
        # An in-tree, standard-library-only build backend (support.localpkg):
        # the project itself is installed, editable.
        from support.localpkg import BACKEND_MODULE, BACKEND_SOURCE

        append(root, f'[build-system]\nrequires = []\nbuild-backend = "{BACKEND_MODULE}"\nbackend-path = ["."]\n')
        (root / f"{BACKEND_MODULE}.py").write_text(BACKEND_SOURCE)
        (root / "src" / "demo").mkdir(parents=True)
        (root / "src" / "demo" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    return root


@pytest.mark.parametrize("buildable", [False, True], ids=["not-buildable", "buildable"])
def test_bare_pyproject_gets_its_dev_group_unasked(tmp_path, env, buildable):
    """What `uv sync` does (sqlite-utils: a setuptools project whose test
    tools are a [dependency-groups] dev group)."""
    root = trusted(bare_project(tmp_path / "demo", buildable=buildable), env)
    sync(root, env)
    want = {"otherpkg": "1.0", "tinkerpkg": "1.0", **({"demo": "0.1.0"} if buildable else {})}
    assert packages(root) == want, "the dependencies and the dev group; not docs, not the extra"
    assert_in_sync(root, env)


def test_bare_pyproject_group_extra_and_no_group(tmp_path, env):
    root = trusted(bare_project(tmp_path / "demo"), env)
    sync(root, env)
    assert packages(root) == {"otherpkg": "1.0", **MAIN}
    use(root, env, "--group", "docs", "--extra", "fancy")
    sync(root, env)
    assert packages(root) == {"otherpkg": "1.0", **MAIN, **DOCS, **FANCY}
    assert_in_sync(root, env)

    # `uv pip install` adds, it does not remove: dev's tinkerpkg stays in
    # this env, but the sync no longer asks for the dev group.
    logged, log = uv_wrapper(tmp_path, env)
    use(root, logged, "--no-group", "dev")
    sync(root, logged)
    installs = [line.split()[2:] for line in log.read_text().splitlines() if line.split()[2:4] == ["pip", "install"]]
    assert len(installs) == 1, log.read_text()
    pyproject = str(root / "pyproject.toml")
    assert f"{pyproject}:docs" in installs[0] and f"{pyproject}:dev" not in installs[0], installs
    assert "--extra" in installs[0] and "fancy" in installs[0], installs
    assert_in_sync(root, logged)
    # A fresh env gets the choice and nothing of dev.
    shutil.rmtree(root / ".venv")
    sync(root, env)
    assert packages(root) == {"otherpkg": "1.0", **DOCS, **FANCY}
    assert version_in_env(root, "tinkerpkg") is None
    assert_in_sync(root, env)
