"""Every line envhook says to a person goes through here: stderr, one line,
prefixed; coloured only on a terminal and never with NO_COLOR or TERM=dumb
(https://no-color.org); informational lines dropped with ENVHOOK_QUIET (or
`--quiet`), errors never."""

import os
import sys

# Paths and project names come from the filesystem and from repositories: a
# newline would break the one line, an escape sequence (OSC 0 sets the title,
# OSC 52 the clipboard, CSI 2J clears the screen) must never reach the
# terminal from a repo nobody has trusted, and neither may the characters
# that reorder or hide text (bidi controls such as U+202E, zero-width ones)
# or break lines (U+2028, U+2029).
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update({c: f"\\u{c:04x}" for c in (0x061C, 0x180E, *range(0x200B, 0x2010), 0x2028, 0x2029,
                                              *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF)})


def clean(text: str) -> str:
    """`text` safe to show on a terminal: what it holds is seen, never obeyed."""
    return text.translate(_CONTROLS)


_OFF = ("", "0", "false", "no", "off")


def quiet() -> bool:
    return os.environ.get("ENVHOOK_QUIET", "").strip().lower() not in _OFF


def colour(stream) -> bool:
    # TERM=dumb: a terminal that draws escape sequences as text (Emacs' shell, some CI logs).
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
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
        sys.stderr.write(f"{prefix} {clean(text)}\n")
        sys.stderr.flush()
    except (OSError, UnicodeError):
        # A closed or full stderr must not turn a message into a traceback at the prompt.
        pass


def tilde(path) -> str:
    """A path as a person writes it: ~ for the home directory."""
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home):] if home not in ("", "/") and (text == home or text.startswith(home + "/")) else text
