"""`envhook doctor`: check what the hook needs, one line per check.

    ok   <what>
    FAIL <what>: <problem> — <fix>
    note <what>

The fix is the exact command to run or line to add. Exit status 1 when a
line says FAIL, else 0; a note never changes it. Doctor is not on the prompt
path: it may start the sync tool (`uv --version`) and take its time. It never
prints a traceback: a check that breaks becomes a FAIL line of its own.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from envhook.backends import get, spawn
from envhook.backends.base import sync_environ, which
from envhook.decide import trust
from envhook.decide.project import ProjectError, current_dir, find_project
from envhook.decide.trust import unsafe_state
from envhook.messages import clean  # the same escaping of what a path or a repository may hold
from envhook.prompt.shells import NAMES, get_shell
from envhook.prompt.shells.posix import posix_quote
from envhook.prompt.shells.rcfiles import startup_files, xdg_home
from envhook.store import paths, settings
from envhook.store.records import project_dir

SHELLS = NAMES
HOOK_LINE = {name: get_shell(name).hook_line for name in NAMES}
# What a process is called when it is an interactive shell rather than a
# program started from one (/proc/PID/comm; a script's comm is its own name).
_SHELL_COMMS = frozenset({"bash", "zsh", "fish", "sh", "dash", "ash", "ksh", "mksh", "yash", "tcsh", "csh",
                          "nu", "elvish", "pwsh", "xonsh", "osh", "ysh"})
_MARKER = "# >>> envhook >>>"  # install.sh's block
_HOOK_CALL = re.compile(r"""envhook['"]?\s+hook\b(?:\s+['"]?([a-z]+))?""")
_SOURCE = re.compile(r"""(?:^|[\s;&|{(])(?:source|\.)\s+(["']?)([^\s"';&|)]+)\1""")
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
TIMEOUT = 20          # seconds for `<tool> --version` (poetry takes ~1 s cold)


class Line:
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text

    def __str__(self) -> str:
        label = {"ok": "ok  ", "FAIL": "FAIL", "note": "note"}[self.kind]
        return f"{label} {clean(self.text)}"


def ok(what: str) -> Line:
    return Line("ok", what)


def fail(what: str, problem: str, fix: str) -> Line:
    return Line("FAIL", f"{what}: {problem} — {fix}")


def note(what: str) -> Line:
    return Line("note", what)


def doctor() -> int:
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # an ASCII-only terminal still gets every line
    except (AttributeError, ValueError):
        pass
    ctx = Context()
    failed = False
    for label, check in (("hook", check_hook), ("rc file", check_rc), ("completion", check_completion),
                         ("tool", check_tool), ("dirs", check_dirs), ("config file", check_config),
                         ("mtimes", check_mtimes)):
        try:
            lines = check(ctx)
        except Exception as e:  # noqa: BLE001 — a broken check is reported, never a traceback
            lines = [fail(label, f"the check itself failed ({type(e).__name__}: {e})",
                          "please report this at envhook's issue tracker")]
        for line in lines:
            print(line, flush=True)
            failed = failed or line.kind == "FAIL"
    return 1 if failed else 0


class Context:
    """What several checks share: the user's shell, and where the hook line was found."""

    def __init__(self):
        self._shell: tuple[str | None, str] | None = None
        self.rc_has_line: bool | None = None
        # What the hook's `envhook` function told about the shell it runs in
        # ("login=1 completion=loaded"); empty when doctor was run another way.
        self.info = dict(w.partition("=")[::2] for w in os.environ.get("_ENVHOOK_SHELL_INFO", "").split() if "=" in w)

    @property
    def login(self) -> bool:
        """Is the shell doctor runs in a login shell (`bash -l`, a terminal's first shell)?"""
        if "login" in self.info:
            return self.info["login"] == "1"
        try:  # no hook function: a login shell's argv[0] starts with "-", or it got -l / --login
            with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            return False
        first = argv[1] if len(argv) > 1 else b""
        return argv[0].startswith(b"-") or first == b"--login" or (first[:1] == b"-" != first[1:2] and b"l" in first)

    @property
    def shell(self) -> str | None:
        """One of shells.NAMES: the shell doctor runs in, else the login shell."""
        return self._detect()[0]

    @property
    def shell_seen(self) -> str:
        """What the shell looked like when it is none of ours ("tcsh", "unknown")."""
        return self._detect()[1]

    def _detect(self) -> tuple[str | None, str]:
        if self._shell is None:
            found = None
            try:
                import shellingham  # only when no hook said which shell this is

                found, _ = shellingham.detect_shell()
            except Exception:  # noqa: BLE001 — shellingham raises its own errors when it cannot tell
                pass
            login = os.path.basename(os.environ.get("SHELL", "")).lstrip("-")
            told = self.info.get("shell")  # tcsh's hook says so: shellingham may see the login shell there
            if told in SHELLS:
                self._shell = (told, told)
            elif found in SHELLS:
                self._shell = (found, found)
            elif login in SHELLS:
                self._shell = (login, login)
            else:
                self._shell = (None, found or login or "unknown")
        return self._shell

    def quote(self, value: str) -> str:
        """A value for a fix the user pastes into this shell, quoted by the shell's own function."""
        return get_shell(self.shell).quote(value) if self.shell else posix_quote(value)


def _listed(conjunction: str) -> str:
    return f"{', '.join(SHELLS[:-1])} {conjunction} {SHELLS[-1]}"


def show(path: str) -> str:
    """A path as people write it: ~/… under HOME."""
    home = os.path.expanduser("~")
    if home not in ("", "/") and (path == home or path.startswith(home.rstrip("/") + "/")):
        return "~" + path[len(home.rstrip("/")):]
    return path


# -- (a) the hook is loaded in this shell ----------------------------------------------


def _proc(pid: int) -> tuple[str, int] | None:
    """(comm, parent pid) from /proc, None where there is no /proc or no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    head, _, rest = data.rpartition(b")")
    try:
        return head.partition(b"(")[2].decode(errors="replace"), int(rest.split()[1])
    except (IndexError, ValueError):
        return None


def hooked_here(hooked: int) -> bool:
    """Is `hooked` (the PID the hook exported) the shell doctor was run from?
    It is when it is our parent; or, where /proc tells, our nearest ancestor
    that is a shell (`uv run envhook doctor` has uv in between). A shell in
    between — a child shell that inherited the variable without loading the
    hook, or `$(…)`'s subshell — means no."""
    pid = os.getppid()
    for _ in range(64):
        if pid == hooked:
            return True
        info = _proc(pid) if pid > 1 else None
        if info is None or info[0].lstrip("-") in _SHELL_COMMS:
            return False
        pid = info[1]
    return False


# Where no hook can be loaded (a Makefile, an editor's task, cron, CI), the same decision is one command away.
_NO_HOOK_NEEDED = note("scripts, Makefiles, editors and CI need no hook: `envhook run -- CMD` (or `envhook env`) "
                       "syncs and activates the env as the hook would")


def check_hook(ctx: Context) -> list[Line]:
    shell = ctx.shell
    what = f"hook loaded in this {shell or 'shell'}"
    value = os.environ.get("_ENVHOOK_HOOKED", "")
    if shell is None:
        return [fail(what, f"envhook hooks {_listed('and')}; this shell looks like {ctx.shell_seen}",
                     f"run envhook doctor from {_listed('or')} (with its hook line in its rc file)")]
    rc = startup_files(shell, ctx.login)[0]
    add = f"add this line to {show(rc)}{_login_why(ctx)}, then open a new shell: {HOOK_LINE[shell]}"
    if ctx.rc_has_line is None:
        ctx.rc_has_line = find_hook_line(shell, ctx.login)[0] is not None
    if ctx.rc_has_line:
        add = (f"open a new shell (`exec {shell}`); if it still fails, make sure {show(rc)} is read and "
               f"`envhook` is on PATH where it runs the hook")
    if not value:
        return [fail(what, "_ENVHOOK_HOOKED is not set, so this shell did not load the hook "
                           "(or loaded one printed by an older envhook)", add), _NO_HOOK_NEEDED]
    # "PID:PYTHON": the shell that loaded the hook, and the interpreter its hook runs envhook with.
    pid, _, python = value.partition(":")
    try:
        hooked = int(pid)
    except ValueError:
        return [fail(what, f"_ENVHOOK_HOOKED is {value!r}, not a process id", add)]
    if not hooked_here(hooked):
        return [fail(what, f"_ENVHOOK_HOOKED names process {hooked}, not this shell (process {os.getppid()}): "
                           "it was inherited from a shell that loaded the hook, this one did not", add)]
    lines = [ok(f"{what} (process {hooked})")]
    # The hook runs envhook by its interpreter's path, fixed when the shell started.
    if python and not (os.path.isfile(python) and os.access(python, os.X_OK)):
        lines = [fail(what, f"its hook runs envhook with {python}, which is gone (envhook was reinstalled "
                            "or removed since this shell started)", f"open a new shell: exec {shell}")]
    elif python and os.path.normpath(python) != os.path.normpath(sys.executable):
        lines.append(note(f"the hook in this shell runs the envhook of {python}, this doctor is the one of "
                          f"{sys.executable}: if you reinstalled envhook, open a new shell (exec {shell})"))
    if os.environ.get("ENVHOOK_DISABLE"):
        unset = get_shell(shell).unset("ENVHOOK_DISABLE")
        lines.append(note(f"ENVHOOK_DISABLE is set: the hook does nothing in this shell ({unset})"))
    return lines


# -- (b) the rc file has the hook line ------------------------------------------------------


def _read_lines(path: str) -> list[str] | None:
    try:
        with open(path, "rb") as f:
            data = f.read(1 << 20)
    except OSError:
        return None
    return data.decode("utf-8", "replace").splitlines()


def _sourced(line: str) -> list[str]:
    """Absolute paths a `source FILE` / `. FILE` on this line reads."""
    out = []
    for m in _SOURCE.finditer(line):
        p = os.path.expanduser(os.path.expandvars(m.group(2)))
        if os.path.isabs(p) and "$" not in p and not any(c in p for c in "*?["):
            out.append(os.path.normpath(p))
    return out


def find_hook_line(shell: str, login: bool = False) -> tuple[str | None, list[tuple[str, int, str]]]:
    """(the file holding a hook line for `shell`, or None; the lines hooking
    another shell instead: (file, line number, shell)). The startup files are
    searched, and the files they source, one level deep."""
    seen: set[str] = set()
    wrong: list[tuple[str, int, str]] = []
    # A login bash reads one login file (and what it sources), never ~/.bashrc itself.
    files = startup_files(shell, login)
    queue = [(p, True) for p in (files[:1] if shell == "bash" and login else files)]
    while queue:
        path, follow = queue.pop(0)
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        lines = _read_lines(path)
        if lines is None:
            continue
        for n, line in enumerate(lines, 1):
            text = line.strip()
            if text == _MARKER:
                return path, wrong
            if text.startswith("#"):
                continue
            m = _HOOK_CALL.search(text)
            if m:
                named = m.group(1)
                if named in (None, shell):
                    return path, wrong
                if named in SHELLS:
                    wrong.append((path, n, named))
            if follow:
                queue += [(p, False) for p in _sourced(text)]
    return None, wrong


def check_rc(ctx: Context) -> list[Line]:
    shell = ctx.shell
    if shell is None:
        return []  # said by check_hook
    files = startup_files(shell, ctx.login)
    found, wrong = find_hook_line(shell, ctx.login)
    ctx.rc_has_line = found is not None
    if found is not None:
        return [ok(f"hook line in {show(found)}")]
    what = f"hook line in {show(files[0])}"
    if wrong:
        path, n, other = wrong[0]
        return [fail(what, f"{show(path)} line {n} hooks {other}, but your shell is {shell}",
                     f"change that line to: {HOOK_LINE[shell]}")]
    if shell == "bash" and ctx.login:
        return [fail(what, f"this is a login shell, which reads {show(files[0])} and not ~/.bashrc, and no "
                           "`envhook hook bash` line is there (nor in the files it sources)",
                     f"add this line to {show(files[0])}: {HOOK_LINE[shell]} (or rerun install.sh)")]
    others = ", ".join(show(f) for f in files[1:])
    return [fail(what, f"no `envhook hook {shell}` line there (nor in {others} or the files these source): "
                       f"new {shell} shells will not load the hook",
                 f"add this line to {show(files[0])}: {HOOK_LINE[shell]}")]


def _login_why(ctx: Context) -> str:
    return " (this login shell reads it, not ~/.bashrc)" if ctx.shell == "bash" and ctx.login else ""


# -- (c) the shell can complete envhook's commands ----------------------------------------------


def check_completion(ctx: Context) -> list[Line]:
    """Only the shell knows whether its completion system runs: the hook's
    `envhook` function reports it. Without that report (doctor run as
    `command envhook doctor`, or no hook) there is nothing to check."""
    state = ctx.info.get("completion")
    if state is None or ctx.shell is None:
        return []
    what = f"completion of envhook's commands in this {ctx.shell}"
    data = xdg_home("XDG_DATA_HOME", os.path.join(".local", "share"))
    if state == "loaded":
        return [ok(what)]
    if ctx.shell == "bash":
        user_file = os.path.join(data, "bash-completion", "completions", "envhook")
        if state == "on-demand":
            if os.path.isfile(user_file):
                return [ok(f"{what} (bash-completion loads {show(user_file)} at the first Tab)")]
            return [note(f"{what}: bash-completion runs but finds no envhook completion — "
                         f"envhook completion bash > {show(user_file)}")]
        rc = show(startup_files("bash", ctx.login)[0])  # a login shell reads its login file, not ~/.bashrc
        fix = (f"add this line to {rc}: source {ctx.quote(user_file)}" if os.path.isfile(user_file) else
               f"add this line to {rc}: eval \"$(envhook completion bash)\"")
        return [note(f"{what}: no completion for envhook is loaded, and neither is the bash-completion package "
                     f"that would load it — install bash-completion, or {fix}")]
    if ctx.shell == "zsh":
        zshrc = show(startup_files("zsh")[0])
        if state == "compinit":
            site = os.path.join(data, "zsh", "site-functions")
            return [note(f"{what}: compinit ran but found no _envhook on $fpath — put "
                         f"fpath=({ctx.quote(site)} $fpath) before compinit in {zshrc} (install.sh's block does), "
                         "then open a new shell")]
        return [note(f"{what}: compinit has not run in this shell, so zsh completes nothing — add "
                     f"`autoload -Uz compinit && compinit` to {zshrc}, then open a new shell")]
    if ctx.shell != "fish":
        return []  # the other shells' hooks set completion up themselves; there is no file to point at
    dirs = [d for d in os.environ.get("_ENVHOOK_COMPLETE_PATH", "").split(":") if d]
    for d in dirs:
        if os.path.isfile(os.path.join(d, "envhook.fish")):
            return [ok(f"{what} (fish loads {show(os.path.join(d, 'envhook.fish'))} at the first Tab)")]
    target = os.path.join(xdg_home("XDG_CONFIG_HOME", ".config"), "fish", "completions", "envhook.fish")
    return [note(f"{what}: no envhook.fish in any $fish_complete_path dir — "
                 f"envhook completion fish > {ctx.quote(target)}")]


# -- (d) the tool for this project ------------------------------------------------------------


def _version(argv: list[str], cwd: str) -> tuple[tuple[int, ...] | None, str, str]:
    """(version, its text, the problem) from running argv (`tool --version`)."""
    try:
        r = subprocess.run(argv, cwd=cwd, env=sync_environ(), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", f"`{' '.join(argv[1:]) or argv[0]}` did not answer within {TIMEOUT} s"
    except OSError as e:
        return None, "", f"cannot run it ({e.strerror})"
    out = r.stdout.decode(errors="replace")
    err = [ln.strip() for ln in r.stderr.decode(errors="replace").splitlines() if ln.strip()]
    if r.returncode != 0:
        why = f": {err[-1]}" if err else ""
        return None, "", f"it fails (exit {r.returncode}){why}"
    m = _VERSION.search(out) or _VERSION.search("\n".join(err))
    if m is None:
        return None, "", f"cannot read its version from {out.strip()[:80]!r}"
    return tuple(int(x) for x in m.groups() if x is not None), m.group(0), ""


class ToolCheck:
    """What doctor lends a backend to check its tool (Backend.check_tool):
    the line makers, and how to find a tool, run it, and say what to do."""

    ok, fail, note, show = staticmethod(ok), staticmethod(fail), staticmethod(note), staticmethod(show)

    def __init__(self, ctx: Context, project, cwd: str):
        self.ctx, self.project, self.cwd = ctx, project, cwd

    def find(self, name: str) -> str | None:
        """A tool on PATH; never one of the project's own env (base.which)."""
        if self.project is not None:
            return which(name, self.project)
        return spawn.which(name, skip="")

    def version(self, argv: list[str]) -> tuple[tuple[int, ...] | None, str, str]:
        """(version, its text, the problem) from running argv where the sync would run."""
        return _version(argv, self.cwd)

    def install_fix(self, name: str, how: str) -> str:
        """The fix for `name` not on PATH: add ~/.local/bin to PATH when it is
        installed there (uv's installer and pipx put it there), else `how`."""
        ctx = self.ctx
        local = os.path.join(os.path.expanduser("~"), ".local", "bin")
        if not os.access(os.path.join(local, name), os.X_OK):
            return how
        if ctx.shell == "fish":
            return f"{name} is in {show(local)}: run `fish_add_path ~/.local/bin`"
        if ctx.shell == "elvish":
            rc = show(startup_files("elvish")[0])
            return f"{name} is in {show(local)}: add this line to {rc}: set paths = [~/.local/bin $@paths]"
        rc = show(startup_files(ctx.shell, ctx.login)[0]) if ctx.shell else "your shell's rc file"
        return f'{name} is in {show(local)}: add this line to {rc}: export PATH="$HOME/.local/bin:$PATH"'

    def probe(self, backend, what: str):
        """(path, version, its text, None) for the backend's tool, or (…, a FAIL line)."""
        name = backend.tool
        path = self.find(name)
        if path is None:
            return None, None, "", fail(what, f"{name} is not on PATH", self.install_fix(name, backend.install))
        version, text, problem = self.version([path, "--version"])
        if version is None:
            return path, None, "", fail(what, f"{path}: {problem}", backend.reinstall)
        return path, version, text, None


def check_tool(ctx: Context) -> list[Line]:
    start = current_dir()
    try:
        project = find_project(start)
    except ProjectError as e:
        return [fail(f"project at {show(str(start))}", str(e), f"fix {show(str(e.path))}")]
    if project is None:
        uv = get("uv")  # what a project gets when it says nothing else
        return uv.check_tool(ToolCheck(ctx, None, "/"), None, f"{uv.tool} (the default tool; no project here)")
    trusted = trust.is_trusted(project.root)
    # Asked from the project, as the sync runs (a pyenv shim reads .python-version
    # there), but only when trusted: a project's config is its code.
    cwd = str(project.root) if trusted else "/"
    backend = get(project.backend)
    about = f"{project.name} ({project.backend} project at {show(str(project.root))})"
    lines = backend.check_tool(ToolCheck(ctx, project, cwd), project, f"{backend.tool_label} for {about}")
    if not trusted:
        lines.append(note(f"{project.name} is not trusted: the hook does nothing there until `envhook allow`"))
    if getattr(project, "enabled", True) is False:
        lines.append(note(f"{project.name} turns envhook off ([tool.envhook] enabled = false)"))
    return lines


# -- (e) envhook's dirs can be written -------------------------------------------------------


def writable(path: str, ctx: Context, var: str) -> tuple[str, str] | None:
    """None when envhook can write in `path`, or create it; else (problem, fix).
    Tried for real (a temp file, deleted): as root, modes say nothing."""
    probe = path
    while not os.path.lexists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    elsewhere = f"set {var} to a directory you can write"
    if not os.path.isdir(probe):
        what = "a file" if os.path.isfile(probe) else "not a directory"
        q = ctx.quote(probe)
        return f"{probe} is {what}", f"move it away (mv {q} {ctx.quote(probe + '.bak')}), or {elsewhere}"
    try:
        if probe == path:
            fd, tmp = tempfile.mkstemp(prefix=".envhook-doctor-", dir=probe)
            os.close(fd)
            os.unlink(tmp)
        else:
            os.rmdir(tempfile.mkdtemp(prefix=".envhook-doctor-", dir=probe))
    except OSError as e:
        q = ctx.quote(probe)
        if e.errno in (errno.EACCES, errno.EPERM):
            try:
                mine = os.stat(probe).st_uid == os.getuid()
            except OSError:
                mine = True
            fix = f"chmod u+w {q}" if mine else f'sudo chown -R "$(id -un)" {q}'
            return f"cannot write in {probe} ({e.strerror})", f"{fix}, or {elsewhere}"
        return f"cannot write in {probe} ({e.strerror})", elsewhere
    return None


def check_dirs(ctx: Context) -> list[Line]:
    lines = []
    for kind, path, var, why in (("state", paths.state_dir(), "XDG_STATE_HOME", "trust decisions, pins and syncs"),
                                 ("config", paths.config_dir(), "XDG_CONFIG_HOME", "settings")):
        what = f"{kind} dir {show(path)}"
        bad = writable(path, ctx, var)
        if bad is None:
            lines.append(ok(f"{what} is writable" if os.path.isdir(path) else f"{what} can be created"))
        else:
            problem, fix = bad
            lines.append(fail(what, f"{problem}: envhook cannot keep its {why} there", fix))
    lines += _check_state_owner()
    return lines


def _check_state_owner() -> list[Line]:
    """The state dir, and the current project's records in it, belong to
    this user and only this user may write them; else nothing is trusted."""

    try:
        project = find_project(current_dir())
    except (ProjectError, OSError):
        project = None
    d = project_dir(project.root) if project is not None else Path(paths.state_dir()) / "projects" / "-"
    why = unsafe_state(d)
    if why is None:
        return []
    return [fail("state ownership", why, "chown it to yourself and `chmod go-w` it, or remove it")]


# -- (f) the config file is valid ------------------------------------------------------------


def check_config(ctx: Context) -> list[Line]:
    path = settings.config_file()
    what = f"config file {show(path)}"
    if not os.path.lexists(path):
        return [ok(f"{what}: none, the defaults apply")]
    try:
        settings.validate_file()
    except settings.SettingsError as e:
        problem = str(e)
        if problem.startswith(path + ": "):
            problem = problem[len(path) + 2:]  # the line names the file already
        return [fail(what, problem, f"correct it in {path} (`envhook config list` shows every setting)")]
    return [ok(what), *_check_trusted_roots()]


def _check_trusted_roots() -> list[Line]:
    """A trusted root others can write in trusts nothing (trust.unsafe_trusted_root)."""
    out = []
    for r in settings.value("trusted_roots") or ():
        why = trust.unsafe_trusted_root(r)
        if why:
            out.append(fail(f"trusted root {show(r)}", f"{why}: it trusts nothing until that is fixed",
                            "`chmod go-w` it (and the directories above it), or remove it from trusted_roots"))
    return out


# -- (g) no watched file is dated in the future ---------------------------------------------


def check_mtimes(ctx: Context) -> list[Line]:
    """Each file the hook watches for the project here whose modification
    time is in the future (a tarball's, a clock stepped back): the hook
    watches it with a stamp of its own, but tools that compare mtimes are
    misled until it is touched."""
    import time

    from envhook.prompt.evaluate import shell_watches  # what the prompt watches, as the full evaluation lists it

    try:
        project = find_project(current_dir())
    except (ProjectError, OSError):
        return []  # check_tool names a project that cannot be read
    if project is None:
        return []
    watch, _, _ = shell_watches(project, project_dir(project.root) / paths.NOTIFY)
    now = time.time_ns()
    ahead = paths.dated_ahead(watch, now)
    inside = str(project.root).rstrip(os.sep) + os.sep
    lines = []
    for f in paths.told_about(ahead, paths.state_dir()):
        name = f[len(inside):] if f.startswith(inside) else f
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ahead[f] / 1e9))
        lines.append(fail(f"{name} of {project.name}", f"modified in the future ({when})",
                          f"touch {ctx.quote(f)}"))
    return lines or [ok(f"no file watched for {project.name} is dated in the future")]
