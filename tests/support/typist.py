"""Keys typed into a real interactive shell to see what completion makes of
them (tests/commands/test_completion.py, and install.sh's completion in
tests/test_install.py)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pexpect

from envhook.cli import completion_spec
from envhook.commands.completion import FILES, script
from support.shell import ShellSession, shell_quote


def _rendered() -> dict[str, Path]:
    """The scripts as `envhook completion SHELL` prints them (each engine with
    its data rendered from the parser), in a directory of their own for this
    test run: zsh finds `_envhook` on $fpath there."""
    d = Path(tempfile.mkdtemp(prefix="envhook-completions-"))
    spec = completion_spec()
    out = {}
    for shell, name in FILES.items():
        out[shell] = d / name
        out[shell].write_text(script(shell, spec), encoding="utf-8")
    return out


SCRIPTS = _rendered()


def q(shell: str, path: Path) -> str:
    return shell_quote(shell, str(path))


# Each shell's rc for a Typist: load the completion, bind ^X^B to a widget that
# writes the command line to line.N, then done.N, and empties the line; zsh also
# records every match completion adds (compadd wrapped) in matches.N.
TYPIST_RC = {
    "bash": r"""
source {script}
__t_n=0
__t_dump() {{
    __t_n=$((__t_n + 1))
    printf '%s' "$READLINE_LINE" >{out}/line.$__t_n
    : >{out}/done.$__t_n
    READLINE_LINE=
    READLINE_POINT=0
}}
bind -x '"\C-x\C-b": __t_dump'
""",
    "zsh": r"""
{load}
__t_n=0
compadd() {{
    if [[ ${{@[1,(i)(-|--)]}} == *-(O|A|D)\ * ]]; then
        builtin compadd "$@"
        return
    fi
    local -a __t_m
    builtin compadd -O __t_m "$@"
    (( $#__t_m )) && print -rl -- $__t_m >>{out}/matches.$((__t_n + 1))
    builtin compadd "$@"
}}
__t_dump() {{
    (( ++__t_n ))
    print -rn -- $BUFFER >{out}/line.$__t_n
    : >{out}/done.$__t_n
    BUFFER=
}}
zle -N __t_dump
bindkey '^X^B' __t_dump
""",
    "fish": r"""
{load}
set -g __t_n 0
function __t_dump
    set -g __t_n (math $__t_n + 1)
    printf '%s' (commandline) >{out}/line.$__t_n
    echo -n >{out}/done.$__t_n
    commandline ''
end
function fish_user_key_bindings
    bind \cx\cb __t_dump
end
""",
}


class Typist:
    """An interactive shell on a pty that completes what is typed: `tab("envhook st")`
    types the text and a TAB and returns the command line after it (and, for
    zsh, the matches completion offered)."""

    def __init__(self, shell: str, home: Path, env: dict[str, str], cwd: Path, out: Path, load: str = "") -> None:
        self.shell, self.out, self.n = shell, out, 0
        out.mkdir(exist_ok=True)
        load = load or {"zsh": f"fpath=({q('zsh', SCRIPTS['zsh'].parent)} $fpath)\nautoload -Uz compinit && compinit -u -D",
                        "fish": f"source {q('fish', SCRIPTS['fish'])}"}.get(shell, "")
        rc = TYPIST_RC[shell].format(script=q("bash", SCRIPTS["bash"]), out=q(shell, out), load=load)
        self.session = ShellSession(shell, home, rc, env, cwd, timeout=30)

    def tab(self, text: str) -> tuple[str, list[str]]:
        self.n += 1
        self.session.send_raw(text + "\t\x18\x02")
        done = self.out / f"done.{self.n}"
        deadline = time.monotonic() + 15
        while not done.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"no completion for {text!r}:\n{self.session.transcript[-2000:]}")
            try:  # read what the shell prints (a list of matches), or it blocks on a full pty
                self.session.child.read_nonblocking(65536, timeout=0.01)
            except pexpect.TIMEOUT:
                pass
        line = (self.out / f"line.{self.n}").read_text()
        matches = self.out / f"matches.{self.n}"
        return line, matches.read_text().split("\n")[:-1] if matches.exists() else []

    def close(self) -> None:
        # The widget left the line empty: exit (bash with a `bind -x` binding
        # takes 2 s to die of the SIGHUP that close() would send).
        self.session.send_raw(" exit\r")
        self.session.close(force=True)
