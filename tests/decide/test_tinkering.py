"""Tinkering (issue 5): an env changed by hand is noticed, named exactly and
never reset behind the user's back; `envhook pin` / `unpin` / `sync` are the
user's consent; `ENVHOOK_STATE` and `status --short` tell scripts and prompts
which state the project is in.

Words: *baseline* = what envhook's last successful sync left in the env;
*drift* = how the env differs from uv.lock (uv's own answer:
`uv sync --locked --dry-run`).

Hook behaviour runs in real interactive bash, zsh and fish (`open_shell`);
what only the CLI decides (status JSON/text, pin/unpin output) runs once.
Everything is offline over real uv projects built from the test wheelhouse
(tinkerpkg 1.0/2.0/3.0, otherpkg 1.0/1.1, depkg 1.0 -> otherpkg>=1.0,
extrapkg 1.0) and, for editable installs, a local package with an in-tree
build backend (support.localpkg).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from support.hooktest import (
    envhook,
    envhook_syncs,
    pip_install,
    q,
    status_json,
    uv_wrapper,
    version_in_env,
    write_config,
)
from support.localpkg import make_local_package
from support.projects import make_project, make_workspace_member, run_uv, set_dependencies, uv_lock, venv_python

ARROW = "\u2192"  # →
DASH = "\u2014"  # —


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A freshly cloned uv project `demo` (tinkerpkg==1.0): pyproject + uv.lock,
    no env, not trusted."""
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    return p


@pytest.fixture
def synced(project, shell_env) -> Path:
    """`project`, trusted and synced by `envhook sync` (so that sync is the baseline)."""
    envhook("allow", cwd=project, env=shell_env, check=True)
    envhook("sync", cwd=project, env=shell_env, check=True)
    assert version_in_env(project) == "1.0", "envhook sync did not install the locked tinkerpkg 1.0"
    return project


# ------------------------------------------------------------------------------ helpers


def python_version_in_env(project: Path) -> str:
    r = subprocess.run(
        [str(venv_python(project)), "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    )
    return r.stdout.strip()


def hand(project: Path, env: dict, wheelhouse: Path, *args: str) -> None:
    """A hand-made change made from outside a shell: `uv pip <args>` into the
    project's env (with the wheelhouse as the only index)."""
    if args[0] == "install":
        args = (*args, "--no-index", "--find-links", str(wheelhouse))
    run_uv(project, env, "pip", *args, "--python", str(venv_python(project)))


def short(cwd: Path, env: dict) -> str:
    """`envhook status --short`'s whole stdout."""
    return envhook("status", "--short", cwd=cwd, env=env).stdout


def entry(name: str, installed: str | None, locked: str | None, source: dict | None = None) -> dict:
    return {"name": name, "installed": installed, "locked": locked, "source": source}


def drift_block(text: str) -> tuple[str, list[str]]:
    """`envhook status`'s text `drift:` block: (its header line, the entry lines
    under it, i.e. the following lines that start with two spaces). The header's
    wording after `drift:` is free, except for the empty case."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("drift:")]
    assert len(starts) == 1, f"expected one `drift:` line in the status text:\n{text}"
    i = starts[0]
    entries = []
    for line in lines[i + 1:]:
        if not line.startswith("  "):
            break
        entries.append(line)
    return lines[i], entries


def notice(*changes: str) -> str:
    return f"envhook: demo env changed by hand ({', '.join(changes)}) {DASH} {KEPT_BY_SYNCS}"


# The notice's end under the default settings (tinkered = "keep", uv).
KEPT_BY_SYNCS = "kept by envhook's syncs and `uv run`; `envhook sync` resets it"
_NOTICE_RE = re.compile(rf"^envhook: demo env changed by hand \((.*)\) {DASH} {re.escape(KEPT_BY_SYNCS)}$")


def notices(out: str) -> list[set[str]]:
    """The tinkering notices in `out`, each as the set of changes it lists
    (the order of the changes inside the parentheses is not part of the contract)."""
    found = []
    for line in out.splitlines():
        m = _NOTICE_RE.match(line.strip())
        if m:
            found.append(set(m.group(1).split(", ")))
    return found


def export(shell: str, name: str, value: str) -> str:
    return f"set -gx {name} {q(shell, value)}" if shell == "fish" else f"export {name}={q(shell, value)}"


def config_file(shell_env: dict) -> Path:
    return Path(shell_env["XDG_CONFIG_HOME"]) / "envhook" / "config.toml"


def other_interpreter(than: str) -> tuple[str, str]:
    """(path, version) of a Python >= 3.11 on this machine whose version differs
    from `than`; fails (no skip) when there is none."""
    seen = {}
    for d in ("/usr/bin", "/usr/local/bin"):
        for p in sorted(Path(d).glob("python3*")) if Path(d).is_dir() else []:
            if not re.fullmatch(r"python3(\.\d+)?", p.name):
                continue
            r = subprocess.run(
                [str(p), "-I", "-c", "import platform, sys; print(platform.python_version(), sys.version_info >= (3, 11))"],
                capture_output=True, text=True,
            )
            if r.returncode == 0:
                version, ok = r.stdout.split()
                seen[str(p)] = version
                if ok == "True" and version != than:
                    return str(p), version
    pytest.fail(
        f"this test needs a Python >= 3.11 whose version differs from the env's ({than}) in /usr/bin or "
        f"/usr/local/bin; found only {seen or 'none'}"
    )


# =================================================================== states and the hook


def test_hand_change_is_announced_once_and_never_synced(open_shell, shell, project, shell_env, wheelhouse, tmp_path):
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    assert version_in_env(project) == "1.0", f"the first prompt did not sync the env:\n{s.startup_output}"

    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    want = notice(f"tinkerpkg 1.0 {ARROW} 2.0")
    assert [line.strip() for line in out.splitlines()].count(want) == 1, f"expected exactly {want!r} once in:\n{out}"
    assert "syncing" not in out, f"a hand change alone must not sync:\n{out}"
    stamps = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "stamps"
    before = {p.name: p.stat().st_mtime_ns for p in stamps.iterdir()}
    for _ in range(2):
        later = s.run("true")
        assert "envhook:" not in later, f"the notice is printed once, not at later prompts:\n{later}"
    # Python moves this shell's stamp whenever it runs: a tinkered env costs
    # the prompts after the notice nothing, as an in-sync one does.
    assert {p.name: p.stat().st_mtime_ns for p in stamps.iterdir()} == before, "a quiet prompt started Python"
    assert version_in_env(project) == "2.0", "the env must keep the hand-installed version"
    assert short(project, env) == "tinkered\n"

    s2 = open_shell(cwd=project, env=env)
    assert "changed by hand" not in s2.startup_output, f"a second shell must stay quiet:\n{s2.startup_output}"
    assert "envhook:" not in s2.run("true")

    # A new hand change: the line again, listing every change since the last sync.
    out = s.run(pip_install(shell, wheelhouse, "extrapkg"))
    assert notices(out) == [{f"tinkerpkg 1.0 {ARROW} 2.0", "+ extrapkg 1.0"}], (
        f"expected one notice listing both hand changes:\n{out}"
    )
    assert "envhook:" not in s.run("true"), "…and again only once"
    assert version_in_env(project) == "2.0" and version_in_env(project, "extrapkg") == "1.0"
    assert len(envhook_syncs(log, s, s2)) == 1, (
        f"only the first sync (creating the env) may run; uv calls:\n{log.read_text()}"
    )


@pytest.mark.parametrize("change", ["uninstall", "editable"])
def test_notice_shapes_of_uninstall_and_editable(open_shell, shell, tmp_path, wheelhouse, shell_env, change):
    p = make_project(tmp_path / "demo", wheelhouse, dependencies=("tinkerpkg==1.0", "otherpkg==1.1"))
    uv_lock(p, shell_env)
    local = make_local_package(tmp_path / "otherpkg-src", "otherpkg", "1.1").resolve()
    envhook("allow", cwd=p, env=shell_env, check=True)
    s = open_shell(cwd=p)
    assert version_in_env(p, "otherpkg") == "1.1", f"the first prompt did not sync:\n{s.startup_output}"
    if change == "uninstall":
        out = s.run("uv pip uninstall -q tinkerpkg")
        assert version_in_env(p) is None, f"test setup: tinkerpkg still installed:\n{out}"
        want = notice("- tinkerpkg 1.0")
    else:
        out = s.run(f"uv pip install -q --no-index -e {q(shell, local)}")
        check = s.run("python -c 'import otherpkg; print(otherpkg.__file__)'")
        assert str(local / "src") in check, f"test setup: the editable install did not take:\n{out}\n{check}"
        want = notice(f"otherpkg 1.1 {ARROW} 1.1 (editable: {local})")
    assert [line.strip() for line in out.splitlines()].count(want) == 1, f"expected exactly {want!r} once in:\n{out}"
    assert "envhook:" not in s.run("true")
    assert short(p, shell_env) == "tinkered\n"


def test_going_back_to_the_lock_by_hand_is_in_sync_again(open_shell, shell, project, shell_env, wheelhouse, tmp_path):
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    first = len(envhook_syncs(log, s))

    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert s.get("ENVHOOK_STATE") == "tinkered"
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==1.0"))
    # Going back to the locked version by hand says nothing of its own — but
    # the env's history cannot tell a typed `uv pip install X==locked` from a
    # `uv sync` that erased the change (issue 31): that one line, once, with
    # the way back, is all.
    said = [line for line in out.splitlines() if "envhook:" in line]
    assert said == [f"envhook: demo's hand-made changes were reset (tinkerpkg 2.0 {ARROW} 1.0) — envhook undo "
                     "brings them back"], f"going back to the locked version by hand:\n{out}"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert short(project, env) == "in-sync\n"

    # A new hand change after that is announced again (it is new), …
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==3.0"))
    assert notices(out) == [{f"tinkerpkg 1.0 {ARROW} 3.0"}], f"expected the notice for the new change:\n{out}"
    # … and the user's own `uv sync` brings the lock back: not tinkering, and
    # (issue 31) said once, with the way back to what it erased.
    out = s.run("uv sync -q")
    said = [line for line in out.splitlines() if "envhook:" in line]
    assert said == [f"envhook: demo's hand-made changes were reset (tinkerpkg 3.0 {ARROW} 1.0) — envhook undo "
                    "brings them back"], f"a `uv sync` typed by the user:\n{out}"
    assert version_in_env(project) == "1.0"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert short(project, env) == "in-sync\n"
    # Once back in sync, the very same change made again is news again.
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==3.0"))
    assert notices(out) == [{f"tinkerpkg 1.0 {ARROW} 3.0"}], f"the same change again, after a return to the lock:\n{out}"
    assert len(envhook_syncs(log, s)) == first, f"envhook must not sync by itself; uv calls:\n{log.read_text()}"


def test_uv_add_and_remove_are_not_tinkering(open_shell, shell, project, shell_env, tmp_path):
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    first = len(envhook_syncs(log, s))
    assert first == 1, f"the first prompt should have synced once; uv calls:\n{log.read_text()}"

    out = s.run("uv add -q extrapkg")
    assert version_in_env(project, "extrapkg") == "1.0", f"test setup: uv add did not install extrapkg:\n{out}"
    assert "envhook:" not in out, f"`uv add` is not tinkering; nothing to say:\n{out}"
    assert len(envhook_syncs(log, s)) == first, f"no `uv sync` of envhook's own after uv add; uv calls:\n{log.read_text()}"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert short(project, env) == "in-sync\n"
    assert "envhook:" not in s.run("true")

    out = s.run("uv remove -q extrapkg")
    assert version_in_env(project, "extrapkg") is None, f"test setup: uv remove did not uninstall extrapkg:\n{out}"
    assert "envhook:" not in out, f"`uv remove` is not tinkering; nothing to say:\n{out}"
    assert len(envhook_syncs(log, s)) == first, f"no `uv sync` of envhook's own after uv remove; uv calls:\n{log.read_text()}"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert short(project, env) == "in-sync\n"


def test_freeze_keeps_the_whole_env_on_a_lock_change_until_envhook_sync(open_shell, shell, project, shell_env,
                                                                       wheelhouse, tmp_path):
    write_config(shell_env, 'tinkered = "freeze"\n')
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    first = len(envhook_syncs(log, s))
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))

    set_dependencies(project, ["tinkerpkg==1.0", "otherpkg==1.0"])
    out = s.run("uv lock -q")
    kept = [line for line in out.splitlines() if "kept" in line]
    assert len(kept) == 1, f"expected one line saying the env was kept:\n{out}"
    line = kept[0]
    for part in ("envhook:", "demo", f"tinkerpkg 1.0 {ARROW} 2.0", "a sync would also install otherpkg 1.0",
                 "envhook sync"):
        assert part in line, f"the kept line should contain {part!r}: {line!r}"
    assert "syncing" not in out, f"a tinkered env is not synced when its inputs change:\n{out}"
    assert "kept" not in s.run("true"), "the kept line is printed once"
    assert version_in_env(project) == "2.0" and version_in_env(project, "otherpkg") is None, "the hand version stays"
    assert len(envhook_syncs(log, s)) == first, f"nothing may be synced; uv calls:\n{log.read_text()}"
    assert s.get("ENVHOOK_STATE") == "stale"
    assert short(project, env) == "stale\n"

    # `envhook sync` is consent: back to the lock.
    s.run("envhook sync")
    assert version_in_env(project) == "1.0" and version_in_env(project, "otherpkg") == "1.0", "envhook sync resets to the lock"
    assert s.get("ENVHOOK_STATE") == "in-sync"


def test_reset_setting_resets_a_tinkered_env_and_lists_what_it_resets(open_shell, shell, project, shell_env, wheelhouse, tmp_path):
    write_config(shell_env, 'tinkered = "reset"\n')
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    first = len(envhook_syncs(log, s))
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert version_in_env(project) == "2.0", "a hand change alone is not reset (only when the inputs change)"

    set_dependencies(project, ["tinkerpkg==1.0", "otherpkg==1.0"])
    out = s.run("uv lock -q")
    syncing = [line.strip() for line in out.splitlines() if line.strip().startswith("envhook: syncing demo (")]
    assert len(syncing) == 1, f"expected one `syncing demo (…)` line:\n{out}"
    head, sep, rest = syncing[0].partition("resetting hand-made changes:")
    assert sep, f"the syncing line should say `resetting hand-made changes:`: {syncing[0]!r}"
    # As the env goes (issue 28): from the hand-made 2.0 back to the lock's 1.0.
    assert f"tinkerpkg 2.0 {ARROW} 1.0" in rest, f"…followed by the hand changes: {syncing[0]!r}"
    assert version_in_env(project) == "1.0" and version_in_env(project, "otherpkg") == "1.0"
    assert len(envhook_syncs(log, s)) == first + 1, f"expected exactly one sync; uv calls:\n{log.read_text()}"
    assert s.get("ENVHOOK_STATE") == "in-sync"


def test_bad_tinkered_setting_says_so_once_and_keeps(open_shell, shell, project, shell_env, wheelhouse):
    path = write_config(shell_env, 'tinkered = "maybe"\n')
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=project)
    outs = [s.startup_output, s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))]
    set_dependencies(project, ["tinkerpkg==1.0", "otherpkg==1.0"])
    kept_run = s.run("uv lock -q")
    outs += [kept_run, s.run("true"), s.run("true")]
    everything = "\n".join(outs)
    about_setting = [line for line in everything.splitlines() if "tinkered" in line and str(path) in line]
    assert len(about_setting) == 1, f"expected one line (in all) naming the key `tinkered` and {path}:\n{everything}"
    assert any("kept" in line for line in kept_run.splitlines()), f"the default (keep) should apply:\n{kept_run}"
    assert "keeping your tinkerpkg" in kept_run, kept_run
    assert version_in_env(project) == "2.0", "the default (keep) leaves the hand version"
    assert "Traceback" not in s.transcript, f"no traceback:\n{s.transcript}"


def test_pinned_env_is_not_recreated_for_a_new_python_version(open_shell, shell, project, shell_env, tmp_path):
    env, log = uv_wrapper(tmp_path, shell_env)
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    first = len(envhook_syncs(log, s))
    before = python_version_in_env(project)
    _, other = other_interpreter(before)
    cfg = project / ".venv" / "pyvenv.cfg"
    inode = cfg.stat().st_ino

    s.run("envhook pin")
    (project / ".python-version").write_text(other + "\n")
    out = s.run("true")
    assert "syncing" not in out, f"a pinned env is not synced for a new .python-version:\n{out}"
    s.run("true")
    assert len(envhook_syncs(log, s)) == first, f"nothing may be synced; uv calls:\n{log.read_text()}"
    assert cfg.stat().st_ino == inode, "the pinned env was recreated (pyvenv.cfg is a new file)"
    assert python_version_in_env(project) == before
    data = status_json(project, env)
    assert data["state"] == "pinned", data
    assert any(".python-version" in r for r in data["reasons"]), f"a reason should name .python-version: {data['reasons']}"
    assert s.get("ENVHOOK_STATE") == "pinned"


def test_envhook_state_follows_the_states(open_shell, shell, project, shell_env, wheelhouse, tmp_path):
    s = open_shell(cwd=tmp_path)
    assert s.get("ENVHOOK_STATE") is None, "outside a project ENVHOOK_STATE is unset"
    s.run(f"cd {q(shell, project)}")
    assert s.get("ENVHOOK_STATE") == "untrusted"
    s.run("envhook allow")
    assert s.get("ENVHOOK_STATE") == "in-sync"
    assert s.run("printenv ENVHOOK_STATE").strip() == "in-sync", "ENVHOOK_STATE is exported (seen by child processes)"
    s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert s.get("ENVHOOK_STATE") == "tinkered"
    write_config(shell_env, 'tinkered = "freeze"\n')
    set_dependencies(project, ["tinkerpkg==1.0", "otherpkg==1.0"])
    s.run("uv lock -q")
    assert s.get("ENVHOOK_STATE") == "stale"
    s.run("envhook pin")
    assert s.get("ENVHOOK_STATE") == "pinned"
    out = s.run("envhook unpin")
    assert version_in_env(project) == "1.0", f"unpin is consent: the next prompt syncs to the lock:\n{out}"
    assert s.get("ENVHOOK_STATE") == "in-sync"
    set_dependencies(project, ["tinkerpkg==9.9"])
    out = s.run("true")
    assert "envhook sync" in out, f"test setup: the sync should have failed:\n{out}"
    assert s.get("ENVHOOK_STATE") == "failed"
    s.run("cd /")
    assert s.get("ENVHOOK_STATE") is None, "ENVHOOK_STATE is unset after leaving the project"


def test_envhook_state_restores_the_users_value(open_shell, shell, project, shell_env, tmp_path):
    envhook("allow", cwd=project, env=shell_env, check=True)
    s = open_shell(cwd=tmp_path)
    s.run(export(shell, "ENVHOOK_STATE", "mine"))
    s.run(f"cd {q(shell, project)}")
    assert s.get("ENVHOOK_STATE") == "in-sync"
    s.run("cd /")
    assert s.get("ENVHOOK_STATE") == "mine", "leaving restores the user's own ENVHOOK_STATE"


# ============================================================================ status (CLI)


def test_status_short_prints_one_word(tmp_path, project, shell_env, wheelhouse):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert short(empty, shell_env) == "no-project\n"
    assert short(project, shell_env) == "untrusted\n"
    envhook("allow", cwd=project, env=shell_env, check=True)
    assert short(project, shell_env) == "missing\n"
    envhook("sync", cwd=project, env=shell_env, check=True)
    assert short(project, shell_env) == "in-sync\n"
    hand(project, shell_env, wheelhouse, "install", "tinkerpkg==2.0")
    assert short(project, shell_env) == "tinkered\n"
    set_dependencies(project, ["tinkerpkg==1.0", "otherpkg==1.0"])
    assert short(project, shell_env) == "stale\n"
    envhook("pin", cwd=project, env=shell_env, check=True)
    assert short(project, shell_env) == "pinned\n"
    envhook("unpin", cwd=project, env=shell_env, check=True)
    set_dependencies(project, ["tinkerpkg==9.9"])
    r = envhook("sync", cwd=project, env=shell_env)
    assert r.returncode != 0, f"test setup: the sync should have failed:\n{r.stdout}{r.stderr}"
    assert short(project, shell_env) == "failed\n"


def test_drift_is_unknown_when_untrusted_or_missing(project, shell_env):
    data = status_json(project, shell_env)
    assert data["state"] == "untrusted"
    assert data["drift"] is None and data["hand"] is None, data
    envhook("allow", cwd=project, env=shell_env, check=True)
    data = status_json(project, shell_env)
    assert data["state"] == "missing"
    assert data["drift"] is None and data["hand"] is None, data
    assert data["pin"] is None


def test_in_sync_env_has_no_drift(synced, shell_env):
    data = status_json(synced, shell_env)
    assert data["state"] == "in-sync"
    assert data["drift"] == [] and data["hand"] == [] and data["pin"] is None, data
    old_keys = {"project", "env", "backend", "trusted", "paranoid", "pinned", "state", "reasons", "next"}
    assert old_keys <= data.keys(), f"the old keys stay: missing {old_keys - data.keys()}"
    text = envhook("status", cwd=synced, env=shell_env).stdout
    assert drift_block(text) == ("drift:   none (the env matches uv.lock)", []), text
    assert text.splitlines()[-1].startswith("next:"), f"`next:` is the last line:\n{text}"


DRIFT_CASES = {
    "version": (("install", "tinkerpkg==2.0"), [entry("tinkerpkg", "2.0", "1.0")], ["  tinkerpkg 2.0 (lock: 1.0)"]),
    "extra": (("install", "extrapkg"), [entry("extrapkg", "1.0", None)], ["  + extrapkg 1.0"]),
    "uninstall": (("uninstall", "tinkerpkg"), [entry("tinkerpkg", None, "1.0")], ["  - tinkerpkg (lock: 1.0)"]),
}


@pytest.mark.parametrize("case", list(DRIFT_CASES))
def test_drift_lists_exactly_the_hand_change(case, synced, shell_env, wheelhouse):
    args, want, lines = DRIFT_CASES[case]
    hand(synced, shell_env, wheelhouse, *args)
    data = status_json(synced, shell_env)
    assert data["state"] == "tinkered", data
    assert data["drift"] == want, f"drift: {data['drift']}"
    assert data["hand"] == want, f"hand (baseline = lock here): {data['hand']}"
    text = envhook("status", cwd=synced, env=shell_env).stdout
    assert drift_block(text)[1] == lines, text
    assert text.splitlines()[-1].startswith("next:"), f"`next:` is the last line:\n{text}"


def test_drift_of_an_editable_install(tmp_path, wheelhouse, shell_env):
    p = make_project(tmp_path / "demo", wheelhouse, dependencies=("tinkerpkg==1.0", "otherpkg==1.1"))
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    envhook("sync", cwd=p, env=shell_env, check=True)
    local = make_local_package(tmp_path / "otherpkg-src", "otherpkg", "1.1").resolve()
    run_uv(p, shell_env, "pip", "install", "--no-index", "-e", str(local), "--python", str(venv_python(p)))
    assert version_in_env(p, "otherpkg") == "1.1"
    want = [entry("otherpkg", "1.1", "1.1", {"url": local.as_uri(), "editable": True})]
    data = status_json(p, shell_env)
    assert data["state"] == "tinkered", data
    assert data["drift"] == want, f"drift: {data['drift']}"
    assert data["hand"] == want, f"hand: {data['hand']}"
    text = envhook("status", cwd=p, env=shell_env).stdout
    assert drift_block(text)[1] == [f"  otherpkg 1.1 (editable: {local}) (lock: 1.1)"], text


def test_several_changes_are_sorted_by_name(synced, shell_env, wheelhouse):
    hand(synced, shell_env, wheelhouse, "install", "tinkerpkg==3.0", "extrapkg")
    data = status_json(synced, shell_env)
    want = [entry("extrapkg", "1.0", None), entry("tinkerpkg", "3.0", "1.0")]
    assert data["drift"] == want and data["hand"] == want, data
    text = envhook("status", cwd=synced, env=shell_env).stdout
    assert drift_block(text)[1] == ["  + extrapkg 1.0", "  tinkerpkg 3.0 (lock: 1.0)"], text


def test_hand_is_measured_from_the_last_sync_not_the_lock(synced, shell_env, wheelhouse):
    # The lock moves on (not synced), then the user tries a third version.
    set_dependencies(synced, ["tinkerpkg==2.0"])
    uv_lock(synced, shell_env)
    hand(synced, shell_env, wheelhouse, "install", "tinkerpkg==3.0")
    data = status_json(synced, shell_env)
    assert data["drift"] == [entry("tinkerpkg", "3.0", "2.0")], f"drift is against uv.lock: {data['drift']}"
    assert data["hand"] == [entry("tinkerpkg", "3.0", "1.0")], f"hand is against the last sync: {data['hand']}"


def test_drift_with_a_marker_dependent_lock(tmp_path, wheelhouse, shell_env):
    p = make_project(
        tmp_path / "demo", wheelhouse,
        dependencies=("tinkerpkg==1.0", "otherpkg==1.0; python_version < '3'", "depkg; sys_platform == 'linux'"),
    )
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    envhook("sync", cwd=p, env=shell_env, check=True)
    assert version_in_env(p, "otherpkg") == "1.1", "test setup: otherpkg 1.1 comes through depkg"
    data = status_json(p, shell_env)
    assert data["drift"] == [], f"no drift right after the sync: {data['drift']}"
    assert data["state"] == "in-sync"
    run_uv(p, shell_env, "pip", "uninstall", "depkg", "--python", str(venv_python(p)))
    data = status_json(p, shell_env)
    assert data["drift"] == [entry("depkg", None, "1.0")], f"drift: {data['drift']}"


def test_drift_in_a_workspace(tmp_path, wheelhouse, shell_env):
    root = make_project(tmp_path / "ws", wheelhouse, workspace_members=["packages/*"])
    member = make_workspace_member(root, "packages/a", "a", ["otherpkg==1.1"])
    uv_lock(root, shell_env)
    envhook("allow", cwd=member, env=shell_env, check=True)
    envhook("sync", cwd=member, env=shell_env, check=True)
    for where in (root, member):
        data = status_json(where, shell_env)
        assert data["drift"] == [] and data["state"] == "in-sync", f"from {where}: {data}"
    hand(root, shell_env, wheelhouse, "install", "tinkerpkg==2.0")
    for where in (root, member):
        data = status_json(where, shell_env)
        assert data["drift"] == [entry("tinkerpkg", "2.0", "1.0")], f"from {where}: {data['drift']}"
        assert data["state"] == "tinkered"


# ==================================================================================== pins


def test_pin_prints_the_drift_and_records_the_note(synced, shell_env, wheelhouse):
    hand(synced, shell_env, wheelhouse, "install", "tinkerpkg==2.0")
    r = envhook("pin", "--note", "why", cwd=synced, env=shell_env)
    assert r.returncode == 0, r.stderr
    assert "tinkerpkg 2.0 (lock: 1.0)" in r.stderr, f"pin should say what it freezes (stderr):\n{r.stderr}"
    data = status_json(synced, shell_env)
    assert data["state"] == "pinned"
    pin = data["pin"]
    assert pin is not None, data
    assert pin["note"] == "why"
    assert pin["since"], pin
    assert pin["drift"] == [entry("tinkerpkg", "2.0", "1.0")], pin
    assert pin["inputs_changed"] == [], pin
    assert "why" in envhook("status", cwd=synced, env=shell_env).stdout


def test_pinned_status_names_the_changed_inputs(synced, shell_env, wheelhouse):
    hand(synced, shell_env, wheelhouse, "install", "tinkerpkg==2.0")
    envhook("pin", cwd=synced, env=shell_env, check=True)
    set_dependencies(synced, ["tinkerpkg==1.0", "otherpkg==1.0"])
    uv_lock(synced, shell_env)
    data = status_json(synced, shell_env)
    pin = data["pin"]
    assert any("uv.lock changed" in c for c in pin["inputs_changed"]), pin
    # What was changed by hand since the last sync, and how that stands against the new lock.
    assert data["hand"] == [entry("tinkerpkg", "2.0", "1.0")], data
    assert data["drift"] == [entry("otherpkg", None, "1.0"), entry("tinkerpkg", "2.0", "1.0")], data


def test_unpin_says_what_the_next_sync_changes(synced, shell_env, wheelhouse):
    hand(synced, shell_env, wheelhouse, "install", "tinkerpkg==2.0")
    envhook("pin", cwd=synced, env=shell_env, check=True)
    r = envhook("unpin", cwd=synced, env=shell_env)
    assert r.returncode == 0
    assert f"tinkerpkg 2.0 {ARROW} 1.0" in r.stdout + r.stderr, f"unpin output:\n{r.stdout}{r.stderr}"
    assert version_in_env(synced) == "2.0", "unpin itself does not sync"


def test_unpin_of_an_untouched_env_says_it_already_matches(synced, shell_env):
    envhook("pin", cwd=synced, env=shell_env, check=True)
    assert status_json(synced, shell_env)["pin"]["drift"] == [], "pinned with nothing changed: no drift frozen"
    r = envhook("unpin", cwd=synced, env=shell_env)
    assert r.returncode == 0
    assert "already matches" in r.stdout + r.stderr, f"unpin output:\n{r.stdout}{r.stderr}"


def test_a_rebuild_of_the_project_itself_is_not_drift(tmp_path, wheelhouse, shell_env):
    """A packaged project is installed from its own tree. After its
    pyproject.toml is rewritten (git checkout writes it even with the same
    bytes), uv's dry run lists the project as rebuilt; that is not a
    difference from the lock."""
    from support.localpkg import BACKEND_MODULE, BACKEND_SOURCE

    p = make_project(tmp_path / "app", wheelhouse, name="app", extra_toml=(
        f'[build-system]\nrequires = []\nbuild-backend = "{BACKEND_MODULE}"\nbackend-path = ["."]\n'))
    (p / f"{BACKEND_MODULE}.py").write_text(BACKEND_SOURCE)
    (p / "src" / "app").mkdir(parents=True)
    (p / "src" / "app" / "__init__.py").write_text("")
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    envhook("sync", cwd=p, env=shell_env, check=True)
    envhook("pin", cwd=p, env=shell_env, check=True)  # status asks uv about a pinned env
    later = (p / "pyproject.toml").stat().st_mtime + 5
    os.utime(p / "pyproject.toml", (later, later))
    dry = subprocess.run(["uv", "sync", "--locked", "--dry-run"], cwd=p, env=shell_env, capture_output=True, text=True)
    assert "+ app" in dry.stderr, f"test setup: uv should plan to rebuild the project:\n{dry.stderr}"
    data = status_json(p, shell_env)
    assert data["state"] == "pinned" and data["drift"] == [], data


def test_tinkering_an_env_elsewhere(open_shell, shell, project, shell_env, wheelhouse, tmp_path):
    """UV_PROJECT_ENVIRONMENT puts the env outside .venv: its site-packages is
    the one watched, and uv is asked about that env, not a .venv."""
    env, log = uv_wrapper(tmp_path, dict(shell_env, UV_PROJECT_ENVIRONMENT="build/env"))
    envhook("allow", cwd=project, env=env, check=True)
    s = open_shell(cwd=project, env=env)
    assert s.get("VIRTUAL_ENV") == str(project / "build" / "env")
    out = s.run(pip_install(shell, wheelhouse, "tinkerpkg==2.0"))
    assert notices(out) == [{f"tinkerpkg 1.0 {ARROW} 2.0"}], out
    set_dependencies(project, ["tinkerpkg==1.0", "extrapkg"])
    out = s.run("uv lock -q")
    assert "kept your tinkerpkg 2.0 (lock: 1.0)" in out and "+ extrapkg 1.0" in out, out
    assert s.get("ENVHOOK_STATE") == "tinkered"
    data = status_json(project, env)
    assert data["env"] == str(project / "build" / "env") and not (project / ".venv").exists()
    assert data["drift"] == [entry("tinkerpkg", "2.0", "1.0")], data
    syncs = envhook_syncs(log, s)
    assert len(syncs) == 2 and "--no-install-package" in syncs[1], syncs
