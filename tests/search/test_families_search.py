"""Dataset families in search: one result per family on every page, totals and facets count a family
once, a series led by the member that fits the query's time, members nested in the API, admin
split/merge reaching the index."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from catalog.models import Dataset, Source
from catalog.services import catalog_tidy_and_group
from search import services
from search.index import forget_current_index
from tests.factories import DatasetFactory, DistributionFactory, PublisherFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.slow

RESALE = [
    ("Resale Flat Prices (Based on Approval Date), 1990 - 1999", 1990, 1999),
    ("Resale Flat Prices (Based on Approval Date), 2000 - Feb 2012", 2000, 2012),
    ("Resale Flat Prices (Based on Registration Date), From Mar 2012 to Dec 2014", 2012, 2014),
    ("Resale Flat Prices (Based on Registration Date), From Jan 2015 to Dec 2016", 2015, 2016),
    ("Resale flat prices based on registration date from Jan-2017 onwards", 2017, 2024),
]
RESALE_TEXT = "Resale flat prices of HDB flats by town, flat type, block, storey range and floor area."


def make_family_catalog() -> dict[str, int]:
    sg = SourceFactory(slug="datagovsg", name="data.gov.sg", country="Singapore", kind=Source.Kind.GOVERNMENT)
    hdb = PublisherFactory(name="Housing and Development Board", slug="housing-and-development-board")
    nea = PublisherFactory(name="National Environment Agency", slug="national-environment-agency")
    ids: dict[str, int] = {}
    for n, (title, start, end) in enumerate(RESALE):
        d = DatasetFactory(
            source=sg,
            publisher=hdb,
            title=title,
            description=RESALE_TEXT,
            temporal_start=date(start, 1, 1),
            temporal_end=date(end, 12, 31),
            extra={"collection": {"id": "189", "name": "Resale Flat Prices"}},
            landing_url=f"https://data.gov.sg/datasets/d_resale_{start}/view",
        )
        DistributionFactory(dataset=d, format="CSV", url=f"https://example.org/resale-{start}.csv")
        ids[f"resale{start}"] = d.pk
        ids[f"resale_{n}"] = d.pk
    for region in ("Central", "North East"):
        for fmt in ("KML", "GEOJSON"):
            d = DatasetFactory(
                source=sg,
                publisher=nea,
                title=f"Dengue (Cases) - {region} ({fmt})",
                description=f"Locations of reported dengue cases in the {region} region of Singapore.",
                formats=[fmt],
                extra={"collection": {"id": f"dengue-{region}", "name": f"Dengue (Cases) - {region}"}},
                landing_url="https://data.gov.sg/datasets/dengue/view",
            )
            DistributionFactory(dataset=d, format=fmt, url=f"https://example.org/dengue-{region}.{fmt.lower()}")
            ids[f"dengue_{region}_{fmt}".replace(" ", "_").lower()] = d.pk
    ids["bulletin"] = DatasetFactory(
        source=sg,
        publisher=nea,
        title="Weekly Infectious Disease Bulletin",
        description="Weekly number of dengue fever cases and other infectious diseases notified.",
    ).pk
    ids["junk"] = DatasetFactory(
        source=sg, publisher=nea, title="Dengue cases test-dataset", description="", landing_url=""
    ).pk
    catalog_tidy_and_group(notify=False)
    return ids


@pytest.fixture(scope="module")
def fam_ids(django_db_setup, django_db_blocker):
    forget_current_index()
    with django_db_blocker.unblock():
        ids = make_family_catalog()
        services.index_ensure()
    yield ids
    with django_db_blocker.unblock():
        from catalog.models import DatasetFamily, Publisher
        from search.models import IndexState, QueryStat

        Dataset.objects.filter(pk__in=ids.values()).delete()
        DatasetFamily.objects.all().delete()
        Source.objects.filter(slug="datagovsg").delete()
        Publisher.objects.filter(slug__in=["housing-and-development-board", "national-environment-agency"]).delete()
        IndexState.objects.all().delete()
        QueryStat.objects.all().delete()
    forget_current_index()


@pytest.fixture
def fam(fam_ids, db) -> dict[str, int]:
    return fam_ids


def family_ids(response) -> list:
    return [h.family["id"] if h.family else f"alone-{h.id}" for h in response.results]


def test_one_result_per_family_and_counts_once(fam):
    r = services.search(query="dengue cases map", top_k=10)
    assert len(family_ids(r)) == len(set(family_ids(r)))
    assert r.total == len(r.results) == 3  # two regional families and the bulletin; the junk record is hidden
    central = next(h for h in r.results if "Central" in h.title)
    assert central.family["kind"] == "variants" and central.family["size"] == 2
    assert set(central.formats) == {"KML", "GEOJSON"}
    assert {m["id"] for m in central.members} == {fam["dengue_central_kml"], fam["dengue_central_geojson"]}
    assert sum(m["lead"] for m in central.members) == 1
    facets = {f["value"]: f["count"] for f in r.facets["format"]}
    assert facets["KML"] == facets["GEOJSON"] == 2  # per family, not per member
    assert sum(f["count"] for f in r.facets["publisher"]) == r.total


def test_pages_never_repeat_a_family(fam):
    seen = []
    for page in (1, 2, 3):
        seen += family_ids(services.search(query="dengue", top_k=1, page=page))
    assert len(seen) == len(set(seen)) == 3


def test_a_format_filter_matches_the_family_by_any_member(fam):
    r = services.search(query="dengue cases central region", filters={"format": ["GEOJSON"]}, top_k=5)
    central = next(h for h in r.results if "Central" in h.title)
    assert central.family["size"] == 2


def test_a_format_filter_or_exclusion_picks_the_member_that_leads_the_family(fam):
    only = services.search(query="dengue cases central region", filters={"format": ["GEOJSON"]}, top_k=5)
    lead = next(h for h in only.results if "Central" in h.title)
    assert lead.id == fam["dengue_central_geojson"]
    without = services.search(query="dengue cases central region", filters={"exclude_format": ["GEOJSON"]}, top_k=5)
    lead = next(h for h in without.results if "Central" in h.title)
    assert lead.id == fam["dengue_central_kml"] and lead.family["size"] == 2  # the family stays, in KML


def test_series_is_one_result_led_by_the_member_that_fits_the_query_time(fam):
    r = services.search(query="HDB resale flat prices since 2017", top_k=10)
    series = [h for h in r.results if h.family and h.family["kind"] == "series"]
    assert len(series) == 1 and r.results[0] is series[0]
    hit = series[0]
    assert hit.id == fam["resale2017"]
    assert [m["id"] for m in hit.members] == [fam[f"resale_{n}"] for n in range(5)]  # time order
    assert [m["period"] for m in hit.members][0] == "1990–1999"
    assert services.search(query="HDB resale flat prices in 2005", top_k=3).results[0].id == fam["resale2000"]
    latest = services.search(query="latest resale flat prices", top_k=3).results[0]
    assert latest.id == fam["resale2017"]
    old = services.search(query="resale flat prices", filters={"year_to": 1995}, top_k=3).results[0]
    assert old.id == fam["resale1990"]


def test_junk_is_hidden_unless_staff_asks(fam):
    assert fam["junk"] not in [h.id for h in services.search(query="dengue cases test", top_k=20).results]
    staff = UserFactory(username="curator-fam", is_staff=True)
    r = services.search(query="dengue cases test", filters={"include_inactive": True}, top_k=20, user=staff)
    assert fam["junk"] in [h.id for h in r.results]


def test_similar_datasets_leave_out_the_own_family(fam):
    hits = services.similar_datasets(dataset_id=fam["dengue_central_kml"], top_k=5)
    assert fam["dengue_central_geojson"] not in [h.id for h in hits]


def test_api_nests_members(fam, client):
    data = client.get("/api/search", {"q": "HDB resale flat prices since 2017", "top_k": 3}).json()
    hit = data["results"][0]
    assert hit["family"]["kind"] == "series" and hit["family"]["size"] == 5
    assert [m["temporal_start"][:4] for m in hit["members"]] == ["1990", "2000", "2012", "2015", "2017"]
    assert hit["members"][-1]["lead"] is True and hit["members"][-1]["distributions"][0]["format"] == "CSV"
    alone = client.get("/api/search", {"q": "weekly infectious disease bulletin", "top_k": 1}).json()["results"][0]
    assert alone["family"] is None and alone["members"] == []
    schema = client.get("/api/schema/").content.decode()
    assert "FamilyMember" in schema


def test_search_page_shows_formats_and_series_members(fam, client):
    html = client.get("/search", {"q": "dengue cases central region"}).content.decode()
    assert 'data-family-kind="variants"' in html
    assert 'href="https://example.org/dengue-Central.kml"' in html and ">GEOJSON</a>" in html
    html = client.get("/search", {"q": "HDB resale flat prices since 2017"}).content.decode()
    assert 'class="series-members"' in html and "1990–1999" in html and 'aria-current="true"' in html
    assert "<script>" not in html.split("<body", 1)[1].split("</body>")[0].replace(" ", "")


def test_admin_split_reaches_search(fam, admin_client, django_capture_on_commit_callbacks):
    url = reverse("admin:catalog_dataset_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "split_from_family", "_selected_action": [fam["dengue_north_east_kml"]]}, follow=True
        )
    assert response.status_code == 200 and "split out of their family" in response.content.decode()
    forget_current_index()
    r = services.search(query="dengue cases north east region", top_k=10)
    north_east = [h for h in r.results if "North East" in h.title]
    assert len(north_east) == 2 and all(h.family is None for h in north_east)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            url,
            {
                "action": "merge_into_family",
                "_selected_action": [fam["dengue_north_east_kml"], fam["dengue_north_east_geojson"]],
            },
        )
    forget_current_index()
    r = services.search(query="dengue cases north east region", top_k=10)
    assert len([h for h in r.results if "North East" in h.title]) == 1


def test_dataset_page_lists_the_other_members(fam, client):
    html = client.get(f"/datasets/{fam['resale2000']}/").content.decode()
    assert "All periods of this series" in html
    assert f'href="/datasets/{fam["resale1990"]}/"' in html and 'aria-current="page"' in html
    alone = client.get(f"/datasets/{fam['bulletin']}/").content.decode()
    assert "family-heading" not in alone
