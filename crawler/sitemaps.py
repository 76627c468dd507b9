"""robots.txt and sitemap parsing, with Scrapy's own parsers (no hand-written XML)."""
from __future__ import annotations

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed
MAX_SITEMAP_URLS = 50_000
MAX_SITEMAPS = 50


def sitemaps_in_robots(robots_txt: bytes, base_url: str) -> list[str]:
    return list(sitemap_urls_from_robots(robots_txt, base_url=base_url))[:MAX_SITEMAPS]


def parse_sitemap(body: bytes) -> tuple[str, list[str]]:
    """(type, locations): type is 'urlset', 'sitemapindex' or 'invalid'."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except Exception:  # noqa: BLE001 - a broken archive is just an invalid sitemap
            return "invalid", []
    try:
        sitemap = Sitemap(body)
    except Exception:  # noqa: BLE001
        return "invalid", []
    kind = sitemap.type or "invalid"
    locs = []
    for entry in sitemap:
        loc = entry.get("loc")
        if loc:
            locs.append(loc.strip())
        if len(locs) >= MAX_SITEMAP_URLS:
            break
    return kind, locs
