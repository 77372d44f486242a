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
        if not d or os.path.normpath(d) == skip:
            continue
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def start(argv: list[str], env: dict[str, str]) -> int:
    """Start argv with its stdout on our stderr (its progress stays visible and
    never reaches the shell's eval) and stdin from /dev/null.

    Ctrl-C is held back from us until `wait` (the terminal still sends it to
    the child), so an early Ctrl-C cannot strand a running sync unrecorded."""
    fa = [(os.POSIX_SPAWN_DUP2, 2, 1)]
    devnull = os.open(os.devnull, os.O_RDONLY)
    fa.append((os.POSIX_SPAWN_DUP2, devnull, 0))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return os.posix_spawn(argv[0], argv, env, file_actions=fa, setsigmask=set())
    except BaseException:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        raise
    finally:
        os.close(devnull)


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
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.02)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return INTERRUPTED
    code = os.waitstatus_to_exitcode(status)
    return INTERRUPTED if code in (-signal.SIGINT, 130) else code
