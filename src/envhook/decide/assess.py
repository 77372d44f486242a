"""The one place that decides what state a project's env is in and what the
hook will do about it. assess() only reads; `export`, `run` and `status` call
it, then remember() what it learned at a cost (a workspace's dry runs)."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path

from envhook.backends import backend_for, lock_drift
from envhook.decide import trust
from envhook.decide.project import Project
from envhook.env import venv
from envhook.env.activation import Activation, Changes
from envhook.env.drift import Change, LockDrift, compare, split, text
from envhook.store import paths, settings
from envhook.store.hashing import hexdigest
from envhook.store.pins import PackagePin, Pin, load_package_pins, load_pin
from envhook.store.records import (
    SYNC_FAILED,
    SYNC_INTERRUPTED,
    SYNC_OK,
    SYNC_RUNNING,
    SyncRecord,
    atomic_write,
    describe_changes,
    ensure_project_dir,
    file_digest,
    fingerprint,
    project_dir,
)


class State(StrEnum):
    """What `envhook status` says and ENVHOOK_STATE holds (str values: JSON,
    the shell and the decision cache see the plain words)."""

    NO_PROJECT = "no-project"
    UNTRUSTED = "untrusted"
    MISSING = "missing"
    STALE = "stale"
    IN_SYNC = "in-sync"
    PINNED = "pinned"
    TINKERED = "tinkered"
    FAILED = "failed"
    DISABLED = "disabled"


NO_PROJECT, UNTRUSTED, MISSING, STALE = State.NO_PROJECT, State.UNTRUSTED, State.MISSING, State.STALE
IN_SYNC, PINNED, TINKERED, FAILED, DISABLED = State.IN_SYNC, State.PINNED, State.TINKERED, State.FAILED, State.DISABLED


class Assessment:
    """One project's state and everything that led to it. Built by assess()
    and frozen before it is returned: a reader that learns more (status's
    closer look) makes a new one with replace()."""

    def __init__(self, project: Project | None, state: str, reasons: list[str] | None = None, *,
                 trusted: bool = False, denied: bool = False):
        self._frozen = False
        self.project, self.state = project, State(state)
        self.reasons: list[str] = reasons or []
        self.trusted, self.denied = trusted, denied
        self.paranoid = False
        self.trusted_by: str | None = None  # "allow", or "trusted_roots" (the setting)
        # Paranoid mode, untrusted: what changed since `envhook allow` (the
        # inputs' digests are in `inputs`, so each new content asks again).
        self.trust_changes: list[str] = []
        self.trust_unsafe = False  # untrusted: another user could have written what decides (reasons say what)
        self.pin: Pin | None = None
        self.package_pins: dict[str, PackagePin] = {}  # packages a sync leaves as they are
        self.conflicts: list[str] = []  # pinned packages the env's others no longer accept (status)
        self.record: SyncRecord | None = None
        self.inputs: dict = {}
        self.missing: str | None = None  # why the env counts as missing, if it does
        # Hand-made changes since envhook's last sync (None: no baseline to tell).
        self.hand: list[Change] | None = None
        self.lock: LockDrift | None = None  # uv's comparison with the lock, when it was asked
        self.installed: dict[str, str] = {}
        # The tool changed the env with the inputs (uv add, uv sync): nothing was
        # changed by hand, and recording the env as synced is all there is to do.
        self.tool_made = False
        # In sync as uv's own workspace commands left it (`uv sync --package
        # M`, `uv run` in a member), not as a plain sync would: drift is then
        # asked of uv, never assumed empty.
        self.partial = False
        # What this look learned at a cost that the next look of the same env
        # need not pay again: the key of an env that uv's own workspace
        # commands do not explain (remember() keeps it).
        self.learned: str | None = None
        # Stale, but not synced: that would erase hand-made changes (tinkered =
        # "freeze", or a tool that cannot sync all but some packages).
        self.kept_whole = False
        # Packages the sync leaves as they are: hand-made changes (tinkered =
        # "keep"), or the others after an `envhook unpin` that consented to reset some.
        self.sync_keeps: tuple[str, ...] = ()
        # sync_keeps because of tinkered = "keep": the sync's summary line says
        # what it moved and kept, and that line is the hand-made change notice.
        self.keeps_hand_made = False
        self.pins_moved: list[PackagePin] = []  # package pins an exact sync by uv itself reset
        self.pin_undone: list[Change] = []  # a whole-env pin's changes undone behind envhook's back
        self.lacks: list[Change] = []  # kept whole: what the new inputs want that the env lacks
        self.unmet: list[str] = []  # what the env's packages require and it lacks (status checks it)
        self.settings_errors: list[str] = []  # bad settings, each said once with the default used instead
        self.changed: list[str] = []  # which inputs changed since the last sync ("uv.lock changed")
        self.sync_missing = False  # sync = "missing": the hook only creates envs
        self.creates = False  # the sync fills an env that never was complete (missing, empty, unfinished)
        self.requested = False  # the sync is one the user asked for (`envhook unpin`'s consent)
        self.held = False  # stale, not synced: sync = "missing"

    def __setattr__(self, name, value):
        if getattr(self, "_frozen", False):
            raise AttributeError(f"an Assessment is frozen; replace({name}=...) makes a new one")
        object.__setattr__(self, name, value)

    def freeze(self) -> Assessment:
        self._frozen = True
        return self

    def replace(self, **changes) -> Assessment:
        new = object.__new__(Assessment)
        new.__dict__.update(self.__dict__, _frozen=False)
        for name, value in changes.items():
            if name not in self.__dict__:
                raise AttributeError(name)
            setattr(new, name, State(value) if name == "state" else value)
        return new.freeze()

    @property
    def should_sync(self) -> bool:
        return self.state in (MISSING, STALE) and not self.kept_whole and not self.held

    @property
    def exports_uv_no_sync(self) -> bool:
        """Activate with UV_NO_SYNC=1: a pinned env, one that carries
        hand-made changes or package pins, which `uv run`'s exact sync would
        reset, or any env under sync = "missing"."""
        if self.pin is not None:
            return settings.value("uv_no_sync_when_pinned")
        if self.sync_missing:
            return True  # what the mode means: uv run leaves the env alone too
        return bool(self.hand or self.package_pins) and settings.value("uv_no_sync_when_tinkered")

    @property
    def sync_label(self) -> str:
        return backend_for(self.project).sync_label if self.project else ""

    @property
    def can_activate(self) -> bool:
        return self.trusted and self.missing is None

    def activation(self) -> Activation:
        """What the hook activates and exports for this state: one rule for
        the prompt, `envhook run` and `envhook status --json`'s `exports`."""
        if not self.can_activate:
            return Activation("", "", False, self.state)
        env = self.project.env
        return Activation(str(env), venv.prompt(env), self.exports_uv_no_sync, self.state)

    @property
    def next(self) -> str:
        if self.state == NO_PROJECT:
            return "nothing (not inside a project)"
        if self.state == DISABLED:
            return "nothing (envhook is off here)"
        if self.state == UNTRUSTED:
            if self.trust_changes:
                return "nothing until you review the changes and run `envhook allow` again"
            return "nothing until you run `envhook allow`"
        if self.state == MISSING:
            return f"create the env with `{self.sync_label}`, then activate it"
        if self.state == STALE and self.held:
            return 'activate the env as it is, not synced (sync = "missing"; `envhook sync` brings the changes in)'
        if self.state == STALE and self.kept_whole:
            return ("activate the env as it is, without syncing it: that would erase the hand-made changes "
                    "(`envhook sync` resets the env to the lock)")
        if self.state == STALE and self.keeps_hand_made:
            return (f"sync with `{self.sync_label}`, leaving the hand-made changes as they are, "
                    "then activate the env")
        if self.state == STALE:
            return f"sync with `{self.sync_label}`, then activate the env"
        if self.state == TINKERED:
            policy = settings.value("tinkered")
            if policy == settings.TINKERED_RESET:
                later = "reset the hand-made changes (tinkered = \"reset\")"
            elif policy == settings.TINKERED_KEEP and backend_for(self.project).package_pins:
                later = "sync the rest and keep the hand-made changes"
            else:
                later = "keep the env as it is, not synced"
            return (f"activate the env as it is; when the inputs change, {later} "
                    "(`envhook sync` resets the env to the lock)")
        if self.state == PINNED:
            return "activate the env without syncing it (and export UV_NO_SYNC=1)"
        if self.state == FAILED:
            then = "activate the env as it is; " if self.can_activate else ""
            return then + "no retry until the inputs change (`envhook sync` retries now)"
        if self.package_pins and self.exports_uv_no_sync:
            return "activate the env, and export UV_NO_SYNC=1 so that `uv run` leaves the pinned packages as they are"
        return "activate the env"

    def to_json(self) -> dict:
        p = self.project
        return {
            "project": str(p.root) if p else None,
            "name": p.name if p else None,
            "env": str(p.env) if p else None,
            "backend": p.backend if p else None,
            "backend_why": p.detection.why if p and p.detection else None,
            "lock_files_ignored": list(p.detection.ignored) if p and p.detection else [],
            "trusted": self.trusted,
            "trusted_by": self.trusted_by,
            "paranoid": self.paranoid,
            "pinned": self.pin is not None,
            "pin": (
                {"since": self.pin.since, "note": self.pin.note,
                 "drift": self.pin.drift, "inputs_changed": self.reasons if self.state == PINNED else []}
                if self.pin else None
            ),
            "pins": [self._pin_json(pp) for pp in self.package_pins.values()],
            "conflicts": self.conflicts,
            "drift": [c.to_json() for c in self.lock.changes] if self.lock and self.lock.changes is not None else None,
            "hand": [c.to_json() for c in self.hand] if self.hand is not None else None,
            "state": self.state,
            "reasons": self.reasons,
            "next": self.next,
            "last_sync": (
                {"status": self.record.status, "time": self.record.time, "message": self.record.message}
                if self.record
                else None
            ),
            "failure": self.record.failure if self.record is not None and self.state == FAILED else None,
            "unmet": self.unmet,
            "partial": self.partial,
            # What the hook exports in the project's shells (ENVHOOK_STATE,
            # VIRTUAL_ENV, UV_NO_SYNC…): a script can check a shell against it.
            "exports": Changes(self.activation()).set,
        }

    def pinned_change(self, name: str):
        """The lock's view of a pinned package: (installed, locked) as drift.split gives them."""
        locked = None
        if self.lock is not None and self.lock.changes is not None:
            for c in self.lock.changes:
                if c.name == name:
                    return split(c.installed)[0], split(c.locked)[0]
            locked = split(self.installed.get(name))[0]  # not drift: it matches the lock
        return split(self.installed.get(name))[0], locked

    def _pin_json(self, pp: PackagePin) -> dict:
        installed, locked = self.pinned_change(pp.name)
        return {"name": pp.name, "installed": installed, "locked": locked, "since": pp.since, "note": pp.note}


def _pid_alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def env_config_digest(env: Path) -> str | None:
    return file_digest(env / "pyvenv.cfg")


def env_identity(env: Path) -> str | None:
    """Which pyvenv.cfg the env has: a venv made again in its place (`python
    -m venv --clear`, `rm -rf .venv && uv venv`) writes a new file, often
    with the same content and, after an rm, the same inode, never the same
    mtime; no sync tool rewrites it in an env it keeps."""
    try:
        st = os.stat(env / "pyvenv.cfg")
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_mtime_ns}"


def _recreated(record: SyncRecord, env: Path) -> str | None:
    """Why the env is not the one the record describes, if it is not."""
    if record.env_cfg is not None and record.env_cfg != env_config_digest(env):
        return "env's pyvenv.cfg changed"
    if record.env_id is not None and record.env_id != env_identity(env):
        return "env was made again"
    return None


def _disabled(project: Project) -> str | None:
    """Why envhook leaves this project alone, if it does: the repository
    opted out, or the user's `disabled_paths` covers it."""
    if not project.enabled:
        return "[tool.envhook] enabled = false in pyproject.toml"
    paths_off = settings.value("disabled_paths")
    if paths_off and settings.under(str(project.root), paths_off):
        return f"under disabled_paths in {settings.config_file()}"
    return None


def assess(project: Project | None) -> Assessment:
    return _with_sync_mode(project, _assess(project)).freeze()


def _with_sync_mode(project: Project | None, a: Assessment) -> Assessment:
    if project is None or not a.trusted or a.state == DISABLED:
        return a
    a.sync_missing = _sync_missing(project, a)
    if a.sync_missing and a.state == STALE and a.should_sync and not a.creates and not a.requested:
        # sync = "missing": the hook creates envs, it never updates one; the
        # change is said, and `envhook sync` brings it in.
        a.held = True
    return a


def _sync_missing(project: Project, a: Assessment) -> bool:
    """The `sync` setting is "missing", or the repository asks for it
    ([tool.envhook] sync = "missing": it may be stricter, never looser)."""
    try:
        mode = settings.get("sync")
    except settings.SettingsError as e:
        a.settings_errors.append(f'{e}; using sync = "changed"')
        mode = settings.SYNC_CHANGED
    if project.table_error:
        a.settings_errors.append(f"{project.table_error}; using sync = {mode!r} from your settings")
    return mode == settings.SYNC_MISSING or project.sync_missing


def _assess(project: Project | None) -> Assessment:
    if project is None:
        return Assessment(None, NO_PROJECT)
    off = _disabled(project)
    if off:
        return Assessment(project, DISABLED, [off])
    # Trust first, and nothing of the env is looked at without it: an
    # untrusted project's .venv may be anything its repository committed.
    verdict = trust.verdict(project)
    if not verdict.trusted:
        a = Assessment(project, UNTRUSTED, verdict.reasons, trusted=False, denied=verdict.denied)
        a.paranoid, a.trust_changes, a.inputs = verdict.paranoid, verdict.changes, verdict.inputs
        a.trust_unsafe = verdict.unsafe
        return a
    a = Assessment(project, IN_SYNC, trusted=True)
    a.paranoid, a.trusted_by = verdict.paranoid, verdict.by
    a.inputs = verdict.inputs or fingerprint(project.inputs, project.root)
    a.record = SyncRecord.load(project.root)
    a.pin = load_pin(project.root)
    a.package_pins = load_package_pins(project.root)
    a.missing = venv.missing_reason(project.env)
    if _before_the_env(a, project):
        return a
    a.installed = venv.installed(project.env)
    if a.pin is not None:
        _pinned(a)
    else:
        _against_the_record(a, project)
    return a


def _before_the_env(a: Assessment, project: Project) -> bool:
    """The states decided before the env's packages are read: an input that
    is not a file, a sync running or killed, a failure on these very inputs,
    a missing env. True when one of them applies (a.state says which)."""
    root, record = project.root, a.record
    odd = [p for p in project.inputs if os.path.exists(p) and not os.path.isfile(p)]
    if odd:
        # A FIFO or a directory named uv.lock would hang or fail uv; no sync
        # is started on it, and the state says why.
        a.state = FAILED
        a.reasons = [f"{p.relative_to(root) if p.is_relative_to(root) else p} is not a regular file" for p in odd]
        return True
    if record is not None and record.status == SYNC_RUNNING:
        if _pid_alive(record.pid):
            a.state, a.reasons = STALE, [f"a sync is running (pid {record.pid})"]
            return True
        # Killed mid-sync (kill -9, a closed terminal): nothing says the env is
        # complete, so it is synced again rather than trusted.
        a.state, a.reasons = (MISSING if a.missing else STALE), ["the last sync did not finish"]
        a.creates = True  # envhook's own sync, unfinished: nothing says the env was ever complete
        return True
    if record is not None and record.status in (SYNC_FAILED, SYNC_INTERRUPTED) and record.inputs == a.inputs:
        # Retrying on every prompt would print the same error forever; the
        # next change of the inputs (or `envhook sync`) is the retry.
        a.state = FAILED
        a.reasons = [record.message or f"last sync {record.status}"]
        _hand_made_left(a, project)
        return True
    if a.missing:
        a.state, a.reasons = MISSING, [a.missing]
        return True
    return False


def _hand_made_left(a: Assessment, project: Project) -> None:
    """After a sync that did not succeed (Ctrl-C, an error): the hand-made
    changes from before it that are still in the env. They are someone's
    as before, so UV_NO_SYNC stays exported for them (`uv run` would reset
    them); what the sync itself changed before it stopped is not counted."""
    if not a.record.hand or a.missing:
        return
    a.installed = venv.installed(project.env)
    base = a.record.baseline() or {}
    a.hand = [Change(name, a.installed.get(name), base.get(name)) for name, value in sorted(a.record.hand.items())
              if a.installed.get(name) == value and value != base.get(name) and name not in a.package_pins]


def _pinned(a: Assessment) -> None:
    """A whole-env pin: never synced; what changed since is only told."""
    record, now = a.record, a.installed
    a.state = PINNED
    if record is not None and record.installed is not None:
        a.hand = compare(record.installed, now)  # shown by status; a pin never acts on it
    a.pin_undone = _undone(a.pin, now)
    if not a.pin.inputs:
        # A damaged pin.json still pins (state.read_json), but it no longer
        # says what the inputs were: every one would read as "added".
        a.reasons = ["pin.json is damaged, so what changed since the pin is unknown; "
                     "`envhook pin` records it again"]
        return
    changed = describe_changes(a.pin.inputs, a.inputs)
    a.reasons = [f"{c} since the pin" for c in changed]
    if any(c.startswith(".python-version") for c in changed):
        a.reasons.append("a sync could replace the env with one for another Python; the pin keeps this one")


def _workspace_hand_key(a: Assessment, project: Project, pinned: set[str]) -> str:
    """What decides whether uv's workspace commands explain the env: what it
    holds, the inputs (the lock, the members, uv's config), the pins and the
    selection envhook syncs."""
    facts = [a.installed, a.inputs, sorted(pinned), list(project.extras), list(project.groups),
             project.packages if isinstance(project.packages, bool) else list(project.packages)]
    return hexdigest(json.dumps(facts, sort_keys=True).encode())[:32]


def _known_hand_made(project: Project, key: str) -> bool:
    try:
        return paths.read_state(str(project_dir(project.root) / paths.HAND_MADE)).decode(errors="replace") == key
    except OSError:
        return False


def remember(a: Assessment) -> None:
    """Keep what the assessment learned at a cost (Assessment.learned), so
    that the next look at the same env, at a prompt or in `envhook run`, asks
    no process; losing it costs only asking again."""
    if a.learned is None or a.project is None:
        return
    try:
        atomic_write(ensure_project_dir(a.project.root) / paths.HAND_MADE, a.learned.encode())
    except OSError:
        pass


def _tool_made_it(a: Assessment, project: Project, names: set[str], pinned: set[str]) -> bool:
    """Did the tool change the env (uv add, poetry add, uv sync, a workspace
    member's uv run: then it matches the lock, or one of the selections uv
    itself syncs), or a person? The backend reads the lock for that (for uv:
    uv itself, the one authority on what its lock means here). Pinned
    packages are as the user left them, whatever the lock says."""
    if a.lock is None:
        a.lock = lock_drift(project, a.installed)
    if a.lock.without(pinned).matches:
        a.tool_made = True
    else:
        a.tool_made = a.partial = backend_for(project).explains(project, now=a.installed, changed=names,
                                                                ignore=pinned, lock=a.lock)
    return a.tool_made


def _against_the_record(a: Assessment, project: Project) -> None:
    """The env, its inputs and envhook's last sync compared: in sync, stale,
    changed by hand (and what then), or made by another tool."""
    record, now = a.record, a.installed
    pinned = set(a.package_pins)
    # Package pins whose package is no longer as pinned: an exact sync by uv
    # itself (`uv sync`, or `uv run` without the hook's UV_NO_SYNC) reset it.
    a.pins_moved = [p for p in a.package_pins.values() if now.get(p.name) != p.installed]
    changed = ["never synced by envhook"] if record is None else describe_changes(record.inputs, a.inputs)
    a.changed = changed
    recreated = _recreated(record, project.env) if record is not None else None
    if recreated:
        changed.append(recreated)
    if record is not None and record.status != SYNC_OK and not changed:
        changed = ["the last sync did not succeed"]

    # What envhook's last good sync left there: a failed sync since (whose
    # record holds the env as the failure left it) must not turn the
    # hand-made changes before it into "what envhook left". Nor does it say
    # anything of an env made again in its place: a package that env lacks
    # was never removed from it, so that env is judged against the lock, as
    # one envhook never synced (and filled when it lacks only packages).
    baseline = record.baseline() if record is not None and not recreated else None
    if baseline is not None:
        # A pinned package's changes are the pin's business, not news.
        a.hand = [c for c in compare(baseline, now) if c.name not in pinned]
        if a.hand and not changed and project.members:
            # uv's own workspace commands, or a person? One dry run per
            # selection tells; an env found to be a person's is remembered,
            # so that the next look (a run, a new shell) starts no process.
            key = _workspace_hand_key(a, project, pinned)
            if not _known_hand_made(project, key):
                if _tool_made_it(a, project, {c.name for c in a.hand}, pinned):
                    return  # uv's own workspace commands; the inputs are as synced
                a.learned = key
    elif _tool_made_it(a, project, set(now), pinned):
        return
    elif a.lock.changes is None:
        # No baseline and no answer from uv (missing, too old, failing): there
        # is nothing to protect that envhook could name, so it syncs, as
        # `uv run` would; the sync itself reports what is wrong.
        a.state, a.reasons = STALE, changed
        return
    else:
        # Never synced by envhook. What the env has that the lock does not
        # (another version, a package the lock lacks) is someone's; a package
        # it merely lacks, or the seed packages a venv is made with, is not.
        a.hand = [c for c in a.lock.changes if c.name not in pinned and c.installed is not None
                  and not (c.locked is None and c.name in SEEDED)]
        if not a.hand:
            # An empty env another tool made (uv venv, python -m venv, an
            # IDE), or made again after envhook's sync: nothing to lose, so
            # it is filled like a missing env.
            a.state = STALE
            a.reasons = [*(changed if record is not None else []),
                         "the env holds none of the project's packages yet (made by another tool)"]
            a.creates = True
            return

    if not a.hand and not changed and record is not None and record.status == SYNC_OK and record.unmet:
        # The tool said it synced, but what its packages need is not there
        # (`uv pip check` would fail): that sync did not work, and doing it
        # again on the same inputs would not either.
        a.state = FAILED
        a.reasons = [f"after the last sync the env lacks what its packages require: {'; '.join(record.unmet[:3])}"
                     + (f" and {len(record.unmet) - 3} more" if len(record.unmet) > 3 else "")]
        return
    if not a.hand:
        if changed:
            a.state, a.reasons = STALE, changed
        elif record is not None and record.partial:
            a.partial = True  # as uv's own workspace commands left it: what a plain sync would change is uv's to say
        elif not pinned:
            a.lock = LockDrift([])  # as the last sync left it: no need to ask uv
        return
    _hand_made(a, project, changed, pinned)


def _hand_made(a: Assessment, project: Project, changed: list[str], pinned: set[str]) -> None:
    """The env was changed by hand: consented to reset (unpin), only
    tinkered (the inputs as synced), or under changed inputs, where the
    `tinkered` setting says whether the sync keeps, freezes or resets."""
    backend = backend_for(project)
    consented = _consented(a.record, a.hand, a.installed)
    if consented:
        # `envhook unpin` (the whole env: what had been changed by hand when
        # it ran) or `envhook unpin PACKAGE`: consent to reset those, and
        # only those; a change made after it is the user's again.
        others = tuple(c.name for c in a.hand if c not in consented)
        if not others or backend.package_pins:
            a.sync_keeps, a.requested = others, True
            a.state, a.reasons = STALE, [*changed, f"unpinned: resetting {text(consented, 'back', limit=6)}"]
            return
    if not changed:
        # The lock is the one the baseline was synced from, so what changed
        # since is exactly how the env differs from it: no need to ask uv.
        a.state, a.reasons = TINKERED, [f"changed by hand since the last sync: {text(a.hand, limit=6)}"]
        return
    if a.lock is None and _tool_made_it(a, project, {c.name for c in a.hand}, pinned):
        return
    a.state = STALE
    try:
        policy = settings.get("tinkered")
    except settings.SettingsError as e:
        a.settings_errors.append(f'{e}; using tinkered = "keep"')
        policy = settings.TINKERED_KEEP
    # The inputs moved and so did the env, not by the tool's hand: a plain
    # sync now would erase what a person did, silently unless they asked.
    if policy == settings.TINKERED_RESET:
        a.reasons = [*changed, f"resetting hand-made changes: {text(a.hand, 'back', limit=6)}"]
    elif policy == settings.TINKERED_KEEP and backend.package_pins:
        # The rest follows the lock; the hand-made changes stay as they are.
        a.sync_keeps, a.keeps_hand_made = tuple(c.name for c in a.hand), True
        a.reasons = [*changed, f"keeping hand-made changes: {text(a.hand, limit=6)}"]
    else:
        # freeze, or a tool that cannot sync all but some packages: the
        # whole env is kept, and what the new inputs want is named.
        a.kept_whole = True
        a.reasons = [*changed, f"kept hand-made changes: {text(a.hand, limit=6)}"]
        if a.lock is not None and a.lock.changes is not None:
            ours = {c.name for c in a.hand} | pinned
            a.lacks = [c for c in a.lock.changes if c.name not in ours]


# Installed by a venv's creator (uv venv --seed, python -m venv, virtualenv), not by the lock.
SEEDED = frozenset({"pip", "setuptools", "wheel"})


def _consented(record: SyncRecord | None, hand: list[Change], now: dict[str, str]) -> list[Change]:
    """The hand-made changes `envhook unpin` consented to reset. The record
    holds what each package was when consent was given ({name: value, None:
    absent}); older records hold True (all) or a list of names (any value)."""
    consent = record.reset_on_drift if record is not None else False
    if consent is True:
        return list(hand)
    if isinstance(consent, list):
        return [c for c in hand if c.name in consent]
    if isinstance(consent, dict):
        return [c for c in hand if c.name in consent and consent[c.name] == now.get(c.name)]
    return []


def _undone(pin: Pin, now: dict[str, str]) -> list[Change]:
    """What of a whole-env pin was undone behind envhook's back: packages that
    differed from the lock when pinned and are back at the lock's version
    (`uv run` or `uv sync` from a shell without the hook's UV_NO_SYNC)."""
    if pin.installed is None or pin.installed == now or not pin.drift:
        return []
    out = []
    for d in pin.drift:
        if not isinstance(d, dict) or not isinstance(d.get("name"), str):
            continue
        name, locked = d["name"], d.get("locked")
        was, have = pin.installed.get(name), now.get(name)
        if have != was and split(have)[0] == locked:
            out.append(Change(name, have, was))
    return out
