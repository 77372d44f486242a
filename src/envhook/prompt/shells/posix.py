"""bash and zsh share one quoting: $'…' with every byte outside printable
ASCII written as \\xNN, so the output is one ASCII line whatever the locale
(the same choice as direnv's BashEscape)."""

from __future__ import annotations

from envhook.prompt.shells.base import Shell

_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_-+=:,./")
_NAMED = {ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r", ord("'"): "\\'", ord("\\"): "\\\\"}


def posix_quote(value: str) -> str:
    data = value.encode("utf-8", "surrogateescape")
    if not data:
        return "''"
    # zsh expands `=cmd` to cmd's path at a word's start and, in an
    # assignment, after a `:` (as both shells do with `~`, which is not in
    # _SAFE): such an `=` is quoted, in bash too, where it is harmless.
    if all(b in _SAFE for b in data) and data[0] != ord("=") and b":=" not in data:
        return data.decode("ascii")
    out = ["$'"]
    for b in data:
        if b in _NAMED:
            out.append(_NAMED[b])
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    out.append("'")
    return "".join(out)


class _Posix(Shell):

    def quote(self, value: str) -> str:
        return posix_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"{name}={self.quote(value)}"

    def assign_list(self, name: str, values: list[str]) -> str:
        return f"{name}=({' '.join(self.quote(v) for v in values)})"

    def export(self, name: str, value: str) -> str:
        return f"export {name}={self.quote(value)}"

    def export_path(self, name: str, entries: list[str]) -> str:
        return self.export(name, ":".join(entries))

    def unset(self, name: str) -> str:
        return f"unset {name}"


class Bash(_Posix):
    name = "bash"
    template = "bash.sh"
    hook_line = 'eval "$(envhook hook bash)"'


class Zsh(_Posix):
    name = "zsh"
    template = "zsh.sh"
    hook_line = 'eval "$(envhook hook zsh)"'
