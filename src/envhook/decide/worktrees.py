"""Linked git worktrees (issue 33): a directory made by `git worktree add`
from a checkout you allowed is trusted as that checkout is, one way.

Read from git's own files, never by running `git` in a directory that is
not trusted yet (its config can run code: core.fsmonitor, hooks). A
worktree W of a checkout M is recognised only when all of these hold:

- W/.git is a regular file, yours, writable by nobody else, saying
  `gitdir: G`;
- G lies in M/.git/worktrees/ (its `commondir` leads to M/.git, a
  directory of a non-bare repository);
- G/gitdir points back at W/.git: a .git file copied elsewhere, or one in a
  tarball, submodule or vendored tree naming your repository's worktree,
  gains nothing;
- G, its gitdir and commondir files, M/.git/worktrees and M/.git are yours
  and writable by nobody else, and so is every directory above them
  (paths.unsafe_chain).

A project at W/sub is the worktree's counterpart of M/sub: that is the
checkout whose `envhook allow` counts."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.store import paths
from envhook.store.hashing import read_regular

# How much of a .git file or a gitdir file is read: a path, not a novel.
_MOST = 4096


def git_top(root: Path) -> Path | None:
    """The directory at or above `root` that holds a .git (file or directory)."""
    for d in (root, *root.parents):
        if os.path.lexists(d / ".git"):
            return d
    return None


def _read(path: Path) -> str:
    """A small file of git's, if it is yours alone (not through a link)."""
    why = paths.unsafe_chain(str(path))
    if why:
        raise ValueError(why)
    data = read_regular(str(path))
    if len(data) > _MOST:
        raise ValueError(f"{path} is not a file git writes")
    return data.decode("utf-8", "replace").strip()


def _resolve(base: Path, text: str) -> Path:
    return Path(os.path.realpath(text if os.path.isabs(text) else os.path.join(base, text)))


def main_checkout(root: Path) -> tuple[Path | None, str]:
    """(the project in the main checkout whose trust this one inherits, "")
    when `root` lies in a linked worktree that passes every check above;
    (None, why) when it looks like one and fails a check; (None, "") when
    it is no linked worktree at all."""
    top = git_top(root)
    if top is None:
        return None, ""
    dotgit = top / ".git"
    if os.path.islink(dotgit) or not os.path.isfile(dotgit):
        return None, ""  # a main checkout (a .git directory), or no git at all
    try:
        text = _read(dotgit)
        if not text.startswith("gitdir:"):
            return None, f"{dotgit} names no gitdir"
        gitdir = _resolve(top, text[len("gitdir:"):].strip())
        common = _resolve(gitdir, _read(gitdir / "commondir"))
        back = _resolve(gitdir, _read(gitdir / "gitdir"))
    except (OSError, ValueError) as e:
        return None, str(e)
    if gitdir.parent != common / "worktrees":
        return None, f"{gitdir} is not one of {common}'s worktrees"
    if back != Path(os.path.realpath(dotgit)):
        return None, f"{gitdir} belongs to the worktree at {back.parent}, not this one"
    for p in (gitdir, common / "worktrees", common):
        why = paths.unsafe_chain(str(p))
        if why:
            return None, why
    if common.name != ".git" or not common.is_dir() or os.path.islink(common):
        return None, f"{common} is no checkout's .git directory"
    main = common.parent
    return main / os.path.relpath(root, top), ""


def worktrees_of(root: Path) -> list[Path]:
    """The projects in the linked worktrees of the checkout holding `root`
    (root's counterpart in each), as the checkout's .git/worktrees lists them,
    only those that would inherit (main_checkout says so)."""
    top = git_top(root)
    if top is None or not (top / ".git").is_dir():
        return []
    rel = os.path.relpath(root, top)
    out = []
    try:
        entries = sorted(os.scandir(top / ".git" / "worktrees"), key=lambda e: e.name)
    except OSError:
        return []
    for entry in entries:
        try:
            w = _resolve(Path(entry.path), _read(Path(entry.path) / "gitdir")).parent
        except (OSError, ValueError):
            continue
        project = Path(os.path.normpath(w / rel))
        if main_checkout(project)[0] == Path(os.path.normpath(root)):
            out.append(project)
    return out


def files(root: Path) -> list[Path]:
    """What decides whether `root` is a worktree that inherits trust, for
    the decision cache: the .git file, and the gitdir's files."""
    top = git_top(root)
    if top is None or not (top / ".git").is_file():
        return []
    out = [top / ".git"]
    try:
        text = _read(top / ".git")
    except (OSError, ValueError):
        return out
    if text.startswith("gitdir:"):
        gitdir = _resolve(top, text[len("gitdir:"):].strip())
        out += [gitdir / "gitdir", gitdir / "commondir"]
    return out
