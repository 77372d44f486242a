"""A local PEP 503 "simple" package index, served over HTTP from a thread.

Poetry and PDM cannot use uv's ``find-links`` + ``no-index`` trick: both want
a real index URL.  :class:`LocalIndex` serves a directory of wheels (and
sdists) on ``127.0.0.1`` at a free port:

* ``/simple/`` lists every project (PEP 503 normalised names);
* ``/simple/<name>/`` lists that project's files, each link carrying a
  ``#sha256=<hex>`` fragment (``<name>`` may be given unnormalised, and the
  trailing slash may be left out);
* ``/files/<filename>`` serves the file itself.

Every request reads the directory as it is *now*, so a test can drop a new
wheel in (e.g. with :func:`support.wheels.build_wheel`) and it appears at
once.  Requests are not logged to stderr; the paths asked for are kept in
:attr:`LocalIndex.requests` so a test can check what a tool fetched.

:class:`NetworkTrap` is an HTTP(S) proxy that refuses everything and records
what was asked: point ``HTTP(S)_PROXY`` at it (with ``NO_PROXY`` covering
127.0.0.1) to prove a tool never reached past the local index.
"""

from __future__ import annotations

import hashlib
import html
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.wheels import normalize_name

__all__ = ["LocalIndex", "NetworkTrap", "project_of", "sha256_of"]

_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


def project_of(filename: str) -> str | None:
    """Normalised project name of a wheel or sdist *filename* (None if neither)."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        return normalize_name(parts[0]) if len(parts) >= 5 else None
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            if "-" not in stem:
                return None
            return normalize_name(stem.rsplit("-", 1)[0])
    return None


def sha256_of(path: Path) -> str:
    """Hex sha256 of the file at *path*."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _page(title: str, links: list[tuple[str, str]]) -> bytes:
    body = "".join(f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br/>\n' for href, text in links)
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        '    <meta name="pypi:repository-version" content="1.0">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"{body}  </body>\n</html>\n"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        index: LocalIndex = self.server.index
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        with index._lock:
            index.requests.append(path)
        status, ctype, payload, file_path = index._resolve(path)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache")
        if file_path is not None:
            size = file_path.stat().st_size
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if not head:
                with open(file_path, "rb") as f:
                    while chunk := f.read(1 << 16):
                        self.wfile.write(chunk)
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if not head:
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    index: "LocalIndex"

    def handle_error(self, request, client_address) -> None:  # quiet: clients hang up
        pass


class LocalIndex:
    """Serve *directory* as a simple index on 127.0.0.1 until :meth:`close`.

    ``.url`` is the ``/simple/`` URL (what poetry's and PDM's source ``url``
    takes), ``.files_url`` the base URL of the files.  Use as a context manager
    or call :meth:`close`.
    """

    def __init__(self, directory: Path, host: str = "127.0.0.1") -> None:
        self.directory = Path(directory)
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._hashes: dict[tuple[str, int, int], str] = {}
        self._server = _Server((host, 0), _Handler)
        self._server.index = self
        port = self._server.server_address[1]
        self.base_url = f"http://{host}:{port}"
        self.url = f"{self.base_url}/simple/"
        self.files_url = f"{self.base_url}/files/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-index", daemon=True
        )
        self._thread.start()

    # ------------------------------------------------------------------ content

    def _files(self) -> dict[str, list[Path]]:
        """Project name -> its files, as the directory is now."""
        projects: dict[str, list[Path]] = {}
        try:
            entries = sorted(os.scandir(self.directory), key=lambda e: e.name)
        except FileNotFoundError:
            return projects
        for entry in entries:
            if not entry.is_file():
                continue
            project = project_of(entry.name)
            if project is not None:
                projects.setdefault(project, []).append(Path(entry.path))
        return projects

    def _sha256(self, path: Path) -> str:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._hashes.get(key)
        if cached is None:
            cached = sha256_of(path)
            with self._lock:
                self._hashes[key] = cached
        return cached

    def _resolve(self, path: str) -> tuple[int, str, bytes, Path | None]:
        html_type = "text/html; charset=utf-8"
        parts = [p for p in path.split("/") if p]
        if parts == ["simple"]:
            names = sorted(self._files())
            return 200, html_type, _page("Simple index", [(f"/simple/{n}/", n) for n in names]), None
        if len(parts) == 2 and parts[0] == "simple":
            name = normalize_name(parts[1])
            files = self._files().get(name)
            if files:
                links = [(f"/files/{urllib.parse.quote(f.name)}#sha256={self._sha256(f)}", f.name) for f in files]
                return 200, html_type, _page(f"Links for {name}", links), None
        if len(parts) == 2 and parts[0] == "files" and "/" not in parts[1] and parts[1] not in (".", ".."):
            f = self.directory / parts[1]
            if f.is_file():
                ctype = "application/zip" if f.name.endswith((".whl", ".zip")) else "application/octet-stream"
                return 200, ctype, b"", f
        return 404, "text/plain; charset=utf-8", b"not found\n", None

    # ---------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> "LocalIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalIndex({str(self.directory)!r}, url={self.url!r})"


class _TrapHandler(BaseHTTPRequestHandler):
    server: "_TrapServer"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def _refuse(self) -> None:
        trap: NetworkTrap = self.server.trap
        with trap._lock:
            trap.requests.append(f"{self.command} {self.path}")
        self.close_connection = True
        self.send_response(403, "envhook tests: no network")
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    do_CONNECT = do_GET = do_HEAD = do_POST = do_PUT = _refuse


class _TrapServer(ThreadingHTTPServer):
    daemon_threads = True
    trap: "NetworkTrap"

    def handle_error(self, request, client_address) -> None:
        pass


class NetworkTrap:
    """A proxy on 127.0.0.1 that answers every request (CONNECT included)
    with 403 and records it in :attr:`requests` as ``"METHOD target"``
    (``"CONNECT pypi.org:443"``).  ``.url`` is the proxy URL."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = _TrapServer((host, 0), _TrapHandler)
        self._server.trap = self
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="network-trap", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop the proxy (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> "NetworkTrap":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
