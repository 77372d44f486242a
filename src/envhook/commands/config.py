"""`envhook config list|get|set|unset`: the user's settings, edited with
tomlkit so that comments, order and layout of config.toml survive every
edit (reading for decisions stays with tomllib, in settings.py)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from envhook.messages import say
from envhook.store import settings
from envhook.store.records import atomic_write


def _toml(value) -> str:
    import tomlkit  # tomlkit: only to write config.toml, comments kept

    return tomlkit.item(value).as_string()


def _parse(key: str, values: list[str]):
    """The command line's words as the setting's TOML value."""
    k = settings.KEYS[key]
    if k.kind == "paths":
        return [os.path.abspath(os.path.expanduser(v)) for v in values]
    if len(values) != 1:
        raise settings.SettingsError(f"`{key}` takes one value ({k.describe()})")
    word = values[0]
    if k.kind == "bool":
        if word.lower() in ("true", "yes", "on", "1"):
            return True
        if word.lower() in ("false", "no", "off", "0"):
            return False
        raise settings.SettingsError(f"`{key}` must be {k.describe()}, not {word!r}")
    if k.kind == "seconds":
        try:
            number = float(word)
        except ValueError:
            raise settings.SettingsError(f"`{key}` must be {k.describe()}, not {word!r}") from None
        return int(number) if number.is_integer() else number
    return word


def _document(path: Path):
    import tomlkit  # tomlkit: only to write config.toml, comments kept

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as e:
        raise settings.SettingsError(f"{path} is not valid TOML: {e}") from None


def _write(path: Path, doc) -> None:
    atomic_write(path, doc.as_string().encode("utf-8"))


def bare(value) -> str:
    """A value as `git config --get` and `mise settings get` print it, for
    scripts: no TOML quotes; a list one item a line (an empty list: nothing)."""
    if isinstance(value, bool):
        return "true\n" if value else "false\n"
    if isinstance(value, list):
        return "".join(f"{v}\n" for v in value)
    return f"{value}\n"


def _warn_unsafe_roots(roots: list[str]) -> None:
    from envhook.decide.trust import unsafe_trusted_root  # only for trusted_roots

    for r in roots:
        why = unsafe_trusted_root(r)
        if why:
            say(f"{r} trusts nothing while {why.removeprefix(r + ' ')}: others could make projects there "
                "that you would trust", error=True)


def run(action: str, key: str | None, values: list[str] | None, as_json: bool = False) -> int:
    path = Path(settings.config_file())
    try:
        if key is not None and key not in settings.KEYS:
            raise settings.SettingsError(f"unknown setting `{key}` (known: {', '.join(settings.KEYS)})")
        if action == "list":
            return _list(path)
        if action == "get":
            value = settings.get(key)
            if as_json:
                sys.stdout.write(json.dumps(value) + "\n")
            else:
                sys.stdout.write(bare(value))
            return 0
        doc = _document(path)
        if action == "set":
            value = settings.check(key, _parse(key, values), str(path))
            doc[key] = value
            _write(path, doc)
            say(f"{key} = {_toml(value)} in {path}")
            if key == "trusted_roots":
                _warn_unsafe_roots(value)
            return 0
        if action == "unset":
            if key not in doc:
                say(f"{key} is not set in {path}; it is {_toml(settings.KEYS[key].default)} (the default)")
                return 0
            del doc[key]
            _write(path, doc)
            say(f"{key} unset in {path}; it is {_toml(settings.KEYS[key].default)} (the default)")
            return 0
    except settings.SettingsError as e:
        say(str(e), error=True)
        return 2
    return 2


def _list(path: Path) -> int:
    try:
        data = settings._load(str(path))
    except settings.SettingsError as e:
        say(str(e), error=True)
        return 2
    bad = 0
    for name, k in settings.KEYS.items():
        if name in data:
            try:
                value = settings.check(name, data[name], str(path))
                where = "set"
            except settings.SettingsError as e:
                say(str(e), error=True)
                bad, value, where = 1, k.default, "bad value; the default is used"
        else:
            value, where = k.default, "default"
        sys.stdout.write(f"{name} = {_toml(value)}  # {where}: {k.help}\n")
    for name in data:
        if name not in settings.KEYS:
            say(f"{path}: unknown setting `{name}` (ignored)", error=True)
            bad = 1
    return bad
