"""The hook's decision for `envhook run` and `envhook env`, where no shell
keeps state: find → assess → refuse what is not trusted → sync as the hook
would (create a missing env, sync changed inputs, keep hand-made changes,
never sync a pinned env, follow sync = "missing") → the activation. Each
sync or kept change is one line on stderr; nothing goes to stdout."""

from __future__ import annotations

from pathlib import Path

from envhook.decide.assess import DISABLED, FAILED, NO_PROJECT, PINNED, STALE, UNTRUSTED, assess, remember
from envhook.decide.notices import held_line, pinned_line, untrusted_line
from envhook.decide.project import ProjectError, current_dir, find_project
from envhook.decide.syncing import adopt, sync
from envhook.env.activation import Activation
from envhook.messages import say
from envhook.store.records import SYNC_INTERRUPTED, SYNC_OK, notify

# Exit status for a project envhook may not run anything of: what a shell
# answers for a command found but not executable.
NOT_RUN = 126


def decide(start: Path | None, no_sync: bool) -> tuple[Activation | None, int]:
    """The activation for the project of `start` (default: the cwd), after
    whatever sync the hook would make; or None and the exit status when
    CMD must not run."""
    try:
        project = find_project(start or current_dir())
    except ProjectError as e:
        say(f"{e}; fix it to let envhook sync (the command was not run)", error=True)
        return None, 1
    if project is None:
        # As `direnv exec` does outside an .envrc: CMD runs as it would without envhook.
        return Activation("", "", False, NO_PROJECT), 0
    a = assess(project)
    remember(a)  # what it learned at a cost, as a prompt keeps it
    refused = _refused(a)
    if refused is not None:
        say(refused, error=True)
        return None, NOT_RUN
    if a.tool_made:
        try:
            adopt(project, a.partial)
        except OSError:
            pass  # not recorded: the next look asks again, nothing is lost
        a = assess(project)
    if a.should_sync and not no_sync:
        a, status = _sync(a)
        if status:
            return None, status
    _say_kept(a)
    if a.state == FAILED:
        say(f"the last sync of {project.name} did not succeed ({'; '.join(a.reasons)}); not retried until its "
            "inputs change — `envhook sync` retries now", error=True)
        return None, 1
    if not a.can_activate:
        say(f"{project.name} has no env yet ({a.reasons[0] if a.reasons else 'missing'}); "
            "`envhook run` without --no-sync creates it", error=True)
        return None, 1
    return a.activation(), 0


def _refused(a) -> str | None:
    """Why nothing of this project may run, as the hook would refuse it."""
    if a.state == DISABLED:
        return f"envhook is off for {a.project.name} ({'; '.join(a.reasons)}); not running the command in its env"
    if a.state != UNTRUSTED:
        return None
    return untrusted_line(a.project, a) + " (the command was not run)"


def _sync(a):
    """Sync as the hook would; waits for a sync another shell is running,
    and then syncs only if it is still needed (one sync for both)."""
    project = a.project
    reasons = a.reasons[:-1] if a.keeps_hand_made else a.reasons
    outcome = sync(project, ", ".join(reasons), unless_done=True, keep=a.sync_keeps, summary=a.keeps_hand_made,
                   hand=a.hand or ())
    notify(project.root)  # open shells look again at their next prompt
    if outcome.status == SYNC_INTERRUPTED:
        return a, 130  # Ctrl-C: what a shell reports for SIGINT; the interruption is recorded
    if outcome.status != SYNC_OK:
        code = (outcome.failure or {}).get("exit")
        return a, code if isinstance(code, int) and 0 < code < 256 else 1
    return assess(project), 0


def _say_kept(a) -> None:
    """One line when the inputs changed and the env was left as it is."""
    if a.state == STALE and a.held:
        say(held_line(a.project, a))
    elif a.state == STALE and a.kept_whole:
        say(f"{a.project.name}: {', '.join(a.reasons)}; not synced — `envhook sync` resets the env to the lock")
    elif a.state == PINNED and a.reasons:
        say(pinned_line(a.project, a))
