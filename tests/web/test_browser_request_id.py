"""End-to-end (real Chromium): the chat form's request id makes a resent turn a replay, and the page
renews it after each turn so the next message is a new turn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESEND_TWICE = """async () => {
  const form = document.getElementById("chat-form");
  form.querySelector("[name=message]").value = "HDB resale flat prices";
  const send = () => fetch(form.action, {method: "POST", body: new FormData(form), headers: {"HX-Request": "true"}})
    .then((r) => r.status);
  return Promise.all([send(), send()]);  // a double submit: the same form, twice at once
}"""


def test_a_turn_sent_twice_from_the_page_is_stored_once_and_the_next_turn_is_new(page, web_catalog):
    from conversation.models import Conversation, Message

    page.goto("/")
    page.get_by_label("Your message").fill("only CSV")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(1, timeout=60_000)
    # The response swapped a new id into the form: the following turn is a new one, not a replay.
    first_id = page.locator("#chat-request-id").get_attribute("value")
    page.get_by_label("Your message").fill("only CSV")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(2, timeout=60_000)
    assert page.locator("#chat-request-id").get_attribute("value") not in (first_id, None)
    assert Message.objects.filter(role="user", content="only CSV").count() == 2

    # A new conversation's first turn, sent twice at once: one conversation, one turn.
    page.reload()
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator("article.turn-assistant")).to_have_count(0, timeout=60_000)
    assert page.evaluate(RESEND_TWICE) == [200, 200]
    assert Message.objects.filter(role="user", content="HDB resale flat prices").count() == 1
    assert Conversation.objects.count() == 2
    page.reload()
    expect(page.locator("article.turn-assistant")).to_have_count(1, timeout=60_000)
