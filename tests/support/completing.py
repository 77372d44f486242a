"""What the completion tests share: envhook's parser with a subcommand added
in the test, as a new command would be added to cli.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from envhook import cli


def with_a_new_subcommand() -> dict:
    """The spec of build_parser() with a subcommand added here, as a new
    command would be added to cli.py: nothing else is edited."""
    return cli.completion_spec(add_a_subcommand(cli.build_parser()))


def add_a_subcommand(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """PARSER with `frobnicate` added (--wibble, --into DIR, a flavour)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    p = sub.add_parser("frobnicate", help="a command that exists only in this test")
    p.add_argument("--wibble", action="store_true")
    cli._completes(p.add_argument("--into", metavar="DIR"), cli.DIR)
    p.add_argument("flavour", choices=["sweet", "sour"])
    return parser


LAUNCHER = """#!{python}
import sys
sys.path.insert(0, {tests!r})
from envhook import cli
from support.completing import add_a_subcommand
build_parser = cli.build_parser
cli.build_parser = lambda: add_a_subcommand(build_parser())
sys.exit(cli.main(sys.argv[1:]))
"""


def envhook_with_a_new_subcommand(bin_dir: Path) -> Path:
    """BIN_DIR (made) holding an `envhook` that is envhook with the parser of
    add_a_subcommand(): what the in-hook completers ask at Tab (`envhook
    __complete`) once cli.py has a new command. Put it first on PATH."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    launcher = bin_dir / "envhook"
    launcher.write_text(LAUNCHER.format(python=sys.executable, tests=str(Path(__file__).resolve().parents[1])))
    launcher.chmod(0o755)
    return bin_dir
