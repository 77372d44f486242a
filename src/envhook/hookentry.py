"""Where the hook's entry used to live. A shell whose hook was printed before
the entry moved to envhook.prompt bakes this name into its ENTRY; it lands
here and is told, once, to open a new shell (its protocol is older)."""

from envhook.prompt.entry import main  # noqa: F401
