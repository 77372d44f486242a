"""What is about the tcsh hook alone; its contract rows are
tests/prompt/test_contract.py's, run in tcsh with the others. Here: its one
quote function round-tripped through a real tcsh for hostile and generated
values; the hook's parts as files (written without following links, sourced
only from where no one else can write); the user's precmd and cwdcmd chained
and seeing the status; completion; `envhook env --shell tcsh`; doctor."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.hooktest import envhook, hook_values, q, trusted_project
from support.phrasebook import HOSTILE
from support.shell import require_shell


@pytest.fixture
def shell() -> str:
    """Every test here drives tcsh (conftest's `shell` is bash, zsh and fish)."""
    require_shell("tcsh")
    return "tcsh"


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])


def test_values_round_trip_through_a_real_tcsh(tmp_path):
    """What the hook sources is tcsh: each value the Tcsh quoting writes, as a
    word and inside a list, comes back exactly from a real `tcsh -f`, however
    hostile (history `!`, a newline, a trailing backslash, `$(…)`, non-UTF-8)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from envhook.prompt.shells import get_shell

    tcsh = require_shell("tcsh")
    sh = get_shell("tcsh")
    chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    values = st.one_of(st.sampled_from(list(HOSTILE.values())), st.text(chars),
                       st.binary().filter(lambda b: b"\0" not in b).map(os.fsdecode),
                       st.text(st.sampled_from("'!\\\n\"$`x ")))
    script, out = tmp_path / "f.tcsh", tmp_path / "out"

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(value=values, items=st.lists(values.filter(bool), max_size=4))
    def check(value, items):
        text = sh.script([sh.assign("_envhook_root", value), sh.assign_list("_envhook_known", items)])
        text += f"printf '%s\\0' $_envhook_root:q $#_envhook_known $_envhook_known:q >! {sh.quote(str(out))}\n"
        script.write_bytes(text.encode("utf-8", "surrogateescape"))
        r = subprocess.run([tcsh, "-f", "-c", f"source {sh.quote(str(script))}"], capture_output=True, timeout=30)
        assert r.returncode == 0 and not r.stderr, (text, r.stderr)
        words = out.read_bytes().decode("utf-8", "surrogateescape").split("\0")[:-1]
        if value == "":
            words.insert(0, "")  # $x:q of an empty value is no word (the hook never lists one)
        assert words == [value, str(len(items)), *items]

    check()


def test_env_shell_tcsh_applies_the_activation(project, shell_env, tmp_path):
    assert subprocess.run(["envhook", "run", "true"], cwd=project, env=shell_env).returncode == 0
    out = tmp_path / "prefix"
    script = f"eval \"`envhook env --shell tcsh`\"; which python >! {q('tcsh', out)}"
    r = subprocess.run([require_shell("tcsh"), "-f", "-c", script], cwd=project, env=shell_env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert out.read_text().strip() == str(project / ".venv" / "bin" / "python")


def test_doctor_in_a_hooked_tcsh(open_shell, tmp_path):
    s = open_shell(cwd=tmp_path)
    out = s.run("envhook doctor").replace("\r", "")
    assert "ok   hook line in ~/.tcshrc" in out, out
    assert re.search(r"^ok   hook loaded in this tcsh \(process \d+\)$", out, re.M), out
    assert "Traceback" not in out
    # The hook itself sets tcsh's `complete` for envhook: loaded, and no fish advice.
    assert "ok   completion of envhook's commands in this tcsh" in out, out
    assert "fish" not in out, out


def test_the_users_precmd_and_cwdcmd_are_kept_and_see_the_status(open_shell, project, tmp_path):
    """An rc that set precmd and cwdcmd before the hook line keeps both: the
    hook chains them after its own part, which hands $status back first."""
    log = tmp_path / "log"
    rc = (f"alias precmd 'echo \"p $status\" >> {q('tcsh', log)}'\n"
          f"alias cwdcmd 'echo c >> {q('tcsh', log)}'\n")
    s = open_shell(cwd=tmp_path, extra_rc=rc)
    s.run(f"cd {q('tcsh', project)}")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("sh -c 'exit 4'")
    assert s.status() == 4
    lines = log.read_text().splitlines()
    assert "c" in lines and "p 4" in lines, lines
    aliases = s.run("alias precmd; alias cwdcmd")
    assert aliases.count("eval $_envhook_guard:q") == 2 and aliases.count(str(log)) == 2, aliases


def _line_after(s, keys: str) -> str:
    """Type keys, then turn the line into `setenv _T '…'` and run it: the line as completion left it."""
    s.send_raw(keys + "\x01setenv _T '\x05'\r")
    # tcsh redraws the prompt while text is inserted at the line's start: the prompt is the one after Enter.
    s.child.expect(re.escape(b"'\r\r\n"), timeout=30)
    s.expect_prompt()
    return s.get("_T")


def _listed(s, keys: str) -> list[str]:
    """Type keys and Ctrl-D (list-choices); return the words tcsh printed, then empty the line."""
    s.send_raw(keys + "\x04")
    s.child.expect(re.escape(("__EHP__> " + keys).encode()), timeout=30)
    shown = s.child.before.decode()
    s.send_raw("\x15")
    s.interrupt()
    words = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", shown).split()
    return words[len(keys.split()):]


def test_tab_completes_envhooks_command_line(open_shell, tmp_path):
    """The hook sets tcsh's `complete` for envhook: TAB and Ctrl-D (list) typed
    into the real interactive tcsh offer the parser's subcommands, the shells
    after `hook` and `env --shell`, config's actions and keys, and directories."""
    import argparse

    from envhook.cli import build_parser
    from envhook.prompt.shells import NAMES
    from envhook.store.settings import KEYS

    (tmp_path / "d1").mkdir()
    (tmp_path / "f1").write_text("")
    # TERM is dumb in these sessions, where tcsh leaves its line editor off: a user's terminal has it on.
    s = open_shell(cwd=tmp_path, extra_rc="set edit")

    def line_after(keys: str) -> str:
        return _line_after(s, keys)

    def listed(keys: str) -> list[str]:
        return _listed(s, keys)

    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert listed("envhook ") == sorted(subs), "the parser's subcommands"
    assert line_after("envhook h\t") == "envhook hook "
    assert listed("envhook hook ") == sorted(NAMES)
    assert line_after("envhook hook x\t") == "envhook hook xonsh "
    assert listed("envhook env --shell ") == sorted(NAMES)
    assert listed("envhook completion ") == ["bash", "fish", "zsh"]
    assert listed("envhook config ") == sorted(["list", "get", "set", "unset"])
    assert listed("envhook config get ") == sorted(KEYS)
    assert listed("envhook config set ") == sorted(KEYS)
    assert listed("envhook status ") == ["d1/"], "directories only"
    assert listed("envhook pin ") == ["d1/", "f1"], "file names where nothing is listed"
    assert line_after("envhook run -- tcs\t") == "envhook run -- tcsh ", "a command after --"
    # Loading the hook again sets the same completion again.
    s.run("source ~/.tcshrc")
    assert s.run("complete envhook").count("p/1/") == 1
    assert line_after("envhook sta\t") == "envhook status "


def test_the_completion_completes_a_subcommand_added_to_the_parser(open_shell, tmp_path):
    """tcsh's rules are rendered from the parser: a subcommand added to the
    parser (in the test) is completed once the hook that knows it is loaded."""
    from envhook.commands.hook import hook
    from support.completing import with_a_new_subcommand

    (tmp_path / "d1").mkdir()
    line = tmp_path / "hook-line"
    assert hook("tcsh", str(line), with_a_new_subcommand()) == 0
    s = open_shell(cwd=tmp_path, extra_rc="set edit")
    assert "frobnicate" not in _listed(s, "envhook "), "envhook's own parser has no such command"
    s.run(f"eval \"`cat {q('tcsh', line)}`\"")
    assert s.run("complete envhook").count("p/1/") == 1
    assert "frobnicate" in _listed(s, "envhook ")
    assert _listed(s, "envhook frobnicate ") == ["sour", "sweet"]
    assert _listed(s, "envhook frobnicate --into ") == ["d1/"]


def _render_hook() -> str:
    """What `envhook hook tcsh` prints, rendered in this process (its pid is known here)."""
    from envhook.commands.hook import entry, import_path
    from envhook.prompt.shells import get_shell

    sh = get_shell("tcsh")
    text = sh.template_text()
    return sh.render(text, hook_values(sh, {"ENVHOOK_PYTHON": sys.executable, "ENVHOOK_PYPATH": import_path(),
                            "ENVHOOK_ENTRY": entry(sh.protocol), "ENVHOOK_SESSION": "s1", "ENVHOOK_PARANOID": ""}))


def test_render_never_writes_through_a_planted_symlink(tmp_path):
    """`envhook hook tcsh` writes its parts under the state dir: a symlink
    planted at the name it writes a part to first (NAME.tcsh.PID, this
    process's pid) or at the part itself is never followed. The file it
    points to is untouched, and the hook is written all the same."""
    line = _render_hook()
    where = Path(re.search(r"source '([^']*)/init\.tcsh'", line).group(1))
    parts = sorted(p.name for p in where.glob("*.tcsh"))
    assert "prompt.tcsh" in parts and "init.tcsh" in parts
    hook = {name: (where / name).read_bytes() for name in parts}
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    for name in parts:
        (where / name).unlink()
        os.symlink(victim, where / f"{name}.{os.getpid()}")
    os.symlink(victim, where / "prompt.tcsh")  # the part itself, a link to a file of the same text
    victim.write_bytes(hook["prompt.tcsh"])
    mine = victim.read_bytes()
    assert re.search(r"source '([^']*)/init\.tcsh'", _render_hook()).group(1) == str(where)
    assert victim.read_bytes() == mine, "a planted link was followed"
    for name in parts:
        assert not (where / name).is_symlink() and (where / name).read_bytes() == hook[name], name


def test_env_shell_tcsh_refuses_a_value_with_a_newline(wheelhouse, shell_env, tmp_path):
    """eval "`envhook env --shell tcsh`" joins the lines of its text: a newline
    in a value would come back as `\\ ` (nothing injected, the value wrong).
    It is refused, said in one line, with nothing on stdout to eval."""
    p = trusted_project(tmp_path / "nl\nx" / "proj", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])
    assert envhook("run", "true", cwd=p, env=shell_env).returncode == 0  # synced: uv says nothing below
    r = envhook("env", "--shell", "tcsh", cwd=p, env=shell_env)
    assert r.returncode != 0 and r.stdout == "", (r.returncode, r.stdout)
    assert len(r.stderr.splitlines()) == 1 and "newline" in r.stderr, r.stderr
    out = tmp_path / "out"
    script = f"eval \"`envhook env --shell tcsh`\"; printenv VIRTUAL_ENV >! {q('tcsh', out)}"
    t = subprocess.run([require_shell("tcsh"), "-f", "-c", script], cwd=p, env=shell_env, capture_output=True,
                       text=True, timeout=60, check=False)
    assert out.read_text() == "", f"tcsh set VIRTUAL_ENV={out.read_text()!r}"
    assert len(t.stderr.splitlines()) == 1 and "newline" in t.stderr, t.stderr
    # `envhook run` hands the value over exactly.
    r = envhook("run", "--", "sh", "-c", 'printf %s "$VIRTUAL_ENV"', cwd=p, env=shell_env)
    assert r.stdout == str(p / ".venv"), r


# -- the hook's files: sourced only from a place no one else can write (issue 26, finding 2) --------------

@pytest.fixture
def open_place():
    """A new directory under /tmp that every user may enter (pytest's own are
    root's alone, where another user could not even reach the state dir)."""
    import shutil
    import tempfile

    made = []

    def make() -> Path:
        d = Path(tempfile.mkdtemp(prefix="ehtcsh-", dir="/tmp"))
        d.chmod(0o755)
        made.append(d)
        return d

    yield make
    for d in made:
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("how", ["state dir made 0777", "hook dir made 0777", "hook dir 0777 for a moment",
                                 "XDG_STATE_HOME made 0777 first", "a link left in the way"])
def test_hook_files_another_user_can_replace_are_never_sourced(open_shell, shell_env, open_place, how):
    """Another local user who can write envhook's state dir, the hook's own
    dir, or a directory above them replaces prompt.tcsh with a canary that
    touches a file. Python checks the chain when it prints the hook (ssh's
    StrictModes rule) and tcsh before each prompt that nothing on it changed:
    the canary never runs, and one line says why."""
    from support.users import as_user, local_user

    base = open_place()
    state = base / "state"
    state.mkdir(mode=0o755)
    canary = base / "pwned"
    env = dict(shell_env, XDG_STATE_HOME=str(state))
    with local_user() as other:
        if how == "XDG_STATE_HOME made 0777 first":
            state.chmod(0o777)
        s = open_shell(cwd=base, env=env)
        said = [line for line in s.startup_output.splitlines() if "envhook" in line]
        hook_dirs = list((state / "envhook" / "tcsh").glob("*"))
        if how == "XDG_STATE_HOME made 0777 first":
            # Python refused: one line, and nothing loaded that could source anything.
            assert len(said) == 1 and f"{state}, above " in said[0] and "is writable by others" in said[0], s.startup_output
            assert s.run("alias precmd; alias cwdcmd").strip() == ""
            digest = hook_dirs[0].name if hook_dirs else "0" * 16
            attack = f"cd {q('tcsh', state)} && mv envhook envhook.gone && mkdir -p envhook/tcsh/{digest} && " \
                     f"cd envhook/tcsh/{digest}"
        else:
            assert said == [], s.startup_output
            digest = hook_dirs[0].name
            if how == "state dir made 0777":
                (state / "envhook").chmod(0o777)
                # The state dir's entries are theirs to rename: the hook's tree goes, theirs comes.
                attack = f"cd {q('tcsh', state / 'envhook')} && mv tcsh tcsh.gone && mkdir -p tcsh/{digest} && " \
                         f"cd tcsh/{digest}"
            elif how == "a link left in the way":
                # While the dir above XDG_STATE_HOME is theirs to write, they put a link of
                # theirs there, through a dir of theirs, that still leads to the real state
                # dir; once it is closed again they can re-point their own link at will.
                base.chmod(0o777)
                theirs = open_place()
                os.chown(theirs, other.pw_uid, other.pw_gid)
                r = as_user(other, f"ln -s {q('tcsh', base / 'state.real')} {q('tcsh', theirs / 'l')} && "
                                   f"cd {q('tcsh', base)} && mv state state.real && ln -s {q('tcsh', theirs / 'l')} state")
                assert r.returncode == 0, r.stderr
                base.chmod(0o755)
                out = s.run("echo while it leads to the real one")
                lines = [line for line in out.splitlines() if "envhook" in line]
                assert len(lines) == 1 and "this shell's hook has stopped" in lines[0], out
                said = lines
                attack = f"mkdir -p {q('tcsh', theirs / 'fake' / 'envhook' / 'tcsh' / digest)} && " \
                         f"ln -sfn {q('tcsh', theirs / 'fake')} {q('tcsh', theirs / 'l')} && " \
                         f"cd {q('tcsh', theirs / 'fake' / 'envhook' / 'tcsh' / digest)}"
            else:
                for d in (state / "envhook", state / "envhook" / "tcsh"):
                    d.chmod(0o755)  # others may enter: still safe
                (state / "envhook" / "tcsh" / digest).chmod(0o777)
                attack = f"cd {q('tcsh', state / 'envhook' / 'tcsh' / digest)}"
        attack += f" && printf 'touch %s\\n' {q('tcsh', canary)} > new && chmod 755 new && mv -f new prompt.tcsh"
        r = as_user(other, attack)
        assert r.returncode == 0, r.stderr
        if how == "hook dir 0777 for a moment":
            # Owners and modes are as they were: only the hook dir's change time tells.
            for d in (state / "envhook" / "tcsh" / digest, state / "envhook" / "tcsh", state / "envhook"):
                d.chmod(0o700)
        out = s.run("echo next")
        s.run("cd /")
        out += s.run("echo again")
        assert not canary.exists(), "tcsh sourced a file another user wrote"
        lines = [line for line in out.splitlines() if "envhook" in line]
        if how in ("XDG_STATE_HOME made 0777 first", "a link left in the way"):
            assert lines == [], out  # said already
        else:
            assert len(lines) == 1 and "this shell's hook has stopped" in lines[0], out
        assert s.run("echo alive").strip() == "alive"
        assert not canary.exists()


def test_a_safe_hook_keeps_working_for_a_user_who_is_not_root(open_place, shell_env):
    """The same checks do not stop the hook of an ordinary user whose home
    and state dir are its own, under /tmp (root's, sticky): the hook loads, a
    project is seen (Python runs and its answer is sourced), and prompts stay
    quiet."""
    import importlib
    import shutil

    from envhook.prompt.shells import template_dir
    from support.shell import ShellSession
    from support.users import local_user

    base = open_place()
    with local_user() as user:
        home, bindir, lib = base / "home", base / "bin", base / "lib"
        for d in (home, bindir, base / "state", base / "proj"):
            d.mkdir()
        # This checkout's envhook and what it imports, copied where the user
        # may read them (the checkout and its venv may sit in a directory only
        # root can enter), run by a Python every user may run.
        for name in ("envhook", "platformdirs", "packaging", "shellingham", "tomlkit"):
            shutil.copytree(Path(importlib.import_module(name).__file__).resolve().parent, lib / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        # The hook files, where a wheel carries them (prompt.shells.template_dir).
        shutil.copytree(template_dir(), lib / "envhook" / "shell")
        (bindir / "envhook").write_text(f"#!/bin/sh\nPYTHONPATH={lib} exec /usr/bin/python3 -m envhook \"$@\"\n")
        (bindir / "envhook").chmod(0o755)
        (base / "proj" / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
        base.chmod(0o700)
        for top, dirs, files in os.walk(base):
            for name in (top, *(os.path.join(top, n) for n in dirs + files)):
                os.chown(name, user.pw_uid, user.pw_gid)
        env = dict(shell_env, HOME=str(home), XDG_STATE_HOME=str(base / "state"), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local" / "share"),
                   XDG_CONFIG_DIRS=str(home / ".config-dirs"), UV_CACHE_DIR=str(home / ".cache" / "uv"),
                   PATH=f"{bindir}:/usr/bin:/bin", USER=user.pw_name, LOGNAME=user.pw_name)
        s = ShellSession("tcsh", home, 'eval "`envhook hook tcsh`"\n', env, base, timeout=90,
                         user=(user.pw_uid, user.pw_gid))
        try:
            assert "envhook" not in s.startup_output, s.startup_output
            assert s.run("id -u").strip() == str(user.pw_uid)
            out = s.run("cd proj")
            assert "is not trusted" in out, out
            assert s.get("ENVHOOK_STATE") == "untrusted"
            out = "".join(s.run(cmd) for cmd in ("echo 1", "cd ..", "cd proj", "echo 2"))
            assert "envhook" not in out and "denied" not in out, out
        finally:
            s.close(force=True)


def test_loading_the_hook_again_replaces_an_older_hooks_unchecked_alias(tmp_path):
    """A tcsh that loaded an envhook from before the guard has aliases that
    source prompt.tcsh unchecked: loading this hook takes that part out (the
    user's own text stays) and puts the guard in its place."""
    from envhook.prompt.shells.tcsh import tcsh_quote

    sh = require_shell("tcsh")
    line = _render_hook()
    old = "set _envhook_rc = $status; source $_envhook_dir:q/prompt.tcsh; set status = $_envhook_rc; "
    script = tmp_path / "rc.tcsh"
    script.write_text(f"alias precmd '{old}echo mine'\nalias cwdcmd '{old}'\n"
                      f"eval {tcsh_quote(line.strip())}\n"
                      f"alias precmd >! {q('tcsh', tmp_path / 'p')}\nalias cwdcmd >! {q('tcsh', tmp_path / 'c')}\n")
    r = subprocess.run([sh, "-f", str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    new = "set _envhook_rc = $status; eval $_envhook_guard:q; set status = $_envhook_rc; "
    assert (tmp_path / "p").read_text() == new + "echo mine\n"
    assert (tmp_path / "c").read_text() == new + "\n"
