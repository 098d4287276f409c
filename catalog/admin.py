"""Curation in the Django admin. Saves and bulk actions go through catalog.services, which
recompute the content hash and quality score and tell search which datasets changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count

from . import services
from .models import Dataset, DatasetFamily, Distribution, Publisher, Source, Tag
from .tasks import links_check_queue

# Django 6 makes https the default scheme for URL form fields; opt in now (and silence the warning).
URL_FORMFIELD: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class FormatFilter(admin.SimpleListFilter):
    title = "format"
    parameter_name = "format"

    def lookups(self, request, model_admin):
        formats = Distribution.objects.exclude(format="").values_list("format", flat=True).distinct().order_by("format")
        return [(f, f) for f in formats]

    def queryset(self, request, queryset):
        if self.value():
            # formats is a JSON list of upper-case names; the quoted form matches whole names only.
            return queryset.filter(formats__icontains=f'"{self.value()}"')
        return queryset


class DistributionInline(admin.TabularInline):
    model = Distribution
    formfield_overrides = URL_FORMFIELD
    extra = 0
    fields = ("title", "format", "url", "media_type", "link_status", "link_http_code", "link_checked_at")
    readonly_fields = ("link_status", "link_http_code", "link_checked_at")


# Where a dataset came from: set by importers, never edited by hand.
PROVENANCE_FIELDS = (
    "source",
    "external_id",
    "content_hash",
    "source_created_at",
    "source_modified_at",
    "created_at",
    "updated_at",
    "extra",
)
# Written by the link checker.
LINK_FIELDS = ("link_status", "link_http_code", "link_checked_at")


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FORMFIELD
    list_display = (
        "title",
        "source",
        "publisher",
        "status",
        "quality_display",
        "link_status",
        "family",
        "source_modified_at",
    )
    list_filter = (
        "source",
        ("family", admin.EmptyFieldListFilter),
        ("publisher", admin.RelatedOnlyFieldListFilter),
        FormatFilter,
        "status",
        "link_status",
    )
    search_fields = ("title", "description", "external_id", "publisher__name")
    list_select_related = ("source", "publisher", "family")
    list_per_page = 50
    ordering = ("title",)
    autocomplete_fields = ("publisher", "tags")
    inlines = [DistributionInline]
    actions = ["activate_datasets", "deactivate_datasets", "merge_into_family", "split_from_family", "check_links_now"]
    readonly_fields = (*PROVENANCE_FIELDS, "quality_score", *LINK_FIELDS, "family", "family_pinned", "license_id")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "description",
                    "publisher",
                    "tags",
                    "themes",
                    "formats",
                    "license",
                    "license_id",
                    "landing_url",
                )
            },
        ),
        ("Coverage", {"fields": ("geographic_coverage", "temporal_start", "temporal_end", "update_frequency")}),
        ("Research labels (task and data type facets)", {"fields": ("tasks", "modalities")}),
        ("Curation", {"fields": ("status", "status_reason", "quality_score")}),
        ("Family (split or merge with the list actions)", {"fields": ("family", "family_pinned")}),
        ("Link health", {"fields": LINK_FIELDS}),
        (
            "Provenance (read-only)",
            {"fields": PROVENANCE_FIELDS},
        ),
    )

    @admin.display(description="quality", ordering="quality_score")
    def quality_display(self, obj: Dataset) -> str:
        return f"{obj.quality_score:.2f}"

    def has_add_permission(self, request):
        # Datasets come from imports: their (source, external_id) provenance is read-only.
        return False

    def delete_model(self, request, obj):
        services.datasets_delete(dataset_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.datasets_delete(dataset_ids=list(queryset.values_list("pk", flat=True)))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags and distributions are saved by now: the hash and score see the final state.
        dataset = form.instance
        if "status" in form.changed_data and services.dataset_status_set(
            dataset_ids=[dataset.pk], status=dataset.status, reason=dataset.status_reason
        ):
            return  # a curator's decision, kept across re-imports; derived fields already refreshed
        services.dataset_refresh_derived(dataset_ids=[dataset.pk])

    @admin.action(description="Activate selected datasets", permissions=["change"])
    def activate_datasets(self, request, queryset):
        changed = services.dataset_status_set(
            dataset_ids=list(queryset.values_list("pk", flat=True)), status=Dataset.Status.ACTIVE
        )
        self.message_user(request, f"{changed} dataset(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected datasets", permissions=["change"])
    def deactivate_datasets(self, request, queryset):
        changed = services.dataset_status_set(
            dataset_ids=list(queryset.values_list("pk", flat=True)),
            status=Dataset.Status.INACTIVE,
            reason=f"Deactivated by curator {request.user.get_username()}",
        )
        self.message_user(request, f"{changed} dataset(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Check links now", permissions=["change"])
    def check_links_now(self, request, queryset):
        limit = settings.LINK_CHECK_ADMIN_MAX
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: limit + 1])
        if len(ids) > limit:
            self.message_user(
                request,
                f"Select at most {limit} datasets at a time (the hourly check covers the rest).",
                messages.ERROR,
            )
            return
        links_check_queue(dataset_ids=ids)
        self.message_user(
            request,
            f"Link check queued for {len(ids)} dataset(s); the results show in the Link health column when it ends.",
            messages.SUCCESS,
        )

    @admin.action(description="Merge selected datasets into one family", permissions=["change"])
    def merge_into_family(self, request, queryset):
        try:
            family = services.family_merge(dataset_ids=list(queryset.values_list("pk", flat=True)))
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Merged into the family “{family.title}”.", messages.SUCCESS)

    @admin.action(description="Split selected datasets out of their family", permissions=["change"])
    def split_from_family(self, request, queryset):
        changed = services.family_split(dataset_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{changed} dataset(s) split out of their family.", messages.SUCCESS)


class FamilyMemberInline(admin.TabularInline):
    """A family's members, read-only here: split or merge from the dataset list's actions (or below)."""

    model = Dataset
    fk_name = "family"
    fields = ("title", "source", "publisher", "formats", "temporal_start", "temporal_end", "status", "family_pinned")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DatasetFamily)
class DatasetFamilyAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "member_count", "curated", "updated_at")
    list_filter = ("kind", "curated")
    search_fields = ("title", "members__title")
    readonly_fields = ("key", "curated", "created_at", "updated_at")
    fields = ("title", "kind", "key", "curated", "created_at", "updated_at")
    inlines = [FamilyMemberInline]
    actions = ["dissolve_families"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("members"))

    @admin.display(description="members", ordering="n_members")
    def member_count(self, obj) -> int:
        return obj.n_members

    def has_add_permission(self, request):
        return False  # families are computed, or made by merging datasets (dataset list action)

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj.curated = True  # a curator's title or kind: recomputation keeps it
        super().save_model(request, obj, form, change)

    @admin.action(description="Split all members out (dissolve the family)", permissions=["change"])
    def dissolve_families(self, request, queryset):
        ids = list(Dataset.objects.filter(family__in=queryset).values_list("pk", flat=True))
        changed = services.family_split(dataset_ids=ids)
        self.message_user(request, f"{changed} dataset(s) split out.", messages.SUCCESS)


class DatasetCountMixin:
    """A sortable "datasets" column for models that datasets point at."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_datasets=Count("datasets"))  # type: ignore[misc]  # a ModelAdmin mixin

    @admin.display(description="datasets", ordering="n_datasets")
    def dataset_count(self, obj) -> int:
        return obj.n_datasets


@admin.register(Source)
class SourceAdmin(DatasetCountMixin, admin.ModelAdmin):
    formfield_overrides = URL_FORMFIELD
    list_display = ("name", "slug", "kind", "country", "dataset_count")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)


@admin.register(Publisher)
class PublisherAdmin(DatasetCountMixin, admin.ModelAdmin):
    formfield_overrides = URL_FORMFIELD
    list_display = ("name", "slug", "dataset_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


# Harvest sources and runs (registered on import).
from catalog.harvest import admin as harvest_admin  # noqa: E402,F401
from catalog.previews import admin as previews_admin  # noqa: E402,F401
