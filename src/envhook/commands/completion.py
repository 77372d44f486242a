"""`envhook completion SHELL`: print the completion script for a shell.

Each script is an engine written once per shell (shell/completions/: envhook.bash,
_envhook for zsh, envhook.fish) and the data it reads, rendered here from the
parser (cli.completion_spec) where the engine says `# @generated@`: a
subcommand or option added to the parser is completed with no other edit.
install.sh writes what this prints to where each shell looks for it.
"""

from __future__ import annotations

import os
import sys

from envhook.prompt.shells import template_dir
from envhook.prompt.shells.posix import posix_quote

# The file for each shell, under shell/completions/. zsh's is named after
# the function it defines, as its fpath autoloading wants.
FILES = {"bash": "envhook.bash", "zsh": "_envhook", "fish": "envhook.fish"}
MARK = "# @generated@\n"


def script_path(shell_name: str) -> str:
    return os.path.join(template_dir(), "completions", FILES[shell_name])


def completion(shell_name: str, spec: dict) -> int:
    sys.stdout.flush()
    sys.stdout.buffer.write(script(shell_name, spec).encode())
    sys.stdout.buffer.flush()
    return 0


def script(shell_name: str, spec: dict) -> str:
    with open(script_path(shell_name), encoding="utf-8") as f:
        engine = f.read()
    render = RENDER.get(shell_name)
    if render is None:  # this shell's script has no generated part yet
        return engine
    head, mark, tail = engine.partition(MARK)
    if not mark:
        raise ValueError(f"{script_path(shell_name)} has no {MARK.strip()} line")
    return head + render(spec) + tail


# -- bash ------------------------------------------------------------------------------------
# A value, as the bash engine reads it from REPLY: "" nothing, a kind (dir,
# file, package, command, setting, setting-value), or "=WORD WORD…" (words).


def _offered(names: list[str]) -> list[str]:
    """The names of an option a list offers: its long ones (-h is --help
    too), else its short ones (-C)."""
    return [n for n in names if n.startswith("--")] or names


def _bash_value(value) -> str:
    if value is None:
        return "-"
    return "=" + " ".join(value) if isinstance(value, list) else value


def _bash_case(function: str, doc: str, arms: list[tuple[list[str], str]], default: str = "") -> str:
    """A bash function setting REPLY by a `case` on "$1": one arm per
    (patterns, value); every pattern and value quoted by posix_quote."""
    lines = [f"# {doc}", f"{function}() {{", f"    REPLY={posix_quote(default)}", "    case $1 in"]
    for patterns, value in arms:
        lines.append(f"        {' | '.join(patterns)}) REPLY={posix_quote(value)} ;;")
    lines += ["    esac", "}", ""]
    return "\n".join(lines)


def _bash(spec: dict) -> str:
    levels = spec["levels"]
    q = posix_quote
    commands = [([q(name)], " ".join(c for c, _ in lv["commands"])) for name, lv in levels.items() if lv["commands"]]
    options = [([q(name)], " ".join(o for names, *_ in lv["options"] for o in _offered(names)))
               for name, lv in levels.items()]
    values = [([q(f"{name} {o}") for o in names], _bash_value(value))
              for name, lv in levels.items() for names, value, takes, _ in lv["options"] if takes]
    args = []
    for name, lv in levels.items():
        last = len(lv["args"]) - 1
        for i, value in enumerate(lv["args"]):
            pattern = q(f"{name} ") + ("*" if lv["many"] and i == last else q(str(i)))
            args.append(([pattern], _bash_value(value)))
    settings = [([q(key)], _bash_value(value)) for key, value in spec["settings"].items()]
    return "".join([
        "# Generated from envhook's parser (cli.completion_spec): what each level of\n"
        "# subcommands (\"\", \"config\", \"config set\") takes.\n\n",
        _bash_case("_envhook_commands", "The subcommands at level $1.", commands),
        _bash_case("_envhook_options", "The options at level $1.", options),
        _bash_case("_envhook_option_value", "What completes the value of option $1 (\"LEVEL OPTION\"); "
                   "empty: it takes none.", values),
        _bash_case("_envhook_arg", "What completes positional $1 (\"LEVEL INDEX\", from 0).", args, "-"),
        _bash_case("_envhook_setting", "What completes a value of setting $1.", settings, "-"),
        _bash_case("_envhook_settings", "The settings.", [(["*"], " ".join(spec["settings"]))]),
    ])


RENDER = {"bash": _bash}
