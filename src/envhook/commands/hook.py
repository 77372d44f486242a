"""`envhook hook [SHELL]`: print the hook for the user's rc file."""

from __future__ import annotations

import secrets
import sys

from envhook.messages import say


def detect_shell() -> str | None:
    try:
        import shellingham

        name, _ = shellingham.detect_shell()
    except Exception:  # noqa: BLE001 — shellingham raises its own errors when it cannot tell
        return None
    return name


def hook(shell_name: str | None) -> int:
    from envhook.shells import get_shell, template_dir
    from envhook.state import prune_stamps

    name = shell_name or detect_shell()
    if name is None:
        say("cannot tell which shell this is; say it: `envhook hook bash|zsh|fish`")
        return 2
    try:
        sh = get_shell(name)
    except ValueError as e:
        say(str(e))
        return 2
    text = (template_dir() / sh.template).read_text(encoding="utf-8")
    sys.stdout.write(
        sh.render(
            text,
            {
                # The interpreter envhook runs in, by absolute path: the hook
                # must not depend on PATH (or pay for a pyenv shim).
                "ENVHOOK_PYTHON": sys.executable,
                "ENVHOOK_SESSION": secrets.token_hex(8),
            },
        )
    )
    prune_stamps()
    return 0
