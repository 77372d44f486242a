"""fish quoting: single quotes, where only \\' and \\\\ are escapes; every byte
outside printable ASCII leaves the quotes as \\XNN, which fish reads back as
that byte (direnv's choice too). shlex.quote is wrong here: in fish a
backslash inside single quotes escapes, so 'a\\' is an unterminated string."""

from __future__ import annotations

from envhook.shells.base import Shell


def fish_quote(value: str) -> str:
    data = value.encode("utf-8", "surrogateescape")
    out = ["'"]
    for b in data:
        if b == 0x27 or b == 0x5C:
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"'\\X{b:02x}'")
    out.append("'")
    return "".join(out)


class Fish(Shell):
    name = "fish"
    template = "envhook.fish"
    # The hook evals the output as one list element, so it must be one line.
    separator = "; "

    def quote(self, value: str) -> str:
        return fish_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"set -g {name} {self.quote(value)}"

    def assign_list(self, name: str, values: list[str]) -> str:
        return " ".join([f"set -g {name}", *(self.quote(v) for v in values)])
