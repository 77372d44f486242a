"""What the real-shell tests of the hook share: the rc line per shell, the
`envhook` CLI as a subprocess, quoting for typed commands. The fixtures
built on these (`shell`, `open_shell`) live in tests/conftest.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.shell import shell_quote

SHELLS = ["bash", "zsh", "fish"]

HOOK_LINE = {
    "bash": 'eval "$(envhook hook bash)"',
    "zsh": 'eval "$(envhook hook zsh)"',
    "fish": "envhook hook fish | source",
}


def q(shell: str, value: object) -> str:
    """`value` quoted for a command line typed into `shell`."""
    return shell_quote(shell, str(value))


def envhook(*args: str, cwd: Path, env: dict, check: bool = False) -> subprocess.CompletedProcess:
    r = subprocess.run(["envhook", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and r.returncode != 0:
        raise AssertionError(f"envhook {' '.join(args)}: {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def uv_wrapper(tmp_path: Path, shell_env: dict) -> tuple[dict, Path]:
    """A `uv` first on PATH that logs "PID PPID ARGS" and execs the real uv
    (tool_bin's, which conftest makes the binary itself, never a shim).
    Returns (env for the shell, log)."""
    import os
    import shlex
    import shutil

    d = tmp_path / "uvwrap"
    d.mkdir()
    log = tmp_path / "uv.log"
    real = os.path.realpath(shutil.which("uv", path=shell_env["PATH"]))
    (d / "uv").write_text(
        "#!/bin/sh\n"
        f"echo \"$$ $PPID $*\" >> {shlex.quote(str(log))}\n"
        f"exec {shlex.quote(real)} \"$@\"\n"
    )
    (d / "uv").chmod(0o755)
    return dict(shell_env, PATH=f"{d}:{shell_env['PATH']}"), log


def status_json(project: Path, env: dict) -> dict:
    """`envhook status --json`, which must succeed and print JSON."""
    import json

    r = envhook("status", "--json", cwd=project, env=env)
    assert r.returncode == 0, f"envhook status --json failed:\n{r.stdout}{r.stderr}"
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"envhook status --json printed no JSON:\n{r.stdout}{r.stderr}") from None
