"""Hand-made changes survive everything, and the rest of the env still
follows the lock (issue 13).

- tinkered = "keep" (the default): a change of the inputs under hand-made
  changes is synced around them (`uv sync --inexact --no-install-package …`,
  then what the lock dropped is removed), in one line after the sync;
- the hook exports UV_NO_SYNC=1 while the env carries them, so `uv run`
  keeps them, and `uv add` leaves the sync to envhook's next prompt;
- an env another tool made empty (uv venv, python -m venv, uv venv --seed,
  Poetry, PDM) is filled as a missing one;
- a `.venv` that is no venv is never handed to a sync tool;
- uv's own workspace commands are not tinkering;
- pins at their edges.

Real interactive bash, zsh and fish over real uv projects, offline, with
wheels that have dependency chains (chaina -> chainb -> chainc) and a
marker-dependent dependency (markerpkg).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.hooktest import (
    add_find_links,
    envhook,
    envhook_syncs,
    lines_with,
    pip_install,
    q,
    status_json,
    throwaway_python,
    tree_digest,
    uv_wrapper,
    version_in_env,
    write_config,
)
from support.localpkg import make_local_package
from support.projects import make_project, run_uv, set_dependencies, toml_str, uv_lock, venv_python
from support.wheels import build_wheel

ARROW = "\u2192"
DASH = "\u2014"


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def uvlog(tmp_path, shell_env) -> tuple[dict, Path]:
    return uv_wrapper(tmp_path, shell_env)


def new_project(tmp_path: Path, wheelhouse: Path, env: dict, deps=("tinkerpkg==1.0",), links=(),
                allow: bool = True, name: str = "demo") -> Path:
    p = make_project(tmp_path / name, wheelhouse, name=name, dependencies=deps)
    if links:
        add_find_links(p, wheelhouse, links)
    uv_lock(p, env)
    if allow:
        envhook("allow", cwd=p, env=env, check=True)
    return p








def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)




def without_hook(env: dict) -> dict:
    """A shell without the hook: a script, an editor's task."""
    return {k: v for k, v in env.items() if k not in ("UV_NO_SYNC", "VIRTUAL_ENV") and not k.startswith("_ENVHOOK")}


# ================================================================ the rest follows the lock


def test_uv_run_keeps_a_tinkered_env(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    assert version_in_env(p) == "1.0", s.startup_output
    assert s.get("UV_NO_SYNC") is None, "an env as the lock has it: `uv run` may sync"
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert f"tinkerpkg 1.0 {ARROW} 2.0" in out, out
    assert s.get("UV_NO_SYNC") == "1", "while the env carries hand-made changes, uv run must not sync"
    out = s.run("uv run python -c 'import tinkerpkg; print(tinkerpkg.__version__)'")
    assert "2.0" in out.split(), f"uv run reset the hand-made change:\n{out}"
    assert version_in_env(p) == "2.0"
    assert "envhook:" not in s.run("true")
    assert s.get("ENVHOOK_STATE") == "tinkered"
    # Back to the lock by hand: nothing to keep, uv run may sync again.
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==1.0"))
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("UV_NO_SYNC") is None


def test_uv_no_sync_when_tinkered_can_be_turned_off(open_shell, shell, tmp_path, wheelhouse, shell_env):
    write_config(shell_env, "uv_no_sync_when_tinkered = false\n")
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert "kept by envhook's syncs;" in out, out
    assert s.get("ENVHOOK_STATE") == "tinkered" and s.get("UV_NO_SYNC") is None


def test_a_checkout_that_adds_a_dependency_chain_is_synced_around_the_hand_change(
        open_shell, shell, tmp_path, wheelhouse, uvlog):
    env, log = uvlog
    p = new_project(tmp_path, wheelhouse, env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    git(p, "init", "-q", "-b", "main")
    git(p, "add", "pyproject.toml", "uv.lock")
    git(p, "commit", "-qm", "one")
    git(p, "checkout", "-qb", "more")
    set_dependencies(p, ["tinkerpkg==1.0", "otherpkg==1.0", "chaina", "markerpkg"])
    uv_lock(p, env)
    git(p, "commit", "-qam", "more")
    git(p, "checkout", "-q", "main")

    s = open_shell(cwd=p, env=env)
    assert version_in_env(p) == "1.0", s.startup_output
    first = len(envhook_syncs(log, s))
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))

    out = s.run("git checkout -q more")
    synced = lines_with(out, "envhook: synced demo (")
    assert len(synced) == 1, f"expected one `synced demo (…)` line:\n{out}"
    line = synced[0]
    assert line.startswith("envhook: synced demo (pyproject.toml changed, uv.lock changed): "), line
    for part in ("+ chaina 2.0", "+ chainb 1.0", "+ chainc 2.0", "+ markerpkg 1.0",
                 "; kept your tinkerpkg 2.0 (lock: 1.0)"):
        assert part in line, f"the line should say {part!r}: {line!r}"
    assert "extrapkg" not in line, f"markerpkg's Python-2-only dependency is not installed: {line!r}"
    assert "changed by hand" not in out, out
    assert lines_with(out, "envhook: syncing demo (") == [
        "envhook: syncing demo (pyproject.toml changed, uv.lock changed; keeping your tinkerpkg)"], (
        f"one line before uv's output, as in every mode (issue 28):\n{out}")
    got = {n: version_in_env(p, n) for n in ("tinkerpkg", "otherpkg", "chaina", "chainb", "chainc", "markerpkg",
                                              "extrapkg")}
    assert got == {"tinkerpkg": "2.0", "otherpkg": "1.0", "chaina": "2.0", "chainb": "1.0", "chainc": "2.0",
                   "markerpkg": "1.0", "extrapkg": None}, f"the rest follows the lock, the hand change stays:\n{out}"
    assert s.run("python -c 'import chaina, chainb, chainc, markerpkg; print(\"ok\")'").strip() == "ok"
    syncs = envhook_syncs(log, s)[first:]
    assert len(syncs) == 1 and "--inexact" in syncs[0] and syncs[0][-2:] == ["--no-install-package", "tinkerpkg"], (
        f"one inexact sync that leaves tinkerpkg alone; uv calls:\n{log.read_text()}")
    check = subprocess.run(["uv", "pip", "check", "--python", str(venv_python(p))], env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, f"every requirement of what is installed is there:\n{check.stdout}{check.stderr}"
    assert s.get("ENVHOOK_STATE") == "tinkered" and s.get("UV_NO_SYNC") == "1"
    assert "envhook:" not in s.run("true"), "nothing more to say"
    data = status_json(p, env)
    assert [(c["name"], c["installed"], c["locked"]) for c in data["drift"]] == [("tinkerpkg", "2.0", "1.0")], data
    assert data["state"] == "tinkered", data

    # Back to the first branch: what it does not have is removed, the hand change still stays.
    out = s.run("git checkout -q main")
    synced = lines_with(out, "envhook: synced demo (")
    assert len(synced) == 1 and "- chaina 2.0" in synced[0] and "kept your tinkerpkg 2.0" in synced[0], out
    assert version_in_env(p, "chaina") is None and version_in_env(p, "chainc") is None
    assert version_in_env(p) == "2.0"


def test_a_lock_that_bumps_the_tinkered_package_keeps_it_and_names_the_conflict(
        open_shell, shell, tmp_path, wheelhouse, shell_env):
    extra = tmp_path / "extra-wheels"
    build_wheel(extra, "needspkg", "1.0", ["tinkerpkg>=3.0"])
    p = new_project(tmp_path, wheelhouse, shell_env, links=(extra,))
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))

    set_dependencies(p, ["tinkerpkg==3.0"])
    out = s.run("uv lock -q")
    assert lines_with(out, "envhook: synced demo (") == [
        "envhook: synced demo (pyproject.toml changed, uv.lock changed): nothing to change; "
        "kept your tinkerpkg 2.0 (lock: 3.0)"], out
    assert version_in_env(p) == "2.0"
    assert status_json(p, shell_env)["hand"] == [
        {"name": "tinkerpkg", "installed": "2.0", "locked": "3.0", "source": None}], "measured against the new lock"

    set_dependencies(p, ["tinkerpkg", "needspkg"])
    out = s.run("uv lock -q")
    phrase = "kept tinkerpkg 2.0 conflicts with needspkg 1.0's requirement tinkerpkg>=3.0"
    assert lines_with(out, "conflicts") == [f"envhook: demo synced; {phrase} {DASH} `envhook sync` follows the lock"], out
    assert "+ needspkg 1.0" in out and version_in_env(p) == "2.0" and version_in_env(p, "needspkg") == "1.0"
    assert "conflicts" not in s.run("true"), "said once"

    # `envhook sync` is consent: the lock wins, the conflict is gone.
    s.run("envhook sync")
    assert version_in_env(p) == "3.0" and s.get("ENVHOOK_STATE") == "in-sync"


def test_uv_add_while_tinkered_only_locks_and_the_next_prompt_brings_it_in(
        open_shell, shell, tmp_path, wheelhouse, uvlog):
    env, log = uvlog
    p = new_project(tmp_path, wheelhouse, env)
    s = open_shell(cwd=p, env=env)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert s.get("UV_NO_SYNC") == "1"

    out = s.run("uv add -q chaina")
    assert version_in_env(p, "chaina") == "2.0" and version_in_env(p, "chainc") == "2.0", out
    assert version_in_env(p) == "2.0", f"uv add kept its hands off the env; envhook kept the change:\n{out}"
    assert len(lines_with(out, "envhook: synced demo (")) == 1, out
    hint = lines_with(out, "UV_NO_SYNC=1")
    assert len(hint) == 1 and "uv add" in hint[0], f"the first time, one line says why uv did not sync:\n{out}"
    adds = [line for line in log.read_text().splitlines() if " add " in f" {line} "]
    assert adds, "test setup: uv add ran"

    out = s.run("uv add -q extrapkg")
    assert version_in_env(p, "extrapkg") == "1.0" and version_in_env(p) == "2.0", out
    assert not lines_with(out, "UV_NO_SYNC"), f"the hint is said once, ever:\n{out}"
    assert s.get("ENVHOOK_STATE") == "tinkered"


# ================================================================ nothing to lose


@pytest.mark.parametrize("how", ["uv venv", "python -m venv", "uv venv --seed"])
def test_an_empty_env_another_tool_made_is_filled_on_allow(open_shell, shell, tmp_path, wheelhouse, shell_env, how):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("chaina", "tinkerpkg==1.0"), allow=False)
    if how == "python -m venv":
        py = throwaway_python(tmp_path / "base")
        subprocess.run([str(py), "-m", "venv", "--without-pip", str(p / ".venv")], check=True)
    else:
        seeds = tmp_path / "seeds"
        for seed in ("pip", "setuptools", "wheel"):
            build_wheel(seeds, seed, "24.0")
        args = ["venv", *how.split()[2:], "--no-index", "--find-links", str(seeds)]
        run_uv(p, shell_env, *args)
    if how == "uv venv --seed":
        assert version_in_env(p, "pip") == "24.0", "test setup: the seed package is there"
    s = open_shell(cwd=p)
    assert "not trusted" in s.startup_output
    out = s.run("envhook allow")
    assert "syncing demo (the env holds none of the project's packages yet" in out, out
    assert "kept" not in out and "changed by hand" not in out, out
    assert {n: version_in_env(p, n) for n in ("chaina", "chainb", "chainc", "tinkerpkg")} == {
        "chaina": "2.0", "chainb": "1.0", "chainc": "2.0", "tinkerpkg": "1.0"}, out
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("UV_NO_SYNC") is None
    assert status_json(p, shell_env)["drift"] == []


def test_a_fresh_package_project_in_an_empty_uv_venv_shows_its_own_version(tmp_path, wheelhouse, shell_env):
    """A project with a build backend (uv init --package): uv's dry run gives
    no version for it; status says the one its pyproject.toml has."""
    p = make_local_package(tmp_path / "emp", "emp", "0.3.0", ("tinkerpkg==1.0",))
    text = (p / "pyproject.toml").read_text()
    (p / "pyproject.toml").write_text(text + f"\n[tool.uv]\nfind-links = [{toml_str(str(wheelhouse))}]\n"
                                             "no-index = true\n")
    uv_lock(p, shell_env)
    run_uv(p, shell_env, "venv")
    # A hand-made package too, so that the env is not empty and drift is shown.
    run_uv(p, shell_env, "pip", "install", "--python", str(venv_python(p)), "--no-index", "--find-links",
           str(wheelhouse), "extrapkg")
    envhook("allow", cwd=p, env=shell_env, check=True)
    write_config(shell_env, 'tinkered = "freeze"\n')
    data = status_json(p, shell_env)
    drift = {c["name"]: (c["installed"], c["locked"]) for c in data["drift"]}
    assert drift["emp"] == (None, "0.3.0"), data["drift"]
    text = envhook("status", cwd=p, env=shell_env).stdout
    assert "- emp (lock: 0.3.0)" in text and "?" not in text, text


# ================================================================ never sync what is not a venv


def test_a_venv_without_pyvenv_cfg_is_moved_aside_and_the_base_is_untouched(
        open_shell, shell, tmp_path, wheelhouse, shell_env):
    py = throwaway_python(tmp_path / "base")
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("chaina",))
    subprocess.run([str(py), "-m", "venv", "--without-pip", str(p / ".venv")], check=True)
    (p / ".venv" / "pyvenv.cfg").unlink()  # an interrupted rm -rf
    before = tree_digest(tmp_path / "base")
    s = open_shell(cwd=p)
    out = s.startup_output
    assert tree_digest(tmp_path / "base") == before, f"the base interpreter was changed:\n{out}"
    moved = lines_with(out, "moved it aside to")
    assert len(moved) == 1 and "has no pyvenv.cfg" in moved[0], out
    aside = Path(moved[0].split("moved it aside to ", 1)[1].split(";", 1)[0])
    assert aside.is_dir() and (aside / "bin").exists() and str(aside).startswith(shell_env["XDG_STATE_HOME"]), aside
    assert (p / ".venv" / "pyvenv.cfg").is_file(), f"a fresh env was made:\n{out}"
    assert version_in_env(p, "chainc") == "2.0"
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("VIRTUAL_ENV") == str(p / ".venv")
    data = status_json(p, shell_env)
    assert data["state"] == "in-sync" and data["last_sync"]["status"] == "ok", data
    # And `envhook sync` again is a plain sync: nothing else moved, the base still untouched.
    out = s.run("envhook sync")
    assert "moved it aside" not in out and tree_digest(tmp_path / "base") == before, out


def test_a_directory_at_the_env_path_that_holds_other_things_is_refused(
        open_shell, shell, tmp_path, wheelhouse, shell_env):
    py = throwaway_python(tmp_path / "base")
    p = new_project(tmp_path, wheelhouse, shell_env)
    subprocess.run([str(py), "-m", "venv", "--without-pip", str(p / ".venv")], check=True)
    (p / ".venv" / "pyvenv.cfg").unlink()
    (p / ".venv" / "notes.txt").write_text("mine\n")
    before, env_before = tree_digest(tmp_path / "base"), tree_digest(p / ".venv")
    s = open_shell(cwd=p)
    out = s.startup_output
    refused = lines_with(out, "will not sync into it")
    assert len(refused) == 1 and str(p / ".venv") in refused[0] and "notes.txt" in refused[0], out
    assert tree_digest(tmp_path / "base") == before and tree_digest(p / ".venv") == env_before, out
    assert "will not sync" not in s.run("true"), "said once, not retried at every prompt"
    assert s.get("ENVHOOK_STATE") == "failed"
    data = status_json(p, shell_env)
    assert data["state"] == "failed" and "will not sync into it" in data["reasons"][0], data


# ================================================================ workspaces


@pytest.fixture
def workspace(tmp_path, wheelhouse, shell_env) -> Path:
    """A uv workspace: root `ws` (chaina), members m1 (tinkerpkg) and m2
    (otherpkg, m1), buildable offline; locked, trusted, not synced."""
    root = make_project(tmp_path / "ws", wheelhouse, name="ws", dependencies=["chaina"],
                        workspace_members=["packages/*"])
    make_local_package(root / "packages" / "m1", "m1", "0.1.0", ("tinkerpkg==1.0",))
    make_local_package(root / "packages" / "m2", "m2", "0.2.0", ("otherpkg", "m1"))
    with open(root / "packages" / "m2" / "pyproject.toml", "a") as f:
        f.write("\n[tool.uv.sources]\nm1 = { workspace = true }\n")
    uv_lock(root, shell_env)
    envhook("allow", cwd=root, env=shell_env, check=True)
    return root


def test_uv_run_in_a_member_and_uv_sync_package_are_not_tinkering(open_shell, shell, workspace, wheelhouse,
                                                                   shell_env):
    s = open_shell(cwd=workspace)
    assert version_in_env(workspace, "chaina") == "2.0", s.startup_output
    assert version_in_env(workspace, "m2") is None
    out = s.run(f"cd {q(shell, workspace / 'packages' / 'm2')} && uv run -q python -c 'import m2' && cd ..")
    assert version_in_env(workspace, "m2") == "0.2.0" and version_in_env(workspace, "otherpkg") == "1.1", out
    out += s.run("true")
    assert "changed by hand" not in out, f"uv's own `uv run` in a member is not tinkering:\n{out}"
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("UV_NO_SYNC") is None

    out = s.run("uv sync -q --package m1")
    assert version_in_env(workspace, "chaina") is None and version_in_env(workspace, "m1") == "0.1.0", out
    out += s.run("true")
    assert "changed by hand" not in out, f"`uv sync --package` is not tinkering:\n{out}"
    assert s.get("ENVHOOK_STATE") == "in-sync"

    # A real hand change in the workspace is still one.
    out = s.run(pip_install(shell, wheelhouse, "extrapkg"))
    assert "changed by hand (+ extrapkg 1.0)" in out, out


def test_all_packages_makes_the_hook_sync_every_member(open_shell, shell, workspace, tmp_path, shell_env):
    with open(workspace / "pyproject.toml", "a") as f:
        f.write("\n[tool.envhook]\nall-packages = true\n")
    uv_lock(workspace, shell_env)
    env, log = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=workspace, env=env)
    assert {n: version_in_env(workspace, n) for n in ("chaina", "m1", "m2", "otherpkg")} == {
        "chaina": "2.0", "m1": "0.1.0", "m2": "0.2.0", "otherpkg": "1.1"}, s.startup_output
    syncs = envhook_syncs(log, s)
    assert syncs and all("--all-packages" in c for c in syncs), log.read_text()
    assert status_json(workspace, env)["drift"] == [] and s.get("ENVHOOK_STATE") == "in-sync"


def test_all_packages_with_a_member_list(workspace, tmp_path, shell_env):
    with open(workspace / "pyproject.toml", "a") as f:
        f.write('\n[tool.envhook]\nall-packages = ["m1"]\n')
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("sync", cwd=workspace, env=env, check=True)
    assert version_in_env(workspace, "m1") == "0.1.0" and version_in_env(workspace, "chaina") is None
    assert any("--package" in line and "m1" in line for line in log.read_text().splitlines()), log.read_text()
    (workspace / "pyproject.toml").write_text((workspace / "pyproject.toml").read_text()
                                              .replace('all-packages = ["m1"]', 'all-packages = "yes"'))
    r = envhook("status", cwd=workspace, env=env)
    assert r.returncode == 1 and "all-packages must be true, false or a list" in r.stdout, r.stdout + r.stderr


# ================================================================ pins at the edges


def test_pin_then_unpin_then_a_hand_change_is_noticed_not_reverted(open_shell, shell, tmp_path, wheelhouse,
                                                                   shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run("envhook pin")
    s.run("envhook unpin")
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    out += s.run("true")
    assert "syncing" not in out and version_in_env(p) == "2.0", f"a change after unpin is not reverted:\n{out}"
    assert f"tinkerpkg 1.0 {ARROW} 2.0" in out and "changed by hand" in out, out
    assert s.get("ENVHOOK_STATE") == "tinkered"


def test_unpin_resets_what_was_changed_before_it(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run("envhook pin")
    out = s.run("envhook unpin")
    assert version_in_env(p) == "1.0", f"unpin is consent to reset what was there:\n{out}"
    assert "while pinned" not in out, f"the change was made before the pin:\n{out}"


def test_a_package_pin_reset_by_uv_sync_is_said_once_and_re_recorded(open_shell, shell, tmp_path, wheelhouse,
                                                                     shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run("envhook pin tinkerpkg")
    assert s.get("UV_NO_SYNC") == "1", "package pins are hand-made changes kept: uv run must not reset them"
    out = s.run("uv run -q python -c pass")
    assert version_in_env(p) == "2.0", f"uv run in a hooked shell keeps the pin:\n{out}"
    out = s.run("uv sync -q")
    assert version_in_env(p) == "1.0", "test setup: an explicit uv sync syncs exactly"
    moved = lines_with(out, "pinned tinkerpkg 2.0 is now 1.0")
    assert len(moved) == 1, f"one line at the next prompt:\n{out}"
    assert "pinned tinkerpkg" not in s.run("true")
    assert status_json(p, shell_env)["pins"][0]["installed"] == "1.0", "re-recorded as it is now"


def test_a_package_pin_reset_by_uv_run_outside_the_hook_is_said(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==3.0"))
    s.run("envhook pin tinkerpkg")
    run_uv(p, without_hook(shell_env), "run", "python", "-c", "pass")  # a Makefile, an editor
    assert version_in_env(p) == "1.0", "test setup: uv run without UV_NO_SYNC syncs exactly"
    out = s.run("true")
    assert len(lines_with(out, "pinned tinkerpkg 3.0 is now 1.0")) == 1, out
    assert "pinned tinkerpkg" not in s.run("true")


def test_a_whole_env_pin_reset_behind_envhooks_back_is_said_once(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run("envhook pin")
    run_uv(p, without_hook(shell_env), "run", "python", "-c", "pass")
    assert version_in_env(p) == "1.0", "test setup: uv run without UV_NO_SYNC syncs exactly"
    out = s.run("true")
    said = lines_with(out, "is pinned, but its env was changed outside envhook")
    assert len(said) == 1 and f"tinkerpkg 2.0 {ARROW} 1.0" in said[0], out
    assert "changed outside" not in s.run("true")
    s2 = open_shell(cwd=p)
    assert "changed outside" not in s2.startup_output, "said once, across shells"


def test_unpin_preview_leaves_out_what_stays_pinned(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run(pip_install(shell, wheelhouse, "otherpkg==1.1"))
    s.run("envhook pin tinkerpkg")
    s.run("envhook pin")
    out = s.run("envhook unpin")
    preview = lines_with(out, "unpinned demo")
    assert len(preview) == 1 and f"otherpkg 1.1 {ARROW} 1.0" in preview[0], out
    assert "tinkerpkg 2.0" not in preview[0] and "package pins stay: tinkerpkg" in preview[0], preview
    assert version_in_env(p) == "2.0" and version_in_env(p, "otherpkg") == "1.0", out


def test_pin_of_a_package_neither_installed_nor_locked(tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    envhook("sync", cwd=p, env=shell_env, check=True)
    r = envhook("pin", "nosuchpkg", cwd=p, env=shell_env)
    assert r.returncode == 2 and "neither installed" in r.stderr and "--absent" in r.stderr, r.stderr
    assert status_json(p, shell_env)["pins"] == []
    r = envhook("pin", "--absent", "nosuchpkg", cwd=p, env=shell_env)
    assert r.returncode == 0 and "nosuchpkg (absent)" in r.stderr, r.stderr
    # A locked package that is not installed may be pinned absent without --absent.
    subprocess.run(["uv", "pip", "uninstall", "-q", "--python", str(venv_python(p)), "tinkerpkg"], env=shell_env,
                   check=True)
    r = envhook("pin", "tinkerpkg", cwd=p, env=shell_env)
    assert r.returncode == 0 and "tinkerpkg (absent)" in r.stderr, r.stderr


def test_status_says_what_plus_and_minus_mean(tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    envhook("sync", cwd=p, env=shell_env, check=True)
    run_uv(p, shell_env, "pip", "install", "--python", str(venv_python(p)), "--no-index", "--find-links",
           str(wheelhouse), "extrapkg")
    run_uv(p, shell_env, "pip", "uninstall", "--python", str(venv_python(p)), "otherpkg")
    text = envhook("status", cwd=p, env=shell_env).stdout
    head = [line for line in text.splitlines() if line.startswith("drift:")]
    assert head and "+ in the env, not in the lock" in head[0] and "- in the lock, not in the env" in head[0], text
    assert "  + extrapkg 1.0" in text.splitlines() and "  - otherpkg (lock: 1.0)" in text.splitlines(), text


@pytest.mark.parametrize("tinkered", ["keep", "freeze"])
def test_inputs_back_to_the_ones_synced_before_repeat_no_notice(open_shell, shell, tmp_path, wheelhouse, shell_env,
                                                                tinkered):
    """Issue 28, point 10 (rich, pdm, starlette): a hand change, a checkout of
    an older commit, a checkout back. The change is said once; each checkout
    says once what it did around it (keep: synced the rest; freeze, and
    Poetry, PDM and pip, which cannot sync all but some packages: not
    synced); back at the inputs synced before, the "changed by hand" notice
    must not come again (notify = "once")."""
    write_config(shell_env, f'tinkered = "{tinkered}"\n')
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    git(p, "init", "-q", "-b", "main")
    git(p, "add", "pyproject.toml", "uv.lock")
    git(p, "commit", "-qm", "new")
    set_dependencies(p, ["tinkerpkg==1.0", "otherpkg==1.1"])
    uv_lock(p, shell_env)
    git(p, "commit", "-qam", "newer")
    s = open_shell(cwd=p)
    assert s.get("ENVHOOK_STATE") == "in-sync", s.startup_output
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert len(lines_with(out, "changed by hand")) == 1, out

    out = s.run("git checkout -q HEAD~1")
    if tinkered == "keep":
        assert len(lines_with(out, "envhook: synced demo (")) == 1 and "changed by hand" not in out, out
    else:
        assert len(lines_with(out, "kept it, not synced")) == 1, out
    for step in ("git checkout -q main", "true", "cd /", f"cd {q(shell, p)}"):
        out = s.run(step)
        assert "changed by hand" not in out, f"{step}: the notice again:\n{out}"
        if tinkered == "freeze":
            assert "envhook:" not in out, f"{step}: nothing new to say:\n{out}"
    assert s.get("ENVHOOK_STATE") == "tinkered" and version_in_env(p) == "2.0"
    s2 = open_shell(cwd=p)
    assert "changed by hand" not in s2.startup_output, s2.startup_output


def test_envs_moved_aside_are_bounded_the_oldest_going_first(tmp_path, wheelhouse, shell_env):
    """The state dir stays bounded: of the broken envs set aside (named by
    when), the newest three are kept, and the line says which went."""
    from envhook.store import paths
    from envhook.store.records import ensure_project_dir

    py = throwaway_python(tmp_path / "base")
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("chaina",))
    where = ensure_project_dir(p) / paths.MOVED_ASIDE
    older = ["20000101T000000-.venv", "20000102T000000-.venv", "20000103T000000-.venv"]
    for name in older:
        (where / name / "bin").mkdir(parents=True)
    (where / older[0] / "bin" / "link").symlink_to(tmp_path / "base")  # removed, never followed
    subprocess.run([str(py), "-m", "venv", "--without-pip", str(p / ".venv")], check=True)
    (p / ".venv" / "pyvenv.cfg").unlink()
    before = tree_digest(tmp_path / "base")
    r = envhook("sync", cwd=p, env=shell_env)
    assert r.returncode == 0, r.stderr
    kept = sorted(e.name for e in where.iterdir())
    assert kept[:2] == older[1:] and len(kept) == 3, kept
    assert f"the oldest set aside, {older[0]}, removed: envhook keeps 3" in r.stderr, r.stderr
    assert tree_digest(tmp_path / "base") == before
