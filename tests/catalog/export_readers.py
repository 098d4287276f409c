"""Independent readers for the export tests: a strict BibTeX reader, a RIS reader, rdflib for
JSON-LD, the Data Package profile's rules, and a snapshot of every field an import sets."""

from __future__ import annotations

import json
import re
import warnings

from rdflib import Graph

from catalog.models import Dataset, DatasetFamily, Distribution, HarvestSource, Publisher, Source, Tag

_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\{": "{",
    r"\}": "}",
    r"\$": "$",
    r"\&": "&",
    r"\%": "%",
    r"\#": "#",
    r"\_": "_",
}


def bibtex_parse(text: str) -> list[dict]:
    """A strict little BibTeX reader: @type{key, name = {balanced braces}, ...}; fails on any imbalance."""
    entries = []
    pos = 0
    while True:
        match = re.compile(r"\s*@(\w+)\{([^,\s]+),").match(text, pos)
        if not match:
            assert text[pos:].strip() == "", f"trailing text: {text[pos:][:80]!r}"
            return entries
        entry = {"ENTRYTYPE": match.group(1), "ID": match.group(2)}
        pos = match.end()
        while True:
            field = re.compile(r"\s*(\w+)\s*=\s*\{").match(text, pos)
            if not field:
                close = re.compile(r"\s*\}").match(text, pos)
                assert close, f"entry not closed at {text[pos : pos + 40]!r}"
                pos = close.end()
                break
            depth, start, i = 1, field.end(), field.end()
            while depth:
                assert i < len(text), "unbalanced braces"
                if text[i] == "\\":
                    i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            value = text[start : i - 1]
            assert "\n" not in value
            entry[field.group(1).lower()] = value
            pos = i
            comma = re.compile(r"\s*,").match(text, pos)
            if comma:
                pos = comma.end()
        entries.append(entry)


def bibtex_text(value: str) -> str:
    value = value.removeprefix("{").removesuffix("}") if value.startswith("{") and value.endswith("}") else value
    return re.sub("|".join(re.escape(k) for k in _UNESCAPE), lambda m: _UNESCAPE[m.group()], value)


def ris_parse(text: str) -> list[dict[str, list[str]]]:
    records, current = [], None
    for line in text.split("\r\n"):
        if not line:
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            current = {"TY": [value]}
        elif tag == "ER":
            records.append(current)
            current = None
        else:
            assert current is not None
            current.setdefault(tag, []).append(value)
    assert current is None
    return records


def as_graph(data: dict) -> Graph:
    """Parse with rdflib's JSON-LD parser; the remote schema.org context becomes an inline @vocab
    (no network in tests: the terms are schema.org's own names)."""
    local = dict(data, **{"@context": {"@vocab": "https://schema.org/"}})
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=json.dumps(local), format="json-ld")
    return graph


def snapshot(*, with_source: bool = True) -> dict:
    """Every field an import sets, per dataset (multi-valued fields as sets: RDF has no order)."""
    out = {}
    for d in Dataset.objects.select_related("source", "publisher").prefetch_related("tags", "distributions"):
        key = (d.source.slug, d.external_id) if with_source else d.external_id
        out[key] = {
            "source": [d.source.slug, d.source.name, d.source.homepage, d.source.kind, d.source.country]
            if with_source
            else None,
            "status": d.status,
            "title": d.title,
            "description": d.description,
            "publisher": d.publisher.name if d.publisher else "",
            "tags": sorted(t.name for t in d.tags.all()),
            "themes": sorted(d.themes),
            "formats": sorted(d.formats),
            "license": d.license,
            "landing_url": d.landing_url,
            "geographic_coverage": d.geographic_coverage,
            "temporal": [d.temporal_start, d.temporal_end],
            "update_frequency": d.update_frequency,
            "source_times": [d.source_created_at, d.source_modified_at],
            "distributions": [[x.title, x.format, x.url, x.media_type] for x in d.distributions.all()],
        }
    return out


def wipe_catalog() -> None:
    Distribution.objects.all().delete()
    Dataset.objects.all().delete()
    DatasetFamily.objects.all().delete()
    HarvestSource.objects.all().delete()
    Publisher.objects.all().delete()
    Tag.objects.all().delete()
    Source.objects.all().delete()


# The Data Package v2 profile's rules we rely on (https://datapackage.org/profiles/2.0/datapackage.json):
# resources required and non-empty, each with a name pattern and a path; names lower-case.
DATA_PACKAGE_RULES = {
    "type": "object",
    "required": ["resources"],
    "properties": {
        "name": {"type": "string", "pattern": "^([-a-z0-9._/])+$"},
        "id": {"type": "string"},
        "title": {"type": "string"},
        "licenses": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "anyOf": [{"required": ["name"]}, {"required": ["path"]}, {"required": ["title"]}],
            },
        },
        "resources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "path"],
                "properties": {
                    "name": {"type": "string", "pattern": "^([-a-z0-9._/])+$"},
                    "path": {"type": "string", "pattern": "^https?://"},
                    "schema": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {
                            "fields": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "type": {
                                            "enum": [
                                                "string",
                                                "number",
                                                "integer",
                                                "boolean",
                                                "object",
                                                "array",
                                                "date",
                                                "time",
                                                "datetime",
                                                "year",
                                                "yearmonth",
                                                "duration",
                                                "geopoint",
                                                "geojson",
                                                "any",
                                            ]  # fmt: skip
                                        }
                                    },
                                },
                            }
                        },
                    },
                },
            },
        },
    },
}
