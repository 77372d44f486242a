"""One module per shell family: how to quote a value, and how to say
"assign", "assign a list" and "call a hook function" in that shell.

The hook itself lives in shell/envhook.<name> as real shell code; Python only
fills its __PLACEHOLDERS__ with values quoted by the family's one quote function.
"""

from __future__ import annotations

from pathlib import Path

from envhook.shells.base import Shell
from envhook.shells.fish import Fish
from envhook.shells.posix import Bash, Zsh

SHELLS: dict[str, Shell] = {"bash": Bash(), "zsh": Zsh(), "fish": Fish()}


def get_shell(name: str) -> Shell:
    try:
        return SHELLS[name]
    except KeyError:
        raise ValueError(f"unsupported shell {name!r} (supported: {', '.join(SHELLS)})") from None


def template_dir() -> Path:
    # Installed wheels carry the hook files inside the package (envhook/shell);
    # a source checkout keeps them at the top level, where they are edited.
    here = Path(__file__).resolve().parent.parent
    packaged = here / "shell"
    return packaged if packaged.is_dir() else here.parent.parent / "shell"
