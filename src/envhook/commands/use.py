"""`envhook use`: choose, once per project and without committing anything,
which dependency groups, extras and workspace packages its env gets. The
options are uv's own; Poetry, PDM and pip get them in their own words
(backends). Kept in envhook's state (store/choices.py), the highest layer
of the selection (env/selection.py), and an input of the sync: the next
prompt in every shell syncs once."""

from __future__ import annotations

import re
from pathlib import Path

from envhook.backends import backend_for
from envhook.commands.common import locate
from envhook.env.selection import ENVIRONMENT, WHERE, describe, option
from envhook.messages import clean, say
from envhook.store import choices

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


def use(path: Path | None, asked: dict, reset: bool) -> int:
    """ASKED: the options given, as a selection layer ("group": [...],
    "no-default-groups": True, …); none and no --reset: print what is in force."""
    bad = [n for key in ("group", "no-group", "only-group", "extra") for n in asked.get(key, [])
           if not _NAME.match(n)]
    bad += [m for m in asked.get("packages", []) if m is not True and not _NAME.match(m)] \
        if isinstance(asked.get("packages"), list) else []
    if bad:
        say(f"not a group, extra or package name: {', '.join(repr(b) for b in bad)}; nothing changed", error=True)
        return 2
    project = locate(path)
    if project is None:
        return 1
    if not asked and not reset:
        return _show(project)
    layer, _ = choices.load(project.root)
    layer = {} if reset else layer
    layer = merged(layer, asked)
    for key, name, why in backend_for(project).refuses(project, layer):
        if not _asked(asked, key, name):
            continue  # said when it was chosen; `envhook use` alone lists it again
        flag = option(key, name)
        say(f"{project.name} is synced by {backend_for(project).label}, which cannot honour `{flag}` ({why}); "
            "it is kept, and left out of its syncs", error=True)
    before = project.selection.key()
    choices.save(project.root, layer, project.backend)
    project = locate(path)  # read again: the layers merged with the new choice
    if project is None:
        return 1
    after = project.selection.key()
    mine = "" if layer else "no choice of yours; "
    say(f"{project.name}: {mine}a sync installs {after or 'the tool defaults'}{_in_its_words(project)}")
    if after != before:
        say("the next prompt in its shells syncs it (`envhook sync` does it now)")
    return 0


def merged(layer: dict, asked: dict) -> dict:
    """The user's layer with ASKED added: names add up; a group asked for is
    no longer refused there, and one refused is no longer asked for; the
    workspace packages and the yes/no keys are replaced."""
    out = {k: (list(v) if isinstance(v, list) else v) for k, v in layer.items()}
    for key, opposite in (("group", "no-group"), ("no-group", "group")):
        for name in asked.get(key, []):
            if name in out.get(opposite, []):
                out[opposite].remove(name)
            if name not in out.setdefault(key, []):
                out[key].append(name)
    for key in ("only-group", "extra"):
        for name in asked.get(key, []):
            if name not in out.setdefault(key, []):
                out[key].append(name)
    for key in ("no-default-groups", "all-extras", "packages"):
        if key in asked:
            out[key] = asked[key]
    return {k: v for k, v in out.items() if v not in ([], None, False)}


def _in_its_words(project) -> str:
    """ (`poetry sync --with docs`): how the tool is asked, where that is not uv's words."""
    words = "" if project.selection.empty else backend_for(project).selection_words(project)
    return f" (`{words}`)" if words else ""


def _overridden(sel) -> list[str]:
    """What a lower layer says that a higher one overrides (your `--group
    dev` over UV_NO_GROUP=dev), so that nothing in force goes unexplained."""
    out = []
    for i, (where, layer) in enumerate(sel.layers):
        for key, opposite in (("group", "no-group"), ("no-group", "group")):
            for name in layer.get(key, []):
                above = [w for w, higher in sel.layers[:i] if name in higher.get(opposite, [])]
                if above:
                    lower = "UV_NO_GROUP (or UV_NO_DEV) in your environment" if where == ENVIRONMENT else WHERE[where]
                    out.append(f"--{key} {name} from {lower} is overridden by --{opposite} {name} from "
                               f"{WHERE[above[0]]}")
    return out


def _asked(asked: dict, key: str, name: str | None) -> bool:
    value = asked.get(key)
    return bool(value) and (name is None or value is True or name in value)


def _show(project) -> int:
    """What a sync installs, each choice and where it comes from (stdout)."""
    backend = backend_for(project)
    chosen = describe(project.selection)
    if not chosen:
        print(clean(f"{project.name} ({backend.label}): nothing chosen; a sync installs the tool's defaults "
                    "(`envhook use --group G`, `--extra E`, … to choose)"))
    else:
        installs = f"{project.selection.key()}{_in_its_words(project)}"
        print(clean(f"{project.name} ({backend.label}): a sync installs {installs}"))
        width = max(len(flag) for flag, _ in chosen)
        for flag, where in chosen:
            print(clean(f"  {flag.ljust(width)}  from {where}"))
    for line in _overridden(project.selection):
        print(clean(f"  {line}"))
    layer, _ = choices.load(project.root)
    for key, name, why in backend.refuses(project, layer):
        print(clean(f"  `{option(key, name)}` is yours but left out: {backend.label} cannot honour it ({why})"))
    return 0
