"""PEP 508 markers evaluated for an env's interpreter on this machine.

packaging is imported inside each function: only when a lock or a
requirement is compared, never at a quiet prompt."""

from __future__ import annotations

from pathlib import Path

from envhook.env.drift import env_python


def marker_environment(env: Path) -> dict[str, str]:
    """PEP 508's environment for the env's interpreter on this machine:
    this interpreter's, with the env's Python version from pyvenv.cfg."""
    from packaging.markers import default_environment  # packaging: only when a lock or a requirement is compared

    out = dict(default_environment())
    version = env_python(env)
    if version:
        parts = version.split(".")
        out["python_full_version"] = ".".join(parts[:3])
        out["python_version"] = ".".join(parts[:2])
        out["implementation_version"] = out["python_full_version"]
    return out


def marker_true(marker: str | None, environment: dict[str, str], extras=()) -> bool:
    """The marker holds here, with no extra or with one of `extras` chosen."""
    if not marker or not isinstance(marker, str):
        return True
    from packaging.markers import InvalidMarker, Marker  # packaging: only when a lock or a requirement is compared

    try:
        m = Marker(marker)
        return any(m.evaluate({**environment, "extra": e}) for e in ("", *extras))
    except (InvalidMarker, ValueError, TypeError):
        return True  # a marker we cannot read: count the package as wanted, and let drift show it
