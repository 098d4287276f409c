"""End-to-end (Chromium): multi-select facets, browsing with filters and no query, the Filters drawer
on a phone, and keyboard focus kept on the facet after the HTMX swap."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _facet(page, group: str, label: str):
    return page.locator(f'#search-results a[data-facet="{group}"]', has_text=label)


def _htmx_settled(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def _count(link) -> int:
    return int(link.locator(".facet-count").inner_text().replace(",", ""))


def _summary_total(page) -> int:
    text = page.locator("#results-summary").inner_text()
    return int(re.match(r"\s*([\d,]+) dataset", text).group(1).replace(",", ""))


def test_multi_select_facets_or_within_and_across(page, web_catalog):
    page.goto("/search?q=population+and+prices")
    csv = _facet(page, "format", "CSV")
    expected_csv = _count(csv)
    csv.click()
    expect(page).to_have_url(re.compile(r"format=CSV"))
    expect(_facet(page, "format", "CSV")).to_have_attribute("aria-current", "true")
    assert _summary_total(page) == expected_csv  # the count was what the click gives
    xlsx_count = _count(_facet(page, "format", "XLSX"))  # the format's own selection leaves its counts alone
    _facet(page, "format", "XLSX").click()
    expect(page).to_have_url(re.compile(r"format=CSV&format=XLSX"))
    expect(_facet(page, "format", "XLSX")).to_have_attribute("aria-current", "true")
    expect(_facet(page, "format", "CSV")).to_have_attribute("aria-current", "true")
    either = _summary_total(page)
    assert either <= expected_csv + xlsx_count and either >= max(expected_csv, xlsx_count)
    formats = page.locator("#search-results .card .chips").all_inner_texts()
    assert formats and all("CSV" in f or "XLSX" in f for f in formats)
    # AND across facets: adding a source narrows the OR of formats.
    world_bank = _facet(page, "source", "World Bank")
    wb_count = _count(world_bank)
    world_bank.click()
    expect(page).to_have_url(re.compile(r"source=worldbank"))
    assert _summary_total(page) == wb_count < either
    for source in page.locator("#search-results .card .card-meta").all_inner_texts():
        assert "World Bank" in source
    # A chip removes one value.
    page.locator(".active-filters a", has_text="XLSX").click()
    expect(page).not_to_have_url(re.compile(r"format=XLSX"))
    expect(_facet(page, "format", "CSV")).to_have_attribute("aria-current", "true")


def test_browsing_with_filters_and_no_query(page, web_catalog):
    page.goto("/search?theme=Housing")
    expect(page.locator("#results-summary")).to_contain_text("4 datasets with these filters")
    expect(page.locator("#sort-order")).to_contain_text("Most recently updated")
    titles = page.locator("#search-results .card h3 a").all_inner_texts()
    # Newest first: the fixture's n-th record was modified in month 1 + n of 2024.
    assert titles[0].startswith("Number of resale applications")
    _facet(page, "theme", "Transport").click()
    expect(page).to_have_url(re.compile(r"theme=Housing&theme=Transport"))
    expect(page.locator("#results-summary")).to_contain_text("6 datasets with these filters")


def test_mobile_filters_drawer_comes_first_and_opens(context_factory, web_catalog):
    page = context_factory(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto("/search?q=resale+flat+prices")
    toggle = page.locator("#filters-toggle")
    expect(toggle).to_be_visible()
    facets = page.locator("#search-facets")
    expect(facets).to_be_hidden()  # folded on a phone
    first_card = page.locator("#search-results .card").first
    assert toggle.bounding_box()["y"] < first_card.bounding_box()["y"]  # the filters come before the results
    assert toggle.bounding_box()["y"] < 844  # on the first screen, not after every result
    toggle.click()
    expect(facets).to_be_visible()
    _facet(page, "format", "CSV").click()
    expect(page).to_have_url(re.compile(r"format=CSV"))
    expect(page.locator("#search-facets")).to_be_visible()  # still open after the swap
    expect(page.locator("#filters-toggle")).to_contain_text("1 active")
    page.locator("#filters-toggle").click()
    expect(page.locator("#search-facets")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_wide_screen_shows_filters_without_a_toggle(page, web_catalog):
    page.goto("/search?q=resale+flat+prices")
    expect(page.locator("#search-facets")).to_be_visible()
    expect(page.locator("#filters-toggle")).to_be_hidden()


def test_focus_stays_on_the_facet_after_a_keyboard_click(page, web_catalog):
    page.goto("/search?q=population+and+prices")
    link = _facet(page, "format", "CSV")
    link_id = link.get_attribute("id")
    _htmx_settled(page)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"format=CSV"))
    expect(page.locator(f"#{link_id}")).to_have_attribute("aria-current", "true")
    expect(page.locator(f"#{link_id}")).to_be_focused()
    # And again to remove it: focus stays on the same control. (Pressed before HTMX has taken over the swapped-in
    # link, Enter would follow it as a plain link and reload the page.)
    _htmx_settled(page)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"format=CSV"))
    expect(page.locator(f"#{link_id}")).to_be_focused()
    expect(page.locator(f"#{link_id}")).not_to_have_attribute("aria-current", "true")
    # A removed chip is gone: focus moves to the results summary, not to <body>.
    _facet(page, "source", "World Bank").click()
    expect(_facet(page, "source", "World Bank")).to_have_attribute("aria-current", "true")
    _htmx_settled(page)  # a chip pressed before HTMX has taken it over is a plain link (a full page load)
    page.locator(".active-filters a", has_text="World Bank").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results-summary")).to_be_focused()
