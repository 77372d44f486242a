"""`envhook pin` / `envhook unpin`: what is frozen, and what unfreezing will change.

Without packages, the whole env: never synced. With packages (or
--tinkered, the packages that differ from the lock), only those: the env
keeps following the lock, and a sync leaves them as they are."""

from __future__ import annotations

from pathlib import Path

from envhook.backends import backend_for, lock_drift
from envhook.commands.common import locate
from envhook.decide import trust
from envhook.decide.pipeline import look
from envhook.env import venv
from envhook.env.drift import compare, show, text
from envhook.messages import say
from envhook.store import pins
from envhook.store.records import SyncRecord


def _lock_drift(project):
    """The backend's answer for a trusted project whose env exists; None
    otherwise (no tool is run for a project nobody trusted)."""
    if not trust.is_trusted(project.root) or venv.missing_reason(project.env):
        return None
    return lock_drift(project)


def pin(path: Path | None, note: str | None, packages: list[str] = (), tinkered: bool = False,
        absent: bool = False) -> int:
    project = locate(path)
    if project is None:
        return 1
    look(project)  # what the env holds as it is pinned is in its history (env/journal.py)
    if packages or tinkered:
        return pin_packages(project, packages, note, tinkered, absent)
    drift = _lock_drift(project)
    known = drift is not None and drift.changes is not None
    pins.pin(project.root, project.current_inputs(), note,
             [c.to_json() for c in drift.changes] if known else None,
             venv.installed(project.env) if not venv.missing_reason(project.env) else None)
    also = ", and `uv run` leaves it alone (UV_NO_SYNC=1)" if project.backend == "uv" else ""
    say(
        f"pinned {project.name}: the hook will activate {project.env} but never sync it"
        f"{also}; `envhook unpin` to follow the lock again"
    )
    if known and drift.changes:
        say("keeping these differences from the lock:")
        for c in drift.changes:
            say(f"  {c.against_lock()}")
    elif known:
        say("the env matches the lock as it is now")
    elif drift is not None:
        say(f"cannot tell how the env differs from the lock ({drift.error})")
    return 0


def _cannot(project) -> str | None:
    if backend_for(project).package_pins:
        return None
    return (f"{project.name} is synced with `{backend_for(project).sync_label_for(project)}`, which cannot leave some packages "
            "out of a sync, so package pins would not hold; `envhook pin` (no package) pins the whole env")


def pin_packages(project, names: list[str], note: str | None, tinkered: bool, absent: bool = False) -> int:
    why = _cannot(project)
    if why:
        say(why, error=True)
        return 2
    wanted = [venv.canonical(n) for n in names]
    installed = venv.installed(project.env)
    unknown = [n for n in wanted if n not in installed]
    if unknown and not absent:
        # Not installed: a typo, unless the lock has it (then pinning keeps it out).
        drift = _lock_drift(project)
        locked = {c.name for c in drift.changes} if drift is not None and drift.changes is not None else set()
        unknown = [n for n in unknown if n not in locked]
        if unknown:
            say(f"{', '.join(unknown)}: neither installed in {project.name}'s env nor in its lock; nothing pinned "
                f"(`envhook pin --absent {' '.join(unknown)}` keeps {'it' if len(unknown) == 1 else 'them'} "
                "out on purpose)", error=True)
            return 2
    if tinkered:
        drift = _lock_drift(project)
        if drift is None or drift.changes is None:
            reason = f" ({drift.error})" if drift is not None and drift.error else \
                " (it needs a trusted project with an env)"
            say(f"cannot tell which packages differ from the lock{reason}; nothing pinned", error=True)
            return 1
        wanted += [c.name for c in drift.changes if c.name not in wanted]
        if not wanted:
            say(f"{project.name}'s env matches the lock; nothing to pin")
            return 0
    added = pins.pin_packages(project.root, wanted, note, installed)
    shown = ", ".join(f"{p.name} {show(p.installed)}" if p.installed else f"{p.name} (absent)" for p in added)
    say(f"pinned in {project.name}: {shown}; syncs leave {'it' if len(added) == 1 else 'them'} as "
        f"{'it is' if len(added) == 1 else 'they are'} and bring the rest to the lock")
    return 0


def unpin(path: Path | None, packages: list[str] = ()) -> int:
    project = locate(path)
    if project is None:
        return 1
    if packages:
        return unpin_packages(project, packages)
    record = SyncRecord.load(project.root)
    if not pins.unpin(project.root):
        held = sorted(pins.load_package_pins(project.root))
        extra = f" (pinned packages: {', '.join(held)}; `envhook unpin PACKAGE` releases one)" if held else ""
        say(f"{project.name} was not pinned{extra}")
        return 0
    # Unpinning is consent to reset what was changed by hand up to now (before
    # or while pinned): recorded with what each package is now, so a change
    # made after this is the user's again, not part of the consent.
    baseline = record.baseline() if record is not None else None
    if baseline is not None and not venv.missing_reason(project.env):
        now = venv.installed(project.env)
        record.reset_on_drift = {c.name: c.installed for c in compare(baseline, now)}
        record.save(project.root)
    drift = _lock_drift(project)
    held = set(pins.load_package_pins(project.root))
    if drift is not None:
        drift = drift.without(held)  # those stay as they are: only `unpin PACKAGE` releases them
    also = f" (package pins stay: {', '.join(sorted(held))})" if held else ""
    if drift is None or drift.changes is None:
        why = f" ({drift.error})" if drift is not None and drift.error else ""
        say(f"unpinned {project.name}; the next prompt syncs it to the lock if needed{why}{also}")
    elif drift.changes or drift.outdated or drift.replace:
        what = text(drift.changes, "reverse") if drift.changes else "no package changes"
        extra = f"; {backend_for(project).lock_description(project)} is updated first" if drift.outdated else ""
        extra += "; the env is recreated for another Python" if drift.replace else ""
        say(f"unpinned {project.name}; the next prompt syncs it to the lock: {what}{extra}{also}")
    else:
        say(f"unpinned {project.name}; the env already matches the lock{also}")
    return 0


def unpin_packages(project, names: list[str]) -> int:
    wanted = [venv.canonical(n) for n in names]
    gone = pins.unpin_packages(project.root, wanted)
    for n in wanted:
        if n not in gone:
            say(f"{n} was not pinned in {project.name}")
    if not gone:
        return 0
    drift = _lock_drift(project)
    resets = [c for c in (drift.changes or []) if c.name in gone] if drift is not None else []
    record = SyncRecord.load(project.root)
    baseline = record.baseline() if record is not None else None
    if resets and baseline is not None:
        # Consent to reset these, and only these, at the next prompt: the
        # baseline is set to what the lock wants, so the env differs from it
        # by them (evaluate._consented: each with its value now).
        for c in resets:
            if c.locked is None:
                baseline.pop(c.name, None)
            else:
                baseline[c.name] = c.locked
        consent = record.reset_on_drift if isinstance(record.reset_on_drift, dict) else {}
        now = venv.installed(project.env)
        record.reset_on_drift = {**consent, **{n: now.get(n) for n in gone}}
        record.save(project.root)
    names, them = ", ".join(gone), "it" if len(gone) == 1 else "them"
    if resets:
        say(f"unpinned {names} in {project.name}; the next prompt syncs {them} to the lock: "
            f"{text(resets, 'reverse')}")
    elif drift is not None and drift.changes is not None:
        say(f"unpinned {names} in {project.name}; the env already has {them} as the lock wants")
    else:
        say(f"unpinned {names} in {project.name}; the next sync brings {them} to the lock")
    return 0
