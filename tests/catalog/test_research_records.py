"""Research records that read well: licence ids (SPDX), task / modality labels, sanitised Markdown,
and the fields an import stores."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from catalog.licences import licence_get, licence_normalise
from catalog.markup import markdown_html
from catalog.models import Dataset
from catalog.research import research_labels
from catalog.services import catalog_import


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See the dataset's own terms (metadata: DataFinder, Apache-2.0)", "Apache-2.0"),
        ("Singapore Open Data Licence v1.0", "LicenseRef-SG-Open-Data-1.0"),
        ("Singapore Open Data License", "LicenseRef-SG-Open-Data-1.0"),
        ("CC BY 4.0", "CC-BY-4.0"),
        ("Creative Commons Attribution-ShareAlike 4.0 International", "CC-BY-SA-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("ODbL", "ODbL-1.0"),
        ("LTA Open Data License", "LicenseRef-LTA-Open-Data"),
        ("Submit your own terms", ""),  # "mit" inside a word is not the MIT licence
        ("Proprietary", ""),
        ("", ""),
    ],
)
def test_licence_normalise(text, expected):
    assert licence_normalise(text) == expected


def test_a_named_licence_keeps_its_name_and_url():
    sg = licence_get("LicenseRef-SG-Open-Data-1.0")
    assert sg is not None and not sg.is_spdx
    assert sg.name == "Singapore Open Data Licence v1.0" and sg.url.startswith("https://data.gov.sg/")
    apache = licence_get("Apache-2.0")
    assert apache is not None and apache.is_spdx
    assert licence_get("") is None and licence_get("Gone-1.0") is None


def test_research_labels_from_text():
    tasks, modalities = research_labels(
        title="Cityscapes",
        description="**Cityscapes** is a large-scale dataset for semantic segmentation of urban street scene "
        "images and videos.\n\nImage Source: [a speech paper](https://example.org)",
    )
    assert tasks == ["Semantic segmentation"]
    assert set(modalities) == {"Images", "Video"}  # the credit line ("speech paper") does not count
    assert research_labels(title="Population by age", description="Counts of residents.") == ([], [])


def test_markdown_is_rendered_and_sanitised():
    html = markdown_html(
        "**Cityscapes** has [a site](https://www.cityscapes-dataset.com) and [bad](javascript:alert(1)).\n\n"
        '<script>alert(1)</script> <img src=x onerror="alert(1)"> <a href="javascript:alert(2)">x</a>\n\n'
        "# Big heading\n\n* one\n* two"
    )
    assert "<strong>Cityscapes</strong>" in html
    assert '<a href="https://www.cityscapes-dataset.com" rel="nofollow noopener noreferrer">a site</a>' in html
    tags = _tags(html)
    assert {name for name, _ in tags} <= {"p", "strong", "a", "h3", "ul", "li"}  # no script, no img
    assert all(name.startswith("on") is False for _, attrs in tags for name, _ in attrs)
    assert [value for _, attrs in tags for name, value in attrs if name == "href"] == [
        "https://www.cityscapes-dataset.com"
    ]  # the javascript: links stay text
    assert "<h3>Big heading</h3>" in html and "<h1>" not in html  # the page owns h1/h2
    assert "<li>one</li>" in html
    assert markdown_html("") == ""


def _tags(html: str) -> list[tuple[str, list]]:
    found: list[tuple[str, list]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


@pytest.mark.django_db
def test_import_stores_licence_id_and_research_labels(catalog_data):
    catalog_import(path=catalog_data / "corpus.jsonl")
    div2k = Dataset.objects.get(external_id="DIV2K")
    assert div2k.license_id == "Apache-2.0"
    assert "Super-resolution" in div2k.tasks and "Images" in div2k.modalities
    assert div2k.source_page_url == "https://paperswithcode.com/datasets?q=DIV2K"
    catalog_import(path=catalog_data / "datagovsg")
    resale = Dataset.objects.get(external_id="d_resale")
    assert resale.license_id == "LicenseRef-SG-Open-Data-1.0" and resale.tasks == [] and resale.modalities == []
    assert resale.source_page_url == resale.landing_url


@pytest.mark.django_db
def test_a_curator_edit_of_the_licence_text_refreshes_its_id():
    from catalog.services import dataset_refresh_derived
    from tests.factories import DatasetFactory

    dataset = DatasetFactory(license="CC BY 4.0", license_id="")
    dataset_refresh_derived(dataset_ids=[dataset.pk])
    dataset.refresh_from_db()
    assert dataset.license_id == "CC-BY-4.0"
