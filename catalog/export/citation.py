"""A dataset's citation in BibTeX, RIS, CSL-JSON and as an APA 7 reference line.

The dataset is cited as a data set (BibTeX ``@misc``, RIS ``DATA``, CSL ``dataset``) with its
publisher as corporate author, the portal as publisher, the year it was published (else last
modified), its DOI when known and otherwise its landing page. A research dataset also cites the
paper that introduced it (``extra.source_paper_title`` / ``extra.paper_url``; arXiv papers get
their arXiv DOI). Every catalog string is escaped for the target format: BibTeX specials,
RIS/APA line breaks (a new line would start a new RIS tag).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from catalog.models import Dataset

from .common import Paper, author_of, doi_of, http_url, one_line, page_url, paper_of, year_of

FORMATS: dict[str, tuple[str, str]] = {
    # format -> (content type, file extension)
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
    "apa": ("text/plain; charset=utf-8", "txt"),
}
ABSTRACT_MAX = 1000


@dataclass(frozen=True)
class CitationFacts:
    key: str
    title: str
    author: str
    year: int | None
    publisher: str
    url: str
    doi: str
    abstract: str
    paper: Paper | None


def citation_facts(dataset: Dataset, *, base_url: str) -> CitationFacts:
    key = re.sub(r"[^A-Za-z0-9_:-]+", "_", f"{dataset.source.slug}_{dataset.external_id}").strip("_")[:120]
    description = one_line(dataset.description)
    if len(description) > ABSTRACT_MAX:
        description = description[: ABSTRACT_MAX - 1].rstrip() + "…"
    return CitationFacts(
        key=key or f"dataset_{dataset.pk}",
        title=one_line(dataset.title),
        author=one_line(author_of(dataset)),
        year=year_of(dataset),
        publisher=one_line(dataset.source.name),
        url=http_url(dataset.landing_url) or page_url(dataset, base_url),
        doi=doi_of(dataset),
        abstract=description,
        paper=paper_of(dataset),
    )


# --- BibTeX ------------------------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIALS))


def bibtex_escape(value: str) -> str:
    """Text safe inside a braced BibTeX field: specials escaped, braces always balanced, one line."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIALS[m.group()], one_line(value))


def bibtex_url(value: str) -> str:
    """A URL inside ``url = {...}``: characters that could unbalance the field are percent-encoded."""
    return "".join({"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}.get(c, c) for c in value)


def _bibtex_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def bibtex(dataset: Dataset, *, base_url: str) -> str:
    facts = citation_facts(dataset, base_url=base_url)
    fields = [
        # Double braces: a corporate author, never split into first/last names.
        ("author", f"{{{bibtex_escape(facts.author)}}}" if facts.author else ""),
        ("title", f"{{{bibtex_escape(facts.title)}}}"),  # inner braces keep the capitalisation
        ("year", str(facts.year or "")),
        ("publisher", bibtex_escape(facts.publisher)),
        ("howpublished", bibtex_escape(facts.publisher)),
        ("doi", bibtex_url(facts.doi)),
        ("url", bibtex_url(facts.url)),
        ("note", "Data set"),
    ]
    entries = [_bibtex_entry("misc", facts.key, fields)]
    if facts.paper:
        paper = facts.paper
        paper_fields = [
            ("title", f"{{{bibtex_escape(paper.title)}}}"),
            ("year", str(paper.year or "")),
            ("doi", bibtex_url(paper.doi)),
            ("url", bibtex_url(paper.url)),
        ]
        if paper.arxiv_id:
            paper_fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        entries.append(_bibtex_entry("misc", f"{facts.key}_paper", paper_fields))
    return "\n".join(entries)


# --- RIS ---------------------------------------------------------------------------------------


def _ris_record(kind: str, tags: list[tuple[str, str]]) -> str:
    lines = [f"TY  - {kind}"]
    lines += [f"{tag}  - {one_line(value)}" for tag, value in tags if value and one_line(value)]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def ris(dataset: Dataset, *, base_url: str) -> str:
    facts = citation_facts(dataset, base_url=base_url)
    records = [
        _ris_record(
            "DATA",
            [
                ("TI", facts.title),
                ("AU", facts.author),
                ("PY", str(facts.year or "")),
                ("PB", facts.publisher),
                ("DO", facts.doi),
                ("UR", facts.url),
                ("AB", facts.abstract),
                ("ID", facts.key),
            ],
        )
    ]
    if facts.paper:
        paper = facts.paper
        records.append(
            _ris_record(
                "GEN",
                [
                    ("TI", paper.title),
                    ("PY", str(paper.year or "")),
                    ("DO", paper.doi),
                    ("UR", paper.url),
                    ("ID", f"{facts.key}_paper"),
                ],
            )  # fmt: skip
        )
    return "\r\n".join(records)


# --- CSL-JSON and APA --------------------------------------------------------------------------


def csl_items(dataset: Dataset, *, base_url: str) -> list[dict[str, Any]]:
    facts = citation_facts(dataset, base_url=base_url)
    item: dict[str, Any] = {"id": facts.key, "type": "dataset", "title": facts.title, "publisher": facts.publisher}
    if facts.author:
        item["author"] = [{"literal": facts.author}]
    if facts.year:
        item["issued"] = {"date-parts": [[facts.year]]}
    if facts.doi:
        item["DOI"] = facts.doi
    item["URL"] = facts.url
    if facts.abstract:
        item["abstract"] = facts.abstract
    items = [item]
    if facts.paper:
        paper = facts.paper
        paper_item: dict[str, Any] = {"id": f"{facts.key}_paper", "type": "article", "title": paper.title}
        if paper.year:
            paper_item["issued"] = {"date-parts": [[paper.year]]}
        if paper.doi:
            paper_item["DOI"] = paper.doi
        if paper.url:
            paper_item["URL"] = paper.url
        if paper.arxiv_id:
            paper_item["publisher"] = "arXiv"
        items.append(paper_item)
    return items


def csl_json(dataset: Dataset, *, base_url: str) -> str:
    return json.dumps(csl_items(dataset, base_url=base_url), ensure_ascii=False, indent=2) + "\n"


def _sentence(value: str) -> str:
    return value if value.endswith((".", "?", "!")) else value + "."


def apa(dataset: Dataset, *, base_url: str) -> str:
    """APA 7 reference for a data set: ``Author. (Year). Title [Data set]. Publisher. URL``.

    Without an author the title takes its place; the publisher is left out when it is the author.
    """
    facts = citation_facts(dataset, base_url=base_url)
    year = f"({facts.year})." if facts.year else "(n.d.)."
    link = f"https://doi.org/{facts.doi}" if facts.doi else facts.url
    publisher = f" {_sentence(facts.publisher)}" if facts.publisher and facts.publisher != facts.author else ""
    if facts.author:
        line = f"{_sentence(facts.author)} {year} {facts.title} [Data set].{publisher} {link}"
    else:
        line = f"{facts.title} [Data set]. {year}{publisher} {link}"
    lines = [line]
    if facts.paper:
        paper = facts.paper
        paper_year = f"({paper.year})." if paper.year else "(n.d.)."
        paper_link = f"https://doi.org/{paper.doi}" if paper.doi else paper.url
        venue = " arXiv." if paper.arxiv_id else ""
        lines.append(f"Introduced in: {_sentence(paper.title)} {paper_year}{venue} {paper_link}".rstrip())
    return "\n".join(lines) + "\n"


RENDERERS = {"bibtex": bibtex, "ris": ris, "csl-json": csl_json, "apa": apa}


def citation_render(dataset: Dataset, *, fmt: str, base_url: str) -> str:
    """The citation in ``fmt`` (one of FORMATS; the caller checked it)."""
    return RENDERERS[fmt](dataset, base_url=base_url)
