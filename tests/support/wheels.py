"""Hand-built, minimal, pure-Python wheels for offline uv tests.

No network and no build backend: each wheel is written with :mod:`zipfile`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["build_wheel", "build_wheelhouse", "normalize_name", "WHEELHOUSE_SPEC"]

# (name, version, requires) for the standard wheelhouse used by the tests.
WHEELHOUSE_SPEC: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("tinkerpkg", "1.0", ()),
    ("tinkerpkg", "2.0", ()),
    ("tinkerpkg", "3.0", ()),
    ("otherpkg", "1.0", ()),
    ("otherpkg", "1.1", ()),
    ("depkg", "1.0", ("otherpkg>=1.0",)),
    ("extrapkg", "1.0", ()),
    # Like real packages: a chain of dependencies (chaina -> chainb -> chainc),
    # and one whose dependency depends on a marker (markerpkg needs chainc on
    # any Python 3, extrapkg only on Python 2, i.e. never here).
    ("chaina", "1.0", ("chainb>=1.0",)),
    ("chaina", "2.0", ("chainb>=1.0",)),
    ("chainb", "1.0", ("chainc",)),
    ("chainc", "1.0", ()),
    ("chainc", "2.0", ()),
    ("markerpkg", "1.0", ('chainc>=1.0; python_version >= "3"', 'extrapkg; python_version < "3"')),
)

# Fixed timestamp so that wheels are byte-for-byte reproducible.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def normalize_name(name: str) -> str:
    """PEP 503 normalisation (lowercase, runs of ``-_.`` collapsed to ``-``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_name_part(name: str) -> str:
    """Distribution name as used in wheel filenames / dist-info dirs (PEP 427/491)."""
    return normalize_name(name).replace("-", "_")


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def build_wheel(
    dest_dir: Path,
    name: str,
    version: str,
    requires: Iterable[str] = (),
    extra_files: dict[str, str] | None = None,
) -> Path:
    """Write ``<name>-<version>-py3-none-any.whl`` into *dest_dir* and return its path.

    The wheel contains the importable package ``<name>/__init__.py`` (with ``-``
    and ``.`` in *name* mapped to ``_``) defining ``__version__ = "<version>"``,
    any *extra_files* (archive path -> text content), and a ``.dist-info``
    directory with METADATA, WHEEL and RECORD.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)

    dist = _wheel_name_part(name)
    module = re.sub(r"[-.]+", "_", name).lower()
    dist_info = f"{dist}-{version}.dist-info"
    tag = "py3-none-any"

    files: dict[str, bytes] = {
        f"{module}/__init__.py": f'__version__ = "{version}"\n'.encode(),
    }
    for arcname, content in (extra_files or {}).items():
        files[arcname] = content.encode()

    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        "Summary: Test fixture package for envhook",
    ]
    metadata += [f"Requires-Dist: {req}" for req in requires]
    files[f"{dist_info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\n"
        "Generator: envhook-tests (hand-built)\n"
        "Root-Is-Purelib: true\n"
        f"Tag: {tag}\n"
    ).encode()

    record_path = f"{dist_info}/RECORD"
    record_lines = [f"{arc},{_record_hash(data)},{len(data)}" for arc, data in files.items()]
    record_lines.append(f"{record_path},,")
    files[record_path] = ("\n".join(record_lines) + "\n").encode()

    wheel_path = dest_dir / f"{dist}-{version}-{tag}.whl"
    tmp_path = wheel_path.with_name(wheel_path.name + ".tmp")
    with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in files.items():
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp_path.replace(wheel_path)
    return wheel_path


def build_wheelhouse(dest_dir: Path) -> Path:
    """Build the standard set of test wheels into *dest_dir* and return it.

    tinkerpkg 1.0/2.0/3.0, otherpkg 1.0/1.1, depkg 1.0 (requires otherpkg>=1.0),
    extrapkg 1.0, chaina 1.0/2.0 -> chainb 1.0 -> chainc 1.0/2.0, markerpkg 1.0
    (chainc on Python 3, extrapkg on Python 2).
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    for name, version, requires in WHEELHOUSE_SPEC:
        build_wheel(dest_dir, name, version, requires)
    return dest_dir
