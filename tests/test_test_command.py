"""The README's test command (`uv run pytest`) works in any terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("term", ["dumb", None])
def test_pytest_starts_under_any_TERM(tmp_path: Path, term: str | None) -> None:
    """Emacs shells and some CI runners say TERM=dumb. xonsh (a dev
    dependency) registers a pytest plugin that builds a xonsh shell at
    start-up, and under TERM=dumb it asks for prompt_toolkit, which is not
    installed: every run died with INTERNALERROR before collecting a test.
    The suite drives xonsh through a pty and needs none of that plugin."""
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if k not in ("TERM", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    if term is not None:
        env["TERM"] = term
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO),
         "-p", "no:cacheprovider", str(tmp_path / "test_one.py")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
    assert "INTERNALERROR" not in proc.stdout + proc.stderr
