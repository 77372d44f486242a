"""The command line as a user meets it: help, version, status, trust, pins;
and the parser as the one list of subcommands, each with its handler."""

from __future__ import annotations

import argparse
import inspect
import json
import re
import subprocess
from pathlib import Path

import pytest

from envhook import __version__, cli
from support.projects import make_project

ROOT = Path(__file__).resolve().parents[2]


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


COMMANDS = list(subparsers(cli.build_parser()))
# Every parser a user can ask for help: each subcommand, and config's actions.
PARSERS = [[c] for c in COMMANDS] + [["config", a] for a in subparsers(subparsers(cli.build_parser())["config"])]


def run(*args, cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run(["envhook", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_version_and_help(tmp_path, shell_env):
    r = run("--version", cwd=tmp_path, env=shell_env)
    assert r.returncode == 0 and r.stdout.strip() == f"envhook {__version__}"
    r = run("--help", cwd=tmp_path, env=shell_env)
    assert r.returncode == 0
    for c in COMMANDS:
        assert c in r.stdout
    assert "export" not in r.stdout  # the hook's entry is not for people


@pytest.mark.parametrize("words", PARSERS, ids=" ".join)
def test_every_command_has_help(words, tmp_path, shell_env):
    r = run(*words, "--help", cwd=tmp_path, env=shell_env)
    assert r.returncode == 0 and r.stdout.startswith(f"usage: envhook {' '.join(words)}"), r.stderr


def test_no_command_prints_the_help_and_a_wrong_one_is_a_usage_error(tmp_path, shell_env):
    r = run(cwd=tmp_path, env=shell_env)
    assert r.returncode == 2 and r.stdout.startswith("usage: envhook") and "COMMAND" in r.stdout
    r = run("-q", cwd=tmp_path, env=shell_env)
    assert r.returncode == 2 and r.stdout.startswith("usage: envhook")
    r = run("frobnicate", cwd=tmp_path, env=shell_env)
    assert r.returncode == 2 and "invalid choice: 'frobnicate'" in r.stderr and r.stdout == ""
    r = run("config", cwd=tmp_path, env=shell_env)
    assert r.returncode == 2 and "ACTION" in r.stderr


# What each handler is given in the test below: the least each parser accepts.
SAMPLES = {"config": [["list"], ["get", "k", "--json"], ["set", "k", "v"], ["unset", "k"]], "env": [["--json"]],
           "completion": [["bash"]], "restore": [["3"], ["3", "some/dir"]], "log": [[], ["--json", "-n", "2"]]}


def binds(function, bound: list) -> object:
    """A stand-in for FUNCTION that only binds what it is given to its signature."""
    def fake(*args, **kwargs):
        bound.append(inspect.signature(function).bind(*args, **kwargs))
        return 0
    return fake


def test_every_subcommand_has_a_handler_that_fits_its_function():
    """Each subcommand's parser binds a Handler (set_defaults(func=...)) whose
    target imports and whose adapter passes arguments its function's
    signature takes (bound, not called: nothing runs)."""
    parser = cli.build_parser()
    assert parser.get_default("func") is None  # no command: main prints the help
    for name, sub in subparsers(parser).items():
        handler = sub.get_default("func")
        assert isinstance(handler, cli.Handler), name
        assert handler.module.startswith("envhook.commands."), name
        function = handler.load()
        for extra in SAMPLES.get(name, [[]]):
            args = parser.parse_args([name, *extra])
            assert args.func is handler
            bound = []
            assert handler.call(binds(function, bound), args) == 0 and len(bound) == 1, (name, extra)


def test_no_list_of_subcommands_is_written_by_hand_under_shell():
    """The parser is the one list: every shell's completion is rendered from
    it (the completion tests add a subcommand to the parser and see it
    completed in each shell). No file under shell/ spells the subcommands
    out again: a list there would be a copy to keep in step by hand."""
    first = COMMANDS[:3]  # hook, status, pin: how a copy of the list would begin
    copy = re.compile(r"\b" + r"""[\s,'"()\[\]]+""".join(first) + r"\b")
    files = [p for p in (ROOT / "shell").rglob("*") if p.is_file()]
    assert len(files) >= 10, files  # the hooks, their completion engines, rc-files
    assert [p for p in files if copy.search(p.read_text())] == []
    # And the pattern finds such a list where one is written (the old tcsh rule).
    assert copy.search("complete envhook 'p/1/(hook status log undo restore pin unpin sync)/'")


def test_export_is_routed_before_the_parser(tmp_path, shell_env):
    """`envhook export SHELL` is how a shell still running a hook from an
    older envhook reaches the new one: it is told to open a new shell (and
    its hook stops), not given argparse's usage error."""
    r = run("export", "bash", cwd=tmp_path, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert "comes from an older envhook; open a new shell" in r.stderr
    assert "_envhook_leave" in r.stdout and "_envhook_broken=" in r.stdout


def test_hook_detects_the_shell_or_takes_it(tmp_path, shell_env):
    r = run("hook", "fish", cwd=tmp_path, env=shell_env)
    assert r.returncode == 0 and "--on-event fish_prompt" in r.stdout
    # Detected from the parent process (shellingham): run it from a real zsh.
    r = subprocess.run(["zsh", "-c", "envhook hook; true"], cwd=tmp_path, env=shell_env, capture_output=True, text=True)
    assert "add-zsh-hook precmd _envhook_hook" in r.stdout


def test_status_outside_a_project(tmp_path, shell_env):
    data = json.loads(run("status", "--json", cwd=tmp_path, env=shell_env).stdout)
    assert data["project"] is None and data["state"] == "no-project"


def test_status_json_through_the_life_of_a_project(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)

    def status() -> dict:
        return json.loads(run("status", "--json", str(p), cwd=tmp_path, env=shell_env).stdout)

    s = status()
    assert s["project"] == str(p) and s["env"] == str(p / ".venv") and s["backend"] == "uv"
    assert (s["trusted"], s["pinned"], s["state"]) == (False, False, "untrusted")
    assert "envhook allow" in s["next"]
    assert run("allow", str(p), cwd=tmp_path, env=shell_env).returncode == 0
    s = status()
    assert s["state"] == "missing" and s["trusted"] is True and s["reasons"]
    assert run("sync", str(p), cwd=tmp_path, env=shell_env).returncode == 0
    assert status()["state"] == "in-sync"
    (p / ".python-version").write_text("3.11\n")
    s = status()
    assert s["state"] == "stale" and ".python-version added" in s["reasons"]
    assert run("pin", str(p), "--note", "keep", cwd=tmp_path, env=shell_env).returncode == 0
    s = status()
    assert s["state"] == "pinned" and s["pinned"] is True and s["pin"]["note"] == "keep"
    assert run("unpin", str(p), cwd=tmp_path, env=shell_env).returncode == 0
    assert status()["state"] == "stale"
    assert run("deny", str(p), cwd=tmp_path, env=shell_env).returncode == 0
    assert status()["state"] == "untrusted"


def test_status_text_names_state_and_next_step(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    out = run("status", cwd=p, env=shell_env).stdout
    assert "state:   untrusted" in out and "next:" in out.splitlines()[-1]


def test_state_lives_outside_the_project(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    before = sorted(x.name for x in p.iterdir())
    run("allow", cwd=p, env=shell_env)
    run("pin", cwd=p, env=shell_env)
    assert sorted(x.name for x in p.iterdir()) == before
    state = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "projects"
    assert any((d / "allow").exists() and (d / "pin.json").exists() for d in state.iterdir())


def test_moved_project_is_untrusted_at_its_new_path(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse)
    run("allow", cwd=p, env=shell_env)
    moved = p.rename(tmp_path / "moved")
    assert json.loads(run("status", "--json", cwd=moved, env=shell_env).stdout)["trusted"] is False


def test_pin_arguments_are_packages_unless_they_name_a_directory():
    from pathlib import Path

    from envhook.cli import _split_packages

    assert _split_packages([]) == (None, [])
    assert _split_packages(["httpx", "Foo_Bar"]) == (None, ["httpx", "Foo_Bar"])
    assert _split_packages(["./proj", "httpx"]) == (Path("./proj"), ["httpx"])
    assert _split_packages(["."]) == (Path("."), [])
    assert _split_packages(["/abs/p"]) == (Path("/abs/p"), [])
