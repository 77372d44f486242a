"""Sync tools. uv is the first; the interface is what the commands need:
detect, env path, inputs, sync. Imports stay lazy: the hook's entry starts
`uv sync` through backends.uv before anything heavy is loaded."""

from __future__ import annotations


def backend_for(project):
    from envhook.backends.uv import UvBackend

    return UvBackend()
