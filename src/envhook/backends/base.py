from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class SyncOutcome:
    status: str            # state.SYNC_OK / SYNC_FAILED / SYNC_INTERRUPTED
    message: str = ""      # one line for the user when it did not work


class Backend:
    name: str

    def sync(self, project, *, reason: str) -> SyncOutcome:
        raise NotImplementedError

    def tool_path(self, project) -> Path | None:
        raise NotImplementedError
