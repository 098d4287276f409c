"""Celery tasks for saved searches: thin wrappers over ``matching`` and ``digest`` (imported by
``search.tasks`` so autodiscovery finds them). The debounced matching task is defined in
``matching``, beside ``saved_searches_schedule`` which queues it."""

from __future__ import annotations

from celery import shared_task

from search.saved.matching import saved_searches_match, saved_searches_match_task

__all__ = ["saved_digests_send", "saved_searches_match_task", "saved_searches_sweep"]


@shared_task(name="search.saved_searches_sweep", queue="default", expires=500)
def saved_searches_sweep() -> dict:
    """Beat: run whatever saved searches are still due (a lost task, a broker outage)."""
    report = saved_searches_match()
    if report["pending"]:
        saved_searches_match_task.apply_async(kwargs={"sweep": True})
    return report


@shared_task(name="search.saved_digests_send", queue="default", expires=3000, acks_late=True)
def saved_digests_send() -> dict:
    """Beat (hourly): e-mail each opted-in user whose digest is due (``SAVED_SEARCH_DIGEST_EVERY_HOURS``)."""
    from search.saved.digest import digests_send

    return digests_send()
