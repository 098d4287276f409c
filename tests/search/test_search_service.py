"""The search service on a small real catalog: relevance, filters, facets, pagination, validation, cache."""

from __future__ import annotations

import pytest

from catalog.models import Dataset
from search import services
from search.index import current_index
from search.models import DatasetEmbedding, IndexState, QueryStat
from tests.conftest import HEALTH_AUTH

pytestmark = pytest.mark.slow


def titles(response) -> list[str]:
    return [h.title for h in response.results]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("how much do second-hand public housing flats sell for", "hdb"),
        ("dengue fever cases each week", "dengue"),
        ("price of the certificate to own a car", "coe"),
        ("how much rain falls every month", "rain"),
        ("image classification benchmark with ten classes", "cifar"),
        ("audiobook recordings for speech recognition", "libri"),
        ("carbon emissions per person by country", "co2"),
        ("CIFAR-10", "cifar"),
        ("question answering over Wikipedia", "squad"),
        ("dengeu caeses", "dengue"),  # misspelt words gain the catalog's (search.ranking.spelling)
    ],
)
def test_right_dataset_in_top_3(catalog, query, key):
    response = services.search(query=query, top_k=3)
    assert catalog[key].title in titles(response), titles(response)


def test_hit_fields_and_explanations(catalog):
    response = services.search(query="HDB resale prices")
    top = response.results[0]
    assert top.id in (catalog["hdb"].pk, catalog["hdb_dup"].pk)
    assert top.source == "datagovsg"
    assert top.external_id == Dataset.objects.get(pk=top.id).external_id
    assert top.publisher == "Housing and Development Board"
    assert top.formats == ["CSV"]
    assert any("title matches" in reason for reason in top.why)
    assert top.temporal_start == "2017-01-01"
    data = response.to_dict()
    assert set(data) >= {"results", "facets", "total", "page", "took_ms", "cached"}
    assert set(data["results"][0]) >= {
        "id",
        "source",
        "external_id",
        "title",
        "snippet",
        "publisher",
        "formats",
        "url",
        "score",
        "why",
    }


def test_singapore_query_prefers_singapore_source(catalog):
    response = services.search(query="health statistics in Singapore", top_k=5)
    sg = [h for h in response.results if h.source == "datagovsg"]
    assert response.results[0].source == "datagovsg"
    assert any("Singapore" in reason for h in sg for reason in h.why)


def test_inactive_hidden_unless_staff_asks(catalog, staff):
    query = "bus stop locations"
    assert catalog["inactive"].pk not in [h.id for h in services.search(query=query).results]
    assert catalog["inactive"].pk not in [h.id for h in services.search(query=query, user=staff).results]
    staff_view = services.search(query=query, filters={"include_inactive": True}, user=staff)
    assert catalog["inactive"].pk in [h.id for h in staff_view.results]
    only_inactive = services.search(query=query, filters={"status": "inactive"}, user=staff)
    assert [h.id for h in only_inactive.results] == [catalog["inactive"].pk]
    with pytest.raises(services.SearchValidationError) as exc:
        services.search(query=query, filters={"include_inactive": True})
    assert "include_inactive" in exc.value.errors


def test_filters_source_publisher_format_theme(catalog):
    by_source = services.search(query="statistics", filters={"source": "worldbank"})
    assert by_source.results and {h.source for h in by_source.results} == {"worldbank"}
    by_format = services.search(query="data", filters={"format": ["json"]})
    assert by_format.results and all("JSON" in h.formats for h in by_format.results)
    assert {h.id for h in by_format.results} <= {catalog[k].pk for k in ("rain", "gdp", "squad", "coco")}
    by_theme = services.search(query="environment", filters={"theme": "environment"})
    assert {h.id for h in by_theme.results} <= {catalog[k].pk for k in ("rain", "hawker", "co2")}
    by_publisher = services.search(query="records", filters={"publisher": "national-environment-agency"})
    assert {h.publisher for h in by_publisher.results} == {"National Environment Agency"}
    combined = services.search(query="health", filters={"source": ["worldbank"], "theme": ["Health"]})
    assert [h.id for h in combined.results] == [catalog["life"].pk]
    assert combined.filters == {"source": ["worldbank"], "theme": ["Health"]}


def test_temporal_overlap_and_geography(catalog):
    response = services.search(query="school enrolment", filters={"year_from": 2015, "year_to": 2020})
    ids = {h.id for h in response.results}
    assert catalog["school"].pk not in ids  # covers 2000-2010 only
    assert catalog["hawker"].pk not in ids  # no temporal coverage at all
    response = services.search(query="school enrolment", filters={"year_from": 2005})
    assert catalog["school"].pk in {h.id for h in response.results}
    for hit in services.search(query="data", filters={"year_to": 1965}, top_k=50).results:
        assert hit.temporal_start <= "1965-12-31"
    glob = services.search(query="health", filters={"geography": "global"})
    assert glob.results and {h.source for h in glob.results} == {"worldbank"}
    sg = services.search(query="health", filters={"geography": "singapore"})
    assert sg.results and {h.source for h in sg.results} == {"datagovsg"}


def test_facets_count_the_filtered_candidates(catalog):
    response = services.search(query="environment and weather", top_k=50)
    facets = response.facets
    assert set(facets) == {"source", "publisher", "format", "theme", "year", "licence", "task", "modality", "updated"}
    assert sum(f["count"] for f in facets["source"]) == response.total == len(response.results)
    labels = {f["value"]: f["label"] for f in facets["source"]}
    assert labels.get("datagovsg") == "data.gov.sg"
    csv_count = sum(1 for h in response.results if "CSV" in h.formats)
    assert {f["value"]: f["count"] for f in facets["format"]}.get("CSV", 0) == csv_count
    narrowed = services.search(query="environment and weather", filters={"source": "worldbank"}, top_k=50)
    # Multi-select: a facet's own selection leaves its counts alone (the other sources can be added).
    assert narrowed.facets["source"] == facets["source"]
    assert narrowed.total == sum(1 for h in response.results if h.source == "worldbank")
    assert {f["value"]: f["count"] for f in facets["source"]}["worldbank"] == narrowed.total


def test_pagination(catalog):
    first = services.search(query="data about people and places", top_k=3, page=1)
    second = services.search(query="data about people and places", top_k=3, page=2)
    everything = services.search(query="data about people and places", top_k=50)
    assert first.total == second.total == everything.total > 3
    assert first.pages == (first.total + 2) // 3
    assert not {h.id for h in first.results} & {h.id for h in second.results}
    assert [h.id for h in first.results + second.results] == [h.id for h in everything.results[:6]]
    beyond = services.search(query="data about people and places", top_k=3, page=first.pages + 1)
    assert beyond.results == [] and beyond.total == first.total


def test_sort_recent(catalog):
    response = services.search(query="resale flat prices HDB", sort="recent", top_k=50)
    hdb_ids = [h.id for h in response.results if h.id in (catalog["hdb"].pk, catalog["hdb_dup"].pk)]
    assert hdb_ids == [catalog["hdb"].pk, catalog["hdb_dup"].pk]  # 2024 before 2015


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"query": ""}, "q"),
        ({"query": "   "}, "q"),
        ({"query": "x" * 501}, "q"),
        ({"query": "rain", "top_k": 0}, "top_k"),
        ({"query": "rain", "top_k": 51}, "top_k"),
        ({"query": "rain", "page": 0}, "page"),
        ({"query": "rain", "sort": "random"}, "sort"),
        ({"query": "rain", "filters": {"source": "no-such-source"}}, "source"),
        ({"query": "rain", "filters": {"publisher": "nobody"}}, "publisher"),
        ({"query": "rain", "filters": {"format": "PARQUET"}}, "format"),
        ({"query": "rain", "filters": {"theme": "Astrology"}}, "theme"),
        ({"query": "rain", "filters": {"colour": "red"}}, "colour"),
        ({"query": "rain", "filters": {"year_from": 2020, "year_to": 2010}}, "year_to"),
        ({"query": "rain", "filters": {"year_from": "soon"}}, "year_from"),
    ],
)
def test_validation_errors(catalog, kwargs, field):
    with pytest.raises(services.SearchValidationError) as exc:
        services.search(**kwargs)
    assert field in exc.value.errors


def test_query_of_500_characters_is_fine(catalog):
    assert services.search(query="rain " * 100).query


def test_cache_hit_then_invalidated_by_new_index_version(catalog):
    first = services.search(query="monthly rainfall")
    assert first.cached is False
    again = services.search(query="  Monthly   RAINFALL ".lower())
    assert again.cached is True
    assert [h.id for h in again.results] == [h.id for h in first.results]
    stats = services.index_health()["cache"]
    assert stats["hits"] >= 1 and stats["misses"] >= 1
    old_version = IndexState.objects.get(pk=1).version
    services.index_rebuild()
    assert IndexState.objects.get(pk=1).version == old_version + 1
    after = services.search(query="monthly rainfall")
    assert after.cached is False and after.index_version == old_version + 1


def test_frequent_queries_rewarmed_after_version_change(catalog):
    for _ in range(3):
        services.search(query="dengue cases")
    services.search(query="gdp growth", filters={"source": "worldbank"})
    assert QueryStat.objects.get(query="dengue cases").count == 1  # counted once a minute
    services.index_rebuild()
    assert services.search_cache_rewarm() == 2
    assert services.search_cache_rewarm() == 0  # once per version
    assert services.search(query="dengue cases").cached is True
    assert services.search(query="gdp growth", filters={"source": "worldbank"}).cached is True


def test_similar_datasets_skip_itself_and_near_duplicates(catalog):
    hits = services.similar_datasets(dataset_id=catalog["hdb"].pk, top_k=5)
    ids = [h.id for h in hits]
    assert len(ids) == 5
    assert catalog["hdb"].pk not in ids and catalog["hdb_dup"].pk not in ids
    assert catalog["inactive"].pk not in ids
    cifar = services.similar_datasets(dataset_id=catalog["cifar"].pk, top_k=1)
    assert cifar[0].id == catalog["coco"].pk
    with pytest.raises(Dataset.DoesNotExist):
        services.similar_datasets(dataset_id=catalog["inactive"].pk)


def test_similar_to_in_search(catalog):
    response = services.search(query="", similar_to=catalog["cifar"].pk, top_k=3)
    assert catalog["cifar"].pk not in [h.id for h in response.results]
    assert response.results[0].id == catalog["coco"].pk


def test_embeddings_are_computed_once_per_content(catalog):
    assert DatasetEmbedding.objects.count() == Dataset.objects.count()
    assert services.embeddings_update() == 0
    rain = catalog["rain"]
    rain.description = "Daily rainfall totals."
    rain.save()
    # No content hash from the catalog services here: the embedded text is the key.
    assert services.embeddings_update() == 1
    assert services.embeddings_update() == 0


def test_curator_edit_is_searchable(catalog, django_capture_on_commit_callbacks):
    from catalog.services import dataset_refresh_derived

    before = IndexState.objects.get(pk=1)
    school = catalog["school"]
    school.title = "Durian harvest volumes by orchard"
    school.description = "Tonnes of durian fruit harvested per orchard each season."
    school.save()
    with django_capture_on_commit_callbacks(execute=True):
        dataset_refresh_derived(dataset_ids=[school.pk])
    after = IndexState.objects.get(pk=1)
    # Laid over the version as a delta (search.index.delta), not built again.
    assert after.version == before.version and after.change_seq > before.change_seq
    response = services.search(query="durian fruit harvest")
    assert response.results[0].id == school.pk


def test_index_health_and_readiness(catalog, client):
    health = services.index_health()
    assert health["ready"] is True
    assert health["active"] == Dataset.objects.active().count() == health["embedded"]
    assert health["size"] == Dataset.objects.count() == len(current_index())
    assert client.get("/api/health/ready").status_code == 200
    report = client.get("/api/health", headers=HEALTH_AUTH).json()
    assert report["components"]["search_index"]["version"] == health["version"]
    Dataset.objects.filter(pk=catalog["rain"].pk).update(content_hash="f" * 64)  # content changed, not embedded
    health = services.index_health()
    assert health["ready"] is False and "waiting" in health["reason"] and health["status"] == "degraded"
    assert client.get("/api/health/ready").status_code == 200  # behind, but the loaded version serves


def test_exclusion_filters_remove_what_the_inclusion_filter_keeps(catalog):
    everything = services.search(query="data", top_k=50)
    ids = {h.id for h in everything.results}
    no_worldbank = services.search(query="data", top_k=50, filters={"exclude_source": ["worldbank"]})
    assert catalog["gdp"].pk in ids
    assert all(h.source != "worldbank" for h in no_worldbank.results) and no_worldbank.results
    # A format exclusion drops datasets offered only in those formats, not those also offered otherwise.
    no_kml = services.search(query="hawker centres", top_k=50, filters={"exclude_format": ["KML"]})
    assert catalog["hawker"].pk in {h.id for h in no_kml.results}  # also GeoJSON
    no_maps = services.search(query="hawker centres", top_k=50, filters={"exclude_format": ["KML", "GEOJSON"]})
    assert catalog["hawker"].pk not in {h.id for h in no_maps.results}
    only = services.search(query="data", top_k=50, filters={"ids": [catalog["gdp"].pk, catalog["rain"].pk]})
    assert {h.id for h in only.results} <= {catalog["gdp"].pk, catalog["rain"].pk}
    dropped = services.search(query="data", top_k=50, filters={"exclude_ids": [catalog["gdp"].pk]})
    assert catalog["gdp"].pk not in {h.id for h in dropped.results}


def test_an_exclusion_leaves_the_same_list_without_what_it_names(catalog, monkeypatch):
    # "Excluded X: N left" must never report more matches than before, and what stays keeps its order, even when
    # the candidates are few (the ranking draws them from the whole catalog, the exclusion then removes some).
    from search.ranking import pipeline

    monkeypatch.setattr(pipeline, "NEURAL_CANDIDATES", 3)
    monkeypatch.setattr(pipeline, "LEXICAL_CANDIDATES", 3)
    before = services.search(query="prices", top_k=50)
    first = before.results[0]
    after = services.search(query="prices", top_k=50, filters={"exclude_ids": [first.id]})
    assert after.total == before.total - 1
    assert [h.id for h in after.results] == [h.id for h in before.results[1:]]
    shown = [h.source for h in before.results]
    source = next(s for s in shown if 0 < shown.count(s) < len(shown))
    after = services.search(query="prices", top_k=50, filters={"exclude_source": [source]})
    assert after.results and all(h.source != source for h in after.results)
    assert [h.id for h in after.results] == [h.id for h in before.results if h.source != source]
    assert sum(v["count"] for v in after.facets["source"]) == after.total


def test_year_filter_can_keep_undated_datasets(catalog):
    dated_only = services.search(query="question answering", top_k=50, filters={"year_from": 2015})
    kept = services.search(query="question answering", top_k=50, filters={"year_from": 2015, "undated": "keep"})
    assert catalog["squad"].temporal_start is None
    assert catalog["squad"].pk not in {h.id for h in dated_only.results}
    assert catalog["squad"].pk in {h.id for h in kept.results}
    with pytest.raises(services.SearchValidationError) as err:
        services.search(query="x", filters={"exclude_publisher": ["no-such-agency"], "ids": "1,abc"})
    assert set(err.value.errors) == {"exclude_publisher", "ids"}


def test_a_facet_the_query_candidates_all_missed_is_ranked_inside(catalog, monkeypatch):
    # The candidates come from the whole catalog (the best 200 by meaning and 200 by words); a selective facet
    # whose datasets none of them reached is searched inside instead of answering nothing.
    from search.ranking import pipeline

    monkeypatch.setattr(pipeline, "NEURAL_CANDIDATES", 1)
    monkeypatch.setattr(pipeline, "LEXICAL_CANDIDATES", 1)
    unfiltered = services.search(query="monthly rainfall emissions")
    assert all(h.source != "worldbank" for h in unfiltered.results)
    narrowed = services.search(query="monthly rainfall emissions", filters={"source": "worldbank"})
    assert [h.id for h in narrowed.results][:1] == [catalog["co2"].pk]
    assert all(h.source == "worldbank" for h in narrowed.results) and narrowed.total == len(narrowed.results)


def test_the_title_signal_reads_summaries_not_a_research_records_name(catalog):
    # A portal title summarises its data (re-scoring compares it with what the query asks); a research record's
    # title is a name ("SQuAD"), so the index hands re-scoring no title for it.
    index = current_index()
    titles = index.signals.titles
    position = {int(pk): k for k, pk in enumerate(index.ids.tolist())}
    assert titles[position[catalog["hdb"].pk]] == catalog["hdb"].title
    assert titles[position[catalog["squad"].pk]] == ""
    assert titles[position[catalog["coco"].pk]] == ""
