"""The pieces drift is made of, on real envs: the env's snapshot (names as
packaging canonicalizes them, editable sources), the comparison with a
baseline, and the three line shapes users read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from envhook.env import venv
from envhook.env.drift import Change, compare, split, text


@pytest.mark.parametrize("name", ["Foo_Bar", "foo.bar", "FOO--bar", "zope.interface", "a_b.c-d", "ruamel.yaml.clib"])
def test_canonical_matches_packaging(name):
    assert venv.canonical(name) == canonicalize_name(name)


def fake_env(tmp_path: Path, dists: dict[str, dict | None]) -> Path:
    env = tmp_path / "env"
    sp = env / "lib" / "python3.11" / "site-packages"
    sp.mkdir(parents=True)
    for dist, direct in dists.items():
        d = sp / f"{dist}.dist-info"
        d.mkdir()
        (d / "METADATA").write_text("")
        if direct is not None:
            (d / "direct_url.json").write_text(json.dumps(direct))
    (sp / "not_a_dist").mkdir()
    return env


def test_installed_reads_names_versions_and_direct_urls(tmp_path):
    env = fake_env(tmp_path, {
        "Tinker_Pkg-2.0": None,
        "mylib-0.1.0": {"url": "file:///src/my%20lib", "dir_info": {"editable": True}},
        "other-1.1": {"url": "https://example.org/other-1.1.tar.gz", "archive_info": {}},
        "broken-1.0": "not json",
    })
    assert venv.installed(env) == {
        "broken": "1.0",
        "mylib": "0.1.0 @ file:///src/my%20lib editable",
        "other": "1.1 @ https://example.org/other-1.1.tar.gz",
        "tinker-pkg": "2.0",
    }


def test_compare_and_the_line_shapes():
    baseline = {"tinkerpkg": "1.0", "otherpkg": "1.1", "gone": "3.0"}
    now = {"tinkerpkg": "2.0", "otherpkg": "1.1 @ file:///work/my%20lib editable", "ipdb": "0.13.13"}
    changes = compare(baseline, now)
    assert [c.name for c in changes] == ["gone", "ipdb", "otherpkg", "tinkerpkg"]
    assert text(changes) == ("- gone 3.0, + ipdb 0.13.13, otherpkg 1.1 → 1.1 (editable: /work/my lib), "
                             "tinkerpkg 1.0 → 2.0")
    assert [c.against_lock() for c in changes] == [
        "- gone (lock: 3.0)", "+ ipdb 0.13.13", "otherpkg 1.1 (editable: /work/my lib) (lock: 1.1)",
        "tinkerpkg 2.0 (lock: 1.0)",
    ]
    assert text(changes, "reverse") == ("install gone 3.0, remove ipdb 0.13.13, "
                                        "change otherpkg 1.1 (editable: /work/my lib) → 1.1, "
                                        "change tinkerpkg 2.0 → 1.0")
    assert compare(baseline, dict(baseline)) == []


def test_json_shape():
    c = Change("otherpkg", "1.1 @ file:///x editable", "1.1")
    assert c.to_json() == {"name": "otherpkg", "installed": "1.1", "locked": "1.1",
                           "source": {"url": "file:///x", "editable": True}}
    assert Change("ipdb", "0.13.13", None).to_json() == {"name": "ipdb", "installed": "0.13.13", "locked": None,
                                                          "source": None}
    assert split("1.0 @ https://h/x.whl") == ("1.0", {"url": "https://h/x.whl", "editable": False})


def test_a_long_list_is_cut_and_counted():
    changes = [Change(f"p{i}", "1.0", None) for i in range(9)]
    assert text(changes, limit=6) == ("+ p0 1.0, + p1 1.0, + p2 1.0, + p3 1.0, + p4 1.0 "
                                      "and 4 more (`envhook status` lists them)")
    assert text(changes[:6], limit=6).count("+") == 6


@pytest.mark.parametrize("installed", ["1.1 @ file:///x editable", "1.1 @ https://h/x.whl", "1.1", None])
def test_json_round_trip(installed):
    c = Change("otherpkg", installed, "1.0")
    assert Change.from_json(c.to_json()) == c
