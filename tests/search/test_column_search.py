"""Column-level search: columns from data previews and portal metadata are indexed, a query that asks
for columns finds the datasets that have them, and the explanation names the matching column."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.models import DistributionPreview
from search import services
from search.ranking.columns import key_matches, matched_columns, requested_columns
from search.ranking.documents import DocFields
from search.ranking.explanations import explain
from tests.factories import DistributionFactory

from .conftest import make_catalog, module_catalog_remove


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("datasets with a postal code column", ["postal code"]),
        ("has columns town and resale_price", ["town", "resale price"]),
        ("data with columns: town, flat type & floor_area_sqm", ["town", "flat type", "floor area sqm"]),
        ("anything having the field postalCode?", ["postal code"]),
        ("tables that contain a latitude field", ["latitude"]),
        ("HDB resale prices by town", []),
        ("column", []),
    ],
)
def test_requested_columns_are_read_from_the_query(query, wanted):
    assert requested_columns(query) == wanted


def test_names_match_whatever_their_spelling():
    assert key_matches("postal code", "postal code")
    assert key_matches("price", "resale price")
    assert key_matches("resale prices", "resale price")  # stemmed
    assert not key_matches("town", "hometown")
    assert not key_matches("code postal", "postal code")
    assert matched_columns("with a postal code column", ["Name", "postalCode", "POSTAL_CODE"]) == ["postalCode"]
    assert matched_columns("has columns town and resale_price", ["month", "town", "resale_price"]) == [
        "town",
        "resale_price",
    ]
    # Without asking for columns, a multi-word column the query names still counts.
    assert matched_columns("schools by postal code", ["school_name", "postal_code"]) == ["postal_code"]
    assert matched_columns("schools by postal code", ["code"]) == []


def test_explanation_names_the_matching_column_first():
    doc = DocFields(title="General information of schools", column_names=["school_name", "postalCode"])
    why = explain(query="datasets with a postal code column", doc=doc)
    assert why[0] == "has column 'postalCode'"
    why = explain(query="has columns school_name and postal code", doc=doc)
    assert why[0] == "has columns 'school_name', 'postalCode'"


@pytest.fixture(scope="module")
def column_catalog(django_db_setup, django_db_blocker):
    """The search tests' catalog, with previews on two datasets and portal columns on a third."""
    with django_db_blocker.unblock():
        data = make_catalog()

        def ready(dataset, columns):
            dist = DistributionFactory(dataset=dataset, format="CSV")
            DistributionPreview.objects.create(
                distribution=dist,
                status="ready",
                source_url=dist.url,
                fetched_at=timezone.now(),
                columns=[{"name": name, "type": "string"} for name in columns],
            )

        ready(data["hdb"], ["month", "town", "flat_type", "floor_area_sqm", "resale_price"])
        ready(data["school"], ["school_name", "address", "postalCode", "telephone_no"])
        data["hawker"].extra = {"columns": [{"name": "name_of_centre"}, {"name": "postal_code", "title": "Postal"}]}
        data["hawker"].save()
        services.index_ensure()
        ids = {key: dataset.pk for key, dataset in data.items()}
    yield ids
    with django_db_blocker.unblock():
        module_catalog_remove(ids)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_postal_code_column_finds_datasets_with_one(column_catalog):
    response = services.search(query="datasets with a postal code column", top_k=5)
    top = {hit.id: hit for hit in response.results[:2]}
    assert set(top) == {column_catalog["school"], column_catalog["hawker"]}
    assert top[column_catalog["school"]].why[0] == "has column 'postalCode'"
    assert top[column_catalog["hawker"]].why[0] == "has column 'postal_code'"  # from portal metadata
    assert not response.weak


@pytest.mark.slow
@pytest.mark.django_db
def test_has_columns_town_and_resale_price_finds_the_resale_data(column_catalog):
    response = services.search(query="has columns town and resale_price", top_k=5)
    first = response.results[0]
    assert first.id == column_catalog["hdb"]
    assert first.why[0] == "has columns 'town', 'resale_price'"


@pytest.mark.slow
@pytest.mark.django_db
def test_column_words_also_count_as_plain_search_terms(column_catalog):
    response = services.search(query="telephone no", top_k=3)
    assert response.results and response.results[0].id == column_catalog["school"]
    assert "has column 'telephone_no'" in response.results[0].why
