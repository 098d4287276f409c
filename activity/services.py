"""Feedback on results and AI answers, and search history: the one write path for both.

Feedback is the training data for a later ranking improvement: one vote per person (user, or session
for anonymous visitors) per result-and-query or per answer; voting again replaces the earlier vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet

from catalog.models import Dataset

from .models import Feedback, SearchHistory

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class Owner:
    """Who acts: a signed-in user, or an anonymous visitor known by session key.

    The one way to find a request's owner: pages, API views and services all use it.
    """

    user: User | None
    session_key: str

    @classmethod
    def of(cls, *, user, session_key: str | None) -> Owner:
        if user is not None and getattr(user, "is_authenticated", False):
            return cls(user=user, session_key="")
        return cls(user=None, session_key=session_key or "")

    @classmethod
    def from_request(cls, request, *, create: bool = True) -> Owner:
        """The request's owner; ``create`` gives an anonymous visitor a session key to own things by."""
        if not request.user.is_authenticated and not request.session.session_key and create:
            request.session.save()
        return cls.of(user=request.user, session_key=request.session.session_key)

    def q(self, prefix: str = "") -> Q:
        if self.user is not None:
            return Q(**{f"{prefix}user": self.user})
        if self.session_key:
            return Q(**{f"{prefix}user__isnull": True, f"{prefix}session_key": self.session_key})
        return Q(pk__in=[])  # no owner: nothing is theirs


class FeedbackError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid feedback")
        self.errors = errors


def feedback_validate(
    *, owner: Owner, target: str, value, dataset_id=None, message=None, query: str = "", rank=None
) -> dict:
    """Check the shape and that the thing voted on exists and may be seen; returns cleaned fields.

    ``message`` is an answer the caller has already found in one of ``owner``'s conversations (the
    conversation app knows how; this app does not look upwards), or None when there is none.
    """
    errors: dict[str, list[str]] = {}
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if value not in (1, -1):
        errors["value"] = ["Must be 1 (thumbs up) or -1 (thumbs down)."]
    try:
        rank = int(rank) if rank not in (None, "") else None
    except (TypeError, ValueError):
        errors["rank"] = ["Must be a whole number."]
        rank = None
    if rank is not None and not 1 <= rank <= 1000:
        errors["rank"] = ["Must be between 1 and 1000."]
    cleaned = {"target": target, "value": value, "query": (query or "").strip()[:500], "rank": rank}
    if target == Feedback.Target.RESULT:
        dataset = None
        if str(dataset_id or "").isdigit():
            dataset = Dataset.objects.visible_to(owner.user).filter(pk=int(dataset_id)).first()
        if dataset is None:
            errors["dataset"] = ["Unknown dataset."]
        cleaned["dataset"] = dataset
        cleaned["message"] = None
    elif target == Feedback.Target.ANSWER:
        if message is None:
            errors["message"] = ["Unknown answer."]
        cleaned["message"] = message
        cleaned["dataset"] = None
    else:
        errors["target"] = ["Must be 'result' or 'answer'."]
    if errors:
        raise FeedbackError(errors)
    return cleaned


@transaction.atomic
def feedback_record(
    *, owner: Owner, target: str, value, dataset_id=None, message=None, query: str = "", rank=None
) -> Feedback:
    """Store one vote, replacing this owner's earlier vote on the same result-and-query or answer."""
    cleaned = feedback_validate(
        owner=owner, target=target, value=value, dataset_id=dataset_id, message=message, query=query, rank=rank
    )
    if cleaned["message"] is not None and not cleaned["query"]:
        cleaned["query"] = (cleaned["message"].search or {}).get("query", "")[:500]
    existing = Feedback.objects.select_for_update().filter(owner.q(), target=target)
    if target == Feedback.Target.RESULT:
        existing = existing.filter(dataset=cleaned["dataset"], query=cleaned["query"])
    else:
        existing = existing.filter(message=cleaned["message"])
    feedback = existing.first()
    if feedback is None:
        feedback = Feedback(user=owner.user, session_key=owner.session_key, target=target)
    feedback.dataset = cleaned["dataset"]
    feedback.message = cleaned["message"]
    feedback.query = cleaned["query"]
    feedback.rank = cleaned["rank"]
    feedback.value = cleaned["value"]
    feedback.save()
    return feedback


def feedback_votes(*, owner: Owner, query: str, dataset_ids: list[int]) -> dict[int, int]:
    """This owner's votes on these results for this query: {dataset_id: +1/-1}."""
    if not dataset_ids:
        return {}
    rows = Feedback.objects.filter(
        owner.q(), target=Feedback.Target.RESULT, query=(query or "")[:500], dataset_id__in=dataset_ids
    ).values_list("dataset_id", "value")
    return dict(rows)


def answer_votes(*, owner: Owner, message_ids: list[int]) -> dict[int, int]:
    if not message_ids:
        return {}
    rows = Feedback.objects.filter(owner.q(), target=Feedback.Target.ANSWER, message_id__in=message_ids)
    return dict(rows.values_list("message_id", "value"))


# --- Search history: the search page and the chat both write through here ---


def search_history_record(
    *, owner: Owner, query: str, filters: dict, result_count: int, conversation_id=None
) -> SearchHistory:
    return SearchHistory.objects.create(
        user=owner.user,
        session_key=owner.session_key,
        conversation_id=conversation_id,
        query=query[:500],
        filters=filters or {},
        result_count=result_count,
    )


def history_list(*, owner: Owner) -> QuerySet[SearchHistory]:
    return SearchHistory.objects.filter(owner.q()).order_by("-created_at", "-id")


def history_clear(*, owner: Owner) -> int:
    deleted, _ = history_list(owner=owner).delete()
    return deleted


def search_history_delete(*, owner: Owner, history_id: int) -> bool:
    deleted, _ = SearchHistory.objects.filter(owner.q(), pk=history_id).delete()
    return deleted > 0


@transaction.atomic
def activity_adopt(*, session_key: str, user) -> int:
    """Give an anonymous session's feedback and search history to the user who just signed in."""
    adopted = Feedback.objects.filter(user__isnull=True, session_key=session_key).update(user=user, session_key="")
    adopted += SearchHistory.objects.filter(user__isnull=True, session_key=session_key).update(
        user=user, session_key=""
    )
    return adopted
