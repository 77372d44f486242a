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
]


def test_posix_quote_table():
    assert posix_quote("") == "''"
    assert posix_quote("/usr/bin") == "/usr/bin"
    assert posix_quote("a b") == "$'a b'"
    assert posix_quote("it's") == "$'it\\'s'"
    assert posix_quote("é") == "$'\\xc3\\xa9'"
    assert posix_quote("a\nb") == "$'a\\nb'"


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
            # printf is a builtin in all three shells; %s writes the bytes as they are.
            f"printf %s \"$x\" > {sh.quote(str(out))}",
            f"printf %s \"$xs[{1 if shell_name != 'bash' else 0}]\" > {sh.quote(str(out) + '.list')}"
            if shell_name == "fish"
            else f"printf %s \"${{xs[{1 if shell_name == 'zsh' else 0}]}}\" > {sh.quote(str(out) + '.list')}",
        ])
        r = subprocess.run([exe, "-c", code], cwd=tmp_path, capture_output=True)
        assert r.returncode == 0, (value, code, r.stderr)
        want = value.encode("utf-8", "surrogateescape")
        assert out.read_bytes() == want, (value, code)
        assert Path(str(out) + ".list").read_bytes() == want, (value, code)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_rendered_hook_is_valid_for_hostile_interpreter_paths(shell_name, tmp_path):
    exe = require_shell(shell_name)
    from envhook.prompt.shells import template_dir

    sh = get_shell(shell_name)
    text = (Path(template_dir()) / sh.template).read_text()
    weird = "/opt/'\";&&e-$ èрт🚒♞中片-j/$(touch pwned)/py\\"
    rendered = sh.render(text, {"ENVHOOK_PYTHON": weird, "ENVHOOK_PYPATH": [weird, "/b c"], "ENVHOOK_ENTRY": "print(\"it's\\\\n\")\n", "ENVHOOK_SESSION": "abc123", "ENVHOOK_PARANOID": ""})
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
