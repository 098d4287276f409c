"""The e-mail digest: one message per opted-in user listing the datasets new for their saved searches.

Sent through Django's e-mail backend (the console in the embedded default, SMTP with EMAIL_HOST). A
user gets at most one digest per ``SAVED_SEARCH_DIGEST_EVERY_HOURS``; a dataset goes out once
(``notified_at``), and one the user has already seen on the page is not sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalog.models import Dataset
from search.models import SavedSearch, SavedSearchMatch
from search.saved.services import saved_search_url

logger = logging.getLogger(__name__)


def _pending():
    """Matches a digest may send: new, never sent, of an active dataset, on an opted-in saved search."""
    return SavedSearchMatch.objects.filter(
        seen=False,
        notified_at__isnull=True,
        dataset__status=Dataset.Status.ACTIVE,
        saved_search__email_digest=True,
    )


def _recently_sent(*, user_id: int, now) -> bool:
    since = now - timedelta(hours=settings.SAVED_SEARCH_DIGEST_EVERY_HOURS)
    return SavedSearchMatch.objects.filter(saved_search__user_id=user_id, notified_at__gt=since).exists()


def digest_users_due(*, now=None) -> list[int]:
    """Users with something to send, an e-mail address, and no digest within the frequency."""
    now = now or timezone.now()
    since = now - timedelta(hours=settings.SAVED_SEARCH_DIGEST_EVERY_HOURS)
    waiting = set(_pending().values_list("saved_search__user_id", flat=True).distinct())
    recent = set(
        SavedSearchMatch.objects.filter(saved_search__user_id__in=waiting, notified_at__gt=since)
        .values_list("saved_search__user_id", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=waiting - recent, is_active=True).exclude(email="")
    return sorted(users.values_list("pk", flat=True))


def digest_message(*, user, groups: list[dict], total: int) -> EmailMultiAlternatives:
    """The digest for ``groups`` ([{"saved": SavedSearch, "matches": [...]}]): plain text and HTML
    (titles and names escaped by the template; they come from the catalog and the user)."""
    shown = sum(len(g["matches"]) for g in groups)
    context = {
        "user": user,
        "groups": groups,
        "total": total,
        "more": total - shown,
        "site_url": settings.SITE_URL,
        "page_url": settings.SITE_URL + reverse("saved-searches"),
    }
    subject = f"{total} new dataset{'' if total == 1 else 's'} for your saved searches"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("search/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("search/email/digest.html", context), "text/html")
    return message


def digest_send(*, user_id: int, now=None) -> int:
    """Send one user's digest if due; returns the number of datasets it announced (0: nothing sent).

    Safe to run twice at once: the user's opted-in saved searches are locked (skipped when another
    run holds them) and the frequency is checked again under the lock. A failed send raises and
    marks nothing, so the next run tries again.
    """
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    with transaction.atomic():
        saved = list(
            SavedSearch.objects.select_for_update(skip_locked=True).filter(user=user, email_digest=True).order_by("pk")
        )
        if not saved or _recently_sent(user_id=user.pk, now=now):
            return 0
        pending = list(
            _pending()
            .filter(saved_search__in=saved)
            .select_related("dataset__publisher", "dataset__source")
            .order_by("saved_search_id", "-first_seen", "pk")
        )
        if not pending:
            return 0
        by_search: dict[int, list[SavedSearchMatch]] = {}
        for match in pending[: settings.SAVED_SEARCH_DIGEST_MAX_ITEMS]:
            by_search.setdefault(match.saved_search_id, []).append(match)
        groups = [
            {
                "saved": s,
                "search_url": settings.SITE_URL + saved_search_url(s),
                "matches": [
                    {
                        "title": m.dataset.title,
                        "publisher": m.dataset.publisher.name if m.dataset.publisher else "",
                        "url": settings.SITE_URL + m.dataset.get_absolute_url(),
                    }
                    for m in by_search[s.pk]
                ],
            }  # fmt: skip
            for s in saved
            if s.pk in by_search
        ]
        digest_message(user=user, groups=groups, total=len(pending)).send()
        # Everything pending is announced (the e-mail says how many more the page holds).
        SavedSearchMatch.objects.filter(pk__in=[m.pk for m in pending]).update(notified_at=now)
    logger.info("saved-search digest sent to user %s (%s datasets)", user.pk, len(pending))
    return len(pending)


def digests_send(*, now=None) -> dict:
    """Every due user's digest; one failure (an SMTP error) does not stop the others."""
    sent = failed = datasets = 0
    for user_id in digest_users_due(now=now):
        try:
            count = digest_send(user_id=user_id, now=now)
        except Exception:
            failed += 1
            logger.exception("saved-search digest to user %s failed", user_id)
            continue
        if count:
            sent += 1
            datasets += count
    return {"sent": sent, "failed": failed, "datasets": datasets}
