"""End-to-end (Chromium): a user logs in, saves a search; a matching dataset arrives; "New for you" shows it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _add_rainfall_dataset(web_catalog):
    """A harvest-like write: the dataset, then the catalog's signal (re-index and matching on commit)."""
    from catalog.signals import datasets_changed_send
    from tests.factories import DatasetFactory

    rain = next(d for d in web_catalog if d.title == "Historical daily rainfall")
    with transaction.atomic():
        added = DatasetFactory(
            source=rain.source,
            publisher=rain.publisher,
            title="Hourly rainfall <at> Changi",
            description="Hourly total rainfall in millimetres measured at the Changi climate station, Singapore.",
            formats=["CSV"],
            themes=["Environment"],
            temporal_start=dt.date(2010, 1, 1),
            geographic_coverage="Singapore",
        )
        datasets_changed_send(dataset_ids=[added.pk])
    return added


def test_save_a_search_and_see_a_new_matching_dataset(page, web_catalog, screenshot_dir):
    from tests.factories import UserFactory

    UserFactory(username="ada", password="a long enough passphrase")
    # Anonymous: the search page offers to log in first, and comes back to the search.
    page.goto("/search?q=rainfall+in+millimetres")
    expect(page.locator("#search-results .card").first).to_be_visible()
    page.get_by_role("link", name="Log in to save this search").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/search\?q=rainfall"))

    page.get_by_label("E-mail me new matches").check()
    page.evaluate("window.__marker = 'same page'")
    page.get_by_role("button", name="Save this search").click()
    expect(page.locator("#save-search")).to_contain_text("Search saved")
    assert page.evaluate("window.__marker") == "same page"  # swapped in place, no reload

    page.get_by_role("link", name="New for you").first.click()
    expect(page.locator("h1")).to_have_text("New for you")
    expect(page.locator("#saved-searches")).to_contain_text("rainfall in millimetres")
    expect(page.get_by_text("Nothing new since you last looked")).to_be_visible()

    added = _add_rainfall_dataset(web_catalog)
    page.reload()
    new = page.locator(".new-matches li", has_text="Hourly rainfall <at> Changi")
    expect(new).to_have_count(1)
    expect(page.locator("#saved-searches .badge")).to_have_text("1 new")
    page.screenshot(path=str(screenshot_dir / "saved-searches.png"), full_page=True)
    new.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(added.title)

    page.go_back()
    page.get_by_role("button", name=re.compile("^Mark seen")).click()
    expect(page.get_by_text("Nothing new since you last looked")).to_be_visible()
    expect(page.locator(".new-matches li")).to_have_count(0)


def test_saved_search_pages_have_no_serious_accessibility_violations(context_factory, web_catalog):
    from tests.factories import UserFactory
    from tests.web.test_browser import _axe_violations

    UserFactory(username="ada", password="a long enough passphrase")
    page = context_factory(bypass_csp=True).new_page()  # axe-core is injected inline
    page.goto("/accounts/login/?next=/search%3Fq%3Drainfall")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Save this search")).to_be_visible()
    problems = {"/search (save box)": _axe_violations(page)}
    page.get_by_role("button", name="Save this search").click()
    expect(page.locator("#save-search")).to_contain_text("Search saved")
    _add_rainfall_dataset(web_catalog)
    page.goto("/saved/")
    expect(page.locator(".new-matches li")).to_have_count(1)
    problems["/saved/"] = _axe_violations(page)
    assert {url: found for url, found in problems.items() if found} == {}
