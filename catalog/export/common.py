"""Facts every export format shares: absolute URLs, the citable year, a DOI, the paper behind a
research dataset. ``base_url`` is the site's origin ("https://example.org"), taken from the request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import reverse

from catalog.models import Dataset

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?", re.I)


@dataclass(frozen=True)
class Paper:
    """The paper that introduced a research dataset (Papers with Code / DataFinder records)."""

    title: str
    url: str
    year: int | None = None
    doi: str = ""
    arxiv_id: str = ""


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def page_url(dataset: Dataset, base_url: str) -> str:
    return absolute(base_url, reverse("dataset-detail", args=[dataset.pk]))


def api_url(name: str, dataset: Dataset, base_url: str) -> str:
    return absolute(base_url, reverse(name, args=[dataset.pk]))


def http_url(value: str | None) -> str:
    """Only absolute http(s) URLs leave the catalog as links."""
    value = (value or "").strip()
    parts = urlsplit(value)
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"\s", value) else ""


def doi_of(dataset: Dataset) -> str:
    """The dataset's own DOI when the catalog knows it: ``extra.doi``, or a doi.org landing page."""
    extra = dataset.extra if isinstance(dataset.extra, dict) else {}
    candidates = [extra.get("doi"), dataset.landing_url]
    for value in candidates:
        if isinstance(value, str) and ("doi" in value.lower() or value.startswith("10.")):
            match = _DOI.search(value)
            if match:
                return match.group(1).rstrip(".,;")
    return ""


def paper_of(dataset: Dataset) -> Paper | None:
    extra = dataset.extra if isinstance(dataset.extra, dict) else {}
    title = extra.get("source_paper_title")
    url = http_url(extra.get("paper_url") if isinstance(extra.get("paper_url"), str) else "")
    if not isinstance(title, str) or not title.strip():
        return None
    arxiv = _ARXIV.search(url)
    arxiv_id = arxiv.group(1) if arxiv else ""
    year = 2000 + int(arxiv_id[:2]) if arxiv_id else None
    found = _DOI.search(url)
    doi = f"10.48550/arXiv.{arxiv_id}" if arxiv_id else (found.group(1) if found else "")
    if arxiv_id:  # the abstract page is the citable one, not the PDF
        url = f"https://arxiv.org/abs/{arxiv_id}"
    return Paper(title=" ".join(title.split()), url=url, year=year, doi=doi, arxiv_id=arxiv_id)


def year_of(dataset: Dataset) -> int | None:
    when = dataset.source_created_at or dataset.source_modified_at
    return when.year if when else None


def author_of(dataset: Dataset) -> str:
    """The responsible organisation (a corporate author); "" when the record names none."""
    return dataset.publisher.name if dataset.publisher_id and dataset.publisher else ""


def one_line(value: str) -> str:
    return " ".join((value or "").split())
