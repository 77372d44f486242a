"""One module per shell family: how to quote a value, and how to say
"assign", "assign a list" and "call a hook function" in that shell.

The hook itself lives in shell/ as real shell code (envhook.sh for bash and
zsh, with bash.sh and zsh.sh; envhook.fish, envhook.xsh, …); Python fills its
__PLACEHOLDERS__ with values quoted by the family's one quote function, and
renders what activating a project changes into the hook's primitives
(Shell.activation).
Imports stay lazy: the hook's entry loads only the family it prints for.
"""

from __future__ import annotations

import os

NAMES = ("bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh")


# name -> (module, class). The entry imports only the family it prints for.
_FAMILIES = {
    "bash": ("posix", "Bash"), "zsh": ("posix", "Zsh"), "fish": ("fish", "Fish"), "xonsh": ("xonsh", "Xonsh"),
    "nu": ("nu", "Nu"), "nushell": ("nu", "Nu"), "elvish": ("elvish", "Elvish"), "tcsh": ("tcsh", "Tcsh"),
}


def get_shell(name: str):
    family = _FAMILIES.get(name)
    if family is None:
        raise ValueError(f"unsupported shell {name!r} (supported: {', '.join(NAMES)})")
    # __import__, not importlib: importing importlib (and warnings) costs the
    # prompt a millisecond; the builtin is free.
    module = __import__(f"envhook.prompt.shells.{family[0]}", fromlist=[family[1]])
    return getattr(module, family[1])()


def template_dir() -> str:
    # Installed wheels carry the hook files inside the package (envhook/shell);
    # a source checkout keeps them at the top level, where they are edited.
    pkg = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # envhook/prompt/shells/
    packaged = os.path.join(pkg, "shell")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(pkg)), "shell")
