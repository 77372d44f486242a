"""The user's settings: `config.toml` in platformdirs' user config dir
(XDG_CONFIG_HOME honoured), read with tomllib and only when a decision
needs a value, never on a prompt where nothing changed. `envhook config`
edits it with tomlkit (commands/config.py), so comments and layout survive.

A bad file never stops the hook: the error names the file and the key, is
said once, and the default is used.
"""

from __future__ import annotations

import os

from envhook.store import paths
from envhook.store.hashing import read_regular

TINKERED_KEEP, TINKERED_FREEZE, TINKERED_RESET = "keep", "freeze", "reset"
SYNC_CHANGED, SYNC_MISSING = "changed", "missing"


class Key:
    """One setting: its kind (choice, bool, seconds, paths), default and help."""

    __slots__ = ("name", "kind", "default", "choices", "help")

    def __init__(self, name: str, kind: str, default, help: str, choices: tuple[str, ...] = ()):
        self.name, self.kind, self.default, self.help, self.choices = name, kind, default, help, choices

    def describe(self) -> str:
        if self.kind == "choice":
            return " or ".join(f'"{c}"' for c in self.choices)
        return {"bool": "true or false", "seconds": "a number of seconds (0: never)",
                "paths": "a list of absolute directories (~ allowed)"}[self.kind]


KEYS = {k.name: k for k in (
    Key("sync", "choice", SYNC_CHANGED,
        "when the hook syncs: whenever the inputs changed, or only to create a missing (or empty) env",
        (SYNC_CHANGED, SYNC_MISSING)),
    Key("trusted_roots", "paths", [], "projects under these directories are trusted without `envhook allow`"),
    Key("paranoid", "bool", False, "trust follows the inputs' content, as ENVHOOK_PARANOID=1"),
    Key("tinkered", "choice", TINKERED_KEEP,
        "when the inputs change under hand-made changes: sync the rest and keep them, freeze the whole env, "
        "or reset them", (TINKERED_KEEP, TINKERED_FREEZE, TINKERED_RESET)),
    Key("uv_no_sync_when_pinned", "bool", True, "export UV_NO_SYNC=1 in a pinned project, so `uv run` leaves it"),
    Key("uv_no_sync_when_tinkered", "bool", True,
        "export UV_NO_SYNC=1 while the env carries hand-made changes (or package pins), so `uv run` keeps them"),
    Key("notify", "choice", "once", "hand-made change notices: once across shells, once in every shell, or never",
        ("once", "always", "never")),
    Key("slow_sync_notice", "seconds", 0, "say \"still syncing…\" after this many seconds (0: never)"),
    Key("disabled_paths", "paths", [], "envhook does nothing in projects under these directories"),
)}


class SettingsError(Exception):
    pass


def config_file() -> str:
    return os.path.join(paths.config_dir(), "config.toml")


def _load(path: str) -> dict:
    import tomllib  # TOML only when a file is read, never on a quiet prompt

    try:
        data = tomllib.loads(read_regular(path).decode())
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise SettingsError(f"cannot read {path}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SettingsError(f"{path} is not valid TOML: {e}") from None
    why = paths.unsafe_owner(path, follow=True)
    if why:
        # Someone else could have written trusted_roots = ["/"] there.
        raise SettingsError(f"{path} {why}; its settings are ignored")
    return data


def check(key: str, value, path: str):
    """`value` as the setting's kind wants it, or SettingsError naming the key and file."""
    k = KEYS.get(key)
    if k is None:
        raise SettingsError(f"{path}: unknown setting `{key}` (known: {', '.join(KEYS)})")
    ok = {
        "choice": lambda v: v in k.choices,
        "bool": lambda v: isinstance(v, bool),
        "seconds": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
        "paths": lambda v: isinstance(v, list) and all(isinstance(p, str) and os.path.isabs(os.path.expanduser(p))
                                                      for p in v),
    }[k.kind](value)
    if not ok:
        raise SettingsError(f"{path}: `{key}` must be {k.describe()}, not {value!r}")
    if k.kind == "paths":
        return [os.path.normpath(os.path.expanduser(p)) for p in value]
    return value


def get(key: str):
    """One setting's value, its default when unset; SettingsError (naming the
    file and the key) when it has a wrong value. Other keys are not looked at."""
    path = config_file()
    data = _load(path)
    if key not in data:
        return KEYS[key].default
    return check(key, data[key], path)


def value(key: str):
    """`get`, with the default where the file or the value is bad: for the
    decisions that must go on regardless (the hook reports what is wrong
    once, `envhook config list` and `envhook doctor` name it)."""
    try:
        return get(key)
    except SettingsError:
        return KEYS[key].default


def validate_file() -> dict:
    """Every setting in the file, checked (unknown keys too); for
    `envhook config list` and `envhook doctor`."""
    path = config_file()
    return {key: check(key, value, path) for key, value in _load(path).items()}


def under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)
