from __future__ import annotations

SYNC_OK, SYNC_FAILED, SYNC_INTERRUPTED, SYNC_RUNNING = "ok", "failed", "interrupted", "running"


class SyncOutcome:
    def __init__(self, status: str, message: str = ""):
        self.status = status    # SYNC_OK / SYNC_FAILED / SYNC_INTERRUPTED
        self.message = message  # one line for the user when it did not work


class Backend:
    name: str

    def sync(self, project, *, reason: str, started: int | None = None) -> SyncOutcome:
        raise NotImplementedError

    def tool_path(self, project):
        raise NotImplementedError
