"""Drive real interactive shells (bash, zsh, fish; xonsh and elvish too) through a pseudo-terminal.

Built for end-to-end tests of a shell prompt hook (like direnv's): the shell
is started interactively with a user rc snippet, commands are *typed* into
its line editor, and the driver waits for the next prompt, so everything the
prompt hook does (PROMPT_COMMAND / precmd_functions / ``--on-event
fish_prompt``) really happens, exactly as for a human user.

Design
------
* The driver appends its own snippet *after* the caller's rc code.  It only
  sets the visible prompt (bash ``PS1``, zsh ``PROMPT``, fish's
  ``fish_prompt`` *function*) to a fixed marker and defines two helper
  functions (``__ehp_get`` / ``__ehp_status``).  It never touches
  ``PROMPT_COMMAND``, ``precmd_functions`` or fish event handlers, so the
  hook under test still runs before every prompt and still sees the real
  ``$?`` / ``$status``.
* Prompt detection: after typing a command line we first wait for the
  newline that ends the line editor's echo (fish and zle may redraw the
  prompt *while* you type; those redraws are all before that newline), then
  for the prompt marker.  What lies in between is the command's and the
  hooks' output.  The marker is written to the rc file with escapes
  (``\\137`` / ``\\x5f``), so ``cat ~/.bashrc`` cannot fake a prompt.
* Values are never read off the terminal: :meth:`ShellSession.get` and
  :meth:`ShellSession.status` make the shell write them to files in a private
  temp dir, so they are exact byte for byte.
* Helper commands preserve ``$?`` / ``$status``, so e.g. ``status()`` twice in
  a row returns the same value and the hook sees the user's status again.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pexpect

__all__ = [
    "SHELLS",
    "ShellError",
    "ShellExited",
    "ShellSession",
    "ShellTimeout",
    "available_shells",
    "require_shell",
    "shell_quote",
]

SHELLS = ("bash", "zsh", "fish")
#: Shells the driver can start besides SHELLS (their tests name them).
MORE_SHELLS = ("xonsh", "nu", "elvish", "tcsh")

#: The prompt every session shows.  Commands must not contain it.
PROMPT_MARK = "__EHP__> "
_PROMPT_RE = re.compile(re.escape(PROMPT_MARK.encode()))
_CURSOR_QUERY = re.compile(re.escape(b"\x1b[6n"))

#: Default terminal width.  Huge so that no line editor ever wraps or scrolls a
#: command line (a wrapped echo would contain a newline).
COLUMNS = 4000
ROWS = 50

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# ANSI / VT escape sequences (and BEL) that line editors emit even with TERM=dumb
# (bracketed paste \e[?2004h/l, fish's dim "omitted newline" mark, titles...).
_ANSI_RE = re.compile(
    r"""
      \x1b\[[0-?]*[\x20-/]*[@-~]            # CSI ... final byte
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?    # OSC ... BEL | ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?         # DCS / SOS / PM / APC ... ST
    | \x1b[\x20-/]*[0-~]                    # other escapes (charset, ESC =, ESC 7 ...)
    | \x07                                  # BEL
    """,
    re.VERBOSE,
)


def _fish_abandon_re(columns: int) -> re.Pattern[str]:
    """fish's "PROMPT_SP" hack, printed before every prompt: the omitted-newline mark
    (⏎, ¶ or ~ depending on the locale), columns-width(mark) spaces, CR, the mark,
    width(mark) spaces, CR."""
    return re.compile(
        "(?:[\u23ce\u00b6~] {%d,%d})?\r[\u23ce\u00b6~] {1,2}\r" % (columns - 3, columns)
    )


class ShellError(Exception):
    """Base class: the shell did not behave as the driver expected."""


class ShellTimeout(ShellError, TimeoutError):
    """No prompt appeared in time.  The message includes the terminal output so far."""


class ShellExited(ShellError, EOFError):
    """The shell exited (EOF on the pty) while a prompt was expected."""


# --------------------------------------------------------------------------- helpers


def available_shells() -> list[str]:
    """The supported shells (``bash``, ``zsh``, ``fish``) found on ``$PATH``."""
    return [s for s in SHELLS if shutil.which(s)]


def require_shell(name: str) -> str:
    """Return the path of shell ``name``; skip the test if it is missing.

    When the environment variable ``CI`` is ``"true"`` a missing shell fails the
    test instead: CI is supposed to provide every shell.
    """
    path = shutil.which(name)
    if path is None:
        import pytest

        msg = f"shell {name!r} is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{msg} (CI=true: a missing shell is an error, not a skip)", pytrace=False)
        pytest.skip(msg)
    return path


def shell_quote(shell: str, value: str) -> str:
    """Quote ``value`` as ONE word for ``shell``, on a single line.

    bash/zsh: ``$'...'``; fish: ``'...'`` with ``\\\\`` and ``\\'`` escapes, control
    characters spliced in as unquoted fish escapes (``'a'\\n'b'``).  Non-ASCII is kept
    literally; lone surrogates (from ``surrogateescape``) become raw bytes.
    """
    if shell in ("bash", "zsh"):
        out = ["$'"]
        for ch in value:
            o = ord(ch)
            if ch == "\\":
                out.append("\\\\")
            elif ch == "'":
                out.append("\\'")
            elif o < 0x20 or o == 0x7F:
                out.append("\\x%02x" % o)
            elif 0xDC80 <= o <= 0xDCFF:  # surrogateescape'd raw byte
                out.append("\\x%02x" % (o - 0xDC00))
            else:
                out.append(ch)
        out.append("'")
        return "".join(out)
    if shell == "nu":
        # A double-quoted string: backslash escapes, control characters as \u{…}.
        out = ['"']
        for ch in value:
            o = ord(ch)
            if ch in '"\\':
                out.append("\\" + ch)
            elif o < 0x20 or o == 0x7F:
                out.append("\\u{%x}" % o)
            else:
                out.append(ch)
        return "".join(out) + '"'
    if shell == "elvish":
        from envhook.prompt.shells.elvish import elvish_quote  # the hook's own quoting: one word, one line

        return elvish_quote(value)
    if shell == "xonsh":
        # A Python expression in subprocess mode: @('…') is one argument, whatever it holds.
        return f"@({value!r})"
    if shell == "tcsh":
        if "\n" in value:
            # A typed line cannot hold one: put the value in the rc (extra_rc) and type $name:q.
            raise ValueError("tcsh: a newline cannot be typed inside a command line")
        from envhook.prompt.shells.tcsh import tcsh_quote

        return tcsh_quote(value)
    if shell == "fish":
        out = []
        quoted = False
        for ch in value:
            o = ord(ch)
            if o < 0x20 or o == 0x7F or 0xDC80 <= o <= 0xDCFF:
                if quoted:
                    out.append("'")
                    quoted = False
                byte = o - 0xDC00 if o >= 0xDC80 else o
                out.append("\\x%02x" % byte)
                continue
            if not quoted:
                out.append("'")
                quoted = True
            out.append({"\\": "\\\\", "'": "\\'"}.get(ch, ch))
        if quoted:
            out.append("'")
        return "".join(out) or "''"
    raise ValueError(f"unsupported shell {shell!r}")


# Driver code appended after the user's rc.  The prompt marker is spelled with an
# escape (\137 / \x5f == "_") so the rc file itself never contains it.
_RC_SUFFIX = {
    "bash": r"""
# ---- envhook test driver (tests/support/shell.py) ----
PS1='\137_EHP__> '
PS2=''
__ehp_get() {
    local __ehp_st=$?
    if [[ -n ${!1+x} ]]; then
        printf '%s' "${!1}" > "$2.val"
        printf set > "$2.state"
    else
        printf unset > "$2.state"
    fi
    return "$__ehp_st"
}
__ehp_status() {
    local __ehp_st=$?
    printf '%s' "$__ehp_st" > "$1"
    return "$__ehp_st"
}
""",
    "zsh": r"""
# ---- envhook test driver (tests/support/shell.py) ----
PROMPT=$'\x5f_EHP__> '
PS2=''
RPROMPT=''
RPS2=''
PROMPT_EOL_MARK=''
unsetopt PROMPT_SP
unset zle_bracketed_paste
__ehp_get() {
    local __ehp_st=$?
    if [[ -v $1 ]]; then
        printf '%s' "${(P)1}" > "$2.val"
        printf set > "$2.state"
    else
        printf unset > "$2.state"
    fi
    return $__ehp_st
}
__ehp_status() {
    local __ehp_st=$?
    printf '%s' "$__ehp_st" > "$1"
    return $__ehp_st
}
""",
    "xonsh": r"""
# ---- envhook test driver (tests/support/shell.py) ----
$PROMPT = '\x5f_EHP__> '
$MULTILINE_PROMPT = ''
$TITLE = ''
$XONSH_SHOW_TRACEBACK = True
def __ehp_rtn():
    rtns = __xonsh__.history.rtns
    return rtns[-1] if rtns else 0
def __ehp_get(args):
    name, base = args
    env = __xonsh__.env
    if name in env:
        value = env[name]
        if not isinstance(value, str):
            value = ':'.join(value) if hasattr(value, '__iter__') else str(value)
        with open(base + '.val', 'wb') as f:
            f.write(value.encode('utf-8', 'surrogateescape'))
        state = 'set'
    else:
        state = 'unset'
    with open(base + '.state', 'w') as f:
        f.write(state)
    return __ehp_rtn()
def __ehp_status(args):
    rc = __ehp_rtn()
    with open(args[0], 'w') as f:
        f.write(str(rc))
    return rc
aliases['__ehp_get'] = __ehp_get
aliases['__ehp_status'] = __ehp_status
""",
    "nu": r"""
# ---- envhook test driver (tests/support/shell.py) ----
$env.config.show_banner = false
$env.config.bracketed_paste = false
$env.config.use_kitty_protocol = false
$env.config.shell_integration = {osc2: false, osc7: false, osc8: false, osc9_9: false, osc133: false, osc633: false, reset_application_mode: false}
$env.PROMPT_COMMAND = {|| "\u{5f}_EHP__> " }
$env.PROMPT_COMMAND_RIGHT = ""
$env.PROMPT_INDICATOR = ""
$env.PROMPT_MULTILINE_INDICATOR = ""
def --env __ehp_get [name: string, base: string] {
    let rc = ($env.LAST_EXIT_CODE? | default 0)
    if $name in $env {
        let v = ($env | get $name)
        let s = if ($v | describe | str starts-with "list") { $v | str join ":" } else { $v | into string }
        $s | save -f --raw $"($base).val"
        "set" | save -f --raw $"($base).state"
    } else {
        "unset" | save -f --raw $"($base).state"
    }
    $env.LAST_EXIT_CODE = $rc
}
def --env __ehp_status [path: string] {
    let rc = ($env.LAST_EXIT_CODE? | default 0)
    $rc | into string | save -f --raw $path
    $env.LAST_EXIT_CODE = $rc
}
""",
    "elvish": r"""
# ---- envhook test driver (tests/support/shell.py) ----
set edit:prompt = { print "\x5f_EHP__> " }
set edit:rprompt = { }
# elvish has no exit status of the last command ($? / $status): __ehp_status says 0.
fn __ehp_get {|name base|
    if (has-env $name) {
        print (get-env $name) > $base'.val'
        print set > $base'.state'
    } else {
        print unset > $base'.state'
    }
}
fn __ehp_status {|file| print 0 > $file }
""",
    "tcsh": r"""
# ---- envhook test driver (tests/support/shell.py) ----
set prompt = '_''_EHP__> '
set prompt2 = ''
set prompt3 = ''
unset autologout
alias __ehp_get 'source ~/.ehp_get.tcsh \!*'
alias __ehp_status 'set __ehp_st = $status; echo $__ehp_st >! \!:1; set status = $__ehp_st'
""",
    "fish": r"""
# ---- envhook test driver (tests/support/shell.py) ----
function fish_prompt
    printf '\x5f_EHP__> '
end
function fish_right_prompt
end
function fish_mode_prompt
end
function __ehp_get
    set -l __ehp_st $status
    if set -q $argv[1]
        string join \n -- $$argv[1] > $argv[2].val
        printf set > $argv[2].state
    else
        printf unset > $argv[2].state
    end
    return $__ehp_st
end
function __ehp_status
    set -l __ehp_st $status
    printf '%s' $__ehp_st > $argv[1]
    return $__ehp_st
end
""",
}


# tcsh has no functions: __ehp_get sources this file (NAME BASE in $argv),
# keeping $status as it found it (printf is /usr/bin/printf: tcsh has no builtin one).
_TCSH_GET = r"""set __ehp_st = $status
set __ehp_y = 0
eval 'if ( $?'$argv[1]' ) set __ehp_y = 1'
if ( $__ehp_y ) then
    eval 'set __ehp_v = ( $'$argv[1]':q )'
    # A list comes back joined by spaces (as zsh's arrays do).
    printf '' >! $argv[2]:q.val
    set __ehp_i = 1
    while ( $__ehp_i <= $#__ehp_v )
        if ( $__ehp_i > 1 ) printf ' ' >> $argv[2]:q.val
        printf '%s' $__ehp_v[$__ehp_i]:q >> $argv[2]:q.val
        @ __ehp_i++
    end
    printf set >! $argv[2]:q.state
else
    printf unset >! $argv[2]:q.state
endif
set status = $__ehp_st
"""


def _reset_signals() -> None:
    """preexec_fn for the shell: give it the pristine signal state a terminal
    emulator would.  Ignored signals and the signal mask survive exec and are passed
    on by the shell to every command it runs: Python ignores SIGPIPE and SIGXFSZ,
    and a test runner started in the background (``pytest &``) ignores SIGINT and
    SIGQUIT, which makes Ctrl-C unable to stop ``sleep``."""
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _become(uid: int, gid: int) -> None:
    """preexec_fn for a shell run as another user: pristine signals, then that
    user's uid and gid and no supplementary groups. The terminal stays root's
    (login would hand it over): the shell writes to its inherited fd 2, but a
    `> /dev/stderr` fails with "Permission denied", so one shows."""
    _reset_signals()
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------- session


class ShellSession:
    """One interactive shell on a pty.  See the module docstring.

    Attributes of interest: ``startup_output`` (what was printed before the first
    prompt), ``last_output`` (cleaned output of the last prompt wait), ``child``
    (the :class:`pexpect.spawn`), ``transcript`` (everything the terminal printed,
    raw, decoded), ``exitstatus`` (after :meth:`close`).
    """

    def __init__(
        self,
        shell: str,
        home: Path,
        rc: str,
        env: dict[str, str],
        cwd: Path,
        timeout: float = 60,
        *,
        columns: int = COLUMNS,
        user: tuple[int, int] | None = None,
        login: bool = False,
    ) -> None:
        if shell not in (*SHELLS, *MORE_SHELLS):
            raise ValueError(f"unsupported shell {shell!r}; expected one of {SHELLS + MORE_SHELLS}")
        self.shell = shell
        self.home = Path(home)
        self.cwd = Path(cwd)
        self.timeout = timeout
        # A login shell (bash -l, zsh -l, …): it reads the system's and the
        # user's login files too. bash reads ~/.bashrc (where `rc` goes) only
        # if the login file sources it, as Debian's ~/.profile does.
        self.login = login
        self.columns = columns
        self._abandon_re = _fish_abandon_re(columns)
        # elvish's omitted-newline mark before each prompt: the mark, spaces to the edge, CR, space, CR.
        self._elvish_mark_re = re.compile("\u23ce {%d,%d}\r \r" % (columns - 3, columns))
        self.env = dict(env)
        self.env["TERM"] = "dumb"
        # Keep these consistent with the pty (a stale inherited COLUMNS would win
        # over the tty size in some programs).
        self.env["COLUMNS"] = str(columns)
        self.env["LINES"] = str(ROWS)
        if not any(self.env.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
            # Line editors need a UTF-8 locale to accept non-ASCII input.
            self.env["LC_CTYPE"] = "C.UTF-8"
        self.startup_output = ""
        self.last_output = ""
        self.exitstatus: int | None = None
        self.signalstatus: int | None = None
        # "prompt": idle at a prompt with an empty command line; "typing": keys were
        # sent at the prompt (send_raw); "busy": a command runs / state unknown.
        self._state = "busy"
        self._closed = False
        self._seq = 0
        self._log = io.BytesIO()
        self._xfer = Path(tempfile.mkdtemp(prefix="ehp-xfer-"))

        try:
            argv = self._prepare(rc)
            exe = shutil.which(argv[0], path=self.env.get("PATH")) or shutil.which(argv[0])
            if exe is None:
                raise FileNotFoundError(f"shell {argv[0]!r} not found on PATH")
            if user is not None:
                # The shell runs as that uid and gid (the caller is root): it gets
                # the home (its rc files) and the dir it writes the values to.
                for d in (self.home, self._xfer):
                    for top, dirs, files in os.walk(d):
                        for name in (top, *(os.path.join(top, n) for n in dirs + files)):
                            os.chown(name, *user, follow_symlinks=False)
        except BaseException:
            shutil.rmtree(self._xfer, ignore_errors=True)
            raise
        self.child = pexpect.spawn(
            exe,
            argv[1:],
            env=self.env,
            cwd=str(self.cwd),
            dimensions=(ROWS, columns),
            encoding=None,
            echo=True,
            maxread=65536,
            timeout=timeout,
            preexec_fn=_reset_signals if user is None else lambda: _become(*user),
        )
        # The line editors switch the tty to raw mode before drawing the prompt, so
        # typing right after the prompt appears is safe (stress-tested with 0).
        self.child.delaybeforesend = 0.01
        self.child.logfile_read = self._log
        try:
            self.startup_output = self._wait_prompt(timeout, "<startup>")
        except BaseException:
            self.close(force=True)
            raise

    # ----------------------------------------------------------------- setup

    def _prepare(self, rc: str) -> list[str]:
        home = self.home
        suffix = _RC_SUFFIX[self.shell]
        text = rc if rc.endswith("\n") or not rc else rc + "\n"
        text += suffix
        data = text.encode("utf-8", "surrogateescape")
        if self.shell == "bash":
            rcfile = home / ".bashrc"
            rcfile.write_bytes(data)
            if self.login:
                return ["bash", "-l", "-i"]
            return ["bash", "--noprofile", "--rcfile", str(rcfile), "-i"]
        if self.shell == "zsh":
            self.env["ZDOTDIR"] = str(home)
            (home / ".zshrc").write_bytes(data)
            return ["zsh", "-l", "-i"] if self.login else ["zsh", "-i"]
        if self.shell == "elvish":
            # Where elvish 0.19 reads rc.elv when no legacy ~/.elvish/rc.elv exists.
            config_home = Path(self.env.get("XDG_CONFIG_HOME") or home / ".config")
            self.env["XDG_CONFIG_HOME"] = str(config_home)
            (config_home / "elvish").mkdir(parents=True, exist_ok=True)
            (config_home / "elvish" / "rc.elv").write_bytes(data)
            return ["elvish"]
        if self.shell == "tcsh":
            (home / ".tcshrc").write_bytes(data)
            (home / ".ehp_get.tcsh").write_text(_TCSH_GET)
            return ["tcsh", "-l"] if self.login else ["tcsh", "-i"]  # -l must be tcsh's only argument
        if self.shell == "xonsh":
            rcfile = home / ".xonshrc"
            rcfile.write_bytes(data)
            # readline: the line editor every xonsh has (prompt_toolkit is optional).
            return ["xonsh", "--rc", str(rcfile), "-i", "--shell-type=readline", *(["--login"] if self.login else [])]
        if self.shell == "nu":
            config_home = Path(self.env.get("XDG_CONFIG_HOME") or home / ".config")
            self.env["XDG_CONFIG_HOME"] = str(config_home)
            (config_home / "nushell").mkdir(parents=True, exist_ok=True)
            (config_home / "nushell" / "env.nu").write_bytes(b"")
            (config_home / "nushell" / "config.nu").write_bytes(data)
            return ["nu", *(["-l"] if self.login else []), "--no-history"]
        # fish
        config_home = Path(self.env.get("XDG_CONFIG_HOME") or home / ".config")
        self.env["XDG_CONFIG_HOME"] = str(config_home)
        (config_home / "fish").mkdir(parents=True, exist_ok=True)
        (config_home / "fish" / "config.fish").write_bytes(data)
        # On first start fish spawns a background python job that builds completions
        # from all man pages (slow, CPU hungry, writes into HOME).  It is skipped when
        # this directory exists.
        data_home = Path(self.env.get("XDG_DATA_HOME") or home / ".local" / "share")
        (data_home / "fish" / "generated_completions").mkdir(parents=True, exist_ok=True)
        return ["fish", "-l", "-i"] if self.login else ["fish", "-i"]

    # ----------------------------------------------------------------- output

    @property
    def transcript(self) -> str:
        """Everything the terminal printed so far (raw, decoded, escapes included)."""
        return _decode(self._log.getvalue())

    def _clean(self, raw: bytes) -> str:
        text = _ANSI_RE.sub("", _decode(raw))
        if self.shell == "fish":
            text = self._abandon_re.sub("", text)
        elif self.shell == "elvish":
            text = self._elvish_mark_re.sub("", text).replace("\r\n", "\n").replace("\r", "")
        # Line editors end lines with "\r\r\n" (zsh) and the tty maps "\n" to "\r\n".
        text = re.sub(r"\r+\n", "\n", text)
        # zsh (PROMPT_CR) and fish print a CR right before the prompt.
        return text.rstrip("\r")

    def _describe(self, what: str, raw: bytes) -> str:
        squeezed = re.sub(rb" {16,}", lambda m: b"<%d spaces>" % len(m.group()), raw)
        tail = squeezed[-3000:]
        return (
            f"{self.shell}: {what}\n"
            f"--- terminal output so far (cleaned) ---\n{self._clean(raw)}\n"
            f"--- raw tail ---\n{tail!r}"
        )

    def _expect(self, pattern, deadline: float, what: str, limit: float) -> bytes:
        """Wait for ``pattern`` until ``deadline`` (time.monotonic()); return the bytes
        before it (consumed).  ``limit`` is the user-facing timeout, for messages."""
        try:
            if self.shell == "nu":
                return self._expect_answering_cursor_queries(pattern, deadline)
            self.child.expect(pattern, timeout=max(deadline - time.monotonic(), 0.01))
        except pexpect.TIMEOUT:
            self._state = "busy"
            raw = self.child.buffer
            raise ShellTimeout(
                self._describe(f"timed out after {limit}s waiting for {what}", raw)
            ) from None
        except pexpect.EOF:
            self._state = "dead"
            raw = self.child.before or b""
            self._reap()
            raise ShellExited(
                self._describe(
                    f"shell exited (status={self.exitstatus}, signal={self.signalstatus}) "
                    f"while waiting for {what}",
                    raw,
                )
            ) from None
        return self.child.before

    def _expect_answering_cursor_queries(self, pattern, deadline: float) -> bytes:
        """nushell's line editor asks the terminal where the cursor is (ESC [6n)
        before it draws a prompt, and waits for the answer: answer as a
        terminal would (row 1, column 1), and keep what came before."""
        before = b""
        while True:
            i = self.child.expect([pattern, _CURSOR_QUERY], timeout=max(deadline - time.monotonic(), 0.01))
            before += self.child.before
            if i == 0:
                return before
            self.child.send(b"\x1b[1;1R")

    def _wait_prompt(self, timeout: float | None, what: str, deadline: float | None = None) -> str:
        limit = self._t(timeout)
        if deadline is None:
            deadline = time.monotonic() + limit
        raw = self._expect(_PROMPT_RE, deadline, f"the prompt after {what}", limit)
        self._state = "prompt"
        self.last_output = self._clean(raw)
        return self.last_output

    def _t(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    # ----------------------------------------------------------------- public API

    @property
    def at_prompt(self) -> bool:
        """True when idle at a prompt with an empty command line."""
        return self._state == "prompt"

    def send_raw(self, data: str | bytes) -> None:
        """Write ``data`` to the terminal as typed keys (e.g. the answer to a running
        ``read``).  Does not wait for anything."""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if self._state == "prompt":
            self._state = "typing"
        self.child.send(data)

    def _drain(self, quiet: float = 0.2, limit: float = 2.0) -> bytes:
        """Discard pending terminal output: read until nothing new arrives for
        ``quiet`` seconds (at most ``limit``).  Returns what was discarded."""
        data = self.child.buffer
        self.child.buffer = b""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                data += self.child.read_nonblocking(65536, timeout=quiet)
            except pexpect.TIMEOUT:
                break
            except pexpect.EOF:
                break
        return data

    def send_line(
        self, command: str, timeout: float | None = None, *, _deadline: float | None = None
    ) -> None:
        """Type ``command`` + Enter at the prompt and consume the echo, without
        waiting for the command to finish (pair with :meth:`expect_prompt` or
        :meth:`interrupt`)."""
        if "\n" in command or "\r" in command:
            raise ValueError("command must be a single line (use ';' to chain)")
        if PROMPT_MARK in command:
            raise ValueError(f"command must not contain the prompt marker {PROMPT_MARK!r}")
        # prompt + line must fit on one terminal line (slack for a prompt prefix).
        limit = self.columns - (80 if self.columns >= 400 else len(PROMPT_MARK) + 2)
        if len(command) > limit:
            raise ValueError(
                f"command longer than {limit} characters (its echo would wrap; "
                "pass a larger columns=)"
            )
        if self._closed:
            raise ShellError(f"{self.shell}: session is closed")
        if self._state != "prompt":
            raise ShellError(
                f"{self.shell}: not at a prompt (a command is still running or a previous "
                "wait timed out); use expect_prompt()/interrupt() first"
            )
        limit = self._t(timeout)
        deadline = time.monotonic() + limit if _deadline is None else _deadline
        if self.shell == "elvish":
            # elvish redraws the line, and the compilation error of the half typed
            # line below it (several lines), after each key: the line is pasted
            # instead (bracketed paste, which it turns on), one redraw for all of it.
            self.send_raw("\x1b[200~" + command + "\x1b[201~\r")
        else:
            self.send_raw(command + "\r")
        # The line editor echoes the line (fish redraws prompt+line, possibly several
        # times) and finally moves to a new line when Enter is processed.  Everything
        # up to that newline is echo; only then can the command run.
        self._expect(b"\n", deadline, f"the echo of {command!r}", limit)

    def expect_prompt(self, timeout: float | None = None) -> str:
        """Wait for the next prompt; return what was printed before it (cleaned)."""
        return self._wait_prompt(timeout, "the last input")

    def run(self, command: str, timeout: float | None = None) -> str:
        """Type one command line, wait until the NEXT prompt is shown and return
        everything printed in between: stdout+stderr of the command and of the
        prompt hooks that ran before the prompt.  Echo and prompt are removed,
        escape sequences stripped, ``\\r\\n`` normalised to ``\\n``.

        Raises :class:`ShellTimeout` (message includes the output so far) or
        :class:`ShellExited`.
        """
        deadline = time.monotonic() + self._t(timeout)
        self.send_line(command, timeout, _deadline=deadline)
        return self._wait_prompt(timeout, repr(command), deadline)

    def interrupt(self, timeout: float | None = None) -> str:
        """Send Ctrl-C and wait for the next prompt; return what was printed before
        it (includes the terminal's ``^C`` echo and any output of the interrupted
        command not yet consumed).

        * While a command runs (after :meth:`send_line`): the usual case.  Racy by
          nature if the command may finish by itself just before the Ctrl-C arrives
          (bash/zsh then draw one more prompt than expected); interrupt long-running
          commands only.
        * After :meth:`send_raw` at the prompt (a half-typed line): the pending echo is
          discarded first (fish redraws the prompt while echoing), then Ctrl-C cancels
          the line and we wait for the fresh prompt.  fish does NOT fire its
          ``fish_prompt`` event for that prompt; bash and zsh do run their hooks.
        * At an idle prompt with an empty line: bash and zsh draw a new prompt (hooks
          run), fish does nothing at all, so for fish this returns ``""`` at once.
        """
        state = self._state
        if state == "typing":
            self._drain()
        self.child.send(b"\x03")
        if state == "prompt" and self.shell == "fish":
            return ""
        return self._wait_prompt(timeout, "Ctrl-C")

    def _next_file(self, kind: str) -> Path:
        self._seq += 1
        return self._xfer / f"{kind}{self._seq}"

    def get(self, name: str) -> str | None:
        """Exact value of shell/env variable ``name`` in the live shell, or None if
        unset.  fish lists are joined with newlines (``string join \\n``); zsh arrays
        with spaces; bash arrays give element 0.  Decoded with surrogateescape.
        Preserves ``$?``.  Names starting with ``__ehp_`` are reserved."""
        if not _NAME_RE.match(name):
            raise ValueError(f"invalid variable name {name!r}")
        base = self._next_file("get")
        # Leading space: kept out of history by fish (and bash/zsh if so configured).
        out = self.run(f" __ehp_get {name} {shell_quote(self.shell, str(base))}")
        state_file = base.with_name(base.name + ".state")
        val_file = base.with_name(base.name + ".val")
        try:
            state = state_file.read_text()
        except FileNotFoundError:
            raise ShellError(
                f"{self.shell}: get({name!r}) produced no result; output:\n{out}"
            ) from None
        if state == "unset":
            return None
        data = val_file.read_bytes()
        if self.shell == "fish" and data.endswith(b"\n"):
            data = data[:-1]  # `string join` terminates its output with one newline
        return _decode(data)

    def status(self) -> int:
        """Exit status of the last command (``$?`` / ``$status``), as the prompt hook
        saw it.  Preserves it: calling status() twice gives the same answer."""
        path = self._next_file("status")
        out = self.run(f" __ehp_status {shell_quote(self.shell, str(path))}")
        try:
            return int(path.read_text())
        except (FileNotFoundError, ValueError):
            raise ShellError(f"{self.shell}: status() produced no result; output:\n{out}") from None

    # ----------------------------------------------------------------- teardown

    def _reap(self, grace: float = 2.0) -> None:
        # Give the exiting shell a moment to be reaped, then close the pty; close()
        # escalates to SIGHUP/SIGINT/SIGKILL if it is still alive.
        end = time.monotonic() + grace
        while self.child.isalive() and time.monotonic() < end:
            time.sleep(0.005)
        self.child.ptyproc.delayafterclose = 0.0  # we waited above
        try:
            self.child.close(force=True)
        except Exception:  # pragma: no cover - best effort
            pass
        self.exitstatus = self.child.exitstatus
        self.signalstatus = self.child.signalstatus

    def _session_pids(self) -> list[int]:
        """PIDs of the processes still in the shell's session (pexpect makes the shell
        a session leader, and its jobs keep that session id even when orphaned)."""
        sid = self.child.pid
        pids: list[int] = []
        try:
            entries = os.listdir("/proc")
        except OSError:
            entries = []
        if entries:
            for entry in entries:
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat", "rb") as f:
                        fields = f.read().rsplit(b")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if len(fields) > 3 and int(fields[3]) == sid:
                    pids.append(int(entry))
            return pids
        try:  # no /proc (macOS): ask ps
            import subprocess

            out = subprocess.run(
                ["ps", "-A", "-o", "pid=,sess="], capture_output=True, text=True, timeout=5
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return pids
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) == sid:
                pids.append(int(parts[0]))
        return pids

    def _kill_leftovers(self) -> None:
        """SIGHUP, then SIGKILL, whatever the session left behind (e.g. a running
        ``sleep`` that never got the hangup because the shell died first)."""
        for sig, pause in ((signal.SIGHUP, 0.05), (signal.SIGKILL, 0)):
            pids = [p for p in self._session_pids() if p != os.getpid()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            time.sleep(pause)

    def close(self, timeout: float = 5, force: bool = False) -> None:
        """Exit the shell (``exit`` if idle at a prompt, so exit hooks run), killing it
        if it does not go away within ``timeout``; then kill any process left in its
        session (running or background commands).  Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if not force and self._state == "prompt" and self.child.isalive():
                try:
                    self.child.send(b" exit\r")
                    self.child.expect(pexpect.EOF, timeout=timeout)
                except (pexpect.TIMEOUT, pexpect.EOF, OSError):
                    pass
            if self.child.isalive():
                try:
                    self.child.kill(signal.SIGHUP)
                except OSError:
                    pass
            self._reap()
            self._kill_leftovers()
        finally:
            shutil.rmtree(self._xfer, ignore_errors=True)

    def __enter__(self) -> "ShellSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ShellSession {self.shell} pid={getattr(self.child, 'pid', None)}>"
