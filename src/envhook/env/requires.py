"""What the packages in an env require of each other, read from their
installed METADATA (Requires-Dist, markers evaluated for the env's Python,
no extras): the check `uv pip check` makes. packaging is imported here, so
this runs only after a sync or for `envhook status`, never at a quiet prompt."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.env import venv
from envhook.env.drift import split
from envhook.store.hashing import read_regular


class Unmet:
    """One requirement of an installed package that the env does not meet."""

    __slots__ = ("owner", "version", "target", "spec", "have")

    def __init__(self, owner: str, version: str, target: str, spec: str, have: str | None):
        self.owner, self.version, self.target, self.spec, self.have = owner, version, target, spec, have

    def __str__(self) -> str:
        if self.have is None:
            return f"{self.owner} {self.version} requires {self.target}{self.spec}, which is not installed"
        return f"{self.owner} {self.version} requires {self.target}{self.spec}, but {self.have} is installed"


def unmet(env: Path, installed: dict[str, str], *, owners_skipped=frozenset(), targets=None) -> list[Unmet]:
    """Every requirement of the env's packages the env does not meet. Skips
    the requirements of `owners_skipped`; with `targets`, checks only
    requirements on those names."""
    from packaging.requirements import (  # packaging: only when a lock or a requirement is compared
        InvalidRequirement,
        Requirement,
    )
    from packaging.version import InvalidVersion  # packaging: only when a lock or a requirement is compared

    from envhook.env.markers import marker_environment  # packaging, loaded with this module's caller

    sp = venv.site_packages(env)
    if sp is None:
        return []
    environment = {**marker_environment(env), "extra": ""}
    out = []
    try:
        entries = sorted(os.listdir(sp))
    except OSError:
        return []
    for entry in entries:
        if not entry.endswith(".dist-info"):
            continue
        name, _, version = entry[: -len(".dist-info")].partition("-")
        owner = venv.canonical(name)
        if owner in owners_skipped:
            continue
        for line in _requires(sp / entry / "METADATA"):
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            target = venv.canonical(req.name)
            if targets is not None and target not in targets:
                continue
            try:
                if req.marker is not None and not req.marker.evaluate(environment):
                    continue
            except Exception:  # noqa: BLE001 — a marker packaging cannot evaluate is not ours to judge
                continue
            have = split(installed.get(target))[0]
            ok = have is not None
            if ok and req.specifier:
                try:
                    ok = req.specifier.contains(have, prereleases=True)
                except InvalidVersion:
                    ok = False
            if not ok:
                out.append(Unmet(owner, version, req.name, str(req.specifier), have))
    return out


def _requires(metadata: Path) -> list[str]:
    try:
        text = read_regular(metadata).decode("utf-8", "replace")
    except OSError:
        return []
    lines = []
    for ln in text.splitlines():
        if not ln.strip():
            break  # the headers end at the first blank line; the rest is the description
        if ln.startswith("Requires-Dist:"):
            lines.append(ln[len("Requires-Dist:"):].strip())
    return lines


def conflicts(env: Path, pins, installed: dict[str, str], own: set[str] = frozenset(),
              label: str = "pinned") -> list[str]:
    """Where a pinned package no longer satisfies what the env's other
    packages require of it (a lock change brought a dependent that wants
    another version): one phrase each, e.g.
    `pinned tinkerpkg 3.0 conflicts with depkg 2.0's requirement tinkerpkg<3`.
    Read from the installed METADATA, so it is what the env really holds.
    `own`: the project's names (and its workspace members'), not counted.
    `pins`: the names to check (package pins, or kept hand-made changes,
    said with `label` "kept")."""
    if not pins:
        return []
    # A pin's own requirements are the user's business, and so is the
    # project's: pinning a direct dependency overrides it on purpose.
    out = []
    for u in unmet(env, installed, owners_skipped={*pins, *own}, targets=set(pins)):
        what = f"{venv.canonical(u.target)} {u.have}" if u.have is not None else f"{venv.canonical(u.target)} (absent)"
        out.append(f"{label} {what} conflicts with {u.owner} {u.version}'s requirement {u.target}{u.spec}")
    return out
