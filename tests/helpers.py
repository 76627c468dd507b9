"""Test helpers: pages as strings, local servers, running the CLI in a subprocess.

Every server binds 127.0.0.1; no test sends traffic anywhere else.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

from checks.artifacts import PageArtifact

ROOT = Path(__file__).resolve().parent.parent


def page(html: str, url: str = "https://www.example.eu/", status: int = 200,
         content_type: str = "text/html") -> PageArtifact:
    return PageArtifact(url=url, status=status, body=html.encode("utf-8"),
                        content_type=content_type, encoding="utf-8")


def html_doc(body: str, lang: str = "en", title: str = "Test") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body>{body}</body></html>")


Route = Callable[[BaseHTTPRequestHandler], None]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes | str = b"",
         content_type: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
    if isinstance(body, str):
        body = body.encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


@contextmanager
def serve_routes(routes: dict[str, Route] | Callable[[str], Route | None],
                 tls_context=None) -> Iterator[str]:  # noqa: ANN001
    """Serve a dict of path -> handler function (query string ignored for lookup,
    or a function from the full path to a handler) on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

        def do_GET(self) -> None:  # noqa: N802
            if callable(routes):
                fn = routes(self.path)
            else:
                fn = routes.get(self.path) or routes.get(self.path.split("?")[0])
            if fn is None:
                send(self, 404, "<html><body>not found</body></html>")
            else:
                fn(self)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    if tls_context is not None:
        httpd.socket = tls_context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls_context is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_cli(*args: str, timeout: float = 240, check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m citylabel ARGS`` in a fresh process (Twisted's reactor
    cannot be restarted inside the test process)."""
    # the tests serve their portals on 127.0.0.1: they opt in to private addresses
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITYLABEL_ALLOW_PRIVATE": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "citylabel", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=str(ROOT))
    if check and proc.returncode not in (0, 1):
        raise AssertionError(f"citylabel {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-5000:]}")
    return proc


def report_json(db: str, run: str | int = "latest") -> dict:
    proc = run_cli("report", str(run), "--format", "json", "--db", db)
    return json.loads(proc.stdout)
