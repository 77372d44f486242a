"""envhook: the project's Python env follows you around the shell."""

__version__ = "0.1.0"
