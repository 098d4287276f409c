"""Data previews in the admin: what each file gave (or why not), and "read the file again"."""

from __future__ import annotations

from django.contrib import admin, messages

from catalog.models import DistributionPreview
from catalog.previews.service import previews_queue


@admin.register(DistributionPreview)
class DistributionPreviewAdmin(admin.ModelAdmin):
    list_display = ("distribution", "dataset_title", "status", "reason", "file_format", "row_count", "fetched_at")
    list_filter = ("status", "file_format")
    search_fields = ("distribution__dataset__title", "source_url", "reason")
    list_select_related = ("distribution__dataset",)
    actions = ["read_again"]
    readonly_fields = [f.name for f in DistributionPreview._meta.fields]

    @admin.display(description="Dataset", ordering="distribution__dataset__title")
    def dataset_title(self, obj: DistributionPreview) -> str:
        return obj.distribution.dataset.title

    def has_add_permission(self, request):
        return False  # made by the preview task

    @admin.action(description="Read the selected files again", permissions=["change"])
    def read_again(self, request, queryset):
        ids = previews_queue(distribution_ids=list(queryset.values_list("distribution_id", flat=True)), force=True)
        self.message_user(request, f"{len(ids)} preview(s) queued.", messages.SUCCESS)
