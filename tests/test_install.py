"""End-to-end tests of ``install.sh``: real installs (uv tool / venv + pip),
real rc files, real bash/zsh/fish reading them.

Every run happens in a throwaway HOME (with a space and an apostrophe in its
path, to exercise the quoting) and throwaway XDG / uv dirs; the real home is
never touched.  uv's cache is shared by the session to keep it fast.  The venv
route (no uv on PATH) pip-installs envhook's dependencies and uv from the
package index: it is the one slow test, marked ``slow`` (deselect with
``-m "not slow"`` if you must).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.typist import SCRIPTS as COMPLETIONS  # what `envhook completion SHELL` prints

REPO = Path(__file__).resolve().parent.parent
INSTALL_SH = REPO / "install.sh"

START = "# >>> envhook >>>"
END = "# <<< envhook <<<"

slow = pytest.mark.slow

# Variables of the outer environment that must not leak into an install.
_DROP_PREFIXES = ("UV_", "ENVHOOK_", "_ENVHOOK")
_DROP = {"ZDOTDIR", "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH", "BASH_ENV", "ENV",
         "PROMPT_COMMAND", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"}


@pytest.fixture(scope="session")
def install_uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("install-uv-cache")


class Home:
    """A throwaway HOME plus the environment to run install.sh and shells in it."""

    def __init__(self, base: Path, uv_cache: Path) -> None:
        self.base = base
        self.home = base / "h o'me"  # space and apostrophe: quoting must hold
        self.home.mkdir(parents=True)
        self.bin = self.home / ".local" / "bin"
        self.tool_dir = self.home / ".local" / "share" / "uv" / "tools"
        self.venv = self.home / ".local" / "share" / "envhook" / "venv"
        real_local_bin = os.path.expanduser("~/.local/bin")
        path = os.pathsep.join(
            p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != real_local_bin
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in _DROP and not k.startswith(_DROP_PREFIXES)
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_STATE_HOME=str(self.home / ".local" / "state"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            UV_TOOL_DIR=str(self.tool_dir),
            UV_TOOL_BIN_DIR=str(self.bin),
            UV_CACHE_DIR=str(uv_cache),
            SHELL="/bin/bash",
            PATH=path,
        )
        self.env = env

    def rc(self, shell: str) -> Path:
        return {
            "bash": self.home / ".bashrc",
            "zsh": self.home / ".zshrc",
            "fish": self.home / ".config" / "fish" / "conf.d" / "envhook.fish",
            "xonsh": self.home / ".config" / "xonsh" / "rc.d" / "envhook.xsh",
            "nu": self.home / ".config" / "nushell" / "config.nu",
            "elvish": self.home / ".config" / "elvish" / "rc.elv",
            "tcsh": self.home / ".tcshrc",
        }[shell]

    def run(self, argv: list[str], *, env: dict[str, str] | None = None, check: bool = True,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            argv,
            env=env or self.env,
            cwd=self.home,  # not the repo: install.sh must find its clone itself
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert proc.returncode == 0, f"{argv} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        return proc

    def install(self, *args: str, via: str = "sh", **kw) -> subprocess.CompletedProcess[str]:
        """Run install.sh as `sh install.sh`, `bash install.sh` or `./install.sh` (via="exec")."""
        argv = [str(INSTALL_SH), *args] if via == "exec" else [via, str(INSTALL_SH), *args]
        return self.run(argv, **kw)

    def hook_check(self, shell: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Start an interactive shell that reads its rc files; report whether
        the hook function is defined and where `envhook` resolves."""
        if shell == "nu":
            return self.nu_check(env)
        if shell == "elvish":
            return self.elvish_check(env)
        argv = {
            "bash": ["bash", "-ic", "type -t _envhook_hook; type -P envhook; true"],
            "zsh": ["zsh", "-ic", "whence -w _envhook_hook; whence -p envhook; true"],
            "fish": ["fish", "-ic", "functions -q _envhook_hook; and echo yes; command -v envhook; true"],
            "xonsh": ["xonsh", "-i", "-c", "print('yes' if hasattr(__xonsh__, '_envhook_ns') else 'no'); "
                      "print(__import__('shutil').which('envhook', path=':'.join($PATH)))"],
            # `tcsh -c` has no $prompt, which the block asks for (the hook is for
            # interactive shells): the probe sets one and reads ~/.tcshrc again.
            "tcsh": ["tcsh", "-c", "set prompt = '> '; source ~/.tcshrc; if ( $?_envhook_dir ) echo yes; "
                     "which envhook; true"],
        }[shell]
        return self.run(argv, env=env, timeout=60)

    def nu_check(self, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """nushell reads config.nu and its autoload files only when it is
        interactive on a terminal (not with -c): ask it there."""
        import pexpect

        child = pexpect.spawn("nu", env=env or self.env, cwd=str(self.home), dimensions=(50, 400), timeout=60)
        child.sendline("print $'@@(if ($env.__envhook? != null) { \"yes\" } else { \"no\" })@@"
                       "(which envhook | get -o 0.path | default none)@@'; exit")
        out = b""
        while True:
            i = child.expect([rb"\x1b\[6n", pexpect.EOF])
            out += child.before
            if i == 1:
                break
            child.send(b"\x1b[1;1R")  # where the cursor is: nushell's line editor asks before each prompt
        child.close()
        found = re.findall(rb"@@(yes|no)@@([^@\r\n]*)@@", out)
        assert found, out
        return subprocess.CompletedProcess(["nu"], 0, "\n".join(w.decode() for w in found[-1]) + "\n", "")

    def elvish_check(self, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """elvish reads rc.elv only when interactive, and has no flag for that
        with -c: a real one on a pty is asked, its answer written to a file."""
        import pexpect

        out = self.base / "elvish-check"
        out.unlink(missing_ok=True)
        probe = ("var ours = no; for f $edit:before-readline { try { if (has-value $f[opt-names] envhook-reconfig) "
                 "{ set ours = yes } } catch { } }; var where = ''; try { set where = (search-external envhook) } "
                 f"catch {{ }}; print $ours\"\\n\"$where\"\\n\" > '{out}'; exit")
        child = pexpect.spawn("elvish", env=dict(env or self.env, TERM="dumb"), cwd=str(self.home), timeout=60)
        child.send("\x1b[200~" + probe + "\x1b[201~\r")
        child.expect(pexpect.EOF)
        child.close()
        return subprocess.CompletedProcess(["elvish"], 0, out.read_text() if out.exists() else "", "")

    def assert_hooked(self, shell: str, env: dict[str, str] | None = None) -> None:
        out = self.hook_check(shell, env).stdout.splitlines()
        expect = {"bash": "function", "zsh": "_envhook_hook: function", "fish": "yes", "xonsh": "yes",
                  "nu": "yes", "elvish": "yes", "tcsh": "yes"}[shell]
        assert out[:2] == [expect, str(self.bin / "envhook")], out

    def assert_not_hooked(self, shell: str) -> None:
        out = self.hook_check(shell).stdout.splitlines()
        assert "function" not in " ".join(out) and "yes" not in out, out
        assert str(self.bin / "envhook") not in out, out


@pytest.fixture
def home(tmp_path: Path, install_uv_cache: Path) -> Home:
    return Home(tmp_path, install_uv_cache)


def count_blocks(text: str) -> int:
    lines = text.splitlines()
    assert lines.count(START) == lines.count(END)
    return lines.count(START)


def envhook_version(h: Home) -> str:
    return h.run([str(h.bin / "envhook"), "--version"]).stdout.strip()


def assert_uninstalled(h: Home) -> None:
    assert not os.path.lexists(h.bin / "envhook")
    assert not (h.tool_dir / "envhook").exists()
    assert not h.venv.exists()


# Pre-existing rc contents; None: no rc file before the install.
USER_RC = {
    "bash": "# my bashrc\nalias ll='ls -l'\n",
    "zsh": "# my zshrc\nsetopt autocd\n",
    "fish": "# my own lines\nset -g my_var 1\n",
    "xonsh": "# my own lines\n$MY_VAR = '1'\n",
    "nu": "# my own lines\n$env.MY_VAR = '1'\n",
    "elvish": "# my own lines\nvar my-var = 1\n",
    "tcsh": "# my own lines\nset my_var = 1\n",
}
CASES = [(shell, kind) for shell in ("bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh")
         for kind in ("absent", "eol", "no-eol")]
# Run install.sh the three ways users do.
VIA = {"bash": "bash", "zsh": "sh", "fish": "exec", "xonsh": "sh", "nu": "bash", "elvish": "exec", "tcsh": "exec"}


def user_rc(shell: str, kind: str) -> bytes | None:
    text = USER_RC[shell]
    return {"absent": None, "eol": text.encode(), "no-eol": text.rstrip("\n").encode()}[kind]


@pytest.mark.parametrize(("shell", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_install_twice_then_uninstall_with_uv(home: Home, shell: str, kind: str) -> None:
    rc = home.rc(shell)
    before = user_rc(shell, kind)
    if before is not None:
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_bytes(before)

    out = home.install("--shell", shell, via=VIA[shell]).stdout
    assert "as a uv tool" in out
    assert "envhook allow" in out and "open a new shell" in out
    assert envhook_version(home).startswith("envhook ")
    assert (home.tool_dir / "envhook").is_dir()
    text = rc.read_text()
    assert count_blocks(text) == 1
    if before:
        assert text.startswith(before.decode())  # user content first, untouched
    home.assert_hooked(shell)

    # Again: the block is replaced in place, so the file does not change at all.
    first = rc.read_bytes()
    out = home.install("--shell", shell, via=VIA[shell]).stdout
    assert "already has the envhook block" in out
    assert rc.read_bytes() == first
    assert count_blocks(rc.read_text()) == 1
    assert envhook_version(home).startswith("envhook ")

    out = home.install("--uninstall", via=VIA[shell]).stdout
    assert "uninstalled" in out
    assert_uninstalled(home)
    if before is None:
        assert not os.path.lexists(rc), "install.sh created the rc file, so uninstall deletes it"
    else:
        assert rc.read_bytes() == before
    home.assert_not_hooked(shell)


def test_elvish_block_goes_to_the_rc_elvish_reads(home: Home) -> None:
    """elvish 0.19 reads ~/.elvish/rc.elv instead of the XDG rc.elv when it
    exists: the block goes there, and leaves it byte for byte."""
    legacy = home.home / ".elvish" / "rc.elv"
    legacy.parent.mkdir()
    legacy.write_bytes(b"# the old place, no newline")
    home.install("--shell", "elvish")
    assert count_blocks(legacy.read_text()) == 1
    assert not home.rc("elvish").exists()
    home.assert_hooked("elvish")
    home.install("--uninstall")
    assert legacy.read_bytes() == b"# the old place, no newline"
    home.assert_not_hooked("elvish")


def test_block_is_replaced_in_place_and_user_edits_survive(home: Home) -> None:
    rc = home.rc("bash")
    rc.write_text("# top\n\n")  # ends with a blank line
    home.install("--shell", "bash")
    installed = rc.read_text()
    assert installed.startswith("# top\n\n\n" + START)
    block = installed[len("# top\n\n\n"):]
    assert block.endswith(END + "\n")

    # The user adds lines after the block (last one without newline), makes the
    # block stale and pastes a second copy of it: a reinstall refreshes the
    # first copy where it is, drops the copy and keeps the user's lines.
    stale = block.replace(" hook bash", " hook bash --old")
    rc.write_text("# top\n\n\n" + stale + "# after\n\n" + stale + "# last")
    out = home.install("--shell", "bash").stdout
    assert "Updated the envhook block in ~/.bashrc" in out
    assert rc.read_text() == "# top\n\n\n" + block + "# after\n# last"
    home.assert_hooked("bash")

    home.install("--uninstall")
    assert rc.read_text() == "# top\n\n# after\n# last"
    assert_uninstalled(home)


def test_uninstall_refuses_a_block_without_end_marker(home: Home) -> None:
    rc = home.rc("zsh")
    damaged = f"setopt autocd\n{START}\neval stuff\nmore user lines\n"
    rc.write_text(damaged)
    proc = home.install("--uninstall", check=False)
    assert proc.returncode != 0
    assert "without a matching" in proc.stderr
    assert rc.read_text() == damaged


def test_no_modify_rc_prints_the_line_and_leaves_rc_alone(home: Home) -> None:
    bashrc = home.rc("bash")
    bashrc.write_bytes(b"# mine, no newline")
    env = dict(home.env, SHELL="/usr/bin/fish")  # detected from $SHELL: fish
    out = home.install("--no-modify-rc", env=env).stdout
    quoted = "'" + str(home.bin / "envhook").replace("\\", "\\\\").replace("'", "\\'") + "'"
    line = f"{quoted} hook fish | source"
    assert f"    {line}\n" in out, out
    assert "config.fish" in out
    assert bashrc.read_bytes() == b"# mine, no newline"
    assert not home.rc("fish").exists()
    assert envhook_version(home).startswith("envhook ")

    # The printed line works in fish as it is.
    proc = home.run(["fish", "-c", f"{line}; functions -q _envhook_hook; and echo yes"])
    assert proc.stdout.strip() == "yes"

    # --python is handed to `uv tool install`.
    python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    out = home.install("--no-modify-rc", "--shell", "bash", "--python", python).stdout
    cfg = (home.tool_dir / "envhook" / "pyvenv.cfg").read_text()
    assert f"version_info = {sys.version_info.major}.{sys.version_info.minor}." in cfg, cfg
    bash_line = next(s.strip() for s in out.splitlines() if s.strip().startswith("eval "))
    proc = home.run(["bash", "-c", f"{bash_line}; type -t _envhook_hook"])
    assert proc.stdout.strip() == "function"

    home.install("--uninstall", "--no-modify-rc")
    assert bashrc.read_bytes() == b"# mine, no newline"
    assert_uninstalled(home)


def test_unknown_shell_in_SHELL_falls_back_to_bash(home: Home) -> None:
    home.rc("bash").touch()  # an empty ~/.bashrc stays, empty
    env = dict(home.env, SHELL="/usr/bin/pwsh")
    proc = home.install(env=env)
    assert "hooking bash" in proc.stderr
    assert home.rc("bash").read_text().startswith(START + "\n")
    assert count_blocks(home.rc("bash").read_text()) == 1
    assert not home.rc("zsh").exists() and not home.rc("fish").exists()
    home.install("--uninstall")
    assert home.rc("bash").read_bytes() == b""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shell", "pwsh"], "--shell must be bash, zsh, fish, xonsh, nu, elvish or tcsh"),
        (["--shell"], "--shell needs a value"),
        (["--frobnicate"], "unknown argument: --frobnicate"),
    ],
)
def test_bad_arguments(home: Home, args: list[str], message: str) -> None:
    proc = home.install(*args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert list(home.home.iterdir()) == []


def test_help(home: Home) -> None:
    out = home.install("--help").stdout
    assert out.startswith("Usage: ./install.sh")
    assert list(home.home.iterdir()) == []


# --- the venv route: no uv on PATH ---------------------------------------------


def tools_dir_without_uv(where: Path) -> Path:
    """A bin dir with only python3 (the real interpreter, not a pyenv shim) and
    the few programs install.sh and the shells need; in particular no uv."""
    where.mkdir()
    python = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    (where / "python3").symlink_to(python)
    for tool in ("sh", "bash", "env", "cat", "tail", "awk", "grep", "sed", "mkdir", "rm", "ln",
                 "readlink", "dirname", "rmdir", "ls", "uname", "id", "find", "sort", "wc", "cut", "tr",
                 "cksum", "sha256sum"):
        found = shutil.which(tool)
        if found:
            (where / tool).symlink_to(found)
    assert shutil.which("uv", path=str(where)) is None
    return where


def make_fake_python(where: Path, version: str) -> Path:
    fake = where / f"python{version}"
    fake.write_text(f"#!/bin/sh\necho {version}\n")
    fake.chmod(0o755)
    return fake


def test_venv_route_rejects_old_python(home: Home) -> None:
    tools = tools_dir_without_uv(home.base / "tools")
    env = dict(home.env, PATH=str(tools))
    fake = make_fake_python(home.base, "3.9")
    proc = home.install("--shell", "bash", "--python", str(fake), env=env, check=False)
    assert proc.returncode != 0
    assert "Python 3.9" in proc.stderr and ">= 3.11" in proc.stderr
    assert list(home.home.iterdir()) == []


@slow
def test_venv_route_without_uv_pip_installs_from_the_index(home: Home) -> None:
    """No uv on PATH: envhook and uv are pip-installed (from the package index)
    into ~/.local/share/envhook/venv and linked into ~/.local/bin."""
    tools = tools_dir_without_uv(home.base / "tools")
    env = dict(home.env, PATH=str(tools))
    rc = home.rc("bash")
    rc.write_bytes(b"# user bashrc\n")

    out = home.install("--shell", "bash", env=env).stdout
    assert "uv is not on PATH" in out
    assert (home.venv / "pyvenv.cfg").is_file()
    for name in ("envhook", "uv"):
        link = home.bin / name
        assert link.is_symlink() and os.readlink(link) == str(home.venv / "bin" / name)
    assert envhook_version(home).startswith("envhook ")
    assert home.run([str(home.bin / "uv"), "--version"], env=env).stdout.startswith("uv ")
    assert not (home.tool_dir / "envhook").exists()
    assert count_blocks(rc.read_text()) == 1
    home.assert_hooked("bash", env=env)

    # A new shell has ~/.local/bin on PATH, so uv is "on PATH" now, but it is
    # the venv's own: install.sh must stay on the venv route.
    # The same clone again: uv is brought up to date, envhook (the same build) is kept as it is.
    env2 = dict(env, PATH=f"{home.bin}{os.pathsep}{tools}")
    installed = next(home.venv.glob("lib/python3*/site-packages/envhook/__init__.py"))
    stamp = installed.stat().st_mtime_ns
    out = home.install("--shell", "bash", env=env2).stdout
    assert ("Updating uv in ~/.local/share/envhook/venv; envhook there is this clone's build already: "
            "kept it as it is") in out, out
    assert installed.stat().st_mtime_ns == stamp
    assert envhook_version(home).startswith("envhook ")
    assert count_blocks(rc.read_text()) == 1

    out = home.install("--uninstall", env=env2).stdout
    assert "Removed the venv" in out
    assert rc.read_bytes() == b"# user bashrc\n"
    assert_uninstalled(home)
    assert not os.path.lexists(home.bin / "uv")
    assert not (home.home / ".local" / "share" / "envhook").exists()


# --- completions -----------------------------------------------------------------


# Where each shell looks for its completion, and the script that goes there.
COMPLETION = {
    "bash": (".local/share/bash-completion/completions/envhook", "envhook.bash"),
    "zsh": (".local/share/zsh/site-functions/_envhook", "_envhook"),
    "fish": (".config/fish/completions/envhook.fish", "envhook.fish"),
}
# bash-completion, which loads ~/.local/share/bash-completion/completions/* on demand.
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")
# The rc files before the install: zsh's runs compinit, as most do.
COMPLETION_RC = {"bash": b"# my bashrc\n", "zsh": b"autoload -Uz compinit\ncompinit -u\n", "fish": None}


def completion_file(h: Home, shell: str) -> Path:
    return h.home / COMPLETION[shell][0]


def assert_bash_completes(h: Home) -> None:
    """The installed bash completion completes `envhook st`: loaded on demand by
    bash-completion when the system has it, else sourced by hand."""
    if BASH_COMPLETION.is_file():
        load = (f"source {BASH_COMPLETION}; f=$(complete -p -D); f=${{f#*-F }}; f=${{f%% *}};"
                ' COMP_WORDS=(envhook st); COMP_CWORD=1; "$f" envhook st envhook;')
    else:  # no bash-completion here: the file itself, sourced
        load = f"source {sh_quote(str(completion_file(h, 'bash')))};"
    proc = h.run(["bash", "--norc", "--noprofile", "-c", load + " complete -p envhook;"
                  " COMP_WORDS=(envhook st); COMP_CWORD=1; _envhook; echo \"${COMPREPLY[*]}\""])
    assert proc.stdout == "complete -F _envhook envhook\nstatus\n", proc.stderr


def assert_zsh_completes(h: Home) -> None:
    """In the zsh the rc file makes, envhook's completion is known to compinit
    (compdef) and loadable (its dir on fpath)."""
    proc = h.run(["zsh", "-ic", "print -r -- ${_comps[envhook]-none}; autoload +X _envhook && print loadable"],
                 timeout=60)
    assert proc.stdout.splitlines()[-2:] == ["_envhook", "loadable"], proc.stdout + proc.stderr


def assert_zsh_tab_completes(h: Home) -> None:
    """TAB typed into an interactive zsh that reads the rc file install.sh made."""
    from support.typist import Typist

    session_home = h.base / "zsh-session"  # the Typist writes its own .zshrc there
    session_home.mkdir()
    t = Typist("zsh", session_home, h.env, h.home, h.base / "typed", load=h.rc("zsh").read_text())
    try:
        assert t.tab("envhook st") == ("envhook status ", ["status"])
        assert t.tab("envhook hook ")[1] == ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
    finally:
        t.close()


def assert_fish_completes(h: Home) -> None:
    """A real fish autoloads the completion from its completions dir."""
    proc = h.run(["fish", "-c", "complete -C'envhook st'; complete -C'envhook hook '"], timeout=60)
    words = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert words == ["status", "bash", "elvish", "fish", "nu", "tcsh", "xonsh", "zsh"], proc.stdout + proc.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_is_installed_where_the_shell_looks_and_uninstalled(home: Home, shell: str) -> None:
    rc = home.rc(shell)
    before = COMPLETION_RC[shell]
    if before is not None:
        rc.write_bytes(before)
    target = completion_file(home, shell)

    out = home.install("--shell", shell).stdout
    assert f"Installed the {shell} completion as ~/{COMPLETION[shell][0]}" in out
    assert target.read_bytes() == COMPLETIONS[shell].read_bytes()
    others = [completion_file(home, s) for s in COMPLETION if s != shell]
    assert not any(p.exists() for p in others), "only the chosen shell's completion"
    if shell == "bash":
        assert ("bash-completion package, which is not installed here" in out) == (not BASH_COMPLETION.is_file())
    {"bash": assert_bash_completes, "zsh": assert_zsh_completes, "fish": assert_fish_completes}[shell](home)
    if shell == "zsh":
        assert_zsh_tab_completes(home)

    # Again: nothing changes.
    first = rc.read_bytes()
    out = home.install("--shell", shell).stdout
    assert f"~/{COMPLETION[shell][0]} already has the {shell} completion" in out
    assert target.read_bytes() == COMPLETIONS[shell].read_bytes()
    assert rc.read_bytes() == first

    out = home.install("--uninstall").stdout
    assert f"Removed ~/{COMPLETION[shell][0]}" in out
    assert not target.exists()
    assert not target.parent.exists(), "the dir install.sh made for it is gone too"
    if before is None:
        assert not os.path.lexists(rc)
    else:
        assert rc.read_bytes() == before


def test_zsh_completion_with_no_modify_rc_and_with_compinit_after_the_block(home: Home) -> None:
    """--no-modify-rc installs the completion and prints the fpath line; the
    block works for a compinit after it too, and stays quiet without one."""
    rc = home.rc("zsh")
    target = completion_file(home, "zsh")
    out = home.install("--shell", "zsh", "--no-modify-rc").stdout
    assert target.is_file() and not rc.exists()
    qdir = sh_quote(str(target.parent))
    fpath_line = f"fpath=({qdir} ${{fpath:#{qdir}}})"
    assert f"    {fpath_line}\n" in out, out
    proc = home.run(["zsh", "-fc", f"{fpath_line}; autoload -Uz compinit; compinit -u -D;"
                     " print -r -- $_comps[envhook]"])
    assert proc.stdout == "_envhook\n", proc.stderr

    home.install("--shell", "zsh")
    block = rc.read_bytes()
    assert fpath_line.encode() in block
    rc.write_bytes(block + b"autoload -Uz compinit\ncompinit -u\n")
    assert_zsh_completes(home)
    rc.write_bytes(block)
    proc = home.run(["zsh", "-ic", "print -r -- ${_comps[envhook]-none}; print -r -- $fpath[1]"], timeout=60)
    assert proc.stdout.splitlines() == ["none", str(target.parent)], proc.stderr
    assert "envhook" not in proc.stderr and "compdef" not in proc.stderr, proc.stderr
    # Sourcing the rc again keeps one fpath entry.
    proc = home.run(["zsh", "-ic", f"source ~/.zshrc; print ${{#${{(M)fpath:#{qdir}}}}}"], timeout=60)
    assert proc.stdout.strip() == "1", proc.stdout + proc.stderr

    home.install("--uninstall")
    assert not rc.exists() and not target.exists()


def test_uninstall_leaves_a_completion_it_did_not_install(home: Home) -> None:
    mine = completion_file(home, "fish")
    mine.parent.mkdir(parents=True)
    mine.write_text("complete -c envhook -a mine\n")
    proc = home.install("--uninstall")
    assert "left it alone" in proc.stderr
    assert mine.read_text() == "complete -c envhook -a mine\n"


def sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def test_zsh_install_honours_zdotdir(home: Home) -> None:
    zdot = home.home / ".config" / "zsh"
    zdot.mkdir(parents=True)
    before = b"# my zshrc, in ZDOTDIR\nsetopt autocd\n"
    (zdot / ".zshrc").write_bytes(before)
    env = dict(home.env, ZDOTDIR=str(zdot))
    home.install("--shell", "zsh", env=env)
    assert count_blocks((zdot / ".zshrc").read_text()) == 1
    assert not (home.home / ".zshrc").exists(), "the block goes where zsh reads it: $ZDOTDIR/.zshrc"
    home.assert_hooked("zsh", env)
    home.install("--uninstall", env=env)
    assert (zdot / ".zshrc").read_bytes() == before
    assert not (home.home / ".zshrc").exists()


# -- login shells ------------------------------------------------------------------------------

# What a HOME may hold before install.sh, for a login bash (bash -l: tmux, many
# terminals), which reads the first of .bash_profile, .bash_login, .profile.
SOURCE_BASHRC = b'if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi\n'
LOGIN_HOMES = {
    "none": {},
    "bash_profile": {".bash_profile": b"# my bash_profile\nexport MINE=1\n"},
    "bash_login": {".bash_login": b"# my bash_login\nexport MINE=1"},  # no final newline
    "profile": {".profile": b"# my profile\nexport MINE=1\n"},
    "profile-sources-bashrc": {".profile": b"# Debian's way\n" + SOURCE_BASHRC},
    "bash_profile-sources-bashrc": {".bash_profile": b"[ -f ~/.bashrc ] && . ~/.bashrc\n",
                                    ".profile": b"# not read by bash: .bash_profile comes first\n"},
}
_HOOK_RUN = {"bash": r"^\++ .*envhook'? hook bash$", "zsh": r"^\+.*> .*envhook'? hook zsh$"}


def login_check(h: Home, shell: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    """A login interactive shell: where `envhook` resolves, and how many times
    the hook was printed (`envhook hook SHELL` run) while it started."""
    import re

    which = {"bash": "type -P envhook", "zsh": "whence -p envhook"}[shell] + "; true"
    proc = h.run([shell, "-l", "-i", "-x", "-c", which], env=env, timeout=60)
    loads = len(re.findall(_HOOK_RUN[shell], proc.stderr, re.M))
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "", loads


def snapshot(h: Home, names: list[str]) -> dict[str, bytes | None]:
    return {n: (h.home / n).read_bytes() if (h.home / n).exists() else None for n in names}


@pytest.mark.parametrize("case", list(LOGIN_HOMES))
def test_login_bash_has_envhook_and_the_hook_once_and_uninstall_restores_every_file(home: Home, case: str) -> None:
    names = [".bashrc", ".bash_profile", ".bash_login", ".profile"]
    (home.home / ".bashrc").write_bytes(b"# my bashrc\n")
    for name, data in LOGIN_HOMES[case].items():
        (home.home / name).write_bytes(data)
    before = snapshot(home, names)
    home.install("--shell", "bash")
    assert login_check(home, "bash") == (str(home.bin / "envhook"), 1)
    home.assert_hooked("bash")  # the non-login shell still gets it from ~/.bashrc
    home.install("--uninstall")
    assert snapshot(home, names) == before
    assert login_check(home, "bash")[1] == 0


def test_login_zsh_with_zdotdir_from_zshenv_and_a_zprofile_that_resets_path(home: Home) -> None:
    """ZDOTDIR set in ~/.zshenv (install.sh's own sh never sees it) and a
    .zprofile that resets PATH, as macOS's path_helper does."""
    zdot = home.home / ".config" / "zsh"
    zdot.mkdir(parents=True)
    files = {home.home / ".zshenv": b'export ZDOTDIR="$HOME/.config/zsh"\n',
             zdot / ".zprofile": b"export PATH=/usr/bin:/bin\n",
             zdot / ".zshrc": b"# my zshrc\n"}
    for path, data in files.items():
        path.write_bytes(data)
    home.install("--shell", "zsh")
    assert count_blocks((zdot / ".zshrc").read_text()) == 1
    assert not (home.home / ".zshrc").exists()
    assert login_check(home, "zsh") == (str(home.bin / "envhook"), 1)
    home.install("--uninstall")
    assert {p: p.read_bytes() for p in files} == files
    assert not (home.home / ".zshrc").exists()


# -- re-running install.sh under open shells (issue 28, point 4) --------------------------------

ALL_SHELLS = ["bash", "zsh", "fish", "xonsh", "nu", "elvish", "tcsh"]
# What each shell prints for the exported VIRTUAL_ENV: a child process reads it, in every shell alike.
SHOW_ENV = "sh -c 'echo \"[${VIRTUAL_ENV-}]\"'"


def another_python() -> str:
    """A real Python >= 3.11 whose X.Y differs from the test interpreter's:
    what uv picks "now" on a machine where another Python came along. uv's
    own list (managed ones and those on PATH), then pyenv's versions.
    `.ci/run` makes sure there is one (`uv python install`)."""
    import glob
    import json

    here = sys.version_info[:2]
    found: list[str] = []
    proc = subprocess.run(["uv", "python", "list", "--only-installed", "--output-format", "json"],
                          env=dict(os.environ, UV_PYTHON_DOWNLOADS="never"), capture_output=True, text=True)
    if proc.returncode == 0:
        found += [e["path"] for e in json.loads(proc.stdout) if e.get("implementation") == "cpython"]
    if os.environ.get("PYENV_ROOT"):
        found += sorted(glob.glob(os.path.join(os.environ["PYENV_ROOT"], "versions", "*", "bin", "python3.*[0-9]")))
    for path in found:
        real = os.path.realpath(path)
        if "/shims/" in path or not os.access(real, os.X_OK):
            continue
        r = subprocess.run([real, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True)
        if r.returncode != 0:
            continue
        ver = tuple(int(x) for x in r.stdout.split())
        if ver >= (3, 11) and ver != here:
            return real
    msg = f"no Python >= 3.11 other than {here[0]}.{here[1]} here (uv python install 3.12)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{msg}; CI=true: a missing tool is an error, not a skip", pytrace=False)
    pytest.skip(msg)


def newer_clone(dest: Path, mark: str) -> Path:
    """A copy of this clone with one line more in envhook's package: a newer clone."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    dest.mkdir()
    for name in ("install.sh", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    for name in ("src", "shell"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    with open(dest / "src" / "envhook" / "__init__.py", "a") as f:
        f.write(f"# {mark}\n")
    return dest


def installed_file(h: Home, name: str) -> Path:
    found = list((h.tool_dir / "envhook").glob(f"lib/python3*/site-packages/envhook/{name}"))
    assert len(found) == 1, found
    return found[0]


def tool_python_version(h: Home) -> str:
    cfg = (h.tool_dir / "envhook" / "pyvenv.cfg").read_text()
    return re.search(r"^version_info = (\d+\.\d+)\.", cfg, re.M).group(1)


def python_version(python: str) -> str:
    return subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True, check=True).stdout.strip()


class OpenShells:
    """One interactive shell of each kind, hooked by the envhook install.sh
    put in `h.bin` (first on their PATH), as a user's open terminals are."""

    def __init__(self, home: Path, env: dict[str, str], cwd: Path) -> None:
        from support.hooktest import HOOK_LINE
        from support.shell import ShellSession, require_shell

        self.sessions = {}
        for sh in ALL_SHELLS:
            require_shell(sh)
            self.sessions[sh] = ShellSession(sh, home, HOOK_LINE[sh] + "\n", env, cwd, timeout=120)

    def cd_and_show(self, where: Path) -> dict[str, tuple[str, str]]:
        """`cd WHERE; <show VIRTUAL_ENV>` on one command line (nushell runs its
        hooks at the prompt only: there, two lines). Per shell: (what the
        command printed as VIRTUAL_ENV, everything the line printed)."""
        from support.hooktest import q

        out = {}
        for sh, s in self.sessions.items():
            if sh == "nu":
                text = s.run(f"cd {q(sh, where)}")
                text += s.run(SHOW_ENV)
            else:
                text = s.run(f"cd {q(sh, where)}; {SHOW_ENV}")
            text = text.replace("\r", "")
            shown = re.findall(r"^\[(.*)\]$", text, re.M)
            out[sh] = (shown[-1] if shown else "<nothing shown>", text)
        return out

    def close(self) -> None:
        for s in self.sessions.values():
            s.close(force=True)


def assert_all(results: dict[str, tuple[str, str]], want: str, *, said: str | None = None) -> None:
    """Every shell shows `want` as VIRTUAL_ENV; it said nothing (said=None),
    or exactly one envhook line, holding `said`."""
    bad = {}
    for sh, (shown, text) in results.items():
        lines = [line for line in text.splitlines() if "envhook:" in line]
        ok = shown == want and (not lines if said is None else len(lines) == 1 and said in lines[0])
        if not ok:
            bad[sh] = (shown, text)
    assert not bad, f"want VIRTUAL_ENV={want!r}, said={said!r}; got:\n" + "\n".join(
        f"--- {sh}: VIRTUAL_ENV shown {shown!r}; the line printed:\n{text}" for sh, (shown, text) in bad.items())


@pytest.fixture
def hooked_projects(home: Home, shell_env: dict[str, str], tool_bin: Path, wheelhouse: Path, tmp_path: Path):
    """Two trusted uv projects, and the environment of shells whose PATH finds
    the envhook install.sh put in `home.bin` first."""
    from support.projects import make_project, uv_lock

    env = dict(shell_env, PATH=f"{home.bin}:{tool_bin}:/usr/bin:/bin")
    projects = []
    for name in ("flask", "werkzeug"):
        p = make_project(tmp_path / "projects" / name, wheelhouse, name=name)
        uv_lock(p, shell_env)
        projects.append(p)
    return env, projects


def allow(h: Home, env: dict[str, str], *projects: Path) -> None:
    """Trust and sync the projects, so that entering them says nothing."""
    for p in projects:
        for cmd in ("allow", "sync"):
            r = subprocess.run([str(h.bin / "envhook"), cmd], cwd=p, env=env, capture_output=True, text=True)
            assert r.returncode == 0, r.stdout + r.stderr


def test_rerunning_install_sh_keeps_open_shells_working(home: Home, hooked_projects, isolated_home: Path,
                                                        tmp_path: Path) -> None:
    """Issue 28, point 4: `./install.sh --shell zsh` on a machine where uv now
    picks another Python reinstalled the tool, and every open shell printed
    "cannot load envhook …; reinstall it", and `cd werkzeug; echo
    $VIRTUAL_ENV` on that same line still showed flask's env. Run again from
    the same clone (another shell's block), install.sh keeps the build it
    installed; from a newer clone it upgrades on the interpreter the open
    shells' hooks run; moved to another Python on purpose (--python), the
    hooks find the new site-packages. In all seven shells."""
    env, (flask, werkzeug) = hooked_projects
    first, now = another_python(), os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    home.install("--shell", "bash", env=dict(home.env, UV_PYTHON=first))
    assert tool_python_version(home) == python_version(first)
    allow(home, env, flask, werkzeug)
    shells = OpenShells(isolated_home, env, flask)
    try:
        assert_all(shells.cd_and_show(flask), str(flask / ".venv"))

        # uv now picks another Python; install.sh runs again, for zsh, from the same clone.
        stamp = installed_file(home, "__init__.py").stat().st_mtime_ns
        out = home.install("--shell", "zsh", env=dict(home.env, UV_PYTHON=now)).stdout
        assert_all(shells.cd_and_show(werkzeug), str(werkzeug / ".venv"))
        assert "already installed" in out, out
        assert installed_file(home, "__init__.py").stat().st_mtime_ns == stamp, "the same build, not reinstalled"
        assert tool_python_version(home) == python_version(first)

        # From a newer clone: upgraded, on the Python the open hooks run.
        newer = newer_clone(tmp_path / "newer", "a newer clone")
        out = home.run(["sh", str(newer / "install.sh"), "--shell", "fish"], env=dict(home.env, UV_PYTHON=now)).stdout
        assert "# a newer clone" in installed_file(home, "__init__.py").read_text(), out
        assert tool_python_version(home) == python_version(first), out
        assert_all(shells.cd_and_show(flask), str(flask / ".venv"))

        # Moved to another Python on purpose: the hooks find envhook in its new site-packages.
        out = home.run(["sh", str(newer / "install.sh"), "--shell", "fish", "--python", now], env=home.env).stdout
        assert tool_python_version(home) == python_version(now), out
        assert_all(shells.cd_and_show(werkzeug), str(werkzeug / ".venv"))
    finally:
        shells.close()


def test_open_shells_that_cannot_go_on_say_so_once_and_deactivate_at_once(home: Home, hooked_projects,
                                                                          isolated_home: Path) -> None:
    """Where the hook cannot go on (envhook no longer importable by the
    interpreter it was printed with; envhook uninstalled), every shell says
    once to open a new shell, and leaves the env on that same command line,
    not one prompt late."""
    env, (flask, werkzeug) = hooked_projects
    home.install("--shell", "bash")
    allow(home, env, flask, werkzeug)

    shells = OpenShells(isolated_home, env, flask)
    try:
        assert_all(shells.cd_and_show(flask), str(flask / ".venv"))
        # The interpreter stays, envhook is gone from it (a half-done reinstall, a hand-made uninstall).
        python = home.tool_dir / "envhook" / "bin" / "python"
        home.run(["uv", "pip", "uninstall", "-q", "--python", str(python), "envhook"])
        assert_all(shells.cd_and_show(werkzeug), "", said="open a new shell (or `exec $SHELL`)")
        assert_all(shells.cd_and_show(flask), "")
    finally:
        shells.close()

    home.install("--shell", "bash")
    shells = OpenShells(isolated_home, env, flask)
    try:
        assert_all(shells.cd_and_show(flask), str(flask / ".venv"))
        home.install("--uninstall")
        assert_all(shells.cd_and_show(werkzeug), "", said="open a new shell (or `exec $SHELL`)")
        assert_all(shells.cd_and_show(flask), "")
    finally:
        shells.close()


# -- uninstall removes the directories install.sh made, and only those (issue 28) ------------------


def tree(root: Path) -> set[str]:
    """Every directory and file under `root`, relative to it (uv's own tool dirs aside)."""
    out = set()
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            rel = os.path.relpath(os.path.join(d, n), root)
            if not rel.startswith(os.path.join(".local", "share", "uv")):
                out.add(rel)
    return out


def test_uninstall_removes_the_empty_directories_install_sh_made(home: Home) -> None:
    """A fresh account: installing for fish, xonsh, nushell and elvish makes
    ~/.config/{fish/conf.d,fish/completions,xonsh/rc.d,nushell,elvish};
    uninstalling removed the files and left those directories, empty."""
    for shell in ("fish", "xonsh", "nu", "elvish"):
        home.install("--shell", shell)
    assert home.rc("fish").is_file() and home.rc("nu").is_file() and home.rc("elvish").is_file()
    home.install("--uninstall")
    # What uv made for its tool (its tool dir, its bin dir and the dirs above them) is uv's.
    left = tree(home.home) - {".local", os.path.join(".local", "share"), os.path.join(".local", "bin")}
    assert left == set(), sorted(left)


def test_uninstall_keeps_the_directories_that_were_there_before(home: Home) -> None:
    """Only what install.sh made goes: empty dirs the user had stay."""
    mine = [".config/fish/conf.d", ".config/fish/completions", ".config/nushell", ".config/elvish",
            ".config/xonsh/rc.d", ".local/share/bash-completion/completions", ".local/share/zsh/site-functions"]
    for d in mine:
        (home.home / d).mkdir(parents=True)
    before = tree(home.home)
    for shell in ("fish", "xonsh", "nu", "elvish", "bash", "zsh"):
        home.install("--shell", shell)
    home.install("--uninstall")
    after = tree(home.home) - {".local/bin", ".bashrc", ".zshrc", ".profile"}
    assert after == before, sorted(after ^ before)
