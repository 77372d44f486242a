from __future__ import annotations

from collections.abc import Iterable, Mapping


class Shell:
    name: str
    template: str  # file name under shell/
    separator = "\n"

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def assign(self, name: str, value: str) -> str:
        raise NotImplementedError

    def assign_list(self, name: str, values: Iterable[str]) -> str:
        raise NotImplementedError

    def call(self, function: str, *args: str) -> str:
        return " ".join([function, *(self.quote(a) for a in args)])

    def render(self, template_text: str, values: Mapping[str, str]) -> str:
        """Fill __NAME__ placeholders with quoted values; the rest of the file is left as written."""
        for key, value in values.items():
            template_text = template_text.replace(f"__{key}__", self.quote(value))
        return template_text

    def script(self, statements: Iterable[str]) -> str:
        lines = [s for s in statements if s]
        return self.separator.join(lines) + ("\n" if lines else "")
