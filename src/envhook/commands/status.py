"""`envhook status`: what envhook knows about a project, how its env differs
from the lock, and what the hook will do next."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from envhook.backends import backend_for, lock_drift
from envhook.backends.lockread import own_names
from envhook.decide.assess import FAILED, IN_SYNC, NO_PROJECT, PINNED, STALE, TINKERED, Assessment, assess, remember
from envhook.decide.project import ProjectError, current_dir, find_project
from envhook.env import journal, venv
from envhook.env.drift import WHERE_ALL, Change, text
from envhook.env.requires import conflicts, unmet
from envhook.env.selection import describe
from envhook.messages import clean, paint, tilde

_STATE_MARK = "\ue000state\ue000"  # a private-use placeholder for the coloured state word


def status(path: Path | None, as_json: bool, short: bool = False) -> int:
    try:
        project = find_project(Path(os.path.abspath(path)) if path is not None else current_dir())
    except ProjectError as e:
        return _unreadable(e, as_json, short)
    a = assess(project)
    remember(a)
    if short:
        sys.stdout.write(a.state + "\n")
        return 0 if a.state != NO_PROJECT or path is None else 1
    a = _look_closer(project, a)
    # A list the hook cut short says status lists it: here that is said of itself.
    a = a.replace(reasons=[r.replace(WHERE_ALL, "") for r in a.reasons])
    generation = journal.latest(project.root) if project is not None else None
    if as_json:
        json.dump({**a.to_json(), "generation": generation}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    lines = [*_project_lines(project, a), *_package_pin_lines(a), f"state:   {_STATE_MARK}"]
    lines += [f"  - {r}" for r in a.reasons]
    lines += [*_drift_lines(project, a), *_trouble_lines(a)]
    active = os.environ.get("VIRTUAL_ENV")
    if project is not None and active:
        lines.append(f"active:  {active}")
    if generation is not None:
        lines.append(f"history: generation {generation['id']}, {generation['by']} ({generation['when']}; "
                     "`envhook log` lists them)")
    lines.append(f"next:    {a.next}")
    shade = {"in-sync": "32", "pinned": "33", "tinkered": "33", "stale": "33", "missing": "33",
             "failed": "1;31", "untrusted": "1;31"}.get(a.state, "2")
    # Names, paths, notes and tool output come from repositories and files:
    # each line is shown as text, never as terminal commands (the colour of
    # the state word is ours, added after).
    text = "\n".join(clean(line) for line in lines).replace(_STATE_MARK, paint(a.state, shade, sys.stdout))
    sys.stdout.write(text + "\n")
    return 0 if a.state != NO_PROJECT or path is None else 1


def _unreadable(e: ProjectError, as_json: bool, short: bool) -> int:
    """A project file that cannot be read (not valid TOML, a bad
    [tool.envhook]): what the hook says and exports (`failed`, the active
    env left as it is), with the file and the parser's line and column.
    Exit 1: nothing can be decided until it is fixed."""
    a = Assessment(None, FAILED, [str(e)])
    root = e.path.parent
    next_step = f"nothing until {e.path.name} is fixed (the hook leaves whatever env is active as it is)"
    if short:
        sys.stdout.write(f"{a.state}\n")
    elif as_json:
        data = {**a.to_json(), "project": str(root), "file": str(e.path), "next": next_step,
                "exports": {"ENVHOOK_STATE": str(a.state)}}
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        lines = [f"project: {root}", f"file:    {e.path}", f"state:   {_STATE_MARK}", f"  - {e}",
                 f"next:    {next_step}"]
        text = "\n".join(clean(line) for line in lines).replace(_STATE_MARK, paint(a.state, "1;31", sys.stdout))
        sys.stdout.write(text + "\n")
    return 1


def _look_closer(project, a):
    """What the hook does not ask but a person reading wants: the drift of a
    pinned or stale env (one `uv sync --dry-run`; not after a failed sync,
    which would only repeat the failure), pin conflicts, unmet requirements.
    Returns the assessment with what was learned."""
    if a.lock is None and a.trusted and not a.missing and (a.state in (STALE, PINNED, TINKERED) or a.package_pins
                                                           or a.partial):
        a = a.replace(lock=lock_drift(project, a.installed))
    if a.package_pins and not a.missing:

        a = a.replace(conflicts=conflicts(project.env, a.package_pins, a.installed or {}, own_names(project)))
    if a.trusted and not a.missing and a.state in (IN_SYNC, TINKERED, STALE, PINNED, FAILED):
        a = _check_requirements(project, a)
    return a


def _project_lines(project, a) -> list[str]:
    if project is None:
        return ["project: none (no pyproject.toml or requirements.txt here or above)"]
    lines = [f"project: {project.name} ({project.root})", f"env:     {project.env}"]
    d = project.detection
    if d is not None:
        lines.append(f"backend: {project.backend} ({d.why})")
        if d.ignored:
            lines.append(f"  {d.why} wins over {', '.join(d.ignored)}; `[tool.envhook] backend = \"…\"` "
                         "in pyproject.toml chooses another")
    chosen = describe(project.selection)
    if chosen:
        lines.append(f"chosen:  {', '.join(f'{o} ({w})' for o, w in chosen)}")
    if a.trusted_by == "worktree":
        lines.append(f"trusted: yes (worktree of {tilde(a.trusted_from)}, allowed there)")
    elif a.trusted_by == "trusted_roots":
        also = ("; paranoid mode does not check such a project's content: nothing was allowed to compare with"
                if a.paranoid else "")
        lines.append(f"trusted: yes (under trusted_roots in your settings{also})")
    else:
        lines.append(f"trusted: {'yes' if a.trusted else 'no'}")
    if a.record is not None:
        lines.append(f"last sync: {a.record.status} at {a.record.time}")
    if a.pin is not None:
        note = f" — {a.pin.note}" if a.pin.note else ""
        lines.append(f"pinned:  since {a.pin.since}{note}")
        if a.pin.drift:
            frozen = [Change.from_json(d) for d in a.pin.drift if isinstance(d, dict)]
            lines.append(f"  when pinned, it differed from the lock: {text(frozen, 'against_lock')}")
        elif a.pin.drift == []:
            lines.append("  when pinned, it matched the lock")
    return lines


def _package_pin_lines(a) -> list[str]:
    if not a.package_pins:
        return []
    lines = ["pinned packages (syncs leave them as they are):"]
    for pp in a.package_pins.values():
        installed, locked = a.pinned_change(pp.name)
        have = installed if installed is not None else "(absent)"
        if a.lock is None or a.lock.changes is None:
            want = ""
        elif locked == installed:
            want = " (as the lock has it)"
        else:
            want = f" (lock: {locked if locked is not None else 'not in it'})"
        note = f" — {pp.note}" if pp.note else ""
        lines.append(f"  {pp.name} {have}{want}, since {pp.since}{note}")
    lines += [f"  conflict: {c}" for c in a.conflicts]
    return lines


def _drift_lines(project, a) -> list[str]:
    if a.lock is None:
        return []

    against = backend_for(project).lock_description(project)
    if a.lock.changes is None:
        lines = [f"drift:   unknown ({a.lock.error})"]
    elif not a.lock.changes:
        lines = [f"drift:   none (the env matches {against})"]
    elif a.partial:
        # Not the whole lock: a workspace's plain sync installs the root's selection of it.
        lines = [f"drift:   (the env against what a plain `{a.sync_label}` installs from {against}; + in the env, "
                 "not installed by it; - installed by it, not in the env)"]
        lines += [f"  {c.against_lock()}" for c in a.lock.changes]
        lines.append("  (uv's own workspace commands left the env so: `uv sync --package`, `uv run` in a member; "
                     "envhook recorded it as in sync, and its next sync, after a change of the inputs, makes these "
                     "changes)")
    else:
        lines = [f"drift:   (the env against {against}; + in the env, not in the lock; "
                 "- in the lock, not in the env)"]
        # A pinned package's drift is what the pin keeps: said, so the state (in-sync) is not read as a lie.
        lines += [f"  {c.against_lock()}{', pinned' if c.name in a.package_pins else ''}" for c in a.lock.changes]
    if a.lock.outdated:
        lines.append(f"  ({against} is out of date with pyproject.toml; a sync updates it first)")
    if a.lock.replace:
        lines.append("  (a sync would replace the env: it was made for another Python)")
    return lines


def _trouble_lines(a) -> list[str]:
    """Unmet requirements, the last failure's own words, what a frozen env lacks."""
    lines = []
    if a.unmet:
        lines.append("unmet:   what the env's packages require and it lacks (as `uv pip check` finds it):")
        lines += [f"  {u}" for u in a.unmet]
    failure = a.record.failure if a.record is not None and a.state == FAILED else None
    if failure:
        lines.append(f"failure: `{failure.get('command')}` exited {failure.get('exit')}; its last lines:")
        lines += [f"  | {t}" for t in failure.get("tail") or []]
        if failure.get("log"):
            lines.append(f"  (all of its output: {failure['log']})")
    if a.lacks:
        lines.append("not synced: besides resetting your changes, a sync would (`envhook sync`):")
        lines += [f"  {c.reverse()}" for c in a.lacks]
    return lines


def _check_requirements(project, a):
    """`uv pip check`'s question, asked of the env as it is: an env missing
    what its packages require is not in sync, whatever the records say.
    Requirements on and of package pins are their conflicts, listed apart;
    the project's own packages are installed from its tree, and their
    installed metadata can lag behind pyproject.toml (uv does not rebuild
    an editable install for a dependency change), so theirs are not asked."""

    pinned = set(a.package_pins)
    installed = a.installed or venv.installed(project.env)
    found = [str(u) for u in unmet(project.env, installed, owners_skipped=pinned | own_names(project))
             if venv.canonical(u.target) not in pinned]
    if found and a.state == IN_SYNC:
        return a.replace(unmet=found, state=FAILED,
                         reasons=["the env lacks what its packages require (see unmet:); `envhook sync` retries"])
    return a.replace(unmet=found)
