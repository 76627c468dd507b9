"""Reading HTML forms: what each form is for and what it asks of the citizen.

Several checks look at the same forms (online services, once-only, input
purposes), so a page's forms are read once and the result is kept on the page
artifact. A form's kind is decided by structure first (a search box, a
password field, a lone e-mail field with a subscribe button, a yes/no page
rating), then by its words: the legend, label, title and nearest heading, the
submit buttons and the action's path, matched against the multilingual phrases
of ``forms_phrases.json``. What cannot be told stays ``other``: a detector that
guesses would count newsletter boxes as online services.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from checks.artifacts import PageArtifact, element_snippet, normalise_space
from checks.base import Evidence
from checks.phrases import PhraseBook, first_phrase

FORMS = PhraseBook("forms_phrases.json")
# Kinds found by words, in the order ties are broken (the more specific first).
WORD_KINDS = ("report_problem", "booking", "service_application", "contact_feedback")
SERVICE_KINDS = frozenset({"service_application", "booking", "report_problem"})
HIDDEN_TYPES = frozenset({"hidden", "submit", "button", "reset", "image"})
SEARCH_NAMES = frozenset({"q", "s", "query", "search", "searchtext", "search_api_fulltext", "keys", "keyword",
                          "keywords", "text", "term", "suche", "suchbegriff", "cerca", "recherche", "buscar",
                          "zoeken", "zoek", "szukaj", "sok", "haku", "searchword", "searchphrase", "qs"})
MAX_FIELDS = 60
MIN_APPLICATION_FIELDS = 4
_CACHE_ATTR = "_citylabel_forms"
_SPLIT = re.compile(r"[/_\-.?=&]+")
_NAME_PARTS = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class Field:
    """One input the citizen fills in."""

    tag: str                 # input, select, textarea
    type: str                # the input type ("text" for select/textarea)
    name: str
    label: str               # the accessible name as a person reads it (label, aria-label, placeholder)
    autocomplete: str | None
    required: bool
    element: Any = field(repr=False, compare=False)

    @property
    def fixed(self) -> bool:
        """Read-only or disabled: shown (e.g. pre-filled from a login), not asked."""
        return self.element.get("readonly") is not None or self.element.get("disabled") is not None

    def named(self, needles: list[str]) -> bool:
        """Whether the field's name (or id) names one of ``needles``: a short needle ("cap",
        "tel", "cf") only as a whole part of the name ("captcha" is no postcode), a longer one
        anywhere in it ("user_email")."""
        name = self.name.lower()
        parts = self.name_parts
        return bool(name) and any(n in parts or (len(n) >= 5 and n in name) for n in needles)

    @property
    def name_parts(self) -> set[str]:
        """The words of the name: "resp_codiceFiscale" -> {"resp", "codice", "fiscale"}."""
        return set(_NAME_PARTS.split(_CAMEL.sub("_", self.name).lower()))

    @property
    def described(self) -> str:
        return f"{self.label or self.name or self.type} ({self.type}{', ' + self.name if self.name else ''})"


@dataclass(frozen=True)
class Form:
    element: Any = field(repr=False, compare=False)
    action: str = ""
    method: str = "get"
    kind: str = "other"
    reason: str = ""          # what decided the kind
    context: str = ""         # heading, legend, buttons: the words a person sees around it
    fields: tuple[Field, ...] = ()

    @property
    def visible_fields(self) -> list[Field]:
        return [f for f in self.fields if f.type not in HIDDEN_TYPES]

    def evidence(self, page_url: str, text: str | None = None) -> Evidence:
        el = self.element
        names = ", ".join(f.described for f in self.visible_fields[:8])
        return Evidence(url=page_url, selector=el.getroottree().getpath(el), snippet=element_snippet(el),
                        text=text or f"{self.kind} form \u2192 {self.method.upper()} {self.action}; fields: {names}")


def read_forms(page: PageArtifact) -> list[Form]:
    """The page's forms, read and classified once per page artifact."""
    cached = page.__dict__.get(_CACHE_ATTR)
    if cached is not None:
        return cached
    tree = page.tree
    forms: list[Form] = []
    if tree is not None:
        labels = _labels(tree)
        for el in tree.iter("form"):
            forms.append(_read(el, page, labels))
    page.__dict__[_CACHE_ATTR] = forms
    return forms


def _labels(tree: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for label in tree.iter("label"):
        target = label.get("for")
        if target:
            out[target] = normalise_space(label.text_content())[:200]
    return out


def _field_label(el: Any, labels: dict[str, str], tree_ids: Any) -> str:
    if el.get("id") and el.get("id") in labels:
        return labels[el.get("id")]
    wrapping = next(el.iterancestors("label"), None)
    if wrapping is not None:
        return normalise_space(wrapping.text_content())[:200]
    for attr in ("aria-label", "title", "placeholder"):
        if el.get(attr):
            return normalise_space(el.get(attr))[:200]
    ref = el.get("aria-labelledby")
    if ref:
        parts = [normalise_space(n.text_content()) for i in ref.split() for n in tree_ids(i)]
        return " ".join(parts)[:200]
    return ""


def _read(el: Any, page: PageArtifact, labels: dict[str, str]) -> Form:
    root = el.getroottree()

    def by_id(i: str) -> list[Any]:
        return root.getroot().xpath("//*[@id=$i]", i=i)
    fields: list[Field] = []
    buttons: list[str] = []
    for inp in el.iter("input", "select", "textarea", "button"):
        tag = inp.tag
        if tag == "button":
            buttons.append(normalise_space(inp.text_content()) or inp.get("aria-label") or inp.get("value") or "")
            continue
        typ = (inp.get("type") or "text").lower() if tag == "input" else "text"
        if typ in ("submit", "image", "button"):
            buttons.append(inp.get("value") or inp.get("alt") or inp.get("aria-label") or "")
        if len(fields) < MAX_FIELDS:
            fields.append(Field(tag, typ, (inp.get("name") or inp.get("id") or "").strip(),
                                _field_label(inp, labels, by_id), inp.get("autocomplete"),
                                inp.get("required") is not None or inp.get("aria-required") == "true", inp))
    action = urljoin(page.base_url, (el.get("action") or "").strip()) if el.get("action") else page.url
    method = (el.get("method") or "get").strip().lower()
    heading = _heading(el)
    legend = " ".join(normalise_space(x.text_content()) for x in el.iter("legend"))
    own = " ".join(el.get(a) or "" for a in ("aria-label", "title", "name", "id", "class"))
    # the form's own words (a question such as "War diese Seite hilfreich?", labels), not option lists
    inner = normalise_space(" ".join(t for t in el.xpath(".//text()[not(ancestor::option) and "
                                                         "not(ancestor::script) and not(ancestor::style)]")))[:300]
    path_words = " ".join(w for w in _SPLIT.split(unquote(urlsplit(action).path)) if w)
    context = normalise_space(" ".join([heading, legend, own, " ".join(buttons), path_words]))[:600]
    kind, reason = _classify(el, fields, method, context, buttons, inner)
    return Form(el, action, method, kind, reason, context, tuple(fields))


def _heading(el: Any) -> str:
    """The nearest heading before the form (its section's title), if close."""
    node, steps = el, 0
    while node is not None and steps < 40:
        prev = node.getprevious()
        while prev is not None and steps < 40:
            steps += 1
            if isinstance(prev.tag, str):
                if prev.tag in ("h1", "h2", "h3", "h4"):
                    return normalise_space(prev.text_content())[:200]
                inner = prev.xpath("(.//h1|.//h2|.//h3|.//h4)[last()]")
                if inner:
                    return normalise_space(inner[0].text_content())[:200]
            prev = prev.getprevious()
        node = node.getparent()
    return ""


def _words_match(kind: str, text: str) -> str | None:
    return first_phrase(FORMS, ("form_kinds", kind, "words"), text)


def _names(kind: str) -> list[str]:
    return FORMS.data.get("field_names", {}).get(kind, [])


def _classify(el: Any, fields: list[Field], method: str, context: str,
              buttons: list[str], inner: str = "") -> tuple[str, str]:
    """The form's kind and why. ``context`` (heading, legend, buttons, action) speaks
    louder than ``inner`` (the words inside the form: a question, field labels)."""
    visible = [f for f in fields if f.type not in HIDDEN_TYPES]
    role = (el.get("role") or "").lower()
    if role == "search" or any(a.get("role") == "search" for a in el.iterancestors()):
        return "search", 'role="search"'
    if any(f.type == "search" for f in visible):
        return "search", 'an input of type "search"'
    texts = [f for f in visible if f.type in ("text", "search")]
    if method == "get" and len(texts) == 1 and texts[0].name.lower() in SEARCH_NAMES and len(visible) <= 3:
        return "search", f'a single query field "{texts[0].name}"'
    if any(f.type == "password" for f in visible):
        return "login", "a password field"
    choices = [f for f in visible if f.type in ("radio", "checkbox")]
    rating = _words_match("rating", context) or _words_match("rating", inner)
    if rating and len([f for f in visible if f.type not in ("radio", "checkbox")]) <= 1:
        return "rating", f'"{rating}"'
    if not visible and rating is None and len(buttons) == 2 and _words_match("rating", " ".join(buttons)):
        return "rating", "yes/no buttons"
    emails = [f for f in visible if f.type == "email" or "mail" in f.name.lower()]
    news = _words_match("newsletter", context) or next(
        (n for n in _names("newsletter") if any(n in f.name.lower() for f in visible)), None)
    if news and emails and len([f for f in visible if f not in choices]) <= 3:
        return "newsletter", f'"{news}"'
    if _words_match("search", context) and len(texts) == 1 and len(visible) <= 3:
        return "search", "search wording"
    if _words_match("login", context) and len(visible) <= 3:
        return "login", "login wording"
    for text in (context, inner):
        hits = [(kind, phrase) for kind in WORD_KINDS if (phrase := _words_match(kind, text))]
        if hits:
            kind, phrase = hits[0]
            return kind, f'"{phrase}"'
    field_words = " ".join(f.label for f in visible)
    for kind in ("report_problem", "booking"):
        name = next((n for n in _names(kind) if any(n in f.name.lower() for f in visible)), None)
        if name and (phrase := _words_match(kind, field_words)):
            return kind, f'field "{name}" and "{phrase}"'
    # a POST form asking for several things, with a plain "send" button, is an application
    asked = [f for f in visible if f.type not in ("radio", "checkbox", "hidden")]
    if method == "post" and len(asked) >= MIN_APPLICATION_FIELDS:
        return "service_application", f"a POST form asking {len(asked)} fields (no telling words)"
    return "other", "no telling words or structure"
