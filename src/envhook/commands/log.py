"""`envhook log`: the generations of a project's env, newest first — when,
who made each as far as envhook can tell, and what changed from the one
before (env/journal.py keeps them). Reading is allowed in any project,
trusted or not: it runs nothing and changes nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from envhook.commands.common import locate
from envhook.env import journal
from envhook.messages import clean


def log(path: Path | None, as_json: bool, count: int | None) -> int:
    project = locate(path)  # says why there is none, as undo and status do
    if project is None:
        return 1
    gens = journal.generations(project.root)
    if count is not None:
        gens = gens[: max(count, 0)]
    if as_json:
        json.dump([journal.to_json(g) for g in gens], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not gens:
        sys.stdout.write(f"{project.name}: no generation recorded yet (envhook records one each time it sees "
                         "the env change)\n")
        return 0
    lines = []
    for g in gens:
        lines.append(f"#{g['id']}  {g.get('when', '?')}  {g.get('by', '?')}")
        if g["changes"] is None:
            lines.append(f"    {len(g['packages'])} packages (the oldest generation kept)")
        else:
            lines += [f"    {journal.change_line(c)}" for c in g["changes"]]
    # Names, versions and URLs come from the env: shown as text, never as terminal commands.
    sys.stdout.write("\n".join(clean(line) for line in lines) + "\n")
    return 0
