"""A tiny local, buildable package for tests that install from a path.

The wheelhouse (:mod:`support.wheels`) only holds ready-made wheels; a hand
change like ``uv pip install -e ../otherpkg`` needs a *source tree* that uv can
build offline.  :func:`make_local_package` writes one with an in-tree PEP 517
backend (``backend-path = ["."]``, ``requires = []``), so no build dependency
has to be fetched: uv runs the backend with nothing but the standard library.

The backend implements ``build_wheel`` and ``build_editable``.  The regular
wheel carries ``<module>/__init__.py`` (``__version__ = "<version>"``); the
editable wheel instead carries a ``.pth`` file that puts ``<path>/src`` on
``sys.path``, so the package is imported from the tree, as with any editable
install.  No ``prepare_metadata_*`` hooks: uv falls back to building the wheel
to read the metadata, which is fine for a wheel this small.
"""

from __future__ import annotations

import re
from pathlib import Path

from support.projects import toml_str

__all__ = ["make_local_package", "BACKEND_SOURCE"]

BACKEND_MODULE = "envhook_test_backend"

BACKEND_SOURCE = '''\
"""In-tree PEP 517 backend for envhook's tests (standard library only)."""

import base64
import hashlib
import os
import re
import tomllib
import zipfile


def _meta():
    with open("pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    return project["name"], project["version"], list(project.get("dependencies", []))


def _norm(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _wheel(directory, editable):
    name, version, requires = _meta()
    dist = _norm(name)
    module = _norm(name)
    dist_info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"
    metadata += "".join(f"Requires-Dist: {r}\\n" for r in requires)
    files = {}
    if editable:
        files[f"_{dist}_editable.pth"] = os.path.abspath("src") + "\\n"
    else:
        with open(os.path.join("src", module, "__init__.py"), encoding="utf-8") as f:
            files[f"{module}/__init__.py"] = f.read()
    files[dist_info + "/METADATA"] = metadata
    files[dist_info + "/WHEEL"] = (
        "Wheel-Version: 1.0\\nGenerator: envhook-test-backend\\n"
        "Root-Is-Purelib: true\\nTag: py3-none-any\\n"
    )
    whl = f"{dist}-{version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(directory, whl), "w") as z:
        for path, text in files.items():
            data = text.encode()
            z.writestr(path, data)
            record.append(_record_line(path, data))
        record.append(dist_info + "/RECORD,,")
        z.writestr(dist_info + "/RECORD", "\\n".join(record) + "\\n")
    return whl


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, True)
'''


def make_local_package(path: Path, name: str, version: str, dependencies: tuple[str, ...] = ()) -> Path:
    """Write a buildable package *name* *version* at *path* and return *path*.

    Layout: ``pyproject.toml`` (with ``[build-system]`` pointing at the in-tree
    backend), ``envhook_test_backend.py`` and ``src/<module>/__init__.py``
    defining ``__version__``.  ``uv pip install -e <path>`` (editable, a
    ``.pth`` to ``<path>/src``) and ``uv pip install <path>`` both work offline.
    """
    path = Path(path)
    module = re.sub(r"[-_.]+", "_", name).lower()
    (path / "src" / module).mkdir(parents=True, exist_ok=True)
    (path / "src" / module / "__init__.py").write_text(f'__version__ = "{version}"\n', encoding="utf-8")
    deps = "[" + ", ".join(toml_str(d) for d in dependencies) + "]"
    (path / "pyproject.toml").write_text(
        "[project]\n"
        f"name = {toml_str(name)}\n"
        f"version = {toml_str(version)}\n"
        f"dependencies = {deps}\n"
        "\n"
        "[build-system]\n"
        "requires = []\n"
        f"build-backend = {toml_str(BACKEND_MODULE)}\n"
        'backend-path = ["."]\n',
        encoding="utf-8",
    )
    (path / f"{BACKEND_MODULE}.py").write_text(BACKEND_SOURCE, encoding="utf-8")
    return path
