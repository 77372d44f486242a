"""Sync tools. uv is the first; the interface is what the commands need:
detect, env path, inputs, sync."""

from __future__ import annotations

from envhook.backends.base import Backend, SyncOutcome
from envhook.backends.uv import UvBackend


def backend_for(project) -> Backend:
    return UvBackend()


__all__ = ["Backend", "SyncOutcome", "backend_for"]
