"""Requirements projects get their whole dependency tree, and a failed sync
says why (issue 14). Real interactive shells and real uv (or pip alone),
offline, with the dependency-chain wheels (chaina -> chainb -> chainc,
markerpkg -> chainc on Python 3 only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.backend_projects import make_pip_project
from support.hooktest import envhook, lines_with, pip_install, status_json, version_in_env
from support.localpkg import make_local_package
from support.projects import make_project, run_uv, uv_lock, venv_python


@pytest.fixture
def env(shell_env, wheelhouse) -> dict:
    """Requirements files name no index: uv gets the wheelhouse, offline."""
    return dict(shell_env, UV_FIND_LINKS=str(wheelhouse), UV_NO_INDEX="1")


def uv_pip_check(project: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["uv", "pip", "check", "--python", str(venv_python(project))], env=env,
                          capture_output=True, text=True)


def drift_names(project: Path, env: dict) -> list[tuple]:
    data = status_json(project, env)
    assert data["drift"] is not None, data
    return [(c["name"], c["installed"], c["locked"]) for c in data["drift"]]


def test_a_file_pinning_only_the_top_package_gets_its_whole_tree(open_shell, shell, tmp_path, env):
    p = make_pip_project(tmp_path / "demo", ["chaina==1.0", "markerpkg==1.0"])
    envhook("allow", cwd=p, env=env, check=True)
    s = open_shell(cwd=p, env=env)
    out = s.startup_output
    got = {n: version_in_env(p, n) for n in ("chaina", "chainb", "chainc", "markerpkg", "extrapkg")}
    assert got == {"chaina": "1.0", "chainb": "1.0", "chainc": "2.0", "markerpkg": "1.0", "extrapkg": None}, out
    assert s.run("python -c 'import chaina, chainb, chainc, markerpkg; print(42)'").strip() == "42"
    check = uv_pip_check(p, env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert status_json(p, env)["state"] == "in-sync"
    # A dependency of a pinned line, installed again by hand as the lock has it: no tinkering.
    out = s.run(pip_install(shell, Path(env["UV_FIND_LINKS"]), "--reinstall chainb==1.0"))
    assert "changed by hand" not in out and s.get("ENVHOOK_STATE") == "in-sync", out
    # The tree follows the file: a new line brings its dependencies, a dropped one takes them.
    (p / "requirements.txt").write_text("markerpkg==1.0\n")
    out = s.run("true")
    assert version_in_env(p, "chaina") is None and version_in_env(p, "chainb") is None, out
    assert version_in_env(p, "chainc") == "2.0", "still needed by markerpkg"


def test_a_compiled_file_is_synced_exactly(open_shell, shell, tmp_path, env, wheelhouse):
    p = make_pip_project(tmp_path / "demo", ["chaina"], filename="requirements.in")
    subprocess.run(["uv", "pip", "compile", "-q", "requirements.in", "-o", "requirements.txt"], cwd=p, env=env,
                   check=True)
    envhook("allow", cwd=p, env=env, check=True)
    s = open_shell(cwd=p, env=env)
    assert version_in_env(p, "chainc") == "2.0", s.startup_output
    s.run(pip_install(shell, wheelhouse, "extrapkg"))
    assert drift_names(p, env) == [("extrapkg", "1.0", None)]
    out = s.run("envhook sync")
    assert version_in_env(p, "extrapkg") is None, f"the exact sync removes what the lock does not name:\n{out}"
    assert s.get("ENVHOOK_STATE") == "in-sync"


def test_an_httpx_shaped_file_installs_everything_and_drift_is_the_same_in_every_state(
        open_shell, shell, tmp_path, env, wheelhouse):
    """`-e .[extra]` plus `==` tool pins (encode/httpx's requirements.txt)."""
    p = make_local_package(tmp_path / "demo", "demo", "0.4.0", ("chaina",))
    with open(p / "pyproject.toml", "a") as f:
        f.write('\n[project.optional-dependencies]\nfancy = ["markerpkg"]\n')
    (p / "requirements.txt").write_text("# Our package, with its extra\n-e .[fancy]\n\n# Tools\ntinkerpkg==1.0\n")
    envhook("allow", cwd=p, env=env, check=True)
    s = open_shell(cwd=p, env=env)
    out = s.startup_output
    got = {n: version_in_env(p, n) for n in ("demo", "chaina", "chainb", "chainc", "markerpkg", "tinkerpkg")}
    assert got == {"demo": "0.4.0", "chaina": "2.0", "chainb": "1.0", "chainc": "2.0", "markerpkg": "1.0",
                   "tinkerpkg": "1.0"}, out
    assert uv_pip_check(p, env).returncode == 0
    data = status_json(p, env)
    assert data["backend"] == "pip" and data["state"] == "in-sync" and data["drift"] == [], data
    # Tinkered: the project itself is still no drift.
    s.run(pip_install(shell, wheelhouse, "extrapkg"))
    assert s.get("ENVHOOK_STATE") == "tinkered"
    assert drift_names(p, env) == [("extrapkg", "1.0", None)]
    # Stale (the file changed, the env kept): still only the real differences.
    (p / "requirements.txt").write_text("-e .[fancy]\ntinkerpkg==2.0\n")
    s.run("true")
    assert s.get("ENVHOOK_STATE") == "stale"
    assert sorted(drift_names(p, env)) == [("extrapkg", "1.0", None), ("tinkerpkg", "1.0", "2.0")]
    text = envhook("status", cwd=p, env=env).stdout
    assert "+ demo" not in text and "demo 0.4.0" not in text.split("drift:")[1], text


def test_pip_alone_resolves_installs_and_removes(open_shell, shell, tmp_path, env, wheelhouse, tool_bin):
    """Without uv on PATH: python3 -m venv, then pip's own resolution."""
    bin_dir = tmp_path / "no-uv-bin"
    bin_dir.mkdir()
    py = f"python3.{sys.version_info[1]}"
    os.symlink(tool_bin / "envhook", bin_dir / "envhook")
    os.symlink(os.path.realpath(tool_bin / py), bin_dir / py)
    os.symlink(py, bin_dir / "python3")
    penv = {k: v for k, v in env.items() if not k.startswith("UV_")}
    penv.update(PATH=f"{bin_dir}:/usr/bin:/bin", PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse),
                PIP_DISABLE_PIP_VERSION_CHECK="1")
    assert subprocess.run(["sh", "-c", "command -v uv"], env=penv, capture_output=True).returncode != 0, \
        "test setup: no uv on PATH"
    p = make_pip_project(tmp_path / "demo", ["chaina==1.0"])
    envhook("allow", cwd=p, env=penv, check=True)
    s = open_shell(cwd=p, env=penv)
    out = s.startup_output
    assert "syncing demo" in out and "Successfully installed" in out, f"pip's own output:\n{out}"
    got = {n: version_in_env(p, n) for n in ("chaina", "chainb", "chainc")}
    assert got == {"chaina": "1.0", "chainb": "1.0", "chainc": "2.0"}, out
    assert s.get("ENVHOOK_STATE") == "in-sync"
    data = status_json(p, penv)
    assert data["state"] == "in-sync" and data["backend"] == "pip", data
    out = s.run("python -m pip install -q extrapkg")
    assert "changed by hand (+ extrapkg 1.0)" in out, out
    assert drift_names(p, penv) == [("extrapkg", "1.0", None)]
    out = s.run("envhook sync")
    assert version_in_env(p, "extrapkg") is None and version_in_env(p, "chainc") == "2.0", out
    assert s.get("ENVHOOK_STATE") == "in-sync"


# ======================================================================= failures keep their cause


def test_a_failed_sync_names_its_cause_and_status_keeps_it(open_shell, shell, tmp_path, env, wheelhouse):
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, env)
    envhook("allow", cwd=p, env=env, check=True)
    s = open_shell(cwd=p, env=env)
    assert version_in_env(p) == "1.0", s.startup_output
    (p / ".python-version").write_text("3.99\n")
    out = s.run("true")
    failed = lines_with(out, "`uv sync` failed")
    assert len(failed) == 1 and "No interpreter found for Python 3.99" in failed[0], out
    assert "exit 2" not in failed[0], "the cause, not the exit status"
    assert "failed" not in s.run("true"), "said once"
    data = status_json(p, env)
    assert data["state"] == "failed", data
    failure = data["failure"]
    assert set(failure) == {"command", "exit", "tail", "log"}, failure
    assert failure["command"] == "uv sync" and failure["exit"] != 0
    assert any("No interpreter found for Python 3.99" in line for line in failure["tail"]), failure
    assert "No interpreter found for Python 3.99" in Path(failure["log"]).read_text()
    text = envhook("status", cwd=p, env=env).stdout
    assert "failure: `uv sync` exited" in text and "No interpreter found" in text and failure["log"] in text, text


def test_an_unsatisfiable_pin_is_named_at_the_prompt(open_shell, shell, tmp_path, env, wheelhouse):
    p = make_pip_project(tmp_path / "demo", ["tinkerpkg==1.0"])
    envhook("allow", cwd=p, env=env, check=True)
    s = open_shell(cwd=p, env=env)
    assert version_in_env(p) == "1.0", s.startup_output
    (p / "requirements.txt").write_text("tinkerpkg==9.9\n")
    out = s.run("true")
    failed = lines_with(out, "failed:")
    assert len(failed) == 1 and "uv pip compile" in failed[0] and "tinkerpkg==9.9" in failed[0], out
    data = status_json(p, env)
    assert data["state"] == "failed" and data["failure"]["command"] == "uv pip compile", data
    assert version_in_env(p) == "1.0", "the env is left as it was"


def test_status_is_not_in_sync_while_a_requirement_is_missing(tmp_path, env, wheelhouse):
    p = make_pip_project(tmp_path / "demo", ["chaina==1.0"])
    envhook("allow", cwd=p, env=env, check=True)
    envhook("sync", cwd=p, env=env, check=True)
    assert status_json(p, env)["state"] == "in-sync"
    # Removed behind the hook's back, and the record put back to match, as a
    # sync that forgot a dependency would leave it: the records alone say in-sync.
    run_uv(p, env, "pip", "uninstall", "--python", str(venv_python(p)), "chainc")
    sync_json = next(Path(env["XDG_STATE_HOME"]).glob("envhook/projects/*/sync.json"))
    import json

    rec = json.loads(sync_json.read_text())
    rec["installed"].pop("chainc")
    sync_json.write_text(json.dumps(rec))
    data = status_json(p, env)
    assert data["state"] == "failed", data
    assert data["unmet"] == ["chainb 1.0 requires chainc, which is not installed"], data
    text = envhook("status", cwd=p, env=env).stdout
    assert "unmet:" in text and "chainb 1.0 requires chainc, which is not installed" in text, text
