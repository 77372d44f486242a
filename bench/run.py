#!/usr/bin/env python3
"""Benchmark envhook's shell hook against direnv, mise and uv itself.

    uv run python bench/run.py [--quick] [--json PATH]

Run from the repository root: `uv run` puts this checkout's envhook in .venv.
Everything runs in a throwaway directory with its own HOME and XDG_* dirs and
offline uv projects built from hand-made wheels (tests/support), so the
numbers never depend on the user's own config, caches or network.

bench/README.md explains each row and the method; in short:

* rows 1-4 (what a prompt costs) run one non-interactive shell per sample that
  sources the tool's hook and fires the shell's own prompt events N times,
  timed by the shell's clock, minus the same loop with an empty hook;
* rows 5-6 time single hook calls (a new shell's first prompt, a prompt after
  the lock changed) the same way, one window per call;
* row 7 times whole processes from here;
* every row also counts the processes started per call with strace.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
TOOLS_DIR = BENCH / ".tools"  # local npm prefix for mise (gitignored)

# tests/support builds the offline wheels and projects; reuse it, don't copy it.
sys.path.insert(0, str(REPO / "tests"))
from support.projects import make_project, set_dependencies, uv_env, uv_lock, uv_sync  # noqa: E402
from support.wheels import build_wheel, build_wheelhouse  # noqa: E402

SHELLS = ("bash", "zsh", "fish")
# The prompt rows (1-3) also run in xonsh, whose hook lives in its own Python,
# in nushell, elvish and tcsh; NO_HOOK says which tool hooks which not.
PROMPT_SHELLS = (*SHELLS, "xonsh", "nu", "elvish", "tcsh")
# Which tool has no hook for which shell: its cells say so.
NO_HOOK = {("direnv", "xonsh"), ("direnv", "nu"), ("mise", "tcsh")}
DEPTHS = (2, 12)
BIG_DISTS = 1000

# The issue's targets.
PROMPT_MAX_RATIO = 0.02  # rows 1-4: envhook <= 0.02 x direnv, and 0 processes
# ...but elvish 0.19 has no builtin that reads an mtime: inside a project its
# hook runs exactly one `test` per prompt (shell/envhook.elv), its target there.
PROMPT_PROCS = {("elvish", "1"): 1, ("elvish", "3"): 1}
ENTRY_MAX_VS_DIRENV = 0.7  # row 5
ENTRY_MAX_VS_PYTHON = 1.3  # row 5, and exactly 1 process
SYNC_MAX_RATIO = 1.15  # row 6
STATUS_MAX_RATIO = 5.0  # row 7


@dataclass
class Config:
    repeats: int  # R: samples per measurement
    target_s: float  # how long one timed loop should last
    fresh_samples: int  # samples for single-call rows (5, 6), one shell each for row 5
    strace_n: int  # loop iterations under strace when counting processes


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(argv: list[str], **kw) -> subprocess.CompletedProcess[str]:
    """subprocess.run that says what failed, with its output."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("capture_output", True)
    proc = subprocess.run(argv, text=True, check=False, **kw)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(argv)} exited {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
    return proc


def first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError as e:
        return f"n/a ({e})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "n/a"


# ----------------------------------------------------------------- the tools


@dataclass
class Tools:
    uv: str
    direnv: str
    strace: str
    shells: dict[str, str]
    envhook: str
    mise: str | None
    mise_reason: str  # why mise is n/a, when it is


def _real_binary(name: str) -> str | None:
    """The real executable behind `name`: a pyenv shim is a bash script that
    costs ~50 ms and several processes per call, which would be billed to
    whatever calls it (envhook's sync calls uv)."""
    found = shutil.which(name)
    if found is None:
        return None
    found = os.path.realpath(found)
    with open(found, "rb") as f:
        is_script = f.read(2) == b"#!"
    if is_script and shutil.which("pyenv"):
        out = subprocess.run(["pyenv", "which", name], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            return os.path.realpath(out.stdout.strip())
    return found


def _apt_install(packages: list[str]) -> None:
    if not packages:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(f"missing {', '.join(packages)}; install them (apt-get needs root)")
    log(f"apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", *packages], env=env)


def _find_mise() -> tuple[str | None, str]:
    """mise from PATH, else from (or installed into) the local npm prefix
    bench/.tools. Never fatal: without it the mise columns say n/a."""

    def works(path: Path | str | None) -> bool:
        if not path or not os.path.exists(path):
            return False
        p = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)
        return p.returncode == 0

    on_path = shutil.which("mise")
    if works(on_path):
        return os.path.realpath(on_path), ""
    local = TOOLS_DIR / "node_modules" / ".bin" / "mise"
    if not works(local):
        npm = shutil.which("npm")
        if npm is None:
            return None, "mise is not installed and npm is not there to install it"
        log("installing mise from npm into bench/.tools")
        TOOLS_DIR.mkdir(parents=True, exist_ok=True)
        for pkg in ("@jdxcode/mise", "@jdxcode/mise-linux-x64"):
            p = subprocess.run(
                [npm, "install", "--prefix", str(TOOLS_DIR), "--no-audit", "--no-fund", pkg],
                capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
            )
            if works(local):
                break
            # @jdxcode/mise fetches its binary in a preinstall script that npm
            # may refuse to run; the platform package carries the binary itself.
            arch_bin = TOOLS_DIR / "node_modules" / "@jdxcode" / "mise-linux-x64" / "bin" / "mise"
            if works(arch_bin):
                local = arch_bin
                break
        else:
            tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"npm could not install a working mise ({tail[0]})"
    return os.path.realpath(local), ""


def _shell_exe(name: str) -> str:
    # xonsh comes with the dev group, next to this interpreter.
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit(f"{name} is not installed (xonsh: `uv sync` brings it with the dev group; "
                         "nu: `npm install -g nushell@0.108.0`)")
    return found


def find_tools() -> Tools:
    missing = [pkg for cmd, pkg in (("direnv", "direnv"), ("strace", "strace"), ("zsh", "zsh"), ("fish", "fish"),
                                    ("tcsh", "tcsh"))
               if shutil.which(cmd) is None]
    _apt_install(missing)
    uv = _real_binary("uv")
    if uv is None:
        raise SystemExit("uv is not on PATH; it is what envhook drives")
    envhook = Path(sys.executable).parent / "envhook"
    if not envhook.exists():
        raise SystemExit(f"envhook is not installed next to {sys.executable}; run `uv run python bench/run.py`")
    mise, reason = _find_mise()
    if mise is None:
        log(f"mise: n/a ({reason})")
    return Tools(
        uv=uv,
        direnv=os.path.realpath(shutil.which("direnv")),
        strace=shutil.which("strace"),
        shells={s: os.path.realpath(_shell_exe(s)) for s in PROMPT_SHELLS},
        envhook=str(envhook),
        mise=mise,
        mise_reason=reason,
    )


def machine_info(tools: Tools) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    # --no-optional-locks: only read, never refresh the index.
    dirty = subprocess.run(["git", "--no-optional-locks", "-C", str(REPO), "diff", "--quiet", "HEAD"],
                           capture_output=True, check=False)
    return {
        "uname": " ".join(platform.uname()),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "git_head": git.stdout.strip() or None,
        "worktree_dirty": dirty.returncode == 1,
        "versions": {
            "bash": first_line([tools.shells["bash"], "--version"]),
            "zsh": first_line([tools.shells["zsh"], "--version"]),
            "fish": first_line([tools.shells["fish"], "--version"]),
            "xonsh": first_line([tools.shells["xonsh"], "--version"]),
            "nu": first_line([tools.shells["nu"], "--version"]),
            "elvish": first_line([tools.shells["elvish"], "-version"]),
            "tcsh": first_line([tools.shells["tcsh"], "--version"]),
            "direnv": first_line([tools.direnv, "version"]),
            "mise": first_line([tools.mise, "--version"]) if tools.mise else f"n/a ({tools.mise_reason})",
            "uv": first_line([tools.uv, "--version"]),
            "python": sys.version.split()[0] + f" ({sys.executable})",
            "envhook": first_line([tools.envhook, "--version"]),
            "strace": first_line([tools.strace, "-V"]),
        },
    }


# ---------------------------------------------------------- shell dialects
#
# A "command line" is emulated as an interactive shell runs it: preexec
# events, the command, then the prompt events. Firing the events (rather than
# calling one function) runs every handler a tool registered, e.g. mise's cd
# wrapper in bash and the PWD handlers in fish, and direnv's fish preexec
# handler that drops its cd hook before each command.


class Dialect:
    name: str
    exe: str
    # Register an empty function in the slots envhook's hook uses: the
    # baseline that the tools' loops are compared against.
    noop: tuple[str, ...]
    header: tuple[str, ...]

    def __init__(self, exe: str):
        self.exe = exe

    def argv(self, script: Path) -> list[str]:
        raise NotImplementedError

    def q(self, s: str) -> str:
        return shlex.quote(s)

    def source(self, path: Path) -> str:
        return f"source {self.q(str(path))}"

    def cd(self, path: Path) -> str:
        return f"cd {self.q(str(path))}"

    def line(self, cmd: str) -> list[str]:
        """`cmd` typed at the prompt, then the next prompt."""
        raise NotImplementedError

    def prompt(self) -> list[str]:
        return ["__bench_prompt"]

    # Results go to the file named by $__bench_out, appended with builtins
    # only: "TAG T0 T1" per timed window, "TAG VALUE" per recorded value.
    def set_out(self, out: Path) -> str:
        raise NotImplementedError

    def window(self, tag: str, body: list[str], n: int) -> list[str]:
        """Lines that time `body` run `n` times (a loop when n > 1)."""
        raise NotImplementedError

    def record_var(self, tag: str, var: str) -> list[str]:
        raise NotImplementedError

    def record_file(self, tag: str, path: Path) -> list[str]:
        """Record the first line of `path`."""
        raise NotImplementedError


class Posix(Dialect):
    """bash and zsh: $EPOCHREALTIME is a builtin clock with µs (bash) or ns (zsh) digits."""

    def window(self, tag, body, n):
        body = body or [":"]
        lines = ["__bench_t0=$EPOCHREALTIME"]
        if n == 1:
            lines += body
        else:
            lines.append(f"for ((__bench_i = 0; __bench_i < {n}; __bench_i++)); do")
            lines += ["  " + b for b in body]
            lines.append("done")
        lines += ["__bench_t1=$EPOCHREALTIME",
                  f"printf '%s %s %s\\n' {tag} \"$__bench_t0\" \"$__bench_t1\" >> \"$__bench_out\""]
        return lines

    def set_out(self, out):
        return f"__bench_out={self.q(str(out))}"

    def record_var(self, tag, var):
        return [f"printf '%s %s\\n' {tag} \"${{{var}-}}\" >> \"$__bench_out\""]

    def record_file(self, tag, path):
        return [f"IFS= read -r __bench_l < {self.q(str(path))}",
                f"printf '%s %s\\n' {tag} \"$__bench_l\" >> \"$__bench_out\""]


class Bash(Posix):
    name = "bash"
    noop = ("__bench_noop() { :; }", "PROMPT_COMMAND=__bench_noop")
    header = (
        # What bash runs before each prompt: every element of PROMPT_COMMAND.
        '__bench_prompt() { local __bench_c; for __bench_c in "${PROMPT_COMMAND[@]}"; do eval "$__bench_c"; done; }',
    )

    def argv(self, script):
        return [self.exe, "--norc", "--noprofile", str(script)]

    def line(self, cmd):
        return [cmd, "__bench_prompt"]  # bash has no preexec of its own


class Zsh(Posix):
    name = "zsh"
    noop = ("__bench_noop() { : }", "autoload -Uz add-zsh-hook",
            "add-zsh-hook precmd __bench_noop", "add-zsh-hook chpwd __bench_noop")
    header = (
        "zmodload zsh/datetime",  # $EPOCHREALTIME
        "__bench_prompt() { local __bench_f; for __bench_f in $precmd_functions; do $__bench_f; done }",
        "__bench_preexec() { local __bench_f; for __bench_f in $preexec_functions; do $__bench_f; done }",
    )

    def argv(self, script):
        return [self.exe, "-f", str(script)]  # -f: no rc files

    def line(self, cmd):
        # chpwd_functions run on `cd` by themselves, also in a script.
        return ["__bench_preexec", cmd, "__bench_prompt"]


class Fish(Dialect):
    """fish has no clock builtin: `date +%s%N` brackets the window. Its own
    cost (~1 ms) is measured by the empty clock windows and subtracted."""

    name = "fish"
    noop = ("function __bench_noop --on-event fish_prompt --on-variable PWD; end",)
    header = ("function __bench_prompt; emit fish_prompt; end",)

    def argv(self, script):
        return [self.exe, "--no-config", str(script)]

    def q(self, s):
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def line(self, cmd):
        return [f"emit fish_preexec {self.q(cmd)}", cmd, f"emit fish_postexec {self.q(cmd)}", "emit fish_prompt"]

    def window(self, tag, body, n):
        body = body or [":"]
        lines = []
        if n > 1:
            lines.append(f"set __bench_r (seq {n})")  # outside the window: seq is a process
        lines.append("set __bench_t0 (date +%s%N)")
        if n == 1:
            lines += body
        else:
            lines.append("for __bench_i in $__bench_r")
            lines += ["  " + b for b in body]
            lines.append("end")
        lines += ["set __bench_t1 (date +%s%N)",
                  f"printf '%s %s %s\\n' {tag} $__bench_t0 $__bench_t1 >> $__bench_out"]
        return lines

    def set_out(self, out):
        return f"set -g __bench_out {self.q(str(out))}"

    def record_var(self, tag, var):
        return [f"printf '%s %s\\n' {tag} \"${var}\" >> $__bench_out"]

    def record_file(self, tag, path):
        return [f"read -l __bench_l < {self.q(str(path))}",
                f"printf '%s %s\\n' {tag} \"$__bench_l\" >> $__bench_out"]


class Xonsh(Dialect):
    """xonsh runs the script as xonsh code: time.perf_counter() is the clock,
    a prompt fires the events xonsh fires before drawing one."""

    name = "xonsh"
    noop = ("events.on_pre_prompt_format(lambda **kw: None)", "events.on_chdir(lambda **kw: None)")
    header = (
        "import time as __bench_time",
        "def __bench_prompt():\n    events.on_pre_prompt_format.fire()\n    events.on_pre_prompt.fire()",
    )

    def argv(self, script):
        return [self.exe, "--no-rc", str(script)]

    def q(self, s):
        return repr(s)

    def source(self, path):
        return f"execx(open({self.q(str(path))}).read())"

    def cd(self, path):
        return f"cd @({self.q(str(path))})"

    def prompt(self):
        return ["__bench_prompt()"]

    def line(self, cmd):
        cmd = "pass" if cmd == ":" else cmd
        return [f"events.on_precommand.fire(cmd={self.q(cmd)})", cmd,
                f"events.on_postcommand.fire(cmd={self.q(cmd)}, rtn=0, out=None, ts=[0, 0])", "__bench_prompt()"]

    def window(self, tag, body, n):
        body = body or ["pass"]
        lines = ["__bench_t0 = __bench_time.perf_counter()"]
        if n == 1:
            lines += body
        else:
            lines.append(f"for __bench_i in range({n}):")
            lines += ["    " + b for b in body]
        lines += ["__bench_t1 = __bench_time.perf_counter()",
                  f"print({tag!r}, f'{{__bench_t0:.9f}}', f'{{__bench_t1:.9f}}', file=open(__bench_out, 'a'))"]
        return lines

    def set_out(self, out):
        return f"__bench_out = {self.q(str(out))}"

    def record_var(self, tag, var):
        return [f"print({tag!r}, __xonsh__.env.get({var!r}, ''), file=open(__bench_out, 'a'))"]

    def record_file(self, tag, path):
        return [f"print({tag!r}, open({self.q(str(path))}).readline().rstrip('\\n'), file=open(__bench_out, 'a'))"]


class Nu(Dialect):
    """nushell runs the script as a nushell script: `date now` is the clock
    (integer ns). A prompt runs what nushell's REPL runs before drawing one:
    the pre_prompt hooks, then the env_change.PWD hooks when PWD moved."""

    name = "nu"
    noop = ("$env.config.hooks.pre_prompt = [{|| null }]",
            "$env.config.hooks.env_change = {PWD: [{|before, after| null }]}")
    header = (
        "$env.__bench_pwd = $env.PWD",
        # A hook is a closure, or a record of a condition and its code (mise's).
        "def --env __bench_run [hook, ...args] {\n"
        "    if ($hook | describe | str starts-with record) {\n"
        "        if (do $hook.condition ...$args) { do --env $hook.code ...$args }\n"
        "    } else {\n"
        "        do --env $hook ...$args\n"
        "    }\n"
        "}",
        "def --env __bench_prompt [] {\n"
        "    for c in ($env.config.hooks.pre_prompt? | default []) { __bench_run $c }\n"
        "    if $env.PWD != $env.__bench_pwd {\n"
        "        let before = $env.__bench_pwd\n"
        "        $env.__bench_pwd = $env.PWD\n"
        "        for c in ($env.config.hooks.env_change?.PWD? | default []) { __bench_run $c $before $env.PWD }\n"
        "    }\n"
        "}",
        "def --env __bench_preexec [] { for c in ($env.config.hooks.pre_execution? | default []) { __bench_run $c } }",
    )

    def argv(self, script):
        return [self.exe, "-n", str(script)]  # -n: no config files

    def source(self, path):
        # mise's nushell code is a module, loaded as its docs say (`use`):
        # sourced, its `main` would run as the script's main. envhook's is a file to source.
        return f"{'use' if path.name.startswith('mise.') else 'source'} {self.q(str(path))}"

    def q(self, s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def line(self, cmd):
        cmd = "null" if cmd == ":" else cmd
        return ["__bench_preexec", cmd, "__bench_prompt"]

    def window(self, tag, body, n):
        body = body or ["null"]
        lines = ["$env.__bench_t0 = (date now | into int)"]
        if n == 1:
            lines += body
        else:
            lines.append(f"for __bench_i in 1..{n} {{")
            lines += ["    " + b for b in body]
            lines.append("}")
        lines += ["$env.__bench_t1 = (date now | into int)",
                  f'$"{tag} ($env.__bench_t0) ($env.__bench_t1)\n" | save -a $env.__bench_out']
        return lines

    def set_out(self, out):
        return f"$env.__bench_out = {self.q(str(out))}"

    def record_var(self, tag, var):
        return [f'$"{tag} ($env.{var}? | default \'\')\n" | save -a $env.__bench_out']

    def record_file(self, tag, path):
        return [f'$"{tag} (open --raw {self.q(str(path))} | lines | first)\n" | save -a $env.__bench_out']


class Elvish(Dialect):
    """elvish reads its hooks from edit:, which exists only in an interactive
    shell: the script gets a namespace of that name holding the variables
    the hooks append to (before-readline, after-readline), add-var and the
    completion:arg-completer map the hook adds envhook's completer to, and a
    prompt runs each before-readline hook as the line editor would. `cd`
    runs after-chdir by itself. The clock is `time &on-end`."""

    name = "elvish"
    noop = ("set edit:before-readline = [$@edit:before-readline { }]", "set after-chdir = [$@after-chdir {|d| }]")
    header = (
        "var edit: = (ns [&before-readline=[] &after-readline=[] &add-var~={|name value| } "
        "&completion:=(ns [&arg-completer=[&]])])",
        "fn __bench_prompt { for h $edit:before-readline { $h } }",
    )

    def argv(self, script):
        return [self.exe, "-norc", str(script)]

    def q(self, s):
        from envhook.prompt.shells.elvish import elvish_quote

        return elvish_quote(s)

    def source(self, path):
        return f"eval (slurp < {self.q(str(path))})"

    def line(self, cmd):
        cmd = "nop" if cmd == ":" else cmd
        return [f"for h $edit:after-readline {{ $h {self.q(cmd)} }}", cmd, "__bench_prompt"]

    def window(self, tag, body, n):
        body = body or ["nop"]
        lines = []
        if n > 1:
            lines.append(f"var __bench_r = [(range {n})]")  # outside the window
        lines.append(f'time &on-end={{|d| printf "{tag} 0 %.9f\\n" $d >> $__bench_out }} {{')
        if n == 1:
            lines += ["  " + b for b in body]
        else:
            lines.append("  for __bench_i $__bench_r {")
            lines += ["    " + b for b in body]
            lines.append("  }")
        lines.append("}")
        return lines

    def set_out(self, out):
        return f"var __bench_out = {self.q(str(out))}"

    def record_var(self, tag, var):
        return [f"echo {tag} $E:{var} >> $__bench_out"]

    def record_file(self, tag, path):
        return [f"echo {tag} (from-lines < {self.q(str(path))} | take 1) >> $__bench_out"]


class Tcsh(Dialect):
    """tcsh has no clock builtin either: `date +%s%N` in backquotes brackets
    the window, as in fish, and its cost is subtracted the same way. A prompt
    is the precmd alias run by name; cwdcmd runs by itself on `cd`, also in a
    script."""

    name = "tcsh"
    noop = ("alias precmd 'set __bench_x = 1'", "alias cwdcmd 'set __bench_x = 1'")
    header = ()

    def argv(self, script):
        return [self.exe, "-f", str(script)]  # -f: no ~/.tcshrc

    def q(self, s):
        from envhook.prompt.shells.tcsh import tcsh_quote

        return tcsh_quote(s)

    def prompt(self):
        return ["precmd"]

    def line(self, cmd):
        cmd = "set __bench_x = 1" if cmd == ":" else cmd
        return [cmd, "precmd"]

    def window(self, tag, body, n):
        body = body or ["set __bench_x = 1"]
        lines = ["set __bench_t0 = `date +%s%N`"]
        if n == 1:
            lines += body
        else:
            lines += ["@ __bench_i = 0", f"while ( $__bench_i < {n} )"]
            lines += ["  " + b for b in body]
            lines += ["  @ __bench_i++", "end"]
        lines += ["set __bench_t1 = `date +%s%N`",
                  f"echo {tag} $__bench_t0 $__bench_t1 >> $__bench_out:q"]
        return lines

    def set_out(self, out):
        return f"set __bench_out = {self.q(str(out))}"

    def record_var(self, tag, var):
        return [f"if ( $?{var} ) then", f"  echo {tag} ${var}:q >> $__bench_out:q", "else",
                f"  echo {tag} >> $__bench_out:q", "endif"]

    def record_file(self, tag, path):
        return [f"set __bench_l = \"`head -n 1 {self.q(str(path))}`\"", f"echo {tag} $__bench_l:q >> $__bench_out:q"]


# ------------------------------------------------------- plans and results


@dataclass
class Step:
    """One timed window: `body` runs `n` times inside it."""

    body: list[str]
    n: int = 1
    prep: list[str] = field(default_factory=list)  # untimed, before the window
    post: list[str] = field(default_factory=list)  # untimed, after it (checks)
    tag: str = "w"


@dataclass
class Plan:
    """One shell process: source a hook, get somewhere, time some steps."""

    shell: str
    prelude: list[str]  # sourcing the hook (untimed)
    setup: list[str]  # cd, warm-up calls (untimed)
    steps: list[Step]

    def hollow(self) -> Plan:
        """The same script with every timed body replaced by `:`; what it
        starts is what everything but the bodies starts."""
        return replace(self, steps=[replace(s, body=[]) for s in self.steps])

    @property
    def iterations(self) -> int:
        """Body runs in all steps (warm-up ones too: hollow() empties them all)."""
        return sum(s.n for s in self.steps)


@dataclass
class ScriptResult:
    windows: dict[str, list[float]]  # tag -> durations (s), clock overhead subtracted
    records: dict[str, list[str]]
    clock_s: float


CLOCK_WINDOWS = 5


class Runner:
    """Writes plans out as scripts and runs them in the sandbox's environment."""

    def __init__(self, sandbox: Sandbox, tools: Tools):
        self.sb = sandbox
        self.tools = tools
        self.dialects: dict[str, Dialect] = {
            "bash": Bash(tools.shells["bash"]),
            "zsh": Zsh(tools.shells["zsh"]),
            "fish": Fish(tools.shells["fish"]),
            "xonsh": Xonsh(tools.shells["xonsh"]),
            "nu": Nu(tools.shells["nu"]),
            "elvish": Elvish(tools.shells["elvish"]),
            "tcsh": Tcsh(tools.shells["tcsh"]),
        }
        self._seq = 0
        self.dir = sandbox.base / "scripts"
        self.dir.mkdir()

    def _write(self, plan: Plan) -> tuple[list[str], Path]:
        d = self.dialects[plan.shell]
        self._seq += 1
        script = self.dir / f"{self._seq:05d}.{plan.shell}"
        out = self.dir / f"{self._seq:05d}.out"
        lines = [d.set_out(out), *d.header, *plan.prelude, *plan.setup]
        # Empty windows first: what the clock itself costs in this shell.
        for _ in range(CLOCK_WINDOWS):
            lines += d.window("c", [], 1)
        for step in plan.steps:
            lines += step.prep + d.window(step.tag, step.body, step.n) + step.post
        script.write_text("\n".join(lines) + "\n")
        return d.argv(script), out

    def run(self, plan: Plan) -> ScriptResult:
        argv, out = self._write(plan)
        proc = subprocess.run(argv, cwd=self.sb.base, env=self.sb.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=900, check=False)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"{shlex.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        return self._parse(out)

    def _parse(self, out: Path) -> ScriptResult:
        raw: dict[str, list[Decimal]] = {}
        records: dict[str, list[str]] = {}
        for line in out.read_text().splitlines():
            tag, _, rest = line.partition(" ")
            if tag in ("c", "w", "x"):
                t0, t1 = (self._clock(v) for v in rest.split())
                raw.setdefault(tag, []).append(t1 - t0)
            else:
                records.setdefault(tag, []).append(rest)
        clock = statistics.median(raw.pop("c"))
        windows = {tag: [float(v - clock) for v in vals] for tag, vals in raw.items()}
        return ScriptResult(windows, records, float(clock))

    @staticmethod
    def _clock(value: str) -> Decimal:
        # bash/zsh: seconds with a fraction; fish (date +%s%N): integer ns.
        return Decimal(value) if "." in value else Decimal(value) / Decimal(10**9)

    def count_execs(self, plan: Plan) -> int:
        """Successful execve/execveat calls of the whole shell process."""
        argv, _ = self._write(plan)
        trace = self.dir / f"{self._seq:05d}.strace"
        subprocess.run([self.tools.strace, "-f", "-qq", "-e", "trace=execve,execveat", "-o", str(trace), *argv],
                       cwd=self.sb.base, env=self.sb.env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=900, check=True)
        return count_execve(trace)

    def procs_per_call(self, plan: Plan, calls_per_iteration: int = 1) -> dict:
        """Processes per call: (plan - plan with empty bodies) / iterations."""
        full, hollow = self.count_execs(plan), self.count_execs(plan.hollow())
        per = (full - hollow) / (plan.iterations * calls_per_iteration)
        return {"per_call": per, "execs": full, "execs_without_body": hollow,
                "iterations": plan.iterations * calls_per_iteration}


# An execve that returned 0; the `<... execve resumed>) = 0` half of a call
# that strace split across lines counts once (its first half has no result).
_EXEC_OK = re.compile(r"execve(?:at)?\b.*= 0$")


def count_execve(trace: Path) -> int:
    return sum(1 for line in trace.read_text().splitlines() if _EXEC_OK.search(line))


def count_execs_of(argv: list[str], cwd: Path, env: dict, strace: str, scratch: Path) -> int:
    trace = scratch / "whole.strace"
    subprocess.run([strace, "-f", "-qq", "-e", "trace=execve,execveat", "-o", str(trace), *argv],
                   cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=900, check=True)
    return count_execve(trace)


# ------------------------------------------------------------- the sandbox


class Sandbox:
    """A temp dir with its own HOME/XDG dirs, a bin dir and the projects."""

    def __init__(self, base: Path, tools: Tools):
        self.base = base
        self.tools = tools
        home = base / "home"
        dirs = {"HOME": home, "XDG_CONFIG_HOME": base / "config", "XDG_DATA_HOME": base / "data",
                "XDG_STATE_HOME": base / "state", "XDG_CACHE_HOME": base / "cache",
                # Empty system-config search path: no $XDG_CONFIG_DIRS/uv/uv.toml.
                "XDG_CONFIG_DIRS": base / "config-dirs"}
        for d in dirs.values():
            d.mkdir()
        self.bin = self._tool_bin()
        minimal = {k: os.environ[k] for k in ("USER", "LOGNAME", "TERM") if k in os.environ}
        minimal.update({k: str(v) for k, v in dirs.items()})
        # For preparing projects: uv_env pins UV_PYTHON to the base interpreter.
        self.setup_env = uv_env(minimal | {"PATH": f"{self.bin}:/usr/bin:/bin"}, base / "uv-cache")
        # What the shells run with. Not UV_PYTHON: it would also redirect
        # `uv pip` away from the active env; the python3.X symlink first on
        # PATH is how uv finds the interpreter instead (as tests/conftest.py).
        self.env = dict(self.setup_env)
        self.env.pop("UV_PYTHON")
        self.env.update(LC_ALL="C", SHELL="/bin/bash")

    def _tool_bin(self) -> Path:
        d = self.base / "bin"
        d.mkdir()
        os.symlink(self.tools.envhook, d / "envhook")
        os.symlink(self.tools.uv, d / "uv")
        if self.tools.mise:
            os.symlink(self.tools.mise, d / "mise")
        base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
        os.symlink(base, d / f"python{sys.version_info[0]}.{sys.version_info[1]}")
        return d

    def run(self, argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command as the shells would: their environment, in the sandbox."""
        return run(argv, cwd=cwd or self.base, env=self.env)


@dataclass
class Projects:
    proj: Path  # synced, trusted by envhook, direnv (.envrc) and mise (.mise.toml)
    depth: dict[int, Path]  # subdirectories of proj at depth 2 and 12
    sibling: Path  # another subdirectory of proj, for cd-between-subdirs
    outside: dict[int, Path]  # dirs at depth 2 and 12 under no project
    flip: Path  # the project row 6 flips between two locks
    flip_states: dict[str, Path]  # "1.0"/"2.0" -> dir holding pyproject.toml + uv.lock
    flip_version_file: Path  # tinkerpkg/__init__.py in flip's env: which version is installed
    big: Path  # 1,000 distributions


def _nest(root: Path, depth: int, prefix: str = "d") -> Path:
    d = root
    for i in range(1, depth + 1):
        d = d / f"{prefix}{i}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def build_projects(sb: Sandbox) -> Projects:
    for d in sb.base.parents:
        if (d / "pyproject.toml").exists():
            raise SystemExit(f"{d}/pyproject.toml would make the 'outside' dirs part of a project; set TMPDIR")
    wheelhouse = build_wheelhouse(sb.base / "wheelhouse")
    p = sb.base / "p"

    log("building the demo project (envhook + direnv + mise)")
    proj = make_project(p / "demo", wheelhouse, name="demo", dependencies=["tinkerpkg==1.0"])
    uv_lock(proj, sb.setup_env)
    uv_sync(proj, sb.setup_env)
    depth = {n: _nest(proj, n) for n in DEPTHS}
    sibling = _nest(proj / "d1", 1, prefix="e")
    sb.run([sb.tools.envhook, "allow"], cwd=proj)
    # direnv: activate the venv the plain way, no stdlib layout.
    (proj / ".envrc").write_text('export VIRTUAL_ENV="$PWD/.venv"\nPATH_add .venv/bin\n')
    sb.run([sb.tools.direnv, "allow", str(proj)], cwd=proj)
    if sb.tools.mise:
        (proj / ".mise.toml").write_text('[env]\n_.python.venv = ".venv"\n')
        sb.run([sb.tools.mise, "trust", str(proj / ".mise.toml")], cwd=proj)
    outside = {n: _nest(sb.base / "outside", n) for n in DEPTHS}

    log("building the flip project (two locks)")
    flip = make_project(p / "flip", wheelhouse, name="flip", dependencies=["tinkerpkg==1.0"])
    states = {}
    for version in ("2.0", "1.0"):  # end on 1.0: the state it is synced in
        set_dependencies(flip, [f"tinkerpkg=={version}"])
        uv_lock(flip, sb.setup_env)
        state = sb.base / "flip-states" / version
        state.mkdir(parents=True)
        for name in ("pyproject.toml", "uv.lock"):
            shutil.copyfile(flip / name, state / name)
        states[version] = state
        uv_sync(flip, sb.setup_env)  # puts both versions in the uv cache
    sb.run([sb.tools.envhook, "allow"], cwd=flip)
    version_files = list((flip / ".venv").glob("lib/python*/site-packages/tinkerpkg/__init__.py"))
    assert len(version_files) == 1, version_files

    log(f"building the big project ({BIG_DISTS} distributions)")
    big_wheels = sb.base / "wheelhouse-big"
    names = [f"benchdist{i:04d}" for i in range(BIG_DISTS)]
    for name in names:
        build_wheel(big_wheels, name, "1.0")
    big = make_project(p / "big", big_wheels, name="big", dependencies=[f"{n}==1.0" for n in names])
    uv_lock(big, sb.setup_env)
    uv_sync(big, sb.setup_env)
    sb.run([sb.tools.envhook, "allow"], cwd=big)

    # uv synced them; `envhook sync` makes envhook record that, so the hook and
    # `envhook status` start from "in-sync" instead of "never synced by envhook".
    for project in (proj, flip, big):
        sb.run([sb.tools.envhook, "sync"], cwd=project)
        state = envhook_state(sb, project)
        if state != "in-sync":
            log(f"warning: after `envhook sync`, envhook says {project.name} is {state!r}")
    return Projects(proj, depth, sibling, outside, flip, states, version_files[0], big)


def envhook_state(sb: Sandbox, project: Path) -> str:
    proc = subprocess.run([sb.tools.envhook, "status", "--json"], cwd=project, env=sb.env,
                          capture_output=True, text=True, check=False)
    try:
        return json.loads(proc.stdout).get("state", "?")
    except json.JSONDecodeError:
        return f"unreadable: {proc.stderr.strip()[-200:]}"


# --------------------------------------------------------------- measuring


@dataclass
class Measurement:
    """Per-call times (s) of one tool in one scenario and shell."""

    row: str
    scenario: str
    shell: str
    tool: str
    n: int  # loop iterations per timed window
    samples: list[float]  # per-call time of each sample, baseline not yet subtracted
    baseline: float = 0.0  # per-call time of the empty loop, subtracted from the median
    procs: dict | None = None
    clock: list[float] = field(default_factory=list)  # clock overhead subtracted from each run's windows

    @property
    def median(self) -> float:
        return statistics.median(self.samples) - self.baseline


@dataclass
class NA:
    """A tool that could not be measured, and why."""

    tool: str
    reason: str


class Bench:
    def __init__(self, cfg: Config, tools: Tools, sb: Sandbox, projects: Projects):
        self.cfg = cfg
        self.tools = tools
        self.sb = sb
        self.p = projects
        self.runner = Runner(sb, tools)
        self.hooks = self._render_hooks()
        self._baselines: dict[tuple, Measurement] = {}
        self.measurements: list[Measurement] = []

    def _hook_argv(self, tool: str, shell: str) -> list[str]:
        return {"envhook": [self.tools.envhook, "hook", shell],
                "direnv": [self.tools.direnv, "hook", shell],
                "mise": [self.tools.mise, "activate", shell]}[tool]

    def _render_hooks(self) -> dict[tuple[str, str], Path]:
        """Each tool's hook code per shell, rendered once, as an rc file would
        be. (envhook's carries a random session token, which names the shell's
        stamp file; sequential shells sharing it are no faster or slower.)"""
        d = self.sb.base / "hooks"
        d.mkdir()
        hooks = {}
        for shell in PROMPT_SHELLS:
            for tool in ("envhook", "direnv", "mise") if self.tools.mise else ("envhook", "direnv"):
                if (tool, shell) in NO_HOOK:
                    continue
                path = d / f"{tool}.{shell}"
                text = self.sb.run(self._hook_argv(tool, shell)).stdout
                if (tool, shell) == ("direnv", "elvish"):
                    # direnv's elvish hook still says `try { } except e { }`, which
                    # elvish 0.19 no longer compiles; `catch` is the same construct.
                    text = text.replace("} except e {", "} catch e {")
                if (tool, shell) == ("mise", "elvish"):
                    # mise's elvish code is a module (`use mise; mise:activate`, says
                    # its docs): sourced as one eval, it activates at its end.
                    text += "\nactivate\n"
                path.write_text(text)
                hooks[(tool, shell)] = path
            noop = d / f"none.{shell}"
            noop.write_text("\n".join(self.runner.dialects[shell].noop) + "\n")
            hooks[("none", shell)] = noop
        return hooks

    def tools_for(self, *names: str) -> list[str | NA]:
        return [NA("mise", self.tools.mise_reason) if t == "mise" and not self.tools.mise else t for t in names]

    def dialect(self, shell: str) -> Dialect:
        return self.runner.dialects[shell]

    def prelude(self, shell: str, tool: str, fresh: bool = False) -> list[str]:
        """Source the tool's hook; `fresh` renders it anew, as a new shell's
        rc file does (a new envhook session)."""
        path = self.hooks[(tool, shell)]
        if fresh:
            path = self.sb.base / "hooks" / f"{tool}.{shell}.{time.monotonic_ns()}"
            path.write_text(self.sb.run(self._hook_argv(tool, shell)).stdout)
        return [self.dialect(shell).source(path)]

    # -- loops (rows 1-4)

    def calibrate(self, make: Callable[[int], Plan]) -> int:
        """Loop count for one timed window of about cfg.target_s."""
        n = 1
        while True:
            t = self.runner.run(make(n)).windows["w"][0]
            if t >= 0.05 or n >= 200_000:
                break
            n = math.ceil(n * min(100.0, 0.08 / max(t, 1e-5)))
        return max(3, min(500_000, round(self.cfg.target_s * n / max(t, 1e-9))))

    def loop(self, row: str, scenario: str, shell: str, tool: str, setup: list[str], body: list[str],
             calls: int, expect_venv: str | None, count: bool = True) -> Measurement:
        """Median per-call time of `body` (which makes `calls` hook calls)
        looped N times in one shell that sourced `tool`'s hook."""
        d = self.dialect(shell)

        def make(n: int) -> Plan:
            post = d.record_var("v", "VIRTUAL_ENV") if expect_venv is not None else []
            return Plan(shell, self.prelude(shell, tool), setup, [Step(body, n, post=post)])

        n = self.calibrate(make)
        samples, clock = [], []
        for _ in range(self.cfg.repeats):
            res = self.runner.run(make(n))
            if expect_venv is not None:
                got = res.records["v"][-1]
                if got != expect_venv:
                    raise RuntimeError(f"{tool}/{shell} {scenario}: VIRTUAL_ENV={got!r}, expected {expect_venv!r}")
            samples.append(res.windows["w"][0] / n / calls)
            clock.append(res.clock_s)
        m = Measurement(row, scenario, shell, tool, n, samples, clock=clock)
        if count:
            m.procs = self.runner.procs_per_call(make(self.cfg.strace_n), calls)
        return m

    def baseline(self, shell: str, setup: list[str], body: list[str], calls: int) -> Measurement:
        key = (shell, tuple(body), calls)
        if key not in self._baselines:
            self._baselines[key] = self.loop("baseline", "empty hook", shell, "none", setup, body, calls,
                                             expect_venv=None, count=False)
        return self._baselines[key]

    def compare_loops(self, row: str, scenario: str, tools: list, setup_of: Callable[[Dialect], list[str]],
                      body_of: Callable[[Dialect], list[str]], calls: int, expect_venv: str,
                      shells: tuple[str, ...] = PROMPT_SHELLS) -> list:
        results = []
        for shell in shells:
            d = self.dialect(shell)
            setup, body = setup_of(d), body_of(d)
            log(f"row {row} {scenario} [{shell}]")
            base = self.baseline(shell, setup, body, calls)
            line = {"row": row, "scenario": scenario, "shell": shell, "tools": {}}
            for tool in tools:
                if isinstance(tool, str) and (tool, shell) in NO_HOOK:
                    tool = NA(tool, f"{tool} has no {shell} hook")
                if isinstance(tool, NA):
                    line["tools"][tool.tool] = tool
                    continue
                m = self.loop(row, scenario, shell, tool, setup, body, calls, expect_venv)
                m.baseline = statistics.median(base.samples)
                self.measurements.append(m)
                line["tools"][tool] = m
            results.append(line)
        return results

    def row1_prompt_in_project(self) -> list:
        venv = str(self.p.proj / ".venv")
        out = []
        for depth in DEPTHS:
            here = self.p.depth[depth]
            out += self.compare_loops(
                "1", f"prompt, unchanged, in project (depth {depth})", self.tools_for("envhook", "direnv", "mise"),
                setup_of=lambda d, here=here: [d.cd(here), *d.line(":")],  # warm-up: first evaluation not counted
                body_of=lambda d: d.line(":"), calls=1, expect_venv=venv)
        return out

    def row2_prompt_outside(self) -> list:
        out = []
        for depth in DEPTHS:
            here = self.p.outside[depth]
            out += self.compare_loops(
                "2", f"prompt, outside any project (depth {depth})", self.tools_for("envhook", "direnv", "mise"),
                setup_of=lambda d, here=here: [d.cd(here), *d.line(":")],
                body_of=lambda d: d.line(":"), calls=1, expect_venv="")
        return out

    def row3_cd_within_project(self) -> list:
        a, b = self.p.depth[2], self.p.sibling
        return self.compare_loops(
            "3", "cd between two subdirs of a project", self.tools_for("envhook", "direnv", "mise"),
            setup_of=lambda d: [*d.line(d.cd(a)), *d.line(d.cd(b))],
            body_of=lambda d: [*d.line(d.cd(a)), *d.line(d.cd(b))],
            calls=2, expect_venv=str(self.p.proj / ".venv"))

    def row4_reenter_project(self) -> list:
        proj, away = self.p.proj, self.p.outside[2]
        # Ends outside, so VIRTUAL_ENV must be empty: leaving was undone every time.
        return self.compare_loops(
            "4", "cycle: cd project, cd elsewhere (project seen before)", self.tools_for("envhook", "direnv"),
            setup_of=lambda d: [*d.line(d.cd(proj)), *d.line(d.cd(away))],
            body_of=lambda d: [*d.line(d.cd(proj)), *d.line(d.cd(away))],
            # Not xonsh: its own cd costs more, and varies more, than the hook
            # there (the baseline came out slower than envhook's loop).
            calls=1, expect_venv="", shells=SHELLS)

    # -- single calls (rows 5, 6)

    def single_calls(self, row: str, scenario: str, shell: str, tool: str, make: Callable[[], Plan], *,
                     fresh_shells: bool, check: Callable[[ScriptResult], None]) -> Measurement:
        """Time one call per window: in a new shell per sample (fresh_shells)
        or in all the windows of one shell (the plan's own steps)."""
        samples, clock = [], []
        rounds = self.cfg.fresh_samples if fresh_shells else 1
        for _ in range(rounds):
            res = self.runner.run(make())
            check(res)
            samples += res.windows["w"]
            clock.append(res.clock_s)
        m = Measurement(row, scenario, shell, tool, 1, samples, clock=clock)
        m.procs = self.runner.procs_per_call(make())
        self.measurements.append(m)
        return m

    def row5_first_entry(self) -> list:
        return [self._first_entry(shell) for shell in SHELLS]

    def _first_entry(self, shell: str) -> dict:
        """A new shell's first prompt in a synced project, and whole commands
        to compare it with, timed the same way in the same shell."""
        log(f"row 5 first entry [{shell}]")
        d = self.dialect(shell)
        line = {"row": "5", "scenario": "first entry into a synced project, new shell", "shell": shell, "tools": {}}
        for tool in ("envhook", "direnv"):
            line["tools"][tool] = self.single_calls(
                "5", line["scenario"], shell, tool, partial(self._first_prompt_plan, shell, tool),
                fresh_shells=True, check=partial(_check_venv, f"row 5 {tool}/{shell}", str(self.p.proj / ".venv")))
        python = d.q(str(self.p.proj / ".venv" / "bin" / "python"))
        for tool, cmd in (("uv run true", "uv run true"), ("python -I -c pass", f"{python} -I -c pass")):
            line["tools"][tool] = self.single_calls(
                "5", line["scenario"], shell, tool, partial(self._command_plan, shell, cmd),
                fresh_shells=False, check=lambda res: None)
        return line

    def _first_prompt_plan(self, shell: str, tool: str) -> Plan:
        """cd first, source the hook second: in zsh and fish the cd would
        otherwise already fire the hook (chpwd, PWD handlers)."""
        d = self.dialect(shell)
        return Plan(shell, [d.cd(self.p.proj), *self.prelude(shell, tool, fresh=True)], [],
                    [Step(d.prompt(), post=d.record_var("v", "VIRTUAL_ENV"))])

    def _command_plan(self, shell: str, cmd: str) -> Plan:
        """`cmd` once untimed (warm caches), then fresh_samples timed runs."""
        steps = [Step([cmd], tag="x")] + [Step([cmd]) for _ in range(self.cfg.fresh_samples)]
        return Plan(shell, [self.dialect(shell).cd(self.p.proj)], [], steps)

    def row6_resync(self) -> list:
        return [self._resync(shell) for shell in SHELLS]

    def _resync(self, shell: str) -> dict:
        """The prompt after the lock changed (envhook syncs), vs `uv sync`
        itself, for the same flips of pyproject.toml + uv.lock."""
        log(f"row 6 stale -> synced [{shell}]")
        d = self.dialect(shell)
        line = {"row": "6", "scenario": "stale -> synced, one dependency changed", "shell": shell, "tools": {}}
        # The first flip is a warm-up; then fresh_samples timed ones.
        versions = (["2.0", "1.0"] * self.cfg.fresh_samples)[: self.cfg.fresh_samples + 1]
        want = [f'__version__ = "{v}"' for v in versions]
        for tool, prelude, body in (("envhook", self.prelude(shell, "envhook"), d.prompt()),
                                    ("uv sync", [], ["uv sync"])):
            line["tools"][tool] = self.single_calls(
                "6", line["scenario"], shell, tool, partial(self._flip_plan, shell, prelude, body, versions),
                fresh_shells=False, check=partial(_check_versions, f"row 6 {tool}/{shell}", want))
        return line

    def _flip_plan(self, shell: str, prelude: list[str], body: list[str], versions: list[str]) -> Plan:
        d = self.dialect(shell)
        flip = self.p.flip

        def copy(version: str) -> list[str]:
            # cp rewrites the files, so their mtimes move past the hook's stamp.
            src = self.p.flip_states[version]
            return [f"command cp {d.q(str(src / n))} {d.q(str(flip / n))}" for n in ("pyproject.toml", "uv.lock")]

        steps = [Step(body, prep=copy(v), tag="x" if i == 0 else "w",
                      post=d.record_file("k", self.p.flip_version_file))
                 for i, v in enumerate(versions)]
        # Start synced at 1.0, with the hook's first evaluation done.
        return Plan(shell, [d.cd(flip), *copy("1.0"), "uv sync -q", *prelude], d.prompt(), steps)

    # -- whole processes (row 7)

    def time_process(self, argv: list[str], cwd: Path) -> list[float]:
        samples = []
        for i in range(self.cfg.repeats + 1):  # the first one warms caches
            t0 = time.perf_counter()
            proc = subprocess.run(argv, cwd=cwd, env=self.sb.env, stdin=subprocess.DEVNULL, capture_output=True, check=False)
            elapsed = time.perf_counter() - t0
            if proc.returncode != 0:
                raise RuntimeError(f"{shlex.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
            if i:
                samples.append(elapsed)
        return samples

    def row7_status_big(self) -> list:
        log("row 7 status on 1,000 distributions")
        big = self.p.big
        # A status that is not "in-sync" would time a different code path: say so.
        state = envhook_state(self.sb, big)
        line = {"row": "7", "scenario": f"`envhook status` vs `uv sync --check`, {BIG_DISTS} distributions",
                "shell": "-", "tools": {}, "status_state": state}
        if state != "in-sync":
            log(f"warning: envhook status says {state!r} for the big project")
        for tool, argv in (("envhook", [self.tools.envhook, "status"]),
                           ("uv sync --check", [self.tools.uv, "sync", "--check"])):
            m = Measurement("7", line["scenario"], "-", tool, 1, self.time_process(argv, big))
            execs = count_execs_of(argv, big, self.sb.env, self.tools.strace, self.runner.dir)
            m.procs = {"per_call": execs, "execs": execs, "execs_without_body": 0, "iterations": 1}
            self.measurements.append(m)
            line["tools"][tool] = m
        return [line]


def _check_venv(what: str, want: str, res: ScriptResult) -> None:
    if res.records.get("v") != [want]:
        raise RuntimeError(f"{what}: VIRTUAL_ENV={res.records.get('v')!r}, expected {want!r}")


def _check_versions(what: str, want: list[str], res: ScriptResult) -> None:
    if res.records.get("k") != want:
        raise RuntimeError(f"{what}: installed {res.records.get('k')}, expected {want} (did it sync?)")


# ------------------------------------------------------------ the verdicts


def median_ms(m) -> float | None:
    return m.median * 1000 if isinstance(m, Measurement) else None


def procs(m) -> float | None:
    return m.procs["per_call"] if isinstance(m, Measurement) and m.procs else None


def ratio(a, b) -> float | None:
    a, b = median_ms(a), median_ms(b)
    return a / b if a is not None and b else None


def verdict(line: dict) -> tuple[str, bool | None]:
    """(target text, passed?) for one table line; None when it cannot be judged."""
    t = line["tools"]
    row = line["row"]
    e = t.get("envhook")
    if row in ("1", "2", "3", "4"):
        r = ratio(e, t["direnv"])
        want = PROMPT_PROCS.get((line["shell"], row), 0)
        ok = None if r is None else (procs(e) == want and r <= PROMPT_MAX_RATIO)
        return f"{want} procs, <= {PROMPT_MAX_RATIO} x direnv", ok
    if row == "5":
        rd, rp = ratio(e, t["direnv"]), ratio(e, t["python -I -c pass"])
        ok = None if None in (rd, rp) else (procs(e) == 1 and rd <= ENTRY_MAX_VS_DIRENV and rp <= ENTRY_MAX_VS_PYTHON)
        return f"1 proc, <= {ENTRY_MAX_VS_DIRENV} x direnv, <= {ENTRY_MAX_VS_PYTHON} x python", ok
    if row == "6":
        r = ratio(e, t["uv sync"])
        return f"<= {SYNC_MAX_RATIO} x uv sync", None if r is None else r <= SYNC_MAX_RATIO
    if row == "7":
        r = ratio(e, t["uv sync --check"])
        return f"<= {STATUS_MAX_RATIO} x uv sync --check", None if r is None else r <= STATUS_MAX_RATIO
    raise ValueError(row)


# ---------------------------------------------------------------- the table


def sig3(x: float | None) -> str:
    """3 significant digits, never in e-notation."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def fmt_procs(p: float | None) -> str:
    if p is None:
        return "?"
    return str(round(p)) if abs(p - round(p)) < 1e-9 else f"{p:.2f}"


def cell(m) -> str:
    if isinstance(m, NA):
        return "n/a"
    return f"{sig3(median_ms(m))} ({fmt_procs(procs(m))})"


def _short_version(text: str) -> str:
    """The first version-looking word of a --version line."""
    m = re.search(r"\d+(?:\.\d+)+", text)
    return m.group(0) if m else text


def render(sections: list[tuple[str, list[str], list[dict]]], info: dict, cfg: Config, mise_reason: str) -> str:
    out = [
        (f"envhook benchmark: {info['cpu']}, {info['nproc']} cores; R={cfg.repeats} samples per cell, "
         "median shown. Cells: median ms per call (processes started per call)."),
        "",
        "Versions: " + ", ".join(f"{k} {_short_version(v)}" for k, v in info["versions"].items()),
        "",
    ]
    for title, competitors, lines in sections:
        out.append(f"### {title}")
        out.append("")
        head = ["#", "scenario", "shell", "envhook", *competitors,
                *[f"envhook / {c}" for c in competitors], "target", "result"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for line in lines:
            t = line["tools"]
            target, ok = verdict(line)
            res = "n/a" if ok is None else ("PASS" if ok else "MISS")
            row = [line["row"], line["scenario"], line["shell"], cell(t["envhook"]),
                   *[cell(t[c]) for c in competitors],
                   *[sig3(ratio(t["envhook"], t[c])) for c in competitors], target, res]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    if mise_reason:
        out.append(f"mise: n/a — {mise_reason}")
    return "\n".join(out)


def to_json(lines: list[dict], measurements: list[Measurement], baselines: list[Measurement],
            info: dict, cfg: Config) -> dict:
    def m_json(m: Measurement) -> dict:
        return {"row": m.row, "scenario": m.scenario, "shell": m.shell, "tool": m.tool,
                "calls_per_window": m.n, "samples_ms": [s * 1000 for s in m.samples],
                "baseline_ms": m.baseline * 1000, "median_ms": m.median * 1000, "procs": m.procs,
                "clock_overhead_ms": [c * 1000 for c in m.clock]}

    rows = []
    for line in lines:
        target, ok = verdict(line)
        tools = {}
        for name, m in line["tools"].items():
            tools[name] = {"na": m.reason} if isinstance(m, NA) else {
                "median_ms": median_ms(m), "procs_per_call": procs(m),
                "envhook_ratio": ratio(line["tools"]["envhook"], m) if name != "envhook" else None}
        rows.append({"row": line["row"], "scenario": line["scenario"], "shell": line["shell"],
                     "tools": tools, "target": target, "pass": ok})
    return {"machine": info, "config": vars(cfg), "rows": rows,
            "measurements": [m_json(m) for m in measurements],
            "baselines": [m_json(m) for m in baselines]}


# ------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 samples per cell and shorter loops")
    ap.add_argument("--json", type=Path, default=BENCH / "results" / "latest.json",
                    help="where to write raw samples and results (default: bench/results/latest.json)")
    ap.add_argument("--keep", action="store_true", help="keep the sandbox directory (for debugging)")
    args = ap.parse_args()
    cfg = (Config(repeats=3, target_s=0.15, fresh_samples=5, strace_n=5) if args.quick
           else Config(repeats=7, target_s=0.3, fresh_samples=15, strace_n=10))

    started = time.monotonic()
    timings: dict[str, float] = {}  # seconds per phase, for keeping the run short
    # Bytecode for every module first: with PYTHONDONTWRITEBYTECODE set (it is
    # on this CI image) a module edited since its last .pyc is compiled again
    # at every call, which billed 5-25 ms of compiling to envhook per sample.
    import compileall

    compileall.compile_dir(str(REPO / "src"), quiet=1)
    tools = find_tools()
    info = machine_info(tools)
    base = Path(tempfile.mkdtemp(prefix="envhook-bench-"))
    try:
        sb = Sandbox(base, tools)
        projects = build_projects(sb)
        bench = Bench(cfg, tools, sb, projects)
        timings["setup"] = round(time.monotonic() - started, 1)

        def timed(name, fn):
            t0 = time.monotonic()
            result = fn()
            timings[name] = round(time.monotonic() - t0, 1)
            return result

        prompt_rows = (timed("row1", bench.row1_prompt_in_project) + timed("row2", bench.row2_prompt_outside)
                       + timed("row3", bench.row3_cd_within_project))
        reenter = timed("row4", bench.row4_reenter_project)
        entry = timed("row5", bench.row5_first_entry)
        resync = timed("row6", bench.row6_resync)
        status = timed("row7", bench.row7_status_big)
    finally:
        if args.keep:
            log(f"sandbox kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    sections = [
        ("Rows 1–3: a prompt, in-shell cost", ["direnv", "mise"], prompt_rows),
        ("Row 4: re-entering a project visited before (per cd-in + cd-out cycle)", ["direnv"], reenter),
        ("Row 5: first entry, new shell (one hook call)", ["direnv", "uv run true", "python -I -c pass"], entry),
        ("Row 6: stale → synced (one hook call vs the bare sync)", ["uv sync"], resync),
        ("Row 7: whole processes", ["uv sync --check"], status),
    ]
    table = render(sections, info, cfg, tools.mise_reason)
    all_lines = prompt_rows + reenter + entry + resync + status
    info["runtime_s"] = round(time.monotonic() - started, 1)
    info["phase_s"] = timings
    data = to_json(all_lines, bench.measurements, list(bench._baselines.values()), info, cfg)
    data["table_markdown"] = table
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=1) + "\n")
    print(table)
    log(f"done in {info['runtime_s']} s; raw samples in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
