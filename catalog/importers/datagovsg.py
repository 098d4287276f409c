"""data.gov.sg v2 catalog JSON: ``datasets.json`` plus ``collections.json`` beside it.

Mapping: source ``datagovsg``, external_id = ``datasetId``, title = ``name``, one distribution
per dataset (its ``format``), landing page ``https://data.gov.sg/datasets/<id>/view``. A record carrying
``columnMetadata`` (the v2 metadata API's, fetched by the harvester) keeps its columns in ``extra["columns"]``.
From the dataset's collection (``childDatasets``) a dataset inherits the description when it
has none of its own (``extra.description_source = "collection"``), the publisher when
``managedByAgencyName`` is null, and the update frequency. Coverage is never inherited (the
collections' coverage dates describe the latest release, not the series).

Junk rule (the snapshot comes from the portal's staging listing). A record is imported with
``status=inactive`` and a ``status_reason`` starting "Junk rule:" when any of these holds:

1. its name contains the word "test", "tests", "testing" or "e2e" (hyphens and digits
   count as word breaks: "E2E Test Resource 1691…", "test-dataset-ryan", "Test KML 2",
   "Whitelisted drugs test"), or starts with initials glued to "test" ("yltest hello"; not
   latest/contest/protest/attest/detest) — except "test centre/center", which names a real
   place (NAPFA Test Centre);
2. its name is a placeholder: a single lower-case word with no digits or separators ("a",
   "aa", "name", "pnpm", "aoeueaouaoeu"), "Title", "Untitled Dataset", "New Dataset Here",
   "Dataset <n>", or a load-test file "(k6)";
3. its description is a placeholder ("test", "test description", "lorem ipsum",
   "testing123", "hello 1234", "sample description", "xxx", …);
4. it is managed by "Open Government Products" (the portal's own product team) and belongs
   to no collection: in this snapshot all 68 such records are QA entries ("Dataset 2",
   "Charities", "18 Sept Dataset", "1000 columns dataset", …); real agency datasets always
   sit in a collection or carry a ministry as publisher.

The rule is :func:`junk_reason`; it is also applied to data.gov.sg rows of the seed CSV
(rules 1–3; the CSV has no collection information).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import base
from .base import DatasetRecord, DistributionData, ParseResult, RecordError, RecordInvalid, SourceData

ORIGIN = "datagovsg"
SOURCE = SourceData(
    slug="datagovsg", name="data.gov.sg", homepage="https://data.gov.sg", kind="government", country="Singapore"
)
LICENSE = "Singapore Open Data Licence v1.0"
LANDING = "https://data.gov.sg/datasets/{id}/view"
DOWNLOAD = "https://api-open.data.gov.sg/v1/public/api/datasets/{id}/initiate-download"
JUNK_PUBLISHER = "Open Government Products"

_TEST_WORD = re.compile(r"(?<![a-z])(e2e|tests?|testing)(?![a-z])|^(?!(la|con|pro|at|de)test)[a-z]{1,3}test\b", re.I)
_TEST_PLACE = re.compile(r"\btest cent(re|er)s?\b", re.I)
_PLACEHOLDER_NAME = re.compile(r"^(title|name|untitled( dataset)?|new dataset( here)?|dataset \d+)$|\(k6\)", re.I)
_LOWERCASE_WORD = re.compile(r"^[a-z]+$")  # case-sensitive: "Parks" and "Hotels" are real names
_PLACEHOLDER_DESCRIPTION = re.compile(
    r"^(tests?( desc(ription)?)?|testing\s*\d*|lorem ipsum.*|hello \d+|sample( description| testing)?|"
    r"description|x+|h+|arbitrary|in here|modify description in here|test \d+)$",
    re.I,
)


def junk_reason(*, name: str, description: str = "", publisher: str = "", in_collection: bool | None = None) -> str:
    """Why this data.gov.sg record is a test/junk entry ("" when it is not). See the module docstring."""
    if _TEST_WORD.search(name) and not _TEST_PLACE.search(name):
        return "Junk rule: test record (name contains 'test')"
    if _PLACEHOLDER_NAME.search(name.strip()) or _LOWERCASE_WORD.match(name.strip()):
        return "Junk rule: placeholder name"
    if description and _PLACEHOLDER_DESCRIPTION.match(description.strip()):
        return "Junk rule: placeholder description"
    if in_collection is False and publisher == JUNK_PUBLISHER:
        return "Junk rule: portal QA record (Open Government Products, no collection)"
    return ""


MAX_COLUMNS = 500


def portal_columns(meta: Any) -> list[dict[str, str]]:
    """The columns a dataset's ``columnMetadata`` describes (v2 metadata API), in order:
    ``[{"name", "title", "type", "unit"}]`` (keys present when given). Unreadable metadata gives []."""
    if not isinstance(meta, dict):
        return []
    raw_mapping, raw_names, raw_order = meta.get("metaMapping"), meta.get("map"), meta.get("order")
    mapping: dict = raw_mapping if isinstance(raw_mapping, dict) else {}
    names: dict = raw_names if isinstance(raw_names, dict) else {}
    order: list = raw_order if isinstance(raw_order, list) else list(mapping or names)
    columns = []
    for column_id in order[:MAX_COLUMNS]:
        found = mapping.get(column_id) if isinstance(column_id, str) else None
        described: dict = found if isinstance(found, dict) else {}
        name = described.get("name") or (names.get(column_id) if isinstance(column_id, str) else None)
        if not isinstance(name, str) or not name.strip():
            continue
        column = {"name": name.strip()[:200]}
        for key, field in (("title", "columnTitle"), ("type", "dataType"), ("unit", "unit")):
            if isinstance(described.get(field), str) and described[field].strip():
                column[key] = described[field].strip()[:200]
        columns.append(column)
    return columns


def sniff(head: str) -> bool:
    return head.lstrip().startswith("[") and ('"datasetId"' in head or '"collectionId"' in head)


def resolve_paths(path: Path) -> tuple[Path, Path | None]:
    """(datasets.json, collections.json or None) for a file or the datagovsg directory."""
    if path.is_dir():
        datasets = path / "datasets.json"
        if not datasets.exists():
            raise base.ImportFormatError(f"{path}: no datasets.json in this directory")
        path = datasets
    elif path.name == "collections.json" and (path.parent / "datasets.json").exists():
        path = path.parent / "datasets.json"
    collections = path.parent / "collections.json"
    return path, collections if collections.exists() and collections != path else None


def _collections_by_dataset(path: Path | None) -> dict[str, dict]:
    if path is None:
        return {}
    data = base.load_json(path, "data.gov.sg collections")
    if not isinstance(data, list):
        raise base.ImportFormatError(f"{path.name}: not data.gov.sg collections JSON (expected a list)")
    by_dataset: dict[str, dict] = {}
    for coll in data:
        if not isinstance(coll, dict) or "collectionId" not in coll:
            raise base.ImportFormatError(f"{path.name}: not data.gov.sg collections JSON (no collectionId)")
        for child in coll.get("childDatasets") or []:
            by_dataset.setdefault(str(child), coll)
    return by_dataset


def parse(path: Path) -> ParseResult:
    datasets_path, collections_path = resolve_paths(path)
    data = base.load_json(datasets_path, "data.gov.sg datasets")
    if not isinstance(data, list) or (data and not (isinstance(data[0], dict) and "datasetId" in data[0])):
        raise base.ImportFormatError(
            f"{datasets_path.name}: not data.gov.sg datasets JSON (expected a list of datasets)"
        )
    collections = _collections_by_dataset(collections_path)
    records, errors = [], []
    for index, raw in enumerate(data):
        ref = f"record {index + 1}"
        try:
            if not isinstance(raw, dict):
                raise RecordInvalid(f"wrong type: expected an object, got {type(raw).__name__}")
            ext_id = base.identifier(raw.get("datasetId"), "datasetId")
            ref = ext_id
            records.append(_record(raw, ext_id, collections.get(ext_id)))
        except RecordInvalid as exc:
            errors.append(RecordError(ref, str(exc)))
    return ParseResult(ORIGIN, records, errors)


def _record(raw: dict[str, Any], ext_id: str, coll: dict | None) -> DatasetRecord:
    name = base.title(raw.get("name"), "name")
    own_description = base.text(raw.get("description"), "description")
    extra: dict[str, Any] = {"portal_status": base.text(raw.get("status"), "status")}
    description = own_description
    if own_description:
        extra["description_source"] = "dataset"
    elif coll and isinstance(coll.get("description"), str) and coll["description"].strip():
        description = coll["description"].strip()
        extra["description_source"] = "collection"
    publisher = base.text(raw.get("managedByAgencyName"), "managedByAgencyName", max_length=300)
    if not publisher and coll:
        publisher = base.text(coll.get("managedByAgencyName"), "collection managedByAgencyName", max_length=300)
    frequency = ""
    if coll:
        extra["collection"] = {"id": str(coll.get("collectionId")), "name": coll.get("name") or ""}
        frequency = (coll.get("frequency") or "").replace("_", "-") if isinstance(coll.get("frequency"), str) else ""
    if columns := portal_columns(raw.get("columnMetadata")):
        extra["columns"] = columns
    file_format = base.fmt(raw.get("format"))
    start, end = base.temporal(
        base.parse_date(raw.get("coverageStart"), "coverageStart"),
        base.parse_date(raw.get("coverageEnd"), "coverageEnd"),
    )
    status, reason = "active", ""
    if extra["portal_status"] and extra["portal_status"] != "active":
        status, reason = "inactive", f"Portal status: {extra['portal_status']}"
    junk = junk_reason(name=name, description=own_description, publisher=publisher, in_collection=coll is not None)
    if junk:
        status, reason = "inactive", junk
    return DatasetRecord(
        source=SOURCE,
        external_id=ext_id,
        ref=ext_id,
        title=name,
        description=description,
        publisher=publisher,
        formats=[file_format] if file_format else [],
        license=LICENSE,
        landing_url=LANDING.format(id=ext_id),
        geographic_coverage="Singapore",
        temporal_start=start,
        temporal_end=end,
        update_frequency=frequency[:100],
        source_created_at=base.parse_datetime(raw.get("createdAt"), "createdAt"),
        source_modified_at=base.parse_datetime(raw.get("lastUpdatedAt"), "lastUpdatedAt"),
        status=status,
        status_reason=reason,
        distributions=[DistributionData(format=file_format, url=DOWNLOAD.format(id=ext_id), title=name[:500])],
        extra=extra,
    )
