"""install.sh --help tells the truth about completion (issue 28, point 11)."""

from __future__ import annotations

import subprocess
from pathlib import Path

INSTALL = Path(__file__).resolve().parents[2] / "install.sh"


def test_help_says_the_other_shells_complete_through_their_hooks(tmp_path, shell_env):
    """xonsh, nushell, elvish and tcsh get envhook's completion from the hook
    itself (README); the help said they had none."""
    r = subprocess.run(["sh", str(INSTALL), "--help"], cwd=tmp_path, env=shell_env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "none for xonsh" not in r.stdout, r.stdout
    completion = r.stdout.partition("And the shell's completion")[2].partition("Options:")[0]
    line = next(line for line in completion.splitlines() if "xonsh" in line)
    assert all(name in line for name in ("xonsh", "nu", "elvish", "tcsh")) and "hook" in line, line
