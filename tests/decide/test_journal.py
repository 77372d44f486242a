"""The journal of a project's env (issue 31, its first part): a generation
each time envhook sees the env change — its own syncs, a change made by hand
or by uv that a prompt or `envhook status` notices — with who made it as far
as envhook can tell; `envhook log` lists them, `envhook status` names the
newest. Bounded, written atomically under one lock, credentials never kept.

The journal's own rules on a fake env (dist-info directories, a
direct_url.json); the rest through real shells and real uv, offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from envhook.env import journal, venv
from envhook.store.records import project_dir
from support.hooktest import envhook, pip_install, q, status_json, version_in_env
from support.projects import make_project, set_dependencies, uv_lock

ARROW = "\u2192"


def fake_env(root: Path, dists: dict[str, str], urls: dict[str, str] | None = None) -> Path:
    """An env dir whose site-packages holds NAME-VERSION.dist-info for each
    dist, with a direct_url.json for those in URLS."""
    sp = root / ".venv" / "lib" / "python3.11" / "site-packages"
    if sp.exists():
        for d in sp.iterdir():
            for f in d.iterdir():
                f.unlink()
            d.rmdir()
    sp.mkdir(parents=True, exist_ok=True)
    for name, version in dists.items():
        d = sp / f"{name}-{version}.dist-info"
        d.mkdir()
        if urls and name in urls:
            (d / "direct_url.json").write_text(json.dumps({"url": urls[name], "dir_info": {"editable": False}}))
    return root / ".venv"


def test_a_generation_is_recorded_only_when_the_env_changed(tmp_path: Path) -> None:
    root = tmp_path / "p"
    env = fake_env(root, {"six": "1.16.0"})
    assert journal.record(root, venv.installed(env), "envhook sync (created)")["id"] == 1
    assert journal.record(root, venv.installed(env), journal.BY_HAND) is None, "the same contents: nothing new"
    fake_env(root, {"six": "1.17.0", "iniconfig": "2.0"})
    assert journal.record(root, venv.installed(env), journal.BY_HAND)["id"] == 2
    gens = journal.generations(root)
    assert [g["id"] for g in gens] == [2, 1], "newest first"
    assert [journal.change_line(c) for c in gens[0]["changes"]] == ["+ iniconfig 2.0", f"six 1.16.0 {ARROW} 1.17.0"]
    assert gens[1]["changes"] is None, "the oldest kept has nothing to compare with"
    assert journal.latest(root) == {"id": 2, "when": gens[0]["when"], "by": "by hand"}
    # The journal itself is yours alone (0600), written whole.
    assert (project_dir(root) / journal.JOURNAL).stat().st_mode & 0o777 == 0o600


def test_the_journal_is_bounded_and_ids_only_grow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "MAX_GENERATIONS", 5)
    root = tmp_path / "p"
    for i in range(12):
        journal.record(root, {"six": f"1.{i}"}, journal.BY_HAND)
    assert [g["id"] for g in journal.generations(root)] == [12, 11, 10, 9, 8]
    monkeypatch.setattr(journal, "MAX_BYTES", 600)
    journal.record(root, {f"pkg{i}": "1.0" for i in range(10)}, journal.BY_HAND)
    gens = journal.generations(root)
    assert gens[0]["id"] == 13 and len(gens) < 6, "the size bound drops the oldest first"
    assert len((project_dir(root) / journal.JOURNAL).read_bytes()) <= 600 or len(gens) == 1


def test_url_credentials_never_reach_the_journal_or_the_log(tmp_path: Path) -> None:
    root = tmp_path / "p"
    env = fake_env(root, {"private": "1.0"}, {"private": "https://alice:s3cr3t-token@pkgs.example/private-1.0.whl"})
    journal.record(root, venv.installed(env), journal.BY_HAND)
    stored = (project_dir(root) / journal.JOURNAL).read_text()
    assert "s3cr3t" not in stored and "alice" not in stored
    assert "https://***@pkgs.example/private-1.0.whl" in stored
    shown = journal.to_json(journal.generations(root)[0])
    assert shown["packages"] == [{"name": "private", "version": "1.0",
                                  "source": "url https://***@pkgs.example/private-1.0.whl"}]


def test_hand_made_changes_undone_by_another_tool_are_named(tmp_path: Path) -> None:
    root = tmp_path / "p"
    journal.record(root, {"six": "1.17", "pytest": "9.0.2"}, "envhook sync (created)")
    journal.record(root, {"six": "1.17", "pytest": "8.3.5", "ipdb": "0.13"}, journal.BY_HAND, hand=["pytest", "ipdb"])
    made = journal.record(root, {"six": "1.17", "pytest": "9.0.2"}, journal.BY_OUTSIDE)
    assert made["reset"] == ["- ipdb 0.13", f"pytest 8.3.5 {ARROW} 9.0.2"]
    journal.record(root, {"six": "1.17", "pytest": "8.3.5"}, "envhook undo", hand=["pytest"])
    assert journal.record(root, {"six": "1.17", "pytest": "9.0.2"}, "envhook sync (requested)")["reset"] == [], \
        "envhook's own change is the user's word"


def test_a_journal_another_user_could_write_is_not_believed(tmp_path: Path) -> None:
    root = tmp_path / "p"
    journal.record(root, {"six": "1.0"}, journal.BY_HAND)
    path = project_dir(root) / journal.JOURNAL
    os.chmod(path, 0o666)
    assert journal.generations(root) == [], "group/world-writable: read as empty"
    # A damaged journal reads as empty too, and the next generation goes on.
    path.write_text("{not json")
    os.chmod(path, 0o600)
    assert journal.generations(root) == []
    assert journal.record(root, {"six": "2.0"}, journal.BY_HAND) is not None


def test_shells_seeing_one_change_write_one_generation(tmp_path: Path) -> None:
    """Several shells' prompts notice the same change at once: the lock and
    the compare under it leave one generation."""
    root = tmp_path / "p"
    journal.record(root, {"six": "1.0"}, journal.BY_HAND)
    (project_dir(root) / journal.HEAD).unlink()  # no shortcut: every writer goes through the lock
    made = []
    threads = [threading.Thread(target=lambda: made.append(journal.record(root, {"six": "2.0"}, journal.BY_HAND)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((g["id"] if g else 0) for g in made) == [0] * 7 + [2]
    assert [g["id"] for g in journal.generations(root)] == [2, 1]


# ------------------------------------------------------------------ real shells, real uv


def test_a_hooked_shell_journals_syncs_hand_changes_and_a_reset_by_uv(open_shell, shell, tmp_path, wheelhouse,
                                                                       shell_env):
    """Entering creates the env (envhook's sync); a version tried by hand is a
    generation `by hand`; `uv sync` typed in the shell resets it, and that is
    a generation too — the tried version is still in the log. status names
    the newest; `envhook log --json` has the issue's shape."""
    p = make_project(tmp_path / "demo", wheelhouse, name="demo", dependencies=["tinkerpkg==1.0"])
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    s = open_shell(cwd=p)
    assert version_in_env(p) == "1.0", s.startup_output
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert version_in_env(p) == "2.0"
    s.run("uv sync -q --offline")
    assert version_in_env(p) == "1.0"
    s.run("true")

    r = envhook("log", "--json", cwd=p, env=shell_env, check=True)
    gens = json.loads(r.stdout)
    assert [g["id"] for g in gens] == sorted((g["id"] for g in gens), reverse=True)
    assert gens[0]["changes"] == [{"name": "tinkerpkg", "before": "2.0", "after": "1.0"}], gens[0]
    assert gens[1]["by"] == "by hand" and gens[1]["changes"] == [
        {"name": "tinkerpkg", "before": "1.0", "after": "2.0"}], gens[1]
    assert gens[2]["by"].startswith("envhook sync ("), gens[2]
    assert {"name": "tinkerpkg", "version": "1.0", "source": "index"} in gens[0]["packages"]
    assert set(gens[0]) == {"id", "when", "by", "changes", "packages"}

    text = envhook("log", "-n", "2", cwd=p, env=shell_env, check=True).stdout
    assert f"tinkerpkg 2.0 {ARROW} 1.0" in text and f"tinkerpkg 1.0 {ARROW} 2.0" in text
    assert f"#{gens[2]['id']} " not in text, "-n 2: the newest two only"
    data = status_json(p, shell_env)
    assert data["generation"] == {"id": gens[0]["id"], "when": gens[0]["when"], "by": gens[0]["by"]}
    assert f"history: generation {gens[0]['id']}," in envhook("status", cwd=p, env=shell_env).stdout


def test_log_reads_an_untrusted_project_and_says_when_there_is_nothing(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse, name="demo", dependencies=["tinkerpkg==1.0"])
    r = envhook("log", cwd=p, env=shell_env)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert "no generation recorded yet" in r.stdout
    assert json.loads(envhook("log", "--json", cwd=p, env=shell_env).stdout) == []
    r = envhook("log", cwd=tmp_path, env=shell_env)
    assert r.returncode == 1 and "no pyproject.toml or requirements.txt at or above" in r.stderr


def demo(tmp_path: Path, wheelhouse: Path, env: dict, deps=("chaina", "tinkerpkg==1.0")) -> Path:
    p = make_project(tmp_path / "demo", wheelhouse, name="demo", dependencies=list(deps))
    uv_lock(p, env)
    envhook("allow", cwd=p, env=env, check=True)
    return p


def test_uv_sync_typed_by_hand_resets_the_tried_version_the_prompt_says_so_and_undo_brings_it_back(
        open_shell, shell, tmp_path, wheelhouse, shell_env):
    """The issue's story, in a hooked shell over real uv: a version tried by
    hand; `uv sync` typed (uv's explicit sync ignores UV_NO_SYNC) resets it;
    the next prompt says so once; `envhook undo` brings it back with the rest
    at the lock, and the env is tinkered again (UV_NO_SYNC=1); a second undo
    undoes the undo."""
    p = demo(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p)
    assert version_in_env(p) == "1.0" and version_in_env(p, "chainc") == "2.0", s.startup_output
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert s.get("UV_NO_SYNC") == "1"
    out = s.run("uv sync -q --offline")
    assert version_in_env(p) == "1.0"
    said = f"demo's hand-made changes were reset (tinkerpkg 2.0 {ARROW} 1.0) — envhook undo brings them back"
    assert said in out, out
    assert said not in s.run("true") + envhook("status", cwd=p, env=shell_env).stderr, "said once"
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("UV_NO_SYNC") is None

    out = s.run("envhook undo")
    assert "restored demo to generation" in out and f"tinkerpkg 1.0 {ARROW} 2.0" in out, out
    assert version_in_env(p) == "2.0" and version_in_env(p, "chainc") == "2.0", "only what moved comes back"
    assert s.get("ENVHOOK_STATE") == "tinkered" and s.get("UV_NO_SYNC") == "1", "a hand-made change again"
    assert (tmp_path / "demo" / "pyproject.toml").read_text().count("tinkerpkg==1.0") == 1, "the project is untouched"

    out = s.run("envhook undo")
    assert f"tinkerpkg 2.0 {ARROW} 1.0" in out, out
    assert version_in_env(p) == "1.0"
    assert s.get("ENVHOOK_STATE") == "in-sync" and s.get("UV_NO_SYNC") is None
    bys = [g["by"] for g in json.loads(envhook("log", "--json", cwd=p, env=shell_env).stdout)]
    assert bys[:2] == ["envhook undo", "envhook undo"], bys


@pytest.mark.parametrize("shell", ["bash"])
def test_uv_run_from_a_script_without_the_hook_resets_and_the_next_prompt_says_so(
        open_shell, tmp_path, wheelhouse, shell_env):
    p = demo(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p, sh="bash")
    s.run(pip_install("bash", wheelhouse, "tinkerpkg==2.0"))
    script = {k: v for k, v in shell_env.items() if k not in ("UV_NO_SYNC", "VIRTUAL_ENV")}
    r = subprocess.run(["uv", "run", "--offline", "python", "-c", "import tinkerpkg; print(tinkerpkg.__version__)"],
                       cwd=p, env=script, capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "1.0", "uv run from a script syncs exactly"
    out = s.run("true")
    assert f"demo's hand-made changes were reset (tinkerpkg 2.0 {ARROW} 1.0)" in out, out
    s.run("envhook undo")
    assert version_in_env(p) == "2.0"


@pytest.mark.parametrize("shell", ["bash"])
def test_restore_across_a_lock_change_pins_the_whole_env_and_unpin_follows_the_lock(
        open_shell, tmp_path, wheelhouse, shell_env):
    p = demo(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p, sh="bash")
    first = json.loads(envhook("log", "--json", cwd=p, env=shell_env).stdout)[0]["id"]
    set_dependencies(p, ["chaina", "tinkerpkg==2.0"])
    uv_lock(p, shell_env)
    s.run("true")
    assert version_in_env(p) == "2.0", "the lock moved: synced"
    out = s.run(f"envhook restore {first}")
    assert "pinned whole" in out, out
    assert version_in_env(p) == "1.0"
    data = status_json(p, shell_env)
    assert data["state"] == "pinned" and data["pin"]["note"] == f"restored to generation {first}", data
    assert s.get("UV_NO_SYNC") == "1"
    s.run("envhook unpin")
    s.run("true")
    assert version_in_env(p) == "2.0", "unpinned: the lock again"


def test_undo_refuses_an_untrusted_project_and_a_history_too_short(tmp_path, wheelhouse, shell_env):
    p = demo(tmp_path, wheelhouse, shell_env)
    r = envhook("undo", cwd=p, env=shell_env)
    assert r.returncode == 1 and "nothing to undo" in r.stderr, r.stderr
    envhook("sync", cwd=p, env=shell_env, check=True)
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(p / ".venv" / "bin" / "python"), "--no-index",
                    "--find-links", str(wheelhouse), "tinkerpkg==2.0"], env=shell_env, check=True)
    envhook("status", cwd=p, env=shell_env, check=True)
    envhook("deny", cwd=p, env=shell_env, check=True)
    r = envhook("undo", cwd=p, env=shell_env)
    assert r.returncode == 126 and "not trusted" in r.stderr, r.stderr
    assert version_in_env(p) == "2.0", "nothing changed"
    assert envhook("log", cwd=p, env=shell_env).returncode == 0, "reading is allowed"


def test_a_version_no_longer_to_be_had_is_named_and_the_env_is_left_as_it_was(tmp_path, wheelhouse, shell_env):
    p = demo(tmp_path, wheelhouse, shell_env)
    envhook("sync", cwd=p, env=shell_env, check=True)
    now = venv.installed(p / ".venv")
    journal.record(p, {**now, "tinkerpkg": "9.9"}, journal.BY_HAND)  # a version the wheelhouse does not have
    journal.record(p, now, journal.BY_OUTSIDE)
    r = envhook("undo", cwd=p, env=shell_env)
    assert r.returncode == 1, r.stderr
    said = [line for line in r.stderr.splitlines() if "only partly restored" in line]
    assert len(said) == 1 and said[0].endswith("not as it was: tinkerpkg — the env is recorded as it is now "
                                               "(`envhook log`, `envhook undo`)"), r.stderr
    assert venv.installed(p / ".venv") == now, "left as it was"


@pytest.mark.parametrize("shell", ["bash"])
def test_ctrl_c_during_a_restore_returns_the_prompt_and_leaves_a_history_that_can_be_undone(
        open_shell, tmp_path, wheelhouse, shell_env):
    """uv stops (it runs in its own process group, which the Ctrl-C
    reaches), the prompt comes back, the journal reads whole and its newest
    generation is what the env holds."""
    import shlex
    import shutil
    import time

    p = demo(tmp_path, wheelhouse, shell_env)
    slow = tmp_path / "slowuv"
    slow.mkdir()
    started, armed = tmp_path / "started", tmp_path / "armed"
    real = os.path.realpath(shutil.which("uv", path=shell_env["PATH"]))
    (slow / "uv").write_text(  # once armed, a `uv pip install` is slow (a far index): Ctrl-C comes first
        "#!/bin/sh\n"
        f'if [ -e {shlex.quote(str(armed))} ] && [ "$1 $2" = "pip install" ]; then\n'
        f'    touch {shlex.quote(str(started))}; sleep 300\n'
        "fi\n"
        f'exec {shlex.quote(real)} "$@"\n')
    (slow / "uv").chmod(0o755)
    s = open_shell(cwd=p, sh="bash", env=dict(shell_env, PATH=f"{slow}:{shell_env['PATH']}"))
    s.run(pip_install("bash", wheelhouse, "tinkerpkg==2.0"))
    s.run("uv sync -q --offline")
    assert version_in_env(p) == "1.0"
    armed.touch()
    s.send_raw("envhook undo\r")
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline, "the restore never started uv"
        time.sleep(0.1)
    t0 = time.monotonic()
    s.send_raw("\x03")
    s.expect_prompt(timeout=15)
    assert time.monotonic() - t0 < 6, "the prompt came back"
    gens = json.loads(envhook("log", "--json", cwd=p, env=shell_env).stdout)
    assert {x["name"]: x["version"] for x in gens[0]["packages"]}["tinkerpkg"] == version_in_env(p) == "1.0"
    armed.unlink()
    s.run("envhook undo")
    assert version_in_env(p) == "2.0", "the restore that was cut off can be done again"


def test_undo_in_a_pdm_env_after_pdm_sync_reset_it(tmp_path, wheelhouse, package_index, shell_env):
    """Every backend: a PDM env, its hand-made change reset by `pdm sync
    --clean`, said once, and undone from the project's own index."""
    from support.backend_projects import make_pdm_project, run_pdm, tool_env

    tools = tool_env(shell_env)
    root = make_pdm_project(tmp_path / "demo", package_index.url, env=tools)
    envhook("allow", cwd=root, env=shell_env, check=True)
    envhook("sync", cwd=root, env=shell_env, check=True)
    assert version_in_env(root) == "1.0"
    # The index is on 127.0.0.1: uv may reach it (the tests' uv is offline otherwise).
    online = {k: v for k, v in shell_env.items() if k != "UV_OFFLINE"}
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(root / ".venv" / "bin" / "python"),
                    "--index-url", package_index.url, "tinkerpkg==2.0"], env=online, check=True)
    envhook("status", cwd=root, env=shell_env, check=True)
    run_pdm(root, tools, "sync", "--clean")
    assert version_in_env(root) == "1.0"
    r = envhook("status", cwd=root, env=shell_env, check=True)
    assert f"demo's hand-made changes were reset (tinkerpkg 2.0 {ARROW} 1.0)" in r.stderr, r.stderr
    r = envhook("undo", cwd=root, env=online)
    assert r.returncode == 0 and f"tinkerpkg 1.0 {ARROW} 2.0" in r.stderr, r.stderr
    assert version_in_env(root) == "2.0"
    assert status_json(root, shell_env)["state"] == "tinkered"


def test_a_locked_version_comes_back_only_as_the_file_the_lock_names(tmp_path, package_index, shell_env):
    """uv.lock's hashes go with a version it pins (here from an index that
    serves hashes): a lock whose hash for tinkerpkg 1.0 is not the wheel's
    makes the restore refuse that wheel, and leaves the env as it was."""
    from envhook.decide.project import find_project
    from envhook.decide.restore import lock_hashes

    online = {k: v for k, v in shell_env.items() if k != "UV_OFFLINE"}  # the index is on 127.0.0.1
    p = tmp_path / "demo"
    p.mkdir()
    (p / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["tinkerpkg==1.0"]\n\n'
        f'[[tool.uv.index]]\nname = "local"\nurl = "{package_index.url}"\ndefault = true\n')
    subprocess.run(["uv", "lock", "-q"], cwd=p, env=online, check=True)
    envhook("allow", cwd=p, env=online, check=True)
    envhook("sync", cwd=p, env=online, check=True)
    hashes = lock_hashes(find_project(p))
    assert hashes[("tinkerpkg", "1.0")] and all(h.startswith("sha256:") for h in hashes[("tinkerpkg", "1.0")])
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(p / ".venv" / "bin" / "python"),
                    "tinkerpkg==2.0"], cwd=p, env=online, check=True)
    envhook("status", cwd=p, env=online, check=True)
    lock = p / "uv.lock"
    good = lock.read_text()
    bad = good
    for h in hashes[("tinkerpkg", "1.0")]:
        bad = bad.replace(h, "sha256:" + "0" * 64)
    lock.write_text(bad)
    r = envhook("undo", cwd=p, env=online)
    assert r.returncode == 1 and "hash" in r.stderr.lower(), r.stderr
    assert version_in_env(p) == "2.0", "no other file was taken for it"
    lock.write_text(good)
    r = envhook("undo", cwd=p, env=online)
    assert r.returncode == 0, r.stderr
    assert version_in_env(p) == "1.0"


@pytest.mark.parametrize("shell", ["bash"])
def test_an_editable_local_package_and_a_direct_url_wheel_come_back_from_where_they_were(
        open_shell, tmp_path, wheelhouse, shell_env):
    """Sources come back as direct_url.json said: an editable install of a
    local package from its directory, a wheel installed by its file URL;
    `envhook log` shows them; a quiet prompt still starts no process."""
    from support.hooktest import processes_started
    from support.localpkg import make_local_package

    p = demo(tmp_path, wheelhouse, shell_env)
    lib = make_local_package(tmp_path / "mylib", "mylib", "0.3.0")
    s = open_shell(cwd=p, sh="bash")
    wheel = (wheelhouse / "tinkerpkg-2.0-py3-none-any.whl").as_uri()
    s.run(f"uv pip install -q -e {q('bash', lib)} 'tinkerpkg @ {wheel}'")
    assert version_in_env(p) == "2.0"
    newest = json.loads(envhook("log", "--json", "-n", "1", cwd=p, env=shell_env).stdout)[0]
    sources = {x["name"]: x["source"] for x in newest["packages"]}
    assert sources["mylib"] == f"editable {lib}" and sources["tinkerpkg"] == f"path {wheelhouse}/tinkerpkg-2.0-py3-none-any.whl"
    assert newest["by"] == "by hand"
    out = s.run("uv sync -q --offline")
    assert "hand-made changes were reset" in out and "- mylib" in out, out
    out = s.run("envhook undo")
    assert "restored demo to generation" in out, out
    r = subprocess.run([str(p / ".venv" / "bin" / "python"), "-c", "import mylib, tinkerpkg; print(mylib.__file__)"],
                       capture_output=True, text=True, check=True)
    assert r.stdout.strip() == str(lib / "src" / "mylib" / "__init__.py"), "editable again, from its directory"
    assert version_in_env(p) == "2.0"
    assert json.loads(envhook("log", "--json", "-n", "1", cwd=p, env=shell_env).stdout)[0]["packages"] == \
        newest["packages"], "exactly as that generation had it"
    s.run("true")
    pid = int(s.run("echo $$").strip().splitlines()[-1])
    assert processes_started(pid, tmp_path / "quiet.strace", lambda: [s.run(":") for _ in range(3)]) == [], \
        "a quiet prompt still starts no process"


def test_undo_never_installs_into_what_is_not_a_venv(tmp_path, wheelhouse, shell_env):
    """A .venv without pyvenv.cfg runs as its base interpreter: undo refuses
    it rather than install into the base."""
    from support.hooktest import throwaway_python, tree_digest

    p = demo(tmp_path, wheelhouse, shell_env)
    envhook("sync", cwd=p, env=shell_env, check=True)
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(p / ".venv" / "bin" / "python"), "--no-index",
                    "--find-links", str(wheelhouse), "tinkerpkg==2.0"], env=shell_env, check=True)
    envhook("status", cwd=p, env=shell_env, check=True)
    py = throwaway_python(tmp_path / "base")
    import shutil

    shutil.rmtree(p / ".venv")
    subprocess.run([str(py), "-m", "venv", "--without-pip", str(p / ".venv")], check=True)
    (p / ".venv" / "pyvenv.cfg").unlink()
    before = tree_digest(tmp_path / "base")
    r = envhook("undo", cwd=p, env=shell_env)
    assert r.returncode == 1 and "no env to restore into" in r.stderr, r.stderr
    assert tree_digest(tmp_path / "base") == before


def test_undo_in_a_requirements_project_finds_its_packages_where_its_files_say(tmp_path, wheelhouse, shell_env):
    """A requirements project names its index in its files (`--find-links`,
    `--no-index`): the restore looks there, as its sync does."""
    from support.backend_projects import make_pip_project

    root = make_pip_project(tmp_path / "req", ["--no-index", f"--find-links {wheelhouse}", "tinkerpkg==1.0"])
    envhook("allow", cwd=root, env=shell_env, check=True)
    envhook("sync", cwd=root, env=shell_env, check=True)
    assert status_json(root, shell_env)["backend"] == "pip" and version_in_env(root) == "1.0"
    py = str(root / ".venv" / "bin" / "python")
    subprocess.run(["uv", "pip", "install", "-q", "--python", py, "--no-index", "--find-links", str(wheelhouse),
                    "tinkerpkg==2.0"], env=shell_env, check=True)
    envhook("status", cwd=root, env=shell_env, check=True)
    subprocess.run(["uv", "pip", "sync", "-q", "--python", py, "requirements.txt"], cwd=root, env=shell_env, check=True)
    assert version_in_env(root) == "1.0"
    r = envhook("undo", cwd=root, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert version_in_env(root) == "2.0"


@pytest.mark.parametrize("shell", ["bash"])
def test_what_uv_changes_with_the_inputs_is_not_a_hand_made_change_reset_later(open_shell, tmp_path, wheelhouse,
                                                                                shell_env):
    """Found trying it: `uv remove X` then `uv add X` said X's hand-made
    change was reset. What uv changed with the inputs is nobody's hand."""
    p = demo(tmp_path, wheelhouse, shell_env, deps=("chaina", "tinkerpkg==1.0", "otherpkg"))
    s = open_shell(cwd=p, sh="bash")
    out = s.run("uv remove -q --offline otherpkg") + s.run("uv add -q --offline otherpkg") + s.run("true")
    assert "were reset" not in out, out
    assert version_in_env(p, "otherpkg") is not None
    # A kept hand-made change stays the user's through envhook's own sync of a lock change: its reset is said.
    s.run(pip_install("bash", wheelhouse, "tinkerpkg==2.0"))
    out = s.run("uv add -q --offline extrapkg") + s.run("true")
    assert version_in_env(p) == "2.0", out
    out = s.run("uv sync -q --offline")
    assert f"demo's hand-made changes were reset (tinkerpkg 2.0 {ARROW} 1.0)" in out, out


def test_without_uv_the_restore_uses_the_envs_own_pip(tmp_path, wheelhouse, shell_env, tool_bin):
    """A requirements project whose env came with pip (`python -m venv`),
    and no uv on PATH: the restore runs the env's pip, from where the
    project's files say."""
    from support.backend_projects import make_pip_project
    from support.hooktest import without_uv

    nouv = tmp_path / "bin"
    env = without_uv(nouv, tool_bin, shell_env)
    root = make_pip_project(tmp_path / "req", ["--no-index", f"--find-links {wheelhouse}", "tinkerpkg==1.0"])
    py = next(nouv.glob("python3.*"))
    subprocess.run([str(py), "-m", "venv", str(root / ".venv")], check=True)  # ensurepip: offline
    pip = [str(root / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "--find-links",
           str(wheelhouse)]
    subprocess.run([*pip, "tinkerpkg==1.0"], env=env, check=True)
    envhook("allow", cwd=root, env=env, check=True)
    envhook("status", cwd=root, env=env, check=True)
    subprocess.run([*pip, "tinkerpkg==2.0"], env=env, check=True)
    envhook("status", cwd=root, env=env, check=True)
    assert version_in_env(root) == "2.0"
    r = envhook("undo", cwd=root, env=env)
    assert r.returncode == 0, r.stderr
    assert version_in_env(root) == "1.0"
    assert "envhook undo" == json.loads(envhook("log", "--json", "-n", "1", cwd=root, env=env).stdout)[0]["by"]


@pytest.mark.parametrize("shell", ["bash"])
def test_an_env_seen_only_after_its_lock_moved_is_recorded_under_the_lock_it_was_made_under(
        open_shell, tmp_path, wheelhouse, shell_env):
    """A version tried by hand and a pull that moves the lock, both before
    the next prompt: that look records the env under the old lock, so that
    restoring it later pins the whole env rather than half-mix two locks."""
    p = demo(tmp_path, wheelhouse, shell_env)
    s = open_shell(cwd=p, sh="bash")
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(p / ".venv" / "bin" / "python"), "--no-index",
                    "--find-links", str(wheelhouse), "tinkerpkg==2.0"], env=shell_env, check=True)
    set_dependencies(p, ["chaina", "tinkerpkg==1.0", "otherpkg"])
    uv_lock(p, shell_env)
    s.run("true")  # looks (the hand change, the new lock), then syncs around the kept change
    assert version_in_env(p) == "2.0" and version_in_env(p, "otherpkg") is not None
    gens = json.loads(envhook("log", "--json", cwd=p, env=shell_env).stdout)
    seen = next(g for g in gens if g["by"] == "by hand")
    assert "otherpkg" not in {x["name"] for x in seen["packages"]}
    out = s.run(f"envhook restore {seen['id']}")
    assert "pinned whole" in out, out
    assert version_in_env(p, "otherpkg") is None and version_in_env(p) == "2.0"
