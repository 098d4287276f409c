"""Dataset families: the grouping rules (pure), the stored families after an import, the tidy-up
(title repair, junk hidden) and the curator's split / merge."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.families import (
    SERIES,
    VARIANTS,
    FamilyInput,
    families_compute,
    format_free_title,
    is_empty_title,
    lead_by_years,
    period_free_title,
    series_lead,
)
from catalog.models import Dataset, DatasetFamily, Source
from catalog.services import catalog_import, catalog_tidy_and_group, family_merge, family_split
from tests.factories import DatasetFactory, DistributionFactory, PublisherFactory, SourceFactory

RESALE = [
    ("r1990", "Resale Flat Prices (Based on Approval Date), 1990 - 1999", date(1990, 1, 1), date(1999, 12, 31)),
    ("r2000", "Resale Flat Prices (Based on Approval Date), 2000 - Feb 2012", date(2000, 1, 1), date(2012, 2, 29)),
    ("r2012", "Resale Flat Prices (Based on Registration Date), From Mar 2012 to Dec 2014", date(2012, 3, 1), None),
    ("r2015", "Resale Flat Prices (Based on Registration Date), From Jan 2015 to Dec 2016", None, None),
    ("r2017", "Resale flat prices based on registration date from Jan-2017 onwards", date(2017, 1, 1), None),
]


def hdb(i, title, start=None, end=None, collection="189"):
    return FamilyInput(
        id=i,
        title=title,
        source="datagovsg",
        publisher="Housing and Development Board",
        collection=collection,
        collection_name="Resale Flat Prices",
        start=start,
        end=end,
    )


def groups_by_members(items):
    return {tuple(sorted(g.members)): g for g in families_compute(items)}


# ---- rules (pure) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Master Plan 2014 Rail Station (SHP)", "master plan 2014 rail station"),
        ("Master Plan 2014 Rail Station (KML)", "master plan 2014 rail station"),
        ("Dengue Clusters - GeoJSON", "dengue clusters"),
        ("  PARKS   (kml / shp) ", "parks"),
        ("Café Locations GEOJSON", "cafe locations"),
        ("DailyDialog++", "dailydialog++"),
    ],
)
def test_format_free_title(title, expected):
    assert format_free_title(title) == expected


def test_period_free_title_and_empty_titles():
    assert period_free_title(RESALE[4][1]) == "resale flat prices based on registration date"
    assert period_free_title(RESALE[2][1]) == "resale flat prices based on registration date"
    assert all(is_empty_title(t) for t in ("", "None", " null ", "N/A", "Untitled"))
    assert not is_empty_title("Nonessential goods")


def test_format_variants_in_a_collection_are_one_family():
    items = [
        FamilyInput(1, "Master Plan 2014 Rail Station (SHP)", "datagovsg", "Urban Redevelopment Authority", "1790"),
        FamilyInput(2, "Master Plan 2014 Rail Station (KML)", "datagovsg", "Urban Redevelopment Authority", "1790"),
        FamilyInput(3, "Master Plan 2014 Rail Line (KML)", "datagovsg", "Urban Redevelopment Authority", "1791"),
    ]
    groups = groups_by_members(items)
    assert list(groups) == [(1, 2)]
    assert groups[(1, 2)].kind == VARIANTS and groups[(1, 2)].title == "Master Plan 2014 Rail Station"


def test_copies_join_across_sources_and_a_publisherless_copy_joins_its_publisher():
    items = [
        FamilyInput(1, "Eating Establishments", "datagovsg", "Singapore Food Agency", "1377"),
        FamilyInput(2, "Eating establishments", "datagovsg", ""),  # the same layer without a publisher
        FamilyInput(3, "Eating Establishments (CSV)", "seed", "Singapore Food Agency"),
    ]
    assert list(groups_by_members(items)) == [(1, 2, 3)]


def test_different_publishers_are_not_merged():
    items = [
        FamilyInput(1, "Hotels", "datagovsg", "Singapore Tourism Board"),
        FamilyInput(2, "Hotels", "datagovsg", "Urban Redevelopment Authority"),
        FamilyInput(3, "Hotels", "otherportal", ""),  # no publisher, another source: stands alone
    ]
    assert families_compute(items) == []


def test_period_split_collection_is_a_series_in_time_order():
    shuffled = [RESALE[i] for i in (4, 1, 3, 0, 2)]
    groups = families_compute([hdb(*r) for r in shuffled])
    assert len(groups) == 1
    series = groups[0]
    assert series.kind == SERIES and series.title == "Resale Flat Prices"
    assert series.members == ["r1990", "r2000", "r2012", "r2015", "r2017"]


def test_a_collection_of_different_things_with_years_is_not_a_series():
    items = [
        FamilyInput("a", "Newspapers 2022-Malaya Tribune-1914 to 1918", "datagovsg", "NLB", "1478"),
        FamilyInput("b", "Newspapers 2022-Straits Echo-1910 to 1914", "datagovsg", "NLB", "1478"),
        FamilyInput("c", "Newspapers 2022-Malaya Tribune-1919 to 1923", "datagovsg", "NLB", "1478"),
    ]
    groups = families_compute(items)
    assert [(g.kind, g.members) for g in groups] == [(SERIES, ["a", "c"])]


def test_research_editions_are_not_series():
    items = [FamilyInput(n, n, "paperswithcode", research=True) for n in ("WMT 2014", "WMT 2016", "CoNLL-2003")]
    assert families_compute(items) == []


def test_series_lead_fits_the_query_time():
    members = [hdb(*r) for r in RESALE]
    assert series_lead(members) == "r2017"  # no time: the current piece
    assert series_lead(members, years=[2017]) == "r2017"
    assert series_lead(members, years=[2005]) == "r2000"
    assert series_lead(members, year_from=2013, year_to=2013) == "r2012"
    assert series_lead(members, year_to=1995) == "r1990"
    assert lead_by_years([("a", 2001, 2002), ("b", None, None)], years=[1980]) == "a"


# ---- stored families after an import -----------------------------------------------------------


@pytest.mark.django_db
def test_import_stores_families_and_tidies(catalog_data):
    catalog_import(path=catalog_data / "families")
    by_ext = {d.external_id: d for d in Dataset.objects.select_related("family")}
    resale = by_ext["d_resale_2017"].family
    assert resale is not None and resale.kind == DatasetFamily.Kind.SERIES
    assert {d.external_id for d in resale.members.all()} == {f"d_resale_{y}" for y in (1990, 2000, 2012, 2015, 2017)}
    dengue = by_ext["d_dengue_kml"].family
    assert dengue is not None and dengue.kind == DatasetFamily.Kind.VARIANTS
    assert dengue == by_ext["d_dengue_geojson"].family and dengue.title == "Dengue (Cases) - Central"
    assert by_ext["d_parks_copy"].family == by_ext["d_parks_kml"].family is not None
    assert by_ext["d_hotels_stb"].family is None and by_ext["d_hotels_ura"].family is None
    assert by_ext["d_newsp_a"].family is None and by_ext["d_newsp_b"].family is None
    # Junk stays out of sight, a title the portal left empty comes from its collection.
    assert by_ext["d_e2e"].status == Dataset.Status.INACTIVE and by_ext["d_e2e"].family is None
    untitled = by_ext["d_untitled"]
    assert untitled.title == "Retrenched Employees by Industry, Annual"
    assert untitled.extra["title_source"] == "collection" and untitled.extra["portal_title"] == "None"
    assert untitled.status == Dataset.Status.ACTIVE
    assert DatasetFamily.objects.count() == 3


@pytest.mark.django_db
def test_recompute_is_stable_and_reimport_changes_nothing(catalog_data, django_capture_on_commit_callbacks):
    catalog_import(path=catalog_data / "families")
    before = sorted(Dataset.objects.values_list("external_id", "family__key"), key=str)
    ids = sorted(DatasetFamily.objects.values_list("pk", flat=True))
    assert catalog_tidy_and_group().changed_ids == []
    with django_capture_on_commit_callbacks() as callbacks:
        report = catalog_import(path=catalog_data / "families")
    assert (report.created, report.updated) == (0, 0) and callbacks == []
    assert sorted(Dataset.objects.values_list("external_id", "family__key"), key=str) == before
    assert sorted(DatasetFamily.objects.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_tidy_hides_records_without_title_or_content_and_shows_them_again():
    gov = SourceFactory(slug="ckan-city", kind=Source.Kind.CKAN)
    bare = DatasetFactory(source=gov, title="Street lights", description="", landing_url="")
    linked = DatasetFactory(source=gov, title="Bus lanes", description="", landing_url="")
    DistributionFactory(dataset=linked, url="https://example.org/bus-lanes.csv")
    nameless = DatasetFactory(source=gov, title="None", description="Something", landing_url="https://x.org/a")
    test_record = DatasetFactory(source=gov, title="E2E Test Resource 1690000000", landing_url="https://x.org/b")
    kept = DatasetFactory(
        source=gov, title="null", description="", extra={"curator_status": "active"}, landing_url="https://x.org/c"
    )
    report = catalog_tidy_and_group()
    assert report.hidden == 3
    for d in (bare, linked, nameless, test_record, kept):
        d.refresh_from_db()
    assert bare.status == nameless.status == test_record.status == Dataset.Status.INACTIVE
    assert bare.status_reason == "Hidden: neither a description nor a link"
    assert nameless.status_reason == "Hidden: no title"
    assert linked.status == kept.status == Dataset.Status.ACTIVE  # a link is enough; a curator's word stands
    Dataset.objects.filter(pk=bare.pk).update(description="Locations of street lights.")
    assert catalog_tidy_and_group().shown == 1
    bare.refresh_from_db()
    assert (bare.status, bare.status_reason) == (Dataset.Status.ACTIVE, "")


# ---- curator split / merge ---------------------------------------------------------------------


@pytest.mark.django_db
def test_split_and_merge_survive_recomputation():
    src, pub = SourceFactory(slug="datagovsg"), PublisherFactory(name="National Environment Agency")
    kml = DatasetFactory(source=src, publisher=pub, title="Dengue Clusters (KML)")
    geo = DatasetFactory(source=src, publisher=pub, title="Dengue Clusters (GEOJSON)")
    shp = DatasetFactory(source=src, publisher=pub, title="Dengue Clusters (SHP)")
    other = DatasetFactory(source=src, publisher=pub, title="Aedes Breeding Habitats")
    catalog_tidy_and_group()
    kml.refresh_from_db()
    assert kml.family is not None and kml.family.members.count() == 3

    assert family_split(dataset_ids=[shp.pk]) == 1
    catalog_tidy_and_group()
    for d in (kml, geo, shp):
        d.refresh_from_db()
    assert shp.family is None and shp.family_pinned
    assert kml.family == geo.family is not None

    merged = family_merge(dataset_ids=[shp.pk, other.pk])
    catalog_tidy_and_group()
    shp.refresh_from_db()
    other.refresh_from_db()
    assert merged.curated and shp.family == other.family == merged
    assert set(merged.members.values_list("pk", flat=True)) == {shp.pk, other.pk}
    with pytest.raises(ValueError):
        family_merge(dataset_ids=[other.pk])

    # Splitting one of two members dissolves the family.
    family_split(dataset_ids=[other.pk])
    shp.refresh_from_db()
    assert shp.family is None and not DatasetFamily.objects.filter(pk=merged.pk).exists()


@pytest.mark.django_db
def test_families_recompute_command(catalog_data):
    from io import StringIO

    from django.core.management import call_command

    catalog_import(path=catalog_data / "families")
    Dataset.objects.update(family=None)
    out = StringIO()
    call_command("families_recompute", stdout=out)
    assert out.getvalue().startswith("3 families over 9 datasets")
    assert Dataset.objects.filter(family__isnull=False).count() == 9


@pytest.mark.django_db
def test_admin_family_pages_and_actions(catalog_data, admin_client):
    from django.urls import reverse

    catalog_import(path=catalog_data / "families")
    series = DatasetFamily.objects.get(kind=DatasetFamily.Kind.SERIES)
    listing = admin_client.get(reverse("admin:catalog_datasetfamily_changelist"))
    assert listing.status_code == 200 and "Resale Flat Prices" in listing.content.decode()
    page = admin_client.get(reverse("admin:catalog_datasetfamily_change", args=[series.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Resale flat prices based on registration date from Jan-2017 onwards" in html
    dataset_page = admin_client.get(reverse("admin:catalog_dataset_change", args=[series.members.first().pk]))
    assert dataset_page.status_code == 200

    # Merging through the dataset list: the two Hotels datasets (different publishers) become one family.
    hotels = list(Dataset.objects.filter(title="Hotels").values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:catalog_dataset_changelist"),
        {"action": "merge_into_family", "_selected_action": hotels},
        follow=True,
    )
    assert "Merged into the family" in response.content.decode()
    family = Dataset.objects.get(pk=hotels[0]).family
    assert family is not None and family.curated and family.members.count() == 2

    # Dissolving a family from the family list splits every member out, for good.
    response = admin_client.post(
        reverse("admin:catalog_datasetfamily_changelist"),
        {"action": "dissolve_families", "_selected_action": [series.pk]},
        follow=True,
    )
    assert "5 dataset(s) split out" in response.content.decode()
    assert not DatasetFamily.objects.filter(pk=series.pk).exists()
    catalog_tidy_and_group()
    assert not Dataset.objects.filter(external_id__startswith="d_resale", family__isnull=False).exists()
