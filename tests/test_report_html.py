"""Tests for the report schema and the HTML report renderer (reports/html.py)."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from markupsafe import Markup

from reports import html as report_html
from reports.html import render_html

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "reports" / "schema" / "report.schema.json"
TEMPLATE_PATH = ROOT / "reports" / "templates" / "report.html.j2"

SCRIPT_PAYLOAD = "<script>alert(1)</script>"
ATTR_PAYLOAD = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
# How markupsafe escapes the payloads.
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTR_ESCAPED = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"

OUTCOMES = ("passed", "failed", "cantTell", "inapplicable", "error")


# ---------------------------------------------------------------------------
# Sample data


def _counts(**kw: int) -> dict:
    return {o: kw.get(o, 0) for o in OUTCOMES}


def _page(url: str, **kw) -> dict:
    page = {
        "url": url,
        "final_url": None,
        "status": 200,
        "fetch_status": "ok",
        "content_type": "text/html",
        "size": 5120,
        "depth": 1,
        "title": "Comune di Valdoria",
        "error": None,
    }
    page.update(kw)
    return page


def _finding(check: str, outcome: str, url: str | None, message: str, principle: str, evidence=None) -> dict:
    return {
        "check": check,
        "check_version": "1.0",
        "outcome": outcome,
        "principle": principle,
        "principles": [principle],
        "url": url,
        "message": message,
        "evidence": evidence or [],
    }


def build_report() -> dict:
    """A realistic report: 4 pages, 3 checks, every outcome represented."""
    base = "http://127.0.0.1:8123/"
    pages = [
        _page(base, depth=0, title="Comune di Valdoria \u2013 Home"),
        _page(base + "servizi/", title="Servizi online"),
        _page(base + "privacy", final_url=base + "privacy/", title="Informativa privacy", size=20480),
        _page(base + "area-riservata/", status=403, fetch_status="http-error", content_type=None,
              size=None, title=None, error="HTTP 403"),
        _page(base + "admin/", status=None, fetch_status="robots-disallowed", content_type=None,
              size=None, depth=2, title=None, error=None),
    ]
    findings = [
        _finding("privacy.notice-link", "passed", base, "Links to the privacy notice", "privacy",
                 [{"url": base, "selector": "footer a.privacy", "snippet": '<a href="/privacy">Privacy</a>',
                   "text": "Privacy"}]),
        _finding("privacy.notice-link", "passed", base + "servizi/", "Links to the privacy notice", "privacy"),
        _finding("privacy.notice-link", "failed", base + "privacy/", "No link to a privacy notice on this page",
                 "privacy"),
        _finding("a11y.statement-link", "failed", base, "No link to an accessibility statement", "accessibility",
                 [{"url": base, "selector": "footer > ul > li:nth-child(2) > a",
                   "snippet": '<a href="/accessibilita">Accessibilità</a>',
                   "text": "Dichiarazione di accessibilità"}]),
        _finding("a11y.statement-link", "cantTell", base + "servizi/",
                 "Link text is ambiguous; could not tell whether it is an accessibility statement",
                 "accessibility",
                 [{"url": base + "servizi/", "selector": None, "snippet": None, "text": "Info"}]),
        _finding("a11y.statement-link", "inapplicable", base + "admin/", "Page was not fetched", "accessibility"),
        _finding("security.https", "error", None, "Check crashed: TLS probe timed out", "security"),
        _finding("security.https", "passed", None, "Site redirects to HTTPS", "security"),
    ]
    return {
        "schema_version": "1.0",
        "generated_at": "2026-11-28T10:00:00+00:00",
        "tool": {"name": "citylabel", "version": "0.1.0"},
        "portal": {"name": "Comune di Valdoria", "start_url": base, "country": "IT"},
        "run": {
            "id": 3,
            "kind": "crawl",
            "parent_run_id": None,
            "status": "finished",
            "started_at": "2026-11-28T09:00:00+00:00",
            "finished_at": "2026-11-28T09:05:00+00:00",
            "tool_version": "0.1.0",
            "settings": {"max_pages": 200, "max_depth": 3, "user_agent": "citylabel/0.1.0", "delay": 1.0},
            "check_versions": {"privacy.notice-link": "1.0", "a11y.statement-link": "1.0",
                               "security.https": "1.0"},
            "stats": {"requests": 6, "bytes": 30720, "duration_s": 300.2},
        },
        "summary": {
            "pages": len(pages),
            "pages_by_fetch_status": {"ok": 3, "http-error": 1, "robots-disallowed": 1, "blocked": 0},
            "findings_by_outcome": _counts(passed=3, failed=2, cantTell=1, inapplicable=1, error=1),
            "checks": [
                {"check": "privacy.notice-link", "title": "Page links to a privacy notice", "scope": "page",
                 "principles": ["privacy"], "outcome": "failed", "counts": _counts(passed=2, failed=1),
                 "standard": "GDPR Art. 12-13", "version": "1.0"},
                {"check": "a11y.statement-link", "title": "Page links to an accessibility statement",
                 "scope": "page", "principles": ["accessibility"], "outcome": "failed",
                 "counts": _counts(failed=1, cantTell=1, inapplicable=1),
                 "standard": "Directive (EU) 2016/2102 Art. 7", "version": "1.0"},
                {"check": "security.https", "title": "Site is served over HTTPS", "scope": "site",
                 "principles": ["security"], "outcome": "error", "counts": _counts(passed=1, error=1),
                 "standard": None, "version": "1.0"},
            ],
        },
        "pages": pages,
        "findings": findings,
    }


def build_hostile_report() -> dict:
    """The sample with attacker-controlled strings everywhere a page can put them."""
    r = build_report()
    both = SCRIPT_PAYLOAD + ATTR_PAYLOAD
    r["portal"]["name"] = "Evil " + both
    r["portal"]["start_url"] = JS_URL
    r["pages"][0]["title"] = both
    r["pages"][1]["url"] = JS_URL
    r["pages"][1]["error"] = both
    r["pages"][2]["final_url"] = 'http://x/"onmouseover="alert(1)'
    failed = r["findings"][3]
    failed["message"] = "Bad " + both
    failed["url"] = JS_URL
    failed["evidence"] = [
        {
            "url": JS_URL,
            "selector": 'a[href="' + ATTR_PAYLOAD + '"]',
            "snippet": both + '<img src="https://evil.example/x.png"><link rel="stylesheet" '
            'href="https://evil.example/x.css"><div style="background:url(https://evil.example/y)">',
            "text": both,
        },
        {"url": "JavaScript:alert(2)", "selector": None, "snippet": None, "text": " javascript:alert(3)"},
    ]
    r["findings"][0]["url"] = "data:text/html," + SCRIPT_PAYLOAD  # a passed finding
    r["run"]["settings"]["user_agent"] = both
    return r


# ---------------------------------------------------------------------------
# HTML inspection helpers


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.headings: list[int] = []
        self._in: str | None = None
        self._buf: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in, self._buf = tag, []
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == self._in:
            (self.scripts if tag == "script" else self.styles).append("".join(self._buf))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    c.close()
    return c


def section(html: str, section_id: str) -> str:
    """The markup of <section id=...> (up to the next top-level section)."""
    start = html.index(f'id="{section_id}"')
    nxt = [html.find(f'<section id="{s}"', start + 1) for s in ("attention", "passed", "pages")]
    nxt = [n for n in nxt if n > start] + [html.index("</main>")]
    return html[start:min(nxt)]


# ---------------------------------------------------------------------------
# Schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema)


def test_sample_report_validates(validator):
    errors = list(validator.iter_errors(build_report()))
    assert errors == [], [e.message for e in errors]


def test_hostile_report_is_still_schema_valid(validator):
    # The schema constrains shape, not content: hostile strings are valid data.
    assert list(validator.iter_errors(build_hostile_report())) == []


def test_nullable_and_recheck_variants_validate(validator):
    r = build_report()
    r["portal"]["country"] = None
    r["run"].update(kind="recheck", parent_run_id=2, status="running", finished_at=None)
    r["summary"]["pages_by_fetch_status"]["some-plugin-status"] = 7
    r["findings"].append(_finding("eid.login", "passed", None, "eID login offered", "eid"))
    r["findings"][-1]["principles"] = ["eid", "plugin-principle"]
    # A check that declares no principles, with evidence that has no URL.
    r["findings"].append(_finding("plugin.misc", "failed", None, "x", "eid",
                                  [{"url": None, "selector": None, "snippet": None, "text": None}]))
    r["findings"][-1].update(principle=None, principles=[])
    assert list(validator.iter_errors(r)) == []
    render_html(r)  # and the renderer copes with all of it


def _del(path):
    def mutate(r):
        *parents, last = path
        for p in parents:
            r = r[p]
        del r[last]
    return mutate


def _set(path, value):
    def mutate(r):
        *parents, last = path
        for p in parents:
            r = r[p]
        r[last] = value
    return mutate


INVALID_CASES = {
    "missing run": (_del(["run"]), "$"),
    "bad finding outcome": (_set(["findings", 2, "outcome"], "fail"), "$.findings[2].outcome"),
    "bad check outcome": (_set(["summary", "checks", 0, "outcome"], "Passed"), "$.summary.checks[0].outcome"),
    "bad counts key": (_set(["summary", "checks", 1, "counts", "warning"], 1), "$.summary.checks[1].counts"),
    "outcome totals miss a key": (_del(["summary", "findings_by_outcome", "cantTell"]),
                                  "$.summary.findings_by_outcome"),
    "unknown top-level key": (_set(["extra"], 1), "$"),
    "unknown finding key": (_set(["findings", 0, "severity"], "high"), "$.findings[0]"),
    "bad run kind": (_set(["run", "kind"], "scan"), "$.run.kind"),
    "bad run status": (_set(["run", "status"], "done"), "$.run.status"),
    "string page status": (_set(["pages", 0, "status"], "200"), "$.pages[0].status"),
    "non-int fetch-status count": (_set(["summary", "pages_by_fetch_status", "ok"], "3"),
                                   "$.summary.pages_by_fetch_status.ok"),
    "principle not a string": (_set(["findings", 0, "principle"], 7), "$.findings[0].principle"),
    "evidence missing text": (_del(["findings", 0, "evidence", 0, "text"]), "$.findings[0].evidence[0]"),
}


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_invalid_reports_are_rejected(validator, name):
    mutate, where = INVALID_CASES[name]
    r = build_report()
    mutate(r)
    errors = list(validator.iter_errors(r))
    assert errors, f"{name}: schema accepted an invalid report"
    assert where in {e.json_path for e in errors}, [(e.json_path, e.message) for e in errors]


def test_missing_run_and_bad_outcome_together_fail(validator):
    r = build_report()
    del r["run"]
    r["findings"][0]["outcome"] = "ok"
    assert not validator.is_valid(r)
    messages = " ".join(e.message for e in validator.iter_errors(r))
    assert "'run' is a required property" in messages
    assert "'ok' is not one of" in messages


# ---------------------------------------------------------------------------
# Rendering: structure and content


@pytest.fixture(scope="module")
def sample_html() -> str:
    return render_html(build_report())


def test_document_basics(sample_html):
    assert sample_html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in sample_html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in sample_html
    assert re.search(r"<title>[^<]*Comune di Valdoria[^<]*</title>", sample_html)
    assert "@media print" in sample_html
    # Content must not depend on script: every <details> has a visible <summary>.
    assert sample_html.count("<details>") == sample_html.count("<summary>") > 0


def test_header_shows_portal_and_run(sample_html):
    header = sample_html[: sample_html.index("</header>")]
    assert "<h1>Comune di Valdoria</h1>" in header
    assert '<a href="http://127.0.0.1:8123/"' in header
    for expected in ("IT", "#3", "crawl", "finished", "2026-11-28T09:00:00+00:00",
                     "2026-11-28T09:05:00+00:00", "0.1.0"):
        assert expected in header, expected


def test_summary_counts_and_pills(sample_html):
    summary = section(sample_html, "summary")
    for outcome, label, count in [("passed", "Passed", 3), ("failed", "Failed", 2),
                                  ("cantTell", "Cannot tell", 1), ("inapplicable", "Inapplicable", 1),
                                  ("error", "Error", 1)]:
        # A text label next to the colour, and the count.
        assert f'<span class="pill pill-{outcome}">{label}</span> <span class="count">{count}</span>' in summary
    assert '<th scope="row"><code>http-error</code></th><td class="num">1</td>' in summary
    assert '<th scope="row"><code>robots-disallowed</code></th><td class="num">1</td>' in summary
    # Checks table: one row per check with id, title, principles, scope and counts.
    assert summary.count('<tr>\n  <th scope="row"><code>') == 3
    row = summary[summary.index("<code>security.https</code>"):]
    row = row[: row.index("</tr>")]
    assert "Site is served over HTTPS" in row and "security" in row and "site" in row
    assert '<span class="pill pill-error">Error</span>' in row


def test_failed_message_and_evidence_are_shown(sample_html):
    attention = section(sample_html, "attention")
    assert "No link to an accessibility statement" in attention
    assert "<code>footer &gt; ul &gt; li:nth-child(2) &gt; a</code>" in attention
    assert "<pre tabindex='0'><code>&lt;a href=&#34;/accessibilita&#34;&gt;Accessibilità&lt;/a&gt;</code></pre>" in attention
    assert "<blockquote><p>Dichiarazione di accessibilità</p></blockquote>" in attention
    assert "Site-level finding" in attention  # security.https error has url None
    # Passed and inapplicable findings are not listed as needing attention.
    assert "Page was not fetched" not in attention
    assert "Site redirects to HTTPS" not in attention


def test_attention_order_failed_then_canttell_then_error(sample_html):
    attention = section(sample_html, "attention")
    failed = attention.index("No link to an accessibility statement")
    failed2 = attention.index("No link to a privacy notice on this page")
    cant = attention.index("Link text is ambiguous")
    error = attention.index("Check crashed")
    assert max(failed, failed2) < error and cant < error
    # Grouped by check: the a11y group holds its failed finding before its cantTell one.
    assert failed < cant
    assert attention.count('<section class="check-group"') == 3


def test_passed_findings_are_collapsed_per_check(sample_html):
    passed = section(sample_html, "passed")
    assert "Passed findings: 3" in passed
    assert "<code>privacy.notice-link</code> — Page links to a privacy notice: <strong>2 passed</strong>" in passed
    assert "<strong>1 passed</strong>" in passed
    details = passed[passed.index("<details>"): passed.index("</details>")]
    assert '<a href="http://127.0.0.1:8123/servizi/"' in details
    assert "Site-level" in passed  # security.https passed finding has no URL


def test_pages_table(sample_html):
    pages = section(sample_html, "pages")
    assert pages.count('<th scope="row">') == 5
    assert "Informativa privacy" in pages and "HTTP 403" in pages and "robots-disallowed" in pages
    assert '<a href="http://127.0.0.1:8123/privacy/"' in pages  # final_url differs -> shown
    assert "20,480" in pages and "403" in pages


def test_footer_has_settings_and_check_versions_as_json(sample_html):
    footer = sample_html[sample_html.index('<footer class="page"'):]
    assert "&#34;max_pages&#34;: 200" in footer
    assert "&#34;privacy.notice-link&#34;: &#34;1.0&#34;" in footer
    assert footer.count("<pre tabindex='0'><code>") == 3


def test_accessibility_of_the_report_itself(sample_html):
    doc = parse(sample_html)
    levels = doc.headings
    assert levels[0] == 1 and levels.count(1) == 1
    for prev, cur in zip(levels, levels[1:]):
        assert cur <= prev + 1, f"heading level jumps from h{prev} to h{cur}"
    ths = [attrs for tag, attrs in doc.tags if tag == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)
    titles = [t for t, _ in doc.tags if t == "title"]
    assert titles == ["title"]


def test_incomplete_run_is_flagged_and_partial_dict_renders():
    r = build_report()
    r["run"].update(status="interrupted", finished_at=None)
    html = render_html(r)
    assert "did not finish" in html
    # Minimal dictionaries still render (e.g. while the run is in progress).
    assert "<h1>(unnamed portal)</h1>" in render_html({})


def test_render_does_not_modify_the_report():
    r = build_hostile_report()
    before = copy.deepcopy(r)
    render_html(r)
    assert r == before


# ---------------------------------------------------------------------------
# Rendering: hostile input


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(build_hostile_report())


def test_hostile_strings_are_not_rendered_raw(hostile_html):
    assert "<script>alert" not in hostile_html
    assert "<img" not in hostile_html
    # No event-handler attribute inside a real tag (escaped text like
    # "&lt;img src=x onerror=" or an href value containing "&#34;onmouseover=" is inert).
    assert re.search(r"<[^<>]*\s(onerror|onmouseover)\s*=", hostile_html) is None
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", hostile_html, re.I)
    assert not re.search(r"href\s*=\s*[\"']?\s*data:", hostile_html, re.I)


def test_hostile_strings_appear_escaped(hostile_html):
    assert SCRIPT_ESCAPED in hostile_html
    assert ATTR_ESCAPED in hostile_html
    assert "<h1>Evil " + SCRIPT_ESCAPED + ATTR_ESCAPED + "</h1>" in hostile_html
    assert "<title>Evil " + SCRIPT_ESCAPED + ATTR_ESCAPED in hostile_html
    # The javascript: URLs are kept as visible, inert text.
    assert '<span class="url-text">javascript:alert(1)</span>' in hostile_html
    assert '<span class="url-text">JavaScript:alert(2)</span>' in hostile_html
    # Snippet and evidence text, escaped in their elements.
    assert "<pre tabindex='0'><code>" + SCRIPT_ESCAPED + ATTR_ESCAPED in hostile_html
    assert "<blockquote><p>" + SCRIPT_ESCAPED + ATTR_ESCAPED + "</p></blockquote>" in hostile_html
    # Settings JSON (json.dumps escapes the quote as \", then HTML-escaped).
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\&#34;&gt;&lt;img" in hostile_html


def test_hostile_document_structure(hostile_html):
    doc = parse(hostile_html)
    tags = {t for t, _ in doc.tags}
    assert not tags & {"img", "iframe", "object", "embed", "link", "base", "form"}
    for tag, attrs in doc.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
        if tag == "a":
            href = attrs["href"]
            assert href.startswith(("http://", "https://", "#")), href
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            pytest.fail("meta refresh present")
    # Exactly one script: ours, byte for byte.
    assert doc.scripts == [report_html.PRINT_SCRIPT]
    # The attribute-breaking final_url stayed inside its href.
    assert any(a.get("href") == 'http://x/"onmouseover="alert(1)' for t, a in doc.tags if t == "a")


def test_markup_objects_in_the_report_are_escaped_too():
    r = build_report()
    r["portal"]["name"] = Markup(SCRIPT_PAYLOAD)  # claims to be safe HTML; must not be trusted
    html = render_html(r)
    assert "<script>alert" not in html
    assert SCRIPT_ESCAPED in html


def test_content_security_policy_blocks_everything_but_our_script(hostile_html):
    doc = parse(hostile_html)
    csp = [a["content"] for t, a in doc.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    assert "default-src 'none'" in csp[0] and "script-src 'sha256-" in csp[0]
    assert "unsafe-inline" not in csp[0].split("script-src", 1)[1].split(";")[0]


# ---------------------------------------------------------------------------
# Self-contained: no external resources


EXTERNAL_RESOURCE_PATTERNS = [
    r"""\bsrc\s*=\s*["']?\s*(https?:)?//""",
    r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(https?:)?//""",
    r"""url\(\s*["']?\s*(https?:)?//""",
    r"""@import""",
]


@pytest.mark.parametrize("pattern", EXTERNAL_RESOURCE_PATTERNS)
def test_no_external_resources_in_sample(sample_html, pattern):
    assert re.search(pattern, sample_html, re.I) is None


def test_no_external_resources_even_with_hostile_snippets(hostile_html):
    doc = parse(hostile_html)
    for tag, attrs in doc.tags:
        assert "src" not in attrs, (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        if tag == "link":
            pytest.fail(f"<link> element present: {attrs}")
    for css in doc.styles:
        assert not re.search(r"url\(|@import|https?://", css, re.I)
    # The hostile <img src="https://...">, <link href=...> and url(...) exist only as escaped text.
    assert "&lt;img src=&#34;https://evil.example/x.png&#34;&gt;" in hostile_html
    assert "&lt;link rel=&#34;stylesheet&#34; href=&#34;https://evil.example/x.css&#34;&gt;" in hostile_html


def test_template_never_uses_safe_and_autoescape_is_on():
    source = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert not re.search(r"\|\s*safe\b", source)
    assert "autoescape false" not in source.lower()
    env = report_html._environment()
    assert env.autoescape is True or env.autoescape("report.html.j2") is True


# ---------------------------------------------------------------------------
# Size bounds


def test_long_snippet_and_text_are_truncated():
    r = build_report()
    r["findings"][3]["evidence"][0]["snippet"] = "Q" * 10_000
    r["findings"][3]["evidence"][0]["text"] = "W" * 10_000
    html = render_html(r)
    assert "Q" * 500 + "\u2026" in html
    assert "Q" * 501 not in html
    assert "W" * 300 + "\u2026" in html
    assert "W" * 301 not in html
    assert "10,000 characters in full" in html
    assert len(html) < len(render_html(build_report())) + 2_000


def test_truncation_counts_characters_before_escaping():
    r = build_report()
    r["findings"][3]["evidence"][0]["snippet"] = "<" * 10_000
    html = render_html(r)
    assert "&lt;" * 500 + "\u2026" in html
    assert "&lt;" * 501 not in html


# The brief's limits; deliberately literals, not the module's constants.
PASSED_CAP = 2_000
PAGES_CAP = 5_000


def test_passed_findings_are_capped():
    r = build_report()
    extra = PASSED_CAP + 25
    r["findings"] += [
        _finding("privacy.notice-link", "passed", f"http://127.0.0.1:8123/p/{i}", "ok", "privacy")
        for i in range(extra)
    ]
    html = render_html(r)
    passed = section(html, "passed")
    total = extra + 3
    listed = passed.count("<li><a href=") + passed.count("<li>Site-level</li>")
    assert listed == PASSED_CAP
    assert f"Passed findings: {total:,}" in passed
    assert f"; {total - PASSED_CAP:,} were left out" in passed
    assert f"<strong>{extra + 2:,} passed</strong>" in passed  # the per-check count is complete
    beyond_cap_listed = f"http://127.0.0.1:8123/p/{extra - 1}" in html
    assert not beyond_cap_listed


def test_pages_are_capped():
    r = build_report()
    r["pages"] += [_page(f"http://127.0.0.1:8123/x/{i}") for i in range(PAGES_CAP)]
    html = render_html(r)
    pages = section(html, "pages")
    assert pages.count('<th scope="row">') == PAGES_CAP
    assert "; 5 were left out" in pages
    last_listed = "http://127.0.0.1:8123/x/4994" in pages
    first_omitted = "http://127.0.0.1:8123/x/4995" in pages
    assert last_listed and not first_omitted


def test_small_reports_have_no_omission_notes(sample_html):
    assert "left out" not in sample_html


def test_screenshots_are_embedded_as_evidence_and_only_ours(tmp_path):
    """A browser finding's screenshot (saved by the gatherer) is shown inline as a data: URI;
    a missing file, a foreign suffix or a hostile path embeds nothing; img-src allows data: only."""
    jpeg = tmp_path / "page-00001.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 200)
    r = build_report()
    base = next(f for f in r["findings"] if f["outcome"] == "failed")
    with_shot = dict(base, details={"screenshot": str(jpeg)})
    missing = dict(base, details={"screenshot": str(tmp_path / "gone.jpg")})
    foreign = dict(base, details={"screenshot": "/etc/passwd"})
    r["findings"] = [with_shot, missing, foreign]
    html = render_html(r)
    assert html.count('<img src="data:image/jpeg;base64,') == 1
    import html as html_lib
    csp = html_lib.unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', html)[1])
    assert "img-src data:;" in csp and "default-src 'none'" in csp
