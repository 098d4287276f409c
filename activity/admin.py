from __future__ import annotations

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from .models import Feedback, SearchHistory

FEEDBACK_CSV_COLUMNS = (
    "id",
    "created_at",
    "target",
    "value",
    "query",
    "rank",
    "dataset_id",
    "dataset_title",
    "message_id",
    "user",
    "session",
)


@admin.action(description="Export selected feedback as CSV")
def export_feedback_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="feedback-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(FEEDBACK_CSV_COLUMNS)
    for fb in queryset.select_related("dataset", "user").order_by("created_at"):
        writer.writerow(
            [
                fb.pk,
                fb.created_at.isoformat(),
                fb.target,
                fb.value,
                _csv_cell(fb.query),
                fb.rank if fb.rank is not None else "",
                fb.dataset_id or "",
                _csv_cell(fb.dataset.title) if fb.dataset else "",
                fb.message_id or "",
                fb.user.get_username() if fb.user else "",
                # the session key identifies a browser: export a short stable pseudonym only
                fb.session_key[:8] if fb.session_key else "",
            ]
        )
    return response


def _csv_cell(text: str) -> str:
    """Neutralise spreadsheet formulas in user- or catalog-supplied text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "target", "value", "query", "rank", "dataset", "message", "user")
    list_filter = ("target", "value", "created_at", ("user", admin.EmptyFieldListFilter))
    search_fields = ("query", "dataset__title")
    date_hierarchy = "created_at"
    raw_id_fields = ("dataset", "message", "user")
    list_select_related = ("dataset", "user", "message")
    actions = [export_feedback_csv]
    readonly_fields = ("created_at",)


@admin.register(SearchHistory)
class SearchHistoryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "query", "result_count", "user")
    list_filter = ("created_at", ("user", admin.EmptyFieldListFilter))
    search_fields = ("query",)
    raw_id_fields = ("user", "conversation")
    readonly_fields = ("created_at",)
