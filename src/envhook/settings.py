"""The user's settings: `config.toml` in platformdirs' user config dir
(XDG_CONFIG_HOME honoured), read with tomllib and only when a decision
needs a value, never on a prompt where nothing changed.

A bad file never stops the hook: the error names the file and the key, is
said once, and the default is used.
"""

from __future__ import annotations

import os

from envhook import paths

TINKERED_KEEP, TINKERED_RESET = "keep", "reset"

# key -> (allowed values, default)
_CHOICES = {
    "tinkered": ((TINKERED_KEEP, TINKERED_RESET), TINKERED_KEEP),
}


class SettingsError(Exception):
    pass


def config_file() -> str:
    return os.path.join(paths.config_dir(), "config.toml")


def _load(path: str) -> dict:
    import tomllib

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise SettingsError(f"cannot read {path}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SettingsError(f"{path} is not valid TOML: {e}") from None


def get(key: str) -> str:
    """The value of a choice setting; SettingsError (naming file and key) when
    it is not one of the allowed values. The setting's default if unset."""
    allowed, default = _CHOICES[key]
    path = config_file()
    value = _load(path).get(key, default)
    if value not in allowed:
        choices = " or ".join(f'"{a}"' for a in allowed)
        raise SettingsError(f"{path}: `{key}` must be {choices}, not {value!r}")
    return value
