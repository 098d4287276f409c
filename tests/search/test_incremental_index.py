"""The incremental index: catalog changes laid over the published version as a delta (search.index.delta),
searchable at once without a build; compaction past SEARCH_DELTA_COMPACT_AT; the beat's catch-up."""

from __future__ import annotations

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import Dataset
from catalog.services import dataset_refresh_derived, dataset_status_set, datasets_delete
from search import indexing, services
from search.index import current_index
from search.index.delta import DeltaLexical, StackedVectors
from search.lexical import LexicalIndex
from search.models import IndexChange, IndexState
from search.ranking.documents import DocFields
from tests.catalog.test_admin import change_form_data
from tests.factories import DatasetFactory, PublisherFactory
from tests.search.conftest import make_catalog

pytestmark = pytest.mark.slow


@pytest.fixture
def indexed(db, django_capture_on_commit_callbacks):
    catalog = make_catalog()
    services.index_ensure()
    return catalog


def _commit(callbacks, fn, **kwargs):
    with callbacks(execute=True):
        return fn(**kwargs)


def _ids(query: str, **kwargs) -> list[int]:
    return [hit.id for hit in services.search(query=query, top_k=50, **kwargs).results]


def test_a_new_word_is_found_at_once_and_gone_when_removed(indexed, django_capture_on_commit_callbacks):
    rain = indexed["rain"]
    version = IndexState.objects.get(pk=1).version
    assert rain.pk not in _ids("qwzvplorbt")
    rain.description += " Curator note qwzvplorbt"
    rain.save()
    _commit(django_capture_on_commit_callbacks, dataset_refresh_derived, dataset_ids=[rain.pk])
    assert _ids("qwzvplorbt")[0] == rain.pk
    state = IndexState.objects.get(pk=1)
    assert state.version == version and state.change_seq > state.base_seq  # no build
    assert _ids("monthly rainfall").count(rain.pk) == 1  # the replaced row is not searched as well

    rain.description = rain.description.replace(" Curator note qwzvplorbt", "")
    rain.save()
    _commit(django_capture_on_commit_callbacks, dataset_refresh_derived, dataset_ids=[rain.pk])
    assert rain.pk not in _ids("qwzvplorbt")
    assert _ids("monthly rainfall")[0] == rain.pk


def test_created_withdrawn_and_deleted_datasets(indexed, django_capture_on_commit_callbacks):
    source = indexed["rain"].source
    publisher = PublisherFactory(name="Orchard Survey Office", slug="orchard-survey-office")
    durian = DatasetFactory(source=source, publisher=publisher, title="Durian harvest by orchard",
                            description="Tonnes of durian harvested per orchard and season.", formats=["PARQUET"])  # fmt: skip
    _commit(django_capture_on_commit_callbacks, dataset_refresh_derived, dataset_ids=[durian.pk])
    assert _ids("durian harvest")[0] == durian.pk
    # Its new publisher and format are filters and facets like any other.
    assert _ids("durian harvest", filters={"publisher": ["orchard-survey-office"]}) == [durian.pk]
    assert _ids("durian harvest", filters={"format": ["PARQUET"]}) == [durian.pk]
    facets = services.search(query="durian harvest").facets
    assert {"value": "orchard-survey-office", "label": "Orchard Survey Office", "count": 1} in facets["publisher"]

    _commit(django_capture_on_commit_callbacks, dataset_status_set, dataset_ids=[durian.pk], status="inactive")
    assert durian.pk not in _ids("durian harvest")
    staff = get_user_model().objects.create_user("curator", is_staff=True)
    assert _ids("durian harvest", filters={"status": "inactive"}, user=staff).count(durian.pk) == 1

    hawker = indexed["hawker"]
    assert hawker.pk in _ids("hawker centres")
    _commit(django_capture_on_commit_callbacks, datasets_delete, dataset_ids=[hawker.pk])
    assert not Dataset.objects.filter(pk=hawker.pk).exists()
    assert hawker.pk not in _ids("hawker centres", filters={"status": "any"}, user=staff)


def test_a_curators_save_in_the_admin_is_searchable(indexed, admin_client, django_capture_on_commit_callbacks):
    rain = indexed["rain"]
    url = reverse("admin:catalog_dataset_change", args=[rain.pk])
    data = change_form_data(rain, description=f"{rain.description} Curator note kzvbqmxl")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    assert _ids("kzvbqmxl")[0] == rain.pk
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, change_form_data(rain, description=rain.description))
    assert rain.pk not in _ids("kzvbqmxl")


def test_compaction_builds_a_version_past_the_threshold(indexed, settings, django_capture_on_commit_callbacks):
    settings.SEARCH_DELTA_COMPACT_AT = 2
    version = IndexState.objects.get(pk=1).version
    school = indexed["school"]
    school.title = "Primary school enrolment by zqxcourse"
    school.save()
    _commit(django_capture_on_commit_callbacks, dataset_refresh_derived, dataset_ids=[school.pk])
    assert IndexState.objects.get(pk=1).version == version
    gdp = indexed["gdp"]
    gdp.title = "GDP per capita by zqxcountry"
    gdp.save()
    _commit(django_capture_on_commit_callbacks, dataset_refresh_derived, dataset_ids=[gdp.pk])
    state = IndexState.objects.get(pk=1)
    assert state.version == version + 1 and state.base_seq == state.change_seq  # folded into a build
    assert not IndexChange.objects.filter(id__lte=state.base_seq).exists()  # the log is pruned
    index = current_index(force_check=True)
    assert index.live is None and len(index) == Dataset.objects.count()
    assert _ids("zqxcourse")[0] == school.pk and _ids("zqxcountry")[0] == gdp.pk


def test_the_catch_up_compacts_when_a_compaction_was_lost(indexed, settings):
    # A worker killed during the compaction: the changes stay logged and the beat redoes the build.
    state = IndexState.objects.get(pk=1)
    IndexChange.objects.bulk_create([IndexChange(dataset_id=d.pk) for d in indexed.values()])
    IndexState.objects.filter(pk=1).update(change_seq=IndexChange.objects.order_by("-id").first().id)
    settings.SEARCH_DELTA_COMPACT_AT = len(indexed) + 1
    assert indexing.index_is_stale() is False
    settings.SEARCH_DELTA_COMPACT_AT = len(indexed)
    assert indexing.index_is_stale() is True
    report = indexing.index_catch_up()
    assert report is not None and report["rebuilt"] and report["version"] == state.version + 1
    assert indexing.index_is_stale() is False


def test_who_names_whom_is_kept_in_the_index_and_follows_an_edited_dataset(indexed, django_capture_on_commit_callbacks):
    cifar = indexed["cifar"]
    cinic = DatasetFactory(source=cifar.source, publisher=cifar.publisher, title="CINIC-10",
                           description="An image classification set that extends CIFAR-10 with ImageNet images.")  # fmt: skip
    indexing.embeddings_update()
    indexing.index_rebuild()
    index = current_index()
    assert index.mentions.mentioned_by(index.position[cinic.pk]).tolist() == [index.position[cifar.pk]]
    assert index.popularity[index.position[cifar.pk]] > 0 == index.popularity[index.position[cinic.pk]]

    cifar.description += " Curator note: also known as the CIFAR ten."
    cifar.save()
    _commit(django_capture_on_commit_callbacks, dataset_refresh_derived, dataset_ids=[cifar.pk])
    overlay = current_index()
    assert overlay.change_seq > index.change_seq  # laid over the version, not rebuilt
    assert overlay.mentions.mentioned_by(overlay.position[cinic.pk]).tolist() == [overlay.position[cifar.pk]]
    assert overlay.signals.mentions is overlay.mentions
    assert _ids("CIFAR-10 ten")[0] == cifar.pk


def test_stacked_vectors_read_like_one_matrix():
    rng = np.random.default_rng(0)
    base, extra = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(2, 3)).astype(np.float32)
    stacked, whole = StackedVectors(base, extra), np.vstack([base, extra])
    vector = rng.normal(size=3).astype(np.float32)
    assert len(stacked) == 7 and stacked.shape == (7, 3)
    np.testing.assert_allclose(stacked @ vector, whole @ vector, rtol=1e-6)
    np.testing.assert_array_equal(stacked[6], whole[6])
    np.testing.assert_array_equal(stacked[-1], whole[-1])
    np.testing.assert_array_equal(stacked[np.array([6, 0, 5, 4])], whole[[6, 0, 5, 4]])


def _doc(title: str, description: str):
    from search.index.documents import IndexDoc

    return IndexDoc(id=0, source_slug="s", source_name="S", source_country="", publisher_slug="", publisher_name="",
                    title=title, description=description, tags=[], formats=[], themes=[], geography="",
                    year_start=None, year_end=None, active=True, quality=0.5, link_broken=False, modified=None)  # fmt: skip


def test_a_delta_document_scores_as_it_would_in_a_build():
    from search.index.documents import doc_fields

    base_docs = [_doc(f"Rainfall station {i}", f"Daily rainfall at station {i} in millimetres.") for i in range(30)]
    base_docs += [_doc("Air quality readings", "Hourly PSI readings by region.")]
    new = _doc("Rainfall and tide gauge zqmoplk", "Daily rainfall and sea level readings.")
    base = LexicalIndex.build([doc_fields(d) for d in base_docs])
    full = LexicalIndex.build([doc_fields(d) for d in [*base_docs, new]])
    delta = DeltaLexical([new], base)
    for query in ("rainfall", "zqmoplk", "sea level readings", "psi"):
        assert delta.scores(query)[0] == pytest.approx(full.scores(query)[-1], rel=0.05), query
    assert isinstance(doc_fields(new), DocFields)


def test_positions_are_found_by_id_in_order_or_not():
    from collections import ChainMap

    from search.index.loaded import PositionMap

    ordered = PositionMap(np.array([3, 5, 9, 12]))
    assert ordered[9] == 2 and 4 not in ordered and ordered.get(4) is None and list(ordered) == [3, 5, 9, 12]
    shuffled = PositionMap(np.array([9, 3, 12, 5]))
    assert (shuffled[9], shuffled[5]) == (0, 3) and 4 not in shuffled and shuffled.get("x") is None
    with pytest.raises(KeyError):
        ordered[13]
    overlay = ChainMap({4: 10, 9: 11}, ordered)  # a delta's rows first
    assert (overlay[4], overlay[9], overlay[3]) == (10, 11, 0)
