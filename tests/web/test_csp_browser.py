"""The Content-Security-Policy in a real Chromium: nothing is blocked, and the moved handlers still work."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Records every CSP violation the page reports (the policy blocks the thing and fires this event).
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.add_init_script(VIOLATIONS)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def _violations(page, console) -> list[str]:
    return [*page.evaluate("window.__violations || []"), *console]


def test_chat_works_under_the_policy_without_violations(page, web_catalog):
    console = _watch(page)
    page.goto("/")
    expect(page.locator("#suggestions")).to_be_visible()
    page.get_by_label("Your message").fill("HDB resale flat prices")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(1, timeout=60_000)  # a cold model
    # What the inline hx-on handlers used to do, now done by static/js/app.js:
    expect(page.get_by_label("Your message")).to_have_value("")  # the form is reset
    expect(page.locator("#suggestions")).to_have_count(0)  # the suggestions are gone
    expect(page.locator("#chat-status")).to_have_text("The assistant replied. The results follow your message.")
    expect(page.locator(".answer[data-answer-status=ready]").first).to_be_visible()
    assert _violations(page, console) == []


def test_a_failed_send_says_so(page, web_catalog):
    console = _watch(page)
    page.goto("/")
    page.get_by_label("Your message").fill("rain\x00fall")  # refused with 400 by the input guard
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-error")).to_contain_text("not allowed")
    assert _violations(page, console) == []


def test_search_history_and_docs_pages_have_no_violations(page, web_catalog):
    console = _watch(page)
    page.goto("/search?q=rainfall")
    expect(page.locator("#search-results")).to_be_visible()
    page.goto(f"/datasets/{web_catalog[0].pk}/")
    expect(page.locator(".meter rect")).to_have_count(1)  # the quality meter, drawn without a style attribute
    page.goto("/help/")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Dataset Research Assistant API")
    assert _violations(page, console) == []


def test_delete_all_history_asks_first(page, web_catalog):
    page.goto("/")
    page.get_by_label("Your message").fill("rainfall")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(1, timeout=60_000)  # a cold model
    page.goto("/history/")
    button = page.get_by_role("button", name="Delete all history")
    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    page.wait_for_timeout(300)
    expect(page.locator("#conv-heading")).to_be_visible()
    expect(button).to_be_visible()  # dismissed: nothing was deleted
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(page.get_by_text("Your history has been deleted.")).to_be_visible()
