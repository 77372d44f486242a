"""The command line. Only this module knows argparse. Each subcommand is
declared once, in its `_add_*` function, with its handler: the handler names
its command's function as a string and imports it only when the command runs,
so `envhook status` does not pay for doctor or tomlkit."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from envhook import __version__
from envhook.messages import say
from envhook.prompt.shells import NAMES
from envhook.store import settings


class Handler:
    """A subcommand's handler, bound with `set_defaults(func=...)`.

    TARGET is "module:function"; the module is imported only when the command
    runs (pip's lazy command table). CALL(function, namespace) hands that
    function what it takes out of argparse's Namespace: commands are plain
    functions that never see argparse."""

    def __init__(self, target: str, call) -> None:
        self.module, _, self.function = target.partition(":")
        self.call = call

    def load(self):
        # __import__, not importlib.import_module: that one skips the import
        # machinery -X importtime reports from, and the import budget is read there.
        return getattr(__import__(self.module, fromlist=[self.function]), self.function)

    def __call__(self, args: argparse.Namespace) -> int:
        return self.call(self.load(), args)


# What completes an argument, beyond argparse's own `choices` (which are
# completed as words): set on the argparse action as `complete`, read by
# completion_spec(). DIR: directories; FILE: file names; PACKAGE: the active
# env's package names; COMMAND: a command line; SETTING / SETTING_VALUE: a
# key of config.toml and a value for the key typed before it; a tuple: those
# words.
DIR, FILE, PACKAGE, COMMAND, SETTING, SETTING_VALUE = "dir", "file", "package", "command", "setting", "setting-value"


def _completes(action: argparse.Action, kind: str | tuple[str, ...]) -> argparse.Action:
    """Say what completes ACTION's value: a kind above, or the words themselves."""
    action.complete = kind
    return action


def _path_arg(p: argparse.ArgumentParser) -> None:
    _completes(p.add_argument("path", nargs="?", type=Path,
                              help="a directory inside the project (default: the current one)"), DIR)


def _packages_arg(p: argparse.ArgumentParser, what: str) -> None:
    # One positional list: a package name never contains "/" and is never
    # "." or "..", so a path among them (the old `envhook pin DIR`) is told apart.
    _completes(p.add_argument("args", nargs="*", metavar="PACKAGE",
                              help=f"{what}; a directory (with a /) names the project"), PACKAGE)


def _split_packages(args: list[str]) -> tuple[Path | None, list[str]]:
    paths = [a for a in args if os.sep in a or a in (".", "..")]
    return (Path(paths[-1]) if paths else None), [a for a in args if a not in paths]


def _add_hook(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hook", help="print the shell hook: eval \"$(envhook hook bash)\"")
    p.add_argument("shell", nargs="?", choices=NAMES, help="default: detected")
    _completes(p.add_argument("-o", "--output", metavar="FILE",
                              help="write the hook to FILE (replaced whole, never half-written) instead of printing "
                                   "it; nushell, which cannot eval, sources that file"), FILE)
    p.set_defaults(func=Handler("envhook.commands.hook:hook",
                                lambda hook, a: hook(a.shell, a.output, completion_spec())))


def _add_status(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="explain the state of the project's env and what the hook will do")
    _path_arg(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.add_argument("--short", action="store_true", help="print the state alone, one word (for scripts and prompts)")
    p.set_defaults(func=Handler("envhook.commands.status:status", lambda status, a: status(a.path, a.json, a.short)))


def _add_log(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="the history of the project's env: each change, when and by whom")
    _path_arg(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("-n", type=int, metavar="N", dest="count", help="only the newest N generations")
    p.set_defaults(func=Handler("envhook.commands.log:log", lambda log, a: log(a.path, a.json, a.count)))


def _add_undo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("undo", help="put the env back as it was before its latest change (again: undo the undo)")
    _path_arg(p)
    p.set_defaults(func=Handler("envhook.commands.undo:undo", lambda undo, a: undo(a.path)))
    p = sub.add_parser("restore", help="put the env back as generation N of `envhook log` had it")
    p.add_argument("generation", type=int, metavar="N", help="a generation's number (`envhook log`)")
    _path_arg(p)
    p.set_defaults(func=Handler("envhook.commands.undo:restore_to", lambda r, a: r(a.generation, a.path)))


def _pin(pin, a: argparse.Namespace) -> int:
    path, packages = _split_packages(a.args)
    return pin(path, a.note, packages, a.tinkered, a.absent)


def _add_pin(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pin", help="freeze the env as tinkered (never synced), or only some packages in it")
    _packages_arg(p, "packages a sync leaves as they are (default: the whole env)")
    p.add_argument("--tinkered", action="store_true", help="pin the packages that differ from the lock")
    p.add_argument("--absent", action="store_true", help="pin packages that are not installed, to keep them out")
    p.add_argument("--note", help="why it is pinned (shown by status)")
    p.set_defaults(func=Handler("envhook.commands.pin:pin", _pin))


def _add_unpin(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("unpin", help="follow the lock again: the next prompt syncs if needed")
    _packages_arg(p, "packages to release (default: the whole-env pin)")
    p.set_defaults(func=Handler("envhook.commands.pin:unpin", lambda unpin, a: unpin(*_split_packages(a.args))))


def _add_sync(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="sync the env now, even if nothing looks stale")
    _path_arg(p)
    p.add_argument("--force", action="store_true", help="also sync a pinned env (and unpin it)")
    p.add_argument("--reset", action="store_true",
                   help="reset hand-made changes to the lock (what it does anyway unless sync = \"missing\")")
    p.set_defaults(func=Handler("envhook.commands.sync:sync", lambda sync, a: sync(a.path, a.force, a.reset)))


def _add_allow(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("allow", help="trust the project: let envhook sync and activate its env")
    _path_arg(p)
    _completes(p.add_argument("--config", type=Path, metavar="FILE",
                              help="accept another user's tool config file (a parent uv.toml…) or path source's file "
                                   "for this project, as it is now"), FILE)
    p.add_argument("--list", action="store_true",
                   help="list what you trust or denied, and how (allowed, worktree of…, trusted_roots); "
                        "paths that no longer exist are marked")
    p.set_defaults(func=Handler("envhook.commands.trust:allow", lambda allow, a: allow(a.path, a.config, a.list)))


def _add_deny(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deny", help="distrust the project: envhook will not sync or activate it")
    _path_arg(p)
    p.set_defaults(func=Handler("envhook.commands.trust:deny", lambda deny, a: deny(a.path)))


def _add_prune(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prune", help="forget what envhook keeps for projects that no longer exist")
    p.add_argument("--dry-run", action="store_true", help="only say what would be forgotten")
    p.set_defaults(func=Handler("envhook.commands.trust:prune", lambda prune, a: prune(a.dry_run)))


def _add_config(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="read or change your settings (config.toml; comments are kept)")
    act = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    act.add_parser("list", help="every setting, its value and where it comes from")
    q = act.add_parser("get", help="print one setting's bare value (a list: one item a line)")
    _completes(q.add_argument("key"), SETTING)
    q.add_argument("--json", action="store_true", help="print it as JSON instead")
    q = act.add_parser("set", help="set one setting (several values for a list)")
    _completes(q.add_argument("key"), SETTING)
    _completes(q.add_argument("values", nargs="+", metavar="VALUE"), SETTING_VALUE)
    q = act.add_parser("unset", help="remove one setting (back to its default)")
    _completes(q.add_argument("key"), SETTING)
    # One handler for the four actions: config.run takes the action's name.
    p.set_defaults(func=Handler("envhook.commands.config:run", lambda run, a: run(
        a.action, getattr(a, "key", None), getattr(a, "values", None), as_json=getattr(a, "json", False))))


def _add_doctor(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor",
                       help="check that the hook, the tools and envhook's dirs work; say how to fix what does not")
    p.set_defaults(func=Handler("envhook.commands.doctor:doctor", lambda doctor, a: doctor()))


def _add_run_and_exec(sub: argparse._SubParsersAction) -> None:
    for name in ("run", "exec"):
        p = sub.add_parser(name, help="run CMD in the project's env, synced as the hook would (scripts, Makefiles, CI)"
                           if name == "run" else "the same as run")
        _completes(p.add_argument("-C", dest="directory", type=Path, metavar="DIR",
                                  help="the project of DIR, and run CMD there (default: the current directory)"), DIR)
        p.add_argument("--no-sync", action="store_true", help="only activate: create or sync nothing")
        _completes(p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]"), COMMAND)
        p.set_defaults(func=Handler("envhook.commands.run:run", lambda run, a: run(a.cmd, a.directory, a.no_sync)))


def _env(env, a: argparse.Namespace) -> int:
    return env(a.path, "shell" if a.shell else a.format, a.shell, a.no_sync)


def _add_env(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("env", help="print what activating the project's env changes, for other tools")
    _completes(p.add_argument("path", nargs="?", type=Path, metavar="DIR"), DIR)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--json", action="store_const", dest="format", const="json",
                     help='{"set", "unset", "path_prepend", "state"}')
    # Not choices=: a wrong shell is get_shell's message, the same as for `envhook hook`.
    _completes(how.add_argument("--shell", metavar="SHELL", help=f"shell code to eval ({', '.join(NAMES)})"), NAMES)
    how.add_argument("--github-actions", action="store_const", dest="format", const="github-actions",
                     help="append to $GITHUB_ENV and $GITHUB_PATH")
    p.add_argument("--no-sync", action="store_true", help="only look: create or sync nothing")
    p.set_defaults(func=Handler("envhook.commands.run:env", _env))


def _add_use(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("use", help="choose the project's dependency groups, extras and workspace packages "
                                   "(uv's options; kept in envhook's state, not the repository)")
    _path_arg(p)
    for flag, help_text in (("--group", "also install this dependency group"),
                            ("--no-group", "leave this dependency group out (a default one too)"),
                            ("--only-group", "install only this group, not the project's own dependencies"),
                            ("--extra", "also install this extra")):
        p.add_argument(flag, action="append", default=[], metavar="NAME", help=help_text)
    p.add_argument("--no-default-groups", action="store_true", help="leave out the groups the tool installs unasked")
    p.add_argument("--all-extras", action="store_true", help="install every extra")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--package", action="append", default=[], metavar="NAME",
                       help="sync this workspace member (instead of the root)")
    which.add_argument("--all-packages", action="store_true", help="sync every workspace member")
    p.add_argument("--reset", action="store_true", help="forget your choices here (the repository's stay)")
    p.set_defaults(func=Handler("envhook.commands.use:use", _use))


def _use(use, a: argparse.Namespace) -> int:
    asked = {key: getattr(a, key.replace("-", "_")) for key in ("group", "no-group", "only-group", "extra")}
    asked = {k: v for k, v in asked.items() if v}
    for key in ("no-default-groups", "all-extras"):
        if getattr(a, key.replace("-", "_")):
            asked[key] = True
    if a.all_packages or a.package:
        asked["packages"] = True if a.all_packages else a.package
    return use(a.path, asked, a.reset)


def _add_completion(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("completion", help="print the completion script for a shell")
    p.add_argument("shell", choices=["bash", "zsh", "fish"])
    p.set_defaults(func=Handler("envhook.commands.completion:completion",
                                lambda completion, a: completion(a.shell, completion_spec())))


# The subcommands, in the order help and the completions list them.
_COMMANDS = (_add_hook, _add_status, _add_log, _add_undo, _add_pin, _add_unpin, _add_use, _add_sync, _add_allow,
             _add_deny, _add_prune, _add_config, _add_doctor, _add_run_and_exec, _add_env, _add_completion)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="envhook",
        description="Your project's Python env follows you around the shell: activated on cd, "
        "synced only when its inputs change, never reset while you tinker.",
    )
    parser.add_argument("--version", action="version", version=f"envhook {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="say only what went wrong (as ENVHOOK_QUIET=1; the hook reads that variable)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return parser


def completion_spec(parser: argparse.ArgumentParser | None = None) -> dict:
    """What completes envhook's command line, read from the parser, as plain
    data that every shell's completion is rendered from (commands/completion.py,
    the hooks' completers): a subcommand or an option added to the parser is
    completed everywhere with no other edit.

    {"levels": {LEVEL: {"commands": [[name, help]...], "options": [OPTION...],
                        "args": [{"name", "value"}...], "many": bool}},
     "settings": [[key, value, help]...]}
    LEVEL is the subcommands typed so far ("", "config", "config set"). An
    OPTION is {"names", "takes" (a value), "value", "help", "excludes" (the
    options it cannot go with; "*" for --help and --version: anything),
    "name" (of its value)}. A
    value is None (not completed), a kind (DIR…) or a list of words; "many":
    the last positional takes more than one word. Lists, not maps, where the
    order is shown: elvish's maps keep none."""
    levels: dict = {}
    _level(parser or build_parser(), "", levels)
    return {"levels": levels, "settings": [[k.name, _setting_value(k), k.help] for k in settings.KEYS.values()]}


def _level(p: argparse.ArgumentParser, name: str, levels: dict) -> None:
    level = levels[name] = {"commands": [], "options": [], "args": [], "many": False}
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            helps = {c.dest: c.help or "" for c in a._choices_actions}
            for sub_name, sub in a.choices.items():
                level["commands"].append([sub_name, helps.get(sub_name, "")])
                _level(sub, f"{name} {sub_name}".strip(), levels)
        elif a.option_strings:
            takes = a.nargs != 0  # store_true, store_const, help, version: no value
            level["options"].append({"names": list(a.option_strings), "takes": takes,
                                     "value": _value(a) if takes else None, "help": a.help or "",
                                     "excludes": _excludes(p, a), "name": (a.metavar or a.dest).lower()})
        else:
            level["args"].append({"name": a.metavar or a.dest, "value": _value(a)})
            level["many"] = a.nargs in ("*", "+", argparse.REMAINDER)


def _excludes(p: argparse.ArgumentParser, a: argparse.Action) -> list[str]:
    if isinstance(a, (argparse._HelpAction, argparse._VersionAction)):
        return ["*"]  # argparse prints and exits: nothing else matters
    return [o for g in p._mutually_exclusive_groups if a in g._group_actions
            for other in g._group_actions if other is not a for o in other.option_strings]


def _value(a: argparse.Action):
    kind = getattr(a, "complete", None)
    if kind is None and a.choices:
        kind = tuple(a.choices)
    return list(kind) if isinstance(kind, tuple) else kind


def _setting_value(key: settings.Key):
    """What completes a value of a setting in `envhook config set KEY VALUE`."""
    if key.kind == "bool":
        return ["true", "false"]
    if key.kind == "choice":
        return list(key.choices)
    return DIR if key.kind == "paths" else None


def main(argv: list[str]) -> int:
    if argv[:1] == ["__complete"]:
        # The in-hook completers' question (nushell, elvish, xonsh), at Tab: not
        # a command of the parser, which would then complete it.
        from envhook.commands.completion import answer

        sys.stdout.write(answer(completion_spec(), argv[1:], os.environ.get("VIRTUAL_ENV")))
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quiet:
        os.environ["ENVHOOK_QUIET"] = "1"
    try:
        return run(parser, args)
    except OSError as e:
        # A state dir that cannot be written (read-only, full, under a file)
        # gets one line naming the path, not a traceback.
        where = f" ({e.filename})" if e.filename else ""
        say(f"{e.strerror or e}{where}", error=True)
        return 1
    except KeyboardInterrupt:
        return 130


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    handler = getattr(args, "func", None)  # set by the subcommand's parser; none without a command
    if handler is None:
        parser.print_help()
        return 2
    return handler(args)
