"""`envhook export SHELL`: the hook's slow path.

The shell calls this only when its builtin checks say something may have
changed. It decides (evaluate.assess), syncs if needed, and prints shell code
that activates or deactivates and leaves behind what the next prompt's builtin
check needs: the project dirs, the files to watch, and this shell's stamp.
It never raises: a traceback at every prompt is the one thing a hook must not do.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

from envhook.messages import say


class Told:
    """Messages already said in this shell (keys kept in a shell variable), so
    each is said once per shell, not at every prompt."""

    def __init__(self, value: str):
        self.keys = set(value.split())

    def once(self, key: str, text: str) -> None:
        if key not in self.keys:
            self.keys.add(key)
            say(text)

    def value(self) -> str:
        return " ".join(sorted(self.keys))


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


def _session() -> str:
    s = os.environ.get("_ENVHOOK_SESSION", "")
    return s if re.fullmatch(r"[A-Za-z0-9]{1,64}", s) else "nosession"


def export(shell_name: str) -> tuple[str, int]:
    from envhook import venv
    from envhook.evaluate import FAILED, PINNED, UNTRUSTED, assess
    from envhook.project import ProjectError, current_dir, find_project
    from envhook.shells import get_shell
    from envhook.state import notify, project_dir, start_stamp, finish_stamp, stamp_path

    sh = get_shell(shell_name)
    told = Told(os.environ.get("_ENVHOOK_TOLD", ""))
    nosync_active, _, active = os.environ.get("_ENVHOOK_ACTIVE", "").partition(":")
    hand_activated = bool(os.environ.get("VIRTUAL_ENV")) and os.environ.get("VIRTUAL_ENV") != active
    cwd = current_dir()
    out: list[str] = []

    try:
        project = find_project(cwd)
    except ProjectError as e:
        # Keep whatever is active and watch the broken file, so the user is told
        # once and the next edit of that file is noticed.
        told.once("e:" + _digest(str(e)), f"{e}; fix it to let envhook sync")
        from envhook.project import nearest_pyproject_dir

        d = e.path.parent
        nearest = nearest_pyproject_dir(cwd) or d
        out += [
            sh.assign("_envhook_root", str(d)),
            sh.assign("_envhook_pwd", str(cwd)),
            sh.assign_list("_envhook_known", sorted({str(nearest), str(d)})),
            sh.assign_list("_envhook_watch", [str(e.path)]),
            sh.assign_list("_envhook_absent", []),
            sh.assign("_envhook_stamp", _stamp_now(stamp_path(_session(), d), start_stamp, finish_stamp)),
            sh.assign("_envhook_told", told.value()),
        ]
        return sh.script(out), 0

    if project is None:
        if active:
            out.append("_envhook_leave")
        out.append(sh.assign("_envhook_told", told.value()))
        return sh.script(out), 0

    stamp = stamp_path(_session(), project.root)
    stamp_time = start_stamp(stamp)
    a = assess(project)

    if a.state == UNTRUSTED:
        told.once(
            "u:" + _digest(project.root),
            f"{project.name} ({project.root}) is not trusted; `envhook allow` to sync and activate its env"
            if not a.denied
            else f"{project.name} is denied; `envhook allow` to trust it again",
        )
    elif a.should_sync:
        from envhook.syncing import sync

        outcome = sync(project, ", ".join(a.reasons))
        # Everything the sync wrote happened before this stamp, so none of it
        # wakes the next prompt; anything after it does.
        stamp_time = start_stamp(stamp)
        a = assess(project)
        if outcome.status != "ok":
            # The sync just said why it failed; the reminder below is for later
            # prompts. Keyed by the inputs as they are now: uv may have written
            # the lock before it failed or was interrupted.
            told.keys.add("f:" + _digest(project.root, a.inputs))

    if a.state == PINNED and a.reasons:
        told.once(
            "p:" + _digest(project.root, a.inputs),
            f"{project.name} is pinned, so it was not synced ({', '.join(a.reasons)}); `envhook unpin` to sync",
        )
    elif a.state == FAILED:
        told.once(
            "f:" + _digest(project.root, a.inputs),
            f"last sync of {project.name} did not succeed ({'; '.join(a.reasons)}); "
            "not retrying until its inputs change — `envhook sync` to retry now",
        )

    want = project.env if a.can_activate else None
    nosync = "1" if a.state == PINNED else "0"
    if hand_activated:
        # The user's own activation wins; ours only goes away if we must leave.
        if active and (want is None or str(want) != active):
            out.append("_envhook_deactivate")
    elif want is None:
        if active:
            out.append("_envhook_deactivate")
    elif str(want) != active or nosync != nosync_active:
        out.append(sh.call("_envhook_activate", str(want), venv.prompt(want), nosync))

    # What the next prompt's builtin check watches: every input, the env's
    # own files, and the notify file that user commands touch.
    candidates = list(project.inputs) + venv.watched(project.env) + [project_dir(project.root) / "notify"]
    d = cwd
    while d != project.nearest and d != d.parent and project.nearest in d.parents:
        candidates.append(d / "pyproject.toml")  # a new project between here and the root
        d = d.parent
    watch, absent = [], []
    for p in candidates:
        (watch if os.path.lexists(p) else absent).append(str(p))
    out += [
        sh.assign("_envhook_root", str(project.root)),
        sh.assign("_envhook_pwd", str(cwd)),
        sh.assign_list("_envhook_known", project.aliases),
        sh.assign_list("_envhook_watch", watch),
        sh.assign_list("_envhook_absent", absent),
        sh.assign("_envhook_stamp", str(stamp)),
        sh.assign("_envhook_told", told.value()),
    ]
    finish_stamp(stamp, stamp_time)
    return sh.script(out), 0


def _stamp_now(path: Path, start, finish) -> str:
    finish(path, start(path))
    return str(path)


def _told_only(shell_name: str, told: Told) -> str:
    try:
        from envhook.shells import get_shell

        sh = get_shell(shell_name)
    except ValueError:
        return ""
    return sh.script([sh.assign("_envhook_told", told.value())])


def export_main(argv: list[str]) -> int:
    shell_name = argv[0] if argv else ""
    try:
        text, code = export(shell_name)
    except KeyboardInterrupt:
        # Ctrl-C outside a sync: print nothing; the next prompt looks again.
        return 0
    except Exception as e:  # noqa: BLE001 — the prompt must get one line, never a traceback
        told = Told(os.environ.get("_ENVHOOK_TOLD", ""))
        told.once("x:" + _digest(type(e).__name__, str(e)), f"error: {e} ({type(e).__name__}); `envhook status` shows more")
        text, code = _told_only(shell_name, told), 0
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError:
        return 1
    return code
