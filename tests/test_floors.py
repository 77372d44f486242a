"""Imports run one way: each package stands on the ones below it and never
imports one above it, directly or from inside a function (CONTRIBUTING, "How
the parts fit"). The floors, from the ground up:

    messages < store < env < backends < decide < prompt < commands < cli

store keeps what lives under the state and config dirs; env is what an env
holds and what activating it changes; backends are the sync tools; decide is
the decision (project, trust, assess, notices, syncing); prompt is what runs
at a prompt (the cached entry and the full evaluation); commands are the
user's commands; cli is argparse. The test reads every import of every
module, function-local ones included, from the source (ast), so an arrow
that runs back up fails here before anyone draws it."""

from __future__ import annotations

import ast
from pathlib import Path

import envhook

SRC = Path(envhook.__file__).parent

# Each module of envhook, by its first name under envhook/, on its floor.
FLOORS = {
    "__init__": 0, "messages": 1, "store": 2, "env": 3, "backends": 4, "decide": 5,
    # hookentry: the old hooks' name for the entry, handing on to prompt.entry
    "prompt": 6, "hookentry": 7, "commands": 7, "cli": 8, "__main__": 9,
}


def _floor(module: str) -> tuple[int, str]:
    parts = module.split(".")
    if parts[0] != "envhook":
        raise ValueError(module)
    top = parts[1] if len(parts) > 1 else "__init__"
    return FLOORS[top], top


def _module_name(path: Path, src: Path) -> str:
    rel = path.relative_to(src.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, src: Path) -> list[tuple[int, str]]:
    """(line, module) for every envhook module `path` imports."""
    tree = ast.parse(path.read_text(), str(path))
    me = _module_name(path, src)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "envhook"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name.split(".")[0] != "envhook":
                continue
            if name == "envhook":  # `from envhook import x`: x is a module (or __version__)
                out += [(node.lineno, f"envhook.{a.name}" if a.name != "__version__" else "envhook")
                        for a in node.names]
            else:
                out.append((node.lineno, name))
    return out


def arrows_up(src: Path = SRC) -> list[str]:
    found = []
    for path in sorted(src.rglob("*.py")):
        me = _module_name(path, src)
        my_floor, my_top = _floor(me)
        for line, target in _imports(path, src):
            floor, top = _floor(target)
            if floor > my_floor or (floor == my_floor and top != my_top):
                found.append(f"{path.relative_to(src)}:{line}: {me} (floor {my_floor}) "
                             f"imports {target} (floor {floor})")
    return found


def test_every_module_has_a_floor():
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in SRC.iterdir()
            if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())}
    assert tops <= set(FLOORS), f"a new top-level module needs a floor here: {sorted(tops - set(FLOORS))}"


def test_no_import_runs_back_up():
    assert arrows_up() == []


def test_the_reader_sees_an_arrow_up(tmp_path):
    """The check itself can fail: in a small tree of the same shape, imports
    from store up to decide are seen, at module level, inside a function and
    relative; one down from decide to store is not."""
    src = tmp_path / "envhook"
    for package in ("store", "decide"):
        (src / package).mkdir(parents=True)
        (src / package / "__init__.py").write_text("")
    (src / "__init__.py").write_text("")
    (src / "store" / "a.py").write_text("import os\nfrom envhook.decide import assess\n")
    (src / "store" / "b.py").write_text("def f():\n    from ..decide.assess import State\n")
    (src / "store" / "c.py").write_text("import envhook.decide.project\n")
    (src / "decide" / "d.py").write_text("from envhook.store import paths\nfrom . import e\n")
    found = arrows_up(src)
    assert [a.split(":")[0:2] for a in found] == [["store/a.py", "2"], ["store/b.py", "2"], ["store/c.py", "1"]]
