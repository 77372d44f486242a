"""Where envhook keeps what it knows, and how it writes it.

Everything lives under platformdirs' user state dir (XDG_STATE_HOME honoured),
never inside a project, so a repository cannot trust or pin itself. Each
project gets a directory named by a hash of its real path:

    projects/<key>/path        the project's real path (for people reading the dir)
    projects/<key>/allow       present = trusted; JSON: when, and the inputs' digests (trust.py)
    projects/<key>/deny        present = explicitly denied (trust.py)
    projects/<key>/pin.json    present = pinned            (pins.py)
    projects/<key>/sync.json   the last sync: outcome and input fingerprints
    projects/<key>/notify      touched by every user command (allow, pin, sync…)
    projects/<key>/noticed     the hand-made change the hook last reported (said once)
    projects/<key>/hand-made   a workspace env uv's own commands do not explain (its key: not asked again)
    projects/<key>/journal.json, journal.head, journal.lock
                               the env's history (env/journal.py)
    projects/<key>/moved-aside/  broken envs (no pyvenv.cfg, or no interpreter) set aside before a sync
    said                       hints given once per user
    stamps/<session>-<key>     per shell: mtime = when that shell last looked
    dirs/<key of a dir>        the hook's decision cache (hookcache.py)

Shells watch `notify` rather than the directory, so the hook's own record
writes do not wake every shell at its next prompt.
"""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

from envhook.store import paths
from envhook.store.hashing import file_digest

# What a sync record says of the last sync (sync.json "status").
SYNC_OK, SYNC_FAILED, SYNC_INTERRUPTED, SYNC_RUNNING = "ok", "failed", "interrupted", "running"


def state_dir() -> Path:
    return Path(paths.state_dir())


def project_key(root: Path) -> str:
    return paths.key(str(root))


def project_dir(root: Path) -> Path:
    return Path(paths.project_state(str(state_dir()), str(root)))


def atomic_write(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of either."""
    paths.make_dirs(str(path.parent))
    # Not tempfile: its import (random, shutil) costs more than this whole write.
    tmp = path.parent / f".{path.name}.{os.getpid()}.{time.monotonic_ns()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json(path: Path, obj: dict) -> None:
    atomic_write(path, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode())


def read_json(path: Path) -> dict | None:
    """None when absent. A damaged file reads as {} — there, but saying nothing:
    a sync record without fields counts as none (at worst a re-sync), while a
    pin.json still pins, so damage never resets an env the user tinkered with."""
    try:
        data = json.loads(paths.read_state(str(path)))
    except FileNotFoundError:
        return None
    except paths.UnsafeState:
        return {}  # there, but another user could have written it: believe nothing of it
    except (OSError, ValueError):
        return {} if os.path.lexists(path) else None
    return data if isinstance(data, dict) else {}


def ensure_project_dir(root: Path) -> Path:
    d = project_dir(root)
    paths.make_dirs(str(d))
    for p in (d.parent, d):
        if p.is_symlink():
            # Written through, a link planted there would put envhook's files
            # (and its trust) wherever it points.
            raise OSError(errno.ELOOP, "is a symlink; envhook writes nothing through it", str(p))
    marker = d / "path"
    if not marker.exists():
        atomic_write(marker, os.fsencode(str(root)) + b"\n")
    return d


def keep_or_forget(root: Path, name: str, data: dict | None) -> None:
    """The project's state file NAME holding DATA, or gone when DATA is
    None; then every shell looks again (notify)."""
    path = project_dir(root) / name
    if data is not None:
        ensure_project_dir(root)
        write_json(path, data)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    notify(root)


def notify(root: Path) -> None:
    """Tell every shell's hook to look again at its next prompt: shells
    compare this file's mtime with their stamps. A stamp is never set past
    "now", but after the clock stepped back "now" is older than the stamps
    written before, so it is set just after the newest stamp instead (`envhook
    deny` must reach every open shell). The stamps that carry the mtime of a
    file dated in the future (paths.stamp_future) are no shell's "now", and
    do not count: notify itself would be dated in the future by them."""
    path = ensure_project_dir(root) / paths.NOTIFY
    atomic_write(path, b"")
    newest = 0
    try:
        with os.scandir(paths.stamps_dir(str(state_dir()))) as it:
            for e in it:
                if e.name.endswith(paths.MTIME_STAMP):
                    continue
                try:
                    newest = max(newest, e.stat(follow_symlinks=False).st_mtime_ns)
                except OSError:
                    pass
    except OSError:
        return
    if newest >= os.stat(path).st_mtime_ns:
        t = newest + 1_000_000
        os.utime(path, ns=(t, t))


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# -- fingerprints ---------------------------------------------------------------

def fingerprint(paths: list[Path], root: Path) -> dict[str, str | None]:
    """Content digests keyed by path relative to the root: a touch without a
    change does not make an env stale, and status can name what changed."""
    out = {}
    for p in paths:
        try:
            rel = p.relative_to(root).as_posix()
        except ValueError:
            rel = str(p)
        out[rel] = file_digest(p)
    return out


# Among a sync's inputs, the selection it was made for (decide/project.py,
# Project.current_inputs): `uv sync`'s options, not a file's digest.
SELECTION_INPUT = "(selection)"


def describe_changes(old: dict[str, str | None], new: dict[str, str | None]) -> list[str]:
    reasons = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name == SELECTION_INPUT:
            reasons.append(f"the selection changed (now {after or 'the defaults'})")
        elif before is None:
            reasons.append(f"{name} added")
        elif after is None:
            reasons.append(f"{name} removed")
        else:
            reasons.append(f"{name} changed")
    return reasons


# -- sync records -----------------------------------------------------------------

class SyncRecord:
    FIELDS = ("status", "inputs", "env_cfg", "installed", "time", "message", "pid", "reset_on_drift", "last_ok",
              "failure", "unmet", "env", "env_id", "partial", "hand")

    def __init__(self, status: str, inputs: dict, env_cfg: str | None = None, installed: dict | None = None,
                 time: str = "", message: str = "", pid: int | None = None,
                 reset_on_drift: bool | list | dict = False,
                 last_ok: dict | None = None, failure: dict | None = None, unmet: list | None = None,
                 env: str | None = None, env_id: str | None = None, partial: bool = False,
                 hand: dict | None = None):
        self.status, self.inputs, self.env_cfg = status, inputs, env_cfg
        # What the env held right after this sync (venv.installed): the
        # baseline that hand-made changes are measured against.
        self.installed = installed if isinstance(installed, dict) else None
        self.time, self.message, self.pid = time, message, pid
        # Consent to reset hand-made changes (`envhook unpin`): {name: value
        # when consent was given, None for absent}; True or a list of names
        # from older envhooks.
        self.reset_on_drift = reset_on_drift
        # A failed, interrupted or unfinished sync replaces the record of the
        # last good one; that one is kept here so nothing recorded is lost.
        self.last_ok = last_ok if isinstance(last_ok, dict) else None
        # A failed tool run: {"command", "exit", "tail", "log"} (SyncOutcome.failure).
        self.failure = failure if isinstance(failure, dict) else None
        # What the packages in the env require and the env lacks, right after
        # this sync (venvcheck.unmet): a sync that left it so did not work.
        self.unmet = [u for u in unmet if isinstance(u, str)] if isinstance(unmet, list) else []
        # The env this record describes (`installed` was read from it): after
        # a sync, where the tool said it put the env (Backend.locate), which
        # the backend's rule reads back when it cannot tell by itself.
        self.env = env if isinstance(env, str) else None
        # Which pyvenv.cfg that env had (inode and mtime: a venv made again
        # with the same content is another file), so that an env another
        # tool made in its place is told from the same env changed by hand.
        self.env_id = env_id if isinstance(env_id, str) else None
        # Recorded from an env uv's own workspace commands left (`uv sync
        # --package M`, `uv run` in a member), not from a sync of the
        # project's selection: in sync, yet not what a plain sync installs.
        self.partial = partial is True
        # A sync that did not succeed: the hand-made changes the env carried
        # before it ({name: value, None for removed}). Those it left there are
        # still someone's, and still kept from `uv run` (UV_NO_SYNC).
        self.hand = {k: v for k, v in hand.items() if isinstance(k, str) and (v is None or isinstance(v, str))} \
            if isinstance(hand, dict) else None

    def baseline(self) -> dict | None:
        """What envhook's last successful sync left in the env (a dict that
        changes to it are saved with the record), None when unknown."""
        if self.status == SYNC_OK:
            return self.installed
        installed = self.last_ok.get("installed") if self.last_ok else None
        return installed if isinstance(installed, dict) else None

    def good(self) -> dict | None:
        """The last successful sync: this record if it is one, else the one it kept."""
        if self.status == SYNC_OK:
            return {k: getattr(self, k) for k in self.FIELDS if k not in ("last_ok", "failure", "hand")}
        return self.last_ok

    @classmethod
    def load(cls, root: Path) -> SyncRecord | None:
        data = read_json(project_dir(root) / paths.SYNC_RECORD)
        if not data or not isinstance(data.get("inputs"), dict) or not isinstance(data.get("status"), str):
            return None
        try:
            return cls(**{k: data[k] for k in cls.FIELDS if k in data})
        except TypeError:
            return None

    def save(self, root: Path) -> None:
        ensure_project_dir(root)
        write_json(project_dir(root) / paths.SYNC_RECORD, {k: getattr(self, k) for k in self.FIELDS})


# -- what the hook already said about hand-made changes ------------------------------


# -- per-shell stamps (created and set in paths.py) ---------------------------------

def prune_stamps(max_age_days: float = 14) -> None:
    d = Path(paths.stamps_dir(str(state_dir())))
    cutoff = time.time() - max_age_days * 86400
    try:
        entries = list(os.scandir(d))
    except OSError:
        return
    for e in entries:
        try:
            # By when it was last written (ctime), not its mtime: a stamp that
            # carries the mtime of a file dated in the future would outlive
            # its shell by as long as that date is ahead.
            if e.stat(follow_symlinks=False).st_ctime < cutoff:
                os.unlink(e.path)
        except OSError:
            pass
