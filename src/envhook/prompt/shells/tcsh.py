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

from envhook.messages import clean, say
from envhook.prompt.shells.base import Shell
from envhook.store import paths


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
    """Each shell's last output (out/PID) is rewritten before it is sourced,
    so an old one serves nobody: a day is plenty."""
    import time

    cutoff = time.time() - max_age
    try:
        entries = list(os.scandir(os.path.join(where, "out")))
    except OSError:
        return
    for e in entries:
        try:
            if e.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(e.path)
        except OSError:
            pass


def _private_dir(path: str) -> bool:
    """A directory of yours that no one else may even enter."""
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o077


def _complete(where: str, parts: dict[str, bytes]) -> bool:
    return (_private_dir(where) and _private_dir(os.path.join(where, "out"))
            and all(_holds(os.path.join(where, f"{name}.tcsh"), data) for name, data in parts.items()))


def _install(where: str, parts: dict[str, bytes]) -> None:
    """Make `where` hold exactly the hook's parts, written once and never
    changed after: each shell checks before each prompt that its inode change
    time is the one it loaded (guard). So the parts go into a new directory
    (0700; each file O_EXCL | O_NOFOLLOW, 0600), renamed to `where` whole; one
    already there is kept when it is complete, else set aside and replaced.
    The shells' outputs go to out/, a directory inside that changes freely."""
    import shutil  # only `envhook hook tcsh` installs files
    import time
    from pathlib import Path

    from envhook.store.records import atomic_write  # records loads json: only `envhook hook tcsh` writes

    if _complete(where, parts):
        return
    tmp = f"{where}.{os.getpid()}.{time.monotonic_ns()}"
    os.mkdir(tmp, 0o700)
    try:
        for name, data in parts.items():
            atomic_write(Path(tmp, f"{name}.tcsh"), data)
        os.mkdir(os.path.join(tmp, "out"), 0o700)
        try:
            os.rename(tmp, where)
            return
        except OSError:
            if _complete(where, parts):  # another shell, started at the same moment, made it
                return
        # Not as envhook writes it (a file of someone else's, a link, a part
        # missing): set aside and removed without following links, then replaced.
        aside = f"{tmp}.old"
        os.rename(where, aside)
        if os.path.isdir(aside) and not os.path.islink(aside):
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.unlink(aside)
        os.rename(tmp, where)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def _settle(where: str) -> None:
    """The guard compares `where`'s change time in whole seconds: a change
    made later in the second it was made would not show. So a `where` made
    this very second is first left to age past it (once per install, at most
    a second); render then checks it again, and every change after that
    shows."""
    import time

    # 50 ms more: the kernel stamps files from a coarse clock, a tick behind time.time().
    wait = int(os.lstat(where).st_ctime) + 1.05 - time.time()
    if 0 < wait <= 1.05:  # not after a clock that stepped back
        time.sleep(wait)


def guard(where: str, message: str) -> str:
    """What the precmd and cwdcmd aliases eval before each prompt, in place of
    `source prompt.tcsh`: prompt.tcsh is sourced only while nothing that
    another user could use has changed since paths.unsafe_chain passed. One
    expression of tcsh's file inquiries:

    - `where` is the directory that was checked and written: no symlink, and
      its inode change time (-C, whole seconds, see _settle) is the same. A
      chmod or chown of it, an entry added, removed or renamed in it (a part
      swapped) moves it, and no one can set it back; _install never writes in
      it after it is made. Its parts are yours, 0600: it stands for them.
    - every directory above it is no symlink, and no one else may write it
      unless it is sticky (then it still is): no one else can put anything in
      the way now, and what they put there while they could is a symlink, or
      a directory that leads to a `where` of another change time. For a user
      other than root, the leading ones that root owns (/, /home, /tmp) are
      left out: only root can change them, or their entries.
    - this shell's output, out/PID, is no symlink and is yours.

    Otherwise `message`, once, and the hook stops: nothing more is sourced.
    Owners are not asked again: only root can change one (chown)."""
    chain = []
    p = os.path.dirname(where)
    while True:
        chain.append(p)
        if p == "/":
            break
        p = os.path.dirname(p)
    me, terms = os.geteuid(), []
    for d in reversed(chain):
        st = os.lstat(d)
        if me != 0 and st.st_uid == 0 and not terms:
            continue
        qd = tcsh_quote(d)
        terms += [f"-l {qd} == 0", f"( -k {qd} || -P22 {qd} == 0 )" if st.st_mode & 0o022 else f"-P22 {qd} == 0"]
    qw = tcsh_quote(where)
    terms += [f"-l {qw} == 0", f"-C {qw} == {int(os.lstat(where).st_ctime)}",
              "-l $_envhook_out:q == 0", "( -e $_envhook_out:q == 0 || -o $_envhook_out:q )"]
    # tcsh opens a one-line if's redirection even when the test is false: eval'd text holds it.
    stop = f"echo {tcsh_quote(message)} > /dev/stderr; set _envhook_guard = ''"
    return (f"set _envhook_ok = 0; if ( {' && '.join(terms)} ) set _envhook_ok = 1; "
            f"if ( $_envhook_ok ) source {qw}/prompt.tcsh; if ( ! $_envhook_ok ) eval {tcsh_quote(stop)}")


def _holds(path: str, data: bytes) -> bool:
    """`path` is already this part: a regular file of yours, written by no one
    else, holding `data`. Read without following a link: a link there, or a
    file someone else could have changed, is written anew."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return False
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(len(data) + 1) == data
    finally:
        os.close(fd)


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


def complete_rules(spec: dict) -> list[str]:
    """tcsh `complete` rules for envhook's command line, from the parser's
    spec. tcsh matches a word by its position or by the word before it, and
    the first rule that matches wins: the subcommands at position 1, then the
    words after each subcommand (its subcommands, or what completes its first
    positional), after each option that takes a value, and a command after
    `--`. No rule matching completes file names. A setting's values are not
    completed: a key may also be a subcommand (`sync`)."""
    levels = spec["levels"]
    after: dict[str, list[str]] = {}  # rule's list -> the words it follows, in order

    def rhs(value) -> str | None:
        if isinstance(value, list):
            return "(" + " ".join(value) + ")"
        if value == "setting":
            return "(" + " ".join(key for key, _, _ in spec["settings"]) + ")"
        return {"dir": "d", "file": "f"}.get(value)

    for name, lv in levels.items():
        if not name:
            continue
        word = name.split()[-1]
        listed = ("(" + " ".join(c for c, _ in lv["commands"]) + ")") if lv["commands"] else \
            rhs(lv["args"][0]["value"]) if lv["args"] else None
        if listed:
            after.setdefault(listed, []).append(word)
    for lv in levels.values():
        for opt in lv["options"]:
            listed = rhs(opt["value"]) if opt["takes"] else None
            if listed:
                for n in opt["names"]:
                    if n not in after.setdefault(listed, []):
                        after[listed].append(n)
    rules = ["p/1/(" + " ".join(c for c, _ in levels[""]["commands"]) + ")/"]
    for listed, words in after.items():
        rules.append(f"n/{words[0] if len(words) == 1 else '{' + ','.join(words) + '}'}/{listed}/")
    if any(arg["value"] == "command" for lv in levels.values() for arg in lv["args"]):
        rules.append("n/--/c/")
    return rules


class Tcsh(Shell):
    name = "tcsh"
    template = "envhook.tcsh"
    hook_line = 'eval "`envhook hook tcsh`"'
    # `envhook env --shell tcsh` is read with eval "`…`", which joins lines: one line it is.
    separator = "; "
    # The backquotes split their output at newlines and eval joins the words
    # with spaces: a newline inside a quoted value would come back as `\ `.
    keeps_newlines = False

    def quote(self, value: str) -> str:
        return tcsh_quote(value)

    def activation(self, act) -> list[str]:
        """tcsh's eval cannot hold a newline, which a value may: the
        activation is data, walked by the hook's steps.tcsh. KEY ("-" for
        none: a slot's copy, `( $list:q )`, drops an empty word, and no step
        value is ever empty), the number of steps of ON, ASIDE and STATE,
        then every step as three words (Shell.activation_steps; an absent
        value is "-")."""
        key, *parts = self.activation_steps(act)
        words = [key or "-", *(str(len(steps)) for steps in parts)]
        for steps in parts:
            for op, name, *value in steps:
                words += [op, name, value[0] if value else "-"]
        return words

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

    def completion_values(self, spec: dict) -> dict:
        """tcsh's `complete` takes rules, not a program: the rules for
        cli.completion_spec, one word each."""
        return {"ENVHOOK_COMPLETE_RULES": complete_rules(spec)}

    def render(self, template_text: str, values: dict[str, str | list[str]]) -> str:
        """Write the parts under the state dir and return the line for
        ~/.tcshrc's eval: it sets this shell's session and its guard, and
        sources init.tcsh. The files do not hold the session, so one install's
        shells share them. They are sourced only from a place no one else can
        write (paths.unsafe_chain), checked here and, by the guard, before each prompt."""
        import hashlib  # only `envhook hook tcsh` names files: not on the prompt's path

        values = dict(values)
        session = str(values.pop("ENVHOOK_SESSION", ""))
        text = super().render(template_text, values)
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        top = os.path.join(paths.state_dir(), "tcsh")
        if "\n" in top:
            # A newline in the state dir would reach `set path`'s split and the
            # aliases' text; say so instead of loading half a hook.
            return "echo 'envhook: the state dir holds a newline; tcsh cannot be hooked from it' > /dev/stderr\n"
        try:
            paths.make_dirs(top)
            # The real path: the guard checks the directories tcsh reaches the files through.
            where = os.path.join(os.path.realpath(top), digest)
            text = text.replace("__ENVHOOK_DIR__", self.quote(where))
            parts: dict[str, list[str]] = {}
            current: list[str] | None = None
            for line in text.splitlines(keepends=True):
                if line.startswith("#@ "):
                    current = parts.setdefault(line[3:].strip(), [])
                elif current is not None:
                    current.append(line)
            why = paths.unsafe_chain(os.path.dirname(where))
            if why is None:
                data = {n: "".join(lines).encode("utf-8", "surrogateescape") for n, lines in parts.items()}
                _install(where, data)
                _settle(where)
                why = paths.unsafe_chain(os.path.join(where, "init.tcsh"))
                if why is None and not _complete(where, data):
                    why = f"{where} changed while the hook was written there"
            if why is not None:
                say(f"the tcsh hook is not loaded: {why}, so another user could change what tcsh sources from it",
                    error=True)
                return ""
            _prune_outputs(where)
            stop = guard(where, f"envhook: {clean(where)} (or a directory above it) changed owner, mode or content "
                                "since this shell loaded its hook from it, so another user may have written there; "
                                "this shell's hook has stopped and sources nothing more")
        except OSError as e:
            reason = tcsh_quote(f"envhook: cannot write the tcsh hook under {clean(top)} ({e.strerror})")
            return f"echo {reason} > /dev/stderr\n"
        return (f"set _envhook_new_session = {self.quote(session)}; set _envhook_guard = {self.quote(stop)}; "
                f"source {self.quote(os.path.join(where, 'init.tcsh'))}\n")
