"""SVG graphics for reports: the label badge and the chart of principle scores.

Plain SVG with presentation attributes only (no scripts, no style attributes),
so it renders under the HTML report's strict Content-Security-Policy and also
as a standalone file. Every text placed in it is escaped: a model file may be
written by anyone.
"""
from __future__ import annotations

from html import escape
from typing import Any

LEVEL_COLOURS = {3: "#8a6d00", 2: "#5b6770", 1: "#8c4a1f"}   # gold, silver, bronze (AA contrast on white text)
NO_LEVEL = "#6b6b6b"
BAR_COLOUR = "#1f5fa8"
UNSURE_COLOUR = "#c7d4e6"


def _text_width(text: str, size: int = 11) -> int:
    return int(len(text) * size * 0.62) + 10


def badge_svg(level: dict[str, Any] | None, label: str = "citylabel") -> str:
    """A shields-style badge: "citylabel | Gold" (or "no level", "Silver (review)")."""
    value = "no level" if not level else level["name"] + (" (review)" if level.get("pending_review") else "")
    colour = NO_LEVEL if not level else LEVEL_COLOURS.get(int(level.get("rank", 0)), NO_LEVEL)
    lw, vw = _text_width(label), _text_width(value)
    w = lw + vw
    title = f"{label}: {value}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" '
            f'aria-label="{escape(title)}" class="badge"><title>{escape(title)}</title>'
            f'<rect width="{lw}" height="20" fill="#333333"/>'
            f'<rect x="{lw}" width="{vw}" height="20" fill="{colour}"/>'
            f'<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
            f'<text x="{lw // 2}" y="14" text-anchor="middle">{escape(label)}</text>'
            f'<text x="{lw + vw // 2}" y="14" text-anchor="middle" class="badge-level">{escape(value)}</text>'
            f"</g></svg>")


def principles_chart_svg(principles: list[dict[str, Any]], width: int = 640) -> str:
    """Horizontal bars, one per principle: the score, and a lighter band for the share
    of the principle's weight still undecided (its confidence gap)."""
    label_w, bar_w, row_h = 260, width - 260 - 110, 26
    rows = []
    for i, p in enumerate(principles):
        y = i * row_h + 6
        score, conf = p.get("score"), p.get("confidence")
        title = str(p.get("title") or p.get("id"))
        shown = "n/a" if score is None else f"{score:.0%}"
        if conf is not None and conf < 1:
            shown += f" (confidence {conf:.0%})"
        bar = 0 if score is None else max(1, int(bar_w * score))
        unsure = 0 if conf is None else int(bar_w * (1 - conf))
        rows.append(
            f'<g class="principle-bar" data-principle="{escape(str(p.get("id")))}">'
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12">{escape(title[:40])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="18" fill="#eeeeee"/>'
            + (f'<rect x="{label_w + bar_w - unsure}" y="{y}" width="{unsure}" height="18" fill="{UNSURE_COLOUR}"/>'
               if unsure else "")
            + f'<rect x="{label_w}" y="{y}" width="{bar}" height="18" fill="{BAR_COLOUR}" class="score"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{escape(shown)}</text></g>')
    height = len(principles) * row_h + 12
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="Score per principle" class="principles-chart" font-family="Verdana,DejaVu Sans,sans-serif">'
            f"<title>Score per principle</title>{''.join(rows)}</svg>")


TREND_COLOURS = ("#1f5fa8", "#b3541e", "#2e7d32", "#6a1b9a", "#8c6d00", "#00796b", "#c62828", "#455a64", "#ad1457")


def trend_chart_svg(runs: list[dict[str, Any]], width: int = 720, height: int = 260) -> str:
    """One line per principle over the runs (``runs``: [{"label", "scores": {id: score|None}}]);
    a legend names each line; undecided scores leave a gap."""
    ids = sorted({pid for r in runs for pid in r["scores"]})
    left, right, top, bottom = 40, 200, 10, 30
    w, h = width - left - right, height - top - bottom
    n = max(1, len(runs) - 1)
    parts = [f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#555555"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#555555"/>']
    for frac in (0, 0.5, 1):
        y = top + h - frac * h
        parts.append(f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" font-size="10">{int(frac * 100)}%</text>')
    for i, r in enumerate(runs):
        x = left + (i / n) * w if len(runs) > 1 else left + w / 2
        parts.append(f'<text x="{x:.1f}" y="{top + h + 16}" text-anchor="middle" font-size="10">{escape(str(r["label"]))}</text>')
    for k, pid in enumerate(ids):
        colour = TREND_COLOURS[k % len(TREND_COLOURS)]
        points = []
        for i, r in enumerate(runs):
            s = r["scores"].get(pid)
            if s is not None:
                x = left + (i / n) * w if len(runs) > 1 else left + w / 2
                points.append(f"{x:.1f},{top + h - s * h:.1f}")
        if points:
            parts.append(f'<polyline class="trend" data-principle="{escape(pid)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2" points="{" ".join(points)}"/>')
        parts.append(f'<rect x="{left + w + 12}" y="{top + k * 16}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + w + 26}" y="{top + k * 16 + 9}" font-size="11">{escape(pid)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="Principle scores over time" class="trend-chart" font-family="Verdana,DejaVu Sans,sans-serif">'
            f'<title>Principle scores over time</title>{"".join(parts)}</svg>')
