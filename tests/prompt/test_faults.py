"""Faults (issue "Faults — each gets one clear line on stderr (no traceback),
the shell keeps working, and nothing already recorded is lost"), in real
interactive shells over real uv projects.

Every test checks the same four things: at most one `envhook:` line about
the fault (the usual `envhook: syncing …` announcement aside) and no
traceback; three more prompts in silence (a failure is neither retried nor
re-announced at every prompt); the shell still runs commands; and trust, pin
and the last good sync record are still there afterwards.

Ctrl-C during a sync is in test_hook_contract.py
(test_ctrl_c_during_sync_returns_the_prompt_and_is_not_retried and
test_ctrl_c_during_a_sync_started_from_the_cache), not repeated here.

Tests run as root, where permissions stop nothing, so faults are made with:

- kill -9 mid-sync: a `uv` wrapper first on PATH logs its pid, waits at a
  gate file, then execs the real uv; "uv" is the wrapper (the process
  envhook spawned and waits for), envhook's pid is its parent (/proc).
- a read-only state dir: a read-only bind mount over it (root; chmod 0500
  when not root), so existing records stay readable and every write fails
  with EROFS.
- an unusable state dir: XDG_STATE_HOME under a regular file (ENOTDIR).
- a full disk: the state dir on a 64 KiB tmpfs filled with a file.
- an unreadable pyproject.toml: a symlink to /proc/self/mem, a regular file
  whose read at offset 0 fails with EIO for everyone, root included; a
  pyproject.toml that is a directory, a dangling symlink or a FIFO is no
  project file at all (`-f` is false), so it is checked to be ignored.
- envhook uninstalled: `_envhook_python` pointed at a symlink then deleted;
  `_envhook_pypath` pointed at an empty directory (the ENTRY then exits 3).

The mounts need root with CAP_SYS_ADMIN. Without it those two cases skip
with the reason, and with CI=true they fail instead of skipping.

The CLI commands (`envhook allow` …) on an unwritable state dir say one line
and exit 1, without a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from envhook.store import paths
from support.hooktest import envhook, q, throwaway_python, version_in_env, without_uv
from support.hooktest import status_json as status
from support.projects import make_project, set_dependencies, uv_lock
from support.shell import ShellSession

BASH_ZSH = pytest.mark.parametrize("shell", ["bash", "zsh"], indirect=True)
ALL = pytest.mark.parametrize("shell", ["bash", "zsh", "fish"], indirect=True)


@pytest.fixture
def project(tmp_path, wheelhouse, shell_env) -> Path:
    """A trusted project, synced once by `envhook sync`: trust and a good sync record exist."""
    p = make_project(tmp_path / "demo", wheelhouse)
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env, check=True)
    envhook("sync", cwd=p, env=shell_env, check=True)
    return p


# -- helpers ----------------------------------------------------------------------------

def state_dir(env: dict) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "envhook"


def pdir(env: dict, project: Path) -> Path:
    return state_dir(env) / "projects" / paths.key(os.path.realpath(project))


def sync_json(env: dict, project: Path) -> dict | None:
    try:
        return json.loads((pdir(env, project) / "sync.json").read_text())
    except FileNotFoundError:
        return None


def last_good(env: dict, project: Path) -> dict | None:
    """The last successful sync on record: the record itself, or the one a
    later failed, interrupted or unfinished sync kept (`last_ok`)."""
    rec = sync_json(env, project)
    if rec is None:
        return None
    good = rec if rec.get("status") == "ok" else rec.get("last_ok")
    return {k: good.get(k) for k in ("status", "inputs", "time", "env_cfg", "installed")} if good else None


def recorded(env: dict, project: Path) -> dict:
    d = pdir(env, project)
    read = lambda n: (d / n).read_bytes() if (d / n).is_file() else None
    return {"allow": read("allow"), "deny": read("deny"), "pin": read("pin.json"), "last_good": last_good(env, project)}


def fault_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if "envhook:" in ln and "envhook: syncing " not in ln]


def one_line(out: str, *expect: str) -> None:
    """At most one line about the fault, no traceback, and it says what it should."""
    assert "Traceback" not in out, out
    lines = fault_lines(out)
    assert len(lines) <= 1, out
    for e in expect:
        assert lines and e in lines[0], out


def settled(s: ShellSession, uv_log: Path | None = None) -> None:
    """Three more prompts say nothing and start no uv; the shell still works."""
    calls = uv_calls(uv_log) if uv_log else None
    for _ in range(3):
        out = s.run("true")
        assert "envhook" not in out and "Traceback" not in out, out
    assert s.run("echo alive").strip() == "alive"
    if uv_log:
        assert uv_calls(uv_log) == calls, "uv was started again"


def uv_wrapper(tmp_path: Path, shell_env: dict) -> tuple[dict, Path, Path]:
    """A `uv` first on PATH that logs "PID ARGS" to a log, waits while a gate
    file exists, then execs the real uv. Returns (env, log, gate)."""
    d = tmp_path / "uvwrap"
    d.mkdir()
    log, gate = tmp_path / "uv.log", tmp_path / "uv.gate"
    # tool_bin's uv, which conftest makes the binary itself, never a shim.
    real = os.path.realpath(shutil.which("uv", path=shell_env["PATH"]))
    (d / "uv").write_text(
        "#!/bin/sh\n"
        f"echo \"$$ $*\" >> '{log}'\n"
        f"while [ -e '{gate}' ]; do sleep 0.05; done\n"
        f"exec '{real}' \"$@\"\n"
    )
    (d / "uv").chmod(0o755)
    return dict(shell_env, PATH=f"{d}:{shell_env['PATH']}"), log, gate


def stall_a_sync(open_shell, project: Path, shell_env: dict, tmp_path: Path):
    """A shell in the project whose next prompt starts a sync that waits at the
    wrapper's gate. Returns (session, env, log, gate, state recorded before)."""
    env, log, gate = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    before = recorded(env, project)
    gate.touch()
    set_dependencies(project, ["tinkerpkg==2.0"])
    s.send_line("true")
    return s, env, log, gate, before


def uv_calls(log: Path) -> list[str]:
    """The `uv … sync` runs the wrapper saw."""
    return [ln for ln in log.read_text().splitlines() if ln.endswith(" sync")] if log.exists() else []


def wait_for_uv(log: Path, n: int = 1, timeout: float = 30) -> int:
    """The pid of the n-th `uv sync`, once it has started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = uv_calls(log)
        if len(calls) >= n:
            return int(calls[n - 1].split()[0])
        time.sleep(0.05)
    raise AssertionError(f"uv sync #{n} never started")


def wait_until(cond, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as f:
        return int(f.read().rsplit(b")", 1)[1].split()[1])


def cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace")


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def can_mount(reason: str) -> None:
    """Skip (fail with CI=true) when this machine cannot mount: not root or no CAP_SYS_ADMIN."""
    probe = Path(f"/tmp/envhook-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    ok = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(probe)], capture_output=True, check=False
    ).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], check=True)
    probe.rmdir()
    if not ok:
        msg = f"cannot mount here (needs root with CAP_SYS_ADMIN): {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{msg} (CI=true: this case must run, not skip)", pytrace=False)
        pytest.skip(msg)


# -- kill -9 in the middle of a sync ---------------------------------------------------

@ALL
def test_kill_9_of_envhook_mid_sync_is_redone_at_the_next_prompt(open_shell, shell, project, shell_env, tmp_path):
    s, env, log, gate, before = stall_a_sync(open_shell, project, shell_env, tmp_path)
    uv = wait_for_uv(log)
    hook = parent_of(uv)
    assert "-I -S -c" in cmdline(hook)  # the hook's Python, by its ENTRY
    # uv may start from the decision cache before the record says "running";
    # a kill before that leaves the old record, which the new inputs outdate.
    # Wait for the record, the harder case.
    wait_until(lambda: (sync_json(env, project) or {}).get("status") == "running")
    kill(hook)
    kill(uv)  # the orphan would finish on its own later; keep the test deterministic
    out = s.expect_prompt(timeout=10)
    one_line(out)
    # Not recorded as done: the record still says "running", by a process that is gone.
    rec = sync_json(env, project)
    assert rec["status"] == "running" and rec["inputs"] == before["last_good"]["inputs"]
    assert recorded(env, project) == before
    gate.unlink()
    out = s.run("true")
    one_line(out)
    assert "syncing demo (the last sync did not finish)" in out
    assert version_in_env(project) == "2.0"
    assert status(project, env)["state"] == "in-sync"
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    settled(s, log)
    assert recorded(env, project)["allow"] == before["allow"]


@BASH_ZSH
def test_kill_9_of_uv_mid_sync_is_recorded_as_not_done(open_shell, shell, project, shell_env, tmp_path):
    s, env, log, gate, before = stall_a_sync(open_shell, project, shell_env, tmp_path)
    kill(wait_for_uv(log))
    out = s.expect_prompt(timeout=10)
    one_line(out, "killed")
    gate.unlink()
    assert status(project, env)["state"] == "failed"
    assert sync_json(env, project)["status"] != "ok"
    assert recorded(env, project) == before
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")  # the old env stays usable
    settled(s, log)
    # `envhook sync` (which the line names) redoes it.
    assert "syncing demo" in s.run("envhook sync")
    assert version_in_env(project) == "2.0" and status(project, env)["state"] == "in-sync"


# -- two shells, one sync --------------------------------------------------------------

@BASH_ZSH
@pytest.mark.parametrize("how", ["entering", "inside"])
def test_two_shells_on_a_stale_project_run_one_sync(open_shell, shell, project, shell_env, tmp_path, how):
    """"entering": both `cd` into a project that went stale (full evaluation,
    syncing.project_lock). "inside": both sit in it when it goes stale, so
    each entry starts from the decision cache (hookentry.speculate takes the
    same lock without blocking; the loser waits in the full evaluation)."""
    env, log, gate = uv_wrapper(tmp_path, shell_env)
    if how == "entering":
        set_dependencies(project, ["tinkerpkg==2.0"])
        a, b = open_shell(env=env), open_shell(env=env)
        cmd = f"cd {q(shell, project)}"
    else:
        a, b = open_shell(cwd=project, env=env), open_shell(cwd=project, env=env)
        assert len(list((state_dir(env) / "dirs").iterdir())) == 1  # the decision both will start from
        set_dependencies(project, ["tinkerpkg==2.0"])
        cmd = "true"
    gate.touch()
    a.send_line(cmd)
    wait_for_uv(log)
    b.send_line(cmd)
    b.child.expect(b"envhook: waiting for another sync of demo", timeout=30)  # b is queued behind a's lock
    waiting = (b.child.before + b.child.after).decode()
    gate.unlink()
    out_a, out_b = a.expect_prompt(timeout=60), waiting + b.expect_prompt(timeout=60)
    assert len(uv_calls(log)) == 1, log.read_text()
    for s, out in ((a, out_a), (b, out_b)):
        one_line(out)
        assert s.get("VIRTUAL_ENV") == str(project / ".venv")
        assert s.run("python -c 'import tinkerpkg; print(tinkerpkg.__version__)'").strip() == "2.0"
    assert "syncing demo" in out_a and "syncing" not in out_b
    assert status(project, env)["state"] == "in-sync"
    settled(a, log)
    settled(b, log)


# -- damaged state files ------------------------------------------------------------------

def damage(path: Path, how: str) -> None:
    if how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\xff\xfe not what envhook wrote {\"status\": \n")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "a directory":
        path.unlink()
        path.mkdir()
        (path / "x").write_text("")
    else:
        raise ValueError(how)


@BASH_ZSH
@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_damaged_sync_record_is_rebuilt_from_uvs_answer_without_a_sync(open_shell, shell, project, shell_env, tmp_path, how):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    envhook("pin", cwd=project, env=env, check=True)
    envhook("unpin", cwd=project, env=env, check=True)  # a pin came and went: allow and notify exist
    before = recorded(env, project)
    damage(pdir(env, project) / "sync.json", how)
    s = open_shell(cwd=project, env=env)
    out = s.startup_output
    one_line(out)
    # Damaged reads as never synced; uv says the env matches the lock, so it
    # is recorded afresh as it is: no sync, nothing said.
    assert out.strip() == "" and len(uv_calls(log)) == 0, out
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert sync_json(env, project)["status"] == "ok"
    assert sync_json(env, project)["installed"] == {"tinkerpkg": "1.0"}
    settled(s, log)
    after = recorded(env, project)
    assert after["allow"] == before["allow"] and after["pin"] is None


@BASH_ZSH
@pytest.mark.parametrize("how", ["truncated", "empty"])
def test_damaged_pin_still_pins(open_shell, shell, project, shell_env, tmp_path, how):
    """A pin protects hand-made changes: a damaged pin.json must not read as
    "not pinned", or the next sync (or `uv run`, without UV_NO_SYNC) resets them."""
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    envhook("pin", cwd=project, env=env, check=True)
    damage(pdir(env, project) / "pin.json", how)
    before = recorded(env, project)
    set_dependencies(project, ["tinkerpkg==2.0"])
    s = open_shell(cwd=project, env=env)
    one_line(s.startup_output, "pin.json is damaged")
    assert s.get("UV_NO_SYNC") == "1" and s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert uv_calls(log) == [] and version_in_env(project) == "1.0"
    settled(s, log)
    assert recorded(env, project) == before


@BASH_ZSH
@pytest.mark.parametrize("how", ["truncated", "garbage", "a directory"])
def test_damaged_decision_cache_is_decided_afresh_in_silence(open_shell, shell, project, shell_env, tmp_path, how):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    first = open_shell(cwd=project, env=env)
    caches = list((state_dir(env) / "dirs").iterdir())
    assert len(caches) == 1  # the first shell's quiet decision
    before = recorded(env, project)
    damage(caches[0], how)
    s = open_shell(cwd=project, env=env)
    assert "envhook" not in s.startup_output and "Traceback" not in s.startup_output, s.startup_output
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    settled(s, log)
    settled(first, log)
    assert recorded(env, project) == before and uv_calls(log) == []


@BASH_ZSH
@pytest.mark.parametrize("what", ["stamp is a directory", "stamps is a file"])
def test_damaged_stamps_do_not_stop_activation(open_shell, shell, project, shell_env, tmp_path, what):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    stamps = state_dir(env) / "stamps"
    before = recorded(env, project)
    if what == "stamps is a file":
        shutil.rmtree(stamps)
        stamps.write_text("not a directory\n")
    else:
        (stamp,) = stamps.iterdir()
        damage(stamp, "a directory")
    # The shell already in the project, after a change; and a new shell.
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("true")
    one_line(out)
    assert "syncing demo" in out and version_in_env(project) == "2.0"
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    t = open_shell(cwd=project, env=env)
    one_line(t.startup_output)
    assert t.get("VIRTUAL_ENV") == str(project / ".venv")
    for sh in (s, t):
        settled(sh, log)
    assert len(uv_calls(log)) == 1
    assert recorded(env, project)["allow"] == before["allow"]


# -- a state dir that cannot be written ------------------------------------------------------

@contextmanager
def read_only(d: Path):
    """`d` and everything under it read-only, for root too."""
    if os.geteuid() != 0:
        dirs = [d, *(p for p in d.rglob("*") if p.is_dir())]
        for p in dirs:
            p.chmod(0o500)
        try:
            yield
        finally:
            for p in dirs:
                p.chmod(0o700)
        return
    can_mount("a read-only state dir (as root, chmod stops no write; a read-only bind mount does)")
    subprocess.run(["mount", "--bind", str(d), str(d)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(d)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(d)], check=True)


@BASH_ZSH
def test_read_only_state_dir(open_shell, shell, project, shell_env, tmp_path):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    first = open_shell(cwd=project, env=env)  # entered while writable: cache and stamp exist
    before = recorded(env, project)
    with read_only(state_dir(env)):
        with pytest.raises(OSError):
            (state_dir(env) / "probe").write_text("")
        s = open_shell(cwd=project, env=env)
        one_line(s.startup_output, "Read-only file system")
        assert s.get("VIRTUAL_ENV") == str(project / ".venv")  # what is recorded still counts
        settled(s, log)
        # Stale now, but a sync that cannot be recorded would be redone at every prompt: none.
        set_dependencies(project, ["tinkerpkg==2.0"])
        for sh in (s, first):
            out = sh.run("true")
            one_line(out)
            assert sh.get("VIRTUAL_ENV") == str(project / ".venv")
            settled(sh, log)
        assert uv_calls(log) == []
    assert recorded(env, project) == before
    # Writable again: the next prompt looks (no stamp was written) and syncs.
    assert "syncing demo" in s.run("true")
    assert version_in_env(project) == "2.0" and status(project, env)["state"] == "in-sync"


@BASH_ZSH
def test_state_dir_under_a_regular_file(open_shell, shell, project, shell_env, tmp_path):
    """XDG_STATE_HOME under a file: every mkdir fails with ENOTDIR and nothing
    can be read either (so the project reads as untrusted)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory\n")
    env, log, _ = uv_wrapper(tmp_path, dict(shell_env, XDG_STATE_HOME=str(blocker / "state")))
    s = open_shell(cwd=project, env=env)
    one_line(s.startup_output, "Not a directory")
    assert s.get("VIRTUAL_ENV") is None
    settled(s, log)
    assert uv_calls(log) == []
    assert recorded(shell_env, project)["allow"]  # the real state dir was never touched


def test_commands_on_a_state_dir_under_a_regular_file(project, shell_env, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory\n")
    env = dict(shell_env, XDG_STATE_HOME=str(blocker / "state"))
    r = envhook("allow", cwd=project, env=env)
    assert r.returncode != 0
    one_line(r.stderr, "Not a directory")


@contextmanager
def tiny_fs(d: Path):
    can_mount("a full disk (a 64 KiB tmpfs)")
    d.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(d)], check=True)
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=True)


def fill(d: Path) -> Path:
    filler = d / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


@BASH_ZSH
def test_full_disk_under_the_state_dir(open_shell, shell, project, shell_env, tmp_path):
    with tiny_fs(tmp_path / "tiny") as tiny:
        env, log, gate = uv_wrapper(tmp_path, dict(shell_env, XDG_STATE_HOME=str(tiny)))
        envhook("allow", cwd=project, env=env, check=True)
        envhook("sync", cwd=project, env=env, check=True)
        s = open_shell(cwd=project, env=env)
        before = recorded(env, project)
        # The disk fills while uv runs: the sync happens, its record cannot be written.
        gate.touch()
        set_dependencies(project, ["tinkerpkg==2.0"])
        s.send_line("true")
        wait_for_uv(log)
        wait_until(lambda: (sync_json(env, project) or {}).get("status") == "running")
        filler = fill(tiny)
        gate.unlink()
        out = s.expect_prompt(timeout=30)
        one_line(out, "No space left on device")
        assert s.get("VIRTUAL_ENV") == str(project / ".venv")
        settled(s, log)
        # Not recorded as done; the last good sync is still on record.
        assert sync_json(env, project)["status"] == "running"
        assert recorded(env, project) == before
        # Another change while full (the hook may have freed a page since: fill
        # it again): at most one uv run, nothing said again, no retry.
        fill(tiny)
        set_dependencies(project, ["tinkerpkg==3.0"])
        out = s.run("true")
        one_line(out)
        assert len(uv_calls(log)) <= 2
        settled(s, log)
        assert recorded(env, project) == before
        # Failed writes leave no temporary files behind to fill the disk further.
        leftovers = [p for p in Path(tiny).rglob("*") if ".tmp" in p.name or p.name.startswith(".")]
        assert leftovers == [], leftovers
        # Space again: `envhook sync` redoes it and records it.
        filler.unlink()
        assert envhook("sync", cwd=project, env=env).returncode == 0
        assert version_in_env(project) == "3.0" and status(project, env)["state"] == "in-sync"


# -- project files -----------------------------------------------------------------------

@ALL
def test_pyproject_with_a_toml_syntax_error(open_shell, shell, project, shell_env, tmp_path):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    before = recorded(env, project)
    good = (project / "pyproject.toml").read_bytes()
    (project / "pyproject.toml").write_bytes(good + b"\n[broken\n")
    out = s.run("true")
    one_line(out, "is not valid TOML")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")  # what was active stays
    settled(s, log)
    t = open_shell(cwd=project, env=env)  # a new shell entering is told once too
    one_line(t.startup_output, "is not valid TOML")
    settled(t, log)
    (project / "pyproject.toml").write_bytes(good)
    for sh in (s, t):
        assert "envhook" not in sh.run("true")
        assert sh.get("VIRTUAL_ENV") == str(project / ".venv")
    assert uv_calls(log) == [] and recorded(env, project) == before


@BASH_ZSH
def test_unreadable_pyproject(open_shell, shell, project, shell_env, tmp_path):
    """Root reads any file, so: a symlink to /proc/self/mem, a regular file
    whose read at offset 0 fails with EIO for every process."""
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    before = recorded(env, project)
    saved = tmp_path / "pyproject.saved"
    (project / "pyproject.toml").rename(saved)
    (project / "pyproject.toml").symlink_to("/proc/self/mem")
    out = s.run("true")
    one_line(out, "cannot read", "Input/output error")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    settled(s, log)
    (project / "pyproject.toml").unlink()
    saved.rename(project / "pyproject.toml")
    assert "envhook" not in s.run("true")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    assert uv_calls(log) == [] and recorded(env, project) == before


@pytest.mark.parametrize("shell", ["bash", "tcsh"], indirect=True)
def test_pyproject_that_is_no_file_is_no_project(open_shell, shell, tmp_path, shell_env):
    """A directory, a dangling symlink or a FIFO named pyproject.toml: no
    project file (`-f` is false), so nothing is read — a FIFO would block."""
    kinds = {"dir": lambda p: p.mkdir(), "dangling": lambda p: p.symlink_to(tmp_path / "nowhere"),
             "fifo": lambda p: os.mkfifo(p)}
    s = open_shell()
    for name, make in kinds.items():
        d = tmp_path / name
        d.mkdir()
        make(d / "pyproject.toml")
        out = s.run(f"cd {q(shell, d)}")
        assert "envhook" not in out and "Traceback" not in out, out
        assert s.get("VIRTUAL_ENV") is None
    settled(s)


@ALL
def test_lock_file_that_uv_rejects(open_shell, shell, project, shell_env, tmp_path):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    before = recorded(env, project)
    (project / "uv.lock").write_text("version = 1\n[[package]]\nname = \n")
    out = s.run("true")
    one_line(out, "`uv sync` failed")
    assert "syncing demo (uv.lock changed)" in out and len(uv_calls(log)) == 1
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")  # the old env stays usable
    settled(s, log)
    assert status(project, env)["state"] == "failed"
    assert recorded(env, project) == before
    assert version_in_env(project) == "1.0"


@BASH_ZSH
def test_uv_missing_from_path(open_shell, shell, project, shell_env, tmp_path, tool_bin):
    env = without_uv(tmp_path / "nouv", tool_bin, shell_env)
    before = recorded(env, project)
    set_dependencies(project, ["tinkerpkg==2.0"])
    s = open_shell(cwd=project, env=env)
    one_line(s.startup_output, "uv not found on PATH")
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    settled(s)
    assert status(project, env)["state"] == "failed"
    assert recorded(env, project) == before


# -- envhook itself gone under a running shell --------------------------------------------

def set_var(shell: str, name: str, value: str) -> str:
    return f"set -g {name} {q(shell, value)}" if shell == "fish" else f"{name}=({q(shell, value)})"


@ALL
def test_envhook_package_removed_under_the_shell(open_shell, shell, project, shell_env, tmp_path):
    """The interpreter is still there, envhook is not importable any more,
    neither from the import path the hook was printed with nor from the
    interpreter's own site-packages: the ENTRY says so and exits 3, and the
    hook stops calling it."""
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    empty = tmp_path / "empty-site"
    empty.mkdir()
    bare = throwaway_python(tmp_path / "bare-python")  # no envhook in its site-packages
    s = open_shell(env=env)
    before = recorded(env, project)
    s.run(set_var(shell, "_envhook_pypath", str(empty)))
    s.run(set_var(shell, "_envhook_python", str(bare)))
    out = s.run(f"cd {q(shell, project)}")
    one_line(out, "cannot load envhook", "open a new shell (or `exec $SHELL`)")
    assert s.get("_envhook_broken") == "1"
    settled(s, log)
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("cd / ; cd " + q(shell, project))
    assert "envhook" not in out and "Traceback" not in out
    settled(s, log)
    assert uv_calls(log) == [] and recorded(env, project) == before


# -- the cwd deleted under the shell -----------------------------------------------------

@ALL
def test_cwd_deleted_while_the_project_changes(open_shell, shell, project, shell_env, tmp_path):
    """A `git checkout` that removes the directory the shell stands in and
    changes the lock: the sync still runs, from a cwd that is gone."""
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    (project / "sub").mkdir()
    s = open_shell(cwd=project / "sub", env=env)
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    shutil.rmtree(project / "sub")
    set_dependencies(project, ["tinkerpkg==2.0"])
    out = s.run("true")
    one_line(out)
    assert "syncing demo" in out and version_in_env(project) == "2.0"
    assert s.get("VIRTUAL_ENV") == str(project / ".venv")
    settled(s, log)
    assert s.run(f"cd {q(shell, project)}") .strip() == ""
    assert status(project, env)["state"] == "in-sync"


@ALL
def test_cwd_deleted_with_the_whole_project(open_shell, shell, project, shell_env, tmp_path):
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    s = open_shell(cwd=project, env=env)
    before = recorded(env, project)
    out = s.run(f"rm -rf {q(shell, project)}")
    one_line(out)
    assert "envhook" not in out
    assert s.get("VIRTUAL_ENV") is None  # its env is gone with it: deactivated
    settled(s, log)
    assert s.run(f"cd {q(shell, tmp_path)} && echo back").strip() == "back"
    assert recorded(env, project) == before and uv_calls(log) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "nu", "elvish", "tcsh", "xonsh"], indirect=True)
def test_a_fifo_named_uv_lock_hangs_nothing(open_shell, shell, project, shell_env):
    """A FIFO blocks whoever opens it for reading: envhook must not, and must
    not hand it to uv either."""
    s = open_shell(cwd=project)
    (project / "uv.lock").unlink()
    os.mkfifo(project / "uv.lock")
    t0 = time.monotonic()
    out = s.run("true", timeout=20)
    assert time.monotonic() - t0 < 10
    assert "Traceback" not in out and "uv.lock is not a regular file" in out
    assert "syncing" not in out
    assert s.run("echo alive", timeout=10).strip() == "alive"
    r = envhook("status", "--json", cwd=project, env=shell_env)
    assert json.loads(r.stdout)["state"] == "failed"


# -- envhook upgraded under a running shell -----------------------------------------------

# Frozen hooks of each older protocol (tests/data/hook-protocol-N): 1 for
# bash, zsh and fish (before ENVHOOK_STATE); 2 for all seven (before Python
# rendered their activation, issue 30).
OLD_HOOKS = {("bash", 1): "envhook.bash", ("zsh", 1): "envhook.zsh", ("fish", 1): "envhook.fish",
             ("bash", 2): "envhook.sh", ("zsh", 2): "envhook.sh", ("fish", 2): "envhook.fish",
             ("xonsh", 2): "envhook.xsh", ("nu", 2): "envhook.nu", ("elvish", 2): "envhook.elv",
             ("tcsh", 2): "envhook.tcsh"}
# How an rc loads a hook file (xonsh sources only .xsh; tcsh's file is the one line `envhook hook tcsh` prints).
_LOAD = {"elvish": "eval (slurp < {f})"}
_SUFFIX = {"xonsh": "xsh"}


def _old_hook(shell: str, old_protocol: int, tmp_path: Path) -> str:
    """The rc line that loads the frozen hook of OLD_PROTOCOL, rendered as
    that envhook rendered it (its ENTRY names its protocol; protocol 1's none)."""
    from envhook.commands.hook import entry, import_path
    from envhook.prompt.shells import get_shell

    sh = get_shell(shell)
    assert old_protocol < sh.protocol
    assert f"protocol={sh.protocol})" in entry(sh.protocol), "the ENTRY the hook bakes in names its protocol"
    old_entry = entry(old_protocol) if old_protocol > 1 else entry(0).replace(", protocol=0", "")
    old = (Path(__file__).parent.parent / "data" / f"hook-protocol-{old_protocol}" / OLD_HOOKS[shell, old_protocol])
    rendered = sh.render(old.read_text(), {
        "ENVHOOK_PYTHON": sys.executable, "ENVHOOK_PYPATH": import_path(),
        "ENVHOOK_ENTRY": old_entry, "ENVHOOK_SESSION": "oldshell1", "ENVHOOK_PARANOID": "",
    })
    assert "__ENVHOOK_" not in rendered
    hook_file = tmp_path / f"old-hook.{_SUFFIX.get(shell, shell)}"
    hook_file.write_text(rendered)
    return _LOAD.get(shell, "source {f}").format(f=q(shell, hook_file))


@pytest.mark.parametrize(("shell", "old_protocol"), list(OLD_HOOKS), indirect=["shell"])
def test_a_hook_from_an_older_envhook_is_stopped_not_misled(shell, old_protocol, project, shell_env, isolated_home,
                                                            tmp_path):
    """Upgrading envhook does not re-render the hook of shells already open:
    their shell code (an older protocol) calls the new Python. It must not
    misread the new output (protocol 1 with an empty ENV would have put "/bin"
    first on PATH; protocol 2 would have exported the code of protocol 3's
    activation as VIRTUAL_ENV_PROMPT); it is told to step aside, and says why, once."""
    _check_the_old_hook_steps_aside(shell, _old_hook(shell, old_protocol, tmp_path), project, shell_env,
                                    isolated_home, tmp_path)


@pytest.mark.parametrize("shell", ["xonsh", "elvish"], indirect=True)
def test_loading_the_new_hook_over_an_older_one_does_not_feed_it_the_new_protocol(shell, project, shell_env,
                                                                                   isolated_home, tmp_path):
    """xonsh and elvish keep the hook loaded first and hand a later load's
    configuration to it (a reloaded rc must not lose what it activated). After
    an upgrade that first hook's code reads protocol 2: given the new ENTRY it
    would have called Python as protocol 3 and misread the answer. It keeps
    its own, and steps aside as any older hook does."""
    from support.hooktest import HOOK_LINE

    rc = _old_hook(shell, 2, tmp_path) + "\n" + HOOK_LINE[shell]
    _check_the_old_hook_steps_aside(shell, rc, project, shell_env, isolated_home, tmp_path)


def _check_the_old_hook_steps_aside(shell, rc, project, shell_env, isolated_home, tmp_path):
    envhook("allow", cwd=project, env=shell_env, check=True)  # untrusted would print another line
    env, log, _ = uv_wrapper(tmp_path, shell_env)
    s = ShellSession(shell, isolated_home, rc + "\n", env, tmp_path)
    try:
        path_before = s.get("PATH")
        out = s.run(f"cd {q(shell, project)}")
        one_line(out, "older envhook")
        assert s.get("VIRTUAL_ENV") is None and s.get("PATH") == path_before
        settled(s, log)
        out = s.run("cd / ; cd " + q(shell, project))
        assert "envhook" not in out and s.get("VIRTUAL_ENV") is None
        assert uv_calls(log) == []
    finally:
        s.close(force=True)


# What a hook of protocol 2 kept for the project it is in (its current
# slot): its words, ENV PROMPT NO_SYNC STATE, with a prompt this code would
# run if it read them as protocol 3's code.
_OLD_SLOT = {
    "bash": """eval "_envhook_s${_envhook_cur}_act=(\\"\\$VIRTUAL_ENV\\" '\\$(touch PWNED)' 0 in-sync)"; _envhook_protocol=2""",
    "fish": """set -g _envhook_s{$_envhook_cur}_act $VIRTUAL_ENV '(touch PWNED)' 0 in-sync; set -g _envhook_protocol 2""",
}
_OLD_SLOT["zsh"] = _OLD_SLOT["bash"]
_PROMPT = {"bash": "_envhook_hook", "zsh": "_envhook_hook", "fish": "emit fish_prompt"}


@ALL
def test_sourcing_the_new_hook_over_an_older_ones_state_forgets_its_slots(shell, project, shell_env, tmp_path):
    """An rc sourced again after an upgrade (bash, zsh, fish: the new
    functions replace the old, the state stays): the slots the older hook
    filled hold its protocol's words, which the new code evals as code. They
    are forgotten at load; what is active stays, and Python is asked again.
    (zsh and fish ran the old prompt before the change; bash's reload already
    lost its slot map, `${map+x}` being empty for an associative array.)"""
    exe = shutil.which(shell)
    hook = tmp_path / f"hook.{shell}"
    hook.write_bytes(subprocess.run(["envhook", "hook", shell], env=shell_env, capture_output=True, check=True).stdout)
    envhook("allow", cwd=project, env=shell_env, check=True)
    venv, prompt = q(shell, project / ".venv"), _PROMPT[shell]
    ok = {"fish": f'test "$VIRTUAL_ENV" = {venv}; or exit', "bash": f'[[ $VIRTUAL_ENV == {venv} ]] || exit'}
    ok["zsh"] = ok["bash"]
    script = "\n".join([
        f"source {q(shell, hook)}", f"cd {q(shell, project)}; {prompt}", f"{ok[shell]} 11",
        "sleep 2.1",  # past the racily-clean second: re-entering answers from the slot, without Python
        _OLD_SLOT[shell], f"source {q(shell, hook)}",
        f"cd /; {prompt}; cd {q(shell, project)}; {prompt}", f"{ok[shell]} 12",
    ])
    r = subprocess.run([exe, "-c", script], cwd=tmp_path, env=shell_env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert not list(tmp_path.rglob("PWNED")) and not list(project.rglob("PWNED"))
