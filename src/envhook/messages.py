"""Every line envhook says to a person goes through here: stderr, one line, prefixed."""

import sys

# Paths and project names come from the filesystem and from repositories: a
# newline would break the one line, and an escape sequence (OSC 52 sets the
# clipboard) must never reach the terminal from a repo nobody has trusted.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}


def say(text: str) -> None:
    try:
        sys.stderr.write(f"envhook: {text.translate(_CONTROLS)}\n")
        sys.stderr.flush()
    except (OSError, UnicodeError):
        # A closed or full stderr must not turn a message into a traceback at the prompt.
        pass
