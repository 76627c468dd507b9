"""Which pages to render in the browser: key pages, then a few per page template.

Rendering costs 10–100× a static parse, so only a sample is rendered. Pages
made from one template share their layout (the tree of tags and classes
around the content), and so mostly share their accessibility defects. Each
page's layout is summarised as a MinHash of its set of tag paths (so list
lengths and text do not matter); pages are grouped greedily by estimated
Jaccard similarity, and the most typical page of each group is taken first.

Within a template the most typical page comes first; each further pick is the
page that adds the most accessibility-relevant details not yet seen in the
picks (alt, labels, roles, tabindex values, inline styles, empty links: each
detail path is one bit of a fixed-size bitmap, so a single odd attribute
counts), so a defect that only some pages of a template carry gets found.

Deterministic: the same set of pages gives the same sample, whatever order the
crawl fetched them in (pages are processed sorted by URL).
"""
from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

NUM_HASHES = 24
MAX_DEPTH = 8
MAX_PATHS = 400
SIMILAR = 0.6  # estimated Jaccard similarity to join a template
_PRIME = (1 << 61) - 1
# Fixed seeds: the same layout gives the same signature in every process and run.
_SEEDS = [(zlib.crc32(f"a{i}".encode()) | 1, zlib.crc32(f"b{i}".encode())) for i in range(NUM_HASHES)]
_SKIP = {"script", "style", "noscript", "template", "svg", "path", "br", "span", "b", "i",
         "strong", "em", "a", "img", "option"}


def _content_root(tree: Any) -> Any | None:
    """<main> (or role=main) when there is one: header, navigation and footer
    are the same on every page, so the template shows in the content area."""
    for el in tree.iter("main"):
        return el
    for el in tree.iterfind(".//*[@role='main']"):
        return el
    return tree.find("body")


def _walk(tree: Any, token: Any, skip: set[str], max_depth: int, max_paths: int) -> set[str]:
    """The set of paths (tokens joined by '>') from the content root, text ignored."""
    root = _content_root(tree) if tree is not None else None
    if root is None:
        return set()
    paths: set[str] = set()
    stack = [(root, root.tag, 0)]
    while stack and len(paths) < max_paths:
        el, path, depth = stack.pop()
        paths.add(path)
        if depth >= max_depth:
            continue
        for child in el:
            if isinstance(child.tag, str) and child.tag not in skip:
                stack.append((child, f"{path}>{token(child)}", depth + 1))
    return paths


def _classes(el: Any) -> str:
    classes = sorted((el.get("class") or "").split())[:2]
    return "." + ".".join(classes) if classes else ""


def layout_paths(tree: Any) -> set[str]:
    """Tag.class paths of the content area, down to MAX_DEPTH: the page's template."""
    return _walk(tree, lambda el: el.tag + _classes(el), _SKIP, MAX_DEPTH, MAX_PATHS)


# attributes whose presence changes what assistive technology gets
A11Y_ATTRS = ("alt", "title", "role", "tabindex", "scope", "headers", "for", "id", "lang",
              "style", "hidden", "aria-label", "aria-labelledby", "aria-describedby",
              "aria-hidden", "aria-expanded", "autocomplete", "type", "href", "src")
_DETAIL_SKIP = {"script", "style", "noscript", "template", "path", "br"}
MAX_DETAIL_PATHS = 800


# attributes with few possible values: their value matters, not just their presence
VALUED_ATTRS = {"scope", "role", "type", "tabindex", "aria-hidden", "aria-expanded", "autocomplete",
                "lang"}


def _detail_token(el: Any) -> str:
    attrs = [f"{a}={el.get(a).strip().lower()[:20]}" if a in VALUED_ATTRS else a
             for a in A11Y_ATTRS if el.get(a) is not None]
    if el.get("style"):
        attrs.append("style=" + el.get("style").replace(" ", "")[:40])
    if el.tag in ("a", "button") and not (el.text_content() or "").strip():
        attrs.append("no-text")
    return el.tag + _classes(el) + ("[" + ",".join(attrs) + "]" if attrs else "")


def detail_paths(tree: Any) -> set[str]:
    """Like layout_paths, with inline elements and the names of accessibility-
    relevant attributes (and whether a link or button has text)."""
    return _walk(tree, _detail_token, _DETAIL_SKIP, MAX_DEPTH + 2, MAX_DETAIL_PATHS)


DETAIL_BITS = 2048


class PageSignature(NamedTuple):
    layout: tuple[int, ...]   # MinHash: which template the page is made from
    detail: int               # bitmap of detail paths: how it differs from its siblings


def bitmap(paths: set[str]) -> int:
    bits = 0
    for p in paths:
        bits |= 1 << (zlib.crc32(p.encode()) % DETAIL_BITS)
    return bits


def signature(tree: Any) -> PageSignature:
    return PageSignature(minhash(layout_paths(tree)), bitmap(detail_paths(tree)))


def minhash(paths: set[str]) -> tuple[int, ...]:
    if not paths:
        return tuple([0] * NUM_HASHES)
    hashes = [zlib.crc32(p.encode()) for p in paths]
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _SEEDS)


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return sum(x == y for x, y in zip(a, b)) / NUM_HASHES


MAX_DIVERSE = 2000  # members considered for diverse picks in one template


@dataclass
class Template:
    members: list[tuple[str, PageSignature]] = field(default_factory=list)

    @property
    def signature(self) -> tuple[int, ...]:
        return self.members[0][1].layout

    def pick_order(self, count: int) -> list[str]:
        """Up to ``count`` members: the most typical first (closest to the
        per-position layout consensus), then each time the member adding the
        most detail bits not yet covered (greedy set cover), then URL order."""
        consensus = tuple(Counter(sig.layout[i] for _, sig in self.members).most_common(1)[0][0]
                          for i in range(NUM_HASHES))
        first = min(self.members, key=lambda m: (-similarity(m[1].layout, consensus), m[0]))
        picked = [first[0]]
        covered = first[1].detail
        pool = sorted(m for m in self.members if m[0] != first[0])[:MAX_DIVERSE]
        while pool and len(picked) < count:
            gains = [((sig.detail & ~covered).bit_count(), url, sig) for url, sig in pool]
            gain, url, sig = min(gains, key=lambda g: (-g[0], g[1]))  # most new bits, then URL
            if gain == 0:
                picked.extend(u for u, _ in pool[: count - len(picked)])
                break
            picked.append(url)
            covered |= sig.detail
            pool = [m for m in pool if m[0] != url]
        return picked


def cluster(pages: dict[str, PageSignature]) -> list[Template]:
    """Greedy clustering of URL -> signature by layout, in URL order; largest first."""
    templates: list[Template] = []
    for url in sorted(pages):
        sig = pages[url]
        best, best_sim = None, SIMILAR
        for t in templates:
            s = similarity(sig.layout, t.signature)
            if s >= best_sim:
                best, best_sim = t, s
        if best is None:
            best = Template()
            templates.append(best)
        best.members.append((url, sig))
    templates.sort(key=lambda t: (-len(t.members), t.members[0][0]))
    return templates


@dataclass
class Sample:
    urls: list[str]
    reasons: dict[str, str]          # url -> why it was chosen
    templates: int
    templates_sampled: int
    template_of: dict[str, int]      # sampled url -> template index


def choose(pages: dict[str, PageSignature], key_pages: dict[str, str], limit: int,
           after_first_round: dict[str, str] | None = None) -> Sample:
    """Key pages first (url -> role, in the order given), then one page per
    template, then ``after_first_round`` key pages (e.g. every distinct form),
    then more pages per template, round-robin."""
    templates = cluster(pages)
    index = {url: i for i, t in enumerate(templates) for url, _ in t.members}
    urls: list[str] = []
    reasons: dict[str, str] = {}
    for url, role in key_pages.items():
        if len(urls) >= limit:
            break
        if url not in reasons:
            urls.append(url)
            reasons[url] = f"key page: {role}"
    orders = [t.pick_order(limit) for t in templates]
    rank = 0
    while len(urls) < limit and any(rank < len(o) for o in orders):
        if rank == 1:
            for url, role in (after_first_round or {}).items():
                if len(urls) < limit and url not in reasons:
                    urls.append(url)
                    reasons[url] = f"key page: {role}"
        for i, order in enumerate(orders):
            if len(urls) >= limit:
                break
            if rank < len(order) and order[rank] not in reasons:
                # a template already covered by a key page needs no first pick
                if rank == 0 and any(index.get(u) == i for u in urls):
                    continue
                urls.append(order[rank])
                reasons[order[rank]] = f"template {i + 1} ({len(templates[i].members)} pages)"
        rank += 1
    sampled = {index[u] for u in urls if u in index}
    return Sample(urls=urls, reasons=reasons, templates=len(templates),
                  templates_sampled=len(sampled), template_of={u: index[u] for u in urls if u in index})
