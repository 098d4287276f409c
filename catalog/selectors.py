from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Dataset, Source


def source_counts() -> QuerySet[Source]:
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
