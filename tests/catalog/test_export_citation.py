"""Citations: BibTeX and RIS parsed back, CSL-JSON's required fields, the APA line, the paper
behind a research dataset, DOIs, and hostile catalog text that must not break any format."""

from __future__ import annotations

import json
import re

import pytest

from catalog.export import citation
from tests.catalog.export_readers import bibtex_parse, bibtex_text, ris_parse
from tests.catalog.exports_data import (
    BASE,
    HOSTILE_TEXT,
    hostile_dataset,
    research_dataset,
    rich_dataset,
    world_dataset,
)

pytestmark = pytest.mark.django_db


def test_bibtex_parses_back_with_every_field():
    dataset = rich_dataset()
    [entry] = bibtex_parse(citation.bibtex(dataset, base_url=BASE))
    assert entry["ENTRYTYPE"] == "misc" and entry["ID"] == "datagovsg_d_8b84c4ee58e3cfc0ece0d773c8ca6abc"
    assert bibtex_text(entry["title"]) == dataset.title
    assert bibtex_text(bibtex_text(entry["author"])) == "Housing & Development Board"
    assert entry["author"] == r"{Housing \& Development Board}"  # a corporate name, & escaped
    assert entry["year"] == "2017" and entry["publisher"] == "data.gov.sg"
    assert entry["url"] == dataset.landing_url


def test_ris_parses_back():
    dataset = rich_dataset()
    [record] = ris_parse(citation.ris(dataset, base_url=BASE))
    assert record["TY"] == ["DATA"] and record["TI"] == [dataset.title]
    assert record["AU"] == ["Housing & Development Board"] and record["PY"] == ["2017"]
    assert record["PB"] == ["data.gov.sg"] and record["UR"] == [dataset.landing_url]
    assert record["AB"][0].startswith("Resale prices of HDB flats")


def test_csl_json_has_the_required_fields_and_a_valid_shape():
    dataset = rich_dataset()
    items = json.loads(citation.csl_json(dataset, base_url=BASE))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    # CSL-JSON requires id and type (a CSL item type); dates as date-parts, names as objects.
    assert item["id"] and item["type"] == "dataset"
    assert item["title"] == dataset.title
    assert item["author"] == [{"literal": "Housing & Development Board"}]
    assert item["issued"] == {"date-parts": [[2017]]}
    assert item["URL"] == dataset.landing_url and item["publisher"] == "data.gov.sg"


def test_apa_line():
    assert citation.apa(rich_dataset(), base_url=BASE).strip() == (
        "Housing & Development Board. (2017). Resale flat prices based on registration date from Jan-2017 "
        "onwards [Data set]. data.gov.sg. https://data.gov.sg/datasets/d_8b84c4ee58e3cfc0ece0d773c8ca6abc/view"
    )


def test_a_known_doi_is_cited_in_every_format():
    dataset = world_dataset()
    assert "doi = {10.1234/WB.POP-2024}" in citation.bibtex(dataset, base_url=BASE)
    assert "DO  - 10.1234/WB.POP-2024" in citation.ris(dataset, base_url=BASE)
    assert json.loads(citation.csl_json(dataset, base_url=BASE))[0]["DOI"] == "10.1234/WB.POP-2024"
    apa = citation.apa(dataset, base_url=BASE)
    assert apa.startswith("World Bank Group. (n.d.). Population, total [Data set]. World Bank.")
    assert apa.strip().endswith("https://doi.org/10.1234/WB.POP-2024")


def test_a_research_dataset_also_cites_its_paper():
    dataset = research_dataset()
    dataset_entry, paper = bibtex_parse(citation.bibtex(dataset, base_url=BASE))
    assert dataset_entry["url"] == f"{BASE}/datasets/{dataset.pk}/"  # no landing page: ours
    assert "author" not in dataset_entry
    assert bibtex_text(paper["title"]).startswith("Multi-label Music Genre Classification")
    assert paper["eprint"] == "1707.04916" and paper["archiveprefix"] == "arXiv"
    assert paper["doi"] == "10.48550/arXiv.1707.04916" and paper["year"] == "2017"
    assert paper["url"] == "https://arxiv.org/abs/1707.04916"
    records = ris_parse(citation.ris(dataset, base_url=BASE))
    assert [r["TY"] for r in records] == [["DATA"], ["GEN"]]
    items = json.loads(citation.csl_json(dataset, base_url=BASE))
    assert [i["type"] for i in items] == ["dataset", "article"] and items[1]["DOI"] == "10.48550/arXiv.1707.04916"
    apa_lines = citation.apa(dataset, base_url=BASE).strip().split("\n")
    assert apa_lines[0] == f"MuMu [Data set]. (n.d.). Papers with Code. {BASE}/datasets/{dataset.pk}/"
    assert apa_lines[1].startswith("Introduced in: Multi-label Music Genre Classification")
    assert apa_lines[1].endswith("(2017). arXiv. https://doi.org/10.48550/arXiv.1707.04916")


def test_hostile_text_cannot_break_any_citation_format():
    dataset = hostile_dataset()
    bib = citation.bibtex(dataset, base_url=BASE)
    [entry] = bibtex_parse(bib)  # balanced, one entry, no field spilling into another
    assert bibtex_text(entry["title"]) == " ".join(f"Title {HOSTILE_TEXT}".split())
    assert re.fullmatch(r"[A-Za-z0-9_:-]+", entry["ID"])
    assert "{" not in entry["url"] and "}" not in entry["url"] and " " not in entry["url"]
    [record] = ris_parse(citation.ris(dataset, base_url=BASE))  # no injected tag lines
    assert record["TI"] == [" ".join(f"Title {HOSTILE_TEXT}".split())]
    assert set(record) == {"TY", "TI", "AU", "PB", "UR", "AB", "ID"}
    items = json.loads(citation.csl_json(dataset, base_url=BASE))
    assert items[0]["title"] == " ".join(f"Title {HOSTILE_TEXT}".split())
    assert len(citation.apa(dataset, base_url=BASE).strip().split("\n")) == 1
