"""What the hook's Python side prints: the state the shell keeps for the
project it is in. The shell's `_envhook_adopt` files it under the project
(so a later visit can switch back without Python) and applies `_envhook_act`."""

from __future__ import annotations

import sys

from envhook.shells.base import Shell


def write(text: str) -> int:
    """Hand the shell its code; a closed pipe (the user hit Ctrl-C) is not an error worth a traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError:
        return 1
    return 0


def remember(
    sh: Shell,
    *,
    root: str,
    cwd: str,
    known: list[str],
    watch: list[str],
    absent: list[str],
    present: list[str],
    stamp: str,
    act: list[str],
    told: str | None,
) -> str:
    lines = [
        sh.assign("_envhook_root", root),
        sh.assign("_envhook_pwd", cwd),
        sh.assign_list("_envhook_known", known),
        sh.assign_list("_envhook_watch", watch),
        sh.assign_list("_envhook_absent", absent),
        sh.assign_list("_envhook_present", present),
        sh.assign("_envhook_stamp", stamp),
        sh.assign_list("_envhook_act", act),
    ]
    if told is not None:
        lines.append(sh.assign("_envhook_told", told))
    lines.append("_envhook_adopt")
    return sh.script(lines)


def leave(sh: Shell, told: str | None) -> str:
    lines = ["_envhook_leave"]
    if told is not None:
        lines.append(sh.assign("_envhook_told", told))
    return sh.script(lines)
