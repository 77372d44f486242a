"""The decision cache: how a new shell enters a known project without TOML,
JSON or hashing file contents.

After a full evaluation that ended quietly (activate or not, nothing to say,
nothing to sync), export writes, for the project directory as $PWD spells
it, what it decided and the signature (mtime, ctime, size, inode) of every
file that decision read: the pyproject.toml files of discovery, the inputs,
the env's files and envhook's own records. The fast path stats them; any
difference, or a value of UV_PROJECT_ENVIRONMENT other than the one seen,
sends it to the full path, which decides from contents again.

A file changed within RACY_NS of the evaluation may change again without
moving its signature (coarse clocks): such a decision is not cached, as git
treats a racily clean index entry.
"""

from __future__ import annotations

import os

from envhook import paths

VERSION = "envhook-decision-1"
RACY_NS = 2_000_000_000
UNSET = "\x01unset"


def signature(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}"


def cache_file(state: str, nearest: str) -> str:
    return os.path.join(state, "dirs", paths.key(nearest))


class Decision:
    """What the hook needs to re-create a full evaluation's output."""

    __slots__ = ("root", "act", "known", "watch", "absent", "deps", "uv_env")

    def __init__(self, root, act, known, watch, absent, deps, uv_env):
        self.root, self.act, self.known, self.watch, self.absent = root, act, known, watch, absent
        self.deps, self.uv_env = deps, uv_env  # deps: list of (path, signature)

    def fresh(self, environ) -> bool:
        if environ.get("UV_PROJECT_ENVIRONMENT", UNSET) != self.uv_env:
            return False
        return all(signature(p) == s for p, s in self.deps)


def _pack(fields: list) -> bytes:
    out = []
    for f in fields:
        if isinstance(f, list):
            out.append(str(len(f)))
            out.extend(f)
        else:
            out.append(f)
    return b"\0".join(os.fsencode(x) for x in out)


def write(path: str, decision: Decision, now_ns: int) -> bool:
    """Write unless some signature is racy; the signatures must have been taken
    before the contents were read, so a later change always shows."""
    flat = []
    for p, s in decision.deps:
        if s != "-":
            mtime, ctime = (int(x) for x in s.split(":")[:2])
            if max(mtime, ctime) >= now_ns - RACY_NS:
                return False
        flat += [p, s]
    data = _pack(
        [VERSION, decision.uv_env, decision.root, decision.act, decision.known, decision.watch, decision.absent, flat]
    )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def read(path: str) -> Decision | None:
    try:
        with open(path, "rb") as f:
            parts = [os.fsdecode(x) for x in f.read().split(b"\0")]
    except OSError:
        return None
    try:
        it = iter(parts)
        if next(it) != VERSION:
            return None
        uv_env, root = next(it), next(it)
        lists = []
        for _ in range(5):
            n = int(next(it))
            lists.append([next(it) for _ in range(n)])
        act, known, watch, absent, flat = lists
        if next(it, None) is not None:
            return None
    except (StopIteration, ValueError):
        return None  # truncated or damaged: decide from scratch
    deps = list(zip(flat[0::2], flat[1::2]))
    return Decision(root, act, known, watch, absent, deps, uv_env)


def remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
