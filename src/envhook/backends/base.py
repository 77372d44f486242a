from __future__ import annotations

from pathlib import Path


class SyncOutcome:
    def __init__(self, status: str, message: str = ""):
        self.status = status    # state.SYNC_OK / SYNC_FAILED / SYNC_INTERRUPTED
        self.message = message  # one line for the user when it did not work


class Backend:
    name: str

    def sync(self, project, *, reason: str) -> SyncOutcome:
        raise NotImplementedError

    def tool_path(self, project) -> Path | None:
        raise NotImplementedError
