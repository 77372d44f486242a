from __future__ import annotations

import os

from envhook import spawn
from envhook.backends.base import SYNC_FAILED, SYNC_INTERRUPTED, SYNC_OK, Backend, SyncOutcome

# Variables that must not reach uv: a venv the user activated by hand (or
# ours) would redirect or warn it; PYTHONHOME breaks the interpreters it
# queries (activation unsets it for the same reason); UV_NO_SYNC is for
# `uv run`, not for us; the rest are the hook's own.
_DROP = ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME", "UV_NO_SYNC",
         "_ENVHOOK_SESSION", "_ENVHOOK_TOLD", "_ENVHOOK_ACTIVE", "_ENVHOOK_VENV", "ENVHOOK_STATE")


def uv_path(env_dir: str) -> str | None:
    return spawn.which("uv", skip=os.path.normpath(os.path.join(env_dir, "bin")))


def sync_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _DROP}


def start_sync(uv: str, root: str) -> int:
    """Start `uv sync` for the project at root; the hook's entry calls this
    before the full evaluation has even been imported."""
    env = sync_environ()
    # From the root, not the shell's cwd: that may be gone (a checkout removed
    # it), and a shim in front of uv (pyenv's) fails to start in a deleted cwd.
    return spawn.start([uv, "--directory", root, "sync"], env, cwd=root)


def finish_sync(pid: int) -> SyncOutcome:
    code = spawn.wait(pid)
    if code is spawn.INTERRUPTED:
        return SyncOutcome(SYNC_INTERRUPTED, "sync interrupted")
    if code == 0:
        return SyncOutcome(SYNC_OK)
    if code < 0:
        # "exit -9" says nothing to a person; a signal (kill -9, the OOM killer) is named.
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return SyncOutcome(SYNC_FAILED, f"`uv sync` was killed by {name}")
    return SyncOutcome(SYNC_FAILED, f"`uv sync` failed (exit {code})")


class UvBackend(Backend):
    name = "uv"

    def tool_path(self, project) -> str | None:
        return uv_path(str(project.env))

    def sync(self, project, *, reason: str, started: int | None = None) -> SyncOutcome:
        if started is not None:
            return finish_sync(started)
        uv = self.tool_path(project)
        if uv is None:
            return SyncOutcome(SYNC_FAILED, "uv not found on PATH; install it (https://docs.astral.sh/uv/) and run `envhook sync`")
        try:
            pid = start_sync(str(uv), str(project.root))
        except OSError as e:
            return SyncOutcome(SYNC_FAILED, f"cannot run {uv}: {e.strerror}")
        return finish_sync(pid)
