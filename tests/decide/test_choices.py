"""`envhook use` (issue 32): which groups, extras and workspace packages a
project's env gets, said once per project, kept in envhook's state, never
in the repository; an input of the sync, applied everywhere the decision
is (the hook's syncs, `envhook run` / `env`, `envhook sync`, status), and
exported to uv in the hooked shell. Real shells, real uv, offline from the
tests' wheels. The rule alone: test_selection.py; every shell's exports:
tests/prompt/test_contract.py row 22; Poetry, PDM and pip:
tests/backends/test_selection_backends.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from support.hooktest import envhook, grouped_project, pip_install, status_json, version_in_env
from support.projects import toml_str, uv_lock
from support.wheels import build_wheel


def test_a_group_that_cannot_be_fetched_is_left_out_and_the_rest_syncs(open_shell, tmp_path, wheelhouse, shell_env):
    """pydantic-ai's case: the default dev group needs what this machine
    cannot fetch (there a git host; here a wheel gone from its find-links
    and from uv's cache), so the whole sync fails, until `envhook use
    --no-group dev` leaves the group out, for the hook and for `uv run`."""
    private = tmp_path / "private"
    build_wheel(private, "devonly", "1.0")
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["tinkerpkg==1.0"]\n\n[dependency-groups]\ndev = ["devonly==1.0"]\n\n'
        f"[tool.uv]\nfind-links = [{toml_str(str(wheelhouse))}, {toml_str(str(private))}]\nno-index = true\n")
    env = dict(shell_env, UV_CACHE_DIR=str(tmp_path / "lock-cache"))
    uv_lock(project, env)
    for wheel in private.iterdir():
        wheel.unlink()  # unreachable now: gone from its find-links, and never in the shell's cache
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    out = s.run(f"cd {project}")
    assert "devonly" in out and s.get("ENVHOOK_STATE") == "failed", out
    # uv says which group brought it in; envhook says the way out.
    assert "(it comes from the dev group: `envhook use --no-group dev` leaves it out)" in out, out
    assert not (project / ".venv" / "bin" / "python").exists() or version_in_env(project, "tinkerpkg") is None
    out = s.run("envhook use --no-group dev")
    s.run("true")
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert version_in_env(project, "tinkerpkg") == "1.0" and version_in_env(project, "devonly") is None
    assert s.get("UV_NO_GROUP") == "dev"
    # uv run in this shell leaves the group out too: it neither fails nor touches the env.
    ran = s.run("uv run python -c 'import tinkerpkg; print(\"ran\", tinkerpkg.__version__)'")
    assert ran.strip().endswith("ran 1.0"), ran
    assert status_json(project, shell_env)["state"] == "in-sync"
    # Nothing of it is in the repository.
    assert "envhook" not in (project / "pyproject.toml").read_text()
    assert sorted(p.name for p in project.iterdir()) == [".venv", "pyproject.toml", "uv.lock"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_group_and_an_extra_are_installed_at_the_next_prompt_and_uv_run_keeps_them(open_shell, shell, tmp_path,
                                                                                    wheelhouse, shell_env):
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    s = open_shell(cwd=project)
    assert version_in_env(project, "chaina") == "1.0", "dev: installed unasked, as uv sync does"
    assert version_in_env(project, "otherpkg") is None and version_in_env(project, "extrapkg") is None
    out = s.run("envhook use --group docs --extra fancy")  # the prompt after it syncs
    assert "a sync installs --group docs --extra fancy" in out, out
    assert "syncing demo (the selection changed (now --group docs --extra fancy))" in out, out
    assert version_in_env(project, "otherpkg") == "1.0" and version_in_env(project, "extrapkg") == "1.0"
    assert s.get("UV_NO_SYNC") == "1", "uv has no variable for a group or an extra"
    # `uv run` and `uv add` in this shell do not sync the defaults over the choice.
    s.run("uv run python -c pass")
    assert version_in_env(project, "otherpkg") == "1.0" and version_in_env(project, "extrapkg") == "1.0"
    st = status_json(project, shell_env)
    assert (st["state"], st["drift"], st["hand"] or []) == ("in-sync", [], []), st
    assert {c["option"]: c["from"] for c in st["selection"]} == {"--group docs": "`envhook use`",
                                                               "--extra fancy": "`envhook use`"}
    # Said once: the next prompt syncs nothing.
    assert "syncing" not in s.run("true")
    out = s.run("envhook use --reset")
    assert "syncing demo (the selection changed (now the defaults))" in out, out
    assert version_in_env(project, "otherpkg") is None and version_in_env(project, "extrapkg") is None
    assert version_in_env(project, "chaina") == "1.0"
    assert s.get("UV_NO_SYNC") is None and s.get("_ENVHOOK_UV") is None
    # A hand-made change after that: UV_NO_SYNC=1 again, for its own reason (a trial found it missing).
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run("true")
    assert s.get("ENVHOOK_STATE") == "tinkered" and s.get("UV_NO_SYNC") == "1"
    s.run("cd /")
    assert s.get("UV_NO_SYNC") is None and s.get("_ENVHOOK_UV") is None


def test_envhook_run_from_a_process_without_the_hook_honours_the_choice(tmp_path, wheelhouse, shell_env):
    """An editor's or CI's `envhook run`: the same selection as the hook's,
    and uv's variables for a `uv run` inside."""
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    r = envhook("use", "--extra", "fancy", "--no-group", "dev", cwd=project, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert not (project / ".venv").exists(), "choosing syncs nothing by itself"
    r = envhook("run", "--", "python", "-c", "import extrapkg, tinkerpkg", cwd=project, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert version_in_env(project, "chaina") is None
    # uv run inside keeps the extra (UV_NO_SYNC) and the group out (UV_NO_GROUP).
    r = envhook("run", "--", "uv", "run", "python", "-c", "import extrapkg", cwd=project, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert version_in_env(project, "extrapkg") == "1.0" and version_in_env(project, "chaina") is None
    exports = json.loads(envhook("env", "--json", cwd=project, env=shell_env).stdout)["set"]
    assert (exports["UV_NO_SYNC"], exports["UV_NO_GROUP"]) == ("1", "dev")
    # `envhook sync` is the same decision.
    envhook("use", "--reset", cwd=project, env=shell_env, check=True)
    assert envhook("sync", cwd=project, env=shell_env).returncode == 0
    assert version_in_env(project, "extrapkg") is None and version_in_env(project, "chaina") == "1.0"


def test_status_drift_is_against_the_selection_and_uv_syncing_it_is_not_tinkering(tmp_path, wheelhouse, shell_env):
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    envhook("use", "--group", "docs", cwd=project, env=shell_env, check=True)
    envhook("sync", cwd=project, env=shell_env, check=True)
    st = status_json(project, shell_env)
    assert (st["state"], st["drift"]) == ("in-sync", []), st
    python = str(project / ".venv" / "bin" / "python")
    subprocess.run(["uv", "pip", "uninstall", "-q", "--python", python, "otherpkg"], env=shell_env, check=True)
    st = status_json(project, shell_env)
    assert [(c["name"], c["installed"], c["locked"]) for c in st["drift"]] == [("otherpkg", None, "1.0")], st
    # uv syncing the chosen selection itself, in a shell without the hook: not a hand-made change.
    subprocess.run(["uv", "sync", "-q", "--group", "docs"], cwd=project, env=shell_env, check=True)
    st = status_json(project, shell_env)
    assert (st["state"], st["drift"], st["hand"] or []) == ("in-sync", [], []), st


def test_reset_drops_only_yours_and_no_choice_touches_trust(tmp_path, wheelhouse, shell_env):
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env,
                              extra_toml='\n[tool.envhook]\ngroups = ["lint"]\n')
    envhook("use", "--group", "docs", cwd=project, env=shell_env, check=True)
    shown = envhook("use", cwd=project, env=shell_env).stdout
    assert "a sync installs --group docs --group lint" in shown
    assert [line.split() for line in shown.splitlines()[1:]] == [
        ["--group", "docs", "from", "`envhook", "use`"], ["--group", "lint", "from", "[tool.envhook]"]]
    r = envhook("use", "--reset", cwd=project, env=shell_env)
    assert r.returncode == 0 and "a sync installs --group lint" in r.stderr, r.stderr
    # Paranoid trust follows the inputs' content: a choice is none of it.
    paranoid = dict(shell_env, ENVHOOK_PARANOID="1")
    envhook("allow", cwd=project, env=paranoid, check=True)
    envhook("use", "--no-group", "dev", cwd=project, env=paranoid, check=True)
    assert status_json(project, paranoid)["trusted"] is True
    # An untrusted project may be given choices; it stays untrusted and nothing runs.
    other = tmp_path / "other"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns(".venv"))
    r = envhook("use", "--group", "docs", cwd=other, env=shell_env)
    assert r.returncode == 0, r.stderr
    st = status_json(other, shell_env)
    assert (st["state"], st["trusted"]) == ("untrusted", False) and not (other / ".venv").exists()
    # A repository that writes its own "choices" in [tool.envhook] gains nothing by it.
    text = (other / "pyproject.toml").read_text()
    text = text.replace("[tool.envhook]", '[tool.envhook]\ntrusted = true\nuse = ["x"]')
    (other / "pyproject.toml").write_text(text)
    assert status_json(other, shell_env)["trusted"] is False


def test_a_linked_worktree_starts_without_the_choices(tmp_path, wheelhouse, shell_env):
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "pyproject.toml", "uv.lock"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=project, check=True)
    subprocess.run([*git, "worktree", "add", "-q", str(tmp_path / "wt")], cwd=project, check=True)
    envhook("use", "--group", "docs", cwd=project, env=shell_env, check=True)
    assert status_json(project, shell_env)["selection"] == [{"option": "--group docs", "from": "`envhook use`"}]
    assert status_json(tmp_path / "wt", shell_env)["selection"] == []
    assert "nothing chosen" in envhook("use", cwd=tmp_path / "wt", env=shell_env).stdout


def test_a_choice_the_backend_cannot_honour_is_said_at_use_and_again_when_the_backend_changed(
        open_shell, tmp_path, wheelhouse, shell_env):
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    r = envhook("use", "--extra", "fancy", cwd=project, env=shell_env)
    assert r.returncode == 0 and "cannot honour" not in r.stderr, r.stderr
    # The project becomes a requirements project (no lock, no [tool.uv]): pip/requirements has no extras.
    (project / "uv.lock").unlink()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0.1.0"\n')
    (project / "requirements.txt").write_text(f"--no-index\n--find-links {wheelhouse}\ntinkerpkg==1.0\n")
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    out = s.run(f"cd {project}")
    said = [line for line in out.splitlines() if "cannot honour" in line]
    assert said == ["envhook: demo: pip/requirements cannot honour `envhook use --extra fancy` (its requirements "
                    "files name their own extras); it is left out"], out
    assert version_in_env(project, "tinkerpkg") == "1.0" and s.get("ENVHOOK_STATE") == "in-sync"
    assert "cannot honour" not in s.run("true"), "once"
    # Said at `use` time, for the backend it is now.
    r = envhook("use", "--extra", "fancy", cwd=project, env=shell_env)
    assert r.returncode == 0 and "demo is synced by pip/requirements, which cannot honour `--extra fancy`" in r.stderr


def test_bad_names_are_refused_and_nothing_is_kept(tmp_path, wheelhouse, shell_env):
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    for bad in ("-x", "a b", "$(touch pwned)", "docs;rm"):
        r = envhook("use", f"--group={bad}", cwd=project, env=shell_env)
        assert r.returncode == 2 and "nothing changed" in r.stderr, (bad, r.stderr)
    assert "nothing chosen" in envhook("use", cwd=project, env=shell_env).stdout
    assert not (tmp_path / "pwned").exists() and not (project / "pwned").exists()


def test_a_choice_file_another_user_could_write_is_not_believed(tmp_path, wheelhouse, shell_env):
    from envhook.store import paths

    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    envhook("use", "--group", "docs", cwd=project, env=shell_env, check=True)
    state = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "projects"
    (found,) = list(state.glob(f"*/{paths.CHOICES}"))
    found.chmod(0o666)
    assert status_json(project, shell_env)["selection"] == []


@pytest.mark.parametrize(("yours", "environ", "want"), [
    # [tool.envhook] groups = ["lint"] in every row; uv's default group is dev.
    ((), {}, {"chaina": "1.0", "markerpkg": "1.0", "otherpkg": None}),
    ((), {"UV_NO_GROUP": "lint"}, {"chaina": "1.0", "markerpkg": None}),  # the environment over the repository
    ((), {"UV_NO_DEV": "1"}, {"chaina": None, "markerpkg": "1.0"}),
    (("--group", "lint"), {"UV_NO_GROUP": "lint"}, {"markerpkg": "1.0"}),  # yours over the environment
    (("--no-group", "lint", "--group", "docs"), {}, {"markerpkg": None, "otherpkg": "1.0", "chaina": "1.0"}),
    (("--only-group", "docs"), {}, {"tinkerpkg": None, "chaina": None, "otherpkg": "1.0", "markerpkg": "1.0"}),
])
def test_the_precedence_rows_with_uv(yours, environ, want, tmp_path, wheelhouse, shell_env):
    """README's precedence table, synced by the real uv: each row's env holds
    what the merged selection says (test_selection.py has the merge alone)."""
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env,
                              extra_toml='\n[tool.envhook]\ngroups = ["lint"]\n')
    env = dict(shell_env, **environ)
    if yours:
        envhook("use", *yours, cwd=project, env=env, check=True)
    r = envhook("sync", cwd=project, env=env)
    assert r.returncode == 0, r.stderr
    got = {name: version_in_env(project, name) for name in want}
    assert got == want, (yours, environ, r.stderr)
    if yours and environ:  # what is overridden is said where the choices are listed
        shown = envhook("use", cwd=project, env=env).stdout
        assert "--no-group lint from UV_NO_GROUP (or UV_NO_DEV) in your environment is overridden by --group lint " \
               "from `envhook use`" in shown, shown


def test_a_name_the_workspace_does_not_declare_is_said_once_and_left_out(tmp_path, wheelhouse, shell_env):
    """A typo (`--group doc`) must not fail every sync until `--reset`: uv
    would refuse the whole `uv sync` for it (a trial found exactly that)."""
    project = grouped_project(tmp_path / "demo", wheelhouse, shell_env)
    for args, flag in ((("--group", "doc"), "--group doc"), (("--no-group", "doc"), "--no-group doc"),
                       (("--extra", "fancyy"), "--extra fancyy"), (("--package", "api"), "--package api")):
        r = envhook("use", *args, cwd=project, env=shell_env)
        said = [line for line in r.stderr.splitlines() if "cannot honour" in line]
        assert r.returncode == 0 and len(said) == 1 and f"`{flag}`" in said[0], r.stderr
    r = envhook("use", "--group", "docs", cwd=project, env=shell_env)
    assert "cannot honour" not in r.stderr, "said when chosen, not again"
    r = envhook("sync", cwd=project, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert version_in_env(project, "otherpkg") == "1.0" and version_in_env(project, "tinkerpkg") == "1.0"
    assert status_json(project, shell_env)["state"] == "in-sync"
    shown = envhook("use", cwd=project, env=shell_env).stdout
    # (`--no-group doc` took the place of `--group doc`: a later word on one group replaces the earlier.)
    assert "`--no-group doc` is yours but left out" in shown and "`--package api` is yours but left out" in shown


def test_a_hostile_project_name_is_shown_not_obeyed(tmp_path, wheelhouse, shell_env):
    """`envhook use` prints the project's name and path, which a repository
    chooses: escaped, as status does (an OSC title, a bell, a newline)."""
    from support.projects import make_project

    project = make_project(tmp_path / "evil\x1b]0;pwned\x07\nline", wheelhouse, name="evil",
                           extra_toml='[dependency-groups]\ndocs = ["otherpkg==1.0"]\n')
    text = (project / "pyproject.toml").read_text().replace('name = "evil"', 'name = "evil\\u001b[2Jname"')
    (project / "pyproject.toml").write_text(text)
    for args in ((), ("--no-group", "x"), ("--group", "docs"), ()):
        r = envhook("use", *args, cwd=project, env=shell_env)
        assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stdout + r.stderr, (r.stdout, r.stderr)
