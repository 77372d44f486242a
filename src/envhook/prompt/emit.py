"""What the hook's Python side prints: the state the shell keeps for the
project it is in. The shell's `_envhook_adopt` files it under the project
(so a later visit can switch back without Python) and applies `_envhook_act`."""

from __future__ import annotations

import os
import sys

from envhook.prompt.shells.base import Shell


def write(text: str) -> int:
    """Hand the shell its code; a closed pipe (the user hit Ctrl-C) is not an error worth a traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError:
        return 1
    return 0


class Activation:
    """What the hook activates. The shells read it as the list `_envhook_act`
    in this order: ENV PROMPT NO_SYNC STATE. ENV empty: nothing to activate,
    while STATE is still exported (ENVHOOK_STATE=untrusted is what a prompt
    wants to show); NO_SYNC "1": export UV_NO_SYNC=1 with the env."""

    __slots__ = ("env", "prompt", "no_sync", "state")

    def __init__(self, env: str, prompt: str, no_sync: bool, state: str):
        # str(): a State is printed as its word, in every shell's quoting
        self.env, self.prompt, self.no_sync, self.state = env, prompt, no_sync, str(state)

    def words(self) -> list[str]:
        return [self.env, self.prompt, "1" if self.no_sync else "0", self.state]

    @classmethod
    def from_words(cls, words: list[str]) -> Activation | None:
        return cls(words[0], words[1], words[2] == "1", words[3]) if len(words) == 4 else None


def foreign_venv(environ) -> str:
    """The venv activated in this shell by something other than envhook (its
    activate script, sourced by you, an editor or direnv; an editor's
    environment), or "": VIRTUAL_ENV, unless it is the env envhook activated
    itself (_ENVHOOK_ACTIVE, which the hook passes: NO_SYNC:ENV)."""
    venv = environ.get("VIRTUAL_ENV", "")
    return venv if venv and venv != environ.get("_ENVHOOK_ACTIVE", "").partition(":")[2] else ""


class Changes:
    """What an Activation changes in an environment: the hook's
    `_envhook_activate`, as data, for `envhook run` and `envhook env`.
    `unset` lists names activation removes."""

    def __init__(self, act: Activation):
        state, env, prompt, no_sync = act.state, act.env, act.prompt, act.no_sync
        self.state = state
        # Outside any project nothing changes, ENVHOOK_STATE included.
        self.set: dict[str, str] = {"ENVHOOK_STATE": state} if state != "no-project" else {}
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


def change_test(watch: list[str], absent: list[str], present: list[str], stamp: str,
                marks: dict[str, str] | None = None) -> list[str]:
    """Arguments for the shell's `test` builtin that are true when something
    changed: a watched path newer than the stamp, an absent one created, a
    present one gone. One `test` call with -o costs a third less than a loop
    of them (bash 48 → 32 µs, fish 69 → 41 µs for seven paths, measured here).
    Every path is absolute, so none can be read as an operator.

    `marks` (paths.stamp_future): a watched path F dated in the future,
    which no stamp of "now" can be newer than, is compared with its own
    stamp S_F carrying its mtime instead: `F -nt S_F -o F -ot S_F`, always
    in this order and next to each other (tcsh and nushell read the pair as
    "F's mtime is not S_F's"), and S_F must be present (zsh's -nt and -ot
    are false when a side is missing)."""
    marks = marks or {}
    terms: list[list[str]] = []
    for w in watch:
        m = marks.get(w)
        terms += [[w, "-nt", m], [w, "-ot", m]] if m else [[w, "-nt", stamp]]
    terms += [["-e", a] for a in absent]
    terms += [["!", "-e", p] for p in [*present, *(marks[w] for w in watch if w in marks)]]
    out: list[str] = []
    for t in terms:
        out += (["-o"] if out else []) + t
    return out


def remember(
    sh: Shell,
    *,
    root: str,
    cwd: str,
    known: list[str],
    watch: list[str],
    absent: list[str],
    present: list[str],
    stamp: str,
    act: Activation,
    told: str | None,
    marks: dict[str, str] | None = None,
) -> str:
    lines = [
        sh.assign("_envhook_root", root),
        sh.assign("_envhook_pwd", cwd),
        sh.assign_list("_envhook_known", known),
        sh.assign_list("_envhook_changed", change_test(watch, absent, present, stamp, marks)),
        sh.assign_list("_envhook_act", act.words()),
    ]
    if told is not None:
        lines.append(sh.assign("_envhook_told", told))
    lines.append(sh.call("_envhook_adopt"))
    return sh.script(lines)


def leave(sh: Shell, told: str | None) -> str:
    lines = [sh.call("_envhook_leave")]
    if told is not None:
        lines.append(sh.assign("_envhook_told", told))
    return sh.script(lines)
