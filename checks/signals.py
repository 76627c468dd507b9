"""Page signals: what each page shows of engagement, redress, contact, services and openness.

Site checks such as ``participation.activity`` or ``support.contact`` ask a
question of the whole portal ("is there a complaints procedure?"); the answer
is spread over pages. Like a Lighthouse gatherer, :func:`page_signals` reads one
parsed page and returns what it found as plain records (kind, URL, evidence),
and :class:`SiteSignals` keeps a bounded digest of them over the run. It judges
nothing: the site checks decide what is enough. Words and fingerprints are data
(``engagement.json``, ``forms_phrases.json``); phrase matching is cached per
text, since navigation and footer links repeat on every page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from checks.artifacts import Link, PageArtifact, element_snippet, normalise_space
from checks.base import Evidence
from checks.forms import FORMS, SERVICE_KINDS, read_forms
from checks.lexicon import fold, text_concepts
from checks.phrases import PhraseBook, TextIndex, first_phrase
from crawler.urls import canonical

ENGAGEMENT = PhraseBook("engagement.json")
MAX_EXAMPLES = 20
MAX_DELIVERY_PAGES = 20_000
MAX_CATALOGUE_LINKS = 400
MAX_HEADINGS = 30
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])(?:\+\d{2,3}[\s.]?)?(?:\(?\d{2,5}\)?[\s./-]?){2,5}\d{2,4}(?!\w)")
_POSTCODE = re.compile(r"(?<!\d)(?:\d{4,5}|\d{2}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2})(?!\d)")
_RAW_LIMIT = 600_000


# -- phrase matching, cached ----------------------------------------------------

def _book(path: tuple[str, ...]) -> PhraseBook:
    return FORMS if path[0] in ("status_tracking", "online_service", "pdf_paper") else ENGAGEMENT


def match(path: tuple[str, ...], text: str | TextIndex) -> str | None:
    """The first phrase at ``path`` (in engagement.json, or forms_phrases.json for the
    service words) found in ``text``, or None."""
    return first_phrase(_book(path), path, text)


# what a link's text may name: signal kind -> phrase-book path
LINK_TEXT_KINDS = (("complaint", ("complaint",)), ("appeal", ("appeal",)), ("ombudsman", ("ombudsman",)),
                   ("report_problem", ("report_problem",)), ("status_tracking", ("status_tracking",)),
                   ("opendata", ("opendata", "words")), ("your_europe", ("your_europe", "words")),
                   ("catalogue", ("catalogue", "words")), ("contact_link", ("contact", "page")))


def _activities() -> list[str]:
    return [a for a in ENGAGEMENT.data.get("activity", {}) if not a.startswith("_")]


@lru_cache(maxsize=50_000)
def link_text_kinds(text: str) -> tuple[tuple[str, str], ...]:
    """Every signal kind a link text names, with the phrase (one cached call per distinct
    text: navigation and footer links repeat on every page)."""
    found = [(kind, phrase) for kind, path in LINK_TEXT_KINDS if (phrase := match(path, text))]
    found += [(f"activity:{a}", phrase) for a in _activities() if (phrase := match(("activity", a), text))]
    return tuple(found)


@lru_cache(maxsize=1)
def _host_kinds() -> dict[str, list[tuple[str, str]]]:
    """Host (or registrable suffix) -> the signal kinds a link there shows."""
    data = ENGAGEMENT.data
    out: dict[str, list[tuple[str, str]]] = {}
    for p in data.get("platforms", []):
        for h in p.get("hosts", []):
            out.setdefault(h.lower(), []).append((f"platform:{p['name']}", p["name"]))
    for h in data.get("ombudsman_hosts", []):
        out.setdefault(h.lower(), []).append(("ombudsman", "the ombudsman"))
    for h in data.get("your_europe", {}).get("hosts", []):
        out.setdefault(h.lower(), []).append(("your_europe", "Your Europe"))
    for h in data.get("opendata", {}).get("hosts", []):
        out.setdefault(h.lower(), []).append(("opendata", "the open data portal"))
    return out


def _kinds_of_host(host: str, by_host: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    labels = host.split(".")
    return [k for i in range(len(labels) - 1) for k in by_host.get(".".join(labels[i:]), ())]


def path_of_platform(platform: dict[str, Any], path: str) -> str | None:
    """The platform route a URL path follows ("/processes", "/legislation/processes"), if any."""
    return next((x for x in platform.get("paths", []) if path == x or path.startswith(x.rstrip("/") + "/")), None)


@lru_cache(maxsize=1)
def _raw_markers() -> tuple[tuple[bytes, str], ...]:
    """Every platform's asset paths and source markers (lower-case bytes) with its name."""
    return tuple((m.lower().encode(), p["name"]) for p in ENGAGEMENT.data.get("platforms", [])
                 for m in p.get("asset_paths", []) + p.get("html_markers", []) if len(m) >= 6)


def raw_marker(body: bytes) -> tuple[bytes, str] | None:
    """The first platform marker in the page source (a plain search per marker in the
    lower-cased source: far faster than one case-insensitive alternation)."""
    low = body[:_RAW_LIMIT].lower()
    return next(((m, name) for m, name in _raw_markers() if m in low), None)


def open311_discovery_url(link: str) -> str:
    """GeoReport v2's discovery document for a linked Open311 URL: the link itself when it
    names a .json/.xml document, else ``discovery.json`` under its ``/open311/v2/`` base."""
    parts = urlsplit(link)
    path = parts.path
    if path.endswith((".json", ".xml")):
        return link
    i = path.find("/open311/")
    base = path[: i + len("/open311/")] + "v2/" if i >= 0 and "/v2" not in path[i:] else path.rstrip("/") + "/"
    if i >= 0 and "/v2" in path[i:]:
        base = path[: path.index("/v2", i) + 4]
    return parts._replace(path=base + "discovery.json", query="", fragment="").geturl()


# -- the records ------------------------------------------------------------------

@dataclass
class Signal:
    kind: str                  # e.g. "platform:Decidim", "activity:consultation", "contact_page"
    url: str                   # the page it was seen on
    evidence: dict[str, Any]   # Evidence.to_dict()
    data: dict[str, Any] = field(default_factory=dict)


def _link_ev(link: Link, text: str | None = None) -> dict[str, Any]:
    return Evidence(url=link.url, selector=link.xpath, snippet=link.snippet,
                    text=text or link.text or link.href).to_dict()


def _read_heading(page: PageArtifact) -> tuple[str, str]:
    tree = page.tree
    h1 = tree.find(".//h1") if tree is not None else None
    return (page.title or "", normalise_space(h1.text_content())[:200] if h1 is not None else "")


def _named(path: tuple[str, ...], page: PageArtifact) -> str | None:
    """The phrase naming the page itself (in its title or main heading)."""
    title, h1 = _heading(page)
    return match(path, h1) or match(path, title)


def _heading(page: PageArtifact) -> tuple[str, str]:
    """The page's title and first h1, read once per page artifact."""
    cached = page.__dict__.get("_citylabel_heading")
    if cached is None:
        cached = page.__dict__["_citylabel_heading"] = _read_heading(page)
    return cached


def page_signals(page: PageArtifact, search_url: str | None = None,
                 service_page: bool = False) -> list[Signal]:
    """Every signal one HTML page shows. ``search_url``: this page is the site search's
    results page; ``service_page``: a catalogue links it, so its wording about how the
    service is delivered (online, at the office) is worth reading (the costly part)."""
    tree = page.tree
    if tree is None:
        return []
    out: list[Signal] = []
    url = page.url
    title, h1 = _heading(page)
    page_ev = Evidence(url=url, selector="/html/body//h1" if h1 else "/html/head/title",
                       text=h1 or title).to_dict()

    def add(kind: str, evidence: dict[str, Any], **data: Any) -> None:
        out.append(Signal(kind, url, evidence, data))

    data = ENGAGEMENT.data
    platforms = data.get("platforms", [])
    ye = data.get("your_europe", {})
    od = data.get("opendata", {})
    o311 = data.get("open311", {})
    seen: set[str] = set()
    own_host = (urlsplit(url).hostname or "").lower()
    by_host = _host_kinds()
    for link in page.links:
        parts = urlsplit(link.url)
        host, path = (parts.hostname or "").lower(), parts.path.lower()
        if host and host != own_host:
            for kind, why in _kinds_of_host(host, by_host):
                if kind in seen or (kind == "your_europe" and not any(
                        path.startswith(x) for x in ye.get("paths", ["/youreurope"]))):
                    continue
                seen.add(kind)
                add(kind, _link_ev(link, f"links to {why} at {host}"))
            for p in platforms:
                kind = f"platform:{p['name']}"
                if kind not in seen and path_of_platform(p, path) and (
                        "participation" in text_concepts(f"{link.text} {host.replace('.', ' ')}")):
                    # a self-hosted instance: the platform's URL scheme on a host named for participation
                    seen.add(kind)
                    add(kind, _link_ev(link, f"links to {link.url}: a {p['name']} URL "
                                             f"({path_of_platform(p, path)}) on a participation site"))
        if "opendata" not in seen and any(e in path for e in od.get("endpoints", [])):
            seen.add("opendata")
            add("opendata", _link_ev(link, f"links to an open data catalogue endpoint {link.url}"))
        if "open311" not in seen and ("/open311/" in path or any(path.endswith(x) for x in o311.get("paths", []))):
            seen.add("open311")
            add("open311", _link_ev(link, f"links to an Open311 GeoReport endpoint {link.url}"), target=link.url)
        text = link.text
        if not text or len(text) > 120:
            continue
        for kind, _phrase in link_text_kinds(text):
            if kind not in seen:
                seen.add(kind)
                add(kind, _link_ev(link, f'link "{text}"'))
    # the page itself
    heading_texts = [(h, t) for h in list(tree.iter("h2", "h3", "h4"))[:MAX_HEADINGS]
                     if (t := normalise_space(h.text_content())[:120])]
    for activity in data.get("activity", {}):
        if activity.startswith("_"):
            continue
        if phrase := _named(("activity", activity), page):
            add(f"page:{activity}", page_ev, phrase=phrase)
            continue
        for h, text in heading_texts:  # a section of the page about it ("Diretta streaming")
            if any(kind == f"activity:{activity}" for kind, _ in link_text_kinds(text)):
                add(f"page:{activity}", Evidence(url=url, selector=h.getroottree().getpath(h),
                                                 text=text).to_dict(), phrase=text)
                break
    for kind, path_ in (("complaint", ("complaint",)), ("report_problem", ("report_problem",)),
                        ("status_tracking", ("status_tracking",)), ("catalogue", ("catalogue", "words"))):
        if phrase := _named(path_, page):
            add(f"page:{kind}", page_ev, phrase=phrase)
    segments = [x for x in urlsplit(url).path.lower().split("/") if x]
    slug = next((s for s in data.get("catalogue", {}).get("slugs", [])
                 if segments and len(segments) <= 2 and s.strip("/") == segments[0]), None)
    if slug and not any(s.kind == "page:catalogue" for s in out):
        add("page:catalogue", page_ev, phrase=f"URL {slug}")
    # fingerprints in the source and the head
    marker = raw_marker(page.body)
    if marker is not None:
        add(f"platform:{marker[1]}", Evidence(url=url, text="page source contains "
                                              f"{marker[0].decode(errors='replace')!r}").to_dict())
    for meta in tree.iterfind(".//meta[@name]"):
        name = (meta.get("name") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name == "generator":
            for p in platforms:
                if any(g in content.lower() for g in p.get("generator", [])):
                    add(f"platform:{p['name']}", Evidence(url=url, selector=meta.getroottree().getpath(meta),
                                                          snippet=element_snippet(meta), text=content).to_dict())
            if any(g in content.lower() for g in od.get("generators", [])):
                add("opendata", Evidence(url=url, snippet=element_snippet(meta), text=content).to_dict())
        elif name in ("sdg-tag", "dc.iso3166", "dc.service", "policy-code", "dc.policy"):
            add("sdg_meta", Evidence(url=url, selector=meta.getroottree().getpath(meta),
                                     snippet=element_snippet(meta), text=f"{name}={content}").to_dict())
    for img in tree.iter("img"):
        src, alt = (img.get("src") or "").lower(), img.get("alt") or ""
        if any(f in src for f in ye.get("logo_files", [])) or (alt and match(("your_europe", "words"), alt)):
            add("your_europe", Evidence(url=url, selector=img.getroottree().getpath(img),
                                        snippet=element_snippet(img), text=alt or src).to_dict())
            break
    # languages
    alternates = [(el.get("hreflang"), el.get("href")) for el in tree.iterfind(".//link[@hreflang]")
                  if (el.get("rel") or "").lower() == "alternate"]
    if alternates:
        add("hreflang", Evidence(url=url, selector="/html/head", text=", ".join(
            f"{h} {u}" for h, u in alternates[:8])).to_dict(), languages=sorted({h for h, _ in alternates if h}))
    switch = [link for link in page.links if link.element.get("hreflang") or (
        link.element.get("lang") and link.text and len(link.text) <= 30)]
    if switch:
        add("language_switcher", _link_ev(switch[0], ", ".join(
            f"{ln.text} ({ln.element.get('hreflang') or ln.element.get('lang')})" for ln in switch[:8])),
            languages=sorted({(ln.element.get("hreflang") or ln.element.get("lang")).lower() for ln in switch}))
    # forms
    forms = read_forms(page)
    for f in forms:
        out.append(Signal("form", url, {}, {"kind": f.kind}))  # counted per kind, see SiteSignals.add
        if f.kind in ("search", "report_problem", "rating"):
            add(f"form:{f.kind}", f.evidence(url).to_dict(), action=f.action, method=f.method,
                fields=[x.name for x in f.visible_fields])
        elif f.kind == "contact_feedback":
            add("form:contact_feedback", f.evidence(url).to_dict(), complaint=bool(
                match(("complaint",), f.context) or _named(("complaint",), page)))
    # contact details, on a page that names itself a contact page
    if phrase := _named(("contact", "page"), page):
        add("contact_page", page_ev, phrase=phrase, **contact_details(page))
    # how services are delivered on this page
    modes = delivery_modes(page, forms, wording=service_page)
    if modes:
        add("delivery", page_ev, modes=modes)
    if search_url is not None:
        add("search_results", page_ev, **search_results(page))
    return out


def contact_details(page: PageArtifact) -> dict[str, Any]:
    """E-mail, telephone, postal address and opening hours on a contact page, with quotes."""
    tree = page.tree
    main = tree.find(".//main") if tree is not None else None
    root = main if main is not None else tree.find("body") if tree is not None else None
    text = normalise_space(root.text_content())[:20000] if root is not None else ""
    hrefs = [link.href.strip().lower() for link in page.links]
    found: dict[str, Any] = {}
    email = next((h[7:] for h in hrefs if h.startswith("mailto:")), None) or (
        m.group(0) if (m := _EMAIL.search(text)) else None)
    phone = next((h[4:] for h in hrefs if h.startswith("tel:")), None) or (
        m.group(0).strip() if (m := _PHONE.search(text)) and sum(c.isdigit() for c in m.group(0)) >= 7 else None)
    found["email"] = email
    found["telephone"] = phone
    post = _POSTCODE.search(text)
    found["postal_address"] = text[max(0, post.start() - 60): post.end() + 30] if post else None
    hours = match(("contact", "opening_hours"), text)
    if hours:
        i = fold(text).find(fold(hours).split()[0])
        found["opening_hours"] = text[max(0, i): i + 140] if i >= 0 else hours
    else:
        found["opening_hours"] = None
    return found


def delivery_modes(page: PageArtifact, forms: list, wording: bool = True) -> list[str]:
    """How this page lets a citizen get a service done: online (a service form, or wording
    that it can be done online), pdf (a form to download), office (wording only)."""
    from checks.forms_pdf import downloadable_forms
    modes = []
    text = TextIndex(page.main_text) if wording else None
    if any(f.kind in SERVICE_KINDS for f in forms) or (text is not None and match(("online_service",), text)):
        modes.append("online")
    if downloadable_forms(page):
        modes.append("pdf")
    if text is not None and match(("office_visit",), text):
        modes.append("office")
    return modes


def search_results(page: PageArtifact) -> dict[str, Any]:
    """What a site-search results page shows: links in its main content (not navigation)."""
    main_links = [link for link in page.links if link.region == "main"]
    return {"status": page.status, "results": len(main_links),
            "first": [link.url for link in main_links[:5]]}


@dataclass
class SiteSignals:
    """The run's digest of page signals: per kind the number of pages and the first
    examples; per page the delivery modes; the catalogue pages' links."""

    pages: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    delivery: dict[str, list[str]] = field(default_factory=dict)
    catalogue_links: dict[str, list[str]] = field(default_factory=dict)
    search_url: str | None = None
    open311: dict[str, Any] | None = None  # the linked GeoReport endpoint, fetched once: url, status, georeport
    html_pages: int = 0
    service_pages: set[str] = field(default_factory=set)  # canonical URLs a catalogue links
    form_kinds: dict[str, int] = field(default_factory=dict)  # forms seen (per page) by kind

    def add(self, signals: list[Signal]) -> None:
        self.html_pages += 1
        for kind in {s.kind for s in signals if s.kind != "form"}:
            self.pages[kind] = self.pages.get(kind, 0) + 1
        for s in signals:
            if s.kind == "form":  # every form, by kind: how many forms of each kind the portal has
                self.form_kinds[s.data["kind"]] = self.form_kinds.get(s.data["kind"], 0) + 1
                continue
            kept = self.examples.setdefault(s.kind, [])
            if len(kept) < MAX_EXAMPLES:
                kept.append({"url": s.url, "evidence": s.evidence, **s.data})
            if s.kind == "delivery" and len(self.delivery) < MAX_DELIVERY_PAGES:
                self.delivery[s.url] = s.data["modes"]

    def add_catalogue(self, page: PageArtifact) -> None:
        if len(self.catalogue_links) < 20:
            links = [link.url for link in page.links if link.region == "main"][:MAX_CATALOGUE_LINKS]
            self.catalogue_links[page.url] = links
            self.service_pages.update(canonical(u) for u in links)

    def is_service_page(self, url: str) -> bool:
        return canonical(url) in self.service_pages

    def found(self, kind: str) -> list[dict[str, Any]]:
        return self.examples.get(kind, [])

    def kinds(self, prefix: str) -> list[str]:
        return sorted(k for k in self.examples if k.startswith(prefix))
