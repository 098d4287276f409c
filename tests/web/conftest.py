"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a
# thread unless told this is fine (the test itself is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def browser():
    # Module scope, not session: Playwright's sync API keeps an event loop running while it is
    # open, which would break later tests that call asyncio.run() (the link checker's).
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context_factory(browser, live_server):
    contexts = []
    third_party: list[str] = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)

        # The pages must not make third-party requests: record and block any.
        def block(route):
            third_party.append(route.request.url)
            route.abort()

        context.route(lambda url: not url.startswith(live_server.url), block)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert third_party == [], f"third-party requests: {third_party}"


@pytest.fixture
def page(context_factory):
    return context_factory().new_page()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """docs/screenshots when SCREENSHOTS=1 (to refresh the README images), a temp dir otherwise."""
    if os.environ.get("SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


CATALOG = [
    # (source, publisher, title, description, formats, themes, start, end, link)
    (
        "datagovsg",
        "Housing & Development Board",
        "Resale flat prices based on registration date from Jan-2017 onwards",
        "Resale prices of HDB flats by town, flat type, floor area and lease, based on the registration date.",
        ["CSV"],
        ["Housing"],
        2017,
        2025,
        "ok",
    ),
    (
        "datagovsg",
        "Housing & Development Board",
        "Resale flat prices based on approval date, 2000 - Feb 2012",
        "Historical resale transactions of HDB flats by town and flat type, based on approval date.",
        ["XLSX"],
        ["Housing"],
        2000,
        2012,
        "ok",
    ),
    (
        "datagovsg",
        "Housing & Development Board",
        "HDB resale price index (1Q2009 = 100), quarterly",
        "Quarterly index of resale prices of HDB flats.",
        ["CSV", "API"],
        ["Housing"],
        1990,
        2025,
        "redirect",
    ),
    (
        "datagovsg",
        "Housing & Development Board",
        "Number of resale applications registered by flat type",
        "Monthly resale applications registered with HDB, by flat type.",
        ["XLSX"],
        ["Housing"],
        2007,
        2024,
        "broken",
    ),
    (
        "datagovsg",
        "National Environment Agency",
        "Historical daily rainfall",
        "Daily total rainfall in millimetres measured at climate stations across Singapore.",
        ["CSV"],
        ["Environment"],
        1980,
        2024,
        "ok",
    ),
    (
        "datagovsg",
        "National Environment Agency",
        "Weekly number of dengue and dengue haemorrhagic fever cases",
        "Weekly counts of dengue cases reported in Singapore.",
        ["CSV"],
        ["Health"],
        2014,
        2023,
        "ok",
    ),
    (
        "datagovsg",
        "Land Transport Authority",
        "Public transport utilisation - average public transport ridership",
        "Average daily ridership of MRT, LRT and public buses in Singapore.",
        ["CSV"],
        ["Transport"],
        1995,
        2023,
        "ok",
    ),
    (
        "datagovsg",
        "Land Transport Authority",
        "Annual motor vehicle population by vehicle type",
        "Number of registered motor vehicles in Singapore by type.",
        ["XLSX"],
        ["Transport"],
        2005,
        2023,
        "unknown",
    ),
    (
        "datagovsg",
        "Department of Statistics",
        "Resident population by planning area and sex",
        "Singapore resident population by planning area, subzone and sex.",
        ["CSV"],
        ["Society"],
        2000,
        2020,
        "ok",
    ),
    (
        "worldbank",
        "World Bank",
        "CO2 emissions (metric tons per capita)",
        "Carbon dioxide emissions from burning fossil fuels and cement manufacture, per person, by country.",
        ["CSV", "API"],
        ["Climate change"],
        1960,
        2020,
        "ok",
    ),
    (
        "worldbank",
        "World Bank",
        "GDP per capita (current US$)",
        "Gross domestic product divided by midyear population, for every country.",
        ["CSV", "API"],
        ["Economy"],
        1960,
        2023,
        "ok",
    ),
    (
        "worldbank",
        "World Bank",
        "Urban population (% of total population)",
        "Share of people living in urban areas, by country.",
        ["CSV"],
        ["Society"],
        1960,
        2023,
        "ok",
    ),
]


@pytest.fixture
def web_catalog(transactional_db):
    """A small realistic catalog, embedded and indexed for real (the model runs on the CPU)."""
    from catalog.models import Source
    from search.services import index_ensure
    from tests.factories import DatasetFactory, DistributionFactory, PublisherFactory, SourceFactory

    sources = {
        "datagovsg": SourceFactory(
            slug="datagovsg", name="data.gov.sg", country="Singapore", homepage="https://data.gov.sg"
        ),
        "worldbank": SourceFactory(
            slug="worldbank", name="World Bank", kind=Source.Kind.INTERNATIONAL, homepage="https://data.worldbank.org"
        ),
    }
    datasets = []
    for i, (source, publisher, title, description, formats, themes, start, end, link) in enumerate(CATALOG):
        dataset = DatasetFactory(
            source=sources[source],
            publisher=PublisherFactory(name=publisher),
            external_id=f"d_{i:04d}",
            title=title,
            description=description,
            formats=formats,
            themes=themes,
            temporal_start=dt.date(start, 1, 1),
            temporal_end=dt.date(end, 12, 31),
            landing_url=f"https://example.org/{source}/d_{i:04d}",
            link_status=link,
            quality_score=0.6 + (i % 4) / 10,
            geographic_coverage="Singapore" if source == "datagovsg" else "World",
            source_modified_at=dt.datetime(2024, 1 + i % 12, 1, tzinfo=dt.UTC),
        )
        for fmt in formats:
            DistributionFactory(dataset=dataset, format=fmt, title=f"{title[:40]} ({fmt})")
        datasets.append(dataset)
    index_ensure()
    return datasets
