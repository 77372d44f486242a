"""Every once-per-shell (or once-ever) message the hook says, with its key.

A shell remembers what it was told in `_envhook_told` (Told); what must not
be repeated by a shell opened later is remembered in the project's
`noticed` file, and what is said once per user in the state dir's `said`.
Keys are one of the KEY_ prefixes below and a digest of what the message is
about, so a new cause is said again."""

from __future__ import annotations

import os
from pathlib import Path

from envhook.backends import backend_for
from envhook.backends.lockread import own_names
from envhook.decide.assess import FAILED, IN_SYNC, PINNED, STALE, TINKERED
from envhook.env.drift import show, text
from envhook.env.requires import conflicts
from envhook.messages import say
from envhook.store import paths, settings
from envhook.store.hashing import hexdigest
from envhook.store.pins import moved
from envhook.store.records import atomic_write, ensure_project_dir, project_dir, state_dir


class Told:
    """Messages already said in this shell (keys kept in a shell variable), so
    each is said once per shell, not at every prompt."""

    def __init__(self, value: str):
        self.keys = set(value.split())
        self.blocked = False  # the state dir cannot be written: `envhook allow` is not offered

    def once(self, key: str, text: str, *, error: bool = False) -> None:
        if key not in self.keys:
            self.keys.add(key)
            say(text, error=error)

    def value(self) -> str:
        return " ".join(sorted(self.keys))


def digest(*parts: object) -> str:
    return hexdigest(repr(parts).encode())[:12]


# The once-per-shell messages (Told): each key is one of these prefixes and a
# digest of what the message is about, so a new cause is said again.
KEY_STATE_DIR = "w:"   # the state dir cannot be written
KEY_BROKEN = "e:"      # an input that cannot be read (broken TOML)
KEY_SETTING = "c:"     # a bad setting; the default is used instead
KEY_UNTRUSTED = "u:"   # not trusted, or (paranoid) its inputs changed since `envhook allow`
KEY_FAILED = "f:"      # the last sync failed: not retried until the inputs change
KEY_HELD = "h:"        # sync = "missing": a change of the inputs, not synced
KEY_PINNED = "p:"      # pinned, so a change of the inputs was not synced
KEY_PIN_UNDONE = "P:"  # a whole-env pin undone behind envhook's back
KEY_KEPT = "k:"        # a changed lock, and hand-made changes kept whole (tinkered: tinkered_key)
KEY_ERROR = "x:"       # the evaluation itself failed
KEY_FUTURE = paths.KEY_FUTURE  # a watched file dated in the future (paths.future_key; the entry reads it too)
KEY_FOREIGN = paths.KEY_FOREIGN  # a venv activated outside envhook (paths.foreign_key; the entry reads it too)


def say_foreign(told: Told, project, act, venv: str) -> None:
    """A venv activated outside envhook (`venv`, emit.foreign_venv) is active
    where envhook would activate the project's env (an editor's terminal,
    direnv's .envrc, your `source …/activate`): envhook activates nothing over
    it and leaves it to its owner, once said per shell and venv."""
    if not venv or not act.env:
        return
    no_sync = f"; UV_NO_SYNC=1 is exported while you are in {project.name}" if act.no_sync else ""
    if venv == act.env:
        line = (f"{project.name}'s env was activated outside envhook (its activate script, or your editor): "
                f"envhook keeps it synced and leaves the activation to its owner — leaving the project does not "
                f"undo it, `deactivate` does{no_sync}")
    else:
        line = (f"{venv} is active, activated outside envhook: {project.name}'s env is not activated over it "
                f"(envhook keeps it synced){no_sync}; `deactivate` to let envhook activate it")
    told.once(paths.foreign_key(venv), line)


def say_future(told: Told, root: str, marks, state: str) -> None:
    """A watched file dated in the future (paths.stamp_future), once per
    shell per file: its own stamp keeps the prompt watching it, but other
    tools that compare mtimes (make, caches) are misled until it is touched."""
    inside = root.rstrip(os.sep) + os.sep
    for f in paths.told_about(marks, state):
        name = f[len(inside):] if f.startswith(inside) else f
        told.once(paths.future_key(f), f"{name} has a modification time in the future — touch it")


def untrusted_line(project, a) -> str:
    """Why an untrusted project is left alone: the hook says it once, `envhook run` at each refusal."""
    if a.trust_unsafe:
        # Another user could have written what decides: name it, and what fixes it.
        return f"{project.name}: {'; '.join(a.reasons)}"
    if a.trust_changes:
        # Paranoid mode: each new content of the inputs asks again, saying what changed.
        return f"{project.name}: {', '.join(a.reasons)}; not synced or activated until you `envhook allow` it again"
    if a.denied:
        return f"{project.name} is denied; `envhook allow` to trust it again"
    return f"{project.name} ({project.root}) is not trusted; `envhook allow` to sync and activate its env"


def held_line(project, a) -> str:
    """Stale under sync = "missing": the change is not synced."""
    return f"{project.name}'s {', '.join(a.changed)}; not synced (sync = \"missing\") — `envhook sync` brings it in"


def pinned_line(project, a) -> str:
    """Pinned, and the inputs changed since the pin."""
    return f"{project.name} is pinned, so it was not synced ({', '.join(a.reasons)}); `envhook unpin` to sync"


def say_untrusted(told: Told, project, a) -> None:
    root = str(project.root)
    if told.blocked:
        return  # `envhook allow` cannot work either; the line about the state dir was said
    # Paranoid mode keys by the inputs' content: each new content asks again.
    # A file another user could have written is a new cause each time: a
    # shell told "not trusted" before `envhook allow` must still hear it.
    if a.trust_changes:
        key = digest(root, a.inputs)
    elif a.trust_unsafe:
        key = digest(root, *a.reasons)
    else:
        key = digest(root)
    told.once(KEY_UNTRUSTED + key, untrusted_line(project, a))


def say_state(told: Told, project, a) -> None:
    """What the state means for the user, once per shell (or across shells)."""
    root = str(project.root)
    if a.state == STALE and a.held:
        told.once(KEY_HELD + digest(root, a.inputs), held_line(project, a))
    elif a.state == TINKERED or (a.state == STALE and a.kept_whole):
        say_hand_made(told, project, a)
    elif a.state == IN_SYNC:
        _forget_hand_made(project)
    elif a.state == PINNED and a.reasons:
        told.once(KEY_PINNED + digest(root, a.inputs), pinned_line(project, a))
    if a.state == PINNED and a.pin_undone:
        _say_pin_undone(told, project, a)
    elif a.state == FAILED:
        told.once(KEY_FAILED + digest(root, a.inputs),
                  f"last sync of {project.name} did not succeed ({'; '.join(a.reasons)}); "
                  "not retrying until its inputs change — `envhook sync` to retry now",
                  error=True)


def say_no_sync_once(project, reasons: list[str]) -> None:
    """The first time ever that a sync kept hand-made changes after the
    project's pyproject.toml changed under the hook's UV_NO_SYNC (`uv add`,
    `uv remove` only locked): say why uv did not sync, once per user."""
    if os.environ.get("_ENVHOOK_ACTIVE", "") != f"1:{project.env}":
        return
    if not any(r.startswith("pyproject.toml") for r in reasons) or not first_time("uv-no-sync"):
        return
    say("while an env carries hand-made changes, envhook exports UV_NO_SYNC=1: `uv add`, `uv remove` and "
        "`uv run` then leave the sync to envhook, which brings in the rest and keeps your changes")


def _say_pin_undone(told: Told, project, a) -> None:
    """A whole-env pin whose tinkering went back to the lock without envhook
    (an exact `uv sync`, or `uv run` where the hook's UV_NO_SYNC was not
    set): said once, across shells."""
    key = KEY_PIN_UNDONE + digest(str(project.root), a.installed)
    if key in told.keys or key in noticed(project.root):
        return
    told.keys.add(key)
    say(f"{project.name} is pinned, but its env was changed outside envhook ({text(a.pin_undone, limit=6)}): "
        "an exact `uv sync`, or `uv run` without the hook's UV_NO_SYNC, resets it to the lock; "
        "`envhook pin` records the env as it is now")
    try:
        set_noticed(project.root, key)
    except OSError:
        pass


def say_hand_made(told: Told, project, a, said: bool = False) -> None:
    """Once, across shells, for each new state of the env: said in the shell
    that noticed, and a shell opened later does not repeat it."""
    what = text(a.hand or [], limit=6)
    # Keyed by the last sync too: the same change made again after a sync
    # reset it is news again.
    since = a.record.time if a.record is not None else ""
    if a.state == STALE:
        key = KEY_KEPT + digest(str(project.root), since, a.inputs, a.installed)
        why = ", ".join(a.reasons[:-1])
        lacks = f"; a sync would also {text(a.lacks, 'reverse', limit=6)}" if a.lacks else ""
        if a.record is None:
            head = f"{project.name}: envhook never synced its env, and it differs from the lock ({what})"
        else:
            head = f"{project.name}: {why}, but its env was changed by hand ({what})"
        line = (f"{head}; kept it, not synced{lacks} — `envhook sync` brings the env to the lock "
                "(resetting your changes)")
    else:
        key = tinkered_key(project.root, since, a.installed)
        line = f"{project.name} env changed by hand ({what}) — {_what_happens_to_it(project)}"
    # Remembered in the state dir, not in the shell: a return to the lock
    # clears it (_forget_hand_made), so the same change again is said again.
    # `said`: the sync's summary line just said it; only remember that.
    how = settings.value("notify")
    if how == "never" or key in told.keys:
        return
    if how == "always":  # once in every shell: the state dir's memory is not consulted
        if not said:
            say(line)
        told.keys.add(key)
        return
    if key in noticed(project.root):
        return
    if not said:
        say(line)
    try:
        set_noticed(project.root, key)
    except OSError:
        told.keys.add(key)  # cannot be remembered there: at least once per shell


def _what_happens_to_it(project) -> str:
    """The end of the hand-made change notice: what envhook will do with it."""
    policy = settings.value("tinkered")
    if policy == settings.TINKERED_RESET:
        return 'the next change of the inputs resets it (tinkered = "reset"); `envhook pin` keeps it'
    if policy == settings.TINKERED_KEEP and backend_for(project).package_pins:
        also = " and `uv run`" if settings.value("uv_no_sync_when_tinkered") else ""
        return f"kept by envhook's syncs{also}; `envhook sync` resets it"
    return "kept: envhook will not sync over it; `envhook sync` resets it"


def say_pins_moved(project, a) -> None:
    """uv's own exact sync (`uv add`, `uv remove`, `uv sync`) ignores
    envhook's pins: say so once when it changed a pinned package."""
    try:
        changed = moved(project.root, dict(a.package_pins), a.installed)
    except OSError:
        return  # not re-recorded: said again at the next prompt that can
    for p in changed:
        now = a.installed.get(p.name)
        say(f"{project.name}: pinned {p.name} {show(p.installed) if p.installed else '(absent)'} is now "
            f"{show(now) if now else 'absent'}, and stays pinned as it is now: an exact sync by uv itself "
            "(`uv sync`, `uv add`, or `uv run` where the hook's UV_NO_SYNC is not set) resets pins; "
            f"`envhook unpin {p.name}` follows the lock")


def say_conflicts(project, a) -> None:
    """After a sync that kept pinned packages: one line if the lock now
    wants another version of one (a new dependent requires it)."""

    try:
        found = conflicts(project.env, a.package_pins, a.installed, own_names(project))
    except Exception:  # noqa: BLE001 — a report, never a reason to fail the prompt
        return
    if found:
        names = " ".join(sorted({f.split()[1] for f in found}))
        say(f"{project.name} synced; {'; '.join(found)} — `envhook unpin {names}` follows the lock")


def _forget_hand_made(project) -> None:
    """Back in sync (the user undid the change, or uv reset it): the same
    hand-made change made again is news again."""
    if noticed(project.root):
        try:
            atomic_write(ensure_project_dir(project.root) / paths.NOTICED, b"")
        except OSError:
            pass


# -- remembered across shells ---------------------------------------------------

def tinkered_key(root: Path, since: str, installed: dict) -> str:
    """The `noticed` key of an env changed by hand since the sync of `since`:
    the hook's notice and a sync's summary line (which says the same) agree
    on it, so neither repeats the other."""
    return "t:" + hexdigest(repr((str(root), since, installed)).encode())[:12]


# How many of the last notices `noticed` keeps: a hand-made change, then
# inputs that moved away and back, are a few states of the env each said once.
NOTICED_KEPT = 16


def noticed(root: Path) -> list[str]:
    """The keys of the last hand-made change notices the hook said (the
    newest last), since the env was last in sync. More than the last one: a
    change said as tinkered, then as kept under new inputs, is not news
    again when the inputs go back (a `git checkout` and back). Kept apart
    from sync.json, which decisions depend on: saying something must not
    make every shell look again."""
    try:
        return paths.read_state(str(project_dir(root) / paths.NOTICED)).decode("utf-8", "replace").split()
    except OSError:
        return []


def set_noticed(root: Path, key: str) -> None:
    """Add `key` to what `noticed` remembers."""
    keys = [k for k in noticed(root) if k != key][-(NOTICED_KEPT - 1):] + [key]
    atomic_write(ensure_project_dir(root) / paths.NOTICED, ("\n".join(keys) + "\n").encode())


def first_time(key: str) -> bool:
    """True once per user for `key` (a hint worth giving once, ever):
    recorded in the state dir's `said` file. False when it cannot be recorded,
    so a read-only state dir does not repeat it at every prompt."""
    path = state_dir() / "said"
    try:
        seen = set(paths.read_state(str(path)).decode("utf-8", "replace").split())
    except FileNotFoundError:
        seen = set()
    except OSError:
        return False
    if key in seen:
        return False
    try:
        atomic_write(path, ("\n".join(sorted({*seen, key})) + "\n").encode())
    except OSError:
        return False
    return True
