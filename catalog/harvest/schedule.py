"""A harvest source's schedule as a django-celery-beat PeriodicTask (one per source, named
``harvest-source-<id>``), kept in step with the source on every save and delete."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from celery.schedules import crontab
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from catalog.models import HarvestSource

TASK_NAME = "catalog.harvest_source"


class ScheduleInvalid(ValueError):
    """A cron expression that beat could not run; the message is for the curator."""


def cron_fields(expression: str) -> dict[str, str]:
    """The five cron fields of ``expression``; ScheduleInvalid when it is not a valid crontab."""
    parts = expression.split()
    if len(parts) != 5:
        raise ScheduleInvalid('a schedule has five fields: "minute hour day-of-month month day-of-week"')
    fields = dict(zip(("minute", "hour", "day_of_month", "month_of_year", "day_of_week"), parts, strict=True))
    try:
        crontab(**fields)
    except (ValueError, KeyError) as exc:
        raise ScheduleInvalid(f"not a valid schedule: {exc}") from None
    return fields


@transaction.atomic
def harvest_source_schedule_sync(*, source: HarvestSource) -> PeriodicTask | None:
    """Create, update or remove the source's PeriodicTask. Assumes ``source.schedule`` was validated."""
    name = source.periodic_task_name
    if not source.schedule.strip():
        PeriodicTask.objects.filter(name=name).delete()
        return None
    schedule, _ = CrontabSchedule.objects.get_or_create(**cron_fields(source.schedule), timezone="UTC")
    task, _ = PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": TASK_NAME,
            "crontab": schedule,
            "interval": None,
            "kwargs": json.dumps({"source_id": source.pk, "trigger": "schedule"}),
            "enabled": source.enabled,
            "description": f"Harvest {source.name}"[:200],
        },
    )
    return task


def harvest_source_schedule_delete(*, source: HarvestSource) -> None:
    PeriodicTask.objects.filter(name=source.periodic_task_name).delete()


def harvest_source_next_run(*, source: HarvestSource) -> datetime | None:
    """When beat will next start the source (None: manual only or disabled)."""
    if not source.enabled or not source.schedule.strip():
        return None
    try:
        schedule = crontab(**cron_fields(source.schedule))
    except ScheduleInvalid:
        return None
    now = timezone.now()
    # remaining_estimate lands a hair before the minute; cron times are whole minutes.
    return (now + schedule.remaining_estimate(now) + timedelta(seconds=30)).replace(second=0, microsecond=0)
