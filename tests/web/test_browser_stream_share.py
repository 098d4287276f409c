"""End-to-end (Chromium): the answer streams in over SSE, the no-JS and failed-stream fallbacks
still bring it, and a read-only share link can be created, opened and revoked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_browser import _axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Records every text the streaming summary shows, from the first paint on.
RECORD_STREAM = """
window.__answerTexts = [];
new MutationObserver(() => {
  const el = document.querySelector('.answer-streaming .answer-text');
  const seen = window.__answerTexts;
  if (el && seen[seen.length - 1] !== el.textContent) seen.push(el.textContent);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def _ask(page, text: str):
    """Send a message and wait for its turn (the first one of a test loads models: be patient)."""
    turns_before = page.locator("article.turn-assistant").count()
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(turns_before + 1, timeout=90_000)
    return page.locator("article.turn-assistant").last


def _message_id(turn) -> int:
    return int(turn.get_attribute("id").removeprefix("turn-"))


def _make_pending(message_id: int) -> None:
    """Back to "answer being written", as when a worker has not answered yet."""
    from conversation.models import Message

    Message.objects.filter(pk=message_id).update(answer_status="pending", answer="", answer_data={}, answer_provider="")


def _requests(page, part: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if part in r.url else None)
    return seen


def test_answer_streams_in_over_sse_sentence_by_sentence(page, web_catalog):
    from conversation.answering import answer_generate
    from conversation.models import Message

    streams, polls = _requests(page, "/stream"), _requests(page, "/chat/answers/")
    page.goto("/")
    turn = _ask(page, "HDB resale flat prices")
    expect(turn.locator(".answer[data-answer-status=ready] .answer-text")).not_to_be_empty()
    message_id = _message_id(turn)
    assert any(f"/chat/messages/{message_id}/stream" in url for url in streams)
    assert polls == [], "the stream brought the answer: the page did not poll"

    # A worker that writes slowly: the page shows the summary growing, sentence by sentence.
    _make_pending(message_id)
    page.add_init_script(RECORD_STREAM)
    page.reload()
    expect(page.locator(f"#answer-{message_id}[data-streaming='1']")).to_have_count(1)
    assert answer_generate(message_id=message_id, pace_seconds=0.4)
    ready = page.locator(f"#answer-{message_id}[data-answer-status=ready]")
    expect(ready).to_be_visible()
    summary = Message.objects.get(pk=message_id).answer_data["summary"]
    expect(ready.locator(".answer-text")).to_have_text(summary)
    texts = page.evaluate("window.__answerTexts")
    assert len(texts) >= 3, texts  # several partial states, not one swap
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:], strict=False))
    assert texts[-1] == summary
    # the finished answer's feedback buttons work after the swap (htmx processed it)
    ready.get_by_role("button", name=re.compile("Thumbs up")).click()
    expect(ready.locator(".feedback-status")).to_have_text("Thanks, noted.")
    assert polls == []


def test_when_the_stream_fails_the_page_polls_for_the_answer(page, web_catalog):
    from conversation.answering import answer_generate

    polls = _requests(page, "/chat/answers/")
    page.goto("/")
    turn = _ask(page, "rainfall in Singapore")
    message_id = _message_id(turn)
    expect(turn.locator(".answer[data-answer-status=ready]")).to_be_visible()

    _make_pending(message_id)
    page.route("**/chat/messages/*/stream", lambda route: route.abort())
    page.reload()
    expect(page.locator(f"#answer-{message_id}[data-answer-status=pending]")).to_be_visible()
    page.wait_for_timeout(1500)  # the page is polling now
    assert answer_generate(message_id=message_id)
    expect(page.locator(f"#answer-{message_id}[data-answer-status=ready]")).to_be_visible()
    assert polls, "the failed stream fell back to polling"


def test_without_javascript_the_page_refreshes_until_the_answer_is_in(context_factory, web_catalog):
    from conversation.answering import answer_generate

    page = context_factory(java_script_enabled=False).new_page()
    streams = _requests(page, "/stream")
    page.goto("/")
    page.get_by_label("Your message").fill("CO2 emissions per country")
    page.get_by_role("button", name="Send").click()
    turn = page.locator("article.turn-assistant").last
    expect(turn.locator(".card").first).to_be_visible(timeout=90_000)
    message_id = _message_id(turn)

    _make_pending(message_id)
    page.goto("/")
    expect(page.locator(f"#answer-{message_id}[data-answer-status=pending]")).to_be_visible()
    assert answer_generate(message_id=message_id)
    # no click, no script: the <noscript> refresh reloads the page and the answer is there
    expect(page.locator(f"#answer-{message_id}[data-answer-status=ready] .answer-text")).not_to_be_empty(timeout=10_000)
    assert streams == []


def test_share_a_conversation_read_only_then_revoke_the_link(page, context_factory, web_catalog):
    page.goto("/")
    _ask(page, "HDB resale flat prices")
    refined = _ask(page, "only CSV")
    expect(refined.locator(".state-chip")).not_to_have_count(0)
    page.get_by_role("button", name="Create a read-only link").click()
    link = page.get_by_label("Read-only link")
    expect(link).to_have_value(re.compile(r"/shared/[\w-]{32,}/$"))
    shared_url = link.input_value()

    stranger = context_factory(bypass_csp=True).new_page()  # another browser, no session; axe is injected
    response = stranger.goto(shared_url)
    assert response.status == 200
    expect(stranger.locator("h1")).to_have_text("Shared conversation")
    expect(stranger.locator("article.turn-assistant")).to_have_count(2)
    expect(stranger.locator(".turn-user").first).to_contain_text("HDB resale flat prices")
    expect(stranger.locator("article.turn-assistant .card").first).to_be_visible()
    expect(stranger.locator(".state-chip").first).to_be_visible()
    expect(stranger.locator(".chip-remove")).to_have_count(0)
    expect(stranger.get_by_label("Your message")).to_have_count(0)
    expect(stranger.locator("form.feedback, .feedback button")).to_have_count(0)
    expect(stranger.locator(".answer[data-answer-status=ready]").first).to_be_visible()
    expect(stranger.locator('meta[name="robots"]')).to_have_attribute("content", "noindex, nofollow")
    assert _axe_violations(stranger) == []

    page.get_by_role("button", name="Revoke the link").click()
    expect(page.get_by_role("button", name="Create a read-only link")).to_be_visible()
    assert stranger.reload().status == 404
