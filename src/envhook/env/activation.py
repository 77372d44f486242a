"""What activating an env changes, as data: one rule for the prompt (the
shells apply `Activation.words()` in their `_envhook_activate`), `envhook run`,
`envhook env` and `envhook status --json`'s `exports`.

Standard library only: the hook's cached path reads an Activation back
from the decision cache (prompt/hookcache.py)."""

from __future__ import annotations

import os


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
