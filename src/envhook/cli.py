"""The command line. Only this module knows argparse; each handler imports its
command module when it runs, so `envhook status` does not pay for `hook`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from envhook import __version__
from envhook.messages import say
from envhook.prompt.shells import NAMES


def _path_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", type=Path, help="a directory inside the project (default: the current one)")


def _packages_arg(p: argparse.ArgumentParser, what: str) -> None:
    # One positional list: a package name never contains "/" and is never
    # "." or "..", so a path among them (the old `envhook pin DIR`) is told apart.
    p.add_argument("args", nargs="*", metavar="PACKAGE", help=f"{what}; a directory (with a /) names the project")


def _split_packages(args: list[str]) -> tuple[Path | None, list[str]]:
    paths = [a for a in args if os.sep in a or a in (".", "..")]
    return (Path(paths[-1]) if paths else None), [a for a in args if a not in paths]


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

    p = sub.add_parser("hook", help="print the shell hook: eval \"$(envhook hook bash)\"")
    p.add_argument("shell", nargs="?", choices=NAMES, help="default: detected")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the hook to FILE (replaced whole, never half-written) instead of printing it; "
                        "nushell, which cannot eval, sources that file")

    p = sub.add_parser("status", help="explain the state of the project's env and what the hook will do")
    _path_arg(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.add_argument("--short", action="store_true", help="print the state alone, one word (for scripts and prompts)")

    p = sub.add_parser("pin", help="freeze the env as tinkered (never synced), or only some packages in it")
    _packages_arg(p, "packages a sync leaves as they are (default: the whole env)")
    p.add_argument("--tinkered", action="store_true", help="pin the packages that differ from the lock")
    p.add_argument("--absent", action="store_true", help="pin packages that are not installed, to keep them out")
    p.add_argument("--note", help="why it is pinned (shown by status)")

    p = sub.add_parser("unpin", help="follow the lock again: the next prompt syncs if needed")
    _packages_arg(p, "packages to release (default: the whole-env pin)")

    p = sub.add_parser("sync", help="sync the env now, even if nothing looks stale")
    _path_arg(p)
    p.add_argument("--force", action="store_true", help="also sync a pinned env (and unpin it)")
    p.add_argument("--reset", action="store_true",
                   help="reset hand-made changes to the lock (what it does anyway unless sync = \"missing\")")

    p = sub.add_parser("allow", help="trust the project: let envhook sync and activate its env")
    _path_arg(p)
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="accept another user's tool config file (a parent uv.toml…) or path source's file for this "
                        "project, as it is now")

    p = sub.add_parser("deny", help="distrust the project: envhook will not sync or activate it")
    _path_arg(p)

    p = sub.add_parser("config", help="read or change your settings (config.toml; comments are kept)")
    act = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    act.add_parser("list", help="every setting, its value and where it comes from")
    q = act.add_parser("get", help="print one setting's bare value (a list: one item a line)")
    q.add_argument("key")
    q.add_argument("--json", action="store_true", help="print it as JSON instead")
    q = act.add_parser("set", help="set one setting (several values for a list)")
    q.add_argument("key")
    q.add_argument("values", nargs="+", metavar="VALUE")
    q = act.add_parser("unset", help="remove one setting (back to its default)")
    q.add_argument("key")

    sub.add_parser("doctor", help="check that the hook, the tools and envhook's dirs work; say how to fix what does not")

    for name in ("run", "exec"):
        p = sub.add_parser(name, help="run CMD in the project's env, synced as the hook would (scripts, Makefiles, CI)"
                           if name == "run" else "the same as run")
        p.add_argument("-C", dest="directory", type=Path, metavar="DIR",
                       help="the project of DIR, and run CMD there (default: the current directory)")
        p.add_argument("--no-sync", action="store_true", help="only activate: create or sync nothing")
        p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]")

    p = sub.add_parser("env", help="print what activating the project's env changes, for other tools")
    p.add_argument("path", nargs="?", type=Path, metavar="DIR")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--json", action="store_const", dest="format", const="json", help='{"set", "unset", "path_prepend", "state"}')
    how.add_argument("--shell", metavar="SHELL", help=f"shell code to eval ({', '.join(NAMES)})")
    how.add_argument("--github-actions", action="store_const", dest="format", const="github-actions",
                     help="append to $GITHUB_ENV and $GITHUB_PATH")
    p.add_argument("--no-sync", action="store_true", help="only look: create or sync nothing")

    p = sub.add_parser("completion", help="print the completion script for a shell")
    p.add_argument("shell", choices=["bash", "zsh", "fish"])
    return parser


def main(argv: list[str]) -> int:
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
    # Each branch imports its own command: `envhook status` does not pay for doctor or tomlkit.
    if args.command == "hook":
        from envhook.commands.hook import hook

        return hook(args.shell, args.output)
    if args.command == "status":
        from envhook.commands.status import status

        return status(args.path, args.json, args.short)
    if args.command == "pin":
        from envhook.commands.pin import pin

        path, packages = _split_packages(args.args)
        return pin(path, args.note, packages, args.tinkered, args.absent)
    if args.command == "unpin":
        from envhook.commands.pin import unpin

        path, packages = _split_packages(args.args)
        return unpin(path, packages)
    if args.command == "sync":
        from envhook.commands.sync import sync

        return sync(args.path, args.force, args.reset)
    if args.command == "config":
        from envhook.commands import config

        return config.run(args.action, getattr(args, "key", None), getattr(args, "values", None),
                          as_json=getattr(args, "json", False))
    if args.command == "doctor":
        from envhook.commands.doctor import doctor

        return doctor()
    if args.command in ("run", "exec"):
        from envhook.commands.run import run

        return run(args.cmd, args.directory, args.no_sync)
    if args.command == "env":
        from envhook.commands.run import env

        return env(args.path, "shell" if args.shell else args.format, args.shell, args.no_sync)
    if args.command == "completion":
        from envhook.commands.completion import completion

        return completion(args.shell)
    if args.command == "allow":
        from envhook.commands import trust

        return trust.allow(args.path, args.config)
    if args.command == "deny":
        from envhook.commands import trust

        return trust.deny(args.path)
    parser.print_help()
    return 2
