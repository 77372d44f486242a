"""paths.py computes the state dir without importing platformdirs; it must
give platformdirs' answer, which stays the reference."""

from __future__ import annotations

import os

import pytest
from platformdirs import user_config_dir, user_state_dir

from envhook.env.activation import Activation
from envhook.prompt import hookcache
from envhook.store import paths


@pytest.mark.parametrize("xdg", [None, "", "   ", "/custom/state", "relative/state"])
def test_state_dir_matches_platformdirs(xdg, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", xdg)
    assert paths.state_dir() == user_state_dir("envhook", appauthor=False)


@pytest.mark.parametrize("xdg", [None, "", "   ", "/custom/config", "relative/config"])
def test_config_dir_matches_platformdirs(xdg, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    assert paths.config_dir() == user_config_dir("envhook", appauthor=False)


def test_nearest_project_dir(tmp_path):
    (tmp_path / "p" / "a" / "b").mkdir(parents=True)
    (tmp_path / "p" / "pyproject.toml").write_text("")
    assert paths.nearest_project_dir(str(tmp_path / "p" / "a" / "b")) == str(tmp_path / "p")
    assert paths.nearest_project_dir(str(tmp_path / "p")) == str(tmp_path / "p")


def _decision(deps, now_ns):
    act = Activation("/r/.venv", "r", False, "in-sync")
    where = hookcache.location(("UV_PROJECT_ENVIRONMENT",), os.environ)  # a uv project's
    return hookcache.Decision("/r", "demo", act, ["/r"], ["/w 1", "/w\n2"], ["/a"], ["/p"],
                              hookcache.observe(deps, now_ns), where, {"/r/uv.lock": "abc", "/r/.python-version": None})


def test_decision_cache_round_trip_and_invalidation(tmp_path, monkeypatch):
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    dep = tmp_path / "uv.lock"
    dep.write_text("one")
    missing = tmp_path / ".python-version"
    cache = os.path.join(paths.state_dir(), "dirs", "x")  # read_state reads only under the state dir
    later = os.stat(dep).st_ctime_ns + 3_000_000_000  # the file is old by then: its signature is trusted
    d = _decision([str(dep), str(missing)], later)
    assert [racy for _, _, racy in d.deps] == ["", ""]
    hookcache.write(cache, d)
    back = hookcache.read(cache)
    assert (back.root, back.name, back.act.words(), back.watch, back.absent, back.present) == (
        d.root, d.name, d.act.words(), d.watch, d.absent, d.present)
    assert back.inputs == d.inputs and back.deps == d.deps
    assert back.fresh(os.environ)
    # Its backend's variables, by name: unset, set (even empty) is a move; another backend's is not.
    assert back.env_vars == ["UV_PROJECT_ENVIRONMENT"]
    assert not back.fresh({"UV_PROJECT_ENVIRONMENT": "elsewhere"}) and not back.fresh({"UV_PROJECT_ENVIRONMENT": ""})
    assert back.fresh({"POETRY_VIRTUALENVS_PATH": "elsewhere"})
    missing.write_text("3.12")  # a file that appears
    assert hookcache.read(cache).moved() == [str(missing)]
    missing.unlink()
    assert hookcache.read(cache).fresh(os.environ)
    dep.write_text("two")  # same size, new content: ctime and mtime move
    assert hookcache.read(cache).moved() == [str(dep)]


def test_racily_clean_files_are_checked_by_content(tmp_path):
    dep = tmp_path / "uv.lock"
    dep.write_text("one")
    st = os.stat(dep)
    d = _decision([str(dep), str(tmp_path)], st.st_ctime_ns)  # observed in the same tick as the write
    assert all(racy for _, _, racy in d.deps)
    assert d.moved() == []
    # A rewrite that keeps size, mtime and ctime (same clock tick) is still seen.
    dep.write_text("two")
    os.utime(dep, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert d.moved() == [str(dep)]
    (tmp_path / "new").write_text("")  # a directory's listing changed
    assert str(tmp_path) in d.moved()


def test_damaged_decision_cache_reads_as_absent(tmp_path):
    cache = tmp_path / "c"
    for data in (b"", b"garbage", b"envhook-decision-1\0x\0/r\0999", b"\xff\xfe"):
        cache.write_bytes(data)
        assert hookcache.read(str(cache)) is None


# -- stamps and files dated in the future (issue 26, finding 7) ----------------------------

DAY_NS = 86400 * 10**9


def _dated(path, ns):
    path.write_text("")
    os.utime(path, ns=(ns, ns))
    return path


def test_a_file_dated_in_the_future_gets_a_stamp_of_its_own_and_the_shells_stays_at_now(tmp_path):
    import time

    stamp = str(tmp_path / "state" / "stamps" / "s-key")
    t = paths.start_stamp(stamp)
    ahead = _dated(tmp_path / "pyproject.toml", time.time_ns() + DAY_NS)
    now_dated = tmp_path / "uv.lock"
    now_dated.write_text("")
    marks = paths.stamp_future(stamp, [str(ahead), str(now_dated), str(tmp_path / "gone")])
    assert list(marks) == [str(ahead)]
    mark = marks[str(ahead)]
    assert os.path.dirname(mark) == os.path.dirname(stamp) and mark.startswith(stamp)
    assert mark.endswith(paths.MTIME_STAMP)
    assert os.stat(mark).st_mtime_ns == ahead.stat().st_mtime_ns
    paths.finish_stamp(stamp, t)
    assert os.stat(stamp).st_mtime_ns == t - 1 <= time.time_ns()
    # Read before the decision, the mtime then wins: a change made meanwhile still shows.
    before = ahead.stat().st_mtime_ns - 5
    assert os.stat(paths.stamp_future(stamp, [str(ahead)], {str(ahead): before})[str(ahead)]).st_mtime_ns == before


def test_the_stamp_of_a_file_dated_in_the_future_is_never_written_through_a_link(tmp_path):
    import time

    stamp = str(tmp_path / "stamps" / "s-key")
    paths.start_stamp(stamp)
    ahead = _dated(tmp_path / "pyproject.toml", time.time_ns() + DAY_NS)
    target = tmp_path / "victim"
    target.write_text("")
    old = target.stat().st_mtime_ns
    mark = f"{stamp}.{paths.key(str(ahead))[:16]}{paths.MTIME_STAMP}"
    os.symlink(target, mark)
    assert paths.stamp_future(stamp, [str(ahead)]) == {str(ahead): mark}  # still watched: never blind
    assert target.stat().st_mtime_ns == old and os.path.islink(mark)


def test_notify_passes_the_shells_stamps_not_the_dated_files(tmp_path, monkeypatch):
    """`notify` goes past a shell's stamp left ahead by a clock stepped back,
    never past a stamp that carries a file's future date: that would date
    notify itself in the future."""
    import time
    from pathlib import Path

    from envhook.store import records

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    stamps = Path(paths.stamps_dir(paths.state_dir()))
    stamps.mkdir(parents=True)
    _dated(stamps / f"s-key.{'0' * 16}{paths.MTIME_STAMP}", time.time_ns() + DAY_NS)
    root = tmp_path / "proj"
    root.mkdir()
    records.notify(root)
    notify = Path(paths.project_state(paths.state_dir(), str(root))) / paths.NOTIFY
    assert notify.stat().st_mtime_ns <= time.time_ns()
    shell = _dated(stamps / "s-key", time.time_ns() + 3600 * 10**9)  # the clock stepped back an hour
    records.notify(root)
    assert notify.stat().st_mtime_ns > shell.stat().st_mtime_ns


def test_stamps_are_pruned_by_when_they_were_written(tmp_path, monkeypatch):
    """A stamp carrying a date two days ahead, written now: pruned as written
    now (here with a cutoff a day ahead), not kept for as long as the date is ahead."""
    import time
    from pathlib import Path

    from envhook.store import records

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    stamps = Path(paths.stamps_dir(paths.state_dir()))
    stamps.mkdir(parents=True)
    mark = _dated(stamps / f"s-key.{'0' * 16}{paths.MTIME_STAMP}", time.time_ns() + 2 * DAY_NS)
    records.prune_stamps(max_age_days=-1)
    assert not mark.exists()
