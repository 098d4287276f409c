"""Harvest sources and their run reports in the Django admin: a schedule per source (beat),
"Harvest now" as a list action and as a button on the source's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from catalog.models import HarvestRun, HarvestSource

from .schedule import (
    ScheduleInvalid,
    cron_fields,
    harvest_source_next_run,
    harvest_source_schedule_delete,
    harvest_source_schedule_sync,
)
from .tasks import harvest_enqueue

URL_FORMFIELD: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}
ERRORS_SHOWN = 200
RUNS_SHOWN = 10


class HarvestSourceForm(forms.ModelForm):
    url = forms.URLField(
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 80}),
        help_text=HarvestSource._meta.get_field("url").help_text,
    )

    class Meta:
        model = HarvestSource
        fields = "__all__"

    def clean_schedule(self) -> str:
        schedule = " ".join(self.cleaned_data.get("schedule", "").split())
        if schedule:
            try:
                cron_fields(schedule)
            except ScheduleInvalid as exc:
                raise forms.ValidationError(str(exc)) from None
        return schedule

    def clean_config(self) -> dict:
        config = self.cleaned_data.get("config")
        if config in (None, ""):
            return {}
        if not isinstance(config, dict):
            raise forms.ValidationError('config is a JSON object, e.g. {"rows": 500}')
        return config


@admin.register(HarvestSource)
class HarvestSourceAdmin(admin.ModelAdmin):
    form = HarvestSourceForm
    formfield_overrides = URL_FORMFIELD
    change_form_template = "admin/catalog/harvestsource/change_form.html"
    list_display = ("name", "type", "url", "enabled", "schedule", "last_run_at", "last_status", "next_run")
    list_filter = ("type", "enabled", "last_status")
    search_fields = ("name", "url")
    actions = ["harvest_now", "harvest_now_full"]
    readonly_fields = ("last_run_at", "last_status", "next_run", "last_full_run_at", "created_at", "recent_runs")
    fieldsets = (
        (None, {"fields": ("name", "type", "url", "source", "config")}),
        ("Schedule", {"fields": ("enabled", "schedule", "next_run", "last_run_at", "last_status", "last_full_run_at")}),
        ("Incremental state", {"fields": ("modified_since", "etag", "last_modified"), "classes": ("collapse",)}),
        ("Reports", {"fields": ("recent_runs",)}),
    )

    @admin.display(description="next run")
    def next_run(self, obj: HarvestSource) -> str:
        when = harvest_source_next_run(source=obj) if obj.pk else None
        return when.strftime("%Y-%m-%d %H:%M UTC") if when else "—"

    @admin.display(description="recent runs")
    def recent_runs(self, obj: HarvestSource):
        runs = list(obj.runs.order_by("-started_at")[:RUNS_SHOWN]) if obj.pk else []
        if not runs:
            return "none yet"
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:catalog_harvestrun_change", args=[r.pk]),
                    f"{r.started_at:%Y-%m-%d %H:%M}",
                    r.get_status_display(),
                    r.created,
                    r.updated,
                    r.unchanged,
                    r.withdrawn,
                    r.failed,
                )
                for r in runs
            ),
        )
        head = "".join(f"<th>{h}</th>" for h in ("started", "status", *HarvestRun().counts()))
        return format_html("<table><tr>" + head + "</tr>{}</table>", rows)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        harvest_source_schedule_sync(source=obj)

    def delete_model(self, request, obj):
        harvest_source_schedule_delete(source=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            harvest_source_schedule_delete(source=obj)
        super().delete_queryset(request, queryset)

    def _enqueue(self, request, ids: list[int], *, full: bool) -> None:
        harvest_enqueue(source_ids=ids, trigger="admin", full=full)
        self.message_user(
            request,
            f"Harvest queued for {len(ids)} source(s); each run's report appears under Harvest runs.",
            messages.SUCCESS,
        )

    @admin.action(description="Harvest now", permissions=["change"])
    def harvest_now(self, request, queryset):
        self._enqueue(request, list(queryset.values_list("pk", flat=True)), full=False)

    @admin.action(description="Harvest now (complete listing, withdraws what is gone)", permissions=["change"])
    def harvest_now_full(self, request, queryset):
        self._enqueue(request, list(queryset.values_list("pk", flat=True)), full=True)

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.harvest_now_view))
        return [path("<int:object_id>/harvest/", view, name="catalog_harvestsource_harvest"), *super().get_urls()]

    def harvest_now_view(self, request, object_id: int):
        source = get_object_or_404(HarvestSource, pk=object_id)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        self._enqueue(request, [source.pk], full=request.POST.get("full") == "1")
        return HttpResponseRedirect(reverse("admin:catalog_harvestsource_change", args=[source.pk]))


@admin.register(HarvestRun)
class HarvestRunAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "started_at",
        "finished_at",
        "status",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "failed",
    )
    list_filter = ("status", "source")
    date_hierarchy = "started_at"
    list_select_related = ("source",)
    fields = (
        "source",
        "trigger",
        "status",
        "incremental",
        "started_at",
        "finished_at",
        "pages",
        ("created", "updated", "unchanged", "withdrawn", "failed"),
        "notes",
        "error_table",
    )
    readonly_fields = fields[:7] + ("created", "updated", "unchanged", "withdrawn", "failed", "notes", "error_table")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="errors (record or page, reason)")
    def error_table(self, obj: HarvestRun):
        errors = [e for e in (obj.errors or []) if isinstance(e, list) and len(e) == 2][:ERRORS_SHOWN]
        if not errors:
            return "none"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", ((str(r), str(m)) for r, m in errors))
        more = len(obj.errors) - len(errors)
        tail = format_html("<p>… and {} more</p>", more) if more > 0 else ""
        return format_html("<table><tr><th>record</th><th>reason</th></tr>{}</table>{}", rows, tail)
