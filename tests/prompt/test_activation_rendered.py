"""What activating a project changes is one table, env.activation.Changes,
which Python renders into each hook's primitives (Shell.activation): no hook
spells the variables out. Each shell's rendering is applied by the real
hooks in tests/prompt/test_contract.py; this module keeps the table single."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envhook.env.activation import Activation, Changes, names_taken_over
from envhook.prompt.shells import NAMES, get_shell

SHELL_DIR = Path(__file__).resolve().parents[2] / "shell"

# What the hooks still name, and why: VIRTUAL_ENV is how a hook sees a venv
# activated outside envhook (and takes over an inherited activation);
# _ENVHOOK_VENV is the inherited activation's mark. VIRTUAL_ENV_PROMPT
# appears once more in bash/zsh and fish, as what a venv's own activate
# script sets (virtualenv's list, not envhook's) when it is sourced over ours.
READ_BY_HOOKS = {"VIRTUAL_ENV", "_ENVHOOK_VENV"}


def _code_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_no_hook_lists_what_activating_sets():
    table = Changes(Activation("/e", "p", True, "s"))
    names = {*table.set, *table.unset} - READ_BY_HOOKS
    assert names >= {"UV_NO_SYNC", "PYTHONHOME", "VIRTUAL_ENV_PROMPT", "ENVHOOK_STATE"}
    files = [p for p in SHELL_DIR.iterdir() if p.is_file() and p.name != "rc-files"]
    assert len(files) >= 8
    found = []
    for path in files:
        for line in _code_lines(path):
            code = line.split(" #")[0]  # a comment at the end of a line may say what it is about
            for name in names:
                # The activate script's own variables, forgotten when it takes the activation over.
                if re.search(rf"\b{name}\b", code.replace("_envhook_new_VIRTUAL_ENV_PROMPT", "")):
                    found.append((path.name, name, line.strip()))
    assert found == []


@pytest.mark.parametrize("shell", NAMES)
def test_every_shell_renders_every_step_of_the_table(shell):
    """Each value of the table reaches the rendered activation: quoted by the
    shell's own quote function where the hook evals it, or as a word of its
    own where it walks data (tcsh)."""
    sh = get_shell(shell)
    act = Activation("/e nv/'x\"$(y)", "(p) ", True, "in-sync")
    words = sh.activation(act)
    text = "\n".join(words)

    def carried(value: str) -> bool:
        return sh.quote(value) in text or value in words

    table = Changes(act)
    for name, value in table.set.items():
        assert carried(name) or name in text, name
        assert carried(value), (name, value)
    for name in table.unset:
        assert name in text
    for d in table.path_prepend:
        assert carried(d)
    beside = Changes(act, beside=True)
    assert set(beside.set) == {"UV_NO_SYNC", "ENVHOOK_STATE"} and not beside.path_prepend


def test_the_names_a_take_over_claims_come_from_the_table():
    always, with_no_sync = names_taken_over()
    assert set(always) == set(Changes(Activation("/e", "p", False, "s")).set)
    # With "1:ENV": UV_NO_SYNC and uv's selection variables (issue 32), with the marker that says which were envhook's.
    assert sorted(with_no_sync) == ["UV_NO_DEFAULT_GROUPS", "UV_NO_DEV", "UV_NO_GROUP", "UV_NO_SYNC", "_ENVHOOK_UV"]
