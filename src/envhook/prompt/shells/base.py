from __future__ import annotations

import os

from envhook.env.activation import Activation, Changes

STATE = "ENVHOOK_STATE"  # exported whatever else is: applied apart (see activation())


class Shell:
    name: str
    # What this shell's hook and prompt.entry agree on, passed by the ENTRY
    # baked into the hook: a hook rendered by an older envhook passes an
    # older one and is stopped rather than misled (prompt.entry.main).
    # 1: `_envhook_act` was ENV PROMPT NO_SYNC; 2: ENV PROMPT NO_SYNC STATE,
    # applied by each hook's own code; 3: the activation Python renders
    # (activation()), which no hook spells out.
    protocol = 3
    template: str  # file name under shell/
    hook_line: str  # what the rc file says to load the hook (doctor's fix, README)
    separator = "\n"
    word_separator = " "  # between the quoted words of a list placeholder
    # False where the code `envhook env --shell` prints cannot carry a newline
    # in a value exactly: there it refuses such a value rather than print it changed.
    keeps_newlines = True

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def template_text(self) -> str:
        """The hook's shell code as written under shell/: the template, each
        line `# @include FILE` replaced by that file (bash.sh and zsh.sh
        include the hook they share)."""
        import re  # only `envhook hook` reads templates: not on the prompt's path

        from envhook.prompt.shells import template_dir

        def read(name: str) -> str:
            with open(os.path.join(template_dir(), name), encoding="utf-8") as f:
                return f.read()

        return re.sub(r"^# @include (\S+)\n", lambda m: read(m.group(1)), read(self.template), flags=re.M)

    def assign(self, name: str, value: str) -> str:
        raise NotImplementedError

    def assign_list(self, name: str, values: list[str]) -> str:
        raise NotImplementedError

    # `envhook env --shell`: exported variables, for a shell that evals them.
    def export(self, name: str, value: str) -> str:
        raise NotImplementedError

    def export_path(self, name: str, entries: list[str]) -> str:
        raise NotImplementedError

    def unset(self, name: str) -> str:
        raise NotImplementedError

    def render(self, template_text: str, values: dict[str, str | list[str]]) -> str:
        """Fill __NAME__ placeholders with quoted values (a list becomes quoted
        words); the rest of the file is left as written. __ENVHOOK_SHELL__ is
        the shell's name: bash and zsh share one file, which branches on it."""
        values = {"ENVHOOK_SHELL": self.name, **values}
        for key, value in values.items():
            words = value if isinstance(value, list) else [value]
            template_text = template_text.replace(f"__{key}__", self.word_separator.join(self.quote(w) for w in words))
        return template_text

    def completion_values(self, spec: dict) -> dict:
        """The placeholders of the hook's completer, from cli.completion_spec:
        none where the completer asks `envhook __complete` at Tab (nushell,
        elvish, xonsh)."""
        return {}

    def call(self, name: str) -> str:
        """A call of the hook's function `name` (no arguments)."""
        return name

    def call_with(self, name: str, *args: str) -> str:
        """A call of the hook's function `name` with quoted arguments."""
        return " ".join([name, *(self.quote(a) for a in args)])

    def activation_steps(self, act: Activation) -> tuple[str, list[tuple], list[tuple], list[tuple]]:
        """env.activation.Changes as the hook's steps: KEY (what the
        activation is known by, "" for none), then three lists of steps. ON
        activates: ("own", NAME, VALUE) sets the hook's own _envhook_venv and
        _envhook_active, ("set", NAME, VALUE) / ("unset", NAME) go through the
        hook's _envhook_set (which remembers what leaving restores),
        ("path", DIR) puts DIR first on PATH (_envhook_path). ASIDE is what
        goes beside a venv activated outside envhook; STATE exports
        ENVHOOK_STATE, on every apply (the state changes while the activation
        does not). So no hook lists what activating sets."""
        on, beside = Changes(act), Changes(act, beside=True)
        own = [("own", "_envhook_venv", act.env), ("own", "_envhook_active", on.key)] if on.key else []
        state = [("set", STATE, on.set[STATE])] if STATE in on.set else []
        # uv's selection variables go with the state: they may change while
        # the activation does not (`envhook use` in the project).
        state += [("set", n, v) if v is not None else ("unset", n) for n, v in on.uv.items()]
        return on.key, own + self._steps(on), self._steps(beside), state

    @staticmethod
    def _steps(ch: Changes) -> list[tuple]:
        return [
            *(("set", n, v) for n, v in ch.set.items() if n != STATE and n not in ch.uv),
            *(("unset", n) for n in ch.unset if n not in ch.uv),
            *(("path", d) for d in ch.path_prepend),
        ]

    def activation(self, act: Activation) -> list[str]:
        """What the hook keeps as `_envhook_act` for a project, where the hook
        evals code: KEY ON ASIDE STATE, each list of steps (activation_steps)
        as this shell's statements."""
        key, *parts = self.activation_steps(act)
        return [key, *(self.inline([self._statement(*step) for step in steps]) for steps in parts)]

    def _statement(self, op: str, name: str, value: str | None = None) -> str:
        if op == "own":
            return self.assign(name, value)
        if op == "path":
            return self.call_with("_envhook_path", name)
        return self.call_with("_envhook_set", name, *([value] if op == "set" else []))

    def inline(self, statements: list[str]) -> str:
        """Statements as one value the hook evals."""
        return "; ".join(statements)

    def script(self, statements: list[str]) -> str:
        lines = [s for s in statements if s]
        return self.separator.join(lines) + ("\n" if lines else "")

    def code(self, statements: list[str]) -> str:
        """What `envhook env --shell` prints, for the user's shell to run:
        where the hook evals code, the same text as script()."""
        return self.script(statements)
