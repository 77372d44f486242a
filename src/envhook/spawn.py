"""Starting and waiting for the sync tool, with os alone (subprocess's import
costs more than the rest of the hook's entry), and Ctrl-C handled the way a
shell user expects: the tool stops, we record it, the prompt comes back."""

from __future__ import annotations

import os
import signal
import time

INTERRUPTED = None


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


def start(argv: list[str], env: dict[str, str], cwd: str | None = None, output: int | None = None) -> int:
    """Start argv (in `cwd`, if given) with its stdout on our stderr (its
    progress stays visible and never reaches the shell's eval) and stdin from
    /dev/null; with `output` (a descriptor, ENVHOOK_QUIET's log), both there.

    Ctrl-C is held back from us until `wait` (the terminal still sends it to
    the child), so an early Ctrl-C cannot strand a running sync unrecorded."""
    fa = [(os.POSIX_SPAWN_DUP2, 2, 1)] if output is None else [
        (os.POSIX_SPAWN_DUP2, output, 1), (os.POSIX_SPAWN_DUP2, output, 2)]
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
        return os.posix_spawn(argv[0], argv, env, file_actions=fa, setsigmask=set())
    except BaseException:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        raise
    finally:
        os.close(devnull)
        if back is not None:
            os.fchdir(back)
            os.close(back)


def wait(pid: int) -> int | None:
    """The child's exit code, or INTERRUPTED when Ctrl-C stopped it."""
    try:
        # A Ctrl-C that arrived since `start` is delivered here, inside the try.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        _, status = os.waitpid(pid, 0)
    except KeyboardInterrupt:
        # The child got the same Ctrl-C from the terminal; give it a moment to
        # clean up, then make sure it is gone before anything is recorded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        deadline = time.monotonic() + 3
        try:
            while time.monotonic() < deadline:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.02)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):
            # Reaped already: the Ctrl-C was raised just after waitpid returned.
            # Without this, ECHILD escaped and left the record saying "running".
            pass
        return INTERRUPTED
    code = os.waitstatus_to_exitcode(status)
    return INTERRUPTED if code in (-signal.SIGINT, 130) else code
