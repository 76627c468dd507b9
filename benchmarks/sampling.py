#!/usr/bin/env python3
"""Benchmark: does rendering a 10 % template sample find the axe-core defects
that rendering every page finds?

Generates a portal (``--pages``, default 300) from 8 page templates (home, news
list, news article, service, service with a form, event, office with a table,
search results) sharing one header, navigation and footer; each has its own
DOM in ``<main>`` and varies in text length, list lengths and image count.
Defects are planted per template (``TEMPLATES``): one on every page of the
template, one on a fraction of them. Most fractional ones change only an
attribute or a colour (a missing ``alt`` or ``<label>``, a pale badge), which a
layout signature cannot see; one adds an element (``p.disclaimer``). The shared
header and footer are clean, so no pair is found "for free". Served from a
separate process on 127.0.0.1; pages load only local images.

In one run: (1) exhaustive: every page rendered with ``gather_sync``
(concurrency 4); its distinct (axe rule id, template) violations are the
ground truth. (2) sampled: signatures ``signature(tree)`` (layout and detail MinHashes) of the
generated files (as the crawler computes them from fetched bodies), a sample
``choose(signatures, {home: "home"}, round(0.10 * pages))``, only it rendered.
Prints templates generated vs clusters found, pages rendered, pairs found by
each mode, the pairs the sample missed (on how many of the template's pages
they occur) and each mode's time; the last line is JSON.

Caveats: a synthetic portal, cleaner than real CMS output. The share found
depends on the planted fractions and the seed: with ~4 pages sampled per
template, a defect on 15 % of its pages escapes about half the time (0.85^4),
and more often when it adds layout, since the most typical pages are sampled
first. Sampled time includes parsing and hashing every page (the crawler does
that anyway). Machines here are noisy: the ratio of times means more.

    .venv/bin/python benchmarks/sampling.py [--pages 300] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.artifacts import PageArtifact  # noqa: E402
from crawler.browser import gather_sync  # noqa: E402
from crawler.sampling import choose, cluster, signature  # noqa: E402
from crawler.urls import Scope  # noqa: E402

WORDS = ("comune servizi cittadini domanda ufficio anagrafe certificato residenza tributi scuola "
         "mensa rifiuti raccolta parcheggio permesso edilizia bando contributo consiglio giunta "
         "sindaco avviso notizia evento cultura biblioteca sport").split()
# template -> (share of the non-home pages, directory, defects planted: documentation, axe decides)
TEMPLATES = {
    "home": (0, "", "carousel buttons without a name (all)"),
    "news_list": (.08, "notizie/archivio", "h1 then h3 (all); a thumbnail without alt (30 %)"),
    "news_article": (.28, "notizie", "a photo without alt (40 % of pages with photos); pale disclaimer (15 %)"),
    "service": (.16, "servizi", "<div> inside <ul> (all); an empty section heading (30 %)"),
    "service_form": (.10, "servizi/richiesta", "an input without a label (all); a select without one (30 %)"),
    "event": (.14, "eventi", "icon-only share links (all); pale 'free' badge (50 %)"),
    "office": (.11, "uffici", "empty corner <th> (all); scope='rows' (30 %)"),
    "search": (.13, "cerca", "focusable links inside aria-hidden (all); tabindex > 0 (30 %)")}
CSS = ("body{font-family:sans-serif;color:#222;background:#fff;margin:0}a{color:#0645ad}"
       "header,footer{background:#0b3d91;color:#fff;padding:1em}header a,footer a{color:#fff}"
       "main{padding:1em}.badge{background:#0b5394;color:#fff}.badge-pale{color:#c8c8c8;background:#fff}"
       ".disclaimer{color:#bdbdbd;font-size:12px}")
ICON = '<svg width="16" height="16" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7"/></svg>'
SERVE = ("import sys, pathlib, time; sys.path.insert(0, sys.argv[2]);"
         "from citylabel.demo.server import PortalServer;"
         "s = PortalServer(pathlib.Path(sys.argv[1])).__enter__(); print(s.url, flush=True);"
         "time.sleep(86400)")


class Page:
    """Random content for one page (its own RNG: pages do not depend on each other)."""

    def __init__(self, rng: random.Random, links: list[str]) -> None:
        self.rng, self.links = rng, links

    def rep(self, lo: int, hi: int, make: Callable[[int], str]) -> str:
        return "".join(make(k) for k in range(self.rng.randint(lo, hi)))

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(lo, hi))).capitalize()

    def paras(self, lo: int, hi: int) -> str:
        return self.rep(lo, hi, lambda _: f"<p>{self.words(15, 90)}.</p>")

    def a(self) -> str:
        return f'<a href="{self.rng.choice(self.links)}">{self.words(2, 6)}</a>'

    def li(self, lo: int, hi: int) -> str:
        return self.rep(lo, hi, lambda _: f"<li>{self.a()}</li>")

    def img(self, alt: bool = True) -> str:
        alt_attr = f' alt="{self.words(2, 6)}"' if alt else ""
        return f'<img src="/img/foto-{self.rng.randrange(4)}.svg" width="320" height="180"{alt_attr}>'

    def bad(self, share: float) -> bool:
        return self.rng.random() < share


def home(p: Page) -> str:
    slides = p.rep(3, 5, lambda _: f'<div class="slide"><h2>{p.words(3, 7)}</h2><p>{p.words(10, 30)}</p></div>')
    cards = p.rep(3, 6, lambda _: f'<article class="card"><h3>{p.a()}</h3><p>{p.words(10, 25)}</p></article>')
    return (f'<h1>Comune di Valverde</h1><section class="hero" aria-label="In evidenza"><div class="slides">'
            f'{slides}</div><div class="slide-controls"><button type="button">{ICON}</button><button '
            f'type="button">{ICON}</button></div></section><section class="quick"><h2>Servizi più richiesti</h2>'
            f'<ul class="tiles">{p.li(6, 9)}</ul></section><section class="home-news"><h2>Notizie</h2>'
            f'<div class="cards">{cards}</div></section>')


def news_list(p: Page) -> str:
    bad = p.bad(.30)
    items = p.rep(8, 15, lambda k: f'<article class="news-item"><div class="thumb">{p.img(not (bad and k == 2))}'
                  f'</div><h3 class="news-title">{p.a()}</h3><p class="date">{p.rng.randint(1, 28)}/05/2025</p>'
                  f'<p class="abstract">{p.words(15, 40)}</p></article>')
    return (f'<h1>Notizie</h1><div class="news-list">{items}</div><nav class="pagination" '
            f'aria-label="Paginazione"><ul>{p.li(3, 8)}</ul></nav>')


def news_article(p: Page) -> str:
    bad = p.bad(.40)
    body = p.rep(0, 4, lambda k: f'{p.paras(1, 3)}<figure class="photo">{p.img(not (bad and k == 0))}'
                 f'<figcaption>{p.words(4, 12)}</figcaption></figure>')
    disclaimer = f'<p class="disclaimer">{p.words(10, 20)}</p>' if p.bad(.15) else ""
    return (f'<article class="news"><h1>{p.words(4, 10)}</h1><p class="meta">{p.rng.randint(1, 28)}/05/2025'
            f'</p><div class="lead"><p>{p.words(20, 40)}</p></div><div class="body">{body}{p.paras(2, 8)}'
            f'</div>{disclaimer}<section class="related"><h2>Leggi anche</h2><ul>{p.li(2, 5)}</ul>'
            f'</section></article>')


def service_head(p: Page) -> str:
    meta = p.rep(3, 6, lambda _: f"<dt>{p.words(1, 3)}</dt><dd>{p.words(2, 8)}</dd>")
    return (f'<h1>{p.words(3, 8)}</h1><div class="service-intro"><p>{p.words(20, 50)}</p></div>'
            f'<div class="service-meta"><dl>{meta}</dl></div><section class="service-section">'
            f'<h2 class="section-title">A chi è rivolto</h2>{p.paras(1, 4)}</section>')


def service(p: Page) -> str:
    steps, title = p.rep(3, 7, lambda _: f"<li>{p.words(5, 20)}</li>"), "" if p.bad(.30) else "Costi"
    return (f'{service_head(p)}<section class="service-section"><h2 class="section-title">Come fare</h2>'
            f'<ul class="steps">{steps}<div class="step-note">{p.words(5, 15)}</div></ul></section>'
            f'<section class="service-section"><h2 class="section-title">{title}</h2>{p.paras(1, 2)}'
            f'</section><section class="service-section"><h2 class="section-title">Contatti</h2>'
            f'<p class="contact">{p.a()}</p></section>')


def service_form(p: Page) -> str:
    fields = p.rep(2, 5, lambda k: f'<div class="field"><label for="f{k}">{p.words(1, 3)}</label>'
                   f'<input id="f{k}" name="f{k}"></div>')
    label = "" if p.bad(.30) else '<label for="tipo">Tipo di richiesta</label>'
    options = p.rep(2, 6, lambda _: f"<option>{p.words(1, 4)}</option>")
    return (f'{service_head(p)}<section class="service-section"><h2 class="section-title">Presenta la '
            f'domanda</h2><form class="request-form" action="/invio" method="post"><fieldset><legend>Dati '
            f'del richiedente</legend>{fields}<div class="field"><p>Codice fiscale</p><input name="cf">'
            f'</div><div class="field">{label}<select id="tipo" name="tipo">{options}</select></div>'
            f'</fieldset><button type="submit">Invia</button></form></section>')


def event(p: Page) -> str:
    badge = f'<span class="{"badge-pale" if p.bad(.50) else "badge"}">Ingresso gratuito</span>'
    share = "".join(f'<li><a href="/eventi/condividi-{k}.html">{ICON}</a></li>' for k in range(3))
    program = p.rep(2, 8, lambda _: f"<li>{p.rng.randint(9, 22)}:00 {p.words(3, 10)}</li>")
    program = f'<section class="program"><h2>Programma</h2><ol>{program}</ol></section>' if p.bad(.6) else ""
    return (f'<h1>{p.words(3, 8)}</h1><div class="event-header"><p class="when">{p.rng.randint(1, 28)}/06/2025'
            f'</p><p class="where">{p.words(2, 5)}</p><p>{badge}</p></div><div class="event-body">'
            f'{p.paras(2, 6)}</div>{program}<div class="event-share"><p>Condividi</p><ul class="share">'
            f'{share}</ul></div>')


def office(p: Page) -> str:
    scope = "rows" if p.bad(.30) else "row"
    days = ("Lunedì", "Martedì", "Mercoledì", "Giovedì", "Venerdì", "Sabato")
    rows = p.rep(3, 6, lambda k: f'<tr><th scope="{scope}">{days[k]}</th><td>9:00–12:30</td>'
                 f'<td>{p.rng.choice(["chiuso", "15:00–17:00"])}</td></tr>')
    staff = p.rep(1, 8, lambda _: f"<li>{p.words(2, 3)} – {p.words(1, 3)}</li>")
    return (f'<h1>Ufficio {p.words(1, 3)}</h1><div class="office-info"><p class="address">{p.words(3, 6)}</p>'
            f'<p class="phone">0123 {p.rng.randint(100000, 999999)}</p></div><section class="hours"><h2>Orari'
            f'</h2><table class="hours-table"><tr><th></th><th scope="col">Mattina</th><th scope="col">'
            f'Pomeriggio</th></tr>{rows}</table></section><section class="staff"><h2>Personale</h2>'
            f'<ul class="staff-list">{staff}</ul></section>')


def search(p: Page) -> str:
    bad_k, tabindex = (0 if p.bad(.30) else -1), ' tabindex="1"'
    results = p.rep(5, 12, lambda k: f'<li class="result"><h2 class="result-title"><a href="{p.rng.choice(p.links)}"'
                    f'{tabindex if k == bad_k else ""}>{p.words(3, 8)}</a></h2><div class="snippet" '
                    f'aria-hidden="true"><p>{p.words(10, 30)} {p.a()}</p></div></li>')
    return (f'<h1>Risultati per «{p.words(1, 2)}»</h1><form class="search-form" role="search" action="/cerca/">'
            f'<label for="q">Cerca</label><input id="q" name="q"><button type="submit">Cerca</button></form>'
            f'<p class="count">{p.rng.randint(5, 300)} risultati</p><ol class="results">{results}</ol>'
            f'<nav class="pagination" aria-label="Paginazione"><ul>{p.li(3, 8)}</ul></nav>')


BUILDERS: dict[str, Callable[[Page], str]] = {
    "home": home, "news_list": news_list, "news_article": news_article, "service": service,
    "service_form": service_form, "event": event, "office": office, "search": search}


def generate(site: Path, pages: int, seed: int) -> dict[str, str]:
    """Writes the portal; returns path ('' for home) -> template name."""
    rng = random.Random(seed)
    want = {t: share * (pages - 1) for t, (share, _, _) in TEMPLATES.items()}
    counts = {t: int(n) for t, n in want.items()}
    for t in sorted(want, key=lambda t: -(want[t] % 1))[:pages - 1 - sum(counts.values())]:
        counts[t] += 1  # largest remainders
    names = [t for t, c in counts.items() for _ in range(c)]
    rng.shuffle(names)
    templates = {"": "home"} | {f"{TEMPLATES[t][1]}/{rng.choice(WORDS)}-{i}.html": t for i, t in enumerate(names, 1)}
    links = ["/" + path for path in templates]
    first = {t: "/" + path for path, t in reversed(templates.items())}
    nav = "".join(f'<li><a href="{first[t]}">{label}</a></li>' for t, label in
                  (("news_list", "Notizie"), ("service", "Servizi"), ("event", "Eventi"), ("office", "Uffici")))
    for path, template in templates.items():
        p = Page(random.Random(f"{seed}-{path}"), links)
        crumb = ("" if template == "home" else '<nav class="breadcrumb" aria-label="Percorso"><ol><li>'
                 f'<a href="/">Home</a></li><li>{p.a()}</li></ol></nav>')
        html = (f'<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{p.words(2, 6)} – Comune '
                f'di Valverde</title><style>{CSS}</style></head><body><header><a href="#main">Vai al contenuto'
                f'</a><div class="brand"><a href="/"><img src="/img/stemma.svg" alt=""> Comune di Valverde</a>'
                f'</div><nav aria-label="Principale"><ul>{nav}</ul></nav></header><main id="main">{crumb}'
                f'{BUILDERS[template](p)}</main><footer><ul><li><a href="/privacy.html">Privacy</a></li><li>'
                f'<a href="/accessibilita.html">Accessibilità</a></li></ul><p>© Comune di Valverde</p>'
                f"</footer></body></html>")
        target = site / (path or "index.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    (site / "img").mkdir(exist_ok=True)
    for name in ["stemma"] + [f"foto-{k}" for k in range(4)]:
        (site / "img" / f"{name}.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="320" height="180" '
            f'fill="#{sum(map(ord, name)) * 2654435761 % 0xFFFFFF:06x}"/></svg>', encoding="utf-8")
    return templates


Pairs = dict[tuple[str, str], set[str]]  # (axe rule id, template) -> URLs with it


def violations(base: str, urls: list[str], template_of: dict[str, str]) -> tuple[Pairs, int]:
    """Renders ``urls``: the pairs found, and how many pages failed to render."""
    found: Pairs = defaultdict(set)
    arts = gather_sync(Scope(base), urls, concurrency=4, page_timeout=30)
    for art in arts:
        for v in (art.axe or {}).get("violations", []):
            found[(v["id"], template_of[art.url])].add(art.url)
    return found, sum(1 for a in arts if a.error or not a.axe)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="citylabel-sampling-") as tmp:
        site = Path(tmp) / "site"
        paths = generate(site, args.pages, args.seed)
        server = subprocess.Popen([sys.executable, "-c", SERVE, str(site), str(ROOT)], stdout=subprocess.PIPE,
                                  text=True)
        base = server.stdout.readline().strip()
        try:
            template_of = {base + path: t for path, t in paths.items()}
            urls, sizes = sorted(template_of), Counter(template_of.values())
            print(f"portal: {len(urls)} pages, {len(sizes)} templates: "
                  + ", ".join(f"{t} {n}" for t, n in sizes.most_common()), flush=True)
            print("".join(f"  planted {t}: {what}\n" for t, (_, _, what) in TEMPLATES.items()), end="")

            start = time.monotonic()
            exhaustive, failed = violations(base, urls, template_of)
            ex_seconds = time.monotonic() - start
            print(f"exhaustive: rendered {len(urls)} pages ({failed} failed) in {ex_seconds:.1f}s, "
                  f"{len(exhaustive)} distinct (rule, template) violations", flush=True)
            for (rule, t), hit in sorted(exhaustive.items(), key=lambda kv: (kv[0][1], kv[0][0])):
                print(f"  {t:13} {rule:22} on {len(hit):3}/{sizes[t]} pages")

            start = time.monotonic()  # the crawler has the bodies: parse and hash them, then choose
            signatures = {base + p: signature(PageArtifact(
                url=base + p, body=(site / (p or "index.html")).read_bytes(), content_type="text/html").tree)
                for p in paths}
            limit = max(1, round(0.10 * len(urls)))
            sample = choose(signatures, {base: "home"}, limit)
            sig_seconds = time.monotonic() - start
            sampled, s_failed = violations(base, sample.urls, template_of)
            s_seconds = time.monotonic() - start
            in_sample = Counter(template_of[u] for u in sample.urls)
            print(f"sampled: {sample.templates} clusters for {len(sizes)} templates; rendered {len(sample.urls)}/"
                  f"{len(urls)} pages ({len(sample.urls) / len(urls):.0%}, {s_failed} failed) in {s_seconds:.1f}s "
                  f"(signatures and choice {sig_seconds:.2f}s)", flush=True)
            for k, c in enumerate(cluster(signatures), 1):
                print(f"  cluster {k}: " + ", ".join(
                    f"{t} {n}" for t, n in Counter(template_of[u] for u, _ in c.members).most_common()))
            print("  sampled per template: " + ", ".join(f"{t} {in_sample[t]}" for t in sizes))

            found = set(exhaustive) & set(sampled)
            share = len(found) / len(exhaustive) if exhaustive else 1.0
            print(f"violations: exhaustive {len(exhaustive)}, sampled {len(found)} ({share:.0%}); goal >= 95 % "
                  f"rendering <= 10 %: {'met' if share >= .95 and len(sample.urls) <= limit else 'NOT met'}")
            for rule, t in sorted(set(exhaustive) - found, key=lambda k: (k[1], k[0])):
                print(f"  missed {t} / {rule}: on {len(exhaustive[(rule, t)])}/{sizes[t]} pages of the "
                      f"template; {in_sample[t]} of the template's pages sampled")
            if extra := set(sampled) - set(exhaustive):
                print(f"  found only by the sample (rendering not deterministic?): {sorted(extra)}")
            print(f"time: exhaustive {ex_seconds:.1f}s, sampled {s_seconds:.1f}s "
                  f"({s_seconds / ex_seconds:.0%} of exhaustive)")
        finally:
            server.terminate()
            server.wait()
    print(json.dumps({"pages": len(urls), "templates": len(sizes), "templates_found": sample.templates,
                      "rendered_share": round(len(sample.urls) / len(urls), 3),
                      "violations_exhaustive": len(exhaustive), "violations_sampled": len(found),
                      "found_share": round(share, 3), "exhaustive_seconds": round(ex_seconds, 1),
                      "sampled_seconds": round(s_seconds, 1)}))


if __name__ == "__main__":
    main()
