"""URL canonicalisation, crawl scope and trap avoidance.

The page budget is small compared with a portal, so it must be spent on
distinct pages: the same page reached with a tracking parameter, a session id,
a fragment or ``index.html`` is one page, and an endless calendar or a
permutation of filters is not worth more than a few samples.
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

# Use the public-suffix snapshot bundled with tldextract: never fetch it at run time.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "wickedid", "twclid", "ttclid", "li_fat_id", "srsltid", "ref_src", "at_medium",
    "at_campaign", "xtor", "piwik_campaign", "piwik_kwd", "pk_campaign", "pk_kwd", "pk_source",
    "pk_medium", "mtm_campaign", "mtm_source", "mtm_medium", "mtm_keyword", "mtm_content",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_")
SESSION_PARAMS = {
    "jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid", "cfid", "cftoken",
    "aspsessionid", "zenid", "oscsid", "ps_session", "s_id", "wt.mc_id",
}
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.I)
_ASP_COOKIELESS = re.compile(r"/\((?:S|A|F)\([A-Za-z0-9]+\)\)", re.I)
INDEX_PAGES = re.compile(r"/(?:index|default|home)\.(?:html?|php|aspx?|jsp|shtml|cfm)$", re.I)
_DIGITS = re.compile(r"\d+")
_DATE_LIKE = re.compile(
    r"(?:19|20|21)\d\d[-/_.]?(?:0[1-9]|1[0-2])(?:[-/_.]?(?:0[1-9]|[12]\d|3[01]))?"
    r"|(?:^|[?&;])(?:year|month|day|date|week|jahr|monat|tag|datum|anno|mese|giorno|data|annee|"
    r"mois|jour|semaine|fecha|mes|dia|cal|calendar|kalender|agenda)=", re.I)

NON_HTML_EXTENSIONS = {
    # documents we record (type and size) but do not parse as HTML
    ".pdf": "document", ".doc": "document", ".docx": "document", ".odt": "document",
    ".rtf": "document", ".xls": "document", ".xlsx": "document", ".ods": "document",
    ".ppt": "document", ".pptx": "document", ".odp": "document",
}
SKIP_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff",
    ".mp3", ".mp4", ".m4a", ".avi", ".mov", ".wmv", ".webm", ".ogg", ".wav", ".flac",
    ".zip", ".gz", ".tgz", ".rar", ".7z", ".tar", ".exe", ".msi", ".dmg", ".iso", ".apk",
    ".css", ".js", ".json", ".woff", ".woff2", ".ttf", ".eot", ".ics", ".vcf", ".kml", ".gpx",
}


def _drop_param(name: str) -> bool:
    n = name.lower()
    return (n in TRACKING_PARAMS or n in SESSION_PARAMS or n.startswith(TRACKING_PREFIXES)
            or n.startswith("aspsessionid"))


def canonical(url: str) -> str:
    """One spelling per page: the key for de-duplication (not the URL fetched).

    Lower-case scheme and host, default port dropped, query sorted (w3lib), no
    fragment, no tracking or session parameters, ``/index.html`` → ``/``.
    """
    parts = urlsplit(url.strip())
    path = _ASP_COOKIELESS.sub("", _PATH_SESSION.sub("", parts.path)) or "/"
    path = INDEX_PAGES.sub("/", path)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _drop_param(k)])
    cleaned = urlunsplit((parts.scheme.lower(), _netloc(parts), path, query, ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def _netloc(parts) -> str:  # noqa: ANN001
    """Host lower-cased, default port dropped, credentials dropped."""
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != _default_port(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


class UrlSet:
    """A set of URLs (or canonical keys) kept as 128-bit digests: membership and size only.

    A crawl remembers every URL it has seen, up to 200,000 (crawler.frontier): as
    strings ~170 B an entry, as digests ~80 B. Two distinct URLs share a digest with
    a probability of about n^2 / 2^129, ~10^-28 for 200,000 of them."""

    __slots__ = ("_digests",)

    def __init__(self, urls: Iterable[str] = ()) -> None:
        self._digests: set[int] = set()
        for url in urls:
            self.add(url)

    @staticmethod
    def _digest(url: str) -> int:
        return int.from_bytes(hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
                              "little")

    def add(self, url: str) -> None:
        self._digests.add(self._digest(url))

    def add_new(self, url: str, cap: int | None = None) -> bool:
        """False if ``url`` is in the set; else True, and it is added unless the set
        already holds ``cap`` URLs."""
        digest = self._digest(url)
        if digest in self._digests:
            return False
        if cap is None or len(self._digests) < cap:
            self._digests.add(digest)
        return True

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._digest(url) in self._digests

    def __len__(self) -> int:
        return len(self._digests)

    def __repr__(self) -> str:
        return f"UrlSet({len(self)} URLs)"


def fetchable(url: str) -> str:
    """The URL to request: fragment, tracking and session parameters removed,
    but the path kept as written (some servers do not serve ``/`` for ``/index.html``)."""
    parts = urlsplit(url.strip())
    path = _ASP_COOKIELESS.sub("", _PATH_SESSION.sub("", parts.path)) or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _drop_param(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def extension(url: str) -> str:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    if dot == -1 or "/" in path[dot:]:
        return ""
    return path[dot:]


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def registrable_domain(host: str) -> str:
    """``www.comune.roma.it`` → ``comune.roma.it``; an IP or single label stays as is."""
    host = host.lower().rstrip(".")
    if is_ip(host) or "." not in host:
        return host
    ext = _extract(host)
    return ext.top_domain_under_public_suffix or host


@dataclass
class Scope:
    """What a run may fetch: the start URL's registrable domain and its
    subdomains, plus hosts named with ``--also-host``.

    An IP address or ``localhost`` has no registrable domain, so there the
    scope is the exact origin (host and port): two portals served on one
    address but different ports stay apart.
    """

    start_url: str
    also_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        parts = urlsplit(self.start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {self.start_url!r}")
        host = parts.hostname.lower()
        self._origin_only = is_ip(host) or "." not in host
        self._origin = (host, parts.port or _default_port(parts.scheme))
        self.domain = registrable_domain(host)
        self._extra = {h.lower().strip() for h in self.also_hosts if h.strip()}

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        host = parts.hostname.lower().rstrip(".")
        try:
            port = parts.port or _default_port(parts.scheme)
        except ValueError:
            return False
        for extra in self._extra:
            if ":" in extra:
                if f"{host}:{port}" == extra:
                    return True
            elif host == extra or host.endswith("." + extra):
                return True
        if self._origin_only:
            # same host, and the same port or the scheme's other default port
            return host == self._origin[0] and (port == self._origin[1] or
                                               {port, self._origin[1]} == {80, 443})
        return host == self.domain or host.endswith("." + self.domain)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


@dataclass
class TrapGuard:
    """Refuses URLs that look like crawler traps; remembers why.

    - a path segment repeated ``max_repeats`` times or more (``/a/b/a/b/a/b``),
      or a path deeper than ``max_segments``;
    - more than ``max_per_template`` URLs of one template: the path with digit
      runs replaced and the query's parameter names (catches endless calendars,
      paginations and ID permutations);
    - more than ``max_query_variants`` query strings on one path (filter and
      sort permutations);
    - more than ``max_dated`` date-like URLs under one template prefix.
    """

    max_repeats: int = 3
    max_segments: int = 15
    max_per_template: int = 500
    max_query_variants: int = 25
    max_dated: int = 12
    max_url_length: int = 2000
    _templates: Counter = field(default_factory=Counter)
    _queries: defaultdict = field(default_factory=lambda: defaultdict(set))
    _dated: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)

    def check(self, url: str) -> str | None:
        """None if the URL may be crawled, else the reason (and counts it)."""
        reason = self._reason(url)
        if reason:
            self.rejected[reason] += 1
        return reason

    def _reason(self, url: str) -> str | None:
        if len(url) > self.max_url_length:
            return "url-too-long"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_segments:
            return "path-too-deep"
        counts = Counter(segments)
        if counts and counts.most_common(1)[0][1] >= self.max_repeats:
            return "repeating-path-segments"
        names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
        template = _DIGITS.sub("#", parts.path) + "?" + "&".join(names)
        if _DATE_LIKE.search(parts.path + "?" + parts.query):
            prefix = template.split("#", 1)[0]
            self._dated[prefix] += 1
            if self._dated[prefix] > self.max_dated:
                return "calendar-trap"
        if parts.query:
            variants = self._queries[parts.path]
            variants.add(parts.query)
            if len(variants) > self.max_query_variants:
                return "query-permutations"
        self._templates[template] += 1
        if self._templates[template] > self.max_per_template:
            return "template-limit"
        return None
