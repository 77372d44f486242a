"""Which startup files hold the hook line: shell/rc-files, the table
install.sh reads too, so that doctor looks where install.sh writes."""

from __future__ import annotations

import glob
import os

from envhook.prompt.shells import template_dir


def xdg_home(var: str, default: str) -> str:
    """$XDG_CONFIG_HOME / $XDG_DATA_HOME as the shells and install.sh read
    them: a relative value is ignored, as the XDG spec says."""
    value = os.environ.get(var, "")
    return value if os.path.isabs(value) else os.path.join(os.path.expanduser("~"), default)


def _expand(word: str) -> str:
    home = os.path.expanduser("~")
    # zsh's own ZDOTDIR, as the hook reports it (it may be set in ~/.zshenv,
    # which doctor's environment never saw).
    zdot = os.environ.get("_ENVHOOK_ZDOTDIR") or os.environ.get("ZDOTDIR") or home
    for prefix, base in (("~/", home), ("$ZDOTDIR/", zdot), ("$XDG_CONFIG_HOME/", xdg_home("XDG_CONFIG_HOME", ".config"))):
        if word.startswith(prefix):
            return os.path.join(base, word[len(prefix):])
    return word


def files(shell: str, kind: str) -> list[str]:
    """The table's files for (shell, kind), expanded; a glob lists what it matches, sorted."""
    out: list[str] = []
    with open(os.path.join(template_dir(), "rc-files"), encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words[:2] != [shell, kind]:
                continue
            for w in map(_expand, words[2:]):
                out += sorted(glob.glob(glob.escape(os.path.dirname(w)) + "/" + os.path.basename(w))) if "*" in w else [w]
    return out


def login_file(shell: str = "bash") -> str:
    """The file a login bash reads instead of ~/.bashrc: the first listed that exists, the last when none does."""
    listed = files(shell, "login")
    return next((f for f in listed if os.path.isfile(f)), listed[-1])


def read_first(listed: list[str]) -> list[str]:
    """An rc or block row's files, the one the shell reads first: the first
    that exists, the last when none does (elvish: ~/.elvish/rc.elv, else the XDG one)."""
    chosen = next((f for f in listed if os.path.isfile(f)), listed[-1] if listed else None)
    return [chosen, *(f for f in listed if f != chosen)] if chosen else []


def startup_files(shell: str, login: bool = False) -> list[str]:
    """Where a hook line for `shell` may be; the first is the one this shell
    reads for it (a login bash: its login file), which a fix names."""
    found = [*read_first(files(shell, "rc")), *read_first(files(shell, "block")), *files(shell, "login"),
             *files(shell, "also")]
    if login and files(shell, "login"):
        found.insert(0, login_file(shell))
    return list(dict.fromkeys(found))
