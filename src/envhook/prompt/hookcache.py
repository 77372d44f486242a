"""The decision cache: how a new shell enters a known project without TOML,
JSON or hashing file contents.

After a full evaluation that ended quietly (activate or not, nothing to say,
nothing to sync), export writes, for the project directory as $PWD spells
it, what it decided and the signature (mtime, ctime, size, inode) of every
file that decision read: the pyproject.toml files of discovery, the inputs,
the env's files and envhook's own records. The fast path stats them; any
difference, or another value of a variable that moves the project's env
(its backend's location_vars: UV_PROJECT_ENVIRONMENT, POETRY_VIRTUALENVS_PATH…)
or uv's selection (UV_NO_GROUP…, env.selection), sends it to the full
path, which decides from contents again.

A file changed within RACY_NS of the evaluation may change again without
moving its signature (the kernel stamps files from a coarse clock; some
filesystems keep whole seconds). Like git with a racily clean index entry,
such a file also gets a digest of its content (of its listing, for a
directory), and the fast path checks that instead of trusting the signature.
"""

from __future__ import annotations

import os

from envhook.env import selection
from envhook.env.activation import Activation
from envhook.store import paths

# 6: the location variables are the backend's own, recorded by name. A file
# of another version is not replayed: the full path decides and rewrites it.
VERSION = "envhook-decision-6"
RACY_NS = 2_000_000_000


def location(names, environ) -> list[str]:
    """What the variables `names` are (the backend's location_vars, which
    decide where its env lives; the prompt never imports the backends, so
    the full evaluation records them): NAME=value, or NAME where unset."""
    if any(k in selection.UV_VARS for k in names):
        # uv's selection variables as the user set them, not as envhook exported them
        environ = {**environ, **{k: None for k in selection.UV_VARS}, **selection.user_environ(environ)}
    return [f"{k}={environ[k]}" if environ.get(k) is not None else k for k in names]


def signature(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}"


def content(path: str) -> str:
    """Digest of a file's bytes or a directory's listing; "-" when absent."""
    from envhook.store.hashing import hexdigest, read_regular  # the cached path reads no file's content

    try:
        if os.path.isdir(path):
            data = "\0".join(sorted(os.listdir(path))).encode("utf-8", "surrogateescape")
        else:
            data = read_regular(path)
    except FileNotFoundError:
        return "-"
    except OSError:
        return "?"  # unreadable: never equal to a recorded digest
    return hexdigest(data)[:16]


def observe(paths: list[str], now_ns: int) -> list[tuple[str, str, str]]:
    """(path, signature, content digest if racy else "") for each path; taken
    before the decision reads them, so a later change always shows."""
    out = []
    for p in paths:
        sig = signature(p)
        racy = ""
        if sig != "-":
            mtime, ctime = (int(x) for x in sig.split(":")[:2])
            # A file dated in the future is racy too, for as long as it is:
            # another write may give it the same mtime again (tar x, rsync -a).
            if max(mtime, ctime) >= now_ns - RACY_NS:
                racy = content(p)
        out.append((p, sig, racy))
    return out


def mtimes(deps) -> dict[str, int]:
    """The mtime in each signature of `deps` (observe's triples), by path:
    what the files were before the decision read them (paths.stamp_future)."""
    return {p: int(sig.split(":", 1)[0]) for p, sig, _ in deps if sig != "-"}


def session() -> str:
    """This shell's id, as its hook passed it (_ENVHOOK_SESSION)."""
    s = os.environ.get("_ENVHOOK_SESSION", "")
    return s if s.isalnum() and s.isascii() and len(s) <= 64 else "nosession"


def paranoid() -> bool:
    """ENVHOOK_PARANOID, read as trust.paranoid reads it (importing trust
    would load json and pathlib on the fast path)."""
    value = os.environ.get("ENVHOOK_PARANOID")
    if value is None:
        value = os.environ.get("_ENVHOOK_PARANOID_CFG", "")  # the setting, as the hook was printed with it
    return value.strip().lower() not in ("", "0", "false", "no", "off")


def cache_file(state: str, nearest: str) -> str:
    """Keyed by where the directory really is: after `current -> good` is
    re-pointed to `evil`, $PWD spells the same path, and must not replay
    good's decision. Paranoid shells keep their own decisions: one reached
    where trust is path-only must not be replayed where trust follows content."""
    path = paths.decision_file(state, os.path.realpath(nearest))
    return path + ".paranoid" if paranoid() else path


class Decision:
    """What the hook needs to re-create a full evaluation's output."""

    __slots__ = ("root", "name", "act", "known", "watch", "absent", "present", "deps", "env_vars", "inputs",
                 "backend")

    def __init__(self, root, name, act, known, watch, absent, present, deps, env_vars, inputs, backend="uv"):
        self.root, self.name, self.act, self.known = root, name, act, known
        self.watch, self.absent, self.present = watch, absent, present
        self.deps = deps  # list of (path, signature, racy content)
        self.env_vars = env_vars  # location() of the backend's variables when decided
        self.backend = backend
        # inputs: {path: content digest} as last synced; lets the entry see
        # "stale" and start uv before the full evaluation is even imported.
        self.inputs = inputs

    def moved(self) -> list[str]:
        """Paths that may have changed since the decision."""
        out = []
        for p, sig, racy in self.deps:
            if signature(p) == sig and not racy:
                continue
            if racy and content(p) == racy:
                continue
            out.append(p)
        return out

    def same_location(self, environ) -> bool:
        """Is every variable that decides where the env is as it was?"""
        return location([v.partition("=")[0] for v in self.env_vars], environ) == self.env_vars

    def fresh(self, environ) -> bool:
        return self.same_location(environ) and not self.moved()


def _pack(fields: list) -> bytes:
    out = []
    for f in fields:
        if isinstance(f, list):
            out.append(str(len(f)))
            out.extend(f)
        else:
            out.append(f)
    return b"\0".join(os.fsencode(x) for x in out)


def write(path: str, decision: Decision) -> None:
    flat = [x for dep in decision.deps for x in dep]
    inputs = [x for p, dg in decision.inputs.items() for x in (p, dg or "-")]
    data = _pack([VERSION, decision.backend, decision.root, decision.name, decision.env_vars, decision.act.words(),
                  decision.known, decision.watch, decision.absent, decision.present, flat, inputs])
    # Only the full evaluation writes, and it has state (json, pathlib) loaded
    # already; the fast path, which only reads, never imports it.
    from pathlib import Path  # not on the cached prompt path (tests/prompt/test_imports.py)

    from envhook.store.records import atomic_write  # records loads json: the full path only

    atomic_write(Path(path), data)


def read(path: str) -> Decision | None:
    try:
        # read_state: a cache another user could have written (a state dir
        # others may write, a file not yours) is never replayed.
        parts = [os.fsdecode(x) for x in paths.read_state(path).split(b"\0")]
    except OSError:
        return None  # absent, unsafe, or not a regular file (a FIFO must not hang the prompt)
    try:
        it = iter(parts)
        if next(it) != VERSION:
            return None
        backend, root, name = next(it), next(it), next(it)
        lists = []
        for _ in range(8):
            n = int(next(it))
            lists.append([next(it) for _ in range(n)])
        env_vars, words, known, watch, absent, present, flat, inputs = lists
        act = Activation.from_words(words)
        if act is None or next(it, None) is not None:
            return None
    except (StopIteration, ValueError):
        return None  # truncated or damaged: decide from scratch
    deps = list(zip(flat[0::3], flat[1::3], flat[2::3]))
    digests = {p: (None if dg == "-" else dg) for p, dg in zip(inputs[0::2], inputs[1::2])}
    return Decision(root, name, act, known, watch, absent, present, deps, env_vars, digests, backend)


def remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
