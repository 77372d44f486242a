"""What activating an env changes, as data: one rule for the prompt (the
shells apply it as Shell.activation() renders it), `envhook run`,
`envhook env` and `envhook status --json`'s `exports`.

Standard library only: the hook's cached path reads an Activation back
from the decision cache (prompt/hookcache.py)."""

from __future__ import annotations

import os

from envhook.env import selection


class Activation:
    """What the hook activates. Its words, ENV PROMPT NO_SYNC STATE (then uv's variables), are
    what the decision cache keeps (and hooks of protocol 2 read). ENV empty: nothing to activate,
    while STATE is still exported (ENVHOOK_STATE=untrusted is what a prompt
    wants to show); NO_SYNC "1": export UV_NO_SYNC=1 with the env."""

    __slots__ = ("env", "prompt", "no_sync", "state", "uv")

    def __init__(self, env: str, prompt: str, no_sync: bool, state: str, uv: dict | None = None):
        # str(): a State is printed as its word, in every shell's quoting
        self.env, self.prompt, self.no_sync, self.state = env, prompt, no_sync, str(state)
        # uv's variables, {NAME: value, or None to unset}, so that `uv run`
        # in the shell does what envhook does (selection.uv_exports: the
        # selection's, with UV_NO_SYNC); empty: UV_NO_SYNC alone, from NO_SYNC.
        self.uv = dict(uv or {})

    def words(self) -> list[str]:
        return [self.env, self.prompt, "1" if self.no_sync else "0", self.state, *selection.as_words(self.uv)]

    @classmethod
    def from_words(cls, words: list[str]) -> Activation | None:
        if len(words) < 4:
            return None
        return cls(words[0], words[1], words[2] == "1", words[3], selection.from_words(words[4:]))


def foreign_venv(environ) -> str:
    """The venv activated in this shell by something other than envhook (its
    activate script, sourced by you, an editor or direnv; an editor's
    environment), or "": VIRTUAL_ENV, unless it is the env envhook activated
    itself (_ENVHOOK_ACTIVE, which the hook passes: NO_SYNC:ENV)."""
    venv = environ.get("VIRTUAL_ENV", "")
    return venv if venv and venv != environ.get("_ENVHOOK_ACTIVE", "").partition(":")[2] else ""


class Changes:
    """What an Activation changes in an environment: the one table of it.
    The hooks get it rendered into their own primitives (Shell.activation);
    `envhook run` and `envhook env` apply it (applied(), to_json()).
    `unset` lists names activation removes.

    beside=True: what is changed while a venv activated outside envhook is
    active, which stays as it is: only what `uv run` must see to leave alone
    what envhook keeps (UV_NO_SYNC), and the state."""

    def __init__(self, act: Activation, beside: bool = False):
        state, env, prompt, no_sync = act.state, act.env, act.prompt, act.no_sync
        self.state = state
        # What an activation is known by: _ENVHOOK_VENV's value, which a
        # hooked shell started inside finds and takes over; "" for none.
        # "1": it exported uv's variables (UV_NO_SYNC, the selection's), which
        # that shell takes over too (names_taken_over).
        mine = act.uv if act.uv else ({"UV_NO_SYNC": "1"} if no_sync else {})
        self.key = f"{'1' if mine else '0'}:{env}" if env else ""
        # Outside any project nothing changes, ENVHOOK_STATE included.
        self.set: dict[str, str] = {"ENVHOOK_STATE": state} if state != "no-project" else {}
        self.unset: list[str] = []
        self.path_prepend: list[str] = []
        if env and not beside:
            self.set["VIRTUAL_ENV"] = env
            self.set["_ENVHOOK_VENV"] = self.key
            if prompt:
                self.set["VIRTUAL_ENV_PROMPT"] = prompt
            self.unset.append("PYTHONHOME")
            self.path_prepend.append(os.path.join(env, "bin"))
        # uv's variables, beside a venv activated outside envhook too; a hook
        # sets them with the state, at every apply (Shell.activation_steps), as
        # they change with the choices and the state while the env does not.
        self.uv = dict(mine) if env else {}
        for name, value in self.uv.items():
            if value is None:
                self.unset.append(name)
            else:
                self.set[name] = value

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


def names_taken_over() -> tuple[list[str], list[str]]:
    """The variables an activation exports, which a hooked shell started
    inside one takes over as its own: (always, only with uv's variables:
    UV_NO_SYNC and the selection's), from
    the table above, for the hooks to carry."""
    plain = Changes(Activation("/e", "p", False, "s", {})).set
    every = Changes(Activation("/e", "p", True, "s", {n: "x" for n in selection.names()})).set
    return list(plain), [n for n in every if n not in plain]
