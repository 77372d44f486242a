"""What the completion tests share: envhook's parser with a subcommand added
in the test, as a new command would be added to cli.py."""

from __future__ import annotations

import argparse

from envhook import cli


def with_a_new_subcommand() -> dict:
    """The spec of build_parser() with a subcommand added here, as a new
    command would be added to cli.py: nothing else is edited."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    p = sub.add_parser("frobnicate", help="a command that exists only in this test")
    p.add_argument("--wibble", action="store_true")
    cli._completes(p.add_argument("--into", metavar="DIR"), cli.DIR)
    p.add_argument("flavour", choices=["sweet", "sour"])
    return cli.completion_spec(parser)
