"""elvish quoting. A value of printable ASCII goes in single quotes, where
nothing is special but the quote itself, written twice ('it''s'). Anything
else goes in double quotes, with every character outside printable ASCII
escaped: \\n and \\t, \\xNN for other ASCII controls and for a byte that was
not UTF-8 (surrogateescape: elvish strings are bytes, and "\\xff" is that
byte), \\uXXXX / \\UXXXXXXXX for other characters (the same UTF-8 bytes
$pwd holds). So what the hook evals is one ASCII line per statement whatever
the locale. Elvish reads a script only as UTF-8, so raw bytes could not be
spliced in; and shlex.quote is wrong here: a backslash in elvish double quotes
escapes, and "$x" is no expansion but a literal dollar."""

from __future__ import annotations

from envhook.prompt.shells.base import Shell


def elvish_quote(value: str) -> str:
    if all(0x20 <= ord(ch) < 0x7F for ch in value):
        return "'" + value.replace("'", "''") + "'"
    out = ['"']
    for ch in value:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif 0xDC80 <= o <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{o - 0xDC00:02x}")
        elif 0xD800 <= o <= 0xDFFF:  # any other lone surrogate: its surrogateescape'd UTF-8 bytes
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


class Elvish(Shell):
    name = "elvish"
    template = "envhook.elv"
    hook_line = "eval (envhook hook elvish | slurp)"

    def quote(self, value: str) -> str:
        return elvish_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"set {name} = {self.quote(value)}"

    def assign_list(self, name: str, values: list[str]) -> str:
        return f"set {name} = [{' '.join(self.quote(v) for v in values)}]"

    def export(self, name: str, value: str) -> str:
        return f"set-env {name} {self.quote(value)}"

    def export_path(self, name: str, entries: list[str]) -> str:
        return self.export(name, ":".join(entries))

    def unset(self, name: str) -> str:
        return f"unset-env {name}"
