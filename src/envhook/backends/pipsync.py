"""`uv pip sync` for machines without uv, with pip's own tools: resolve the
requirements files (`pip install --dry-run --report`: every dependency of
every line), install exactly that resolution (`pip install --no-deps`), and
uninstall what it does not name (pip, setuptools and wheel excepted: pip
cannot remove itself, and venvs come with them).

    python -I -m envhook.backends.pipsync ENV_PYTHON [--compile OUT [--only-compile]] FILE...

Run by the pip backend as one step of a sync (its output is the sync's
output), from the project root, so relative paths in the files mean what
they mean to pip. With --compile, the resolution is written to OUT as a
requirements file and that is installed; without it, FILE… is a complete
lock already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from envhook.backends.lockread import SEEDED
from envhook.env import venv
from envhook.store import paths

# Option lines of a requirements file that say where packages come from:
# the resolution keeps them, so that the install looks in the same places.
INDEX_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-index", "--trusted-host")


def main(argv: list[str]) -> int:
    python, rest = argv[0], argv[1:]
    out = None
    only = "--only-compile" in rest
    rest = [a for a in rest if a != "--only-compile"]
    if rest[:1] == ["--compile"]:
        out, rest = Path(rest[1]), rest[2:]
    files = [Path(f) for f in rest]
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    if out is not None:
        code = compile_into(pip, files, out)
        if code or only:
            return code
        files = [out]
    code = subprocess.call([*pip, "install", "--no-deps", *(x for f in files for x in ("-r", str(f)))])
    if code:
        return code
    extra = sorted(set(venv.installed(Path(python).parent.parent)) - wanted(files) - SEEDED)
    if extra:
        return subprocess.call([*pip, "uninstall", "--yes", *extra])
    return 0


def compile_into(pip: list[str], files: list[Path], out: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        code = subprocess.call([*pip, "install", "--dry-run", "--ignore-installed", "--quiet", "--report", report,
                                *(x for f in files for x in ("-r", str(f)))])
        if code:
            return code
        try:
            with open(report, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            print("ERROR: pip wrote no resolution report (`pip install --report` needs pip 22.2 or newer; "
                  "upgrade the env's pip, or install uv)", file=sys.stderr)
            return 1
    lines = [ln for f in files for ln in _options(f)]
    for item in data.get("install", []):
        meta = item.get("metadata") or {}
        name, version = meta.get("name"), meta.get("version")
        info = item.get("download_info") or {}
        url = info.get("url", "")
        if (info.get("dir_info") or {}).get("editable"):
            lines.append(f"-e {unquote(urlsplit(url).path) if url.startswith('file:') else url}")
        elif item.get("is_direct"):
            lines.append(f"{name} @ {url}")
        else:
            lines.append(f"{name}=={version}")
    paths.make_dirs(str(out.parent))
    out.write_text("# resolved by envhook with `pip install --dry-run --report`\n" + "\n".join(lines) + "\n")
    return 0


def _options(path: Path) -> list[str]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    return [ln.strip() for ln in text.splitlines() if ln.strip().startswith(INDEX_OPTIONS)]


def wanted(files: list[Path]) -> set[str]:
    from envhook.backends.pip import parse  # pip's module is loaded only for a requirements project

    direct: list[str] = []
    names = {r.name for f in files for r in parse(f, direct=direct, base=Path.cwd())}
    return names | set(direct)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
