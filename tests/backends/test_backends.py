"""Which backend a project gets, where each puts the env, and what each
reads as its inputs; checked against the tools' own code where they have it
(Poetry's env naming is imported from the installed Poetry)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envhook.backends import detect, get
from envhook.decide.project import ProjectError, find_project
from envhook.store import paths


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


PEP621 = '[project]\nname = "demo"\nversion = "0.1"\n'


@pytest.mark.parametrize(
    ("files", "expected", "why"),
    [
        ({"uv.lock": ""}, "uv", "uv.lock"),
        ({"poetry.lock": ""}, "poetry", "poetry.lock"),
        ({"pdm.lock": ""}, "pdm", "pdm.lock"),
        ({"requirements.txt": "x==1\n"}, "pip", "requirements.txt"),
        ({"requirements-dev.lock": ""}, "pip", "requirements-dev.lock"),
    ],
)
def test_a_lock_file_decides(tmp_path, files, expected, why):
    write(tmp_path / "pyproject.toml", PEP621)
    for name, text in files.items():
        write(tmp_path / name, text)
    d = detect(tmp_path, {"project": {"name": "demo"}})
    assert (d.name, d.why, d.ignored) == (expected, why, ())


def test_two_lock_files_the_first_in_order_wins_and_the_other_is_named(tmp_path):
    for name in ("pdm.lock", "poetry.lock"):
        write(tmp_path / name)
    d = detect(tmp_path, {})
    assert (d.name, d.why, d.ignored) == ("poetry", "poetry.lock", ("pdm.lock",))


def test_the_tool_table_decides_without_a_lock(tmp_path):
    assert detect(tmp_path, {"tool": {"poetry": {"name": "x"}}}).name == "poetry"
    assert detect(tmp_path, {"tool": {"pdm": {}}}).name == "pdm"
    assert detect(tmp_path, {"tool": {"uv": {}}}).name == "uv"
    # Poetry 2's `poetry new` writes only its build backend.
    assert detect(tmp_path, {"build-system": {"build-backend": "poetry.core.masonry.api"}}).name == "poetry"
    # A lock file wins over another tool's table.
    write(tmp_path / "pdm.lock")
    assert detect(tmp_path, {"tool": {"poetry": {}}}).name == "pdm"


def test_a_bare_pyproject_is_pip_whatever_is_on_path(tmp_path, monkeypatch, tool_bin):
    for path in (str(tool_bin), str(tmp_path)):
        monkeypatch.setenv("PATH", path)
        d = detect(tmp_path, {"project": {"name": "x"}})
        assert d.name == "pip" and "without a lock" in d.why
    assert not (tmp_path / "uv.lock").exists()


def test_the_project_overrides_detection_and_status_names_what_lost(tmp_path):
    write(tmp_path / "pyproject.toml", PEP621 + '[tool.envhook]\nbackend = "pip"\n')
    write(tmp_path / "uv.lock")
    write(tmp_path / "requirements.txt", "x==1\n")
    p = find_project(tmp_path)
    assert p.backend == "pip"
    assert (p.detection.why, p.detection.ignored) == ("[tool.envhook] backend", ("uv.lock",))
    assert own_inputs(p) == ["requirements.txt", ".python-version", "uv.toml"]


def own_inputs(project) -> list[str]:
    """The project's inputs in its own directory (the others are the tools'
    configuration above it and in the user's dirs: test_tool_config_files)."""
    return [f.name for f in project.inputs if f.parent == project.root]


def test_a_wrong_backend_setting_is_one_clear_error(tmp_path):
    write(tmp_path / "pyproject.toml", PEP621 + '[tool.envhook]\nbackend = "conda"\n')
    with pytest.raises(ProjectError) as e:
        find_project(tmp_path)
    assert "backend must be one of 'uv', 'poetry', 'pdm', 'pip', not 'conda'" in str(e.value)


def test_requirements_txt_makes_a_project_only_where_no_pyproject_is_above(tmp_path):
    write(tmp_path / "app" / "pyproject.toml", PEP621)
    write(tmp_path / "app" / "docs" / "requirements.txt", "sphinx\n")
    write(tmp_path / "scripts" / "requirements.txt", "x==1\n")
    (tmp_path / "scripts" / "sub").mkdir()
    assert paths.nearest_project_dir(str(tmp_path / "app" / "docs")) == str(tmp_path / "app")
    assert paths.nearest_project_dir(str(tmp_path / "scripts" / "sub")) == str(tmp_path / "scripts")
    p = find_project(tmp_path / "scripts" / "sub")
    assert (p.root, p.name, p.backend, p.env) == (
        tmp_path / "scripts", "scripts", "pip", tmp_path / "scripts" / ".venv")


def test_inputs_per_backend(tmp_path):
    write(tmp_path / "pyproject.toml", PEP621)
    write(tmp_path / "poetry.lock")
    p = find_project(tmp_path)
    assert own_inputs(p) == ["pyproject.toml", "poetry.lock", "poetry.toml"]
    assert p.inputs[-1].name == "config.toml" and p.inputs[-1].parent.name == "pypoetry", "Poetry's config.toml"
    os.unlink(tmp_path / "poetry.lock")
    write(tmp_path / "pdm.lock")
    p = find_project(tmp_path)
    assert own_inputs(p) == ["pyproject.toml", "pdm.lock", "pdm.toml", ".pdm-python"]
    assert p.inputs[-1].name == "config.toml" and p.inputs[-1].parent.name == "pdm", "PDM's config.toml"
    os.unlink(tmp_path / "pdm.lock")
    for n in ("requirements.txt", "requirements-dev.txt"):
        write(tmp_path / n, "x==1\n")
    assert own_inputs(find_project(tmp_path)) == [
        "requirements-dev.txt", "requirements.txt", ".python-version", "uv.toml"]
    # Compiled files, when present, are what is synced.
    write(tmp_path / "requirements.lock", "x==1\n")
    assert own_inputs(find_project(tmp_path)) == ["requirements.lock", ".python-version", "uv.toml"]


def test_poetry_env_name_is_poetrys_own(tmp_path):
    from poetry.utils.env import EnvManager

    for name in ("demo", "My Project!", "x" * 60, 'a$b`c"d'):
        for d in (tmp_path / "p", tmp_path / "with space"):
            d.mkdir(exist_ok=True)
            from envhook.backends.poetry import env_name

            assert env_name(name, d) == EnvManager.generate_env_name(name, str(d))


def test_poetry_env_path_follows_its_settings(tmp_path, monkeypatch, isolated_home):
    from envhook.backends.poetry import env_name, env_path

    root = tmp_path / "proj"
    root.mkdir()
    data = {"project": {"name": "demo"}}
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "pypoetry" / "virtualenvs"
    prefix = env_name("demo", root)
    environ = dict(os.environ)
    # Unset, no .venv: the cache dir, for the Python Poetry would use.
    assert env_path(root, data, environ).parent == cache
    assert env_path(root, data, environ).name.startswith(prefix + "-py")
    # An env made already for another Python is the one used.
    (cache / f"{prefix}-py3.99").mkdir(parents=True)
    assert env_path(root, data, environ) == cache / f"{prefix}-py3.99"
    # Unset with a .venv: that one.
    (root / ".venv").mkdir()
    assert env_path(root, data, environ) == root / ".venv"
    # false in the project's poetry.toml wins over the .venv.
    write(root / "poetry.toml", "[virtualenvs]\nin-project = false\n")
    assert env_path(root, data, environ) == cache / f"{prefix}-py3.99"
    # The variable wins over poetry.toml; POETRY_VIRTUALENVS_PATH moves them.
    assert env_path(root, data, {**environ, "POETRY_VIRTUALENVS_IN_PROJECT": "true"}) == root / ".venv"
    other = tmp_path / "venvs"
    got = env_path(root, data, {**environ, "POETRY_VIRTUALENVS_PATH": str(other)})
    assert got.parent == other and got.name.startswith(prefix)
    # The user's config.toml counts where the project says nothing.
    os.unlink(root / "poetry.toml")
    write(Path(os.environ["XDG_CONFIG_HOME"]) / "pypoetry" / "config.toml", "[virtualenvs]\nin-project = false\n")
    assert env_path(root, data, environ) == cache / f"{prefix}-py3.99"


def test_pdm_env_is_the_one_recorded_in_pdm_python(tmp_path):
    from envhook.backends.pdm import env_path

    assert env_path(tmp_path) == tmp_path / ".venv"
    elsewhere = tmp_path / "venvs" / "demo-x"
    write(elsewhere / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / ".pdm-python", f"{elsewhere}/bin/python\n")
    assert env_path(tmp_path) == elsewhere
    # An interpreter that is not a venv's (PDM's PEP 582 mode, a base Python): .venv.
    write(tmp_path / ".pdm-python", "/usr/bin/python3\n")
    assert env_path(tmp_path) == tmp_path / ".venv"


def test_requirements_parsing(tmp_path):
    from envhook.backends.pip import parse

    write(tmp_path / "base.txt", "Depkg==1.0\n")
    f = write(tmp_path / "requirements.txt", "\n".join([
        "# comment",
        "-r base.txt",
        "--index-url https://example.invalid/simple",
        "tinker_pkg==2.0 \\",
        "    --hash=sha256:abc",
        "otherpkg>=1.0,<2 ; python_version >= '3'",
        "-e ./local",
        "extrapkg[fancy] == 1.0  # trailing comment",
        "pkg @ https://example.invalid/pkg.whl",
    ]) + "\n")
    got = [(r.name, r.spec, r.marker, r.pinned) for r in parse(f)]
    assert got == [
        ("depkg", "==1.0", None, True),
        ("tinker-pkg", "==2.0", None, True),
        ("otherpkg", "<2,>=1.0", 'python_version >= "3"', False),
        ("extrapkg", "==1.0", None, True),
    ]


def test_every_backend_is_registered():
    from envhook.backends import NAMES

    assert [get(n).name for n in NAMES] == list(NAMES)


def test_status_says_which_lock_file_won_and_how_to_choose(tmp_path, shell_env):
    import subprocess

    write(tmp_path / "pyproject.toml", PEP621)
    write(tmp_path / "uv.lock")
    write(tmp_path / "poetry.lock")
    r = subprocess.run(["envhook", "status"], cwd=tmp_path, env=shell_env, capture_output=True, text=True)
    assert "backend: uv (uv.lock)" in r.stdout
    assert "uv.lock wins over poetry.lock" in r.stdout and "[tool.envhook] backend" in r.stdout
    r = subprocess.run(["envhook", "status", "--json"], cwd=tmp_path, env=shell_env, capture_output=True, text=True)
    import json

    data = json.loads(r.stdout)
    assert (data["backend"], data["backend_why"], data["lock_files_ignored"]) == ("uv", "uv.lock", ["poetry.lock"])


# -- the cause line of a failed sync, from the tools' real output -------------------------------

POETRY_OFFLINE = """\
Installing dependencies from lock file

Package operations: 2 installs, 0 updates, 0 removals

  - Installing certifi (2025.8.3): Failed
    | All attempts to connect to pypi.org failed.
    |
    | Probable Causes:
    |     - the server is not responding to requests at the moment
    |
    | You can also run your poetry command with -v to see more information.
  - Installing cfgv (3.4.0): Failed
    | All attempts to connect to pypi.org failed.
    |
    | You can also run your poetry command with -v to see more information.
"""
PDM_BROKEN = """\
Virtualenv is created successfully at /home/me/code/marko/.venv
See /home/me/.local/state/pdm/log/pdm-install-3on2m38r.log for detailed debug log.
[AttributeError]: module 'hishel' has no attribute 'SyncSqliteStorage'
WARNING: Add '-v' to see the detailed traceback
"""


@pytest.mark.parametrize(("output", "want"), [
    (POETRY_OFFLINE, "Installing certifi (2025.8.3): All attempts to connect to pypi.org failed."),
    (PDM_BROKEN, "module 'hishel' has no attribute 'SyncSqliteStorage'"),
    ("Resolving...\nerror: No solution found when resolving dependencies:\n  ╰─▶ Because x was not found\n",
     "No solution found when resolving dependencies: Because x was not found"),
    ("step one\nsomething broke here\nrun with --verbose for more information\n", "something broke here"),
], ids=["poetry-per-package", "pdm-bracketed", "uv-chain", "hint-skipped"])
def test_the_cause_line_is_what_went_wrong_not_how_to_learn_more(output, want):
    """Seen when trying cleo (Poetry, no network) and marko (a PDM broken by
    its own dependency): the last line said "run with -v"."""
    from envhook.backends.base import cause, output_lines

    assert cause(output_lines(output.encode())) == want


def test_every_backend_is_the_interface_and_states_its_tool():
    """Backend is abstract: a backend that forgets a method cannot be made;
    each names the tool doctor checks for it."""
    from envhook.backends import NAMES, get
    from envhook.backends.base import Backend

    with pytest.raises(TypeError):
        Backend()
    for name in NAMES:
        b = get(name)
        assert isinstance(b, Backend) and b.name == name and b.tool in ("uv", "poetry", "pdm"), name
