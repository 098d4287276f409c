"""Page pieces shared by every page that shows datasets: the result card and safe links.

Catalog text comes from outside: only http(s) URLs are ever rendered as links, and templates
escape every field of the card.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime

LINK_LABELS = {
    "ok": "Link working",
    "redirect": "Link redirects",
    "broken": "Link broken",
    "error": "Link unreachable",
    "unknown": "Link not checked",
}


def _value(hit, name, default=None):
    if isinstance(hit, dict):
        return hit.get(name, default)
    return getattr(hit, name, default)


def _year(value) -> str:
    if not value:
        return ""
    return str(value)[:4]


def safe_url(url) -> str:
    """Only http(s) links from catalog data are ever rendered as links (no javascript: or data: URLs)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def _when(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def hit_card(hit) -> dict:
    """A search hit (SearchHit or its dict) as the plain dict the result card template reads."""
    card = hit.to_dict() if hasattr(hit, "to_dict") else dict(hit)
    start, end = _year(_value(hit, "temporal_start")), _year(_value(hit, "temporal_end"))
    if start and end:
        coverage = start if start == end else f"{start}–{end}"
    else:
        coverage = f"from {start}" if start else (f"until {end}" if end else "")
    link_status = card.get("link_status") or "unknown"
    card.update(
        coverage=coverage,
        url=safe_url(card.get("url")),
        link_status=link_status,
        link_label=LINK_LABELS.get(link_status, "Link not checked"),
        link_checked=_when(card.get("link_checked_at")),
        formats=list(card.get("formats") or []),
        why=list(card.get("why") or []),
    )
    card.update(_family_card(card))
    return card


def _family_card(card: dict) -> dict:
    """What a grouped result shows: its formats as download links (variants), or its members in time
    order (series). Empty for a dataset that stands alone."""
    family = card.get("family") if isinstance(card.get("family"), dict) else None
    members = [m for m in card.get("members") or [] if isinstance(m, dict)]
    if not family or len(members) < 2:
        return {"family_kind": "", "format_links": [], "series_members": []}
    # One link per format: the lead member's file when it has that format, else the first member's.
    by_format: dict[str, dict] = {}
    for m in sorted(members, key=lambda m: not m.get("lead")):
        for d in m.get("distributions") or []:
            fmt = str(d.get("format") or "").upper() or "FILE"
            url = safe_url(d.get("url"))
            if fmt not in by_format or (url and not by_format[fmt]["url"]):
                by_format[fmt] = {"format": fmt, "url": url, "title": str(m.get("title") or "")}
    links = [by_format[f] for f in sorted(by_format)]
    kind = str(family.get("kind") or "")
    series = []
    if kind == "series":
        series = [
            {
                "id": m.get("id"),
                "title": str(m.get("title") or ""),
                "period": str(m.get("period") or ""),
                "lead": bool(m.get("lead")),
            }
            for m in members
        ]
    periods = [str(m["period"]) for m in series if m["period"]]
    return {
        "family_kind": kind,
        "family_title": str(family.get("title") or ""),
        "family_size": len(members),
        "format_links": links,
        "series_members": series,
        "series_span": f"{periods[0].split('–')[0]}–{periods[-1].split('–')[-1]}" if periods else "",
    }
