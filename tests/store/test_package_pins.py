"""Package pins (README "Package pins"): `envhook pin PACKAGE…` keeps some
packages of a uv project exactly as they are (version, editable source, or
absence) while the hook goes on syncing everything else to the lock;
`envhook pin --tinkered` pins the drift list; `envhook unpin PACKAGE` lets the
next prompt reset those packages, and only those.

Hook behaviour runs in real interactive bash and zsh (`open_shell`), over
real, offline uv projects built from the session wheelhouse (tinkerpkg
1.0/2.0/3.0, otherpkg 1.0/1.1, depkg 1.0 -> otherpkg>=1.0, extrapkg 1.0),
plus test-local wheels where a test needs another requirement. What only the
CLI decides (other backends, the path argument, the JSON round trip) runs
once, without a shell.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.backend_projects import make_pdm_project, make_pip_project, make_poetry_project, tool_env
from support.hooktest import (
    add_find_links,
    envhook,
    envhook_syncs,
    lines_with,
    pip_install,
    q,
    status_json,
    uv_wrapper,
    version_in_env,
)
from support.localpkg import make_local_package
from support.projects import make_project, set_dependencies, uv_lock
from support.wheels import build_wheel

ARROW = "\u2192"  # →
DASH = "\u2014"  # —


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(params=["bash", "zsh"])
def shell(request) -> str:
    """The real-shell tests here run in bash and zsh."""
    from support.shell import require_shell

    require_shell(request.param)
    return request.param


@pytest.fixture
def uvlog(tmp_path, shell_env) -> tuple[dict, Path]:
    """(env, log): a `uv` first on PATH that logs "PID PPID ARGS" and execs the real uv."""
    return uv_wrapper(tmp_path, shell_env)


# ------------------------------------------------------------------------------ helpers


def new_project(tmp_path: Path, wheelhouse: Path, env: dict, deps=("tinkerpkg==1.0",), links=()) -> Path:
    """A uv project `demo` with `deps`, locked, trusted, not synced yet.
    `links`: more find-links directories besides the session wheelhouse."""
    p = make_project(tmp_path / "demo", wheelhouse, dependencies=deps)
    if links:
        add_find_links(p, wheelhouse, links)
    uv_lock(p, env)
    envhook("allow", cwd=p, env=env, check=True)
    return p


def versions(project: Path, *names: str) -> dict[str, str | None]:
    return {n: version_in_env(project, n) for n in names}


def status_text(project: Path, env: dict) -> str:
    r = envhook("status", cwd=project, env=env)
    assert r.returncode == 0, f"envhook status failed:\n{r.stdout}{r.stderr}"
    return r.stdout


def pins_of(data: dict) -> dict[str, tuple]:
    """`pins` of status JSON as {name: (installed, locked)}; every entry has the documented keys."""
    out = {}
    for p in data["pins"]:
        assert set(p) == {"name", "installed", "locked", "since", "note"}, f"a pins entry's keys: {p}"
        assert p["since"], f"a pin says since when: {p}"
        out[p["name"]] = (p["installed"], p["locked"])
    return out


def syncing_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("envhook: syncing demo (")]


def editable_file(s, module: str) -> str:
    return s.run(f"python -c 'import {module}; print({module}.__file__)'").strip()


def pin_in_shell(s, *args: str) -> str:
    out = s.run("envhook pin " + " ".join(args))
    assert "pinned in demo" in out, f"`envhook pin {' '.join(args)}` should say what it pinned:\n{out}"
    return out


# =============================================================== the hook keeps syncing


def test_a_pinned_version_stays_while_the_rest_follows_the_lock(open_shell, shell, tmp_path, wheelhouse, uvlog):
    env, log = uvlog
    p = new_project(tmp_path, wheelhouse, env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    s = open_shell(cwd=p, env=env)
    assert versions(p, "tinkerpkg", "otherpkg") == {"tinkerpkg": "1.0", "otherpkg": "1.0"}, s.startup_output
    first = len(envhook_syncs(log, s))

    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert "changed by hand" in out, f"test setup: the hand change should be noticed:\n{out}"
    out = pin_in_shell(s, "tinkerpkg")
    assert "tinkerpkg 2.0" in out, out
    assert s.get("ENVHOOK_STATE") == "in-sync", "a hand change that is pinned is no longer tinkering"
    assert s.get("UV_NO_SYNC") == "1", "package pins export UV_NO_SYNC: uv run would reset them"
    assert "envhook:" not in s.run("true"), "nothing more to say at a quiet prompt"

    # A teammate's lock change: otherpkg moves, extrapkg comes in.
    set_dependencies(p, ["tinkerpkg==1.0", "otherpkg==1.1", "extrapkg"])
    out = s.run("uv lock -q")
    sync = syncing_lines(out)
    assert len(sync) == 1, f"expected one `syncing demo (…)` line:\n{out}"
    assert sync[0].endswith("; keeping pinned tinkerpkg)"), f"the sync line names the pin: {sync[0]!r}"
    assert "changed by hand" not in out and "kept" not in out, f"a pinned change is not tinkering:\n{out}"
    assert "conflicts" not in out, out
    assert versions(p, "tinkerpkg", "otherpkg", "extrapkg") == {
        "tinkerpkg": "2.0", "otherpkg": "1.1", "extrapkg": "1.0"}, f"pinned stays, the rest is synced:\n{out}"

    syncs = envhook_syncs(log, s)[first:]
    assert len(syncs) == 1, f"exactly one sync by envhook; uv calls:\n{log.read_text()}"
    assert "--inexact" in syncs[0] and "--no-install-package" in syncs[0] and "tinkerpkg" in syncs[0], syncs[0]
    assert s.get("UV_NO_SYNC") == "1", "package pins export UV_NO_SYNC: uv run would reset them"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert "envhook:" not in s.run("true"), "after the sync the prompt is quiet"
    assert len(envhook_syncs(log, s)) == first + 1, f"…and syncs nothing more; uv calls:\n{log.read_text()}"

    data = status_json(p, env)
    assert data["state"] == "in-sync", data
    assert data["pinned"] is False and data["pin"] is None, "a package pin is not a whole-env pin"
    assert pins_of(data) == {"tinkerpkg": ("2.0", "1.0")}, data["pins"]
    assert data["conflicts"] == [], data
    text = status_text(p, env)
    assert "pinned packages" in text, text
    assert any(line.startswith("  tinkerpkg 2.0 (lock: 1.0)") for line in text.splitlines()), text


def test_a_dependency_the_lock_drops_is_removed_the_pinned_one_stays(open_shell, shell, tmp_path, wheelhouse,
                                                                     shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "depkg"))
    s = open_shell(cwd=p)
    assert versions(p, "depkg", "otherpkg") == {"depkg": "1.0", "otherpkg": "1.1"}, s.startup_output
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    pin_in_shell(s, "tinkerpkg")

    # The lock drops depkg, and with it otherpkg (its dependency).
    set_dependencies(p, ["tinkerpkg==1.0"])
    out = s.run("uv lock -q")
    assert len(syncing_lines(out)) == 1 and "keeping pinned tinkerpkg" in out, f"expected the sync:\n{out}"
    assert versions(p, "tinkerpkg", "depkg", "otherpkg") == {"tinkerpkg": "2.0", "depkg": None, "otherpkg": None}, (
        f"what the lock dropped is removed, the pinned package stays:\n{out}")
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert "envhook:" not in s.run("true")
    data = status_json(p, shell_env)
    assert [(c["name"], c["installed"], c["locked"]) for c in data["drift"]] == [("tinkerpkg", "2.0", "1.0")], (
        f"the pin is the only difference from the lock: {data['drift']}")


def test_a_package_pinned_absent_stays_absent(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    s = open_shell(cwd=p)
    assert version_in_env(p) == "1.0", s.startup_output

    s.run("uv pip uninstall -q tinkerpkg")
    assert version_in_env(p) is None, "test setup: tinkerpkg should be gone"
    out = pin_in_shell(s, "tinkerpkg")
    assert "tinkerpkg (absent)" in out, out

    set_dependencies(p, ["tinkerpkg==1.0", "otherpkg==1.1", "extrapkg"])
    out = s.run("uv lock -q")
    assert len(syncing_lines(out)) == 1 and "keeping pinned tinkerpkg" in out, f"expected the sync:\n{out}"
    assert versions(p, "tinkerpkg", "otherpkg", "extrapkg") == {
        "tinkerpkg": None, "otherpkg": "1.1", "extrapkg": "1.0"}, f"pinned absent stays absent:\n{out}"
    assert "conflicts" not in out and "changed by hand" not in out, out
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert "envhook:" not in s.run("true")
    assert version_in_env(p) is None
    data = status_json(p, shell_env)
    assert pins_of(data) == {"tinkerpkg": (None, "1.0")}, data["pins"]
    text = status_text(p, shell_env)
    assert any(line.startswith("  tinkerpkg (absent) (lock: 1.0)") for line in text.splitlines()), text


def test_a_conflicting_lock_change_syncs_the_rest_and_names_the_conflict(open_shell, shell, tmp_path, wheelhouse, shell_env):
    # needspkg 1.0 needs a tinkerpkg the pin does not have.
    extra = tmp_path / "extra-wheels"
    build_wheel(extra, "needspkg", "1.0", ["tinkerpkg>=3.0"])
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0",), links=(extra,))
    s = open_shell(cwd=p)
    assert version_in_env(p) == "1.0", s.startup_output
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    pin_in_shell(s, "tinkerpkg")

    set_dependencies(p, ["tinkerpkg", "needspkg", "extrapkg"])
    out = s.run("uv lock -q")
    assert len(syncing_lines(out)) == 1, f"expected one sync:\n{out}"
    assert versions(p, "tinkerpkg", "needspkg", "extrapkg") == {
        "tinkerpkg": "2.0", "needspkg": "1.0", "extrapkg": "1.0"}, f"the rest is synced, the pin stays:\n{out}"
    phrase = "pinned tinkerpkg 2.0 conflicts with needspkg 1.0's requirement tinkerpkg>=3.0"
    want = f"envhook: demo synced; {phrase} {DASH} `envhook unpin tinkerpkg` follows the lock"
    found = lines_with(out, "conflicts")
    assert found == [want], f"expected exactly the one conflict line {want!r}:\n{out}"
    assert "conflicts" not in s.run("true"), "the conflict line is said once, after the sync"
    assert s.get("UV_NO_SYNC") == "1"

    data = status_json(p, shell_env)
    assert data["conflicts"] == [phrase], data
    assert pins_of(data) == {"tinkerpkg": ("2.0", "3.0")}, data["pins"]
    text = status_text(p, shell_env)
    assert f"  conflict: {phrase}" in text.splitlines(), text


def test_pin_tinkered_pins_exactly_the_drift(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "depkg"))
    s = open_shell(cwd=p)
    assert versions(p, "tinkerpkg", "depkg", "otherpkg") == {"tinkerpkg": "1.0", "depkg": "1.0", "otherpkg": "1.1"}
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==3.0"))
    s.run(pip_install(shell, wheelhouse, "extrapkg"))
    drift = status_json(p, shell_env)["drift"]
    names = sorted(c["name"] for c in drift)
    assert names == ["extrapkg", "tinkerpkg"], f"test setup: drift should be the two hand changes: {drift}"

    pin_in_shell(s, "--tinkered")
    data = status_json(p, shell_env)
    assert sorted(x["name"] for x in data["pins"]) == names, f"pins {data['pins']} != drift {names}"
    assert pins_of(data) == {"tinkerpkg": ("3.0", "1.0"), "extrapkg": ("1.0", None)}, data["pins"]
    assert data["state"] == "in-sync", data
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert s.get("UV_NO_SYNC") == "1"

    # Pinning again with nothing left to pin changes nothing.
    out = s.run("envhook pin --tinkered")
    assert sorted(x["name"] for x in status_json(p, shell_env)["pins"]) == names, out

    # And the pins hold across a lock change: extrapkg (not in the lock) is not removed.
    set_dependencies(p, ["tinkerpkg==1.0"])
    out = s.run("uv lock -q")
    assert len(syncing_lines(out)) == 1 and "keeping pinned extrapkg, tinkerpkg" in out, out
    assert versions(p, "tinkerpkg", "extrapkg", "depkg", "otherpkg") == {
        "tinkerpkg": "3.0", "extrapkg": "1.0", "depkg": None, "otherpkg": None}, out


def test_unpin_resets_that_package_and_not_the_other_pins(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    s.run(pip_install(shell, wheelhouse, "extrapkg"))
    pin_in_shell(s, "tinkerpkg", "extrapkg")
    assert s.get("ENVHOOK_STATE") == "in-sync"

    out = s.run("envhook unpin tinkerpkg")
    assert f"tinkerpkg 2.0 {ARROW} 1.0" in out, f"unpin should say what the next prompt changes:\n{out}"
    assert len(syncing_lines(out)) == 1 and "keeping pinned extrapkg" in out, f"the next prompt syncs it:\n{out}"
    assert versions(p, "tinkerpkg", "extrapkg") == {"tinkerpkg": "1.0", "extrapkg": "1.0"}, (
        f"the unpinned package goes back to the lock; the pinned one stays:\n{out}")
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert "envhook:" not in s.run("true")
    assert pins_of(status_json(p, shell_env)) == {"extrapkg": ("1.0", None)}


def test_unpin_resets_only_that_package_when_the_env_has_other_hand_changes(open_shell, shell, tmp_path, wheelhouse,
                                                                            shell_env):
    """README: "the next prompt syncs it back to the lock (and only it: other
    hand-made changes stay as they are)"."""
    p = new_project(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    pin_in_shell(s, "tinkerpkg")
    out = s.run(pip_install(shell, wheelhouse, "extrapkg"))  # not pinned
    assert "changed by hand (+ extrapkg 1.0)" in out, f"test setup: the unpinned hand change is noticed:\n{out}"

    out = s.run("envhook unpin tinkerpkg")
    out += s.run("true")
    assert versions(p, "tinkerpkg", "extrapkg") == {"tinkerpkg": "1.0", "extrapkg": "1.0"}, (
        f"expected tinkerpkg reset to the lock and the hand-installed extrapkg kept:\n{out}")


def test_a_pinned_editable_install_keeps_its_source(open_shell, shell, tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.1"))
    local = make_local_package(tmp_path / "otherpkg-src", "otherpkg", "1.1").resolve()
    s = open_shell(cwd=p)
    assert version_in_env(p, "otherpkg") == "1.1", s.startup_output
    s.run(f"uv pip install -q --no-index -e {q(shell, local)}")
    assert editable_file(s, "otherpkg").startswith(str(local / "src")), "test setup: the editable install did not take"
    pin_in_shell(s, "otherpkg")

    set_dependencies(p, ["tinkerpkg==2.0", "otherpkg==1.1", "extrapkg"])
    out = s.run("uv lock -q")
    assert len(syncing_lines(out)) == 1 and "keeping pinned otherpkg" in out, out
    assert versions(p, "tinkerpkg", "extrapkg") == {"tinkerpkg": "2.0", "extrapkg": "1.0"}, out
    assert editable_file(s, "otherpkg").startswith(str(local / "src")), f"the editable source must stay:\n{out}"
    data = status_json(p, shell_env)
    assert pins_of(data) == {"otherpkg": ("1.1", "1.1")}, data["pins"]
    drift = {c["name"]: c for c in data["drift"]}
    assert set(drift) == {"otherpkg"} and drift["otherpkg"]["source"] == {"url": local.as_uri(), "editable": True}, (
        data["drift"])
    assert s.get("ENVHOOK_STATE") == "in-sync"


def test_uv_add_while_a_package_is_pinned_keeps_the_pin_and_an_exact_uv_add_is_named(open_shell, shell, tmp_path,
                                                                                     wheelhouse, uvlog):
    """Under the hook (UV_NO_SYNC=1 with package pins) `uv add` only locks,
    and envhook's next prompt syncs around the pin. Where UV_NO_SYNC is not
    set, `uv add` syncs exactly and resets the pin: not a hand change and no
    sync of envhook's, but one line saying the pin moved."""
    env, log = uvlog
    p = new_project(tmp_path, wheelhouse, env)
    s = open_shell(cwd=p, env=env)
    first = len(envhook_syncs(log, s))
    assert first == 1, f"the first prompt syncs once; uv calls:\n{log.read_text()}"
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    pin_in_shell(s, "tinkerpkg")

    out = s.run("uv add -q extrapkg")
    assert versions(p, "extrapkg", "tinkerpkg") == {"extrapkg": "1.0", "tinkerpkg": "2.0"}, out
    assert len(syncing_lines(out)) == 1 and "keeping pinned tinkerpkg" in out, out
    assert len(envhook_syncs(log, s)) == first + 1, log.read_text()

    out = s.run("env -u UV_NO_SYNC uv add -q otherpkg")
    assert version_in_env(p, "otherpkg") == "1.1", f"test setup: uv add did not install otherpkg:\n{out}"
    lines = [ln for ln in out.splitlines() if ln.startswith("envhook:")]
    assert len(lines) == 1 and lines[0].startswith(
        "envhook: demo: pinned tinkerpkg 2.0 is now 1.0, and stays pinned as it is now: "), out
    assert len(envhook_syncs(log, s)) == first + 1, f"no sync of envhook's own after uv add; uv calls:\n{log.read_text()}"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert "envhook:" not in s.run("true")
    data = status_json(p, env)
    assert data["last_sync"]["message"] == "the env already matched the lock", f"uv add is recorded: {data}"
    assert [(x["name"], x["installed"]) for x in data["pins"]] == [("tinkerpkg", "1.0")], "the pin stays, re-recorded"
    # Recorded as the new baseline: a hand change after it is news again.
    out = s.run(pip_install(shell, wheelhouse, "chainc"))
    assert "changed by hand (+ chainc 2.0)" in out, out


# ===================================================================== CLI, no shell needed


@pytest.mark.parametrize("kind", ["poetry", "pdm", "pip"])
def test_other_tools_cannot_pin_packages(kind, tmp_path, package_index, shell_env, wheelhouse):
    root = tmp_path / "demo"
    tools = tool_env(shell_env)
    if kind == "poetry":
        make_poetry_project(root, package_index.url, package_mode=False, env=tools)
        named = "`poetry sync`"
    elif kind == "pdm":
        make_pdm_project(root, package_index.url, env=tools)
        named = "`pdm sync --clean`"
    else:
        make_pip_project(root)
        named = "`uv pip sync`"  # what really syncs a requirements project, not `uv pip install`
    # Trusted, so that status reads the project's pins at all.
    envhook("allow", cwd=root, env=shell_env, check=True)
    assert status_json(root, shell_env)["backend"] == kind

    for args in (["tinkerpkg"], ["--tinkered"]):
        r = envhook("pin", *args, cwd=root, env=shell_env)
        assert r.returncode == 2, f"envhook pin {args}: exit {r.returncode}\n{r.stdout}{r.stderr}"
        assert f"synced with {named}" in r.stderr, f"the message should name {named}:\n{r.stderr}"
        assert "envhook pin" in r.stderr, f"…and say that `envhook pin` pins the whole env:\n{r.stderr}"
        data = status_json(root, shell_env)
        assert data["pins"] == [] and data["pinned"] is False, data
    r = envhook("unpin", "tinkerpkg", cwd=root, env=shell_env)
    assert "tinkerpkg was not pinned" in r.stderr, f"nothing was pinned:\n{r.stderr}"
    # The whole-env pin still works for them.
    envhook("pin", cwd=root, env=shell_env, check=True)
    assert status_json(root, shell_env)["pinned"] is True


def test_pin_with_a_path_still_pins_the_whole_env_and_package_pins_round_trip(tmp_path, wheelhouse, shell_env):
    p = new_project(tmp_path, wheelhouse, shell_env, deps=("tinkerpkg==1.0", "otherpkg==1.0"))
    envhook("sync", cwd=p, env=shell_env, check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    # The old form: a directory names the project, and the whole env is pinned.
    envhook("pin", f"{p}/", cwd=elsewhere, env=shell_env, check=True)
    data = status_json(p, shell_env)
    assert data["pinned"] is True and data["state"] == "pinned" and data["pins"] == [], data
    envhook("unpin", f"{p}/", cwd=elsewhere, env=shell_env, check=True)
    data = status_json(p, shell_env)
    assert data["pinned"] is False and data["state"] == "in-sync" and data["pins"] == [], data

    # Packages and a path together: the packages, in that project.
    r = envhook("pin", "TinkerPkg", f"{p}/", "--note", "trying it", cwd=elsewhere, env=shell_env)
    assert r.returncode == 0, f"{r.stdout}{r.stderr}"
    data = status_json(p, shell_env)
    assert data["pinned"] is False, data
    assert len(data["pins"]) == 1, data["pins"]
    entry = data["pins"][0]
    assert {k: entry[k] for k in ("name", "installed", "locked", "note")} == {
        "name": "tinkerpkg", "installed": "1.0", "locked": "1.0", "note": "trying it"}, entry
    assert entry["since"], entry
    assert data["conflicts"] == [], data
    assert data["state"] == "in-sync", data

    r = envhook("pin", "otherpkg", cwd=p, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert [x["name"] for x in status_json(p, shell_env)["pins"]] == ["otherpkg", "tinkerpkg"]

    r = envhook("unpin", "tinkerpkg", cwd=p, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert "already has it as the lock wants" in r.stderr, r.stderr
    assert [x["name"] for x in status_json(p, shell_env)["pins"]] == ["otherpkg"]
    envhook("unpin", "otherpkg", cwd=p, env=shell_env, check=True)
    data = status_json(p, shell_env)
    assert data["pins"] == [] and data["pinned"] is False and data["state"] == "in-sync", data
    r = envhook("unpin", "otherpkg", cwd=p, env=shell_env)
    assert r.returncode == 0 and "otherpkg was not pinned in demo" in r.stderr, r.stderr
    # A whole-env unpin with only package pins (none left now) says it was not pinned.
    r = envhook("unpin", cwd=p, env=shell_env)
    assert "demo was not pinned" in r.stderr, r.stderr
