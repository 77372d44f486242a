"""Putting an env back as one of its journal's generations had it: `envhook
undo` (the one before the newest: a second undo undoes the undo, as `cd -`
does) and `envhook restore N`.

Only the env changes, never a file of the project. The dists that differ are
installed at their recorded versions and sources, without their
dependencies (the generation lists every dist it held), first from uv's
cache alone (--offline), else as the project's own configuration says (run
from the project, so its index settings apply), with the lock's hashes for a
version the lock pins (pip, without uv, gets none: one hash would make it
ask one of every requirement); what the generation did not
hold is removed. A path or editable source is installed again only when its
directory passes the owner/mode rule every file envhook acts on passes. The
result, whatever it is (complete, half-done by a Ctrl-C or a version no
longer to be had), is recorded as a generation of its own, so it can be
undone too.

A generation recorded under other inputs than today's (the lock moved since)
is pinned whole once restored: the next pull must not half-mix two locks;
`envhook unpin` follows the lock again. Under today's inputs, its
differences from the lock are hand-made changes, kept as any others are.
"""

from __future__ import annotations

from pathlib import Path

from envhook.backends.base import Runner
from envhook.backends.uv import uv_path
from envhook.decide.assess import assess, remember
from envhook.decide.outside import NOT_RUN
from envhook.decide.project import Project
from envhook.decide.syncing import Busy, project_lock
from envhook.env import journal, venv
from envhook.env.drift import compare, file_path, split, text
from envhook.messages import say
from envhook.store import paths, pins
from envhook.store.records import SYNC_FAILED, SYNC_OK, atomic_write, ensure_project_dir, notify


def restore(project: Project, target_id: int | None) -> int:
    """`envhook undo` (target_id None) or `envhook restore N`: the exit code."""
    a = assess(project)
    remember(a)  # what the env holds now is in the journal before a target is chosen, and before it changes
    if not a.trusted:
        say(f"{project.name} is not trusted: envhook changes nothing in its env (`envhook allow` first)", error=True)
        return NOT_RUN  # as `envhook run` exits for a project it may not act on
    gens = journal.generations(project.root)
    if target_id is None:
        if len(gens) < 2:
            say(f"nothing to undo in {project.name}: its history has "
                f"{'one generation' if gens else 'no generation'} (`envhook log`)", error=True)
            return 1
        target, by = gens[1], "envhook undo"
    else:
        target = next((g for g in gens if g["id"] == target_id), None)
        if target is None:
            say(f"{project.name} has no generation {target_id} (`envhook log` lists them)", error=True)
            return 2
        by = f"envhook restore {target_id}"
    missing = venv.missing_reason(project.env)
    if missing:
        say(f"{project.name} has no env to restore into ({missing})", error=True)
        return 1
    try:
        with project_lock(project):
            return _restore(project, target, by)
    except Busy:
        say("stopped waiting: nothing was changed", error=True)
        return 130


def _restore(project: Project, target: dict, by: str) -> int:
    before = venv.installed(project.env)
    inputs_now = journal.inputs_digest(project.current_inputs())
    journal.record(project.root, before, journal.BY_OUTSIDE, inputs_now)  # undoable, whoever changed it last
    wanted = target["packages"]
    install = {n: v for n, v in wanted.items() if journal.redact(before.get(n, "")) != v}
    remove = sorted(n for n in before if n not in wanted)
    if not install and not remove:
        say(f"{project.name}'s env already holds generation {target['id']}: nothing to change")
        return 0
    specs, refused = _specs(project, install)
    status = SYNC_OK
    if specs or remove:
        status = _apply(project, specs, remove)
    after = venv.installed(project.env)
    # The names the target had changed by hand are the user's again (a later reset of them is said).
    journal.record(project.root, after, by, inputs_now, target.get("hand") or ())
    moved = compare(before, after)
    if target.get("inputs") not in (None, inputs_now) and moved:
        pins.pin(project.root, project.current_inputs(), f"restored to generation {target['id']}",
                 None, after)
        pinned = "; pinned whole, as it was made under another lock (`envhook unpin` follows the lock again)"
    else:
        pinned = ""
    notify(project.root)  # every shell's next prompt looks again
    done = text(moved, limit=8) if moved else "nothing to change"
    missing = [n for n in compare(after, wanted)]
    if status != SYNC_OK or missing or refused:
        left = ", ".join(sorted({*(c.name for c in missing), *refused}))
        say(f"{project.name} only partly restored to generation {target['id']} ({done}); not as it was: {left}"
            f" — the env is recorded as it is now (`envhook log`, `envhook undo`)", error=True)
        return 1
    say(f"restored {project.name} to generation {target['id']} ({target.get('by', '?')}): {done}{pinned}")
    return 0


def _specs(project: Project, install: dict[str, str]) -> tuple[list[str], list[str]]:
    """The install arguments for each dist, as its generation recorded it,
    and the names that cannot be had again as recorded."""
    specs, refused = [], []
    for name, value in sorted(install.items()):
        version, source = split(value)
        if source is None:
            specs.append(f"{name}=={version}")
            continue
        url = source["url"]
        where = file_path(url)
        if where is not None:
            why = paths.unsafe_chain(where)
            if why is not None or not Path(where).exists():
                say(f"not reinstalling {name} from {where}: it {why or 'is gone'}", error=True)
                refused.append(name)
                continue
            specs += ["-e", where] if source["editable"] else [f"{name} @ {url}"]
        elif "***@" in url:
            # Its credentials were never kept: the version comes from the project's own index settings.
            specs.append(f"{name}=={version}")
        else:
            specs.append(f"{name} @ {url}")
    return specs, refused


def _index_args(project: Project) -> list[str]:
    """The project's own package indexes, where its tool keeps them in
    pyproject.toml (Poetry's and PDM's sources: uv reads only its own
    config, which it finds itself from the project's directory)."""
    if project.backend == "pip":
        return _requirements_index_args(project)
    tool = (project.pyproject or {}).get("tool", {})
    if project.backend == "pdm":
        sources = tool.get("pdm", {}).get("source", [])
    elif project.backend == "poetry":
        sources = tool.get("poetry", {}).get("source", [])
    else:
        return []
    urls = [s["url"] for s in sources if isinstance(s, dict) and isinstance(s.get("url"), str)]
    # PDM's source named "pypi" replaces PyPI; otherwise PyPI stays first.
    main = next((s["url"] for s in sources if isinstance(s, dict) and s.get("name") == "pypi"
                 and isinstance(s.get("url"), str)), None)
    args = ["--index-url", main] if main else []
    return args + [a for u in urls if u != main for a in ("--extra-index-url", u)]


LOCKS = {"uv": "uv.lock", "poetry": "poetry.lock", "pdm": "pdm.lock"}


def lock_hashes(project: Project) -> dict[tuple[str, str], list[str]]:
    """(name, version) -> the hashes the project's lock gives its files
    (uv.lock's sdist and wheels, Poetry's and PDM's files): a version the
    lock pins comes back only as one of those files."""
    import tomllib

    lock = project.root / LOCKS.get(project.backend, "")
    if project.backend not in LOCKS or not lock.is_file():
        return {}
    try:
        with open(lock, "rb") as f:
            data = tomllib.load(f)
    except (OSError, ValueError):
        return {}
    out = {}
    for pkg in data.get("package", []):
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            continue
        files = [pkg.get("sdist"), *(pkg.get("wheels") or []), *(pkg.get("files") or [])]
        hashes = sorted({f["hash"] for f in files if isinstance(f, dict) and isinstance(f.get("hash"), str)})
        if hashes:
            out[(venv.canonical(pkg["name"]), str(pkg.get("version")))] = hashes
    return out


def _requirements(project: Project, specs: list[str]) -> list[str]:
    """uv's arguments for SPECS: a requirements file under the state dir
    (yours alone, written whole) where the lock has hashes for a pinned
    version, which uv then checks."""
    hashes = lock_hashes(project)
    lines, rest = [], []
    for spec in specs:
        name, sep, version = spec.partition("==")
        found = hashes.get((name, version)) if sep and " " not in spec else None
        if found:
            lines.append(" ".join([spec, *(f"--hash={h}" for h in found)]))
        else:
            rest.append(spec)
    if not lines:
        return specs
    req = ensure_project_dir(project.root) / "restore-requirements.txt"
    atomic_write(req, ("\n".join(lines) + "\n").encode())
    return ["-r", str(req), *rest]


def _requirements_index_args(project: Project) -> list[str]:
    """A requirements project's indexes: the option lines of its files
    (`-i URL`, `--extra-index-url`, `-f DIR`, `--no-index`), which its sync
    keeps too (backends/pipsync.py)."""
    import shlex

    from envhook.backends.pip import sources
    from envhook.backends.pipsync import INDEX_OPTIONS

    args = []
    for f in sources(project):
        try:
            lines = f.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                words = shlex.split(line, comments=True) if line.lstrip().startswith("-") else []
            except ValueError:
                continue  # unbalanced quotes: pip would refuse the line too
            if words and words[0].split("=")[0] in INDEX_OPTIONS:
                args += words
    return args


def _apply(project: Project, specs: list[str], remove: list[str]) -> str:
    python = str(project.env / "bin" / "python")
    uv = uv_path(str(project.env))
    status = SYNC_OK
    with Runner(project) as run:
        if specs:
            if uv is not None:
                base = [uv, "pip", "install", "--python", python, "--no-deps", "--reinstall", *_index_args(project)]
                specs = _requirements(project, specs)
                outcome = run("uv pip install --offline", [*base, "--offline", *specs])
                if outcome.status == SYNC_FAILED:  # not in the cache: as the project's configuration says
                    outcome = run("uv pip install", [*base, *specs])
            else:
                outcome = run("pip install", [python, "-m", "pip", "install", "--no-deps", *_index_args(project),
                                              *specs])
            status = outcome.status
            if status != SYNC_OK:
                say(outcome.message or "the install failed", error=True)
        if remove and status == SYNC_OK:
            argv = [uv, "pip", "uninstall", "--python", python, *remove] if uv else \
                [python, "-m", "pip", "uninstall", "-y", *remove]
            outcome = run("uv pip uninstall" if uv else "pip uninstall", argv)
            status = outcome.status
            if status != SYNC_OK:
                say(outcome.message or "the uninstall failed", error=True)
    return status
