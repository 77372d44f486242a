"""The hook's decision for `envhook run` and `envhook env`, where no shell
keeps state: find → assess → refuse what is not trusted → sync as the hook
would (create a missing env, sync changed inputs, keep hand-made changes,
never sync a pinned env, follow sync = "missing") → the activation. Each
sync or kept change is one line on stderr; nothing goes to stdout."""

from __future__ import annotations

from pathlib import Path

from envhook.decide.assess import DISABLED, FAILED, NO_PROJECT, PINNED, STALE, UNTRUSTED
from envhook.decide.notices import held_line, pinned_line, untrusted_line
from envhook.decide.pipeline import carry_out, exit_status, look, planned, settle
from envhook.decide.project import ProjectError, current_dir, find_project
from envhook.env.activation import Activation
from envhook.messages import say
from envhook.store.records import notify

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
    a = look(project)
    refused = _refused(a)
    if refused is not None:
        say(refused, error=True)
        return None, NOT_RUN
    a = settle(a, lambda: look(project))
    if a.should_sync and not no_sync:
        # Waits for a sync another shell is running, and then syncs only if
        # it is still needed (one sync for both).
        outcome = carry_out(project, planned(a), unless_done=True)
        notify(project.root)  # open shells look again at their next prompt
        if exit_status(outcome):
            return None, exit_status(outcome)  # Ctrl-C or a failure: recorded, and CMD is not run
        a = look(project)
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


def _say_kept(a) -> None:
    """One line when the inputs changed and the env was left as it is."""
    if a.state == STALE and a.held:
        say(held_line(a.project, a))
    elif a.state == STALE and a.kept_whole:
        say(f"{a.project.name}: {', '.join(a.reasons)}; not synced — `envhook sync` resets the env to the lock")
    elif a.state == PINNED and a.reasons:
        say(pinned_line(a.project, a))
