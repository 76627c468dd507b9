"""``security.mixed-content``: does an HTTPS page load anything, or send a form, over plain HTTP?

A page delivered over HTTPS that pulls a script, style sheet or frame over HTTP
hands control of the page to anyone on the network path (W3C Mixed Content:
"blockable" content); images and media over HTTP leak what is viewed and can
be altered ("upgradable" content). A form whose action is a plain-HTTP URL
sends what the citizen typed unencrypted, whatever the page's own scheme.
Judged from the fetched HTML (attributes as written, resolved against the
page's base URL); what scripts add later shows in the rendered sample's
requests, which ``security.https`` sums up.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from checks.artifacts import PageArtifact, element_snippet
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

# element -> (attribute, kind); "blockable" is active content in the W3C spec
_SUBRESOURCES = {
    "script": ("src", "blockable"), "iframe": ("src", "blockable"), "frame": ("src", "blockable"),
    "object": ("data", "blockable"), "embed": ("src", "blockable"),
    "img": ("src", "upgradable"), "audio": ("src", "upgradable"), "video": ("src", "upgradable"),
    "source": ("src", "upgradable"), "track": ("src", "blockable"),
}
_STYLESHEET_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest"}
MAX_EVIDENCE = 5


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() == "http"


class MixedContent(Check):
    meta = CheckMeta(
        id="security.mixed-content", title="No mixed content and no form posting over plain HTTP",
        principles=("security",), scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="W3C Mixed Content (Candidate Recommendation); GDPR Art. 32 (security of processing)",
        description="On HTTPS pages: scripts, styles, frames, images or media referenced over "
                    "http://; on any page: forms whose action is a plain-HTTP URL.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        tree = page.tree
        if not page.is_html or tree is None:
            return [self.finding(Outcome.INAPPLICABLE, "Not judged: not an HTML page", url=page.url)]
        secure = urlsplit(page.url).scheme.lower() == "https"
        base = page.base_url
        mixed: list[tuple[str, Any, str]] = []
        forms: list[tuple[Any, str]] = []
        for form in tree.iter("form"):
            action = urljoin(base, (form.get("action") or "").strip())
            if _is_http(action):
                forms.append((form, action))
        if secure:
            for el in tree.xpath("//*[@src or @data or self::link[@href]]"):
                tag = el.tag if isinstance(el.tag, str) else ""
                if tag == "link":
                    rels = set((el.get("rel") or "").lower().split())
                    if not rels & _STYLESHEET_RELS:
                        continue
                    attr, kind = "href", "blockable" if "stylesheet" in rels else "upgradable"
                elif tag in _SUBRESOURCES:
                    attr, kind = _SUBRESOURCES[tag]
                else:
                    continue
                value = (el.get(attr) or "").strip()
                if value.lower().startswith("http:"):
                    mixed.append((kind, el, urljoin(base, value)))
        evidence = [Evidence(url=page.url, selector=f.getroottree().getpath(f), snippet=element_snippet(f),
                             text=f"form sends to {action} over plain HTTP ({(f.get('method') or 'get').upper()})")
                    for f, action in forms[:MAX_EVIDENCE]]
        evidence += [Evidence(url=page.url, selector=el.getroottree().getpath(el), snippet=element_snippet(el),
                              text=f"{kind} content over HTTP: {url}")
                     for kind, el, url in sorted(mixed, key=lambda m: m[0])[:MAX_EVIDENCE]]
        details = {"forms_over_http": len(forms), "blockable": sum(1 for m in mixed if m[0] == "blockable"),
                   "upgradable": sum(1 for m in mixed if m[0] == "upgradable")}
        if forms or mixed:
            parts = []
            if forms:
                parts.append(f"{len(forms)} form(s) send over plain HTTP")
            if details["blockable"]:
                parts.append(f"{details['blockable']} script/style/frame reference(s) over HTTP")
            if details["upgradable"]:
                parts.append(f"{details['upgradable']} image/media reference(s) over HTTP")
            return [self.finding(Outcome.FAILED, "; ".join(parts), url=page.url, evidence=evidence,
                                 details=details)]
        if not secure:
            return [self.finding(Outcome.INAPPLICABLE, "Page served over plain HTTP and has no form: "
                                 "mixed content is not defined", url=page.url)]
        return [self.finding(Outcome.PASSED, "No plain-HTTP subresource or form target", url=page.url,
                             details=details)]
