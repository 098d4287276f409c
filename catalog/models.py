from __future__ import annotations

from urllib.parse import quote

from django.db import models
from django.db.models import Q
from django.urls import reverse


class Source(models.Model):
    """A portal or collection the catalog harvests from (data.gov.sg, World Bank, ...)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government open-data portal"
        INTERNATIONAL = "international", "International organisation"
        RESEARCH = "research", "Research datasets"
        CKAN = "ckan", "CKAN portal"
        DCAT = "dcat", "DCAT catalog"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    homepage = models.URLField(max_length=500, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    # Sources whose datasets are about Singapore get preferred for Singapore-intent queries.
    country = models.CharField(max_length=64, blank=True, help_text="Country the source covers, blank if global.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Publisher(models.Model):
    """The agency or organisation responsible for a dataset."""

    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=300, unique=True)
    homepage = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Where a source shows one record, for records imported without a landing page.
SOURCE_PAGES = {
    "datagovsg": "https://data.gov.sg/datasets/{id}/view",
    "paperswithcode": "https://paperswithcode.com/datasets?q={id}",
}


def is_staff(user) -> bool:
    """The one staff check: staff see inactive datasets and curator-only filters (anonymous: None or AnonymousUser)."""
    return bool(user is not None and getattr(user, "is_staff", False))


class DatasetFamily(models.Model):
    """Datasets that are one for a user: copies and format variants, or a period-split series.

    Computed by ``catalog.services.families.family_recompute`` after every import (rules in
    ``catalog.families``); a curator's split or merge pins the members it touches (``Dataset.family_pinned``).
    """

    class Kind(models.TextChoices):
        VARIANTS = "variants", "Copies and format variants"
        SERIES = "series", "Period series"

    key = models.CharField(max_length=600, unique=True, help_text="Stable key of the computed grouping.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.VARIANTS)
    title = models.CharField(max_length=500)
    curated = models.BooleanField(default=False, help_text="Made or changed by a curator: recomputation keeps it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "dataset families"

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display().lower()})"


class DatasetQuerySet(models.QuerySet):
    def active(self) -> DatasetQuerySet:
        return self.filter(status=Dataset.Status.ACTIVE)

    def visible_to(self, user) -> DatasetQuerySet:
        """Inactive datasets are only ever shown to staff."""
        if is_staff(user):
            return self
        return self.active()


class Dataset(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    class LinkStatus(models.TextChoices):
        UNKNOWN = "unknown", "Not checked"
        OK = "ok", "Working"
        REDIRECT = "redirect", "Redirects"
        BROKEN = "broken", "Broken"
        ERROR = "error", "Unreachable"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="datasets")
    external_id = models.CharField(max_length=300, help_text="The dataset's id in its source portal.")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.SET_NULL, null=True, blank=True, related_name="datasets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    themes = models.JSONField(default=list, blank=True, help_text="Category/theme labels.")
    formats = models.JSONField(default=list, blank=True, help_text="Upper-case format names, e.g. CSV.")
    license = models.CharField(max_length=300, blank=True, help_text="The licence as the source states it.")
    license_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="SPDX id (or LicenseRef-* for licences SPDX does not list) read from the licence text at import.",
    )
    tasks = models.JSONField(default=list, blank=True, help_text="Research tasks (research datasets).")
    modalities = models.JSONField(default=list, blank=True, help_text="Data modalities (research datasets).")
    landing_url = models.URLField(max_length=1000, blank=True)
    geographic_coverage = models.CharField(max_length=200, blank=True)
    temporal_start = models.DateField(null=True, blank=True)
    temporal_end = models.DateField(null=True, blank=True)
    update_frequency = models.CharField(max_length=100, blank=True)
    source_created_at = models.DateTimeField(null=True, blank=True)
    source_modified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the dataset is inactive (set by import rules or curators)."
    )
    quality_score = models.FloatField(default=0.0)
    link_status = models.CharField(max_length=16, choices=LinkStatus.choices, default=LinkStatus.UNKNOWN)
    link_http_code = models.PositiveSmallIntegerField(null=True, blank=True)
    link_checked_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the imported content.")
    extra = models.JSONField(default=dict, blank=True, help_text="Source-specific metadata kept verbatim.")
    family = models.ForeignKey(DatasetFamily, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    family_pinned = models.BooleanField(
        default=False, help_text="A curator split this dataset out of a family or merged it into one: kept as is."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="dataset_unique_source_external_id"),
            models.CheckConstraint(
                condition=Q(quality_score__gte=0) & Q(quality_score__lte=1), name="dataset_quality_score_0_1"
            ),
            models.CheckConstraint(
                condition=Q(temporal_start__isnull=True)
                | Q(temporal_end__isnull=True)
                | Q(temporal_start__lte=models.F("temporal_end")),
                name="dataset_temporal_range_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "source"], name="dataset_status_source"),
            models.Index(fields=["publisher", "status"], name="dataset_publisher_status"),
            models.Index(fields=["temporal_start", "temporal_end"], name="dataset_temporal"),
            models.Index(fields=["-source_modified_at"], name="dataset_modified"),
            models.Index(fields=["-quality_score"], name="dataset_quality"),
            models.Index(fields=["link_status", "link_checked_at"], name="dataset_link"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dataset-detail", args=[self.pk])

    @property
    def source_page_url(self) -> str:
        """The record's own page at its source: the landing page, else a page built from the source's
        URL pattern (``SOURCE_PAGES``), else the source's homepage."""
        if self.landing_url.lower().startswith(("https://", "http://")):
            return self.landing_url
        pattern = SOURCE_PAGES.get(self.source.slug)
        if pattern:
            return pattern.format(id=quote(self.external_id, safe=""))
        return self.source.homepage

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def link_is_broken(self) -> bool:
        return self.link_status in {self.LinkStatus.BROKEN, self.LinkStatus.ERROR}


class Distribution(models.Model):
    """One downloadable form of a dataset (a file or an API endpoint)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    title = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=50, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    link_status = models.CharField(
        max_length=16, choices=Dataset.LinkStatus.choices, default=Dataset.LinkStatus.UNKNOWN
    )
    link_http_code = models.PositiveSmallIntegerField(null=True, blank=True)
    link_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["format"], name="distribution_format")]

    def __str__(self) -> str:
        return f"{self.format or 'file'}: {self.url or self.title}"


class HarvestSource(models.Model):
    """A live portal the catalog harvests on a schedule (see catalog.harvest)."""

    class Type(models.TextChoices):
        CKAN = "ckan", "CKAN action API (package_search)"
        DATAGOVSG = "datagovsg", "data.gov.sg v2 API"
        DCAT = "dcat", "DCAT-AP catalog (JSON-LD / Turtle, Hydra paging)"
        CSV = "csv", "CSV file at a URL"

    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=16, choices=Type.choices)
    url = models.URLField(max_length=1000, help_text="The API base, catalog or file URL.")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="harvest_sources",
        help_text="The catalog source its datasets belong to (created from the name when blank).",
    )
    config = models.JSONField(
        default=dict,
        blank=True,
        help_text='Protocol options, e.g. {"rows": 500, "fq": "organization:abc", "allow_cross_host_redirects": true}.',
    )
    schedule = models.CharField(
        max_length=100,
        blank=True,
        help_text='A cron expression "minute hour day month weekday" (UTC), e.g. "15 2 * * *"; blank: manual only.',
    )
    enabled = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=16, blank=True)
    last_full_run_at = models.DateTimeField(null=True, blank=True, help_text="Last complete listing.")
    # Incremental state: the newest source-side modification time seen (modified-since) and HTTP validators.
    modified_since = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def periodic_task_name(self) -> str:
        return f"harvest-source-{self.pk}"


class HarvestRun(models.Model):
    """One run of a harvest source, and its report."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Succeeded"
        NOT_MODIFIED = "not_modified", "Not modified (304)"
        PARTIAL = "partial", "Partial (a page failed)"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, default="manual")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    incremental = models.BooleanField(default=False, help_text="Fetched only records modified since the last run.")
    pages = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [[record id or page, reason], ...], capped (HARVEST_MAX_ERRORS_KEPT); page failures start "page ".
    errors = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "-started_at"], name="harvestrun_source_started")]

    def __str__(self) -> str:
        return f"{self.source} @ {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "failed": self.failed,
        }


class DistributionPreview(models.Model):
    """What a distribution's file holds: the first rows, columns with types and a profile (catalog.previews).

    Made by a Celery task from ``source_url`` as it was when queued; a changed URL or dataset
    modification time makes it stale and it is queued again (``catalog.previews.previews_queue``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Preview pending"
        READY = "ready", "Ready"
        UNAVAILABLE = "unavailable", "Preview unavailable"

    distribution = models.OneToOneField(Distribution, on_delete=models.CASCADE, related_name="preview")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is unavailable, for people.")
    # [{"name", "type", "nulls", "min", "max", "distinct", "values": [[value, count], ...]}, ...]
    columns = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True, help_text="The first rows, as lists of strings or null.")
    row_count = models.BigIntegerField(null=True, blank=True, help_text="All rows, when the whole file was read.")
    rows_profiled = models.BigIntegerField(null=True, blank=True, help_text="Rows the profile covers.")
    truncated = models.BooleanField(default=False, help_text="Only the first PREVIEW_MAX_BYTES were read.")
    file_format = models.CharField(max_length=16, blank=True, help_text="Detected from the content.")
    file_size = models.BigIntegerField(null=True, blank=True, help_text="Bytes, when known.")
    encoding = models.CharField(max_length=32, blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="Short remarks shown with the preview.")
    source_url = models.URLField(max_length=1000, help_text="The distribution URL this preview was made from.")
    source_modified = models.DateTimeField(null=True, blank=True, help_text="The dataset's modification time then.")
    file_url = models.URLField(max_length=1000, blank=True, help_text="The file's URL (query string removed).")
    etag = models.CharField(max_length=300, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the bytes read.")
    fetched_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When an unavailable preview is tried again.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "fetched_at"], name="preview_status_fetched")]
        constraints = [
            models.CheckConstraint(
                condition=Q(row_count__isnull=True) | Q(row_count__gte=0), name="preview_row_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"preview of {self.distribution_id} ({self.status})"
