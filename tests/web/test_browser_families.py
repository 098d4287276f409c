"""End-to-end (Chromium): a grouped result shows its formats as links, a series result its members in
time order, on the search page and in the chat."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESALE = [
    ("Resale Flat Prices (Based on Approval Date), 1990 - 1999", 1990, 1999),
    ("Resale Flat Prices (Based on Approval Date), 2000 - Feb 2012", 2000, 2012),
    ("Resale Flat Prices (Based on Registration Date), From Jan 2015 to Dec 2016", 2015, 2016),
    ("Resale flat prices based on registration date from Jan-2017 onwards", 2017, 2024),
]


@pytest.fixture
def family_catalog(transactional_db):
    from catalog.services import catalog_tidy_and_group
    from search.services import index_ensure
    from tests.factories import DatasetFactory, DistributionFactory, PublisherFactory, SourceFactory

    sg = SourceFactory(slug="datagovsg", name="data.gov.sg", country="Singapore")
    hdb = PublisherFactory(name="Housing and Development Board")
    nea = PublisherFactory(name="National Environment Agency")
    for title, start, end in RESALE:
        d = DatasetFactory(
            source=sg,
            publisher=hdb,
            title=title,
            description="Resale prices of HDB flats by town, flat type, storey range and floor area.",
            temporal_start=dt.date(start, 1, 1),
            temporal_end=dt.date(end, 12, 31),
            extra={"collection": {"id": "189", "name": "Resale Flat Prices"}},
            landing_url=f"https://example.org/resale/{start}",
        )
        DistributionFactory(dataset=d, format="CSV", url=f"https://example.org/resale/{start}.csv")
    for fmt in ("KML", "GEOJSON"):
        d = DatasetFactory(
            source=sg,
            publisher=nea,
            title=f"Dengue Clusters ({fmt})",
            description="Areas with active dengue clusters <b>reported</b> by NEA.",
            formats=[fmt],
            landing_url="https://example.org/dengue-clusters",
        )
        DistributionFactory(dataset=d, format=fmt, url=f"https://example.org/dengue-clusters.{fmt.lower()}")
    DatasetFactory(source=sg, publisher=nea, title="Weekly dengue cases", description="Weekly dengue case counts.")
    catalog_tidy_and_group(notify=False)
    index_ensure()


def test_grouped_result_shows_its_formats_and_series_its_members(page, family_catalog):
    page.goto("/search?q=dengue+clusters+map")
    cards = page.locator("#search-results .card")
    expect(cards.first).to_be_visible()
    grouped = page.locator('#search-results .card[data-family-kind="variants"]')
    expect(grouped).to_have_count(1)  # one result for both formats
    expect(grouped.locator("h3")).to_contain_text("Dengue Clusters")
    expect(grouped.locator("h3")).not_to_contain_text("(KML)")
    links = grouped.locator(".family-formats a.chip-link")
    expect(links).to_have_count(2)
    expect(links.filter(has_text="KML")).to_have_attribute("href", "https://example.org/dengue-clusters.kml")
    expect(links.filter(has_text="GEOJSON")).to_have_attribute("href", "https://example.org/dengue-clusters.geojson")
    expect(grouped.locator(".card-snippet")).to_contain_text("<b>reported</b>")  # catalog text is escaped

    page.goto("/search?q=HDB+resale+flat+prices+since+2017")
    series = page.locator('#search-results .card[data-family-kind="series"]')
    expect(series).to_have_count(1)
    expect(page.locator("#search-results .card").first).to_have_attribute("data-family-kind", "series")
    expect(series.locator("h3")).to_contain_text("from Jan-2017 onwards")
    members = series.locator(".series-list li")
    expect(members.first).to_be_hidden()  # collapsed until opened
    series.locator(".series-members summary").click()
    expect(members).to_have_count(4)
    expect(members.first).to_be_visible()
    periods = [members.nth(i).locator(".series-period").inner_text() for i in range(4)]
    assert periods == ["1990–1999", "2000–2012", "2015–2016", "2017–2024"]
    expect(members.nth(3)).to_have_attribute("aria-current", "true")
    members.nth(0).locator("a").click()
    expect(page.locator("h1")).to_have_text(RESALE[0][0])


def test_chat_results_show_a_series_with_its_members(page, family_catalog):
    page.goto("/")
    before = page.locator("article.turn-assistant").count()
    page.get_by_label("Your message").fill("HDB resale flat prices since 2017")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(before + 1, timeout=60_000)  # first turn warms the router
    turn = page.locator("article.turn-assistant").last
    series = turn.locator('.card[data-family-kind="series"]')
    expect(series).to_have_count(1)
    series.locator(".series-members summary").click()
    expect(series.locator(".series-list li")).to_have_count(4)
    expect(series.locator(".series-list li.series-lead")).to_contain_text(re.compile("2017"))
    expect(series.locator(".family-formats a.chip-link")).to_have_count(1)  # one CSV link: the lead's file
    expect(series.locator(".family-formats a.chip-link")).to_have_attribute("href", "https://example.org/resale/2017.csv")
