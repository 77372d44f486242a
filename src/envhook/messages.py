"""Every line envhook says to a person goes through here: stderr, one line,
prefixed; coloured only on a terminal and never with NO_COLOR
(https://no-color.org); informational lines dropped with ENVHOOK_QUIET (or
`--quiet`), errors never."""

import os
import sys

# Paths and project names come from the filesystem and from repositories: a
# newline would break the one line, and an escape sequence (OSC 52 sets the
# clipboard) must never reach the terminal from a repo nobody has trusted.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_OFF = ("", "0", "false", "no", "off")


def quiet() -> bool:
    return os.environ.get("ENVHOOK_QUIET", "").strip().lower() not in _OFF


def colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def paint(text: str, code: str, stream) -> str:
    """`text` in SGR `code` ("1;31": bold red) when `stream` takes colour."""
    return f"\x1b[{code}m{text}\x1b[0m" if colour(stream) else text


def say(text: str, *, error: bool = False) -> None:
    """One line on stderr. `error`: something is wrong or was not done,
    said even when quiet."""
    if not error and quiet():
        return
    try:
        prefix = paint("envhook:", "1;31" if error else "36", sys.stderr)
        sys.stderr.write(f"{prefix} {text.translate(_CONTROLS)}\n")
        sys.stderr.flush()
    except (OSError, UnicodeError):
        # A closed or full stderr must not turn a message into a traceback at the prompt.
        pass
