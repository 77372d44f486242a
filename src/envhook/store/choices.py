"""`envhook use`: the groups, extras and workspace packages the user chose
for one project, kept in envhook's state under the project's real path (as
trust is), never in the repository. A linked git worktree is another path,
so it starts with no choices of its own.

The file holds the layer as env.selection reads it ("group", "no-group",
"only-group", "extra", "no-default-groups", "all-extras", "packages"), and
the backend it was chosen for (a choice that backend could not honour was
said then; it is said again only when the backend changed)."""

from __future__ import annotations

from pathlib import Path

from envhook.store import paths
from envhook.store.records import keep_or_forget, project_dir, read_json

KEYS = ("group", "no-group", "only-group", "extra", "no-default-groups", "all-extras", "packages")


def load(root: Path) -> tuple[dict, str | None]:
    """(the layer, the backend it was chosen for); ({}, None) when none.
    read_json checks the file is the user's own and no other may write it."""
    data = read_json(project_dir(root) / paths.CHOICES) or {}
    layer = data.get("choices")
    if not isinstance(layer, dict):
        return {}, None
    out = {}
    for key in KEYS:
        value = layer.get(key)
        if key in ("no-default-groups", "all-extras"):
            if isinstance(value, bool):
                out[key] = value
        elif key == "packages":
            if value is True or (isinstance(value, list) and all(isinstance(v, str) for v in value) and value):
                out[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) and v and not v.startswith("-")
                                                       for v in value):
            out[key] = value
    backend = data.get("backend")
    return out, backend if isinstance(backend, str) else None


def save(root: Path, layer: dict, backend: str) -> None:
    """Keep the layer (empty: forget it) and tell open shells to look again
    (the notify file their prompt already watches): a change of it is an
    input change, synced once at the next prompt."""
    keep_or_forget(root, paths.CHOICES, {"choices": layer, "backend": backend} if layer else None)
