from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q, QuerySet

from .models import Dataset, Publisher, Source, is_staff

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _SourceCounts(TypedDict):
        active_count: int


def source_counts() -> QuerySet[WithAnnotations[Source, _SourceCounts]]:
    """Sources with their number of active datasets, largest first."""
    return (
        Source.objects.annotate(active_count=Count("datasets", filter=Q(datasets__status=Dataset.Status.ACTIVE)))
        .filter(active_count__gt=0)
        .order_by("-active_count", "name")
    )


def dataset_get_visible(*, pk: int, user) -> Dataset:
    """The dataset if this user may see it; raises Dataset.DoesNotExist otherwise."""
    return (
        Dataset.objects.visible_to(user)
        .select_related("source", "publisher")
        .prefetch_related("tags", "distributions")
        .get(pk=pk)
    )


class UnknownFilterValue(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


def dataset_list(*, filters: dict, user) -> QuerySet[Dataset]:
    """Datasets visible to ``user`` matching ``filters`` (values already shape-checked).

    Unknown source/publisher slugs raise UnknownFilterValue, like the search service does.
    """
    staff = is_staff(user)
    qs = Dataset.objects.visible_to(user).select_related("source", "publisher").order_by("title", "pk")
    errors: dict[str, list[str]] = {}
    if sources := filters.get("source"):
        known = set(Source.objects.filter(slug__in=sources).values_list("slug", flat=True))
        for s in sources:
            if s not in known:
                errors.setdefault("source", []).append(f"Unknown source '{s[:100]}'.")
        qs = qs.filter(source__slug__in=sources)
    if publishers := filters.get("publisher"):
        known = set(Publisher.objects.filter(slug__in=publishers).values_list("slug", flat=True))
        for p in publishers:
            if p not in known:
                errors.setdefault("publisher", []).append(f"Unknown publisher '{p[:100]}'.")
        qs = qs.filter(publisher__slug__in=publishers)
    if errors:
        raise UnknownFilterValue(errors)
    # JSON list membership that works on SQLite and PostgreSQL alike: match the quoted value.
    if formats := filters.get("format"):
        cond = Q()
        for f in formats:
            cond |= Q(formats__icontains=f'"{f.upper()}"')
        qs = qs.filter(cond)
    if themes := filters.get("theme"):
        cond = Q()
        for t in themes:
            cond |= Q(themes__icontains=f'"{t}"')
        qs = qs.filter(cond)
    if (year_from := filters.get("year_from")) is not None:
        qs = qs.filter(
            Q(temporal_end__year__gte=year_from) | Q(temporal_end__isnull=True, temporal_start__isnull=False)
        )
    if (year_to := filters.get("year_to")) is not None:
        qs = qs.filter(
            Q(temporal_start__year__lte=year_to) | Q(temporal_start__isnull=True, temporal_end__isnull=False)
        )
    if staff and (status := filters.get("status")):
        qs = qs.filter(status=status)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(title__icontains=q) | Q(external_id=q))
    return qs


def catalog_links_unchecked() -> bool:
    """Whether any active dataset's links were never checked."""
    return Dataset.objects.active().filter(link_checked_at__isnull=True).exists()
