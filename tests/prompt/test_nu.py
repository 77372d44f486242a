"""What is about the nushell hook alone; its contract rows are
tests/prompt/test_contract.py's, run in nushell with the others. Here: the
steps Python prints are NUON, read back by the real nushell for hostile and
generated values; the hook file; `envhook env --shell nu`; doctor; the prompt
drawn after an activation; completion; the walk up 1,500 directories deep and
its answer against Python's."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from support.hooktest import hook_values, q, trusted_project
from support.phrasebook import HOSTILE
from support.projects import uv_lock
from support.shell import require_shell


@pytest.fixture
def shell() -> str:
    """Every test here drives nushell (conftest's `shell` is bash, zsh and fish)."""
    require_shell("nu")
    return "nu"


def autoload_file(s) -> Path:
    """The hook file the hook line wrote, in this shell's autoload dir."""
    return Path(s.run("print ($nu.user-autoload-dirs | first | path join envhook.nu)").strip().splitlines()[-1])


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])


def test_values_round_trip_through_nuon_in_the_real_shell(tmp_path):
    """What the hook reads is NUON, parsed by nushell's `from nuon`: each
    value the Nu quoting writes comes back exactly, however hostile (as
    UTF-8: nushell holds no other strings), and each step is one line."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from envhook.prompt.shells import get_shell

    nu = require_shell("nu")
    sh = get_shell("nu")
    values = st.one_of(st.sampled_from(list(HOSTILE.values())), st.text(alphabet=st.characters(codec="utf-8")))
    steps = tmp_path / "steps.nuon"

    @settings(max_examples=120, deadline=None, derandomize=True)
    @given(value=values, items=st.lists(values, max_size=4))
    def check(value, items):
        text = sh.script([sh.assign("_envhook_root", value), sh.assign_list("_envhook_known", items),
                          sh.call("_envhook_adopt")])
        assert text.count("\n") == 1, "one line"
        steps.write_text(text, encoding="utf-8")
        r = subprocess.run([nu, "-n", "-c", f"open --raw {sh.quote(str(steps))} | from nuon | to json -r"],
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        assert json.loads(r.stdout) == [["set", "_envhook_root", value], ["set", "_envhook_known", items],
                                        ["call", "_envhook_adopt"]]

    check()


def test_the_hook_file_holds_hostile_values(tmp_path):
    """The hook file's own values (the interpreter's path, the import path,
    the entry program) are nushell literals that hold anything."""
    from envhook.prompt.shells import get_shell

    nu = require_shell("nu")
    sh = get_shell("nu")
    weird = "/opt/'\";&&e-$ èрт🚒♞中片-j/$(touch pwned)/(ls)/py\\"
    text = sh.template_text()
    rendered = sh.render(text, hook_values(sh, {"ENVHOOK_PYTHON": weird, "ENVHOOK_PYPATH": [weird, "/b c"],
                                                "ENVHOOK_ENTRY": "print(\"it's\\n\")\n", "ENVHOOK_SESSION": "abc123",
                                                "ENVHOOK_PARANOID": ""}))
    assert "__ENVHOOK_" not in rendered
    hook = tmp_path / "hook.nu"
    hook.write_text(rendered)
    r = subprocess.run([nu, "-n", "-c", f"source {sh.quote(str(hook))}; $env.__envhook.config | to json -r"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    import json

    config = json.loads(r.stdout)
    assert config["python"] == weird and config["pypath"] == [weird, "/b c"]
    assert config["entry"] == "print(\"it's\\n\")\n"
    assert not (tmp_path / "pwned").exists()


def test_env_shell_nu_applies_the_activation(project, shell_env, tmp_path):
    assert subprocess.run(["envhook", "run", "true"], cwd=project, env=shell_env).returncode == 0
    code = subprocess.run(["envhook", "env", "--shell", "nu"], cwd=project, env=shell_env, capture_output=True,
                          text=True, check=True).stdout
    out = tmp_path / "prefix"
    script = f"{code}\n^python -c 'import sys; print(sys.prefix)' | save -f {q('nu', out)}\n"
    r = subprocess.run([require_shell("nu"), "-n", "-c", script], cwd=project, env=shell_env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert out.read_text().strip() == str(project / ".venv")


def test_doctor_in_a_hooked_nu(open_shell, tmp_path):
    s = open_shell(cwd=tmp_path)
    out = s.run("envhook doctor").replace("\r", "")
    assert re.search(r"^ok   hook line in \S+/nushell/config\.nu$", out, re.M), out
    assert re.search(r"^ok   hook loaded in this nu \(process \d+\)$", out, re.M), out
    assert "Traceback" not in out


def test_the_prompt_drawn_after_an_activation_shows_it(open_shell, tmp_path, wheelhouse, shell_env):
    """pre_prompt runs before nushell draws its prompt: a prompt showing the
    env shows it right after `envhook allow`."""
    from support.projects import make_project

    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    s = open_shell(cwd=p)
    # The driver's marker, spelled so that typing it is no prompt.
    s.run("$env.PROMPT_COMMAND = {|| $\"\\(($env.VIRTUAL_ENV_PROMPT? | default '')\\) \\u{5f}_EHP__> \" }")
    out = s.run("envhook allow")
    assert "syncing demo" in out, out
    after = s.transcript.replace("\r", "").rsplit("envhook allow", 1)[1]
    assert "(demo) __EHP__> " in after, after[-600:]


def test_completion_of_envhook_in_the_real_shell(open_shell, project):
    """The hook sets nushell's external completer: asked the way nushell asks
    it at TAB (the words so far, the last one being typed), it offers the
    parser's subcommands and the shell names, and a TAB typed into the line
    editor uses it; envhook still runs as an external command with any
    arguments (no `extern` reparses them)."""
    import json

    from envhook.cli import build_parser
    from envhook.prompt.shells import NAMES

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    s = open_shell(cwd=project)

    def ask(*words: str):
        spans = "[" + ", ".join(q("nu", w) for w in words) + "]"
        out = s.run(f"do $env.config.completions.external.completer {spans} | to json -r").strip()
        return values(json.loads(out.splitlines()[-1]))

    assert ask("envhook", "") == list(sub.choices)
    assert ask("envhook", "hook", "") == list(NAMES)
    assert ask("envhook", "env", "--shell", "") == list(NAMES)
    assert ask("envhook", "st") == ["status"]
    assert ask("envhook", "config", "") == ["list", "get", "set", "unset"]
    assert ask("envhook", "hook", "-o", "") is None, "a file: nushell's own completion"
    assert ask("envhook", "run", "--", "") is None
    assert ask("git", "") is None, "other commands are not ours"
    assert s.run("scope commands | where name =~ '^envhook' | length").strip().splitlines()[-1] == "0"

    data = json.loads(s.run("envhook status --json"))
    assert data["state"] == "in-sync", data
    assert s.run("envhook run -- python -c 'print(1)'").strip().splitlines()[-1] == "1"
    assert s.run("envhook run -- python -c 'import sys; print(sys.argv[1:])' null 1.50 -C/x --help").strip() \
        .splitlines()[-1] == "['null', '1.50', '-C/x', '--help']"

    # And a real TAB: nushell's line editor fills in the one shell name that fits.
    s.send_raw("envhook hook e")
    s._expect_answering_cursor_queries(re.compile(rb"envhook hook e"), time.monotonic() + 10)
    s.send_raw("\t")
    s._expect_answering_cursor_queries(re.compile(rb"envhook hook elvish"), time.monotonic() + 10)
    s.send_raw("\x15")  # the line is not run


def test_the_completer_hands_other_commands_to_the_one_config_set(tmp_path):
    """config.nu's completer (carapace's, say) still answers for every other
    command once the hook, read after config.nu, has set its own."""
    from envhook.prompt.shells import get_shell

    nu = require_shell("nu")
    sh = get_shell("nu")
    hook = tmp_path / "hook.nu"
    hook.write_text(sh.render(sh.template_text(),
                              hook_values(sh, {"ENVHOOK_PYTHON": "/nonexistent", "ENVHOOK_PYPATH": [],
                                               "ENVHOOK_ENTRY": "", "ENVHOOK_SESSION": "x", "ENVHOOK_PARANOID": ""})))
    script = (f"$env.config.completions.external.completer = {{|spans| [theirs] }}\n"
              f"source {sh.quote(str(hook))}\nsource {sh.quote(str(hook))}\n"
              "let c = $env.config.completions.external.completer\n"
              "[(do $c [git '']) (do $c [envhook comp])] | to json -r")
    r = subprocess.run([nu, "-n", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert [values(x) for x in json.loads(r.stdout)] == [["theirs"], ["completion"]]


def values(offered):
    """The words of what the completer offered (records: value, description)."""
    return offered if offered is None else [w["value"] if isinstance(w, dict) else w for w in offered]


def test_the_completer_completes_a_subcommand_added_to_the_parser(tmp_path, shell_env):
    """The completer asks envhook at Tab (`envhook __complete`, the parser's
    walk): a subcommand added to the parser (in the test) is completed, with
    no other edit."""
    from envhook.commands.hook import hook
    from envhook.cli import completion_spec
    from support.completing import envhook_with_a_new_subcommand

    nu = require_shell("nu")
    rendered = tmp_path / "hook.nu"
    assert hook("nu", str(rendered), completion_spec()) == 0
    frob = envhook_with_a_new_subcommand(tmp_path / "bin")
    script = (f"source {q('nu', str(rendered))}\n"
              "let c = $env.config.completions.external.completer\n"
              "[(do $c [envhook frob]) (do $c [envhook frobnicate --w]) (do $c [envhook frobnicate ''])"
              " (do $c [envhook frobnicate --into ''])] | to json -r")
    for path, expected in [(shell_env["PATH"], [[], None, None, None]),  # envhook's own parser: no frobnicate
                           (f"{frob}:{shell_env['PATH']}", [["frobnicate"], ["--wibble"], ["sweet", "sour"], None])]:
        r = subprocess.run([nu, "-n", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                           env={**shell_env, "PATH": path})
        assert r.returncode == 0, r.stderr
        # --into takes a DIR: nushell's own path completion (null).
        assert [values(x) for x in json.loads(r.stdout)] == expected, path


@pytest.fixture
def deep_dir():
    """make(top, depth): `depth` directories named d below `top`, removed
    again at the end by rm: Python's shutil.rmtree (pytest's cleanup of old
    temp dirs) recurses once per level, and fails past its recursion limit."""
    made = []

    def make(top: Path, depth: int) -> Path:
        top.mkdir(exist_ok=True)
        made.append(top / "d")
        d = top
        for _ in range(depth):  # not mkdir(parents=True): it recurses too
            d = d / "d"
            d.mkdir()
        return d

    yield make
    for d in made:
        subprocess.run(["rm", "-rf", "--", str(d)], check=True)


def test_cd_1500_levels_down_gives_the_prompt_back(open_shell, project, tmp_path, deep_dir):
    """Issue 26, finding 9: the walk up to the nearest project expanded the
    path at every level (each expansion as long as the path), so one cd
    1,500 levels down held the prompt for minutes. Now the prompt comes back
    within the driver's usual timeout, and the env there is the right one."""
    inside = deep_dir(project, 1500)
    outside = deep_dir(tmp_path / "plain", 1500)
    s = open_shell(cwd=tmp_path)
    out = s.run(f"cd {q('nu', inside)}")
    assert "syncing demo" in out, out
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert s.get("PATH").split(":")[0] == str(project / ".venv" / "bin")
    s.run(f"cd {q('nu', outside)}")
    assert s.get("VIRTUAL_ENV") is None and s.get("ENVHOOK_STATE") is None
    s.run("cd ..")
    assert s.get("VIRTUAL_ENV") is None
    s.run(f"cd {q('nu', inside.parent)}")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("cd d")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")


def test_the_walk_finds_what_python_finds(open_shell, tmp_path):
    """The hook's walk up (with its cache of directories already seen)
    answers as paths.nearest_project_dir does, in whatever order the
    directories are visited: a pyproject.toml further up wins over a nearer
    requirements.txt; failing one, the nearest requirements.txt; a link to a
    file counts as the file, a directory or a dangling link does not."""
    from envhook.store.paths import nearest_project_dir

    t = tmp_path / "trees"
    files = ["a/pyproject.toml", "a/docs/requirements.txt",          # pyproject above requirements
             "r/requirements.txt", "r/x/requirements.txt",            # requirements only, nested
             "p/pyproject.toml", "p/inner/pyproject.toml",             # nested projects
             "q/requirements.txt", "q/p/pyproject.toml", "q/p/r/requirements.txt",
             "s/target.toml"]
    for f in files:
        (t / f).parent.mkdir(parents=True, exist_ok=True)
        (t / f).write_text("")
    (t / "s" / "pyproject.toml").symlink_to("target.toml")               # a link to a file: a project
    (t / "dl" / "sub").mkdir(parents=True)
    (t / "dl" / "pyproject.toml").symlink_to("nowhere")                 # a dangling link: none
    (t / "dir" / "pyproject.toml").mkdir(parents=True)                   # a directory: none...
    (t / "dir" / "requirements.txt").write_text("")                      # ...but this one is
    starts = ["a", "a/docs", "a/docs/sub/deeper", "a/src", "r", "r/y", "r/x", "r/x/y/z", "p/src", "p/inner",
              "p/inner/src", "q", "q/other", "q/p/r", "q/p/r/s", "s/sub", "dl/sub", "dir", "dir/pyproject.toml",
              "none/x/y"]
    for d in starts:
        (t / d).mkdir(parents=True, exist_ok=True)
    dirs = [str(t / d) for d in starts]
    expected = {d: nearest_project_dir(d) or "" for d in dirs}
    assert [expected[str(t / d)] for d in ("a/docs", "p/inner/src", "q/p/r/s", "s/sub")] == \
        [str(t / d) for d in ("a", "p/inner", "q/p", "s")], "the table means what it says"

    # Each order in a shell of its own, whose cache starts (nearly) empty:
    # ancestors first, so that a new directory's walk stops at one already
    # known; descendants first; as listed. Each twice: the second time from the cache.
    listing = tmp_path / "order"
    for order in (sorted(dirs), sorted(dirs, reverse=True), dirs):
        s = open_shell(cwd=tmp_path)
        listing.write_text("".join(d + "\n" for d in order * 2))
        out = s.run(f"for d in (open --raw {q('nu', listing)} | lines) {{ print (__envhook_find $d) }}; print END")
        answers = out.replace("\r", "").split("\n")
        answers = answers[:answers.index("END")]
        assert list(zip(order * 2, answers)) == [(d, expected[d]) for d in order * 2]
    # And through cd, the hook's own path: the found project is the one Python names.
    for d in dirs:
        s.run(f"cd {q('nu', d)}")
        found = s.run("print $env.__envhook.found").replace("\r", "").strip().splitlines()
        assert (found[-1] if found else "") == expected[d], d
