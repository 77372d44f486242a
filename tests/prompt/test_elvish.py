"""What is about the elvish hook alone; its contract rows are
tests/prompt/test_contract.py's, run in elvish with the others. Here: quoting
by elvish string literals, round-tripped for hostile and generated values
through the hook's own eval; a quiet prompt inside a project starts exactly
one process (`test`: elvish 0.19 cannot read an mtime), outside one none,
counted with strace; the hook never raises into the prompt (elvish has no
exit status for it to keep); envhook's package gone; the rc file elvish
reads; completion; doctor."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from support.hooktest import hook_values, lines_with, processes_started, q, throwaway_python, trusted_project
from support.phrasebook import HOSTILE
from support.projects import set_dependencies
from support.shell import require_shell

HOOKS = "echo (count $edit:before-readline) (count $after-chdir)"


@pytest.fixture
def shell() -> str:
    """Every test here drives elvish (conftest's `shell` is bash, zsh and fish)."""
    require_shell("elvish")
    return "elvish"


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    return trusted_project(tmp_path / "demo", wheelhouse, shell_env, dependencies=["tinkerpkg==1.0"])


def _load_hook(s, tmp_path: Path, **values: str) -> None:
    """Load a hook rendered with other values (python=, pypath=) in place of
    the rc's: the shell's own hooks are dropped first, so this one registers."""
    from envhook.prompt.shells import get_shell

    sh = get_shell("elvish")
    real = subprocess.run(["envhook", "hook", "elvish"], capture_output=True, text=True, check=True).stdout
    for key, value in values.items():
        real, n = re.subn(rf"&{key}=(\[[^\]]*\]|'[^']*')", lambda m: f"&{key}=" + (
            f"[{sh.quote(value)}]" if key == "pypath" else sh.quote(value)), real)
        assert n == 1, key
    hook = tmp_path / "hook.elv"
    hook.write_text(real)
    s.run("set edit:before-readline = []; set after-chdir = []")
    out = s.run(f"eval (slurp < {q('elvish', hook)})")
    assert out == "", out


def test_envhook_package_removed_under_the_shell(open_shell, project, tmp_path):
    """The interpreter is there, envhook is not importable (not even from its
    own site-packages): the ENTRY says so and exits 3, and the hook stops calling it."""
    empty = tmp_path / "empty-site"
    empty.mkdir()
    bare = throwaway_python(tmp_path / "bare-python")
    s = open_shell(cwd=tmp_path)
    _load_hook(s, tmp_path, pypath=str(empty), python=str(bare))
    out = s.run(f"cd {q('elvish', project)}")
    assert len(lines_with(out, "cannot load envhook")) == 1 and "Exception" not in out, out
    set_dependencies(project / "pyproject.toml", ["tinkerpkg==2.0"])
    out = s.run(f"cd /; cd {q('elvish', project)}")
    assert "envhook" not in out and "Exception" not in out, out
    assert not (project / ".venv").exists()


def test_a_broken_hook_says_one_line_and_never_raises(open_shell, project, tmp_path):
    """Whatever goes wrong inside the hook is one line on stderr, said once,
    and the prompt stays usable: here envhook's Python prints code elvish
    cannot compile (a stand-in interpreter on the hook's path)."""
    fake = tmp_path / "fakepy"
    fake.write_text("#!/bin/sh\necho 'set _envhook_root = ['\n")
    fake.chmod(0o755)
    s = open_shell(cwd=tmp_path)
    _load_hook(s, tmp_path, python=str(fake))
    out = s.run(f"cd {q('elvish', project)}")
    assert lines_with(out, "envhook: the hook failed") and len(out.strip().splitlines()) == 1, out
    assert "Exception" not in out, out
    assert s.run("echo still") == "still\n"


def test_the_rendered_hook_holds_hostile_interpreter_paths(open_shell, tmp_path):
    """The hook file, rendered with values no rc should hold, loads in a real
    elvish and keeps them exactly (the interpreter's path comes back in
    _ENVHOOK_HOOKED); nothing in them runs."""
    from envhook.prompt.shells import get_shell

    sh = get_shell("elvish")
    text = sh.template_text()
    weird = "/opt/'\";&&e-$ èрт🚒♞中片-j/$(touch pwned)/py\\"
    rendered = sh.render(text, hook_values(sh, {"ENVHOOK_PYTHON": weird, "ENVHOOK_PYPATH": [weird, "/b c"],
                                "ENVHOOK_ENTRY": "print(\"it's\\\\n\")\n", "ENVHOOK_SESSION": "abc123",
                                "ENVHOOK_PARANOID": ""}))
    assert "__ENVHOOK_" not in rendered
    hook = tmp_path / "hook.elv"
    hook.write_text(rendered)
    s = open_shell(cwd=tmp_path)
    s.run("set edit:before-readline = []; set after-chdir = []")  # so this hook registers, not reconfigures
    out = s.run(f"eval (slurp < {q('elvish', hook)})")
    assert "Exception" not in out, out
    pid = s.run("echo $pid").strip()
    assert s.get("_ENVHOOK_HOOKED") == f"{pid}:{weird}"
    s.run("cd /")  # the hook runs: its python is gone, said once
    assert not list(tmp_path.rglob("pwned*"))


def _started(trace_lines: list[str]) -> list[str]:
    """The programs a trace's execve lines ran, and a check that every process started was one of them."""
    execs = [re.search(r'execve\("([^"]*)"', line).group(1) for line in trace_lines if "execve(" in line]
    forks = [line for line in trace_lines if "execve(" not in line]
    assert len(forks) == len(execs), trace_lines
    return execs


def test_quiet_prompts_cost_one_test_inside_a_project_and_nothing_outside(open_shell, project, tmp_path):
    """elvish 0.19 has no builtin that reads an mtime: inside a project each
    prompt runs ONE `test` of the whole watch expression, a line that
    enters another project one more (after-chdir checks before the command
    runs). Outside any project, nothing."""
    (project / "sub").mkdir()
    s = open_shell(cwd=project)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    s.run("cd /")
    time.sleep(2.1)  # past the "racily clean" window: the decision is cached and the stamp settles
    s.run(f"cd {q('elvish', project)}")
    pid = int(s.run("echo $pid").strip().splitlines()[-1])
    test_bin = s.run("echo (search-external test)").strip()

    def inside():
        for _ in range(3):
            s.run("cd sub")                          # 1: the prompt
            s.run("cd ..")                           # 1
            s.run("var x = 1")                       # 1
            s.run(f"cd /; cd {q('elvish', project)}")  # 2: entering (after-chdir), then the prompt

    assert _started(processes_started(pid, tmp_path / "inside.strace", inside)) == [test_bin] * 15
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")

    (tmp_path / "elsewhere" / "deeper").mkdir(parents=True)

    def outside():
        for _ in range(3):
            s.run(f"cd {q('elvish', tmp_path / 'elsewhere')}")
            s.run("cd deeper")
            s.run("var y = 2")
            s.run("cd /")

    s.run("cd /")
    assert processes_started(pid, tmp_path / "outside.strace", outside) == []


def test_values_round_trip_through_the_hooks_eval(tmp_path):
    """What the hook evals is elvish code, run in a namespace of its own as
    the hook runs it: each value the Elvish quoting writes comes back byte
    for byte from a real elvish, however hostile (non-UTF-8 bytes too)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from envhook.prompt.shells import get_shell

    exe = require_shell("elvish")
    sh = get_shell("elvish")
    values = st.one_of(st.sampled_from(list(HOSTILE.values())), st.text(),
                       st.binary().map(lambda b: os.fsdecode(b)))
    runner = tmp_path / "run.elv"
    runner.write_text(
        "var dir = $args[0]\n"
        "var box = (ns [&_envhook_root='' &_envhook_known=[] &_envhook_adopt~={ print adopted > $dir/called }])\n"
        "eval (slurp < $dir/code) &ns=$box\n"
        "print $box[_envhook_root] > $dir/root\n"
        "var i = 0\n"
        "for v $box[_envhook_known] { print $v > $dir/known$i; set i = (+ $i 1) }\n"
    )
    n = iter(range(10**6))

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(value=values, items=st.lists(values, max_size=4))
    def check(value, items):
        d = tmp_path / f"case{next(n)}"
        d.mkdir()
        code = sh.script([sh.assign("_envhook_root", value), sh.assign_list("_envhook_known", items),
                          sh.call("_envhook_adopt")])
        assert code.isascii() and len(code.splitlines()) == 3, "one ASCII line a statement"
        (d / "code").write_text(code)
        r = subprocess.run([exe, "-norc", str(runner), str(d)], capture_output=True, timeout=30)
        assert r.returncode == 0, (value, items, code, r.stderr)
        enc = lambda v: v.encode("utf-8", "surrogateescape")  # noqa: E731
        assert (d / "root").read_bytes() == enc(value), (value, code)
        assert [(d / f"known{i}").read_bytes() for i in range(len(items))] == [enc(v) for v in items], code
        assert not (d / f"known{len(items)}").exists()
        assert (d / "called").read_text() == "adopted"

    check()
    assert not list(tmp_path.rglob("pwned*"))


def test_env_shell_elvish_applies_the_activation(project, shell_env, tmp_path):
    assert subprocess.run(["envhook", "run", "true"], cwd=project, env=shell_env).returncode == 0
    out = tmp_path / "prefix"
    script = tmp_path / "script.elv"
    script.write_text(f"eval (envhook env --shell elvish | slurp)\nprint (search-external python) > {q('elvish', out)}\n")
    r = subprocess.run([require_shell("elvish"), "-norc", str(script)], cwd=project, env=shell_env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == str(project / ".venv" / "bin" / "python")


def _completions(s, line: str) -> list[str]:
    """What envhook's arg-completer offers for `line` (its words, the last one
    being completed), one candidate a line: a complex candidate by its stem."""
    out = s.run(f"$edit:completion:arg-completer[envhook] {line} | each {{|c| "
                "if (eq (kind-of $c) string) { echo $c } else { echo $c[stem] } }")
    assert "Exception" not in out, out
    return out.replace("\r", "").splitlines()


def test_the_hook_completes_envhooks_command_line(open_shell, tmp_path):
    """Loading the hook sets edit:completion:arg-completer[envhook]: asked
    from the command line of a real interactive elvish, it offers the
    parser's subcommands, envhook's shells after `hook` and `env --shell`,
    config's actions and keys, directories where a path goes, the active
    env's packages after `pin` (envhook answers: `envhook __complete`); Tab
    completes with it; loading the hook again keeps it, and a completer the user set before the
    hook stays theirs."""
    from envhook.cli import build_parser
    from envhook.prompt.shells import NAMES
    from envhook.store.settings import KEYS

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    (tmp_path / "d one").mkdir()
    (tmp_path / "afile").write_text("")
    s = open_shell(cwd=tmp_path)
    assert _completions(s, "envhook ''") == list(sub.choices)
    assert _completions(s, "envhook -q ''") == list(sub.choices)
    assert _completions(s, "envhook hook ''") == list(NAMES)
    assert _completions(s, "envhook env --shell ''") == list(NAMES)
    assert _completions(s, "envhook completion ''") == ["bash", "zsh", "fish"]
    assert _completions(s, "envhook config ''") == ["list", "get", "set", "unset"]
    assert _completions(s, "envhook config get ''") == list(KEYS)
    assert _completions(s, "envhook config set notify ''") == ["once", "always", "never"]
    assert _completions(s, "envhook status ''") == ["d one/"], "directories only"
    assert _completions(s, "envhook run -C ''") == ["d one/"]
    assert sorted(_completions(s, "envhook run -- python ''")) == ["afile", "d one/"], "as elvish completes `python `"
    assert _completions(s, "envhook hook bash ''") == []
    assert "--output" in _completions(s, "envhook hook -")
    sp = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    for name in ("Foo_Bar-1.0.dist-info", "zope.interface-6.0.dist-info", "requests"):
        (sp / name).mkdir(parents=True)
    s.run(f"set E:VIRTUAL_ENV = {q('elvish', tmp_path / 'venv')}")
    assert _completions(s, "envhook pin ''") == ["foo-bar", "zope-interface"], "the active env's packages"
    # What Tab does with it: `envhook comp<Tab> fi<Tab>` becomes `envhook completion fish`.
    s.send_raw("\x1b[200~envhook comp\x1b[201~\t\x1b[200~fi\x1b[201~\t\r")
    assert "completion for envhook: `envhook completion fish`" in s.expect_prompt()
    s.run("unset-env VIRTUAL_ENV")
    # The hook loaded again (its rc line, or the rc itself) keeps the one completer.
    s.run("var mine = $edit:completion:arg-completer[envhook]")
    s.run("eval (envhook hook elvish | slurp)")
    assert s.run("eq $mine $edit:completion:arg-completer[envhook]").strip().endswith("$true")
    assert _completions(s, "envhook ''") == list(sub.choices)

    theirs = open_shell(cwd=tmp_path, extra_rc="set edit:completion:arg-completer[envhook] = {|@w| put mine }\n")
    assert theirs.run("echo (count $edit:before-readline)").strip() == "1", "the hook loaded"
    assert _completions(theirs, "envhook ''") == ["mine"]


def test_the_completer_completes_a_subcommand_added_to_the_parser(open_shell, tmp_path):
    """The completer asks envhook at Tab (`envhook __complete`, the parser's
    walk): a subcommand added to the parser (in the test) is completed with
    no other edit."""
    from support.completing import envhook_with_a_new_subcommand

    (tmp_path / "work" / "d1").mkdir(parents=True)
    frob = envhook_with_a_new_subcommand(tmp_path / "bin")
    s = open_shell(cwd=tmp_path / "work")
    assert "frobnicate" not in _completions(s, "envhook ''"), "envhook's own parser has no such command"
    s.run(f"set paths = [{q('elvish', frob)} $@paths]")
    assert "frobnicate" in _completions(s, "envhook ''")
    assert _completions(s, "envhook frobnicate -") == ["--help", "--wibble", "--into"]
    assert _completions(s, "envhook frobnicate ''") == ["sweet", "sour"]
    assert _completions(s, "envhook frobnicate --into ''") == ["d1/"]


def test_doctor_in_a_hooked_elvish(open_shell, tmp_path):
    s = open_shell(cwd=tmp_path)
    out = s.run("envhook doctor").replace("\r", "")
    rc = Path(s.env["XDG_CONFIG_HOME"]) / "elvish" / "rc.elv"
    assert f"ok   hook line in {rc}" in out, out
    assert re.search(r"^ok   hook loaded in this elvish \(process \d+\)$", out, re.M), out
    assert "Traceback" not in out and "Exception" not in out
    assert "ok   completion of envhook's commands in this elvish" in out, "the hook's completer is loaded"


def test_the_rc_file_elvish_reads(tmp_path, shell_env, monkeypatch):
    """elvish 0.19 reads ~/.elvish/rc.elv, with a warning, when it exists, and
    $XDG_CONFIG_HOME/elvish/rc.elv otherwise: shell/rc-files and install.sh
    follow that."""
    import pexpect

    from envhook.prompt.shells.rcfiles import startup_files

    home = Path(shell_env["HOME"])
    xdg = Path(shell_env["XDG_CONFIG_HOME"]) / "elvish" / "rc.elv"
    legacy = home / ".elvish" / "rc.elv"
    xdg.parent.mkdir(parents=True, exist_ok=True)
    mark = tmp_path / "read"
    xdg.write_text(f"print xdg > {q('elvish', mark)}\n")

    def which_rc() -> str:
        mark.unlink(missing_ok=True)
        child = pexpect.spawn(shutil.which("elvish"), env=dict(shell_env, TERM="dumb"), cwd=str(tmp_path), timeout=30)
        deadline = time.monotonic() + 30
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        child.close(force=True)
        return mark.read_text()

    for var in ("HOME", "XDG_CONFIG_HOME"):  # rcfiles reads them from the environment
        monkeypatch.setenv(var, shell_env[var])
    assert which_rc() == "xdg"
    assert startup_files("elvish")[0] == str(xdg)
    legacy.parent.mkdir()
    legacy.write_text(f"print legacy > {q('elvish', mark)}\n")
    assert which_rc() == "legacy"
    assert startup_files("elvish")[0] == str(legacy)


_DRIVER = r"""
var edit: = (ns [&before-readline=[] &after-readline=[] &add-var~={|name value| } &completion:=(ns [&arg-completer=[&]])])
eval (slurp < $E:T_HOOK)
fn prompt { for h $edit:before-readline { $h } }
fn dump {|phase|
    var p = $E:T_OUT/$phase
    for n [VIRTUAL_ENV VIRTUAL_ENV_PROMPT ENVHOOK_STATE] {
        if (has-env $n) { print (get-env $n) > $p.$n }
    }
    print $E:PATH > $p.PATH
}
cd $E:T_SUB
dump adopted
cd $E:T_CWD
dump left
cd $E:T_ROOT
dump back
print x >> $E:T_WATCHED
prompt
print $pwd > $E:T_OUT/pwd
"""


def test_generated_names_round_trip_through_the_real_hook(tmp_path, shell_env):
    """The real hook, in a real elvish (a script: edit: is stood in for),
    with generated directory names: what a stand-in for envhook's Python
    prints (emit.remember, quoted by elvish.py) is adopted and activated;
    leaving restores PATH exactly; coming back by `cd` is answered by the
    project's slot without Python; a touched watched file wakes it."""
    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import strategies as st

    from envhook.env.activation import Activation
    from envhook.prompt.emit import remember
    from envhook.prompt.shells import get_shell

    exe = require_shell("elvish")
    sh = get_shell("elvish")
    template = sh.template_text()
    names = st.one_of(st.sampled_from(list(HOSTILE.values())), st.text(min_size=1, max_size=20),
                      st.binary(min_size=1, max_size=20).map(os.fsdecode))
    seq = iter(range(10**6))

    @settings(max_examples=100, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(name=names)
    def check(name):
        assume("/" not in name and "\0" not in name and name not in (".", "..", "pyproject.toml", "uv.lock"))
        base = tmp_path / f"ex{next(seq)}"
        out, cwd = base / "out", base / "cwd"
        out.mkdir(parents=True)
        cwd.mkdir()
        root = base / name / name
        sub = root / name
        venv = sub / ".venv"
        (venv / "bin").mkdir(parents=True)
        for f in (root / "pyproject.toml", root / "uv.lock", venv / "pyvenv.cfg", venv / "bin" / "python"):
            f.write_text("")
        stamp = base / name / f"stamp {name}"
        stamp.write_text("")
        os.utime(stamp, (1_700_000_100, 1_700_000_100))
        for f in (root, root / "pyproject.toml", root / "uv.lock", venv, venv / "pyvenv.cfg", sub):
            os.utime(f, (1_700_000_000, 1_700_000_000))
        root_s, sub_s, venv_s = os.fsdecode(root), os.fsdecode(sub), os.fsdecode(venv)
        prompt = f"({name}) "
        text = remember(sh, root=root_s, cwd=sub_s, known=sorted({root_s, sub_s}),
                        watch=[root_s, str(root / "pyproject.toml"), str(root / "uv.lock"), venv_s,
                               str(venv / "pyvenv.cfg")],
                        absent=[str(root / ".python-version")], present=[str(venv / "bin" / "python")],
                        stamp=str(stamp), act=Activation(venv_s, prompt, False, "in-sync"), told="x")
        (out / "remember").write_bytes(text.encode())
        # The stand-in for envhook's Python: says it was called, prints remember()'s text.
        fake = base / "fakepy"
        fake.write_text(f"#!/bin/sh\necho call >> {shlex.quote(str(out / 'calls'))}\n"
                        f"cat {shlex.quote(str(out / 'remember'))}\n")
        fake.chmod(0o755)
        hook = base / "hook.elv"
        hook.write_text(sh.render(template, hook_values(sh, {"ENVHOOK_PYTHON": str(fake), "ENVHOOK_PYPATH": ["/nowhere"],
                                             "ENVHOOK_ENTRY": "", "ENVHOOK_SESSION": "s", "ENVHOOK_PARANOID": ""})))
        env = {k: v for k, v in shell_env.items() if k not in ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "ENVHOOK_DISABLE")}
        env.update(PATH="/usr/bin:/bin", T_HOOK=str(hook), T_OUT=str(out), T_SUB=sub_s, T_ROOT=root_s,
                   T_CWD=str(cwd), T_WATCHED=str(root / "uv.lock"))
        r = subprocess.run([exe, "-norc", "-c", _DRIVER], cwd=cwd, capture_output=True, timeout=60,
                           env={k: os.fsencode(v) for k, v in env.items()})
        assert r.returncode == 0 and r.stderr == b"", (name, r.stderr.decode(errors="replace"))
        b = os.fsencode
        assert (out / "calls").read_text() == "call\ncall\n", (name, "Python ran at the first cd and after the touch")
        for phase in ("adopted", "back"):
            assert (out / f"{phase}.VIRTUAL_ENV").read_bytes() == b(venv_s), (phase, name)
            assert (out / f"{phase}.VIRTUAL_ENV_PROMPT").read_bytes() == b(prompt), (phase, name)
            assert (out / f"{phase}.ENVHOOK_STATE").read_bytes() == b"in-sync", (phase, name)
            assert (out / f"{phase}.PATH").read_bytes() == b(venv_s) + b"/bin:/usr/bin:/bin", (phase, name)
        assert not (out / "left.VIRTUAL_ENV").exists() and not (out / "left.ENVHOOK_STATE").exists(), name
        assert (out / "left.PATH").read_bytes() == b"/usr/bin:/bin", name
        assert (out / "pwd").read_bytes() == b(root_s), name
        assert list(cwd.iterdir()) == [], name

    check()
    assert not list(tmp_path.rglob("pwned*"))
