"""xonsh: what the hook's Python prints is plain Python, run by the hook with
exec() in its own namespace, so a value is quoted as a Python string literal
(repr: every character, a newline or a surrogate-escaped byte included,
round-trips). `envhook env --shell xonsh` prints xonsh code: $NAME = literal."""

from __future__ import annotations

from envhook.prompt.shells.base import Shell


def xonsh_quote(value: str) -> str:
    return repr(value)


class Xonsh(Shell):
    name = "xonsh"
    template = "envhook.xsh"
    hook_line = "execx($(envhook hook xonsh))"
    word_separator = ", "  # a list placeholder sits inside [...]

    def quote(self, value: str) -> str:
        return xonsh_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"{name} = {self.quote(value)}"

    def assign_list(self, name: str, values: list[str]) -> str:
        return f"{name} = [{', '.join(self.quote(v) for v in values)}]"

    def call(self, name: str) -> str:
        return f"{name}()"

    def call_with(self, name: str, *args: str) -> str:
        return f"{name}({', '.join(self.quote(a) for a in args)})"

    def export(self, name: str, value: str) -> str:
        return f"${name} = {self.quote(value)}"

    def export_path(self, name: str, entries: list[str]) -> str:
        return f"${name} = [{', '.join(self.quote(v) for v in entries)}]"

    def unset(self, name: str) -> str:
        return f"__xonsh__.env.pop({self.quote(name)}, None)"
