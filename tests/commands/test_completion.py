"""Completions (`envhook completion bash|zsh|fish`): the printed scripts, their
syntax, and what they complete, asked of the real shells: bash's completion
function with COMP_WORDS set, fish's `complete -C`, and keys typed into
interactive bash, zsh and fish on a pseudo-terminal (`envhook st<TAB>`), zsh's
lists read through a compadd wrapper. install.sh's part is in test_install.py.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envhook.cli import build_parser
from envhook.commands.completion import FILES, script
from envhook.prompt.shells.posix import posix_quote
from envhook.store.settings import KEYS
from support.completing import with_a_new_subcommand
from support.shell import require_shell, shell_quote
from support.typist import SCRIPTS, Typist

COMMANDS = ["hook", "status", "log", "undo", "restore", "pin", "unpin", "use", "sync", "allow", "deny", "prune", "config", "doctor", "run", "exec", "env", "completion"]
ACTIONS = ["list", "get", "set", "unset"]


def q(shell: str, path: Path) -> str:
    return shell_quote(shell, str(path))


@pytest.fixture(params=["bash", "zsh", "fish"])
def sh(request) -> str:
    require_shell(request.param)
    return request.param


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings if o.startswith("--")}


def base_env(**extra: str) -> dict[str, str]:
    """This process's environment without an active env (`uv run` sets one)."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(extra)
    return env


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A cwd with two dirs and a file, and a fake env whose site-packages holds
    three dist-info dirs (non-canonical names among them)."""
    d = tmp_path / "work"
    (d / "d one").mkdir(parents=True)
    (d / "x2").mkdir()
    (d / "dfile").write_text("")
    sp = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    for name in ("Foo_Bar-1.0.dist-info", "zope.interface-6.0.dist-info", "requests-2.31.0.dist-info"):
        (sp / name).mkdir(parents=True)
    (sp / "requests").mkdir()
    return d


# --- the command and the files -------------------------------------------------------


def test_the_command_prints_the_script(sh: str) -> None:
    r = subprocess.run([sys.executable, "-m", "envhook", "completion", sh], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == SCRIPTS[sh].read_bytes()
    assert b"completion for envhook: `envhook completion" in r.stdout  # install.sh's ID line


def test_the_script_is_valid_syntax(sh: str) -> None:
    argv = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}[sh]
    r = subprocess.run([*argv, str(SCRIPTS[sh])], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_completion_rejects_other_shells() -> None:
    r = subprocess.run([sys.executable, "-m", "envhook", "completion", "tcsh"], capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice" in r.stderr and r.stdout == ""


# --- bash: the completion function ------------------------------------------------------

# Runs the completion function for each line in "$@" as bash would for a TAB at
# its end, and prints each COMPREPLY one word a line, then a \x1e line.
BASH_DRIVER = r"""
source "$1" || exit 9
shift
complete -p envhook
for line in "$@"; do
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _envhook envhook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}"
    printf '\x1e\n'
done
"""


def complete_bash(lines: list[str], cwd: Path, env: dict[str, str] | None = None,
                  options: str = "", script_file: Path | None = None) -> dict[str, list[str]]:
    env = base_env() if env is None else env
    r = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", options + BASH_DRIVER, "bash", str(script_file or SCRIPTS["bash"]),
         *lines],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=30,
    )
    assert r.returncode == 0 and r.stderr == "", r.stderr
    head, _, rest = r.stdout.partition("\n")
    assert head == "complete -F _envhook envhook"
    replies = rest.split("\x1e\n")
    assert replies[-1] == "" and len(replies) == len(lines) + 1, r.stdout
    return {line: [w for w in reply.split("\n") if w] for line, reply in zip(lines, replies)}


def test_bash_completes_commands_options_and_arguments(workdir: Path) -> None:
    got = complete_bash([
        "envhook st", "envhook ", "envhook -", "envhook hook ", "envhook completion f",
        "envhook hook bash ", "envhook config ", "envhook config set ", "envhook config get p",
        "envhook config list ", "envhook config set paranoid ", "envhook config set notify ",
        "envhook config set trusted_roots ", "envhook pin --t", "envhook pin --", "envhook status -",
        "envhook status ", "envhook sync d", "envhook allow . ", "envhook doctor ",
        "envhook pin ", "envhook pin --note ",
    ], workdir)
    assert got["envhook st"] == ["status"]
    assert got["envhook "] == COMMANDS
    assert got["envhook -"] == ["--help", "--version", "--quiet"]
    assert got["envhook hook "] == ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
    assert got["envhook completion f"] == ["fish"]
    assert got["envhook hook bash "] == []
    assert got["envhook config "] == ACTIONS
    assert got["envhook config set "] == list(KEYS)
    assert got["envhook config get p"] == ["paranoid"]
    assert got["envhook config list "] == []
    assert got["envhook config set paranoid "] == ["true", "false"]
    assert got["envhook config set notify "] == ["once", "always", "never"]
    assert sorted(got["envhook config set trusted_roots "]) == ["d one", "x2"]
    assert got["envhook pin --t"] == ["--tinkered"]
    assert got["envhook pin --"] == ["--help", "--tinkered", "--absent", "--note"]
    assert got["envhook status -"] == ["--help", "--json", "--short"]
    assert sorted(got["envhook status "]) == ["d one", "x2"]  # directories only
    assert got["envhook sync d"] == ["d one"]
    assert got["envhook allow . "] == []  # one PATH
    assert got["envhook doctor "] == []
    assert got["envhook pin "] == []  # no active env: no package names
    assert got["envhook pin --note "] == []


def test_bash_completes_package_names_from_the_active_env(workdir: Path) -> None:
    env = base_env(VIRTUAL_ENV=str(workdir.parent / "venv"))
    lines = ["envhook pin ", "envhook unpin r", "envhook pin --tinkered z", "envhook unpin ./",
             "envhook pin --note "]
    expect = {
        "envhook pin ": ["foo-bar", "requests", "zope-interface"],
        "envhook unpin r": ["requests"],
        "envhook pin --tinkered z": ["zope-interface"],
        "envhook unpin ./": ["./d one", "./x2"],  # a path names the project
        "envhook pin --note ": [],
    }
    got = complete_bash(lines, workdir, env)
    assert {k: sorted(v) for k, v in got.items()} == expect
    # The user's glob options neither break it nor change: failglob, set -f, set -u.
    got = complete_bash(lines, workdir, env, options="shopt -s failglob; set -fu; ")
    assert {k: sorted(v) for k, v in got.items()} == expect
    r = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c",
         f"shopt -s failglob; set -fu; source {q('bash', SCRIPTS['bash'])}; COMP_WORDS=(envhook pin ''); COMP_CWORD=2;"
         " _envhook; echo \"${COMPREPLY[*]}\"; echo $-; shopt -p failglob nullglob"],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=30,
    )
    assert r.stdout == "foo-bar requests zope-interface\nfhuBc\nshopt -s failglob\nshopt -u nullglob\n", r.stderr


def test_bash_completes_what_the_parser_knows(workdir: Path) -> None:
    """Every subcommand and every long option of build_parser() is completed."""
    parser = build_parser()
    subs = subcommands(parser)
    lines = ["envhook ", "envhook --", *(f"envhook {c} --" for c in subs)]
    got = complete_bash(lines, workdir)
    assert got["envhook "] == list(subs)
    assert set(got["envhook --"]) == long_options(parser)
    for c, p in subs.items():
        assert set(got[f"envhook {c} --"]) == long_options(p), c


ADDED = {"envhook frob": ["frobnicate"], "envhook frobnicate --w": ["--wibble"],
         "envhook frobnicate ": ["sour", "sweet"], "envhook frobnicate --into ": ["d one/", "x2/"],
         "envhook frobnicate sweet ": []}


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_a_subcommand_added_to_the_parser_is_completed(shell: str, workdir: Path, tmp_path: Path) -> None:
    """cli.py is the one place: a subcommand added to the parser (here, in the
    test) is completed by the rendered script, with no other edit."""
    require_shell(shell)
    rendered = tmp_path / FILES[shell]
    rendered.write_text(script(shell, with_a_new_subcommand()))
    complete = {"bash": complete_bash, "fish": complete_fish}[shell]
    got = complete(list(ADDED), workdir, script_file=rendered)
    # Sorted, and a directory with its slash: the shells differ only in that.
    got = {line: sorted(w if shell == "fish" or not (workdir / w).is_dir() else w + "/" for w in words)
           for line, words in got.items()}
    assert got == ADDED
    assert complete(["envhook frob"], workdir)["envhook frob"] == []  # not in envhook's own parser


def test_a_subcommand_added_to_the_parser_is_completed_by_zsh(typist, workdir: Path, tmp_path: Path) -> None:
    require_shell("zsh")
    d = tmp_path / "rendered"
    d.mkdir()
    (d / "_envhook").write_text(script("zsh", with_a_new_subcommand()))
    t = typist("zsh", workdir, load=f"fpath=({shell_quote('zsh', str(d))} $fpath)\nautoload -Uz compinit && compinit -u -D")
    assert t.tab("envhook frob") == ("envhook frobnicate ", ["frobnicate"])
    assert t.tab("envhook frobnicate --w")[1] == ["--wibble"]
    assert sorted(t.tab("envhook frobnicate ")[1]) == ["sour", "sweet"]
    # _directories offers each (quoted for the line) through more than one compadd.
    assert set(t.tab("envhook frobnicate --into ")[1]) == {"d\\ one", "x2"}
    own = typist("zsh", workdir)  # envhook's own script does not know it
    assert own.tab("envhook frob")[1] == []


# --- fish: complete -C --------------------------------------------------------------------

FISH_DRIVER = r"""
source $argv[1]; or exit 9
for line in $argv[2..-1]
    complete -C"$line"
    printf '\x1e\n'
end
"""


def complete_fish(lines: list[str], cwd: Path, env: dict[str, str] | None = None,
                  script_file: Path | None = None) -> dict[str, list[str]]:
    """`complete -C LINE` for each line: the candidates (without descriptions)."""
    require_shell("fish")
    r = subprocess.run(
        ["fish", "--no-config", "-c", FISH_DRIVER, str(script_file or SCRIPTS["fish"]), *lines],
        cwd=cwd, env=base_env() if env is None else env, capture_output=True, text=True, timeout=30,
    )
    assert r.returncode == 0 and r.stderr == "", r.stderr
    replies = r.stdout.split("\x1e\n")
    assert replies[-1] == "" and len(replies) == len(lines) + 1, r.stdout
    return {line: [w.split("\t")[0] for w in reply.split("\n") if w] for line, reply in zip(lines, replies)}


def test_fish_completes_commands_options_and_arguments(workdir: Path) -> None:
    env = base_env(VIRTUAL_ENV=str(workdir.parent / "venv"))
    got = complete_fish([
        "envhook st", "envhook ", "envhook hook ", "envhook hook zsh ", "envhook config ",
        "envhook config set ", "envhook config get p", "envhook config set paranoid ",
        "envhook config set tinkered ", "envhook config set disabled_paths ", "envhook config get disabled_paths ",
        "envhook pin --t", "envhook status --", "envhook status ", "envhook allow ", "envhook pin ",
        "envhook unpin r", "envhook pin --note ", "envhook unpin ./",
    ], workdir, env)
    assert got["envhook st"] == ["status"]
    assert sorted(got["envhook "]) == sorted(COMMANDS)
    assert sorted(got["envhook hook "]) == ["bash", "elvish", "fish", "nu", "tcsh", "xonsh", "zsh"]
    assert got["envhook hook zsh "] == []
    assert sorted(got["envhook config "]) == sorted(ACTIONS)
    assert sorted(got["envhook config set "]) == sorted(KEYS)
    assert got["envhook config get p"] == ["paranoid"]
    assert sorted(got["envhook config set paranoid "]) == ["false", "true"]
    assert sorted(got["envhook config set tinkered "]) == ["freeze", "keep", "reset"]
    assert sorted(got["envhook config set disabled_paths "]) == ["d one/", "x2/"]
    assert got["envhook config get disabled_paths "] == []
    assert got["envhook pin --t"] == ["--tinkered"]
    assert sorted(got["envhook status --"]) == ["--help", "--json", "--short"]
    assert sorted(got["envhook status "]) == ["d one/", "x2/"]  # no files
    assert sorted(got["envhook allow "]) == ["d one/", "x2/"]
    assert sorted(got["envhook pin "]) == ["foo-bar", "requests", "zope-interface"]
    assert got["envhook unpin r"] == ["requests"]
    assert got["envhook pin --note "] == []
    assert sorted(got["envhook unpin ./"]) == ["./d one/", "./x2/"]


def helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Subcommand name -> its one-line help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help for a in action._choices_actions}
    return {}


def test_zsh_and_fish_describe_commands_and_actions_with_the_parsers_help() -> None:
    parser = build_parser()
    described = [*helps(parser).items(), *helps(subcommands(parser)["config"]).items()]
    assert len(described) == len(COMMANDS) + len(ACTIONS)
    zsh = SCRIPTS["zsh"].read_text()
    for name, text in described:  # the `subcommands` zsh's _describe shows
        assert posix_quote(f"{name}:{text}") in zsh, name
    # fish's are rendered from the parser: fish shows them so.
    require_shell("fish")
    for line, want in (("envhook ", helps(parser)), ("envhook config ", helps(subcommands(parser)["config"]))):
        r = subprocess.run(["fish", "--no-config", "-c", f"source {q('fish', SCRIPTS['fish'])}; complete -C'{line}'"],
                           capture_output=True, text=True, timeout=30)
        assert dict(ln.split("\t", 1) for ln in r.stdout.splitlines()) == want, r.stderr


def test_fish_completes_what_the_parser_knows(workdir: Path) -> None:
    parser = build_parser()
    subs = subcommands(parser)
    lines = ["envhook ", "envhook --", *(f"envhook {c} --" for c in subs)]
    got = complete_fish(lines, workdir)
    assert sorted(got["envhook "]) == sorted(subs)
    assert set(got["envhook --"]) == long_options(parser)
    for c, p in subs.items():
        assert set(got[f"envhook {c} --"]) == long_options(p), c


# --- zsh: compinit, compdef ----------------------------------------------------------------


def zsh_c(script: str) -> str:
    require_shell("zsh")
    r = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout


def test_zsh_compinit_finds_it_on_fpath_and_a_source_after_compinit_registers_it() -> None:
    d = SCRIPTS["zsh"].parent
    out = zsh_c(f"fpath=({q('zsh', d)} $fpath); autoload -Uz compinit; compinit -u -D; print -r -- $_comps[envhook]")
    assert out == "_envhook\n"
    out = zsh_c(f"autoload -Uz compinit; compinit -u -D; source {q('zsh', SCRIPTS['zsh'])}; print -r -- $_comps[envhook]")
    assert out == "_envhook\n"
    # Sourced without compinit (no compdef): harmless, and quiet.
    assert zsh_c(f"source {q('zsh', SCRIPTS['zsh'])}; print ok") == "ok\n"


# --- real keys: TAB typed into interactive shells ------------------------------------------

@pytest.fixture
def typist(isolated_home: Path, shell_env: dict[str, str], tmp_path: Path):
    typists: list[Typist] = []

    def start(shell: str, cwd: Path, env: dict[str, str] | None = None, home: Path | None = None,
              load: str = "") -> Typist:
        t = Typist(shell, home or isolated_home, env or shell_env, cwd, tmp_path / f"typed-{len(typists)}", load)
        typists.append(t)
        return t

    yield start
    for t in typists:
        t.close()


# Typed text -> the command line after TAB, in every shell.
UNIQUE = {
    "envhook st": "envhook status ",
    "envhook hook z": "envhook hook zsh ",
    "envhook config se": "envhook config set ",
    "envhook config set pa": "envhook config set paranoid ",
    "envhook pin --t": "envhook pin --tinkered ",
    "envhook sync --f": "envhook sync --force ",
    "envhook status --j": "envhook status --json ",
    "envhook sync d": "envhook sync d\\ one/",  # the dir, not the file dfile
    "envhook unpin fo": "envhook unpin foo-bar ",
}


def test_tab_completes_in_the_real_shell(sh: str, typist, workdir: Path, shell_env: dict[str, str]) -> None:
    t = typist(sh, workdir, dict(shell_env, VIRTUAL_ENV=str(workdir.parent / "venv")))
    got = {text: t.tab(text)[0] for text in UNIQUE}
    assert got == UNIQUE


def test_zsh_offers_the_lists(typist, workdir: Path, shell_env: dict[str, str]) -> None:
    require_shell("zsh")
    t = typist("zsh", workdir, dict(shell_env, VIRTUAL_ENV=str(workdir.parent / "venv")))
    parser = build_parser()
    subs = subcommands(parser)
    assert sorted(t.tab("envhook ")[1]) == sorted(COMMANDS)
    assert sorted(t.tab("envhook hook ")[1]) == ["bash", "elvish", "fish", "nu", "tcsh", "xonsh", "zsh"]
    assert sorted(t.tab("envhook config ")[1]) == sorted(ACTIONS)
    assert sorted(t.tab("envhook config set ")[1]) == sorted(KEYS)
    assert sorted(t.tab("envhook config set notify ")[1]) == ["always", "never", "once"]
    assert sorted(t.tab("envhook pin ")[1]) == ["foo-bar", "requests", "zope-interface"]
    for c, p in subs.items():
        assert set(t.tab(f"envhook {c} --")[1]) == long_options(p), c


def test_run_completes_a_command_after_the_dashes_and_env_its_shells(workdir: Path) -> None:
    got = complete_bash(["envhook run -- printen", "envhook exec -C ", "envhook env --shell ", "envhook run -",
                         "envhook run printen", "envhook run -- printenv HO"], workdir)
    assert "printenv" in got["envhook run -- printen"]
    assert "printenv" in got["envhook run printen"]  # argparse takes the command without -- too
    assert got["envhook run -- printenv HO"] == []  # the command's arguments: readline's file names
    assert sorted(got["envhook exec -C "]) == ["d one", "x2"]  # readline adds the slash
    assert got["envhook env --shell "] == ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
    assert sorted(got["envhook run -"]) == ["--help", "--no-sync", "-C"]  # -C has no long name
    fish = complete_fish(["envhook run -- printen", "envhook env --shell "], workdir)
    assert "printenv" in fish["envhook run -- printen"]
    assert sorted(fish["envhook env --shell "]) == ["bash", "elvish", "fish", "nu", "tcsh", "xonsh", "zsh"]


def test_zsh_run_completes_the_command_after_the_dashes(typist, workdir: Path, shell_env: dict[str, str],
                                                         tmp_path: Path) -> None:
    """`envhook run -- <TAB>` completes as `sudo`/`env` do: a command name,
    then that command's own completion. It printed `_set_command:29: bad math
    expression` and completed nothing."""
    require_shell("zsh")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "ehtestcmd").write_text("#!/bin/sh\n")
    (tools / "ehtestcmd").chmod(0o755)
    t = typist("zsh", workdir, dict(shell_env, PATH=f"{tools}:{shell_env['PATH']}"))
    assert t.tab("envhook run -- ehtestc")[0] == "envhook run -- ehtestcmd "
    assert t.tab("envhook exec -C x2 -- ehtestc")[0] == "envhook exec -C x2 -- ehtestcmd "
    assert t.tab("envhook run ehtestc")[0] == "envhook run ehtestcmd "  # the dashes are optional
    assert "python3" in t.tab("envhook run -- pyth")[1]
    assert "--all" in t.tab("envhook run -- ls --")[1], "ls's own completion"
    assert "bad math" not in t.session.transcript and "_set_command" not in t.session.transcript, \
        t.session.transcript[-2000:]


# --- the in-hook completers' question: envhook __complete -------------------------------------


def ask(*words: str, venv: str | None = None, spec: dict | None = None) -> list[str]:
    from envhook.cli import completion_spec
    from envhook.commands.completion import answer

    what, *candidates = answer(spec or completion_spec(), list(words), venv).split("\n")[:-1]
    return [what, *(c.split("\t")[0] for c in candidates)]


def test_the_walk_that_nushell_elvish_and_xonsh_ask_for(workdir: Path) -> None:
    """`envhook __complete WORD…` answers what completes the last word, walked
    as argparse walks: subcommands, options and their values, positionals by
    kind, a command line after `run --`; the words a shell offers, or which
    of its own completions it uses."""
    from support.completing import with_a_new_subcommand

    subs = subcommands(build_parser())
    assert ask("") == ["words", *subs]
    assert ask("-q", "") == ["words", *subs], "an option without a value is passed over"
    assert ask("st") == ["words", "status"]
    assert ask("config", "") == ["words", *ACTIONS]
    assert ask("config", "set", "") == ["words", *KEYS]
    assert ask("config", "set", "notify", "") == ["words", "once", "always", "never"]
    assert ask("config", "set", "trusted_roots", "") == ["dir"]
    assert ask("hook", "") == ["words", "bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
    assert ask("hook", "bash", "") == [""], "hook takes one shell: nothing more"
    assert ask("hook", "-o", "") == ["file"]
    assert ask("status", "") == ["dir"]
    assert ask("run", "-C", "") == ["dir"]
    assert ask("run", "--", "py") == ["command 2"], "the command starts at word 2"
    assert ask("run", "python", "-") == ["command 1"], "its options are the command's"
    assert ask("status", "--j") == ["words", "--json"]
    assert ask("pin", "") == ["file"], "no active env: a path names the project"
    venv = str(workdir.parent / "venv")
    assert ask("pin", "", venv=venv) == ["words", "foo-bar", "requests", "zope-interface"]
    assert ask("pin", "./", venv=venv) == ["dir"]
    assert ask("frob") == ["words"], "not in envhook's own parser"
    added = with_a_new_subcommand()
    assert ask("frob", spec=added) == ["words", "frobnicate"]
    assert ask("frobnicate", "--w", spec=added) == ["words", "--wibble"]
    assert ask("frobnicate", "", spec=added) == ["words", "sweet", "sour"]
    assert ask("frobnicate", "--into", "", spec=added) == ["dir"]
    assert ask("frobnicate", "sweet", "", spec=added) == [""]


def test_envhook_complete_is_not_a_command_of_the_parser() -> None:
    """The hidden question is answered before the parser (which would
    otherwise complete it too), and prints what answer() says."""
    r = subprocess.run([sys.executable, "-m", "envhook", "__complete", "config", "g"], capture_output=True,
                       text=True, env=base_env())
    assert (r.returncode, r.stdout, r.stderr) == (0, "words\nget\tprint one setting's bare value (a list: one item a line)\n", "")
    assert "__complete" not in subcommands(build_parser())
