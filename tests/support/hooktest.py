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
    "xonsh": "execx($(envhook hook xonsh))",
    "nu": "envhook hook nu -o ($nu.user-autoload-dirs | first | path join envhook.nu)",
    "elvish": "eval (envhook hook elvish | slurp)",
    "tcsh": 'eval "`envhook hook tcsh`"',
}


def hook_values(sh, values: dict) -> dict:
    """The values a test renders a hook template with, and what `envhook
    hook` adds from Python's rules (commands.hook.rules: the completer's
    data, the names a take-over claims), so that nothing is left unrendered."""
    from envhook.cli import completion_spec
    from envhook.commands.hook import rules

    return {**values, **rules(sh, completion_spec())}


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


def without_uv(bin_dir: Path, tool_bin: Path, shell_env: dict) -> dict:
    """shell_env with no uv on PATH: BIN_DIR (made) holds every tool of
    tool_bin but uv, and only the system's dirs follow it."""
    import os

    bin_dir.mkdir()
    for tool in tool_bin.iterdir():
        if tool.name != "uv":
            (bin_dir / tool.name).symlink_to(os.readlink(tool))
    return dict(shell_env, PATH=f"{bin_dir}:/usr/bin:/bin")


def status_json(project: Path, env: dict) -> dict:
    """`envhook status --json`, which must succeed and print JSON."""
    import json

    r = envhook("status", "--json", cwd=project, env=env)
    assert r.returncode == 0, f"envhook status --json failed:\n{r.stdout}{r.stderr}"
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"envhook status --json printed no JSON:\n{r.stdout}{r.stderr}") from None


def version_in_env(project: Path, name: str = "tinkerpkg", env_dir: Path | None = None) -> str | None:
    """The version of `name` that the project's env imports metadata for
    (its python asked, not its files read), or None when it has none."""
    from support.projects import venv_python

    py = (env_dir / "bin" / "python") if env_dir is not None else venv_python(project)
    r = subprocess.run([str(py), "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def pip_install(shell: str, wheelhouse: Path, spec: str) -> str:
    """A hand-made change typed into the shell, the way a user tries a version."""
    return f"uv pip install -q --no-index --find-links {q(shell, wheelhouse)} {spec}"


def throwaway_python(dest: Path) -> Path:
    """A copy of the test interpreter to stand as some env's base: its own
    bin/pythonX.Y (copied, so that its prefix is `dest`) and lib/pythonX.Y
    (the stdlib by symlinks, an empty site-packages of its own). A venv made
    from it and stripped of pyvenv.cfg runs as this base, so a test can see
    that nothing is installed into the base without risking the real one."""
    import os
    import shutil
    import sys

    base = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    prefix = Path(sys.base_prefix)
    ver = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (dest / "bin").mkdir(parents=True)
    shutil.copy2(base, dest / "bin" / ver)
    os.symlink(ver, dest / "bin" / "python3")
    lib = dest / "lib" / ver
    lib.mkdir(parents=True)
    for entry in (prefix / "lib" / ver).iterdir():
        if entry.name != "site-packages":
            os.symlink(entry, lib / entry.name)
    (lib / "site-packages").mkdir()
    out = subprocess.run([str(dest / "bin" / "python3"), "-c", "import sys; print(sys.prefix)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(dest), f"test setup: the throwaway interpreter's prefix is {out}, not {dest}"
    return dest / "bin" / "python3"


def tree_digest(path: Path) -> str:
    """Every name, symlink target and file content under `path`, hashed."""
    import hashlib
    import os

    h = hashlib.sha256()
    for d, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            h.update(os.fsencode(os.path.relpath(p, path)) + b"\0")
            if os.path.islink(p):
                h.update(os.fsencode(os.readlink(p)))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def envhook_syncs(log: Path, *sessions) -> list[list[str]]:
    """From a uv_wrapper log: the real `uv … sync` runs (no --dry-run or
    --check, not `uv pip sync`) that did not come straight from a command
    typed into one of `sessions` (whose parent is the interactive shell
    itself): the syncs envhook started, each as its arguments."""
    shells = {str(s.child.pid) for s in sessions}
    calls = []
    for line in log.read_text().splitlines() if log.exists() else []:
        pid, ppid, *args = line.split()
        if "sync" in args and "pip" not in args and not {"--dry-run", "--check"} & set(args) and ppid not in shells:
            calls.append(args)
    return calls


def lines_with(out: str, part: str) -> list[str]:
    """The lines of `out` holding `part`, stripped."""
    return [line.strip() for line in out.splitlines() if part in line]


def add_find_links(project: Path, wheelhouse: Path, links) -> None:
    """More find-links directories for a make_project project, besides `wheelhouse`."""
    import os

    from support.projects import toml_str

    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    old = f"find-links = [{toml_str(os.path.abspath(wheelhouse))}]"
    assert old in text, f"test setup: make_project's find-links line changed:\n{text}"
    new = "find-links = [" + ", ".join(toml_str(os.path.abspath(d)) for d in (wheelhouse, *links)) + "]"
    pyproject.write_text(text.replace(old, new))


def write_config(shell_env: dict, text: str) -> Path:
    """Write envhook's config.toml (under the test's XDG_CONFIG_HOME); returns its path."""
    path = Path(shell_env["XDG_CONFIG_HOME"]) / "envhook" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def trusted_project(path: Path, wheelhouse: Path, env: dict, dependencies=("chaina", "tinkerpkg==1.0")) -> Path:
    """A cloned uv project: locked, trusted (`envhook allow`), no env yet."""
    from support.projects import make_project, uv_lock

    p = make_project(path, wheelhouse, dependencies=list(dependencies))
    uv_lock(p, env)
    envhook("allow", cwd=p, env=env, check=True)
    return p


def alive(pid: int) -> bool:
    """Running (a zombie left for init to reap is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes_started(pid: int, trace: Path, action) -> list[str]:
    """Run `action()` with strace attached to process `pid` (the live shell)
    and its children; return the trace lines that started a process: an
    execve, a fork, or a clone that is not a thread (xonsh runs each command
    line on a thread of its own)."""
    import os
    import re
    import shutil
    import time

    import pytest

    strace = shutil.which("strace")
    if strace is None:
        if os.environ.get("CI"):
            pytest.fail("strace is needed to count processes (CI installs it)")
        pytest.skip("strace not installed")
    tracer = subprocess.Popen([strace, "-f", "-qq", "-e", "trace=execve,clone,clone3,fork,vfork", "-o", str(trace),
                               "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # strace attaches
        action()
    finally:
        tracer.terminate()
        tracer.wait(10)
    return [line for line in trace.read_text().splitlines()
            if re.search(r"\b(execve|clone3?|v?fork)\(", line) and "CLONE_THREAD" not in line]


# A uv project with every kind of choice `envhook use` makes (issue 32): its
# own dependency, a default group (dev: a chain of three), two others and an extra.
GROUPED = ('[project.optional-dependencies]\nfancy = ["extrapkg==1.0"]\n\n'
           '[dependency-groups]\ndev = ["chaina==1.0"]\ndocs = ["otherpkg==1.0"]\nlint = ["markerpkg==1.0"]\n')


def grouped_project(path: Path, wheelhouse: Path, env: dict, *, extra_toml: str = "") -> Path:
    """GROUPED, locked and trusted (`envhook allow`), no env yet."""
    from support.projects import make_project, uv_lock

    p = make_project(path, wheelhouse, dependencies=["tinkerpkg==1.0"], extra_toml=GROUPED + extra_toml)
    uv_lock(p, env)
    envhook("allow", cwd=p, env=env, check=True)
    return p
