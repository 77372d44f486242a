"""The decision table (evaluate.assess) row by row, with no shell and no sync:
real project files, a real uv.lock (uv lock, offline), trust, pins, settings
and sync records written by envhook's own functions, and an env laid out on
disk the way a venv is (pyvenv.cfg, bin/python, site-packages dist-info).
The real-shell suites prove the same states end to end; this one names each
state's inputs and answer in one place."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from envhook.decide import trust
from envhook.decide.assess import (
    DISABLED,
    FAILED,
    IN_SYNC,
    MISSING,
    NO_PROJECT,
    PINNED,
    STALE,
    TINKERED,
    UNTRUSTED,
    assess,
    env_config_digest,
)
from envhook.decide.project import find_project
from envhook.env import venv
from envhook.store import pins
from envhook.store.records import SYNC_FAILED, SYNC_OK, SyncRecord, fingerprint
from support.projects import make_project, set_dependencies, uv_lock

PY = f"python{sys.version_info[0]}.{sys.version_info[1]}"


def fake_env(project: Path, dists: dict[str, str]) -> Path:
    """A venv's layout with these dists installed (their dist-info dirs)."""
    env = project / ".venv"
    site = env / "lib" / PY / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    (env / "bin").mkdir(exist_ok=True)
    if not (env / "bin" / "python").exists():
        (env / "bin" / "python").symlink_to(sys.executable)
    (env / "pyvenv.cfg").write_text(f"home = {os.path.dirname(sys.executable)}\nversion_info = "
                                    f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}\n")
    for d in site.glob("*.dist-info"):
        for f in d.iterdir():
            f.unlink()
        d.rmdir()
    for name, version in dists.items():
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return env


def synced(project: Path, status: str = SYNC_OK) -> None:
    """Record a sync of the project as it is now (what `envhook sync` records)."""
    p = find_project(project)
    SyncRecord(status=status, inputs=fingerprint(p.inputs, p.root), env_cfg=env_config_digest(p.env),
               installed=venv.installed(p.env), message=None if status == SYNC_OK else "`uv sync` failed").save(p.root)


def setting(text: str) -> None:
    cfg = Path(os.environ["XDG_CONFIG_HOME"]) / "envhook" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(text)


def allow(project: Path) -> None:
    trust.allow(find_project(project))


# Each row: how the project is left, then (state, should_sync, what else must hold).
def _untrusted(p):
    fake_env(p, {"tinkerpkg": "1.0"})


def _denied(p):
    allow(p)
    trust.deny(p)


def _disabled(p):
    allow(p)
    with (p / "pyproject.toml").open("a") as f:
        f.write("\n[tool.envhook]\nenabled = false\n")


def _missing(p):
    allow(p)


def _in_sync(p):
    allow(p)
    fake_env(p, {"tinkerpkg": "1.0"})
    synced(p)


def _stale(p):
    _in_sync(p)
    set_dependencies(p, ["tinkerpkg==2.0"])  # pyproject.toml changed since the sync


def _tinkered(p):
    _in_sync(p)
    fake_env(p, {"tinkerpkg": "2.0"})  # `uv pip install tinkerpkg==2.0`


def _tinkered_then_changed(policy):
    def setup(p):
        setting(f'tinkered = "{policy}"\n')
        _in_sync(p)
        fake_env(p, {"tinkerpkg": "1.0", "otherpkg": "2.0"})  # a package the lock does not have, by hand
        set_dependencies(p, ["tinkerpkg==2.0"])
    return setup


def _pinned(p):
    _in_sync(p)
    pins.pin(p, fingerprint(find_project(p).inputs, p), None)
    set_dependencies(p, ["tinkerpkg==2.0"])


def _pinned_env_gone(p):
    _pinned(p)
    import shutil

    shutil.rmtree(p / ".venv")


def _failed(p):
    allow(p)
    fake_env(p, {})
    synced(p, SYNC_FAILED)


def _failed_then_changed(p):
    _failed(p)
    set_dependencies(p, ["tinkerpkg==2.0"])


def _sync_missing_changed(p):
    setting('sync = "missing"\n')
    _stale(p)


def _sync_missing_no_env(p):
    setting('sync = "missing"\n')
    allow(p)


def _empty_env_by_another_tool(p):
    allow(p)
    fake_env(p, {})  # `uv venv`: a venv, none of the project's packages, never synced by envhook


ROWS = {
    "untrusted": (_untrusted, UNTRUSTED, False, {"trusted": False, "denied": False}),
    "denied": (_denied, UNTRUSTED, False, {"trusted": False, "denied": True}),
    "disabled": (_disabled, DISABLED, False, {}),
    "missing": (_missing, MISSING, True, {"trusted": True}),
    "in-sync": (_in_sync, IN_SYNC, False, {"hand": []}),
    "stale": (_stale, STALE, True, {"changed": ["pyproject.toml changed"]}),
    "tinkered": (_tinkered, TINKERED, False, {"sync_keeps": ()}),
    "tinkered+changed keep": (_tinkered_then_changed("sync_keeps"), STALE, True, {"keeps_hand_made": True, "kept_whole": False}),
    "tinkered+changed freeze": (_tinkered_then_changed("freeze"), STALE, False, {"kept_whole": True, "sync_keeps": ()}),
    "tinkered+changed reset": (_tinkered_then_changed("reset"), STALE, True,
                               {"kept_whole": False, "keeps_hand_made": False, "sync_keeps": ()}),
    "pinned": (_pinned, PINNED, False, {"reasons": ["pyproject.toml changed since the pin"]}),
    "pinned, env deleted": (_pinned_env_gone, MISSING, True, {}),
    "failed": (_failed, FAILED, False, {}),
    "failed, inputs changed since": (_failed_then_changed, STALE, True, {}),
    "sync=missing, inputs changed": (_sync_missing_changed, STALE, False, {"held": True, "sync_missing": True}),
    "sync=missing, no env": (_sync_missing_no_env, MISSING, True, {"held": False, "sync_missing": True}),
    "empty env made by another tool": (_empty_env_by_another_tool, STALE, True, {"creates": True}),
}


@pytest.fixture
def locked(tmp_path, wheelhouse, shell_env, monkeypatch) -> Path:
    """A uv project with a real uv.lock; uv (for the lock, and the dry runs
    some rows ask of it) runs offline in this process too, as in the shells."""
    for k in ("UV_CACHE_DIR", "UV_OFFLINE", "UV_PYTHON_DOWNLOADS", "PATH"):
        if k in shell_env:
            monkeypatch.setenv(k, shell_env[k])
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    return p


@pytest.mark.parametrize("row", list(ROWS))
def test_the_decision_table(row, locked):
    setup, state, should_sync, more = ROWS[row]
    p = locked
    setup(p)
    a = assess(find_project(p))
    assert (a.state, a.should_sync) == (state, should_sync), (row, a.state, a.reasons)
    for name, want in more.items():
        got = getattr(a, name)
        if name == "hand":
            got = [c.name for c in got]
        elif name == "sync_keeps":
            got = tuple(got)
        assert got == want, (row, name, got)
    if row == "tinkered+changed keep":
        assert a.sync_keeps == ("otherpkg",), a.sync_keeps  # the hand-made package stays; tinkerpkg follows the lock


def test_an_assessment_is_frozen_and_replace_makes_a_new_one(locked):
    a = assess(find_project(locked))
    with pytest.raises(AttributeError):
        a.state = STALE
    b = a.replace(state="stale", reasons=["r"])
    assert (a.state, b.state, b.reasons, b.project) == (UNTRUSTED, STALE, ["r"], a.project)
    with pytest.raises(AttributeError):
        b.reasons = []


def test_no_project():
    a = assess(None)
    assert (a.state, a.should_sync, a.next) == (NO_PROJECT, False, "nothing (not inside a project)")


def test_status_asks_the_env_not_the_projects_own_stale_metadata(locked):
    """Seen with a `uv init` project: `uv add six==1.17.0` left the editable
    install's METADATA saying six==1.16.0, and status called the env failed
    ("demo 0.1.0 requires six==1.16.0") although it matched the lock. The
    project's own packages come from its tree; another package's unmet
    requirement is still found."""
    import json
    import subprocess

    p = locked
    allow(p)
    env = fake_env(p, {"tinkerpkg": "1.0", "demo": "0.1.0"})
    site = env / "lib" / PY / "site-packages"
    (site / "demo-0.1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo\nVersion: 0.1.0\nRequires-Dist: tinkerpkg==0.9\n")
    synced(p)

    def status():
        r = subprocess.run(["envhook", "status", "--json"], cwd=p, env=dict(os.environ), capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    data = status()
    assert (data["state"], data["unmet"]) == ("in-sync", []), data
    # Another package with the same stale requirement is a real gap.
    fake_env(p, {"tinkerpkg": "1.0", "demo": "0.1.0", "otherpkg": "1.0"})
    (site / "otherpkg-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: otherpkg\nVersion: 1.0\nRequires-Dist: tinkerpkg==0.9\n")
    synced(p)
    data = status()
    assert data["state"] == "failed" and data["unmet"] == [
        "otherpkg 1.0 requires tinkerpkg==0.9, but 1.0 is installed"], data
