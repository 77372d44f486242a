"""nushell: it cannot eval text, so what the hook's Python prints is data, a
NUON list of steps (["set", NAME, VALUE], ["call", NAME]) that the hook reads
with `from nuon` and carries out (shell/envhook.nu). A value is a nushell
double-quoted string: \\\\ and \\" escaped, every other control character as
\\u{…}, so a step is one line. nushell strings are UTF-8 only: a byte that is
not UTF-8 (a surrogate-escaped one) cannot be held and becomes U+FFFD, which
no real path the shell reports can contain, so such a directory never matches.
`envhook env --shell nu` prints nushell code: $env.NAME = "…"."""

from __future__ import annotations

from envhook.prompt.shells.base import Shell


def nu_quote(value: str) -> str:
    out = ['"']
    for ch in value:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{{{o:x}}}")
        elif 0xD800 <= o <= 0xDFFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class Nu(Shell):
    name = "nu"
    template = "envhook.nu"
    hook_line = "envhook hook nu -o ($nu.user-autoload-dirs | first | path join envhook.nu)"
    word_separator = ", "  # a list placeholder sits inside [...]

    def quote(self, value: str) -> str:
        return nu_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"[set, {self.quote(name)}, {self.quote(value)}]"

    def assign_list(self, name: str, values: list[str]) -> str:
        return f"[set, {self.quote(name)}, [{', '.join(self.quote(v) for v in values)}]]"

    def call(self, name: str) -> str:
        return f"[call, {self.quote(name)}]"

    def call_with(self, name: str, *args: str) -> str:
        return f"[call, {', '.join(self.quote(a) for a in (name, *args))}]"

    def inline(self, statements: list[str]) -> str:
        return "[" + ", ".join(statements) + "]"  # steps, as NUON the hook reads once (`from nuon`)

    def script(self, statements: list[str]) -> str:
        return "[" + ", ".join(s for s in statements if s) + "]\n"

    def code(self, statements: list[str]) -> str:
        return "".join(f"{s}\n" for s in statements if s)  # nushell code, not the hook's steps

    def export(self, name: str, value: str) -> str:
        return f"$env.{name} = {self.quote(value)}"

    def export_path(self, name: str, entries: list[str]) -> str:
        return f"$env.{name} = [{', '.join(self.quote(v) for v in entries)}]"

    def unset(self, name: str) -> str:
        return f"hide-env -i {name}"
