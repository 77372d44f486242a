"""Every line envhook says to a person goes through here: stderr, one line, prefixed."""

import sys


def say(text: str) -> None:
    try:
        sys.stderr.write(f"envhook: {text}\n")
        sys.stderr.flush()
    except OSError:
        # A closed or full stderr must not turn a message into a traceback at the prompt.
        pass
