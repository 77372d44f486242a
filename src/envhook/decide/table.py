"""The decision as a table: facts in, a state, its reasons and what to do out.

assess.py gathers the Facts (trust, the sync record, the pins, the settings
the rules read, what the env holds) and calls decide(), which reads no file,
no setting and starts no process: ROWS, read top to bottom, the first row
whose test holds decides. tests/decide/test_table.py tests it row by row.

Four facts cost a look at the env, the state dir or a process, and are
looked up only for the rows that need them, as before this table: what the
env holds (ENV), a workspace env's key and the one remembered for it
(HAND_MADE), the tool's comparison of the env with the lock (LOCK: `uv sync
--dry-run`), and whether the tool's own commands explain it (EXPLAINS: one
dry run per selection). Until they are known they are None, and a row that
reads one makes decide() return a Need instead of a Decision; the gatherer
looks it up and decides again from the top. A lazy value resolved inside
the table would hide a process behind an attribute read; a Need keeps the
table pure, lets a test see which row asks for what, and keeps every cost in
the gatherer. Deciding again costs no look at anything, and there are at
most five passes.
"""

from __future__ import annotations

from enum import StrEnum

from envhook.env.drift import Change, LockDrift, compare, split, text
from envhook.store import settings
from envhook.store.records import SYNC_FAILED, SYNC_INTERRUPTED, SYNC_OK, SYNC_RUNNING, describe_changes


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

# Installed by a venv's creator (uv venv --seed, python -m venv, virtualenv), not by the lock.
SEEDED = frozenset({"pip", "setuptools", "wheel"})

# The facts looked up only when a row needs them (Need.what).
ENV, LOCK, EXPLAINS, HAND_MADE = "env", "lock", "explains", "hand-made"


class _Frozen:
    """A record with named fields, their defaults in DEFAULTS, none assigned after it is made."""

    DEFAULTS: dict = {}

    def __init__(self, **values):
        unknown = set(values) - set(self.DEFAULTS)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        for name, default in self.DEFAULTS.items():
            # A default list or dict is each record's own: one shared by all would be one change away from all.
            value = values[name] if name in values else (default.copy() if isinstance(default, (list, dict))
                                                         else default)
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a {type(self).__name__} is frozen; replace({name}=...) makes a new one")

    def replace(self, **changes):
        return type(self)(**{**{n: getattr(self, n) for n in self.DEFAULTS}, **changes})

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n, d in self.DEFAULTS.items() if getattr(self, n) != d)
        return f"{type(self).__name__}({shown})"


class Facts(_Frozen):
    """What the decision reads, gathered before it is made; nothing in it is looked up again."""

    DEFAULTS = {
        "found": True,  # a project was found here
        "disabled": None,  # why envhook leaves the project alone ([tool.envhook] enabled, disabled_paths)
        "verdict": None,  # trust's Verdict (trusted, reasons, denied…); None when not asked (disabled)
        "inputs": {},  # the inputs' digests as they are now
        "record": None,  # envhook's last sync (SyncRecord)
        "sync_alive": False,  # the record says a sync is running, and its pid is alive
        "pin": None,  # the whole-env pin (Pin)
        "package_pins": {},  # name -> PackagePin
        "missing": None,  # why the env counts as missing, if it does
        "odd": (),  # inputs that exist and are no regular file, as the reasons name them
        "workspace": False,  # the project has workspace members
        "keeps_packages": False,  # the backend can sync all but some packages (Backend.package_pins)
        "tinkered": settings.TINKERED_KEEP,  # the `tinkered` setting (its default when bad)
        "tinkered_error": None,  # why the `tinkered` setting is bad, if it is
        "sync_mode": settings.SYNC_CHANGED,  # the `sync` setting (its default when bad)
        "sync_error": None,  # why the `sync` setting is bad, if it is
        "repo_sync_missing": False,  # [tool.envhook] sync = "missing"
        "table_error": None,  # a bad [tool.envhook] table
        "choice_errors": (),  # choices of `envhook use` the backend cannot honour (Project.choice_errors)
        "uv_no_sync_when_pinned": True,  # the settings of that name
        "uv_no_sync_when_tinkered": True,
        # Looked up when a row needs them (Need):
        "installed": None,  # ENV: what the env holds (venv.installed)
        "recreated": None,  # ENV: why the env is not the one the record describes (made again), if it is not
        "lock": None,  # LOCK: the tool's comparison of the env with the lock (LockDrift)
        "explained": {},  # EXPLAINS: {names that moved: do the tool's own commands explain the env?}
        "hand_key": None,  # HAND_MADE: this env's key (what it holds, the inputs, the pins, the selection)
        "remembered_key": None,  # HAND_MADE: the key of the workspace env last found changed by a person
    }

    @property
    def trusted(self) -> bool:
        return self.verdict is not None and self.verdict.trusted


class Decision(_Frozen):
    """The table's answer: the state, its reasons, and what the hook does about it."""

    DEFAULTS = {
        "row": "",  # which row of ROWS decided
        "state": IN_SYNC,
        "reasons": [],
        "hand": None,  # hand-made changes since envhook's last sync (None: no baseline to tell)
        "changed": [],  # which inputs changed since the last sync ("uv.lock changed")
        "pins_moved": [],  # package pins an exact sync by uv itself reset
        "pin_undone": [],  # a whole-env pin's changes undone behind envhook's back
        "lacks": [],  # kept whole: what the new inputs want that the env lacks
        "lock": None,  # what the table knows of the lock without asking: as the last sync left it
        "tool_made": False,  # the tool changed the env with the inputs: record it as synced
        "partial": False,  # in sync as uv's own workspace commands left it
        "learned": None,  # the key of a workspace env the tool's commands do not explain (remember it)
        "creates": False,  # the sync fills an env that never was complete
        "requested": False,  # the sync is one the user asked for (`envhook unpin`'s consent)
        "kept_whole": False,  # stale, not synced: that would erase hand-made changes
        "sync_keeps": (),  # packages the sync leaves as they are
        "keeps_hand_made": False,  # sync_keeps because of tinkered = "keep"
        "sync_missing": False,  # sync = "missing": the hook only creates envs
        "held": False,  # stale, not synced: sync = "missing"
        "settings_errors": [],  # bad settings, each said once with the default used instead
    }

    @property
    def should_sync(self) -> bool:
        return self.state in (MISSING, STALE) and not self.kept_whole and not self.held


class Need:
    """A fact the deciding row needs and the facts lack: look it up, then decide again."""

    __slots__ = ("what", "names")

    def __init__(self, what: str, names: frozenset = frozenset()):
        self.what, self.names = what, names  # names: EXPLAINS's question (the packages that moved)

    def __eq__(self, other) -> bool:
        return isinstance(other, Need) and (self.what, self.names) == (other.what, other.names)

    def __repr__(self) -> str:
        return f"Need({self.what!r}{f', {sorted(self.names)!r}' if self.names else ''})"


class _Needed(Exception):
    def __init__(self, need: Need):
        self.need = need


class _Read:
    """The facts, and what follows from them without another look, worked out
    once per decide(). Reading a fact not looked up yet raises _Needed."""

    def __init__(self, facts: Facts):
        self.f = facts
        self._memo: dict = {}

    def _once(self, name, compute):
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    @property
    def now(self) -> dict[str, str]:
        if self.f.installed is None:
            raise _Needed(Need(ENV))
        return self.f.installed

    @property
    def recreated(self) -> str | None:
        """Why the env is not the one the record describes: looked up with what it holds."""
        if self.f.installed is None:
            raise _Needed(Need(ENV))
        return self.f.recreated

    @property
    def lock(self) -> LockDrift:
        if self.f.lock is None:
            raise _Needed(Need(LOCK))
        return self.f.lock

    @property
    def pinned(self) -> frozenset[str]:
        return frozenset(self.f.package_pins)

    @property
    def input_changes(self) -> list[str]:
        """Which inputs changed since envhook's last sync (Assessment.changed), and a new env in its place."""
        def compute():
            record = self.f.record
            if record is None:
                return ["never synced by envhook"]
            return describe_changes(record.inputs, self.f.inputs) + ([self.recreated] if self.recreated else [])
        return self._once("input_changes", compute)

    @property
    def changed(self) -> list[str]:
        """The reasons a sync would give: input_changes, or that the last one did not succeed."""
        record = self.f.record
        if record is not None and record.status != SYNC_OK and not self.input_changes:
            return ["the last sync did not succeed"]
        return self.input_changes

    @property
    def baseline(self) -> dict | None:
        """What envhook's last good sync left there: a failed sync since (whose
        record holds the env as the failure left it) must not turn the
        hand-made changes before it into "what envhook left". Nor does it say
        anything of an env made again in its place: a package that env lacks
        was never removed from it, so that env is judged against the lock, as
        one envhook never synced (and filled when it lacks only packages)."""
        record = self.f.record
        return record.baseline() if record is not None and not self.recreated else None

    @property
    def hand(self) -> list[Change]:
        """The hand-made changes: against the baseline (a pinned package's
        changes are the pin's business, not news); without one, what the env
        has that the lock does not (another version, a package the lock
        lacks), not what it merely lacks, nor the seed packages a venv is made with."""
        def compute():
            if self.baseline is not None:
                return [c for c in compare(self.baseline, self.now) if c.name not in self.pinned]
            return [c for c in self.lock.changes if c.name not in self.pinned and c.installed is not None
                    and not (c.locked is None and c.name in SEEDED)]
        return self._once("hand", compute)

    def made_by_tool(self, names) -> bool:
        """Did the tool change the env (uv add, poetry add, uv sync, a
        workspace member's uv run: it matches the lock, or one of the
        selections uv itself syncs), or a person? Pinned packages are as the
        user left them, whatever the lock says."""
        return self.lock.without(self.pinned).matches or self.explained(names)

    def explained(self, names) -> bool:
        names = frozenset(names)
        if names not in self.f.explained:
            raise _Needed(Need(EXPLAINS, names))
        return self.f.explained[names]

    @property
    def hand_names(self) -> set[str]:
        return {c.name for c in self.hand}

    @property
    def known_hand_made(self) -> bool:
        """The workspace env was found changed by a person before, as it is now."""
        if self.f.hand_key is None:
            raise _Needed(Need(HAND_MADE))
        return self.f.remembered_key == self.f.hand_key

    @property
    def asks_workspace(self) -> bool:
        """uv's own workspace commands, or a person? Asked (one dry run per
        selection) of a workspace env changed under unchanged inputs, unless
        this very env was found to be a person's before."""
        return bool(self.baseline is not None and self.hand and not self.changed and self.f.workspace
                    and not self.known_hand_made)

    @property
    def consented(self) -> list[Change]:
        return _consented(self.f.record, self.hand, self.now)

    @property
    def others(self) -> tuple[str, ...]:
        """Hand-made changes `envhook unpin` did not consent to reset."""
        consented = self.consented
        return tuple(c.name for c in self.hand if c not in consented)


# -- the results ---------------------------------------------------------------------


def _state(state: State, reasons: list[str], **more) -> Decision:
    return Decision(state=state, reasons=list(reasons), **more)


def _recorded(r: _Read, state: State, reasons: list[str], **more) -> Decision:
    """A row decided against envhook's last sync: it also says which inputs
    changed, and which package pins an exact sync by uv itself (`uv sync`,
    or `uv run` without the hook's UV_NO_SYNC) reset."""
    moved = [p for p in r.f.package_pins.values() if r.now.get(p.name) != p.installed]
    return _state(state, reasons, changed=r.input_changes, pins_moved=moved, **more)


def _tool_made(r: _Read, names, hand) -> Decision:
    """The tool changed the env with the inputs: nothing was changed by hand,
    and recording the env as synced is all there is to do. Matching the lock
    or not, it is in sync; when not, as uv's own workspace commands left it."""
    partial = not r.lock.without(r.pinned).matches and r.explained(names)
    return _recorded(r, IN_SYNC, [], hand=hand, tool_made=True, partial=partial)


def _failed_here(r: _Read) -> Decision:
    """Retrying on every prompt would print the same error forever; the next
    change of the inputs (or `envhook sync`) is the retry. The hand-made
    changes from before that sync still in the env are someone's as before,
    so UV_NO_SYNC stays exported for them (`uv run` would reset them); what
    the sync itself changed before it stopped is not counted."""
    record, hand = r.f.record, None
    if record.hand and not r.f.missing:
        now, base = r.now, record.baseline() or {}
        hand = [Change(name, now.get(name), base.get(name)) for name, value in sorted(record.hand.items())
                if now.get(name) == value and value != base.get(name) and name not in r.f.package_pins]
    return _state(FAILED, [record.message or f"last sync {record.status}"], hand=hand)


def _pinned(r: _Read) -> Decision:
    """A whole-env pin: never synced; what changed since is only told (and
    what the env changed since the last sync, shown by status)."""
    record, pin, now = r.f.record, r.f.pin, r.now
    hand = compare(record.installed, now) if record is not None and record.installed is not None else None
    more = {"hand": hand, "pin_undone": _undone(pin, now)}
    if not pin.inputs:
        # A damaged pin.json still pins (state.read_json), but it no longer
        # says what the inputs were: every one would read as "added".
        return _state(PINNED, ["pin.json is damaged, so what changed since the pin is unknown; "
                               "`envhook pin` records it again"], **more)
    changed = describe_changes(pin.inputs, r.f.inputs)
    reasons = [f"{c} since the pin" for c in changed]
    if any(c.startswith(".python-version") for c in changed):
        reasons.append("a sync could replace the env with one for another Python; the pin keeps this one")
    return _state(PINNED, reasons, **more)


def _unmet(r: _Read) -> Decision:
    """The tool said it synced, but what its packages need is not there (`uv
    pip check` would fail): that sync did not work, and doing it again on the
    same inputs would not either."""
    unmet = r.f.record.unmet
    more = f" and {len(unmet) - 3} more" if len(unmet) > 3 else ""
    return _recorded(r, FAILED, [f"after the last sync the env lacks what its packages require: "
                                 f"{'; '.join(unmet[:3])}{more}"], hand=r.hand)


def _in_sync(r: _Read) -> Decision:
    # As the last sync left it: no need to ask uv what differs from the lock
    # (unless a package pin keeps something the lock does not have).
    return _recorded(r, IN_SYNC, [], hand=r.hand, lock=None if r.pinned else LockDrift([]))


def _learned(r: _Read) -> str | None:
    """An env found to be a person's is remembered, so that the next look (a
    run, a new shell) starts no process."""
    return r.f.hand_key if r.asks_workspace else None


def _unpinned(r: _Read) -> Decision:
    """`envhook unpin` (the whole env: what had been changed by hand when it
    ran) or `envhook unpin PACKAGE`: consent to reset those, and only those;
    a change made after it is the user's again."""
    return _recorded(r, STALE, [*r.changed, f"unpinned: resetting {text(r.consented, 'back', limit=6)}"],
                     hand=r.hand, sync_keeps=r.others, requested=True, learned=_learned(r))


def _policy(r: _Read, reason: str, how: str = "arrow", **more) -> Decision:
    """The inputs moved and so did the env, not by the tool's hand: a plain
    sync now would erase what a person did, silently unless they asked; the
    `tinkered` setting says whether the sync resets, keeps or freezes."""
    errors = [f'{r.f.tinkered_error}; using tinkered = "keep"'] if r.f.tinkered_error else []
    return _recorded(r, STALE, [*r.changed, f"{reason}: {text(r.hand, how, limit=6)}"], hand=r.hand,
                     settings_errors=errors, **more)


def _kept_whole(r: _Read) -> Decision:
    """freeze, or a tool that cannot sync all but some packages: the whole
    env is kept, and what the new inputs want is named."""
    lock = r.lock
    ours = r.hand_names | r.pinned
    lacks = [c for c in lock.changes if c.name not in ours] if lock.changes is not None else []
    return _policy(r, "kept hand-made changes", kept_whole=True, lacks=lacks)


# -- the table -----------------------------------------------------------------------
# (name, when, then): the first row whose `when` holds decides. Rows past
# "no env" read what the env holds; the order is the decision's.

def _running(f: Facts) -> bool:
    return f.record is not None and f.record.status == SYNC_RUNNING


ROWS = (
    ("no project", lambda r: not r.f.found, lambda r: _state(NO_PROJECT, [])),
    # The repository opted out, or the user's disabled_paths covers it: before trust, which is not asked.
    ("disabled", lambda r: bool(r.f.disabled), lambda r: _state(DISABLED, [r.f.disabled])),
    # Trust first, and nothing of the env is looked at without it: an
    # untrusted project's .venv may be anything its repository committed.
    ("untrusted", lambda r: not r.f.trusted,
     lambda r: _state(UNTRUSTED, r.f.verdict.reasons if r.f.verdict is not None else [])),
    # A FIFO or a directory named uv.lock would hang or fail uv; no sync is
    # started on it, and the state says why.
    ("an input is no regular file", lambda r: bool(r.f.odd),
     lambda r: _state(FAILED, [f"{p} is not a regular file" for p in r.f.odd])),
    ("a sync is running", lambda r: _running(r.f) and r.f.sync_alive,
     lambda r: _state(STALE, [f"a sync is running (pid {r.f.record.pid})"])),
    # Killed mid-sync (kill -9, a closed terminal): nothing says the env is
    # complete (nor that it ever was), so it is synced again rather than trusted.
    ("the last sync did not finish", lambda r: _running(r.f),
     lambda r: _state(MISSING if r.f.missing else STALE, ["the last sync did not finish"], creates=True)),
    ("the last sync failed on these inputs",
     lambda r: r.f.record is not None and r.f.record.status in (SYNC_FAILED, SYNC_INTERRUPTED)
     and r.f.record.inputs == r.f.inputs,
     _failed_here),
    ("no env", lambda r: bool(r.f.missing), lambda r: _state(MISSING, [r.f.missing])),
    ("pinned", lambda r: r.f.pin is not None, _pinned),
    # A workspace env changed under unchanged inputs: uv's own workspace
    # commands (`uv sync --package M`, `uv run` in a member), or a person?
    ("made by uv's workspace commands", lambda r: r.asks_workspace and r.made_by_tool(r.hand_names),
     lambda r: _tool_made(r, r.hand_names, r.hand)),
    # Never synced by envhook (or made again since): the tool's answer decides.
    ("no baseline, made by the tool", lambda r: r.baseline is None and r.made_by_tool(set(r.now)),
     lambda r: _tool_made(r, set(r.now), None)),
    # No baseline and no answer from uv (missing, too old, failing): there is
    # nothing to protect that envhook could name, so it syncs, as `uv run`
    # would; the sync itself reports what is wrong.
    ("no baseline, no answer from the tool", lambda r: r.baseline is None and r.lock.changes is None,
     lambda r: _recorded(r, STALE, r.changed)),
    # An empty env another tool made (uv venv, python -m venv, an IDE), or
    # made again after envhook's sync: nothing to lose, so it is filled like a missing env.
    ("no baseline, none of the project's packages", lambda r: r.baseline is None and not r.hand,
     lambda r: _recorded(r, STALE, [*(r.changed if r.f.record is not None else []),
                                    "the env holds none of the project's packages yet (made by another tool)"],
                         hand=[], creates=True)),
    ("synced, requirements unmet",
     lambda r: not r.hand and not r.changed and r.f.record is not None and r.f.record.status == SYNC_OK
     and bool(r.f.record.unmet),
     _unmet),
    ("inputs changed", lambda r: not r.hand and bool(r.changed), lambda r: _recorded(r, STALE, r.changed, hand=[])),
    # As uv's own workspace commands left it: what a plain sync would change is uv's to say.
    ("in sync as uv's workspace commands left it", lambda r: not r.hand and r.f.record.partial,
     lambda r: _recorded(r, IN_SYNC, [], hand=[], partial=True)),
    ("in sync", lambda r: not r.hand, _in_sync),
    ("unpinned", lambda r: bool(r.consented) and (not r.others or r.f.keeps_packages), _unpinned),
    # The lock is the one the baseline was synced from, so what changed since
    # is exactly how the env differs from it: no need to ask uv.
    ("tinkered", lambda r: not r.changed,
     lambda r: _recorded(r, TINKERED, [f"changed by hand since the last sync: {text(r.hand, limit=6)}"],
                         hand=r.hand, learned=_learned(r))),
    # The inputs changed too (uv add, poetry add): the tool's doing, or a person's?
    ("made by the tool with the inputs", lambda r: r.baseline is not None and r.made_by_tool(r.hand_names),
     lambda r: _tool_made(r, r.hand_names, r.hand)),
    ('inputs changed, tinkered = "reset"', lambda r: r.f.tinkered == settings.TINKERED_RESET,
     lambda r: _policy(r, "resetting hand-made changes", "back")),
    # The rest follows the lock; the hand-made changes stay as they are.
    ('inputs changed, tinkered = "keep"',
     lambda r: r.f.tinkered == settings.TINKERED_KEEP and r.f.keeps_packages,
     lambda r: _policy(r, "keeping hand-made changes", sync_keeps=tuple(c.name for c in r.hand),
                       keeps_hand_made=True)),
    ("inputs changed, kept whole", lambda r: True, _kept_whole),
)


def decide(facts: Facts) -> Decision | Need:
    """The first row of ROWS that holds, with the sync mode applied; or the
    fact a row needs that the facts lack."""
    r = _Read(facts)
    try:
        for name, when, then in ROWS:
            if when(r):
                return _sync_mode(facts, then(r).replace(row=name))
    except _Needed as e:
        return e.need
    raise AssertionError("the last row holds")


def _sync_mode(f: Facts, d: Decision) -> Decision:
    """The `sync` setting is "missing", or the repository asks for it
    ([tool.envhook] sync = "missing": it may be stricter, never looser): the
    hook creates envs, it never updates one; the change is said, and
    `envhook sync` brings it in."""
    if not f.trusted:
        return d
    errors = list(d.settings_errors)
    if f.sync_error:
        errors.append(f'{f.sync_error}; using sync = "changed"')
    if f.table_error:
        errors.append(f"{f.table_error}; using sync = {f.sync_mode!r} from your settings")
    errors += f.choice_errors
    sync_missing = f.sync_mode == settings.SYNC_MISSING or f.repo_sync_missing
    held = sync_missing and d.should_sync and d.state == STALE and not d.creates and not d.requested
    return d.replace(sync_missing=sync_missing, held=held, settings_errors=errors)


def _consented(record, hand: list[Change], now: dict[str, str]) -> list[Change]:
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


def _undone(pin, now: dict[str, str]) -> list[Change]:
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
