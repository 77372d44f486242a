"""`envhook hook [SHELL]`: print the hook for the user's rc file."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import envhook
from envhook.env.activation import names_taken_over
from envhook.messages import say
from envhook.prompt.shells import get_shell
from envhook.store import settings
from envhook.store.records import atomic_write, prune_stamps


def detect_shell() -> str | None:
    try:
        import shellingham  # only when no hook said which shell this is

        name, _ = shellingham.detect_shell()
    except Exception:  # noqa: BLE001 — shellingham raises its own errors when it cannot tell
        return None
    return name


# The program the hook runs (python -I -S -c ENTRY SHELL PATH...). Exit
# status 3 tells the hook that envhook is gone: it says so once, leaves the
# env and stops. It names the protocol its shell code speaks
# (Shell.protocol), so that a later envhook can tell a hook rendered by
# this one. The import path it was printed with dies with a reinstall on
# another Python (lib/python3.X/site-packages of the same venv, at the same
# path): then the interpreter's own site-packages (site.main, which -S
# skipped) is where the reinstalled envhook is, and open shells go on.
_ENTRY = """\
import sys
sys.path[:0] = sys.argv[2:]
try:
    from envhook.prompt.entry import main
except ImportError:
    for m in [m for m in sys.modules if m.partition(".")[0] == "envhook"]:
        del sys.modules[m]
    import site
    site.main()
    try:
        from envhook.prompt.entry import main
    except ImportError as e:
        sys.stderr.write(f"envhook: this shell's hook has stopped (it cannot load envhook any more: {e}); "
                         "open a new shell (or `exec $SHELL`)\\n")
        sys.exit(3)
sys.exit(main(sys.argv[1:2], protocol=%d))
"""


def entry(protocol: int) -> str:
    """The ENTRY of a hook whose shell code speaks PROTOCOL."""
    return _ENTRY % protocol


def import_path() -> list[str]:
    """Where envhook and its dependencies are imported from. The hook runs
    Python with -S (no site: ~2 ms saved per call), so it hands these over."""
    own = os.path.dirname(os.path.dirname(os.path.abspath(envhook.__file__)))
    site = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and p != own]
    return [own, *site]


def rules(sh, spec: dict) -> dict:
    """What the hook carries of rules written once in Python: what a shell
    started inside an activation takes over as its own (env.activation), the
    completer's data (cli.completion_spec), and the protocol its code reads
    (a hook loaded again after an upgrade tells an older one by it)."""
    taken, taken_no_sync = names_taken_over()
    return {"ENVHOOK_TAKEN": taken, "ENVHOOK_TAKEN_NO_SYNC": taken_no_sync, "ENVHOOK_PROTOCOL": str(sh.protocol),
            **sh.completion_values(spec)}


def hook(shell_name: str | None, output: str | None, spec: dict) -> int:
    """SPEC: cli.completion_spec(), which the in-hook completers are rendered from."""

    name = shell_name or detect_shell()
    if name is None:
        say("cannot tell which shell this is; say it: `envhook hook bash|zsh|fish|…`", error=True)
        return 2
    try:
        sh = get_shell(name)
    except ValueError as e:
        say(str(e), error=True)
        return 2
    text = sh.render(
        sh.template_text(),
        {
            # The interpreter envhook runs in, by absolute path: the hook
            # must not depend on PATH (or pay for a pyenv shim).
            "ENVHOOK_PYTHON": sys.executable,
            "ENVHOOK_PYPATH": import_path(),
            "ENVHOOK_ENTRY": entry(sh.protocol),
            "ENVHOOK_SESSION": secrets.token_hex(8),
            "ENVHOOK_PARANOID": "1" if _paranoid_setting() else "",
            **rules(sh, spec),
        },
    )
    if output is None:
        sys.stdout.write(text)
    else:
        # Several shells starting at once (a terminal restoring its tabs) each
        # write the file that all of them source: none may read half of it.
        try:
            atomic_write(Path(output), text.encode("utf-8", "surrogateescape"))
        except OSError as e:
            say(f"cannot write the hook to {output}: {e.strerror or e}", error=True)
            return 1
    prune_stamps()
    return 0


def _paranoid_setting() -> bool:
    """The `paranoid` setting, baked into the hook: the shell consults it
    without Python. A bad value is reported by the hook's first evaluation."""
    return settings.value("paranoid")
