"""User settings (issue 7): `envhook config` edits config.toml keeping the
user's comments byte for byte; every bad value is named with its key and
file; and the settings change what the hook does, at the next prompt."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support.hooktest import envhook, q
from support.projects import make_project, uv_lock

COMMENTED = """\
# my envhook settings
# (written by hand)

tinkered = "keep"   # I like my experiments

[ignored.by.envhook]   # another tool's table? still TOML
x = 1
"""


def config_path() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "envhook" / "config.toml"


def run(*args: str, env: dict, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["envhook", *args], cwd=cwd or Path.cwd(), env=env, capture_output=True, text=True)


@pytest.fixture
def shell() -> str:
    return "bash"


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    return p


def test_set_and_unset_keep_a_commented_file_byte_for_byte(shell_env):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(COMMENTED)
    for args in (["notify", "never"], ["trusted_roots", "/srv/a", "~/work"], ["tinkered", "reset"],
                 ["slow_sync_notice", "2.5"], ["uv_no_sync_when_pinned", "false"]):
        r = run("config", "set", *args, env=shell_env)
        assert r.returncode == 0, r.stderr
    text = path.read_text()
    assert "# I like my experiments" in text and 'tinkered = "reset"' in text
    assert f'trusted_roots = ["/srv/a", "{Path(os.environ["HOME"]) / "work"}"]' in text
    assert run("config", "get", "slow_sync_notice", env=shell_env).stdout == "2.5\n"
    assert run("config", "get", "uv_no_sync_when_pinned", env=shell_env).stdout == "false\n"
    for key in ("notify", "trusted_roots", "slow_sync_notice", "uv_no_sync_when_pinned"):
        assert run("config", "unset", key, env=shell_env).returncode == 0
    assert run("config", "set", "tinkered", "keep", env=shell_env).returncode == 0
    assert path.read_text() == COMMENTED


@pytest.mark.parametrize(("key", "args", "bare", "as_json"), [
    ("tinkered", [], "keep\n", '"keep"'),                             # a choice: no TOML quotes
    ("tinkered", ["reset"], "reset\n", '"reset"'),
    ("trusted_roots", [], "", "[]"),                                   # an empty list: nothing
    ("trusted_roots", ["/srv/a b", "/srv/c"], "/srv/a b\n/srv/c\n", '["/srv/a b", "/srv/c"]'),  # one a line
    ("paranoid", ["true"], "true\n", "true"),                          # a bool as TOML and git spell it
    ("slow_sync_notice", ["2.5"], "2.5\n", "2.5"),                     # seconds
    ("slow_sync_notice", ["0"], "0\n", "0"),
], ids=["choice-default", "choice", "list-empty", "list", "bool", "seconds", "seconds-int"])
def test_get_prints_the_bare_value_and_json_on_request(shell_env, key, args, bare, as_json):
    if args:
        assert run("config", "set", key, *args, env=shell_env).returncode == 0
    r = run("config", "get", key, env=shell_env)
    assert (r.returncode, r.stdout, r.stderr) == (0, bare, "")
    r = run("config", "get", key, "--json", env=shell_env)
    assert (r.returncode, r.stderr) == (0, "") and json.loads(r.stdout) == json.loads(as_json)


def test_list_shows_every_setting_and_where_it_comes_from(shell_env):
    assert run("config", "set", "notify", "always", env=shell_env).returncode == 0
    r = run("config", "list", env=shell_env)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert [ln.split(" = ")[0] for ln in lines] == [
        "sync", "trusted_roots", "paranoid", "tinkered", "uv_no_sync_when_pinned", "uv_no_sync_when_tinkered", "notify", "slow_sync_notice",
        "disabled_paths"]
    assert 'notify = "always"  # set:' in r.stdout and 'tinkered = "keep"  # default:' in r.stdout


@pytest.mark.parametrize(
    ("toml", "key", "wanted"),
    [
        ('tinkered = "maybe"', "tinkered", '"keep" or "freeze" or "reset"'),
        ('notify = "loud"', "notify", '"once" or "always" or "never"'),
        ("paranoid = 1", "paranoid", "true or false"),
        ('uv_no_sync_when_pinned = "yes"', "uv_no_sync_when_pinned", "true or false"),
        ("slow_sync_notice = -1", "slow_sync_notice", "a number of seconds"),
        ('slow_sync_notice = "5"', "slow_sync_notice", "a number of seconds"),
        ('trusted_roots = "/srv"', "trusted_roots", "a list of absolute directories"),
        ('disabled_paths = ["relative/dir"]', "disabled_paths", "a list of absolute directories"),
    ],
)
def test_each_bad_value_names_the_key_and_the_file(shell_env, toml, key, wanted):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(toml + "\n")
    r = run("config", "list", env=shell_env)
    assert r.returncode == 1
    assert f"{path}: `{key}` must be {wanted}" in r.stderr
    r = run("config", "get", key, env=shell_env)
    assert r.returncode == 2 and str(path) in r.stderr and key in r.stderr


def test_unknown_keys_and_broken_toml_are_clear_errors(shell_env):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("trusted_root = []\n")
    r = run("config", "list", env=shell_env)
    assert r.returncode == 1 and f"{path}: unknown setting `trusted_root`" in r.stderr
    r = run("config", "set", "no_such_key", "1", env=shell_env)
    assert r.returncode == 2 and "unknown setting `no_such_key`" in r.stderr
    path.write_text("tinkered = \n")
    r = run("config", "set", "notify", "never", env=shell_env)
    assert r.returncode == 2 and "is not valid TOML" in r.stderr
    assert path.read_text() == "tinkered = \n"  # nothing lost


def test_trusted_roots_trust_without_allow_but_deny_wins(open_shell, project, shell_env, tmp_path):
    assert run("config", "set", "trusted_roots", str(tmp_path), env=shell_env).returncode == 0
    s = open_shell(cwd=project)
    assert "not trusted" not in s.startup_output and "syncing demo" in s.startup_output
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    out = s.run("envhook deny")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted", out


def test_disabled_paths_and_the_repositorys_opt_out(open_shell, project, shell_env, tmp_path):
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=project)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    # Set from within the shell: the next prompt sees it.
    out = s.run(f"envhook config set disabled_paths {q('bash', tmp_path)}")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "disabled", out
    data = json.loads(envhook("status", "--json", cwd=project, env=shell_env).stdout)
    assert data["state"] == "disabled" and "disabled_paths" in data["reasons"][0]
    s.run("envhook config unset disabled_paths")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    # The repository may opt out too (but never opt in: that is trust).
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text + "\n[tool.envhook]\nenabled = false\n")
    out = s.run("true")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "disabled"
    assert "syncing" not in out
    data = json.loads(envhook("status", "--json", cwd=project, env=shell_env).stdout)
    assert data["reasons"] == ["[tool.envhook] enabled = false in pyproject.toml"]


def test_uv_no_sync_when_pinned_can_be_turned_off(open_shell, project, shell_env):
    envhook("allow", cwd=project, env=shell_env, check=True)
    envhook("sync", cwd=project, env=shell_env, check=True)
    envhook("pin", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=project)
    assert s.get("UV_NO_SYNC") == "1"
    s.run("envhook config set uv_no_sync_when_pinned false")
    assert s.get("UV_NO_SYNC") is None and s.get("ENVHOOK_STATE") == "pinned"


@pytest.mark.parametrize("notify", ["never", "always"])
def test_notify_never_and_always(open_shell, project, shell_env, wheelhouse, notify):
    envhook("allow", cwd=project, env=shell_env, check=True)
    assert run("config", "set", "notify", notify, env=shell_env).returncode == 0
    s1 = open_shell(cwd=project)
    out = s1.run(f"uv pip install -q --no-index --find-links {q('bash', wheelhouse)} tinkerpkg==2.0")
    s2 = open_shell(cwd=project)
    said = ["changed by hand" in out, "changed by hand" in s2.startup_output]
    # never: in no shell; always: once in every shell (once: only in the first).
    assert said == ([False, False] if notify == "never" else [True, True]), (out, s2.startup_output)
    assert "changed by hand" not in s1.run("true")


def test_slow_sync_notice_says_still_syncing_once(open_shell, project, shell_env, tmp_path):
    slow = tmp_path / "slowbin"
    slow.mkdir()
    import shutil

    (slow / "uv").write_text(f"#!/bin/sh\nsleep 1.5\nexec {os.path.realpath(shutil.which('uv', path=shell_env['PATH']))} \"$@\"\n")
    (slow / "uv").chmod(0o755)
    env = dict(shell_env, PATH=f"{slow}:{shell_env['PATH']}")
    envhook("allow", cwd=project, env=env, check=True)
    assert run("config", "set", "slow_sync_notice", "0.5", env=env).returncode == 0
    s = open_shell(cwd=project, env=env)
    out = s.startup_output
    assert out.count("envhook: still syncing demo…") == 1, out
    assert out.index("syncing demo (") < out.index("still syncing demo…")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    # Off by default: a slow sync says nothing more.
    assert run("config", "unset", "slow_sync_notice", env=env).returncode == 0
    (project / ".venv").rename(tmp_path / "old-venv")
    assert "still syncing" not in s.run("true")


# -- [tool.envhook] extras and groups ----------------------------------------------------------

def test_a_project_chooses_extras_and_groups_for_uv(open_shell, tmp_path, wheelhouse, shell_env):
    extra = ('[project.optional-dependencies]\nfancy = ["extrapkg==1.0"]\n\n'
             '[dependency-groups]\nlint = ["depkg==1.0"]\n\n'
             '[tool.envhook]\nextras = ["fancy"]\ngroups = ["lint"]\n')
    p = make_project(tmp_path / "demo", wheelhouse, extra_toml=extra)
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    s = open_shell(cwd=p)
    assert "syncing demo" in s.startup_output
    got = s.run("python -c 'import extrapkg, depkg, otherpkg, tinkerpkg; print(\"all\")'").strip()
    assert got == "all"
    data = json.loads(envhook("status", "--json", cwd=p, env=shell_env).stdout)
    assert data["state"] == "in-sync"
    # uv is asked with the same choice: the extra and the group are not drift.
    s.run("envhook pin")
    data = json.loads(envhook("status", "--json", cwd=p, env=shell_env).stdout)
    assert data["drift"] == [], data


def test_extras_and_groups_are_refused_where_the_tool_cannot_take_them(tmp_path, shell_env):
    p = tmp_path / "reqs"
    p.mkdir()
    (p / "requirements.txt").write_text("tinkerpkg==1.0\n")
    (p / "pyproject.toml").write_text('[project]\nname = "reqs"\nversion = "0"\n\n[tool.envhook]\n'
                                      'backend = "pip"\ngroups = ["docs"]\n')
    # status names the file and the error as the state's reason, and exits 1 (issue 28). A
    # requirements project's groups are its requirements-G.txt files (issue 32): none for docs.
    r = run("status", env=shell_env, cwd=p)
    assert r.returncode == 1 and "[tool.envhook] groups 'docs': there is no requirements-docs.txt" in r.stdout
    (p / "requirements-docs.txt").write_text("chaina\n")
    assert run("status", env=shell_env, cwd=p).returncode == 0
    (p / "pyproject.toml").write_text('[project]\nname = "reqs"\nversion = "0"\n\n[tool.envhook]\nextras = ["x"]\n')
    r = run("status", env=shell_env, cwd=p)
    assert r.returncode == 1 and "[tool.envhook] extras 'x': its requirements files name their own extras" in r.stdout
    (p / "pyproject.toml").write_text('[project]\nname = "reqs"\nversion = "0"\n\n[tool.envhook]\ngroups = "dev"\n')
    r = run("status", env=shell_env, cwd=p)
    assert r.returncode == 1 and "[tool.envhook] groups must be a list of names, not 'dev'" in r.stdout
    # Other keys are ignored; above all, a repository cannot trust itself.
    (p / "pyproject.toml").write_text('[project]\nname = "reqs"\nversion = "0"\n\n[tool.envhook]\ntrusted = true\n')
    r = run("status", "--json", env=shell_env, cwd=p)
    assert json.loads(r.stdout)["state"] == "untrusted" and r.stderr == ""


@pytest.mark.parametrize("sh", ["bash", "zsh", "fish"])
def test_the_paranoid_setting_ties_trust_to_content_in_new_shells(open_shell, project, shell_env, sh):
    from support.projects import set_dependencies
    from support.shell import require_shell

    require_shell(sh)
    envhook("allow", cwd=project, env=shell_env, check=True)
    assert run("config", "set", "paranoid", "true", env=shell_env).returncode == 0
    assert json.loads(envhook("status", "--json", cwd=project, env=shell_env).stdout)["paranoid"] is True
    envhook("allow", cwd=project, env=shell_env, check=True)  # records the content it trusts
    s = open_shell(cwd=project, sh=sh)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("cd /")
    # A change whose mtime is put back (as tar x or cp -a would): only a
    # shell that knows it is paranoid asks Python on entering.
    before = (project / "pyproject.toml").stat()
    set_dependencies(project, ["tinkerpkg==2.0"])
    os.utime(project / "pyproject.toml", ns=(before.st_atime_ns, before.st_mtime_ns))
    os.utime(project, ns=(project.stat().st_atime_ns, before.st_mtime_ns - 10**9))
    out = s.run(f"cd {q(sh, project)}")
    assert "pyproject.toml changed since `envhook allow`" in out, out
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted"
    # ENVHOOK_PARANOID, when set, wins over the setting.
    off = dict(shell_env, ENVHOOK_PARANOID="0")
    s2 = open_shell(cwd=project, sh=sh, env=off)
    assert "syncing demo" in s2.startup_output and s2.get("VIRTUAL_ENV") == str(project / ".venv")
