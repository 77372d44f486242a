"""fish quoting: single quotes, where only \\' and \\\\ are escapes. Characters
outside printable ASCII leave the quotes: \\xNN for ASCII controls, \\uXXXX or
\\UXXXXXXXX for other characters (so the value equals the same text in $PWD,
which \\XNN bytes would not: fish keeps those as raw bytes, not UTF-8), and
\\XNN only for bytes that are not UTF-8 at all. shlex.quote is wrong here: in
fish a backslash inside single quotes escapes, so 'a\\' is an unterminated string."""

from __future__ import annotations

from envhook.prompt.shells.base import Shell


def fish_quote(value: str) -> str:
    out = ["'"]
    for ch in value:
        o = ord(ch)
        if ch == "'" or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif o < 0x80:
            out.append(f"'\\x{o:02x}'")
        elif 0xDC80 <= o <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"'\\X{o - 0xDC00:02x}'")
        elif o <= 0xFFFF:
            out.append(f"'\\u{o:04x}'")
        else:
            out.append(f"'\\U{o:08x}'")
    out.append("'")
    return "".join(out)


class Fish(Shell):
    name = "fish"
    template = "envhook.fish"
    hook_line = "envhook hook fish | source"
    # The hook evals the output as one list element, so it must be one line.
    separator = "; "

    def quote(self, value: str) -> str:
        return fish_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"set -g {name} {self.quote(value)}"

    def assign_list(self, name: str, values: list[str]) -> str:
        return " ".join([f"set -g {name}", *(self.quote(v) for v in values)])

    def export(self, name: str, value: str) -> str:
        return f"set -gx {name} {self.quote(value)}"

    def export_path(self, name: str, entries: list[str]) -> str:
        return " ".join([f"set -gx {name}", *(self.quote(v) for v in entries)])  # fish's PATH is a list

    def unset(self, name: str) -> str:
        return f"set -e {name}"
