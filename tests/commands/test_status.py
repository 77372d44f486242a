"""`envhook status` says what the hook says (issue 28)."""

from __future__ import annotations

import json
import subprocess

from support.projects import make_project


def run(*args, cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run(["envhook", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_a_pyproject_that_is_not_valid_toml_is_named_and_failed(tmp_path, wheelhouse, shell_env):
    """Point 8: the hook says "not valid TOML … fix it" and exports `failed`;
    status said "project: none", `no-project`, exit 0, and `"project": null`."""
    p = make_project(tmp_path / "demo", wheelhouse)
    assert run("allow", cwd=p, env=shell_env).returncode == 0
    assert run("sync", cwd=p, env=shell_env).returncode == 0
    pyproject = p / "pyproject.toml"
    lines = pyproject.read_text().splitlines()
    bad_line = lines.index("[project]") + 2
    lines.insert(bad_line - 1, "broken = oops")  # no such value: "Invalid value (at line N, column 10)"
    pyproject.write_text("\n".join(lines) + "\n")
    (p / "src").mkdir()

    for where in (p, p / "src"):
        r = run("status", cwd=where, env=shell_env)
        assert r.returncode != 0, r.stdout
        out = r.stdout
        assert str(pyproject) in out and "not valid TOML" in out and f"line {bad_line}, column 10" in out, out
        assert "state:   failed" in out and "no-project" not in out and "none" not in out, out

        r = run("status", "--json", cwd=where, env=shell_env)
        assert r.returncode != 0
        data = json.loads(r.stdout)
        assert data["state"] == "failed" and data["project"] == str(p) and data["file"] == str(pyproject), data
        assert f"line {bad_line}, column 10" in data["reasons"][0], data
        assert data["exports"] == {"ENVHOOK_STATE": "failed"}, data

        r = run("status", "--short", cwd=where, env=shell_env)
        assert r.returncode != 0 and r.stdout == "failed\n"
