"""Drift for the backends whose tool cannot be asked cheaply (Poetry, PDM,
pip): envhook reads the lock file itself, keeps the entries this env would
get (their markers evaluated for its Python and this machine, the groups a
plain sync installs), and compares them with what the env holds, as
`pip list` would show it.

packaging is imported here, and only here: the hook loads this module only
when it must compare an env with a lock (the inputs and the env moved at the
same prompt, or envhook never synced the env), never at a quiet prompt.
"""

from __future__ import annotations

from pathlib import Path

from envhook.env import venv
from envhook.env.drift import Change, split
from envhook.store.hashing import read_regular

# Installed by the venv's creator, not by the lock; PDM's sync leaves them
# be (its SEQUENTIAL_PACKAGES). Poetry's keeps only pip, `uv pip sync` none:
# those backends pass their own `seeded`.
SEEDED = frozenset({"pip", "setuptools", "wheel"})


class Wanted:
    """One locked entry: a version (`==`) or, for a loose requirement, a specifier."""

    __slots__ = ("version", "spec", "from_path")

    def __init__(self, version: str | None = None, spec: str = "", from_path: bool = False):
        self.version, self.spec = version, spec
        self.from_path = from_path  # a path/VCS dependency: the installed source is expected to differ

    def shown(self) -> str:
        return self.version if self.version is not None else (self.spec or "any")


def _same_version(a: str, b: str) -> bool:
    if a == b:
        return True
    from packaging.version import InvalidVersion, Version  # packaging: only when a lock or a requirement is compared

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return False


def _satisfies(version: str, spec: str) -> bool:
    from packaging.specifiers import (  # packaging: only when a lock or a requirement is compared
        InvalidSpecifier,
        SpecifierSet,
    )
    from packaging.version import InvalidVersion, Version  # packaging: only when a lock or a requirement is compared

    try:
        return Version(version) in SpecifierSet(spec, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def compare(wanted: dict[str, Wanted], now: dict[str, str], *, exact: bool, ignore: set[str],
            seeded: frozenset[str] = SEEDED):
    """Changes from `wanted` (canonical name -> Wanted) to the env's snapshot.
    `exact`: the sync removes what the lock does not name (but `seeded`), so
    an extra package is drift; otherwise only missing or mismatched ones are."""
    changes = []
    for name in sorted(set(wanted) | set(now)):
        if name in ignore:
            continue
        have, want = now.get(name), wanted.get(name)
        if want is None:
            if exact and have is not None and name not in seeded:
                changes.append(Change(name, have, None))
            continue
        if have is None:
            changes.append(Change(name, None, want.shown()))
            continue
        version, source = split(have)
        if want.version is not None:
            ok = _same_version(version or "", want.version) and (source is None or want.from_path)
        else:
            ok = _satisfies(version or "", want.spec) if want.spec else True
        if not ok:
            changes.append(Change(name, have, want.shown()))
    return changes


def read_lock(path: Path) -> dict:
    """A TOML lock file, or ValueError with a message for the user."""
    import tomllib  # TOML only when a file is read

    try:
        return tomllib.loads(read_regular(path).decode())
    except FileNotFoundError:
        raise ValueError(f"{path.name} does not exist") from None
    except OSError as e:
        raise ValueError(f"cannot read {path.name}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path.name} is not valid TOML ({e})") from None


def load(project, lock_name: str, now: dict[str, str] | None):
    """What a lock drift reads: the env's snapshot, the lock and
    pyproject.toml; ValueError with a message when the lock cannot be read."""
    if now is None:
        now = venv.installed(project.env)
    lock = read_lock(project.root / lock_name)
    try:
        pyproject = read_lock(project.root / "pyproject.toml")
    except ValueError:
        pyproject = {}
    return now, lock, pyproject


def own_names(project) -> set[str]:
    """The project itself (and its workspace members, by the names their
    pyproject.toml gives): installed from the tree by the sync, so never
    drift against the lock."""
    names = {venv.canonical(project.name)}
    for m in getattr(project, "members", ()):
        try:
            name = (read_lock(m / "pyproject.toml").get("project") or {}).get("name")
        except (ValueError, AttributeError):
            name = None
        names.add(venv.canonical(name if isinstance(name, str) else m.name))
    return names
