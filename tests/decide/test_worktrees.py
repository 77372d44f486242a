"""Trust a repository once in all its worktrees, and see what you trust
(issue 33). Real `git worktree add`, real uv offline, a real second user
for the gitdir another user owns; envhook reads git's files and runs no git.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.hooktest import envhook, status_json, version_in_env
from support.projects import make_project, uv_lock

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]


def checkout(path: Path, wheelhouse: Path, env: dict) -> Path:
    """A uv project under git, committed, allowed there; no env yet."""
    p = make_project(path, wheelhouse, dependencies=["tinkerpkg==1.0"])
    uv_lock(p, env)
    subprocess.run([*GIT, "init", "-q"], cwd=p, check=True)
    subprocess.run([*GIT, "add", "pyproject.toml", "uv.lock"], cwd=p, check=True)
    subprocess.run([*GIT, "commit", "-qm", "init"], cwd=p, check=True)
    envhook("allow", cwd=p, env=env, check=True)
    return p


def worktree(main: Path, where: Path, branch: str) -> Path:
    subprocess.run([*GIT, "worktree", "add", "-q", "-b", branch, str(where)], cwd=main, check=True)
    return where


@pytest.fixture
def no_git(tmp_path, shell_env) -> tuple[dict, Path]:
    """A `git` first on PATH that leaves a mark: envhook must never run git
    in a directory it does not trust yet (its config can run code)."""
    bin_dir, mark = tmp_path / "nogit", tmp_path / "git-ran"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(f"#!/bin/sh\necho \"$PWD $*\" >> '{mark}'\nexit 1\n")
    (bin_dir / "git").chmod(0o755)
    return dict(shell_env, PATH=f"{bin_dir}:{shell_env['PATH']}"), mark


def test_a_worktree_of_an_allowed_checkout_is_trusted_and_its_env_made(open_shell, tmp_path, wheelhouse, shell_env,
                                                                       no_git):
    main = checkout(tmp_path / "proj", wheelhouse, shell_env)
    wt = worktree(main, tmp_path / "feature-x", "feature-x")
    env, mark = no_git
    st = status_json(wt, env)
    assert (st["trusted"], st["trusted_by"], st["trusted_from"]) == (True, "worktree", str(main)), st
    assert "trusted: yes (worktree of " + str(main) + ", allowed there)" in envhook("status", cwd=wt, env=env).stdout
    s = open_shell(cwd=tmp_path, env=env)
    s.run(f"cd {wt}")
    assert s.get("VIRTUAL_ENV") == str(wt / ".venv") and version_in_env(wt) == "1.0"
    assert not mark.exists(), mark.read_text()
    # One way: the worktree's own allow, or deny, is its own; the main checkout's deny reaches it.
    envhook("deny", cwd=main, env=env, check=True)
    s.run("true")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") == "untrusted"
    st = status_json(wt, env)
    assert st["trusted"] is False and "its main checkout " + str(main) + " is denied" in " ".join(st["reasons"])
    envhook("allow", cwd=main, env=env, check=True)
    s.run("true")
    assert s.get("VIRTUAL_ENV") == str(wt / ".venv"), "allowing the main checkout again reaches the worktree"
    envhook("deny", cwd=wt, env=env, check=True)
    s.run("true")
    assert s.get("VIRTUAL_ENV") is None and status_json(wt, env)["trusted"] is False
    assert status_json(main, env)["trusted"] is True, "a worktree's deny stays its own"
    assert not mark.exists()


def test_a_copied_or_redirected_git_file_gains_nothing(tmp_path, wheelhouse, shell_env):
    main = checkout(tmp_path / "proj", wheelhouse, shell_env)
    wt = worktree(main, tmp_path / "wt", "wt")
    # A tarball, a submodule or a vendored tree carrying the worktree's .git file.
    vendored = tmp_path / "vendor" / "thing"
    shutil.copytree(wt, vendored)
    assert (vendored / ".git").read_text() == (wt / ".git").read_text()
    st = status_json(vendored, shell_env)
    assert (st["trusted"], st["state"]) == (False, "untrusted") and not (vendored / ".venv").exists()
    # The gitdir's back-reference naming another directory than the one that points at it.
    gitdir = Path((wt / ".git").read_text().split(":", 1)[1].strip())
    (gitdir / "gitdir").write_text(f"{vendored / '.git'}\n")
    assert status_json(wt, shell_env)["trusted"] is False
    # (Your own repository's files now say the vendored copy is the worktree, as `git worktree repair`
    # there would: only you can write them, and that is what the rule asks.)
    assert status_json(vendored, shell_env)["trusted"] is True
    # A worktree moved with plain `mv` is untrusted until `git worktree repair`: status says so.
    moved = tmp_path / "moved"
    other = worktree(main, tmp_path / "other", "other")
    other.rename(moved)
    reasons = " ".join(status_json(moved, shell_env)["reasons"])
    assert "belongs to the worktree at" in reasons and "`git worktree repair` there" in reasons, reasons
    subprocess.run([*GIT, "worktree", "repair", str(moved)], cwd=main, check=True, capture_output=True)
    assert status_json(moved, shell_env)["trusted"] is True
    # A .git file whose gitdir is no worktree of a checkout (a hand-made directory).
    fake = tmp_path / "fake"
    shutil.copytree(main, fake, ignore=shutil.ignore_patterns(".git"))
    lookalike = tmp_path / "lookalike" / "worktrees" / "x"
    lookalike.mkdir(parents=True)
    (lookalike / "gitdir").write_text(f"{fake / '.git'}\n")
    (lookalike / "commondir").write_text(f"{main / '.git'}\n")
    (fake / ".git").write_text(f"gitdir: {lookalike}\n")
    assert status_json(fake, shell_env)["trusted"] is False


def test_a_gitdir_another_user_owns_grants_nothing(users, tmp_path, wheelhouse, shell_env):
    main = checkout(tmp_path / "proj", wheelhouse, shell_env)
    wt = worktree(main, tmp_path / "wt", "wt")
    assert status_json(wt, shell_env)["trusted"] is True
    gitdir = main / ".git" / "worktrees" / "wt"
    for p in (gitdir, gitdir / "gitdir"):
        os.chown(p, users.other.uid, users.other.gid)
    assert status_json(wt, shell_env)["trusted"] is False
    for p in (gitdir, gitdir / "gitdir"):
        os.chown(p, os.getuid(), os.getgid())
    os.chmod(wt / ".git", 0o666)  # a .git file others may rewrite
    assert status_json(wt, shell_env)["trusted"] is False
    os.chmod(wt / ".git", 0o644)
    assert status_json(wt, shell_env)["trusted"] is True


def test_paranoid_mode_asks_in_each_worktree(tmp_path, wheelhouse, shell_env):
    paranoid = dict(shell_env, ENVHOOK_PARANOID="1")
    main = checkout(tmp_path / "proj", wheelhouse, paranoid)
    wt = worktree(main, tmp_path / "wt", "wt")
    st = status_json(wt, paranoid)
    assert (st["trusted"], st["state"]) == (False, "untrusted"), st
    assert f"paranoid mode: a worktree of {main} is allowed on its own content" in " ".join(st["reasons"]), st
    listed = envhook("allow", "--list", cwd=tmp_path, env=paranoid).stdout
    assert "worktree" not in listed, "nothing is inherited in paranoid mode, so nothing is listed as inherited"
    envhook("allow", cwd=wt, env=paranoid, check=True)
    assert status_json(wt, paranoid)["trusted_by"] == "allow"


def test_the_list_of_what_you_trust_and_prune(tmp_path, wheelhouse, shell_env):
    main = checkout(tmp_path / "proj", wheelhouse, shell_env)
    wt = worktree(main, tmp_path / "wt", "wt")
    gone = make_project(tmp_path / "gone", wheelhouse)
    envhook("allow", cwd=gone, env=shell_env, check=True)
    envhook("use", "--no-group", "x", cwd=gone, env=shell_env)
    denied = make_project(tmp_path / "denied", wheelhouse)
    envhook("deny", cwd=denied, env=shell_env, check=True)
    roots = tmp_path / "work"
    roots.mkdir()
    envhook("config", "set", "trusted_roots", str(roots), cwd=tmp_path, env=shell_env, check=True)
    envhook("sync", cwd=main, env=shell_env, check=True)  # records, a journal
    shutil.rmtree(gone)
    listed = envhook("allow", "--list", cwd=tmp_path, env=shell_env).stdout.splitlines()
    words = [line.split(None, 2) for line in listed]
    assert ["allowed", str(main)] in [w[:2] for w in words]
    assert ["worktree", str(wt), f"(of {main}, allowed there)"] in words
    assert ["denied", str(denied)] in [w[:2] for w in words]
    assert ["allowed", str(gone), "(gone: `envhook prune` forgets it)"] in words
    assert ["root", str(roots), "(trusted_roots: every project under it)"] in words
    assert [w[1] for w in words] == sorted(w[1] for w in words[:-1]) + [str(roots)], "by path, the roots last"
    r = envhook("allow", "--list", str(main), cwd=tmp_path, env=shell_env)
    assert r.returncode == 2 and "takes no PATH" in r.stderr
    state = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "projects"
    before = sorted(p.name for p in state.iterdir())
    r = envhook("prune", "--dry-run", cwd=tmp_path, env=shell_env)
    assert f"would forget {gone} (allowed" in r.stderr and sorted(p.name for p in state.iterdir()) == before
    r = envhook("prune", cwd=tmp_path, env=shell_env)
    assert f"forgot {gone} (allowed" in r.stderr, r.stderr
    assert len(list(state.iterdir())) == len(before) - 1
    listed = envhook("allow", "--list", cwd=tmp_path, env=shell_env).stdout
    assert str(gone) not in listed and str(main) in listed
    envhook("deny", cwd=wt, env=shell_env, check=True)
    listed = envhook("allow", "--list", cwd=tmp_path, env=shell_env).stdout
    words = [line.split(None, 2) for line in listed.splitlines()]
    assert [w[:2] for w in words].count(["denied", str(wt)]) == 1 and "worktree" not in [w[0] for w in words]
    envhook("allow", cwd=wt, env=shell_env, check=True)
    assert status_json(main, shell_env)["state"] == "in-sync", "what still exists is kept"
    assert "nothing to forget" in envhook("prune", cwd=tmp_path, env=shell_env).stderr
    assert json.loads(envhook("status", "--json", cwd=wt, env=shell_env).stdout)["trusted"] is True


def test_the_list_shows_a_hostile_path_escaped(tmp_path, wheelhouse, shell_env):
    project = make_project(tmp_path / "x\x1b]0;pwned\x07y", wheelhouse)
    envhook("allow", cwd=project, env=shell_env, check=True)
    listed = envhook("allow", "--list", cwd=tmp_path, env=shell_env).stdout
    assert "pwned" in listed and "\x1b" not in listed and "\x07" not in listed, listed
