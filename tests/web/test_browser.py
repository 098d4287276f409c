"""End-to-end: a real Chromium (Playwright) against the live server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _ask(page, text: str):
    turns_before = page.locator("article.turn-assistant").count()
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(turns_before + 1)
    return page.locator("article.turn-assistant").last


def _full_height_screenshot(page, path):
    """A tall viewport rather than full_page, so the sticky message box sits at the bottom."""
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": height})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1280, "height": 900})


def test_search_and_facet_click_refine_without_reload(page, web_catalog, screenshot_dir):
    page.goto("/search?q=resale+flat+prices")
    expect(page.locator("#search-results .card").first).to_be_visible()
    assert "Resale flat prices" in page.locator("#search-results .card").first.inner_text()
    page.evaluate("window.__marker = 'same page'")  # survives only if there is no full reload
    page.screenshot(path=str(screenshot_dir / "search.png"), full_page=True)

    facet = page.locator("a[data-facet=format]", has_text="XLSX")
    facet_count = int(facet.locator(".facet-count").inner_text())
    facet.click()
    expect(page).to_have_url(re.compile(r"format=XLSX"))
    expect(page.locator("a[data-facet=format][aria-current=true]")).to_contain_text("XLSX")
    cards = page.locator("#search-results .card")
    expect(cards).to_have_count(facet_count)
    for i in range(cards.count()):
        expect(cards.nth(i).locator(".chip", has_text="XLSX")).to_have_count(1)
    assert page.evaluate("window.__marker") == "same page"

    # the back button restores the unfiltered results, and the URL is shareable
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"format="))
    expect(page.locator("a[data-facet=format][aria-current=true]")).to_have_count(0)
    shared = page.context.new_page()
    shared.goto("/search?q=resale+flat+prices&format=XLSX")
    expect(shared.locator("#search-results .card")).to_have_count(facet_count)


def test_open_a_dataset_from_results(page, web_catalog, screenshot_dir):
    page.goto("/search?q=daily+rainfall")
    page.locator("#search-results .card h3 a", has_text="Historical daily rainfall").click()
    expect(page.locator("h1")).to_have_text("Historical daily rainfall")
    expect(page.get_by_text("National Environment Agency").first).to_be_visible()
    expect(page.locator("#prov-heading")).to_be_visible()
    expect(page.get_by_text("Quality score")).to_be_visible()
    expect(page.locator(".similar li").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "dataset.png"), full_page=True)


def test_chat_turn_shows_results_then_answer_and_refines(page, web_catalog, screenshot_dir):
    streamed = []
    page.on("request", lambda r: streamed.append(r.url) if "/stream" in r.url else None)
    page.goto("/")
    with page.expect_response(lambda r: "/chat/send" in r.url) as sent:
        turn = _ask(page, "HDB resale flat prices")
    assert 'data-answer-status="pending"' in sent.value.text()  # results first, the answer follows
    expect(turn.locator(".card").first).to_be_visible()
    expect(turn.locator(".answer[data-answer-status=ready]")).to_be_visible()
    assert streamed, "the answer was swapped in from its event stream"
    expect(turn.locator(".answer-text")).not_to_be_empty()
    assert turn.locator(".answer-region").get_attribute("aria-live") == "polite"

    refined = _ask(page, "only CSV")
    expect(refined.locator(".turn-reply")).to_contain_text("CSV")
    cards = refined.locator(".card")
    expect(cards.first).to_be_visible()
    for i in range(cards.count()):
        expect(cards.nth(i).locator(".chip", has_text="CSV")).to_have_count(1)
    expect(refined.locator(".answer[data-answer-status=ready]")).to_be_visible()
    _full_height_screenshot(page, screenshot_dir / "chat.png")

    # the conversation survives a reload
    page.reload()
    expect(page.locator("article.turn-assistant")).to_have_count(2)
    expect(page.locator(".turn-user").first).to_have_text(re.compile("HDB resale flat prices"))

    # thumbs up on a result is stored
    from activity.models import Feedback

    page.locator("article.turn-assistant").last.locator(".card").first.get_by_role(
        "button", name=re.compile("Thumbs up")
    ).click()
    expect(page.locator("article.turn-assistant").last.locator(".card").first.locator(".feedback-status")).to_have_text(
        "Thanks, noted."
    )
    feedback = Feedback.objects.get()
    assert (feedback.target, feedback.value, feedback.rank) == ("result", 1, 1)


@pytest.mark.worker
def test_ai_answer_swaps_in_from_the_worker(page, web_catalog, celery_worker):
    """With a real Celery worker the turn renders with a pending answer that streams in as the
    worker writes it (the built-in responder pauses between sentences on a worker)."""
    streamed = []
    page.on("request", lambda r: streamed.append(r.url) if "/stream" in r.url else None)
    page.add_init_script(
        "window.__chunks = 0; new MutationObserver(() => { const el = document.querySelector('[data-chunks]');"
        " if (el) window.__chunks = Math.max(window.__chunks, +el.dataset.chunks); })"
        ".observe(document, {subtree: true, childList: true, attributes: true});"
    )
    page.goto("/")
    with page.expect_response(lambda r: "/chat/send" in r.url) as sent:
        turn = _ask(page, "rainfall in Singapore")
    assert 'data-answer-status="pending"' in sent.value.text()
    expect(turn.locator(".answer[data-answer-status=ready]")).to_be_visible(timeout=60_000)
    expect(turn.locator(".answer-text")).not_to_be_empty()
    assert streamed, "the answer's event stream was never opened"
    assert page.evaluate("window.__chunks") >= 2, "the summary arrived in several chunks"


def test_sign_up_log_in_history_and_delete(page, web_catalog):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password confirmation").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()
    _ask(page, "dengue cases")
    page.goto("/search?q=bus+ridership")
    expect(page.locator("#search-results .card").first).to_be_visible()

    page.get_by_role("button", name=re.compile("Log out")).click()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="My history").click()
    expect(page.locator("#search-history")).to_contain_text("bus ridership")
    expect(page.locator("#search-history")).to_contain_text("dengue")
    expect(page.locator("#conversation-history li")).to_have_count(1)

    # delete one search in place, then everything
    row = page.locator("#search-history li", has_text="bus ridership")
    row.get_by_role("button", name=re.compile("Delete")).click()
    expect(page.locator("#search-history li", has_text="bus ridership")).to_have_count(0)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete all history").click()
    expect(page.get_by_text("No conversations yet")).to_be_visible()
    expect(page.get_by_text("No searches yet")).to_be_visible()
    from activity.models import SearchHistory
    from conversation.models import Conversation

    assert not SearchHistory.objects.filter(user__username="ada").exists()
    assert not Conversation.objects.filter(user__username="ada").exists()


def test_search_form_works_without_javascript(context_factory, web_catalog):
    page = context_factory(java_script_enabled=False).new_page()
    page.goto("/")
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search datasets").fill("GDP per capita")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=GDP"))
    expect(page.locator("#search-results .card").first).to_contain_text("GDP per capita")
    page.locator("a[data-facet=source]", has_text="World Bank").click()  # a plain link: full page load
    expect(page).to_have_url(re.compile(r"source=worldbank"))
    # the chat form also works as a plain POST with a redirect back
    page.goto("/")
    page.get_by_label("Your message").fill("CO2 emissions per country")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant .card").first).to_be_visible()


def test_mobile_viewport_results_take_full_width(context_factory, web_catalog, screenshot_dir):
    page = context_factory(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto("/search?q=resale+flat+prices")
    card = page.locator("#search-results .card").first
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box["width"] >= 390 - 2 * 20  # only the page padding around it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scrolling
    page.screenshot(path=str(screenshot_dir / "mobile-search.png"), full_page=False)
    page.goto("/")
    _ask(page, "HDB resale flat prices")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "mobile-chat.png"), full_page=False)


def test_home_page_screenshot_and_keyboard(page, web_catalog, screenshot_dir):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Dataset Research Assistant")
    page.screenshot(path=str(screenshot_dir / "home.png"), full_page=True)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    # keyboard only: type and press Enter
    page.get_by_label("Your message").focus()
    page.keyboard.type("population by planning area")
    page.keyboard.press("Enter")
    expect(page.locator("article.turn-assistant .card").first).to_be_visible()


AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"  # axe-core, MPL-2.0, vendored from npm


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(context_factory, web_catalog):
    """axe-core (WCAG 2.1 AA rules: labels, contrast, landmarks, names) on every main page."""
    # axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids.
    page = context_factory(bypass_csp=True).new_page()
    page.goto("/")
    problems = {"/ (empty)": _axe_violations(page)}
    _ask(page, "HDB resale flat prices")
    problems["/ (chat)"] = _axe_violations(page)
    dataset_id = web_catalog[4].pk
    for url in (
        "/search?q=resale+flat+prices",
        f"/datasets/{dataset_id}/",
        "/help/",
        "/history/",
        "/saved/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ):
        page.goto(url)
        problems[url] = _axe_violations(page)
    assert {url: found for url, found in problems.items() if found} == {}


def test_api_docs_load_without_third_party_requests(page, live_server):
    """Swagger UI comes from our static files (drf-spectacular-sidecar); the fixture fails on any CDN request."""
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Dataset Research Assistant API")


def test_chat_chips_remove_one_by_one_and_comparison_table(page, web_catalog, screenshot_dir):
    page.goto("/")
    first = _ask(page, "HDB resale flat prices")
    expect(first.locator(".card").first).to_be_visible()
    titles = first.locator(".card h3").all_inner_texts()
    assert any("quarterly" in t.lower() for t in titles)

    narrowed = _ask(page, "not the quarterly ones, and leave out anything from NEA")
    chips = narrowed.locator(".state-chip")
    expect(chips).to_have_count(2)
    expect(narrowed.locator(".turn-reply")).to_contain_text("undo")
    for card in narrowed.locator(".card h3").all_inner_texts():
        assert "quarterly" not in card.lower()

    # Removing one chip keeps the other and searches again in place (no reload).
    page.evaluate("window.__marker = 'same page'")
    chips.filter(has_text="quarterly").get_by_role("button", name=re.compile("Remove filter")).click()
    expect(page.locator("article.turn-assistant")).to_have_count(3)
    latest = page.locator("article.turn-assistant").last
    expect(latest.locator(".state-chip")).to_have_count(1)
    expect(latest.locator(".state-chip")).to_contain_text("National Environment Agency")
    expect(latest.locator(".card h3", has_text=re.compile("quarterly", re.I))).to_have_count(1)
    assert page.evaluate("window.__marker") == "same page"

    compared = _ask(page, "compare the first two")
    table = compared.locator("table.comparison")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("thead th")).to_contain_text(["Dataset", "Publisher", "Coverage"])
    expect(table.locator("tbody th a").first).to_have_attribute("href", re.compile(r"^/datasets/\d+/$"))
    _full_height_screenshot(page, screenshot_dir / "chat-refinements.png")


def test_chip_removal_works_without_javascript(context_factory, web_catalog):
    page = context_factory(java_script_enabled=False).new_page()
    page.goto("/")
    page.get_by_label("Your message").fill("HDB resale flat prices")
    page.get_by_role("button", name="Send").click()
    page.get_by_label("Your message").fill("CSV only")
    page.get_by_role("button", name="Send").click()
    chip = page.locator("article.turn-assistant").last.locator(".state-chip")
    expect(chip).to_contain_text("CSV")
    chip.get_by_role("button", name=re.compile("Remove filter")).click()
    latest = page.locator("article.turn-assistant").last
    expect(latest.locator(".turn-reply")).to_contain_text("Removed")
    expect(latest.locator(".state-chip")).to_have_count(0)
