"""Refresh the README screenshots from a running server with the demo catalog.

    .venv/bin/python manage.py bootstrap && .venv/bin/python manage.py runserver 127.0.0.1:8765 &
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8765

Uses Debian's Chromium through Playwright (never `playwright install`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def ask(page, text: str) -> None:
    before = page.locator("article.turn-assistant").count()
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.turn-assistant")).to_have_count(before + 1, timeout=60_000)
    expect(page.locator("article.turn-assistant").last.locator(".answer[data-answer-status=ready]")).to_be_visible(
        timeout=60_000
    )


def tall(page, path: Path, width: int = 1280) -> None:
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2600)
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(path))


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        page.goto("/")
        page.screenshot(path=str(HERE / "home.png"))
        ask(page, "HDB resale flat prices by town")
        ask(page, "only CSV")
        tall(page, HERE / "chat.png")

        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/search?q=rainfall")
        page.locator("a[data-facet=format]").first.click()
        expect(page.locator("a[data-facet=format][aria-current=true]")).to_have_count(1)
        tall(page, HERE / "search.png")

        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#search-results .card h3 a").first.click()
        expect(page.locator("#prov-heading")).to_be_visible()
        tall(page, HERE / "dataset.png")

        mobile = browser.new_context(
            base_url=base, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        ).new_page()
        mobile.goto("/search?q=public+transport+ridership")
        mobile.screenshot(path=str(HERE / "mobile-search.png"))
        mobile.goto("/")
        ask(mobile, "dengue cases in Singapore")
        mobile.screenshot(path=str(HERE / "mobile-chat.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765")
