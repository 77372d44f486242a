"""pip: requirements files at the root (or a bare pyproject.toml where uv
is not installed). The env is `.venv`, created with `uv venv` (or
`python3 -m venv` without uv) when missing.

Which files: the compiled ones when there are any (requirements*.lock, as
pip-compile/rye/uv pip compile write them), else requirements.txt and
requirements-dev.txt. When every requirement in them is pinned with `==`,
they are a lock: with uv the sync is exact (`uv pip sync`, which also
removes what they do not name), and anything else installed is drift.
Otherwise they are loose (`uv pip install -r`, or pip's): only a missing
or unsatisfying package is drift, because their dependencies are not listed.
pip without uv cannot remove packages, so there a sync only adds and
changes (README, "Backends").
"""

from __future__ import annotations

from pathlib import Path

from envhook.backends.base import Backend, ToolMissing, which
from envhook.backends.lockread import Wanted, compare, marker_environment, marker_true, own_names

INSTALL_HINT = ("neither uv nor python3 found on PATH; install uv (https://docs.astral.sh/uv/) "
                "and run `envhook sync`")


def sources(root: Path) -> list[Path]:
    from envhook.backends import requirement_files

    files = requirement_files(root)
    compiled = [f for f in files if f.suffix == ".lock"]
    return compiled or files


class Requirement:
    __slots__ = ("name", "spec", "marker", "pinned", "line")

    def __init__(self, name: str, spec: str, marker: str | None, line: str = ""):
        self.name, self.spec, self.marker, self.line = name, spec, marker, line
        self.pinned = spec.startswith("==") and "," not in spec and "*" not in spec


def parse(path: Path, seen: set | None = None, direct: list[str] | None = None) -> list[Requirement]:
    """The requirements in a requirements file (and the files it includes
    with -r), as pip reads them; options, hashes, URLs and editables are
    skipped: they are not named versions. The names of the URL and editable
    ones that can be told are added to `direct`, when given: the sync
    installs those too."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Req

    from envhook import venv

    seen = set() if seen is None else seen
    if path in seen:
        return []
    seen.add(path)
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    out = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            out += parse(path.parent / line.split(None, 1)[1].strip(), seen, direct)
            continue
        if line.startswith(("-e ", "--editable ")):
            name = _editable_name(path.parent, line.split(None, 1)[1].strip()) if direct is not None else None
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
    from urllib.parse import unquote, urlsplit

    from envhook import venv
    from envhook.backends.lockread import read_lock

    target, _, fragment = target.partition("#")
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


def _project_requirements(root: Path) -> list[Requirement]:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Req

    from envhook import venv
    from envhook.backends.lockread import read_lock

    try:
        deps = (read_lock(root / "pyproject.toml").get("project") or {}).get("dependencies") or []
    except ValueError:
        return []
    out = []
    for d in deps:
        try:
            r = Req(d)
        except (InvalidRequirement, TypeError):
            continue
        out.append(Requirement(venv.canonical(r.name), str(r.specifier), str(r.marker) if r.marker else None, d))
    return out


def _buildable(root: Path) -> bool:
    from envhook.backends.lockread import read_lock

    try:
        return isinstance(read_lock(root / "pyproject.toml").get("build-system"), dict)
    except ValueError:
        return False


class PipBackend(Backend):
    name = "pip"

    @property
    def sync_label(self) -> str:
        from envhook import spawn

        return "uv pip install" if spawn.which("uv", skip="") else "pip install"

    def inputs(self, project) -> list[Path]:
        files = sources(project.root)
        if not files:
            files = [project.root / "pyproject.toml"]
        return [*files, project.root / ".python-version"]

    def lock_description(self, project) -> str:
        files = sources(project.root)
        return ", ".join(f.name for f in files) if files else "pyproject.toml's dependencies"

    def commands(self, project, keep=()):
        env, root = project.env, project.root
        python = str(env / "bin" / "python")
        uv = which("uv", project)
        plan = []
        from envhook import venv

        if venv.missing_reason(env):
            if uv is not None:
                plan.append(("uv venv", [uv, "venv", "--allow-existing", str(env)]))
            else:
                py = which("python3", project)
                if py is None:
                    raise ToolMissing(INSTALL_HINT)
                plan.append(("python3 -m venv", [py, "-m", "venv", str(env)]))
        files = sources(root)
        reqs = [x for f in files for x in ("-r", str(f))]
        if not files:
            # A bare pyproject.toml: the project itself, editable, when it can
            # be built; without [build-system] it is not a package (as uv
            # treats it), so only its dependencies.
            if _buildable(root):
                reqs = ["-e", str(root)]
            elif uv is not None:
                reqs = ["-r", str(root / "pyproject.toml")]
            else:
                reqs = [r.line for r in _project_requirements(root)]
        if uv is not None:
            if files and self.exact(project):
                plan.append(("uv pip sync", [uv, "pip", "sync", "--python", python, *map(str, files)]))
            elif reqs:
                plan.append(("uv pip install", [uv, "pip", "install", "--python", python, *reqs]))
        elif reqs:
            plan.append(("pip install", [python, "-m", "pip", "install", "--disable-pip-version-check", *reqs]))
        return plan

    def exact(self, project) -> bool:
        """The files pin everything, and the tool can remove what they do not name."""
        if which("uv", project) is None:
            return False
        reqs = [r for f in sources(project.root) for r in parse(f)]
        return bool(reqs) and all(r.pinned for r in reqs)

    def lock_drift(self, project, now=None):
        from envhook import venv
        from envhook.drift import LockDrift

        if now is None:
            now = venv.installed(project.env)
        files = sources(project.root)
        direct: list[str] = []
        reqs = [r for f in files for r in parse(f, direct=direct)] if files else _project_requirements(project.root)
        environment = marker_environment(project.env)
        # Installed from a path or URL by the sync, at whatever version that holds.
        want = {name: Wanted(from_path=True) for name in direct}
        for r in reqs:
            if marker_true(r.marker, environment):
                want[r.name] = Wanted(r.spec[2:], spec=r.spec) if r.pinned else Wanted(spec=r.spec)
        ignore = own_names(project) if not files else set()
        # `uv pip sync` removes what the files do not name, pip and setuptools included.
        return LockDrift(compare(want, now, exact=bool(files) and self.exact(project), ignore=ignore,
                                 seeded=frozenset()))
