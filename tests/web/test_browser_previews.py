"""End-to-end (Chromium): the dataset page shows the preview table, its column profile and an honest
"Preview unavailable" for a file that cannot be read."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.previews import preview_refresh
from tests.catalog.preview_server import PreviewServer
from tests.factories import DatasetFactory, DistributionFactory

pytestmark = [pytest.mark.browser]


@pytest.fixture
def previewed(transactional_db):
    server = PreviewServer()
    dataset = DatasetFactory(title="Resale flat prices")
    good = DistributionFactory(
        dataset=dataset, title="Resale prices (XLSX)", format="XLSX", url=server.url("/files/resale.xlsx")
    )
    bad = DistributionFactory(dataset=dataset, title="Old export", url=server.url("/files/html-as.csv"))
    for dist in (good, bad):
        preview_refresh(distribution_id=dist.pk)
    yield dataset
    server.close()


def test_preview_table_and_column_profile(page, previewed, screenshot_dir):
    page.goto(f"/datasets/{previewed.pk}/")
    first = page.locator('.preview[data-preview-status="ready"]')
    expect(first).to_have_attribute("open", "")
    table = first.locator(".preview-table table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_count(6)
    expect(table.locator("thead th").nth(4)).to_contain_text("resale_price")
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table.locator("tbody tr").first.locator("td").nth(1)).to_have_text("ANG MO KIO")
    expect(first.locator(".preview-summary")).to_contain_text("5 rows · 6 columns")
    expect(first.locator(".preview-note")).to_contain_text("First sheet “Resale” of 2.")

    profile = first.locator(".column-profile")
    expect(profile.locator("tbody")).to_be_hidden()  # collapsed until asked for
    profile.locator("summary").click()
    town = profile.locator("tbody tr").nth(1)
    expect(town.locator("th")).to_have_text("town")
    expect(town).to_contain_text("ANG MO KIO (2), BEDOK (2), TAMPINES (1)")

    other = page.locator('.preview[data-preview-status="unavailable"]')
    other.locator("summary").click()
    expect(other.locator(".preview-unavailable")).to_have_text(
        "Preview unavailable: the link leads to a web page (HTML), not a data file"
    )
    page.screenshot(path=str(screenshot_dir / "dataset-preview.png"), full_page=True)


def test_dataset_page_with_previews_has_no_serious_accessibility_violations(context_factory, previewed):
    from tests.web.test_browser import _axe_violations

    page = context_factory(bypass_csp=True).new_page()  # axe-core is injected as an inline script
    page.goto(f"/datasets/{previewed.pk}/")
    page.locator(".column-profile summary").click()
    assert _axe_violations(page) == []
