"""The browser gatherer: renders pages in headless Chromium and collects
artifacts for checks (axe-core results, the requests a page tried to make,
cookies and local storage set without any interaction, a screenshot).

It gathers; it does not judge. Each page gets a fresh browser context (an
empty profile), so what is recorded is what a first visit does before any
consent. Every request outside the portal's scope is recorded and aborted:
page content is hostile input, and nothing but the portal is ever contacted.
A crashed or hung browser is restarted and the page marked with its error
while the rest go on.

axe-core comes from the maintained ``axe-playwright-python`` package (which
bundles axe-core 4.12), injected once per context with ``add_init_script``.
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checks.artifacts import BrowserArtifact
from crawler.urls import Scope

HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"  # the fastest renderer here
CHROMIUM = "/usr/bin/chromium"
# Flags for a closed network: no background connections, no first-run work.
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync",
               "--disable-default-apps", "--disable-extensions", "--mute-audio"]
MAX_NODES_PER_RULE = 20
MAX_DOM_CHARS = 2 * 1024 * 1024
SCREENSHOT_QUALITY = 70
SNIPPET_MAX = 500

# Runs axe in the page and returns only what the checks use: the full result
# object is large and slow to serialise.
AXE_SCRIPT = """async ([maxNodes, snippetMax]) => {
  const r = await axe.run(document, {resultTypes: ['violations', 'incomplete']});
  const slim = (rule) => ({
    id: rule.id, impact: rule.impact, tags: rule.tags, help: rule.help, helpUrl: rule.helpUrl,
    nodeCount: rule.nodes.length,
    nodes: rule.nodes.slice(0, maxNodes).map(n => ({
      target: n.target, html: (n.html || '').slice(0, snippetMax),
      failureSummary: (n.failureSummary || '').slice(0, 1000), impact: n.impact})),
  });
  return {
    version: axe.version,
    violations: r.violations.map(slim),
    incomplete: r.incomplete.map(slim),
    passes: r.passes.map(p => ({id: p.id, tags: p.tags, nodeCount: p.nodes.length})),
    inapplicable: r.inapplicable.map(p => p.id),
  };
}"""


# Where a generic reject button may sit: an element named for cookies or consent.
CONSENT_CONTAINERS = ("[id*=cookie i], [class*=cookie i], [id*=consent i], [class*=consent i], "
                      "[id*=gdpr i], [class*=gdpr i], [id*=privacy i], [class*=privacy i], "
                      "[aria-label*=cookie i], [role=dialog], [role=alertdialog]")
CLICKABLE = "button, a, [role=button], input[type=button], input[type=submit]"
AFTER_CLICK_WAIT_MS = 3000


@dataclass(frozen=True)
class ConsentRules:
    """How to say "reject" to a consent banner (data from the checks' tracker file).

    ``hosts`` are consent platforms' own hosts, let through so their banners
    appear (trackers never are); ``reject_selectors`` are the platforms'
    reject buttons, tried first; ``reject_texts`` are reject wordings in many
    languages, tried on buttons inside a cookie or consent container.
    """

    hosts: tuple[str, ...] = ()
    reject_selectors: tuple[str, ...] = ()
    reject_texts: tuple[str, ...] = ()

    def allows(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    @property
    def text_pattern(self) -> re.Pattern[str]:
        words = sorted(self.reject_texts, key=len, reverse=True)
        return re.compile(r"^\W*(?:" + "|".join(map(re.escape, words)) + r")\W*$", re.I)


def axe_source() -> Path:
    return Path(str(resources.files("axe_playwright_python").joinpath("axe.min.js")))


def find_chromium() -> str:
    for candidate in (os.environ.get("CITYLABEL_CHROMIUM"), HEADLESS_SHELL, CHROMIUM,
                      shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError("no Chromium found: install Debian's chromium-headless-shell "
                            "(make demo / make test do) or set CITYLABEL_CHROMIUM")


class BrowserGatherer:
    """Renders URLs with at most ``concurrency`` pages at once."""

    def __init__(self, scope: Scope, concurrency: int = 4, page_timeout: float = 30.0,
                 screenshot_dir: Path | None = None, executable: str | None = None,
                 run_axe: bool = True, user_agent: str | None = None,
                 consent: ConsentRules | None = None, reject_urls: set[str] | frozenset = frozenset()) -> None:
        self.scope = scope
        self.concurrency = concurrency
        self.page_timeout_ms = int(page_timeout * 1000)
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir else None
        self.executable = executable or find_chromium()
        self.run_axe = run_axe
        self.user_agent = user_agent  # identify as citylabel, as the crawler does
        self.consent = consent
        self.reject_urls = set(reject_urls)  # pages where "reject" is clicked after the first look
        self._axe = axe_source()
        self._browser = None
        self._playwright = None
        self._lock = asyncio.Lock()
        self.restarts = 0

    async def _ensure_browser(self):  # noqa: ANN202
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                if self._browser is not None:
                    self.restarts += 1
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, args=CHROME_ARGS, headless=True)
            return self._browser

    async def gather(self, urls: list[str]) -> list[BrowserArtifact]:
        """Artifacts for ``urls``, in the same order."""
        from playwright.async_api import async_playwright
        sem = asyncio.Semaphore(self.concurrency)
        async with async_playwright() as pw:
            self._playwright = pw
            try:
                async def one(i: int, url: str) -> BrowserArtifact:
                    async with sem:
                        return await self._render(i, url)
                return list(await asyncio.gather(*(one(i, u) for i, u in enumerate(urls))))
            finally:
                if self._browser is not None:
                    try:
                        await self._browser.close()
                    except Exception:  # noqa: BLE001 - already gone
                        pass
                self._browser = None

    async def _render(self, index: int, url: str) -> BrowserArtifact:
        art = BrowserArtifact(url=url)
        started = time.monotonic()
        context = None
        try:
            browser = await self._ensure_browser()
            context = await browser.new_context(ignore_https_errors=True,
                                                user_agent=self.user_agent)
            if self.run_axe:
                await context.add_init_script(path=str(self._axe))

            sink = {"requests": art.requests}  # _reject() records what follows the click apart

            async def route(route) -> None:  # noqa: ANN001
                req = route.request
                own = req.url.startswith(("data:", "blob:", "about:")) or self.scope.allows(req.url)
                cmp_host = not own and self.consent is not None and self.consent.allows(req.url)
                allowed = own or cmp_host
                entry = {"url": req.url[:2000], "method": req.method,
                         "resource_type": req.resource_type,
                         "third_party": not own and not req.url.startswith(("data:", "blob:")),
                         "blocked": not allowed}
                if cmp_host:
                    entry["consent_platform"] = True
                sink["requests"].append(entry)
                if allowed:
                    await route.continue_()
                else:
                    await route.abort("blockedbyclient")
            await context.route("**/*", route)
            page = await context.new_page()
            page.set_default_timeout(self.page_timeout_ms)
            response = await page.goto(url, wait_until="load", timeout=self.page_timeout_ms)
            art.final_url = page.url
            art.status = response.status if response else None
            if self.run_axe:
                art.axe = await self._run_axe(page)
            art.final_url = page.url  # again: the page may have navigated itself
            art.dom = (await page.content())[:MAX_DOM_CHARS]
            art.cookies = [{k: c.get(k) for k in ("name", "domain", "path", "expires", "httpOnly",
                                                  "secure", "sameSite")}
                           for c in await context.cookies()]
            art.local_storage = await page.evaluate(
                "() => { try { return Object.keys(window.localStorage); } catch (e) { return []; } }")
            if self.screenshot_dir is not None:
                self.screenshot_dir.mkdir(parents=True, exist_ok=True)
                shot = self.screenshot_dir / f"page-{index:05d}.jpg"  # JPEG: small enough to embed in reports
                await page.screenshot(path=str(shot), type="jpeg", quality=SCREENSHOT_QUALITY,
                                      timeout=self.page_timeout_ms)
                art.screenshot = str(shot)
            if self.consent is not None and url in self.reject_urls:
                art.consent = await self._reject(page, context, sink)
        except asyncio.TimeoutError:
            art.error = "timeout: axe did not finish in time"
        except Exception as exc:  # noqa: BLE001 - any browser failure is the page's error
            name = type(exc).__name__
            art.error = f"{name}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
            if "Timeout" in name:
                art.error = "timeout: " + art.error
        finally:
            if context is not None:
                try:
                    await asyncio.wait_for(context.close(), timeout=10)
                except Exception:  # noqa: BLE001 - a dead browser: restart on next use
                    await self._drop_browser()
            art.seconds = round(time.monotonic() - started, 3)
        return art

    async def _reject(self, page, context, sink: dict) -> dict[str, Any]:  # noqa: ANN001
        """Click the banner's reject button, then reload: what loads now loads after a refusal.

        A platform's own reject selector is tried first, then a button whose whole
        text is a reject wording inside a cookie/consent container. Requests made
        after the click (and on the reload) are recorded apart from the first look's.
        """
        rules = self.consent
        result: dict[str, Any] = {"clicked": False, "selector": None, "text": None, "snippet": None,
                                  "requests_after": [], "cookies_after": [], "local_storage_after": [],
                                  "error": None}
        try:
            button, how = None, None
            for sel in rules.reject_selectors:
                loc = page.locator(sel)
                if await loc.count() and await loc.first.is_visible():
                    button, how = loc.first, sel
                    break
            if button is None and rules.reject_texts:
                loc = page.locator(CONSENT_CONTAINERS).locator(CLICKABLE).filter(has_text=rules.text_pattern)
                for i in range(min(await loc.count(), 10)):
                    if await loc.nth(i).is_visible():
                        button, how = loc.nth(i), "text"
                        break
            if button is None:
                return result
            result["selector"] = how
            result["text"] = ((await button.inner_text(timeout=2000)) or "").strip()[:200]
            result["snippet"] = (await button.evaluate("e => e.outerHTML"))[:SNIPPET_MAX]
            sink["requests"] = result["requests_after"]
            await button.click(timeout=5000)
            result["clicked"] = True
            await self._settle(page)
            await page.reload(wait_until="load", timeout=self.page_timeout_ms)
            await self._settle(page)
            result["cookies_after"] = [{k: c.get(k) for k in ("name", "domain", "path", "expires")}
                                       for c in await context.cookies()]
            result["local_storage_after"] = await page.evaluate(
                "() => { try { return Object.keys(window.localStorage); } catch (e) { return []; } }")
        except Exception as exc:  # noqa: BLE001 - a failed click is evidence, not a crash
            result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        return result

    @staticmethod
    async def _settle(page) -> None:  # noqa: ANN001
        try:
            await page.wait_for_load_state("networkidle", timeout=AFTER_CLICK_WAIT_MS)
        except Exception:  # noqa: BLE001 - a page that never idles: go on with what was seen
            pass

    async def _run_axe(self, page) -> dict[str, Any]:  # noqa: ANN001
        """axe on the page; again, up to 3 times, if the page navigated meanwhile
        (a meta refresh or a script redirect destroys the context axe ran in)."""
        for attempt in (1, 2, 3):
            try:
                return await asyncio.wait_for(
                    page.evaluate(AXE_SCRIPT, [MAX_NODES_PER_RULE, SNIPPET_MAX]),
                    timeout=self.page_timeout_ms / 1000)
            except Exception as exc:  # noqa: BLE001 - playwright.Error has no finer type
                if "context was destroyed" not in str(exc):
                    raise
                await asyncio.sleep(0.3 * attempt)  # let the navigation commit
                await page.wait_for_load_state("load", timeout=self.page_timeout_ms)
                if page.url.startswith("chrome-error:"):
                    raise RuntimeError("the page navigated away to an address outside the "
                                       "portal's scope (meta refresh or script redirect)") from exc
        raise RuntimeError("the page kept navigating (meta refresh or script redirect); "
                           "axe could not run")

    async def _drop_browser(self) -> None:
        async with self._lock:
            if self._browser is not None:
                try:
                    await asyncio.wait_for(self._browser.close(), timeout=5)
                except Exception:  # noqa: BLE001
                    pass
                self._browser = None
                self.restarts += 1


def gather_sync(scope: Scope, urls: list[str], **kwargs: Any) -> list[BrowserArtifact]:
    """Run the gatherer from synchronous code (its own event loop)."""
    return asyncio.run(BrowserGatherer(scope, **kwargs).gather(urls))
