"""The hooks keep their own walk-up (which project is this directory in?),
because the quiet prompt and `cd` into a known tree must start no process.
The rule itself is Python's, `paths.nearest_project_dir`; this module holds
each hook's builtin walk to it on a table of trees, visited in an order that
makes the hook's directory cache answer too (a directory below one it has
seen stops the walk there)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from envhook.prompt.shells import get_shell
from envhook.store import paths
from support.shell import require_shell

# Each tree: the files it holds (a trailing "/" makes a directory). The
# directories visited are every directory of the tree.
TREES = {
    "pyproject": ["p/pyproject.toml", "p/src/pkg/"],
    "docs requirements stay in the project": ["p/pyproject.toml", "p/docs/requirements.txt", "p/docs/deep/"],
    "requirements alone make a project": ["r/requirements.txt", "r/a/b/"],
    "nested projects": ["o/pyproject.toml", "o/i/pyproject.toml", "o/i/x/", "o/y/"],
    "nearer requirements win over farther ones": ["r1/requirements.txt", "r1/r2/requirements.txt", "r1/r2/x/"],
    "a pyproject above requirements wins": ["p/pyproject.toml", "p/r/requirements.txt", "p/r/x/"],
    "a directory named pyproject.toml is no project": ["d/pyproject.toml/", "d/sub/"],
    "nothing": ["plain/a/b/"],
    "hostile names": ["'\";&&e-$ èрт🚒♞中片-j/pyproject.toml", "'\";&&e-$ èрт🚒♞中片-j/$(touch pwned)/a b/",
                      "x\ny/requirements.txt", "x\ny/-o ! ( a/"],
}

# The driver: source the hook; Python is never called (its export is
# stubbed); cd to each directory of the list (NUL-separated) as the prompt
# would find it, and print what the walk found, "-" for no project.
_DRIVER = {
    "bash": r"""
source "$T_HOOK"
_envhook_export() { :; }
while IFS= read -r -d '' d; do
    builtin cd -- "$d" || exit 9
    _envhook_cd
    printf '%s\0' "$_envhook_found"
done < "$T_LIST"
""",
}
_DRIVER["zsh"] = _DRIVER["bash"]
_DRIVER["fish"] = r"""
source $T_HOOK
function _envhook_export; end
for d in (string split0 < $T_LIST)
    builtin cd -- $d; or exit 9
    _envhook_cd
    set -l i (contains -i -- $PWD $_envhook_dir_keys)
    printf '%s\0' $_envhook_dir_vals[$i]
end
"""

# xonsh: its walk runs in the hook's cd() when xonsh changes directory; the
# Python it would call is /bin/true here (prints nothing, changes nothing).
_DRIVER["xonsh"] = r"""
import os
execx(open($T_HOOK).read())
ns = __xonsh__._envhook_ns
ns["config"]["python"] = "/bin/true"
out = []
for d in open($T_LIST, "rb").read().split(b"\0")[:-1]:
    cd @(os.fsdecode(d))
    out.append(os.fsencode(ns["found"]) + b"\0")
import sys
sys.stdout.buffer.write(b"".join(out))
"""
# nushell: the walk is its own command, __envhook_find ("" for none).
_DRIVER["nu"] = r"""
source __HOOK__
for d in (open --raw $env.T_LIST | decode utf-8 | split row (char nul) | drop 1) {
    cd $d
    let f = (__envhook_find $d)
    print -n $"(if $f == "" { "-" } else { $f })(char nul)"
}
"""
# elvish: its walk lives in the hook's closures; the prompt hook it registers
# carries it as its option &envhook-walk. A script has no edit: (the line
# editor's), so it gets a namespace of that name, as bench/run.py's does.
_DRIVER["elvish"] = r"""
use str
var edit: = (ns [&before-readline=[] &after-readline=[] &add-var~={|name value| } &completion:=(ns [&arg-completer=[&]])])
eval (slurp < $E:T_HOOK)
var walk = $nil
for h $edit:before-readline {
    try {
        var names = $h[opt-names]
        for i [(range (count $names))] { if (eq $names[$i] envhook-walk) { set walk = $h[opt-defaults][$i] } }
    } catch { }
}
for d [(str:split "\x00" (slurp < $E:T_LIST))] {
    if (not-eq $d '') { print ($walk $d)"\x00" }
}
"""
# tcsh: cd.tcsh walks and leaves $_envhook_found ("" for none); the Python
# it may call is /bin/true. tcsh reads no NUL list: the test writes a line per
# directory, quoted by the hook's own quoting (a newline inside quotes).
_DRIVER["tcsh"] = None


def _tcsh_script(hook: Path, order: list[Path]) -> str:
    from envhook.prompt.shells.tcsh import tcsh_quote

    lines = [f"eval \"`cat {tcsh_quote(str(hook))}`\"", "set _envhook_python = /bin/true"]
    for d in order:
        lines += [f"cd {tcsh_quote(str(d))}", "source $_envhook_dir:q/cd.tcsh",
                  "if ( x$_envhook_found:q == x ) set _envhook_found = -",
                  "printf '%s\\0' $_envhook_found:q"]
    return "\n".join(lines) + "\n"


def _tree(base: Path, files: list[str]) -> list[Path]:
    dirs = {base}
    for f in files:
        p = base / f
        if f.endswith("/"):
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("")
        dirs.update(q for q in [p, *p.parents] if base in q.parents or q == base)
    return sorted(d for d in dirs if d.is_dir())


@pytest.mark.parametrize("tree", list(TREES))
@pytest.mark.parametrize("shell", list(_DRIVER))
def test_the_hooks_walk_up_finds_what_pythons_rule_finds(shell, tree, tmp_path, shell_env):
    exe = require_shell(shell)
    hook = tmp_path / f"hook.{shell}"
    hook.write_bytes(subprocess.run(["envhook", "hook", shell], env=shell_env, capture_output=True, check=True).stdout)
    base = tmp_path / "trees"
    base.mkdir()
    dirs = _tree(base, TREES[tree])
    # Top-down, then bottom-up, then top-down again: the cache answers the
    # second and third visits, and a walk from below meets directories it knows.
    order = [*dirs, *reversed(dirs), *dirs]
    listing = tmp_path / "list"
    listing.write_bytes(b"".join(os.fsencode(d) + b"\0" for d in order))
    env = dict(shell_env, T_HOOK=str(hook), T_LIST=str(listing), LC_ALL="C.UTF-8")
    if shell == "tcsh":
        script = tmp_path / "driver.tcsh"
        script.write_text(_tcsh_script(hook, order))
        argv = [exe, "-f", str(script)]
    else:
        # nushell sources only a path known when it parses.
        driver = _DRIVER[shell].replace("__HOOK__", get_shell("nu").quote(str(hook)))
        argv = {"xonsh": [exe, "--no-rc", "-c"], "nu": [exe, "-n", "-c"], "elvish": [exe, "-norc", "-c"]}.get(
            shell, [exe, "-c"]) + [driver]
    r = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert r.returncode == 0 and r.stderr == b"", r.stderr.decode(errors="replace")
    found = [os.fsdecode(f) for f in r.stdout.split(b"\0")[:-1]]
    want = [paths.nearest_project_dir(str(d)) or "-" for d in order]
    assert found == want
    assert not (tmp_path / "pwned").exists() and not list(base.rglob("pwned"))
