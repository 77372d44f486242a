from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from envhook.backends.base import Backend, SyncOutcome
from envhook.state import SYNC_FAILED, SYNC_INTERRUPTED, SYNC_OK

# Variables that must not reach uv: a venv the user activated by hand (or
# ours) would redirect or warn it; PYTHONHOME breaks the interpreters it
# queries (activation unsets it for the same reason); UV_NO_SYNC is for
# `uv run`, not for us; the rest are the hook's own.
_DROP = ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME", "UV_NO_SYNC",
         "_ENVHOOK_SESSION", "_ENVHOOK_TOLD", "_ENVHOOK_ACTIVE")


def which(name: str, skip: str) -> str | None:
    # shutil.which would cost its import on the hook's path; this is all of it we need.
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d or os.path.normpath(d) == skip:
            continue
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def run(argv: list[str], env: dict[str, str]) -> int | None:
    """Run argv with its stdout on our stderr (uv's progress stays visible and
    never reaches the shell's eval); None when Ctrl-C interrupted it."""
    fa = [(os.POSIX_SPAWN_DUP2, 2, 1)]
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
    except OSError:
        devnull = None
    else:
        fa.append((os.POSIX_SPAWN_DUP2, devnull, 0))
    try:
        pid = os.posix_spawn(argv[0], argv, env, file_actions=fa)
    finally:
        if devnull is not None:
            os.close(devnull)
    try:
        _, status = os.waitpid(pid, 0)
    except KeyboardInterrupt:
        # uv got the same Ctrl-C from the terminal; give it a moment to clean
        # up, then make sure it is gone before anything is recorded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.02)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return None
    code = os.waitstatus_to_exitcode(status)
    return None if code in (-signal.SIGINT, 130) else code


class UvBackend(Backend):
    name = "uv"

    def tool_path(self, project) -> Path | None:
        # The project's own env may be first on PATH; a `uv` it carries is
        # the project's code, not the user's tool.
        found = which("uv", skip=os.path.normpath(project.env / "bin"))
        return Path(found) if found else None

    def sync(self, project, *, reason: str) -> SyncOutcome:
        uv = self.tool_path(project)
        if uv is None:
            return SyncOutcome(SYNC_FAILED, "uv not found on PATH; install it (https://docs.astral.sh/uv/) and run `envhook sync`")
        env = {k: v for k, v in os.environ.items() if k not in _DROP}
        try:
            code = run([str(uv), "--directory", str(project.root), "sync"], env)
        except OSError as e:
            return SyncOutcome(SYNC_FAILED, f"cannot run {uv}: {e.strerror}")
        if code is None:
            return SyncOutcome(SYNC_INTERRUPTED, "sync interrupted")
        if code == 0:
            return SyncOutcome(SYNC_OK)
        return SyncOutcome(SYNC_FAILED, f"`uv sync` failed (exit {code})")
