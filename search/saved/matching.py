"""The matching run: each saved search re-run through the search service, new matches recorded.

A match is a dataset in the search's first ``SAVED_SEARCH_MATCH_DEPTH`` results (a family's members
count with it). It is *new* when it was not recorded for that saved search before and the dataset
changed (was created, edited, harvested) after the search's previous run: a dataset that merely
moves up because another one left is not news. Recorded matches are never recorded again, so a
dataset shows once, and once seen it does not come back.

When: catalog changes (``datasets_changed``) queue one debounced task after they commit; it waits
for the index to cover the changes, runs at most ``SAVED_SEARCH_BATCH`` saved searches and queues
itself again while more are due. A beat sweep catches up whatever a lost task missed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from catalog.models import Dataset
from search.index.versions import current_index
from search.models import IndexState, SavedSearch, SavedSearchMatch
from search.services.hybrid import search
from search.services.validation import SearchValidationError

logger = logging.getLogger(__name__)

DEBOUNCE_KEY = "search:saved:queued"
# A dataset written inside a long transaction (an import, a harvest page) carries an updated_at earlier
# than its commit; an index built meanwhile did not see it. Looking this far behind the previous run
# finds it on the next one; recorded matches keep the overlap from alerting twice.
CHANGE_OVERLAP = timedelta(hours=1)
# When the last content change committed (a signalled dataset whose updated_at is within the overlap):
# lets a run skip the searches nothing changed for, link checks and quality updates included. Without it
# (a cache that lost it), the overlap alone decides.
CHANGE_MARK_KEY = "search:saved:content-committed-at"


def index_coverage() -> datetime | None:
    """The catalog moment the index this process searches is known to cover, or None (no index).

    Conservative: the published state's snapshot time, once this process has loaded that version
    (or a newer one). A change committed before it is searchable.
    """
    state = IndexState.objects.filter(pk=1).values("version", "snapshot_at", "built_at", "change_seq").first()
    if not state or not state["version"]:
        return None
    index = current_index(force_check=True)
    if index is None or index.version < state["version"]:
        return None
    covered = state["snapshot_at"] or state["built_at"]
    # The logged changes laid over the version (``search.index.delta``) are searchable too.
    if index.changes_at is not None and index.change_seq >= state["change_seq"]:
        covered = max(covered, index.changes_at) if covered else index.changes_at
    return covered


def _hit_ids(response) -> list[int]:
    """Result ids in rank order, each followed by the other members of the family it stands for."""
    ids: list[int] = []
    for hit in response.results:
        for dataset_id in [hit.id, *(m.get("id") for m in hit.members or [])]:
            if isinstance(dataset_id, int) and dataset_id not in ids:
                ids.append(dataset_id)
    return ids


def saved_search_match(*, saved: SavedSearch, coverage: datetime) -> int:
    """Re-run one saved search and record its new matches; returns how many were new.

    Assumes ``coverage`` came from ``index_coverage()`` just before. The first run (``checked_at``
    None) records the current matches as seen: a baseline. Safe to run twice: matches are unique per
    dataset, and ``checked_at`` only moves forward from the value this run read.
    """
    previous = saved.checked_at
    baseline = previous is None
    try:
        response = search(
            query=saved.query,
            filters=saved.filters or None,
            top_k=settings.SAVED_SEARCH_MATCH_DEPTH,
            user=saved.user,
            record=False,
        )
        ids = _hit_ids(response)
    except SearchValidationError as exc:  # a saved filter value the catalog no longer has: nothing matches
        logger.info("saved search %s no longer valid: %s", saved.pk, exc)
        ids = []
    candidates = Dataset.objects.filter(pk__in=ids, status=Dataset.Status.ACTIVE)
    if not baseline:
        candidates = candidates.filter(updated_at__gt=previous - CHANGE_OVERLAP)
    eligible = set(candidates.values_list("pk", flat=True))
    known = set(saved.matches.filter(dataset_id__in=eligible).values_list("dataset_id", flat=True))
    fresh = [i for i in ids if i in eligible and i not in known]
    if not baseline:
        fresh = fresh[: settings.SAVED_SEARCH_MAX_NEW_PER_RUN]
    now = timezone.now()
    with transaction.atomic():
        SavedSearchMatch.objects.bulk_create(
            [SavedSearchMatch(saved_search=saved, dataset_id=i, first_seen=now, seen=baseline) for i in fresh],
            ignore_conflicts=True,
        )
        # Moves forward only: a slower concurrent run that read an older coverage does not undo it.
        SavedSearch.objects.filter(pk=saved.pk).filter(Q(checked_at__isnull=True) | Q(checked_at__lt=coverage)).update(
            checked_at=coverage
        )
    saved.checked_at = max(coverage, previous) if previous else coverage
    return 0 if baseline else len(fresh)


def saved_searches_due(*, coverage: datetime):
    """Saved searches whose last run is older than the index: never run first, then the oldest."""
    return (
        SavedSearch.objects.filter(Q(checked_at__isnull=True) | Q(checked_at__lt=coverage))
        .select_related("user")
        .order_by(F("checked_at").asc(nulls_first=True), "pk")
    )


def saved_searches_match(*, limit: int | None = None) -> dict:
    """Run up to ``limit`` (``SAVED_SEARCH_BATCH``) due saved searches against the current index.

    ``pending`` tells the caller whether more are due (queue another run) and ``behind`` whether the
    catalog changed after the index's snapshot (the index has not caught up yet: run again later).
    """
    limit = limit or settings.SAVED_SEARCH_BATCH
    coverage = index_coverage()
    if coverage is None:
        return {"ran": 0, "new": 0, "pending": False, "behind": True}
    latest_change = Dataset.objects.aggregate(m=Max("updated_at"))["m"]
    mark = cache.get(CHANGE_MARK_KEY)
    content_committed_at = datetime.fromisoformat(mark) if mark else None
    ran = new = 0
    due = list(saved_searches_due(coverage=coverage)[: limit + 1])
    quiet: list[int] = []
    for saved in due[:limit]:
        if saved.checked_at is not None and _quiet(saved.checked_at, latest_change, content_committed_at):
            quiet.append(saved.pk)  # nothing changed since its last run: moved on below without searching
            continue
        try:
            new += saved_search_match(saved=saved, coverage=coverage)
        except SoftTimeLimitExceeded:
            raise  # out of time: the rest stay due for the next run
        except Exception:  # one bad saved search must not stop the others; it stays due
            logger.exception("saved search %s could not be matched", saved.pk)
        ran += 1
    SavedSearch.objects.filter(pk__in=quiet, checked_at__lt=coverage).update(checked_at=coverage)
    behind = latest_change is not None and latest_change > coverage
    return {"ran": ran, "new": new, "pending": len(due) > limit, "behind": behind}


def _quiet(checked_at: datetime, latest_change: datetime | None, content_committed_at: datetime | None) -> bool:
    """Nothing can be new for a search last run at ``checked_at``: no dataset written since (nor a
    late commit of an earlier write, known from the commit mark or, without one, the overlap)."""
    if latest_change is None:
        return True
    if content_committed_at is not None:
        return latest_change <= checked_at and content_committed_at <= checked_at
    return latest_change <= checked_at - CHANGE_OVERLAP


def saved_searches_schedule(*, dataset_ids=()) -> None:
    """After the current transaction commits, queue one matching run unless one is already queued.

    Changes arriving while a run waits are covered by it (the task clears the mark when it starts),
    so a burst of edits or a harvest costs one run, not one per save.
    """
    if SavedSearch.objects.exists():  # no saved searches (most installs at first): nothing to queue
        ids = sorted({int(i) for i in dataset_ids})
        transaction.on_commit(lambda: _enqueue(ids))


def _content_mark(ids: list[int]) -> None:
    now = timezone.now()
    recent = Dataset.objects.filter(pk__in=ids[:10_000], updated_at__gte=now - CHANGE_OVERLAP).exists()
    if recent or len(ids) > 10_000:
        cache.set(CHANGE_MARK_KEY, now.isoformat(), timeout=None)
    elif cache.get(CHANGE_MARK_KEY) is None:
        cache.set(CHANGE_MARK_KEY, datetime.min.replace(tzinfo=now.tzinfo).isoformat(), timeout=None)


def _enqueue(ids: list[int]) -> None:
    _content_mark(ids)
    delay = int(settings.SAVED_SEARCH_DEBOUNCE_SECONDS)
    if not cache.add(DEBOUNCE_KEY, "1", timeout=delay + 300):
        return
    try:
        saved_searches_match_task.apply_async(countdown=delay)
    except Exception:  # a broker outage must not fail the curator's save; the beat sweep catches up
        cache.delete(DEBOUNCE_KEY)
        logger.exception("could not queue the saved-search matching run")


def debounce_clear() -> None:
    cache.delete(DEBOUNCE_KEY)


# Waiting for the index to catch up with the changes: this many tries this far apart, then the beat
# sweep takes over. The task lives here, beside the function that queues it (as search.reindex does).
BEHIND_RETRIES = 20
BEHIND_RETRY_SECONDS = 15


@shared_task(bind=True, name="search.saved_searches_match", queue="default", max_retries=BEHIND_RETRIES, acks_late=True)
def saved_searches_match_task(self, sweep: bool = False) -> dict:
    """Re-run due saved searches (a bounded batch); queued, debounced, after catalog changes."""
    if not sweep:
        debounce_clear()  # changes committed from now on queue a new run
    report = saved_searches_match()
    if report["pending"]:
        saved_searches_match_task.apply_async(kwargs={"sweep": True})
    elif report["behind"] and not sweep and self.request.retries < BEHIND_RETRIES and not self.request.is_eager:
        raise self.retry(countdown=BEHIND_RETRY_SECONDS)
    return report
