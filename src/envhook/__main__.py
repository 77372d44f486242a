import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # The prompt hook calls `envhook export SHELL` whenever a watched file moved;
    # it is routed before argparse so that path imports only what it needs.
    if args[:1] == ["export"]:
        from envhook.prompt.entry import main as hook_main  # standard library only: no argparse, no backends

        return hook_main(args[1:])
    from envhook.cli import main as cli_main  # argparse and the commands: never on the prompt's path

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
