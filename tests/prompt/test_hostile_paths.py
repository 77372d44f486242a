"""Hostile paths, end to end: projects and envs whose directory names are
shell syntax, control characters or non-ASCII, in real interactive bash, zsh
and fish over real uv projects; then a property test that pushes generated
directory names through what the hook evaluates (envhook.prompt.emit.remember) in
each real shell, with the real hook sourced.

Nothing here may ever run: every directory that holds `$(touch pwned)` or
`` `touch pwned2` `` is followed by a check that no `pwned*` file appeared.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from support.hooktest import envhook, q
from support.projects import make_project, uv_lock
from support.shell import ShellSession

# id -> a directory name the project (or env) lives under.
HOSTILE_DIRS = {
    "mixed": "'\";&&e-$ èрт🚒♞中片-j",
    "space": "a b",
    "dollar-paren": "$(touch pwned)",
    "backtick": "`touch pwned2`",
    "backslash-end": "ends with backslash\\",
    "newline": "line\nbreak",
    "tab": "tab\there",
}


# -- fixtures (the small ones of test_hook_contract.py, copied: fixtures come from conftest only) --

@pytest.fixture
def xfer(tmp_path_factory) -> Path:
    """Where the shell writes values for path_list(), outside the test's tree."""
    return tmp_path_factory.mktemp("xfer")


@pytest.fixture
def canary_roots(tmp_path, isolated_home):
    """Everywhere an injected `touch pwned` could land: the test's tree, the
    isolated home (and its XDG siblings), the test process's cwd and /."""
    roots = [tmp_path, isolated_home.parent, Path.cwd(), Path("/")]
    yield roots
    assert_no_canary(roots)


def assert_no_canary(roots) -> None:
    hits = []
    for root in roots:
        root = Path(root)
        # `/` and the cwd are only looked at, not walked.
        walk = root.rglob("pwned*") if root not in (Path("/"), Path.cwd()) else root.glob("pwned*")
        hits += [str(p) for p in walk]
    assert hits == [], f"a hostile path was executed: {hits}"


def path_list(s: ShellSession, xfer: Path) -> list[str]:
    """$PATH as the shell's own list, exactly. fish's `get` joins with newlines,
    which a directory name holding a newline would split: use NULs there."""
    if s.shell != "fish":
        return s.get("PATH").split(":")
    f = xfer / f"path{len(list(xfer.iterdir()))}"
    s.run(f" string join0 -- $PATH > {q('fish', f)}")
    data = f.read_bytes()
    assert data.endswith(b"\0")
    return [os.fsdecode(p) for p in data[:-1].split(b"\0")]


def json_from(out: str) -> dict:
    assert "{" in out, out
    return json.loads(out[out.index("{"): out.rindex("}") + 1])


# -- 1. real projects under hostile directories ------------------------------------------

def _exercise(s: ShellSession, shell: str, *, cd_to: Path, root: Path, venv: Path, env: dict, xfer: Path,
              tmp_path: Path) -> None:
    """cd in, check activation byte for byte, import from the env, status and
    sync from the shell and by path, cd out, check PATH is exactly as before."""
    path_before = path_list(s, xfer)
    assert s.get("VIRTUAL_ENV") is None
    out = s.run(f"cd {q(shell, cd_to)}")
    assert "Traceback" not in out, out
    assert s.get("VIRTUAL_ENV") == str(venv)
    got = path_list(s, xfer)
    assert got[0] == str(venv / "bin")
    assert got[1:] == path_before
    assert s.run("python -c 'import tinkerpkg; print(tinkerpkg.__version__)'").strip() == "1.0"
    # Through the shell, whose $PWD is the hostile (maybe symlinked) spelling…
    data = json_from(s.run("envhook status --json"))
    assert data["project"] == str(root) and data["env"] == str(venv)
    assert data["trusted"] is True and data["state"] == "in-sync", data
    # …and by path argument, from elsewhere.
    r = envhook("status", "--json", str(cd_to), cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["project"] == str(root) and data["env"] == str(venv) and data["state"] == "in-sync", data
    out = s.run("envhook sync")
    assert s.status() == 0, out
    assert "Traceback" not in out, out
    r = envhook("sync", str(cd_to), cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    s.run("true")
    assert s.get("VIRTUAL_ENV") == str(venv)
    assert path_list(s, xfer)[0] == str(venv / "bin")
    assert s.run("python -c 'import tinkerpkg; print(tinkerpkg.__version__)'").strip() == "1.0"
    s.run("cd /")
    assert s.get("VIRTUAL_ENV") is None
    assert path_list(s, xfer) == path_before
    # Coming back goes through the shell's slot for the project: same values.
    s.run(f"cd {q(shell, cd_to)}")
    assert s.get("VIRTUAL_ENV") == str(venv)
    assert path_list(s, xfer) == [str(venv / "bin"), *path_before]
    s.run("cd /")
    assert path_list(s, xfer) == path_before
    assert s.run("echo still-usable").strip() == "still-usable"


@pytest.mark.parametrize("dirname", list(HOSTILE_DIRS.values()), ids=list(HOSTILE_DIRS))
def test_project_under_hostile_directory(open_shell, shell, tmp_path, wheelhouse, shell_env, dirname, xfer,
                                         canary_roots):
    p = make_project(tmp_path / dirname / "demo", wheelhouse)
    uv_lock(p, shell_env)
    r = envhook("allow", cwd=p, env=shell_env)
    assert r.returncode == 0, r.stderr
    s = open_shell()
    _exercise(s, shell, cd_to=p, root=Path(os.path.realpath(p)), venv=Path(os.path.realpath(p)) / ".venv",
              env=shell_env, xfer=xfer, tmp_path=tmp_path)
    assert (p / ".venv" / "pyvenv.cfg").exists()


def test_symlinked_project_under_hostile_names(open_shell, shell, tmp_path, wheelhouse, shell_env, xfer,
                                              canary_roots):
    target = make_project(tmp_path / HOSTILE_DIRS["mixed"] / "demo", wheelhouse)
    uv_lock(target, shell_env)
    link_dir = tmp_path / "links $(touch pwned) `touch pwned2`"
    link_dir.mkdir()
    link = link_dir / "to demo\\"
    link.symlink_to(target)
    r = envhook("allow", str(link), cwd=tmp_path, env=shell_env)
    assert r.returncode == 0, r.stderr
    s = open_shell()
    real = Path(os.path.realpath(target))
    _exercise(s, shell, cd_to=link, root=real, venv=real / ".venv", env=shell_env, xfer=xfer, tmp_path=tmp_path)
    assert not (link_dir / ".venv").exists()


@pytest.mark.parametrize("dirname", [HOSTILE_DIRS[k] for k in ("mixed", "newline", "backslash-end")]
                         + ["$(touch pwned) `touch pwned2` a b\ttab"],
                         ids=["mixed", "newline", "backslash-end", "subst-space-tab"])
def test_uv_project_environment_under_hostile_directory(open_shell, shell, tmp_path, wheelhouse, shell_env,
                                                        dirname, xfer, canary_roots):
    p = make_project(tmp_path / "plain" / "demo", wheelhouse)
    uv_lock(p, shell_env)
    venv = tmp_path / "envs" / dirname / "env"
    env = dict(shell_env, UV_PROJECT_ENVIRONMENT=str(venv))
    r = envhook("allow", cwd=p, env=env)
    assert r.returncode == 0, r.stderr
    s = open_shell(env=env)
    _exercise(s, shell, cd_to=p, root=Path(os.path.realpath(p)), venv=venv, env=env, xfer=xfer,
              tmp_path=tmp_path)
    assert (venv / "pyvenv.cfg").exists() and not (p / ".venv").exists()


@pytest.mark.parametrize(
    "shell",
    [
        "bash",
        "zsh",
        "fish",
    ],
    indirect=True,
)
def test_colon_in_env_path_leaves_path_as_it_was(open_shell, shell, tmp_path, wheelhouse, shell_env, xfer,
                                                canary_roots):
    """A directory holding ':' cannot be a PATH entry in any shell (PATH is
    colon-separated), so `python` is not the env's here, as with `source
    activate`. But VIRTUAL_ENV must be exact and leaving must put PATH back."""
    p = make_project(tmp_path / "a:b" / "demo", wheelhouse)
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env)
    s = open_shell()
    path_before = path_list(s, xfer)
    s.run(f"cd {q(shell, p)}")
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    s.run("cd /")
    assert s.get("VIRTUAL_ENV") is None
    assert path_list(s, xfer) == path_before


def stamp_mtimes(state_home: Path) -> dict[str, int]:
    d = state_home / "envhook" / "stamps"
    return {p.name: p.stat().st_mtime_ns for p in d.iterdir()} if d.is_dir() else {}


@pytest.mark.parametrize(
    "shell",
    ["bash", "zsh", "fish"],
    indirect=True,
)
def test_non_ascii_project_prompts_start_no_python(open_shell, shell, tmp_path, wheelhouse, shell_env, xfer,
                                                   canary_roots):
    p = make_project(tmp_path / "èрт中" / "demo", wheelhouse)
    other = tmp_path / "elsewhere"
    other.mkdir()
    uv_lock(p, shell_env)
    envhook("allow", cwd=p, env=shell_env)
    s = open_shell()
    s.run(f"cd {q(shell, p)}")
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    s.run("true")
    state = Path(shell_env["XDG_STATE_HOME"])
    before = stamp_mtimes(state)
    assert before
    # The hook touches this shell's stamp whenever Python runs: nothing changed, no Python.
    s.run("true")
    s.run(f"cd {q(shell, other)}")
    s.run(f"cd {q(shell, p)}")
    assert s.get("VIRTUAL_ENV") == str(p / ".venv")
    assert stamp_mtimes(state) == before


@pytest.mark.parametrize(
    "dirname, name",
    [
        ("x\ny", "demo"),
        ("a\x1b[2J\x1b]0;owned\x07", "demo"),
        ("plain", "demo\x1b]52;c;b3duZWQ=\x07\x1b[2J"),
    ],
    ids=["newline-in-path", "escapes-in-path", "escapes-in-project-name"],
)
def test_untrusted_message_is_one_line_without_terminal_escapes(open_shell, shell, tmp_path, wheelhouse, dirname,
                                                               name, canary_roots):
    p = make_project(tmp_path / dirname / "demo", wheelhouse, name=name)
    s = open_shell()
    mark = len(s.transcript)
    out = s.run(f"cd {q(shell, p)}")
    raw = s.transcript[mark:]
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("envhook: ") and "not trusted" in lines[0], out
    for seq in ("\x1b[2J", "\x1b]0;owned", "\x1b]52;"):
        assert seq not in raw, repr(raw)
    assert s.get("VIRTUAL_ENV") is None
    assert s.run("echo still-usable").strip() == "still-usable"


# -- 2. property: generated names through the real hook's eval -------------------------------

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

# Hypothesis caches things in ./.hypothesis (already while pytest collects):
# keep the checkout clean by pointing it at a throwaway directory for this
# module (the fixture below restores the default afterwards).
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    _HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="envhook-test-hypothesis-")
    atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)
    set_hypothesis_home_dir(_HYPOTHESIS_HOME)

from envhook.env.activation import Activation
from envhook.prompt.emit import remember  # noqa: E402
from envhook.prompt.shells import get_shell  # noqa: E402

_META = list("'\"\\$`;&|<>(){}[]*?!~#%^=,: \t\n\r\x01\x1b\x7f-+@.") + ["\u00a0", "\u2028", "é", "🚒", "中", "\ufeff"]

# Every character but NUL, '/' and lone surrogates (which no str path can hold
# except as surrogateescape'd raw bytes: those come from `_RAW` below), biased
# towards shell syntax so that 50 examples meet plenty of it.
_ANY = st.characters(min_codepoint=1, blacklist_categories=("Cs",), blacklist_characters="/\x00")
_RAW = st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF)  # non-UTF-8 bytes, as os.fsdecode gives them


def _names(alphabet) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet, min_size=1, max_size=12)
        .filter(lambda n: n not in (".", ".."))
        .filter(lambda n: len(os.fsencode(n)) <= 255)  # Linux's NAME_MAX is in bytes
    )


NAMES = _names(st.one_of(st.sampled_from(_META), _ANY, _RAW))
# Printable ASCII and the control range only (what fish's \X quoting gets right).
ASCII_NAMES = _names(st.one_of(st.sampled_from([c for c in _META if c.isascii()]),
                               st.characters(min_codepoint=1, max_codepoint=0x7F, blacklist_characters="/")))

PROPERTY = dict(
    max_examples=50,
    deadline=None,
    # The same examples every run: a failure here must be reproducible from
    # the report alone.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def _hypothesis_storage_back_to_default():
    yield
    set_hypothesis_home_dir(None)

# The driver each shell runs: source the real hook; stand in for the Python
# side by eval-ing remember()'s text from inside a function, as
# _envhook_export does; dump every value with printf '%s' / NUL-separated
# lists; then leave, come back by `cd` (the slot, no Python) and touch a
# watched file (the test expression must see it). `_envhook_export` is
# replaced by a marker: here it must run exactly when something changed.
_DRIVER = {
    "bash": r"""
source "$T_HOOK"
_envhook_export() { printf '%s ' "$__t_phase" >> "$T_OUT/export-called"; }
__t_export() { local out; out=$(cat "$T_OUT/remember"); eval "$out"; }
__t_dump() {  # PREFIX
    local p=$T_OUT/$1 k
    if [[ -n ${VIRTUAL_ENV+x} ]]; then printf '%s' "$VIRTUAL_ENV" > "$p.VIRTUAL_ENV"; fi
    if [[ -n ${VIRTUAL_ENV_PROMPT+x} ]]; then printf '%s' "$VIRTUAL_ENV_PROMPT" > "$p.VIRTUAL_ENV_PROMPT"; fi
    printf '%s' "$PATH" > "$p.PATH"
    printf '%s' "$_envhook_root" > "$p.root"
    printf '%s' "$_envhook_pwd" > "$p.pwd"
    printf '%s' "$_envhook_told" > "$p.told"
    printf '%s' "$_envhook_venv" > "$p.venv"
    printf '%s' "$_envhook_bin" > "$p.bin"
    printf '%s\0' "${_envhook_known[@]}" > "$p.known"
    printf '%s\0' "${_envhook_changed[@]}" > "$p.changed"
    printf '%s\0' "${_envhook_act[@]}" > "$p.act"
    printf '%s' "$_envhook_s1_root" > "$p.s1_root"
    printf '%s\0' "${_envhook_s1_changed[@]}" > "$p.s1_changed"
    printf '%s\0' "${_envhook_s1_act[@]}" > "$p.s1_act"
    for k in "${_envhook_known[@]}"; do printf '%s\0' "${_envhook_slot_of[$k]-}"; done > "$p.slots"
    if test "${_envhook_changed[@]}"; then printf changed; else printf fresh; fi > "$p.test"
}
__t_export
__t_dump adopted
_envhook_leave
__t_dump left
__t_phase=cd
cd -- "$T_ROOT" && _envhook_hook
__t_dump back
__t_phase=touch
printf x >> "$T_WATCHED"
_envhook_hook
printf '%s' "$PWD" > "$T_OUT/pwd"
""",
    "fish": r"""
source $T_HOOK
function _envhook_export; printf '%s ' $__t_phase >> $T_OUT/export-called; end
function __t_export; set -l out (cat $T_OUT/remember); eval $out; end
function __t_dump --argument-names prefix
    set -l p $T_OUT/$prefix
    set -q VIRTUAL_ENV; and printf '%s' "$VIRTUAL_ENV" > $p.VIRTUAL_ENV
    set -q VIRTUAL_ENV_PROMPT; and printf '%s' "$VIRTUAL_ENV_PROMPT" > $p.VIRTUAL_ENV_PROMPT
    string join0 -- $PATH > $p.PATH
    printf '%s' "$_envhook_root" > $p.root
    printf '%s' "$_envhook_pwd" > $p.pwd
    printf '%s' "$_envhook_told" > $p.told
    printf '%s' "$_envhook_venv" > $p.venv
    printf '%s' "$_envhook_bin" > $p.bin
    string join0 -- $_envhook_known > $p.known
    string join0 -- $_envhook_changed > $p.changed
    string join0 -- $_envhook_act > $p.act
    printf '%s' "$_envhook_s1_root" > $p.s1_root
    string join0 -- $_envhook_s1_changed > $p.s1_changed
    string join0 -- $_envhook_s1_act > $p.s1_act
    for k in $_envhook_known
        if set -l i (contains -i -- $k $_envhook_slot_keys)
            string join0 -- $_envhook_slot_vals[$i]
        else
            string join0 -- ''
        end
    end > $p.slots
    if test $_envhook_changed; printf changed; else; printf fresh; end > $p.test
end
__t_export
__t_dump adopted
_envhook_leave
__t_dump left
set __t_phase cd
cd -- $T_ROOT; and _envhook_hook
__t_dump back
set __t_phase touch
printf x >> $T_WATCHED
_envhook_hook
printf '%s' "$PWD" > $T_OUT/pwd
""",
}
# bash and zsh read the same driver: ${VAR+x}, [[ ]] and printf mean the same in both.
_DRIVER["zsh"] = _DRIVER["bash"]


@pytest.fixture
def hook_file(shell, shell_env, tmp_path) -> Path:
    """The real hook, as `envhook hook SHELL` prints it for an rc file."""
    r = subprocess.run(["envhook", "hook", shell], env=shell_env, capture_output=True, check=True)
    f = tmp_path / f"hook.{shell}"
    f.write_bytes(r.stdout)
    return f


def _nul_list(data: bytes) -> list[bytes]:
    assert data.endswith(b"\0"), data
    return data[:-1].split(b"\0")


def _tree(root: Path) -> set[str]:
    return {os.fsdecode(os.path.relpath(os.path.join(d, n), root)) for d, ds, fs in os.walk(root) for n in ds + fs}


def _round_trip(shell: str, hook_file: Path, shell_env: dict, tmp_path: Path, name: str) -> None:
    exe = shutil.which(shell)
    sh = get_shell(shell)
    # The name is used as a directory inside the project: one the project's
    # own files already hold cannot also be that directory.
    assume(name not in ("pyproject.toml", "uv.lock", ".python-version", "notify"))
    # A fresh, persistent directory per example (kept for a post-mortem).
    base = Path(tempfile.mkdtemp(prefix="ex-", dir=tmp_path))
    out_dir = base / "out"
    cwd = base / "cwd"  # where the shell starts: must stay empty
    out_dir.mkdir()
    cwd.mkdir()
    hostile = base / name
    root = hostile / name  # the name twice: once as a parent, once as the project dir itself
    venv = root / name / ".venv"
    (venv / "bin").mkdir(parents=True)
    for f in (root / "pyproject.toml", root / "uv.lock", venv / "pyvenv.cfg", venv / "bin" / "python"):
        f.write_text("")
    stamp = hostile / f"stamp {name}"
    stamp.write_text("")
    # Everything watched is older than the stamp: the test expression is false.
    os.utime(stamp, (1_700_000_100, 1_700_000_100))
    for f in (root, root / "pyproject.toml", root / "uv.lock", venv, venv / "pyvenv.cfg", venv.parent):
        os.utime(f, (1_700_000_000, 1_700_000_000))
    root_s, venv_s = os.fsdecode(root), os.fsdecode(venv)
    watch = [root_s, str(root / "pyproject.toml"), str(root / "uv.lock"), venv_s, str(venv / "pyvenv.cfg")]
    absent = [str(root / ".python-version"), str(hostile / "notify")]
    present = [str(venv / "bin" / "python")]
    sub_s = os.fsdecode(root / name)  # where the user stood: a directory inside the project
    known = sorted({root_s, sub_s})
    prompt = f"({name}) "
    act = Activation(venv_s, prompt, False, "in-sync")
    text = remember(sh, root=root_s, cwd=sub_s, known=known, watch=watch, absent=absent, present=present,
                    stamp=str(stamp), act=act, told="x")
    (out_dir / "remember").write_text(text, encoding="utf-8", errors="surrogateescape")
    before = _tree(base)

    start_path = "/usr/bin:/bin"
    env = dict(shell_env, PATH=start_path, LC_ALL="C.UTF-8", T_HOOK=str(hook_file), T_OUT=str(out_dir),
               T_ROOT=root_s, T_WATCHED=str(root / "uv.lock"))
    for k in ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "UV_NO_SYNC", "ENVHOOK_DISABLE"):
        env.pop(k, None)
    env = {k: os.fsencode(v) for k, v in env.items()}
    r = subprocess.run([exe, "-c", _DRIVER[shell]], cwd=cwd, env=env, capture_output=True, timeout=60)
    assert r.returncode == 0, (name, r.stderr.decode(errors="replace"))
    assert r.stderr == b"", (name, r.stderr.decode(errors="replace"))

    def read(f: str) -> bytes:
        return (out_dir / f).read_bytes()

    b = os.fsencode
    bin_ = b(venv_s) + b"/bin"
    expect_list = {
        "known": [b(k) for k in known],
        "changed": [b(t) for t in emit_change_test(watch, absent, present, str(stamp))],
        "act": [b(a) for a in sh.activation(act)],  # what the shell keeps of it
    }
    # Back by `cd`: the slot answered, no Python; the touched lock woke the export.
    assert read("export-called") == b"touch ", (
        name, "the export ran at: " + read("export-called").decode(),
        "(at `cd`: the project's slot was not found, so Python would run)")
    for phase in ("adopted", "back"):
        msg = (phase, name)
        assert read(f"{phase}.VIRTUAL_ENV") == b(venv_s), msg
        assert read(f"{phase}.VIRTUAL_ENV_PROMPT") == b(prompt), msg
        if shell == "fish" and ":" not in name:
            assert _nul_list(read(f"{phase}.PATH")) == [bin_, b"/usr/bin", b"/bin"], msg
        elif shell == "fish" and phase == "adopted":
            # fish splits a PATH element on ':', and then cannot take it out
            # again when leaving (test_colon_in_env_path_leaves_path_as_it_was),
            # so after the round trip the pieces are there twice.
            assert b":".join(_nul_list(read(f"{phase}.PATH"))) == bin_ + b":" + b(start_path), msg
        elif shell != "fish":
            assert read(f"{phase}.PATH") == bin_ + b":" + b(start_path), msg
        assert read(f"{phase}.root") == b(root_s), msg
        assert read(f"{phase}.venv") == b(venv_s) and read(f"{phase}.bin") == bin_, msg
        assert read(f"{phase}.told") == b"x", msg
        for lst, want in expect_list.items():
            # bash and zsh keep `known` only until they leave (the slot map holds it).
            if lst != "known" or phase == "adopted" or shell == "fish":
                assert _nul_list(read(f"{phase}.{lst}")) == want, (lst, *msg)
        assert read(f"{phase}.s1_root") == b(root_s), msg
        assert _nul_list(read(f"{phase}.s1_changed")) == expect_list["changed"], msg
        assert _nul_list(read(f"{phase}.s1_act")) == expect_list["act"], msg
        if phase == "adopted" or shell == "fish":
            assert _nul_list(read(f"{phase}.slots")) == [b"1"] * len(known), msg
        assert read(f"{phase}.test") == b"fresh", msg
    assert read("adopted.pwd") == b(sub_s)
    # Left: no env, PATH exactly as before (',' aside, see above).
    assert not (out_dir / "left.VIRTUAL_ENV").exists() and not (out_dir / "left.VIRTUAL_ENV_PROMPT").exists()
    if shell != "fish" or ":" not in name:
        left_path = read("left.PATH")
        assert (_nul_list(left_path) if shell == "fish" else left_path.split(b":")) == [b"/usr/bin", b"/bin"], name
    assert read("left.root") == b"" and read("left.venv") == b""
    assert read("pwd") == b(root_s)
    # No side effect: exactly the files we made (plus the dumps and the edit).
    after = _tree(base)
    made = after - before
    assert all(m.startswith("out" + os.sep) for m in made), (name, made - {m for m in made if m.startswith("out")})
    assert before <= after, (name, before - after)
    assert list(cwd.iterdir()) == []
    assert_no_canary([tmp_path])


@pytest.mark.parametrize("shell", ["bash", "zsh"], indirect=True)
@settings(**PROPERTY)
@given(name=NAMES)
def test_generated_names_round_trip_through_the_hooks_eval(shell, hook_file, shell_env, tmp_path, name):
    _round_trip(shell, hook_file, shell_env, tmp_path, name)


@pytest.mark.parametrize("shell", ["fish"], indirect=True)
@settings(**PROPERTY)
@given(name=NAMES)
def test_generated_names_round_trip_through_the_hooks_eval_in_fish(shell, hook_file, shell_env, tmp_path, name):
    _round_trip(shell, hook_file, shell_env, tmp_path, name)


@pytest.mark.parametrize("shell", ["fish"], indirect=True)
@settings(**PROPERTY)
@given(name=ASCII_NAMES)
def test_generated_ascii_names_round_trip_through_the_hooks_eval_in_fish(shell, hook_file, shell_env, tmp_path, name):
    _round_trip(shell, hook_file, shell_env, tmp_path, name)


def emit_change_test(watch, absent, present, stamp):
    from envhook.prompt.emit import change_test

    return change_test(watch, absent, present, stamp)
