"""A small fixture catalog (three sources, distinct topics) indexed with the real embedding model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from catalog.models import Dataset
from search import services
from search.index import forget_current_index
from tests.factories import DatasetFactory, PublisherFactory, SourceFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_index_view():
    """Each test starts with no index loaded in this process (the database is reset between tests)."""
    forget_current_index()
    yield
    forget_current_index()


def _ds(source, publisher, title, description, *, formats=("CSV",), themes=(), years=None, geo="", **kw):
    return DatasetFactory(
        source=source,
        publisher=publisher,
        title=title,
        description=description,
        formats=list(formats),
        themes=list(themes),
        temporal_start=date(years[0], 1, 1) if years else None,
        temporal_end=date(years[1], 12, 31) if years and years[1] else None,
        geographic_coverage=geo,
        **kw,
    )


def make_catalog() -> dict[str, Dataset]:
    sg = SourceFactory(slug="datagovsg", name="data.gov.sg", country="Singapore")
    wb = SourceFactory(slug="worldbank", name="World Bank Open Data", kind="international")
    pwc = SourceFactory(slug="paperswithcode", name="Papers with Code", kind="research")
    hdb = PublisherFactory(name="Housing and Development Board", slug="housing-and-development-board")
    moh = PublisherFactory(name="Ministry of Health", slug="ministry-of-health")
    lta = PublisherFactory(name="Land Transport Authority", slug="land-transport-authority")
    nea = PublisherFactory(name="National Environment Agency", slug="national-environment-agency")
    moe = PublisherFactory(name="Ministry of Education", slug="ministry-of-education")
    wbg = PublisherFactory(name="World Bank", slug="world-bank")
    who = PublisherFactory(name="World Health Organization", slug="world-health-organization")
    res = PublisherFactory(name="Research community", slug="research-community")
    recent = datetime(2024, 6, 1, tzinfo=UTC)
    old = datetime(2015, 1, 1, tzinfo=UTC)
    d = {}
    d["hdb"] = _ds(
        sg,
        hdb,
        "HDB Resale Flat Prices",
        "Resale transactions of HDB flats by town, flat type, floor area and lease commencement date.",
        themes=["Housing"],
        years=(2017, 2024),
        geo="Singapore",
        source_modified_at=recent,
    )
    d["hdb_dup"] = _ds(
        sg,
        hdb,
        "HDB resale flat prices",
        "Resale transactions of HDB flats by town, flat type, floor area and lease commencement date.",
        themes=["Housing"],
        years=(2017, 2024),
        geo="Singapore",
        source_modified_at=old,
    )
    d["dengue"] = _ds(
        sg,
        moh,
        "Weekly Infectious Disease Bulletin",
        "Weekly number of cases of dengue fever, hand foot and mouth disease and other infectious "
        "diseases notified in Singapore.",
        themes=["Health"],
        years=(2012, 2023),
        geo="Singapore",
    )
    d["coe"] = _ds(
        sg,
        lta,
        "Certificate of Entitlement (COE) Bidding Results",
        "Quota premium and number of bids received for each COE vehicle category in every bidding exercise.",
        themes=["Transport"],
        years=(2002, 2024),
        geo="Singapore",
        source_modified_at=recent,
    )
    d["rain"] = _ds(
        sg,
        nea,
        "Rainfall - Monthly Total",
        "Total monthly rainfall in millimetres recorded at the Changi climate station.",
        formats=("CSV", "JSON"),
        themes=["Environment"],
        years=(1982, 2023),
        geo="Singapore",
    )
    d["school"] = _ds(
        sg,
        moe,
        "Primary School Enrolment by Level",
        "Number of pupils enrolled in primary schools by level and sex.",
        formats=("XLSX",),
        themes=["Education"],
        years=(2000, 2010),
        geo="Singapore",
    )
    d["hawker"] = _ds(
        sg,
        nea,
        "Hawker Centres",
        "Locations and details of hawker centres and food stalls.",
        formats=("GEOJSON", "KML"),
        themes=["Environment"],
        geo="Singapore",
    )
    d["inactive"] = _ds(
        sg,
        lta,
        "Bus Stop Locations (retired)",
        "Bus stop positions and road names.",
        themes=["Transport"],
        status=Dataset.Status.INACTIVE,
    )
    d["gdp"] = _ds(
        wb,
        wbg,
        "GDP growth (annual %)",
        "Annual percentage growth rate of gross domestic product at market prices based on constant "
        "local currency, for every country.",
        formats=("CSV", "JSON"),
        themes=["Economy"],
        years=(1961, 2023),
        geo="Global",
    )
    d["life"] = _ds(
        wb,
        who,
        "Life expectancy at birth, total (years)",
        "Number of years a newborn infant would live if prevailing patterns of mortality stay the same.",
        themes=["Health"],
        years=(1960, 2022),
        geo="Global",
    )
    d["co2"] = _ds(
        wb,
        wbg,
        "CO2 emissions (metric tons per capita)",
        "Carbon dioxide emissions from burning fossil fuels and manufacturing cement, per person and country.",
        themes=["Environment"],
        years=(1990, 2020),
        geo="Global",
    )
    d["cifar"] = _ds(
        pwc,
        res,
        "CIFAR-10",
        "60,000 32x32 colour images in 10 classes, used as an image classification benchmark.",
        formats=(),
        themes=["Computer vision"],
    )
    d["squad"] = _ds(
        pwc,
        res,
        "SQuAD",
        "Stanford Question Answering Dataset: reading comprehension questions posed by crowdworkers "
        "on Wikipedia articles.",
        formats=("JSON",),
        themes=["Natural language processing"],
    )
    d["libri"] = _ds(
        pwc,
        res,
        "LibriSpeech",
        "About 1000 hours of read English speech from audiobooks, for automatic speech recognition.",
        formats=(),
        themes=["Speech"],
    )
    d["coco"] = _ds(
        pwc,
        res,
        "MS COCO",
        "Large-scale object detection, segmentation and image captioning dataset of everyday scenes.",
        formats=("JSON",),
        themes=["Computer vision"],
    )
    return d


@pytest.fixture(scope="module")
def _catalog_ids(django_db_setup, django_db_blocker):
    """The catalog and its index, built once per module (tests roll their own changes back)."""
    with django_db_blocker.unblock():
        data = make_catalog()
        services.index_ensure()
        ids = {key: dataset.pk for key, dataset in data.items()}
    yield ids
    with django_db_blocker.unblock():
        module_catalog_remove(ids)


def module_catalog_remove(ids: dict[str, int]) -> None:
    """Undo a module-scoped catalog: its datasets, their sources and publishers, the index state."""
    from catalog.models import Publisher, Source
    from search.models import IndexState, QueryStat

    sources = set(Dataset.objects.filter(pk__in=ids.values()).values_list("source_id", flat=True))
    publishers = set(Dataset.objects.filter(pk__in=ids.values()).values_list("publisher_id", flat=True))
    Dataset.objects.filter(pk__in=ids.values()).delete()
    Source.objects.filter(pk__in=sources).delete()
    Publisher.objects.filter(pk__in=publishers).delete()
    IndexState.objects.all().delete()
    QueryStat.objects.all().delete()


@pytest.fixture
def catalog(_catalog_ids, db) -> dict[str, Dataset]:
    return {key: Dataset.objects.get(pk=pk) for key, pk in _catalog_ids.items()}


@pytest.fixture
def staff(db):
    return UserFactory(username="curator", is_staff=True)
