"""A backend knows itself (issue 29): a fifth backend is its module, one line
of backends.REGISTRY and its tests. Here a fake one, registered by one line
(the only monkeypatching: the registry itself), is detected by its lock file
and its table, may be chosen in [tool.envhook], takes what its class says it
takes, and doctor checks its tool, a real program on PATH, with what its
class says: nothing else in envhook names it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from envhook import backends
from envhook.backends import Registered, detect
from envhook.backends.base import Backend
from envhook.commands import doctor
from envhook.decide.project import ProjectError, find_project
from envhook.env.drift import LockDrift


class FakeBackend(Backend):
    name = "fake"
    sync_label = "faketool sync"
    supports_groups = True
    location_vars = ("FAKE_ENV_DIR",)
    tool, title = "faketool", "FakeTool"
    min_tool_version = (2, 0)
    install = "install it: pipx install faketool"
    reinstall = "reinstall it: pipx install --force faketool"
    upgrade = "upgrade it: pipx upgrade faketool"

    def inputs(self, project):
        return [project.root / "pyproject.toml", project.root / self.lock]

    def commands(self, project, *, keep=()):
        return [("faketool sync", ["faketool", "sync"])]

    def lock_drift(self, project, *, now=None):
        return LockDrift([])


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(backends, "_cache", dict(backends._cache))  # its instance goes with the test
    monkeypatch.setattr(backends, "REGISTRY", (
        *backends.REGISTRY, Registered("fake", lock="fake.lock", table="fake", cls=f"{__name__}:FakeBackend")))


def project(path: Path, extra: str = "", lock: bool = True) -> Path:
    path.mkdir(parents=True)
    (path / "pyproject.toml").write_text(f'[project]\nname = "demo"\nversion = "0.1"\n{extra}')
    if lock:
        (path / "fake.lock").write_text("")
    return path


def test_a_fifth_backend_is_detected_by_its_lock_file_and_its_table(fake, tmp_path):
    assert backends.NAMES[-1] == "fake" and ("fake.lock", "fake") in backends.LOCKS
    p = project(tmp_path / "demo")
    d = detect(p, {})
    assert (d.name, d.why, d.ignored) == ("fake", "fake.lock", ())
    found = find_project(p)
    assert (found.backend, found.env, found.inputs) == ("fake", p / ".venv", [p / "pyproject.toml", p / "fake.lock"])
    assert backends.backend_for(found).lock_description(found) == "fake.lock"
    # In the registry's order: an earlier backend's lock wins, and the fake's is named as ignored.
    (p / "uv.lock").write_text("")
    d = detect(p, {})
    assert (d.name, d.ignored) == ("uv", ("fake.lock",))
    # Its table, without a lock; and chosen by name.
    assert detect(tmp_path, {"tool": {"fake": {}}}).name == "fake"
    chosen = project(tmp_path / "chosen", '[tool.envhook]\nbackend = "fake"\n', lock=False)
    assert find_project(chosen).backend == "fake"


def test_a_fifth_backend_takes_what_its_class_says(fake, tmp_path):
    p = find_project(project(tmp_path / "grouped", '[tool.envhook]\ngroups = ["docs"]\n'))
    assert (p.backend, p.selection.groups) == ("fake", ("docs",))
    with pytest.raises(ProjectError) as e:
        find_project(project(tmp_path / "extras", '[tool.envhook]\nextras = ["fancy"]\n'))
    assert "[tool.envhook] extras are for uv, Poetry and PDM; fake syncs what its lock or files name" in str(e.value)


def fake_tool(bin_dir: Path, version_line: str) -> None:
    """`faketool`, a real program that answers --version with `version_line`."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    tool = bin_dir / "faketool"
    tool.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.parametrize(("version", "expect"), [
    ("faketool 2.1.0", "ok   faketool for demo (fake project at {root}): faketool 2.1.0 ({bin}/faketool)"),
    ("faketool 1.9", "FAIL faketool for demo (fake project at {root}): {bin}/faketool is FakeTool 1.9; "
                     "envhook needs FakeTool 2.0 or newer — upgrade it: pipx upgrade faketool"),
    (None, "FAIL faketool for demo (fake project at {root}): faketool is not on PATH — "
           "install it: pipx install faketool"),
], ids=["ok", "too-old", "missing"])
def test_doctor_checks_a_fifth_backends_tool(fake, tmp_path, monkeypatch, capsys, version, expect):
    p = project(tmp_path / "demo")
    bin_dir = tmp_path / "bin"
    if version is not None:
        fake_tool(bin_dir, version)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.chdir(p)
    monkeypatch.setenv("PWD", str(p))
    doctor.doctor()
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln[len("FAIL "):].startswith("faketool for demo")]
    assert lines == [expect.format(root=p.resolve(), bin=bin_dir)], out
