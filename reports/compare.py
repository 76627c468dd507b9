"""An observatory view: the portals of a group (a country, a NUTS region) ranked by
their latest assessment, with the quartiles of each principle's scores."""
from __future__ import annotations

from html import escape
from statistics import quantiles
from typing import Any


def rank_portals(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """``reports``: the latest report of each portal. Ranked by level, then mean principle score."""
    rows = []
    for r in reports:
        a = r["assessment"]
        scores = {p["id"]: p["score"] for p in a["principles"]}
        decided = [s for s in scores.values() if s is not None]
        rows.append({"portal": r["portal"]["name"], "country": r["portal"].get("country"), "run": r["run"]["id"],
                     "level": (a["level"] or {}).get("name"), "rank": (a["level"] or {}).get("rank", 0),
                     "mean": round(sum(decided) / len(decided), 4) if decided else None, "scores": scores})
    rows.sort(key=lambda x: (-x["rank"], -(x["mean"] or 0), x["portal"]))
    for i, row in enumerate(rows, 1):
        row["position"] = i
    principles = sorted({pid for row in rows for pid in row["scores"]})
    stats = {}
    for pid in principles:
        values = sorted(s for row in rows if (s := row["scores"].get(pid)) is not None)
        if len(values) >= 2:
            q1, q2, q3 = quantiles(values, n=4, method="inclusive")
        elif values:
            q1 = q2 = q3 = values[0]
        else:
            stats[pid] = None
            continue
        stats[pid] = {"min": values[0], "q1": round(q1, 4), "median": round(q2, 4), "q3": round(q3, 4),
                      "max": values[-1], "n": len(values)}
    return {"portals": rows, "quartiles": stats}


def compare_html(group: str, data: dict[str, Any]) -> str:
    e = lambda v: escape("" if v is None else str(v))  # noqa: E731
    pct = lambda v: "n/a" if v is None else f"{v:.0%}"  # noqa: E731
    pids = sorted(data["quartiles"])
    head = "".join(f'<th scope="col">{e(p)}</th>' for p in pids)
    rows = "".join(f"<tr><td>{r['position']}</td><th scope=\"row\">{e(r['portal'])}</th><td>{e(r['level'] or 'none')}</td>"
                   + "".join(f"<td>{pct(r['scores'].get(p))}</td>" for p in pids) + "</tr>" for r in data["portals"])
    qrows = "".join(f"<tr><th scope=\"row\">{e(p)}</th>" + "".join(
        f"<td>{pct((q or {}).get(k))}</td>" for k in ("min", "q1", "median", "q3", "max")) + "</tr>"
        for p, q in data["quartiles"].items())
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>citylabel observatory: {e(group)}</title>"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head><body><main>"
            f"<h1>Observatory: {e(group)} ({len(data['portals'])} portals)</h1>"
            f"<table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">Portal</th><th scope=\"col\">Level</th>{head}"
            f"</tr></thead><tbody>{rows}</tbody></table><h2>Quartiles per principle</h2>"
            "<table><thead><tr><th scope=\"col\">Principle</th><th scope=\"col\">Min</th><th scope=\"col\">Q1</th>"
            "<th scope=\"col\">Median</th><th scope=\"col\">Q3</th><th scope=\"col\">Max</th></tr></thead>"
            f"<tbody>{qrows}</tbody></table></main></body></html>\n")
