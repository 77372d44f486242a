"""paths.py computes the state dir without importing platformdirs; it must
give platformdirs' answer, which stays the reference."""

from __future__ import annotations

import os

import pytest
from platformdirs import user_state_dir

from envhook import hookcache, paths


@pytest.mark.parametrize("xdg", [None, "", "   ", "/custom/state", "relative/state"])
def test_state_dir_matches_platformdirs(xdg, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", xdg)
    assert paths.state_dir() == user_state_dir("envhook", appauthor=False)


def test_nearest_project_dir_and_dirs_between(tmp_path):
    (tmp_path / "p" / "a" / "b").mkdir(parents=True)
    (tmp_path / "p" / "pyproject.toml").write_text("")
    deep = str(tmp_path / "p" / "a" / "b")
    assert paths.nearest_project_dir(deep) == str(tmp_path / "p")
    assert paths.dirs_between(deep, str(tmp_path / "p")) == [
        os.path.join(deep, "pyproject.toml"),
        str(tmp_path / "p" / "a" / "pyproject.toml"),
    ]


def _decision(deps, uv_env=hookcache.UNSET):
    sigs = [(p, hookcache.signature(p)) for p in deps]
    return hookcache.Decision("/r", ["/r/.venv", "r", "0"], ["/r"], ["/w 1", "/w\n2"], ["/a"], sigs, uv_env)


def _age(path, seconds=10):
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


def test_decision_cache_round_trip_and_invalidation(tmp_path, monkeypatch):
    dep = tmp_path / "uv.lock"
    dep.write_text("one")
    missing = tmp_path / ".python-version"
    cache = str(tmp_path / "state" / "dirs" / "x")
    d = _decision([str(dep), str(missing)])
    # Written seconds ago by the clock of the filesystem: racy, not cached.
    assert hookcache.write(cache, d, os.stat(dep).st_ctime_ns) is False
    assert hookcache.write(cache, d, os.stat(dep).st_ctime_ns + 3_000_000_000) is True
    back = hookcache.read(cache)
    assert (back.root, back.act, back.watch, back.absent) == (d.root, d.act, d.watch, d.absent)
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    assert back.fresh(os.environ)
    assert not back.fresh({"UV_PROJECT_ENVIRONMENT": "elsewhere"})
    missing.write_text("3.12")  # a file that appears
    assert not hookcache.read(cache).fresh(os.environ)
    missing.unlink()
    assert hookcache.read(cache).fresh(os.environ)
    dep.write_text("two")  # same size, new content: ctime and mtime move
    assert not hookcache.read(cache).fresh(os.environ)


def test_damaged_decision_cache_reads_as_absent(tmp_path):
    cache = tmp_path / "c"
    for data in (b"", b"garbage", b"envhook-decision-1\0x\0/r\0999", b"\xff\xfe"):
        cache.write_bytes(data)
        assert hookcache.read(str(cache)) is None
