from __future__ import annotations

import os

from envhook.env.activation import Activation, Changes

STATE = "ENVHOOK_STATE"  # exported whatever else is: applied apart (see activation())


class Shell:
    name: str
    # What this shell's hook and prompt.entry agree on, passed by the ENTRY
    # baked into the hook: a hook rendered by an older envhook passes an
    # older one and is stopped rather than misled (prompt.entry.main).
    # 2: `_envhook_act` is ENV PROMPT NO_SYNC STATE, applied by the hook's own code;
    # 3: it is KEY ON ASIDE STATE, the activation rendered here (activation()).
    protocol = 2
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
        the spec itself, as JSON that the completer reads at load."""
        import json  # only `envhook hook` renders a hook: not on the prompt's path

        return {"ENVHOOK_COMPLETION": json.dumps(spec, separators=(",", ":"))}

    def call(self, name: str) -> str:
        """A call of the hook's function `name` (no arguments)."""
        return name

    def call_with(self, name: str, *args: str) -> str:
        """A call of the hook's function `name` with quoted arguments."""
        return " ".join([name, *(self.quote(a) for a in args)])

    def activation(self, act: Activation) -> list[str]:
        """What the hook keeps as `_envhook_act` for a project (protocol 2): its words."""
        return act.words()

    def rendered_activation(self, act: Activation) -> list[str]:
        """`_envhook_act` of protocol 3: env.activation.Changes rendered into
        the hook's primitives, so that no hook lists what activating sets.
        KEY: what the activation is known by ("" for none); ON: code that
        activates (the hook's own _envhook_venv and _envhook_active, then
        `_envhook_set NAME [VALUE]` per variable, `_envhook_path DIR`); ASIDE:
        code for beside a venv activated outside envhook; STATE: code that
        exports ENVHOOK_STATE, run on every apply (the state changes while the
        activation does not)."""
        on, beside = Changes(act), Changes(act, beside=True)
        code = [self.assign("_envhook_venv", act.env), self.assign("_envhook_active", on.key)] if on.key else []
        return [
            on.key,
            self.inline(code + self._steps(on)),
            self.inline(self._steps(beside)),
            self.call_with("_envhook_set", STATE, on.set[STATE]) if STATE in on.set else "",
        ]

    def _steps(self, ch: Changes) -> list[str]:
        return [
            *(self.call_with("_envhook_set", n, v) for n, v in ch.set.items() if n != STATE),
            *(self.call_with("_envhook_set", n) for n in ch.unset),
            *(self.call_with("_envhook_path", d) for d in ch.path_prepend),
        ]

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
