"""Facets: multi-select (OR within a facet, AND across), counts that equal what a click returns
(families counted once), licence / updated / task / modality facets, and browsing without a query.

The property test walks many facet combinations over a catalog with variant families, a period
series, several sources, licences, update dates and research labels.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Dataset, DatasetFamily, Publisher, Source
from catalog.services import catalog_tidy_and_group
from search import services
from search.index import forget_current_index
from tests.factories import DatasetFactory, DistributionFactory, PublisherFactory, SourceFactory

pytestmark = pytest.mark.slow

MULTI = ("source", "publisher", "format", "theme", "licence", "task", "modality", "updated")
QUERIES = ("", "dengue cases", "resale flat prices", "images for object detection", "rainfall and weather data")


def make_facet_catalog() -> None:
    now = timezone.now()
    sg = SourceFactory(slug="datagovsg", name="data.gov.sg", country="Singapore", kind=Source.Kind.GOVERNMENT)
    wb = SourceFactory(slug="worldbank", name="World Bank", kind=Source.Kind.INTERNATIONAL)
    pwc = SourceFactory(slug="paperswithcode", name="Papers with Code", kind=Source.Kind.RESEARCH)
    hdb = PublisherFactory(name="Housing and Development Board", slug="housing-and-development-board")
    nea = PublisherFactory(name="National Environment Agency", slug="national-environment-agency")
    wbg = PublisherFactory(name="World Bank Group", slug="world-bank-group")
    sg_licence = {"license": "Singapore Open Data Licence v1.0", "license_id": "LicenseRef-SG-Open-Data-1.0"}
    ages = [timedelta(days=2), timedelta(days=20), timedelta(days=200), timedelta(days=900)]
    for n, (start, end) in enumerate([(1990, 1999), (2000, 2011), (2012, 2016), (2017, 2024)]):
        d = DatasetFactory(
            source=sg, publisher=hdb, title=f"Resale Flat Prices, {start} - {end}", themes=["Housing"],
            description="Resale flat prices of HDB flats by town, flat type and floor area.",
            temporal_start=date(start, 1, 1), temporal_end=date(end, 12, 31), source_modified_at=now - ages[n],
            extra={"collection": {"id": "189", "name": "Resale Flat Prices"}}, **sg_licence,
        )  # fmt: skip
        DistributionFactory(dataset=d, format="CSV")
    for region, years in (("Central", (2019, 2023)), ("North East", (2020, None)), ("West", (2018, 2018))):
        for k, fmt in enumerate(("KML", "GEOJSON", "SHP")):
            if region == "West" and fmt == "SHP":
                continue
            DatasetFactory(
                source=sg, publisher=nea, title=f"Dengue Cases - {region} ({fmt})", formats=[fmt], themes=["Health"],
                description=f"Locations of reported dengue cases in the {region} region.",
                temporal_start=date(years[0], 1, 1), temporal_end=date(years[1], 12, 31) if years[1] else None,
                source_modified_at=now - ages[k], **sg_licence,
            )  # fmt: skip
    for n, (title, fmts) in enumerate(
        [("Rainfall monthly total", ["CSV", "JSON"]), ("Weather station readings", ["JSON"]), ("Air quality", [])]
    ):
        DatasetFactory(
            source=sg, publisher=nea, title=title, formats=fmts, themes=["Environment"],
            description=f"{title} recorded at climate stations, weather data.", source_modified_at=now - ages[n % 4],
            temporal_start=date(2010 + n, 1, 1), **sg_licence,
        )  # fmt: skip
    for n, title in enumerate(["Rainfall and precipitation worldwide", "Population total", "Dengue incidence"]):
        DatasetFactory(
            source=wb, publisher=wbg, title=title, formats=["CSV", "XLSX"][: n + 1], themes=["Climate", "Health"][n % 2 :],
            description=f"{title} by country, World Bank indicators and weather-related data.",
            license="CC BY 4.0", license_id="CC-BY-4.0", temporal_start=date(1960, 1, 1),
            temporal_end=date(2022 - n, 12, 31), source_modified_at=now - ages[(n + 1) % 4],
        )  # fmt: skip
    research = [
        ("COCO", ["Object detection", "Semantic segmentation"], ["Images"]),
        ("Cityscapes", ["Semantic segmentation"], ["Images", "Video"]),
        ("KITTI", ["Object detection", "Depth estimation"], ["Images", "3D"]),
        ("SQuAD", ["Question answering"], ["Text"]),
        ("LibriSpeech", ["Speech recognition"], ["Speech", "Audio"]),
    ]
    for name, tasks, modalities in research:
        DatasetFactory(
            source=pwc, publisher=None, title=name, formats=[], tasks=tasks, modalities=modalities,
            description=f"**{name}** is a dataset of images for object detection, segmentation and research.",
            license="See the dataset's own terms (metadata: DataFinder, Apache-2.0)", license_id="Apache-2.0",
        )  # fmt: skip
    catalog_tidy_and_group(notify=False)


@pytest.fixture(scope="module")
def facet_catalog(django_db_setup, django_db_blocker):
    forget_current_index()
    with django_db_blocker.unblock():
        make_facet_catalog()
        services.index_ensure()
    yield
    with django_db_blocker.unblock():
        from search.models import IndexState, QueryStat

        Dataset.objects.all().delete()
        DatasetFamily.objects.all().delete()
        Source.objects.all().delete()
        Publisher.objects.all().delete()
        IndexState.objects.all().delete()
        QueryStat.objects.all().delete()
    forget_current_index()


@pytest.fixture
def fc(facet_catalog, db):
    return None


def _results(query: str, filters: dict) -> tuple[int, set]:
    """(total, the result keys of every page): a family's key is its id, a lone dataset its own."""
    first = services.search(query=query, filters=filters, top_k=50)
    keys = {h.family["id"] if h.family else f"d{h.id}" for h in first.results}
    for page in range(2, first.pages + 1):
        keys |= {
            h.family["id"] if h.family else f"d{h.id}"
            for h in services.search(query=query, filters=filters, top_k=50, page=page).results
        }
    assert len(keys) == first.total  # one result per family, over all pages
    return first.total, keys


def _click(filters: dict, facet: str, value: str) -> dict:
    """The filters a click on ``value`` alone would give (the facet's own selection replaced)."""
    out = {k: v for k, v in filters.items() if k != facet and not (facet == "year" and k.startswith("year_"))}
    if facet == "year":
        out.update(year_from=int(value), year_to=int(value))
    else:
        out[facet] = [value]
    return out


def test_counts_equal_the_results_a_click_gives_over_many_combinations(fc):
    rng = random.Random(13)
    checked = 0
    for query in QUERIES:
        base = services.search(
            query=query or "", filters=None if query else {"updated": ["week", "month", "year", "older"]}
        )
        assert base.total > 0
        combos: list[dict] = [{}]
        for name in (*MULTI, "year"):
            values = [b["value"] for b in base.facets[name]]
            if values:
                combos.append(_click({}, name, rng.choice(values)))
            if name in MULTI and len(values) >= 2:
                combos.append({name: rng.sample(values, 2)})
        for a, b in itertools.combinations([n for n in MULTI if base.facets[n]], 2):
            if rng.random() < 0.3:
                combos.append({a: [rng.choice(base.facets[a])["value"]], b: [rng.choice(base.facets[b])["value"]]})
        for filters in combos:
            if not query and not filters:
                continue
            response = services.search(query=query, filters=filters, top_k=50)
            total, _ = _results(query, filters)
            assert response.total == total
            for facet in (*MULTI, "year"):
                for bucket in response.facets[facet]:
                    clicked_total, _ = _results(query, _click(filters, facet, bucket["value"]))
                    assert bucket["count"] == clicked_total, (query, filters, facet, bucket)
                    checked += 1
    assert checked > 300


def test_multi_select_is_or_within_a_facet_and_and_across(fc):
    _, kml = _results("", {"format": ["KML"]})
    _, csv = _results("", {"format": ["CSV"]})
    total, either = _results("", {"format": ["KML", "CSV"]})
    assert either == kml | csv and total == len(kml | csv) > max(len(kml), len(csv))
    _, sg = _results("", {"source": ["datagovsg"]})
    _, recent = _results("", {"updated": ["month"]})
    _, both = _results("", {"source": ["datagovsg"], "updated": ["month"]})
    assert both == sg & recent and both


def test_a_family_counts_once_in_a_format_facet(fc):
    response = services.search(query="dengue cases", filters={})
    counts = {b["value"]: b["count"] for b in response.facets["format"]}
    # Three regional families; each has a KML and a GeoJSON member; only two have a shapefile.
    assert counts["KML"] == counts["GEOJSON"] == 3 and counts["SHP"] == 2
    assert response.total == 3 + sum(1 for h in response.results if not h.family)


def test_years_facet_counts_what_the_year_filter_returns(fc):
    regional = {"source": ["datagovsg"], "theme": ["Health"]}
    response = services.search(query="dengue cases", filters=regional)
    years = {b["value"]: b["count"] for b in response.facets["year"]}
    assert years["2018"] == 1  # only West covers 2018 (Central starts in 2019)
    assert years["2021"] == 2 and years[str(timezone.now().year)] == 1  # North East is ongoing
    assert services.search(query="dengue cases", filters={**regional, "year_from": 2018, "year_to": 2018}).total == 1


def test_licence_updated_task_and_modality_facets(fc):
    browse = services.search(query="", filters={"source": ["datagovsg", "worldbank", "paperswithcode"]})
    licences = {b["value"]: b for b in browse.facets["licence"]}
    assert licences["Apache-2.0"]["label"] == "Apache License 2.0"
    assert licences["LicenseRef-SG-Open-Data-1.0"]["label"] == "Singapore Open Data Licence v1.0"
    research = services.search(query="", filters={"source": ["paperswithcode"]})
    tasks = {b["value"]: b["count"] for b in research.facets["task"]}
    assert tasks == {"Object detection": 2, "Semantic segmentation": 2, "Depth estimation": 1,
                     "Question answering": 1, "Speech recognition": 1}  # fmt: skip
    modalities = {b["value"]: b["count"] for b in research.facets["modality"]}
    assert modalities["Images"] == 3
    images = services.search(query="", filters={"modality": ["images"], "task": ["Semantic segmentation"]})
    assert {h.title for h in images.results} == {"COCO", "Cityscapes"}
    assert images.filters["modality"] == ["Images"]  # canonical spelling
    updated = {b["value"]: b["count"] for b in browse.facets["updated"]}
    assert list(updated) == ["week", "month", "year", "older"]
    assert updated["week"] <= updated["month"] <= updated["year"]


def test_browsing_without_a_query_is_newest_first(fc):
    response = services.search(query="", filters={"source": ["datagovsg"]})
    assert response.sort == "recent" and response.total > 5
    stamps = [Dataset.objects.get(pk=h.id).source_modified_at for h in response.results]
    assert stamps == sorted(stamps, reverse=True)
    with pytest.raises(services.SearchValidationError) as exc:
        services.search(query="", filters={})
    assert "filter" in exc.value.errors["q"][0]
    with pytest.raises(services.SearchValidationError):
        services.search(query="", filters={"licence": ["No-Such-Licence"]})


def test_api_takes_lists_and_browses_without_q(fc, client):
    url = reverse("api-search")
    r = client.get(url, {"format": ["KML", "CSV"], "updated": "month"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["filters"]["format"] == ["CSV", "KML"] and data["sort"] == "recent"
    assert {"licence", "task", "modality", "updated", "year"} <= set(data["facets"])
    total, _ = _results("", {"format": ["KML", "CSV"], "updated": ["month"]})
    assert data["total"] == total
    posted = client.post(url, {"q": "dengue", "format": ["KML", "SHP"]}, content_type="application/json").json()
    assert posted["total"] == _results("dengue", {"format": ["KML", "SHP"]})[0]
    bad = client.get(url, {"updated": "yesterday"})
    assert bad.status_code == 400 and "updated" in bad.json()
    assert client.get(url).status_code == 400  # nothing to search or browse


def test_search_page_repeats_the_parameter_and_browses(fc, client):
    page = client.get(reverse("search"), {"format": ["KML", "CSV"]})
    body = page.content.decode()
    assert page.status_code == 200 and "with these filters" in body and "Most recently updated" in body
    assert 'id="filters-drawer"' in body and "format=KML&amp;format=CSV" in body  # links keep both values
    old_style = client.get(reverse("search"), {"format": "KML,CSV"}).content.decode()
    assert old_style.count('aria-current="true" data-facet="format"') == 2


def test_year_counts_count_a_family_once_a_year_against_brute_force():
    """Pure check of the years facet (no database): members' spans merged per family, open ends ongoing."""
    from types import SimpleNamespace

    import numpy as np

    from search.services.facets import _year_counts

    rng = random.Random(5)
    for trial in range(200):
        n = rng.randint(1, 40)
        spans = [sorted([rng.choice([-1, rng.randint(1990, 2030)]) for _ in range(2)]) for _ in range(n)]
        spans = [(s, e) if s >= 0 else (e, s) if rng.random() < 0.5 else (s, e) for s, e in spans]
        start = np.array([s for s, _ in spans], dtype=np.int16)
        end = np.array([e for _, e in spans], dtype=np.int16)
        family = np.array([rng.choice([0, 0, 1, 2, 3]) for _ in range(n)])
        keys = np.where(family > 0, family, -1 - np.arange(n))
        clean = {"undated": "keep"} if trial % 3 == 0 else {}
        got = _year_counts(SimpleNamespace(year_start=start, year_end=end), np.arange(n), keys, clean)
        for bucket in got:
            year = int(bucket["value"])
            covering = set()
            for i, (s, e) in enumerate(zip(start.tolist(), end.tolist(), strict=True)):
                if s < 0 and e < 0:
                    ok = clean.get("undated") == "keep"
                else:
                    ok = (s if s >= 0 else -(10**6)) <= year <= (e if e >= 0 else 10**6)
                if ok:
                    covering.add(int(keys[i]))
            assert bucket["count"] == len(covering), (trial, year)


def test_the_index_gives_re_scoring_each_records_research_labels(fc):
    from search.index import current_index

    index = current_index()
    signals = index.signals
    titles = {index.titles[i]: i for i in range(len(index))}
    assert signals.tasks[titles["KITTI"]] == ["Object detection", "Depth estimation"]
    assert signals.modalities[titles["LibriSpeech"]] == ["Speech", "Audio"]
    assert signals.tasks[titles["Population total"]] == []
    # End to end: a research description naming a task finds the record labelled with it first.
    hits = services.search(
        query="We propose a deep network for speech recognition", filters={"source": ["paperswithcode"]}
    )
    assert hits.results[0].title == "LibriSpeech"
