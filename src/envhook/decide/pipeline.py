"""One path for the three places that act on a project's env: the prompt's
full evaluation (prompt/evaluate.py), `envhook run` / `envhook env`
(decide/outside.py) and `envhook sync` (commands/sync.py). Each runs

    find → look (assess, remember) → settle (adopt what the tool made)
         → sync (a Plan, carried out by decide.syncing) → activation

with these functions. Where the three behave differently is on purpose,
and only here and in the callers' few lines that apply it:

- a sync fails: the prompt says so and activates the env as it is; run
  does not run CMD and exits with the tool's status; sync exits with it.
- a failure on these very inputs: the prompt says it once a shell and does
  not retry; run says it, does not run CMD, exits 1; sync retries (the user
  asked).
- Ctrl-C during a sync: the prompt comes back; run and sync exit 130. All
  three record the sync as interrupted.
- a whole-env pin: the prompt says it once and activates the env as it is;
  run says it and runs CMD in that env; sync refuses unless --force.
- sync = "missing": the prompt holds the change and says so once; run says
  it at each run; sync brings the changes in.

A prompt has no exit status to give and must not block or repeat itself;
a script needs an exit status and must not run CMD in an env that failed;
`envhook sync` is the user asking, so it retries, and a pin yields only to
--force.
"""

from __future__ import annotations

from envhook.backends import backend_for
from envhook.backends.base import SyncOutcome
from envhook.decide.assess import Assessment, assess, remember
from envhook.decide.syncing import adopt, sync
from envhook.store import settings
from envhook.store.records import SYNC_INTERRUPTED, SYNC_OK

# What a shell reports for a command stopped by SIGINT.
INTERRUPTED = 130


class Plan:
    """What a sync is asked to do: why (said before the tool's output), the
    packages it leaves as they are, whether it says after it what moved and
    what was kept (tinkered = "keep": that line is the hand-made notice),
    and the hand-made changes as the look saw them (for that line and for
    the record of a sync that does not succeed)."""

    __slots__ = ("reason", "keep", "summary", "hand")

    def __init__(self, reason: str, keep: tuple[str, ...] = (), summary: bool = False, hand=()):
        self.reason, self.keep, self.summary, self.hand = reason, tuple(keep), summary, tuple(hand)


def look(project) -> Assessment:
    """assess(), and keep what it learned at a cost, as every caller does."""
    a = assess(project)
    remember(a)
    return a


def settle(a: Assessment, relook) -> Assessment:
    """uv changed the env and the inputs together (uv add, uv remove, uv
    sync): nothing was changed by hand and nothing needs syncing; record
    the env as synced and look again (`relook`: the caller's own look)."""
    if not a.tool_made:
        return a
    try:
        adopt(a.project, a.partial)
    except OSError:
        pass  # not recorded: the next look asks again, nothing is lost
    return relook()


def planned(a: Assessment) -> Plan:
    """The sync an assessment asks for, at a prompt and in `envhook run`."""
    # The last reason of a keeping sync is "keeping hand-made changes: …",
    # which its own line says better.
    reasons = a.reasons[:-1] if a.keeps_hand_made else a.reasons
    return Plan(", ".join(reasons), a.sync_keeps, a.keeps_hand_made, a.hand or ())


def requested(project, reset: bool) -> Plan:
    """`envhook sync`'s. Under sync = "missing" it is how input changes come
    in, so it follows `tinkered` as the hook would: "keep" leaves the
    hand-made changes as they are (where the tool can sync all but some
    packages). Otherwise, and with --reset, it is consent to reset them."""
    reason = "requested with `envhook sync`"
    if reset:
        return Plan(reason)
    a = assess(project)
    if not (a.sync_missing and a.hand and backend_for(project).package_pins):
        return Plan(reason)
    if settings.value("tinkered") != settings.TINKERED_KEEP:
        return Plan(reason)
    return Plan(reason, tuple(c.name for c in a.hand), True, a.hand)


def carry_out(project, plan: Plan, presync=None, *, unless_done: bool = False, wait: bool = True) -> SyncOutcome:
    """The one call of decide.syncing.sync. `unless_done` (prompt and run):
    after waiting for another shell's sync, sync only if still needed."""
    return sync(project, plan.reason, presync, unless_done=unless_done, keep=plan.keep, summary=plan.summary,
                hand=plan.hand, wait=wait)


def exit_status(outcome: SyncOutcome) -> int:
    """What `envhook run` and `envhook sync` exit with after a sync: 0, 130
    for Ctrl-C (as a shell reports SIGINT), else the tool's own status (1
    when it gave none)."""
    if outcome.status == SYNC_OK:
        return 0
    if outcome.status == SYNC_INTERRUPTED:
        return INTERRUPTED
    code = (outcome.failure or {}).get("exit")
    return code if isinstance(code, int) and 0 < code < 256 else 1
