"""Shells as people really use them (issue 16): `cd dir && cmd` in bash, a
user's own cd functions, manual activations on top of envhook's, an old
bash, and doctor's view of the shell it runs in. Real interactive shells
over real uv projects synced offline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support.hooktest import HOOK_LINE, envhook, processes_started, q
from support.projects import make_project, uv_lock
from support.shell import ShellSession, require_shell

PREFIX = "python -c 'import sys; print(sys.prefix)'"


@pytest.fixture
def two(tmp_path, wheelhouse, shell_env) -> tuple[Path, Path]:
    """Two trusted uv projects, their envs not made yet."""
    out = []
    for name in ("alpha", "beta"):
        p = make_project(tmp_path / name, wheelhouse, name=name)
        uv_lock(p, shell_env)
        envhook("allow", cwd=p, env=shell_env, check=True)
        out.append(p)
    return out[0], out[1]


def prefix_of(out: str) -> str:
    lines = [ln for ln in out.splitlines() if ln.startswith("/")]
    assert lines, out
    return lines[-1]


def warm(s, *projects: Path) -> None:
    """Visit each project once, so that its env exists and later visits sync nothing."""
    for p in projects:
        s.run(f"cd {q(s.shell, p)}")
        assert s.get("VIRTUAL_ENV") == str(p / ".venv"), s.transcript
    s.run("cd /")


def stamps(shell_env) -> dict[str, int]:
    d = Path(shell_env["XDG_STATE_HOME"]) / "envhook" / "stamps"
    return {p.name: p.stat().st_mtime_ns for p in d.iterdir()} if d.is_dir() else {}


# -- cd on one command line -----------------------------------------------------------------

USER_CD = 'cd() { builtin cd "$@" && __user_cds=$(( ${__user_cds:-0} + 1 )); }'


def one_line_cds(s, a: Path, b: Path) -> None:
    """The command after `&&` runs before any prompt: only a hook on cd itself can help."""
    sh = s.shell
    s.run(f"cd {q(sh, a)}")
    assert prefix_of(s.run(f"cd {q(sh, b)} && {PREFIX}")) == str(b / ".venv")
    assert prefix_of(s.run(f"pushd {q(sh, a)} >/dev/null && {PREFIX}")) == str(a / ".venv")
    assert prefix_of(s.run(f"popd >/dev/null && {PREFIX}")) == str(b / ".venv")
    assert prefix_of(s.run(f"cd / && cd {q(sh, a)} && {PREFIX}")) == str(a / ".venv")


USER_CD = 'cd() { builtin cd "$@" && __user_cds=$(( ${__user_cds:-0} + 1 )); }'


@pytest.mark.parametrize("where", ["before", "after"])
def test_bash_users_own_cd_function_is_kept_and_chained(where, two, isolated_home, shell_env, tmp_path):
    """A cd function in the rc file, before or after the hook line: both run."""
    require_shell("bash")
    rc = f"{USER_CD}\n{HOOK_LINE['bash']}\n" if where == "before" else f"{HOOK_LINE['bash']}\n{USER_CD}\n"
    with ShellSession("bash", isolated_home, rc, shell_env, tmp_path, timeout=90) as s:
        warm(s, *two)
        one_line_cds(s, *two)
        # Every cd went through the user's function: warm's three and the four above.
        assert s.get("__user_cds") == "7", s.transcript


def test_cd_keeps_its_exit_status_oldpwd_and_output(open_shell, shell, two, shell_env):
    a, b = two
    s = open_shell()
    warm(s, a, b)
    s.run(f"cd {q(shell, a)}")
    s.run("cd /nonexistent-dir-envhook")
    assert s.status() == 1
    assert s.get("VIRTUAL_ENV") == str(a / ".venv")
    s.run(f"cd {q(shell, b)}")
    if shell != "fish":
        assert s.get("OLDPWD") == str(a)
    s.run("cd -")
    assert s.get("PWD") == str(a) and s.get("VIRTUAL_ENV") == str(a / ".venv")
    if shell != "fish":
        assert s.get("OLDPWD") == str(b)


def test_bash_user_cd_status_is_passed_through(isolated_home, shell_env, tmp_path, two):
    require_shell("bash")
    a, _ = two
    rc = f'{HOOK_LINE["bash"]}\ncd() {{ builtin cd "$@" || return 7; }}\n'
    with ShellSession("bash", isolated_home, rc, shell_env, tmp_path, timeout=90) as s:
        s.run("cd /nonexistent-dir-envhook")
        assert s.status() == 7
        s.run(f"cd {q('bash', a)}")
        assert s.status() == 0 and s.get("VIRTUAL_ENV") == str(a / ".venv")


def test_bash_subshell_cd_decides_nothing_and_costs_no_python(open_shell, two, shell_env):
    """`$(cd x && pwd)` is everywhere in scripts and prompts: it must not run
    the hook (its decision would vanish with the subshell anyway)."""
    require_shell("bash")
    a, b = two
    s = open_shell(sh="bash")
    warm(s, a, b)
    s.run(f"cd {q('bash', a)}")
    before = stamps(shell_env)
    out = s.run(f"x=$(cd {q('bash', b)} && {PREFIX}); echo \"got=$x\"")
    assert f"got={a / '.venv'}" in out, out
    assert stamps(shell_env) == before
    assert s.get("VIRTUAL_ENV") == str(a / ".venv")


def test_bash_plain_cds_start_no_process(open_shell, two, shell_env, tmp_path):
    """cd inside a project and outside any, nothing changed: builtins only,
    counted with strace (execve) around a burst of cds in the live shell."""
    require_shell("bash")
    a, _ = two
    (a / "sub").mkdir()
    (tmp_path / "away" / "deep").mkdir(parents=True)
    s = open_shell(sh="bash")
    warm(s, a)
    burst = f"cd {q('bash', a)}; cd sub; cd ..; cd {q('bash', tmp_path / 'away')}; cd deep; cd .."
    s.run(burst)
    pid = int(s.run("echo $$").strip().splitlines()[-1])
    assert processes_started(pid, tmp_path / "cd.strace", lambda: [s.run(burst) for _ in range(3)]) == []
    assert s.get("VIRTUAL_ENV") is None


# -- old bash ---------------------------------------------------------------------------------


def test_bash_older_than_4_2_says_so_defines_nothing_and_breaks_nothing(shell_env, tmp_path):
    """No bash < 4.2 can be had from this machine's package registries, so the
    hook's own version test is pointed above the running bash instead."""
    require_shell("bash")
    text = subprocess.run(["envhook", "hook", "bash"], env=shell_env, capture_output=True, text=True,
                          check=True).stdout
    assert text.count("< 402 ))") == 1
    hook = tmp_path / "old.bash"
    hook.write_text(text.replace("< 402 ))", "< 99999 ))"))
    script = (f'PROMPT_COMMAND="echo user-pc"; before=$(declare -F | wc -l)\n'
              f'eval "$(cat {q("bash", hook)})"; echo "rc=$?"\n'
              'echo "after=$(( $(declare -F | wc -l) - before ))"; echo "pc=$PROMPT_COMMAND"\n'
              'type -t cd; echo "hooked=${_ENVHOOK_HOOKED-none} py=${_envhook_python-none}"\n')
    r = subprocess.run(["bash", "--norc", "-c", script], env=shell_env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["rc=0", "after=0", "pc=echo user-pc", "builtin", "hooked=none py=none"]
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "too old" in lines[0] and "4.2" in lines[0] and "brew install bash" in lines[0], lines


# -- manual activation on top of envhook's -----------------------------------------------


# -- doctor sees this shell ---------------------------------------------------------------------


def doctor_lines(s) -> tuple[list[str], int]:
    out = s.run("envhook doctor")
    return [ln for ln in out.splitlines() if ln.startswith(("ok ", "FAIL", "note"))], s.status()


def completion_line(lines: list[str]) -> str:
    found = [ln for ln in lines if "completion of envhook" in ln]
    assert len(found) == 1, lines
    return found[0]


def test_doctor_notes_dead_completion_in_bash_and_zsh_and_exit_status_stays(
        isolated_home, shell_env, tmp_path, shell):
    rc = HOOK_LINE[shell] + "\n"
    with ShellSession(shell, isolated_home, rc, shell_env, tmp_path, timeout=90) as s:
        lines, status = doctor_lines(s)
        line = completion_line(lines)
        assert line.startswith("note"), line
        if shell == "bash":
            assert "bash-completion" in line and "envhook completion bash" in line, line
        elif shell == "zsh":
            assert "compinit has not run" in line and "compinit" in line, line
        else:
            assert "fish_complete_path" in line and "envhook completion fish" in line, line
        # Notes never change the exit status: the same as the run without the shell's report.
        s.run("command envhook doctor >/dev/null")
        assert status == s.status()
        # The fix works: once the completion is there, the note is an ok.
        if shell == "bash":
            s.run('eval "$(envhook completion bash)"')
        elif shell == "zsh":
            site = tmp_path / "site"
            site.mkdir()
            (site / "_envhook").write_bytes(subprocess.run(["envhook", "completion", "zsh"], env=shell_env,
                                                           capture_output=True, check=True).stdout)
            s.run(f"fpath=({q(shell, site)} $fpath); autoload -Uz compinit && compinit -u")
        else:
            target = Path(shell_env.get("XDG_CONFIG_HOME", isolated_home / ".config")) / "fish" / "completions"
            target.mkdir(parents=True, exist_ok=True)
            (target / "envhook.fish").write_bytes(subprocess.run(["envhook", "completion", "fish"], env=shell_env,
                                                                 capture_output=True, check=True).stdout)
            s.run(f"set -p fish_complete_path {q(shell, target)}")
        lines, _ = doctor_lines(s)
        assert completion_line(lines).startswith("ok "), lines


def test_doctor_in_a_login_bash_names_the_login_file(isolated_home, shell_env, tmp_path):
    """A login bash reads ~/.bash_profile (here), not ~/.bashrc: that is the file doctor names."""
    require_shell("bash")
    (isolated_home / ".bash_profile").write_text("# mine\n")
    env = dict(shell_env)
    # By path: /etc/profile may reset PATH. `; true` keeps bash from exec'ing doctor in its place.
    doctor = f"{q('bash', shutil.which('envhook', path=env['PATH']))} doctor; true"
    r = subprocess.run(["bash", "-l", "-c", doctor], env=env, capture_output=True, text=True,
                       timeout=60, cwd=tmp_path)
    rc_line = [ln for ln in r.stdout.splitlines() if "hook line" in ln]
    assert rc_line and "~/.bash_profile" in rc_line[0] and "login shell" in rc_line[0], r.stdout
    r = subprocess.run(["bash", "-c", doctor], env=env, capture_output=True, text=True,
                       timeout=60, cwd=tmp_path)
    rc_line = [ln for ln in r.stdout.splitlines() if "hook line" in ln]
    assert rc_line and "~/.bashrc" in rc_line[0], r.stdout
