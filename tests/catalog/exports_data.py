"""Datasets for the export tests: a rich one (every field set), a research dataset with its paper,
and a hostile one whose catalog text tries to break every format."""

from __future__ import annotations

import datetime as dt

from catalog.models import Source, Tag
from tests.factories import DatasetFactory, DistributionFactory, PublisherFactory, SourceFactory

HOSTILE_TEXT = "Evil \"quoted\" {braces} \\back</script><!-- $&%#_~^ 'single'\nnew line\u2028sep"
# No whitespace (no importer or URL field keeps a URL with one) but everything else a shell, a string
# literal or an HTML parser could trip on.
HOSTILE_URL = "https://example.org/\"q\"/{x}/$(touch%20pwned)/`id`/'s'/\\/ünï;rm?x=1&y=</script>"
# The hostile URL less the characters an IRI cannot hold (the DCAT export percent-encodes those).
ROUNDTRIP_URL = "https://example.org/ünï/$(touch%20pwned)/'s';rm?x=1&y=2#frag"
BASE = "https://research.example"


def rich_dataset(**overrides):
    source = SourceFactory(
        slug="datagovsg", name="data.gov.sg", homepage="https://data.gov.sg", kind="government", country="Singapore"
    )
    publisher = PublisherFactory(name="Housing & Development Board", homepage="https://www.hdb.gov.sg")
    values = {
        "source": source,
        "publisher": publisher,
        "external_id": "d_8b84c4ee58e3cfc0ece0d773c8ca6abc",
        "title": "Resale flat prices based on registration date from Jan-2017 onwards",
        "description": "Resale prices of HDB flats by town, flat type, floor area and lease commencement date.",
        "themes": ["Housing", "Economy"],
        "formats": ["CSV"],
        "license": "Singapore Open Data Licence v1.0",
        "landing_url": "https://data.gov.sg/datasets/d_8b84c4ee58e3cfc0ece0d773c8ca6abc/view",
        "geographic_coverage": "Singapore",
        "temporal_start": dt.date(2017, 1, 1),
        "temporal_end": dt.date(2025, 6, 30),
        "update_frequency": "monthly",
        "source_created_at": dt.datetime(2017, 3, 1, 8, 30, tzinfo=dt.UTC),
        "source_modified_at": dt.datetime(2025, 7, 2, 1, 0, 5, tzinfo=dt.UTC),
    }
    values.update(overrides)
    dataset = DatasetFactory(**values)
    dataset.tags.set([Tag.objects.get_or_create(name=n)[0] for n in ("resale", "hdb", "prices")])
    DistributionFactory(
        dataset=dataset,
        title="Resale prices (CSV)",
        format="CSV",
        url="https://data.gov.sg/datasets/d_8b84c4ee58e3cfc0ece0d773c8ca6abc/view",
        media_type="text/csv",
    )
    return dataset


def world_dataset():
    source = SourceFactory(
        slug="worldbank", name="World Bank", homepage="https://data.worldbank.org", kind="international"
    )
    dataset = DatasetFactory(
        source=source,
        publisher=PublisherFactory(name="World Bank Group"),
        external_id="wb_SP.POP.TOTL",
        title="Population, total",
        description="Total population is based on the de facto definition of population.",
        formats=["CSV", "XLSX", "JSON", "PDF"],  # PDF: declared, no distribution
        themes=["Society"],
        license="https://creativecommons.org/licenses/by/4.0/",
        landing_url="https://doi.org/10.1234/WB.POP-2024",
        update_frequency="Annual",
        temporal_start=dt.date(1960, 1, 1),
    )
    DistributionFactory(dataset=dataset, title="Population CSV", format="CSV", url="https://api.example.org/pop.csv")
    DistributionFactory(
        dataset=dataset, title="Population workbook", format="XLSX", url="https://api.example.org/pop.xlsx"
    )
    DistributionFactory(dataset=dataset, title="No link", format="JSON", url="")
    return dataset


def research_dataset():
    source = SourceFactory(
        slug="paperswithcode",
        name="Papers with Code",
        homepage="https://paperswithcode.com/datasets",
        kind=Source.Kind.RESEARCH,
    )
    return DatasetFactory(
        source=source,
        publisher=None,
        external_id="MuMu",
        title="MuMu",
        description="MuMu is a new dataset of more than 31k albums classified into 250 genre classes.",
        formats=[],
        license="See the dataset's own terms (metadata: DataFinder, Apache-2.0)",
        extra={
            "paper_url": "https://arxiv.org/pdf/1707.04916",
            "source_paper_title": "Multi-label Music Genre Classification from Audio, Text, and Images Using Deep Features",
        },
    )


def hostile_dataset():
    source = SourceFactory(slug="evil-portal", name='Evil "Portal" </script>', homepage="https://evil.example")
    dataset = DatasetFactory(
        source=source,
        publisher=PublisherFactory(name=f"Pub {HOSTILE_TEXT}"),
        external_id='evil-"id"-{1}</script>',
        title=f"Title {HOSTILE_TEXT}",
        description=f"Description {HOSTILE_TEXT}",
        themes=[f"Theme {HOSTILE_TEXT}"],
        formats=["CSV", "SDMX-JSON"],
        license=f"Licence {HOSTILE_TEXT}",
        landing_url=HOSTILE_URL,
        geographic_coverage=f"Place {HOSTILE_TEXT}"[:200],
        update_frequency="every }{ now",
    )
    dataset.tags.set([Tag.objects.get_or_create(name="evil </script> {tag}")[0]])
    DistributionFactory(
        dataset=dataset, title=f"File {HOSTILE_TEXT}", format="CSV", url=HOSTILE_URL, media_type='text/csv; x="1"'
    )
    return dataset
