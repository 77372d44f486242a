"""Commands are plain functions returning an exit code; only cli.py knows argparse."""
