"""`envhook run -- CMD` and `envhook env`: the hook's decision outside an
interactive shell (scripts, Makefiles, editors, CI).

One pipeline: find the project → assess → refuse what is not trusted →
sync as the hook would (create a missing env, sync changed inputs, keep
hand-made changes, never sync a pinned env) → the environment activation
makes. `run` then replaces itself with CMD; `env` prints those changes for
another tool. Nothing is printed on stdout but what `env` was asked for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from envhook.decide import venv
from envhook.decide.assess import DISABLED, FAILED, NO_PROJECT, PINNED, STALE, UNTRUSTED, Assessment, assess
from envhook.decide.project import ProjectError, current_dir, find_project
from envhook.decide.syncing import adopt, sync
from envhook.messages import say
from envhook.prompt.shells import get_shell
from envhook.store.records import SYNC_OK, notify

# What a shell says when a command cannot be run (POSIX: 126 found but not
# executable, 127 not found); also envhook's answer for an untrusted project.
NOT_RUN = 126
NOT_FOUND = 127


class Changes:
    """What activating the env changes in an environment: the hook's
    `_envhook_activate`, as data. `unset` lists names activation removes."""

    def __init__(self, state: str, env: str = "", prompt: str = "", no_sync: bool = False):
        self.state = state
        self.set: dict[str, str] = {"ENVHOOK_STATE": state} if state != NO_PROJECT else {}
        self.unset: list[str] = []
        self.path_prepend: list[str] = []
        if env:
            self.set["VIRTUAL_ENV"] = env
            self.set["_ENVHOOK_VENV"] = f"{'1' if no_sync else '0'}:{env}"  # a hooked shell started inside takes it over
            if prompt:
                self.set["VIRTUAL_ENV_PROMPT"] = prompt
            if no_sync:
                self.set["UV_NO_SYNC"] = "1"
            self.unset.append("PYTHONHOME")
            self.path_prepend.append(os.path.join(env, "bin"))

    def applied(self, environ: dict[str, str]) -> dict[str, str]:
        out = dict(environ)
        for name in self.unset:
            out.pop(name, None)
        out.update(self.set)
        if self.path_prepend:
            rest = [p for p in out.get("PATH", "").split(os.pathsep) if p and p not in self.path_prepend]
            out["PATH"] = os.pathsep.join([*self.path_prepend, *rest])
        return out

    def to_json(self) -> dict:
        return {"set": self.set, "unset": self.unset, "path_prepend": self.path_prepend, "state": self.state}


def prepare(directory: Path | None, no_sync: bool) -> tuple[Changes | None, int]:
    """The decision for the project of `directory`, carried out. Returns the
    changes to apply, or None and the exit status when CMD must not run."""
    start = Path(os.path.abspath(directory)) if directory is not None else None
    if start is not None and not start.is_dir():
        say(f"{start} is not a directory", error=True)
        return None, 2
    try:
        project = find_project(start or current_dir())
    except ProjectError as e:
        say(f"{e}; fix it to let envhook sync (the command was not run)", error=True)
        return None, 1
    if project is None:
        # As `direnv exec` does outside an .envrc: CMD runs as it would without envhook.
        return Changes(NO_PROJECT), 0
    a = assess(project)
    refused = _refused(a)
    if refused is not None:
        say(refused, error=True)
        return None, NOT_RUN
    if a.tool_made:
        try:
            adopt(project)
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
    return Changes(a.state, str(project.env), venv.prompt(project.env), a.exports_uv_no_sync), 0


def _refused(a: Assessment) -> str | None:
    """Why nothing of this project may run, as the hook would refuse it."""
    name = a.project.name
    if a.state == DISABLED:
        return f"envhook is off for {name} ({'; '.join(a.reasons)}); not running the command in its env"
    if a.state != UNTRUSTED:
        return None
    if a.denied:
        return f"{name} is denied; `envhook allow` to trust it again (the command was not run)"
    if a.trust_changes:
        return f"{name}: {', '.join(a.reasons)}; `envhook allow` it again (the command was not run)"
    return f"{name} ({a.project.root}) is not trusted; `envhook allow` to sync and activate its env (the command was not run)"


def _sync(a: Assessment) -> tuple[Assessment, int]:
    """Sync as the hook would; waits for a sync another shell is running,
    and then syncs only if it is still needed (one sync for both)."""
    project = a.project
    reasons = a.reasons[:-1] if a.keeps_hand_made else a.reasons
    outcome = sync(project, ", ".join(reasons), unless_done=True, keep=a.sync_keeps, summary=a.keeps_hand_made,
                   hand=a.hand or ())
    notify(project.root)  # open shells look again at their next prompt
    if outcome.status != SYNC_OK:
        code = (outcome.failure or {}).get("exit")
        return a, code if isinstance(code, int) and 0 < code < 256 else 1
    return assess(project), 0


def _say_kept(a: Assessment) -> None:
    """One line when the inputs changed and the env was left as it is."""
    name = a.project.name
    if a.state == STALE and a.held:
        say(f"{name}'s {', '.join(a.changed)}; not synced (sync = \"missing\") — `envhook sync` brings it in")
    elif a.state == STALE and a.kept_whole:
        say(f"{name}: {', '.join(a.reasons)}; not synced — `envhook sync` resets the env to the lock")
    elif a.state == PINNED and a.reasons:
        say(f"{name} is pinned, so it was not synced ({', '.join(a.reasons)}); `envhook unpin` to sync")


def run(cmd: list[str], directory: Path | None, no_sync: bool) -> int:
    if cmd[:1] == ["--"]:
        cmd = cmd[1:]
    if not cmd:
        say("nothing to run: envhook run [-C DIR] [--no-sync] -- CMD [ARGS...]", error=True)
        return 2
    changes, status = prepare(directory, no_sync)
    if changes is None:
        return status
    if directory is not None:
        os.chdir(directory)
    environ = changes.applied(dict(os.environ))
    try:
        # CMD takes this process's place: its PID, exit status, signals and streams are its own.
        os.execvpe(cmd[0], cmd, environ)
    except FileNotFoundError:
        say(f"{cmd[0]}: command not found", error=True)
        return NOT_FOUND
    except OSError as e:
        say(f"{cmd[0]}: {e.strerror}", error=True)
        return NOT_RUN
    return 0  # not reached: exec does not return


def env(directory: Path | None, fmt: str, shell_name: str | None, no_sync: bool) -> int:
    """`envhook env`: what activation changes, for another tool."""
    changes, status = prepare(directory, no_sync)
    if changes is None:
        return status
    if fmt == "json":
        print(json.dumps(changes.to_json(), indent=2))
        return 0
    if fmt == "shell":
        try:
            sh = get_shell(shell_name or "")
        except ValueError as e:
            say(str(e), error=True)
            return 2
        env_now = changes.applied(dict(os.environ))
        lines = [sh.export(k, v) for k, v in changes.set.items()]
        lines += [sh.unset(k) for k in changes.unset]
        if changes.path_prepend:
            lines.append(sh.export_path("PATH", env_now["PATH"].split(os.pathsep)))
        print(sh.script(lines), end="")
        return 0
    return _github_actions(changes)


def _github_actions(changes: Changes) -> int:
    """Append to $GITHUB_ENV and $GITHUB_PATH, as direnv's `export gha`: later
    steps of the job see the env. A variable activation removes is set empty
    (an Actions step cannot unset one)."""
    env_file, path_file = os.environ.get("GITHUB_ENV"), os.environ.get("GITHUB_PATH")
    if not env_file or not path_file:
        say("GITHUB_ENV and GITHUB_PATH are not set: --github-actions runs inside a GitHub Actions step", error=True)
        return 2
    import secrets

    with open(env_file, "a", encoding="utf-8") as f:
        for name, value in [*changes.set.items(), *((n, "") for n in changes.unset)]:
            if "\n" in value:
                mark = f"ENVHOOK_{secrets.token_hex(8)}"
                f.write(f"{name}<<{mark}\n{value}\n{mark}\n")
            else:
                f.write(f"{name}={value}\n")
    with open(path_file, "a", encoding="utf-8") as f:
        # $GITHUB_PATH prepends each line; the last written ends up first.
        for p in reversed(changes.path_prepend):
            f.write(p + "\n")
    return 0
