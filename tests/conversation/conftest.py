"""Fixtures for the assistant tests: local LLM provider servers and a small real catalog with an index."""

from __future__ import annotations

import datetime as dt

import pytest

from conversation.models import Conversation, Message

from .llm_server import LLMServer


@pytest.fixture
def openai_server(settings):
    server = LLMServer().start()
    settings.OPENAI_BASE_URL = server.url + "/v1"
    settings.OPENAI_API_KEY = "sk-test-openai"
    settings.OPENAI_MODEL = "test-gpt"
    yield server
    server.stop()


@pytest.fixture
def anthropic_server(settings):
    server = LLMServer().start()
    settings.ANTHROPIC_BASE_URL = server.url
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    settings.ANTHROPIC_MODEL = "test-claude"
    yield server
    server.stop()


@pytest.fixture
def fast_llm(settings):
    """Short timeouts and deadlines so failure paths run quickly."""
    settings.LLM_TIMEOUT_SECONDS = 0.5
    settings.LLM_DEADLINE_SECONDS = 5.0
    settings.LLM_MAX_RETRIES = 2
    settings.LLM_CIRCUIT_FAILURES = 3
    settings.LLM_CIRCUIT_COOLDOWN_SECONDS = 60
    return settings


def pending_answer(results: list[dict], *, conversation: Conversation | None = None, query: str = "hdb resale prices") -> Message:
    """A search turn whose answer is still to be written: the user message and the pending assistant one."""
    conversation = conversation or Conversation.objects.create(session_key="s1")
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content=query)
    return Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content="Here are 3 datasets.",
        search={"query": query, "results": results, "total": 3},
        answer_status=Message.AnswerStatus.PENDING,
    )


def hit(id, title, *, publisher="Housing & Development Board", score=0.8, formats=("CSV",), **extra) -> dict:
    """A search hit dict in the /api/search shape."""
    data = {
        "id": id,
        "source": "datagovsg",
        "source_name": "data.gov.sg",
        "external_id": f"d_{id:032x}",
        "title": title,
        "snippet": f"{title}. Published by {publisher}.",
        "publisher": publisher,
        "formats": list(formats),
        "themes": ["Housing"],
        "url": f"https://data.gov.sg/datasets/d_{id:032x}/view",
        "score": score,
        "why": ["title matches your words"],
        "temporal_start": "2017-01-01",
        "temporal_end": "2024-12-31",
        "link_status": "ok",
        "quality_score": 0.8,
    }
    data.update(extra)
    return data


@pytest.fixture
def results() -> list[dict]:
    return [
        hit(101, "HDB Resale Flat Prices"),
        hit(102, "HDB Rental Prices by Town", formats=("CSV", "XLSX")),
        hit(103, "Median Resale Prices for Registered Applications by Town and Flat Type", score=0.6),
    ]


CATALOG = [
    # (external id, title, publisher, formats, themes, start year, end year, description)
    (
        "hdb-resale",
        "HDB Resale Flat Prices",
        "Housing & Development Board",
        ["CSV"],
        ["Housing"],
        1990,
        2024,
        "Resale transactions of HDB flats with town, flat type, floor area and resale price.",
    ),
    (
        "hdb-rental",
        "Renting Out of Flats",
        "Housing & Development Board",
        ["CSV", "XLSX"],
        ["Housing"],
        2021,
        2024,
        "Rental approvals for HDB flats by town and flat type with monthly rent.",
    ),
    (
        "hdb-median",
        "Median Resale Prices by Town and Flat Type",
        "Housing & Development Board",
        ["XLSX"],
        ["Housing"],
        2008,
        2023,
        "Quarterly median resale prices of HDB flats by town.",
    ),
    (
        "rain-monthly",
        "Rainfall Monthly Total",
        "Meteorological Service Singapore",
        ["CSV"],
        ["Environment"],
        1982,
        2023,
        "Total monthly rainfall recorded at the Changi climate station in millimetres.",
    ),
    (
        "psi",
        "Pollutant Standards Index (PSI)",
        "National Environment Agency",
        ["JSON", "CSV"],
        ["Environment"],
        2016,
        2024,
        "Air quality readings: 24-hour PSI and PM2.5 by region of Singapore.",
    ),
    (
        "mrt-ridership",
        "Public Transport Ridership",
        "Land Transport Authority",
        ["CSV"],
        ["Transport"],
        1995,
        2023,
        "Average daily ridership of MRT, LRT and public buses in Singapore.",
    ),
    (
        "cpi",
        "Consumer Price Index (CPI), 2019 As Base Year",
        "Singapore Department of Statistics",
        ["CSV"],
        ["Economy"],
        1961,
        2024,
        "Monthly consumer price index for household goods and services including computers, phones and electronics.",
    ),
    (
        "trade",
        "Merchandise Imports and Exports by Commodity",
        "Singapore Department of Statistics",
        ["CSV"],
        ["Economy", "Trade"],
        1976,
        2024,
        "Values of imports and exports of goods by commodity section.",
    ),
    (
        "gdp",
        "GDP (current US$)",
        "World Bank",
        ["CSV", "XML"],
        ["Economy"],
        1960,
        2023,
        "Gross domestic product at purchaser's prices for every country.",
    ),
    (
        "dengue",
        "Weekly Number of Dengue Cases",
        "National Environment Agency",
        ["CSV"],
        ["Health"],
        2014,
        2023,
        "Weekly counts of dengue and dengue haemorrhagic fever cases in Singapore.",
    ),
]


@pytest.fixture
def catalog(db):
    """A small real catalog, embedded and indexed (uses the embedding model)."""
    return catalog_build()


@pytest.fixture
def catalog_committed(transactional_db):
    """The same catalog, committed (for tests with a real Celery worker)."""
    return catalog_build()


def catalog_build() -> dict:
    from catalog.models import Dataset, Source
    from search.services import index_ensure
    from tests.factories import DatasetFactory, PublisherFactory, SourceFactory

    source = SourceFactory(slug="datagovsg", name="data.gov.sg", kind=Source.Kind.GOVERNMENT, country="Singapore")
    datasets = []
    for ext, title, publisher, formats, themes, start, end, description in CATALOG:
        datasets.append(
            DatasetFactory(
                source=source,
                external_id=ext,
                title=title,
                description=description,
                publisher=PublisherFactory(name=publisher),
                formats=formats,
                themes=themes,
                temporal_start=dt.date(start, 1, 1),
                temporal_end=dt.date(end, 12, 31),
                geographic_coverage="Singapore" if publisher != "World Bank" else "World",
                landing_url=f"https://data.gov.sg/datasets/{ext}",
                quality_score=0.8,
                link_status=Dataset.LinkStatus.OK,
            )
        )
    index_ensure()
    return {d.external_id: d for d in datasets}
