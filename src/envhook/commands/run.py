"""`envhook run -- CMD` and `envhook env`: the hook's decision outside an
interactive shell (scripts, Makefiles, editors, CI). The decision cache
answers when nothing changed, as at a prompt; otherwise decide.outside
decides and syncs. `run` then replaces itself with CMD in the activated
environment; `env` prints those changes for another tool. Nothing is
printed on stdout but what `env` was asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

from envhook.env.activation import Activation, Changes
from envhook.messages import say
from envhook.prompt import hookcache
from envhook.store import paths

# What a shell says when a command cannot be run: found but not executable, not found.
NOT_RUN = 126
NOT_FOUND = 127


def prepare(directory: Path | None, no_sync: bool) -> tuple[Changes | None, int]:
    """The decision for the project of `directory`, carried out. Returns the
    changes to apply, or None and the exit status when CMD must not run."""
    start = Path(os.path.abspath(directory)) if directory is not None else None
    if start is not None and not start.is_dir():
        say(f"{start} is not a directory", error=True)
        return None, 2
    act = _cached(str(start) if start is not None else paths.current_dir())
    if act is None:
        # TOML, JSON and the backends: only when the decision cache cannot answer.
        from envhook.decide.outside import decide

        act, status = decide(start, no_sync)
        if act is None:
            return None, status
    return Changes(act), 0


def _cached(cwd: str) -> Activation | None:
    """The hook's decision cache, when every file the last full evaluation
    read is unchanged. It holds only quiet decisions (in sync; changed by
    hand with nothing new to say; pinned with no change since), which need
    no sync and no line; anything else is decided in full."""
    nearest = paths.nearest_project_dir(cwd)
    if nearest is None:
        return None
    decision = hookcache.read(hookcache.cache_file(paths.state_dir(), nearest))
    if decision is None or not decision.act.env or not decision.fresh(os.environ):
        return None
    return decision.act


def run(cmd: list[str], directory: Path | None, no_sync: bool) -> int:
    if cmd[:1] == ["--"]:
        cmd = cmd[1:]
    if not cmd:
        say("nothing to run: envhook run [-C DIR] [--no-sync] -- CMD [ARGS...]", error=True)
        return 2
    if not cmd[0]:
        say("nothing to run: the command is an empty word (envhook run -- CMD [ARGS...])", error=True)
        return NOT_FOUND
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
        import json  # only for --json: a run replayed from the cache loads no JSON

        print(json.dumps(changes.to_json(), indent=2))
        return 0
    if fmt == "shell":
        from envhook.prompt.shells import get_shell  # only for --format shell: a replayed `run` prints nothing

        try:
            sh = get_shell(shell_name or "")
        except ValueError as e:
            say(str(e), error=True)
            return 2
        env_now = changes.applied(dict(os.environ))
        exported = [*changes.set.items(), *([("PATH", env_now["PATH"])] if changes.path_prepend else [])]
        late = next((k for k, v in exported if "\n" in v), None)
        if late is not None and not sh.keeps_newlines:
            say(f"{late} would hold a newline, which {sh.name}'s eval of this output cannot keep; nothing printed "
                "(`envhook run -- CMD` hands it over exactly)", error=True)
            return 1
        lines = [sh.export(k, v) for k, v in changes.set.items()]
        lines += [sh.unset(k) for k in changes.unset]
        if changes.path_prepend:
            lines.append(sh.export_path("PATH", env_now["PATH"].split(os.pathsep)))
        print(sh.code(lines), end="")
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
    for p in changes.path_prepend:
        if "\n" in p or "\r" in p:
            # $GITHUB_PATH is one entry a line: the part after the newline
            # would become a PATH entry of its own for every later step.
            say(f"the env's bin dir {p!r} holds a line break, which $GITHUB_PATH cannot carry; nothing was written",
                error=True)
            return 1
    import secrets  # loads hashlib (OpenSSL): only for --github-actions' multi-line values

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
