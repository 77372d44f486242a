"""The one place that decides what state a project's env is in and what the
hook will do about it. assess() only reads: it gathers the facts (gather),
asks the decision table (table.decide) and builds one frozen Assessment from
both; `export`, `run` and `status` call it, then remember() what it learned
at a cost (a workspace's dry runs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from envhook.backends import backend_for, lock_drift
from envhook.decide import trust
from envhook.decide.project import Project
from envhook.decide.table import (
    DISABLED,
    ENV,
    EXPLAINS,
    FAILED,
    HAND_MADE,
    IN_SYNC,
    LOCK,
    MISSING,
    NO_PROJECT,
    PINNED,
    STALE,
    TINKERED,
    UNTRUSTED,
    Decision,
    Facts,
    Need,
    State,
    decide,
)
from envhook.env import selection, venv
from envhook.env.activation import Activation, Changes
from envhook.env.drift import split
from envhook.messages import say
from envhook.store import paths, settings
from envhook.store.hashing import hexdigest
from envhook.store.pins import PackagePin, load_package_pins, load_pin
from envhook.store.records import SYNC_RUNNING, SyncRecord, atomic_write, ensure_project_dir, file_digest, project_dir

__all__ = ["DISABLED", "FAILED", "IN_SYNC", "MISSING", "NO_PROJECT", "PINNED", "STALE", "TINKERED", "UNTRUSTED",
           "Assessment", "State", "assess", "env_config_digest", "env_identity", "gather", "remember"]

# Every field of an Assessment besides project, state, reasons, trusted and
# denied, with its value when nothing set it (a list or dict: a copy of it).
_FIELDS = {
    "paranoid": False,
    "trusted_by": None,  # "allow", "trusted_roots" (the setting) or "worktree" (of trusted_from)
    "trusted_from": None,  # the main checkout a linked git worktree inherits trust from
    # Paranoid mode, untrusted: what changed since `envhook allow` (the
    # inputs' digests are in `inputs`, so each new content asks again).
    "trust_changes": [],
    "trust_unsafe": False,  # untrusted: another user could have written what decides (reasons say what)
    "pin": None,  # Pin | None
    "package_pins": {},  # packages a sync leaves as they are: {name: PackagePin}
    "conflicts": [],  # pinned packages the env's others no longer accept (status)
    "record": None,  # SyncRecord | None
    "inputs": {},
    "missing": None,  # why the env counts as missing, if it does
    # Hand-made changes since envhook's last sync (None: no baseline to tell).
    "hand": None,
    "lock": None,  # LockDrift | None: uv's comparison with the lock, when it was asked
    "installed": {},
    # The tool changed the env with the inputs (uv add, uv sync): nothing was
    # changed by hand, and recording the env as synced is all there is to do.
    "tool_made": False,
    # In sync as uv's own workspace commands left it (`uv sync --package
    # M`, `uv run` in a member), not as a plain sync would: drift is then
    # asked of uv, never assumed empty.
    "partial": False,
    # What this look learned at a cost that the next look of the same env
    # need not pay again: the key of an env that uv's own workspace
    # commands do not explain (remember() keeps it).
    "learned": None,
    # Stale, but not synced: that would erase hand-made changes (tinkered =
    # "freeze", or a tool that cannot sync all but some packages).
    "kept_whole": False,
    # Packages the sync leaves as they are: hand-made changes (tinkered =
    # "keep"), or the others after an `envhook unpin` that consented to reset some.
    "sync_keeps": (),
    # sync_keeps because of tinkered = "keep": the sync's summary line says
    # what it moved and kept, and that line is the hand-made change notice.
    "keeps_hand_made": False,
    "pins_moved": [],  # package pins an exact sync by uv itself reset
    "pin_undone": [],  # a whole-env pin's changes undone behind envhook's back
    "lacks": [],  # kept whole: what the new inputs want that the env lacks
    "unmet": [],  # what the env's packages require and it lacks (status checks it)
    "settings_errors": [],  # bad settings, each said once with the default used instead
    "changed": [],  # which inputs changed since the last sync ("uv.lock changed")
    "sync_missing": False,  # sync = "missing": the hook only creates envs
    "creates": False,  # the sync fills an env that never was complete (missing, empty, unfinished)
    "requested": False,  # the sync is one the user asked for (`envhook unpin`'s consent)
    "held": False,  # stale, not synced: sync = "missing"
    # The settings `next` and `exports_uv_no_sync` read, as they were when
    # the facts were gathered (read once, not at each access), and whether
    # the backend can sync all but some packages.
    "tinkered_policy": settings.TINKERED_KEEP,
    "uv_no_sync_when_pinned": True,
    "uv_no_sync_when_tinkered": True,
    "keeps_packages": False,
}


class Assessment:
    """One project's state and everything that led to it, frozen when made:
    assess() makes it from the facts and the decision; a reader that learns
    more (status's closer look) makes a new one with replace()."""

    def __init__(self, project: Project | None, state: str, reasons: list[str] | None = None, *,
                 trusted: bool = False, denied: bool = False, **fields):
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise TypeError(f"an Assessment has no field {', '.join(sorted(unknown))}")
        values = {name: default.copy() if isinstance(default, (list, dict)) else default
                  for name, default in _FIELDS.items()}
        values.update(fields, project=project, state=State(state), reasons=reasons or [], trusted=trusted,
                      denied=denied)
        self.__dict__.update(values, _frozen=True)

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
        # A selection uv has no variable for: `uv run` would sync the defaults.
        return self._keeps_uv_run_away or self.uv_selection[1]

    @property
    def _keeps_uv_run_away(self) -> bool:
        if self.pin is not None:
            return self.uv_no_sync_when_pinned
        if self.sync_missing:
            return True  # what the mode means: uv run leaves the env alone too
        return bool(self.hand or self.package_pins) and self.uv_no_sync_when_tinkered

    @property
    def uv_selection(self) -> tuple[dict, bool]:
        """What the hook exports so that `uv run` and `uv sync` in the shell
        select what envhook syncs (env.selection.uv_exports): uv's variables,
        and whether UV_NO_SYNC=1 must stand in for the rest."""
        p = self.project
        if p is None:
            return {}, False
        # uv's selection variables are for a uv project; UV_NO_SYNC for every one.
        chosen = p.selection if p.backend == "uv" else selection.Selection()
        return selection.uv_exports(chosen, os.environ, p.pyproject, self._keeps_uv_run_away)

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
        return Activation(str(env), venv.prompt(env), self.exports_uv_no_sync, self.state, self.uv_selection[0])

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
            policy = self.tinkered_policy
            if policy == settings.TINKERED_RESET:
                later = "reset the hand-made changes (tinkered = \"reset\")"
            elif policy == settings.TINKERED_KEEP and self.keeps_packages:
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
            # What a sync installs besides the tool's defaults (`envhook use`,
            # uv's variables, [tool.envhook]), each with where it comes from.
            "selection": [{"option": o, "from": w} for o, w in selection.describe(p.selection)] if p else [],
            "lock_files_ignored": list(p.detection.ignored) if p and p.detection else [],
            "trusted": self.trusted,
            "trusted_by": self.trusted_by,
            "trusted_from": str(self.trusted_from) if self.trusted_from else None,
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
    """The facts, then the table's decision; each fact it needs besides
    (what the env holds, the tool's answers) looked up, and decided again."""
    facts = gather(project)
    for _ in range(_MOST_PASSES):
        decision = decide(facts)
        if isinstance(decision, Decision):
            return _assessment(project, facts, decision)
        facts = _look_up(project, facts, decision)
    raise RuntimeError("the decision table kept asking for facts; `envhook status` shows the state")


# ENV, HAND_MADE, LOCK and EXPLAINS, each looked up once, then the decision (and room to spare).
_MOST_PASSES = 8


def gather(project: Project | None) -> Facts:
    """What the decision reads, in the order it reads it: nothing of a
    disabled project's trust, and nothing of its env or record without
    trust (an untrusted project's .venv may be anything its repository
    committed). What the env holds, and what costs a process, is looked up
    later, only for the rows that need it (_look_up)."""
    if project is None:
        return Facts(found=False)
    off = _disabled(project)
    if off:
        return Facts(disabled=off)
    verdict = trust.verdict(project)
    if not verdict.trusted:
        return Facts(verdict=verdict, inputs=verdict.inputs)
    root = project.root
    record = SyncRecord.load(root)
    return Facts(
        verdict=verdict, inputs=project.current_inputs(verdict.inputs or None), record=record,
        sync_alive=record is not None and record.status == SYNC_RUNNING and _pid_alive(record.pid),
        pin=load_pin(root), package_pins=load_package_pins(root), missing=venv.missing_reason(project.env),
        odd=_odd_inputs(project), workspace=bool(project.members),
        keeps_packages=backend_for(project).package_pins, **_rule_settings(project),
    )


def _odd_inputs(project: Project) -> tuple[str, ...]:
    """Inputs that exist and are no regular file (a FIFO or a directory named uv.lock), as the reasons name them."""
    root = project.root
    return tuple(str(p.relative_to(root) if p.is_relative_to(root) else p)
                 for p in project.inputs if os.path.exists(p) and not os.path.isfile(p))


def _rule_settings(project: Project) -> dict:
    """The settings the rules read (and the repository's own say in them),
    each bad one with why, for the rows that use it to say once."""
    facts = {"repo_sync_missing": project.sync_missing, "table_error": project.table_error,
             "choice_errors": tuple(project.choice_errors),
             "uv_no_sync_when_pinned": settings.value("uv_no_sync_when_pinned"),
             "uv_no_sync_when_tinkered": settings.value("uv_no_sync_when_tinkered")}
    for key, fact, error in (("tinkered", "tinkered", "tinkered_error"), ("sync", "sync_mode", "sync_error")):
        try:
            facts[fact] = settings.get(key)
        except settings.SettingsError as e:
            facts[fact], facts[error] = settings.KEYS[key].default, str(e)
    return facts


def _look_up(project: Project, f: Facts, need: Need) -> Facts:
    """The fact a row needs, looked up: what the env holds (and whether it
    is the env the record describes), the tool's comparison with the lock
    (a process), whether the tool's own commands explain the env (a dry run
    per selection), a workspace env's key and the one remembered."""
    if need.what == ENV:
        return f.replace(installed=venv.installed(project.env),
                         recreated=_recreated(f.record, project.env) if f.record is not None else None)
    if need.what == LOCK:
        return f.replace(lock=lock_drift(project, f.installed))
    if need.what == EXPLAINS:
        said = backend_for(project).explains(project, now=f.installed, changed=set(need.names),
                                             ignore=set(f.package_pins), lock=f.lock)
        return f.replace(explained={**f.explained, need.names: said})
    if need.what == HAND_MADE:
        return f.replace(hand_key=_workspace_hand_key(project, f), remembered_key=_remembered_hand_made(project))
    raise ValueError(f"no such fact: {need.what}")


def _assessment(project: Project | None, f: Facts, d: Decision) -> Assessment:
    """The public result: what the facts say, and what the table decided."""
    v, more = f.verdict, {}
    if v is not None and v.trusted:
        more = {"paranoid": v.paranoid, "trusted_by": v.by, "trusted_from": v.origin, "record": f.record, "pin": f.pin,
                "package_pins": f.package_pins, "missing": f.missing, "installed": f.installed or {},
                "tinkered_policy": f.tinkered, "uv_no_sync_when_pinned": f.uv_no_sync_when_pinned,
                "uv_no_sync_when_tinkered": f.uv_no_sync_when_tinkered, "keeps_packages": f.keeps_packages}
    elif v is not None:
        more = {"denied": v.denied, "paranoid": v.paranoid, "trust_changes": v.changes, "trust_unsafe": v.unsafe}
    return Assessment(
        project, d.state, d.reasons, trusted=f.trusted, inputs=f.inputs,
        lock=d.lock if d.lock is not None else f.lock, hand=d.hand, changed=d.changed, pins_moved=d.pins_moved,
        pin_undone=d.pin_undone, lacks=d.lacks, tool_made=d.tool_made, partial=d.partial, learned=d.learned,
        creates=d.creates, requested=d.requested, kept_whole=d.kept_whole, sync_keeps=d.sync_keeps,
        keeps_hand_made=d.keeps_hand_made, sync_missing=d.sync_missing, held=d.held,
        settings_errors=d.settings_errors, **more,
    )


def _workspace_hand_key(project: Project, f: Facts) -> str:
    """What decides whether uv's workspace commands explain the env: what it
    holds, the inputs (the lock, the members, uv's config), the pins and the
    selection envhook syncs."""
    facts = [f.installed, f.inputs, sorted(f.package_pins), project.selection.key()]
    return hexdigest(json.dumps(facts, sort_keys=True).encode())[:32]


def _remembered_hand_made(project: Project) -> str | None:
    """The key of the workspace env last found changed by a person (remember())."""
    try:
        return paths.read_state(str(project_dir(project.root) / paths.HAND_MADE)).decode(errors="replace")
    except OSError:
        return None


def remember(a: Assessment) -> None:
    """Keep what the assessment learned at a cost (Assessment.learned), so
    that the next look at the same env, at a prompt or in `envhook run`, asks
    no process; losing it costs only asking again."""
    if a.project is None:
        return
    if a.learned is not None:
        try:
            atomic_write(ensure_project_dir(a.project.root) / paths.HAND_MADE, a.learned.encode())
        except OSError:
            pass
    if a.trusted and a.installed and a.missing is None:
        _journal(a)


def _journal(a: Assessment) -> None:
    """What the env holds, as this look read it, goes to its journal if it
    changed since the newest generation (env/journal.py: one small read when
    it did not): who changed it, as far as the look can tell."""
    from envhook.env import journal  # only where the env was read: never on a quiet prompt

    if a.tool_made:
        by = f"{backend_for(a.project).name}, with the inputs"  # uv add, uv remove, uv sync after a pull
    elif a.hand:
        by = journal.BY_HAND
    elif a.state == IN_SYNC:
        by = f"{journal.BY_OUTSIDE} (the env matches the lock)"  # uv sync typed, uv run without the hook…
    else:
        by = journal.BY_OUTSIDE
    try:
        project, record = a.project, a.record
        # The inputs the env was made under: the last sync's while inputs changed since and the tool did not
        # follow them (a restore of it then pins the whole env); else today's.
        made_under = record.inputs if a.changed and not a.tool_made and record is not None and record.inputs else None
        made = journal.record(project.root, a.installed, by,
                              lambda: journal.inputs_digest(made_under or project.current_inputs()),
                              # a.hand of a change the tool made with the inputs is the tool's, not a person's
                              [*(c.name for c in (a.hand or ()) if not a.tool_made), *(a.package_pins or ())])
    except OSError:
        return  # a history not written is a history short of one generation, never a failed prompt
    # Said by the look that recorded it: once, whichever shell or command saw it first. A package
    # pin uv reset has its own line (notices.say_pins_moved: it stays pinned as it is now).
    moved = {p.name for p in a.pins_moved or ()}
    reset = [line for line, name in zip(made["reset"], made["reset_names"]) if name not in moved] if made else []
    if reset:
        say(f"{a.project.name}'s hand-made changes were reset ({', '.join(reset[:6])}"
            f"{', …' if len(reset) > 6 else ''}) — envhook undo brings them back")
