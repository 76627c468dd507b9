"""A tiny static server for the bundled portals, on 127.0.0.1 only.

Each portal gets its own port, so each is its own origin (and its own crawl
scope). ``robots.txt`` and ``sitemap.xml`` hold the token ``__BASE_URL__``,
replaced with the portal's address at serving time, since sitemaps need
absolute URLs and the port is chosen at random.
"""
from __future__ import annotations

import json
import mimetypes
import threading
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PORTALS_DIR = Path(__file__).parent / "portals"
TEMPLATED = {"robots.txt", "sitemap.xml"}


@dataclass
class DemoPortal:
    slug: str
    name: str
    country: str
    language: str
    quality: str
    root: Path
    facts: dict

    @classmethod
    def load(cls, directory: Path) -> "DemoPortal":
        meta = json.loads((directory / "portal.json").read_text(encoding="utf-8"))
        return cls(slug=meta["slug"], name=meta["name"], country=meta["country"],
                   language=meta["language"], quality=meta["quality"],
                   root=directory / "site", facts=meta.get("facts", {}))


def bundled_portals() -> list[DemoPortal]:
    return [DemoPortal.load(d) for d in sorted(PORTALS_DIR.iterdir())
            if (d / "portal.json").is_file()]


class _Handler(BaseHTTPRequestHandler):
    server_version = "citylabel-demo"

    def __init__(self, *args, root: Path, redirects: dict[str, str], **kwargs) -> None:  # noqa: ANN002, ANN003
        self.root = root.resolve()
        self.redirects = redirects
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002 - quiet
        pass

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def do_POST(self) -> None:  # noqa: N802 - forms are never submitted by the crawler
        self.send_error(405)

    def _serve(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in self.redirects:  # e.g. a login route handing over to an eID provider
            self.send_response(302)
            self.send_header("Location", self.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = (self.root / path.lstrip("/")).resolve()
        if not str(target).startswith(str(self.root)):
            self.send_error(404)
            return
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        if not target.is_file():
            self.send_error(404, "Not Found")
            return
        body = target.read_bytes()
        if target.name in TEMPLATED:
            host, port = self.server.server_address[:2]
            body = body.replace(b"__BASE_URL__", f"http://{host}:{port}".encode())
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/xml", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class PortalServer:
    """Serves one directory on 127.0.0.1 (a free port unless given) in a thread.

    Paths listed under ``redirects`` in the portal's ``portal.json`` (beside the
    site directory) answer with a 302 to their target, as login routes do.
    """

    def __init__(self, root: Path, port: int = 0) -> None:
        meta = Path(root).parent / "portal.json"
        redirects = (json.loads(meta.read_text(encoding="utf-8")).get("redirects", {})
                     if meta.is_file() else {})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port),
                                         partial(_Handler, root=Path(root), redirects=redirects))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> "PortalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.httpd.shutdown()
        self.httpd.server_close()
