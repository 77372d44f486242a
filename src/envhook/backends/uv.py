from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from envhook.backends.base import Backend, SyncOutcome
from envhook.state import SYNC_FAILED, SYNC_INTERRUPTED, SYNC_OK


class UvBackend(Backend):
    name = "uv"

    def tool_path(self, project) -> Path | None:
        # The project's own env may be first on PATH; a `uv` it carries is
        # the project's code, not the user's tool.
        own = os.path.normpath(project.env / "bin")
        search = os.pathsep.join(
            p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.normpath(p) != own
        )
        found = shutil.which("uv", path=search)
        return Path(found) if found else None

    def sync(self, project, *, reason: str) -> SyncOutcome:
        uv = self.tool_path(project)
        if uv is None:
            return SyncOutcome(SYNC_FAILED, "uv not found on PATH; install it (https://docs.astral.sh/uv/) and run `envhook sync`")
        env = dict(os.environ)
        # A venv the user activated by hand (or ours) must not redirect or
        # warn uv; PYTHONHOME would break the interpreters uv queries (activation
        # unsets it for the same reason); UV_NO_SYNC is for `uv run`, not for us.
        for name in ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME", "UV_NO_SYNC", "_ENVHOOK_SESSION", "_ENVHOOK_TOLD", "_ENVHOOK_VENV"):
            env.pop(name, None)
        try:
            # uv's progress goes to the terminal; its stdout must not reach the
            # shell's eval, so it is sent to stderr as well.
            proc = subprocess.Popen([str(uv), "sync"], cwd=project.root, env=env, stdout=2, stdin=subprocess.DEVNULL)
        except OSError as e:
            return SyncOutcome(SYNC_FAILED, f"cannot run {uv}: {e.strerror}")
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            # uv got the same Ctrl-C from the terminal; give it a moment to
            # clean up, then make sure it is gone before we record anything.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return SyncOutcome(SYNC_INTERRUPTED, "sync interrupted")
        if code == 0:
            return SyncOutcome(SYNC_OK)
        if code < 0 and -code == signal.SIGINT or code == 130:
            return SyncOutcome(SYNC_INTERRUPTED, "sync interrupted")
        return SyncOutcome(SYNC_FAILED, f"`uv sync` failed (exit {code})")
