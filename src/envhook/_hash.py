"""sha256 without loading OpenSSL: hashlib's import costs ~2 ms on the
hook's path, the builtin module a tenth of that."""

try:
    from _sha256 import sha256  # CPython 3.11
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha2 import sha256  # CPython 3.12+
    except ImportError:
        from hashlib import sha256


def hexdigest(data: bytes) -> str:
    return sha256(data).hexdigest()


def file_digest(path) -> str | None:
    """Content digest of a file, None when it does not exist."""
    try:
        with open(path, "rb") as f:
            return sha256(f.read()).hexdigest()[:16]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
