"""`envhook completion SHELL`: print the completion script for a shell.

The scripts are real shell files in shell/completions/ (envhook.bash,
_envhook for zsh, envhook.fish), printed as they are: install.sh copies the
same files to where each shell looks for them.
"""

from __future__ import annotations

import os
import sys

from envhook.prompt.shells import template_dir

# The file for each shell, under shell/completions/. zsh's is named after
# the function it defines, as its fpath autoloading wants.
FILES = {"bash": "envhook.bash", "zsh": "_envhook", "fish": "envhook.fish"}


def script_path(shell_name: str) -> str:
    return os.path.join(template_dir(), "completions", FILES[shell_name])


def completion(shell_name: str) -> int:
    with open(script_path(shell_name), "rb") as f:
        data = f.read()
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0
