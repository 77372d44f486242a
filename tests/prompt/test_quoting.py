"""Every value that reaches eval is quoted by its shell family's one quote
function; these tests feed hostile strings through the real shells."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from envhook.prompt.shells import get_shell
from envhook.prompt.shells.elvish import elvish_quote
from envhook.prompt.shells.fish import fish_quote
from envhook.prompt.shells.posix import posix_quote
from support.hooktest import hook_values
from support.shell import require_shell

HOSTILE = [
    "",
    "plain",
    "a b",
    "'\";&&e-$ èрт🚒♞中片-j",
    "$(touch pwned)",
    "`touch pwned`",
    "ends with backslash\\",
    "\\",
    "'",
    "line\nbreak",
    "tab\there",
    "cr\rhere",
    "$HOME ${HOME} ~ * ? [a] {a,b}",
    "; touch pwned #",
    "\x01\x1b[31mred\x7f",
    "trailing newline\n",
    "surrogate-escaped \udcff byte",
    "=ls",  # zsh's equals expansion: =ls is /usr/bin/ls at a word's start
    "a:=ls",  # ... and after a colon in an assignment (zsh)
    "a=b",
    "~root",  # tilde expansion at the start, and after a colon in an assignment
    "a:~root",
]


def test_posix_quote_table():
    assert posix_quote("") == "''"
    assert posix_quote("/usr/bin") == "/usr/bin"
    assert posix_quote("a b") == "$'a b'"
    assert posix_quote("it's") == "$'it\\'s'"
    assert posix_quote("é") == "$'\\xc3\\xa9'"
    assert posix_quote("a\nb") == "$'a\\nb'"
    # zsh expands a leading `=` (and one after a `:` in an assignment) to a
    # command's path; bash leaves it, and quoting it there is harmless.
    assert posix_quote("=ls") == "$'=ls'"
    assert posix_quote("a:=ls") == "$'a:=ls'"
    assert posix_quote("a=b") == "a=b"
    assert posix_quote("--x=y") == "--x=y"
    assert posix_quote("~root") == "$'~root'"


def test_fish_quote_table():
    assert fish_quote("") == "''"
    assert fish_quote("a b") == "'a b'"
    assert fish_quote("it's") == "'it\\'s'"
    assert fish_quote("end\\") == "'end\\\\'"  # shlex.quote would leave this open in fish
    assert fish_quote("é") == r"''\u00e9''"
    assert fish_quote("🚒") == r"''\U0001f692''"
    assert fish_quote("a\nb") == r"'a'\x0a'b'"
    assert fish_quote("\udcff") == r"''\Xff''"  # a byte that is not UTF-8


def test_elvish_quote_table():
    assert elvish_quote("") == "''"
    assert elvish_quote("a b") == "'a b'"
    assert elvish_quote("it's") == "'it''s'"
    assert elvish_quote("end\\") == "'end\\'"  # nothing escapes in single quotes
    assert elvish_quote("$(x) \"y\"") == "'$(x) \"y\"'"
    assert elvish_quote("é") == r'"\u00e9"'
    assert elvish_quote("🚒") == r'"\U0001f692"'
    assert elvish_quote("a\nb\\") == r'"a\nb\\"'
    assert elvish_quote("\udcff") == r'"\xff"'  # a byte that is not UTF-8: elvish holds it as is


def test_hostile_values_round_trip_through_a_real_elvish(tmp_path):
    exe = require_shell("elvish")
    sh = get_shell("elvish")
    for i, value in enumerate(HOSTILE):
        out = tmp_path / f"out{i}"
        code = sh.script([
            "var x = ''",
            "var xs = []",
            sh.assign("x", value),
            sh.assign_list("xs", [value, "second"]),
            f"print $x > {sh.quote(str(out))}",
            f"print $xs[0] > {sh.quote(str(out) + '.list')}",
        ])
        script = tmp_path / f"script{i}.elv"
        script.write_text(code)
        r = subprocess.run([exe, "-norc", str(script)], cwd=tmp_path, capture_output=True)
        assert r.returncode == 0, (value, code, r.stderr)
        want = value.encode("utf-8", "surrogateescape")
        assert out.read_bytes() == want, (value, code)
        assert Path(str(out) + ".list").read_bytes() == want, (value, code)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_hostile_values_round_trip_through_the_real_shell(shell_name, tmp_path):
    exe = require_shell(shell_name)
    sh = get_shell(shell_name)
    for i, value in enumerate(HOSTILE):
        out = tmp_path / f"out{i}"
        code = sh.script([
            sh.assign("x", value),
            sh.assign_list("xs", [value, "second"]),
            sh.export("ex", value),  # `envhook env --shell` writes exports
            # printf is a builtin in all three shells; %s writes the bytes as they are.
            f"printf %s \"$x\" > {sh.quote(str(out))}",
            f"printf %s \"$ex\" > {sh.quote(str(out) + '.export')}",
            f"printf %s \"$xs[{1 if shell_name != 'bash' else 0}]\" > {sh.quote(str(out) + '.list')}"
            if shell_name == "fish"
            else f"printf %s \"${{xs[{1 if shell_name == 'zsh' else 0}]}}\" > {sh.quote(str(out) + '.list')}",
        ])
        r = subprocess.run([exe, "-c", code], cwd=tmp_path, capture_output=True)
        assert r.returncode == 0, (value, code, r.stderr)
        want = value.encode("utf-8", "surrogateescape")
        assert out.read_bytes() == want, (value, code)
        assert Path(str(out) + ".list").read_bytes() == want, (value, code)
        assert Path(str(out) + ".export").read_bytes() == want, (value, code)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_rendered_hook_is_valid_for_hostile_interpreter_paths(shell_name, tmp_path):
    exe = require_shell(shell_name)

    sh = get_shell(shell_name)
    text = sh.template_text()
    weird = "/opt/'\";&&e-$ èрт🚒♞中片-j/$(touch pwned)/py\\"
    rendered = sh.render(text, hook_values(sh, {"ENVHOOK_PYTHON": weird, "ENVHOOK_PYPATH": [weird, "/b c"], "ENVHOOK_ENTRY": "print(\"it's\\\\n\")\n", "ENVHOOK_SESSION": "abc123", "ENVHOOK_PARANOID": ""}))
    assert "__ENVHOOK_" not in rendered
    hook = tmp_path / f"hook.{shell_name}"
    hook.write_text(rendered)
    out = tmp_path / "value"
    r = subprocess.run(
        [exe, "-c", f"source {sh.quote(str(hook))}; printf %s \"$_envhook_python\" > {sh.quote(str(out))}"],
        cwd=tmp_path, capture_output=True, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    assert out.read_text() == weird
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_change_test_expression_in_the_real_shell(shell_name, tmp_path):
    """The one `test` expression the hook evaluates per prompt, in each shell's
    own `test` builtin, with paths that look like operators once quoted."""
    import time

    from envhook.prompt.emit import change_test

    exe = require_shell(shell_name)
    sh = get_shell(shell_name)
    d = tmp_path / "-o ! ( a"
    d.mkdir()
    watched, absent, present = d / "uv.lock", d / ".python-version", d / "python"
    watched.write_text("")
    present.write_text("")
    stamp = d / "stamp"
    time.sleep(0.02)
    stamp.write_text("")
    expr = change_test([str(watched)], [str(absent)], [str(present)], str(stamp))

    def changed() -> bool:
        code = sh.script([sh.assign_list("e", expr), "test $e" if shell_name == "fish" else 'test "${e[@]}"'])
        r = subprocess.run([exe, "-c", code], capture_output=True)
        assert r.returncode in (0, 1), r.stderr
        return r.returncode == 0

    assert not changed()
    watched.write_text("edited")
    assert changed()
    time.sleep(0.02)
    stamp.write_text("")
    assert not changed()
    absent.write_text("3.12")
    assert changed()
    absent.unlink()
    time.sleep(0.02)
    stamp.write_text("")
    assert not changed()
    present.unlink()
    assert changed()


def test_tcsh_quote_table():
    from envhook.prompt.shells.tcsh import tcsh_quote

    assert tcsh_quote("") == "''"
    assert tcsh_quote("a b") == "'a b'"
    assert tcsh_quote("it's") == "'it'\\''s'"
    assert tcsh_quote("x!y") == "'x'\\!'y'"  # history substitution sees ! inside single quotes
    assert tcsh_quote("end\\") == "'end'\\\\"
    assert tcsh_quote("a\nb") == "'a\\\nb'"  # backslash-newline inside the quotes
    assert tcsh_quote("$(x) `y`") == "'$(x) `y`'"


def test_hostile_values_round_trip_through_a_real_tcsh(tmp_path):
    exe = require_shell("tcsh")
    sh = get_shell("tcsh")
    for i, value in enumerate(HOSTILE):
        out = tmp_path / f"out{i}"
        code = sh.script([
            sh.assign("x", value),
            sh.assign_list("xs", [value, "second"]),
            # $x:q is the one way the hook reads a value ("$x" cannot hold a newline);
            # printf is /usr/bin/printf here (tcsh has no builtin one).
            f"printf '%s' $x:q >! {sh.quote(str(out))}",
            f"printf '%s' $xs[1]:q >! {sh.quote(str(out) + '.list')}",
            f"printf '%s' $#xs >! {sh.quote(str(out) + '.n')}",
        ])
        script = tmp_path / f"s{i}.tcsh"
        script.write_bytes(code.encode("utf-8", "surrogateescape"))
        r = subprocess.run([exe, "-f", "-c", f"source {sh.quote(str(script))}"], cwd=tmp_path, capture_output=True)
        assert r.returncode == 0, (value, code, r.stderr)
        want = value.encode("utf-8", "surrogateescape")
        assert out.read_bytes() == want, (value, code)
        assert Path(str(out) + ".list").read_bytes() == want, (value, code)
        assert Path(str(out) + ".n").read_text() == "2", "an empty value is still a word of the list"
    assert not (tmp_path / "pwned").exists()


def test_tcsh_hook_files_for_hostile_interpreter_paths(tmp_path, monkeypatch):
    """`envhook hook tcsh` prints one line that sources init.tcsh, written under
    the state dir; loading it keeps a hostile interpreter path exact."""
    exe = require_shell("tcsh")

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sh = get_shell("tcsh")
    text = sh.template_text()
    weird = "/opt/'\";&&e-$ èрт🚒!♞中片-j/$(touch pwned)/py\\"
    line = sh.render(text, hook_values(sh, {"ENVHOOK_PYTHON": weird, "ENVHOOK_PYPATH": [weird, "/b c"],
                            "ENVHOOK_ENTRY": "print(\"it's\\\\n\")\n", "ENVHOOK_SESSION": "abc123", "ENVHOOK_PARANOID": ""}))
    assert line.count("\n") == 1 and line.endswith("\n")
    out = tmp_path / "value"
    r = subprocess.run(
        [exe, "-f", "-c", f"eval {sh.quote(line.strip())}; printf '%s' $_envhook_python:q $_envhook_session >! {sh.quote(str(out))}"],
        cwd=tmp_path, capture_output=True, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    assert out.read_text() == weird + "abc123"
    assert not (tmp_path / "pwned").exists()
    for part in ("prompt", "cd", "fresh", "export", "adopt", "leave", "apply"):
        assert list((tmp_path / "state").rglob(f"{part}.tcsh")), part


@pytest.mark.parametrize("dirname", ["-o ! ( a", "new\nline"], ids=["operators", "newline"])
def test_change_test_expression_in_a_real_tcsh(tmp_path, monkeypatch, dirname):
    """fresh.tcsh answers the `test` expression with tcsh's file inquiries: -M
    has whole seconds, so a file written in the stamp's own second counts as
    changed (>=), and a stamp a second past the files settles it. Python's one
    expression is eval'd; with a newline in a path (which eval cannot hold)
    the words are walked one by one instead."""
    from envhook.prompt.emit import change_test
    from envhook.prompt.shells.tcsh import change_expression

    exe = require_shell("tcsh")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sh = get_shell("tcsh")
    line = sh.render(sh.template_text(),
                     hook_values(sh, {"ENVHOOK_PYTHON": "/no/python", "ENVHOOK_PYPATH": [], "ENVHOOK_ENTRY": "", "ENVHOOK_SESSION": "s",
                      "ENVHOOK_PARANOID": ""}))
    d = tmp_path / dirname
    d.mkdir()
    watched, absent, present = d / "uv.lock", d / ".python-version", d / "python"
    watched.write_text("")
    present.write_text("")
    stamp = d / "stamp"
    stamp.write_text("")
    expr = change_test([str(watched)], [str(absent)], [str(present)], str(stamp))
    assert (change_expression(expr) == "") == ("\n" in dirname)

    def settle(later: float = 2) -> None:
        t = os.stat(watched).st_mtime + later
        os.utime(stamp, (t, t))

    def changed() -> bool:
        code = f"{line.strip()}; {sh.assign_list('_envhook_changed', expr)}; cd {sh.quote(str(tmp_path))}; " \
               "source $_envhook_dir:q/fresh.tcsh; echo $_envhook_fresh"
        r = subprocess.run([exe, "-f", "-c", code], capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
        assert r.returncode == 0 and r.stdout.strip() in ("0", "1"), (r.stdout, r.stderr)
        return r.stdout.strip() == "0"

    settle()
    assert not changed()
    t = os.stat(watched).st_mtime
    os.utime(stamp, (t, t))  # the stamp's second is the file's: maybe written after it
    assert changed()
    settle()
    assert not changed()
    absent.write_text("3.12")
    assert changed()
    absent.unlink()
    present.unlink()
    assert changed()


@pytest.mark.parametrize("dirname", ["-o ! ( a", "new\nline"], ids=["operators", "newline"])
def test_a_file_dated_in_the_future_in_a_real_tcsh(tmp_path, monkeypatch, dirname):
    """A watched file dated ahead comes as `F -nt S_F -o F -ot S_F`, S_F
    carrying its mtime (paths.stamp_future): fresh.tcsh reads it as
    `-M F != -M S_F`, in Python's one expression and in its walk of the
    words alike, and keeps the shell's own stamp's >= for the other paths."""
    import time

    from envhook.prompt.emit import change_test
    from envhook.prompt.shells.tcsh import change_expression
    from envhook.store import paths

    exe = require_shell("tcsh")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sh = get_shell("tcsh")
    line = sh.render(sh.template_text(),
                     hook_values(sh, {"ENVHOOK_PYTHON": "/no/python", "ENVHOOK_PYPATH": [], "ENVHOOK_ENTRY": "", "ENVHOOK_SESSION": "s",
                      "ENVHOOK_PARANOID": ""}))
    d = tmp_path / dirname
    d.mkdir()
    ahead, lock = d / "pyproject.toml", d / "uv.lock"
    ahead.write_text("")
    lock.write_text("")
    date = time.time_ns() + 86400 * 10**9
    os.utime(ahead, ns=(date, date))
    stamp = str(d / "stamp")
    t = paths.start_stamp(stamp)
    marks = paths.stamp_future(stamp, [str(ahead), str(lock)])
    assert list(marks) == [str(ahead)]
    paths.finish_stamp(stamp, t)
    expr = change_test([str(lock), str(ahead)], [], [stamp], stamp, marks)
    assert (change_expression(expr) == "") == ("\n" in dirname)

    def changed() -> bool:
        code = f"{line.strip()}; {sh.assign_list('_envhook_changed', expr)}; cd {sh.quote(str(tmp_path))}; " \
               "source $_envhook_dir:q/fresh.tcsh; echo $_envhook_fresh"
        r = subprocess.run([exe, "-f", "-c", code], capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
        assert r.returncode == 0 and r.stdout.strip() in ("0", "1"), (r.stdout, r.stderr)
        return r.stdout.strip() == "0"

    later = os.stat(stamp).st_mtime + 2
    os.utime(stamp, (later, later))  # the stamp a second past the lock: settled
    assert not changed()
    os.utime(ahead)  # edited now
    assert changed()
    os.utime(ahead, ns=(date + 60 * 10**9, date + 60 * 10**9))  # dated later still
    assert changed()
    os.utime(ahead, ns=(date, date))
    assert not changed()
    lock.write_text("x")
    os.utime(lock, (later, later))  # the lock in the stamp's second: >= still counts it
    assert changed()
    os.utime(lock, (later - 2, later - 2))
    os.unlink(marks[str(ahead)])
    assert changed()
