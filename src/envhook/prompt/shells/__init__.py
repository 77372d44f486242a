"""One module per shell family: how to quote a value, and how to say
"assign", "assign a list" and "call a hook function" in that shell.

The hook itself lives in shell/ as real shell code (envhook.sh for bash and
zsh, envhook.fish, envhook.xsh, envhook.tcsh); Python only fills its __PLACEHOLDERS__ with values quoted
by the family's one quote function.
Imports stay lazy: the hook's entry loads only the family it prints for.
"""

from __future__ import annotations

import os

NAMES = ("bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh")


def get_shell(name: str):
    if name == "bash":
        from envhook.prompt.shells.posix import Bash  # the entry loads only its own shell's family

        return Bash()
    if name == "zsh":
        from envhook.prompt.shells.posix import Zsh  # the entry loads only its own shell's family

        return Zsh()
    if name == "fish":
        from envhook.prompt.shells.fish import Fish  # the entry loads only its own shell's family

        return Fish()
    if name == "xonsh":
        from envhook.prompt.shells.xonsh import Xonsh  # the entry loads only its own shell's family

        return Xonsh()
    if name in ("nu", "nushell"):
        from envhook.prompt.shells.nu import Nu  # the entry loads only its own shell's family

        return Nu()
    if name == "elvish":
        from envhook.prompt.shells.elvish import Elvish  # the entry loads only its own shell's family

        return Elvish()
    if name == "tcsh":
        from envhook.prompt.shells.tcsh import Tcsh  # the entry loads only its own shell's family

        return Tcsh()
    raise ValueError(f"unsupported shell {name!r} (supported: {', '.join(NAMES)})")


def template_dir() -> str:
    # Installed wheels carry the hook files inside the package (envhook/shell);
    # a source checkout keeps them at the top level, where they are edited.
    pkg = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # envhook/prompt/shells/
    packaged = os.path.join(pkg, "shell")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(pkg)), "shell")
