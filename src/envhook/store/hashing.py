"""sha256 without loading OpenSSL: hashlib's import costs ~2 ms on the
hook's path, the builtin module a tenth of that."""

import errno
import os
import stat

try:
    from _sha256 import sha256  # CPython 3.11
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha2 import sha256  # CPython 3.12+
    except ImportError:
        from hashlib import sha256  # an interpreter without the builtin module


def hexdigest(data: bytes) -> str:
    return sha256(data).hexdigest()


def read_regular(path, *, check=None) -> bytes:
    """The bytes of a regular file. A repository can name a FIFO (or a device)
    uv.lock: opened without O_NONBLOCK, reading it would hang the prompt.
    `check`: for envhook's own state, which must not be a link, and must
    pass check(stat) (None, or why not), on the open file, so no swap in
    between."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | (os.O_NOFOLLOW if check else 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if check and e.errno == errno.ELOOP:
            raise PermissionError(errno.EPERM, "is a symlink; envhook follows none in its state", str(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        why = check(st) if check else None
        if why:
            raise PermissionError(errno.EPERM, why, str(path))
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_digest(path) -> str | None:
    """Content digest of a file, None when it does not exist or is no regular file."""
    try:
        return sha256(read_regular(path)).hexdigest()[:16]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
