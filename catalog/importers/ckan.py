"""CKAN API dumps: ``package_search`` (``{"result": {"results": [...]}}``), ``package_show``
(``{"result": {...}}``), or a plain list of packages.

external_id = the package ``id`` (falls back to ``name``); ``notes`` is the description,
``organization.title`` the publisher, tags/groups become tags/themes, each resource a
distribution. The source is the portal: its slug is taken from the host the resources live on
(``https://data.gov.au/...`` -> ``data-gov-au``) unless the caller names one. Deleted or
private packages import inactive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import base
from .base import DatasetRecord, DistributionData, ParseResult, RecordError, RecordInvalid, SourceData

ORIGIN = "ckan"
_TEMPORAL_KEYS = (
    ("temporal_start", "temporal_end"),
    ("temporal_coverage-from", "temporal_coverage-to"),
    ("temporal_coverage_from", "temporal_coverage_to"),
)


def sniff(head: str) -> bool:
    h = head.lstrip()
    if h.startswith("{") and '"result"' in head and ('"success"' in head or '"help"' in head):
        return True
    return h.startswith("[") and '"resources"' in head and '"notes"' in head


def packages_of(data: Any, name: str) -> list:
    if isinstance(data, dict) and "result" in data:
        if data.get("success") is False:
            raise base.ImportFormatError(f"{name}: CKAN reported an error: {str(data.get('error'))[:200]}")
        result = data["result"]
        if isinstance(result, dict) and isinstance(result.get("results"), list):
            return result["results"]
        if isinstance(result, dict) and ("name" in result or "resources" in result):
            return [result]
        if isinstance(result, list):
            return result
    if isinstance(data, list):
        return data
    raise base.ImportFormatError(f"{name}: not CKAN package_search/package_show JSON")


def portal_base(packages: list) -> str:
    """The portal URL, from resource URLs of the form <portal>/dataset/<name>/resource/..."""
    for pkg in packages:
        if not isinstance(pkg, dict):
            continue
        for res in pkg.get("resources") or []:
            u = res.get("url") if isinstance(res, dict) else None
            if isinstance(u, str) and "/dataset/" in u and u.startswith("http"):
                return u.split("/dataset/", 1)[0]
    return ""


def parse(path: Path, *, source: SourceData | None = None) -> ParseResult:
    packages = packages_of(base.load_json(path, "CKAN"), path.name)
    portal = portal_base(packages)
    if source is None:
        urls = (
            [portal]
            if portal
            else [
                r.get("url", "")
                for p in packages
                if isinstance(p, dict)
                for r in p.get("resources") or []
                if isinstance(r, dict)
            ]
        )
        slug = base.host_slug([u for u in urls if isinstance(u, str)], "ckan")
        source = SourceData(slug, slug.replace("-", "."), portal, "ckan")
    records, errors = [], []
    for index, pkg in enumerate(packages):
        ref = f"package {index + 1}"
        try:
            if not isinstance(pkg, dict):
                raise RecordInvalid(f"wrong type: expected an object, got {type(pkg).__name__}")
            ext_id = base.identifier(pkg.get("id") or pkg.get("name"), "id")
            ref = base.text(pkg.get("name"), "name") or ext_id
            records.append(_record(pkg, ext_id, ref, source, portal))
        except RecordInvalid as exc:
            errors.append(RecordError(ref, str(exc)))
    return ParseResult(ORIGIN, records, errors)


def _extras(pkg: dict) -> dict[Any, Any]:
    extras = pkg.get("extras") or []
    if not isinstance(extras, list):
        raise RecordInvalid("wrong type for extras: expected a list")
    return {e.get("key"): e.get("value") for e in extras if isinstance(e, dict) and e.get("key")}


def _record(pkg: dict, ext_id: str, ref: str, source: SourceData, portal: str) -> DatasetRecord:
    name = base.title(pkg.get("title") or pkg.get("name"))
    extras = _extras(pkg)
    org = pkg.get("organization")
    if org is not None and not isinstance(org, dict):
        raise RecordInvalid(f"wrong type for organization: expected an object, got {type(org).__name__}")
    publisher = base.text((org or {}).get("title") or (org or {}).get("name") or pkg.get("author"), "organization")
    distributions = []
    for res in base.object_list(pkg.get("resources"), "resources"):
        mimetype = base.text(res.get("mimetype"), "mimetype")
        distributions.append(
            DistributionData(
                format=base.fmt(res.get("format"), media_type=mimetype),
                url=base.url(res.get("url")),
                title=base.text(res.get("name"), "resource name", max_length=500),
                media_type=mimetype[:100],
            )
        )
    start = end = None
    for start_key, end_key in _TEMPORAL_KEYS:
        source_dict = pkg if start_key in pkg else extras
        if source_dict.get(start_key) or source_dict.get(end_key):
            start = base.parse_date(source_dict.get(start_key), start_key)
            end = base.parse_date(source_dict.get(end_key), end_key)
            break
    start, end = base.temporal(start, end)
    landing = base.url(pkg.get("url"))
    pkg_name = base.text(pkg.get("name"), "name")
    if portal and pkg_name:
        landing = f"{portal}/dataset/{pkg_name}"
    status, reason = "active", ""
    if pkg.get("state") not in (None, "active") or pkg.get("private") is True:
        status, reason = "inactive", f"CKAN state: {'private' if pkg.get('private') is True else pkg.get('state')}"
    spatial = extras.get("spatial_text") or extras.get("geographic_coverage") or pkg.get("spatial_text") or ""
    return DatasetRecord(
        source=source,
        external_id=ext_id,
        ref=ref,
        title=name,
        description=base.text(pkg.get("notes"), "notes"),
        publisher=publisher[:300],
        tags=base.tags(pkg.get("tags")),
        themes=base.string_list(pkg.get("groups"), "groups"),
        formats=base.formats_of(distributions),
        license=base.text(pkg.get("license_title") or pkg.get("license_id"), "license", max_length=300),
        landing_url=landing,
        geographic_coverage=base.text(spatial, "spatial", max_length=200),
        temporal_start=start,
        temporal_end=end,
        update_frequency=base.text(
            pkg.get("frequency") or extras.get("frequency") or extras.get("accrual_periodicity"),
            "frequency",
            max_length=100,
        ),
        source_created_at=base.parse_datetime(pkg.get("metadata_created"), "metadata_created"),
        source_modified_at=base.parse_datetime(pkg.get("metadata_modified"), "metadata_modified"),
        status=status,
        status_reason=reason,
        distributions=distributions,
        extra={"ckan_name": pkg_name, "description_source": "dataset"}
        if pkg_name
        else {"description_source": "dataset"},
    )
