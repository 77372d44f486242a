"""`envhook run -- CMD` and `envhook env` (issue 18): the hook's decision
where no hook is loaded (scripts, Makefiles, editors, CI). Started from plain
`sh -c` / subprocesses, real uv offline (one Poetry case), real bash for the
hooked shell a run races with."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.hooktest import (
    envhook,
    envhook_syncs,
    status_json,
    trusted_project,
    uv_wrapper,
    version_in_env,
    write_config,
)
from support.projects import make_project, run_uv, set_dependencies, uv_lock

VERSION = "import importlib.metadata as m; print(m.version('{}'))"


def run(project: Path, *args: str, env: dict, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["envhook", "run", *args], cwd=cwd or project, env=env, capture_output=True, text=True,
                          **kw)


def relock(project: Path, deps: list[str], env: dict) -> None:
    """A teammate's change of the inputs: new dependencies, and the lock for them."""
    set_dependencies(project / "pyproject.toml", deps)
    uv_lock(project, env)


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A cloned uv project `demo` (chaina → chainb → chainc, tinkerpkg 1.0): locked, trusted, no env."""
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env)


def test_untrusted_runs_nothing_and_creates_nothing(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    marker = tmp_path / "ran"
    r = run(p, "--", "touch", str(marker), env=shell_env)
    assert r.returncode == 126, r
    assert "not trusted; `envhook allow`" in r.stderr and r.stdout == "", r
    assert not marker.exists() and not (p / ".venv").exists()
    envhook("deny", cwd=p, env=shell_env, check=True)
    r = run(p, "--", "touch", str(marker), env=shell_env)
    assert (r.returncode, marker.exists()) == (126, False) and "denied" in r.stderr, r


def test_missing_env_is_created_with_its_dependencies_then_cmd_runs_in_it(project, shell_env):
    r = run(project, "--", "python", "-c", VERSION.format("chainc"), env=shell_env)
    assert r.returncode == 0, r
    assert r.stdout == "2.0\n", "stdout is CMD's alone"
    assert "syncing demo (env does not exist)" in r.stderr, r.stderr
    assert version_in_env(project) == "1.0"
    # A PYTHONHOME envhook's own Python accepts; activation removes it for CMD.
    r = run(project, "--", "sh", "-c",
            'echo "$VIRTUAL_ENV|$ENVHOOK_STATE|${UV_NO_SYNC-unset}|${PYTHONHOME-unset}|$(command -v python)"',
            env=dict(shell_env, PYTHONHOME=sys.base_prefix))
    assert r.stdout.strip() == f"{project / '.venv'}|in-sync|unset|unset|{project / '.venv' / 'bin' / 'python'}", r
    assert r.stderr == "", "nothing to say when nothing changed"
    assert status_json(project, shell_env)["state"] == "in-sync"


def test_stale_env_is_synced_first(project, shell_env):
    assert run(project, "true", env=shell_env).returncode == 0
    relock(project, ["chaina", "tinkerpkg==2.0"], shell_env)
    r = run(project, "--", "python", "-c", VERSION.format("tinkerpkg"), env=shell_env)
    assert (r.returncode, r.stdout) == (0, "2.0\n"), r
    assert "syncing demo" in r.stderr, r.stderr


def test_hand_made_changes_are_kept_and_uv_run_inside_keeps_them(project, shell_env, wheelhouse):
    assert run(project, "true", env=shell_env).returncode == 0
    run_uv(project, shell_env, "pip", "install", "-q", "--no-index", "--find-links", str(wheelhouse),
           "tinkerpkg==2.0")
    relock(project, ["chaina", "tinkerpkg==1.0", "extrapkg"], shell_env)
    r = run(project, "--", "sh", "-c", 'echo "$UV_NO_SYNC"; uv run -q python -c "' + VERSION.format("tinkerpkg") + '"',
            env=shell_env)
    assert r.returncode == 0, r
    assert r.stdout == "1\n2.0\n", "UV_NO_SYNC=1: uv run inside CMD keeps the change too"
    assert "kept your tinkerpkg 2.0" in r.stderr, r.stderr
    assert version_in_env(project, "extrapkg") == "1.0", "the rest the lock wants came in"
    assert version_in_env(project) == "2.0"


def test_a_pinned_env_is_never_synced(project, shell_env):
    assert run(project, "true", env=shell_env).returncode == 0
    envhook("pin", cwd=project, env=shell_env, check=True)
    relock(project, ["chaina", "tinkerpkg==2.0"], shell_env)
    r = run(project, "--", "python", "-c", VERSION.format("tinkerpkg"), env=shell_env)
    assert (r.returncode, r.stdout) == (0, "1.0\n"), r
    assert "is pinned, so it was not synced" in r.stderr, r.stderr


def test_sync_missing_setting_creates_but_does_not_update(project, shell_env):
    write_config(shell_env, 'sync = "missing"\n')
    assert run(project, "true", env=shell_env).returncode == 0
    relock(project, ["chaina", "tinkerpkg==2.0"], shell_env)
    r = run(project, "--", "python", "-c", VERSION.format("tinkerpkg"), env=shell_env)
    assert (r.returncode, r.stdout) == (0, "1.0\n"), r
    assert 'not synced (sync = "missing")' in r.stderr, r.stderr


def test_exit_status_signals_stdin_and_the_pid_are_cmds(project, shell_env):
    assert run(project, "--", "sh", "-c", "exit 3", env=shell_env).returncode == 3
    r = run(project, "--", "cat", env=shell_env, input="piped in\n")
    assert (r.returncode, r.stdout) == (0, "piped in\n"), r
    p = subprocess.Popen(["envhook", "run", "--", "sh", "-c", 'echo "$$"; exec sleep 30'], cwd=project, env=shell_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid = int(p.stdout.readline())
    assert pid == p.pid, "CMD replaced envhook: the same process"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=10) == -signal.SIGTERM
    r = run(project, "--", "no-such-command-here", env=shell_env)
    assert r.returncode == 127 and "command not found" in r.stderr, r


def test_from_a_subdirectory_and_with_C(project, shell_env, tmp_path):
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    r = run(project, "--", "sh", "-c", 'echo "$VIRTUAL_ENV"; pwd', env=shell_env, cwd=sub)
    assert r.stdout.splitlines() == [str(project / ".venv"), str(sub)], r
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run(project, "-C", str(sub), "--", "sh", "-c", 'echo "$VIRTUAL_ENV"; pwd', env=shell_env, cwd=elsewhere)
    assert r.stdout.splitlines() == [str(project / ".venv"), str(sub)], r
    r = subprocess.run(["envhook", "exec", "-C", str(project), "--no-sync", "--", "printenv", "VIRTUAL_ENV"],
                       cwd=elsewhere, env=shell_env, capture_output=True, text=True)
    assert r.stdout.strip() == str(project / ".venv"), r


def test_no_sync_creates_nothing(project, shell_env, tmp_path):
    marker = tmp_path / "ran"
    r = run(project, "--no-sync", "--", "touch", str(marker), env=shell_env)
    assert r.returncode == 1 and "has no env yet" in r.stderr, r
    assert not marker.exists() and not (project / ".venv").exists()


def test_outside_any_project_cmd_runs_unchanged(tmp_path, shell_env):
    outside = tmp_path / "plain"
    outside.mkdir()
    r = run(outside, "--", "sh", "-c", 'echo "${VIRTUAL_ENV-unset}|${ENVHOOK_STATE-unset}|$PATH"', env=shell_env)
    assert r.returncode == 0 and r.stdout.strip() == f"unset|unset|{shell_env['PATH']}", r
    out = subprocess.run(["envhook", "env", "--json"], cwd=outside, env=shell_env, capture_output=True, text=True)
    assert json.loads(out.stdout) == {"set": {}, "unset": [], "path_prepend": [], "state": "no-project"}


def test_a_failed_sync_is_one_line_the_tools_status_and_recorded(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse, dependencies=["tinkerpkg==9.9"])  # not in the wheelhouse
    envhook("allow", cwd=p, env=shell_env, check=True)
    marker = tmp_path / "ran"
    r = run(p, "--", "touch", str(marker), env=shell_env)
    assert r.returncode not in (0, 126) and not marker.exists(), r
    assert status_json(p, shell_env)["state"] == "failed"
    assert r.returncode == status_json(p, shell_env)["failure"]["exit"], "the tool's own exit status"
    again = run(p, "--", "touch", str(marker), env=shell_env)
    assert again.returncode == 1 and "not retried until its inputs change" in again.stderr, again
    assert not marker.exists()


def test_broken_pyproject_runs_nothing(project, shell_env, tmp_path):
    (project / "pyproject.toml").write_text("[project\n")
    marker = tmp_path / "ran"
    r = run(project, "--", "touch", str(marker), env=shell_env)
    assert r.returncode == 1 and not marker.exists(), r
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr


def test_env_json_applied_equals_what_the_hook_sets(project, shell_env, open_shell, wheelhouse):
    assert run(project, "true", env=shell_env).returncode == 0
    run_uv(project, shell_env, "pip", "install", "-q", "--no-index", "--find-links", str(wheelhouse),
           "tinkerpkg==2.0")  # tinkered: UV_NO_SYNC=1 too
    out = subprocess.run(["envhook", "env", "--json"], cwd=project, env=shell_env, capture_output=True, text=True)
    data = json.loads(out.stdout)
    applied = {k: v for k, v in dict(shell_env).items() if k not in data["unset"]}
    applied.update(data["set"])
    applied["PATH"] = os.pathsep.join([*data["path_prepend"], shell_env["PATH"]])
    s = open_shell(cwd=project, sh="bash")
    names = ["VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "UV_NO_SYNC", "ENVHOOK_STATE", "_ENVHOOK_VENV", "PATH"]
    assert {n: s.get(n) for n in names} == {n: applied.get(n) for n in names}
    assert data["state"] == "tinkered" and data["set"]["UV_NO_SYNC"] == "1"


@pytest.mark.parametrize("sh", ["bash", "zsh", "fish"])
def test_env_shell_evals_to_the_env(project, shell_env, sh, tmp_path):
    from support.shell import require_shell

    exe = require_shell(sh)
    assert run(project, "true", env=shell_env).returncode == 0
    script = ('eval "$(envhook env --shell bash)"; command -v python' if sh != "fish"
              else "envhook env --shell fish | source; command -v python")
    if sh == "zsh":
        script = script.replace("--shell bash", "--shell zsh")
    r = subprocess.run([exe, "-c", script], cwd=project, env=shell_env, capture_output=True, text=True)
    assert r.stdout.strip() == str(project / ".venv" / "bin" / "python"), r


def test_github_actions_files(project, shell_env, tmp_path):
    gh_env, gh_path = tmp_path / "github_env", tmp_path / "github_path"
    gh_env.write_text("EARLIER=1\n")
    env = dict(shell_env, GITHUB_ENV=str(gh_env), GITHUB_PATH=str(gh_path))
    r = subprocess.run(["envhook", "env", "--github-actions"], cwd=project, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == "", r
    lines = gh_env.read_text().splitlines()
    assert lines[0] == "EARLIER=1", "appended, never rewritten"
    assert f"VIRTUAL_ENV={project / '.venv'}" in lines and "ENVHOOK_STATE=in-sync" in lines and "PYTHONHOME=" in lines
    assert gh_path.read_text() == f"{project / '.venv' / 'bin'}\n"
    # The next step, as the runner starts it: the files applied.
    step = dict(shell_env, PATH=f"{gh_path.read_text().strip()}:{shell_env['PATH']}")
    step.update(line.split("=", 1) for line in lines[1:])
    r = subprocess.run(["python", "-c", VERSION.format("chainc")], cwd=project, env=step, capture_output=True, text=True)
    assert r.stdout == "2.0\n", r
    r = subprocess.run(["envhook", "env", "--github-actions"], cwd=project, env=shell_env, capture_output=True, text=True)
    assert r.returncode == 2 and "GITHUB_ENV" in r.stderr


def test_github_path_refuses_a_project_path_with_a_newline(tmp_path, wheelhouse, shell_env):
    """$GITHUB_PATH is one entry a line: the part after a newline in the
    project's path (any absolute path) would become a PATH entry of its own
    for every later step (issue 26, finding 4)."""
    p = trusted_project(tmp_path / "x\n/tmp/evil-bin\ny" / "demo", wheelhouse, shell_env)
    gh_env, gh_path = tmp_path / "github_env", tmp_path / "github_path"
    env = dict(shell_env, GITHUB_ENV=str(gh_env), GITHUB_PATH=str(gh_path))
    r = subprocess.run(["envhook", "env", "--github-actions"], cwd=p, env=env, capture_output=True, text=True)
    said = [line for line in r.stderr.splitlines() if "GITHUB" in line]
    assert r.returncode == 1 and len(said) == 1 and "line break" in said[0], r
    assert not gh_env.exists() and not gh_path.exists(), "nothing written to either file"


@pytest.mark.parametrize("cmd", [[""], ["", "arg"]])
def test_run_an_empty_command_word_is_one_line_not_a_traceback(project, shell_env, cmd):
    r = run(project, "--", *cmd, env=shell_env)
    assert r.returncode == 127 and "Traceback" not in r.stderr, r
    assert r.stderr.startswith("envhook: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.parametrize("shell", ["bash"])
def test_runs_racing_each_other_and_a_hooked_shell_make_one_sync(project, shell_env, open_shell, tmp_path):
    env, log = uv_wrapper(tmp_path, shell_env)
    slow = tmp_path / "uvwrap" / "uv"
    text = slow.read_text()
    # The run's uv takes a while, so the shell arrives while it holds the project.
    slow.write_text(text.replace("exec ", 'case "$*" in *sync*) case "$*" in *--dry-run*|*--check*) ;; *) sleep 3 ;; '
                                          'esac ;; esac\nexec ', 1))
    p = subprocess.Popen(["envhook", "run", "--", "python", "-c", VERSION.format("chainc")], cwd=project, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while not log.exists() and time.time() < deadline:
        time.sleep(0.05)
    second = subprocess.Popen(["envhook", "run", "--", "python", "-c", VERSION.format("chainc")], cwd=project,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    s = open_shell(cwd=project, env=env)
    for proc in (p, second):
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, out) == (0, "2.0\n"), err
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert len(envhook_syncs(log, s)) == 1, log.read_text()


def test_a_poetry_project(tmp_path, package_index, shell_env):
    from support.backend_projects import make_poetry_project, tool_env

    root = tmp_path / "poet"
    make_poetry_project(root, package_index.url, package_mode=False, env=tool_env(shell_env))
    envhook("allow", cwd=root, env=shell_env, check=True)
    r = run(root, "--", "python", "-c", VERSION.format("tinkerpkg"), env=shell_env)
    assert (r.returncode, r.stdout) == (0, "1.0\n"), r
    assert (root / ".venv").is_dir() and status_json(root, shell_env)["state"] == "in-sync"


@pytest.mark.parametrize("shell", ["bash"])
def test_a_run_where_a_shell_already_decided_replays_its_cache(project, shell_env, open_shell):
    """Nothing changed since a hooked shell's full evaluation: the run reads
    the decision cache, as that shell's next prompt would, and loads none of
    the decision code (TOML, JSON, the backends)."""
    assert run(project, "true", env=shell_env).returncode == 0
    time.sleep(2.1)  # files changed within 2 s are "racily clean": no decision is cached for them
    s = open_shell(cwd=project)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "envhook", "run", "--", "printenv", "VIRTUAL_ENV"],
                       cwd=project, env=shell_env, capture_output=True, text=True)
    assert r.stdout.strip() == str(project / ".venv"), r
    loaded = {line.rsplit("|", 1)[1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "envhook.commands.run" in loaded, "the probe works"
    assert not {"envhook.decide.assess", "envhook.decide.outside", "tomllib", "json"} & loaded, sorted(loaded)


def test_ctrl_c_during_the_sync_runs_nothing_and_is_recorded(project, shell_env, tmp_path):
    env, _ = uv_wrapper(tmp_path, shell_env)
    slow = tmp_path / "uvwrap" / "uv"
    slow.write_text(slow.read_text().replace("exec ", 'case "$*" in *sync*) case "$*" in *--dry-run*|*--check*) ;; '
                                             '*) sleep 5 ;; esac ;; esac\nexec ', 1))
    marker = tmp_path / "ran"
    # Its own process group, which Ctrl-C signals as a terminal does.
    p = subprocess.Popen(["envhook", "run", "--", "touch", str(marker)], cwd=project, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(2)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130 and not marker.exists(), (p.returncode, err)
    assert "Traceback" not in err and "interrupted" in err, err
    data = status_json(project, shell_env)
    assert data["last_sync"]["status"] == "interrupted", data
