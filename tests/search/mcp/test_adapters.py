"""The interim citation and preview adapters (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from search.mcp import adapters
from tests.factories import DatasetFactory, PublisherFactory, SourceFactory


def dataset(**fields):
    source = SourceFactory.build(slug="worldbank", name="World Bank Open Data")
    fields.setdefault("publisher", PublisherFactory.build(name="World Bank"))
    return DatasetFactory.build(source=source, **fields)


def test_apa_line_from_the_dataset_fields():
    d = dataset(
        title="GDP  per capita (current US$).",
        landing_url="https://data.worldbank.org/indicator/NY.GDP.PCAP.CD",
        source_modified_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
    )
    assert adapters.citation_payload(d, style="apa") == {
        "style": "apa",
        "text": "World Bank. (2024). GDP per capita (current US$) [Data set]. World Bank Open Data. "
        "https://data.worldbank.org/indicator/NY.GDP.PCAP.CD",
        "media_type": "text/plain",
    }


def test_apa_without_publisher_date_or_safe_link():
    d = dataset(publisher=None, title="Rainfall", landing_url="javascript:alert(1)")
    assert adapters.citation_payload(d, style="apa")["text"] == "World Bank Open Data. (n.d.). Rainfall [Data set]."


def test_other_styles_and_previews_wait_for_their_services():
    with pytest.raises(adapters.CitationUnavailable, match="ris citation style is not available yet"):
        adapters.citation_payload(dataset(), style="ris")
    assert adapters.preview_payload(dataset(), max_rows=5)["status"] == "unavailable"
