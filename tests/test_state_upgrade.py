"""State survives an upgrade (issue 29): what the landed release wrote under the
state and config dirs (trust, pins, settings, sync records, the `noticed` file, the
hook's decision cache) is read by this envhook as the landed one read it.

The files come from tests/fixtures/landed_state (its make.py says how they were
made: the landed release, main at 9d225cf, installed by its install.sh and used as a
user would). They name the absolute paths they were written at (a project's key in
the state dir is a digest of its path), so the test puts them back at exactly that
path (manifest.json's "root"), with the modes the landed release gave them, and
rebuilds the projects' envs there from their locks.

One value cannot survive a copy: which env a sync record describes (sync.json's
env_id is pyvenv.cfg's inode and mtime; env_cfg a digest of its content, which names
the interpreter and uv's version). An upgrade leaves the env as it is; here the env is
made again, so those two fields are set to describe the env this test made, as the
landed release computed them (decide/assess.py at 9d225cf: env_identity,
env_config_digest), and nothing else is touched.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.hooktest import HOOK_LINE, envhook, status_json
from support.projects import run_uv
from support.shell import ShellSession, require_shell

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "landed_state"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
ROOT = Path(MANIFEST["root"])
HOME = ROOT / "home"
WHEELS = ROOT / "wheels"
LOCK = "/tmp/envhook-landed.lock"  # make.py takes it too
PROJECTS = {name: HOME / rel for name, rel in MANIFEST["projects"].items()}
LANDED_STATUS = json.loads((FIXTURES / "landed" / "status.json").read_text())
LANDED_CONFIG = json.loads((FIXTURES / "landed" / "config.json").read_text())

# What make.py did besides envhook's commands, redone on the rebuilt envs: the
# hand-made change typed in `tinkered` (the landed hook said it once; `noticed` keeps that).
HAND_MADE = {"tinkered": "tinkerpkg==2.0"}
# The projects the landed release synced (they have an env and a sync record).
SYNCED = ("synced", "tinkered", "pinned", "pkgpin", "work")


def landed_key(path: Path) -> str:
    """A project's directory name under the state dir, as the landed release made it
    (store/paths.key at 9d225cf): this test finds the landed files by it, whatever
    the code under test does."""
    return hashlib.sha256(os.fsencode(str(path))).hexdigest()[:24]


def state_file(name: str, what: str) -> Path:
    return HOME / ".local" / "state" / "envhook" / "projects" / landed_key(PROJECTS[name]) / what


def _put_back() -> None:
    """The fixture tree at ROOT, each entry with its recorded mode (parents first)."""
    src = FIXTURES / "root"
    modes = MANIFEST["modes"]
    on_disk = {str(p.relative_to(src)) for p in src.rglob("*")}
    assert on_disk <= set(modes), f"fixture files without a recorded mode: {sorted(on_disk - set(modes))}"
    for rel, spec in sorted(modes.items(), key=lambda kv: (kv[0] != ".", kv[0].count("/"), kv[0])):
        kind, mode = spec.split()
        dest = ROOT if rel == "." else ROOT / rel
        if kind == "d":
            dest.mkdir(exist_ok=True)
        else:
            shutil.copyfile(src / rel, dest)
        os.chmod(dest, int(mode, 8))


def _rebuild_env(name: str, env: dict) -> None:
    """The project's env from its lock, as the landed release's sync left it; then
    the hand-made change made there, if any; then its sync record pointed at it."""
    project = PROJECTS[name]
    run_uv(project, env, "sync", "--frozen")
    if name in HAND_MADE:
        run_uv(project, env, "pip", "install", "-q", "--no-index", "--find-links", str(WHEELS),
               "--python", str(project / ".venv" / "bin" / "python"), HAND_MADE[name])
    record = state_file(name, "sync.json")
    data = json.loads(record.read_bytes())
    cfg = project / ".venv" / "pyvenv.cfg"
    for field in ("env_cfg", "env_id"):
        assert isinstance(data.get(field), str), f"the landed {record} has no {field}: {data}"
    st = os.stat(cfg)
    data["env_cfg"] = hashlib.sha256(cfg.read_bytes()).hexdigest()[:16]
    data["env_id"] = f"{st.st_ino}:{st.st_mtime_ns}"
    mode = os.stat(record).st_mode
    record.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")  # records.write_json's format
    assert os.stat(record).st_mode == mode


@pytest.fixture
def landed(shell_env):
    """The landed release's state and config at their paths, the projects' envs
    rebuilt; yields the environment of a user whose HOME is the landed one."""
    env = dict(
        shell_env,
        HOME=str(HOME),
        XDG_CONFIG_HOME=str(HOME / ".config"),
        XDG_STATE_HOME=str(HOME / ".local" / "state"),
        XDG_DATA_HOME=str(HOME / ".local" / "share"),
        XDG_CACHE_HOME=str(HOME / ".cache"),
        XDG_CONFIG_DIRS=str(ROOT / "config-dirs"),  # as make.py's user had it (an input's path names it)
    )
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one user of ROOT at a time (another run, make.py)
        if os.path.lexists(ROOT):
            assert ROOT.is_dir() and not ROOT.is_symlink() and ROOT.stat().st_uid == os.geteuid(), \
                f"{ROOT} is not a directory of ours; remove it"
            shutil.rmtree(ROOT)
        try:
            _put_back()
            (ROOT / "config-dirs").mkdir()
            for name in SYNCED:
                _rebuild_env(name, env)
            yield env
        finally:
            shutil.rmtree(ROOT, ignore_errors=True)


# Of `envhook status --json`, what the upgrade must keep as the landed release
# said it (landed/status.json): trust and by what, pins, the state, the last sync,
# the hand-made changes, and what the hook exports.
KEPT = ("project", "env", "trusted", "trusted_by", "paranoid", "pinned", "pin", "pins", "state", "last_sync",
        "hand", "exports")


def test_status_and_settings_read_the_landed_state(landed):
    env = landed
    now = {name: status_json(d, env) for name, d in PROJECTS.items()}
    for name in PROJECTS:
        before = {k: LANDED_STATUS[name][k] for k in KEPT}
        after = {k: now[name].get(k) for k in KEPT}
        assert after == before, f"{name}: the landed release said\n{before}\nthis one says\n{after}"

    # The same, spelled out, so that what the landed release said is checked too.
    synced = now["synced"]
    assert (synced["trusted"], synced["trusted_by"], synced["state"]) == (True, "allow", "in-sync"), synced
    for name in SYNCED:
        last = now[name]["last_sync"]
        assert last is not None and last["status"] == "ok" and last["time"], (name, now[name])
        assert not any("never synced" in r for r in now[name]["reasons"]), (name, now[name])
    assert now["tinkered"]["state"] == "tinkered", now["tinkered"]
    assert [(c["name"], c["locked"], c["installed"]) for c in now["tinkered"]["hand"]] == \
        [("tinkerpkg", "1.0", "2.0")], now["tinkered"]
    pinned = now["pinned"]
    assert pinned["state"] == "pinned" and pinned["pin"]["note"] == MANIFEST["note"], pinned
    assert pinned["pin"]["inputs_changed"] == [] and pinned["pin"]["since"], pinned
    assert "UV_NO_SYNC" not in pinned["exports"], pinned  # uv_no_sync_when_pinned = false
    pkgpin = now["pkgpin"]
    assert pkgpin["state"] == "in-sync" and pkgpin["pinned"] is False, pkgpin
    assert [(p["name"], p["installed"]) for p in pkgpin["pins"]] == [("tinkerpkg", "1.0")], pkgpin
    denied = now["denied"]
    assert denied["trusted"] is False and denied["state"] == "untrusted", denied
    assert any("denied" in r for r in denied["reasons"]), denied
    work = now["work"]
    assert (work["trusted"], work["trusted_by"], work["state"]) == (True, "trusted_roots", "in-sync"), work
    assert now["quiet"]["state"] == "disabled", now["quiet"]

    # Settings: each key as `envhook config set` left it under the landed release.
    expected = {
        "trusted_roots": [str(HOME / "trusted")],
        "disabled_paths": [str(HOME / "off")],
        "tinkered": "freeze",
        "notify": "once",
        "sync": "missing",
        "slow_sync_notice": 30,
        "uv_no_sync_when_pinned": False,
    }
    assert LANDED_CONFIG == expected
    for key, value in expected.items():
        r = envhook("config", "get", key, "--json", cwd=HOME, env=env, check=True)
        assert json.loads(r.stdout) == value, (key, r.stdout, r.stderr)
    r = envhook("config", "list", cwd=HOME, env=env, check=True)
    listed = {line.split(" = ")[0]: line for line in r.stdout.splitlines()}
    for key in expected:
        assert "# set:" in listed.get(key, ""), f"{key} is not read from the file:\n{r.stdout}{r.stderr}"
    assert not r.stderr, r.stderr


def test_a_new_shell_goes_on_as_before(landed):
    """A bash with this envhook's hook enters each project: the landed decision
    cache is replayed or the project decided again, and nothing new is said (no
    "not trusted", no "changed by hand" again); the env is activated as before."""
    require_shell("bash")
    env = landed
    noticed = state_file("tinkered", "noticed").read_bytes()
    assert noticed.strip(), "the landed `noticed` file of tinkered is empty"
    cache = HOME / ".local" / "state" / "envhook" / "dirs" / landed_key(PROJECTS["synced"])
    assert cache.is_file(), "the landed hook left no decision cache for synced"
    s = ShellSession("bash", HOME, HOOK_LINE["bash"], env, HOME, timeout=90)
    try:
        assert s.startup_output.strip() == "", s.startup_output
        for name in ("synced", "tinkered", "pinned", "pkgpin", "work"):
            out = s.run(f"cd {PROJECTS[name]}")
            assert out.strip() == "", f"{name}: entering it said\n{out}"
            assert s.get("ENVHOOK_STATE") == LANDED_STATUS[name]["state"], name
            assert s.get("VIRTUAL_ENV") == str(PROJECTS[name] / ".venv"), name
            assert s.get("UV_NO_SYNC") == LANDED_STATUS[name]["exports"].get("UV_NO_SYNC"), name
        out = s.run(f"cd {PROJECTS['denied']}")
        assert "denied" in out and "not trusted" not in out, out  # said once per shell, as the landed hook did
        assert s.get("VIRTUAL_ENV") is None
        out = s.run(f"cd {PROJECTS['quiet']}")
        assert out.strip() == "", out
        assert s.get("ENVHOOK_STATE") == LANDED_STATUS["quiet"]["exports"].get("ENVHOOK_STATE")
        assert s.get("VIRTUAL_ENV") is None
    finally:
        s.close(force=True)
    assert state_file("tinkered", "noticed").read_bytes() == noticed
    for name in SYNCED:
        r = subprocess.run(["envhook", "status", "--short"], cwd=PROJECTS[name], env=env, capture_output=True,
                           text=True)
        assert r.stdout.strip() == LANDED_STATUS[name]["state"], (name, r.stdout, r.stderr)
