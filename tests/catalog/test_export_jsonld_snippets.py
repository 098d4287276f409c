"""schema.org JSON-LD (required properties, parses as RDF, safe inside <script>), Data Packages
(valid against the profile's rules, Table Schema from preview columns) and code snippets (hostile
URLs stay one quoted word / one string literal)."""

from __future__ import annotations

import ast
import json
import re
import shlex

import jsonschema
import pytest
from rdflib import Namespace
from rdflib.namespace import RDF

from catalog.export import datapackage as datapackage_module
from catalog.export import jsonld, snippets
from catalog.export.datapackage import datapackage
from tests.catalog.export_readers import DATA_PACKAGE_RULES, as_graph
from tests.catalog.exports_data import (
    BASE,
    HOSTILE_TEXT,
    HOSTILE_URL,
    hostile_dataset,
    research_dataset,
    rich_dataset,
    world_dataset,
)

pytestmark = pytest.mark.django_db
SDO = Namespace("https://schema.org/")


def test_jsonld_has_what_google_dataset_search_reads():
    dataset = rich_dataset()
    data = jsonld.dataset_jsonld(dataset, base_url=BASE)
    assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
    for prop in ("name", "description", "url", "identifier", "creator", "publisher", "license", "temporalCoverage",
                 "spatialCoverage", "distribution", "keywords", "includedInDataCatalog"):  # fmt: skip
        assert data.get(prop), prop
    assert 50 <= len(data["description"]) <= 5000
    assert data["url"] == f"{BASE}/datasets/{dataset.pk}/"
    assert data["creator"] == {
        "@type": "Organization",
        "name": "Housing & Development Board",
        "url": "https://www.hdb.gov.sg",
    }
    assert data["temporalCoverage"] == "2017-01-01/2025-06-30"
    assert data["spatialCoverage"] == {"@type": "Place", "name": "Singapore"}
    [download] = data["distribution"]
    assert download["@type"] == "DataDownload" and download["encodingFormat"] == "text/csv"
    assert download["contentUrl"] == dataset.distributions.get().url
    graph = as_graph(data)
    [node] = list(graph.subjects(RDF.type, SDO.Dataset))
    assert str(graph.value(node, SDO.name)) == dataset.title
    assert graph.value(node, SDO.distribution) is not None


def test_jsonld_short_descriptions_are_completed_and_papers_cited():
    dataset = world_dataset()
    dataset.description = "Short."
    data = jsonld.dataset_jsonld(dataset, base_url=BASE)
    assert len(data["description"]) >= 50 and data["description"].startswith("Short.")
    assert data["identifier"][0] == "https://doi.org/10.1234/WB.POP-2024"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["temporalCoverage"] == "1960-01-01/.."
    assert len(data["distribution"]) == 2  # the distribution without a URL is left out
    research = jsonld.dataset_jsonld(research_dataset(), base_url=BASE)
    assert research["citation"]["@type"] == "ScholarlyArticle"
    assert research["citation"]["identifier"] == "https://doi.org/10.48550/arXiv.1707.04916"


def test_hostile_text_stays_inside_the_jsonld_script():
    dataset = hostile_dataset()
    text = jsonld.jsonld_script_text(jsonld.dataset_jsonld(dataset, base_url=BASE))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    data = json.loads(text)
    assert data["name"] == f"Title {HOSTILE_TEXT}"
    assert as_graph(data)  # still valid JSON-LD


def test_hostile_page_embeds_one_intact_jsonld_block(client):
    dataset = hostile_dataset()
    html = client.get(f"/datasets/{dataset.pk}/").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert json.loads(blocks[0])["name"] == f"Title {HOSTILE_TEXT}"
    assert html.count("</script>") == html.count("<script")  # the catalog's "</script>" never reached the page raw


def test_datapackage_is_valid_and_describes_the_files():
    dataset = world_dataset()
    package = datapackage(dataset, base_url=BASE)
    jsonschema.validate(package, DATA_PACKAGE_RULES)
    assert package["name"] == "worldbank-wb_sp.pop.totl"
    assert package["id"] == "https://doi.org/10.1234/WB.POP-2024"
    assert [r["path"] for r in package["resources"]] == [
        "https://api.example.org/pop.csv",
        "https://api.example.org/pop.xlsx",
    ]
    assert package["resources"][0]["mediatype"] == "text/csv" and package["resources"][0]["format"] == "csv"
    assert package["licenses"] == [{"title": dataset.license, "path": dataset.license}]
    assert "schema" not in package["resources"][0]  # no preview columns yet


def test_datapackage_without_files_points_at_the_landing_page_and_hostile_text_is_fine():
    package = datapackage(research_dataset(), base_url=BASE)
    jsonschema.validate(package, DATA_PACKAGE_RULES)
    assert package["resources"][0]["name"] == "landing-page"
    hostile = datapackage(hostile_dataset(), base_url=BASE)
    jsonschema.validate(hostile, DATA_PACKAGE_RULES)
    assert hostile["title"] == f"Title {HOSTILE_TEXT}"


def test_datapackage_table_schema_comes_from_preview_columns():
    dataset = world_dataset()
    csv = dataset.distributions.get(format="CSV")
    # What catalog.export.columns.distribution_columns returns once previews exist (inferred types).
    columns = {csv.pk: [{"name": "year", "type": "BIGINT"}, {"name": "town", "type": "VARCHAR"},
                        {"name": "price", "type": "DOUBLE"}, {"name": "when", "type": "TIMESTAMP"}]}  # fmt: skip
    assert datapackage_module.distribution_columns([csv]) == {}  # no previews yet
    package = datapackage(dataset, base_url=BASE, columns=columns)
    jsonschema.validate(package, DATA_PACKAGE_RULES)
    assert package["resources"][0]["schema"] == {
        "fields": [
            {"name": "year", "type": "integer"},
            {"name": "town", "type": "string"},
            {"name": "price", "type": "number"},
            {"name": "when", "type": "datetime"},
        ]
    }


def test_snippets_for_files_quote_hostile_urls():
    dataset = hostile_dataset()
    [group] = snippets.dataset_snippets(dataset)
    assert group.title == "CSV file"  # our words, not catalog text
    by_label = {s.label: s.code for s in group.snippets}
    url = snippets.ascii_url(HOSTILE_URL)
    assert url.isascii() and '"' not in url and "`" not in url and "\\" not in url and "{" not in url
    curl = shlex.split(by_label["curl"])
    assert curl[:3] == ["curl", "-fL", "-o"] and curl[-1] == url and len(curl) == 5  # one word each
    tree = ast.parse(by_label["Python (pandas)"])  # valid Python
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert url in strings
    # R shares the double-quoted literal (ASCII, JSON escapes): read it back as JSON.
    [literal] = re.findall(r'read\.csv\(("(?:[^"\\]|\\.)*")\)', by_label["R"])
    assert json.loads(literal) == url


def test_snippets_per_format_and_the_datagovsg_api():
    world = {g.format: g for g in snippets.dataset_snippets(world_dataset())}
    assert set(world) == {"CSV", "XLSX"}
    assert (
        "pd.read_excel(" in world["XLSX"].snippets[1].code and "readxl::read_excel(" in world["XLSX"].snippets[2].code
    )
    [api] = snippets.dataset_snippets(rich_dataset())
    assert api.title == "data.gov.sg API"
    curl, python, r_code = (s.code for s in api.snippets)
    base = "https://api-open.data.gov.sg/v1/public/api/datasets/d_8b84c4ee58e3cfc0ece0d773c8ca6abc"
    assert f"{base}/initiate-download" in curl and f"{base}/poll-download" in curl
    assert "https://data.gov.sg/api/action/datastore_search?resource_id=d_8b84c4ee58e3cfc0ece0d773c8ca6abc" in curl
    ast.parse(python)
    assert '"/poll-download"' in python and 'pd.read_csv(data["url"])' in python
    assert "poll$data$url" in r_code
