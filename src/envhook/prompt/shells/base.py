from __future__ import annotations


class Shell:
    name: str
    template: str  # file name under shell/
    hook_line: str  # what the rc file says to load the hook (doctor's fix, README)
    separator = "\n"
    word_separator = " "  # between the quoted words of a list placeholder
    # False where the code `envhook env --shell` prints cannot carry a newline
    # in a value exactly: there it refuses such a value rather than print it changed.
    keeps_newlines = True

    def quote(self, value: str) -> str:
        raise NotImplementedError

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

    def script(self, statements: list[str]) -> str:
        lines = [s for s in statements if s]
        return self.separator.join(lines) + ("\n" if lines else "")

    def code(self, statements: list[str]) -> str:
        """What `envhook env --shell` prints, for the user's shell to run:
        where the hook evals code, the same text as script()."""
        return self.script(statements)
