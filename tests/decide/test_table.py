"""The decision table (decide.table.ROWS) row by row, from hand-built Facts:
no disk, no shell, no uv. Each test names the row it expects, so a row that
moves or stops deciding fails here; the orders that matter have their own
tests. What a fact costs is looked up only for the rows that need it: the
tests play the gatherer (`settle`) and check which facts were asked for.
tests/decide/test_decide.py proves the same states from real files."""

from __future__ import annotations

import pytest

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
    ROWS,
    STALE,
    TINKERED,
    UNTRUSTED,
    Decision,
    Facts,
    Need,
    decide,
)
from envhook.decide.trust import Verdict
from envhook.env.drift import Change, LockDrift
from envhook.store.pins import PackagePin, Pin
from envhook.store.records import SYNC_FAILED, SYNC_INTERRUPTED, SYNC_OK, SYNC_RUNNING, SyncRecord

INPUTS = {"pyproject.toml": "aaaa", "uv.lock": "bbbb"}
CHANGED = {"pyproject.toml": "cccc", "uv.lock": "bbbb"}
SYNCED = {"tinkerpkg": "1.0"}
TINKERED_ENV = {"tinkerpkg": "2.0"}
TRUSTED = Verdict(True)
MATCHES = LockDrift([])


def record(status: str = SYNC_OK, inputs: dict = INPUTS, installed: dict | None = SYNCED, **more) -> SyncRecord:
    return SyncRecord(status=status, inputs=inputs, installed=installed, **more)


def facts(**more) -> Facts:
    """A trusted project, synced by envhook, its inputs as synced."""
    return Facts(**{"verdict": TRUSTED, "inputs": INPUTS, "record": record(), **more})


def settle(f: Facts, *, env: dict | None = None, lock: LockDrift | None = None, explains: bool | None = None,
           remembered: str | None = None, recreated: str | None = None) -> tuple[Decision, list[str]]:
    """decide() as the gatherer runs it: each Need answered from the
    arguments, then decided again. Returns the decision and what was asked."""
    asked = []
    for _ in range(8):
        d = decide(f)
        if isinstance(d, Decision):
            return d, asked
        asked.append(d.what)
        assert d.what not in asked[:-1] or d.what == EXPLAINS, f"asked twice for {d.what}"
        if d.what == ENV:
            assert env is not None, "the row needs what the env holds"
            f = f.replace(installed=env, recreated=recreated)
        elif d.what == LOCK:
            assert lock is not None, "the row needs the tool's comparison with the lock"
            f = f.replace(lock=lock)
        elif d.what == EXPLAINS:
            assert explains is not None, "the row needs to know whether the tool's own commands explain the env"
            f = f.replace(explained={**f.explained, d.names: explains})
        elif d.what == HAND_MADE:
            f = f.replace(hand_key="KEY", remembered_key=remembered)
    raise AssertionError("decide() never settled")


def row(d: Decision, name: str) -> Decision:
    assert d.row == name, (d.row, d.state, d.reasons)
    return d


# -- before trust, and trust ---------------------------------------------------------

def test_no_project():
    d, asked = settle(Facts(found=False))
    assert (row(d, "no project").state, d.reasons, d.should_sync, asked) == (NO_PROJECT, [], False, [])


def test_disabled_comes_before_trust():
    """The gatherer asks no trust of a disabled project; the table says so first whatever the verdict."""
    d, asked = settle(Facts(disabled="[tool.envhook] enabled = false in pyproject.toml",
                            verdict=Verdict(False, reasons=["not trusted"])))
    assert (row(d, "disabled").state, d.reasons, asked) == (
        DISABLED, ["[tool.envhook] enabled = false in pyproject.toml"], [])
    assert (d.sync_missing, d.settings_errors) == (False, [])


def test_untrusted_looks_at_nothing_of_the_env():
    """Untrusted before everything the env or the record could say: an odd
    input, a missing env, a bad setting, none of it is read."""
    f = facts(verdict=Verdict(False, reasons=["demo is not trusted"]), odd=("uv.lock",), missing="env does not exist",
              sync_mode="missing", sync_error="bad sync")
    d, asked = settle(f)
    assert (row(d, "untrusted").state, d.reasons, d.should_sync, asked) == (
        UNTRUSTED, ["demo is not trusted"], False, [])
    assert (d.sync_missing, d.settings_errors, d.held) == (False, [], False)


def test_a_verdict_not_asked_is_no_trust():
    assert row(decide(Facts()), "untrusted").state == UNTRUSTED


# -- before the env's packages are read --------------------------------------------------

def test_an_input_that_is_no_regular_file_fails_before_a_running_sync():
    f = facts(odd=("uv.lock", "../uv.toml"), record=record(SYNC_RUNNING, pid=42), sync_alive=True)
    d, asked = settle(f)
    assert (row(d, "an input is no regular file").state, d.should_sync, asked) == (FAILED, False, [])
    assert d.reasons == ["uv.lock is not a regular file", "../uv.toml is not a regular file"]


def test_a_running_sync_comes_before_a_missing_env():
    f = facts(record=record(SYNC_RUNNING, pid=42), sync_alive=True, missing="env does not exist")
    d, asked = settle(f)
    assert (row(d, "a sync is running").state, d.reasons, d.creates, asked) == (
        STALE, ["a sync is running (pid 42)"], False, [])


@pytest.mark.parametrize("missing, state", [(None, STALE), ("env does not exist", MISSING)])
def test_a_sync_that_did_not_finish_is_done_again(missing, state):
    f = facts(record=record(SYNC_RUNNING, pid=42), sync_alive=False, missing=missing)
    d, asked = settle(f)
    assert (row(d, "the last sync did not finish").state, d.reasons, d.creates, d.should_sync, asked) == (
        state, ["the last sync did not finish"], True, True, [])


@pytest.mark.parametrize("status", [SYNC_FAILED, SYNC_INTERRUPTED])
def test_a_sync_that_failed_on_these_inputs_is_not_retried(status):
    """Before a missing env, too: the failure is what to say."""
    f = facts(record=record(status, message="`uv sync` failed"), missing="env does not exist")
    d, asked = settle(f)
    assert (row(d, "the last sync failed on these inputs").state, d.reasons, d.should_sync, d.hand, asked) == (
        FAILED, ["`uv sync` failed"], False, None, [])
    d, _ = settle(facts(record=record(status)), env=SYNCED)
    assert d.reasons == [f"last sync {status}"]


def test_after_a_failed_sync_the_hand_made_changes_still_there_are_kept_in_view():
    """The hand-made changes before the sync that the env still has (not
    tinkerpkg, which the sync moved; not a pinned package)."""
    base = {"tinkerpkg": "1.0", "otherpkg": "1.0", "pinnedpkg": "1.0"}
    f = facts(record=record(SYNC_FAILED, installed=None, last_ok={"installed": base},
                            hand={"tinkerpkg": "2.0", "ipdb": "0.13", "pinnedpkg": "3.0"}),
              package_pins={"pinnedpkg": PackagePin("pinnedpkg", "t", None, "3.0")})
    d, asked = settle(f, env={"tinkerpkg": "1.5", "otherpkg": "1.0", "ipdb": "0.13", "pinnedpkg": "3.0"})
    assert (row(d, "the last sync failed on these inputs").state, asked) == (FAILED, [ENV])
    assert d.hand == [Change("ipdb", "0.13", None)]


def test_a_failure_on_other_inputs_is_not_the_answer():
    d, _ = settle(facts(record=record(SYNC_FAILED, inputs=CHANGED, installed=None, last_ok={"installed": SYNCED})),
                  env=SYNCED)
    assert (row(d, "inputs changed").state, d.reasons) == (STALE, ["pyproject.toml changed"])


def test_no_env_comes_before_the_pin():
    f = facts(missing="env does not exist", pin=Pin("t", None, CHANGED))
    d, asked = settle(f)
    assert (row(d, "no env").state, d.reasons, d.should_sync, asked) == (
        MISSING, ["env does not exist"], True, [])


def test_a_failure_on_these_inputs_comes_before_the_pin():
    d, _ = settle(facts(record=record(SYNC_FAILED), pin=Pin("t", None, INPUTS)))
    assert row(d, "the last sync failed on these inputs").state == FAILED


# -- pinned ---------------------------------------------------------------------------

def test_pinned_never_syncs_and_says_what_changed_since():
    f = facts(pin=Pin("t", None, {**INPUTS, ".python-version": "dddd"}), inputs={**CHANGED, ".python-version": "eeee"})
    d, asked = settle(f, env=TINKERED_ENV)
    assert (row(d, "pinned").state, d.should_sync, asked) == (PINNED, False, [ENV])
    assert d.reasons == [".python-version changed since the pin", "pyproject.toml changed since the pin",
                         "a sync could replace the env with one for another Python; the pin keeps this one"]
    assert d.hand == [Change("tinkerpkg", "2.0", "1.0")]  # told by status; a pin never acts on it
    assert (d.changed, d.pins_moved) == ([], [])


def test_a_damaged_pin_still_pins():
    d, _ = settle(facts(pin=Pin("t", None, {})), env=SYNCED)
    assert (row(d, "pinned").state, d.reasons) == (
        PINNED, ["pin.json is damaged, so what changed since the pin is unknown; `envhook pin` records it again"])


def test_a_pin_undone_behind_envhooks_back_is_named():
    pin = Pin("t", None, INPUTS, drift=[{"name": "tinkerpkg", "installed": "2.0", "locked": "1.0"}],
              installed=TINKERED_ENV)
    d, _ = settle(facts(pin=pin), env=SYNCED)
    assert (row(d, "pinned").reasons, d.pin_undone) == ([], [Change("tinkerpkg", "1.0", "2.0")])


# -- against the record ------------------------------------------------------------------

def test_a_workspace_env_uvs_own_commands_left_is_in_sync():
    f = facts(workspace=True)
    d, asked = settle(f, env=TINKERED_ENV, lock=LockDrift([Change("tinkerpkg", "2.0", "1.0")]), explains=True)
    assert (row(d, "made by uv's workspace commands").state, d.tool_made, d.partial, d.learned) == (
        IN_SYNC, True, True, None)
    assert asked == [ENV, HAND_MADE, LOCK, EXPLAINS]
    assert d.hand == [Change("tinkerpkg", "2.0", "1.0")]


def test_a_workspace_env_that_matches_the_lock_asks_no_more():
    d, asked = settle(facts(workspace=True), env=TINKERED_ENV, lock=MATCHES)
    assert (row(d, "made by uv's workspace commands").tool_made, d.partial) == (True, False)
    assert asked == [ENV, HAND_MADE, LOCK]


def test_a_workspace_env_a_person_changed_is_learned_then_not_asked_again():
    d, asked = settle(facts(workspace=True), env=TINKERED_ENV, lock=LockDrift([Change("tinkerpkg", "2.0", "1.0")]),
                      explains=False)
    assert (row(d, "tinkered").state, d.learned, d.tool_made) == (TINKERED, "KEY", False)
    d, asked = settle(facts(workspace=True), env=TINKERED_ENV, remembered="KEY")
    assert (row(d, "tinkered").learned, asked) == (None, [ENV, HAND_MADE])


def test_never_synced_and_as_the_tool_left_it():
    d, asked = settle(facts(record=None), env=SYNCED, lock=MATCHES)
    assert (row(d, "no baseline, made by the tool").state, d.tool_made, d.partial, d.hand, asked) == (
        IN_SYNC, True, False, None, [ENV, LOCK])
    assert d.changed == ["never synced by envhook"]


def test_never_synced_and_explained_by_the_tools_own_commands():
    d, asked = settle(facts(record=None), env=TINKERED_ENV, lock=LockDrift([Change("tinkerpkg", "2.0", "1.0")]),
                      explains=True)
    assert (row(d, "no baseline, made by the tool").partial, asked) == (True, [ENV, LOCK, EXPLAINS])


def test_no_baseline_and_no_answer_from_the_tool_syncs():
    d, _ = settle(facts(record=None), env=TINKERED_ENV, lock=LockDrift(None, error="uv is too old"), explains=False)
    assert (row(d, "no baseline, no answer from the tool").state, d.reasons, d.should_sync, d.hand) == (
        STALE, ["never synced by envhook"], True, None)


def test_an_empty_env_another_tool_made_is_filled():
    lock = LockDrift([Change("tinkerpkg", None, "1.0"), Change("pip", "24.0", None)])  # lacks one, has the seed
    d, _ = settle(facts(record=None), env={"pip": "24.0"}, lock=lock, explains=False)
    assert (row(d, "no baseline, none of the project's packages").state, d.creates, d.should_sync, d.hand) == (
        STALE, True, True, [])
    assert d.reasons == ["the env holds none of the project's packages yet (made by another tool)"]


def test_an_env_made_again_after_the_sync_is_judged_against_the_lock():
    d, _ = settle(facts(), env={}, recreated="env was made again", lock=LockDrift([Change("tinkerpkg", None, "1.0")]),
                  explains=False)
    assert row(d, "no baseline, none of the project's packages").reasons == [
        "env was made again", "the env holds none of the project's packages yet (made by another tool)"]
    assert d.changed == ["env was made again"]


def test_a_sync_that_left_requirements_unmet_failed():
    unmet = [f"pkg{i} 1.0 requires x" for i in range(4)]
    d, _ = settle(facts(record=record(unmet=unmet)), env=SYNCED)
    assert (row(d, "synced, requirements unmet").state, d.should_sync) == (FAILED, False)
    assert d.reasons == ["after the last sync the env lacks what its packages require: "
                         "pkg0 1.0 requires x; pkg1 1.0 requires x; pkg2 1.0 requires x and 1 more"]


def test_inputs_changed_syncs_and_asks_uv_nothing():
    d, asked = settle(facts(inputs=CHANGED), env=SYNCED)
    assert (row(d, "inputs changed").state, d.reasons, d.changed, d.should_sync, asked) == (
        STALE, ["pyproject.toml changed"], ["pyproject.toml changed"], True, [ENV])


def test_a_record_of_an_unknown_outcome_is_synced_again():
    d, _ = settle(facts(record=record("weird", installed=None, last_ok={"installed": SYNCED})), env=SYNCED)
    assert (row(d, "inputs changed").reasons, d.changed) == (["the last sync did not succeed"], [])


def test_in_sync_as_uvs_workspace_commands_left_it():
    d, asked = settle(facts(record=record(partial=True)), env=SYNCED)
    assert (row(d, "in sync as uv's workspace commands left it").state, d.partial, d.lock, asked) == (
        IN_SYNC, True, None, [ENV])


def test_in_sync_knows_the_lock_without_asking():
    d, asked = settle(facts(), env=SYNCED)
    assert (row(d, "in sync").state, d.reasons, d.hand, d.lock.matches, asked) == (IN_SYNC, [], [], True, [ENV])


def test_in_sync_with_a_package_pin_leaves_the_lock_to_ask():
    pins = {"tinkerpkg": PackagePin("tinkerpkg", "t", None, "1.0")}
    d, _ = settle(facts(package_pins=pins), env=TINKERED_ENV)  # a pinned package's change is the pin's
    assert (row(d, "in sync").lock, d.pins_moved) == (None, [pins["tinkerpkg"]])


def test_unpin_consents_to_reset_what_was_changed_then():
    f = facts(record=record(reset_on_drift={"tinkerpkg": "2.0"}), keeps_packages=True)
    d, _ = settle(f, env={**TINKERED_ENV, "ipdb": "0.13"})
    assert (row(d, "unpinned").state, d.requested, d.sync_keeps, d.should_sync) == (STALE, True, ("ipdb",), True)
    assert d.reasons == ["unpinned: resetting tinkerpkg 2.0 → 1.0"]


def test_unpin_with_other_changes_and_a_tool_that_cannot_keep_them_is_tinkered():
    f = facts(record=record(reset_on_drift={"tinkerpkg": "2.0"}), keeps_packages=False)
    d, _ = settle(f, env={**TINKERED_ENV, "ipdb": "0.13"})
    assert row(d, "tinkered").state == TINKERED


def test_consent_comes_before_tinkered():
    d, _ = settle(facts(record=record(reset_on_drift=True)), env=TINKERED_ENV)
    assert (row(d, "unpinned").state, d.sync_keeps) == (STALE, ())


def test_tinkered_keeps_the_env_and_asks_uv_nothing():
    d, asked = settle(facts(), env=TINKERED_ENV)
    assert (row(d, "tinkered").state, d.should_sync, asked) == (TINKERED, False, [ENV])
    assert d.reasons == ["changed by hand since the last sync: tinkerpkg 1.0 → 2.0"]


def test_the_tool_changed_the_env_with_the_inputs():
    d, asked = settle(facts(inputs=CHANGED), env=TINKERED_ENV, lock=MATCHES)
    assert (row(d, "made by the tool with the inputs").state, d.tool_made, d.hand, asked) == (
        IN_SYNC, True, [Change("tinkerpkg", "2.0", "1.0")], [ENV, LOCK])


NOT_THE_TOOL = {"env": {"tinkerpkg": "1.0", "otherpkg": "2.0"}, "explains": False,
                "lock": LockDrift([Change("otherpkg", "2.0", None), Change("tinkerpkg", "1.0", "2.0")])}


def test_tinkered_reset():
    d, _ = settle(facts(inputs=CHANGED, tinkered="reset"), **NOT_THE_TOOL)
    assert (row(d, 'inputs changed, tinkered = "reset"').state, d.should_sync, d.sync_keeps) == (STALE, True, ())
    assert d.reasons == ["pyproject.toml changed", "resetting hand-made changes: - otherpkg 2.0"]


def test_tinkered_keep():
    d, _ = settle(facts(inputs=CHANGED, tinkered="keep", keeps_packages=True), **NOT_THE_TOOL)
    assert (row(d, 'inputs changed, tinkered = "keep"').state, d.should_sync, d.sync_keeps, d.keeps_hand_made) == (
        STALE, True, ("otherpkg",), True)
    assert d.reasons == ["pyproject.toml changed", "keeping hand-made changes: + otherpkg 2.0"]


@pytest.mark.parametrize("policy, keeps", [("freeze", True), ("keep", False)])
def test_tinkered_kept_whole(policy, keeps):
    """freeze, or keep with a tool that cannot sync all but some packages."""
    d, _ = settle(facts(inputs=CHANGED, tinkered=policy, keeps_packages=keeps), **NOT_THE_TOOL)
    assert (row(d, "inputs changed, kept whole").state, d.should_sync, d.kept_whole) == (STALE, False, True)
    assert d.reasons == ["pyproject.toml changed", "kept hand-made changes: + otherpkg 2.0"]
    assert d.lacks == [Change("tinkerpkg", "1.0", "2.0")]  # what the new inputs want besides


# -- settings ---------------------------------------------------------------------------

def test_a_bad_setting_is_said_by_the_rows_that_read_it():
    f = facts(inputs=CHANGED, tinkered_error="bad tinkered", sync_error="bad sync", table_error="bad table")
    d, _ = settle(f, **NOT_THE_TOOL)
    assert d.settings_errors == ['bad tinkered; using tinkered = "keep"', 'bad sync; using sync = "changed"',
                                "bad table; using sync = 'changed' from your settings"]
    d, _ = settle(facts(tinkered_error="bad tinkered"), env=SYNCED)  # in sync: `tinkered` is not read
    assert d.settings_errors == []


@pytest.mark.parametrize("mode, repo", [("missing", False), ("changed", True)])
def test_sync_missing_holds_a_change_but_creates_an_env(mode, repo):
    d, _ = settle(facts(inputs=CHANGED, sync_mode=mode, repo_sync_missing=repo), env=SYNCED)
    assert (d.state, d.sync_missing, d.held, d.should_sync) == (STALE, True, True, False)
    d, _ = settle(facts(missing="env does not exist", sync_mode=mode, repo_sync_missing=repo))
    assert (d.state, d.held, d.should_sync) == (MISSING, False, True)
    d, _ = settle(facts(record=record(SYNC_RUNNING), sync_mode=mode, repo_sync_missing=repo))
    assert (d.creates, d.held, d.should_sync) == (True, False, True)  # unfinished: never complete
    d, _ = settle(facts(record=record(reset_on_drift=True), sync_mode=mode, repo_sync_missing=repo), env=TINKERED_ENV)
    assert (d.requested, d.held, d.should_sync) == (True, False, True)  # asked for by `envhook unpin`


def test_sync_changed_holds_nothing():
    d, _ = settle(facts(inputs=CHANGED), env=SYNCED)
    assert (d.sync_missing, d.held, d.should_sync) == (False, False, True)


# -- the table itself ------------------------------------------------------------------

def test_every_row_has_a_test_here():
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    untested = [name for name, _, _ in ROWS if f"row(d, {name!r})" not in source and f'row(d, "{name}")' not in source]
    assert untested == []


def test_facts_and_decisions_are_frozen():
    f, d = facts(), decide(facts(missing="gone"))
    for thing in (f, d):
        with pytest.raises(AttributeError):
            thing.state = STALE
    with pytest.raises(TypeError):
        Facts(no_such_fact=1)
    assert f.replace(missing="gone").missing == "gone" and f.missing is None


def test_a_need_names_the_fact():
    assert decide(facts()) == Need(ENV)
    assert decide(facts(record=None, installed={})) == Need(LOCK)
