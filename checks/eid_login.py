"""``eid.login``: does a login page let people in with a recognised national eID?

The Tallinn Declaration names eID as the key enabler of digital public services,
and eIDAS (Reg. 910/2014 Art. 6) obliges public bodies to accept notified eIDs.
A city portal that only offers its own username and password shuts out that
trusted, reusable identity. Which schemes exist, where their identity providers
live and what their official buttons look like is data (``eid_schemes.json``);
this module only looks for three kinds of evidence, strongest first:

- ``idp-link``: a link or form posting to a scheme's IdP host (on a shared host
  only when the path is a login endpoint or the text is the scheme's login text);
- ``markup``: the scheme's official button classes/attributes or asset files;
- ``local-route``: a same-site link/form whose path names the scheme
  (``/auth/franceconnect``), whose text names the scheme or a login, and which
  looks like a login by its text or path (not a news item about the scheme).

A password field with no scheme fails; cross-border eIDAS wording or a scheme's
button text without a verifiable target is ``cantTell``; no login at all is
``inapplicable``. The check is a pure function of the page.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urljoin, urlsplit

from checks.artifacts import MAX_PARSE_BYTES, PageArtifact, element_snippet, link_text, normalise_space
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

_RANK = {"idp-link": 0, "markup": 1, "local-route": 2}
_MAX_EVIDENCE = 5
# A local route must look like a login: by its text or by an auth word in its path.
_AUTH_PATH = re.compile(r"(?<![a-z])(?:auth|login|signin|sign-in|sso|oauth2?|oidc|saml2?|connexion|"
                        r"accedi|anmelden|inloggen)(?![a-z])")
_ASSET_ATTRS = {"img": "src", "script": "src", "link": "href", "source": "src"}


def _fold(text: str | None) -> str:
    return normalise_space((text or "").replace("\u2019", "'").replace("\u00a0", " ")).lower()


def _words(words: list[str]) -> re.Pattern | None:
    words = [w.lower() for w in words if w]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")


@dataclass(frozen=True)
class _Scheme:
    id: str
    name: str
    country: str
    notified: bool | None
    idp_hosts: tuple[str, ...]
    patterns: tuple[str, ...]
    classes: frozenset[str]
    attributes: tuple[str, ...]
    assets: tuple[str, ...]
    texts: tuple[str, ...]
    names: re.Pattern | None
    routes: re.Pattern | None
    route_words: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        return any(t in text for t in self.texts) or bool(self.names and self.names.search(text))

    def login_text(self, text: str) -> bool:
        return any(t in text for t in self.texts) or (self.named_in(text) and bool(_registry()[1].search(text)))


@lru_cache(maxsize=1)
def _registry() -> tuple[tuple[_Scheme, ...], re.Pattern, tuple[str, ...]]:
    data = json.loads(resources.files("checks").joinpath("eid_schemes.json").read_text("utf-8"))
    schemes = []
    for s in data["schemes"]:
        markup = s.get("markup", {})
        short_name = re.split(r"\s*[(/]", s["name"])[0]
        schemes.append(_Scheme(
            id=s["id"], name=s["name"], country=s["country"], notified=s.get("notified"),
            idp_hosts=tuple(h.lower() for h in s.get("idp_hosts", [])),
            patterns=tuple(p.lower() for p in s.get("endpoint_patterns", [])),
            classes=frozenset(markup.get("classes", [])),
            attributes=tuple(a.lower() for a in markup.get("attributes", [])),
            assets=tuple(a.lower() for a in markup.get("assets", [])),
            texts=tuple(_fold(t) for ts in s.get("texts", {}).values() for t in ts),
            names=_words([short_name, *s.get("route_words", [])]),
            routes=_words(s.get("route_words", [])),
            route_words=tuple(w.lower() for w in s.get("route_words", []) if w)))
    return tuple(schemes), _words(data["login_words"]), tuple(_fold(t) for t in data["eidas_texts"])


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[_Scheme, ...]], re.Pattern | None, frozenset[str],
                      frozenset[str], tuple[str, ...], re.Pattern]:
    """Lookups built once, so most links and elements are dismissed without
    looping over every scheme: IdP host -> schemes, any route word, and the
    union of button classes, attributes and asset names."""
    schemes = _registry()[0]
    by_host: dict[str, list[_Scheme]] = {}
    for sc in schemes:
        for h in sc.idp_hosts:
            by_host.setdefault(h, []).append(sc)
    any_route = _words([w for sc in schemes for w in sc.route_words])
    return ({h: tuple(v) for h, v in by_host.items()}, any_route,
            frozenset(c for sc in schemes for c in sc.classes),
            frozenset(a for sc in schemes for a in sc.attributes),
            tuple(a for sc in schemes for a in sc.assets),
            # any scheme's login text, as a substring (as _Scheme.named_in tests it)
            re.compile("|".join(re.escape(t) for sc in schemes for t in sc.texts if t) or "(?!)"))


def _schemes_for_host(host: str) -> tuple[_Scheme, ...]:
    by_host = _index()[0]
    out: list[_Scheme] = []
    labels = host.split(".")
    for i in range(len(labels) - 1):
        out.extend(by_host.get(".".join(labels[i:]), ()))
    return tuple(out)


@dataclass(frozen=True)
class _Hit:
    how: str
    element: Any
    target: str | None
    text: str


def _target_of(el: Any, base: str) -> str | None:
    """The URL an element (or the link/form around it) leads to."""
    for node in [el, *el.iterancestors()]:
        if node.tag in ("a", "area") and node.get("href"):
            return urljoin(base, node.get("href").strip())
        if node.tag == "form" and node.get("action"):
            return urljoin(base, node.get("action").strip())
    return None


_EUROPE = ("eidas", "europ", "evrop", "euroop", "ευρωπ", "европ", "eiropas")


@lru_cache(maxsize=1)
def _eidas_needles() -> tuple[bytes, ...]:
    """Byte strings one of which is in the source of any page with eIDAS wording: most
    wordings name eIDAS or Europe; the others are looked for whole."""
    extra = [t for t in _registry()[2] if not any(w in t for w in _EUROPE)]
    return tuple(w.encode() for w in (*_EUROPE, *extra))


@lru_cache(maxsize=50_000)
def _scheme_text(raw: str) -> str:
    """The folded text of a clickable element when it names some scheme's login text, else ""
    (cached: navigation texts repeat on every page)."""
    text = _fold(raw)
    return text if text and _index()[5].search(text) else ""


def _form_text(form: Any) -> str:
    parts = [link_text(b) for b in form.iter("button")]
    parts += [i.get("value") or i.get("alt") or "" for i in form.iter("input")
              if (i.get("type") or "").lower() in ("submit", "image", "button")]
    return " ".join(parts)


def _site(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


class EidLogin(Check):
    meta = CheckMeta(
        id="eid.login", title="Page offers a login through a recognised eID scheme",
        principles=("eid",), scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="Regulation (EU) No 910/2014 (eIDAS) Art. 6; Tallinn Declaration (eID as key enabler)",
        description="A login offers at least one national eID scheme (SPID, CIE, FranceConnect, "
                    "DigiD, itsme, BundID, MitID, Cl@ve...), found by IdP links, official button "
                    "markup or a local /auth/<scheme> route, not only a password.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        tree = page.tree
        if not page.is_html or tree is None:
            return [self.finding(Outcome.INAPPLICABLE, "Not judged: not an HTML page", url=page.url)]
        schemes, login_words, eidas_texts = _registry()
        base = page.base_url
        own_site = _site((urlsplit(page.url).hostname or "").lower())
        hits: dict[str, list[_Hit]] = {}

        targets = [(link.element, link.url, link.text) for link in page.links]
        targets += [(f, urljoin(base, f.get("action").strip()), _form_text(f))
                    for f in tree.iter("form") if f.get("action")]
        _, any_route, all_classes, all_attrs, all_assets, any_text = _index()
        for el, url, raw_text in targets:
            parts = urlsplit(url)
            host, path = (parts.hostname or "").lower(), parts.path.lower()
            on_idp = _schemes_for_host(host) if host else ()
            on_idp_ids = {sc.id for sc in on_idp}
            local = bool(host and _site(host) == own_site and any_route and any_route.search(path))
            if not on_idp and not local:
                continue
            text = _fold(raw_text)
            for s in schemes:
                if s.id in on_idp_ids and (
                        not s.patterns or any(p in path for p in s.patterns) or s.login_text(text)):
                    hits.setdefault(s.id, []).append(_Hit("idp-link", el, url, raw_text))
                elif (local and s.routes and s.routes.search(path)
                      and (s.named_in(text) or login_words.search(text))
                      and (login_words.search(text) or s.login_text(text) or _AUTH_PATH.search(path))):
                    hits.setdefault(s.id, []).append(_Hit("local-route", el, url, raw_text))

        mentions: dict[str, _Hit] = {}
        link_texts = {link.element: link.text for link in page.links}
        for el in tree.iter():
            if not isinstance(el.tag, str):
                continue
            classes = set((el.get("class") or "").split())
            attrs = {a.lower() for a in el.attrib}
            asset = (el.get(_ASSET_ATTRS[el.tag]) or "") if el.tag in _ASSET_ATTRS else ""
            asset_file = urlsplit(asset).path.rsplit("/", 1)[-1].lower() if asset else ""
            if asset_file and not any(a in asset_file for a in all_assets):
                asset_file = ""
            clickable = el.tag in ("a", "button") or (
                el.tag == "input" and (el.get("type") or "").lower() in ("submit", "button"))
            if not (clickable or asset_file or classes & all_classes or attrs & all_attrs):
                continue
            if clickable:
                raw = link_texts.get(el) if el in link_texts else (
                    link_text(el) if el.tag != "input" else el.get("value"))
                text = _scheme_text(raw or "")  # "" when it names no scheme's login text
            else:
                text = ""
            markup = bool(asset_file or classes & all_classes or attrs & all_attrs)
            if not (text or markup):
                continue
            for s in schemes:
                if classes & s.classes or any(a in attrs for a in s.attributes):
                    hits.setdefault(s.id, []).append(
                        _Hit("markup", el, _target_of(el, base), link_text(el)))
                elif asset_file and any(a in asset_file for a in s.assets):
                    hits.setdefault(s.id, []).append(
                        _Hit("markup", el, urljoin(base, asset.strip()), el.get("alt") or asset_file))
                if text and s.id not in mentions and any(t in text for t in s.texts):
                    mentions[s.id] = _Hit("mention", el, _target_of(el, base), link_text(el))

        low = page.body[:MAX_PARSE_BYTES].lower()
        if any(w in low for w in _eidas_needles()):  # cheap: most pages never say eIDAS or Europe
            body_text = _fold(" ".join(tree.itertext()))
            eidas = [t for t in eidas_texts if t in body_text]
        else:
            eidas = []

        if hits:
            by_id = {s.id: s for s in schemes}
            return [self._passed(page, by_id[sid], found, bool(eidas)) for sid, found in hits.items()]
        if eidas or mentions:
            named = ", ".join(sorted(mentions))
            what = (f'eIDAS cross-border login wording ("{eidas[0]}")' if eidas
                    else f"eID login text for {named}")
            ev = [self._evidence(page, h) for h in mentions.values()][:_MAX_EVIDENCE]
            if eidas:
                ev.insert(0, Evidence(url=page.url, text=eidas[0]))
            return [self.finding(Outcome.CANT_TELL, f"{what} but no recognised eID scheme target",
                                 url=page.url, evidence=ev,
                                 details={"eidas": bool(eidas), "mentions": sorted(mentions)})]
        passwords = [i for i in tree.iter("input") if (i.get("type") or "").lower() == "password"]
        if passwords:
            form = next(passwords[0].iterancestors("form"), passwords[0])
            ev = Evidence(url=page.url, selector=form.getroottree().getpath(form),
                          snippet=element_snippet(form), text=_fold(form.get("action")) or None)
            return [self.finding(Outcome.FAILED, "Password-only login: no eID scheme offered",
                                 url=page.url, evidence=[ev], details={"eidas": False})]
        return [self.finding(Outcome.INAPPLICABLE, "No login on this page", url=page.url)]

    def _evidence(self, page: PageArtifact, hit: _Hit) -> Evidence:
        el = hit.element
        return Evidence(url=hit.target or page.url, selector=el.getroottree().getpath(el),
                        snippet=element_snippet(el), text=normalise_space(hit.text or "") or None)

    def _passed(self, page: PageArtifact, s: _Scheme, found: list[_Hit], eidas: bool) -> Finding:
        found = sorted(found, key=lambda h: _RANK[h.how])  # stable: document order within a kind
        best, seen, evidence = found[0], set(), []
        for h in found:
            key = (h.how, h.target)
            if key not in seen and len(evidence) < _MAX_EVIDENCE:
                seen.add(key)
                evidence.append(self._evidence(page, h))
        message = f"eID login: {s.name} ({s.country}) via {best.how}"
        if eidas:
            message += "; eIDAS cross-border login also offered"
        return self.finding(Outcome.PASSED, message, url=page.url, evidence=evidence, details={
            "scheme": s.id, "country": s.country, "how": best.how, "target": best.target,
            "notified": s.notified, "eidas": eidas})


def schemes_at(url: str) -> list[dict[str, Any]]:
    """The registry's schemes whose identity provider serves ``url``, as plain facts
    (id, name, country, notified); used for redirects seen by the crawler."""
    host = (urlsplit(url).hostname or "").lower()
    return [{"scheme": s.id, "name": s.name, "country": s.country, "notified": s.notified}
            for s in _schemes_for_host(host)] if host else []


def scheme_facts(scheme_id: str) -> dict[str, Any] | None:
    s = next((s for s in _registry()[0] if s.id == scheme_id), None)
    return None if s is None else {"scheme": s.id, "name": s.name, "country": s.country,
                                   "notified": s.notified}
