"""The dataset page's copy buttons, citation downloads and JSON-LD in a real Chromium, under the CSP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.catalog.exports_data import HOSTILE_TEXT, hostile_dataset, research_dataset, world_dataset

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def datasets(transactional_db):
    return {"world": world_dataset(), "research": research_dataset(), "hostile": hostile_dataset()}


@pytest.fixture
def clipboard_page(context_factory):
    context = context_factory(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.add_init_script(VIOLATIONS)
    return page


def test_copy_buttons_put_the_snippet_and_citation_on_the_clipboard(clipboard_page, datasets):
    page = clipboard_page
    dataset = datasets["world"]
    page.goto(f"/datasets/{dataset.pk}/")
    first = page.locator(".snippet-group").first
    expect(first).to_have_attribute("open", "")
    first.get_by_role("button", name="Copy curl code").click()
    button = page.locator('[data-copy-target="snippet-1-1"]')  # its name says "Copied" for a while
    expect(button).to_have_attribute("data-copied", "true")
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "curl -fL -o pop.csv https://api.example.org/pop.csv"
    page.get_by_role("button", name="Copy APA citation").click()
    apa = page.evaluate("navigator.clipboard.readText()")
    assert apa.startswith("World Bank Group. (n.d.). Population, total [Data set].")
    assert page.evaluate("window.__violations") == []


def test_copy_falls_back_without_the_clipboard_api(context_factory, datasets):
    page = context_factory().new_page()
    # No async Clipboard API (older browsers, refused permission): the textarea + execCommand path.
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    page.add_init_script(
        "document.addEventListener('copy', (e) => { window.__copied = document.getSelection().toString(); });"
    )
    page.goto(f"/datasets/{datasets['world'].pk}/")
    page.get_by_role("button", name="Copy Python (pandas) code").first.click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("window.__copied").startswith("import pandas as pd")


def test_citation_downloads(page, datasets):
    dataset = datasets["research"]
    page.goto(f"/datasets/{dataset.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="BibTeX citation file").click()
    download = info.value
    assert download.suggested_filename == f"dataset-{dataset.pk}-citation.bib"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("@misc{paperswithcode_MuMu,") and "eprint = {1707.04916}" in text
    with page.expect_download() as info:
        page.get_by_role("link", name="RIS citation file").click()
    assert Path(info.value.path()).read_text(encoding="utf-8").startswith("TY  - DATA")


def test_hostile_dataset_page_keeps_its_jsonld_and_runs_no_injected_script(clipboard_page, datasets):
    page = clipboard_page
    page.add_init_script("window.__pwned = false;")
    page.goto(f"/datasets/{datasets['hostile'].pk}/")
    blocks = page.locator('script[type="application/ld+json"]')
    expect(blocks).to_have_count(1)
    data = json.loads(blocks.first.text_content())
    assert data["@type"] == "Dataset" and data["name"] == f"Title {HOSTILE_TEXT}"
    expect(page.locator("h1")).to_have_text(f"Title {HOSTILE_TEXT}".replace("\n", " ").replace("\u2028", " "))
    assert page.evaluate("window.__violations") == []
