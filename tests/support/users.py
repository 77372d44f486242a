"""Real local users for the tests where "another user" is the point: made
with useradd for one test and removed after it. The tests run as root (CI
does); without root they skip, and with CI=true they fail instead."""

from __future__ import annotations

import os
import pwd
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def local_user(prefix: str = "eh") -> Iterator[pwd.struct_passwd]:
    """A new user (and its own group), without a home: give it one under a
    directory it owns. userdel removes both at the end."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("this test makes another local user with useradd, which needs root (CI runs as root)")
        pytest.skip("needs root to add a user")
    name = f"{prefix}{secrets.token_hex(4)}"
    subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell", "/bin/sh", name],
                   check=True, capture_output=True)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True, check=False)


def as_user(user: pwd.struct_passwd, script: str, **kw) -> subprocess.CompletedProcess:
    """`sh -c script` as `user` (setpriv: its uid, its group, no others)."""
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                           "--", "/bin/sh", "-c", script], capture_output=True, text=True, timeout=60, check=False, **kw)
