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
from envhook.prompt.shells.fish import fish_quote
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
    head, mark, tail = engine.partition(MARK)
    if not mark:
        raise ValueError(f"{script_path(shell_name)} has no {MARK.strip()} line")
    return head + RENDER[shell_name](spec) + tail


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
    options = [([q(name)], " ".join(o for opt in lv["options"] for o in _offered(opt["names"])))
               for name, lv in levels.items()]
    values = [([q(f"{name} {o}") for o in opt["names"]], _bash_value(opt["value"]))
              for name, lv in levels.items() for opt in lv["options"] if opt["takes"]]
    args = []
    for name, lv in levels.items():
        last = len(lv["args"]) - 1
        for i, arg in enumerate(lv["args"]):
            pattern = q(f"{name} ") + ("*" if lv["many"] and i == last else q(str(i)))
            args.append(([pattern], _bash_value(arg["value"])))
    settings = [([q(key)], _bash_value(value)) for key, value, _ in spec["settings"]]
    return "".join([
        "# Generated from envhook's parser (cli.completion_spec): what each level of\n"
        "# subcommands (\"\", \"config\", \"config set\") takes.\n\n",
        _bash_case("_envhook_commands", "The subcommands at level $1.", commands),
        _bash_case("_envhook_options", "The options at level $1.", options),
        _bash_case("_envhook_option_value", "What completes the value of option $1 (\"LEVEL OPTION\"); "
                   "empty: it takes none.", values),
        _bash_case("_envhook_arg", "What completes positional $1 (\"LEVEL INDEX\", from 0).", args, "-"),
        _bash_case("_envhook_setting", "What completes a value of setting $1.", settings, "-"),
        _bash_case("_envhook_settings", "The settings.", [(["*"], " ".join(key for key, _, _ in spec["settings"]))]),
    ])


# -- fish ------------------------------------------------------------------------------------
# `complete` lines, each under a condition of the engine (__envhook_in LEVEL:
# its options; __envhook_at LEVEL N: its Nth positional, N+ for N and after),
# and the three functions the engine's walk asks.

_FISH_DIRS = "(__fish_complete_directories)"


def _fish_switch(function: str, doc: str, on: str, arms: list[tuple[list[str], str]]) -> str:
    lines = [f"# {doc}", f"function {function}", f"    switch {on}"]
    for patterns, body in arms:
        lines += [f"        case {' '.join(patterns)}", f"            {body}"]
    return "\n".join([*lines, "    end", "end", ""]) + "\n"


def _fish_echo(value) -> str:
    """What the engine reads of a value: words are "=" and the words."""
    return "echo " + fish_quote(_bash_value(value))


def _fish_value_args(value, *, option: bool, name: str = "") -> list[str]:
    """`complete`'s arguments that complete VALUE (an option's: -x/-r say it
    takes one). Words are described by NAME (complete reads `word\\tname`):
    else fish would show the option's help beside each."""
    if isinstance(value, list):
        described = " ".join(f"{w}\\t{name}" if name else w for w in value)
        return (["-x"] if option else []) + ["-a", fish_quote(described)]
    if value == "dir":
        return (["-x"] if option else []) + ["-a", fish_quote(_FISH_DIRS)]
    if value == "file":
        return (["-r"] if option else []) + ["-F"]
    if value == "command":
        return ["-a", fish_quote("(__envhook_command)")]
    if value == "setting-value":
        return ["-a", fish_quote("(__envhook_setting_value)")]
    return ["-x"] if option else []


def _fish_complete(condition: str, args: list[str], help: str = "") -> str:
    described = ["-d", fish_quote(help)] if help else []
    return " ".join(["complete -c envhook -n", fish_quote(condition), *args, *described])


def _fish_positional(level: str, at: str, value, name: str, settings: list) -> list[str]:
    cond = f"__envhook_at {fish_quote(level)} {at}"
    if value == "package":  # a directory (with a /) names the project
        return [_fish_complete(cond + '; and not string match -q -- "*/*" (commandline -ct)',
                               ["-a", fish_quote("(__envhook_packages)")], "package"),
                _fish_complete(cond + '; and string match -q -- "*/*" (commandline -ct)',
                               ["-a", fish_quote(_FISH_DIRS)])]
    if value == "setting":
        return [_fish_complete(cond, ["-a", fish_quote(key)], help) for key, _, help in settings]
    if value is None:
        return []
    return [_fish_complete(cond, _fish_value_args(value, option=False, name=name))]


def _fish_option(level: str, opt: dict) -> str:
    flags = [f"-l {fish_quote(n[2:])}" if n.startswith("--") else f"-s {fish_quote(n[1:])}" for n in opt["names"]]
    value = _fish_value_args(opt["value"], option=True, name=opt["name"]) if opt["takes"] else []
    return _fish_complete(f"__envhook_in {fish_quote(level)}", [*flags, *value], opt["help"])


def _fish(spec: dict) -> str:
    levels, settings = spec["levels"], spec["settings"]
    q = fish_quote
    out = ["# Generated from envhook's parser (cli.completion_spec).\n\n",
           _fish_switch("__envhook_commands", "The subcommands at level $argv[1].", "$argv[1]",
                        [([q(name)], "echo " + q(" ".join(c for c, _ in lv["commands"])))
                         for name, lv in levels.items() if lv["commands"]]),
           _fish_switch("__envhook_option_value", "What completes option $argv[2]'s value at level $argv[1]; "
                        "nothing: it takes none.", '"$argv[1] $argv[2]"',
                        [([q(f"{name} {o}") for o in opt["names"]], _fish_echo(opt["value"]))
                         for name, lv in levels.items() for opt in lv["options"] if opt["takes"]]),
           _fish_switch("__envhook_arg", "What completes positional $argv[2] (from 0) of level $argv[1].",
                        '"$argv[1] $argv[2]"',
                        # Quoted, a case's * still matches (unquoted, fish would glob files first).
                        [([q(f"{name} " + ("*" if lv["many"] and i == len(lv["args"]) - 1 else str(i)))],
                          _fish_echo(arg["value"])) for name, lv in levels.items() for i, arg in enumerate(lv["args"])]),
           _fish_switch("__envhook_setting_value", "The values of the setting named before the cursor.",
                        "(__envhook_walk)[5]",
                        [([q(key)], f"printf '%s\\n' {' '.join(q(v) for v in value)}" if isinstance(value, list)
                          else "__fish_complete_directories (commandline -ct)")
                         for key, value, _ in settings if value is not None])]
    lines = []
    for name, lv in levels.items():
        lines += [_fish_complete(f"__envhook_at {q(name)} 0", ["-a", q(c)], help) for c, help in lv["commands"]]
        lines += [_fish_option(name, option) for option in lv["options"]]
        last = len(lv["args"]) - 1
        for i, arg in enumerate(lv["args"]):
            lines += _fish_positional(name, f"{i}+" if lv["many"] and i == last else str(i), arg["value"],
                                      arg["name"].lower(), settings)
    return "".join(out) + "\n".join(lines) + "\n"


# -- zsh -------------------------------------------------------------------------------------
# _arguments specs for each level, read by the engine's _envhook_level, and
# the settings' keys and values; every element quoted by posix_quote (zsh
# reads $'…' as bash does).

_ZSH_ACTIONS = {"dir": "_directories", "file": "_files", "package": "_envhook_package_or_dir",
                "command": "_normal", "setting": "_envhook_settings", "setting-value": "_envhook_setting_value"}


def _zsh_escape(text: str) -> str:
    """Text inside an _arguments spec's [description] or :message:."""
    return "".join("\\" + c if c in "\\[]:" else c for c in text)


def _zsh_action(value) -> str:
    if isinstance(value, list):
        return "(" + " ".join(value) + ")"
    return _ZSH_ACTIONS.get(value, " ")  # " ": a message alone, nothing to complete


def _zsh_option(opt: dict) -> list[str]:
    names, excludes = opt["names"], opt["excludes"]
    excl = "(- *)" if "*" in excludes else "(" + " ".join([*names, *excludes]) + ")" if len(names) > 1 or excludes else ""
    value = f":{_zsh_escape(opt['names'][-1].lstrip('-'))}:{_zsh_action(opt['value'])}" if opt["takes"] else ""
    return [excl + (f"{n}=" if opt["takes"] and n.startswith("--") else n) + f"[{_zsh_escape(opt['help'])}]" + value
            for n in names]


def _zsh_positionals(lv: dict) -> list[str]:
    out = []
    last = len(lv["args"]) - 1
    for i, arg in enumerate(lv["args"]):
        value, name = arg["value"], _zsh_escape(arg["name"])
        if value == "command":  # the rest of the line is a command of its own, as after sudo
            out.append(f"*::{name}:_normal")
        else:
            out.append(f"{'*' if lv['many'] and i == last else i + 1}:{name}:{_zsh_action(value)}")
    return out


def _zsh(spec: dict) -> str:
    q = posix_quote
    lines = ["# Generated from envhook's parser (cli.completion_spec).", "",
             "# The _arguments specs and subcommands at level $1 (and whether its rest is a command line).",
             "_envhook_specs() {", "    case $1 in"]
    for name, lv in spec["levels"].items():
        specs = [s for opt in lv["options"] for s in _zsh_option(opt)] + _zsh_positionals(lv)
        lines.append(f"        {q(name)})")
        lines.append("            specs=(" + " ".join(q(s) for s in specs) + ")")
        if lv["commands"]:
            lines.append("            subcommands=(" + " ".join(q(f"{c}:{h}") for c, h in lv["commands"]) + ")")
        if any(arg["value"] == "command" for arg in lv["args"]):
            lines.append("            command_line=1")
        lines.append("            ;;")
    lines += ["    esac", "}", "", "# The settings, described.", "_envhook_settings() {", "    local -a keys",
              "    keys=(" + " ".join(q(f"{k}:{h}") for k, _, h in spec["settings"]) + ")",
              "    _describe -t keys setting keys", "}", "", "# What completes a value of setting $1.",
              "_envhook_setting() {", "    case $1 in"]
    for key, value, _ in spec["settings"]:
        if isinstance(value, list):
            body = "_values value " + " ".join(q(v) for v in value)
        else:
            body = _ZSH_ACTIONS.get(value, "_message value")
        lines.append(f"        {q(key)}) {body} ;;")
    lines += ["        *) return 1 ;;", "    esac", "}", ""]
    return "\n".join(lines) + "\n"


RENDER = {"bash": _bash, "fish": _fish, "zsh": _zsh}


# -- the in-hook completers' walk ----------------------------------------------------------------
# nushell, elvish and xonsh complete envhook's command line by asking this, at
# Tab, through `envhook __complete WORD…` (cli.main): the walk of the typed
# words is written once, here, and a subcommand or option added to the parser
# is completed there with no other edit. (bash, zsh and fish keep engines of
# their own, above: their completion runs no program.)


def answer(spec: dict, words: list[str], venv: str | None) -> str:
    """What completes the last of WORDS (the words after `envhook`, the last
    being completed), as the first line says: `words` and the candidates
    that start with it, `WORD<TAB>HELP` a line; `dir` or `file` (the shell's
    own file completion, directories only for dir); `command N` (a command
    line that starts at word N: the shell's own command completion); or
    nothing. A positional the parser says nothing of is the shell's own
    (`file`); an option's free value gets no words. VENV: the active env,
    whose packages complete a package (a path typed, or no env: the shell's)."""
    levels, settings = spec["levels"], {key: (value, help) for key, value, help in spec["settings"]}
    *before, cur = words or [""]
    level, n, setting = "", 0, ""

    def arg(k: int):
        """What completes positional K at the level: a value, or False (it takes no such word)."""
        args = levels[level]["args"]
        if k < len(args):
            return args[k]["value"]
        return args[-1]["value"] if args and levels[level]["many"] else False

    def by_kind(kind, named: str = "") -> str:
        if isinstance(kind, list):
            return offer([(w, named) for w in kind])
        if kind is None:
            return "file\n"  # free text: what the shell completes for any command
        if kind == "package" and venv and "/" not in cur and not cur.startswith("."):
            return offer([(p, "package") for p in _packages(venv)])
        if kind == "package":
            return "dir\n" if venv else "file\n"
        if kind == "setting":
            return offer([(key, help) for key, (_, help) in settings.items()])
        if kind == "setting-value" and setting in settings:
            return by_kind(settings[setting][0], setting)
        return {"dir": "dir\n", "file": "file\n"}.get(kind, "\n")  # False: nothing

    def offer(candidates: list[tuple[str, str]]) -> str:
        return "words\n" + "".join(f"{w}\t{h}\n" for w, h in candidates if w.startswith(cur))

    i = 0
    while i < len(before):
        w = before[i]
        i += 1
        if w == "--":
            if arg(n) == "command":
                return f"command {i}\n"
        elif w.startswith("-"):
            o = next((o for o in levels[level]["options"] if w in o["names"]), None)
            if o and o["takes"]:
                if i == len(before):  # the word being completed is this option's value
                    return by_kind(o["value"], o["name"]) if o["value"] is not None else "words\n"
                i += 1
        elif levels[level]["commands"] and n == 0:
            level = f"{level} {w}".strip()
            if level not in levels:
                return "\n"
        else:
            if arg(n) == "command":
                return f"command {i - 1}\n"
            if arg(n) == "setting":
                setting = w
            n += 1
    lv = levels[level]
    if cur.startswith("-"):
        return offer([(name, o["help"]) for o in lv["options"] for name in _offered(o["names"])])
    if lv["commands"] and n == 0:
        return offer([(c, help) for c, help in lv["commands"]])
    if arg(n) == "command":
        return f"command {len(before)}\n"
    return by_kind(arg(n), (lv["args"][min(n, len(lv["args"]) - 1)]["name"].lower() if lv["args"] else ""))


def _packages(venv: str) -> list[str]:
    """The canonical names of the packages installed in VENV."""
    import glob
    import re

    found = {re.sub(r"[-_.]+", "-", os.path.basename(f).partition("-")[0].removesuffix(".dist-info")).lower()
             for f in glob.glob(os.path.join(glob.escape(venv), "lib", "*", "site-packages", "*.dist-info"))}
    return sorted(found)
