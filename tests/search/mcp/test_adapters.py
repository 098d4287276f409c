"""The MCP tools' citation and preview seams."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.export import citation
from search.mcp import adapters
from tests.factories import DatasetFactory, PublisherFactory, SourceFactory


@pytest.fixture
def gdp(db):
    source = SourceFactory(slug="worldbank", name="World Bank Open Data")
    return DatasetFactory(
        source=source,
        publisher=PublisherFactory(name="World Bank"),
        title="GDP per capita (current US$)",
        landing_url="https://data.worldbank.org/indicator/NY.GDP.PCAP.CD",
        source_modified_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("style", list(citation.FORMATS))
def test_every_style_is_the_catalog_citation_service(settings, gdp, style):
    payload = adapters.citation_payload(gdp, style=style)
    assert payload["style"] == style
    assert payload["text"] == citation.citation_render(gdp, fmt=style, base_url=settings.SITE_URL)
    assert payload["media_type"] == citation.FORMATS[style][0]
    assert "GDP per capita" in payload["text"] and "2024" in payload["text"]


def test_an_unknown_style_is_refused_by_name(gdp):
    with pytest.raises(adapters.CitationUnavailable, match="Unknown citation style 'mla'"):
        adapters.citation_payload(gdp, style="mla")
