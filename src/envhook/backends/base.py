"""What envhook needs from a sync tool, and the parts every tool shares.

A backend answers five questions about a project: is it yours (detection:
its line in backends.REGISTRY), where is the env, which files decide what
it should hold (the inputs), how is it synced (the commands), and how does
it differ from the lock (drift). Everything else — trust, pins, states,
messages, the hook — is the same for every tool, so a Poetry project
behaves exactly like a uv one. What doctor checks of its tool, and which
variables move its env, are class attributes too."""

from __future__ import annotations

import abc
import os
from pathlib import Path

from envhook.backends import registered
from envhook.env import selection
from envhook.messages import quiet, say
from envhook.store import paths, settings
from envhook.store.hashing import read_regular
from envhook.store.records import SYNC_FAILED, SYNC_INTERRUPTED, SYNC_OK, ensure_project_dir

# Variables that must not reach a sync tool: a venv the user activated by
# hand (or ours) would redirect it (Poetry and PDM install into an active
# venv, uv warns); PYTHONHOME breaks the interpreters it queries (activation
# unsets it for the same reason); UV_NO_SYNC is for `uv run`, not for us;
# uv's selection variables are in the sync's own options already
# (env.selection: the user's choice may override them); the rest are the
# hook's own.
_DROP = ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME", "UV_NO_SYNC", "CONDA_PREFIX", *selection.UV_VARS,
         selection.MARKER,
         "_ENVHOOK_SESSION", "_ENVHOOK_TOLD", "_ENVHOOK_ACTIVE", "_ENVHOOK_VENV", "ENVHOOK_STATE",
         "_ENVHOOK_PARANOID_CFG", "_ENVHOOK_HOOKED")

# How uv is installed: doctor's fix for the uv and pip backends.
UV_INSTALL = "curl -LsSf https://astral.sh/uv/install.sh | sh"

# -- the tools' own configuration, which decides what a sync installs --------------


def _truthy_env(environ, name: str) -> bool:
    return environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


def _config_dirs(environ) -> tuple[Path, list[Path]]:
    """($XDG_CONFIG_HOME or ~/.config, the $XDG_CONFIG_DIRS or /etc/xdg)."""
    home = environ.get("XDG_CONFIG_HOME", "")
    user = Path(home) if os.path.isabs(home) else Path(os.path.expanduser("~/.config"))
    dirs = [Path(d) for d in environ.get("XDG_CONFIG_DIRS", "").split(":") if os.path.isabs(d)]
    return user, dirs or [Path("/etc/xdg")]


def has_tool_uv(pyproject: Path) -> bool:
    import tomllib  # TOML only when a file is read, never on a quiet prompt

    try:
        tool = tomllib.loads(read_regular(pyproject).decode()).get("tool")
    except (OSError, ValueError):
        return False
    return isinstance(tool, dict) and "uv" in tool


def uv_config_files(root: Path, environ=None) -> list[Path]:
    """Every configuration file uv reads for the project at `root`, present
    or not: like uv, from the root upward to the first uv.toml or the first
    pyproject.toml with a [tool.uv] table (a parent's counts when the root's
    own has none), then $UV_CONFIG_FILE or the user's and the system's
    uv.toml. Inputs, so that editing any of them syncs and, in paranoid
    mode, asks for `envhook allow` again."""
    env = os.environ if environ is None else environ
    if _truthy_env(env, "UV_NO_CONFIG"):
        return []
    out = [root / "uv.toml"]
    if not (root / "uv.toml").is_file() and not has_tool_uv(root / "pyproject.toml"):
        for parent in root.parents:
            out += [parent / "uv.toml", parent / "pyproject.toml"]
            if (parent / "uv.toml").is_file() or has_tool_uv(parent / "pyproject.toml"):
                break
    if env.get("UV_CONFIG_FILE"):
        out.append(Path(env["UV_CONFIG_FILE"]))
    else:
        user, system = _config_dirs(env)
        out += [user / "uv" / "uv.toml", *(d / "uv" / "uv.toml" for d in system), Path("/etc/uv/uv.toml")]
    return out


def pip_config_files(environ=None) -> list[Path]:
    """The files pip reads its options (index, find-links) from."""
    env = os.environ if environ is None else environ
    if env.get("PIP_CONFIG_FILE"):
        return [Path(env["PIP_CONFIG_FILE"])]
    user, system = _config_dirs(env)
    return [*(d / "pip" / "pip.conf" for d in system), Path("/etc/pip.conf"), Path(os.path.expanduser("~/.pip/pip.conf")),
            user / "pip" / "pip.conf"]


# What a local package's directory holds that decides its requirements.
SOURCE_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


class SyncOutcome:
    def __init__(self, status: str, message: str = "", drift=None, failure: dict | None = None):
        self.status = status    # SYNC_OK / SYNC_FAILED / SYNC_INTERRUPTED
        self.message = message  # one line for the user when it did not work, naming the cause
        # The failed command: {"command", "exit", "tail" (its last lines), "log" (sync.log's path)}.
        self.failure = failure
        # drift.LockDrift after a sync that left some packages as they were
        # (pins, kept hand-made changes): exactly those, as the lock sees them.
        self.drift = drift


class ToolMissing(Exception):
    """The backend's tool is not on PATH; the message names what to install."""


def sync_environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    # The tool runs in a process group of its own, with no terminal to ask
    # on: git must fail rather than wait for a password nobody can type.
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    return env


def which(name: str, project) -> str | None:
    """A tool on PATH, never one from the project's own env (that is the
    project's code, not the user's tool)."""
    from envhook.backends import spawn  # loads signal's enums (~0.8 ms): only when a tool runs

    return spawn.which(name, skip=os.path.normpath(os.path.join(str(project.env), "bin")))


def finish(child, label: str) -> SyncOutcome:
    """Wait for a started tool (spawn.Child) and say how it went; a failure
    keeps the end of its output and names its cause."""
    import signal  # builds its enums (~0.7 ms): only when a tool runs

    from envhook.backends import spawn  # loads signal's enums (~0.8 ms): only when a tool runs

    code = spawn.wait(child)
    if code is spawn.INTERRUPTED:
        return SyncOutcome(SYNC_INTERRUPTED, "sync cancelled by `envhook deny`" if spawn.cancelled
                           else "sync interrupted")
    if code == 0:
        return SyncOutcome(SYNC_OK)
    lines = output_lines(child.tail)
    log = child.log.path if child.log is not None else None
    failure = {"command": label, "exit": code, "tail": lines[-12:], "log": log}
    if code < 0:
        # "exit -9" says nothing to a person; a signal (kill -9, the OOM killer) is named.
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return SyncOutcome(SYNC_FAILED, f"`{label}` was killed by {name}", failure=failure)
    why = cause(lines)
    message = f"`{label}` failed: {why}" if why else f"`{label}` failed (exit {code})"
    return SyncOutcome(SYNC_FAILED, message + _group_hint(lines), failure=failure)


def _group_hint(lines: list[str]) -> str:
    """uv names the dependency group that brought in what failed (`hint: x
    was included because `demo:dev` depends on x`): the way out is to leave
    that group out (pydantic-ai's dev group needs github.com)."""
    import re  # not at import time: the prompt's entry imports this module

    for line in lines:
        m = re.search(r"was included because `[^`:]+:([A-Za-z0-9][A-Za-z0-9._-]*)`", line)
        if m:
            return f" (it comes from the {m.group(1)} group: `envhook use --no-group {m.group(1)}` leaves it out)"
    return ""


def output_lines(data: bytes) -> list[str]:
    """A tool's terminal output as the lines a person saw last: escape
    sequences dropped, a line redrawn with \\r (progress) as it ended."""
    import re  # not on the cached prompt path (tests/prompt/test_imports.py)

    text = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]", "",
                  data.decode("utf-8", "replace"))
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.rsplit("\r", 1)[-1].rstrip()
        if line.strip():
            lines.append(line)
    return lines


# How the tools start the line that says why they failed: uv ("error: …",
# or its report's "× …"), pip ("ERROR: …"), Poetry ("Error: …").
_CAUSE_PREFIXES = ("error: ", "ERROR: ", "× ", "Error: ")
# PDM: "[AttributeError]: module 'hishel' has no attribute …".
_BRACKETED = r"\[[A-Za-z_.]*(?:Error|Exception|Exit)\]: (.+)"
# Lines that tell how to learn more rather than what went wrong.
_HINT = r"(?i)(\s-v\b|-vvv|verbose|detailed debug log|more information|traceback)"


def cause(lines: list[str]) -> str:
    """The line of a tool's output that says why it failed, without its
    prefix, with the line that explains it when the tool gives one (uv: "No
    solution found when resolving dependencies: Because there is no version
    of tinkerpkg==9.9 …"; Poetry: "Installing certifi (2025.8.3): All
    attempts to connect to pypi.org failed.")."""
    import re  # not at import time: the prompt's entry imports this module

    for i, line in enumerate(lines):
        text = line.strip()
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        for prefix in _CAUSE_PREFIXES:
            if text.startswith(prefix):
                why = text[len(prefix):].strip()
                for lead in _EXPLAINED_BY:
                    if after.startswith(lead):
                        return f"{why.rstrip(':')}: {after[len(lead):].strip()}"
                return why
        m = re.match(_BRACKETED, text)
        if m:
            return m.group(1).strip()
        # Poetry, per package: "- Installing x (1.0): Failed" then "| why".
        if text.startswith("- ") and text.endswith(": Failed") and after.startswith("|"):
            return f"{text[2:-len(': Failed')]}: {after.lstrip('|').strip()}"
    said = [ln.strip() for ln in lines if not re.search(_HINT, ln) and ln.strip().strip("|").strip()]
    return said[-1] if said else (lines[-1].strip() if lines else "")


# How uv goes on to say why (the cause chain of its errors).
_EXPLAINED_BY = ("cause: ", "Caused by: ", "╰─▶ ")


class Runner:
    """Runs one sync's commands from the project root with the tool's
    environment, their output to the terminal (unless quiet) and to the
    project's sync.log, each waited for as `finish` says."""

    def __init__(self, project):
        from envhook.backends import spawn  # loads signal's enums (~0.8 ms): only when a tool runs

        self.project, self.env, self.show = project, sync_environ(), not quiet()
        try:
            path = str(ensure_project_dir(project.root) / paths.SYNC_LOG)
        except OSError:
            path = None
        self.log = spawn.Log(path)

    def __call__(self, label: str, argv: list[str]) -> SyncOutcome:
        from envhook.backends import spawn  # loads signal's enums (~0.8 ms): only when a tool runs

        try:
            child = spawn.start(argv, self.env, cwd=str(self.project.root), log=self.log, show=self.show)
        except OSError as e:
            return SyncOutcome(SYNC_FAILED, f"cannot run {argv[0]}: {e.strerror}")
        with slow_notice(self.project):
            return finish(child, label)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.log.close()
        return False


class slow_notice:
    """The `slow_sync_notice` setting: one "still syncing…" line when a sync
    runs longer than that many seconds (a timer signal while we wait)."""

    def __init__(self, project):
        self.project, self.old = project, None

    def __enter__(self):
        import signal  # builds its enums (~0.7 ms): only when a tool runs

        seconds = settings.value("slow_sync_notice")
        if seconds > 0:
            name = self.project.name
            self.old = signal.signal(signal.SIGALRM, lambda *_: say(f"still syncing {name}…"))
            signal.setitimer(signal.ITIMER_REAL, seconds)
        return self

    def __exit__(self, *exc):
        import signal  # builds its enums (~0.7 ms): only when a tool runs

        if self.old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


class Backend(abc.ABC):
    name: str = ""                    # as registered in backends.REGISTRY
    writes: tuple[str, ...] = ()      # inputs its sync may rewrite (trust excuses those, see trust.py)
    sync_label: str = ""              # how the user would run the sync by hand
    # Can it sync everything but some packages, leaving those as they are?
    # (uv: `--inexact --no-install-package`; Poetry and PDM have no such option.)
    package_pins: bool = False
    # Does its sync install a whole resolution from a lock (uv sync)? Then
    # what it installs cannot lack a requirement, and the `uv pip check`-like
    # test after each sync (packaging's parser: ~35 ms to import) is skipped.
    resolves_whole: bool = False
    # Can a project choose what its sync installs besides the defaults
    # ([tool.envhook] extras, groups; decide/project.py refuses them otherwise)?
    supports_extras: bool = False
    supports_groups: bool = False
    # Variables that decide where its env is (env_path reads them): the
    # decision cache records their values and is not replayed when one moved.
    location_vars: tuple[str, ...] = ()
    # What doctor checks for it (check_tool): the program its sync runs, as
    # its own docs spell it in messages, the oldest version envhook works
    # with (empty: any) and what an older one lacks; doctor's fixes when the
    # tool is not on PATH, fails to say its version, or is too old.
    tool: str = ""
    title: str = ""
    min_tool_version: tuple[int, ...] = ()
    min_tool_why: str = ""
    install: str = ""
    reinstall: str = ""
    upgrade: str = ""

    @property
    def label(self) -> str:
        """What a user calls this kind of project, in messages (pip: pip/requirements)."""
        return self.title

    def selection_words(self, project) -> str:
        """The project's selection as its tool is asked for it (`poetry sync
        --with docs`), for `envhook use`; "" where that is uv's own words."""
        return ""

    def refuses(self, project, layer: dict) -> list[tuple[str, str | None, str]]:
        """The parts of a selection layer (env.selection) this backend cannot
        honour, each (key, name or None, why): the groups keys without
        supports_groups, the extras keys without supports_extras, and
        workspace packages, which are uv's."""
        out = []
        for key, able, why in ((("group", "no-group", "only-group", "no-default-groups"), self.supports_groups,
                                f"{self.label} has no dependency groups"),
                               (("extra", "all-extras"), self.supports_extras, f"{self.label} has no extras")):
            for k in key:
                if not able and layer.get(k):
                    out += [(k, n, why) for n in layer[k]] if isinstance(layer[k], list) else [(k, None, why)]
        packages = layer.get("packages")
        if packages:
            why = f"{self.label} syncs one project, not a uv workspace's packages"
            out += [("packages", m, why) for m in packages] if isinstance(packages, list) else [("packages", None, why)]
        return out

    @property
    def lock(self) -> str | None:
        """The lock file at the root it syncs from, if it has one: its registration's."""
        r = registered(self.name)
        return r.lock if r is not None else None

    def sync_label_for(self, project) -> str:
        """The command this project's sync runs, as the user would type it."""
        return self.sync_label

    # -- where, and from what -------------------------------------------------------
    def env_path(self, root: Path, *, pyproject: dict | None, environ) -> Path:
        return root / ".venv"

    def locate(self, project) -> Path | None:
        """Where the tool says the env is, asked right after envhook's own
        sync of a trusted project (asking runs the tool); None when
        env_path's rule, read again, is the tool's own answer."""
        return None

    @abc.abstractmethod
    def inputs(self, project) -> list[Path]:
        """Files whose content decides what the env should hold (present or not)."""
        raise NotImplementedError

    def source_dirs(self, project) -> list[Path]:
        """Directories of local packages the sync builds that are neither the
        project nor its members (uv's `path` sources), which it reads to decide
        what to install; their SOURCE_FILES are inputs."""
        return []

    def settings_files(self, project) -> list[Path]:
        """Files outside the project that decide where the env lives (the
        tool's user config): watched, never hashed as inputs."""
        return []

    # -- syncing ------------------------------------------------------------------------
    @abc.abstractmethod
    def commands(self, project, *, keep: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
        """The commands a sync runs, in order, from the project root, each
        with the way a person would write it ("uv sync") for messages.
        `keep`: packages to leave as they are (backends with package_pins).
        Raises ToolMissing with one line naming what to install."""
        raise NotImplementedError

    def sync(self, project, *, reason: str, started=None, keep: tuple[str, ...] = ()) -> SyncOutcome:
        """Run the commands. `started`: a spawn.Child the hook's entry
        already started (uv only). `keep`: packages this sync must leave as
        they are besides the pins (only backends with package_pins get any)."""
        if started is not None:
            with slow_notice(project):
                return finish(started, self.sync_label)
        try:
            plan = self.commands(project, keep=keep)
        except ToolMissing as e:
            return SyncOutcome(SYNC_FAILED, str(e))
        with Runner(project) as run:
            return self.run_plan(project, plan, run=run, keep=keep)

    def run_plan(self, project, plan, *, run: Runner, keep: tuple[str, ...]) -> SyncOutcome:
        """Run `plan` in order until one fails; a backend adds steps around it."""
        outcome = SyncOutcome(SYNC_OK)
        for label, argv in plan:
            outcome = run(label, argv)
            if outcome.status != SYNC_OK:
                break
        return outcome

    # -- drift ---------------------------------------------------------------------------
    @abc.abstractmethod
    def lock_drift(self, project, *, now: dict[str, str] | None = None):
        """How the env differs from the lock (drift.LockDrift)."""
        raise NotImplementedError

    def explains(self, project, *, now: dict[str, str], changed: set[str], ignore=frozenset(), lock=None) -> bool:
        """Did the tool's own commands (not a person) leave the env as it is,
        beyond the plain sync that lock_drift compares with? (uv: a
        workspace member's `uv run`, `uv sync --package`.) `lock`: that
        comparison, when it was made already."""
        return False

    def lock_description(self, project) -> str:
        """What drift is measured against, for `status`: "uv.lock"."""
        return self.lock or "the lock"

    # -- doctor --------------------------------------------------------------------------
    @property
    def tool_label(self) -> str:
        """The tool as doctor's line names it ("uv", "uv or python3")."""
        return self.tool

    def check_tool(self, check, project, what: str) -> list:
        """doctor's lines about this backend's tool for `project` (None: no
        project here). `check`: what doctor lends a backend (commands/doctor.py,
        ToolCheck): `probe`, which finds the tool and reads its version, and
        the line makers `ok`, `fail`, `note`."""
        path, version, text, bad = check.probe(self, what)
        return [bad or self.too_old(check, what, path, version, text) or
                self.tool_works(check, what, path, version, text)]

    def tool_works(self, check, what: str, path: str, version: tuple[int, ...], text: str):
        """doctor's line for a tool that is there and new enough."""
        return check.ok(f"{what}: {self.tool} {text} ({check.show(path)})")

    def too_old(self, check, what: str, path: str, version: tuple[int, ...], text: str):
        """doctor's FAIL line when the tool is older than min_tool_version, else None."""
        if version >= self.min_tool_version:
            return None
        need = ".".join(map(str, self.min_tool_version))
        return check.fail(what, f"{path} is {self.title} {text}; envhook needs {self.title} {need} or newer"
                                f"{self.min_tool_why}", self.upgrade)
