"""The hook's Python entry, `envhook export SHELL`.

The shell starts it only when its builtin checks say something may have
changed, or on entering a project this shell has not seen. Most of those
calls change nothing, so this module first tries the decision cache
(hookcache) with nothing but os and stat calls; only when a signature moved
does it import the full evaluation (TOML, JSON, content digests, maybe uv).
tests/test_imports.py keeps this path free of heavy imports.
"""

from __future__ import annotations

import os

from envhook import emit, hookcache, paths


def session() -> str:
    s = os.environ.get("_ENVHOOK_SESSION", "")
    return s if s.isalnum() and s.isascii() and len(s) <= 64 else "nosession"


def fast(shell_name: str) -> str | None:
    """The export from the decision cache, or None when only a full evaluation can tell."""
    from envhook.shells import get_shell

    sh = get_shell(shell_name)
    cwd = paths.current_dir()
    nearest = paths.nearest_project_dir(cwd)
    if nearest is None:
        return emit.leave(sh, None)
    state = paths.state_dir()
    decision = hookcache.read(hookcache.cache_file(state, nearest))
    if decision is None:
        return None
    stamp = paths.stamp_path(state, session(), decision.root)
    # The stamp is taken before the signatures are checked: a change in
    # between is then newer than the stamp and wakes the next prompt.
    stamp_time = paths.start_stamp(stamp)
    if not decision.fresh(os.environ):
        return None
    watch, absent = list(decision.watch), list(decision.absent)
    for p in paths.dirs_between(cwd, nearest):
        (watch if os.path.lexists(p) else absent).append(p)
    text = emit.remember(
        sh,
        root=decision.root,
        cwd=cwd,
        known=sorted({*decision.known, nearest}),
        watch=watch,
        absent=absent,
        stamp=stamp,
        act=decision.act,
        told=None,
    )
    paths.finish_stamp(stamp, stamp_time)
    return text


def main(argv: list[str]) -> int:
    shell_name = argv[0] if argv else ""
    try:
        text = fast(shell_name)
    except KeyboardInterrupt:
        return 0
    except Exception:  # noqa: BLE001 — whatever went wrong, the full path decides and reports
        text = None
    if text is None:
        from envhook.commands.export import export_main

        return export_main(argv)
    return emit.write(text)
