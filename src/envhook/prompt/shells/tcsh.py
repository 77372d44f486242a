"""tcsh quoting, and the hook delivered as files.

tcsh_quote: single quotes, in which `$`, backquote, `"`, globs and `;` are
inert; what single quotes cannot hold is spliced in outside them, escaped by
a backslash: `\\'`, `\\!` (history substitution sees `!` even inside single
quotes; outside, the backslash is removed again when no history substitution
runs, as in a sourced file, so both give `!`) and `\\\\` (so that a
backslash never meets the next character). A newline stays inside the
quotes as backslash-newline, which tcsh reads as a newline in the word, in a
`set x = ( … )` list too. Any other character is written as it is: the text
is sourced from a file, never typed, so control characters and bytes that
are not UTF-8 (surrogate-escaped) go through. The hook itself reads every
value as $var:q, never "$var" (which cannot hold a newline).

tcsh has no functions and its `eval` of multi-line text is fragile, so
`envhook hook tcsh` renders shell/envhook.tcsh into one file per part under
the state dir and prints one line that sources the first (`render`)."""

from __future__ import annotations

import os

from envhook.prompt.shells.base import Shell


def tcsh_quote(value: str) -> str:
    out: list[str] = []
    quoted = False
    for ch in value:
        if ch in "'!\\":
            if quoted:
                out.append("'")
                quoted = False
            out.append("\\" + ch)
            continue
        if not quoted:
            out.append("'")
            quoted = True
        out.append("\\\n" if ch == "\n" else ch)
    if quoted:
        out.append("'")
    return "".join(out) or "''"


def _prune_outputs(where: str, max_age: float = 86400) -> None:
    """Each shell's last output (out.PID) is rewritten before it is sourced,
    so an old one serves nobody: a day is plenty."""
    import time

    cutoff = time.time() - max_age
    try:
        entries = list(os.scandir(where))
    except OSError:
        return
    for e in entries:
        try:
            if e.name.startswith("out.") and e.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(e.path)
        except OSError:
            pass


def change_expression(words: list[str]) -> str:
    """emit.change_test's words as one tcsh expression, for fresh.tcsh to
    eval in one go (a loop over the words costs tcsh ~1.5 ms a prompt):
    P -nt S is `( -e P && -M P >= -M S )` (-M has whole seconds: a change in
    the stamp's own second counts); the pair `P -nt S -o P -ot S` of a P
    dated in the future, S carrying its mtime, is `-M P != -M S` (a missing
    P's -M is -1). Empty when a path holds a newline, which eval's text
    cannot: fresh.tcsh then walks the words one by one."""
    if any("\n" in w for w in words):
        return ""
    terms, i = [], 0
    while i < len(words):
        if words[i] == "!":
            terms.append(f"! -e {tcsh_quote(words[i + 2])}")
            i += 3
        elif words[i] == "-e":
            terms.append(f"-e {tcsh_quote(words[i + 1])}")
            i += 2
        elif words[i + 5:i + 6] == ["-ot"]:
            p, stamp = tcsh_quote(words[i]), tcsh_quote(words[i + 2])
            terms.append(f"-M {p} != -M {stamp}")
            i += 7
        else:
            p, stamp = tcsh_quote(words[i]), tcsh_quote(words[i + 2])
            terms.append(f"( -e {p} && -M {p} >= -M {stamp} )")
            i += 3
        i += 1  # the -o between terms
    return " || ".join(terms)


class Tcsh(Shell):
    name = "tcsh"
    template = "envhook.tcsh"
    hook_line = 'eval "`envhook hook tcsh`"'
    # `envhook env --shell tcsh` is read with eval "`…`", which joins lines: one line it is.
    separator = "; "

    def quote(self, value: str) -> str:
        return tcsh_quote(value)

    def assign(self, name: str, value: str) -> str:
        return f"set {name} = {self.quote(value)}"

    def assign_list(self, name: str, values: list[str]) -> str:
        line = " ".join([f"set {name} = (", *(self.quote(v) for v in values), ")"])
        if name == "_envhook_changed":
            line += "\n" + self.assign("_envhook_expr", change_expression(values))
        return line

    def call(self, name: str) -> str:
        # The hook's "functions" are files next to init.tcsh: _envhook_adopt is adopt.tcsh.
        return f"source $_envhook_dir:q/{name.removeprefix('_envhook_')}.tcsh"

    def export(self, name: str, value: str) -> str:
        return f"setenv {name} {self.quote(value)}"

    def export_path(self, name: str, entries: list[str]) -> str:
        return self.export(name, ":".join(entries))

    def unset(self, name: str) -> str:
        return f"unsetenv {name}"

    def render(self, template_text: str, values: dict[str, str | list[str]]) -> str:
        """Write the parts under the state dir and return the line for
        ~/.tcshrc's eval: it sets this shell's session and sources init.tcsh.
        The files do not hold the session, so one install's shells share them."""
        import hashlib  # only `envhook hook tcsh` names files: not on the prompt's path

        from envhook.store import paths  # only `envhook hook tcsh` writes files

        values = dict(values)
        session = str(values.pop("ENVHOOK_SESSION", ""))
        text = super().render(template_text, values)
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        where = os.path.join(paths.state_dir(), "tcsh", digest)
        text = text.replace("__ENVHOOK_DIR__", self.quote(where))
        parts: dict[str, list[str]] = {}
        current: list[str] | None = None
        for line in text.splitlines(keepends=True):
            if line.startswith("#@ "):
                current = parts.setdefault(line[3:].strip(), [])
            elif current is not None:
                current.append(line)
        if "\n" in where:
            # A newline in the state dir would reach `set path`'s split and the
            # aliases' text; say so instead of loading half a hook.
            return "echo 'envhook: the state dir holds a newline; tcsh cannot be hooked from it' > /dev/stderr\n"
        try:
            os.makedirs(where, mode=0o700, exist_ok=True)
            for name, lines in parts.items():
                target = os.path.join(where, f"{name}.tcsh")
                data = "".join(lines).encode("utf-8", "surrogateescape")
                try:
                    with open(target, "rb") as f:
                        if f.read() == data:
                            continue
                except OSError:
                    pass
                tmp = f"{target}.{os.getpid()}"
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, target)
            _prune_outputs(where)
        except OSError as e:
            reason = tcsh_quote(f"envhook: cannot write the tcsh hook under {where} ({e.strerror})")
            return f"echo {reason} > /dev/stderr\n"
        return f"set _envhook_new_session = {self.quote(session)}; source {self.quote(os.path.join(where, 'init.tcsh'))}\n"
