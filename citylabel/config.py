"""The settings of one audit, recorded on its run so it can be reproduced."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_CONTACT = "https://github.com/citylabel/citylabel"


@dataclass
class AuditConfig:
    start_url: str
    name: str | None = None
    country: str | None = None
    also_hosts: tuple[str, ...] = ()
    extra_start_urls: tuple[str, ...] = ()  # more entry points (e.g. a services portal), crawled as depth 0
    max_pages: int = 500
    max_depth: int = 5
    db_url: str | None = None
    enable_checks: tuple[str, ...] | None = None
    disable_checks: tuple[str, ...] = ()
    contact_url: str = DEFAULT_CONTACT
    user_agent: str | None = None
    scheme_probe_url: str | None = None  # the other-scheme address to probe; derived if None
    obey_robots: bool = True
    resume_run_id: int | None = None  # continue this killed run instead of starting a new one
    allow_private: bool = False  # fetch private/loopback/link-local addresses (intranets, demo, tests)
    per_host_concurrency: int = 4
    # seconds between requests to the portal at first; Scrapy's AutoThrottle then follows the
    # server's latency (slower servers are asked less often)
    delay: float = 0.5
    download_timeout: float = 30.0
    max_response_bytes: int = 20 * 1024 * 1024
    keep_warc: bool = True
    judge_in_process: bool = False  # judge in the crawl process (tests, debugging)
    browser_pages: int = 20  # pages rendered with axe-core (key pages, then per template); 0: none
    browser_concurrency: int = 4
    browser_timeout: float = 30.0
    # let consent platforms' own hosts (Cookiebot, OneTrust...) load in the browser so their
    # banners appear and "reject" can be clicked; trackers are always blocked
    load_consent_platforms: bool = True
    check_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> name -> value
    ca_file: str | None = None  # extra CA bundle (PEM) trusted when judging certificates
    as_of: str | None = None  # ISO date that date-based checks judge against (default: today)
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"start URL must be an absolute http(s) URL, got {self.start_url!r}")
        if not parts.path:
            self.start_url = urlunsplit((parts.scheme, parts.netloc, "/", parts.query, ""))
        if self.max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if self.browser_pages < 0:
            raise ValueError("browser_pages must be 0 or more")
        if self.delay < 0:
            raise ValueError("delay must be 0 or more seconds")
        if self.max_depth < 0:
            raise ValueError("max_depth must be 0 or more")
        if self.country:
            self.country = self.country.upper()
        if self.as_of is not None:
            try:
                date.fromisoformat(self.as_of)
            except ValueError:
                raise ValueError(f"--as-of must be a date like 2026-11-28, got {self.as_of!r}") from None
        self.also_hosts = tuple(self.also_hosts)
        self.extra_start_urls = tuple(self.extra_start_urls)
        for u in self.extra_start_urls:
            if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).hostname:
                raise ValueError(f"--start-url must be an absolute http(s) URL, got {u!r}")
        if self.enable_checks is not None:
            self.enable_checks = tuple(self.enable_checks)
        self.disable_checks = tuple(self.disable_checks)

    @property
    def portal_name(self) -> str:
        return self.name or (urlsplit(self.start_url).hostname or self.start_url)

    def agent(self, version: str) -> str:
        """An identifiable User-Agent naming the tool and where to reach its operator."""
        return self.user_agent or f"citylabel/{version} (+{self.contact_url})"

    def probe_url(self) -> str:
        """The start URL with the other scheme (default ports), unless configured."""
        if self.scheme_probe_url:
            return self.scheme_probe_url
        parts = urlsplit(self.start_url)
        other = "http" if parts.scheme == "https" else "https"
        host = parts.hostname if ":" not in (parts.hostname or "") else f"[{parts.hostname}]"
        netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
        return urlunsplit((other, netloc, parts.path or "/", "", ""))

    def judge_date(self) -> date:
        """The day date-based checks (statement age) judge against."""
        return date.fromisoformat(self.as_of) if self.as_of else date.today()

    def recorded(self) -> dict[str, Any]:
        """What is stored with the run (no secrets are ever part of the config)."""
        data = asdict(self)
        data.pop("db_url", None)
        data["also_hosts"] = list(self.also_hosts)
        data["extra_start_urls"] = list(self.extra_start_urls)
        return data
