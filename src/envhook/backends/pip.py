"""pip: requirements files at the root (or a bare pyproject.toml). The env
is `.venv`, created with `uv venv` (or `python3 -m venv` without uv) when
missing.

Which files: the compiled ones when there are any (requirements*.lock, as
pip-compile/rye/uv pip compile write them), else requirements.txt and
requirements-dev.txt.

Every dependency of every line is installed, and the env ends up exactly
as a resolution of the files says (README, "Backends"):
- files that are a complete lock (requirements*.lock, or a header saying
  pip-compile or `uv pip compile`/`uv export` wrote them) are synced as
  they are: `uv pip sync`;
- any other set of files is first resolved into a lock of envhook's own,
  under the state dir (`uv pip compile`), and that is synced exactly.
  `==` on every line does not make a file complete: the lines' own
  dependencies are not in it.
Without uv, pip does the same: `pip install --dry-run --report` resolves,
`pip install --no-deps` installs the resolution, `pip uninstall` removes
what it does not name (the envhook.backends.pipsync helper runs the three).
Drift is measured against that same lock.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from envhook.backends import requirement_files, spawn
from envhook.backends.base import (
    UV_INSTALL,
    Backend,
    ToolMissing,
    cause,
    output_lines,
    pip_config_files,
    sync_environ,
    uv_config_files,
    which,
)
from envhook.backends.lockread import SEEDED, Wanted, compare, own_names
from envhook.env import venv
from envhook.env.drift import LockDrift, env_python
from envhook.env.markers import marker_environment, marker_true
from envhook.env.selection import canonical, uv_default_groups
from envhook.store import paths
from envhook.store.hashing import hexdigest, read_regular
from envhook.store.records import fingerprint, project_dir

INSTALL_HINT = ("neither uv nor python3 found on PATH; install uv (https://docs.astral.sh/uv/) "
                "and run `envhook sync`")


def sources(project) -> list[Path]:
    """The requirements files the env is synced from: the compiled ones when
    there are any, else requirements.txt and requirements-dev.txt; for the
    selection (env.selection), a file requirements-G.txt (or -G.lock) is
    group G's, dev a default group, as `uv sync` installs dev unasked."""
    root = project.root
    files = requirement_files(root)
    compiled = [f for f in files if f.suffix == ".lock"]
    files = compiled or files
    sel = project.selection
    if sel.empty:
        return files
    groups, own = sel.group_set({"dev"})
    out = [f for f in files if (own if file_group(f) is None else file_group(f) in groups)]
    suffix = ".lock" if compiled else ".txt"
    for g in sorted(groups - {file_group(f) for f in out}):
        if (root / f"requirements-{g}{suffix}").is_file():
            out.append(root / f"requirements-{g}{suffix}")
    return out


def file_group(path: Path) -> str | None:
    """The group a requirements file is (requirements-docs.txt: docs), None for the main one."""
    rest = path.stem[len("requirements"):].lstrip("-_.")
    return canonical(rest) if rest else None


def bare_choice(project) -> tuple[list[str], list[str], bool]:
    """A bare pyproject.toml's (groups, extras, its own dependencies too),
    for the selection: PEP 735 groups, dev (or [tool.uv] default-groups)
    installed unasked where the project has it, as `uv sync` does."""
    data = project.pyproject or {}
    declared = {canonical(k) for k in (data.get("dependency-groups") or {}) if isinstance(k, str)}
    groups, own = project.selection.group_set(uv_default_groups(data) & declared)
    extras = list(project.selection.extras)
    if project.selection.all_extras:
        extras = sorted({*extras, *_optional(data)})
    return sorted(groups & declared), extras, own


def _optional(data: dict) -> list[str]:
    table = (data.get("project") or {}).get("optional-dependencies") or {}
    return [canonical(k) for k in table if isinstance(k, str)] if isinstance(table, dict) else []


def group_lines(data: dict, group: str, seen: tuple = ()) -> list[str]:
    """A PEP 735 group's requirement lines, its include-groups expanded."""
    table = {canonical(k): v for k, v in (data.get("dependency-groups") or {}).items() if isinstance(k, str)}
    out = []
    for item in table.get(group) or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            inner = canonical(item["include-group"])
            if inner not in seen:
                out += group_lines(data, inner, (*seen, group))
    return out


class Requirement:
    __slots__ = ("name", "spec", "marker", "pinned", "line")

    def __init__(self, name: str, spec: str, marker: str | None, line: str = ""):
        self.name, self.spec, self.marker, self.line = name, spec, marker, line
        self.pinned = spec.startswith("==") and "," not in spec and "*" not in spec


def parse(path: Path, seen: set | None = None, direct: list[str] | None = None,
          base: Path | None = None) -> list[Requirement]:
    """The requirements in a requirements file (and the files it includes
    with -r), as pip reads them; options, hashes, URLs and editables are
    skipped: they are not named versions. The names of the URL and editable
    ones that can be told are added to `direct`, when given: the sync
    installs those too. `base`: where relative paths point from (the
    project root, for a lock envhook compiled elsewhere)."""
    from packaging.requirements import InvalidRequirement  # packaging: only when a lock or a requirement is compared
    from packaging.requirements import Requirement as Req  # packaging: only when a lock or a requirement is compared

    seen = set() if seen is None else seen
    if path in seen:
        return []
    seen.add(path)
    try:
        text = read_regular(path).decode(errors="replace")
    except OSError:
        return []
    out = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            out += parse(path.parent / line.split(None, 1)[1].strip(), seen, direct, base)
            continue
        if line.startswith(("-e ", "--editable ")):
            name = _editable_name(base or path.parent, line.split(None, 1)[1].strip()) if direct is not None else None
            if name:
                direct.append(name)
            continue
        if line.startswith("-"):
            continue  # -c, --index-url, --hash …
        line = " ".join(w for w in line.split() if not w.startswith("--hash"))
        try:
            r = Req(line)
        except InvalidRequirement:
            continue
        if r.url:
            if direct is not None:
                direct.append(venv.canonical(r.name))
            continue
        out.append(Requirement(venv.canonical(r.name), str(r.specifier), str(r.marker) if r.marker else None))
    return out


def _editable_name(base: Path, target: str) -> str | None:
    """The name an `-e` line installs: its #egg=, else the [project] name
    of the directory it points at."""
    from urllib.parse import unquote, urlsplit  # only for a requirement given by URL

    from envhook.backends.lockread import read_lock  # loads packaging

    target, _, fragment = target.partition("#")
    target = target.split("[", 1)[0]  # `-e .[extra]`: the directory is what names it
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        if key == "egg" and value:
            return venv.canonical(value)
    if target.startswith("file:"):
        target = unquote(urlsplit(target).path)
    elif "://" in target:
        return None
    try:
        name = (read_lock(base / target / "pyproject.toml").get("project") or {}).get("name")
    except ValueError:
        return None
    return venv.canonical(name) if isinstance(name, str) else None


def _project_requirements(project) -> list[Requirement]:
    """A bare pyproject.toml's requirements for the selection (bare_choice):
    its dependencies and its chosen extras' (when the project itself is
    installed), and its chosen groups'."""
    from packaging.requirements import InvalidRequirement  # packaging: only when a lock or a requirement is compared
    from packaging.requirements import Requirement as Req  # packaging: only when a lock or a requirement is compared

    from envhook.backends.lockread import read_lock  # loads packaging

    try:
        data = read_lock(project.root / "pyproject.toml")
    except ValueError:
        return []
    groups, extras, own = bare_choice(project)
    table = data.get("project") or {}
    deps = []
    if own:
        deps += list(table.get("dependencies") or [])
        optional = {canonical(k): v for k, v in (table.get("optional-dependencies") or {}).items()
                    if isinstance(k, str)}
        deps += [d for e in extras for d in optional.get(e) or []]
    deps += [d for g in groups for d in group_lines(data, g)]
    out = []
    for d in deps:
        try:
            r = Req(d)
        except (InvalidRequirement, TypeError):
            continue
        out.append(Requirement(venv.canonical(r.name), str(r.specifier), str(r.marker) if r.marker else None, d))
    return out


def _buildable(root: Path) -> bool:
    from envhook.backends.lockread import read_lock  # loads packaging

    try:
        return isinstance(read_lock(root / "pyproject.toml").get("build-system"), dict)
    except ValueError:
        return False


# What pip-compile, `uv pip compile` / `uv export`, rye and PDM's export write
# at the top of a file they generate: a complete lock.
_COMPILED_HEADERS = ("# This file was autogenerated by pip-compile", "# This file was autogenerated by uv",
                     "# generated by rye", "# This file is @generated by PDM")


def complete(path: Path) -> bool:
    """A complete lock: every package the env needs is a line of it, so it is
    synced as it is. requirements*.lock files, and files a compiler wrote."""
    if path.suffix == ".lock":
        return True
    try:
        head = read_regular(path)[:2048].decode("utf-8", "replace")
    except OSError:
        return False
    return any(line.startswith(_COMPILED_HEADERS) for line in head.splitlines()[:5])


def compiled_path(project, tool: str) -> Path:
    """Where envhook keeps its resolution of the project's files: named by
    the inputs' content, the tool and the env's Python, so a change of any
    of them resolves again."""

    inputs = sorted(fingerprint(project.inputs, project.root).items())
    key = hexdigest(repr((tool, env_python(project.env), inputs)).encode())[:16]
    return project_dir(project.root) / paths.COMPILED / f"requirements-{key}.txt"


class PipBackend(Backend):
    name = "pip"
    tool = title = "uv"  # or, without uv, python3's pip and venv (check_tool checks which)
    label = "pip/requirements"
    tool_label = "uv or python3"
    install = f"install uv ({UV_INSTALL}) or Python 3"  # when neither is on PATH
    reinstall = f"reinstall it: {UV_INSTALL}"

    @property
    def sync_label(self) -> str:
        return "uv pip sync" if spawn.which("uv", skip="") else "pip install"

    def sync_label_for(self, project) -> str:
        uv = which("uv", project) is not None
        if not requirement_files(project.root):
            return "uv pip install" if uv else "pip install"  # a bare pyproject.toml: installed, not synced
        return "uv pip sync" if uv else "pip (envhook's pipsync: install, then remove what the files do not name)"

    supports_extras = supports_groups = True  # a bare pyproject's, and requirements-G.txt files (refuses)

    def refuses(self, project, layer):
        out = super().refuses(project, layer)
        asked = [(k, g) for k in ("group", "only-group") for g in layer.get(k, [])]
        if requirement_files(project.root):
            why = "its requirements files name their own extras"
            out += [(k, n, why) for k in ("extra",) for n in layer.get(k, [])]
            out += [("all-extras", None, why)] if layer.get("all-extras") else []
            files = {file_group(f) for f in requirement_files(project.root)}
            have = files | {canonical(p.stem[len("requirements-"):]) for p in project.root.glob("requirements-*.txt")}
            out += [(k, g, f"there is no requirements-{g}.txt") for k, g in asked if canonical(g) not in have]
            return out
        data = project.pyproject or {}
        declared = {canonical(k) for k in (data.get("dependency-groups") or {}) if isinstance(k, str)}
        out += [(k, g, f"pyproject.toml has no [dependency-groups] {g}") for k, g in asked
                if canonical(g) not in declared]
        optional = set(_optional(data))
        out += [("extra", e, f"pyproject.toml has no [project.optional-dependencies] {e}")
                for e in layer.get("extra", []) if canonical(e) not in optional]
        return out

    def inputs(self, project) -> list[Path]:
        files = sources(project) if requirement_files(project.root) else [project.root / "pyproject.toml"]
        # uv's configuration when uv syncs, pip's when pip does.
        return [*files, project.root / ".python-version", *uv_config_files(project.root), *pip_config_files()]

    def check_tool(self, check, project, what):
        uv = check.find("uv")
        if uv is not None:
            version, text, problem = check.version([uv, "--version"])
            if version is None:
                return [check.fail(what, f"{uv}: {problem}", self.reinstall)]
            return [check.ok(f"{what}: uv {text} ({check.show(uv)}), syncing with uv pip")]
        py = check.find("python3")
        if py is None:
            return [check.fail(what, "neither uv nor python3 is on PATH", check.install_fix("python3", self.install))]
        # Without uv the env is made by `python3 -m venv`, which Debian splits out (python3-venv).
        version, text, problem = check.version([py, "-c", "import sys, venv, ensurepip; print(sys.version.split()[0])"])
        if version is None:
            return [check.fail(what, f"{py} cannot create venvs: {problem}",
                               f"install uv ({UV_INSTALL}), or on Debian/Ubuntu: sudo apt install python3-venv")]
        return [check.ok(f"{what}: python3 {text} ({check.show(py)}), syncing with pip (uv would be faster)")]

    def lock_description(self, project) -> str:
        files = sources(project)
        if not requirement_files(project.root):
            return "pyproject.toml's dependencies"
        names = ", ".join(f.name for f in files)
        return names if all(complete(f) for f in files) else f"the resolution of {names}"

    def lock_files(self, project, uv: str | None) -> tuple[list[Path], Path | None]:
        """(the files the env is synced exactly from, the compiled lock to
        write first or None): the project's files when they are complete,
        else envhook's resolution of them."""
        files = sources(project)
        if all(complete(f) for f in files):
            return files, None
        out = compiled_path(project, "uv" if uv else "pip")
        return [out], out

    def commands(self, project, *, keep=()):
        env, root = project.env, project.root
        python = str(env / "bin" / "python")
        uv = which("uv", project)
        plan = []
        if venv.missing_reason(env):
            if uv is not None:
                plan.append(("uv venv", [uv, "venv", "--allow-existing", str(env)]))
            else:
                py = which("python3", project)
                if py is None:
                    raise ToolMissing(INSTALL_HINT)
                plan.append(("python3 -m venv", [py, "-m", "venv", str(env)]))
        files = sources(project)
        if not requirement_files(root):
            # A bare pyproject.toml: the project itself, editable, when it can
            # be built; without [build-system] it is not a package (as uv
            # treats it), so only its dependencies. Its extras and PEP 735
            # groups as the selection has them (bare_choice).
            groups, extras, own = bare_choice(project)
            pyproject = str(root / "pyproject.toml")
            if own and _buildable(root):
                reqs = ["-e", f"{root}[{','.join(extras)}]" if extras else str(root)]
            elif own and uv is not None:
                reqs = ["-r", pyproject, *(x for e in extras for x in ("--extra", e))]
            elif uv is None:
                reqs = [r.line for r in _project_requirements(project)]  # the groups' lines too
            else:
                reqs = []
            if uv is not None:
                reqs += [x for g in groups for x in ("--group", f"{pyproject}:{g}")]
            elif own and _buildable(root):
                data = project.pyproject or {}
                reqs += [line for g in groups for line in group_lines(data, g)]
            if uv is not None and reqs:
                plan.append(("uv pip install", [uv, "pip", "install", "--python", python, *reqs]))
            elif reqs:
                plan.append(("pip install", [python, "-m", "pip", "install", "--disable-pip-version-check", *reqs]))
            return plan
        locks, out = self.lock_files(project, uv)
        if out is not None:
            _prepare(out)
        if uv is not None:
            if out is not None:
                plan.append(("uv pip compile", _uv_compile(uv, project.env, files, out)))
            plan.append(("uv pip sync", [uv, "pip", "sync", "--python", python, *map(str, locks)]))
        else:
            # pip has no sync: a helper of envhook's resolves, installs and removes with it.
            argv = [sys.executable, "-I", "-m", "envhook.backends.pipsync", python]
            if out is not None:
                argv += ["--compile", str(out)]
            plan.append(("pip install", [*argv, *map(str, files)]))
        return plan

    def run_plan(self, project, plan, *, run, keep):
        making = [step for step in plan if step[0] in ("uv venv", "python3 -m venv")]
        if making and len(plan) > len(making):
            outcome = super().run_plan(project, making, run=run, keep=keep)
            if outcome.status != "ok":
                return outcome
            # The env exists now: its Python is what the files are resolved for.
            plan = self.commands(project, keep=keep)
        return super().run_plan(project, plan, run=run, keep=keep)

    def lock_drift(self, project, *, now=None):
        if now is None:
            now = venv.installed(project.env)
        files = sources(project)
        direct: list[str] = []
        if not requirement_files(project.root):
            reqs = _project_requirements(project)
            exact = False
        else:
            uv = which("uv", project)
            locks, out = self.lock_files(project, uv)
            if out is not None and not out.is_file():
                error = _compile_now(project, uv, files, out)
                if error:
                    return LockDrift(None, error=error)
            reqs = [r for f in locks for r in parse(f, direct=direct, base=project.root)]
            exact = True
        environment = marker_environment(project.env)
        # Installed from a path or URL by the sync, at whatever version that holds.
        want = {name: Wanted(from_path=True) for name in direct}
        for r in reqs:
            if marker_true(r.marker, environment):
                want[r.name] = Wanted(r.spec[2:], spec=r.spec) if r.pinned else Wanted(spec=r.spec)
        ignore = own_names(project) if not requirement_files(project.root) else set()
        # `uv pip sync` removes what the lock does not name, pip and setuptools
        # included; pip's own removal leaves those (envhook.backends.pipsync).
        seeded = frozenset() if which("uv", project) else SEEDED
        return LockDrift(compare(want, now, exact=exact, ignore=ignore, seeded=seeded))


def _prepare(out: Path) -> None:
    """The directory for a new resolution, without the older ones (what
    changed inputs resolved to before is of no use any more)."""
    paths.make_dirs(str(out.parent))
    for old in out.parent.glob("requirements-*.txt"):
        if old != out:
            try:
                old.unlink()
            except OSError:
                pass


def _uv_compile(uv: str, env: Path, files: list[Path], out: Path) -> list[str]:
    """For the env's Python (its markers as pyvenv.cfg records its version);
    --emit-*: the index options the files name reach `uv pip sync` too."""
    version = env_python(env)
    return [uv, "pip", "compile", "--python", str(env / "bin" / "python"),
            *(["--python-version", version] if version else []), "--quiet", "--emit-index-url",
            "--emit-find-links", "--output-file", str(out), *map(str, files)]


def _compile_now(project, uv: str | None, files: list[Path], out: Path) -> str:
    """Resolve the files into `out` for drift (a trusted project's: resolving
    may build a source distribution); the error line when it fails."""

    python = str(project.env / "bin" / "python")
    argv = _uv_compile(uv, project.env, files, out) if uv else \
        [sys.executable, "-I", "-m", "envhook.backends.pipsync", python, "--compile", str(out), "--only-compile",
         *map(str, files)]
    try:
        _prepare(out)
        r = subprocess.run(argv, env=sync_environ(), cwd=project.root, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot resolve {', '.join(f.name for f in files)}: {e}"
    if r.returncode != 0:
        return f"cannot resolve {', '.join(f.name for f in files)}: {cause(output_lines(r.stderr + r.stdout))}"
    return ""
