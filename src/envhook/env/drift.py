"""How an env differs: from envhook's last sync (what a person changed by
hand since), and from the lock (uv's own answer).

Both are lists of Change: a name with what is installed and what the other
side has (None where absent). The hook compares snapshots (venv.installed)
with the one recorded at the last sync, which costs no process; only when
that is not enough (the inputs changed too, or envhook never synced the env)
does it ask uv, the one authority on what a lock means for this interpreter,
platform, workspace, extras and groups.
"""

from __future__ import annotations

from pathlib import Path

from envhook.store.hashing import read_regular


class Change:
    __slots__ = ("name", "installed", "locked")

    def __init__(self, name: str, installed: str | None, locked: str | None):
        # installed / locked: venv.installed values ("1.0", "1.0 @ URL editable") or None
        self.name, self.installed, self.locked = name, installed, locked

    def __eq__(self, other) -> bool:
        return isinstance(other, Change) and (self.name, self.installed, self.locked) == (
            other.name, other.installed, other.locked)

    def __repr__(self) -> str:
        return f"Change({self.name!r}, {self.installed!r}, {self.locked!r})"

    @classmethod
    def from_json(cls, d: dict) -> Change:
        source, installed = d.get("source"), d.get("installed")
        if installed is not None and isinstance(source, dict):
            installed = f"{installed} @ {source.get('url')}" + (" editable" if source.get("editable") else "")
        return cls(str(d.get("name", "?")), installed, d.get("locked"))

    def to_json(self) -> dict:
        version, source = split(self.installed)
        return {"name": self.name, "installed": version, "locked": split(self.locked)[0], "source": source}

    def arrow(self) -> str:
        """As a hand-made change: `tinkerpkg 1.0 → 2.0`, `+ ipdb 0.13.13`, `- foo 1.1`."""
        if self.locked is None:
            return f"+ {self.name} {show(self.installed)}"
        if self.installed is None:
            return f"- {self.name} {show(self.locked)}"
        return f"{self.name} {show(self.locked)} → {show(self.installed)}"

    def against_lock(self) -> str:
        """As drift: `tinkerpkg 2.0 (lock: 1.0)`, `+ ipdb 0.13.13`, `- foo (lock: 1.1)`."""
        if self.locked is None:
            return f"+ {self.name} {show(self.installed)}"
        if self.installed is None:
            return f"- {self.name} (lock: {show(self.locked)})"
        return f"{self.name} {show(self.installed)} (lock: {show(self.locked)})"

    def kept(self) -> str:
        """As a hand-made change a sync left alone: `pytest 8.3.5 (lock: 9.0.2)`,
        `ipdb 0.13.13 (not in the lock)`, `removal of foo (lock: 1.1)`."""
        if self.locked is None:
            return f"{self.name} {show(self.installed)} (not in the lock)"
        if self.installed is None:
            return f"removal of {self.name} (lock: {show(self.locked)})"
        return f"{self.name} {show(self.installed)} (lock: {show(self.locked)})"

    def reverse(self) -> str:
        """What a sync to the lock will do to it, a verb each (`a sync would
        also …`): `change tinkerpkg 2.0 → 1.0`, `remove ipdb 0.13.13`, `install foo 1.1`."""
        if self.locked is None:
            return f"remove {self.name} {show(self.installed)}"
        if self.installed is None:
            return f"install {self.name} {show(self.locked)}"
        return f"change {self.name} {show(self.installed)} → {show(self.locked)}"

    def back(self) -> str:
        """A hand-made change being reset, from → to as the env goes (after
        "resetting …", which is the verb): `tinkerpkg 2.0 → 1.0`, `- ipdb
        0.13.13`, `+ foo 1.1` (arrow() reversed)."""
        if self.locked is None:
            return f"- {self.name} {show(self.installed)}"
        if self.installed is None:
            return f"+ {self.name} {show(self.locked)}"
        return f"{self.name} {show(self.installed)} → {show(self.locked)}"


def split(value: str | None) -> tuple[str | None, dict | None]:
    """"1.0 @ file:///x editable" -> ("1.0", {"url": "file:///x", "editable": True})."""
    if value is None:
        return None, None
    version, sep, rest = value.partition(" @ ")
    if not sep:
        return version, None
    editable = rest.endswith(" editable")
    url = rest[: -len(" editable")] if editable else rest
    return version, {"url": url, "editable": editable}


def file_path(url: str) -> str | None:
    """The local path a file:// URL names (direct_url.json's), else None."""
    if not url.startswith("file://"):
        return None
    from urllib.parse import unquote, urlsplit  # only for a dist installed from a URL

    return unquote(urlsplit(url).path)


def show(value: str | None) -> str:
    version, source = split(value)
    if source is None:
        return version or ""
    where = file_path(source["url"]) or source["url"]
    return f"{version} ({'editable' if source['editable'] else 'from'}: {where})"


def compare(expected: dict[str, str], now: dict[str, str]) -> list[Change]:
    """Changes from `expected` (a snapshot) to `now`, sorted by name."""
    return [
        Change(n, now.get(n), expected.get(n))
        for n in sorted(set(expected) | set(now))
        if now.get(n) != expected.get(n)
    ]


# Where a list cut by text(limit=…) is whole. status lists them itself, so it drops this.
WHERE_ALL = " (`envhook status` lists them)"


def text(changes: list[Change], how: str = "arrow", limit: int | None = None) -> str:
    """One line; with `limit`, the rest counted (a hand install can bring a
    dozen dependencies, and a prompt line should stay readable)."""
    shown = changes if limit is None or len(changes) <= limit else changes[: limit - 1]
    out = ", ".join(getattr(c, how)() for c in shown)
    if len(shown) < len(changes):
        out += f" and {len(changes) - len(shown)} more{WHERE_ALL}"
    return out


# -- uv's answer -----------------------------------------------------------------------

class LockDrift:
    """uv's comparison of the env with the lock. `changes` is None when uv
    could not say (`error` tells why); `outdated` when the lock no longer
    matches pyproject.toml (the changes are then against the lock as it is)."""

    def __init__(self, changes: list[Change] | None, *, outdated: bool = False, replace: bool = False,
                 error: str = ""):
        self.changes, self.outdated, self.replace, self.error = changes, outdated, replace, error

    @property
    def matches(self) -> bool:
        return self.changes == [] and not self.outdated and not self.replace

    def without(self, names) -> LockDrift:
        """The same answer with `names` (pinned packages) left out."""
        if self.changes is None or not names:
            return self
        return LockDrift([c for c in self.changes if c.name not in names], outdated=self.outdated,
                         replace=self.replace, error=self.error)


def env_python(env: Path) -> str | None:
    """The env's Python version as pyvenv.cfg records it."""
    try:
        text_ = read_regular(env / "pyvenv.cfg").decode(errors="replace")
    except OSError:
        return None
    for line in text_.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() in ("version_info", "version"):
            return value.strip()
    return None


