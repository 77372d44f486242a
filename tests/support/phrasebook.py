"""How to say things in each shell the hook supports: one entry per shell.

The contract rows (tests/prompt/test_contract.py) are written once and say
what they do through a shell's `Phrases`: set or unset a variable, add to
PATH, chain two commands, fail with a status, print the shell's pid, load
the hook again, register a prompt hook of the user's own, start a child of
the same shell. How a shell starts, shows its prompt marker, reads a value
back and sends Ctrl-C is the driver's (support.shell.ShellSession): those are
the same call in every shell. A new shell is one entry here (and its start in
the driver), and every row runs in it. Where a shell itself cannot do what a
row asks, `EXEMPT` says so, once, with the reason.
"""

from __future__ import annotations

import shutil

from support.hooktest import HOOK_LINE, q

ALL = ("bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh")

# The quoting table: names a project's directory may have, every shell's hook must carry them whole.
HOSTILE = {"mixed": "'\";&&e-$ èрт🚒♞中片-j", "space": "a b", "dollar-paren": "$(touch pwned)",
           "backquotes": "`touch pwned2`", "newline": "line\nbreak", "backslash-end": "ends with backslash\\"}

# The only place a shell is exempt from a contract row, and why. A row looks
# itself up here (`exempt(row, shell)`); nothing else skips a shell.
EXEMPT: dict[str, dict[str, str]] = {
    "cd and a command on one line": {
        "nu": "nushell runs no hook inside a command line (its env_change and pre_prompt hooks run before the "
              "next prompt): `cd proj; python` runs python before the env follows",
    },
    "nounset": {
        "fish": "fish has no nounset option (an unset variable expands to nothing, always)",
        "xonsh": "xonsh has no nounset option (an unset $VAR is an error in Python mode, always)",
        "nu": "nushell has no nounset option (an unset $env.X is an error, always)",
        "elvish": "elvish has no nounset option (an undeclared variable is a compile error, always)",
        "tcsh": "tcsh has no nounset option (an unset variable is an error, always)",
    },
    "exit status kept": {
        "elvish": "elvish has no exit status of the last command ($? / $status): there is nothing to keep",
    },
    "a venv activated by hand": {
        "elvish": "no venv tool writes an activate script for elvish",
    },
}


def exe(name: str) -> str:
    """A shell by its absolute path: the shells under test get a PATH of
    envhook's tools and /usr/bin:/bin only (xonsh and nu live elsewhere)."""
    return shutil.which(name) or name


def shells_for(row: str) -> list[str]:
    """The shells a contract row runs in: all, but those EXEMPT names for it
    (they are not run at all, rather than counted as skipped)."""
    return [s for s in ALL if s not in EXEMPT.get(row, {})]


class Phrases:
    """bash's phrases; other shells override what they say differently."""

    name = "bash"
    path_sep = ":"  # how the driver's get("PATH") joins PATH's entries (fish: one a line)
    # Processes a quiet prompt inside a project starts (elvish: its one `test`; see shell/envhook.elv).
    quiet_processes = 0

    def q(self, value) -> str:
        return q(self.name, value)

    def hook_line(self) -> str:
        return HOOK_LINE[self.name]

    def cd(self, path) -> str:
        return f"cd {self.q(path)}"

    def set_var(self, name: str, value: str) -> str:
        return f"export {name}={self.q(value)}"

    def unset_var(self, name: str) -> str:
        return f"unset {name}"

    def append_path(self, directory) -> str:
        return f"export PATH=\"$PATH\":{self.q(directory)}"

    def chain(self, first: str, then: str) -> str:
        """`first`, and `then` only if it succeeded, on one command line."""
        return f"{first} && {then}"

    def exit_with(self, code: int) -> str:
        return f"sh -c 'exit {code}'"

    def pid(self) -> str:
        return "echo $$"

    def noop(self) -> str:
        """A command line that starts no process of its own (a builtin)."""
        return "true"

    def python(self, code: str) -> str:
        """Run the env's python (whatever `python` is on PATH) with `code` (no quotes in it)."""
        return f"python -c '{code}'"

    def dump_env(self, path) -> str:
        """Write the exported environment to `path`, NUL-separated (an external `env -0`)."""
        return f"env -0 > {self.q(path)}"

    def enter(self, path, var: str = "__proj") -> tuple[str, str]:
        """(rc text, command line) that `cd` into `path`, whatever it holds
        (`var`: a name the rc may use for it)."""
        return "", self.cd(path)

    def reload(self) -> str:
        """Load the hook again in this shell, as a re-sourced rc file would."""
        return self.hook_line()

    def activate(self, env) -> str:
        """Activate a venv by hand, with the script its creator wrote for this shell."""
        return f"source {self.q(env / 'bin' / 'activate')}"

    def nounset(self) -> str:
        return "set -u"

    def user_hooks(self, log) -> str:
        """rc text registering the user's own prompt hook (writes `prompt`) and,
        where the shell has one, directory-change hook (writes `cd`), to `log`."""
        return f"__u1() {{ echo prompt >> {self.q(log)}; }}; PROMPT_COMMAND=__u1"

    def child(self) -> str:
        """Start an interactive child of this shell that reads the same rc."""
        return exe("bash")



class Zsh(Phrases):
    name = "zsh"

    def nounset(self) -> str:
        return "setopt nounset"

    def user_hooks(self, log) -> str:
        return (f"__u1() {{ echo prompt >> {self.q(log)} }}; __u2() {{ echo cd >> {self.q(log)} }}; "
                "precmd_functions+=(__u1); chpwd_functions+=(__u2)")

    def child(self) -> str:
        return exe("zsh")



class Fish(Phrases):
    name = "fish"
    path_sep = "\n"

    def set_var(self, name: str, value: str) -> str:
        return f"set -gx {name} {self.q(value)}"

    def unset_var(self, name: str) -> str:
        return f"set -e {name}"

    def append_path(self, directory) -> str:
        return f"set -gx PATH $PATH {self.q(directory)}"

    def chain(self, first: str, then: str) -> str:
        return f"{first}; and {then}"

    def pid(self) -> str:
        return "echo $fish_pid"

    def reload(self) -> str:
        return "envhook hook fish | source"

    def activate(self, env) -> str:
        return f"source {self.q(env / 'bin' / 'activate.fish')}"

    def nounset(self) -> str:
        return ""

    def user_hooks(self, log) -> str:
        return (f"function __u1 --on-event fish_prompt; echo prompt >> {self.q(log)}; end; "
                f"function __u2 --on-variable PWD; echo cd >> {self.q(log)}; end")

    def child(self) -> str:
        return exe("fish")



class Xonsh(Phrases):
    name = "xonsh"

    def set_var(self, name: str, value: str) -> str:
        return f"${name} = {value!r}"

    def unset_var(self, name: str) -> str:
        return f"del ${name}"

    def append_path(self, directory) -> str:
        return f"$PATH.append({str(directory)!r})"

    def pid(self) -> str:
        return "print(__import__('os').getpid())"

    def noop(self) -> str:
        return "x = 1"

    def activate(self, env) -> str:
        return f"source {self.q(env / 'bin' / 'activate.xsh')}"

    def nounset(self) -> str:
        return ""

    def user_hooks(self, log) -> str:
        return (f"@events.on_pre_prompt_format\ndef __u1(**kw):\n    open({str(log)!r}, 'a').write('prompt\\n')\n"
                f"@events.on_chdir\ndef __u2(olddir, newdir, **kw):\n    open({str(log)!r}, 'a').write('cd\\n')\n")

    def child(self) -> str:
        return f"{exe('xonsh')} --rc {self._rc()} -i --shell-type=readline"


    @staticmethod
    def _rc() -> str:
        return "~/.xonshrc"


class Nu(Phrases):
    name = "nu"

    def set_var(self, name: str, value: str) -> str:
        return f"$env.{name} = {self.q(value)}"

    def unset_var(self, name: str) -> str:
        return f"hide-env {name}"

    def append_path(self, directory) -> str:
        return f"$env.PATH = ($env.PATH | append {self.q(directory)})"

    def chain(self, first: str, then: str) -> str:
        return f"{first}; {then}"  # a failed command stops the line in nushell

    def pid(self) -> str:
        return "print $nu.pid"

    def noop(self) -> str:
        return "let x = 1"

    def activate(self, env) -> str:
        return f"overlay use {self.q(env / 'bin' / 'activate.nu')}"

    def dump_env(self, path) -> str:
        return f"^env -0 | save --raw -f {self.q(path)}"

    def reload(self) -> str:
        return f"{self.hook_line()}; source ($nu.user-autoload-dirs | first | path join envhook.nu)"

    def nounset(self) -> str:
        return ""

    def user_hooks(self, log) -> str:
        return ('$env.config.hooks.pre_prompt = [{|| "prompt\\n" | save --append ' + self.q(log) + " }]\n"
                '$env.config.hooks.env_change.PWD = [{|before, after| "cd\\n" | save --append ' + self.q(log)
                + " }]\n")

    def child(self) -> str:
        return f"{exe('nu')} --no-history"



class Elvish(Phrases):
    name = "elvish"
    quiet_processes = 1

    def set_var(self, name: str, value: str) -> str:
        return f"set-env {name} {self.q(value)}"

    def unset_var(self, name: str) -> str:
        return f"unset-env {name}"

    def append_path(self, directory) -> str:
        return f"set paths = [$@paths {self.q(directory)}]"

    def chain(self, first: str, then: str) -> str:
        return f"{first}; {then}"  # an exception stops the line in elvish

    def pid(self) -> str:
        return "echo $pid"

    def noop(self) -> str:
        return "var x = 1"

    def reload(self) -> str:
        return self.hook_line()

    def nounset(self) -> str:
        return ""

    def user_hooks(self, log) -> str:
        return (f"var __log = {self.q(log)}\n"
                "set edit:before-readline = [{ echo prompt >> $__log }]\n"
                "set after-chdir = [{|d| echo cd >> $__log }]\n")

    def child(self) -> str:
        return exe("elvish")



class Tcsh(Phrases):
    name = "tcsh"

    def set_var(self, name: str, value: str) -> str:
        return f"setenv {name} {self.q(value)}"

    def unset_var(self, name: str) -> str:
        return f"unsetenv {name}"

    def append_path(self, directory) -> str:
        return f"set path = ( $path:q {self.q(directory)} )"

    def reload(self) -> str:
        return "source ~/.tcshrc"

    def noop(self) -> str:
        return "set x = 1"

    def activate(self, env) -> str:
        return f"source {self.q(env / 'bin' / 'activate.csh')}"

    def enter(self, path, var: str = "__proj") -> tuple[str, str]:
        if "\n" in str(path):
            # A typed line cannot hold a newline in tcsh: the rc holds the name, quoted by the hook's own quote.
            from envhook.prompt.shells.tcsh import tcsh_quote

            return f"set {var} = {tcsh_quote(str(path))}", f"cd ${var}:q"
        return "", self.cd(path)

    def nounset(self) -> str:
        return ""

    def user_hooks(self, log) -> str:
        return (f"alias precmd 'echo prompt >> {self.q(log)}'\n"
                f"alias cwdcmd 'echo cd >> {self.q(log)}'\n")

    def child(self) -> str:
        return f"{exe('tcsh')} -i"



BOOK: dict[str, Phrases] = {p.name: p for p in (Phrases(), Zsh(), Fish(), Xonsh(), Nu(), Elvish(), Tcsh())}


def phrases(shell: str) -> Phrases:
    return BOOK[shell]
