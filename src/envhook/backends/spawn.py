"""Starting and waiting for the sync tool, with os alone (subprocess's import
costs more than the rest of the hook's entry), and Ctrl-C handled the way a
shell user expects: the tool stops, we record it, the prompt comes back.

The tool's output goes to the terminal as the tool wrote it (through a
pseudo-terminal when stderr is one, so its progress bars and colours stay)
and also to the project's sync.log, so the cause of a failure is still there
after it scrolled by; the last lines are kept in memory for the record."""

from __future__ import annotations

import os
import signal
import time

INTERRUPTED = None
# Set when the sync was stopped by SIGTERM (`envhook deny` of the project
# cancels its running sync) rather than by Ctrl-C.
cancelled = False
LOG_LIMIT = 256 * 1024  # sync.log keeps at most about this many bytes (the end of the output)
TAIL_BYTES = 16 * 1024  # what the record keeps of the output, to name the cause


def which(name: str, skip: str) -> str | None:
    """`name` on PATH, ignoring the directory `skip` (a project's own env/bin
    can hold a `uv` of its own, which is the project's code, not the user's tool)."""
    for d in os.environ.get("PATH", "").split(os.pathsep):
        # A relative entry ("." or "bin") names a directory of the project
        # the hook stands in: its files are the project's code, not the user's tool.
        if not os.path.isabs(d) or os.path.normpath(d) == skip:
            continue
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


class Log:
    """sync.log: every command of one sync and its output, bounded. Opened
    without following a symlink, so a link planted there cannot make envhook
    overwrite another file."""

    def __init__(self, path: str | None):
        self.path, self.fd = path, None
        if path is not None:
            try:
                self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            except OSError:
                self.path = None  # no log: the terminal still shows the output

    def write(self, data: bytes) -> None:
        if self.fd is None:
            return
        try:
            os.write(self.fd, data)
            if os.lseek(self.fd, 0, os.SEEK_CUR) > 2 * LOG_LIMIT:
                self._keep_end()
        except OSError:
            self.close()

    def _keep_end(self) -> None:
        with open(self.path, "rb") as f:
            f.seek(-LOG_LIMIT, os.SEEK_END)
            end = f.read()
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.write(self.fd, b"[... earlier output left out ...]\n" + end)

    def close(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


class Child:
    """A started tool: its pid, where its output comes from, and the end of it."""

    def __init__(self, pid: int, fd: int | None, log: Log | None, show: bool):
        self.pid, self.fd, self.log, self.show = pid, fd, log, show
        self.tail = b""

    def close(self) -> None:
        fd, self.fd = self.fd, None  # first: a Ctrl-C between the two must not close it twice
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def relay(self) -> None:
        """Copy the tool's output to the terminal and the log until it closes it."""
        while self.fd is not None:
            try:
                data = os.read(self.fd, 65536)
            except InterruptedError:
                continue
            except OSError:
                data = b""  # EIO: the pseudo-terminal's last writer is gone
            if not data:
                self.close()
                break
            if self.show:
                _write_all(2, data)
            if self.log is not None:
                self.log.write(data)
            self.tail = (self.tail + data)[-TAIL_BYTES:]


def _write_all(fd: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass  # a closed terminal must not stop the sync


def start(argv: list[str], env: dict[str, str], cwd: str | None = None, log: Log | None = None,
          show: bool = True) -> Child:
    """Start argv (in `cwd`, if given), stdin from /dev/null, its stdout and
    stderr collected (never reaching the shell's eval) and relayed by `wait`:
    to our stderr when `show`, and to `log`.

    Ctrl-C is held back from us until `wait` (the terminal still sends it to
    the child), so an early Ctrl-C cannot strand a running sync unrecorded."""
    read_end, write_end = _output_channel()
    fa = [(os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_DUP2, write_end, 2)]
    devnull = os.open(os.devnull, os.O_RDONLY)
    fa.append((os.POSIX_SPAWN_DUP2, devnull, 0))
    # posix_spawn has no chdir action before Python 3.13: step there and back
    # (by descriptor, which works even when our own cwd was deleted). No way
    # back, no step: the cwd is a nicety for the tool, ours must not change.
    back = None
    if cwd:
        try:
            back = os.open(".", getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY)
        except OSError:
            cwd = None
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        if cwd:
            os.chdir(cwd)
        # A process group of its own: an interrupt reaches the tool and
        # everything it started (a build backend, git), not only the tool.
        pid = os.posix_spawn(argv[0], argv, env, file_actions=fa, setsigmask=set(), setpgroup=0)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(read_end)
        raise
    finally:
        os.close(devnull)
        os.close(write_end)
        if back is not None:
            os.fchdir(back)
            os.close(back)
    if log is not None:
        log.write(f"$ {' '.join(argv)}\n".encode(errors="replace"))
    return Child(pid, read_end, log, show)


def _output_channel() -> tuple[int, int]:
    """A pseudo-terminal when our stderr is a terminal (the tool then shows
    what it shows a person: progress, colours), of the same size; else a pipe."""
    try:
        if os.isatty(2):
            master, slave = os.openpty()
            try:

                import fcntl  # only for a tool shown on a terminal
                import termios  # only for a tool shown on a terminal

                size = fcntl.ioctl(2, termios.TIOCGWINSZ, b"\0" * 8)
                fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
            except OSError:
                pass
            return master, slave
    except OSError:
        pass
    return os.pipe()


def wait(child: Child) -> int | None:
    """The child's exit code, or INTERRUPTED when Ctrl-C stopped it."""
    pid = child.pid
    try:
        # A Ctrl-C that arrived since `start` is delivered here, inside the try.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        child.relay()
        _, status = os.waitpid(pid, 0)
    except KeyboardInterrupt:
        # The tool's group gets the interrupt too (it has a group of its own,
        # so the terminal's Ctrl-C does not reach it); a moment to clean up,
        # then the whole group is killed before anything is recorded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        child.close()
        _signal_group(pid, signal.SIGINT)
        deadline = time.monotonic() + 3
        try:
            while time.monotonic() < deadline:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.02)
            else:
                _signal_group(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            _signal_group(pid, signal.SIGKILL)  # what it started and left behind
        except (ChildProcessError, ProcessLookupError):
            # Reaped already: the Ctrl-C was raised just after waitpid returned.
            # Without this, ECHILD escaped and left the record saying "running".
            pass
        _end_line(child, interrupted=True)
        return INTERRUPTED
    code = os.waitstatus_to_exitcode(status)
    _end_line(child, interrupted=code in (-signal.SIGINT, 130))
    return INTERRUPTED if code in (-signal.SIGINT, 130) else code


def _end_line(child: Child, interrupted: bool) -> None:
    """What envhook says next starts a line of its own: a tool's last line
    may be unfinished (PDM's spinner, a progress bar redrawn with \r), and
    after a Ctrl-C so is the terminal's own `^C`."""
    if not child.show:
        return
    import re  # only after a tool ran

    # Escape sequences after the last newline (a cursor shown again) move no line.
    last = re.sub(rb"(?:\x1b\[[0-?]*[ -/]*[@-~])+$", b"", child.tail)
    if (interrupted and os.isatty(2)) or (last and not last.endswith(b"\n")):
        _write_all(2, b"\n")


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def cancel_on_sigterm(signum, frame) -> None:
    """SIGTERM during a sync (`envhook deny` from another shell): stop as
    for Ctrl-C, and say it was cancelled."""
    global cancelled
    cancelled = True
    raise KeyboardInterrupt
